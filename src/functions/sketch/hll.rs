//! The HyperLogLog sketch behind `hll()`, `hll_if()`, `hll_merge()` and
//! `dcount_hll()` (docs/semantics.md#sketches).
//!
//! A sketch holds the 64-bit hashes of the distinct values it has seen,
//! exactly, until there are more than its accuracy level's limit; then it
//! turns into `2^p` one-byte registers (HyperLogLog). The levels are the
//! docs' (`dcount-aggregation-function`, "Estimation accuracy"): 0 → 2^12
//! registers (1.6 % error), 1 → 2^14 (0.8 %, the default), 2 → 2^16 (0.4 %),
//! 3 → 2^17 (0.28 %), 4 → 2^18 (0.2 %). The count of the registers is
//! Ertl's improved raw estimator ("New cardinality estimation algorithms
//! for HyperLogLog sketches", 2017), which needs no empirical bias tables.
//!
//! As a value (Kusto's result type is `dynamic`; the service's own layout
//! is not documented), a sketch is `[[limit, p], hashes, registers]`:
//! the shape the service shows (`[[1024,14],["3803688792395291579"],[]]`, the
//! `hll-aggregation-function` page): the exact limit and the precision, the
//! hashes as decimal strings of signed 64-bit numbers in order of first
//! appearance (partial sketches merge in input order, so the order is the
//! same at any thread count), and `[]`, or, once dense, no hashes and the registers as one base64
//! string (`[[1024,14],[],["AAEC…"]]`). Hashes are the service's (see [`hash`]), so
//! the same values give the same sketch in any run.

use crate::value::Value;
use base64::Engine;
use indexmap::IndexSet;

/// The distinct hashes in order of first appearance.
type Hashes = IndexSet<u64, ahash::RandomState>;

/// The precision (log2 of the register count) and the exact limit of each
/// accuracy level 0–4. Levels 1 and 2 count exactly up to the limits the
/// docs give (1000 and 8000 values, rounded up to powers of two); the
/// other limits are kqlite's (a sixteenth of the registers' bytes at 0, an
/// eighth at 3 and 4).
const LEVELS: [(u8, usize); 5] = [(12, 256), (14, 1024), (16, 8192), (17, 16384), (18, 32768)];

/// The default accuracy level (`hll-aggregation-function`).
pub const DEFAULT_ACCURACY: i64 = 1;

/// One HyperLogLog sketch.
#[derive(Clone, Debug, PartialEq)]
pub struct Hll {
    precision: u8,
    limit: usize,
    state: State,
}

#[derive(Clone, Debug, PartialEq)]
enum State {
    /// The distinct hashes, while there are at most `limit` of them.
    Exact(Hashes),
    /// `2^precision` registers.
    Dense(Vec<u8>),
}

impl Hll {
    /// An empty sketch of accuracy level `accuracy` (0–4; anything else is
    /// the nearest level).
    pub fn new(accuracy: i64) -> Hll {
        let (precision, limit) = LEVELS[accuracy.clamp(0, 4) as usize];
        Hll {
            precision,
            limit,
            state: State::Exact(Hashes::default()),
        }
    }

    /// Adds a value; nulls are not counted (as `dcount`).
    pub fn add(&mut self, v: &Value) {
        if let Some(h) = hash(v) {
            self.add_hash(h);
        }
    }

    fn add_hash(&mut self, h: u64) {
        match &mut self.state {
            State::Exact(set) => {
                if set.insert(h) && set.len() > self.limit {
                    self.densify();
                }
            }
            State::Dense(registers) => set_register(registers, self.precision, h),
        }
    }

    fn densify(&mut self) {
        if let State::Exact(set) = &self.state {
            let mut registers = vec![0u8; 1 << self.precision];
            for &h in set {
                set_register(&mut registers, self.precision, h);
            }
            self.state = State::Dense(registers);
        }
    }

    /// Folds `other` in. Sketches of different precisions merge at the
    /// lower one.
    pub fn merge(&mut self, other: Hll) {
        let mut other = other;
        if other.precision < self.precision {
            std::mem::swap(self, &mut other);
            // `self` now has the lower precision; fold the other in below.
        }
        match other.state {
            State::Exact(set) => {
                for h in set {
                    self.add_hash(h);
                }
            }
            State::Dense(registers) => {
                self.densify();
                if let State::Dense(mine) = &mut self.state {
                    fold_registers(mine, self.precision, &registers, other.precision);
                }
            }
        }
    }

