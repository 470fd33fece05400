//! Printing a parsed query and parsing the print gives the same tree
//! (spans compare equal by design), and printing is idempotent.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use crate::common::corpus;

use kqlite::internals::syntax::{parse, print};

fn roundtrip(q: &str) -> Result<(), String> {
    let Ok(tree) = parse(q) else { return Ok(()) };
    let printed = print(&tree);
    let again = parse(&printed).map_err(|e| {
        format!(
            "printed text does not parse:\n{}\n--- printed ---\n{printed}",
            e.diagnostic().render(&printed, "printed")
        )
    })?;
    if again != tree {
        return Err(format!("tree changed\n--- printed ---\n{printed}"));
    }
    let printed_again = print(&again);
    if printed_again != printed {
        return Err(format!(
            "printing is not idempotent\n--- first ---\n{printed}\n--- second ---\n{printed_again}"
        ));
    }
    Ok(())
}

#[test]
fn every_corpus_query_roundtrips() {
    let mut failures = Vec::new();
    for c in corpus::cases() {
        if let Err(e) = roundtrip(&c.query) {
            failures.push(format!(
                "=== {}:{}\n{e}\n--- query ---\n{}",
                c.file, c.id, c.query
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn seed_queries_roundtrip() {
    for q in include_str!("../../examples/seed-queries.kql")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("//"))
    {
        roundtrip(q).unwrap();
    }
}

#[test]
fn tricky_forms_roundtrip() {
    let cases = [
        "print -1, - -x, -(1 + 2), a - -1, 0x7FFFFFFFFFFFFFFF",
        "datatable(a:long, b:real, c:timespan)[-1, -1.5, -2d, -9223372036854775807, 1e300, 0.1]",
        "print ['where'], ['a b'], ['null'], d.kind, d['time'], d.['x'][0], ['let']",
        "print ['datetime'](x), ['typeof'](y), toscalar(T | count), typeof(long), dynamic([1, {'a': null}])",
        "print \"tab\\there\", 'quote\"', @'c:\\x', \"\\u2028\", 'é'",
        "T | where a has 'x' and (b or c) and d in (1, 2) and e between (1 .. 2) and not(f)",
        "T | where (a + b) * c > d - (e - f) and g == (h == i)",
        "T | extend ['by'] = 1 | summarize ['by'] = count() by ['where']",
        "T | project-away a*, b | project-reorder c* desc | union U*, (V)",
        "let f = (T:(*), x:long = -1) { let y = x; T | take y }; f(U) | invoke g()",
        "T | mv-apply x on (summarize make_list(x) | take 1) | partition by p (take 1) | fork (take 1) n = (count)",
        "T | parse kind=regex flags=Ui m with * 'a' b:long 'c' * | parse-kv m as (k:string) with (quote='\"')",
        "T | make-series c = count() default = 0 on t in range(a, b, 1h) by x | render timechart with (title = 'x')",
        "set querytrace; declare query_parameters(p:string = 'a'); print p",
        "print 1.5h, 30m, 1tick, 100ms, 10microsecond, 0s, 1d",
        "print 5h.a, 1.5.b, 0x1F.c, (1).d, 1e300.e, 'x'.f",
        "T | render timechart with (ycolumns = a, b, title = 'x') | where a : 'b'",
        "T | render barchart kind=stacked",
        "T | scan with_match_id = m declare (c: long = 0, s: string) with (step a output = last: x > 1 => c = a.c + 1, s = 'x'; step b: true)",
        "T | sort by a asc nulls first, b desc | top 3 by c nulls last | top-nested 2 of a with others = 0 by count() desc",
    ];
    for q in cases {
        roundtrip(q).unwrap_or_else(|e| panic!("{q}\n{e}"));
    }
}

#[test]
fn long_chains_print_without_recursion() {
    let q = format!(
        "T | where {}",
        (0..20_000)
            .map(|k| format!("a{k}"))
            .collect::<Vec<_>>()
            .join(" or ")
    );
    let out = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            let tree = parse(&q).map_err(|e| e.message)?;
            let printed = print(&tree);
            std::mem::forget(tree); // dropping recurses; see parse_hostile.rs
            Ok::<_, String>(printed.len())
        })
        .unwrap()
        .join()
        .unwrap();
    assert!(out.unwrap() > 100_000);
}
