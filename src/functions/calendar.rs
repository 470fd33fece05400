//! The calendar behind KQL's date and time functions: `startof*`/`endof*`,
//! `datetime_add`/`_diff`/`_part`, the `get*` parts, `make_datetime`,
//! `bin` of dates and timespans, the `unixtime_*` conversions, and
//! `format_datetime`/`format_timespan`. Pure functions over
//! [`DateTime`] and [`Timespan`]; the function table in `datetime.rs`
//! wraps them. Parsing and printing the two types is value semantics and
//! stays in [`crate::value::time`].

use crate::value::time::{
    DateTime, TICKS_PER_DAY, TICKS_PER_HOUR, TICKS_PER_MICROSECOND, TICKS_PER_MILLISECOND,
    TICKS_PER_MINUTE, TICKS_PER_SECOND, Timespan, days_from_civil, days_in_month, is_leap_year,
};

// ---------------------------------------------------------------------------
// Calendar functions
// ---------------------------------------------------------------------------

/// Day of the week of a day number (days since 0001-01-01, a Monday),
/// counted from Sunday = 0.
fn weekday_from_sunday(days: i64) -> i64 {
    (days + 1).rem_euclid(7)
}

/// Midnight of day number `days`, if in range.
fn midnight(days: i64) -> Option<DateTime> {
    DateTime::from_ticks(days.checked_mul(TICKS_PER_DAY)?)
}

/// The first day of month `month0` (months since year 0, zero-based).
fn first_of_month(month0: i64) -> Option<DateTime> {
    let y = month0.div_euclid(12);
    let m = u32::try_from(month0.rem_euclid(12) + 1).ok()?;
    DateTime::from_parts(y, m, 1, 0)
}

fn month_index(dt: DateTime) -> i64 {
    let (y, m, _, _) = dt.to_parts();
    y * 12 + i64::from(m) - 1
}

/// One tick before `next`, for the `endof*` family.
fn tick_before(next: Option<DateTime>, fallback_last: bool) -> Option<DateTime> {
    match next {
        Some(n) => DateTime::from_ticks(n.0 - 1),
        // The period containing 9999-12-31 ends at the last valid tick.
        None if fallback_last => Some(DateTime::MAX),
        None => None,
    }
}

/// `startofday(date [, offset])`: midnight of the day, `offset` days later
/// (docs: `startofday-function`). `None` if out of range.
pub fn start_of_day(dt: DateTime, offset_days: i64) -> Option<DateTime> {
    midnight(dt.days().checked_add(offset_days)?)
}

/// `endofday(date [, offset])`: the last tick of the day (docs:
/// `endofday-function`: `23:59:59.9999999`).
pub fn end_of_day(dt: DateTime, offset_days: i64) -> Option<DateTime> {
    let day = dt.days().checked_add(offset_days)?;
    midnight(day)?;
    tick_before(midnight(day + 1), true)
}

/// `startofweek(date [, offset])`: midnight of the Sunday that starts the
/// week, `offset` weeks later (docs: `startofweek-function`, weeks start on
/// Sunday).
pub fn start_of_week(dt: DateTime, offset_weeks: i64) -> Option<DateTime> {
    let days = dt.days();
    let sunday = days - weekday_from_sunday(days);
    midnight(sunday.checked_add(offset_weeks.checked_mul(7)?)?)
}

/// `endofweek(date [, offset])`: the last tick of the Saturday ending the
/// week (docs: `endofweek-function`).
pub fn end_of_week(dt: DateTime, offset_weeks: i64) -> Option<DateTime> {
    let days = dt.days();
    let sunday = days - weekday_from_sunday(days) + offset_weeks.checked_mul(7)?;
    // The week must overlap the valid range (0001-01-01 is a Monday, so
    // the first week starts "before" it).
    if sunday + 6 < 0 {
        return None;
    }
    midnight(sunday.max(0))?;
    tick_before(midnight(sunday + 7), true)
}

