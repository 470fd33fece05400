//! Date and time functions, wrapping [`super::calendar`]; doc pages are
//! `https://learn.microsoft.com/kusto/query/<name>-function`.

use super::SignatureError;
use super::calendar::{self as tm, DatePart, UnixUnit};
use super::function;
use super::{
    DATETIME, EvalContext, Naming, ScalarFunction, arg, arg_type_error, int_of, returns, signature,
    string_value, text,
};
use crate::types::DataType;
use crate::value::time::{TICKS_PER_DAY, TICKS_PER_HOUR, TICKS_PER_MINUTE, TICKS_PER_SECOND};
use crate::value::{DateTime, Timespan, Value};

pub(super) const FUNCTIONS: &[ScalarFunction] = &[
    function("now", 0, 1, sig_now, now),
    function("ago", 1, 1, ago_signature, ago),
    function("bin", 2, 2, bin_signature, bin).named(Naming::FirstArgument),
    function("bin_at", 3, 3, bin_at_signature, bin_at).named(Naming::FirstArgument),
    function("startofday", 1, 2, sig_period, startofday).named(Naming::FirstArgument),
    function("startofweek", 1, 2, sig_period, startofweek),
    function("startofmonth", 1, 2, sig_period, startofmonth),
    function("startofyear", 1, 2, sig_period, startofyear),
    function("endofday", 1, 2, sig_period, endofday),
    function("endofweek", 1, 2, sig_period, endofweek),
    function("endofmonth", 1, 2, sig_period, endofmonth),
    function("endofyear", 1, 2, sig_period, endofyear),
    function("datetime_add", 3, 3, sig_datetime_add, datetime_add)
        .with_constants(const_datetime_add),
    function("datetime_diff", 3, 3, sig_datetime_diff, datetime_diff)
        .with_constants(const_datetime_diff),
    function("datetime_part", 2, 2, sig_datetime_part, datetime_part)
        .with_constants(const_datetime_part),
    function("getyear", 1, 1, sig_int_of_date, getyear),
    function("getmonth", 1, 1, sig_int_of_date, getmonth),
    function("monthofyear", 1, 1, sig_int_of_date, getmonth),
    function("dayofmonth", 1, 1, sig_int_of_date, dayofmonth),
    function("dayofyear", 1, 1, sig_int_of_date, dayofyear),
    function("hourofday", 1, 1, sig_int_of_date, hourofday),
    function("week_of_year", 1, 1, sig_int_of_date, week_of_year),
    function("dayofweek", 1, 1, sig_dayofweek, dayofweek),
    function("make_datetime", 3, 6, sig_make_datetime, make_datetime),
    function("make_timespan", 2, 4, sig_make_timespan, make_timespan),
    function(
        "format_datetime",
        2,
        2,
        sig_format_datetime,
        format_datetime,
    )
    .named(Naming::FirstArgument),
    function(
        "format_timespan",
        2,
        2,
        sig_format_timespan,
        format_timespan,
    )
    .named(Naming::FirstArgument),
    function(
        "unixtime_seconds_todatetime",
        1,
        1,
        sig_unixtime,
        unixtime_seconds,
    ),
    function(
        "unixtime_milliseconds_todatetime",
        1,
        1,
        sig_unixtime,
        unixtime_milliseconds,
    ),
    function(
        "unixtime_microseconds_todatetime",
        1,
        1,
        sig_unixtime,
        unixtime_microseconds,
    ),
    function(
        "unixtime_nanoseconds_todatetime",
        1,
        1,
        sig_unixtime,
        unixtime_nanoseconds,
    ),
    function("ingestion_time", 0, 0, returns::<DATETIME>, ingestion_time)
        .named(Naming::Fixed("$IngestionTime")),
];

