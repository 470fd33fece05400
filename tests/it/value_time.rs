//! Datetime and timespan functions against the worked examples of the Kusto
//! docs (pages under https://learn.microsoft.com/kusto/query/, named in each
//! test) and docs/semantics.md#datetime-text, #timespan-text and #functions.

use kqlite::internals::functions::calendar::*;
use kqlite::internals::value::time::*;
use kqlite::{DateTime, Timespan};

fn dt(text: &str) -> DateTime {
    DateTime::parse(text).unwrap_or_else(|| panic!("should parse: {text:?}"))
}

fn iso(d: Option<DateTime>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "null".into())
}

fn ts(text: &str) -> Timespan {
    Timespan::parse_literal(text).unwrap_or_else(|| panic!("should parse: {text:?}"))
}

// --- datetime text: scalar-data-types/datetime "Supported formats" ---------

#[test]
fn datetime_doc_iso8601_formats() {
    let cases = [
        (
            "2014-05-25T08:20:03.123456Z",
            "2014-05-25T08:20:03.1234560Z",
        ),
        ("2014-05-25T08:20:03.123456", "2014-05-25T08:20:03.1234560Z"),
        ("2014-05-25T08:20", "2014-05-25T08:20:00.0000000Z"),
        (
            "2014-11-08 15:55:55.123456Z",
            "2014-11-08T15:55:55.1234560Z",
        ),
        ("2014-11-08 15:55:55", "2014-11-08T15:55:55.0000000Z"),
        ("2014-11-08 15:55", "2014-11-08T15:55:00.0000000Z"),
        ("2014-11-08", "2014-11-08T00:00:00.0000000Z"),
    ];
    for (text, want) in cases {
        assert_eq!(dt(text).to_string(), want, "{text}");
    }
}

#[test]
fn datetime_doc_rfc822_formats() {
    let cases = [
        ("Sat, 8 Nov 14 15:05:02 GMT", "2014-11-08T15:05:02.0000000Z"),
        ("Sat, 8 Nov 14 15:05:02", "2014-11-08T15:05:02.0000000Z"),
        ("Sat, 8 Nov 14 15:05", "2014-11-08T15:05:00.0000000Z"),
        ("Sat, 8 Nov 14 15:05 GMT", "2014-11-08T15:05:00.0000000Z"),
        ("8 Nov 14 15:05:02 GMT", "2014-11-08T15:05:02.0000000Z"),
        ("8 Nov 14 15:05:02", "2014-11-08T15:05:02.0000000Z"),
        ("8 Nov 14 15:05", "2014-11-08T15:05:00.0000000Z"),
        ("8 Nov 14 15:05 GMT", "2014-11-08T15:05:00.0000000Z"),
    ];
    for (text, want) in cases {
        assert_eq!(dt(text).to_string(), want, "{text}");
    }
}

#[test]
fn datetime_doc_rfc850_formats() {
    let cases = [
        (
            "Saturday, 08-Nov-14 15:05:02 GMT",
            "2014-11-08T15:05:02.0000000Z",
        ),
        (
            "Saturday, 08-Nov-14 15:05:02",
            "2014-11-08T15:05:02.0000000Z",
        ),
        (
            "Saturday, 08-Nov-14 15:05 GMT",
            "2014-11-08T15:05:00.0000000Z",
        ),
        ("Saturday, 08-Nov-14 15:05", "2014-11-08T15:05:00.0000000Z"),
        ("08-Nov-14 15:05:02 GMT", "2014-11-08T15:05:02.0000000Z"),
        ("08-Nov-14 15:05:02", "2014-11-08T15:05:02.0000000Z"),
        ("08-Nov-14 15:05 GMT", "2014-11-08T15:05:00.0000000Z"),
        ("08-Nov-14 15:05", "2014-11-08T15:05:00.0000000Z"),
    ];
    for (text, want) in cases {
        assert_eq!(dt(text).to_string(), want, "{text}");
    }
}

#[test]
fn datetime_doc_sortable_formats() {
    let cases = [
        ("2014-11-08 15:05:25", "2014-11-08T15:05:25.0000000Z"),
        ("2014-11-08 15:05:25 GMT", "2014-11-08T15:05:25.0000000Z"),
        ("2014-11-08 15:05", "2014-11-08T15:05:00.0000000Z"),
        ("2014-11-08 15:05 GMT", "2014-11-08T15:05:00.0000000Z"),
        ("2014-11-08T15:05:25", "2014-11-08T15:05:25.0000000Z"),
        ("2014-11-08T15:05:25 GMT", "2014-11-08T15:05:25.0000000Z"),
        ("2014-11-08T15:05", "2014-11-08T15:05:00.0000000Z"),
        ("2014-11-08T15:05 GMT", "2014-11-08T15:05:00.0000000Z"),
        // %n and %e: month and day without padding.
        ("2014-11-8 15:05:25", "2014-11-08T15:05:25.0000000Z"),
        ("2014-1-8", "2014-01-08T00:00:00.0000000Z"),
    ];
    for (text, want) in cases {
        assert_eq!(dt(text).to_string(), want, "{text}");
    }
}

#[test]
fn datetime_literal_examples_from_the_docs() {
    // scalar-data-types/datetime literal table; todatetime-function.
    assert_eq!(
        dt("2015-12-31 23:59:59.9").to_string(),
        "2015-12-31T23:59:59.9000000Z"
    );
    assert_eq!(dt("2015-12-31").to_string(), "2015-12-31T00:00:00.0000000Z");
    // todatetime-function: todatetime('12-02-2022') == datetime('12-02-2022').
    assert_eq!(dt("12-02-2022").to_string(), "2022-12-02T00:00:00.0000000Z");
    // parse-operator: "02/17/2016 08:40:01" read as `releaseTime: date`.
    assert_eq!(
        dt("02/17/2016 08:40:01").to_string(),
        "2016-02-17T08:40:01.0000000Z"
    );
    // A published Sentinel hunting query: datetime("01/16/2022 00:00:00").
    assert_eq!(
        dt("01/16/2022 00:00:00").to_string(),
        "2022-01-16T00:00:00.0000000Z"
    );
}