/// `startofmonth(date [, offset])` (docs: `startofmonth-function`).
pub fn start_of_month(dt: DateTime, offset_months: i64) -> Option<DateTime> {
    first_of_month(month_index(dt).checked_add(offset_months)?)
}

/// `endofmonth(date [, offset])` (docs: `endofmonth-function`).
pub fn end_of_month(dt: DateTime, offset_months: i64) -> Option<DateTime> {
    let m = month_index(dt).checked_add(offset_months)?;
    first_of_month(m)?;
    tick_before(first_of_month(m + 1), true)
}

/// `startofyear(date [, offset])` (docs: `startofyear-function`).
pub fn start_of_year(dt: DateTime, offset_years: i64) -> Option<DateTime> {
    let (y, _, _, _) = dt.to_parts();
    DateTime::from_parts(y.checked_add(offset_years)?, 1, 1, 0)
}

/// `endofyear(date [, offset])` (docs: `endofyear-function`).
pub fn end_of_year(dt: DateTime, offset_years: i64) -> Option<DateTime> {
    let (y, _, _, _) = dt.to_parts();
    let y = y.checked_add(offset_years)?;
    DateTime::from_parts(y, 1, 1, 0)?;
    tick_before(DateTime::from_parts(y + 1, 1, 1, 0), true)
}

/// The calendar units named by `datetime_add`, `datetime_diff` and
/// `datetime_part`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DatePart {
    Year,
    Quarter,
    Month,
    /// `Week` (weeks starting on Sunday for add/diff; ISO 8601 week number
    /// for `datetime_part`).
    Week,
    Day,
    DayOfYear,
    Hour,
    Minute,
    Second,
    Millisecond,
    Microsecond,
    Nanosecond,
}

impl DatePart {
    /// Reads a part name, ignoring ASCII case (docs: "These values are case
    /// insensitive"). Names: `Year`, `Quarter`, `Month`, `Week`,
    /// `Week_Of_Year` (also `WeekOfYear`), `Day`, `DayOfYear`, `Hour`,
    /// `Minute`, `Second`, `Millisecond`, `Microsecond`, `Nanosecond`.
    pub fn parse(name: &str) -> Option<DatePart> {
        let n = name.trim().to_ascii_lowercase();
        Some(match n.as_str() {
            "year" => DatePart::Year,
            "quarter" => DatePart::Quarter,
            "month" => DatePart::Month,
            "week" | "week_of_year" | "weekofyear" => DatePart::Week,
            "day" => DatePart::Day,
            "dayofyear" | "day_of_year" => DatePart::DayOfYear,
            "hour" => DatePart::Hour,
            "minute" => DatePart::Minute,
            "second" => DatePart::Second,
            "millisecond" => DatePart::Millisecond,
            "microsecond" => DatePart::Microsecond,
            "nanosecond" => DatePart::Nanosecond,
            _ => return None,
        })
    }

    /// Ticks in one unit, for the fixed-length units.
    fn fixed_ticks(self) -> Option<i64> {
        Some(match self {
            DatePart::Week => 7 * TICKS_PER_DAY,
            DatePart::Day => TICKS_PER_DAY,
            DatePart::Hour => TICKS_PER_HOUR,
            DatePart::Minute => TICKS_PER_MINUTE,
            DatePart::Second => TICKS_PER_SECOND,
            DatePart::Millisecond => TICKS_PER_MILLISECOND,
            DatePart::Microsecond => TICKS_PER_MICROSECOND,
            _ => return None,
        })
    }
}

/// Adds `months` calendar months; the day is clamped to the length of the
/// target month (Jan 31 + 1 month = Feb 28/29), as .NET's `AddMonths` does.
fn add_months(dt: DateTime, months: i64) -> Option<DateTime> {
    let (y, m, d, rest) = dt.to_parts();
    let total = (y * 12 + i64::from(m) - 1).checked_add(months)?;
    let ny = total.div_euclid(12);
    let nm = u32::try_from(total.rem_euclid(12) + 1).ok()?;
    if !(1..=9999).contains(&ny) {
        return None;
    }
    DateTime::from_parts(ny, nm, d.min(days_in_month(ny, nm)), rest)
}

