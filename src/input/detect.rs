//! Recognising a file's format by its content.
//!
//! Rules, applied to the first megabyte (decompressed first when the file
//! starts with the gzip magic bytes `1f 8b`), after any UTF-8 BOM:
//!
//! 1. Empty: JSON rows (nothing to read).
//! 2. Starts with `{`: the first line is one JSON value → one record per
//!    line, judged by that object (and, if it is not valid JSON, by the
//!    first line that is); otherwise the first value spans lines → one
//!    document. An object is
//!    * `{"tables":[…]}` → `query-api` (a document);
//!    * `{"records":[…]}` → `azure-records` (Event Hub bodies);
//!    * `{"kind":"EventList",…}` → `k8s-audit` (a document);
//!    * `{"value":[…]}` → judged by its first element (a document);
//!    * an audit Event (`auditID`, or `kind: "Event"` with an
//!      `audit.k8s.io` `apiVersion`, or only Event keys and a `kind`, as in
//!      fuzz cases) → `k8s-audit`;
//!    * a diagnostic record (`category` and `resourceId`) → `azure-records`;
//!    * an activity-log list event (`operationName.value`,
//!      `eventTimestamp`) → `activity-list`;
//!    * anything else → JSON rows.
//! 3. Starts with `[`: a document, judged by its first element: a row
//!    object with `TableName` (or any other object) → `az-query`, else by
//!    the object rules above; `[]` → `az-query` (no rows).
//! 4. Otherwise a header of column names followed by a record of the same
//!    width → `csv` (one column is enough for a `.csv` file name).
//! 5. Otherwise, if some line of the sample is a JSON object → JSON rows
//!    (the lines before it are reported as bad, as always).
//! 6. Otherwise the file is not recognised: an error naming the file and
//!    the formats tried.

use super::Input;
use super::audit::ALL_EVENT_KEYS;
use super::open::{gunzip_prefix, is_gzip};
use super::{FormatChoice, FormatKind, InputError, InputFormat};
use crate::json::{self, Scanner};

/// How much of a file detection reads.
pub const DETECT_BYTES: usize = 1 << 20;

/// How much of a gzip file detection decompresses (enough for the first
/// records; a longer first line is judged as cut).
const DETECT_GZIP_BYTES: usize = 256 << 10;

/// The text detection looks at: up to `limit` bytes, decompressed when the
/// input is gzip, without a BOM.
pub(crate) fn sample(bytes: &[u8], gzip: bool, limit: usize) -> std::borrow::Cow<'_, [u8]> {
    if super::avro::is_avro(bytes) {
        // The bodies of the first messages, one per line.
        let mut text = super::avro::first_bodies(bytes, 64).unwrap_or_default();
        text.truncate(limit);
        return std::borrow::Cow::Owned(text);
    }
    if gzip {
        let mut text = gunzip_prefix(bytes, limit);
        if text.starts_with(b"\xEF\xBB\xBF") {
            text.drain(..3);
        }
        std::borrow::Cow::Owned(text)
    } else {
        let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        std::borrow::Cow::Borrowed(&b[..b.len().min(limit)])
    }
}

/// The input, with the format it is to be read as: `choice` when it names
/// one, else what its content says. `table` is the table it is bound to
/// (it decides which response table of a query-API file to read, and
/// whether a CSV's rows are routed by `$table`).
pub fn detect_input(input: Input, table: &str, choice: &FormatChoice) -> Result<Input, InputError> {
    let open = input.open()?;
    let name = input.to_string();
    let format = detect(&name, open.bytes(), table, choice).map_err(|reason| InputError {
        path: name.clone(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, reason),
    })?;
    Ok(input.with_format(format))
}

