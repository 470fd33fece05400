//! Group keys of `summarize` and `distinct` compare as Kusto's values do,
//! whatever the thread count and chunk size (a group is found from a row's
//! values without building its key; docs/semantics.md §7.3): nulls
//! are one group, `0`, `0.0` and `-0.0` one group, `1` and `1.0` one group,
//! `"a"` and `"A"` two (string equality is case-sensitive:
//! <https://learn.microsoft.com/kusto/query/summarize-operator>), the
//! string `"1"` not the number 1, bags equal whatever their key order,
//! arrays item by item. Each case's expected answer is what the engine gave
//! before groups were looked up in place.
//!
//! Kusto refuses a `dynamic` group key ("Summarize group key 'd' is of a
//! 'dynamic' type…", docs/semantics.md#dynamic-keys); these cases group
//! by the mixed column `d` with `EngineOptions::dynamic_keys`, the
//! switch for tools whose `dynamic` columns stand for unknown types, to
//! keep checking how such keys compare when they are accepted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::chunked::run_chunked_with;
use kqlite::EngineOptions;

const ROWS: &str = r#"{"i":0,"d":0,"s":"a","r":0.0}
{"i":1,"d":-0.0,"s":"A","r":-0.0}
{"i":2,"d":1,"s":"a","r":1.5}
{"i":3,"d":1.0,"s":"b","r":1.5}
{"i":4,"d":"1","s":"B","r":null}
{"i":5,"d":null,"s":"","r":null}
{"i":6,"d":{"x":1,"y":[2,null]},"s":"a","r":-0.0}
{"i":7,"d":{"y":[2,null],"x":1},"s":"A","r":0}
{"i":8,"d":[1,null],"s":"b","r":2}
{"i":9,"d":[1.0,null],"s":"b","r":2.0}
{"i":10,"s":"","r":1e300}
{"i":11,"d":"a","s":"a","r":1e300}
{"i":12,"d":"A","s":"A","r":-1.5}
{"i":13,"d":true,"s":"a","r":-1.5}
{"i":14,"d":"","s":"a","r":null}
"#;

const CASES: &[(&str, &str)] = &[
    (
        "T | summarize n = count(), ids = make_list(i) by d",
        r#"{"d":0,"n":2,"ids":[0,1]}
{"d":1,"n":2,"ids":[2,3]}
{"d":"1","n":1,"ids":[4]}
{"d":null,"n":2,"ids":[5,10]}
{"d":{"x":1,"y":[2,null]},"n":2,"ids":[6,7]}
{"d":[1,null],"n":2,"ids":[8,9]}
{"d":"a","n":1,"ids":[11]}
{"d":"A","n":1,"ids":[12]}
{"d":true,"n":1,"ids":[13]}
{"d":"","n":1,"ids":[14]}
"#,
    ),
    (
        "T | summarize n = count(), ids = make_list(i) by r, s",
        r#"{"r":0.0,"s":"a","n":2,"ids":[0,6]}
{"r":-0.0,"s":"A","n":2,"ids":[1,7]}
{"r":1.5,"s":"a","n":1,"ids":[2]}
{"r":1.5,"s":"b","n":1,"ids":[3]}
{"r":null,"s":"B","n":1,"ids":[4]}
{"r":null,"s":"","n":1,"ids":[5]}
{"r":2.0,"s":"b","n":2,"ids":[8,9]}
{"r":1e300,"s":"","n":1,"ids":[10]}
{"r":1e300,"s":"a","n":1,"ids":[11]}
{"r":-1.5,"s":"A","n":1,"ids":[12]}
{"r":-1.5,"s":"a","n":1,"ids":[13]}
{"r":null,"s":"a","n":1,"ids":[14]}
"#,
    ),
    (
        "T | distinct s, d",
        r#"{"s":"a","d":0}
{"s":"A","d":-0.0}
{"s":"a","d":1}
{"s":"b","d":1.0}
{"s":"B","d":"1"}
{"s":"","d":null}
{"s":"a","d":{"x":1,"y":[2,null]}}
{"s":"A","d":{"y":[2,null],"x":1}}
{"s":"b","d":[1,null]}
{"s":"a","d":"a"}
{"s":"A","d":"A"}
{"s":"a","d":true}
{"s":"a","d":""}
"#,
    ),
    (
        "T | summarize arg_max(i, s) by d",
        r#"{"d":0,"i":1,"s":"A"}
{"d":1,"i":3,"s":"b"}
{"d":"1","i":4,"s":"B"}
{"d":null,"i":10,"s":""}
{"d":{"x":1,"y":[2,null]},"i":7,"s":"A"}
{"d":[1,null],"i":9,"s":"b"}
{"d":"a","i":11,"s":"a"}
{"d":"A","i":12,"s":"A"}
{"d":true,"i":13,"s":"a"}
{"d":"","i":14,"s":"a"}
"#,
    ),
    (
        "T | summarize arg_min(r, i) by s",
        r#"{"s":"a","r":-1.5,"i":13}
{"s":"A","r":-1.5,"i":12}
{"s":"b","r":1.5,"i":3}
{"s":"B","r":null,"i":4}
{"s":"","r":1e300,"i":10}
"#,
    ),
    ("T | summarize n = count()", "{\"n\":15}\n"),
    ("T | where i < 0 | summarize n = count()", "{\"n\":0}\n"),
    ("T | where i < 0 | summarize n = count() by s", ""),
];

#[test]
fn group_keys_compare_as_kusto_values_whatever_the_chunking() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.jsonl");
    std::fs::write(&path, ROWS).unwrap();
    for (query, expected) in CASES {
        for threads in [1, 2] {
            for chunk_size in [40, 100, 1 << 20] {
                let options = EngineOptions {
                    threads: Some(threads),
                    chunk_size,
                    dynamic_keys: true,
                    ..EngineOptions::default()
                };
                let (got, _) = run_chunked_with("T", &path, query, options);
                assert_eq!(
                    &got, expected,
                    "{query} with {threads} threads, chunks of {chunk_size}"
                );
            }
        }
    }
}
