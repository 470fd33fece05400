//! Typed in-memory tables: `Table::push` and `Engine::add_rows` check each
//! row against the schema, and a registered table is queried like a file.

use kqlite::DataType;
use kqlite::Error;
use kqlite::{DataError, Engine, Table};
use kqlite::{DateTime, Value};
use kqlite::{Field, Schema};

fn users() -> Table {
    Table::with_columns([
        ("Name", DataType::String),
        ("Level", DataType::Long),
        ("Score", DataType::Real),
        ("Seen", DataType::DateTime),
        ("Extra", DataType::Dynamic),
    ])
}

#[test]
fn a_long_in_a_string_column_is_an_error_naming_row_and_column() {
    let mut t = users();
    t.push(vec![
        "ann".into(),
        1i64.into(),
        0.5.into(),
        Value::Null,
        Value::Null,
    ])
    .unwrap();
    let e = t
        .push(vec![
            Value::Long(5),
            2i64.into(),
            0.5.into(),
            Value::Null,
            Value::Null,
        ])
        .expect_err("an error");
    assert!(matches!(
        &e,
        Error::Data(DataError::WrongType { row: 1, column, expected: DataType::String, found })
            if column == "\"Name\"" && found == "a long (5)"
    ));
    assert_eq!(
        e.to_string(),
        r#"row 1, column "Name": a long (5) is not a string"#
    );
    assert_eq!(t.len(), 1, "a rejected row is not added");
}

fn assert_eq_err(a: Error, b: Error) {
    assert_eq!(a.to_string(), b.to_string());
}

#[test]
fn short_and_long_rows_are_errors() {
    let mut t = users();
    let e = t
        .push(vec!["ann".into(), 1i64.into()])
        .expect_err("an error");
    assert_eq!(
        e.to_string(),
        "row 0 has 2 values, but the table has 5 columns (Name, Level, Score, Seen, Extra)"
    );
    let e = t.push(vec![Value::Null; 6]).expect_err("an error");
    assert!(matches!(
        e,
        Error::Data(DataError::RowLength {
            row: 0,
            found: 6,
            expected: 5,
            ..
        })
    ));
    assert!(t.is_empty());
}

#[test]
fn numbers_widen_and_nulls_fit_every_column() {
    let mut t = users();
    t.push(vec![
        Value::Null,
        Value::Int(3),
        Value::Long(2),
        Value::Null,
        Value::Long(9),
    ])
    .unwrap();
    let row = &t.rows()[0];
    assert_eq!(row.values()[0], Value::string(""), "a null string is empty");
    assert_eq!(row.values()[1], Value::Long(3));
    assert_eq!(row.values()[2], Value::Real(2.0));
    assert_eq!(row.values()[3], Value::Null);
    assert_eq!(row.values()[4], Value::Long(9), "a dynamic holds anything");

    let mut ints = Table::with_columns([("i", DataType::Int)]);
    ints.push(vec![Value::Long(7)]).unwrap();
    assert_eq!(ints.rows()[0].values()[0], Value::Int(7));
    let e = ints.push(vec![Value::Long(1 << 40)]).expect_err("an error");
    assert_eq!(
        e.to_string(),
        r#"row 1, column "i": a long (1099511627776) is not an int"#
    );
    let e = ints.push(vec![Value::Real(1.0)]).expect_err("an error");
    assert!(matches!(
        e,
        Error::Data(DataError::WrongType { row: 1, .. })
    ));
}

#[test]
fn add_rows_checks_and_registers_nothing_on_error() {
    let mut engine = Engine::new();
    let schema = Schema::new(vec![
        Field::new("Name", DataType::String),
        Field::new("At", DataType::DateTime),
    ]);
    let e = engine
        .add_rows(
            "T",
            schema.clone(),
            vec![
                vec!["a".into(), DateTime(0).into()],
                vec!["b".into(), "2024-01-01".into()],
            ],
        )
        .expect_err("an error");
    assert_eq_err(
        e,
        Error::Data(DataError::WrongType {
            row: 1,
            column: "\"At\"".into(),
            expected: DataType::DateTime,
            found: "a string (\"2024-01-01\")".into(),
        }),
    );
    assert!(engine.compile("T").is_err(), "T was not registered");
    engine
        .add_rows("T", schema, vec![vec!["a".into(), DateTime(0).into()]])
        .unwrap();
    let table = engine.compile("T").unwrap().collect(&engine).unwrap();
    assert_eq!(table.rows()[0].get::<&str>("Name").unwrap(), "a");
}

