//! Reading results as Rust values: `Query::collect`, `rows`, typed reads
//! with `Row::get`, and serde deserialisation into user structs.

use kqlite::Error;
use kqlite::{DataError, Engine, EngineOptions, Table};
use kqlite::{DateTime, Guid, Timespan, Value};

fn engine() -> Engine {
    let mut engine = Engine::with_options(EngineOptions {
        now: DateTime::parse("2024-11-05T00:00:00Z"),
        ..EngineOptions::default()
    });
    engine
        .add_path("Events", "tests/data/operators/EventsTable1.jsonl")
        .unwrap();
    engine
}

#[test]
fn rows_are_read_by_name_and_position_as_rust_types() {
    let engine = engine();
    let query = engine
        .compile("Events | summarize Count = count() by Level | order by Level asc")
        .unwrap();
    let rows: Vec<(String, i64)> = query
        .rows(&engine)
        .unwrap()
        .map(|r| (r.get("Level").unwrap(), r.get(1).unwrap()))
        .collect();
    let table = query.collect(&engine).unwrap();
    assert_eq!(table.len(), rows.len());
    assert_eq!(
        table.schema().names().collect::<Vec<_>>(),
        ["Level", "Count"]
    );
    for (row, (level, count)) in table.iter().zip(&rows) {
        assert_eq!(row.get::<&str>("Level").unwrap(), level);
        assert_eq!(row.get::<i64>("Count").unwrap(), *count);
        assert_eq!(row.values()[1], Value::Long(*count));
    }
    assert!(rows.iter().any(|(l, n)| l == "Error" && *n > 0));
}

#[test]
fn every_scalar_type_reads_as_its_rust_type() {
    let engine = Engine::new();
    let query = engine
        .compile(
            "print b = true, i = int(7), l = 8, r = 1.5, s = 'x', \
             d = datetime(2024-01-02T03:04:05Z), t = 90m, \
             g = guid(8e3af657-a8ff-443c-a75c-2fe8c4bcb635), y = dynamic({'a':[1,2]})",
        )
        .unwrap();
    let row = query.rows(&engine).unwrap().next().unwrap();
    assert!(row.get::<bool>("b").unwrap());
    assert_eq!(row.get::<i32>("i").unwrap(), 7);
    assert_eq!(row.get::<i64>("i").unwrap(), 7, "an int widens to i64");
    assert_eq!(row.get::<i64>("l").unwrap(), 8);
    assert_eq!(
        row.get::<i32>("l").unwrap(),
        8,
        "a long that fits reads as i32"
    );
    assert_eq!(row.get::<f64>("l").unwrap(), 8.0, "a long widens to f64");
    assert_eq!(row.get::<f64>("r").unwrap(), 1.5);
    assert_eq!(row.get::<String>("s").unwrap(), "x");
    assert_eq!(
        row.get::<DateTime>("d").unwrap(),
        DateTime::parse("2024-01-02T03:04:05Z").unwrap()
    );
    assert_eq!(row.get::<Timespan>("t").unwrap().to_string(), "01:30:00");
    assert_eq!(
        row.get::<Guid>("g").unwrap(),
        Guid::parse("8e3af657-a8ff-443c-a75c-2fe8c4bcb635").unwrap()
    );
    assert_eq!(
        row.get::<serde_json::Value>("y").unwrap(),
        serde_json::json!({"a": [1, 2]})
    );
    assert!(matches!(row.get::<Value>("y").unwrap(), Value::Bag(_)));
    assert!(row.get::<i64>("r").is_err(), "a real never narrows to i64");
}

#[test]
fn nulls_read_as_none_and_are_errors_otherwise() {
    let engine = Engine::new();
    let query = engine
        .compile("print n = long(null), s = '', d = datetime(null)")
        .unwrap();
    let row = query.rows(&engine).unwrap().next().unwrap();
    assert_eq!(row.get::<Option<i64>>("n").unwrap(), None);
    assert_eq!(row.get::<Option<DateTime>>("d").unwrap(), None);
    assert_eq!(
        row.get::<Option<String>>("s").unwrap(),
        Some(String::new()),
        "a null string is the empty string"
    );
    let e = row.get::<i64>("n").expect_err("an error");
    assert_eq!(
        e.to_string(),
        r#"column "n" holds null, which cannot be read as i64"#
    );
}

#[test]
fn wrong_reads_name_the_column_and_both_types() {
    let engine = Engine::new();
    let query = engine.compile("print Name = 'x', Count = 3").unwrap();
    let row = query.rows(&engine).unwrap().next().unwrap();
    let e = row.get::<i64>("Name").expect_err("an error");
    assert!(matches!(e, Error::Data(DataError::Mismatch { .. })));
    assert_eq!(
        e.to_string(),
        r#"column "Name" holds a string ("x"), which cannot be read as i64"#
    );
    assert_eq!(
        row.get::<String>(1).expect_err("an error").to_string(),
        r#"column "Count" holds a long (3), which cannot be read as String"#
    );
    assert_eq!(
        row.get::<i64>("Cnt").expect_err("an error").to_string(),
        r#"no column "Cnt"; the columns are: Name, Count"#
    );
    assert_eq!(
        row.value(2).expect_err("an error").to_string(),
        "no column #2; the columns are: Name, Count"
    );
    assert_eq!(e.exit_code(), 2);
}

