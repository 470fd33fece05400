//! Number printing, parsing, rounding and binning against the Kusto docs
//! (pages under https://learn.microsoft.com/kusto/query/) and the
//! conformance cases in shared/conformance/doc-cases.jsonl.

use kqlite::internals::value::number::*;

#[test]
fn real_printing_from_doc_outputs() {
    // stdev-aggregation-function: stdev(1..5) shows 1.58113883008419.
    assert_eq!(format_real(2.5f64.sqrt()), "1.58113883008419");
    // docs/semantics.md#real-text: pi.
    assert_eq!(format_real(std::f64::consts::PI), "3.14159265358979");
    // round-function and conformance round-01/03/04, bin-03, arith-03.
    assert_eq!(format_real(round(2.98765, 3)), "2.988");
    assert_eq!(format_real(round(2.15, 0)), "2");
    assert_eq!(format_real(round(-50.55, -2)), "-100");
    assert_eq!(format_real(bin_real(4.5, 1.0).unwrap()), "4");
    assert_eq!(format_real(1.0 / 2.0), "0.5");
    // conformance reverse-02: tostring(123.45) reversed is "54.321".
    assert_eq!(format_real(123.45), "123.45");
    // datetime-arith-02: (dt - datetime(1970-01-01)) / 1s.
    assert_eq!(format_real(1546897531.0), "1546897531");
}

#[test]
fn real_printing_notation_switch() {
    let cases = [
        (0.1 + 0.2, "0.3"),
        (1.0 / 3.0, "0.333333333333333"),
        (2.0 / 3.0, "0.666666666666667"),
        (-1.0, "-1"),
        (100.0, "100"),
        (123456789012345.0, "123456789012345"),
        (999999999999999.0, "999999999999999"),
        (1e15, "1E+15"),
        (1234567890123456.0, "1.23456789012346E+15"),
        (1e20, "1E+20"),
        (-2.5e100, "-2.5E+100"),
        (0.0001, "0.0001"),
        (0.00012345, "0.00012345"),
        (0.00001, "1E-05"),
        (1.5e-5, "1.5E-05"),
        (1e-300, "1E-300"),
        (f64::MAX, "1.79769313486232E+308"),
        (f64::MIN_POSITIVE, "2.2250738585072E-308"),
        (5e-324, "4.94065645841247E-324"),
        (0.0, "0"),
        (-0.0, "0"),
        (f64::NAN, "NaN"),
        (f64::INFINITY, "Infinity"),
        (f64::NEG_INFINITY, "-Infinity"),
        (9.999999999999999e14, "1E+15"),
        (0.1234567890123456, "0.123456789012346"),
    ];
    for (x, want) in cases {
        assert_eq!(format_real(x), want, "{x:e}");
    }
}

#[test]
fn long_printing() {
    assert_eq!(format_long(123), "123");
    assert_eq!(format_long(-5), "-5");
    assert_eq!(format_long(i64::MIN), "-9223372036854775808");
}

#[test]
fn integer_parsing() {
    // tolong-function / toint-function.
    assert_eq!(parse_long("123"), Some(123));
    assert_eq!(parse_int("123"), Some(123));
    // coalesce-function: tolong("not a number") is null, tolong("42") is 42.
    assert_eq!(parse_long("not a number"), None);
    assert_eq!(parse_long("42"), Some(42));
    assert_eq!(parse_long("  -17 "), Some(-17));
    assert_eq!(parse_long("+17"), Some(17));
    assert_eq!(parse_long("007"), Some(7));
    assert_eq!(parse_long("9223372036854775807"), Some(i64::MAX));
    assert_eq!(parse_long("-9223372036854775808"), Some(i64::MIN));
    for bad in [
        "",
        " ",
        "+",
        "-",
        "1.5",
        "1.0",
        "1e3",
        "0x1F",
        "1,000",
        "1 2",
        "--1",
        "+-1",
        "9223372036854775808",
        "١٢",
    ] {
        assert_eq!(parse_long(bad), None, "{bad:?}");
    }
    assert_eq!(parse_int("2147483647"), Some(i32::MAX));
    assert_eq!(parse_int("2147483648"), None);
    assert_eq!(parse_int("-2147483648"), Some(i32::MIN));
}

