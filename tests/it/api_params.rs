//! Query parameters (`declare query_parameters`) given values from Rust
//! (`Params`, `Engine::compile_with`) and from the command line
//! (`--param NAME=VALUE`).

use crate::common::cli::kqlite;
use kqlite::Error;
use kqlite::{DateTime, Timespan, Value};
use kqlite::{Engine, Params};

const DECL: &str = "declare query_parameters(n:long = 1, s:string = 'x', \
    d:datetime = datetime(2020-01-01), t:timespan = 1d, r:real = 0.5, b:bool = false, \
    i:int = int(0), y:dynamic = dynamic(null));";

fn print_all(engine: &Engine, params: &Params) -> Result<kqlite::Row, Error> {
    let query = engine.compile_with(
        &format!("{DECL} print n=n, s=s, d=d, t=t, r=r, b=b, i=i, y=y"),
        params,
    )?;
    Ok(query.rows(engine)?.next().unwrap())
}

#[test]
fn defaults_apply_when_no_value_is_given() {
    let engine = Engine::new();
    let row = print_all(&engine, &Params::new()).unwrap();
    assert_eq!(row.get::<i64>("n").unwrap(), 1);
    assert_eq!(row.get::<&str>("s").unwrap(), "x");
    assert_eq!(row.get::<Timespan>("t").unwrap().to_string(), "1.00:00:00");
}

#[test]
fn rust_values_of_the_declared_types() {
    let engine = Engine::new();
    let when = DateTime::parse("2024-02-03T04:05:06Z").unwrap();
    let params = Params::new()
        .param("n", 42i64)
        .param("s", "hello")
        .param("d", when)
        .param("r", 2) // an int widens to real
        .param("b", true)
        .param("i", 7)
        .param("y", Value::array(vec![Value::Long(1)]));
    let row = print_all(&engine, &params).unwrap();
    assert_eq!(row.get::<i64>("n").unwrap(), 42);
    assert_eq!(row.get::<&str>("s").unwrap(), "hello");
    assert_eq!(row.get::<DateTime>("d").unwrap(), when);
    assert_eq!(row.get::<f64>("r").unwrap(), 2.0);
    assert!(row.get::<bool>("b").unwrap());
    assert_eq!(row.get::<i32>("i").unwrap(), 7);
    assert_eq!(
        row.get::<serde_json::Value>("y").unwrap(),
        serde_json::json!([1])
    );
    // The parameter's type is the declared one, whatever the default's.
    assert_eq!(row.schema().fields[4].ty, kqlite::DataType::Real);
}