    /// The estimated number of distinct values: exact while the sketch
    /// holds its hashes.
    pub fn count(&self) -> i64 {
        match &self.state {
            State::Exact(set) => set.len() as i64,
            State::Dense(registers) => estimate(registers, self.precision).round() as i64,
        }
    }

    /// The sketch as a dynamic value (see the module docs).
    pub fn to_value(&self) -> Value {
        let header = Value::array(vec![
            Value::Long(self.limit as i64),
            Value::Long(i64::from(self.precision)),
        ]);
        let (hashes, registers) = match &self.state {
            State::Exact(set) => (
                set.iter()
                    .map(|&h| Value::string(&(h as i64).to_string()))
                    .collect(),
                Vec::new(),
            ),
            State::Dense(registers) => (
                Vec::new(),
                vec![Value::string(
                    &base64::engine::general_purpose::STANDARD.encode(registers),
                )],
            ),
        };
        Value::array(vec![header, Value::array(hashes), Value::array(registers)])
    }

    /// A sketch read back from [`Hll::to_value`]'s form; `None` for
    /// anything else.
    pub fn from_value(v: &Value) -> Option<Hll> {
        let parts = super::sketch_parts(v)?;
        let [header, hashes, registers] = &parts;
        let [limit, precision] = header.as_slice() else {
            return None;
        };
        let precision = u8::try_from(precision.as_i64()?).ok()?;
        let limit = usize::try_from(limit.as_i64()?).ok()?;
        if !(4..=18).contains(&precision) {
            return None;
        }
        let mut hll = Hll {
            precision,
            limit,
            state: State::Exact(Hashes::default()),
        };
        match registers.as_slice() {
            [] => {
                for h in hashes.iter() {
                    let h = match h {
                        Value::String(s) => s.trim().parse::<i64>().ok()?,
                        h => h.as_i64()?,
                    };
                    hll.add_hash(h as u64);
                }
            }
            [Value::String(b64)] => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(b64.as_bytes())
                    .ok()?;
                if bytes.len() != 1 << precision || !hashes.is_empty() {
                    return None;
                }
                hll.state = State::Dense(bytes);
            }
            _ => return None,
        }
        Some(hll)
    }
}

/// Sets the register of hash `h`: its first `p` bits pick the register, the
/// position of the first one bit in the rest is the rank kept (the largest).
fn set_register(registers: &mut [u8], p: u8, h: u64) {
    let index = (h >> (64 - u32::from(p))) as usize;
    let rest = h << p;
    let rank = (rest.leading_zeros() + 1).min(64 - u32::from(p) + 1) as u8;
    if let Some(r) = registers.get_mut(index)
        && *r < rank
    {
        *r = rank;
    }
}

/// Folds the registers of precision `q` into `mine` of precision `p <= q`:
/// the `q - p` index bits a register of `theirs` loses become the leading
/// bits of its rest.
fn fold_registers(mine: &mut [u8], p: u8, theirs: &[u8], q: u8) {
    let shift = u32::from(q - p);
    for (index, &rank) in theirs.iter().enumerate() {
        if rank == 0 {
            continue;
        }
        let low = index & ((1usize << shift) - 1);
        let new_rank = if shift == 0 {
            rank
        } else if low == 0 {
            (shift as u8).saturating_add(rank).min(64 - p + 1)
        } else {
            // Leading zeros of the `shift` dropped bits, plus one.
            (shift - (usize::BITS - low.leading_zeros()) + 1) as u8
        };
        if let Some(r) = mine.get_mut(index >> shift)
            && *r < new_rank
        {
            *r = new_rank;
        }
    }
}

/// Ertl's improved raw estimate of the registers' cardinality.
fn estimate(registers: &[u8], p: u8) -> f64 {
    let m = registers.len() as f64;
    let q = 64 - usize::from(p);
    let mut counts = vec![0u64; q + 2];
    for &r in registers {
        if let Some(c) = counts.get_mut(usize::from(r).min(q + 1)) {
            *c += 1;
        }
    }
    let mut z = m * tau(1.0 - counts[q + 1] as f64 / m);
    for k in (1..=q).rev() {
        z = 0.5 * (z + counts[k] as f64);
    }
    z += m * sigma(counts[0] as f64 / m);
    m * m / (2.0 * std::f64::consts::LN_2 * z)
}

fn sigma(x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let (mut x, mut y, mut z) = (x, 1.0, x);
    loop {
        x *= x;
        let before = z;
        z += x * y;
        y += y;
        if z == before {
            return z;
        }
    }
}