signature!(sig_now, "now", [Timespan] => DateTime);
signature!(sig_period, "startofday", [DateTime, Int] => DateTime);
signature!(sig_datetime_add, "datetime_add", [Str, Int, DateTime] => DateTime);
signature!(sig_datetime_diff, "datetime_diff", [Str, DateTime, DateTime] => Long);
signature!(sig_datetime_part, "datetime_part", [Str, DateTime] => Int);
signature!(sig_int_of_date, "getyear", [DateTime] => Int);
signature!(sig_dayofweek, "dayofweek", [DateTime] => Timespan);
signature!(sig_make_datetime, "make_datetime", [Num] => DateTime);
signature!(sig_make_timespan, "make_timespan", [Num] => Timespan);
signature!(sig_format_datetime, "format_datetime", [DateTime, Str] => String);
signature!(sig_format_timespan, "format_timespan", [Timespan, Str] => String);
signature!(sig_unixtime, "unixtime_seconds_todatetime", [Num] => DateTime);

/// A constant period name must be one the function knows.
fn check_part(
    function: &'static str,
    constant: Option<&Value>,
    allow_day_of_year: bool,
) -> Result<(), SignatureError> {
    if let Some(Value::String(name)) = constant {
        match DatePart::parse(name) {
            Some(DatePart::DayOfYear) if !allow_day_of_year => {}
            Some(_) => return Ok(()),
            None => {}
        }
        return Err(SignatureError::Period {
            function,
            name: name.to_string(),
        });
    }
    Ok(())
}

fn const_datetime_add(
    types: &[DataType],
    c: &[Option<&Value>],
) -> Result<DataType, SignatureError> {
    check_part("datetime_add", c.first().copied().flatten(), false)?;
    sig_datetime_add(types)
}

fn const_datetime_diff(
    types: &[DataType],
    c: &[Option<&Value>],
) -> Result<DataType, SignatureError> {
    check_part("datetime_diff", c.first().copied().flatten(), false)?;
    sig_datetime_diff(types)
}

fn const_datetime_part(
    types: &[DataType],
    c: &[Option<&Value>],
) -> Result<DataType, SignatureError> {
    check_part("datetime_part", c.first().copied().flatten(), true)?;
    sig_datetime_part(types)
}

fn date_of(v: &Value) -> Option<DateTime> {
    match v {
        Value::DateTime(d) => Some(*d),
        Value::String(s) => DateTime::parse(s),
        _ => None,
    }
}

fn timespan_of(v: &Value) -> Option<Timespan> {
    match v {
        Value::Timespan(t) => Some(*t),
        Value::String(s) => Timespan::parse(s),
        _ => None,
    }
}

fn dt(v: Option<DateTime>) -> Value {
    v.map_or(Value::Null, Value::DateTime)
}

fn ts(v: Option<Timespan>) -> Value {
    v.map_or(Value::Null, Value::Timespan)
}

/// `now([offset])`: the query's single "now" (docs/semantics.md#now).
fn now(args: &[Value], ctx: &EvalContext) -> Value {
    match args.first() {
        None => Value::DateTime(ctx.now),
        Some(v) => dt(timespan_of(v).and_then(|t| ctx.now.checked_add(t))),
    }
}

fn ago_signature(types: &[DataType]) -> Result<DataType, SignatureError> {
    match types[0] {
        DataType::Timespan | DataType::Dynamic => Ok(DataType::DateTime),
        t => Err(arg_type_error("ago", 0, "a timespan", t)),
    }
}

/// `ago(timespan)`: `now() - timespan` (`ago-function`).
fn ago(args: &[Value], ctx: &EvalContext) -> Value {
    dt(timespan_of(arg(args, 0)).and_then(|t| ctx.now.checked_sub(t)))
}

fn bin_signature(types: &[DataType]) -> Result<DataType, SignatureError> {
    use DataType::*;
    match (types[0], types[1]) {
        (DateTime, Timespan | Dynamic) => Ok(DateTime),
        (Timespan, Timespan | Dynamic) => Ok(Timespan),
        (Int | Long, Int | Long) => Ok(Long),
        (Int | Long | Real | Decimal, Real | Decimal | Int | Long) => Ok(Real),
        (Int | Long | Real | Decimal, Dynamic) => Ok(Real),
        (Dynamic, _) => Ok(Dynamic),
        (t, s) => Err(SignatureError::Bin(t, s)),
    }
}

