//! `buildschema(x)`: the minimal schema that admits every value of a
//! dynamic column (buildschema-aggregation-function).
//!
//! The schema is itself a dynamic value, as the page's model gives it:
//! a primitive type is its name (`"long"`, `"double"`, `"string"`...), a
//! property bag is a container `{name: type, ...}`, an array is a
//! container whose one property `` `indexer` `` is the type of its items,
//! and a value of several types is the array of them (`["long","string"]`)
//! in order of first appearance. Bags and arrays met at one place merge
//! into one container (the model's containers hold both named and
//! `indexer` properties). Nulls add nothing; a column of nulls gives null.

use super::{Accumulator, AggregateFunction, downcast};
use crate::types::DataType;
use crate::value::{Bag, Str, Value};

/// The key of an array's item type in a container (the page's output).
const INDEXER: &str = "`indexer`";

/// The types seen at one place: primitive names in order of first
/// appearance, and at most one container.
#[derive(Default)]
struct Union {
    /// Primitive names, and where the container goes among them.
    order: Vec<Slot>,
    container: Option<Container>,
}

#[derive(Clone, Copy, PartialEq)]
enum Slot {
    Primitive(&'static str),
    Container,
}

/// The properties of the bags (and `indexer` of the arrays) seen at one
/// place, in order of first appearance.
#[derive(Default)]
struct Container {
    properties: Vec<(Str, Union)>,
}

impl Container {
    fn property(&mut self, name: &str) -> &mut Union {
        let at = match self.properties.iter().position(|(k, _)| k.as_str() == name) {
            Some(i) => i,
            None => {
                self.properties.push((Str::new(name), Union::default()));
                self.properties.len() - 1
            }
        };
        &mut self.properties[at].1
    }

    fn merge(&mut self, later: Container) {
        for (name, union) in later.properties {
            self.property(name.as_str()).merge(union);
        }
    }

    fn to_value(&self) -> Value {
        let mut bag = Bag::new();
        for (name, union) in &self.properties {
            if let Some(v) = union.to_value() {
                bag.insert(name.clone(), v);
            }
        }
        Value::bag(bag)
    }
}

/// The name the schema gives a primitive value's type; `None` for null
/// and for containers.
fn primitive(v: &Value) -> Option<&'static str> {
    Some(match v {
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Long(_) => "long",
        Value::Real(_) => "double",
        Value::Decimal(_) => "decimal",
        Value::DateTime(_) => "datetime",
        Value::Timespan(_) => "timespan",
        Value::Guid(_) => "guid",
        Value::String(_) => "string",
        Value::Null | Value::Array(_) | Value::Bag(_) => return None,
    })
}

impl Union {
    fn add_slot(&mut self, slot: Slot) {
        if !self.order.contains(&slot) {
            self.order.push(slot);
        }
    }

    fn container(&mut self) -> &mut Container {
        self.add_slot(Slot::Container);
        self.container.get_or_insert_with(Container::default)
    }

    fn add(&mut self, v: &Value) {
        match v {
            Value::Null => {}
            Value::Bag(bag) => {
                let container = self.container();
                for (k, item) in bag.iter() {
                    container.property(k.as_str()).add(item);
                }
            }
            Value::Array(items) => {
                let indexer = self.container().property(INDEXER);
                for item in items.iter() {
                    indexer.add(item);
                }
            }
            other => {
                if let Some(name) = primitive(other) {
                    self.add_slot(Slot::Primitive(name));
                }
            }
        }
    }

    fn merge(&mut self, later: Union) {
        for slot in later.order {
            self.add_slot(slot);
        }
        if let Some(c) = later.container {
            match &mut self.container {
                Some(mine) => mine.merge(c),
                None => self.container = Some(c),
            }
        }
    }

    /// One type as itself, several as the array of them; `None` when no
    /// value was seen.
    fn to_value(&self) -> Option<Value> {
        let mut types: Vec<Value> = self
            .order
            .iter()
            .map(|slot| match slot {
                Slot::Primitive(name) => Value::string(name),
                Slot::Container => self
                    .container
                    .as_ref()
                    .map_or(Value::Null, Container::to_value),
            })
            .collect();
        match types.len() {
            0 => None,
            1 => types.pop(),
            _ => Some(Value::array(types)),
        }
    }
}

struct BuildSchema {
    union: Union,
}

pub(super) fn build_schema(_: &AggregateFunction, _: DataType) -> Box<dyn Accumulator> {
    Box::new(BuildSchema {
        union: Union::default(),
    })
}

impl Accumulator for BuildSchema {
    fn update(&mut self, args: &[Value]) {
        if let Some(v) = args.first() {
            self.union.add(v);
        }
    }

    fn merge(&mut self, later: Box<dyn Accumulator>) {
        if let Some(later) = downcast::<BuildSchema>(later) {
            self.union.merge(later.union);
        }
    }

    fn finish(self: Box<Self>) -> Value {
        self.union.to_value().unwrap_or(Value::Null)
    }
}
