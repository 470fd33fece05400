//! Exact sums of reals, so that `sum`, `avg` and the moments give the same
//! answer however the input was cut into chunks and threads (issue 16):
//! partial sums kept as a list of non-overlapping doubles whose total is
//! the exact sum (Shewchuk's adaptive-precision addition), merged exactly,
//! and rounded once at the end, correctly, so the answer depends only on
//! the values, not on their order.

/// The exact sum of the doubles added so far.
#[derive(Clone, Debug, Default)]
pub(super) struct ExactSum {
    /// Non-overlapping partials, smallest magnitude first; their exact
    /// total is the sum of the finite values added.
    partials: Vec<f64>,
    /// The naive sum of the infinities and NaNs added (and of a partial
    /// sum that overflowed): when not zero, it is the answer.
    special: f64,
}

/// `a + b` as a rounded sum and its exact rounding error.
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let (big, small) = if a.abs() < b.abs() { (b, a) } else { (a, b) };
    let hi = big + small;
    (hi, small - (hi - big))
}

/// `a * b` as a rounded product and its exact rounding error.
fn two_product(a: f64, b: f64) -> (f64, f64) {
    let hi = a * b;
    (hi, a.mul_add(b, -hi))
}

impl ExactSum {
    /// Adds `x` exactly.
    pub(super) fn add(&mut self, x: f64) {
        if !x.is_finite() {
            self.special += x;
            return;
        }
        let mut x = x;
        let mut kept = 0;
        for i in 0..self.partials.len() {
            let y = self.partials[i];
            let (hi, lo) = two_sum(x, y);
            if !hi.is_finite() {
                // The finite values overflow a double: the answer is ±inf.
                self.special += hi;
                return;
            }
            if lo != 0.0 {
                self.partials[kept] = lo;
                kept += 1;
            }
            x = hi;
        }
        self.partials.truncate(kept);
        self.partials.push(x);
    }

    /// Adds everything `other` holds, exactly.
    pub(super) fn merge(&mut self, other: &ExactSum) {
        self.special += other.special;
        for &p in &other.partials {
            self.add(p);
        }
    }

    /// Adds `a * b` exactly.
    pub(super) fn add_product(&mut self, a: f64, b: f64) {
        let (hi, lo) = two_product(a, b);
        if !hi.is_finite() {
            self.special += hi;
            return;
        }
        self.add(hi);
        self.add(lo);
    }

    /// The partials (their exact total is the sum of the finite values).
    pub(super) fn partials(&self) -> &[f64] {
        &self.partials
    }

    /// Whether a NaN or an infinity decides the sum.
    pub(super) fn special(&self) -> Option<f64> {
        (self.special != 0.0 || self.special.is_nan()).then_some(self.special)
    }

    /// The exact sum, correctly rounded to a double (round half to even).
    pub(super) fn value(&self) -> f64 {
        if let Some(s) = self.special() {
            return s;
        }
        let p = &self.partials;
        let mut n = p.len();
        if n == 0 {
            return 0.0;
        }
        n -= 1;
        let mut hi = p[n];
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = p[n];
            hi = x + y;
            lo = y - (hi - x);
            if lo != 0.0 {
                break;
            }
        }
        // Half-way cases: the rest of the partials decide the rounding.
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            if y == x - hi {
                hi = x;
            }
        }
        hi
    }
}

#[cfg(test)]
mod tests {
    use super::ExactSum;

    fn sum(values: &[f64]) -> f64 {
        let mut s = ExactSum::default();
        values.iter().for_each(|&v| s.add(v));
        s.value()
    }

    #[test]
    fn sums_exactly_whatever_the_order() {
        assert_eq!(sum(&[0.1; 10]), 1.0);
        assert_eq!(sum(&[1e100, 1.0, -1e100]), 1.0);
        assert_eq!(sum(&[1.0, 1e100, 1.0, -1e100]), 2.0);
        let values: Vec<f64> = (0..1000).map(|i| f64::from(i) * 0.1 + 1e-7).collect();
        let forward = sum(&values);
        let mut reversed = values.clone();
        reversed.reverse();
        assert_eq!(forward, sum(&reversed));
        let mut a = ExactSum::default();
        let mut b = ExactSum::default();
        values[..333].iter().for_each(|&v| a.add(v));
        values[333..].iter().for_each(|&v| b.add(v));
        b.merge(&a);
        assert_eq!(b.value(), forward);
    }

    #[test]
    fn infinities_and_nan() {
        assert_eq!(sum(&[1.0, f64::INFINITY]), f64::INFINITY);
        assert!(sum(&[f64::INFINITY, f64::NEG_INFINITY]).is_nan());
        assert!(sum(&[1.0, f64::NAN]).is_nan());
        assert_eq!(sum(&[f64::MAX, f64::MAX]), f64::INFINITY);
        assert_eq!(sum(&[]), 0.0);
    }
}