#[test]
fn a_schema_naming_a_column_twice_is_an_error() {
    let mut engine = Engine::new();
    let t = Table::with_columns([("a", DataType::Long), ("a", DataType::String)]);
    let e = engine.add_table("T", t).expect_err("an error");
    assert_eq!(e.to_string(), r#"column "a" appears twice in the schema"#);
}

#[test]
fn an_in_memory_table_joins_a_file() {
    let mut engine = Engine::new();
    engine
        .add_path("Events", "tests/data/operators/EventsTable1.jsonl")
        .unwrap();
    let mut levels = Table::with_columns([("Level", DataType::String), ("Rank", DataType::Long)]);
    levels.push(vec!["Error".into(), 3i64.into()]).unwrap();
    levels
        .push(vec!["Information".into(), 1i64.into()])
        .unwrap();
    engine.add_table("Levels", levels).unwrap();
    let query = engine
        .compile(
            "Events | summarize n = count() by Level \
             | join kind=inner Levels on Level | project Level, Rank, n | order by Rank desc",
        )
        .unwrap();
    let table = query.collect(&engine).unwrap();
    let ranks: Vec<i64> = table.iter().map(|r| r.get("Rank").unwrap()).collect();
    assert_eq!(ranks, [3, 1]);
    assert_eq!(table.rows()[0].get::<&str>("Level").unwrap(), "Error");
}

#[test]
fn a_result_table_can_be_given_back_to_the_engine() {
    let mut engine = Engine::new();
    let table = engine
        .compile("range x from 1 to 3 step 1 | extend y = x * 2")
        .unwrap()
        .collect(&engine)
        .unwrap();
    engine.add_table("Doubled", table).unwrap();
    let sum: i64 = engine
        .compile("Doubled | summarize s = sum(y)")
        .unwrap()
        .rows(&engine)
        .unwrap()
        .next()
        .unwrap()
        .get("s")
        .unwrap();
    assert_eq!(sum, 12);
}

#[test]
fn from_rows_checks_every_row() {
    let schema = Schema::new(vec![Field::new("b", DataType::Bool)]);
    assert!(Table::from_rows(schema.clone(), vec![vec![true.into()]]).is_ok());
    let e =
        Table::from_rows(schema, vec![vec![true.into()], vec![1i64.into()]]).expect_err("an error");
    assert_eq!(
        e.to_string(),
        r#"row 1, column "b": a long (1) is not a bool"#
    );
}

/// fork-operator: a leg's table is named by `name = (...)` or by its last
/// `as Name`; the page names no other leg, and an unnamed one gets the name
/// the official analyzer gives it, `Results` or `Results_N` by its position
/// (Kusto.Language's `VisitForkOperator`). A `;` statement's table has no
/// name.
#[test]
fn fork_legs_name_their_result_tables() {
    let engine = Engine::new();
    let query = engine
        .compile(
            "print a = 1 | fork Deaths = (where a > 0) (take 1 | as Injuries) (count); print b = 2",
        )
        .unwrap();
    assert_eq!(
        query.result_names(),
        vec![Some("Deaths"), Some("Injuries"), Some("Results_3"), None]
    );
    assert_eq!(query.result_schemas().len(), 4);
    let query = engine
        .compile("print a = 1 | fork (where a > 0) (count) Named = (take 1)")
        .unwrap();
    assert_eq!(
        query.result_names(),
        vec![Some("Results"), Some("Results_2"), Some("Named")]
    );
}

/// facet-operator: the column tables are `Facet`, `Facet_2`... as the
/// official analyzer names them (`VisitFacetOperator`); the `with` table
/// has no name.
#[test]
fn facet_tables_are_named_as_the_analyzer_names_them() {
    let engine = Engine::new();
    let query = engine
        .compile("print a = 1, b = 2 | facet by a, b with (take 1)")
        .unwrap();
    assert_eq!(
        query.result_names(),
        vec![None, Some("Facet"), Some("Facet_2")]
    );
}

/// facet-operator on a dynamic column: Kusto refuses it with KS116 ("The
/// value of type 'dynamic' is not allowed in this context.", the official
/// analyzer's `CheckIsNotType(expr, ScalarTypes.Dynamic)` in its facet
/// binder), not with summarize's group-key message.
#[test]
fn facet_by_a_dynamic_column_gives_kustos_refusal() {
    let engine = Engine::new();
    let Err(e) = engine.compile("print d = dynamic([1]), s = 'x' | facet by s, d") else {
        panic!("a dynamic facet column is refused");
    };
    let text = e.to_string();
    assert!(
        text.contains("The value of type 'dynamic' is not allowed in this context."),
        "{text}"
    );
    assert!(!text.contains("Summarize group key"), "{text}");
}

/// graph-to-table-operator, "Nodes and edges": `graph-to-table nodes as N,
/// edges as E` ends a statement with two result tables named by their `as`
/// (in the order written); the statements after it read them by name.
#[test]
fn graph_to_table_names_its_two_result_tables() {
    let engine = Engine::new();
    let query = engine
        .compile(
            "datatable(s: string, t: string) ['a', 'b'] | make-graph s --> t with_node_id=id \
             | graph-to-table nodes as N with_node_id=h, edges as E; E | count",
        )
        .unwrap();
    assert_eq!(query.result_names(), vec![Some("N"), Some("E"), None]);
    let names = |k: usize| -> Vec<String> {
        query.result_schemas()[k]
            .fields
            .iter()
            .map(|f| f.name.clone())
            .collect()
    };
    assert_eq!(names(0), ["h", "id"]);
    assert_eq!(names(1), ["s", "t"]);
    assert_eq!(names(2), ["Count"]);
}