/// `datetime_add(period, amount, datetime)` (docs: `datetime-add-function`).
/// Years, quarters and months move in the calendar with the day clamped to
/// the month's length; the other periods add a fixed length
/// (nanoseconds are truncated toward zero to whole ticks). `DayOfYear` is
/// not a period here (`None`). `None` when the result is out of range.
pub fn datetime_add(part: DatePart, amount: i64, dt: DateTime) -> Option<DateTime> {
    match part {
        DatePart::Year => add_months(dt, amount.checked_mul(12)?),
        DatePart::Quarter => add_months(dt, amount.checked_mul(3)?),
        DatePart::Month => add_months(dt, amount),
        DatePart::Nanosecond => DateTime::from_ticks(dt.0.checked_add(amount / 100)?),
        DatePart::DayOfYear => None,
        p => DateTime::from_ticks(dt.0.checked_add(amount.checked_mul(p.fixed_ticks()?)?)?),
    }
}

/// `datetime_diff(period, datetime1, datetime2)`: the number of period
/// boundaries crossed going from `datetime2` to `datetime1`, negative when
/// `datetime1` is earlier (docs: `datetime-diff-function`; weeks start on
/// Sunday). `None` if the count overflows a long (nanoseconds over ~2,900
/// years) or for `DayOfYear`.
pub fn datetime_diff(part: DatePart, dt1: DateTime, dt2: DateTime) -> Option<i64> {
    let floor_diff = |unit: i64| dt1.0.div_euclid(unit) - dt2.0.div_euclid(unit);
    Some(match part {
        DatePart::Year => dt1.to_parts().0 - dt2.to_parts().0,
        DatePart::Quarter => {
            let q = |dt: DateTime| {
                let (y, m, _, _) = dt.to_parts();
                y * 4 + i64::from(m - 1) / 3
            };
            q(dt1) - q(dt2)
        }
        DatePart::Month => month_index(dt1) - month_index(dt2),
        DatePart::Week => (dt1.days() + 1).div_euclid(7) - (dt2.days() + 1).div_euclid(7),
        DatePart::Nanosecond => (dt1.0 - dt2.0).checked_mul(100)?,
        DatePart::DayOfYear => return None,
        p => floor_diff(p.fixed_ticks()?),
    })
}

/// `datetime_part(part, datetime)` (docs: `datetime-part-function`):
/// `Week` is the ISO 8601 week number (`week_of_year`); `Millisecond`,
/// `Microsecond` and `Nanosecond` are the fraction of the second in that
/// unit (`.7654321` → 765, 765432, 765432100).
pub fn datetime_part(part: DatePart, dt: DateTime) -> i64 {
    let (y, m, d, rest) = dt.to_parts();
    let frac = rest % TICKS_PER_SECOND;
    match part {
        DatePart::Year => y,
        DatePart::Quarter => i64::from(m - 1) / 3 + 1,
        DatePart::Month => i64::from(m),
        DatePart::Week => week_of_year(dt),
        DatePart::Day => i64::from(d),
        DatePart::DayOfYear => day_of_year(dt),
        DatePart::Hour => rest / TICKS_PER_HOUR,
        DatePart::Minute => rest % TICKS_PER_HOUR / TICKS_PER_MINUTE,
        DatePart::Second => rest % TICKS_PER_MINUTE / TICKS_PER_SECOND,
        DatePart::Millisecond => frac / TICKS_PER_MILLISECOND,
        DatePart::Microsecond => frac / TICKS_PER_MICROSECOND,
        DatePart::Nanosecond => frac * 100,
    }
}

/// `getyear(date)` (docs: `getyear-function`).
pub fn get_year(dt: DateTime) -> i64 {
    dt.to_parts().0
}

/// `getmonth(date)` / `monthofyear(date)`: 1–12.
pub fn get_month(dt: DateTime) -> i64 {
    i64::from(dt.to_parts().1)
}

