//! Shared by the cargo-fuzz targets (`fuzz/fuzz_targets/`) and the bounded
//! property runs in `tests/robust_fuzz.rs`: each harness turns a byte string
//! into an input and checks that kqlite neither panics nor loses a row.
//!
//! Every function here is total: any byte string is a valid input.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use kqlite::DataType;
use kqlite::ExecError;
use kqlite::output::{CsvWriter, JsonLinesWriter, TableWriter};
use kqlite::{DateTime, Value};
use kqlite::{Engine, EngineOptions, ResultSink};
use kqlite::{Field, Schema};
use std::ops::ControlFlow;

/// Reads choices from fuzz bytes; past the end every choice is 0.
pub struct Src<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Src<'a> {
    pub fn new(data: &'a [u8]) -> Src<'a> {
        Src { data, pos: 0 }
    }
    pub fn byte(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }
    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        let v = (usize::from(self.byte()) << 8) | usize::from(self.byte());
        v % n.max(1)
    }
    pub fn pick<'b, T>(&mut self, items: &'b [T]) -> &'b T {
        &items[self.below(items.len())]
    }
    pub fn exhausted(&self) -> bool {
        self.pos >= self.data.len()
    }
    /// The bytes not yet read.
    pub fn rest(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or(&[])
    }
}

// ---------------------------------------------------------------------------
// Queries

/// The small table every generated query may read.
pub const TABLE_COLUMNS: &[(&str, DataType)] = &[
    ("b", DataType::Bool),
    ("i", DataType::Int),
    ("l", DataType::Long),
    ("r", DataType::Real),
    ("s", DataType::String),
    ("d", DataType::DateTime),
    ("t", DataType::Timespan),
    ("g", DataType::Guid),
    ("y", DataType::Dynamic),
];

const LITERALS: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "7",
    "9223372036854775807",
    "-9223372036854775807",
    "long(-9223372036854775808)",
    "int(2147483647)",
    "int(-2147483648)",
    "int(null)",
    "long(null)",
    "real(null)",
    "0.0",
    "-0.0",
    "1.5",
    "1e308",
    "-1e308",
    "5e-324",
    "real(nan)",
    "real(+inf)",
    "real(-inf)",
    "true",
    "false",
    "bool(null)",
    "\"\"",
    "\"abc\"",
    "\"a,b;c\"",
    "\"ÄéØ 😀\"",
    "'\\u0000'",
    "\"\\n\\t\\\"\"",
    "\"{\\\"a\\\":[1,{\\\"b\\\":2}]}\"",
    "\"[1,2,3]\"",
    "\"192.168.1.1\"",
    "\"::1\"",
    "\"10.0.0.0/8\"",
    "\"2024-01-02T03:04:05Z\"",
    "\"1.02:03:04\"",
    "\"-9223372036854775808\"",
    "\"1e400\"",
    "\"%s%n%x\"",
    "\"*\"",
    "\"(a+)+$\"",
    "datetime(2024-11-04 10:00:00)",
    "datetime(0001-01-01)",
    "datetime(9999-12-31 23:59:59.9999999)",
    "datetime(null)",
    "timespan(null)",
    "1d",
    "1.5h",
    "-10ms",
    "0s",
    "time(10675199.02:48:05.4775807)",
    "guid(8E3AF657-A8FF-443C-A75C-2FE8C4BCB635)",
    "guid(null)",
    "dynamic(null)",
    "dynamic([])",
    "dynamic({})",
    "dynamic([1, \"a\", null, 2.5, [3]])",
    "dynamic({\"a\": 1, \"b\": {\"c\": [1, 2]}, \"\": null})",
    "dynamic(\"str\")",
    "dynamic(-9223372036854775808)",
    "decimal(1.5)",
];

const BINARY: &[&str] = &[
    "+",
    "-",
    "*",
    "/",
    "%",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "and",
    "or",
    "contains",
    "!contains",
    "has",
    "!has",
    "startswith",
    "endswith",
    "=~",
    "!~",
    "hasprefix",
    "has_cs",
    "contains_cs",
    "matches regex",
];

