//! Cells that arrive as text (CSV fields, the az CLI's `str()` values)
//! turned into typed values, and the careful type inference used when no
//! schema names a column's type.

use super::read::Outcome;
use crate::types::DataType;
use crate::value::{DateTime, Guid, Str, Timespan, Value};

/// How a producer writes values as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// The portal's CSV: empty is null; datetimes as `4/28/2021, 2:32:14.029 PM`.
    PortalCsv,
    /// Python `str()` (az CLI): `None` is null, `True`/`False` booleans.
    Python,
}

/// Which field of an export's `N/N/YYYY` date is the month
/// (docs/semantics.md#export-dates).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum DateOrder {
    /// `3/26/2026` (the US form the portal writes under an English locale).
    #[default]
    MonthFirst,
    /// `26/03/2026`.
    DayFirst,
}

impl DateOrder {
    /// `mdy` or `dmy` (`--date-order`).
    pub fn from_name(name: &str) -> Option<DateOrder> {
        match name.to_ascii_lowercase().as_str() {
            "mdy" | "month-first" => Some(DateOrder::MonthFirst),
            "dmy" | "day-first" => Some(DateOrder::DayFirst),
            _ => None,
        }
    }
}

/// How one column's locale dates are read: the order, and whether nothing
/// settled it (then ambiguous values are noted as read month-first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DateMode {
    pub order: DateOrder,
    pub assumed: bool,
}

impl Default for DateMode {
    fn default() -> DateMode {
        DateMode {
            order: DateOrder::MonthFirst,
            assumed: true,
        }
    }
}

/// The date order of each column of one input, decided from its sample
/// (`Default`: month-first, assumed).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct DateModes {
    /// Columns the sample did not settle.
    pub default: DateMode,
    pub columns: Vec<(String, DateMode)>,
}

impl DateModes {
    /// Every column in `order`, as `--date-order` says.
    pub fn forced(order: DateOrder) -> DateModes {
        DateModes {
            default: DateMode {
                order,
                assumed: false,
            },
            columns: Vec::new(),
        }
    }

    pub fn of(&self, column: &str) -> DateMode {
        self.columns
            .iter()
            .find(|(c, _)| c == column)
            .map_or(self.default, |(_, m)| *m)
    }
}

/// What a column's sampled locale dates say about their order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Evidence {
    /// No `N/N/YYYY` date seen.
    #[default]
    None,
    /// Dates seen, none with a field above 12.
    Ambiguous,
    Settled(DateOrder),
    /// Some dates say day-first, others month-first.
    Conflict,
}

impl Evidence {
    pub fn add(&mut self, text: &str) {
        let Some((a, b)) = DateTime::export_date_fields(text) else {
            return;
        };
        let says = if a > 12 && b <= 12 {
            Some(DateOrder::DayFirst)
        } else if b > 12 && a <= 12 {
            Some(DateOrder::MonthFirst)
        } else {
            None
        };
        *self = match (*self, says) {
            (Evidence::Conflict, _) => Evidence::Conflict,
            (Evidence::Settled(o), Some(n)) if o != n => Evidence::Conflict,
            (Evidence::Settled(o), _) => Evidence::Settled(o),
            (_, Some(n)) => Evidence::Settled(n),
            (_, None) => Evidence::Ambiguous,
        };
    }
}

/// Each column's date order in one input, from its columns' evidence: a
/// column whose values settle it keeps its order; an ambiguous one follows
/// the order the file's other columns agree on, else is month-first by
/// assumption; `forced` (`--date-order`) overrides everything.
pub(crate) fn decide_dates(
    evidence: &[(String, Evidence)],
    forced: Option<DateOrder>,
) -> DateModes {
    if let Some(order) = forced {
        return DateModes::forced(order);
    }
    let mut file: Option<DateOrder> = None;
    let mut agreed = true;
    for (_, e) in evidence {
        if let Evidence::Settled(o) = e {
            if file.is_some_and(|f| f != *o) {
                agreed = false;
            }
            file = Some(*o);
        }
    }
    let default = match (file, agreed) {
        (Some(order), true) => DateMode {
            order,
            assumed: false,
        },
        _ => DateMode::default(),
    };
    let columns = evidence
        .iter()
        .filter_map(|(name, e)| {
            let mode = match e {
                Evidence::Settled(order) => DateMode {
                    order: *order,
                    assumed: false,
                },
                // Values of both orders: read month-first; the others are
                // counted as failures.
                Evidence::Conflict => DateMode {
                    order: DateOrder::MonthFirst,
                    assumed: false,
                },
                Evidence::Ambiguous | Evidence::None => return None,
            };
            Some((name.clone(), mode))
        })
        .collect();
    DateModes { default, columns }
}

