//! String operators and functions against the Kusto docs (pages under
//! https://learn.microsoft.com/kusto/query/, named in each test) and
//! docs/semantics.md#string-operators and #functions.

use kqlite::internals::functions::ipv4::*;
use kqlite::internals::functions::strings::*;
use kqlite::internals::value::text::*;
use kqlite::{Bag, Value};
use regex::Regex;

fn op(kind: MatchKind, cs: bool, hay: &str, needle: &str) -> bool {
    StrMatcher::new(kind, cs, needle).matches(hay)
}

// --- datatypes-string-operators: every row of the operator table ------------

#[test]
fn string_operator_table_rows() {
    use MatchKind::*;
    // (negated, kind, case-sensitive, lhs, rhs): each row yields true.
    let rows: &[(bool, MatchKind, bool, &str, &str)] = &[
        (false, Equals, true, "aBc", "aBc"),
        (true, Equals, true, "abc", "ABC"),
        (false, Equals, false, "abc", "ABC"),
        (true, Equals, false, "aBc", "xyz"),
        (false, Contains, false, "FabriKam", "BRik"),
        (true, Contains, false, "Fabrikam", "xyz"),
        (false, Contains, true, "FabriKam", "Kam"),
        (true, Contains, true, "Fabrikam", "Kam"),
        (false, EndsWith, false, "Fabrikam", "Kam"),
        (true, EndsWith, false, "Fabrikam", "brik"),
        (false, EndsWith, true, "Fabrikam", "kam"),
        (true, EndsWith, true, "Fabrikam", "brik"),
        (false, Has, false, "North America", "america"),
        (true, Has, false, "North America", "amer"),
        (false, Has, true, "North America", "America"),
        (true, Has, true, "North America", "amer"),
        (false, HasPrefix, false, "North America", "ame"),
        (true, HasPrefix, false, "North America", "mer"),
        (false, HasPrefix, true, "North America", "Ame"),
        (true, HasPrefix, true, "North America", "CA"),
        (false, HasSuffix, false, "North America", "ica"),
        (true, HasSuffix, false, "North America", "americ"),
        (false, HasSuffix, true, "North America", "ica"),
        (true, HasSuffix, true, "North America", "icA"),
        (false, StartsWith, false, "Fabrikam", "fab"),
        (true, StartsWith, false, "Fabrikam", "kam"),
        (false, StartsWith, true, "Fabrikam", "Fab"),
        (true, StartsWith, true, "Fabrikam", "fab"),
    ];
    for &(negated, kind, cs, lhs, rhs) in rows {
        assert_eq!(
            op(kind, cs, lhs, rhs),
            !negated,
            "{lhs:?} {}{kind:?}{} {rhs:?}",
            if negated { "!" } else { "" },
            if cs { "_cs" } else { "" }
        );
    }
    // The free-function forms agree.
    assert!(contains_ci("FabriKam", "BRik"));
    assert!(contains_cs("FabriKam", "Kam"));
    assert!(!contains_cs("Fabrikam", "Kam"));
    assert!(starts_with_ci("Fabrikam", "fab"));
    assert!(starts_with_cs("Fabrikam", "Fab"));
    assert!(ends_with_ci("Fabrikam", "Kam"));
    assert!(ends_with_cs("Fabrikam", "kam"));
    assert!(has_ci("North America", "america"));
    assert!(has_cs("North America", "America"));
    assert!(has_prefix_ci("North America", "ame"));
    assert!(has_prefix_cs("North America", "Ame"));
    assert!(has_suffix_ci("North America", "ica"));
    assert!(has_suffix_cs("North America", "ica"));
    assert!(equals_ci("abc", "ABC"));
}

#[test]
fn in_rows_of_the_table() {
    // `in` / `in~` are equality with any element.
    let any = |cs: bool, lhs: &str, list: &[&str]| {
        list.iter()
            .any(|r| StrMatcher::new(MatchKind::Equals, cs, r).matches(lhs))
    };
    assert!(any(true, "abc", &["123", "345", "abc"]));
    assert!(!any(true, "bca", &["123", "345", "abc"]));
    assert!(any(false, "Abc", &["123", "345", "abc"]));
    assert!(any(false, "abc", &["123", "345", "ABC"]));
    assert!(!any(false, "bCa", &["123", "345", "ABC"]));
    // matches regex: unanchored search, case-sensitive.
    assert!(Regex::new("b.*k").unwrap().is_match("Fabrikam"));
}