/// `bin(value, size)` / `floor(value, size)`: round down to a multiple of
/// `size`; null for a null, zero or negative size (`bin-function`).
fn bin(args: &[Value], _: &EvalContext) -> Value {
    use crate::value::number as n;
    match (arg(args, 0), arg(args, 1)) {
        (Value::DateTime(d), Value::Timespan(s)) => dt(tm::bin_datetime(*d, *s)),
        (Value::Timespan(t), Value::Timespan(s)) => ts(tm::bin_timespan(*t, *s)),
        (v, s) => match (v.as_i64(), s.as_i64()) {
            (Some(v), Some(s)) => n::bin_long(v, s).map_or(Value::Null, Value::Long),
            _ => match (v.as_f64(), s.as_f64()) {
                (Some(v), Some(s)) => n::bin_real(v, s).map_or(Value::Null, Value::Real),
                _ => Value::Null,
            },
        },
    }
}

fn bin_at_signature(types: &[DataType]) -> Result<DataType, SignatureError> {
    use DataType::*;
    match (types[0], types[1], types[2]) {
        (DateTime, Timespan | Dynamic, DateTime | Dynamic) => Ok(DateTime),
        (Timespan, Timespan | Dynamic, Timespan | Dynamic) => Ok(Timespan),
        (Int | Long, Int | Long, Int | Long) => Ok(Long),
        (a, b, c) if [a, b, c].iter().all(|t| t.is_numeric() || *t == Dynamic) => {
            Ok(if a == Dynamic { Dynamic } else { Real })
        }
        (Dynamic, _, _) => Ok(Dynamic),
        (t, s, f) => Err(SignatureError::BinAt(t, s, f)),
    }
}

/// `bin_at(value, bin_size, fixed_point)` (`bin-at-function`).
fn bin_at(args: &[Value], _: &EvalContext) -> Value {
    use crate::value::number as n;
    match (arg(args, 0), arg(args, 1), arg(args, 2)) {
        (Value::DateTime(d), Value::Timespan(s), Value::DateTime(f)) => {
            dt(tm::bin_at_datetime(*d, *s, *f))
        }
        (Value::Timespan(t), Value::Timespan(s), Value::Timespan(f)) => {
            ts(tm::bin_at_timespan(*t, *s, *f))
        }
        (v, s, f) => match (v.as_i64(), s.as_i64(), f.as_i64()) {
            (Some(v), Some(s), Some(f)) => n::bin_at_long(v, s, f).map_or(Value::Null, Value::Long),
            _ => match (v.as_f64(), s.as_f64(), f.as_f64()) {
                (Some(v), Some(s), Some(f)) => {
                    n::bin_at_real(v, s, f).map_or(Value::Null, Value::Real)
                }
                _ => Value::Null,
            },
        },
    }
}

/// The date and optional offset of the `startof*`/`endof*` family; a
/// null offset gives null.
fn period(args: &[Value], f: fn(DateTime, i64) -> Option<DateTime>) -> Value {
    let Some(d) = date_of(arg(args, 0)) else {
        return Value::Null;
    };
    let offset = match args.get(1) {
        None => 0,
        Some(v) => match int_of(v) {
            Some(o) => o,
            None => return Value::Null,
        },
    };
    dt(f(d, offset))
}

/// `startofday(date [, offset])` (`startofday-function`).
fn startofday(args: &[Value], _: &EvalContext) -> Value {
    period(args, tm::start_of_day)
}

fn startofweek(args: &[Value], _: &EvalContext) -> Value {
    period(args, tm::start_of_week)
}

fn startofmonth(args: &[Value], _: &EvalContext) -> Value {
    period(args, tm::start_of_month)
}

fn startofyear(args: &[Value], _: &EvalContext) -> Value {
    period(args, tm::start_of_year)
}

/// `endofday(date [, offset])`: the day's last tick (`endofday-function`).
fn endofday(args: &[Value], _: &EvalContext) -> Value {
    period(args, tm::end_of_day)
}

fn endofweek(args: &[Value], _: &EvalContext) -> Value {
    period(args, tm::end_of_week)
}

fn endofmonth(args: &[Value], _: &EvalContext) -> Value {
    period(args, tm::end_of_month)
}

fn endofyear(args: &[Value], _: &EvalContext) -> Value {
    period(args, tm::end_of_year)
}

