//! When a rule runs, and over what: its windows.

use crate::value::{DateTime, Timespan};

/// One run of a rule: `now()` is `end`, and every table is limited to
/// `TimeGenerated` in (`start`, `end`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// The start of the lookback (excluded): `end - queryPeriod`.
    pub start: DateTime,
    /// The tick: when the rule runs (included).
    pub end: DateTime,
}

/// The windows of a rule running every `frequency` over the last `period`.
///
/// Ticks are `from`, `from + frequency`, ... up to `to` (included).
/// Without `from`, the first tick is the first event rounded up to a
/// multiple of `frequency` since 1970-01-01 (so the first window holds the
/// first event); without `to`, ticks go on while the last event is still
/// in the lookback (`tick - period < last`), as the service would go on
/// alerting on it.
pub fn windows(
    frequency: Timespan,
    period: Timespan,
    events: Option<(DateTime, DateTime)>,
    from: Option<DateTime>,
    to: Option<DateTime>,
) -> Vec<Window> {
    let f = frequency.0.max(1);
    let first = match (from, events) {
        (Some(from), _) => from.0,
        (None, Some((first, _))) => {
            let since_epoch = first.0 - DateTime::UNIX_EPOCH_TICKS;
            DateTime::UNIX_EPOCH_TICKS
                + since_epoch.div_euclid(f) * f
                + if since_epoch.rem_euclid(f) == 0 { 0 } else { f }
        }
        (None, None) => return Vec::new(),
    };
    let last = match (to, events) {
        (Some(to), _) => to.0,
        // The last tick t with t - period < last event.
        (None, Some((_, last_event))) => last_event.0.saturating_add(period.0) - 1,
        (None, None) => return Vec::new(),
    };
    let mut out = Vec::new();
    let mut tick = first;
    while tick <= last {
        out.push(Window {
            start: DateTime(tick - period.0),
            end: DateTime(tick),
        });
        let Some(next) = tick.checked_add(f) else {
            break;
        };
        tick = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime {
        DateTime::parse(s).unwrap()
    }
    const H: i64 = 36_000_000_000;

    #[test]
    fn first_tick_rounds_up_and_ticks_go_on_while_the_last_event_is_in_the_lookback() {
        let w = windows(
            Timespan(H),
            Timespan(3 * H),
            Some((t("2024-01-01T10:20:00Z"), t("2024-01-01T11:00:00Z"))),
            None,
            None,
        );
        let ends: Vec<String> = w.iter().map(|w| w.end.to_string()).collect();
        // 11:00 + 3h lookback: the window ending 14:00 starts at 11:00, excluded.
        assert_eq!(
            ends,
            [
                "2024-01-01T11:00:00.0000000Z",
                "2024-01-01T12:00:00.0000000Z",
                "2024-01-01T13:00:00.0000000Z"
            ]
        );
        assert_eq!(w[0].start, t("2024-01-01T08:00:00Z"));
    }

    #[test]
    fn an_event_on_a_tick_is_in_the_window_ending_there() {
        let w = windows(
            Timespan(H),
            Timespan(H),
            Some((t("2024-01-01T10:00:00Z"), t("2024-01-01T10:00:00Z"))),
            None,
            None,
        );
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].end, t("2024-01-01T10:00:00Z"));
    }

    #[test]
    fn from_and_to_bound_the_ticks() {
        let w = windows(
            Timespan(2 * H),
            Timespan(H),
            None,
            Some(t("2024-01-01T00:00:00Z")),
            Some(t("2024-01-01T05:00:00Z")),
        );
        let ends: Vec<DateTime> = w.iter().map(|w| w.end).collect();
        assert_eq!(
            ends,
            [
                t("2024-01-01T00:00:00Z"),
                t("2024-01-01T02:00:00Z"),
                t("2024-01-01T04:00:00Z")
            ]
        );
    }
}
