//! `reduce [kind=source] by expr`: the input's strings grouped by similarity
//! (<https://learn.microsoft.com/kusto/query/reduce-operator>).
//!
//! The page bases the operator on Vaarandi's SLCT ("A Data Clustering
//! Algorithm for Mining Patterns From Event Logs") and gives no more of
//! the algorithm; kqlite follows the paper, with the page's parameters:
//!
//! * A value's terms are the runs of characters between separators: the
//!   `characters` given, else every character that is not a letter or a
//!   digit. A term is identified by its text and its position (0, 1, ...).
//! * A term is frequent when more rows than `threshold` × rows have it.
//! * Each row's candidate is its terms with the infrequent ones made
//!   wildcards; a candidate with no frequent term, or that no more rows than
//!   `threshold` × rows share, goes to `others`.
//! * A cluster's `Pattern` is its first row with each infrequent term
//!   written `*` and runs of `*` made one; separators are kept as written,
//!   except letters and digits given as `characters` next to a wildcard,
//!   which are dropped (the page's `fooZ1` with `characters="Z"` gives
//!   `foo*`).
//!   `Representative` is the cluster's first row.
//! * Clusters come out by `Count` descending, then in order of first
//!   appearance; `others` (its `Representative` empty, as the page shows)
//!   last, when it holds any row.
//!
//! * `kind=source` keeps the input's rows, in order, each with the
//!   `Pattern` of its cluster (`others` for a row in none), as the page
//!   says: "appends the Pattern column to the existing rows in the table
//!   instead of aggregating by Pattern".
//!
//! The page's two `threshold` examples draw their input from `rand()` and
//! describe the threshold the other way round from the paper; they are not
//! reproduced (docs/semantics.md#reduce).

use super::physical::Pipeline;
use super::run::{Runner, memory_error};
use crate::exec_error::ExecError;
use crate::value::Value;
use std::collections::HashMap;

impl Runner<'_> {
    /// The `Pattern`, `Count`, `Representative` rows of `column`'s strings;
    /// with `source` (`reduce kind=source`), each input row instead, its
    /// columns before `column` kept and its pattern after them.
    pub(super) fn reduce(
        &self,
        input: &Pipeline,
        column: usize,
        threshold: f64,
        characters: Option<&str>,
        source: bool,
    ) -> Result<Vec<Vec<Value>>, ExecError> {
        let mut values: Vec<String> = Vec::new();
        let mut rows: Vec<Vec<Value>> = Vec::new();
        self.pipeline_parts(input, &mut |part| {
            for mut row in part {
                let text = match row.get(column) {
                    Some(Value::String(s)) => s.to_string(),
                    _ => String::new(),
                };
                values.push(text);
                if source {
                    row.truncate(column);
                    rows.push(row);
                }
            }
        })?;
        memory_error("reduce")?;
        if !source {
            return Ok(reduce_values(&values, threshold, characters));
        }
        let (clusters, of_row) = cluster_values(&values, threshold, characters);
        let others = Value::string(OTHERS);
        let patterns: Vec<Value> = clusters.iter().map(|c| Value::string(&c.pattern)).collect();
        for (row, cluster) in rows.iter_mut().zip(of_row) {
            row.push(match cluster {
                Some(c) => patterns.get(c).cloned().unwrap_or_else(|| others.clone()),
                None => others.clone(),
            });
        }
        Ok(rows)
    }
}

/// The pattern of the rows in no cluster (the page's `others` row).
const OTHERS: &str = "others";