fn part_of(v: &Value) -> Option<DatePart> {
    DatePart::parse(&text(v))
}

/// `datetime_add(period, amount, datetime)` (`datetime-add-function`).
fn datetime_add(args: &[Value], _: &EvalContext) -> Value {
    match (
        part_of(arg(args, 0)),
        int_of(arg(args, 1)),
        date_of(arg(args, 2)),
    ) {
        (Some(p), Some(n), Some(d)) => dt(tm::datetime_add(p, n, d)),
        _ => Value::Null,
    }
}

/// `datetime_diff(period, datetime1, datetime2)` (`datetime-diff-function`).
fn datetime_diff(args: &[Value], _: &EvalContext) -> Value {
    match (
        part_of(arg(args, 0)),
        date_of(arg(args, 1)),
        date_of(arg(args, 2)),
    ) {
        (Some(p), Some(a), Some(b)) => tm::datetime_diff(p, a, b).map_or(Value::Null, Value::Long),
        _ => Value::Null,
    }
}

fn int(v: i64) -> Value {
    i32::try_from(v).map_or(Value::Null, Value::Int)
}

/// `datetime_part(part, datetime)` (`datetime-part-function`): an int.
fn datetime_part(args: &[Value], _: &EvalContext) -> Value {
    match (part_of(arg(args, 0)), date_of(arg(args, 1))) {
        (Some(p), Some(d)) => int(tm::datetime_part(p, d)),
        _ => Value::Null,
    }
}

fn date_int(args: &[Value], f: fn(DateTime) -> i64) -> Value {
    date_of(arg(args, 0)).map_or(Value::Null, |d| int(f(d)))
}

/// `getyear(date)` (`getyear-function`).
fn getyear(args: &[Value], _: &EvalContext) -> Value {
    date_int(args, tm::get_year)
}

/// `getmonth(date)` / `monthofyear(date)`: 1–12.
fn getmonth(args: &[Value], _: &EvalContext) -> Value {
    date_int(args, tm::get_month)
}

fn dayofmonth(args: &[Value], _: &EvalContext) -> Value {
    date_int(args, tm::day_of_month)
}

fn dayofyear(args: &[Value], _: &EvalContext) -> Value {
    date_int(args, tm::day_of_year)
}

fn hourofday(args: &[Value], _: &EvalContext) -> Value {
    date_int(args, tm::hour_of_day)
}

/// `week_of_year(date)`: the ISO 8601 week number (`week-of-year-function`).
fn week_of_year(args: &[Value], _: &EvalContext) -> Value {
    date_int(args, tm::week_of_year)
}

/// `dayofweek(date)`: days since the preceding Sunday, as a timespan.
fn dayofweek(args: &[Value], _: &EvalContext) -> Value {
    date_of(arg(args, 0)).map_or(Value::Null, |d| Value::Timespan(tm::day_of_week(d)))
}

/// `make_datetime(year, month, day [, hour, minute [, second]])`
/// (`make-datetime-function`); null for parts out of range.
fn make_datetime(args: &[Value], _: &EvalContext) -> Value {
    let part = |i: usize, default: i64| match args.get(i) {
        None => Some(default),
        Some(v) => int_of(v),
    };
    let second = match args.get(5) {
        None => Some(0.0),
        Some(v) => v.as_f64(),
    };
    match (
        part(0, 0),
        part(1, 0),
        part(2, 0),
        part(3, 0),
        part(4, 0),
        second,
    ) {
        (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(s)) => {
            dt(tm::make_datetime(y, mo, d, h, mi, s))
        }
        _ => Value::Null,
    }
}

