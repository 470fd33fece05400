//! The t-digest behind `tdigest()`, `tdigest_merge()`/`merge_tdigest()`,
//! `percentile_tdigest()`, `percentiles_array_tdigest()`, `rank_tdigest()`
//! and `percentrank_tdigest()` (docs/semantics.md#sketches).
//!
//! A digest holds each distinct value with its total weight, exactly,
//! while it has at most [`EXACT_LIMIT`] of them: its percentiles are then
//! `percentile()`'s and `percentilew()`'s (nearest rank), its ranks exact
//! counts. Past that it is a t-digest (Dunning and Ertl, "Computing
//! extremely accurate quantiles using t-digests", 2019): centroids merged
//! under the `k1` scale function with compression [`COMPRESSION`], the
//! minimum and maximum kept exactly, which bounds the rank error of a
//! percentile well under the 1 % the `percentiles-aggregation-function`
//! page gives for the service's.
//!
//! As a value (the service's result type is `dynamic`; its layout is not
//! documented) a digest is the shape the service shows (`[[7],[800,250,…],
//! [5,1,…]]`, the `tdigest-aggregation-function` page): `[[type],
//! [values], [weights]]`, the values in order of first appearance; once
//! compressed, `[[type, min, max], [means], [weights]]`, the means in
//! ascending order. `type` is the values' type name (`long`, `real`,
//! `datetime`, `timespan`); a number there (the service's type code) is
//! read as the type of the values that follow.

use crate::value::key::{Key, KeyMap};
use crate::value::{DateTime, Timespan, Value, compare};
use std::cmp::Ordering;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};

/// How many merges in this process met digests of different types (each
/// gave null): the engine turns a change during a run into a note on
/// stderr (docs/semantics.md#sketches).
static MIXED_MERGES: AtomicU64 = AtomicU64::new(0);

/// Counts a merge of digests of different types.
pub fn count_mixed_merge() {
    MIXED_MERGES.fetch_add(1, AtomicOrdering::Relaxed);
}

/// How many merges of digests of different types this process has met.
pub fn mixed_merges() -> u64 {
    MIXED_MERGES.load(AtomicOrdering::Relaxed)
}

/// The most distinct values a digest keeps exactly in its result.
pub const EXACT_LIMIT: usize = 10_000;
/// The most distinct values an aggregate holds before it compresses them:
/// up to here a digest depends only on the values it has seen (never on
/// how the input was cut into chunks).
pub const MEMORY_LIMIT: usize = 100_000;
/// The t-digest compression (δ): at most about δ centroids.
pub const COMPRESSION: f64 = 200.0;

/// The type of a digest's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `int` and `long` values.
    Long,
    /// `real` and `decimal` values.
    Real,
    /// `datetime` values (their ticks).
    DateTime,
    /// `timespan` values (their ticks).
    Timespan,
}

impl Kind {
    fn of(v: &Value) -> Option<Kind> {
        match v {
            Value::Int(_) | Value::Long(_) => Some(Kind::Long),
            Value::Real(r) if !r.is_nan() => Some(Kind::Real),
            Value::Decimal(_) => Some(Kind::Real),
            Value::DateTime(_) => Some(Kind::DateTime),
            Value::Timespan(_) => Some(Kind::Timespan),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Long => "long",
            Kind::Real => "real",
            Kind::DateTime => "datetime",
            Kind::Timespan => "timespan",
        }
    }

    fn from_name(name: &str) -> Option<Kind> {
        match name {
            "long" | "int" => Some(Kind::Long),
            "real" | "double" | "decimal" => Some(Kind::Real),
            "datetime" | "date" => Some(Kind::DateTime),
            "timespan" | "time" => Some(Kind::Timespan),
            _ => None,
        }
    }

    /// The kind a digest of `self` has after taking a value of `other`:
    /// longs and reals mix as reals; other mixes do not go together.
    fn join(self, other: Kind) -> Option<Kind> {
        match (self, other) {
            (a, b) if a == b => Some(a),
            (Kind::Long, Kind::Real) | (Kind::Real, Kind::Long) => Some(Kind::Real),
            _ => None,
        }
    }

