//! KQL's scalar types.

use std::fmt;

/// The type of a scalar value or column.
///
/// `decimal` values are carried as 64-bit reals (see `Value::Real`): Sentinel
/// content almost never uses decimal, and nothing in it relies on 128-bit
/// precision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DataType {
    Bool,
    Int,
    Long,
    Real,
    Decimal,
    String,
    DateTime,
    Timespan,
    Guid,
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