/// A datetime cell's text: ISO 8601 and the other forms of
/// [`DateTime::parse`], or an export's locale form read in `mode`'s order.
pub(crate) fn datetime_text(t: &str, mode: DateMode) -> (Value, Outcome) {
    if let Some((a, b)) = DateTime::export_date_fields(t) {
        let day_first = mode.order == DateOrder::DayFirst;
        let parsed = DateTime::parse_export(t, day_first)
            .or_else(|| (!day_first).then(|| DateTime::parse(t)).flatten());
        return match parsed {
            Some(d) if mode.assumed && a != b && a <= 12 && b <= 12 => {
                (Value::DateTime(d), Outcome::AssumedMonthFirst)
            }
            Some(d) => (Value::DateTime(d), Outcome::Fine),
            None => (Value::Null, Outcome::Failed),
        };
    }
    DateTime::parse(t).map_or((Value::Null, Outcome::Failed), |d| {
        (Value::DateTime(d), Outcome::Fine)
    })
}

/// `text` as a value of a column of type `ty`. Text that does not fit the
/// type is null (strings keep any text; dynamic keeps non-JSON text as a
/// string).
#[cfg(test)]
pub(crate) fn text_value(text: &str, ty: DataType, dialect: Dialect) -> Value {
    text_value_checked(text, ty, dialect, DateMode::default()).0
}

/// `text` as a value of a column of type `ty`, and whether it converted:
/// text that does not fit the type is null and [`Outcome::Failed`]
/// (strings keep any text; dynamic keeps non-JSON text as a string).
pub(crate) fn text_value_checked(
    text: &str,
    ty: DataType,
    dialect: Dialect,
    dates: DateMode,
) -> (Value, Outcome) {
    if ty == DataType::String {
        return (Value::String(Str::new(text)), Outcome::Fine);
    }
    let t = text.trim();
    if t.is_empty() || (dialect == Dialect::Python && t == "None") {
        return (Value::Null, Outcome::Fine);
    }
    let checked =
        |v: Option<Value>| v.map_or((Value::Null, Outcome::Failed), |v| (v, Outcome::Fine));
    match ty {
        DataType::String => (Value::String(Str::new(text)), Outcome::Fine),
        DataType::Bool => checked(parse_bool(t).map(Value::Bool)),
        DataType::Int => checked(
            crate::value::number::parse_long(t)
                .and_then(|i| i32::try_from(i).ok())
                .map(Value::Int),
        ),
        DataType::Long => checked(crate::value::number::parse_long(t).map(Value::Long)),
        DataType::Real => checked(crate::value::number::parse_real(t).map(Value::Real)),
        DataType::Decimal => checked(crate::value::number::parse_decimal(t).map(Value::Decimal)),
        DataType::DateTime => datetime_text(t, dates),
        DataType::Timespan => checked(Timespan::parse(t).map(Value::Timespan)),
        DataType::Guid => checked(Guid::parse(t).map(Value::Guid)),
        DataType::Dynamic => (dynamic_from_text(text), Outcome::Fine),
    }
}

/// A dynamic cell written as text: its JSON value when it is JSON, else the
/// text as a dynamic string.
pub(crate) fn dynamic_from_text(text: &str) -> Value {
    match crate::json::parse_value(text) {
        Ok(v) => v,
        Err(_) => Value::String(Str::new(text)),
    }
}

fn parse_bool(t: &str) -> Option<bool> {
    if t.eq_ignore_ascii_case("true") || t == "1" {
        Some(true)
    } else if t.eq_ignore_ascii_case("false") || t == "0" {
        Some(false)
    } else {
        None
    }
}

/// What the non-empty sample values of a column suggest, when no schema
/// names its type: `long` when every one is an integer, `real` when every
/// one is a number, `bool` for `true`/`false`, `datetime` for ISO 8601
/// date-times (or the portal's US form), `dynamic` when every one is a
/// JSON object or array; anything else (GUIDs included) stays `string`.
#[cfg(test)]
pub(crate) fn infer_type<'a>(samples: impl Iterator<Item = &'a str>, dialect: Dialect) -> DataType {
    infer_type_seen(samples, dialect).unwrap_or(DataType::String)
}