    /// `v` as a value of this kind (a datetime or timespan also from its
    /// text, as it comes back from JSON).
    fn value(self, v: &Value) -> Option<Value> {
        match (self, v) {
            (Kind::Long, Value::Int(i)) => Some(Value::Long(i64::from(*i))),
            (Kind::Long, Value::Long(_)) => Some(v.clone()),
            (Kind::Long, Value::Real(r)) if r.fract() == 0.0 && r.abs() < 9.0e18 => {
                Some(Value::Long(*r as i64))
            }
            (Kind::Real, _) => v.as_f64().filter(|r| !r.is_nan()).map(Value::Real),
            (Kind::DateTime, Value::DateTime(_)) | (Kind::Timespan, Value::Timespan(_)) => {
                Some(v.clone())
            }
            (Kind::DateTime, Value::String(s)) => DateTime::parse(s).map(Value::DateTime),
            (Kind::Timespan, Value::String(s)) => Timespan::parse(s).map(Value::Timespan),
            _ => None,
        }
    }

    /// The coordinate of a value of this kind: the number, or the ticks.
    fn coordinate(v: &Value) -> Option<f64> {
        match v {
            Value::DateTime(d) => Some(d.0 as f64),
            Value::Timespan(t) => Some(t.0 as f64),
            v => v.as_f64(),
        }
    }

    /// The value of this kind at coordinate `x` (integers rounded).
    fn at(self, x: f64) -> Value {
        match self {
            Kind::Long => Value::Long(x.round() as i64),
            Kind::Real => Value::Real(x),
            Kind::DateTime => {
                DateTime::from_ticks(x.round() as i64).map_or(Value::Null, Value::DateTime)
            }
            Kind::Timespan => Value::Timespan(Timespan(x.round() as i64)),
        }
    }

    /// A centroid's mean as stored: a real for numbers, else the kind's value.
    fn mean_value(self, x: f64) -> Value {
        match self {
            Kind::Long | Kind::Real => Value::Real(x),
            k => k.at(x),
        }
    }
}

/// One digest.
#[derive(Clone, Debug, Default)]
pub struct TDigest {
    kind: Option<Kind>,
    /// Distinct values (of `kind`) and their weights, in order of first
    /// appearance.
    exact: KeyMap<Key, u64>,
    /// Compressed centroids (coordinate, weight), unordered until compressed.
    centroids: Vec<(f64, u64)>,
    /// The least and greatest value the centroids stand for.
    min: Option<Value>,
    max: Option<Value>,
}

impl TDigest {
    /// An empty digest.
    pub fn new() -> TDigest {
        TDigest::default()
    }

    /// Whether it has seen no value.
    pub fn is_empty(&self) -> bool {
        self.exact.is_empty() && self.centroids.is_empty()
    }

    /// Takes the kind of a new value or digest; false when it does not go
    /// with the values already held.
    fn accept(&mut self, kind: Kind) -> bool {
        match self.kind {
            None => {
                self.kind = Some(kind);
                true
            }
            Some(mine) => match mine.join(kind) {
                Some(k) => {
                    self.kind = Some(k);
                    true
                }
                None => false,
            },
        }
    }

    /// Adds `v` with weight `w`; a null, NaN or a value that is not a
    /// number, datetime or timespan, or not of the digest's type, is left
    /// out (false).
    pub fn add(&mut self, v: &Value, w: u64) -> bool {
        let Some(kind) = Kind::of(v) else {
            return false;
        };
        if w == 0 || !self.accept(kind) {
            return false;
        }
        let slot = self.exact.entry(Key(v.clone())).or_insert(0);
        *slot = slot.saturating_add(w);
        if self.exact.len() > MEMORY_LIMIT {
            self.compress();
        }
        true
    }

    /// Folds `other` in (its values after this one's); a digest of another
    /// type is left out (false).
    pub fn merge(&mut self, other: TDigest) -> bool {
        let Some(kind) = other.kind else {
            return true;
        };
        if !self.accept(kind) {
            return false;
        }
        for (k, w) in other.exact {
            let slot = self.exact.entry(k).or_insert(0);
            *slot = slot.saturating_add(w);
        }
        self.centroids.extend(other.centroids);
        self.min = extreme(self.min.take(), other.min, Ordering::Less);
        self.max = extreme(self.max.take(), other.max, Ordering::Greater);
        if self.exact.len() > MEMORY_LIMIT || self.centroids.len() > MEMORY_LIMIT {
            self.compress();
        }
        true
    }