/// `dayofmonth(date)`: 1–31.
pub fn day_of_month(dt: DateTime) -> i64 {
    i64::from(dt.to_parts().2)
}

/// `dayofyear(date)`: 1–366.
pub fn day_of_year(dt: DateTime) -> i64 {
    let (y, _, _, _) = dt.to_parts();
    dt.days() - days_from_civil(y, 1, 1) + 1
}

/// `hourofday(date)`: 0–23.
pub fn hour_of_day(dt: DateTime) -> i64 {
    dt.ticks_in_day() / TICKS_PER_HOUR
}

/// `dayofweek(date)`: whole days since the preceding Sunday, as a timespan
/// (docs: `day-of-week-function`: Sunday → `00:00:00`, Monday →
/// `1.00:00:00`).
pub fn day_of_week(dt: DateTime) -> Timespan {
    Timespan(weekday_from_sunday(dt.days()) * TICKS_PER_DAY)
}

fn iso_weeks_in_year(y: i64) -> i64 {
    // A year has 53 ISO weeks when it starts on a Thursday, or on a
    // Wednesday in a leap year.
    let jan1_from_sunday = weekday_from_sunday(days_from_civil(y, 1, 1));
    if jan1_from_sunday == 4 || (jan1_from_sunday == 3 && is_leap_year(y)) {
        53
    } else {
        52
    }
}

/// `week_of_year(date)`: the ISO 8601 week number, 1–53; week 1 is the
/// week (Monday to Sunday) holding the year's first Thursday (docs:
/// `week-of-year-function`).
pub fn week_of_year(dt: DateTime) -> i64 {
    let days = dt.days();
    let (y, _, _, _) = dt.to_parts();
    let iso_weekday = days.rem_euclid(7) + 1; // Monday = 1
    let doy = days - days_from_civil(y, 1, 1) + 1;
    let w = (doy - iso_weekday + 10).div_euclid(7);
    if w < 1 {
        iso_weeks_in_year(y - 1)
    } else if w > iso_weeks_in_year(y) {
        1
    } else {
        w
    }
}

/// `make_datetime(year, month, day [, hour, minute [, second]])` (docs:
/// `make-datetime-function`). `second` is a real in `[0, 60)`, rounded to
/// the nearest tick. `None` for any part out of range or a date that does
/// not exist.
pub fn make_datetime(
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: f64,
) -> Option<DateTime> {
    if !(0..=23).contains(&hour) || !(0..=59).contains(&minute) {
        return None;
    }
    if !second.is_finite() || !(0.0..60.0).contains(&second) {
        return None;
    }
    let sec_ticks = (second * TICKS_PER_SECOND as f64).round() as i64;
    let tick = hour * TICKS_PER_HOUR + minute * TICKS_PER_MINUTE + sec_ticks;
    let month = u32::try_from(month).ok()?;
    let day = u32::try_from(day).ok()?;
    // A seconds value that rounds up to 60 s spills into the next minute.
    let midnight = DateTime::from_parts(year, month, day, 0)?;
    DateTime::from_ticks(midnight.0 + tick)
}

/// `bin(datetime, size)` / `floor(...)`: rounds down to a multiple of `size`
/// counted in ticks since 0001-01-01 (so `7d` bins start on Mondays, the
/// weekday of 0001-01-01). `None` for a size that is zero or negative
/// (docs: `bin-function`, "a negative bin size will result in null").
pub fn bin_datetime(dt: DateTime, size: Timespan) -> Option<DateTime> {
    (size.0 > 0).then(|| DateTime(dt.0.div_euclid(size.0) * size.0))
}

/// `bin(timespan, size)`: rounds down (toward negative infinity) to a
/// multiple of `size` (docs: `bin(time(16d), 7d)` → `14.00:00:00`). `None`
/// for a zero or negative size, and for a bin that starts below the
/// smallest timespan.
pub fn bin_timespan(ts: Timespan, size: Timespan) -> Option<Timespan> {
    if size.0 <= 0 {
        return None;
    }
    ts.0.div_euclid(size.0).checked_mul(size.0).map(Timespan)
}

