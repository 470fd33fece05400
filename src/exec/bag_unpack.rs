//! `evaluate bag_unpack`, one row at a time: each output column is an input
//! column or the value of one key of the unpacked bag
//! (<https://learn.microsoft.com/kusto/query/bag-unpack-plugin>). Which
//! columns there are was decided when the query was bound (see
//! `semantic::bag_unpack`).

use crate::json::Row;
use crate::plan::logical::UnpackOutput;
use crate::types::DataType;
use crate::value::Value;
use crate::value::cast::{cast, normalize};

/// The output row for `row`: a key missing from the bag (or a cell that is
/// not a bag) gives null; a value is converted to its column's type, and
/// one that does not convert is null.
pub(super) fn unpack(
    row: &dyn Row,
    column: usize,
    outputs: &[UnpackOutput],
    types: &[DataType],
) -> Vec<Value> {
    let bag = row.column(column);
    outputs
        .iter()
        .zip(types)
        .map(|(o, &ty)| match o {
            UnpackOutput::Input(i) => row.column(*i),
            UnpackOutput::Key { key, .. } => {
                let v = match &bag {
                    Value::Bag(b) => b.get(key).cloned().unwrap_or(Value::Null),
                    _ => Value::Null,
                };
                normalize(cast(v, ty), ty)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Bag;

    #[test]
    fn missing_keys_are_null_and_values_take_the_column_type() {
        let mut bag = Bag::new();
        bag.insert("a".into(), Value::Long(20));
        bag.insert("b".into(), Value::string("x"));
        let row = vec![Value::string("kept"), Value::bag(bag)];
        let outputs = [
            UnpackOutput::Input(0),
            UnpackOutput::Key {
                key: "a".into(),
                ty: DataType::Long,
            },
            UnpackOutput::Key {
                key: "b".into(),
                ty: DataType::String,
            },
            UnpackOutput::Key {
                key: "c".into(),
                ty: DataType::String,
            },
        ];
        let types = [
            DataType::String,
            DataType::Long,
            DataType::String,
            DataType::String,
        ];
        assert_eq!(
            unpack(&row, 1, &outputs, &types),
            vec![
                Value::string("kept"),
                Value::Long(20),
                Value::string("x"),
                Value::string("")
            ]
        );
    }
}
