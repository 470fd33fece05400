//! Functions of a whole row. The binder expands `pack_all()` into a call of
//! `__pack_all` with every column's name and value, since only it knows
//! the row's columns (<https://learn.microsoft.com/kusto/query/pack-all-function>).

use super::SignatureError;
use super::function;
use super::{EvalContext, ScalarFunction};
use crate::types::DataType;
use crate::value::{Bag, Value};

pub(super) const FUNCTIONS: &[ScalarFunction] = &[function(
    "__pack_all",
    1,
    usize::MAX,
    sig_pack_all,
    pack_all,
)];

fn sig_pack_all(_: &[DataType]) -> Result<DataType, SignatureError> {
    Ok(DataType::Dynamic)
}

/// `__pack_all(ignore_null_empty, name1, value1, name2, value2, ...)`: a
/// bag of the pairs; with `ignore_null_empty`, null and empty values are
/// left out.
fn pack_all(args: &[Value], _: &EvalContext) -> Value {
    let ignore = matches!(args.first(), Some(Value::Bool(true)));
    let pairs = args.get(1..).unwrap_or_default();
    let mut bag = Bag::with_capacity(pairs.len() / 2);
    for pair in pairs.chunks_exact(2) {
        let (Value::String(name), value) = (&pair[0], &pair[1]) else {
            continue;
        };
        let empty = match value {
            Value::Null => true,
            Value::String(s) => s.is_empty(),
            _ => false,
        };
        if ignore && empty {
            continue;
        }
        bag.insert(name.clone(), value.clone());
    }
    Value::bag(bag)
}
