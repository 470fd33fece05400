//! The built-in functions against the examples of their KQL docs pages
//! (`https://learn.microsoft.com/kusto/query/<page>`, named in each test).
//! Each expression runs through the whole engine as `print r = <expr>`;
//! results are compared as the JSON-lines writer prints them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kqlite::DataType;
use kqlite::internals::functions::{EvalContext, lookup_scalar};
use kqlite::output::JsonLinesWriter;
use kqlite::{DateTime, Value};
use kqlite::{Engine, EngineOptions};
use serde_json::{Value as Json, json};

fn engine() -> Engine {
    Engine::with_options(EngineOptions {
        threads: Some(1),
        now: DateTime::parse("2024-11-05T00:00:00Z"),
        ..EngineOptions::default()
    })
}

/// The type and value of `print r = <expr>`.
fn eval(expr: &str) -> (String, Json) {
    let query = format!("print r = {expr}");
    let engine = engine();
    let q = engine
        .compile(&query)
        .unwrap_or_else(|e| panic!("{}", e.render(&query, "query")));
    let ty = q.result_schemas()[0].fields[0].ty.name().to_string();
    let mut out = JsonLinesWriter::new(Vec::new());
    q.run(&engine, &mut out).unwrap();
    let text = String::from_utf8(out.into_inner()).unwrap();
    let row: serde_json::Map<String, Json> = serde_json::from_str(text.trim()).unwrap();
    (ty, row.get("r").cloned().unwrap_or(Json::Null))
}

#[track_caller]
fn check(expr: &str, ty: &str, expected: Json) {
    let (got_ty, got) = eval(expr);
    assert_eq!(got_ty, ty, "type of {expr}");
    assert_eq!(got, expected, "value of {expr}");
}

#[track_caller]
fn check_real(expr: &str, expected: f64) {
    let (ty, got) = eval(expr);
    assert_eq!(ty, "real", "type of {expr}");
    let got = got.as_f64().unwrap_or(f64::NAN);
    assert!(
        (got - expected).abs() <= 1e-9 * expected.abs().max(1.0),
        "{expr}: {got} != {expected}"
    );
}

/// The constant-aware signature must reject these (constant) arguments
/// with a message containing `needle`. (Checked on the function itself:
/// the binder does not call `result_type` yet.)
#[track_caller]
fn rejects(name: &str, args: &[Value], needle: &str) {
    let f = lookup_scalar(name).unwrap();
    let types: Vec<DataType> = args.iter().map(type_of).collect();
    let constants: Vec<Option<&Value>> = args.iter().map(Some).collect();
    match f.result_type(&types, &constants) {
        Ok(t) => panic!("{name}{args:?} was accepted as {t}"),
        Err(e) => assert!(e.to_string().contains(needle), "{name}: {e}"),
    }
}

fn type_of(v: &Value) -> DataType {
    match v {
        Value::String(_) => DataType::String,
        Value::Long(_) => DataType::Long,
        Value::Int(_) => DataType::Int,
        Value::Real(_) => DataType::Real,
        Value::DateTime(_) => DataType::DateTime,
        _ => DataType::Dynamic,
    }
}

fn ctx() -> EvalContext {
    EvalContext::new(DateTime::parse("2024-11-05").unwrap())
}

/// Calls a function directly, with the binder's constant-aware signature.
fn call(name: &str, args: &[Value]) -> (DataType, Value) {
    let f = lookup_scalar(name).unwrap();
    let types: Vec<DataType> = args.iter().map(type_of).collect();
    let constants: Vec<Option<&Value>> = args.iter().map(Some).collect();
    let ty = f.result_type(&types, &constants).unwrap();
    (ty, (f.eval)(args, &ctx()))
}

// --- strings -----------------------------------------------------------------