/// One piece of a value: a term, or a run of separators.
#[derive(Clone, Copy, PartialEq)]
enum Piece<'a> {
    Term(&'a str),
    Separators(&'a str),
}

fn pieces<'a>(text: &'a str, characters: Option<&str>) -> Vec<Piece<'a>> {
    let separates = |c: char| match characters {
        Some(set) => set.contains(c),
        None => !c.is_alphanumeric(),
    };
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_term: Option<bool> = None;
    for (i, c) in text.char_indices() {
        let term = !separates(c);
        if in_term.is_some_and(|t| t != term) {
            let s = &text[start..i];
            out.push(if term {
                Piece::Separators(s)
            } else {
                Piece::Term(s)
            });
            start = i;
        }
        in_term = Some(term);
    }
    if let Some(term) = in_term {
        let s = &text[start..];
        out.push(if term {
            Piece::Term(s)
        } else {
            Piece::Separators(s)
        });
    }
    out
}

/// A cluster SLCT keeps: its pattern, its row count and its first row.
struct Cluster {
    pattern: String,
    count: usize,
    first: usize,
}

/// SLCT over `values` (see the module documentation): the clusters kept, by
/// `Count` descending then first appearance, and each value's cluster (an
/// index into them; `None` for `others`).
fn cluster_values(
    values: &[String],
    threshold: f64,
    characters: Option<&str>,
) -> (Vec<Cluster>, Vec<Option<usize>>) {
    let support = threshold * values.len() as f64;
    let split: Vec<Vec<Piece>> = values.iter().map(|v| pieces(v, characters)).collect();
    let terms = |p: &[Piece<'_>]| -> Vec<String> {
        p.iter()
            .filter_map(|x| match x {
                Piece::Term(t) => Some((*t).to_string()),
                Piece::Separators(_) => None,
            })
            .collect()
    };
    let mut counts: HashMap<(usize, String), usize> = HashMap::new();
    let row_terms: Vec<Vec<String>> = split.iter().map(|p| terms(p)).collect();
    for t in &row_terms {
        for (pos, term) in t.iter().enumerate() {
            *counts.entry((pos, term.clone())).or_default() += 1;
        }
    }
    let frequent = |pos: usize, term: &str| {
        counts
            .get(&(pos, term.to_string()))
            .is_some_and(|&n| n as f64 > support)
    };
    // Candidate (frequent terms by position, `None` for a wildcard) -> its
    // index in `order`; per candidate its count and first row.
    let mut candidates: HashMap<Vec<Option<String>>, usize> = HashMap::new();
    let mut order: Vec<(Vec<Option<String>>, usize, usize)> = Vec::new();
    let mut candidate_of: Vec<Option<usize>> = Vec::with_capacity(values.len());
    for (row, t) in row_terms.iter().enumerate() {
        let key: Vec<Option<String>> = t
            .iter()
            .enumerate()
            .map(|(pos, term)| frequent(pos, term).then(|| term.clone()))
            .collect();
        if key.iter().all(Option::is_none) {
            candidate_of.push(None);
            continue;
        }
        let index = *candidates.entry(key.clone()).or_insert_with(|| {
            order.push((key, 0, row));
            order.len() - 1
        });
        if let Some(c) = order.get_mut(index) {
            c.1 += 1;
        }
        candidate_of.push(Some(index));
    }
    // The candidates kept, sorted; `kept[candidate]` is its cluster.
    let mut kept: Vec<(usize, usize, usize)> = order
        .iter()
        .enumerate()
        .filter(|(_, (_, count, _))| *count as f64 > support)
        .map(|(index, (_, count, first))| (*count, *first, index))
        .collect();
    kept.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut cluster_of_candidate: Vec<Option<usize>> = vec![None; order.len()];
    let mut clusters = Vec::with_capacity(kept.len());
    for (cluster, &(count, first, index)) in kept.iter().enumerate() {
        if let Some(slot) = cluster_of_candidate.get_mut(index) {
            *slot = Some(cluster);
        }
        let key = order.get(index).map_or(&[][..], |c| &c.0[..]);
        clusters.push(Cluster {
            pattern: pattern(&split[first], key),
            count,
            first,
        });
    }
    let of_row = candidate_of
        .into_iter()
        .map(|c| c.and_then(|c| cluster_of_candidate.get(c).copied().flatten()))
        .collect();
    (clusters, of_row)
}