/// A scalar expression of at most `depth` levels.
pub fn expr(src: &mut Src, depth: usize, columns: &[&str]) -> String {
    let leaf = depth == 0 || src.exhausted();
    let choice = if leaf { src.below(2) } else { src.below(12) };
    match choice {
        0 => src.pick(LITERALS).to_string(),
        1 => {
            if columns.is_empty() {
                src.pick(LITERALS).to_string()
            } else {
                src.pick(columns).to_string()
            }
        }
        2 | 3 => {
            let a = expr(src, depth - 1, columns);
            let b = expr(src, depth - 1, columns);
            format!("({a} {} {b})", src.pick(BINARY))
        }
        4..=6 => call(src, depth, columns),
        7 => {
            let a = expr(src, depth - 1, columns);
            match src.below(4) {
                0 => format!("-({a})"),
                1 => format!("not({a})"),
                2 => format!("({a})[{}]", src.pick(&["0", "1", "-1", "100", "\"a\""])),
                _ => format!("({a}).{}", src.pick(&["a", "b", "['c']", "['']"])),
            }
        }
        8 => {
            let a = expr(src, depth - 1, columns);
            let b = expr(src, depth - 1, columns);
            let c = expr(src, depth - 1, columns);
            match src.below(3) {
                0 => format!("iff({a}, {b}, {c})"),
                1 => format!("case({a}, {b}, {c})"),
                _ => format!("({a} between ({b} .. {c}))"),
            }
        }
        9 => {
            let a = expr(src, depth - 1, columns);
            let b = expr(src, depth - 1, columns);
            let c = expr(src, depth - 1, columns);
            let op = src.pick(&["in", "!in", "in~", "has_any", "has_all"]);
            format!("({a} {op} ({b}, {c}))")
        }
        10 => {
            let a = expr(src, depth - 1, columns);
            let ty = src.pick(&[
                "tostring",
                "toint",
                "tolong",
                "toreal",
                "todouble",
                "tobool",
                "todatetime",
                "totimespan",
                "toguid",
                "todynamic",
                "parse_json",
                "todecimal",
            ]);
            format!("{ty}({a})")
        }
        _ => {
            let a = expr(src, depth - 1, columns);
            let b = expr(src, depth - 1, columns);
            match src.below(4) {
                0 => format!("bin({a}, {b})"),
                1 => format!("strcat({a}, {b})"),
                2 => format!("pack_array({a}, {b})"),
                _ => format!("bag_pack(\"k\", {a}, \"m\", {b})"),
            }
        }
    }
}

/// A call of a function from the library, with a fitting number of arguments.
fn call(src: &mut Src, depth: usize, columns: &[&str]) -> String {
    let names: Vec<&str> = kqlite::internals::functions::scalar_names().collect();
    let name = *src.pick(&names);
    let (min, max) = kqlite::internals::functions::lookup_scalar(name)
        .map_or((0, 2), |f| (f.min_args, f.max_args.min(f.min_args + 3)));
    let count = min + src.below(max - min + 1);
    let args: Vec<String> = (0..count).map(|_| expr(src, depth - 1, columns)).collect();
    format!("{name}({})", args.join(", "))
}

const AGGREGATES: &[&str] = &[
    "count()",
    "sum(X)",
    "avg(X)",
    "min(X)",
    "max(X)",
    "dcount(X)",
    "countif(X)",
    "make_list(X)",
    "make_set(X)",
    "make_bag(X)",
    "arg_max(X, *)",
    "arg_min(X, s)",
    "any(X)",
    "take_any(X)",
    "stdev(X)",
    "variance(X)",
    "percentile(X, 50)",
    "sumif(X, X)",
];

