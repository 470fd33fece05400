//! The command line and the input formats: detection needs no option,
//! `--input-format NAME=FORMAT` names one (a separate option, so a path
//! with `:` or `=` is never parsed for a format), `--help` documents them,
//! skipped records get a note, unknown files an error naming them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::cli::{kqlite, text};

#[test]
fn help_documents_the_formats_and_the_override() {
    let o = kqlite(&["--help"]);
    let h = text(&o.stdout);
    for word in [
        "--input-format <NAME=FORMAT>",
        "k8s-audit",
        "azure-records",
        "activity-list",
        "query-api",
        "az-query",
        "csv",
        "gzip",
        "Avro",
    ] {
        assert!(h.contains(word), "{word} missing from --help:\n{h}");
    }
}

#[test]
fn formats_are_detected_without_options() {
    let o = kqlite(&[
        "--table",
        "AKSAudit=tests/data/formats/aks/events.log.gz",
        "--table",
        "AzureActivity=tests/data/formats/real/log-analytics-exports/azure-sentinel/azureActivity_adele.csv",
        "AKSAudit | count",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "{\"Count\":103}\n");
}

#[test]
fn a_path_with_colons_and_equals_signs_is_only_a_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k=v:query-api:x.log");
    std::fs::copy("tests/data/formats/aks/events.log", &path).unwrap();
    let spec = format!("AKSAudit={}", path.display());
    let o = kqlite(&["--table", &spec, "AKSAudit | count"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "{\"Count\":103}\n");
}

#[test]
fn input_format_overrides_detection_for_a_table() {
    // Read as plain JSON rows, the raw log's own keys are columns.
    let o = kqlite(&[
        "--input-format",
        "AzureDiagnostics=jsonl",
        "--table",
        "AzureDiagnostics=tests/data/formats/aks/events.log",
        "AzureDiagnostics | where verb == 'create' | count",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).starts_with("{\"Count\":"));
    let o = kqlite(&[
        "--input-format",
        "T=bogus",
        "--table",
        "T=tests/data/formats/aks/events.log",
        "T | count",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("unknown input format 'bogus'"));
    let o = kqlite(&["--input-format", "nonsense", "print 1"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn skipped_records_get_a_note_and_unknown_files_an_error() {
    let o = kqlite(&[
        "--table",
        "AKSAudit=tests/data/formats/aks/mixed",
        "AKSAudit | count",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        text(&o.stderr).contains("note: 3 input records of other tables"),
        "{}",
        text(&o.stderr)
    );
    let o = kqlite(&["--table", "T=tests/data/formats/SOURCES.md", "T | count"]);
    assert_eq!(o.status.code(), Some(1));
    let e = text(&o.stderr);
    assert!(e.contains("SOURCES.md") && e.contains("k8s-audit"), "{e}");
}
