//! `datetime` and `timespan`: 100-nanosecond ticks, as in Kusto.

/// An instant in UTC: ticks of 100 ns since 0001-01-01T00:00:00Z.
/// Valid values lie between 0001-01-01 and 9999-12-31T23:59:59.9999999.
#[deny(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime(
    /// The ticks.
    pub i64,
);

/// A duration in ticks of 100 ns (may be negative).
#[deny(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timespan(
    /// The ticks.
    pub i64,
);

pub const TICKS_PER_MICROSECOND: i64 = 10;
pub const TICKS_PER_MILLISECOND: i64 = 10_000;
pub const TICKS_PER_SECOND: i64 = 10_000_000;
pub const TICKS_PER_MINUTE: i64 = 60 * TICKS_PER_SECOND;
pub const TICKS_PER_HOUR: i64 = 60 * TICKS_PER_MINUTE;
pub const TICKS_PER_DAY: i64 = 24 * TICKS_PER_HOUR;

#[deny(missing_docs)]
impl DateTime {
    /// 0001-01-01T00:00:00Z
    pub const MIN: DateTime = DateTime(0);
    /// 9999-12-31T23:59:59.9999999Z
    pub const MAX: DateTime = DateTime(3_155_378_975_999_999_999);
    /// Ticks at 1970-01-01T00:00:00Z.
    pub const UNIX_EPOCH_TICKS: i64 = 621_355_968_000_000_000;

    /// The calendar parts: (year, month 1-12, day 1-31, ticks into the day).
    pub fn to_parts(self) -> (i64, u32, u32, i64) {
        let days = self.0.div_euclid(TICKS_PER_DAY);
        let rest = self.0.rem_euclid(TICKS_PER_DAY);
        let (y, m, d) = civil_from_days(days);
        (y, m, d, rest)
    }

    /// Builds an instant from calendar parts, if they name a valid date.
    pub fn from_parts(year: i64, month: u32, day: u32, ticks_in_day: i64) -> Option<DateTime> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        if day == 0 || day > days_in_month(year, month) {
            return None;
        }
        let ticks = days_from_civil(year, month, day)
            .checked_mul(TICKS_PER_DAY)?
            .checked_add(ticks_in_day)?;
        (DateTime::MIN.0..=DateTime::MAX.0)
            .contains(&ticks)
            .then_some(DateTime(ticks))
    }
}