#[test]
fn has_any_and_has_all_rows() {
    // datatypes-string-operators, has-any-operator, has-all-operator.
    assert!(has_any("North America", &["south", "north"]));
    assert!(has_all("North and South America", &["south", "north"]));
    assert!(!has_all("North America", &["south", "north"]));
    assert!(!has_any("North America", &["sou", "nor"]));
    let set = TermSet::new(["south", "NORTH", "new york", "x-y"], false);
    assert!(set.matches_any("NEW YORK"));
    assert!(set.matches_any("a X-Y b"));
    assert!(!set.matches_any("newyork x_y"));
    assert!(set.matches_all("North, south: New York x-y"));
    assert!(!set.matches_all("North, south: New York"));
    let cs = TermSet::new(["North"], true);
    assert!(cs.matches_any("North"));
    assert!(!cs.matches_any("north"));
    // Repeated terms count once; empty lists.
    assert!(TermSet::new(["a", "a", "A"], false).matches_all("a"));
    assert!(!TermSet::new([], false).matches_any("a"));
    assert!(TermSet::new([], false).matches_all("a"));
    // Long terms go through the allocating path.
    let long = "A".repeat(100);
    assert!(
        TermSet::new([long.to_lowercase().as_str()], false).matches_any(&format!("x {long} y"))
    );
}

#[test]
fn terms_per_the_docs() {
    // datatypes-string-operators "What is a term?".
    let text = "Kusto: ad67d136-c1db-4f9f-88ef-d94f3b6b0b5a;KustoExplorerQueryRun";
    for term in [
        "Kusto",
        "ad67d136",
        "c1db",
        "4f9f",
        "88ef",
        "d94f3b6b0b5a",
        "KustoExplorerQueryRun",
    ] {
        assert!(has_cs(text, term), "{term}");
    }
    assert!(!has_ci("KustoExplorerQueryRun", "Explorer"));
    assert!(contains_ci("KustoExplorerQueryRun", "Explorer"));
    // The 2020 page's example string.
    assert!(has_cs(
        "Kusto:  ad67d136-c1db-4f9f-88ef-d94f3b6b0b5a;;WilliamGates3rd",
        "WilliamGates3rd"
    ));
}

#[test]
fn has_with_separators_in_the_needle() {
    // MicrosoftDocs/dataexplorer-docs issue #1005 (docs/semantics.md#terms).
    let url = "https://management.azure.com/subscriptions/x/resourcegroups/test.rg000001?api-version=2020";
    assert!(has_ci(url, "resourcegroups/test.rg000001"));
    assert!(has_ci(url, "/resourcegroups/test.rg000001?"));
    assert!(!has_ci(url, "sourcegroups/test.rg000001"));
    assert!(has_ci("North America", "North America"));
    assert!(has_ci("a.b", "."));
    assert!(has_ci("x", ""));
    assert!(has_prefix_ci("x", ""));
    // Overlapping candidates: the first occurrence fails, a later one holds.
    assert!(has_cs("xa.a.a", "a.a"));
    assert!(has_ci("XA.A.A", "a.a"));
    assert!(!has_ci("aaa", "aa"));
    assert!(has_suffix_ci("aaa", "aa"));
    assert!(has_prefix_ci("aaa", "aa"));
}

#[test]
fn non_ascii_text() {
    // Non-ASCII characters separate terms (decision, see module docs).
    assert!(has_ci("caféteria", "caf"));
    assert!(has_ci("naïve", "na"));
    assert!(has_ci("ÉCOLE normale", "école"));
    // "école" is a separator then the term "cole", so it may follow "x".
    assert!(has_ci("xÉCOLE", "école"));
    assert!(!has_ci("ÉCOLEx", "école"));
    assert!(contains_ci("Straße ÄRGER", "äRGer"));
    assert!(equals_ci("ÄÖÜ", "äöü"));
    assert!(!equals_ci("ÄÖÜ", "aou"));
    assert!(starts_with_ci("Ωmega", "ωme"));
    assert!(ends_with_ci("ALPHA BETA Γ", "γ"));
    assert!(contains_ci("ⱥ", "Ⱥ"));
    assert!(contains_ci("Ⱥ", "ⱥ"));
    assert!(!contains_ci("abc", "ⱥ"));
    // An ASCII needle in non-ASCII text, both cases.
    assert!(contains_ci("Grüße aus KÖLN und Berlin", "berlin"));
    assert!(has_ci("Grüße aus KÖLN und Berlin", "UND"));
    // The Kelvin sign does not fold onto ASCII `k`.
    assert!(!equals_ci("\u{212A}", "k"));
    assert!(!contains_ci("\u{212A}ilo", "kilo"));
    assert!(has_ci("\u{212A}ilo", "ilo"));
    // strlen-function: code points.
    assert_eq!(strlen("⒦⒰⒮⒯⒪"), 5);
    assert_eq!(strlen("hello"), 5);
    assert_eq!(strlen("C\u{0327}edilla"), 8);
    assert_eq!(strlen(""), 0);
}