#[test]
fn text_values_convert_by_the_declared_type() {
    let engine = Engine::new();
    let params = Params::new()
        .param_text("n", "-12")
        .param_text("s", "a b 'c'")
        .param_text("d", "2024-02-03")
        .param_text("t", "14d")
        .param_text("r", "1e3")
        .param_text("b", "true")
        .param_text("i", "0x10")
        .param_text("y", r#"{"k":[1,"v"]}"#);
    let row = print_all(&engine, &params).unwrap();
    assert_eq!(row.get::<i64>("n").unwrap(), -12);
    assert_eq!(row.get::<&str>("s").unwrap(), "a b 'c'");
    assert_eq!(
        row.get::<DateTime>("d").unwrap(),
        DateTime::parse("2024-02-03T00:00:00Z").unwrap()
    );
    assert_eq!(row.get::<Timespan>("t").unwrap().to_string(), "14.00:00:00");
    assert_eq!(row.get::<f64>("r").unwrap(), 1000.0);
    assert!(row.get::<bool>("b").unwrap());
    assert_eq!(row.get::<i32>("i").unwrap(), 16);
    assert_eq!(
        row.get::<serde_json::Value>("y").unwrap(),
        serde_json::json!({"k": [1, "v"]})
    );
    let row = print_all(&engine, &Params::new().param_text("n", "null")).unwrap();
    assert_eq!(row.get::<Option<i64>>("n").unwrap(), None);
}

#[test]
fn a_value_of_the_wrong_type_is_a_query_error_at_the_declaration() {
    let engine = Engine::new();
    let text = "declare query_parameters(n:long);\nprint n";
    let e = engine
        .compile_with(text, &Params::new().param("n", "5"))
        .err()
        .expect("an error");
    assert_eq!(e.exit_code(), 2);
    assert_eq!(
        e.render(text, "query"),
        "error: query parameter 'n' is a long, and the value given, a string (\"5\"), is not\n \
         --> query:1:26\n  |\n1 | declare query_parameters(n:long);\n  |                          ^^^^^^ declared here\n"
    );
    let e = engine
        .compile_with(text, &Params::new().param_text("n", "five"))
        .err()
        .expect("an error");
    assert_eq!(
        e.to_string(),
        "query parameter 'n' is a long, and the value given, 'five', does not convert to one"
    );
    let e = engine
        .compile_with(text, &Params::new().param_text("n", "1.5"))
        .err()
        .expect("an error");
    assert!(e.to_string().contains("'1.5'"), "{e}");
    let e = engine
        .compile_with(
            "declare query_parameters(i:int); print i",
            &Params::new().param("i", 1i64 << 40),
        )
        .err()
        .expect("an error");
    assert!(
        e.to_string().starts_with("query parameter 'i' is an int"),
        "{e}"
    );
}

#[test]
fn an_unknown_parameter_name_is_an_error_naming_it() {
    let engine = Engine::new();
    let e = engine
        .compile_with(
            "declare query_parameters(a:long = 1, b:string = ''); print a",
            &Params::new().param("c", 1),
        )
        .err()
        .expect("an error");
    assert_eq!(
        e.to_string(),
        "a value was given for query parameter 'c', but the query declares no such parameter (it declares: a, b)"
    );
    assert_eq!(e.exit_code(), 2);
    let e = engine
        .compile_with("print 1", &Params::new().param("c", 1))
        .err()
        .expect("an error");
    assert_eq!(
        e.to_string(),
        "a value was given for query parameter 'c', but the query declares no query parameters"
    );
}

#[test]
fn a_parameter_without_default_must_be_given() {
    let engine = Engine::new();
    let text = "declare query_parameters(n:long); print n + 1, n";
    let e = engine.compile(text).err().expect("an error");
    let Error::Bind(errors) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(errors.len(), 1, "one error, not one per use: {errors:?}");
    assert_eq!(e.to_string(), "query parameter 'n' has no value");
    let row = engine
        .compile_with(text, &Params::new().param("n", 2))
        .unwrap()
        .rows(&engine)
        .unwrap()
        .next()
        .unwrap();
    assert_eq!(row.get::<i64>(0).unwrap(), 3);
}

#[test]
fn the_last_value_given_for_a_name_wins() {
    let engine = Engine::new();
    let mut params = Params::new();
    params.set("n", 1).set_text("n", "3");
    let row = print_all(&engine, &params).unwrap();
    assert_eq!(row.get::<i64>("n").unwrap(), 3);
}

#[test]
fn parameters_reach_filters_over_files_and_data_shaped_operators() {
    let mut engine = Engine::new();
    engine
        .add_path("Events", "tests/data/operators/EventsTable1.jsonl")
        .unwrap();
    let text = "declare query_parameters(level:string);
        Events | where Level == level | summarize n = count()";
    let count = |level: &str| -> i64 {
        engine
            .compile_with(text, &Params::new().param("level", level))
            .unwrap()
            .rows(&engine)
            .unwrap()
            .next()
            .unwrap()
            .get("n")
            .unwrap()
    };
    let (errors, infos) = (count("Error"), count("Information"));
    assert!(errors > 0 && infos > 0);
    assert_eq!(count("nothing"), 0);
    // `bag_unpack` binds twice (its columns come from the data): the
    // parameter's value is used in both passes.
    let table = engine
        .compile_with(
            "declare query_parameters(level:string);
             Events | where Level == level | project d = bag_pack('L', Level) | evaluate bag_unpack(d)",
            &Params::new().param("level", "Error"),
        )
        .unwrap()
        .collect(&engine)
        .unwrap();
    assert_eq!(table.len() as i64, errors);
    assert!(table.iter().all(|r| r.get::<&str>("L").unwrap() == "Error"));
}

#[test]
fn cli_param_gives_values_converted_by_the_declared_types() {
    let out = kqlite(&[
        "--param",
        "n=5",
        "--param",
        "d=2024-02-03T04:05:06Z",
        "--param",
        "t=14d",
        "--param",
        "s=a=b",
        "--param",
        r#"y={"a":[1,2]}"#,
        &format!("{DECL} print n=n, s=s, d=d, t=t, y=y"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "{\"n\":5,\"s\":\"a=b\",\"d\":\"2024-02-03T04:05:06.0000000Z\",\"t\":\"14.00:00:00\",\"y\":{\"a\":[1,2]}}\n"
    );
}

#[test]
fn cli_param_filters_a_table() {
    let out = kqlite(&[
        "--table",
        "Events=tests/data/operators/EventsTable1.jsonl",
        "--param",
        "level=Error",
        "--format",
        "csv",
        "declare query_parameters(level:string); Events | where Level == level | distinct Level",
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "Level\nError\n");
}

#[test]
fn cli_param_errors_exit_two_and_name_the_parameter() {
    let decl = "declare query_parameters(n:long); print n";
    let out = kqlite(&["--param", "n=abc", decl]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: query parameter 'n' is a long, and the value given, 'abc', does not convert to one\n \
         --> query:1:26\n  |\n1 | declare query_parameters(n:long); print n\n  |                          ^^^^^^ declared here\n"
    );
    assert!(out.stdout.is_empty());

    let out = kqlite(&["--param", "m=1", decl]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: a value was given for query parameter 'm', but the query declares no such parameter (it declares: n)\n"
    );

    let out = kqlite(&[decl]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("error: query parameter 'n' has no value\n"),
        "{err}"
    );

    let out = kqlite(&["--param", "n", decl]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: --param expects NAME=VALUE, got 'n'\n"
    );
}

#[test]
fn cli_param_is_checked_before_any_table_is_read() {
    let out = kqlite(&[
        "--param",
        "=1",
        "--table",
        "T=/nonexistent/file.jsonl",
        "T | take 1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: --param '=1' has no parameter name\n"
    );
}