/// `bin_at(datetime, size, fixed_point)`: bins aligned so that `fixed_point`
/// starts a bin (docs: `bin-at-function`). `None` for a zero or negative
/// size or a result before 0001-01-01.
pub fn bin_at_datetime(dt: DateTime, size: Timespan, fixed: DateTime) -> Option<DateTime> {
    if size.0 <= 0 {
        return None;
    }
    let k = (dt.0 - fixed.0).div_euclid(size.0);
    DateTime::from_ticks(fixed.0.checked_add(k.checked_mul(size.0)?)?)
}

/// `bin_at(timespan, size, fixed_point)`.
pub fn bin_at_timespan(ts: Timespan, size: Timespan, fixed: Timespan) -> Option<Timespan> {
    if size.0 <= 0 {
        return None;
    }
    let k = ts.0.checked_sub(fixed.0)?.div_euclid(size.0);
    fixed.0.checked_add(k.checked_mul(size.0)?).map(Timespan)
}

/// The unit of a Unix-epoch count, for the `unixtime_*_todatetime` family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnixUnit {
    Seconds,
    Milliseconds,
    Microseconds,
    Nanoseconds,
}

impl UnixUnit {
    /// Nanoseconds per unit.
    fn nanos(self) -> i128 {
        match self {
            UnixUnit::Seconds => 1_000_000_000,
            UnixUnit::Milliseconds => 1_000_000,
            UnixUnit::Microseconds => 1_000,
            UnixUnit::Nanoseconds => 1,
        }
    }
}

/// An integral Unix-epoch count as a datetime (exact; nanoseconds are
/// truncated toward zero to whole ticks). `None` outside 0001–9999.
pub fn unixtime_to_datetime_i64(value: i64, unit: UnixUnit) -> Option<DateTime> {
    let ticks = i128::from(value) * unit.nanos() / 100;
    DateTime::from_ticks(
        i64::try_from(ticks)
            .ok()?
            .checked_add(DateTime::UNIX_EPOCH_TICKS)?,
    )
}

/// A real Unix-epoch count as a datetime (docs:
/// `unixtime-seconds-todatetime-function` and its millisecond,
/// microsecond and nanosecond siblings take a `real`). Integral values are
/// converted exactly; others are rounded to the nearest tick. `None` for
/// NaN, infinities and values outside 0001–9999.
pub fn unixtime_to_datetime(value: f64, unit: UnixUnit) -> Option<DateTime> {
    if !value.is_finite() {
        return None;
    }
    if value.fract() == 0.0 && value.abs() < 9.0e18 {
        return unixtime_to_datetime_i64(value as i64, unit);
    }
    let ticks = (value * (unit.nanos() as f64 / 100.0)).round();
    if ticks.abs() > 4.0e18 {
        return None;
    }
    DateTime::from_ticks((ticks as i64).checked_add(DateTime::UNIX_EPOCH_TICKS)?)
}

/// `unixtime_seconds_todatetime(seconds)`.
pub fn unixtime_seconds_todatetime(seconds: f64) -> Option<DateTime> {
    unixtime_to_datetime(seconds, UnixUnit::Seconds)
}

/// `unixtime_milliseconds_todatetime(milliseconds)`.
pub fn unixtime_milliseconds_todatetime(milliseconds: f64) -> Option<DateTime> {
    unixtime_to_datetime(milliseconds, UnixUnit::Milliseconds)
}

/// `unixtime_microseconds_todatetime(microseconds)`.
pub fn unixtime_microseconds_todatetime(microseconds: f64) -> Option<DateTime> {
    unixtime_to_datetime(microseconds, UnixUnit::Microseconds)
}