/// The `Pattern`, `Count`, `Representative` rows of `values`: the clusters
/// SLCT keeps, then `others` (its `Representative` empty) when it holds
/// any row.
pub(crate) fn reduce_values(
    values: &[String],
    threshold: f64,
    characters: Option<&str>,
) -> Vec<Vec<Value>> {
    let (clusters, of_row) = cluster_values(values, threshold, characters);
    let others = of_row.iter().filter(|c| c.is_none()).count();
    let mut rows: Vec<Vec<Value>> = clusters
        .into_iter()
        .map(|c| {
            vec![
                Value::string(&c.pattern),
                Value::Long(c.count as i64),
                Value::string(&values[c.first]),
            ]
        })
        .collect();
    if others > 0 {
        rows.push(vec![
            Value::string(OTHERS),
            Value::Long(others as i64),
            Value::string(""),
        ]);
    }
    rows
}

/// The pattern of a cluster whose first row is `pieces`.
fn pattern(pieces: &[Piece<'_>], key: &[Option<String>]) -> String {
    let wildcard = |position: usize| !matches!(key.get(position), Some(Some(_)));
    let mut out = String::new();
    let mut position = 0;
    for p in pieces {
        match p {
            Piece::Term(t) => {
                if !wildcard(position) {
                    out.push_str(t);
                } else if !out.ends_with('*') {
                    out.push('*');
                }
                position += 1;
            }
            Piece::Separators(s) => {
                // Letters and digits given as separators are dropped next to
                // a wildcard (`fooZ1` gives `foo*`), kept between two terms.
                let next_to_wildcard =
                    (position > 0 && wildcard(position - 1)) || wildcard(position);
                for c in s.chars() {
                    if !(next_to_wildcard && c.is_alphanumeric()) {
                        out.push(c);
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(values: &[String], threshold: f64, characters: Option<&str>) -> Vec<String> {
        reduce_values(values, threshold, characters)
            .iter()
            .map(|r| {
                r.iter()
                    .map(crate::value::string_form::to_kusto_string)
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect()
    }

    /// The page's "Behavior of Characters parameter" examples.
    #[test]
    fn the_pages_characters_examples() {
        let values: Vec<String> = (1..=10).map(|x| format!("fooZ{x}")).collect();
        assert_eq!(run(&values, 0.1, None), vec!["others|10|"]);
        assert_eq!(run(&values, 0.1, Some("Z")), vec!["foo*|10|fooZ1"]);
    }

    #[test]
    fn separators_are_kept_and_wildcards_merge() {
        let values: Vec<String> = ["San Bernard", "San Jose", "San Diego", "Paris", "Paris"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            run(&values, 0.2, None),
            vec!["San *|3|San Bernard", "Paris|2|Paris"]
        );
        let values: Vec<String> = vec!["a-b-c".into(); 3];
        assert_eq!(run(&values, 0.5, None), vec!["a-b-c|3|a-b-c"]);
        let values: Vec<String> = vec!["aXb".into(), "aXb".into(), "aXc".into()];
        assert_eq!(run(&values, 0.5, Some("X")), vec!["aXb|2|aXb", "others|1|"]);
        assert!(run(&[], 0.1, None).is_empty());
    }

    /// `reduce kind=source`: each value's cluster, `None` for `others`.
    #[test]
    fn each_value_has_its_cluster() {
        let values: Vec<String> = [
            "San Bernard",
            "Paris",
            "San Jose",
            "Lyon",
            "San Diego",
            "Paris",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let (clusters, of_row) = cluster_values(&values, 0.2, None);
        let patterns: Vec<&str> = clusters.iter().map(|c| c.pattern.as_str()).collect();
        assert_eq!(patterns, vec!["San *", "Paris"]);
        assert_eq!(
            of_row,
            vec![Some(0), Some(1), Some(0), None, Some(0), Some(1)]
        );
    }
}