    /// Turns every exact value and centroid into t-digest centroids. The
    /// result depends only on the values and centroids held, not on the
    /// order they came in.
    fn compress(&mut self) {
        let mut points: Vec<(f64, u64)> = std::mem::take(&mut self.centroids);
        for (Key(v), w) in std::mem::take(&mut self.exact) {
            if let Some(x) = Kind::coordinate(&v) {
                points.push((x, w));
            }
            self.min = extreme(self.min.take(), Some(v.clone()), Ordering::Less);
            self.max = extreme(self.max.take(), Some(v), Ordering::Greater);
        }
        points.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let total: f64 = points.iter().map(|p| p.1 as f64).sum();
        let mut out: Vec<(f64, u64)> = Vec::new();
        // The current centroid: sum of weight × coordinate, weight.
        let (mut sum, mut weight) = (0.0f64, 0u64);
        let mut before = 0.0f64;
        let mut limit = 0.0f64;
        for (x, w) in points {
            if weight > 0 && (before + (weight + w) as f64) / total <= limit {
                sum += x * w as f64;
                weight += w;
                continue;
            }
            if weight > 0 {
                out.push((sum / weight as f64, weight));
                before += weight as f64;
            }
            sum = x * w as f64;
            weight = w;
            limit = k1_inverse(k1(before / total) + 1.0);
        }
        if weight > 0 {
            out.push((sum / weight as f64, weight));
        }
        self.centroids = out;
    }

    /// The digest as a dynamic value (see the module docs); null for a
    /// digest of no values.
    pub fn to_value(&self) -> Value {
        let Some(kind) = self.kind else {
            return Value::Null;
        };
        if self.is_empty() {
            return Value::Null;
        }
        if self.centroids.is_empty() && self.exact.len() <= EXACT_LIMIT {
            let (values, weights) = self
                .exact
                .iter()
                .filter_map(|(Key(v), w)| Some((kind.value(v)?, Value::Long(*w as i64))))
                .unzip();
            return Value::array(vec![
                Value::array(vec![Value::string(kind.name())]),
                Value::array(values),
                Value::array(weights),
            ]);
        }
        let mut compressed = self.clone();
        compressed.compress();
        let value_of = |v: &Option<Value>| {
            v.as_ref()
                .and_then(|v| kind.value(v))
                .unwrap_or(Value::Null)
        };
        let (means, weights) = compressed
            .centroids
            .iter()
            .map(|&(x, w)| (kind.mean_value(x), Value::Long(w as i64)))
            .unzip();
        Value::array(vec![
            Value::array(vec![
                Value::string(kind.name()),
                value_of(&compressed.min),
                value_of(&compressed.max),
            ]),
            Value::array(means),
            Value::array(weights),
        ])
    }

    /// A digest read back from [`TDigest::to_value`]'s form (or JSON text
    /// of it); `None` for anything else.
    pub fn from_value(v: &Value) -> Option<TDigest> {
        let parts = super::sketch_parts(v)?;
        let [header, values, weights] = &parts;
        if values.len() != weights.len() {
            return None;
        }
        let kind = match header.first()? {
            Value::String(name) => Kind::from_name(name)?,
            // The service's numeric type code: the values say the type.
            _ => infer_kind(values)?,
        };
        let mut digest = TDigest {
            kind: Some(kind),
            ..TDigest::default()
        };
        match header.len() {
            1 => {
                for (v, w) in values.iter().zip(weights.iter()) {
                    let v = kind.value(v)?;
                    let w = u64::try_from(w.as_i64()?).ok()?;
                    let slot = digest.exact.entry(Key(v)).or_insert(0);
                    *slot = slot.saturating_add(w);
                }
            }
            3 => {
                digest.min = Some(kind.value(&header[1])?);
                digest.max = Some(kind.value(&header[2])?);
                for (v, w) in values.iter().zip(weights.iter()) {
                    let x = match (kind, v) {
                        (Kind::Long | Kind::Real, v) => v.as_f64()?,
                        (k, v) => Kind::coordinate(&k.value(v)?)?,
                    };
                    digest.centroids.push((x, u64::try_from(w.as_i64()?).ok()?));
                }
                digest.centroids.sort_by(|a, b| a.0.total_cmp(&b.0));
            }
            _ => return None,
        }
        Some(digest)
    }

    fn total(&self) -> u64 {
        self.exact
            .values()
            .chain(self.centroids.iter().map(|c| &c.1))
            .fold(0u64, |a, w| a.saturating_add(*w))
    }

