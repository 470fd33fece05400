//! Time-zone conversion: `datetime_utc_to_local(from, timezone)` and
//! `datetime_local_to_utc(from, timezone)` (doc pages
//! `datetime-utc-to-local-function`, `datetime-local-to-utc-function`; the
//! names are those of the IANA database the `timezone` page lists, read
//! from the `chrono-tz` crate's copy of it, links such as `US/Pacific`
//! included).
//!
//! A local time that a daylight-saving change skips or repeats is read with
//! the larger of the two offsets around the change: the documentation's
//! example turns `2022-03-27 02:00` in `Europe/Brussels` (a skipped hour)
//! into `00:00` UTC (docs/semantics.md#time-zones).

use super::{EvalContext, ScalarFunction, SignatureError, arg, function, signature};
use crate::types::DataType;
use crate::value::time::{TICKS_PER_DAY, TICKS_PER_SECOND};
use crate::value::{DateTime, Timespan, Value};
use chrono::{MappedLocalTime, Offset, TimeZone};
use chrono_tz::Tz;

pub(super) const FUNCTIONS: &[ScalarFunction] = &[
    function(
        "datetime_utc_to_local",
        2,
        2,
        sig_utc_to_local,
        utc_to_local,
    )
    .with_constants(const_utc_to_local),
    function(
        "datetime_local_to_utc",
        2,
        2,
        sig_local_to_utc,
        local_to_utc,
    )
    .with_constants(const_local_to_utc),
    function("datetime_list_timezones", 0, 0, sig_list, list_timezones),
];

signature!(sig_list, "datetime_list_timezones", [] => Dynamic);

/// `datetime_list_timezones()` (`datetime-list-timezones`): the names the
/// IANA database knows, the zone database the conversions above read
/// (`chrono-tz`'s copy, links such as `US/Pacific` included), in
/// alphabetical order as the `timezone` page lists them.
fn list_timezones(_: &[Value], _: &EvalContext) -> Value {
    let mut names: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect();
    names.sort_unstable();
    Value::array(names.into_iter().map(Value::string).collect())
}

signature!(sig_utc_to_local, "datetime_utc_to_local", [DateTime, Str] => DateTime);
signature!(sig_local_to_utc, "datetime_local_to_utc", [DateTime, Str] => DateTime);

/// A constant time-zone name must be one the database knows.
fn check_zone(function: &'static str, constant: Option<&Value>) -> Result<(), SignatureError> {
    match constant {
        Some(Value::String(name)) if zone(name).is_none() => Err(SignatureError::TimeZone {
            function,
            name: name.to_string(),
        }),
        _ => Ok(()),
    }
}

fn const_utc_to_local(
    types: &[DataType],
    c: &[Option<&Value>],
) -> Result<DataType, SignatureError> {
    check_zone("datetime_utc_to_local", c.get(1).copied().flatten())?;
    sig_utc_to_local(types)
}

fn const_local_to_utc(
    types: &[DataType],
    c: &[Option<&Value>],
) -> Result<DataType, SignatureError> {
    check_zone("datetime_local_to_utc", c.get(1).copied().flatten())?;
    sig_local_to_utc(types)
}

/// The zone of an IANA name, spelled as the database spells it.
pub fn zone(name: &str) -> Option<Tz> {
    name.parse::<Tz>().ok()
}

/// The arguments as a datetime and a zone, or `None` when either is null or
/// not one (an unknown zone name in a column gives null, as a failed
/// conversion does: docs/semantics.md#errors).
fn operands(args: &[Value]) -> Option<(DateTime, Tz)> {
    let from = match arg(args, 0) {
        Value::DateTime(d) => *d,
        Value::String(s) => DateTime::parse(s)?,
        _ => return None,
    };
    let tz = match arg(args, 1) {
        Value::String(s) => zone(s)?,
        _ => return None,
    };
    Some((from, tz))
}

/// Whole seconds since the Unix epoch of a tick count taken as UTC, as
/// chrono's naive date-time (the offsets are whole seconds, so the
/// sub-second ticks do not matter).
fn naive(ticks: i64) -> Option<chrono::NaiveDateTime> {
    let seconds = (ticks - DateTime::UNIX_EPOCH_TICKS).div_euclid(TICKS_PER_SECOND);
    chrono::DateTime::from_timestamp(seconds, 0).map(|d| d.naive_utc())
}

