//! The committed corpus (tests/corpus/*.jsonl) as test cases.

#![allow(clippy::expect_used, clippy::unwrap_used, dead_code)]

pub struct Case {
    pub file: &'static str,
    pub id: String,
    pub query: String,
    pub official_ok: bool,
    /// The tables the query reads, as the corpus lists them.
    pub tables: Vec<String>,
}

pub fn cases() -> Vec<Case> {
    let files = [
        (
            "sentinel-visible",
            include_str!("../../corpus/sentinel-visible.jsonl"),
        ),
        (
            "k8s-visible",
            include_str!("../../corpus/k8s-visible.jsonl"),
        ),
        (
            "azurediag-activity-visible",
            include_str!("../../corpus/azurediag-activity-visible.jsonl"),
        ),
    ];
    let mut out = Vec::new();
    for (file, text) in files {
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).expect("corpus line is JSON");
            out.push(Case {
                file,
                id: v["id"].as_str().expect("id").to_string(),
                query: v["query"].as_str().expect("query").to_string(),
                official_ok: v["official_parser_ok"]
                    .as_bool()
                    .expect("official_parser_ok"),
                tables: v["tables"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|t| t.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
            });
        }
    }
    out
}
