//! Rule durations as Sentinel writes them: `5m`, `5h`, `1d` in the
//! repository's YAML, ISO 8601 `PT5H`, `P1D`, `P1DT12H` in ARM exports.

use crate::value::Timespan;

const SECOND: i64 = 10_000_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// Reads a duration in either form: `30s`, `5m`, `5h`, `1d` (a number and
/// one unit, as the repository's YAML writes them), or ISO 8601
/// (`PT5M`, `PT5H`, `P1D`, `P1DT12H`, `PT1H30M`, as ARM exports write
/// them). `None` for anything else or a duration that is not positive.
pub fn parse_duration(text: &str) -> Option<Timespan> {
    let t = text.trim();
    let ticks = if let Some(iso) = t.strip_prefix(['P', 'p']) {
        parse_iso(iso)?
    } else {
        let unit_at = t.find(|c: char| !c.is_ascii_digit())?;
        let (n, unit) = t.split_at(unit_at);
        let n: i64 = n.parse().ok()?;
        let unit = match unit {
            "s" => SECOND,
            "m" => MINUTE,
            "h" => HOUR,
            "d" => DAY,
            _ => return None,
        };
        n.checked_mul(unit)?
    };
    (ticks > 0).then_some(Timespan(ticks))
}

/// The part of an ISO 8601 duration after `P`: `[nW][nD][T[nH][nM][nS]]`.
fn parse_iso(text: &str) -> Option<i64> {
    let (date, time) = match text.find(['T', 't']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let mut total = iso_fields(date, &[('W', 7 * DAY), ('D', DAY)])?;
    if let Some(time) = time {
        if time.is_empty() {
            return None;
        }
        total = total.checked_add(iso_fields(
            time,
            &[('H', HOUR), ('M', MINUTE), ('S', SECOND)],
        )?)?;
    }
    if date.is_empty() && time.is_none() {
        return None;
    }
    Some(total)
}

/// `nXnY...` with the units in `units`, in that order, each at most once.
fn iso_fields(mut text: &str, units: &[(char, i64)]) -> Option<i64> {
    let mut total: i64 = 0;
    let mut next_unit = 0;
    while !text.is_empty() {
        let end = text.find(|c: char| !c.is_ascii_digit())?;
        if end == 0 {
            return None;
        }
        let n: i64 = text[..end].parse().ok()?;
        let unit = text[end..].chars().next()?.to_ascii_uppercase();
        let at = units[next_unit..].iter().position(|(u, _)| *u == unit)? + next_unit;
        total = total.checked_add(n.checked_mul(units[at].1)?)?;
        next_unit = at + 1;
        text = &text[end + 1..];
    }
    Some(total)
}

/// A duration as ARM templates write it: `PT5H`, `P1D`, `P1DT12H`,
/// `PT1H30M`.
pub fn format_iso(span: Timespan) -> String {
    let mut t = span.0.max(0);
    let days = t / DAY;
    t %= DAY;
    let (h, m, s) = (t / HOUR, t % HOUR / MINUTE, t % MINUTE / SECOND);
    let mut out = String::from("P");
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    if h > 0 || m > 0 || s > 0 || days == 0 {
        out.push('T');
        if h > 0 {
            out.push_str(&format!("{h}H"));
        }
        if m > 0 {
            out.push_str(&format!("{m}M"));
        }
        if s > 0 || (h == 0 && m == 0) {
            out.push_str(&format!("{s}S"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_read() {
        let h5 = Some(Timespan(5 * HOUR));
        assert_eq!(parse_duration("5h"), h5);
        assert_eq!(parse_duration("PT5H"), h5);
        assert_eq!(parse_duration("pt5h"), h5);
        assert_eq!(parse_duration("1d"), Some(Timespan(DAY)));
        assert_eq!(parse_duration("P1D"), Some(Timespan(DAY)));
        assert_eq!(parse_duration("P1DT12H"), Some(Timespan(DAY + 12 * HOUR)));
        assert_eq!(
            parse_duration("PT1H30M"),
            Some(Timespan(HOUR + 30 * MINUTE))
        );
        assert_eq!(parse_duration("P2W"), Some(Timespan(14 * DAY)));
        assert_eq!(parse_duration("5m"), Some(Timespan(5 * MINUTE)));
        assert_eq!(parse_duration("30s"), Some(Timespan(30 * SECOND)));
        assert_eq!(parse_duration(" 14d "), Some(Timespan(14 * DAY)));
    }

    #[test]
    fn bad_forms_are_none() {
        for bad in [
            "", "5", "h", "5x", "5 h", "P", "PT", "P1H", "PT1D", "PT5M1H", "0h", "PT0S", "-1d",
            "1.5h",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn durations_write_back() {
        assert_eq!(format_iso(Timespan(5 * HOUR)), "PT5H");
        assert_eq!(format_iso(Timespan(DAY)), "P1D");
        assert_eq!(format_iso(Timespan(DAY + 12 * HOUR)), "P1DT12H");
        assert_eq!(format_iso(Timespan(HOUR + 30 * MINUTE)), "PT1H30M");
        for text in ["PT5H", "P1D", "P1DT12H", "PT1H30M", "PT5M", "PT30S"] {
            let span = parse_duration(text).unwrap();
            assert_eq!(format_iso(span), text);
        }
    }
}