/// `unixtime_nanoseconds_todatetime(nanoseconds)`.
pub fn unixtime_nanoseconds_todatetime(nanoseconds: f64) -> Option<DateTime> {
    unixtime_to_datetime(nanoseconds, UnixUnit::Nanoseconds)
}

// ---------------------------------------------------------------------------
// format_datetime / format_timespan
// ---------------------------------------------------------------------------

const DAY_NAMES: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Appends `n` zero-padded to at least `width` digits.
fn push_padded(out: &mut String, n: i64, width: usize) {
    use std::fmt::Write;
    let _ = write!(out, "{n:0width$}");
}

/// The first `count` (1–7) digits of a seven-digit tick fraction; with
/// `trim`, trailing zeros are dropped (the `F` specifiers).
fn fraction_digits(frac_ticks: i64, count: usize, trim: bool) -> String {
    let all = format!("{frac_ticks:07}");
    let digits = &all[..count.clamp(1, 7)];
    if trim {
        digits.trim_end_matches('0').to_string()
    } else {
        digits.to_string()
    }
}

/// Splits a .NET-style custom format into runs of one repeated letter,
/// quoted literals and single literal characters, calling `emit` for each.
/// `'…'` and `"…"` quote literal text; `\x` is a literal `x`.
fn for_each_format_token(fmt: &str, mut emit: impl FnMut(Token<'_>)) {
    let chars: Vec<char> = fmt.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\'' | '"' => {
                let mut j = i + 1;
                let mut lit = String::new();
                while j < chars.len() && chars[j] != c {
                    lit.push(chars[j]);
                    j += 1;
                }
                emit(Token::Literal(&lit));
                i = j + 1;
            }
            '\\' => {
                if let Some(&n) = chars.get(i + 1) {
                    emit(Token::Char(n));
                }
                i += 2;
            }
            c if c.is_ascii_alphabetic() => {
                let mut j = i;
                while j < chars.len() && chars[j] == c {
                    j += 1;
                }
                emit(Token::Run(c, j - i));
                i = j;
            }
            c => {
                emit(Token::Char(c));
                i += 1;
            }
        }
    }
}

enum Token<'a> {
    Run(char, usize),
    Literal(&'a str),
    Char(char),
}

/// `format_datetime(date, format)` (docs: `format-datetime-function`).
///
/// Specifiers: `d`/`dd` day, `ddd`/`dddd` day name (`Sun`/`Sunday`);
/// `f`…`fffffff` fraction digits; `F`…`FFFFFFF` the same without trailing
/// zeros, and nothing (together with a `.` just before it) when they are
/// all zero; `h`/`hh` 12-hour clock; `H`/`HH` 24-hour clock; `m`/`mm`
/// minute; `M`/`MM` month, `MMM`/`MMMM` month name; `s`/`ss` second; `y`
/// year mod 100 unpadded, `yy` two digits, `yyy`+ the year padded to the
/// run's length; `t` `A`/`P`, `tt` `AM`/`PM`. The documented delimiters
/// (space, `/ - : , . _ [ ]`) and any other character are copied as is;
/// `'…'`, `"…"` and `\x` quote literal text as in .NET. Runs longer than
/// a specifier allows are clamped (`ddddd` is `dddd`, eight `f`s are seven).
pub fn format_datetime(dt: DateTime, fmt: &str) -> String {
    let (y, mo, d, rest) = dt.to_parts();
    let h = rest / TICKS_PER_HOUR;
    let mi = rest % TICKS_PER_HOUR / TICKS_PER_MINUTE;
    let s = rest % TICKS_PER_MINUTE / TICKS_PER_SECOND;
    let frac = rest % TICKS_PER_SECOND;
    let h12 = if h % 12 == 0 { 12 } else { h % 12 };
    let mut out = String::with_capacity(fmt.len() + 8);
    for_each_format_token(fmt, |tok| match tok {
        Token::Literal(l) => out.push_str(l),
        Token::Char(c) => out.push(c),
        Token::Run(c, n) => match c {
            'd' => match n {
                1 | 2 => push_padded(&mut out, i64::from(d), n),
                3 => out.push_str(&DAY_NAMES[weekday_from_sunday(dt.days()) as usize][..3]),
                _ => out.push_str(DAY_NAMES[weekday_from_sunday(dt.days()) as usize]),
            },
            'f' => out.push_str(&fraction_digits(frac, n, false)),
            'F' => {
                let digits = fraction_digits(frac, n, true);
                if digits.is_empty() {
                    if out.ends_with('.') {
                        out.pop();
                    }
                } else {
                    out.push_str(&digits);
                }
            }
            'h' => push_padded(&mut out, h12, n.min(2)),
            'H' => push_padded(&mut out, h, n.min(2)),
            'm' => push_padded(&mut out, mi, n.min(2)),
            'M' => match n {
                1 | 2 => push_padded(&mut out, i64::from(mo), n),
                3 => out.push_str(&MONTH_NAMES[mo as usize - 1][..3]),
                _ => out.push_str(MONTH_NAMES[mo as usize - 1]),
            },
            's' => push_padded(&mut out, s, n.min(2)),
            'y' => match n {
                1 => push_padded(&mut out, y % 100, 1),
                2 => push_padded(&mut out, y % 100, 2),
                _ => push_padded(&mut out, y, n),
            },
            't' => {
                let ampm = if h < 12 { "AM" } else { "PM" };
                out.push_str(if n == 1 { &ampm[..1] } else { ampm });
            }
            other => {
                for _ in 0..n {
                    out.push(other);
                }
            }
        },
    });
    out
}