#[test]
fn empty_operands() {
    assert!(contains_ci("abc", ""));
    assert!(contains_cs("", ""));
    assert!(starts_with_ci("abc", ""));
    assert!(ends_with_cs("abc", ""));
    assert!(!contains_ci("", "a"));
    assert!(!has_ci("", "a"));
    assert!(equals_ci("", ""));
    assert!(!op(MatchKind::Equals, false, "a", ""));
    assert!(!op(MatchKind::StartsWith, false, "a", "ab"));
    assert!(!op(MatchKind::EndsWith, false, "b", "ab"));
}

#[test]
fn like_is_a_sql_style_pattern() {
    assert!(like("Fabrikam", "fab%", false));
    assert!(like("Fabrikam", "%BRIK%", false));
    assert!(like("Fabrikam", "F_brikam", true));
    assert!(!like("Fabrikam", "fab%", true));
    assert!(!like("Fabrikam", "brik", false));
    assert!(like("", "%", false));
    assert!(like("a%b", "a%b", true));
    assert!(like("aXbYb", "a%b", true));
    assert!(!like("aXbYc", "a%b", true));
}

#[test]
fn tolower_toupper() {
    // tolower-function / toupper-function.
    assert_eq!(to_lower("Hello"), "hello");
    assert_eq!(to_upper("hello"), "HELLO");
    assert_eq!(to_lower("ÄÖÜ İ"), "äöü İ");
    assert_eq!(to_upper("straße"), "STRAßE");
}

// --- string functions ----------------------------------------------------------

#[test]
fn substring_doc_examples() {
    // substring-function.
    assert_eq!(substring("123456", 1, None), "23456");
    assert_eq!(substring("123456", 2, Some(2)), "34");
    assert_eq!(substring("ABCD", 0, Some(2)), "AB");
    assert_eq!(substring("123456", -2, Some(2)), "56");
    // Clamping (decision).
    assert_eq!(substring("123456", 10, None), "");
    assert_eq!(substring("123456", 4, Some(10)), "56");
    assert_eq!(substring("123456", -10, Some(2)), "12");
    assert_eq!(substring("123456", 1, Some(-1)), "");
    assert_eq!(substring("123456", 1, Some(0)), "");
    assert_eq!(substring("123456", i64::MIN, Some(i64::MAX)), "123456");
    // Code points, not bytes.
    assert_eq!(substring("⒦⒰⒮⒯⒪", 1, Some(3)), "⒰⒮⒯");
    assert_eq!(substring("aé€😀b", -2, None), "😀b");
}

#[test]
fn indexof_doc_examples() {
    // indexof-function: idx1 … idx9.
    assert_eq!(indexof("abcdefg", "cde", 0, -1, 1), Some(2));
    assert_eq!(indexof("abcdefg", "cde", 1, 4, 1), Some(2));
    assert_eq!(indexof("abcdefg", "cde", 1, 2, 1), Some(-1));
    assert_eq!(indexof("abcdefg", "cde", 3, 4, 1), Some(-1));
    assert_eq!(indexof("abcdefg", "cde", -5, -1, 1), Some(2));
    assert_eq!(indexof("1234567", "5", 1, 4, 1), Some(4));
    assert_eq!(indexof("abcdefg", "cde", 2, -1, 1), Some(2));
    assert_eq!(indexof("abcdefgabcdefg", "cde", 1, 10, 2), Some(9));
    assert_eq!(indexof("abcdefgabcdefg", "cde", 1, -1, 3), Some(-1));
    // Null cases.
    assert_eq!(indexof("abc", "b", -5, -1, 1), None);
    assert_eq!(indexof("abc", "b", 0, -2, 1), None);
    assert_eq!(indexof("abc", "b", 0, -1, -1), None);
    // Decisions.
    assert_eq!(indexof("abc", "b", 9, -1, 1), Some(-1));
    assert_eq!(indexof("abc", "", 1, -1, 1), Some(1));
    assert_eq!(indexof("abc", "b", 0, -1, 0), Some(-1));
    assert_eq!(indexof("aaa", "aa", 0, -1, 2), Some(1));
    assert_eq!(indexof("⒦⒰⒮⒯⒪", "⒮", 0, -1, 1), Some(2));
}

