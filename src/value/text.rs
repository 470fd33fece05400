//! KQL's string matching: terms for `has`, case folding for `=~` and `contains`.