/// A whole query: a source and a few operators.
pub fn query(src: &mut Src) -> String {
    let cols: Vec<&str> = TABLE_COLUMNS.iter().map(|(n, _)| *n).collect();
    let depth = 1 + src.below(4);
    let (mut q, mut columns): (String, Vec<&str>) = match src.below(4) {
        0 => {
            let a = expr(src, depth, &[]);
            let b = expr(src, depth, &[]);
            (format!("print x = {a}, z = {b}"), vec!["x", "z"])
        }
        1 => {
            let rows = [
                "1, \"a\", dynamic({\"a\": 1})",
                "-1, \"\", dynamic(null)",
                "long(null), \"é\", dynamic([1, 2])",
                "9223372036854775807, \"x\", dynamic(\"s\")",
            ];
            let n = src.below(rows.len() + 1);
            (
                format!(
                    "datatable(x: long, z: string, y: dynamic) [{}]",
                    rows[..n].join(", ")
                ),
                vec!["x", "z", "y"],
            )
        }
        2 => {
            let a = src.pick(&[
                "0",
                "1",
                "-5",
                "9223372036854775800",
                "-9223372036854775807",
            ]);
            let n = src.pick(&["1", "10", "-3", "100"]);
            let step = src.pick(&["1", "2", "-1", "3", "0"]);
            (
                format!("range x from {a} to ({a} + {n}) step {step}"),
                vec!["x"],
            )
        }
        _ => ("T".to_string(), cols.clone()),
    };
    let ops = src.below(4);
    for _ in 0..ops {
        let e = expr(src, depth, &columns);
        match src.below(10) {
            0 | 1 => {
                q.push_str(&format!(" | extend e = {e}"));
                if !columns.contains(&"e") {
                    columns.push("e");
                }
            }
            2 | 3 => q.push_str(&format!(" | where {e}")),
            4 => {
                let agg = src.pick(AGGREGATES).replace('X', &e);
                let key = expr(src, depth.min(2), &columns);
                q.push_str(&format!(" | summarize a = {agg} by k = {key}"));
                columns = vec!["a", "k"];
            }
            5 => q.push_str(&format!(
                " | order by {e} {}",
                src.pick(&["asc", "desc", "asc nulls first", "desc nulls last"])
            )),
            6 => q.push_str(&format!(" | top {} by {e}", src.pick(&["0", "1", "3"]))),
            7 => {
                q.push_str(&format!(" | project p = {e}"));
                columns = vec!["p"];
            }
            8 => q.push_str(&format!(" | take {}", src.pick(&["0", "1", "2", "100"]))),
            _ => {
                if let Some(c) = columns.first() {
                    q.push_str(&format!(" | distinct {c}"));
                    columns.truncate(1);
                }
            }
        }
    }
    q
}

/// An engine with the small table `T` (every column type, odd values).
pub fn engine(threads: usize) -> Engine {
    let mut engine = Engine::with_options(EngineOptions {
        threads: Some(threads),
        now: DateTime::parse("2024-11-05T00:00:00Z"),
        ..EngineOptions::default()
    });
    let schema = Schema::new(
        TABLE_COLUMNS
            .iter()
            .map(|(n, t)| Field::new(*n, *t))
            .collect(),
    );
    let rows = vec![
        vec![
            Value::Bool(true),
            Value::Int(1),
            Value::Long(i64::MAX),
            Value::Real(1.5),
            Value::string("abc"),
            Value::DateTime(DateTime(0)),
            Value::Timespan(kqlite::Timespan(i64::MAX)),
            Value::Null,
            kqlite::internals::json::parse_value("{\"a\":[1,{\"b\":null}],\"c\":\"x\"}")
                .unwrap_or(Value::Null),
        ],
        vec![
            Value::Bool(false),
            Value::Int(i32::MIN),
            Value::Long(i64::MIN),
            Value::Real(f64::NAN),
            Value::string(""),
            DateTime::parse("9999-12-31T23:59:59Z").map_or(Value::Null, Value::DateTime),
            Value::Timespan(kqlite::Timespan(i64::MIN)),
            Value::Null,
            kqlite::internals::json::parse_value("[1,\"2\",[3]]").unwrap_or(Value::Null),
        ],
        vec![Value::Null; TABLE_COLUMNS.len()],
    ];
    engine
        .add_rows("T", schema, rows)
        .expect("the rows of T are of their columns' types");
    engine
}

/// A writer that keeps a hash and a count of the bytes written, not the
/// bytes: the evaluator harness compares answers by hash, so that an answer
/// of hundreds of megabytes (a `range()` capped at its documented 2^20
/// values on each of 100 rows: 735 MB of JSON lines) is not also held in
/// memory three times over, once per format, beside the engine's own rows.
pub struct Digest {
    hasher: std::collections::hash_map::DefaultHasher,
    pub len: u64,
    /// The bytes of a character cut by the end of the last write.
    carry: Vec<u8>,
    /// Whether something written was not UTF-8.
    not_utf8: bool,
}

impl Digest {
    pub fn new() -> Digest {
        Digest {
            hasher: std::collections::hash_map::DefaultHasher::new(),
            len: 0,
            carry: Vec::new(),
            not_utf8: false,
        }
    }
    /// The hash of everything written, and its length.
    pub fn finish(&self) -> (u64, u64) {
        use std::hash::Hasher;
        (self.hasher.finish(), self.len)
    }
    /// Whether everything written was UTF-8 text.
    pub fn is_utf8(&self) -> bool {
        !self.not_utf8 && self.carry.is_empty()
    }
}