#[test]
fn split_doc_examples() {
    // split-function.
    assert_eq!(split("aa_bb", "_"), ["aa", "bb"]);
    assert_eq!(split_at_index("aaa_bbb_ccc", "_", 1), ["bbb"]);
    assert_eq!(split("", "_"), [""]);
    assert_eq!(split("a__b", "_"), ["a", "", "b"]);
    assert_eq!(split("aabbcc", "bb"), ["aa", "cc"]);
    assert!(split_at_index("aaa_bbb_ccc", "_", 3).is_empty());
    assert!(split_at_index("aaa_bbb_ccc", "_", -1).is_empty());
    assert_eq!(split("abc", ""), ["abc"]);
    assert_eq!(split("a.b.", "."), ["a", "b", ""]);
}

#[test]
fn trim_doc_examples() {
    // trim-function, trim-start-function, trim-end-function, and the
    // conformance cases trim-01 … trim_end-01, let-04.
    let t = |re: &str, s: &str| TrimRegex::new(re).unwrap().trim(s).to_string();
    assert_eq!(t("--", "--https://bing.com--"), "https://bing.com");
    for x in 1..=5 {
        assert_eq!(
            t(r"[^\w]+", &format!("-  Te st{x}// $")),
            format!("Te st{x}")
        );
    }
    assert_eq!(t(r"\s+", "    Hello, world!    "), "Hello, world!");
    assert_eq!(
        TrimRegex::new("https://")
            .unwrap()
            .trim_start("https://bing.com"),
        "bing.com"
    );
    assert_eq!(TrimRegex::new(".com").unwrap().trim_end("bing.com"), "bing");
    assert_eq!(t("1", "10"), "0");
    assert_eq!(t("1", "11"), "");
    assert_eq!(t("1", "12"), "2");
    assert_eq!(t("ab|c", "abcabXcab"), "X");
    assert_eq!(t("x", ""), "");
    assert!(TrimRegex::new("(").is_err());
}