    /// The nearest-rank `p`-th percentile: the least value with at least
    /// `p` % of the weight at or below it (exactly `percentilew`'s while
    /// the digest holds its values); null for no values or `p` outside
    /// 0–100.
    pub fn percentile(&self, p: f64) -> Value {
        let total = self.total();
        let Some(kind) = self.kind else {
            return Value::Null;
        };
        if total == 0 || !(0.0..=100.0).contains(&p) {
            return Value::Null;
        }
        let rank = ((p / 100.0) * total as f64).ceil().max(1.0);
        if self.centroids.is_empty() {
            let mut sorted: Vec<(&Value, u64)> =
                self.exact.iter().map(|(k, w)| (&k.0, *w)).collect();
            sorted.sort_by(|a, b| compare::total_order(a.0, b.0));
            let mut seen = 0u64;
            for (v, w) in &sorted {
                seen = seen.saturating_add(*w);
                if seen as f64 >= rank {
                    return kind.value(v).unwrap_or(Value::Null);
                }
            }
            return sorted
                .last()
                .and_then(|(v, _)| kind.value(v))
                .unwrap_or(Value::Null);
        }
        let mut digest = self.clone();
        digest.compress();
        let at_end = |v: &Option<Value>| {
            v.as_ref()
                .and_then(|v| kind.value(v))
                .unwrap_or(Value::Null)
        };
        if p == 0.0 {
            return at_end(&digest.min);
        }
        if p == 100.0 || rank >= total as f64 {
            return at_end(&digest.max);
        }
        let (Some(lo), Some(hi)) = (
            digest.min.as_ref().and_then(Kind::coordinate),
            digest.max.as_ref().and_then(Kind::coordinate),
        ) else {
            return Value::Null;
        };
        kind.at(position_to_value(
            &digest.centroids,
            lo,
            hi,
            total as f64,
            rank - 0.5,
        ))
    }

    /// The rank of `v`: the weight of the values at or below it (an
    /// estimate once compressed); null when `v` is null or not of the
    /// digest's type.
    pub fn rank(&self, v: &Value) -> Option<f64> {
        let kind = self.kind?;
        let v = match (kind, v) {
            (Kind::Long | Kind::Real, v) => Value::Real(v.as_f64().filter(|r| !r.is_nan())?),
            (k, v) => k.value(v)?,
        };
        let mut rank = self
            .exact
            .iter()
            .filter(|(k, _)| {
                matches!(
                    compare::order(&k.0, &v),
                    Some(Ordering::Less | Ordering::Equal)
                )
            })
            .fold(0u64, |a, (_, w)| a.saturating_add(*w)) as f64;
        if !self.centroids.is_empty() {
            // Exact values and centroids together: compress, then read.
            let mut digest = self.clone();
            digest.compress();
            let lo = digest.min.as_ref().and_then(Kind::coordinate)?;
            let hi = digest.max.as_ref().and_then(Kind::coordinate)?;
            let x = Kind::coordinate(&v)?;
            let total = digest.total() as f64;
            rank = if x < lo {
                0.0
            } else if x >= hi {
                total
            } else {
                (value_to_position(&digest.centroids, lo, hi, total, x) + 0.5)
                    .round()
                    .clamp(0.0, total)
            };
        }
        Some(rank)
    }

    /// [`TDigest::rank`] as a percentage of the weight.
    pub fn percent_rank(&self, v: &Value) -> Option<f64> {
        let total = self.total();
        (total > 0).then_some(())?;
        Some(self.rank(v)? * 100.0 / total as f64)
    }
}

/// The kind of the values of a digest in the service's form.
fn infer_kind(values: &[Value]) -> Option<Kind> {
    match values.first()? {
        Value::String(s) if DateTime::parse(s).is_some() => Some(Kind::DateTime),
        Value::String(s) if Timespan::parse(s).is_some() => Some(Kind::Timespan),
        v => Kind::of(v),
    }
}

fn extreme(a: Option<Value>, b: Option<Value>, want: Ordering) -> Option<Value> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if compare::total_order(&b, &a) == want {
            b
        } else {
            a
        }),
        (a, None) => a,
        (None, b) => b,
    }
}

/// The `k1` scale function of the t-digest paper, and its inverse.
fn k1(q: f64) -> f64 {
    COMPRESSION / (2.0 * std::f64::consts::PI) * (2.0 * q.clamp(0.0, 1.0) - 1.0).asin()
}

fn k1_inverse(k: f64) -> f64 {
    let angle = (k * 2.0 * std::f64::consts::PI / COMPRESSION)
        .clamp(-std::f64::consts::FRAC_PI_2, std::f64::consts::FRAC_PI_2);
    (angle.sin() + 1.0) / 2.0
}

/// The centroids' (position, coordinate) knots, the centre of each
/// centroid's weight, between (0, min) and (total, max).
fn knots(centroids: &[(f64, u64)], lo: f64, hi: f64, total: f64) -> Vec<(f64, f64)> {
    let mut knots = Vec::with_capacity(centroids.len() + 2);
    knots.push((0.0, lo));
    let mut before = 0.0;
    for &(x, w) in centroids {
        let w = w as f64;
        if w == 1.0 {
            // A single value is exactly where it is.
            knots.push((before, x));
            knots.push((before + 1.0, x));
        } else {
            knots.push((before + w / 2.0, x));
        }
        before += w;
    }
    knots.push((total, hi));
    knots
}