/// The format of a file named `name` with content `bytes`.
pub fn detect(
    name: &str,
    bytes: &[u8],
    table: &str,
    choice: &FormatChoice,
) -> Result<InputFormat, String> {
    let gzip = is_gzip(bytes);
    let avro = super::avro::is_avro(bytes);
    if avro {
        super::avro::first_bodies(bytes, 1)
            .map_err(|e| format!("an Avro file that kqlite cannot read: {e}"))?;
    }
    let limit = if gzip {
        DETECT_GZIP_BYTES
    } else {
        DETECT_BYTES
    };
    let text = sample(bytes, gzip, limit);
    let cut = if gzip {
        text.len() >= limit
    } else {
        bytes.len() > DETECT_BYTES
    };
    let named_csv = name
        .to_ascii_lowercase()
        .trim_end_matches(".gz")
        .ends_with(".csv");
    let (kind, document) = match choice.kind {
        Some(kind) => (kind, layout_of(kind, &text)),
        None => classify(&text, named_csv, cut).ok_or_else(|| unrecognised(&text))?,
    };
    let mut format = InputFormat {
        kind,
        gzip,
        avro,
        document: document && !avro,
        select: choice.option.clone(),
        dates: Default::default(),
    };
    if format.select.is_none() {
        format.select = match kind {
            FormatKind::QueryApi => super::query_api::tables(&text)
                .ok()
                .and_then(|t| t.iter().find(|t| t.name == table).map(|t| t.name.clone())),
            FormatKind::PortalCsv => {
                let (_, tables, _) = super::csv::sample_columns(&text, &|_| None);
                tables.iter().any(|t| t == table).then(|| table.to_string())
            }
            _ => None,
        };
    }
    Ok(format)
}