#[test]
fn real_parsing() {
    // toreal-function: todouble("123.4") == 123.4.
    assert_eq!(parse_real("123.4"), Some(123.4));
    let cases = [
        ("1e3", 1000.0),
        ("1E3", 1000.0),
        ("1.5e-3", 0.0015),
        (" -2.5 ", -2.5),
        ("+.5", 0.5),
        ("5.", 5.0),
        ("42", 42.0),
        ("1e400", f64::INFINITY),
        ("-Infinity", f64::NEG_INFINITY),
        ("inf", f64::INFINITY),
        ("+INF", f64::INFINITY),
    ];
    for (text, want) in cases {
        assert_eq!(parse_real(text), Some(want), "{text}");
    }
    assert!(parse_real("NaN").is_some_and(f64::is_nan));
    assert!(parse_real("nan").is_some_and(f64::is_nan));
    for bad in [
        "", ".", "e3", "1e", "1e+", "0x10", "1,5", "1_000", "abc", "1.2.3", "- 1", "infinit",
    ] {
        assert_eq!(parse_real(bad), None, "{bad:?}");
    }
}

#[test]
fn numeric_conversions() {
    // toint-function: toint(2.3) is 2 (conformance toint-02).
    assert_eq!(real_to_int(2.3), Some(2));
    assert_eq!(real_to_int(-2.7), Some(-2));
    assert_eq!(real_to_int(2147483647.9), Some(i32::MAX));
    assert_eq!(real_to_int(2147483648.0), None);
    assert_eq!(real_to_int(f64::NAN), None);
    assert_eq!(real_to_long(-9.9), Some(-9));
    assert_eq!(real_to_long(9.3e18), None);
    assert_eq!(real_to_long(-9_223_372_036_854_775_808.0), Some(i64::MIN));
    assert_eq!(real_to_long(f64::INFINITY), None);
    assert_eq!(long_to_int(5_000_000_000), None);
    assert_eq!(long_to_int(-5), Some(-5));
}

#[test]
fn round_doc_examples() {
    // round-function.
    assert_eq!(round(2.98765, 3), 2.988);
    assert_eq!(round(2.15, 1), 2.2);
    assert_eq!(round(2.15, 0), 2.0);
    assert_eq!(round(-50.55, -2), -100.0);
    assert_eq!(round(21.5, -1), 20.0);
    // Halves away from zero (decision).
    assert_eq!(round(2.5, 0), 3.0);
    assert_eq!(round(-2.5, 0), -3.0);
    assert_eq!(round(0.125, 2), 0.13);
    assert_eq!(round(1250.0, -2), 1300.0);
    assert_eq!(round(1.23456789e-10, 12), 1.23e-10);
    assert_eq!(round(1e300, 20), 1e300);
    assert_eq!(round(123.0, -400), 0.0);
    assert_eq!(round(123.0, i64::MIN), 0.0);
    assert_eq!(round(0.5, i64::MAX), 0.5);
    assert!(round(f64::NAN, 2).is_nan());
    assert_eq!(round_long(1250, -2), Some(1300));
    assert_eq!(round_long(-1250, -2), Some(-1300));
    assert_eq!(round_long(1249, -2), Some(1200));
    assert_eq!(round_long(7, 3), Some(7));
    assert_eq!(round_long(7, -30), Some(0));
    assert_eq!(round_long(i64::MAX, -1), None);
    // Found by fuzzing: negating i64::MIN overflowed (a panic with overflow checks).
    assert_eq!(round_long(7, i64::MIN), Some(0));
}

#[test]
fn bin_doc_examples() {
    // bin-function: bin(4.5, 1) is 4.
    assert_eq!(bin_real(4.5, 1.0), Some(4.0));
    assert_eq!(bin_real(-4.5, 1.0), Some(-5.0));
    assert_eq!(bin_real(2.15, 1.0), Some(2.0));
    assert_eq!(bin_real(1.0, 0.0), None);
    assert_eq!(bin_real(1.0, -1.0), None);
    assert_eq!(bin_real(1.0, f64::NAN), None);
    assert_eq!(bin_long(17, 5), Some(15));
    assert_eq!(bin_long(-17, 5), Some(-20));
    assert_eq!(bin_long(17, 0), None);
    assert_eq!(bin_long(i64::MIN, 3), None);
    // bin-at-function: bin_at(6.5, 2.5, 7) is 4.5.
    assert_eq!(bin_at_real(6.5, 2.5, 7.0), Some(4.5));
    assert_eq!(bin_at_long(6, 5, 2), Some(2));
    assert_eq!(bin_at_long(1, 5, 2), Some(-3));
    assert_eq!(bin_at_long(1, 0, 2), None);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn printed_reals_parse_back_within_15_digits(x in proptest::num::f64::NORMAL) {
            let back = parse_real(&format_real(x)).unwrap();
            prop_assert!(((back - x) / x).abs() < 1e-14, "{} -> {}", x, format_real(x));
        }

        #[test]
        fn printed_longs_parse_back(x in any::<i64>()) {
            prop_assert_eq!(parse_long(&format_long(x)), Some(x));
        }

        #[test]
        fn parsers_never_panic(s in "\\PC{0,20}") {
            let _ = parse_long(&s);
            let _ = parse_int(&s);
            let _ = parse_real(&s);
        }
    }
}