/// [`infer_type`], `None` when every sample is empty (no evidence).
pub(crate) fn infer_type_seen<'a>(
    samples: impl Iterator<Item = &'a str>,
    dialect: Dialect,
) -> Option<DataType> {
    let mut seen = false;
    let mut long = true;
    let mut real = true;
    let mut boolean = true;
    let mut datetime = true;
    let mut dynamic = true;
    for s in samples {
        let t = s.trim();
        if t.is_empty() || (dialect == Dialect::Python && t == "None") {
            continue;
        }
        seen = true;
        long &= is_integer(t);
        real &= crate::value::number::parse_real(t).is_some() && looks_numeric(t);
        boolean &= t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("false");
        datetime &= looks_like_datetime(t);
        dynamic &=
            (t.starts_with('{') || t.starts_with('[')) && crate::json::validate(t.as_bytes());
        if !(long || real || boolean || datetime || dynamic) {
            return Some(DataType::String);
        }
    }
    Some(if !seen {
        return None;
    } else if long {
        DataType::Long
    } else if real {
        DataType::Real
    } else if boolean {
        DataType::Bool
    } else if datetime {
        DataType::DateTime
    } else if dynamic {
        DataType::Dynamic
    } else {
        DataType::String
    })
}

fn is_integer(t: &str) -> bool {
    let digits = t.strip_prefix('-').unwrap_or(t);
    !digits.is_empty()
        && digits.len() <= 18
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !(digits.len() > 1 && digits.starts_with('0'))
}

/// Plain decimal notation only (no `inf`, `nan`, hex...), and no leading
/// zeros that make an ID look like a number.
fn looks_numeric(t: &str) -> bool {
    let body = t.strip_prefix('-').unwrap_or(t);
    let int_part = body.split(['.', 'e', 'E']).next().unwrap_or("");
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        && body.as_bytes().first().is_some_and(u8::is_ascii_digit)
        && !(int_part.len() > 1 && int_part.starts_with('0'))
}

/// ISO 8601 date-times (`2024-11-04T00:00:01.5Z`) or the portal's US form.
fn looks_like_datetime(t: &str) -> bool {
    let b = t.as_bytes();
    let iso = b.len() >= 19
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && (b[10] == b'T' || b[10] == b' ')
        && DateTime::parse(t).is_some();
    iso || (DateTime::export_date_fields(t).is_some()
        && (DateTime::parse_export(t, false).is_some()
            || DateTime::parse_export(t, true).is_some()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inference_is_careful() {
        let guess = |v: &[&str]| infer_type(v.iter().copied(), Dialect::PortalCsv);
        assert_eq!(guess(&["1", "20", ""]), DataType::Long);
        assert_eq!(guess(&["1", "2.5"]), DataType::Real);
        assert_eq!(guess(&["True", "false"]), DataType::Bool);
        assert_eq!(
            guess(&["7c759f10-811c-4db8-ad6d-f07d8ae3f8ea"]),
            DataType::String
        );
        assert_eq!(guess(&["007", "1"]), DataType::String);
        assert_eq!(guess(&["{\"a\":1}", "[]"]), DataType::Dynamic);
        assert_eq!(guess(&["4/28/2021, 2:32:14.029 PM"]), DataType::DateTime);
        assert_eq!(guess(&["2024-01-01T00:00:00Z"]), DataType::DateTime);
        assert_eq!(guess(&["", ""]), DataType::String);
        assert_eq!(guess(&["1e5x"]), DataType::String);
    }

    #[test]
    fn text_values_by_type_and_dialect() {
        assert_eq!(
            text_value("None", DataType::Long, Dialect::Python),
            Value::Null
        );
        assert_eq!(
            text_value("None", DataType::String, Dialect::Python),
            Value::string("None")
        );
        assert_eq!(
            text_value("True", DataType::Bool, Dialect::Python),
            Value::Bool(true)
        );
        assert_eq!(
            text_value("42", DataType::Int, Dialect::PortalCsv),
            Value::Int(42)
        );
        assert!(matches!(
            text_value(
                "4/28/2021, 2:32:14.029 PM",
                DataType::DateTime,
                Dialect::PortalCsv
            ),
            Value::DateTime(_)
        ));
        assert!(matches!(
            text_value("{\"a\": 1}", DataType::Dynamic, Dialect::PortalCsv),
            Value::Bag(_)
        ));
        assert_eq!(
            text_value("{'a': 1}", DataType::Dynamic, Dialect::Python),
            Value::string("{'a': 1}")
        );
    }
}