/// `format_timespan(timespan, format)` (docs: `format-timespan-function`).
///
/// Specifiers: `d`…`dddddddd` whole days padded to the run's length;
/// `h`/`hh` and `H`/`HH` hours of the day (0–23; the docs' example
/// `'ddd.h:mm:ss'` prints `029.9:00:05`); `m`/`mm`; `s`/`ss`; `f`…/`F`…
/// as in [`format_datetime`]. Delimiters and other characters are copied.
/// Decision (undocumented): a negative timespan is formatted by its
/// magnitude with no sign, as .NET's custom timespan formats do.
pub fn format_timespan(ts: Timespan, fmt: &str) -> String {
    let t = ts.0.unsigned_abs();
    let tpd = TICKS_PER_DAY as u64;
    let days = (t / tpd) as i64;
    let rest = (t % tpd) as i64;
    let h = rest / TICKS_PER_HOUR;
    let mi = rest % TICKS_PER_HOUR / TICKS_PER_MINUTE;
    let s = rest % TICKS_PER_MINUTE / TICKS_PER_SECOND;
    let frac = rest % TICKS_PER_SECOND;
    let mut out = String::with_capacity(fmt.len() + 8);
    for_each_format_token(fmt, |tok| match tok {
        Token::Literal(l) => out.push_str(l),
        Token::Char(c) => out.push(c),
        Token::Run(c, n) => match c {
            'd' => push_padded(&mut out, days, n.min(8)),
            'h' | 'H' => push_padded(&mut out, h, n.min(2)),
            'm' => push_padded(&mut out, mi, n.min(2)),
            's' => push_padded(&mut out, s, n.min(2)),
            'f' => out.push_str(&fraction_digits(frac, n, false)),
            'F' => out.push_str(&fraction_digits(frac, n, true)),
            other => {
                for _ in 0..n {
                    out.push(other);
                }
            }
        },
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `eval` fuzz target: the bin of a timespan near the
    /// minimum starts below it, and the product overflowed.
    #[test]
    fn bin_of_a_timespan_near_the_minimum_is_null() {
        assert_eq!(bin_timespan(Timespan(i64::MIN + 1), Timespan(3)), None);
        assert_eq!(
            bin_timespan(Timespan(i64::MIN), Timespan(2)),
            Some(Timespan(i64::MIN))
        );
        assert_eq!(bin_timespan(Timespan(-5), Timespan(3)), Some(Timespan(-6)));
    }
}