#[test]
fn datetime_fraction_beyond_seven_digits_is_truncated() {
    // docs/semantics.md#sub-tick-digits: Azure archives write nine digits.
    assert_eq!(
        dt("2024-11-15T21:00:00.154534959Z").to_string(),
        "2024-11-15T21:00:00.1545349Z"
    );
    assert_eq!(
        dt("2024-11-15T21:00:00.99999999999Z").to_string(),
        "2024-11-15T21:00:00.9999999Z"
    );
    assert_eq!(dt("2024-11-15T21:00:00.1Z").0 % TICKS_PER_SECOND, 1_000_000);
}

#[test]
fn datetime_zones_are_converted_to_utc() {
    let cases = [
        ("2014-05-25T08:20:03+02:00", "2014-05-25T06:20:03.0000000Z"),
        ("2014-05-25T08:20:03-0130", "2014-05-25T09:50:03.0000000Z"),
        ("2014-05-25T08:20:03+05", "2014-05-25T03:20:03.0000000Z"),
        ("2014-05-25t08:20:03z", "2014-05-25T08:20:03.0000000Z"),
        ("2014-05-25 08:20:03 UTC", "2014-05-25T08:20:03.0000000Z"),
        ("2014-05-25T00:20:03+01:00", "2014-05-24T23:20:03.0000000Z"),
        (
            "Sat, 8 Nov 2014 15:05:02 EST",
            "2014-11-08T20:05:02.0000000Z",
        ),
        (
            "Sat, 8 Nov 2014 15:05:02 +0100",
            "2014-11-08T14:05:02.0000000Z",
        ),
        (
            "Sat, 08 Nov 2014 15:05:02 PDT",
            "2014-11-08T22:05:02.0000000Z",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(dt(text).to_string(), want, "{text}");
    }
}

#[test]
fn datetime_accepts_surrounding_whitespace_and_other_separators() {
    assert_eq!(
        dt("  2015-12-31  ").to_string(),
        "2015-12-31T00:00:00.0000000Z"
    );
    assert_eq!(
        dt("2015/12/31 10:00").to_string(),
        "2015-12-31T10:00:00.0000000Z"
    );
    assert_eq!(
        dt("2015-12-31   10:00").to_string(),
        "2015-12-31T10:00:00.0000000Z"
    );
    assert_eq!(
        dt("8 november 1999 1:02").to_string(),
        "1999-11-08T01:02:00.0000000Z"
    );
    assert_eq!(
        dt("SAT, 8 NOV 49 15:05").to_string(),
        "2049-11-08T15:05:00.0000000Z"
    );
    assert_eq!(
        dt("Sat, 8 Nov 50 15:05").to_string(),
        "1950-11-08T15:05:00.0000000Z"
    );
}

#[test]
fn datetime_rejects_invalid_text() {
    let bad = [
        "",
        "   ",
        "DummyString",
        "2015-02-30",
        "2015-02-29",
        "2015-13-01",
        "2015-00-10",
        "2015-12-00",
        "2015-12-32",
        "2015-12-31 24:00",
        "2015-12-31 23:60",
        "2015-12-31 23:59:60",
        "2015-12-31T",
        "2015-12-31T10",
        "2015-12-31T10:00:00.",
        "2015-12-31T10:00:00Q",
        "2015-12-31T10:00:00+25:00",
        "2015-12-31x",
        "0000-01-01",
        "10000-01-01",
        "2015-12",
        "Sat, 8 Foo 14 15:05:02 GMT",
        "Caturday, 8 Nov 14 15:05",
        "Sat 8 Nov 14 15:05",
        "8 Nov 14",
        "8 Nov 114 15:05",
        "13/01/2020",
        "4/28/2021, 2:32:14.029 PM",
        "2015-12-31 10:00 PM",
        "10:00:00",
        "12345",
        "-2015-12-31",
    ];
    for text in bad {
        assert_eq!(DateTime::parse(text), None, "{text:?}");
    }
    // Leap days exist in leap years only.
    assert!(DateTime::parse("2016-02-29").is_some());
    assert!(DateTime::parse("2000-02-29").is_some());
    assert_eq!(DateTime::parse("1900-02-29"), None);
}

#[test]
fn datetime_range_edges() {
    assert_eq!(dt("0001-01-01"), DateTime::MIN);
    assert_eq!(dt("9999-12-31T23:59:59.9999999"), DateTime::MAX);
    // A zone that pushes the instant out of range.
    assert_eq!(DateTime::parse("0001-01-01T00:00:00+01:00"), None);
    assert_eq!(DateTime::parse("9999-12-31T23:30:00-01:00"), None);
    assert!(DateTime::parse("0001-01-01T00:00:00-01:00").is_some());
}

#[test]
fn us_portal_form_from_log_analytics_csv_exports() {
    let p = |s| DateTime::parse_us_portal(s).map(|d| d.to_string());
    assert_eq!(
        p("4/28/2021, 2:32:14.029 PM").as_deref(),
        Some("2021-04-28T14:32:14.0290000Z")
    );
    assert_eq!(
        p("12/31/2020, 12:00:00.000 AM").as_deref(),
        Some("2020-12-31T00:00:00.0000000Z")
    );
    assert_eq!(
        p("1/2/2020, 12:05:01.5 PM").as_deref(),
        Some("2020-01-02T12:05:01.5000000Z")
    );
    assert_eq!(
        p("1/2/2020 11:05 am").as_deref(),
        Some("2020-01-02T11:05:00.0000000Z")
    );
    for bad in [
        "4/28/2021, 13:32:14.029 PM",
        "4/28/2021, 0:32:14 AM",
        "4/28/2021, 2:32:14",
        "2/30/2021, 2:32:14 PM",
        "28/4/2021, 2:32:14 PM",
        "2021-04-28 14:32:14",
        "4/28/2021, 2:32:14 PM x",
    ] {
        assert_eq!(DateTime::parse_us_portal(bad), None, "{bad:?}");
    }
}

// --- timespan text: scalar-data-types/timespan, totimespan-function --------

#[test]
fn timespan_doc_literal_table() {
    let cases = [
        ("2d", "2.00:00:00"),
        ("1.5h", "01:30:00"),
        ("30m", "00:30:00"),
        ("10s", "00:00:10"),
        ("0.1s", "00:00:00.1000000"),
        ("100ms", "00:00:00.1000000"),
        ("10microsecond", "00:00:00.0000100"),
        ("1tick", "00:00:00.0000001"),
        ("15 seconds", "00:00:15"),
        ("2", "2.00:00:00"),
        ("0.12:34:56.7", "12:34:56.7000000"),
        ("25min", "00:25:00"),
        ("4d", "4.00:00:00"),
    ];
    for (text, want) in cases {
        assert_eq!(ts(text).to_string(), want, "{text}");
    }
}

#[test]
fn totimespan_doc_examples() {
    // totimespan-function: totimespan("0.00:01:00") == time(1min).
    assert_eq!(Timespan::parse("0.00:01:00"), Some(ts("1min")));
    assert_eq!(
        Timespan::parse("0.00:03:00")
            .map(|t| t.to_string())
            .as_deref(),
        Some("00:03:00")
    );
    // format-timespan-function: time(29.09:00:05.12345).
    assert_eq!(
        Timespan::parse("29.09:00:05.12345")
            .map(|t| t.to_string())
            .as_deref(),
        Some("29.09:00:05.1234500")
    );
}

#[test]
fn timespan_every_unit_of_the_lexer_table() {
    let units: [(&[&str], i64); 8] = [
        (&["d", "day", "days"], TICKS_PER_DAY),
        (&["h", "hr", "hrs", "hour", "hours"], TICKS_PER_HOUR),
        (&["m", "min", "minute", "minutes"], TICKS_PER_MINUTE),
        (&["s", "sec", "second", "seconds"], TICKS_PER_SECOND),
        (
            &[
                "ms",
                "milli",
                "millis",
                "millisec",
                "millisecond",
                "milliseconds",
            ],
            TICKS_PER_MILLISECOND,
        ),
        (
            &["micro", "micros", "microsec", "microsecond", "microseconds"],
            TICKS_PER_MICROSECOND,
        ),
        (&["tick", "ticks"], 1),
        (
            &["nano", "nanos", "nanosec", "nanosecond", "nanoseconds"],
            0,
        ),
    ];
    for (names, ticks) in units {
        for name in names {
            let three = format!("3{name}");
            assert_eq!(
                Timespan::parse(&three),
                Some(Timespan(3 * ticks)),
                "{three}"
            );
            let upper = format!("3 {}", name.to_uppercase());
            assert_eq!(
                Timespan::parse(&upper),
                Some(Timespan(3 * ticks)),
                "{upper}"
            );
        }
    }
    assert_eq!(Timespan::parse("100nanoseconds"), Some(Timespan(1)));
    assert_eq!(Timespan::parse("250nanos"), Some(Timespan(2)));
    assert_eq!(Timespan::parse("1.5ms"), Some(Timespan(15_000)));
    assert_eq!(Timespan::parse("0.00000001s"), Some(Timespan(0)));
}

#[test]
fn timespan_signs_and_clock_forms() {
    assert_eq!(Timespan::parse("-1d"), Some(Timespan(-TICKS_PER_DAY)));
    assert_eq!(Timespan::parse("+1d"), Some(Timespan(TICKS_PER_DAY)));
    assert_eq!(
        Timespan::parse("-01:00:00.0000005")
            .map(|t| t.to_string())
            .as_deref(),
        Some("-01:00:00.0000005")
    );
    assert_eq!(
        Timespan::parse("12:34"),
        Some(Timespan(12 * TICKS_PER_HOUR + 34 * TICKS_PER_MINUTE))
    );
    assert_eq!(
        Timespan::parse("1.02:03"),
        Some(Timespan(
            TICKS_PER_DAY + 2 * TICKS_PER_HOUR + 3 * TICKS_PER_MINUTE
        ))
    );
    assert_eq!(
        Timespan::parse(" 00:00:01 "),
        Some(Timespan(TICKS_PER_SECOND))
    );
    assert_eq!(
        Timespan::parse("365.00:00:00")
            .map(|t| t.to_string())
            .as_deref(),
        Some("365.00:00:00")
    );
}

#[test]
fn timespan_bare_numbers() {
    // A bare integer is days in both forms; a bare decimal only in literals.
    assert_eq!(Timespan::parse("2"), Some(Timespan(2 * TICKS_PER_DAY)));
    assert_eq!(Timespan::parse("1.5"), None);
    assert_eq!(
        Timespan::parse_literal("1.5"),
        Some(Timespan(36 * TICKS_PER_HOUR))
    );
}

#[test]
fn timespan_rejects_invalid_text() {
    for bad in [
        "",
        "d",
        "1w",
        "1 week",
        "abc",
        "24:00:00",
        "00:60:00",
        "00:00:60",
        "1.24:00:00",
        "1:2:3:4",
        "1d2h",
        "1.5.5h",
        "--1d",
        "1e3s",
        "00:00:00.",
        "1 d x",
        "99999999999999999999d",
        "20000000d",
    ] {
        assert_eq!(Timespan::parse_literal(bad), None, "{bad:?}");
    }
}

// --- calendar functions ------------------------------------------------------

#[test]
fn datetime_diff_doc_example() {
    // datetime-diff-function: every row of the output table.
    let d = |p: &str, a: &str, b: &str| {
        datetime_diff(DatePart::parse(p).unwrap(), dt(a), dt(b)).unwrap()
    };
    assert_eq!(d("year", "2017-01-01", "2000-12-31"), 17);
    assert_eq!(d("quarter", "2017-07-01", "2017-03-30"), 2);
    assert_eq!(d("month", "2017-01-01", "2015-12-30"), 13);
    assert_eq!(d("week", "2017-10-29 00:00", "2017-09-30 23:59"), 5);
    assert_eq!(d("day", "2017-10-29 00:00", "2017-09-30 23:59"), 29);
    assert_eq!(d("hour", "2017-10-31 01:00", "2017-10-30 23:59"), 2);
    assert_eq!(d("minute", "2017-10-30 23:05:01", "2017-10-30 23:00:59"), 5);
    assert_eq!(
        d(
            "second",
            "2017-10-30 23:00:10.100",
            "2017-10-30 23:00:00.900"
        ),
        10
    );
    assert_eq!(
        d(
            "millisecond",
            "2017-10-30 23:00:00.200100",
            "2017-10-30 23:00:00.100900"
        ),
        100
    );
    assert_eq!(
        d(
            "microsecond",
            "2017-10-30 23:00:00.1009001",
            "2017-10-30 23:00:00.1008009"
        ),
        100
    );
    assert_eq!(
        d(
            "nanosecond",
            "2017-10-30 23:00:00.0000000",
            "2017-10-30 23:00:00.0000007"
        ),
        -700
    );
    // Reversed arguments negate; part names ignore case.
    assert_eq!(d("YEAR", "2000-12-31", "2017-01-01"), -17);
    assert_eq!(d("Week", "2017-09-30 23:59", "2017-10-29"), -5);
    // Saturday to Sunday crosses a week boundary, Sunday to Saturday does not.
    assert_eq!(d("week", "2017-10-01", "2017-09-30"), 1);
    assert_eq!(d("week", "2017-10-07", "2017-10-01"), 0);
    // Too many nanoseconds for a long.
    assert_eq!(
        datetime_diff(DatePart::Nanosecond, DateTime::MAX, DateTime::MIN),
        None
    );
}

#[test]
fn datetime_add_doc_examples() {
    // datetime-add-function: both output tables.
    let start = make_datetime(2017, 1, 1, 0, 0, 0.0).unwrap();
    let a = |p: &str, n: i64| iso(datetime_add(DatePart::parse(p).unwrap(), n, start));
    assert_eq!(a("year", 1), "2018-01-01T00:00:00.0000000Z");
    assert_eq!(a("quarter", 1), "2017-04-01T00:00:00.0000000Z");
    assert_eq!(a("month", 1), "2017-02-01T00:00:00.0000000Z");
    assert_eq!(a("week", 1), "2017-01-08T00:00:00.0000000Z");
    assert_eq!(a("day", 1), "2017-01-02T00:00:00.0000000Z");
    assert_eq!(a("hour", 1), "2017-01-01T01:00:00.0000000Z");
    assert_eq!(a("minute", 1), "2017-01-01T00:01:00.0000000Z");
    assert_eq!(a("second", 1), "2017-01-01T00:00:01.0000000Z");
    assert_eq!(a("year", -5), "2012-01-01T00:00:00.0000000Z");
    assert_eq!(a("quarter", 12), "2020-01-01T00:00:00.0000000Z");
    assert_eq!(a("month", -15), "2015-10-01T00:00:00.0000000Z");
    assert_eq!(a("week", 100), "2018-12-02T00:00:00.0000000Z");
    assert_eq!(a("millisecond", 5), "2017-01-01T00:00:00.0050000Z");
    assert_eq!(a("microsecond", -1), "2016-12-31T23:59:59.9999990Z");
    assert_eq!(a("nanosecond", 250), "2017-01-01T00:00:00.0000002Z");
}

#[test]
fn datetime_add_clamps_the_day_and_checks_range() {
    let a = |p: DatePart, n: i64, d: &str| iso(datetime_add(p, n, dt(d)));
    assert_eq!(
        a(DatePart::Month, 1, "2017-01-31 10:00"),
        "2017-02-28T10:00:00.0000000Z"
    );
    assert_eq!(
        a(DatePart::Month, 1, "2016-01-31"),
        "2016-02-29T00:00:00.0000000Z"
    );
    assert_eq!(
        a(DatePart::Year, 1, "2016-02-29"),
        "2017-02-28T00:00:00.0000000Z"
    );
    assert_eq!(
        a(DatePart::Quarter, -1, "2017-05-31"),
        "2017-02-28T00:00:00.0000000Z"
    );
    assert_eq!(a(DatePart::Year, 1, "9999-01-01"), "null");
    assert_eq!(a(DatePart::Day, -1, "0001-01-01"), "null");
    assert_eq!(a(DatePart::Year, i64::MAX, "2000-01-01"), "null");
    assert_eq!(a(DatePart::Second, i64::MAX, "2000-01-01"), "null");
    assert_eq!(a(DatePart::DayOfYear, 1, "2000-01-01"), "null");
}

#[test]
fn datetime_part_doc_example() {
    // datetime-part-function output table.
    let d = dt("2017-10-30 01:02:03.7654321");
    let p = |name: &str| datetime_part(DatePart::parse(name).unwrap(), d);
    assert_eq!(p("year"), 2017);
    assert_eq!(p("quarter"), 4);
    assert_eq!(p("month"), 10);
    assert_eq!(p("week_of_year"), 44);
    assert_eq!(p("day"), 30);
    assert_eq!(p("dayOfYear"), 303);
    assert_eq!(p("hour"), 1);
    assert_eq!(p("minute"), 2);
    assert_eq!(p("second"), 3);
    assert_eq!(p("millisecond"), 765);
    assert_eq!(p("microsecond"), 765432);
    assert_eq!(p("nanosecond"), 765432100);
    assert_eq!(p("Week"), 44);
    assert_eq!(DatePart::parse("fortnight"), None);
}

#[test]
fn week_of_year_doc_examples() {
    // week-of-year-function table.
    assert_eq!(week_of_year(dt("2020-12-31")), 53);
    assert_eq!(week_of_year(dt("2020-06-15")), 25);
    assert_eq!(week_of_year(dt("1970-01-01")), 1);
    assert_eq!(week_of_year(dt("2000-01-01")), 52);
    // ISO corner cases: Monday 2018-12-31 is in week 1 of 2019; 2021-01-03
    // (Sunday) is still in week 53 of 2020.
    assert_eq!(week_of_year(dt("2018-12-31")), 1);
    assert_eq!(week_of_year(dt("2021-01-03")), 53);
    assert_eq!(week_of_year(dt("2021-01-04")), 1);
    assert_eq!(week_of_year(DateTime::MIN), 1);
    assert_eq!(week_of_year(DateTime::MAX), 52);
}

#[test]
fn dayofweek_and_simple_getters() {
    // day-of-week-function examples.
    assert_eq!(
        day_of_week(dt("1947-11-30 10:00:05")).to_string(),
        "00:00:00"
    );
    assert_eq!(day_of_week(dt("1970-05-11")).to_string(), "1.00:00:00");
    assert_eq!(day_of_week(dt("1970-5-12")).to_string(), "2.00:00:00");
    assert_eq!(day_of_week(DateTime::MIN).to_string(), "1.00:00:00");
    // getyear-function.
    assert_eq!(get_year(dt("2015-10-12")), 2015);
    assert_eq!(get_month(dt("2015-10-12")), 10);
    assert_eq!(day_of_month(dt("2015-10-12")), 12);
    assert_eq!(day_of_year(dt("2015-12-31")), 365);
    assert_eq!(day_of_year(dt("2016-12-31")), 366);
    assert_eq!(day_of_year(dt("2016-01-01 23:00")), 1);
    assert_eq!(hour_of_day(dt("2015-12-14 18:54")), 18);
}

#[test]
fn startof_endof_doc_examples() {
    let d = dt("2017-01-01 10:10:17");
    let starts = |f: fn(DateTime, i64) -> Option<DateTime>| -> Vec<String> {
        (-1..=1).map(|o| iso(f(d, o))).collect()
    };
    // startofday-function / endofday-function.
    assert_eq!(
        starts(start_of_day),
        [
            "2016-12-31T00:00:00.0000000Z",
            "2017-01-01T00:00:00.0000000Z",
            "2017-01-02T00:00:00.0000000Z"
        ]
    );
    assert_eq!(
        starts(end_of_day),
        [
            "2016-12-31T23:59:59.9999999Z",
            "2017-01-01T23:59:59.9999999Z",
            "2017-01-02T23:59:59.9999999Z"
        ]
    );
    // startofweek-function / endofweek-function.
    assert_eq!(
        starts(start_of_week),
        [
            "2016-12-25T00:00:00.0000000Z",
            "2017-01-01T00:00:00.0000000Z",
            "2017-01-08T00:00:00.0000000Z"
        ]
    );
    assert_eq!(
        starts(end_of_week),
        [
            "2016-12-31T23:59:59.9999999Z",
            "2017-01-07T23:59:59.9999999Z",
            "2017-01-14T23:59:59.9999999Z"
        ]
    );
    // startofmonth-function / endofmonth-function.
    assert_eq!(
        starts(start_of_month),
        [
            "2016-12-01T00:00:00.0000000Z",
            "2017-01-01T00:00:00.0000000Z",
            "2017-02-01T00:00:00.0000000Z"
        ]
    );
    assert_eq!(
        starts(end_of_month),
        [
            "2016-12-31T23:59:59.9999999Z",
            "2017-01-31T23:59:59.9999999Z",
            "2017-02-28T23:59:59.9999999Z"
        ]
    );
    assert_eq!(
        starts(start_of_year),
        [
            "2016-01-01T00:00:00.0000000Z",
            "2017-01-01T00:00:00.0000000Z",
            "2018-01-01T00:00:00.0000000Z"
        ]
    );
    assert_eq!(
        starts(end_of_year),
        [
            "2016-12-31T23:59:59.9999999Z",
            "2017-12-31T23:59:59.9999999Z",
            "2018-12-31T23:59:59.9999999Z"
        ]
    );
}

#[test]
fn startofweek_from_monday_doc_example() {
    // startofweek-function: datetime_add('day', 1, startofweek(datetime_add('day', -1, d))).
    let monday_week = |d: &str| {
        let shifted = datetime_add(DatePart::Day, -1, dt(d)).unwrap();
        iso(datetime_add(
            DatePart::Day,
            1,
            start_of_week(shifted, 0).unwrap(),
        ))
    };
    assert_eq!(monday_week("2025-06-14"), "2025-06-09T00:00:00.0000000Z");
    assert_eq!(monday_week("2025-06-15"), "2025-06-09T00:00:00.0000000Z");
    assert_eq!(monday_week("2025-06-16"), "2025-06-16T00:00:00.0000000Z");
    assert_eq!(monday_week("2025-06-17"), "2025-06-16T00:00:00.0000000Z");
}

#[test]
fn startof_endof_range_edges() {
    assert_eq!(start_of_day(DateTime::MIN, -1), None);
    assert_eq!(end_of_day(DateTime::MAX, 0), Some(DateTime::MAX));
    assert_eq!(end_of_day(DateTime::MAX, 1), None);
    // The week of 0001-01-01 (a Monday) starts before the calendar does.
    assert_eq!(start_of_week(DateTime::MIN, 0), None);
    assert_eq!(
        iso(end_of_week(DateTime::MIN, 0)),
        "0001-01-06T23:59:59.9999999Z"
    );
    assert_eq!(end_of_week(DateTime::MAX, 0), Some(DateTime::MAX));
    assert_eq!(end_of_month(DateTime::MAX, 0), Some(DateTime::MAX));
    assert_eq!(end_of_year(DateTime::MAX, 0), Some(DateTime::MAX));
    assert_eq!(start_of_month(DateTime::MAX, 1), None);
    assert_eq!(start_of_year(DateTime::MIN, i64::MIN), None);
    assert_eq!(start_of_week(DateTime::MAX, i64::MAX), None);
}

#[test]
fn make_datetime_doc_examples() {
    // make-datetime-function.
    assert_eq!(
        iso(make_datetime(2017, 10, 1, 0, 0, 0.0)),
        "2017-10-01T00:00:00.0000000Z"
    );
    assert_eq!(
        iso(make_datetime(2017, 10, 1, 12, 10, 0.0)),
        "2017-10-01T12:10:00.0000000Z"
    );
    assert_eq!(
        iso(make_datetime(2017, 10, 1, 12, 11, 0.1234567)),
        "2017-10-01T12:11:00.1234567Z"
    );
    assert_eq!(
        iso(make_datetime(2017, 10, 1, 12, 11, 0.3)),
        "2017-10-01T12:11:00.3000000Z"
    );
    for (y, mo, d, h, mi, s) in [
        (2017, 2, 29, 0, 0, 0.0),
        (0, 1, 1, 0, 0, 0.0),
        (10000, 1, 1, 0, 0, 0.0),
        (2017, 13, 1, 0, 0, 0.0),
        (2017, 1, 1, 24, 0, 0.0),
        (2017, 1, 1, 0, 60, 0.0),
        (2017, 1, 1, 0, 0, 60.0),
        (2017, 1, 1, 0, 0, -1.0),
        (2017, 1, 1, 0, 0, f64::NAN),
    ] {
        assert_eq!(
            make_datetime(y, mo, d, h, mi, s),
            None,
            "{y}-{mo}-{d} {h}:{mi}:{s}"
        );
    }
}

#[test]
fn bin_doc_examples() {
    // bin-function.
    assert_eq!(
        iso(bin_datetime(dt("1970-05-11 13:45:07"), ts("1d"))),
        "1970-05-11T00:00:00.0000000Z"
    );
    assert_eq!(
        bin_timespan(ts("16d"), ts("7d"))
            .map(|t| t.to_string())
            .as_deref(),
        Some("14.00:00:00")
    );
    assert_eq!(
        bin_timespan(ts("-1h"), ts("1d")),
        Some(Timespan(-TICKS_PER_DAY))
    );
    assert_eq!(bin_datetime(dt("2020-01-01"), Timespan(0)), None);
    assert_eq!(bin_datetime(dt("2020-01-01"), ts("-1d")), None);
    assert_eq!(bin_timespan(ts("1d"), Timespan(0)), None);
    // Bins count from 0001-01-01, a Monday: 7d bins start on Mondays.
    assert_eq!(
        iso(bin_datetime(dt("2017-01-01 10:00"), ts("7d"))),
        "2016-12-26T00:00:00.0000000Z"
    );
    assert_eq!(
        iso(bin_datetime(dt("2024-06-12 10:00"), ts("1h"))),
        "2024-06-12T10:00:00.0000000Z"
    );
    assert_eq!(
        iso(bin_datetime(dt("2024-06-12 10:17"), ts("15m"))),
        "2024-06-12T10:15:00.0000000Z"
    );
}

#[test]
fn bin_at_doc_examples() {
    // bin-at-function.
    assert_eq!(
        bin_at_timespan(ts("1h"), ts("1d"), ts("12h"))
            .map(|t| t.to_string())
            .as_deref(),
        Some("-12:00:00")
    );
    assert_eq!(
        iso(bin_at_datetime(
            dt("2017-05-15 10:20:00.0"),
            ts("1d"),
            dt("1970-01-01 12:00:00.0")
        )),
        "2017-05-14T12:00:00.0000000Z"
    );
    assert_eq!(
        iso(bin_at_datetime(
            dt("2017-05-17 10:20:00.0"),
            ts("7d"),
            dt("2017-06-04 00:00:00.0")
        )),
        "2017-05-14T00:00:00.0000000Z"
    );
    let fixed = dt("2018-02-24 15:14:00.0000000");
    let b = |s: &str| iso(bin_at_datetime(dt(s), ts("1d"), fixed));
    assert_eq!(b("2018-02-24T15:14"), "2018-02-24T15:14:00.0000000Z");
    assert_eq!(b("2018-02-24T15:24"), "2018-02-24T15:14:00.0000000Z");
    assert_eq!(b("2018-02-23T16:14"), "2018-02-23T15:14:00.0000000Z");
    assert_eq!(b("2018-02-23T17:29"), "2018-02-23T15:14:00.0000000Z");
    assert_eq!(b("2018-02-26T15:14"), "2018-02-26T15:14:00.0000000Z");
    assert_eq!(
        bin_at_datetime(DateTime::MIN, ts("1d"), dt("2000-01-01 12:00")),
        None
    );
    assert_eq!(bin_at_timespan(ts("1h"), Timespan(0), ts("12h")), None);
}

#[test]
fn unixtime_doc_examples() {
    // unixtime-*-todatetime-function pages.
    let want = "2019-01-01T00:00:00.0000000Z";
    assert_eq!(iso(unixtime_seconds_todatetime(1546300800.0)), want);
    assert_eq!(iso(unixtime_milliseconds_todatetime(1546300800000.0)), want);
    assert_eq!(
        iso(unixtime_microseconds_todatetime(1546300800000000.0)),
        want
    );
    assert_eq!(
        iso(unixtime_nanoseconds_todatetime(1546300800000000000.0)),
        want
    );
    assert_eq!(
        iso(unixtime_to_datetime_i64(
            1546300800123456789,
            UnixUnit::Nanoseconds
        )),
        "2019-01-01T00:00:00.1234567Z"
    );
    assert_eq!(
        iso(unixtime_to_datetime_i64(
            1546300800123,
            UnixUnit::Milliseconds
        )),
        "2019-01-01T00:00:00.1230000Z"
    );
    assert_eq!(
        iso(unixtime_seconds_todatetime(1.5)),
        "1970-01-01T00:00:01.5000000Z"
    );
    assert_eq!(
        iso(unixtime_seconds_todatetime(-1.0)),
        "1969-12-31T23:59:59.0000000Z"
    );
    assert_eq!(
        iso(unixtime_seconds_todatetime(0.1234567)),
        "1970-01-01T00:00:00.1234567Z"
    );
    assert_eq!(unixtime_seconds_todatetime(f64::NAN), None);
    assert_eq!(unixtime_seconds_todatetime(f64::INFINITY), None);
    assert_eq!(unixtime_seconds_todatetime(1e300), None);
    assert_eq!(unixtime_seconds_todatetime(-62135596801.0), None);
    assert_eq!(
        unixtime_seconds_todatetime(-62135596800.0),
        Some(DateTime::MIN)
    );
    assert_eq!(unixtime_to_datetime_i64(i64::MAX, UnixUnit::Seconds), None);
}

#[test]
fn format_datetime_doc_examples() {
    // format-datetime-function examples.
    let d = dt("2017-01-29 09:00:05");
    assert_eq!(
        format_datetime(d, "yy-MM-dd [HH:mm:ss]"),
        "17-01-29 [09:00:05]"
    );
    assert_eq!(
        format_datetime(d, "yyyy-M-dd [H:mm:ss]"),
        "2017-1-29 [9:00:05]"
    );
    assert_eq!(
        format_datetime(d, "yy-MM-dd [hh:mm:ss tt]"),
        "17-01-29 [09:00:05 AM]"
    );
}

#[test]
fn format_datetime_specifier_table() {
    // Every example column of the specifier table in format-datetime-function.
    let f = |s: &str, fmt: &str| format_datetime(dt(s), fmt);
    assert_eq!(f("2009-06-01T13:45:30", "d"), "1");
    assert_eq!(f("2009-06-15T13:45:30", "d"), "15");
    assert_eq!(f("2009-06-01T13:45:30", "dd"), "01");
    assert_eq!(f("2009-06-15T13:45:30.6170000", "f"), "6");
    assert_eq!(f("2009-06-15T13:45:30.05", "f"), "0");
    assert_eq!(f("2009-06-15T13:45:30.6170000", "ff"), "61");
    assert_eq!(f("2009-06-15T13:45:30.0050000", "ff"), "00");
    assert_eq!(f("2009-06-15 13:45:30.617", "fff"), "617");
    assert_eq!(f("2009-06-15 13:45:30.0005", "fff"), "000");
    assert_eq!(f("2009-06-15T13:45:30.6175000", "ffff"), "6175");
    assert_eq!(f("2009-06-15T13:45:30.0000500", "ffff"), "0000");
    assert_eq!(f("2009-06-15T13:45:30.6175400", "fffff"), "61754");
    assert_eq!(f("2009-06-15T13:45:30.000005", "fffff"), "00000");
    assert_eq!(f("2009-06-15T13:45:30.6175420", "ffffff"), "617542");
    assert_eq!(f("2009-06-15T13:45:30.0000005", "ffffff"), "000000");
    assert_eq!(f("2009-06-15T13:45:30.6175425", "fffffff"), "6175425");
    assert_eq!(f("2009-06-15T13:45:30.0001150", "fffffff"), "0001150");
    assert_eq!(f("2009-06-15T13:45:30.6170000", "F"), "6");
    assert_eq!(f("2009-06-15T13:45:30.0500000", "F"), "");
    assert_eq!(f("2009-06-15T13:45:30.6170000", "FF"), "61");
    assert_eq!(f("2009-06-15T13:45:30.0050000", "FF"), "");
    assert_eq!(f("2009-06-15T13:45:30.6170000", "FFF"), "617");
    assert_eq!(f("2009-06-15T13:45:30.0005000", "FFF"), "");
    assert_eq!(f("2009-06-15T13:45:30.5275000", "FFFF"), "5275");
    assert_eq!(f("2009-06-15T13:45:30.0000500", "FFFF"), "");
    assert_eq!(f("2009-06-15T13:45:30.6175400", "FFFFF"), "61754");
    assert_eq!(f("2009-06-15T13:45:30.0000050", "FFFFF"), "");
    assert_eq!(f("2009-06-15T13:45:30.6175420", "FFFFFF"), "617542");
    assert_eq!(f("2009-06-15T13:45:30.0000005", "FFFFFF"), "");
    assert_eq!(f("2009-06-15T13:45:30.6175425", "FFFFFFF"), "6175425");
    assert_eq!(f("2009-06-15T13:45:30.0001150", "FFFFFFF"), "000115");
    assert_eq!(f("2009-06-15T01:45:30", "h"), "1");
    assert_eq!(f("2009-06-15T13:45:30", "h"), "1");
    assert_eq!(f("2009-06-15T01:45:30", "hh"), "01");
    assert_eq!(f("2009-06-15T13:45:30", "hh"), "01");
    assert_eq!(f("2009-06-15T01:45:30", "H"), "1");
    assert_eq!(f("2009-06-15T13:45:30", "H"), "13");
    assert_eq!(f("2009-06-15T01:45:30", "HH"), "01");
    assert_eq!(f("2009-06-15T13:45:30", "HH"), "13");
    assert_eq!(f("2009-06-15T01:09:30", "m"), "9");
    assert_eq!(f("2009-06-15T13:29:30", "m"), "29");
    assert_eq!(f("2009-06-15T01:09:30", "mm"), "09");
    assert_eq!(f("2009-06-15T01:45:30", "mm"), "45");
    assert_eq!(f("2009-06-15T13:45:30", "M"), "6");
    assert_eq!(f("2009-06-15T13:45:30", "MM"), "06");
    assert_eq!(f("2009-06-15T13:45:09", "s"), "9");
    assert_eq!(f("2009-06-15T13:45:09", "ss"), "09");
    assert_eq!(f("0001-01-01T00:00:00", "y"), "1");
    assert_eq!(f("0900-01-01T00:00:00", "y"), "0");
    assert_eq!(f("1900-01-01T00:00:00", "y"), "0");
    assert_eq!(f("2009-06-15T13:45:30", "y"), "9");
    assert_eq!(f("2019-06-15T13:45:30", "y"), "19");
    assert_eq!(f("0001-01-01T00:00:00", "yy"), "01");
    assert_eq!(f("0900-01-01T00:00:00", "yy"), "00");
    assert_eq!(f("1900-01-01T00:00:00", "yy"), "00");
    assert_eq!(f("2019-06-15T13:45:30", "yy"), "19");
    assert_eq!(f("0001-01-01T00:00:00", "yyyy"), "0001");
    assert_eq!(f("0900-01-01T00:00:00", "yyyy"), "0900");
    assert_eq!(f("1900-01-01T00:00:00", "yyyy"), "1900");
    assert_eq!(f("2009-06-15T13:45:30", "yyyy"), "2009");
    assert_eq!(f("2009-06-15T13:45:09", "tt"), "PM");
}

#[test]
fn format_datetime_other_forms() {
    let d = dt("2009-06-15T13:45:30.5");
    assert_eq!(format_datetime(d, "HH:mm:ss.FFF"), "13:45:30.5");
    assert_eq!(
        format_datetime(dt("2009-06-15T13:45:30"), "HH:mm:ss.FFF"),
        "13:45:30"
    );
    assert_eq!(format_datetime(d, "ddd, dd MMM yyyy"), "Mon, 15 Jun 2009");
    assert_eq!(format_datetime(d, "dddd MMMM"), "Monday June");
    assert_eq!(format_datetime(d, "yyyy'T'HH\\Z"), "2009T13Z");
    assert_eq!(format_datetime(d, "t"), "P");
    assert_eq!(
        format_datetime(dt("2009-06-15T00:05"), "h:mm tt"),
        "12:05 AM"
    );
    assert_eq!(
        format_datetime(dt("2009-06-15T12:05"), "h:mm tt"),
        "12:05 PM"
    );
    // Published Sentinel queries use these two.
    assert_eq!(
        format_datetime(d, "MM/dd/yyyy HH:mm tt"),
        "06/15/2009 13:45 PM"
    );
    assert_eq!(format_datetime(d, "y-M-d"), "9-6-15");
    assert_eq!(format_datetime(d, ""), "");
}

#[test]
fn format_timespan_doc_examples() {
    // format-timespan-function example.
    let t = ts("29.09:00:05.12345");
    assert_eq!(format_timespan(t, "dd.hh:mm:ss:FF"), "29.09:00:05:12");
    assert_eq!(
        format_timespan(t, "ddd.h:mm:ss [fffffff]"),
        "029.9:00:05 [1234500]"
    );
}

#[test]
fn format_timespan_specifier_table() {
    let f = |s: &str, fmt: &str| format_timespan(ts(s), fmt);
    assert_eq!(f("15.13:45:30", "d"), "15");
    assert_eq!(f("15.13:45:30", "dd"), "15");
    assert_eq!(f("15.13:45:30", "ddd"), "015");
    assert_eq!(f("15.13:45:30.6170000", "f"), "6");
    assert_eq!(f("15.13:45:30.05", "f"), "0");
    assert_eq!(f("15.13:45:30.6170000", "ff"), "61");
    assert_eq!(f("15.13:45:30.0050000", "ff"), "00");
    assert_eq!(f("15.13:45:30.6175000", "ffff"), "6175");
    assert_eq!(f("15.13:45:30.6175425", "fffffff"), "6175425");
    assert_eq!(f("15.13:45:30.0001150", "fffffff"), "0001150");
    assert_eq!(f("15.13:45:30.6170000", "F"), "6");
    assert_eq!(f("15.13:45:30.0500000", "F"), "");
    assert_eq!(f("15.13:45:30.0001150", "FFFFFFF"), "000115");
    assert_eq!(f("15.01:45:30", "H"), "1");
    assert_eq!(f("15.13:45:30", "H"), "13");
    assert_eq!(f("15.01:45:30", "HH"), "01");
    assert_eq!(f("15.01:09:30", "m"), "9");
    assert_eq!(f("15.13:29:30", "m"), "29");
    assert_eq!(f("15.01:09:30", "mm"), "09");
    assert_eq!(f("15.13:45:09", "s"), "9");
    assert_eq!(f("15.13:45:09", "ss"), "09");
    // Negative values print their magnitude (documented decision).
    assert_eq!(f("-1.02:03:04", "d.hh:mm:ss"), "1.02:03:04");
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn printed_datetimes_parse_back(ticks in 0i64..=DateTime::MAX.0) {
            let d = DateTime(ticks);
            prop_assert_eq!(DateTime::parse(&d.to_string()), Some(d));
        }

        #[test]
        fn printed_timespans_parse_back(ticks in -(10_000 * TICKS_PER_DAY)..(10_000 * TICKS_PER_DAY)) {
            let t = Timespan(ticks);
            prop_assert_eq!(Timespan::parse(&t.to_string()), Some(t));
        }

        #[test]
        fn parsers_never_panic(s in "\\PC{0,40}") {
            let _ = DateTime::parse(&s);
            let _ = DateTime::parse_us_portal(&s);
            let _ = Timespan::parse(&s);
            let _ = Timespan::parse_literal(&s);
        }

        #[test]
        fn parsers_never_panic_on_near_misses(s in "[0-9:./ TZ+-]{0,30}") {
            let _ = DateTime::parse(&s);
            let _ = Timespan::parse_literal(&s);
        }

        #[test]
        fn calendar_functions_stay_in_range(ticks in 0i64..=DateTime::MAX.0, n in -20_000i64..20_000) {
            let d = DateTime(ticks);
            for f in [start_of_day, end_of_day, start_of_week, end_of_week, start_of_month, end_of_month, start_of_year, end_of_year] {
                if let Some(r) = f(d, n) { prop_assert!(DateTime::from_ticks(r.0).is_some()); }
            }
            prop_assert!(start_of_day(d, 0).unwrap() <= d);
            prop_assert!(end_of_month(d, 0).unwrap() >= d);
            let w = week_of_year(d);
            prop_assert!((1..=53).contains(&w));
            let _ = format_datetime(d, "dddd yyyy-MM-dd HH:mm:ss.fffffff tt FFFF");
        }
    }
}