/// The coordinate at weight position `at`, interpolated between knots.
fn position_to_value(centroids: &[(f64, u64)], lo: f64, hi: f64, total: f64, at: f64) -> f64 {
    let knots = knots(centroids, lo, hi, total);
    for pair in knots.windows(2) {
        let ((p0, x0), (p1, x1)) = (pair[0], pair[1]);
        if at <= p1 {
            return if p1 > p0 {
                x0 + (x1 - x0) * (at - p0) / (p1 - p0)
            } else {
                x1
            };
        }
    }
    hi
}

/// The weight position of coordinate `x`, interpolated between knots.
fn value_to_position(centroids: &[(f64, u64)], lo: f64, hi: f64, total: f64, x: f64) -> f64 {
    let knots = knots(centroids, lo, hi, total);
    let mut at = 0.0;
    for pair in knots.windows(2) {
        let ((p0, x0), (p1, x1)) = (pair[0], pair[1]);
        if x >= x1 {
            at = p1;
        } else if x >= x0 {
            return if x1 > x0 {
                p0 + (p1 - p0) * (x - x0) / (x1 - x0)
            } else {
                p1
            };
        } else {
            break;
        }
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest_of(values: impl IntoIterator<Item = i64>) -> TDigest {
        let mut d = TDigest::new();
        for v in values {
            d.add(&Value::Long(v), 1);
        }
        d
    }

    #[test]
    fn small_digests_are_exact() {
        let d = digest_of(1..=1000);
        assert_eq!(d.percentile(50.0), Value::Long(500));
        assert_eq!(d.percentile(0.0), Value::Long(1));
        assert_eq!(d.percentile(100.0), Value::Long(1000));
        assert_eq!(d.rank(&Value::Long(685)), Some(685.0));
        assert_eq!(d.percent_rank(&Value::Long(685)), Some(68.5));
        assert_eq!(d.percentile(101.0), Value::Null);
        let back = TDigest::from_value(&d.to_value()).unwrap();
        assert_eq!(back.to_value(), d.to_value());
    }

    #[test]
    fn large_digests_stay_within_one_percent_of_rank() {
        let n = 200_000i64;
        // A scrambled order, every value once.
        let d = digest_of((0..n).map(|i| (i * 7919) % n));
        let value = d.to_value();
        let back = TDigest::from_value(&value).unwrap();
        assert!(back.centroids.len() < 2 * COMPRESSION as usize);
        for p in [0.1, 1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 99.0, 99.9] {
            let Value::Long(got) = back.percentile(p) else {
                panic!("{p}")
            };
            let want = (p / 100.0 * n as f64).ceil() - 1.0;
            assert!(
                (got as f64 - want).abs() <= 0.01 * n as f64,
                "p{p}: {got}, want about {want}"
            );
            let rank = back.rank(&Value::Long(got)).unwrap();
            assert!(
                (rank - got as f64 - 1.0).abs() <= 0.01 * n as f64,
                "rank of {got}: {rank}"
            );
        }
        assert_eq!(back.percentile(0.0), Value::Long(0));
        assert_eq!(back.percentile(100.0), Value::Long(n - 1));
    }

    #[test]
    fn compression_ignores_the_order_of_what_it_compresses() {
        let n = 30_000i64;
        let mut a = digest_of((0..n / 2).map(|i| (i * 31) % n));
        let b = digest_of((n / 2..n).map(|i| (i * 31) % n));
        let mut c = b.clone();
        c.merge(a.clone());
        a.merge(b);
        assert_eq!(a.percentile(37.0), c.percentile(37.0));
    }

    #[test]
    fn datetimes_and_weights() {
        let mut d = TDigest::new();
        d.add(&Value::DateTime(DateTime(100)), 1);
        d.add(&Value::DateTime(DateTime(300)), 3);
        assert!(!d.add(&Value::Long(5), 1));
        assert_eq!(d.percentile(50.0), Value::DateTime(DateTime(300)));
        assert_eq!(d.percentile(25.0), Value::DateTime(DateTime(100)));
        let back = TDigest::from_value(
            &crate::json::parse_value(&crate::value::json::to_json(&d.to_value())).unwrap(),
        )
        .unwrap();
        assert_eq!(back.percentile(50.0), Value::DateTime(DateTime(300)));
    }
}
