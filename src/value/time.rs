//! `datetime` and `timespan`: 100-nanosecond ticks, as in Kusto.

/// An instant in UTC: ticks of 100 ns since 0001-01-01T00:00:00Z.
/// Valid values lie between 0001-01-01 and 9999-12-31T23:59:59.9999999.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime(pub i64);

/// A duration in ticks of 100 ns (may be negative).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timespan(pub i64);

pub const TICKS_PER_MICROSECOND: i64 = 10;
pub const TICKS_PER_MILLISECOND: i64 = 10_000;
pub const TICKS_PER_SECOND: i64 = 10_000_000;
pub const TICKS_PER_MINUTE: i64 = 60 * TICKS_PER_SECOND;
pub const TICKS_PER_HOUR: i64 = 60 * TICKS_PER_MINUTE;
pub const TICKS_PER_DAY: i64 = 24 * TICKS_PER_HOUR;

impl DateTime {
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
/// the form Kusto writes (KQL-SEMANTICS §8).
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
/// when non-zero (KQL-SEMANTICS §8).
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
