//! `evaluate basket`: the frequent patterns of values in the input
//! (<https://learn.microsoft.com/kusto/query/basket-plugin>).
//!
//! A pattern holds one value in some of the columns (the dimensions: every
//! column but the weight column) and "any value" in the others; it matches
//! the rows that have its values. The page bases the plugin on Apriori and
//! its worked example returns exactly the frequent *closed* patterns: each
//! pattern with a share of the (weighted) rows of at least the threshold,
//! and with no column fixed in every row it matches left as a wildcard
//! (`Damage == "NO"` implies `DamageCrops == 0` there, so the page shows
//! `NO, 0` and not `NO` alone). kqlite computes them exactly, where Kusto
//! samples:
//!
//! * The distinct combinations of the dimensions' values are counted once,
//!   with the sum of their rows' weights (1 each without a weight column;
//!   null, negative or non-numeric weights count 0).
//! * A value is an item of its column unless it is null or an empty string
//!   (the string wildcard by default). The frequent patterns are grown
//!   depth first, one column at a time in column order, from at most
//!   `MaxDimensions` items; each frequent one is replaced by its closure
//!   (the values every matching row shares), so a pattern may hold more
//!   than `MaxDimensions` values when the others are implied
//!   ("uncorrelated dimensions", as the page puts it). Equal closures are
//!   returned once.
//! * Rows come out by `Count` descending, then fewer values first, then by
//!   the values in column order (first appearance in the input);
//!   `SegmentId` numbers them from 0. The page's order is not documented
//!   (docs/semantics.md#basket).

use super::physical::Pipeline;
use super::run::{Runner, memory_error};
use crate::exec_error::ExecError;
use crate::value::Value;
use crate::value::key::{Key, KeyHashMap, KeyMap, RowKey};
use std::cmp::Ordering;

/// The most frequent patterns examined before the plugin gives up (a low
/// threshold over many correlated columns has very many).
const MAX_PATTERNS: usize = 2_000_000;

/// One column's value, as a pattern item.
struct Item {
    /// The dimension (index into the dimension columns).
    dimension: usize,
    value: Value,
    /// The distinct combinations that hold it, ascending.
    combinations: Vec<u32>,
    weight: f64,
}

/// What the search shares.
struct Search<'a> {
    items: &'a [Item],
    /// Per combination, per dimension, its frequent item.
    cells: &'a [Vec<Option<u32>>],
    weights: &'a [f64],
    /// The smallest weight a frequent pattern has.
    least: f64,
    max_dimensions: usize,
    /// Each closed pattern found (per dimension, its item) and its weight.
    found: KeyHashMap<Vec<Option<u32>>, f64>,
    examined: usize,
}