#[test]
fn collect_wants_one_table_and_collect_all_takes_them_all() {
    let engine = Engine::new();
    let query = engine.compile("print a = 1; print b = 'x', c = 2").unwrap();
    let e = query.collect(&engine).expect_err("an error");
    assert!(matches!(
        e,
        Error::Data(DataError::NotOneTable { found: 2 })
    ));
    let tables = query.collect_all(&engine).unwrap();
    assert_eq!(tables.len(), 2);
    assert_eq!(tables[1].rows()[0].get::<i64>("c").unwrap(), 2);
    assert!(query.rows(&engine).is_err());
}

#[test]
fn a_vec_of_tables_is_a_sink_that_keeps_the_stats() {
    let engine = engine();
    let query = engine.compile("Events | take 2").unwrap();
    let mut tables: Vec<Table> = Vec::new();
    let stats = query.run(&engine, &mut tables).unwrap();
    assert_eq!(tables.len(), 1);
    assert_eq!(tables[0].len(), 2);
    assert!(stats.rows_read >= 2);
}

#[test]
fn for_each_row_streams_every_table_and_stops_on_break_or_error() {
    use std::ops::ControlFlow;
    let engine = Engine::new();
    let query = engine
        .compile("range x from 1 to 3 step 1; print s = 'x'")
        .unwrap();
    let mut seen = Vec::new();
    query
        .for_each_row(&engine, |row| {
            seen.push(row.get::<Value>(0)?);
            Ok(ControlFlow::Continue(()))
        })
        .unwrap();
    assert_eq!(
        seen,
        [
            Value::Long(1),
            Value::Long(2),
            Value::Long(3),
            Value::string("x")
        ]
    );

    let mut count = 0;
    query
        .for_each_row(&engine, |_| {
            count += 1;
            Ok(ControlFlow::Break(()))
        })
        .unwrap();
    assert_eq!(count, 1, "a break stops the whole run");

    let e = query
        .for_each_row(&engine, |row| {
            row.get::<String>("x")?;
            Ok(ControlFlow::Continue(()))
        })
        .expect_err("x is a long");
    assert_eq!(
        e.to_string(),
        r#"column "x" holds a long (1), which cannot be read as String"#
    );
}

#[test]
fn an_empty_result_has_its_schema_and_no_rows() {
    let engine = engine();
    let table = engine
        .compile("Events | where Level == 'nothing' | project Level")
        .unwrap()
        .collect(&engine)
        .unwrap();
    assert!(table.is_empty());
    assert_eq!(table.schema().names().collect::<Vec<_>>(), ["Level"]);
}

#[cfg(feature = "serde")]
mod serde_rows {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "PascalCase")]
    struct LevelCount {
        level: String,
        count: u32,
        first: String,
        share: Option<f64>,
        tags: Vec<String>,
    }

    #[test]
    fn rows_deserialise_into_user_structs() {
        let engine = engine();
        let query = engine
            .compile(
                "Events | summarize Count = count() by Level | order by Level asc \
                 | extend First = datetime(2024-01-02), Share = real(null), Tags = pack_array(Level, 'x')",
            )
            .unwrap();
        let rows: Vec<LevelCount> = query.deserialize(&engine).unwrap();
        let table = query.collect(&engine).unwrap();
        assert_eq!(rows.len(), table.len());
        assert_eq!(
            rows[0].level,
            table.rows()[0].get::<String>("Level").unwrap()
        );
        assert_eq!(rows[0].first, "2024-01-02T00:00:00.0000000Z");
        assert_eq!(rows[0].share, None);
        assert_eq!(rows[0].tags, [rows[0].level.clone(), "x".to_string()]);
        assert_eq!(
            table.rows()[0].deserialize::<LevelCount>().unwrap(),
            rows[0]
        );
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Missing {
        absent: i64,
    }

    #[test]
    fn a_row_that_does_not_fit_names_the_row_and_the_field() {
        let engine = Engine::new();
        let query = engine.compile("range x from 1 to 2 step 1").unwrap();
        let e = query.deserialize::<Missing>(&engine).expect_err("an error");
        assert_eq!(
            e.to_string(),
            "row 0 cannot be deserialised: missing field `absent`"
        );
    }
}

/// The README's library walkthrough is the doctest of `src/engine/rows.rs`,
/// word for word, so the README shows code that is run.
#[test]
fn the_readme_walkthrough_is_the_doctested_one() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let library = &readme[readme.find("## The library").unwrap()..];
    let start = library.find("```rust\n").unwrap() + "```rust\n".len();
    let in_readme = &library[start..start + library[start..].find("```\n").unwrap()];

    let source = std::fs::read_to_string(root.join("src/engine/rows.rs")).unwrap();
    let doc: String = source
        .lines()
        .map_while(|l| l.strip_prefix("//!"))
        .map(|l| format!("{}\n", l.strip_prefix(' ').unwrap_or(l)))
        .collect();
    let start = doc.find("```\n").unwrap() + "```\n".len();
    let in_doc = &doc[start..start + doc[start..].find("```\n").unwrap()];
    assert_eq!(in_readme, in_doc);
}