impl std::io::Write for Digest {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        use std::hash::Hasher;
        self.hasher.write(buf);
        self.len += buf.len() as u64;
        let mut text = std::mem::take(&mut self.carry);
        text.extend_from_slice(buf);
        if let Err(e) = std::str::from_utf8(&text) {
            match e.error_len() {
                Some(_) => self.not_utf8 = true,
                None => self.carry = text[e.valid_up_to()..].to_vec(),
            }
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A sink that writes every result in all three output formats: JSON lines
/// to `J` (kept as text by the rows harness, hashed by the evaluator
/// harness), CSV and the table hashed.
pub struct AllFormats<J: std::io::Write = Vec<u8>> {
    pub jsonl: JsonLinesWriter<J>,
    pub csv: CsvWriter<Digest>,
    pub table: TableWriter<Digest>,
    pub rows: usize,
}

impl AllFormats<Vec<u8>> {
    pub fn new() -> AllFormats<Vec<u8>> {
        AllFormats::with_jsonl(Vec::new())
    }
}

impl<J: std::io::Write> AllFormats<J> {
    pub fn with_jsonl(jsonl: J) -> AllFormats<J> {
        AllFormats {
            jsonl: JsonLinesWriter::new(jsonl),
            csv: CsvWriter::new(Digest::new()),
            table: TableWriter::new(Digest::new()),
            rows: 0,
        }
    }
}

impl<J: std::io::Write> ResultSink for AllFormats<J> {
    fn begin_table(&mut self, index: usize, schema: &Schema) -> Result<(), ExecError> {
        self.jsonl.begin_table(index, schema)?;
        self.csv.begin_table(index, schema)?;
        self.table.begin_table(index, schema)
    }
    fn row(&mut self, row: Vec<Value>) -> Result<ControlFlow<()>, ExecError> {
        self.rows += 1;
        let _ = self.jsonl.row(row.clone())?;
        let _ = self.csv.row(row.clone())?;
        self.table.row(row)
    }
    fn end_table(&mut self) -> Result<(), ExecError> {
        self.jsonl.end_table()?;
        self.csv.end_table()?;
        self.table.end_table()
    }
}

/// An error that means a bug: a panic turned into an error somewhere.
pub fn is_internal(message: &str) -> bool {
    message.contains("internal error") || message.contains("panicked")
}

/// Compiles and runs `text` over the small table; panics (fails the
/// harness) only on a panic or an internal error. Returns the hash and
/// length of the JSON-lines output when the query compiled and ran.
pub fn run_query(engine: &Engine, text: &str) -> Option<(u64, u64)> {
    let query = match engine.compile(text) {
        Ok(q) => q,
        Err(e) => {
            let rendered = e.render(text, "query");
            assert!(!is_internal(&rendered), "{text}\n{rendered}");
            return None;
        }
    };
    let mut sink = AllFormats::with_jsonl(Digest::new());
    match query.run(engine, &mut sink) {
        Ok(_) => {
            let digest = sink.jsonl.into_inner();
            assert!(digest.is_utf8(), "jsonl output is UTF-8: {text}");
            Some(digest.finish())
        }
        Err(e) => {
            let message = e.to_string();
            assert!(!is_internal(&message), "{text}\n{message}");
            None
        }
    }
}

/// The evaluator harness: a generated query, run at one and two threads,
/// must not panic and must give the same answer both times (queries with
/// `rand`/`new_guid` excepted).
pub fn check_eval(data: &[u8]) {
    let mut src = Src::new(data);
    let text = query(&mut src);
    let one = run_query(&engine(1), &text);
    if text.contains("rand")
        || text.contains("new_guid")
        || text.contains("take_any(")
        || text.contains("any(")
        || text.contains("arg_m")
        || text.contains("make_set")
    {
        return;
    }
    if one.is_some() && !text.contains("take") && !text.contains("top") {
        let two = run_query(&engine(2), &text);
        assert_eq!(one, two, "{text}");
    }
}

// ---------------------------------------------------------------------------
// Parser

/// The parser harness: any text parses or fails cleanly; a parsed query
/// prints to text that parses to the same tree, and printing is idempotent.
pub fn check_parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(tree) = kqlite::internals::syntax::parse(&text) else {
        return;
    };
    let printed = kqlite::internals::syntax::print(&tree);
    let again = match kqlite::internals::syntax::parse(&printed) {
        Ok(t) => t,
        Err(e) => panic!(
            "printed text does not parse: {}\n--- input ---\n{text}\n--- printed ---\n{printed}",
            e.diagnostic().render(&printed, "printed")
        ),
    };
    assert!(
        again == tree,
        "tree changed\n--- input ---\n{text}\n--- printed ---\n{printed}"
    );
    assert_eq!(
        kqlite::internals::syntax::print(&again),
        printed,
        "printing is not idempotent"
    );
}

// ---------------------------------------------------------------------------
// Rows

/// The row-decoder harness. The first 14 bytes choose column types, a chunk
/// size and a thread count; the rest is a JSON-lines file. Every column
/// decodes as every type without panicking, and through the engine every
/// non-blank line is either a row or a reported bad line — with the same
/// answer for any chunk size and thread count.
pub fn check_rows(data: &[u8]) {
    use kqlite::internals::input::chunk;
    use kqlite::internals::input::json_rows::RowDecoder;
    use kqlite::internals::input::trim_line;
    use kqlite::internals::json::RowSlots;

    let mut src = Src::new(data);
    const TYPES: &[DataType] = &[
        DataType::Bool,
        DataType::Int,
        DataType::Long,
        DataType::Real,
        DataType::Decimal,
        DataType::String,
        DataType::DateTime,
        DataType::Timespan,
        DataType::Guid,
        DataType::Dynamic,
    ];
    let names = ["a", "b", "c", "", "a\u{e9}"];
    let fields: Vec<Field> = names
        .iter()
        .map(|n| Field::new(*n, *src.pick(TYPES)))
        .collect();
    let chunk_size = 1 + src.below(64);
    let threads = 1 + src.below(2);
    let bytes = src.rest();

    // The decoder alone.
    let decoder = RowDecoder::new(&fields);
    let mut slots = RowSlots::new();
    let mut lines = 0u64;
    // A byte-order mark at the start is not a line (the engine skips it).
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    for (_, raw) in chunk::lines(text) {
        let Some(line) = trim_line(raw) else { continue };
        lines += 1;
        if decoder.scan(line, &mut slots).is_ok() {
            for column in 0..fields.len() {
                let _ = decoder.decode(line, &slots, column);
                if let Some(raw) = decoder.raw(line, &slots, column) {
                    for ty in TYPES {
                        let _ = kqlite::internals::input::json_rows::decode_value(raw, *ty);
                    }
                }
            }
        }
    }

    // Format detection: any bytes are recognised, or refused with an error
    // that names the formats tried.
    if let Err(e) = Engine::new().add_bytes("T", "fuzz.jsonl", bytes.to_vec()) {
        let rendered = e.render("", "query");
        assert!(
            rendered.contains("not a format kqlite recognises"),
            "{rendered}"
        );
    }

    // The engine reading JSON rows: no row lost, whatever the chunking.
    let mut answers = Vec::new();
    for (chunk_size, threads) in [(chunk_size, threads), (1 << 20, 1)] {
        let mut engine = Engine::with_options(EngineOptions {
            threads: Some(threads),
            chunk_size,
            ..EngineOptions::default()
        });
        engine
            .set_input_format("T", "jsonl")
            .expect("jsonl is a format");
        engine
            .add_bytes("T", "fuzz.jsonl", bytes.to_vec())
            .expect("bytes named as JSON rows are always accepted");
        for text in ["T | count", "T"] {
            let Some(out) = run_query_rows(&engine, text) else {
                continue;
            };
            answers.push(out);
        }
    }
    // Read as lines, each line is a row or a bad line. Bytes that start
    // with `[`, or with an object spread over several lines, are read as
    // one JSON document instead, whose faults are counted per document.
    let choice = kqlite::internals::input::FormatChoice::parse("jsonl").expect("jsonl is a format");
    let document = kqlite::internals::input::detect("fuzz.jsonl", bytes, "T", &choice)
        .map(|f| f.document)
        .unwrap_or(false);
    if let [a, b, c, d] = &answers[..] {
        assert_eq!(a, c, "count differs with chunking");
        assert_eq!(b, d, "rows differ with chunking");
        if !document {
            assert_eq!(a.1 + a.2, lines, "a line was neither a row nor a bad line");
        }
    }
}

/// Runs `text`, returning (output, rows read, bad lines).
fn run_query_rows(engine: &Engine, text: &str) -> Option<(String, u64, u64)> {
    let query = match engine.compile(text) {
        Ok(q) => q,
        Err(e) => {
            let rendered = e.render(text, "query");
            assert!(!is_internal(&rendered), "{rendered}");
            return None;
        }
    };
    let mut sink = AllFormats::new();
    let stats = query
        .run(engine, &mut sink)
        .expect("a scan of bytes cannot fail");
    let out = String::from_utf8(sink.jsonl.into_inner()).expect("jsonl output is UTF-8");
    Some((out, stats.rows_read, stats.bad_lines))
}