pub fn is_leap_year(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 0001-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`, shifted to Kusto's epoch).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    // 719_468 shifts 0000-03-01 to 1970-01-01; 719_162 more days lie
    // between 0001-01-01 and 1970-01-01.
    era * 146_097 + doe - 719_468 + 719_162
}

/// The inverse of [`days_from_civil`].
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days - 719_162 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// `2024-11-15T21:00:00.1545349Z`: ISO 8601 with seven fractional digits,
/// the form Kusto writes (docs/semantics.md#output).
impl std::fmt::Display for DateTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (y, mo, d, rest) = self.to_parts();
        let h = rest / TICKS_PER_HOUR;
        let mi = rest % TICKS_PER_HOUR / TICKS_PER_MINUTE;
        let s = rest % TICKS_PER_MINUTE / TICKS_PER_SECOND;
        let frac = rest % TICKS_PER_SECOND;
        write!(f, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{frac:07}Z")
    }
}

/// `[-][d.]hh:mm:ss[.fffffff]`: days only when non-zero, the fraction only
/// when non-zero (docs/semantics.md#output).
impl std::fmt::Display for Timespan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let neg = self.0 < 0;
        let t = self.0.unsigned_abs();
        let tpd = TICKS_PER_DAY as u64;
        let tph = TICKS_PER_HOUR as u64;
        let tpm = TICKS_PER_MINUTE as u64;
        let tps = TICKS_PER_SECOND as u64;
        let (days, h, m, s, frac) = (
            t / tpd,
            t % tpd / tph,
            t % tph / tpm,
            t % tpm / tps,
            t % tps,
        );
        if neg {
            f.write_str("-")?;
        }
        if days > 0 {
            write!(f, "{days}.")?;
        }
        write!(f, "{h:02}:{m:02}:{s:02}")?;
        if frac > 0 {
            write!(f, ".{frac:07}")?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Small helpers on the two types
// ---------------------------------------------------------------------------

#[deny(missing_docs)]
impl DateTime {
    /// An instant from a raw tick count, if it lies in the valid range.
    pub fn from_ticks(ticks: i64) -> Option<DateTime> {
        (DateTime::MIN.0..=DateTime::MAX.0)
            .contains(&ticks)
            .then_some(DateTime(ticks))
    }

    /// Days since 0001-01-01 (the date part of the instant).
    pub fn days(self) -> i64 {
        self.0.div_euclid(TICKS_PER_DAY)
    }

    /// Ticks since midnight (the time-of-day part of the instant).
    pub fn ticks_in_day(self) -> i64 {
        self.0.rem_euclid(TICKS_PER_DAY)
    }

    /// `self + span`, if the result stays in range.
    pub fn checked_add(self, span: Timespan) -> Option<DateTime> {
        DateTime::from_ticks(self.0.checked_add(span.0)?)
    }

    /// `self - span`, if the result stays in range.
    pub fn checked_sub(self, span: Timespan) -> Option<DateTime> {
        DateTime::from_ticks(self.0.checked_sub(span.0)?)
    }

    /// `self - other` as a timespan (always representable: both lie in range).
    pub fn since(self, other: DateTime) -> Timespan {
        Timespan(self.0 - other.0)
    }
}

#[deny(missing_docs)]
impl Timespan {
    /// No time.
    pub const ZERO: Timespan = Timespan(0);

    /// `days` days, if that fits.
    pub fn from_days(days: i64) -> Option<Timespan> {
        days.checked_mul(TICKS_PER_DAY).map(Timespan)
    }

    /// `self + other`, if it does not overflow.
    pub fn checked_add(self, other: Timespan) -> Option<Timespan> {
        self.0.checked_add(other.0).map(Timespan)
    }

    /// `self - other`, if it does not overflow.
    pub fn checked_sub(self, other: Timespan) -> Option<Timespan> {
        self.0.checked_sub(other.0).map(Timespan)
    }
}

// ---------------------------------------------------------------------------
// Parsing datetime text
// ---------------------------------------------------------------------------

/// A byte cursor for the hand-written parsers below. All the syntax they
/// accept is ASCII, so byte positions are always character boundaries.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Cursor<'a> {
        Cursor {
            b: text.as_bytes(),
            i: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn peek_at(&self, k: usize) -> Option<u8> {
        self.b.get(self.i + k).copied()
    }

    fn at_end(&self) -> bool {
        self.i >= self.b.len()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// Skips ASCII spaces and tabs; reports whether any were skipped.
    fn skip_spaces(&mut self) -> bool {
        let start = self.i;
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
        self.i > start
    }

    /// Between `min` and `max` decimal digits, as a number.
    fn digits(&mut self, min: usize, max: usize) -> Option<i64> {
        let start = self.i;
        let mut n: i64 = 0;
        while self.i - start < max {
            match self.peek() {
                Some(c @ b'0'..=b'9') => {
                    n = n * 10 + i64::from(c - b'0');
                    self.i += 1;
                }
                _ => break,
            }
        }
        (self.i - start >= min).then_some(n)
    }

    /// A run of ASCII letters (possibly empty).
    fn word(&mut self) -> &'a str {
        let start = self.i;
        while matches!(self.peek(), Some(c) if c.is_ascii_alphabetic()) {
            self.i += 1;
        }
        // Only ASCII letters were consumed, so this is valid UTF-8.
        std::str::from_utf8(&self.b[start..self.i]).unwrap_or("")
    }

    /// Digits after a decimal point, as ticks (the first seven digits; any
    /// further digits are read and dropped). At least one digit is required.
    fn fraction_ticks(&mut self) -> Option<i64> {
        let start = self.i;
        let mut ticks = 0;
        while let Some(c @ b'0'..=b'9') = self.peek() {
            if self.i - start < 7 {
                ticks = ticks * 10 + i64::from(c - b'0');
            }
            self.i += 1;
        }
        let n = self.i - start;
        if n == 0 {
            return None;
        }
        for _ in n..7 {
            ticks *= 10;
        }
        Some(ticks)
    }
}

fn month_from_name(name: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let lower = name.to_ascii_lowercase();
    MONTHS
        .iter()
        .position(|m| lower.len() >= 3 && (lower == m[..3] || lower == *m))
        .and_then(|i| u32::try_from(i + 1).ok())
}

fn is_weekday_name(name: &str) -> bool {
    const DAYS: [&str; 7] = [
        "sunday",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
    ];
    let lower = name.to_ascii_lowercase();
    DAYS.iter()
        .any(|d| lower.len() >= 3 && (lower == d[..3] || lower == *d))
}

/// A two-digit year as .NET's Gregorian calendar reads it (TwoDigitYearMax
/// 2049, the same window as RFC 2822 §4.3): 00–49 are 2000–2049, 50–99 are
/// 1950–1999.
fn expand_two_digit_year(y: i64) -> i64 {
    if y < 50 { 2000 + y } else { 1900 + y }
}

/// `H[H]:MM[:SS[.fffffff…]]` as ticks into the day.
fn parse_clock(c: &mut Cursor<'_>) -> Option<i64> {
    let h = c.digits(1, 2)?;
    if !c.eat(b':') {
        return None;
    }
    let mi = c.digits(2, 2)?;
    let mut s = 0;
    let mut frac = 0;
    if c.peek() == Some(b':') && c.peek_at(1).is_some_and(|d| d.is_ascii_digit()) {
        c.i += 1;
        s = c.digits(2, 2)?;
        if c.peek() == Some(b'.') && c.peek_at(1).is_some_and(|d| d.is_ascii_digit()) {
            c.i += 1;
            frac = c.fraction_ticks()?;
        }
    }
    if h > 23 || mi > 59 || s > 59 {
        return None;
    }
    Some(h * TICKS_PER_HOUR + mi * TICKS_PER_MINUTE + s * TICKS_PER_SECOND + frac)
}

/// An optional time-zone designator at the end of the text, as an offset
/// from UTC in ticks: `Z`, `+hh:mm`, `+hhmm`, `+hh` (either sign), and the
/// RFC 822 names (`GMT`, `UT`, `UTC`, `EST`/`EDT`, `CST`/`CDT`,
/// `MST`/`MDT`, `PST`/`PDT`). Returns `None` for text that is not a zone.
fn parse_zone(c: &mut Cursor<'_>) -> Option<i64> {
    c.skip_spaces();
    if c.at_end() {
        return Some(0);
    }
    match c.peek() {
        Some(sign @ (b'+' | b'-')) => {
            c.i += 1;
            let hh = c.digits(2, 2)?;
            let mm = if c.eat(b':') || c.peek().is_some_and(|d| d.is_ascii_digit()) {
                c.digits(2, 2)?
            } else {
                0
            };
            if hh > 23 || mm > 59 {
                return None;
            }
            let off = hh * TICKS_PER_HOUR + mm * TICKS_PER_MINUTE;
            Some(if sign == b'-' { -off } else { off })
        }
        _ => {
            let name = c.word().to_ascii_uppercase();
            let hours = match name.as_str() {
                "Z" | "GMT" | "UT" | "UTC" => 0,
                "EDT" => -4,
                "EST" | "CDT" => -5,
                "CST" | "MDT" => -6,
                "MST" | "PDT" => -7,
                "PST" => -8,
                _ => return None,
            };
            Some(hours * TICKS_PER_HOUR)
        }
    }
}

/// Combines a local date and time with a zone offset into a UTC instant.
fn assemble(y: i64, mo: i64, d: i64, tick_of_day: i64, offset: i64) -> Option<DateTime> {
    let mo = u32::try_from(mo).ok()?;
    let d = u32::try_from(d).ok()?;
    let local = DateTime::from_parts(y, mo, d, tick_of_day)?;
    DateTime::from_ticks(local.0.checked_sub(offset)?)
}

/// The rest after a date: nothing, or separator + clock + optional zone.
/// `t_allowed` admits `T`/`t` as the separator (ISO forms).
fn parse_time_and_zone(c: &mut Cursor<'_>, t_allowed: bool) -> Option<(i64, i64)> {
    if c.at_end() {
        return Some((0, 0));
    }
    let sep = (t_allowed && (c.eat(b'T') || c.eat(b't'))) || c.skip_spaces();
    if !sep {
        return None;
    }
    let tick = parse_clock(c)?;
    let off = parse_zone(c)?;
    c.at_end().then_some((tick, off))
}

/// ISO 8601 and "sortable": `yyyy-M-d[(T| )H:mm[:ss[.f…]]][zone]`; also
/// `yyyy/M/d` (accepted by the invariant-culture parser that `todatetime`
/// falls back to).
fn parse_iso(text: &str) -> Option<DateTime> {
    let mut c = Cursor::new(text);
    let y = c.digits(4, 4)?;
    let sep = c.peek()?;
    if sep != b'-' && sep != b'/' {
        return None;
    }
    c.i += 1;
    let mo = c.digits(1, 2)?;
    if !c.eat(sep) {
        return None;
    }
    let d = c.digits(1, 2)?;
    let (tick, off) = parse_time_and_zone(&mut c, true)?;
    assemble(y, mo, d, tick, off)
}

/// US month-first dates: `M/d/yyyy` or `M-d-yyyy`, optionally followed by a
/// 24-hour clock and a zone. The docs show `todatetime('12-02-2022')` and the
/// `parse` operator reading `02/17/2016 08:40:01` as a datetime.
fn parse_us(text: &str) -> Option<DateTime> {
    let mut c = Cursor::new(text);
    let mo = c.digits(1, 2)?;
    let sep = c.peek()?;
    if sep != b'/' && sep != b'-' {
        return None;
    }
    c.i += 1;
    let d = c.digits(1, 2)?;
    if !c.eat(sep) {
        return None;
    }
    let y = c.digits(4, 4)?;
    let (tick, off) = parse_time_and_zone(&mut c, false)?;
    assemble(y, mo, d, tick, off)
}

/// RFC 822 / RFC 1123 (`[Sat, ]8 Nov 14 15:05[:02] [GMT]`, four-digit years
/// too) and RFC 850 (`[Saturday, ]08-Nov-14 15:05[:02] [GMT]`).
fn parse_rfc(text: &str) -> Option<DateTime> {
    let mut c = Cursor::new(text);
    if c.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
        if !is_weekday_name(c.word()) || !c.eat(b',') {
            return None;
        }
        c.skip_spaces();
    }
    let d = c.digits(1, 2)?;
    let dashed = c.eat(b'-');
    if !dashed && !c.skip_spaces() {
        return None;
    }
    let mo = i64::from(month_from_name(c.word())?);
    if dashed {
        if !c.eat(b'-') {
            return None;
        }
    } else if !c.skip_spaces() {
        return None;
    }
    let start = c.i;
    let y = c.digits(2, 4)?;
    let y = match c.i - start {
        2 => expand_two_digit_year(y),
        4 => y,
        _ => return None,
    };
    if !c.skip_spaces() {
        return None;
    }
    let tick = parse_clock(&mut c)?;
    let off = parse_zone(&mut c)?;
    if !c.at_end() {
        return None;
    }
    assemble(y, mo, d, tick, off)
}

#[deny(missing_docs)]
impl DateTime {
    /// Parses the text forms `todatetime()` and `datetime(...)` accept
    /// (docs: `scalar-data-types/datetime`, "Supported formats";
    /// docs/semantics.md#datetime-text). Surrounding whitespace is ignored.
    /// Returns `None` for anything else, including dates that do not exist
    /// (Feb 30, month 13, hour 24).
    ///
    /// * ISO 8601: `2014-05-25T08:20:03.123456Z`, `2014-05-25 08:20`,
    ///   `2014-11-08`; `T` or `t` or spaces between date and time; seconds
    ///   optional; any number of fraction digits (beyond seven they are
    ///   truncated to 100 ns ticks — docs/semantics.md#sub-tick-digits); zone `Z`/`z`,
    ///   `+hh:mm`, `-hhmm`, `+hh`, or a name (`GMT`, `UTC`, …), converted to
    ///   UTC; no zone means UTC.
    /// * Sortable: `2014-11-8 15:05:25 GMT` (one-digit month/day allowed).
    /// * RFC 822/1123: `Sat, 8 Nov 14 15:05:02 GMT`, `8 Nov 2014 15:05`.
    /// * RFC 850: `Saturday, 08-Nov-14 15:05:02 GMT`.
    /// * US month-first: `02/17/2016 08:40:01`, `12-02-2022` (docs:
    ///   `todatetime-function` compares `todatetime('12-02-2022')` with
    ///   `datetime('12-02-2022')`; `parse-operator` reads
    ///   `02/17/2016 08:40:01` into a datetime column).
    ///
    /// Decisions where the docs are silent: two-digit years 00–49 are 20xx
    /// and 50–99 are 19xx (.NET's window); the weekday name is not checked
    /// against the date; `yyyy/MM/dd` is accepted like `yyyy-MM-dd`; the
    /// 12-hour `AM`/`PM` form is *not* accepted here (see
    /// [`DateTime::parse_us_portal`]), nor is a time without a date (the docs'
    /// "time today" needs a clock).
    pub fn parse(text: &str) -> Option<DateTime> {
        let t = text.trim();
        parse_iso(t)
            .or_else(|| parse_us(t))
            .or_else(|| parse_rfc(t))
    }

    /// Parses the US form the Log Analytics portal writes in CSV exports:
    /// `4/28/2021, 2:32:14.029 PM` — month/day/year, a comma (optional), a
    /// 12-hour clock with optional seconds and fraction, and `AM`/`PM`
    /// (either case). The time is taken as UTC (the export's header says
    /// `[UTC]`). Kept apart from [`DateTime::parse`] because month-first
    /// dates are ambiguous in general and the docs do not show `todatetime`
    /// reading this form.
    pub fn parse_us_portal(text: &str) -> Option<DateTime> {
        let mut c = Cursor::new(text.trim());
        let mo = c.digits(1, 2)?;
        if !c.eat(b'/') {
            return None;
        }
        let d = c.digits(1, 2)?;
        if !c.eat(b'/') {
            return None;
        }
        let y = c.digits(4, 4)?;
        c.eat(b',');
        if !c.skip_spaces() {
            return None;
        }
        let h = c.digits(1, 2)?;
        if !c.eat(b':') {
            return None;
        }
        let mi = c.digits(2, 2)?;
        let mut s = 0;
        let mut frac = 0;
        if c.eat(b':') {
            s = c.digits(2, 2)?;
            if c.eat(b'.') {
                frac = c.fraction_ticks()?;
            }
        }
        c.skip_spaces();
        let pm = match c.word().to_ascii_uppercase().as_str() {
            "AM" => false,
            "PM" => true,
            _ => return None,
        };
        if !c.at_end() || !(1..=12).contains(&h) || mi > 59 || s > 59 {
            return None;
        }
        let h24 = h % 12 + if pm { 12 } else { 0 };
        let tick = h24 * TICKS_PER_HOUR + mi * TICKS_PER_MINUTE + s * TICKS_PER_SECOND + frac;
        assemble(y, mo, d, tick, 0)
    }

    /// The two leading fields of a date as exports write it in a locale's
    /// form (`26/03/2026, 15:18:18.790`, `4/28/2021, 2:32 PM`,
    /// `26.03.2026 15:18`): `(first, second)` when `text` starts with
    /// `N/N/YYYY` (or `.`/`-` as the separator). Which is the day is what
    /// [`DateTime::parse_export`] is told (docs/semantics.md#export-dates).
    pub fn export_date_fields(text: &str) -> Option<(i64, i64)> {
        let (a, b, _) = export_date_prefix(&mut Cursor::new(text.trim()))?;
        Some((a, b))
    }

    /// Parses a date as a portal export writes it under a locale:
    /// `D/M/YYYY` (`day_first`) or `M/D/YYYY` (`/`, `.` or `-` between the
    /// fields), then optionally a comma and a time `h:mm[:ss[.fffffff]]`
    /// on a 24-hour clock, or on a 12-hour clock followed by `AM`/`PM`.
    /// The time is UTC (the export's header says `[UTC]`).
    pub fn parse_export(text: &str, day_first: bool) -> Option<DateTime> {
        let mut c = Cursor::new(text.trim());
        let (a, b, y) = export_date_prefix(&mut c)?;
        let (mo, d) = if day_first { (b, a) } else { (a, b) };
        c.eat(b',');
        c.skip_spaces();
        if c.at_end() {
            return assemble(y, mo, d, 0, 0);
        }
        let h = c.digits(1, 2)?;
        if !c.eat(b':') {
            return None;
        }
        let mi = c.digits(2, 2)?;
        let mut s = 0;
        let mut frac = 0;
        if c.eat(b':') {
            s = c.digits(2, 2)?;
            if c.eat(b'.') || c.eat(b',') {
                frac = c.fraction_ticks()?;
            }
        }
        c.skip_spaces();
        let h24 = match c.word().to_ascii_uppercase().as_str() {
            "AM" if (1..=12).contains(&h) => h % 12,
            "PM" if (1..=12).contains(&h) => h % 12 + 12,
            "" if h < 24 => h,
            _ => return None,
        };
        c.skip_spaces();
        if !c.at_end() || mi > 59 || s > 59 {
            return None;
        }
        let tick = h24 * TICKS_PER_HOUR + mi * TICKS_PER_MINUTE + s * TICKS_PER_SECOND + frac;
        assemble(y, mo, d, tick, 0)
    }
}

// ---------------------------------------------------------------------------
// Parsing timespan text
// ---------------------------------------------------------------------------

/// Nanoseconds per timespan unit suffix (docs/semantics.md#timespan-text, lexer table of
/// the official parser). Units are matched case-insensitively.
fn unit_nanos(unit: &str) -> Option<i128> {
    const NS_PER_SECOND: i128 = 1_000_000_000;
    let u = unit.to_ascii_lowercase();
    Some(match u.as_str() {
        "d" | "day" | "days" => 86_400 * NS_PER_SECOND,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3_600 * NS_PER_SECOND,
        "m" | "min" | "minute" | "minutes" => 60 * NS_PER_SECOND,
        "s" | "sec" | "second" | "seconds" => NS_PER_SECOND,
        "ms" | "milli" | "millis" | "millisec" | "millisecond" | "milliseconds" => 1_000_000,
        "micro" | "micros" | "microsec" | "microsecond" | "microseconds" => 1_000,
        "nano" | "nanos" | "nanosec" | "nanosecond" | "nanoseconds" => 1,
        "tick" | "ticks" => 100,
        _ => return None,
    })
}

/// `digits[.digits]` as (integer part, fraction digits value, fraction digit
/// count), with the fraction capped at 18 digits (more are dropped).
fn parse_decimal(c: &mut Cursor<'_>) -> Option<(i128, i128, u32)> {
    let start = c.i;
    let mut int: i128 = 0;
    while let Some(d @ b'0'..=b'9') = c.peek() {
        int = int.checked_mul(10)?.checked_add(i128::from(d - b'0'))?;
        c.i += 1;
    }
    let had_int = c.i > start;
    let mut frac: i128 = 0;
    let mut scale = 0u32;
    if c.peek() == Some(b'.') && c.peek_at(1).is_some_and(|d| d.is_ascii_digit()) {
        c.i += 1;
        while let Some(d @ b'0'..=b'9') = c.peek() {
            if scale < 18 {
                frac = frac * 10 + i128::from(d - b'0');
                scale += 1;
            }
            c.i += 1;
        }
    } else if !had_int {
        return None;
    }
    Some((int, frac, scale))
}

/// `value × nanos_per_unit` in ticks, truncated toward zero.
fn decimal_to_ticks(int: i128, frac: i128, scale: u32, nanos_per_unit: i128) -> Option<i64> {
    let nanos = int
        .checked_mul(nanos_per_unit)?
        .checked_add(frac.checked_mul(nanos_per_unit)? / 10i128.pow(scale))?;
    i64::try_from(nanos / 100).ok()
}

/// `[d.]h:mm[:ss[.fffffff]]` after an optional sign has been read.
fn parse_clock_span(c: &mut Cursor<'_>) -> Option<i64> {
    let first = c.digits(1, 8)?;
    let (days, hours) = if c.peek() == Some(b'.') {
        c.i += 1;
        (first, c.digits(1, 2)?)
    } else {
        (0, first)
    };
    if !c.eat(b':') {
        return None;
    }
    let minutes = c.digits(1, 2)?;
    let mut seconds = 0;
    let mut frac = 0;
    if c.eat(b':') {
        seconds = c.digits(1, 2)?;
        if c.eat(b'.') {
            frac = c.fraction_ticks()?;
        }
    }
    if !c.at_end() || hours > 23 || minutes > 59 || seconds > 59 {
        return None;
    }
    days.checked_mul(TICKS_PER_DAY)?
        .checked_add(hours * TICKS_PER_HOUR + minutes * TICKS_PER_MINUTE)?
        .checked_add(seconds * TICKS_PER_SECOND + frac)
}

fn parse_timespan(text: &str, bare_decimal_days: bool) -> Option<Timespan> {
    let t = text.trim();
    let mut c = Cursor::new(t);
    let negative = c.eat(b'-');
    if !negative {
        c.eat(b'+');
    }
    let body_start = c.i;
    // Clock form first: `1.02:03:04` must not be read as the number 1.02.
    let ticks = if let Some(t) = parse_clock_span(&mut c) {
        t
    } else {
        c.i = body_start;
        let (int, frac, scale) = parse_decimal(&mut c)?;
        c.skip_spaces();
        let unit = c.word();
        if !c.at_end() {
            return None;
        }
        let per_unit = if unit.is_empty() {
            // A bare number is days: .NET's `TimeSpan.Parse` reads a lone
            // integer `d` that way, and `timespan(2)` is two days (docs).
            if scale > 0 && !bare_decimal_days {
                return None;
            }
            unit_nanos("d")?
        } else {
            unit_nanos(unit)?
        };
        decimal_to_ticks(int, frac, scale, per_unit)?
    };
    let ticks = if negative {
        ticks.checked_neg()?
    } else {
        ticks
    };
    Some(Timespan(ticks))
}

#[deny(missing_docs)]
impl Timespan {
    /// Parses what `totimespan()` accepts (docs: `totimespan-function`,
    /// `scalar-data-types/timespan`; docs/semantics.md#timespan-text). Surrounding
    /// whitespace is ignored; an optional leading `-` (or `+`) applies to
    /// the whole value.
    ///
    /// * Clock form `[d.]h:mm[:ss[.fffffff]]`: `0.00:03:00`, `00:01:00`,
    ///   `29.09:00:05.12345`, `12:34`. Hours 0–23, minutes and seconds 0–59
    ///   as in .NET's `TimeSpan.Parse`; fraction digits past seven are
    ///   truncated.
    /// * Number and unit, optionally separated by spaces: `1d`, `1.5h`,
    ///   `30m`, `10s`, `0.1s`, `100ms`, `10microsecond`, `1tick`,
    ///   `15 seconds`, with every unit of §1.6 (ASCII case-insensitive).
    ///   Fractions are exact down to the tick and truncated below it
    ///   (`150nanoseconds` is one tick).
    /// * A bare integer is a number of days (`"2"` → `2.00:00:00`), as in
    ///   .NET's `TimeSpan.Parse`.
    ///
    /// Out-of-range values give `None`.
    pub fn parse(text: &str) -> Option<Timespan> {
        parse_timespan(text, false)
    }

    /// Parses the text inside a `timespan(...)`/`time(...)` literal: like
    /// [`Timespan::parse`], and a bare number with a fraction is days too
    /// (`time(2)` is two days per the docs; `time(1.5)` is read as 36 hours).
    pub fn parse_literal(text: &str) -> Option<Timespan> {
        parse_timespan(text, true)
    }
}

/// The `N/N/YYYY` start of an export's locale date (`/`, `.` or `-`
/// between the fields, the same twice): the two short fields and the
/// year, with `c` left after the year.
fn export_date_prefix(c: &mut Cursor) -> Option<(i64, i64, i64)> {
    let a = c.digits(1, 2)?;
    let sep = c.peek()?;
    if !matches!(sep, b'/' | b'.' | b'-') {
        return None;
    }
    c.i += 1;
    let b = c.digits(1, 2)?;
    if !c.eat(sep) {
        return None;
    }
    let y = c.digits(4, 4)?;
    Some((a, b, y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_covers_the_whole_range() {
        for days in (0..3_652_059).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1, 1, 1));
        assert_eq!(
            DateTime::from_parts(1970, 1, 1, 0),
            Some(DateTime(DateTime::UNIX_EPOCH_TICKS))
        );
    }

    #[test]
    fn datetime_prints_seven_fraction_digits() {
        let t = DateTime::from_parts(
            2015,
            12,
            31,
            23 * TICKS_PER_HOUR + 59 * TICKS_PER_MINUTE + 59 * TICKS_PER_SECOND + 9_000_000,
        )
        .unwrap();
        assert_eq!(t.to_string(), "2015-12-31T23:59:59.9000000Z");
        assert_eq!(DateTime::MAX.to_string(), "9999-12-31T23:59:59.9999999Z");
    }

    #[test]
    fn timespan_prints_like_kusto() {
        assert_eq!(Timespan(4 * TICKS_PER_DAY).to_string(), "4.00:00:00");
        assert_eq!(Timespan(3 * TICKS_PER_MINUTE).to_string(), "00:03:00");
        assert_eq!(
            Timespan(-TICKS_PER_HOUR - 5).to_string(),
            "-01:00:00.0000005"
        );
        assert_eq!(Timespan(0).to_string(), "00:00:00");
    }
}
