//! Special functions of statistics: `erf`, `erfc`, `gamma`, `loggamma` and
//! the beta distribution (`beta_cdf`, `beta_inv`, `beta_pdf`); doc pages
//! are `https://learn.microsoft.com/kusto/query/<name>-function`.
//!
//! `erf`, `erfc`, `gamma` and `loggamma` are libm's (musl's) `erf`, `erfc`,
//! `tgamma` and `lgamma`. The beta functions return NaN outside their
//! domain as their pages list, and null for a null argument.

use super::{EvalContext, Naming, ScalarFunction, arg, function, real_of, signature};
use crate::types::DataType;
use crate::value::Value;

pub(super) const FUNCTIONS: &[ScalarFunction] = &[
    function("erf", 1, 1, sig_real1, erf).named(Naming::FirstArgument),
    function("erfc", 1, 1, sig_real1, erfc).named(Naming::FirstArgument),
    function("gamma", 1, 1, sig_real1, gamma).named(Naming::FirstArgument),
    function("loggamma", 1, 1, sig_real1, loggamma).named(Naming::FirstArgument),
    function("beta_cdf", 3, 3, sig_real3, beta_cdf),
    function("beta_inv", 3, 3, sig_real3, beta_inv),
    function("beta_pdf", 3, 3, sig_real3, beta_pdf),
];

signature!(sig_real1, "erf", [Num] => Real);
signature!(sig_real3, "beta_cdf", [Num, Num, Num] => Real);

fn map1(args: &[Value], f: fn(f64) -> f64) -> Value {
    real_of(arg(args, 0)).map_or(Value::Null, |x| Value::Real(f(x)))
}

fn map3(args: &[Value], f: fn(f64, f64, f64) -> Option<f64>) -> Value {
    match (
        real_of(arg(args, 0)),
        real_of(arg(args, 1)),
        real_of(arg(args, 2)),
    ) {
        (Some(a), Some(b), Some(c)) => f(a, b, c).map_or(Value::Null, Value::Real),
        _ => Value::Null,
    }
}

/// `erf(x)` (erf-function).
fn erf(args: &[Value], _: &EvalContext) -> Value {
    map1(args, libm::erf)
}

/// `erfc(x)` (erfc-function): 1 - erf(x), accurate for large x.
fn erfc(args: &[Value], _: &EvalContext) -> Value {
    map1(args, libm::erfc)
}

/// `gamma(x)` (gamma-function).
fn gamma(args: &[Value], _: &EvalContext) -> Value {
    map1(args, libm::tgamma)
}

/// `loggamma(x)` (loggamma-function): ln |gamma(x)|.
fn loggamma(args: &[Value], _: &EvalContext) -> Value {
    map1(args, libm::lgamma)
}

/// ln B(a, b).
fn ln_beta(a: f64, b: f64) -> f64 {
    libm::lgamma(a) + libm::lgamma(b) - libm::lgamma(a + b)
}

/// Whether `alpha` and `beta` are parameters the beta functions accept
/// (beta-cdf-function: NaN for `≤ 0` or `> 10000`).
fn valid_shape(a: f64, b: f64) -> bool {
    a > 0.0 && b > 0.0 && a <= 10_000.0 && b <= 10_000.0
}

/// `beta_cdf(x, alpha, beta)` (beta-cdf-function): the regularized
/// incomplete beta function I_x(alpha, beta); NaN outside the domain.
fn beta_cdf(args: &[Value], _: &EvalContext) -> Value {
    map3(args, |x, a, b| {
        Some(if !(0.0..=1.0).contains(&x) || !valid_shape(a, b) {
            f64::NAN
        } else {
            incomplete_beta(x, a, b)
        })
    })
}

/// `beta_pdf(x, alpha, beta)` (beta-pdf-function): the density; NaN for
/// `x ≤ 0`, `x ≥ 1` or a parameter `≤ 0`.
fn beta_pdf(args: &[Value], _: &EvalContext) -> Value {
    map3(args, |x, a, b| {
        Some(if x <= 0.0 || x >= 1.0 || !valid_shape(a, b) {
            f64::NAN
        } else {
            ((a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln() - ln_beta(a, b)).exp()
        })
    })
}

/// `beta_inv(p, alpha, beta)` (beta-inv-function): the x with
/// `beta_cdf(x, alpha, beta) = p`. The page's example gives null for
/// `p > 1` and NaN for a parameter `≤ 0` (its note says the reverse; the
/// example's output is followed); `p ≤ 0` gives NaN.
fn beta_inv(args: &[Value], _: &EvalContext) -> Value {
    map3(args, |p, a, b| {
        if p > 1.0 {
            return None;
        }
        if p <= 0.0 || !valid_shape(a, b) {
            return Some(f64::NAN);
        }
        // I_x is increasing in x: bisect [0, 1] to the last bit.
        let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if incomplete_beta(mid, a, b) < p {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Some(0.5 * (lo + hi))
    })
}

/// I_x(a, b) for x in [0, 1] and a, b > 0: the continued fraction of the
/// incomplete beta function (modified Lentz), on the side where it
/// converges fast (x < (a + 1) / (a + b + 2)), and 1 - I_{1-x}(b, a) on
/// the other.
fn incomplete_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front = (a * x.ln() + b * (1.0 - x).ln() - ln_beta(a, b)).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(x, a, b) / a
    } else {
        1.0 - front * beta_fraction(1.0 - x, b, a) / b
    }
}

/// The continued fraction 1 / (1 + d1 / (1 + d2 / (1 + …))) of I_x(a, b).
fn beta_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let clamp = |v: f64| if v.abs() < TINY { TINY } else { v };
    let mut c = 1.0;
    let mut d = 1.0 / clamp(1.0 - (a + b) * x / (a + 1.0));
    let mut h = d;
    for m in 1..10_000 {
        let m = f64::from(m);
        let even = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
        d = 1.0 / clamp(1.0 + even * d);
        c = clamp(1.0 + even / c);
        h *= d * c;
        let odd = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
        d = 1.0 / clamp(1.0 + odd * d);
        c = clamp(1.0 + odd / c);
        let step = d * c;
        h *= step;
        if (step - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incomplete_beta_matches_known_values() {
        // I_0.5(a, a) = 0.5 by symmetry; I_x(1, 1) = x.
        assert!((incomplete_beta(0.5, 3.0, 3.0) - 0.5).abs() < 1e-14);
        assert!((incomplete_beta(0.3, 1.0, 1.0) - 0.3).abs() < 1e-14);
        // I_x(1, b) = 1 - (1 - x)^b.
        assert!((incomplete_beta(0.2, 1.0, 4.0) - (1.0 - 0.8_f64.powi(4))).abs() < 1e-14);
    }
}