fn unrecognised(_text: &[u8]) -> String {
    format!(
        "not a format kqlite recognises (tried: {}); name one with --input-format TABLE=FORMAT",
        FormatKind::ALL
            .iter()
            .map(|k| format!("{} ({})", k.name(), k.describe()))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// For a format named by the user: whether the file is one document.
fn layout_of(kind: FormatKind, text: &[u8]) -> bool {
    match kind {
        FormatKind::QueryApi | FormatKind::AzQuery => true,
        FormatKind::PortalCsv => false,
        _ => {
            let first = first_byte(text);
            (first == Some(b'[') && !first_line_then_more(text))
                || (first == Some(b'{') && starts_multiline_value(text))
        }
    }
}

fn first_byte(text: &[u8]) -> Option<u8> {
    text.iter().copied().find(|b| !b.is_ascii_whitespace())
}

/// The first non-blank line, trimmed.
fn first_line(text: &[u8]) -> &[u8] {
    text.split(|&b| b == b'\n')
        .map(<[u8]>::trim_ascii)
        .find(|l| !l.is_empty())
        .unwrap_or_default()
}

/// Whether the sample starts with a JSON value written over several lines
/// (a pretty-printed document), rather than with a line that is one row,
/// whole or broken: `{"a":1}x` is a bad row line, not a document.
fn starts_multiline_value(text: &[u8]) -> bool {
    let body = text.trim_ascii_start();
    let Some(newline) = memchr::memchr(b'\n', body) else {
        return false;
    };
    match Scanner::new(body).value_bytes(json::MAX_SKIP_DEPTH) {
        Ok(value) => value.len() > newline,
        // A value cut short at a later line: a document larger than the
        // sample, unless later lines are rows of their own.
        Err(e) => e.offset > newline && lines_classification(text).is_none(),
    }
}

/// Whether the sample's first line holds a whole value (or a broken one)
/// and more lines follow: lines of rows whose first one is not a row,
/// rather than one document such as an array.
fn first_line_then_more(text: &[u8]) -> bool {
    let body = text.trim_ascii_start();
    match memchr::memchr(b'\n', body) {
        Some(newline) => {
            !starts_multiline_value(text)
                && !body
                    .get(newline..)
                    .unwrap_or_default()
                    .trim_ascii()
                    .is_empty()
        }
        None => false,
    }
}

/// Kind and layout (`true`: one document) of a sample; `None` when no rule
/// recognises it.
fn classify(text: &[u8], named_csv: bool, cut: bool) -> Option<(FormatKind, bool)> {
    match first_byte(text) {
        None => Some((FormatKind::JsonRows, false)),
        Some(b'{') => {
            let line = first_line(text);
            if json::validate(line) {
                return Some(match classify_object(line) {
                    Shape::Api => (FormatKind::QueryApi, true),
                    Shape::EventList => (FormatKind::K8sAudit, true),
                    Shape::List(kind) => (kind, true),
                    Shape::Bodies => (FormatKind::AzureRecords, false),
                    Shape::Record(kind) => (kind, false),
                });
            }
            let start = text
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .unwrap_or(0);
            let mut s = Scanner::new(&text[start..]);
            match s.value_bytes(json::MAX_SKIP_DEPTH) {
                Ok(_) if !starts_multiline_value(text) => {
                    // A first line holding a value and then something else:
                    // lines of rows, the first one broken.
                    Some((
                        lines_classification(text).unwrap_or(FormatKind::JsonRows),
                        false,
                    ))
                }
                Ok(value) => Some(match classify_object(value) {
                    Shape::Api => (FormatKind::QueryApi, true),
                    Shape::EventList => (FormatKind::K8sAudit, true),
                    Shape::List(kind) => (kind, true),
                    Shape::Bodies => (FormatKind::AzureRecords, true),
                    Shape::Record(FormatKind::JsonRows) => {
                        // A pretty-printed object, or a broken first line:
                        // judge by the first line that is a value.
                        match lines_classification(text) {
                            Some(kind) => (kind, false),
                            None => (FormatKind::JsonRows, true),
                        }
                    }
                    Shape::Record(kind) => (kind, true),
                }),
                Err(e)
                    if cut
                        && (e.reason == json::Reason::UnexpectedEnd
                            || e.reason == json::Reason::UnterminatedString
                            || e.offset + 8 >= text.len() - start) =>
                {
                    // A document larger than the sample: judge by its first keys.
                    Some(match leading_keys(&text[start..]).as_slice() {
                        [k, ..] if k == "tables" => (FormatKind::QueryApi, true),
                        [k, ..] if k == "records" => (FormatKind::AzureRecords, true),
                        keys if keys.iter().any(|k| k == "items") => (FormatKind::K8sAudit, true),
                        keys if keys.iter().any(|k| k == "value") => {
                            (FormatKind::ActivityList, true)
                        }
                        _ => (
                            lines_classification(text).unwrap_or(FormatKind::JsonRows),
                            false,
                        ),
                    })
                }
                Err(_) => Some((
                    lines_classification(text).unwrap_or(FormatKind::JsonRows),
                    false,
                )),
            }
        }
        Some(b'[') if first_line_then_more(text) => Some((
            lines_classification(text).unwrap_or(FormatKind::JsonRows),
            false,
        )),
        Some(b'[') => {
            let start = text
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .unwrap_or(0);
            let mut s = Scanner::new(&text[start..]);
            let mut seq = s.begin_array().ok()?;
            let first = match s.next_element(&mut seq) {
                Ok(true) => s.value_bytes(json::MAX_SKIP_DEPTH).ok(),
                Ok(false) => return Some((FormatKind::AzQuery, true)),
                Err(_) => None,
            };
            let kind = match first.map(classify_object) {
                Some(Shape::Record(FormatKind::JsonRows)) | None => FormatKind::AzQuery,
                Some(Shape::Record(kind)) => kind,
                Some(_) => FormatKind::AzQuery,
            };
            Some((kind, true))
        }
        Some(_) => {
            if super::csv::looks_like_csv(text, named_csv) {
                Some((FormatKind::PortalCsv, false))
            } else {
                lines_classification(text).map(|k| (k, false))
            }
        }
    }
}

/// The kind of the first line of the sample that is a JSON object.
fn lines_classification(text: &[u8]) -> Option<FormatKind> {
    text.split(|&b| b == b'\n')
        .map(<[u8]>::trim_ascii)
        .find(|l| l.first() == Some(&b'{') && json::validate(l))
        .map(|l| match classify_object(l) {
            Shape::Bodies => FormatKind::AzureRecords,
            Shape::Record(kind) => kind,
            Shape::Api => FormatKind::QueryApi,
            Shape::EventList => FormatKind::K8sAudit,
            Shape::List(kind) => kind,
        })
}

/// The top-level keys of an object whose text is cut short, as far as
/// they can be read.
fn leading_keys(text: &[u8]) -> Vec<String> {
    let mut keys = Vec::new();
    let mut s = Scanner::new(text);
    let Ok(mut seq) = s.begin_object() else {
        return keys;
    };
    while let Ok(Some(k)) = s.next_key(&mut seq) {
        keys.push(k.into_owned());
        if s.skip_value().is_err() {
            break;
        }
    }
    keys
}

/// What one JSON object is.
enum Shape {
    /// `{"tables":[…]}`
    Api,
    /// `{"records":[…]}`
    Bodies,
    /// `{"kind":"EventList","items":[…]}`
    EventList,
    /// `{"value":[…]}` of events of this kind.
    List(FormatKind),
    /// One record of this kind (`JsonRows`: a plain row).
    Record(FormatKind),
}

fn classify_object(raw: &[u8]) -> Shape {
    let Ok(members) = json::top_level_members(raw) else {
        return Shape::Record(FormatKind::JsonRows);
    };
    let get = |key: &str| {
        members
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| *v)
    };
    let text = |key: &str| get(key).and_then(json::string_text);
    let is_array = |key: &str| get(key).is_some_and(|v| v.first() == Some(&b'['));
    if is_array("tables") {
        return Shape::Api;
    }
    if is_array("records") {
        return Shape::Bodies;
    }
    if text("kind").as_deref() == Some("EventList")
        || (is_array("items") && get("apiVersion").is_some())
    {
        return Shape::EventList;
    }
    if is_array("value")
        && let Some(first) = get("value").and_then(first_element)
    {
        return match classify_object(first) {
            Shape::Record(FormatKind::JsonRows) => Shape::List(FormatKind::AzQuery),
            Shape::Record(kind) => Shape::List(kind),
            _ => Shape::List(FormatKind::AzQuery),
        };
    }
    let api_version = text("apiVersion");
    let is_event = get("auditID").is_some()
        || (text("kind").as_deref() == Some("Event")
            && api_version
                .as_deref()
                .is_none_or(|v| v.starts_with("audit.k8s.io")))
        || (get("kind").is_some()
            && members
                .iter()
                .all(|(k, _)| ALL_EVENT_KEYS.contains(&k.as_ref())));
    if is_event {
        return Shape::Record(FormatKind::K8sAudit);
    }
    let op_is_object = get("operationName").is_some_and(|v| v.first() == Some(&b'{'));
    if op_is_object
        && (get("eventTimestamp").is_some()
            || get("submissionTimestamp").is_some()
            || get("eventDataId").is_some())
    {
        return Shape::Record(FormatKind::ActivityList);
    }
    if text("category").is_some() && (get("resourceId").is_some() || get("resourceID").is_some()) {
        return Shape::Record(FormatKind::AzureRecords);
    }
    Shape::Record(FormatKind::JsonRows)
}

fn first_element(raw: &[u8]) -> Option<&[u8]> {
    let mut s = Scanner::new(raw);
    let mut seq = s.begin_array().ok()?;
    if s.next_element(&mut seq).ok()? {
        s.value_bytes(json::MAX_SKIP_DEPTH).ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> (FormatKind, bool) {
        let f = detect("x", text.as_bytes(), "T", &FormatChoice::default()).unwrap();
        (f.kind, f.document)
    }

    #[test]
    fn recognises_each_format_by_content() {
        use FormatKind::*;
        assert_eq!(kind(""), (JsonRows, false));
        assert_eq!(
            kind("{\"TimeGenerated\":\"x\",\"log_s\":\"y\"}\n"),
            (JsonRows, false)
        );
        assert_eq!(
            kind("{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"verb\":\"get\"}\n"),
            (K8sAudit, false)
        );
        assert_eq!(
            kind("{\"auditID\":\"1\",\"verb\":\"get\"}\n"),
            (K8sAudit, false)
        );
        assert_eq!(kind("{\"kind\": 0}"), (K8sAudit, false));
        assert_eq!(
            kind("{ \"category\": \"kube-audit\", \"resourceId\": \"/X\", \"time\": \"t\"}\n"),
            (AzureRecords, false)
        );
        assert_eq!(
            kind("{\"records\":[{\"category\":\"a\",\"resourceId\":\"/x\"}]}\n"),
            (AzureRecords, false)
        );
        assert_eq!(
            kind("{\n  \"records\": [\n {\"category\":\"a\"}\n ]\n}\n"),
            (AzureRecords, true)
        );
        assert_eq!(kind("{\"tables\":[]}"), (QueryApi, true));
        assert_eq!(
            kind("[{\"TableName\":\"PrimaryResult\",\"a\":\"1\"}]"),
            (AzQuery, true)
        );
        assert_eq!(kind("[]"), (AzQuery, true));
        assert_eq!(
            kind("[{\"operationName\":{\"value\":\"x\"},\"eventTimestamp\":\"t\"}]"),
            (ActivityList, true)
        );
        assert_eq!(
            kind("{\"value\":[{\"operationName\":{\"value\":\"x\"},\"eventTimestamp\":\"t\"}]}"),
            (ActivityList, true)
        );
        assert_eq!(
            kind("{\"kind\":\"EventList\",\"items\":[]}"),
            (K8sAudit, true)
        );
        assert_eq!(kind("\u{feff}$table,a,b\r\nX,1,2\r\n"), (PortalCsv, false));
        assert_eq!(kind("not json\n{\"a\":1}\n"), (JsonRows, false));
        assert_eq!(kind("{oops\n{\"auditID\":\"1\"}\n"), (K8sAudit, false));
    }

    #[test]
    fn a_document_larger_than_the_sample_is_judged_by_its_first_keys() {
        let mut doc = br#"{"tables": [{"name": "PrimaryResult", "columns": [{"name": "a", "type": "string"}], "rows": [["#.to_vec();
        while doc.len() < DETECT_BYTES + 10 {
            doc.extend_from_slice(br#""some text in a cell"], ["#);
        }
        doc.extend_from_slice(br#""x"]]}]}"#);
        let f = detect("x", &doc, "T", &FormatChoice::default()).unwrap();
        assert_eq!((f.kind, f.document), (FormatKind::QueryApi, true));
    }

    #[test]
    fn an_unknown_file_names_the_formats_tried() {
        let e = detect(
            "x",
            b"hello there\nplain text\n",
            "T",
            &FormatChoice::default(),
        )
        .unwrap_err();
        assert!(e.contains("k8s-audit"), "{e}");
        assert!(e.contains("csv"), "{e}");
        let e = detect("x", b"Obj\x01\x02junk", "T", &FormatChoice::default()).unwrap_err();
        assert!(e.contains("Avro"), "{e}");
    }

    /// Found by the rows fuzz harness: the row of `{"a":1}x` was kept and
    /// its line reported bad too, because the file was read as a stream
    /// of JSON values.
    #[test]
    fn a_first_line_with_trailing_bytes_is_a_bad_row_not_a_document() {
        use FormatKind::*;
        let named = |text: &str| {
            let choice = FormatChoice::parse("jsonl").unwrap();
            detect("x", text.as_bytes(), "T", &choice).unwrap().document
        };
        for text in [
            "{\"a\":1}x\n{\"a\":2}\n",
            "{\"a\":1}\u{7f}\r\n",
            "{\"a\":1\n{\"a\":2}\n",
        ] {
            assert_eq!(kind(text), (JsonRows, false), "{text:?}");
            assert!(!named(text), "{text:?}");
        }
        // Found by tests/robust_input.rs: a first line `[1,2]` made the
        // whole file an array document.
        assert_eq!(kind("[1,2]\n{\"a\":1}\n"), (JsonRows, false));
        assert!(!named("[1,2]\n{\"a\":1}\n"));
        assert!(kind("[{\"a\":1}]\n").1);
        assert!(kind("[\n{\"a\":1}\n]\n").1);
        let pretty = "{\n  \"a\": 1\n}\n{\n  \"a\": 2\n}\n";
        assert_eq!(kind(pretty), (JsonRows, true));
        assert!(named(pretty));
    }

    #[test]
    fn a_named_format_wins_and_picks_a_table() {
        let choice = FormatChoice::parse("query-api:second").unwrap();
        let f = detect("x", b"{\"tables\":[]}", "T", &choice).unwrap();
        assert_eq!(f.select.as_deref(), Some("second"));
        let f = detect(
            "x",
            br#"{"tables":[{"name":"a","columns":[],"rows":[]},{"name":"T","columns":[],"rows":[]}]}"#,
            "T",
            &FormatChoice::default(),
        )
        .unwrap();
        assert_eq!(f.select.as_deref(), Some("T"));
    }
}
