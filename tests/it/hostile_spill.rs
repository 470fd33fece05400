//! Issue 16: `sort` (and `summarize`) spill their rows to temporary files
//! past the memory budget, and the answer is byte for byte the in-memory
//! one. `EngineOptions::spill_after_rows` makes them spill small data;
//! every value type goes through the spill encoding.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kqlite::output::JsonLinesWriter;
use kqlite::{Engine, EngineOptions};

/// Rows of every type, with many ties on the sort keys (so stability
/// shows) and nulls.
fn mixed_rows(n: u64) -> Vec<u8> {
    let mut text = String::new();
    for i in 0..n {
        let h = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
        let k = h % 37;
        let null = h % 11 == 0;
        text.push_str(&format!(
            "{{\"i\":{i},\"k\":{},\"s\":\"v{}\",\"r\":{},\"d\":\"{}\",\"t\":\"{}\",\
             \"g\":\"{:08x}-0000-4000-8000-{:012x}\",\"dec\":\"{}.{:03}\",\
             \"dyn\":{}}}\n",
            if null {
                "null".to_string()
            } else {
                k.to_string()
            },
            h % 7,
            (h % 1000) as f64 / 7.0,
            format_args!("2024-01-{:02}T{:02}:00:00.1234567Z", 1 + h % 28, h % 24),
            format_args!("{}.{:02}:00:00", h % 3, h % 24),
            h % 5,
            i,
            h % 50,
            h % 1000,
            match h % 4 {
                0 => format!("{{\"a\":{k},\"b\":[1,\"x\",{{\"z\":null}}]}}"),
                1 => format!("[{k},2.5,\"é\"]"),
                2 => "null".to_string(),
                _ => format!("\"text {k}\""),
            },
        ));
    }
    text.into_bytes()
}

fn run(data: &[u8], query: &str, spill_after_rows: Option<usize>, threads: usize) -> String {
    let mut engine = Engine::with_options(EngineOptions {
        threads: Some(threads),
        chunk_size: 16 << 10,
        spill_after_rows,
        ..EngineOptions::default()
    });
    engine.add_bytes("T", "t.jsonl", data.to_vec()).unwrap();
    let q = engine
        .compile(query)
        .unwrap_or_else(|e| panic!("{}", e.render(query, "query")));
    let mut out = JsonLinesWriter::new(Vec::new());
    q.run(&engine, &mut out).unwrap();
    String::from_utf8(out.into_inner()).unwrap()
}

#[test]
fn a_spilled_sort_is_the_in_memory_sort() {
    let data = mixed_rows(20_000);
    for query in [
        "T | extend dec = todecimal(dec), g = toguid(g), d = todatetime(d), t = totimespan(t) \
         | sort by k asc",
        "T | extend dec = todecimal(dec), g = toguid(g), d = todatetime(d), t = totimespan(t) \
         | sort by s desc, k asc nulls last",
        "T | sort by r, d | project i, r, d, dyn",
        "T | sort by tostring(dyn) | extend n = row_number()",
        "T | extend dec = todecimal(dec) | sort by dec asc, g | take 15000",
    ] {
        let expected = run(&data, query, None, 2);
        assert_eq!(
            expected.lines().count(),
            if query.contains("15000") {
                15000
            } else {
                20_000
            }
        );
        for (spill, threads) in [(Some(1), 2), (Some(777), 1), (Some(5000), 2)] {
            assert_eq!(
                run(&data, query, spill, threads),
                expected,
                "{query} spilling every {spill:?} rows"
            );
        }
    }
}
