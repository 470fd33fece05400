//! Hostile input: deep nesting gives an error instead of a stack overflow,
//! long chains and big texts parse, nothing panics.

#![allow(clippy::expect_used, clippy::unwrap_used)]

/// Parses on a thread with a 2 MB stack (what the test harness gives).
/// The tree is dropped on a bigger stack: dropping a tree recurses (derived
/// `Drop`), and the long chains built here are thousands of levels deep.
fn parse_small_stack(q: String) -> Result<(), String> {
    let result = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || kqlite::internals::syntax::parse(&q).map_err(|e| e.message))
        .expect("spawn")
        .join()
        .expect("parser thread panicked or overflowed");
    std::thread::Builder::new()
        .stack_size(256 * 1024 * 1024)
        .spawn(move || result.map(|_| ()))
        .expect("spawn")
        .join()
        .expect("drop")
}

fn nested(kind: &str, n: usize) -> String {
    match kind {
        "paren" => format!("print {}1{}", "(".repeat(n), ")".repeat(n)),
        "neg" => format!("print {}1", "-".repeat(n)),
        "call" => format!("print {}1{}", "f(".repeat(n), ")".repeat(n)),
        "index" => format!("print a{}{}", "[b".repeat(n), "]".repeat(n)),
        "in" => format!("print {}1{}", "x in (".repeat(n), ")".repeat(n)),
        "dynamic" => format!("print dynamic({}1{})", "[".repeat(n), "]".repeat(n)),
        "pipe" => format!("{}T{}", "(".repeat(n), " | take 1)".repeat(n)),
        "join" => format!(
            "T{}",
            " | join kind=inner (U".repeat(n) + &") on x".repeat(n)
        ),
        "union" => format!("{}T{}", "union (".repeat(n), ")".repeat(n)),
        "toscalar" => format!(
            "T | extend x = {}1{}",
            "toscalar(T | extend y = ".repeat(n),
            ")".repeat(n)
        ),
        "function" => format!("{}1{}", "let f = () { ".repeat(n), " }; 1".repeat(n)),
        "fork" => format!("T | {}take 1{}", "fork (".repeat(n), ")".repeat(n)),
        "mv-apply" => format!("T | {}take 1{}", "mv-apply x on (".repeat(n), ")".repeat(n)),
        "partition" => format!(
            "T | {}take 1{}",
            "partition by x (".repeat(n),
            ")".repeat(n)
        ),
        "between" => format!("print {}1{}", "x between (1 .. ".repeat(n), ")".repeat(n)),
        _ => unreachable!(),
    }
}

const KINDS: &[&str] = &[
    "paren",
    "neg",
    "call",
    "index",
    "in",
    "dynamic",
    "pipe",
    "join",
    "union",
    "toscalar",
    "function",
    "fork",
    "mv-apply",
    "partition",
    "between",
];

#[test]
fn hundred_thousand_nested_parentheses_is_a_clear_error() {
    let err = parse_small_stack(nested("paren", 100_000)).unwrap_err();
    assert!(err.contains("nested too deeply"), "{err}");
}

#[test]
fn every_kind_of_deep_nesting_is_an_error_not_a_crash() {
    for kind in KINDS {
        let err = parse_small_stack(nested(kind, 5_000)).unwrap_err();
        assert!(err.contains("nested too deeply"), "{kind}: {err}");
    }
}

#[test]
fn moderate_nesting_parses() {
    for kind in KINDS {
        parse_small_stack(nested(kind, 25)).unwrap_or_else(|e| panic!("{kind}: {e}"));
    }
}

#[test]
fn one_megabyte_queries_parse() {
    let big_string = format!("T | where a == '{}'", "x".repeat(1 << 20));
    parse_small_stack(big_string).unwrap();
    let many_ops = format!(
        "T{}",
        "\n| extend a = b + 1 // comment\n| where a > 0".repeat(25_000)
    );
    assert!(many_ops.len() > 1 << 20);
    parse_small_stack(many_ops).unwrap();
    let long_list = format!(
        "T | where x in ({})",
        (0..150_000)
            .map(|k| format!("'v{k}'"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    assert!(long_list.len() > 1 << 20);
    parse_small_stack(long_list).unwrap();
}

#[test]
fn awkward_inputs_do_not_panic() {
    let inputs = [
        "",
        " ",
        "//",
        "\u{feff}",
        "|",
        ";",
        ";;",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        "'",
        "\"",
        "@",
        "@'",
        "h",
        "h'",
        "```",
        "~~~",
        "\\",
        "!",
        "!in",
        "0x",
        "1e",
        "1.",
        "1..",
        "datetime(",
        "dynamic(",
        "T | where x == 'é",
        "print 'a\\u12'",
        "print '\\U0011FFFF'",
        "print 99999999999999999999d",
        "print 1e999",
        "print 0xFFFFFFFFFFFFFFFFFF",
        "T | parse x with",
        "let",
        "let x",
        "let x =",
        "T | summarize by",
        "print ['",
        "print [\"a\"",
        "print a.",
        "print a[",
        "print -",
        "T | take 1 |",
        "print '\u{10FFFF}'",
        "print \u{2028}1",
        "print x\u{a0}",
        "\r\n\r\n",
        "#",
        "# x",
        "T | render",
    ];
    for q in inputs {
        let _ = parse_small_stack(q.to_string());
    }
}
