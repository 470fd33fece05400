//! Why a call's arguments do not fit the function: the binder reports
//! these before any data is read, prefixed with the operator
//! (`'extend' operator: argument 2 of 'substring' must be an integer, found string`).

use crate::types::DataType;

/// A function call the binder refuses. Each variant's doc names a call
/// that gives it.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SignatureError {
    /// `substring("abc", "1")`: an argument of the wrong type.
    #[error("argument {} of '{function}' must be {expected}, found {found}", .position + 1)]
    ArgumentType {
        function: &'static str,
        /// Zero-based.
        position: usize,
        expected: &'static str,
        found: DataType,
    },
    /// `hash(dynamic([1]))`: an argument that may not be dynamic.
    #[error("argument {} of '{function}' cannot be dynamic", .position + 1)]
    Dynamic {
        function: &'static str,
        /// Zero-based.
        position: usize,
    },
    /// `coalesce(1, "a")`: arguments that must share a type and do not.
    #[error("arguments of types {0} and {1} have no common type")]
    NoCommonType(DataType, DataType),
    /// `extract("(", 1, s)`: a constant regex that does not compile.
    #[error("invalid regular expression: {0}")]
    Regex(#[from] regex::Error),
    /// `datetime_add("fortnight", 1, now())`: an unknown date part.
    #[error("'{function}': '{name}' is not a valid period")]
    Period {
        function: &'static str,
        name: String,
    },
    /// `datetime_utc_to_local(now(), "Mars/Olympus")`: a zone the IANA
    /// database does not name.
    #[error("'{function}': '{name}' is not a supported time zone")]
    TimeZone {
        function: &'static str,
        name: String,
    },
    /// `bin(now(), 1)`: a value and a bin size that do not go together.
    #[error("'bin' cannot round a {0} to a multiple of a {1}")]
    Bin(DataType, DataType),
    /// `bin_at(now(), 1h, 1)`.
    #[error("'bin_at' cannot round a {0} to a multiple of a {1} aligned on a {2}")]
    BinAt(DataType, DataType, DataType),
    /// `extract_json("$..x", s)`: a constant path kqlite cannot follow.
    #[error(
        "'extract_json': unsupported JSONPath '{0}' (kqlite supports $, .name, ['name'] and [index])"
    )]
    JsonPath(String),
    /// `extract("a", 0, s, "int")`: a type argument that is not `typeof(T)`.
    #[error("argument {} of '{function}' must be typeof(<type>)", .position + 1)]
    TypeLiteral {
        function: &'static str,
        /// Zero-based.
        position: usize,
    },
    /// `case(true, 1)`: no final else value.
    #[error("'case' expects predicate/value pairs and a final else value")]
    CasePairs,
    /// `countof(s, "a", "fuzzy")`.
    #[error("argument 3 of 'countof' must be \"normal\" or \"regex\", found \"{0}\"")]
    CountofKind(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::regex_cache;

    /// The messages as the binder printed them when they were strings.
    #[test]
    fn messages_are_unchanged() {
        let cases: Vec<(SignatureError, &str)> = vec![
            (
                SignatureError::ArgumentType {
                    function: "substring",
                    position: 1,
                    expected: "an integer",
                    found: DataType::String,
                },
                "argument 2 of 'substring' must be an integer, found string",
            ),
            (
                SignatureError::Dynamic {
                    function: "hash",
                    position: 0,
                },
                "argument 1 of 'hash' cannot be dynamic",
            ),
            (
                SignatureError::NoCommonType(DataType::Long, DataType::String),
                "arguments of types long and string have no common type",
            ),
            (
                SignatureError::Period {
                    function: "datetime_add",
                    name: "fortnight".into(),
                },
                "'datetime_add': 'fortnight' is not a valid period",
            ),
            (
                SignatureError::Bin(DataType::DateTime, DataType::Long),
                "'bin' cannot round a datetime to a multiple of a long",
            ),
            (
                SignatureError::BinAt(DataType::DateTime, DataType::Long, DataType::Bool),
                "'bin_at' cannot round a datetime to a multiple of a long aligned on a bool",
            ),
            (
                SignatureError::JsonPath("$..x".into()),
                "'extract_json': unsupported JSONPath '$..x' (kqlite supports $, .name, ['name'] and [index])",
            ),
            (
                SignatureError::TypeLiteral {
                    function: "extract",
                    position: 3,
                },
                "argument 4 of 'extract' must be typeof(<type>)",
            ),
            (
                SignatureError::CasePairs,
                "'case' expects predicate/value pairs and a final else value",
            ),
            (
                SignatureError::CountofKind("fuzzy".into()),
                "argument 3 of 'countof' must be \"normal\" or \"regex\", found \"fuzzy\"",
            ),
        ];
        for (error, message) in cases {
            assert_eq!(error.to_string(), message);
        }
        // Built at run time: clippy rejects an invalid regex literal.
        let unclosed = String::from("(");
        let Err(e) = regex_cache::check(&unclosed) else {
            panic!("'(' compiled")
        };
        let Err(raw) = regex::Regex::new(&unclosed) else {
            panic!("'(' compiled")
        };
        assert_eq!(e.to_string(), format!("invalid regular expression: {raw}"));
    }
}