impl Runner<'_> {
    pub(super) fn basket(
        &self,
        input: &Pipeline,
        threshold: f64,
        weight: Option<usize>,
        max_dimensions: usize,
        wildcards: &[Value],
    ) -> Result<Vec<Vec<Value>>, ExecError> {
        let width = wildcards.len();
        let dimensions: Vec<usize> = (0..width).filter(|&c| Some(c) != weight).collect();
        let mut combinations: KeyMap<RowKey, f64> = KeyMap::default();
        self.pipeline_parts(input, &mut |part| {
            for row in part {
                let w = match weight {
                    None => 1.0,
                    Some(i) => row
                        .get(i)
                        .and_then(Value::as_f64)
                        .filter(|w| w.is_finite() && *w > 0.0)
                        .unwrap_or(0.0),
                };
                let key = RowKey(
                    dimensions
                        .iter()
                        .map(|&c| Key(row.get(c).cloned().unwrap_or(Value::Null)))
                        .collect(),
                );
                *combinations.entry(key).or_insert(0.0) += w;
            }
        })?;
        memory_error("basket")?;
        let total: f64 = combinations.values().sum();
        if total <= 0.0 {
            return Ok(Vec::new());
        }
        let least = threshold * total;
        // The items: every value but null and "", frequent or not yet known.
        let mut items: Vec<Item> = Vec::new();
        let mut item_of: Vec<KeyHashMap<Key, u32>> = vec![KeyHashMap::default(); dimensions.len()];
        let mut weights = Vec::with_capacity(combinations.len());
        let mut raw: Vec<Vec<Option<u32>>> = Vec::with_capacity(combinations.len());
        for (index, (key, w)) in combinations.iter().enumerate() {
            weights.push(*w);
            let mut cells = Vec::with_capacity(key.0.len());
            for (d, k) in key.0.iter().enumerate() {
                if matches!(&k.0, Value::Null) || matches!(&k.0, Value::String(s) if s.is_empty()) {
                    cells.push(None);
                    continue;
                }
                let id = *item_of[d].entry(k.clone()).or_insert_with(|| {
                    items.push(Item {
                        dimension: d,
                        value: k.0.clone(),
                        combinations: Vec::new(),
                        weight: 0.0,
                    });
                    (items.len() - 1) as u32
                });
                let item = &mut items[id as usize];
                item.combinations.push(index as u32);
                item.weight += *w;
                cells.push(Some(id));
            }
            raw.push(cells);
        }
        // Keep the frequent items only, renumbered in column order (then
        // first appearance).
        let mut frequent: Vec<u32> = (0..items.len() as u32)
            .filter(|&i| items[i as usize].weight >= least)
            .collect();
        frequent.sort_by_key(|&i| (items[i as usize].dimension, i));
        let mut renumber: Vec<Option<u32>> = vec![None; items.len()];
        for (new, &old) in frequent.iter().enumerate() {
            renumber[old as usize] = Some(new as u32);
        }
        let mut slots: Vec<Option<Item>> = items.into_iter().map(Some).collect();
        let items: Vec<Item> = frequent
            .iter()
            .filter_map(|&old| slots[old as usize].take())
            .collect();
        let cells: Vec<Vec<Option<u32>>> = raw
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|c| c.and_then(|old| renumber[old as usize]))
                    .collect()
            })
            .collect();
        let mut search = Search {
            items: &items,
            cells: &cells,
            weights: &weights,
            least,
            max_dimensions,
            found: KeyHashMap::default(),
            examined: 0,
        };
        let all: Vec<u32> = (0..cells.len() as u32).collect();
        let none = vec![None; dimensions.len()];
        search.grow(&none, &all, 0, 0)?;
        let mut patterns: Vec<(Vec<Option<u32>>, f64)> = search.found.into_iter().collect();
        patterns.sort_by(|(a, wa), (b, wb)| {
            wb.partial_cmp(wa)
                .unwrap_or(Ordering::Equal)
                .then_with(|| specific(a).cmp(&specific(b)))
                .then_with(|| {
                    a.iter()
                        .zip(b)
                        .map(|(x, y)| match (x, y) {
                            (Some(x), Some(y)) => x.cmp(y),
                            (Some(_), None) => Ordering::Less,
                            (None, Some(_)) => Ordering::Greater,
                            (None, None) => Ordering::Equal,
                        })
                        .find(|o| o.is_ne())
                        .unwrap_or(Ordering::Equal)
                })
        });
        Ok(patterns
            .into_iter()
            .enumerate()
            .map(|(segment, (pattern, w))| {
                let mut row = Vec::with_capacity(3 + width);
                row.push(Value::Long(segment as i64));
                row.push(Value::Long(w.round() as i64));
                row.push(Value::Real(100.0 * w / total));
                let mut d = 0;
                for (c, wildcard) in wildcards.iter().enumerate() {
                    if Some(c) == weight {
                        row.push(wildcard.clone());
                        continue;
                    }
                    row.push(match pattern.get(d).copied().flatten() {
                        Some(i) => items[i as usize].value.clone(),
                        None => wildcard.clone(),
                    });
                    d += 1;
                }
                row
            })
            .collect())
    }
}

/// How many columns a pattern fixes.
fn specific(pattern: &[Option<u32>]) -> usize {
    pattern.iter().filter(|c| c.is_some()).count()
}

impl Search<'_> {
    /// Grows the pattern of `size` items whose matching combinations are
    /// `matching` and whose closure is `closure`, with the frequent items of
    /// the columns from `from` on that the closure leaves open.
    fn grow(
        &mut self,
        closure: &[Option<u32>],
        matching: &[u32],
        size: usize,
        from: usize,
    ) -> Result<(), ExecError> {
        if size >= self.max_dimensions {
            return Ok(());
        }
        let first = self.items.partition_point(|i| i.dimension < from);
        for (id, item) in self.items.iter().enumerate().skip(first) {
            if closure.get(item.dimension).copied().flatten().is_some() {
                // Implied by the pattern already, or excluded by it.
                continue;
            }
            let both = intersect(matching, &item.combinations);
            let weight: f64 = both.iter().map(|&c| self.weights[c as usize]).sum();
            if both.is_empty() || weight < self.least {
                continue;
            }
            self.examined += 1;
            if self.examined > MAX_PATTERNS {
                return Err(ExecError::Runtime(format!(
                    "basket: more than {MAX_PATTERNS} frequent patterns; raise Threshold or lower MaxDimensions"
                )));
            }
            if self.examined.is_multiple_of(4096) {
                memory_error("basket")?;
            }
            let grown = self.closure(&both, id as u32, item.dimension);
            self.found.entry(grown.clone()).or_insert(weight);
            self.grow(&grown, &both, size + 1, item.dimension + 1)?;
        }
        Ok(())
    }

    /// The values every combination of `matching` shares, per dimension
    /// (`item` of `dimension` among them).
    fn closure(&self, matching: &[u32], item: u32, dimension: usize) -> Vec<Option<u32>> {
        let mut out: Vec<Option<u32>> = match matching.first() {
            Some(&c) => self.cells[c as usize].clone(),
            None => return Vec::new(),
        };
        for &c in &matching[1..] {
            let row = &self.cells[c as usize];
            for (o, cell) in out.iter_mut().zip(row) {
                if *o != *cell {
                    *o = None;
                }
            }
        }
        if let Some(o) = out.get_mut(dimension) {
            *o = Some(item);
        }
        out
    }
}

/// The values two ascending lists share.
fn intersect(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len().min(b.len()));
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}
