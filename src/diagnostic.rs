//! Compiler-style messages: what went wrong, where, and what might fix it.
//!
//! Every query error (syntax, binding, "not supported yet") becomes a
//! [`Diagnostic`]. [`Diagnostic::render`] writes deterministic plain text:
//!
//! ```text
//! error: unknown column `Acount`
//!  --> query:1:21
//!   |
//! 1 | SigninLogs | where Acount == "x"
//!   |                    ^^^^^^ not found in `SigninLogs`
//!   = help: did you mean `Account`?
//! ```

use crate::span::{LineCol, Span};
use std::fmt::Write;

/// One error message about a query: what went wrong, where, and what
/// might fix it. [`Error::diagnostics`](crate::Error::diagnostics) lists
/// them; [`render`](Diagnostic::render) writes one as text.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// One line, lower-case start, no final period: `unknown column `x``.
    pub message: String,
    /// Where in the query; `None` for errors about the query as a whole.
    pub span: Option<Span>,
    /// Short text under the caret.
    pub label: Option<String>,
    /// A suggestion, shown as `= help: ...`.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A message about the query as a whole.
    pub fn new(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            message: message.into(),
            span: None,
            label: None,
            help: None,
        }
    }

    /// The message, about the text at `span`.
    pub fn at(mut self, span: Span) -> Diagnostic {
        self.span = Some(span);
        self
    }

    /// The message, with `label` under the caret.
    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    /// The message, with a suggestion.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Renders the message against the query text. `origin` names the query
    /// (`query`, or the file given to `--query-file`).
    pub fn render(&self, source: &str, origin: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "error: {}", self.message);
        if let Some(span) = self.span {
            let start = LineCol::of(source, span.start as usize);
            let _ = writeln!(out, " --> {origin}:{}:{}", start.line, start.column);
            let line_text = source.lines().nth(start.line - 1).unwrap_or("");
            let line_text = line_text.strip_suffix('\r').unwrap_or(line_text);
            let number = start.line.to_string();
            let pad = " ".repeat(number.len());
            let _ = writeln!(out, "{pad} |");
            let shown = line_text.replace('\t', " ");
            let _ = writeln!(out, "{number} | {}", shown.trim_end());
            // The caret runs to the end of the span or of the line.
            let line_chars = line_text.chars().count();
            let end = LineCol::of(source, span.end as usize);
            let width = if end.line == start.line {
                end.column.saturating_sub(start.column).max(1)
            } else {
                line_chars.saturating_sub(start.column - 1).max(1)
            };
            let mut marker = format!(
                "{pad} | {}{}",
                " ".repeat(start.column - 1),
                "^".repeat(width)
            );
            if let Some(label) = &self.label {
                let _ = write!(marker, " {label}");
            }
            let _ = writeln!(out, "{marker}");
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "  = help: {help}");
        }
        out
    }
}

/// A remark about a query or its run that is not an error but suggests the
/// answer may not be what was meant: a table given inputs the query never
/// reads, a table the query reads that has no input, every row of a table
/// older than the time the query measures from. The command prints each on
/// stderr as `note: ...`; [`crate::Query::notes`] lists those known when
/// the query is compiled, [`crate::Stats::notes`] those of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// What the note is about.
    pub kind: NoteKind,
    /// One line, lower-case start, no final period.
    pub message: String,
    /// A suggestion, if there is one (`did you mean ...?`).
    pub help: Option<String>,
}

/// What a [`Note`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NoteKind {
    /// A table was given inputs (files or bytes) but the query never reads
    /// it: often a misspelt table name.
    UnreadTable,
    /// The query reads a table that has no input: its columns come from a
    /// built-in schema, or its paths hold no files, so it has no rows.
    TableWithoutInput,
    /// Every row of a table the query reads is older than the earliest
    /// time the query measures from `now()` (`ago(1d)`...), and the answer
    /// is empty: the logs are probably older than the window.
    OutsideTimeWindow,
    /// Which time `now()` was pinned to (the newest event of the inputs).
    NowPinned,
    /// More worker threads were asked for than kqlite starts.
    ThreadsCapped,
    /// A leg of a `union isfuzzy=true` names a table or function that does
    /// not exist, and was left out, as Kusto leaves it out with a warning.
    UnionLegLeftOut,
    /// `database("db").T` read the table `T` kqlite was given: kqlite has
    /// one database and does not check the name.
    OtherDatabase,
    /// `tdigest_merge`/`merge_tdigest` met digests of different value
    /// types, which the service does not merge: those results are null.
    MixedDigestTypes,
}

impl Note {
    /// A note of `kind`.
    pub fn new(kind: NoteKind, message: impl Into<String>) -> Note {
        Note {
            kind,
            message: message.into(),
            help: None,
        }
    }

    /// The note, with a suggestion.
    pub fn with_help(mut self, help: impl Into<String>) -> Note {
        self.help = Some(help.into());
        self
    }
}

impl std::fmt::Display for Note {
    /// The message, then `; ` and the suggestion if there is one.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, "; {help}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_caret_under_the_span() {
        let src = "SigninLogs | where Acount == \"x\"";
        let d = Diagnostic::new("unknown column `Acount`")
            .at(Span::new(19, 25))
            .with_label("not found in `SigninLogs`")
            .with_help("did you mean `Account`?");
        assert_eq!(
            d.render(src, "query"),
            "error: unknown column `Acount`\n --> query:1:20\n  |\n1 | SigninLogs | where Acount == \"x\"\n  |                    ^^^^^^ not found in `SigninLogs`\n  = help: did you mean `Account`?\n"
        );
    }

    #[test]
    fn empty_span_gets_one_caret_on_later_lines() {
        let src = "T\n| where";
        let d = Diagnostic::new("missing expression").at(Span::point(src.len()));
        let text = d.render(src, "q.kql");
        assert!(text.contains(" --> q.kql:2:8\n"), "{text}");
        assert!(text.ends_with("2 | | where\n  |        ^\n"), "{text}");
    }
}
