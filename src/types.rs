//! KQL's scalar types.

use std::fmt;

/// The type of a scalar value or column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DataType {
    /// `bool`: [`Value::Bool`](crate::Value::Bool) or null.
    Bool,
    /// `int`, 32 bits: [`Value::Int`](crate::Value::Int) or null.
    Int,
    /// `long`, 64 bits: [`Value::Long`](crate::Value::Long) or null.
    Long,
    /// `real`, a 64-bit float: [`Value::Real`](crate::Value::Real) or null.
    Real,
    /// `decimal`, 128-bit: [`Value::Decimal`](crate::Value::Decimal) or null.
    Decimal,
    /// `string`: [`Value::String`](crate::Value::String), never null (empty
    /// where data is missing).
    String,
    /// `datetime`: [`Value::DateTime`](crate::Value::DateTime) or null.
    DateTime,
    /// `timespan`: [`Value::Timespan`](crate::Value::Timespan) or null.
    Timespan,
    /// `guid`: [`Value::Guid`](crate::Value::Guid) or null.
    Guid,
    /// `dynamic`: any value, arrays and property bags included.
    Dynamic,
}

impl DataType {
    /// The canonical name, as `getschema` and the query API write it.
    pub fn name(self) -> &'static str {
        match self {
            DataType::Bool => "bool",
            DataType::Int => "int",
            DataType::Long => "long",
            DataType::Real => "real",
            DataType::Decimal => "decimal",
            DataType::String => "string",
            DataType::DateTime => "datetime",
            DataType::Timespan => "timespan",
            DataType::Guid => "guid",
            DataType::Dynamic => "dynamic",
        }
    }

    /// Resolves a type keyword, including the aliases Kusto accepts
    /// (<https://learn.microsoft.com/kusto/query/scalar-data-types/>).
    pub fn from_name(name: &str) -> Option<DataType> {
        Some(match name {
            "bool" | "boolean" => DataType::Bool,
            "int" | "int32" => DataType::Int,
            "long" | "int64" => DataType::Long,
            "real" | "double" => DataType::Real,
            "decimal" => DataType::Decimal,
            "string" => DataType::String,
            "datetime" | "date" => DataType::DateTime,
            "timespan" | "time" => DataType::Timespan,
            "guid" | "uniqueid" => DataType::Guid,
            "dynamic" => DataType::Dynamic,
            _ => return None,
        })
    }

    /// Whether it is `int`, `long`, `real` or `decimal`.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            DataType::Int | DataType::Long | DataType::Real | DataType::Decimal
        )
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