#[test]
fn strlen_function_and_string_size_function() {
    check(r#"strlen("hello")"#, "long", json!(5));
    check(r#"strlen("⒦⒰⒮⒯⒪")"#, "long", json!(5));
    check(r#"string_size("hello")"#, "long", json!(5));
    check(r#"string_size("⒦⒰⒮⒯⒪")"#, "long", json!(15));
}

#[test]
fn substring_function() {
    check(r#"substring("123456", 1)"#, "string", json!("23456"));
    check(r#"substring("123456", 2, 2)"#, "string", json!("34"));
    check(r#"substring("ABCD", 0, 2)"#, "string", json!("AB"));
    check(r#"substring("123456", -2, 2)"#, "string", json!("56"));
}

#[test]
fn indexof_regex_function() {
    check(r#"indexof_regex("abcabc", @"a.c")"#, "long", json!(0));
    check(
        r#"indexof_regex("abcabcdefg", @"a.c", 0, 9, 2)"#,
        "long",
        json!(3),
    );
    check(
        r#"indexof_regex("abcabc", @"a.c", 1, -1, 2)"#,
        "long",
        json!(-1),
    );
    check(
        r#"indexof_regex("ababaa", @"a.a", 0, -1, 2)"#,
        "long",
        json!(-1),
    );
    check(
        r#"indexof_regex("abcabc", @"a|ab", -1)"#,
        "long",
        Json::Null,
    );
}

#[test]
fn split_function() {
    check(r#"split("aa_bb", "_")"#, "dynamic", json!(["aa", "bb"]));
    check(r#"split("aaa_bbb_ccc", "_", 1)"#, "dynamic", json!(["bbb"]));
    check(r#"split("", "_")"#, "dynamic", json!([""]));
    check(r#"split("a__b", "_")"#, "dynamic", json!(["a", "", "b"]));
    check(r#"split("aabbcc", "bb")"#, "dynamic", json!(["aa", "cc"]));
}

#[test]
fn strcat_delim_function_and_strcat_array_function() {
    check(
        r#"strcat_delim("-", 1, "2", "A", 1s)"#,
        "string",
        json!("1-2-A-00:00:01"),
    );
    check(
        r#"strcat_array(dynamic([1, 2, 3]), "->")"#,
        "string",
        json!("1->2->3"),
    );
}

#[test]
fn replace_string_function_and_replace_regex_function() {
    check(
        "replace_string('A magic trick can turn a cat into a dog', 'cat', 'hamster')",
        "string",
        json!("A magic trick can turn a hamster into a dog"),
    );
    check(
        r#"replace_regex("Number is 1", @'is (\d+)', @'was: \1')"#,
        "string",
        json!("Number was: 1"),
    );
    // The deprecated replace() takes the regex first and the source last.
    check(
        r#"replace(@';', @'&', "a=1;b=2")"#,
        "string",
        json!("a=1&b=2"),
    );
    let s = Value::string;
    rejects(
        "replace_regex",
        &[s("x"), s("("), s("y")],
        "regular expression",
    );
}

#[test]
fn trim_function() {
    check(
        r#"trim("--", "--https://bing.com--")"#,
        "string",
        json!("https://bing.com"),
    );
    check(
        r#"trim_start("https://", "https://bing.com")"#,
        "string",
        json!("bing.com"),
    );
    check(r#"trim_end(".com", "bing.com")"#, "string", json!("bing"));
    check(
        r#"trim(@"[^\w]+", "-  Te st1// $")"#,
        "string",
        json!("Te st1"),
    );
}

#[test]
fn extract_function() {
    check(
        r#"extract("x=([0-9.]+)", 1, "hello x=45.6|wo")"#,
        "string",
        json!("45.6"),
    );
    check(
        r#"extract("User: ([^,]+)", 1, "User: James, Email: James@example.com")"#,
        "string",
        json!("James"),
    );
    check(
        r#"extract("z=([0-9.]+)", 1, "hello x=45.6|wo")"#,
        "string",
        json!(""),
    );
    // extract(@"-(\d{2})-", 1, "15-12-2024", typeof(int)) is 12.
    let (ty, v) = call(
        "extract",
        &[
            Value::string(r"-(\d{2})-"),
            Value::Long(1),
            Value::string("15-12-2024"),
            Value::string("int"),
        ],
    );
    assert_eq!((ty, v), (DataType::Int, Value::Int(12)));
    let s = Value::string;
    rejects(
        "extract",
        &[s("("), Value::Long(1), s("x")],
        "regular expression",
    );
    rejects("trim", &[s("[a"), s("x")], "regular expression");
}

#[test]
fn extract_all_function() {
    check(
        r#"extract_all(@"(\d+)", "a1 b22 c333")"#,
        "dynamic",
        json!(["1", "22", "333"]),
    );
    check(
        r#"extract_all(@"(\w)(\d+)", dynamic([2]), "a1 b22")"#,
        "dynamic",
        json!(["1", "22"]),
    );
    check(
        r#"extract_all(@"(\w)(\d+)", "a1 b22")"#,
        "dynamic",
        json!([["a", "1"], ["b", "22"]]),
    );
    check(r#"extract_all(@"(\d+)", "none")"#, "dynamic", Json::Null);
}

#[test]
fn countof_function() {
    check(r#"countof("aaa", "a")"#, "long", json!(3));
    check(r#"countof("aaaa", "aa")"#, "long", json!(3));
    check(r#"countof("ababa", "aba", "regex")"#, "long", json!(1));
    check(r#"countof("abcabc", "a.c", "regex")"#, "long", json!(2));
}

#[test]
fn reverse_function_and_strcmp_function() {
    check(r#"reverse("ABC")"#, "string", json!("CBA"));
    check("reverse(12345)", "string", json!("54321"));
    check(r#"strcmp("abc", "ABC")"#, "long", json!(1));
    check(r#"strcmp("ABC", "ABC")"#, "long", json!(0));
}

#[test]
fn strrep_function() {
    check(r#"strrep("ABC", 2)"#, "string", json!("ABCABC"));
    check("strrep(123, 3)", "string", json!("123123123"));
    check(r#"strrep("ABC", 2, ".")"#, "string", json!("ABC.ABC"));
    check(
        r#"strrep(3s, 2, " ")"#,
        "string",
        json!("00:00:03 00:00:03"),
    );
}

#[test]
fn translate_function() {
    check(r#"translate("abc", "x", "abc")"#, "string", json!("xxx"));
    check(r#"translate("abc", "", "ab")"#, "string", json!(""));
    check(
        r#"translate("krasp", "otsku", "spark")"#,
        "string",
        json!("kusto"),
    );
}

#[test]
fn url_decode_function_and_url_encode_function() {
    check(
        r#"url_decode("https%3a%2f%2fwww.bing.com%2f")"#,
        "string",
        json!("https://www.bing.com/"),
    );
    check(
        r#"url_encode("https://www.bing.com/hello world")"#,
        "string",
        json!("https%3a%2f%2fwww.bing.com%2fhello+world"),
    );
}

#[test]
fn base64_functions() {
    check(
        r#"base64_encode_tostring("Kusto")"#,
        "string",
        json!("S3VzdG8="),
    );
    check(
        r#"base64_decode_tostring("S3VzdG8=")"#,
        "string",
        json!("Kusto"),
    );
    check(
        r#"base64_decodestring("S3VzdG8=")"#,
        "string",
        json!("Kusto"),
    );
    check(
        r#"base64_decode_toarray("S3VzdG8=")"#,
        "dynamic",
        json!([75, 117, 115, 116, 111]),
    );
    check(
        "base64_encode_fromarray(dynamic([75, 117, 115, 116, 111]))",
        "string",
        json!("S3VzdG8="),
    );
}

#[test]
fn parse_url_function_and_parse_urlquery_function() {
    check(
        r#"parse_url("scheme://username:password@host:1234/this/is/a/path?k1=v1&k2=v2#fragment")"#,
        "dynamic",
        json!({"Scheme":"scheme","Host":"host","Port":"1234","Path":"/this/is/a/path",
               "Username":"username","Password":"password",
               "Query Parameters":{"k1":"v1","k2":"v2"},"Fragment":"fragment"}),
    );
    check(
        r#"parse_urlquery("k1=v1&k2=v2&k3=v3")"#,
        "dynamic",
        json!({"Query Parameters":{"k1":"v1","k2":"v2","k3":"v3"}}),
    );
}

#[test]
fn parse_path_function() {
    check(
        r#"parse_path(@"C:\temp\file.txt")"#,
        "dynamic",
        json!({"Scheme":"","RootPath":"C:","DirectoryPath":"C:\\temp","DirectoryName":"temp",
               "Filename":"file.txt","Extension":"txt","AlternateDataStreamName":""}),
    );
}

#[test]
fn parse_command_line_function() {
    check(
        r#"parse_command_line('echo \"hello world!\" print$?', "windows")"#,
        "dynamic",
        json!(["echo", "hello world!", "print$?"]),
    );
}

#[test]
fn tohex_function() {
    check("tohex(256)", "string", json!("100"));
    check("tohex(-256)", "string", json!("ffffffffffffff00"));
    check("tohex(toint(-256), 8)", "string", json!("ffffff00"));
    check("tohex(256, 8)", "string", json!("00000100"));
    check("tohex(256, 2)", "string", json!("100"));
}

// --- IP addresses ------------------------------------------------------------

#[test]
fn ipv4_is_private_function() {
    check("ipv4_is_private('192.168.1.1/24')", "bool", json!(true));
    check("ipv4_is_private('10.1.2.3/24')", "bool", json!(true));
    check("ipv4_is_private('202.1.2.3')", "bool", json!(false));
    check("ipv4_is_private('127.0.0.1')", "bool", json!(false));
}

#[test]
fn ipv4_is_in_range_function_and_ipv4_is_match_function() {
    check(
        "ipv4_is_in_range('192.168.1.1', '192.168.1.1')",
        "bool",
        json!(true),
    );
    check(
        "ipv4_is_in_range('192.168.1.1', '192.168.1.255/24')",
        "bool",
        json!(true),
    );
    check(
        "ipv4_is_match('192.168.1.1', '192.168.1.255', 24)",
        "bool",
        json!(true),
    );
    check(
        "ipv4_is_match('192.168.1.1/24', '192.168.1.255/24')",
        "bool",
        json!(true),
    );
    check(
        "ipv4_is_in_any_range('192.168.1.6', '10.0.0.0/8', '192.168.1.0/24')",
        "bool",
        json!(true),
    );
    check(
        "ipv4_is_in_any_range('8.8.8.8', dynamic(['10.0.0.0/8', '192.168.1.0/24']))",
        "bool",
        json!(false),
    );
}

#[test]
fn ipv4_compare_function_and_parse_ipv4_function() {
    check(
        "ipv4_compare('192.168.1.1', '192.168.1.255')",
        "long",
        json!(-1),
    );
    check(
        "ipv4_compare('192.168.1.1/24', '192.168.1.255/24')",
        "long",
        json!(0),
    );
    check(
        "ipv4_compare('192.168.1.1', '192.168.1.255', 24)",
        "long",
        json!(0),
    );
    check("parse_ipv4('127.0.0.1')", "long", json!(2130706433));
    check("parse_ipv4('192.1.168.1')", "long", json!(3221334017_i64));
    check(
        "parse_ipv4('192.1.168.1/24')",
        "long",
        json!(3221334016_i64),
    );
    check("parse_ipv4_mask('10.2.3.4', 24)", "long", json!(167904000));
    check("ipv4_netmask_suffix('192.168.1.1/24')", "long", json!(24));
    check("ipv4_netmask_suffix('192.168.1.1')", "long", json!(32));
}

#[test]
fn format_ipv4_function_and_format_ipv4_mask_function() {
    check(
        "format_ipv4('192.168.1.255', 24)",
        "string",
        json!("192.168.1.0"),
    );
    check(
        "format_ipv4(3232236031, 24)",
        "string",
        json!("192.168.1.0"),
    );
    check(
        "format_ipv4_mask('192.168.1.255', 24)",
        "string",
        json!("192.168.1.0/24"),
    );
    check(
        "format_ipv4_mask(3232236031, 24)",
        "string",
        json!("192.168.1.0/24"),
    );
}

#[test]
fn has_ipv4_function_and_has_ipv4_prefix_function() {
    let line = "'05:04:54 127.0.0.1 GET /favicon.ico 404'";
    check(
        &format!("has_ipv4({line}, '127.0.0.1')"),
        "bool",
        json!(true),
    );
    check(
        "has_ipv4('05:04:54 127.0.0.256 GET /favicon.ico 404', '127.0.0.256')",
        "bool",
        json!(false),
    );
    check(
        "has_ipv4('05:04:54127.0.0.1 GET /favicon.ico 404', '127.0.0.1')",
        "bool",
        json!(false),
    );
    check(
        &format!("has_ipv4_prefix({line}, '127.0.')"),
        "bool",
        json!(true),
    );
    check(
        &format!("has_any_ipv4({line}, dynamic(['127.0.0.1', '127.0.0.2']))"),
        "bool",
        json!(true),
    );
    check(
        &format!("has_any_ipv4_prefix({line}, dynamic(['127.0.', '10.']))"),
        "bool",
        json!(true),
    );
}

#[test]
fn ipv6_functions() {
    check(
        "parse_ipv6('127.0.0.1')",
        "string",
        json!("0000:0000:0000:0000:0000:ffff:7f00:0001"),
    );
    check(
        "parse_ipv6('fe80::85d:e82c:9446:7994')",
        "string",
        json!("fe80:0000:0000:0000:085d:e82c:9446:7994"),
    );
    // parse-ipv6-mask-function: the prefix counts IPv6 bits, for an IPv4
    // address too.
    check(
        "parse_ipv6_mask('192.168.255.255', 120)",
        "string",
        json!("0000:0000:0000:0000:0000:ffff:c0a8:ff00"),
    );
    check(
        "ipv6_compare('::ffff:7f00:1', '127.0.0.1')",
        "long",
        json!(0),
    );
    check(
        "ipv6_is_match('::ffff:7f00:1', '127.0.0.1')",
        "bool",
        json!(true),
    );
    check(
        "ipv6_compare('fe80::85d:e82c:9446:7994', 'fe80::85d:e82c:9446:7995', 127)",
        "long",
        json!(0),
    );
    check(
        "ipv6_is_in_range('fe80::85d:e82c:9446:7994', 'fe80::/10')",
        "bool",
        json!(true),
    );
}

// --- dates and times ---------------------------------------------------------

#[test]
fn startof_and_endof_functions() {
    let d = "datetime(2017-01-01 10:10:17)";
    check(
        &format!("startofweek({d}, -1)"),
        "datetime",
        json!("2016-12-25T00:00:00.0000000Z"),
    );
    check(
        &format!("startofmonth({d}, -1)"),
        "datetime",
        json!("2016-12-01T00:00:00.0000000Z"),
    );
    check(
        &format!("startofyear({d}, -1)"),
        "datetime",
        json!("2016-01-01T00:00:00.0000000Z"),
    );
    check(
        &format!("endofweek({d}, 1)"),
        "datetime",
        json!("2017-01-14T23:59:59.9999999Z"),
    );
    check(
        &format!("endofmonth({d}, 1)"),
        "datetime",
        json!("2017-02-28T23:59:59.9999999Z"),
    );
    check(
        &format!("endofyear({d}, -1)"),
        "datetime",
        json!("2016-12-31T23:59:59.9999999Z"),
    );
}

#[test]
fn calendar_part_functions() {
    check(
        "dayofweek(datetime(1947-11-30 10:00:05))",
        "timespan",
        json!("00:00:00"),
    );
    check(
        "dayofweek(datetime(1970-05-11))",
        "timespan",
        json!("1.00:00:00"),
    );
    check("dayofmonth(datetime(2015-12-14))", "int", json!(14));
    check("dayofyear(datetime(2015-12-14))", "int", json!(348));
    check("hourofday(datetime(2015-12-14 18:54:00))", "int", json!(18));
    check("getmonth(datetime(2015-10-12))", "int", json!(10));
    check("monthofyear(datetime(2015-10-12))", "int", json!(10));
    check("week_of_year(datetime(2020-12-31))", "int", json!(53));
    check("week_of_year(datetime(2020-06-15))", "int", json!(25));
    check("week_of_year(datetime(1970-01-01))", "int", json!(1));
    check("week_of_year(datetime(2000-01-01))", "int", json!(52));
}

#[test]
fn format_datetime_function_and_format_timespan_function() {
    let d = "datetime(2017-01-29 09:00:05)";
    check(
        &format!("format_datetime({d}, 'yy-MM-dd [HH:mm:ss]')"),
        "string",
        json!("17-01-29 [09:00:05]"),
    );
    check(
        &format!("format_datetime({d}, 'yyyy-M-dd [H:mm:ss]')"),
        "string",
        json!("2017-1-29 [9:00:05]"),
    );
    check(
        &format!("format_datetime({d}, 'yy-MM-dd [hh:mm:ss tt]')"),
        "string",
        json!("17-01-29 [09:00:05 AM]"),
    );
    let t = "time(14.02:03:04.1234500)";
    check(
        &format!("format_timespan({t}, 'h:m:s.fffffff')"),
        "string",
        json!("2:3:4.1234500"),
    );
    check(
        &format!("format_timespan({t}, 'dd.hh:mm:ss:FF')"),
        "string",
        json!("14.02:03:04:12"),
    );
    check(
        &format!("format_timespan({t}, 'ddd.h:mm:ss [fffffff]')"),
        "string",
        json!("014.2:03:04 [1234500]"),
    );
}

#[test]
fn make_timespan_function() {
    check(
        "make_timespan(1, 12, 30, 55.123)",
        "timespan",
        json!("1.12:30:55.1230000"),
    );
    check("make_timespan(12, 30)", "timespan", json!("12:30:00"));
    check("make_timespan(25, 30)", "timespan", Json::Null);
}

#[test]
fn unixtime_functions() {
    let day = json!("2019-01-01T00:00:00.0000000Z");
    check(
        "unixtime_seconds_todatetime(1546300800)",
        "datetime",
        day.clone(),
    );
    check(
        "unixtime_milliseconds_todatetime(1546300800000)",
        "datetime",
        day.clone(),
    );
    check(
        "unixtime_microseconds_todatetime(1546300800000000)",
        "datetime",
        day.clone(),
    );
    check(
        "unixtime_nanoseconds_todatetime(1546300800000000000)",
        "datetime",
        day,
    );
}

#[test]
fn bin_at_function() {
    check_real("bin_at(6.5, 2.5, 7)", 4.5);
    check("bin_at(time(1h), 1d, 12h)", "timespan", json!("-12:00:00"));
    check(
        "bin_at(datetime(2017-05-15 10:20:00), 1d, datetime(1970-01-01 12:00))",
        "datetime",
        json!("2017-05-14T12:00:00.0000000Z"),
    );
}

#[test]
fn datetime_add_function_checks_its_period() {
    check(
        "datetime_add('month', 1, datetime(2017-01-31))",
        "datetime",
        json!("2017-02-28T00:00:00.0000000Z"),
    );
    let now = Value::DateTime(DateTime(0));
    rejects(
        "datetime_add",
        &[Value::string("fortnight"), Value::Long(1), now],
        "not a valid period",
    );
}

#[test]
fn ingestion_time_function_is_null_offline() {
    check("ingestion_time()", "datetime", Json::Null);
}

// --- dynamic -----------------------------------------------------------------

#[test]
fn array_index_of_function() {
    let arr = r#"dynamic(["this", "is", "an", "example", "an", "example"])"#;
    check(&format!(r#"array_index_of({arr}, "an")"#), "long", json!(2));
    check(
        &format!(r#"array_index_of({arr}, "example", 1, 3)"#),
        "long",
        json!(3),
    );
    check(
        &format!(r#"array_index_of({arr}, "example", 1, 2)"#),
        "long",
        json!(-1),
    );
    check(
        &format!(r#"array_index_of({arr}, "an", 1, -1, 2)"#),
        "long",
        json!(4),
    );
    check(
        &format!(r#"array_index_of({arr}, "an", -3)"#),
        "long",
        json!(4),
    );
    check(
        &format!(r#"array_index_of({arr}, "is", -4)"#),
        "long",
        json!(-1),
    );
}

#[test]
fn array_sort_functions_and_array_reverse_function() {
    let arr = r#"dynamic([null, "blue", "yellow", "green", null])"#;
    check(
        &format!("array_sort_asc({arr})"),
        "dynamic",
        json!(["blue", "green", "yellow", null, null]),
    );
    check(
        &format!("array_sort_asc({arr}, false)"),
        "dynamic",
        json!([null, null, "blue", "green", "yellow"]),
    );
    check(
        &format!("array_sort_desc({arr})"),
        "dynamic",
        json!(["yellow", "green", "blue", null, null]),
    );
    check(
        r#"array_reverse(dynamic(["this", "is", "an", "example"]))"#,
        "dynamic",
        json!(["example", "an", "is", "this"]),
    );
}

#[test]
fn array_sum_function_and_array_iff_function() {
    check_real("array_sum(dynamic([2, 5, 3]))", 10.0);
    check(
        "array_iff(dynamic([true, false, true]), dynamic([1, 2, 3]), dynamic([4, 5, 6]))",
        "dynamic",
        json!([1, 5, 3]),
    );
    check(
        "array_iff(dynamic([true, false, true, false]), dynamic([1, 2, 3, 4]), dynamic([4, 5, 6]))",
        "dynamic",
        json!([1, 5, 3, null]),
    );
}

#[test]
fn array_shift_and_rotate_functions() {
    let arr = "dynamic([1, 2, 3, 4, 5])";
    check(
        &format!("array_shift_left({arr}, 2)"),
        "dynamic",
        json!([3, 4, 5, null, null]),
    );
    check(
        &format!("array_shift_left({arr}, -2)"),
        "dynamic",
        json!([null, null, 1, 2, 3]),
    );
    check(
        &format!("array_shift_left({arr}, 2, -1)"),
        "dynamic",
        json!([3, 4, 5, -1, -1]),
    );
    check(
        &format!("array_shift_right({arr}, 2)"),
        "dynamic",
        json!([null, null, 1, 2, 3]),
    );
    // Found by the eval fuzz target: a shift near the long limits
    // overflowed the position (a panic in debug builds).
    for shift in ["9223372036854775807", "-9223372036854775807 - 1"] {
        check(
            &format!("array_shift_left(dynamic([1, 2]), {shift})"),
            "dynamic",
            json!([null, null]),
        );
        check(
            &format!("array_shift_right(dynamic([1, 2]), {shift})"),
            "dynamic",
            json!([null, null]),
        );
    }
    check(
        &format!("array_rotate_left({arr}, 2)"),
        "dynamic",
        json!([3, 4, 5, 1, 2]),
    );
    check(
        &format!("array_rotate_left({arr}, -2)"),
        "dynamic",
        json!([4, 5, 1, 2, 3]),
    );
    check(
        &format!("array_rotate_right({arr}, 2)"),
        "dynamic",
        json!([4, 5, 1, 2, 3]),
    );
    check(
        &format!("array_split({arr}, 2)"),
        "dynamic",
        json!([[1, 2], [3, 4, 5]]),
    );
    check(
        &format!("array_split({arr}, dynamic([1, 3]))"),
        "dynamic",
        json!([[1], [2, 3], [4, 5]]),
    );
}

#[test]
fn bag_functions() {
    check(
        "bag_merge(dynamic({'A1':12, 'B1':2, 'C1':3}), dynamic({'A2':81, 'B2':82, 'A1':1}))",
        "dynamic",
        json!({"A1":12,"B1":2,"C1":3,"A2":81,"B2":82}),
    );
    check(
        "bag_remove_keys(dynamic({'key1': 123, 'key2': 'value2'}), dynamic(['key1']))",
        "dynamic",
        json!({"key2":"value2"}),
    );
    check(
        "bag_remove_keys(dynamic({'a': {'b': 1, 'c': 2}}), dynamic(['$.a.b']))",
        "dynamic",
        json!({"a":{"c":2}}),
    );
    check(
        "bag_has_key(dynamic({'key1': 'value1'}), 'key1')",
        "bool",
        json!(true),
    );
    check(
        "bag_has_key(dynamic({'a': {'b': 1}}), '$.a.b')",
        "bool",
        json!(true),
    );
    check(
        "bag_set_key(dynamic({'a': 1}), '$.b.c', 2)",
        "dynamic",
        json!({"a":1,"b":{"c":2}}),
    );
    check(
        "bag_zip(dynamic(['a', 'b', 'c']), dynamic([1, '2', 3.4]))",
        "dynamic",
        json!({"a":1,"b":"2","c":3.4}),
    );
}

#[test]
fn set_functions() {
    check(
        "set_union(dynamic([1, 2, 3]), dynamic([2, 3, 4]), dynamic([4, 5]))",
        "dynamic",
        json!([1, 2, 3, 4, 5]),
    );
    check(
        "set_intersect(dynamic([1, 2, 3]), dynamic([2, 3, 4]))",
        "dynamic",
        json!([2, 3]),
    );
    check(
        "set_difference(dynamic([1, 2, 3]), dynamic([2]), dynamic([3, 4]))",
        "dynamic",
        json!([1]),
    );
    check(
        "set_has_element(dynamic([1, 2, 3]), 2)",
        "bool",
        json!(true),
    );
    check(
        "set_equals(dynamic([1, 2, 3]), dynamic([3, 1, 2, 2]))",
        "bool",
        json!(true),
    );
    check_real(
        "jaccard_index(dynamic([1, 2, 3]), dynamic([1, 2, 3, 4]))",
        0.75,
    );
}

#[test]
fn range_function_and_repeat_function() {
    check(
        "range(1h, 3h)",
        "dynamic",
        json!(["01:00:00", "02:00:00", "03:00:00"]),
    );
    check("range(5, 1, -2)", "dynamic", json!([5, 3, 1]));
    check("repeat(1, 3)", "dynamic", json!([1, 1, 1]));
    check("repeat('asd', 0)", "dynamic", json!([]));
}

#[test]
fn extract_json_function() {
    let j = r#"'{"name": "John", "age": 30, "address": {"city": "Seattle"}, "tags": ["a", "b"]}'"#;
    check(
        &format!(r#"extract_json("$.name", {j})"#),
        "string",
        json!("John"),
    );
    check(
        &format!(r#"extract_json("$.address.city", {j})"#),
        "string",
        json!("Seattle"),
    );
    check(
        &format!(r#"extractjson("$['address']['city']", {j})"#),
        "string",
        json!("Seattle"),
    );
    check(
        &format!(r#"extract_json("$.tags[1]", {j})"#),
        "string",
        json!("b"),
    );
    check(
        &format!(r#"extract_json("$.address", {j})"#),
        "string",
        json!(r#"{"city":"Seattle"}"#),
    );
    check(
        &format!(r#"extract_json("$.missing", {j})"#),
        "string",
        json!(""),
    );
    let (ty, v) = call(
        "extract_json",
        &[
            Value::string("$.age"),
            Value::string(r#"{"age": 30}"#),
            Value::string("long"),
        ],
    );
    assert_eq!((ty, v), (DataType::Long, Value::Long(30)));
    rejects(
        "extract_json",
        &[Value::string("$..name"), Value::string("{}")],
        "JSONPath",
    );
}

// --- math ----------------------------------------------------------------------

#[test]
fn round_function_and_ceiling_function() {
    check_real("round(2.98765, 3)", 2.988);
    check_real("round(2.15, 1)", 2.2);
    check_real("round(2.15)", 2.0);
    check_real("round(-50.55, -2)", -100.0);
    check_real("round(21.5, -1)", 20.0);
    check("round(1250, -2)", "long", json!(1300));
    check_real("ceiling(-1.1)", -1.0);
    check_real("ceiling(0.5)", 1.0);
    check("ceiling(5)", "long", json!(5));
}

#[test]
fn exponential_and_logarithm_functions() {
    check_real("exp(0)", 1.0);
    check_real("exp2(3)", 8.0);
    check_real("exp10(2)", 100.0);
    check_real("log(1)", 0.0);
    check_real("log2(8)", 3.0);
    check_real("log10(100)", 2.0);
    check_real("pow(2, 3)", 8.0);
    check_real("sqrt(16)", 4.0);
    check_real("sign(-42)", -1.0);
    check_real("sign(0)", 0.0);
    check_real("sign(11.2)", 1.0);
    check("isinf(real(+inf))", "bool", json!(true));
    check("isfinite(1.0)", "bool", json!(true));
    check("isnan(real(nan))", "bool", json!(true));
}

#[test]
fn binary_functions() {
    check("binary_and(6, 3)", "long", json!(2));
    check("binary_or(6, 3)", "long", json!(7));
    check("binary_xor(6, 3)", "long", json!(5));
    check("binary_not(100)", "long", json!(-101));
    check("binary_shift_left(1, 2)", "long", json!(4));
    check("binary_shift_right(8, 2)", "long", json!(2));
    check("bitset_count_ones(42)", "long", json!(3));
}

#[test]
fn abs_function_and_max_of_function() {
    check("abs(-5)", "long", json!(5));
    check_real("abs(-5.5)", 5.5);
    check("abs(-3h)", "timespan", json!("03:00:00"));
    check("max_of(10, 1, -3, 17)", "long", json!(17));
    check("min_of(10, 1, -3, 17)", "long", json!(-3));
}

// --- hashes and conversions ----------------------------------------------------

#[test]
fn hash_function_and_hash_sha256_function() {
    check(r#"hash("World")"#, "long", json!(1846988464401551951_i64));
    check(r#"hash("World", 100)"#, "long", json!(51));
    check(
        r#"hash(datetime("2015-01-01"))"#,
        "long",
        json!(1380966698541616202_i64),
    );
    check(
        r#"hash_sha256("World")"#,
        "string",
        json!("78ae647dc5544d227130a0682a51e30bc7777fbb6d8a8f17007463a3ecd1d524"),
    );
    check(
        r#"hash_md5("World")"#,
        "string",
        json!("f5a7924e621e84c9280a9a27e1bcb7f6"),
    );
    check(
        r#"hash_sha1("World")"#,
        "string",
        json!("70c07ec18ef89c5309bbb0937f3a6342411e1fdd"),
    );
}

#[test]
fn conversion_functions() {
    check("tostring(123)", "string", json!("123"));
    check(r#"tolong("123")"#, "long", json!(123));
    check("toint(2.3)", "int", json!(2));
    check_real(r#"toreal("123.4")"#, 123.4);
    check(r#"tobool("true")"#, "bool", json!(true));
    check("tobool(123)", "bool", json!(true));
    check(r#"todecimal("123.45")"#, "decimal", json!(123.45));
    check(
        r#"toguid("0697405b-7d9d-4e9d-9c2d-0a4a7fe4e41b")"#,
        "guid",
        json!("0697405b-7d9d-4e9d-9c2d-0a4a7fe4e41b"),
    );
}

#[test]
fn parse_xml_function() {
    let xml = r#"'<?xml version="1.0" encoding="UTF-8"?><duration><value>118.0</value><count>5.0</count><min>100.0</min></duration>'"#;
    check(
        &format!("parse_xml({xml})"),
        "dynamic",
        json!({"duration": {"value": "118.0", "count": "5.0", "min": "100.0"}}),
    );
    check(
        &format!("todouble(parse_xml({xml}).duration.min)"),
        "real",
        json!(100.0),
    );
    check("parse_xml('not xml')", "dynamic", Json::Null);
}