fn tau(x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let (mut x, mut y, mut z) = (x, 1.0, 1.0 - x);
    loop {
        x = x.sqrt();
        let before = z;
        y *= 0.5;
        z -= (1.0 - x) * (1.0 - x) * y;
        if z == before {
            return z / 3.0;
        }
    }
}

/// The 64-bit hash of a value: XXH64 (seed 0) of the bytes `hash()` takes
/// (docs/semantics.md#hash), with every integer as a `long`'s 8 bytes. The
/// service's sketches hash so: the `hll-aggregation-function` page's
/// `3803688792395291579` and `7755241107725382121` are `hash(long(0))` and
/// `hash(long(5000))` of an `int` column. Values `dcount` counts as one
/// hash alike (`1`, `int(1)`, `1.0`); `None` for null.
pub fn hash(v: &Value) -> Option<u64> {
    let integral = |r: f64| (r.fract() == 0.0 && r.abs() < 9.0e18).then_some(r as i64);
    let bytes: Vec<u8> = match v {
        Value::Null => return None,
        Value::Bool(b) => vec![u8::from(*b)],
        Value::Int(i) => i64::from(*i).to_le_bytes().to_vec(),
        Value::Long(i) => i.to_le_bytes().to_vec(),
        Value::Real(_) | Value::Decimal(_) => match v.as_f64() {
            Some(r) => match integral(r) {
                Some(i) => i.to_le_bytes().to_vec(),
                None => r.to_bits().to_le_bytes().to_vec(),
            },
            None => crate::value::string_form::to_kusto_string(v).into_bytes(),
        },
        Value::DateTime(d) => d.0.to_le_bytes().to_vec(),
        Value::Timespan(t) => t.0.to_le_bytes().to_vec(),
        Value::String(s) => s.as_bytes().to_vec(),
        Value::Guid(_) | Value::Array(_) | Value::Bag(_) => {
            crate::value::string_form::to_kusto_string(v).into_bytes()
        }
    };
    Some(xxhash_rust::xxh64::xxh64(&bytes, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sketch_of(n: i64, accuracy: i64) -> Hll {
        let mut h = Hll::new(accuracy);
        for i in 0..n {
            h.add(&Value::Long(i));
        }
        h
    }

    #[test]
    fn counts_exactly_up_to_the_limit() {
        for n in [0, 1, 10, 1000, 1024] {
            assert_eq!(sketch_of(n, 1).count(), n);
        }
        let mut h = Hll::new(1);
        h.add(&Value::Long(1));
        h.add(&Value::Int(1));
        h.add(&Value::Real(1.0));
        h.add(&Value::Null);
        assert_eq!(h.count(), 1);
    }

    #[test]
    fn estimates_within_three_sigma_beyond_the_limit() {
        for (accuracy, sigma) in [(0, 0.016), (1, 0.008), (2, 0.004)] {
            for n in [2_000i64, 20_000, 200_000] {
                let got = sketch_of(n, accuracy).count() as f64;
                let error = (got - n as f64).abs() / n as f64;
                assert!(
                    error < 3.0 * sigma,
                    "accuracy {accuracy}, {n} values: {got}"
                );
            }
        }
    }

    #[test]
    fn round_trips_through_its_value() {
        for n in [0, 5, 5000] {
            let h = sketch_of(n, 1);
            let back = Hll::from_value(&h.to_value()).unwrap();
            assert_eq!(back.count(), h.count());
            assert_eq!(back.to_value(), h.to_value());
        }
    }

    #[test]
    fn merging_is_the_sketch_of_the_union_whatever_the_order() {
        let (mut a, mut b) = (Hll::new(1), Hll::new(1));
        for i in 0..3000 {
            a.add(&Value::Long(i));
        }
        for i in 2000..6000 {
            b.add(&Value::Long(i));
        }
        let mut ab = a.clone();
        ab.merge(b.clone());
        let mut ba = b;
        ba.merge(a);
        assert_eq!(ab.to_value(), ba.to_value());
        assert_eq!(ab.to_value(), sketch_of(6000, 1).to_value());
    }

    #[test]
    fn merging_two_precisions_folds_to_the_lower() {
        let mut low = sketch_of(50_000, 0);
        let high = sketch_of(50_000, 2);
        low.merge(high);
        assert_eq!(low.to_value(), sketch_of(50_000, 0).to_value());
    }
}