#[test]
fn replace_reverse_strcmp_countof() {
    assert_eq!(
        replace_string("A magic trick can turn a cat into a dog", "cat", "hamster"),
        "A magic trick can turn a hamster into a dog"
    );
    assert_eq!(replace_string("aaa", "aa", "b"), "ba");
    assert_eq!(replace_string("abc", "", "x"), "abc");
    // reverse-function and conformance reverse-02.
    assert_eq!(
        reverse("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        "ZYXWVUTSRQPONMLKJIHGFEDCBA"
    );
    assert_eq!(reverse("12345"), "54321");
    assert_eq!(reverse("123.45"), "54.321");
    assert_eq!(
        reverse("2017-10-15T12:00:00.0000000Z"),
        "Z0000000.00:00:21T51-01-7102"
    );
    assert_eq!(reverse("03:00:00"), "00:00:30");
    assert_eq!(reverse("aé😀"), "😀éa");
    // strcmp-function.
    assert_eq!(strcmp("ABC", "ABC"), 0);
    assert_eq!(strcmp("abc", "ABC"), 1);
    assert_eq!(strcmp("ABC", "abc"), -1);
    assert_eq!(strcmp("abcde", "abc"), 1);
    // countof-function table.
    assert_eq!(countof("aaa", "a"), 3);
    assert_eq!(countof("aaaa", "aa"), 3);
    assert_eq!(countof("ababa", "ab"), 2);
    assert_eq!(countof("ababa", "aba"), 2);
    assert_eq!(countof_regex("ababa", &Regex::new("aba").unwrap()), 1);
    assert_eq!(countof_regex("abcabc", &Regex::new("a.c").unwrap()), 2);
    assert_eq!(countof("abc", ""), 0);
    assert_eq!(countof("ééé", "éé"), 2);
}

#[test]
fn url_functions_doc_examples() {
    // url-decode-function, url-encode-function, url-encode-component-function.
    assert_eq!(
        url_decode("https%3a%2f%2fwww.bing.com%2f"),
        "https://www.bing.com/"
    );
    assert_eq!(
        url_encode("https://www.bing.com/hello world"),
        "https%3a%2f%2fwww.bing.com%2fhello+world"
    );
    assert_eq!(
        url_encode_component("https://www.bing.com/hello world/"),
        "https%3a%2f%2fwww.bing.com%2fhello%20world%2f"
    );
    assert_eq!(url_decode("a+b%20c"), "a b c");
    assert_eq!(url_decode("100%"), "100%");
    assert_eq!(url_decode("%zz%4"), "%zz%4");
    assert_eq!(url_decode("%C3%A9t%C3%A9"), "été");
    assert_eq!(url_decode("%FF"), "\u{FFFD}");
    assert_eq!(url_encode("été-_.!*()~"), "%c3%a9t%c3%a9-_.!*()%7e");
    assert_eq!(url_decode(&url_encode("a b/c?d=é&x")), "a b/c?d=é&x");
}

#[test]
fn base64_doc_examples() {
    // base64-encode-tostring-function / base64-decode-tostring-function.
    assert_eq!(base64_encode_tostring("Kusto"), "S3VzdG8=");
    assert_eq!(base64_decode_tostring("S3VzdG8=").as_deref(), Some("Kusto"));
    assert_eq!(base64_decode_tostring("U3RyaW5n0KHR0tGA0L7Rh9C60LA="), None);
    assert_eq!(base64_decode_tostring("S3VzdG8").as_deref(), Some("Kusto"));
    assert_eq!(
        base64_decode_tostring(" S3Vz\ndG8= ").as_deref(),
        Some("Kusto")
    );
    assert_eq!(base64_decode_tostring("not base64!"), None);
    assert_eq!(base64_decode_tostring("").as_deref(), Some(""));
    assert_eq!(base64_encode_tostring(""), "");
}

fn bag_json(b: &Bag) -> String {
    fn v(x: &Value) -> String {
        match x {
            Value::String(s) => format!("{:?}", s.as_str()),
            Value::Bag(b) => bag_json(b),
            other => format!("{other:?}"),
        }
    }
    let items: Vec<String> = b
        .iter()
        .map(|(k, x)| format!("{:?}:{}", k.as_str(), v(x)))
        .collect();
    format!("{{{}}}", items.join(","))
}

#[test]
fn parse_url_doc_and_issue_examples() {
    // parse-url-function (Path with its leading slash, as the service returns
    // per microsoft/Kusto-Query-Language#112).
    assert_eq!(
        bag_json(&parse_url(
            "scheme://username:password@host:1234/this/is/a/path?k1=v1&k2=v2#fragment"
        )),
        r#"{"Scheme":"scheme","Host":"host","Port":"1234","Path":"/this/is/a/path","Username":"username","Password":"password","Query Parameters":{"k1":"v1","k2":"v2"},"Fragment":"fragment"}"#
    );
    // microsoft/Kusto-Query-Language#112, "actual" outputs.
    assert_eq!(
        bag_json(&parse_url(
            "https://john.doe@www.example.com:123/forum/questions/?tag=networking&order=newest#top"
        )),
        r#"{"Scheme":"https","Host":"john.doe@www.example.com","Port":"123","Path":"/forum/questions/","Username":"","Password":"","Query Parameters":{"tag":"networking","order":"newest"},"Fragment":"top"}"#
    );
    assert_eq!(
        bag_json(&parse_url("ldap://[2001:db8::7]/c=GB?objectClass?one")),
        r#"{"Scheme":"ldap","Host":"[2001:db8:","Port":"7]","Path":"/c=GB","Username":"","Password":"","Query Parameters":{},"Fragment":""}"#
    );
    let empty = r#"{"Scheme":"","Host":"","Port":"","Path":"","Username":"","Password":"","Query Parameters":{},"Fragment":""}"#;
    for s in [
        "mailto:John.Doe@example.com",
        "news:comp.infosystems.www.servers.unix",
        "tel:+1-816-555-1212",
        "bing.com",
        "",
    ] {
        assert_eq!(bag_json(&parse_url(s)), empty, "{s}");
    }
    assert_eq!(
        bag_json(&parse_url("https://bing.com")),
        r#"{"Scheme":"https","Host":"bing.com","Port":"","Path":"","Username":"","Password":"","Query Parameters":{},"Fragment":""}"#
    );
}

#[test]
fn parse_urlquery_doc_example() {
    assert_eq!(
        bag_json(&parse_urlquery("k1=v1&k2=v2&k3=v3")),
        r#"{"Query Parameters":{"k1":"v1","k2":"v2","k3":"v3"}}"#
    );
    assert_eq!(
        bag_json(&parse_urlquery("?view=vs&x=")),
        r#"{"Query Parameters":{"?view":"vs","x":""}}"#
    );
}

#[test]
fn parse_path_doc_examples() {
    // parse-path-function output table.
    let cases = [
        (
            r"C:\temp\file.txt",
            r#"{"Scheme":"","RootPath":"C:","DirectoryPath":"C:\\temp","DirectoryName":"temp","Filename":"file.txt","Extension":"txt","AlternateDataStreamName":""}"#,
        ),
        (
            r"temp\file.txt",
            r#"{"Scheme":"","RootPath":"","DirectoryPath":"temp","DirectoryName":"temp","Filename":"file.txt","Extension":"txt","AlternateDataStreamName":""}"#,
        ),
        (
            "file://C:/temp/file.txt:some.exe",
            r#"{"Scheme":"file","RootPath":"C:","DirectoryPath":"C:/temp","DirectoryName":"temp","Filename":"file.txt","Extension":"txt","AlternateDataStreamName":"some.exe"}"#,
        ),
        (
            r"\\shared\users\temp\file.txt.gz",
            r#"{"Scheme":"","RootPath":"","DirectoryPath":"\\\\shared\\users\\temp","DirectoryName":"temp","Filename":"file.txt.gz","Extension":"gz","AlternateDataStreamName":""}"#,
        ),
        (
            "/usr/lib/temp/file.txt",
            r#"{"Scheme":"","RootPath":"","DirectoryPath":"/usr/lib/temp","DirectoryName":"temp","Filename":"file.txt","Extension":"txt","AlternateDataStreamName":""}"#,
        ),
    ];
    for (p, want) in cases {
        assert_eq!(bag_json(&parse_path(p)), want, "{p}");
    }
    let fname = |p: &str| {
        parse_path(p)
            .get("Filename")
            .and_then(|v| v.as_str().map(String::from))
    };
    assert_eq!(fname("file.txt").as_deref(), Some("file.txt"));
    assert_eq!(fname(r"C:\dir\").as_deref(), Some(""));
    assert_eq!(fname(r"\\?\C:\x\y.exe").as_deref(), Some("y.exe"));
    assert_eq!(
        parse_path(r"\\?\C:\x\y.exe")
            .get("RootPath")
            .and_then(|v| v.as_str()),
        Some("C:")
    );
}

#[test]
fn extract_doc_examples() {
    // extract-function.
    let re = Regex::new(r"-(\d{2})-").unwrap();
    assert_eq!(extract(&re, 1, "15-12-2024"), Some("12"));
    assert_eq!(extract(&re, 1, "21-07-2023"), Some("07"));
    assert_eq!(extract(&re, 0, "10-03-2022"), Some("-03-"));
    let user = Regex::new("User: ([^,]+)").unwrap();
    assert_eq!(
        extract(
            &user,
            1,
            "User: JohnDoe, Email: johndoe@example.com, Age: 29"
        ),
        Some("JohnDoe")
    );
    assert_eq!(extract(&user, 1, "nobody"), None);
    assert_eq!(extract(&user, 2, "User: x,"), None);
    assert_eq!(extract(&Regex::new("a(b)?").unwrap(), 1, "a"), None);
}

#[test]
fn extract_all_doc_examples() {
    // extract-all-function.
    let id = "82b8be2d-dfa7-4bd1-8f63-24ad26d31449";
    let strs = |v: &Value| -> Vec<String> {
        match v {
            Value::Array(a) => a
                .iter()
                .map(|x| match x {
                    Value::String(s) => s.to_string(),
                    Value::Array(inner) => inner
                        .iter()
                        .map(|y| y.as_str().unwrap_or("?").to_string())
                        .collect::<Vec<_>>()
                        .join("|"),
                    _ => "?".into(),
                })
                .collect(),
            _ => vec!["null".into()],
        }
    };
    assert_eq!(
        strs(&extract_all(
            &Regex::new(r"(\d+)").unwrap(),
            None,
            "a set of numbers: 123, 567 and 789"
        )),
        ["123", "567", "789"]
    );
    assert_eq!(
        strs(&extract_all(
            &Regex::new(r"([\da-f]{2})").unwrap(),
            None,
            id
        )),
        [
            "82", "b8", "be", "2d", "df", "a7", "4b", "d1", "8f", "63", "24", "ad", "26", "d3",
            "14", "49"
        ]
    );
    let three = Regex::new(r"(\w)(\w+)(\w)").unwrap();
    assert_eq!(
        strs(&extract_all(&three, None, id)),
        ["8|2b8be2|d", "d|fa|7", "4|bd|1", "8|f6|3", "2|4ad26d3144|9"]
    );
    assert_eq!(
        strs(&extract_all(
            &three,
            Some(&[CaptureRef::Index(1), CaptureRef::Index(3)]),
            id
        )),
        ["8|d", "d|7", "4|1", "8|3", "2|9"]
    );
    let named = Regex::new(r"(?P<first>\w)(?P<middle>\w+)(?P<last>\w)").unwrap();
    let groups = [
        CaptureRef::Name("first".into()),
        CaptureRef::Index(2),
        CaptureRef::Name("last".into()),
    ];
    assert_eq!(
        strs(&extract_all(&named, Some(&groups), id)),
        ["8|2b8be2|d", "d|fa|7", "4|bd|1", "8|f6|3", "2|4ad26d3144|9"]
    );
    assert_eq!(extract_all(&three, None, "--"), Value::Null);
    assert_eq!(
        strs(&extract_all(&Regex::new(r"\d").unwrap(), None, "a1b2")),
        ["1", "2"]
    );
    assert_eq!(
        strs(&extract_all(&three, Some(&[CaptureRef::Index(2)]), "abcd")),
        ["bc"]
    );
}

#[test]
fn ipv4_doc_examples() {
    // parse-ipv4-function.
    assert_eq!(parse_ipv4("192.168.1.1"), Some(3232235777));
    assert_eq!(parse_ipv4("192.168.1.1/24"), Some(3232235776));
    assert_eq!(parse_ipv4("255.255.255.255/31"), Some(4294967294));
    assert_eq!(parse_ipv4("0.0.0.0/0"), Some(0));
    for bad in [
        "",
        "1.2.3",
        "1.2.3.4.5",
        "256.1.1.1",
        "1.2.3.4/33",
        "1.2.3.4/",
        "a.b.c.d",
        "1..2.3",
        "1.2.3.-4",
        "1.2.3.4/x",
        "::1",
    ] {
        assert_eq!(parse_ipv4(bad), None, "{bad:?}");
    }
    // ipv4-is-private-function.
    assert_eq!(ipv4_is_private("192.168.1.1/24"), Some(true));
    assert_eq!(ipv4_is_private("10.1.2.3/24"), Some(true));
    assert_eq!(ipv4_is_private("202.1.2.3"), Some(false));
    assert_eq!(ipv4_is_private("127.0.0.1"), Some(false));
    assert_eq!(ipv4_is_private("10.1.2.3"), Some(true));
    assert_eq!(ipv4_is_private("172.16.0.1"), Some(true));
    assert_eq!(ipv4_is_private("172.31.255.255"), Some(true));
    assert_eq!(ipv4_is_private("172.32.0.1"), Some(false));
    assert_eq!(ipv4_is_private("not an ip"), None);
    // ipv4-is-in-range-function.
    assert_eq!(ipv4_is_in_range("192.168.1.1", "192.168.1.1"), Some(true));
    assert_eq!(
        ipv4_is_in_range("192.168.1.1", "192.168.1.255/24"),
        Some(true)
    );
    assert_eq!(
        ipv4_is_in_range("192.168.2.1", "192.168.1.255/24"),
        Some(false)
    );
    assert_eq!(ipv4_is_in_range("192.168.2.1", "x"), None);
    // ipv4-is-match-function, all three tables.
    assert_eq!(
        ipv4_is_match("192.168.1.1/24", "192.168.1.255", None),
        Some(true)
    );
    assert_eq!(
        ipv4_is_match("192.168.1.0", "192.168.1.0", None),
        Some(true)
    );
    assert_eq!(
        ipv4_is_match("192.168.1.1", "192.168.1.255/24", None),
        Some(true)
    );
    assert_eq!(
        ipv4_is_match("192.168.1.1/30", "192.168.1.255/24", None),
        Some(true)
    );
    assert_eq!(
        ipv4_is_match("192.168.1.1", "192.168.1.0", Some(31)),
        Some(true)
    );
    assert_eq!(
        ipv4_is_match("192.168.1.1/24", "192.168.1.255", Some(31)),
        Some(true)
    );
    assert_eq!(
        ipv4_is_match("192.168.1.1", "192.168.1.255", Some(24)),
        Some(true)
    );
    assert_eq!(
        ipv4_is_match("192.168.1.1", "192.168.1.255", None),
        Some(false)
    );
    assert_eq!(
        ipv4_is_match("192.168.1.1", "192.168.1.255", Some(33)),
        None
    );
    assert_eq!(ipv4_compare("127.0.0.1", "127.0.0.2", None), Some(-1));
    assert_eq!(
        ipv4_compare("192.168.1.1", "192.168.1.255", Some(24)),
        Some(0)
    );
    assert_eq!(parse_ipv4_mask("10.1.2.3", 24), Some(167838208));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// A slow, obviously correct model of the operators over characters.
    fn reference(kind: MatchKind, cs: bool, hay: &str, needle: &str) -> bool {
        let f = |c: char| if cs { c } else { fold_char(c) };
        let h: Vec<char> = hay.chars().collect();
        let n: Vec<char> = needle.chars().map(f).collect();
        let term = |c: Option<&char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        let at = |s: usize| {
            h.len() >= s + n.len()
                && h[s..s + n.len()]
                    .iter()
                    .map(|&c| f(c))
                    .eq(n.iter().copied())
        };
        let before_ok = |s: usize| !term(n.first()) || s == 0 || !term(h.get(s - 1));
        let after_ok = |s: usize| !term(n.last()) || !term(h.get(s + n.len()));
        let starts = 0..=h.len();
        match kind {
            MatchKind::Equals => h.len() == n.len() && at(0),
            MatchKind::StartsWith => at(0),
            MatchKind::EndsWith => h.len() >= n.len() && at(h.len() - n.len()),
            MatchKind::Contains => starts.into_iter().any(at),
            MatchKind::Has => starts
                .into_iter()
                .any(|s| at(s) && before_ok(s) && after_ok(s)),
            MatchKind::HasPrefix => starts.into_iter().any(|s| at(s) && before_ok(s)),
            MatchKind::HasSuffix => starts.into_iter().any(|s| at(s) && after_ok(s)),
        }
    }

    const ALPHABET: &str = "[aAbB1 ._éÉⱥȺ\u{212A}kKß]{0,8}";

    proptest! {
        #[test]
        fn matchers_agree_with_the_reference(hay in ALPHABET, needle in "[aAbB1 ._éÉⱥȺ\u{212A}kK]{0,3}", cs in any::<bool>()) {
            for kind in [MatchKind::Equals, MatchKind::Contains, MatchKind::StartsWith, MatchKind::EndsWith,
                         MatchKind::Has, MatchKind::HasPrefix, MatchKind::HasSuffix] {
                prop_assert_eq!(StrMatcher::new(kind, cs, &needle).matches(&hay), reference(kind, cs, &hay, &needle),
                    "{:?} cs={} {:?} {:?}", kind, cs, hay, needle);
            }
        }

        #[test]
        fn term_sets_agree_with_has(hay in ALPHABET, terms in proptest::collection::vec("[aAbB1 .é]{0,3}", 0..4), cs in any::<bool>()) {
            let set = TermSet::new(terms.iter().map(String::as_str), cs);
            let each: Vec<bool> = terms.iter().map(|t| StrMatcher::new(MatchKind::Has, cs, t).matches(&hay)).collect();
            prop_assert_eq!(set.matches_any(&hay), each.iter().any(|&b| b));
            prop_assert_eq!(set.matches_all(&hay), each.iter().all(|&b| b));
        }

        #[test]
        fn substring_and_indexof_never_panic(s in "\\PC{0,10}", a in -20i64..20, b in -20i64..20, occ in -2i64..4) {
            let _ = substring(&s, a, Some(b));
            let _ = substring(&s, a, None);
            let _ = indexof(&s, "a", a, b, occ);
        }

        #[test]
        fn url_encoding_round_trips(s in "\\PC{0,20}") {
            prop_assert_eq!(url_decode(&url_encode(&s)), s.clone());
            prop_assert_eq!(base64_decode_tostring(&base64_encode_tostring(&s)), Some(s));
        }
    }
}