/// The zone's offset from UTC, in seconds, at the instant `ticks` (UTC).
fn offset_at(tz: Tz, ticks: i64) -> Option<i64> {
    let at = naive(ticks)?;
    Some(i64::from(
        tz.offset_from_utc_datetime(&at).fix().local_minus_utc(),
    ))
}

fn shifted(from: DateTime, seconds: i64) -> Value {
    seconds
        .checked_mul(TICKS_PER_SECOND)
        .map(Timespan)
        .and_then(|span| from.checked_add(span))
        .map_or(Value::Null, Value::DateTime)
}

/// `datetime_utc_to_local(from, timezone)`: the wall-clock time in the zone.
fn utc_to_local(args: &[Value], _: &EvalContext) -> Value {
    let Some((from, tz)) = operands(args) else {
        return Value::Null;
    };
    match offset_at(tz, from.0) {
        Some(offset) => shifted(from, offset),
        None => Value::Null,
    }
}

/// The offset of a wall-clock time in the zone: the only one, or the larger
/// of the two when a daylight-saving change repeats or skips that time.
fn local_offset(tz: Tz, ticks: i64) -> Option<i64> {
    let local = naive(ticks)?;
    match tz.offset_from_local_datetime(&local) {
        MappedLocalTime::Single(o) => Some(i64::from(o.fix().local_minus_utc())),
        MappedLocalTime::Ambiguous(a, b) => Some(i64::from(
            a.fix().local_minus_utc().max(b.fix().local_minus_utc()),
        )),
        // Skipped: the offsets a day either side are those before and
        // after the change.
        MappedLocalTime::None => {
            let before = offset_at(tz, ticks.checked_sub(TICKS_PER_DAY)?)?;
            let after = offset_at(tz, ticks.checked_add(TICKS_PER_DAY)?)?;
            Some(before.max(after))
        }
    }
}

/// `datetime_local_to_utc(from, timezone)`: the UTC instant of a wall-clock
/// time in the zone.
fn local_to_utc(args: &[Value], _: &EvalContext) -> Value {
    let Some((from, tz)) = operands(args) else {
        return Value::Null;
    };
    match local_offset(tz, from.0) {
        Some(offset) => shifted(from, -offset),
        None => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Value {
        Value::DateTime(DateTime::parse(text).expect("a datetime"))
    }

    fn call(f: fn(&[Value], &EvalContext) -> Value, from: &str, tz: &str) -> Value {
        let ctx = EvalContext::new(DateTime(0));
        f(&[at(from), Value::String(tz.into())], &ctx)
    }

    /// The examples of `datetime-local-to-utc-function`.
    #[test]
    fn documented_examples() {
        let cases = [
            ("Europe/Paris", "2020-02-02 19:02:20"),
            ("America/Chicago", "2020-02-03 02:02:20"),
            ("US/Pacific", "2020-02-03 04:02:20"),
        ];
        for (tz, utc) in cases {
            assert_eq!(call(local_to_utc, "2020-02-02 20:02:20", tz), at(utc));
            assert_eq!(call(utc_to_local, utc, tz), at("2020-02-02 20:02:20"));
        }
        let brussels = [
            ("2022-03-27 01:00", "2022-03-27 00:00"),
            ("2022-03-27 02:00", "2022-03-27 00:00"),
            ("2022-03-27 03:00", "2022-03-27 01:00"),
            ("2022-03-27 04:00", "2022-03-27 02:00"),
        ];
        for (local, utc) in brussels {
            assert_eq!(
                call(local_to_utc, local, "Europe/Brussels"),
                at(utc),
                "{local}"
            );
        }
    }

    #[test]
    fn unknown_zone_is_null() {
        assert_eq!(
            call(utc_to_local, "2020-01-01", "Mars/Olympus"),
            Value::Null
        );
        assert!(zone("Europe/Paris").is_some());
        assert!(zone("UTC").is_some());
    }
}