/// `make_timespan(hour, minute [, second])` or `make_timespan(day, hour,
/// minute, second)` (`make-timespan-function`): hours 0–23, minutes 0–59,
/// seconds a real in `[0, 60)` rounded to the nearest tick; null outside.
/// Decision: the day count may be any integer, negative included.
fn make_timespan(args: &[Value], _: &EvalContext) -> Value {
    let (day, rest) = match args.len() {
        4 => (int_of(&args[0]), &args[1..]),
        _ => (Some(0), args),
    };
    let hour = int_of(arg(rest, 0));
    let minute = int_of(arg(rest, 1));
    let second = match rest.get(2) {
        None => Some(0.0),
        Some(v) => v.as_f64(),
    };
    let (Some(day), Some(hour), Some(minute), Some(second)) = (day, hour, minute, second) else {
        return Value::Null;
    };
    if !(0..=23).contains(&hour)
        || !(0..=59).contains(&minute)
        || !second.is_finite()
        || !(0.0..60.0).contains(&second)
    {
        return Value::Null;
    }
    let ticks = (second * TICKS_PER_SECOND as f64).round() as i64
        + minute * TICKS_PER_MINUTE
        + hour * TICKS_PER_HOUR;
    day.checked_mul(TICKS_PER_DAY)
        .and_then(|d| d.checked_add(ticks))
        .map_or(Value::Null, |t| Value::Timespan(Timespan(t)))
}

/// `format_datetime(date, format)` (`format-datetime-function`).
fn format_datetime(args: &[Value], _: &EvalContext) -> Value {
    match date_of(arg(args, 0)) {
        Some(d) => string_value(tm::format_datetime(d, &text(arg(args, 1)))),
        None => Value::empty_string(),
    }
}

/// `format_timespan(timespan, format)` (`format-timespan-function`).
fn format_timespan(args: &[Value], _: &EvalContext) -> Value {
    match timespan_of(arg(args, 0)) {
        Some(t) => string_value(tm::format_timespan(t, &text(arg(args, 1)))),
        None => Value::empty_string(),
    }
}

fn unixtime(args: &[Value], unit: UnixUnit) -> Value {
    match arg(args, 0) {
        Value::Int(i) => dt(tm::unixtime_to_datetime_i64(i64::from(*i), unit)),
        Value::Long(i) => dt(tm::unixtime_to_datetime_i64(*i, unit)),
        Value::Real(r) => dt(tm::unixtime_to_datetime(*r, unit)),
        _ => Value::Null,
    }
}

/// `unixtime_seconds_todatetime(seconds)` (`unixtime-seconds-todatetime-function`).
fn unixtime_seconds(args: &[Value], _: &EvalContext) -> Value {
    unixtime(args, UnixUnit::Seconds)
}

fn unixtime_milliseconds(args: &[Value], _: &EvalContext) -> Value {
    unixtime(args, UnixUnit::Milliseconds)
}

fn unixtime_microseconds(args: &[Value], _: &EvalContext) -> Value {
    unixtime(args, UnixUnit::Microseconds)
}

fn unixtime_nanoseconds(args: &[Value], _: &EvalContext) -> Value {
    unixtime(args, UnixUnit::Nanoseconds)
}

/// `ingestion_time()` (`ingestion-time-function`): when the service
/// ingested the record. Log files read offline carry no ingestion time, so
/// this is always a null datetime (rows compare as unknown, as they do in
/// Kusto for tables without the ingestion-time policy).
fn ingestion_time(_: &[Value], _: &EvalContext) -> Value {
    Value::Null
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::time::TICKS_PER_DAY;

    fn ctx() -> EvalContext {
        EvalContext::new(DateTime(100 * TICKS_PER_DAY))
    }

    #[test]
    fn bin_rounds_down() {
        assert_eq!(
            bin(&[Value::Real(4.5), Value::Long(1)], &ctx()),
            Value::Real(4.0)
        );
        assert_eq!(
            bin(&[Value::Long(-3), Value::Long(2)], &ctx()),
            Value::Long(-4)
        );
        assert_eq!(
            bin(
                &[
                    Value::Timespan(Timespan(16 * TICKS_PER_DAY)),
                    Value::Timespan(Timespan(7 * TICKS_PER_DAY))
                ],
                &ctx()
            ),
            Value::Timespan(Timespan(14 * TICKS_PER_DAY))
        );
        assert_eq!(bin(&[Value::Long(3), Value::Long(0)], &ctx()), Value::Null);
    }

    #[test]
    fn ago_subtracts_from_the_query_now() {
        assert_eq!(
            ago(&[Value::Timespan(Timespan(TICKS_PER_DAY))], &ctx()),
            Value::DateTime(DateTime(99 * TICKS_PER_DAY))
        );
    }
}
