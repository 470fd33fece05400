//! Series analysis: statistics, gap filling, filters, outlier scores,
//! seasonality, decomposition and anomaly detection, two-segment and
//! polynomial fits, and the Fourier transform (the `series-*-function`
//! pages of the KQL reference). Where a page leaves the algorithm open,
//! docs/semantics.md#series-analysis says what kqlite does.
//!
//! Functions that return several columns (`series_stats`,
//! `series_decompose`...) return an array of them, in the order of
//! [`super::series::tuple_columns`].

use super::series_ops::{numbers, series_arg};
use super::{EvalContext, ScalarFunction, SignatureError, arg, function};
use crate::types::DataType;
use crate::value::{Bag, Value};

pub(super) const FUNCTIONS: &[ScalarFunction] = &[
    function("series_stats", 1, 2, sig_dynamic, series_stats),
    function(
        "series_stats_dynamic",
        1,
        2,
        sig_dynamic,
        series_stats_dynamic,
    ),
    function(
        "series_fill_forward",
        1,
        2,
        sig_dynamic,
        series_fill_forward,
    ),
    function(
        "series_fill_backward",
        1,
        2,
        sig_dynamic,
        series_fill_backward,
    ),
    function("series_fill_const", 2, 3, sig_dynamic, series_fill_const),
    function("series_fill_linear", 1, 4, sig_dynamic, series_fill_linear),
    function("series_fir", 2, 4, sig_dynamic, series_fir),
    function("series_iir", 3, 3, sig_dynamic, series_iir),
    function("series_outliers", 1, 5, sig_dynamic, series_outliers),
    function("series_seasonal", 1, 2, sig_dynamic, series_seasonal),
    function(
        "series_periods_detect",
        4,
        4,
        sig_dynamic,
        series_periods_detect,
    ),
    function(
        "series_periods_validate",
        2,
        usize::MAX,
        sig_dynamic,
        series_periods_validate,
    ),
    function("series_decompose", 1, 5, sig_dynamic, series_decompose),
    function(
        "series_decompose_anomalies",
        1,
        7,
        sig_dynamic,
        series_decompose_anomalies,
    ),
    function(
        "series_decompose_forecast",
        2,
        5,
        sig_dynamic,
        series_decompose_forecast,
    ),
    function("series_fit_2lines", 1, 1, sig_dynamic, series_fit_2lines),
    function(
        "series_fit_2lines_dynamic",
        1,
        1,
        sig_dynamic,
        series_fit_2lines_dynamic,
    ),
    function("series_fit_poly", 1, 3, sig_dynamic, series_fit_poly),
    function("series_fft", 1, 2, sig_dynamic, series_fft),
    function("series_ifft", 1, 2, sig_dynamic, series_ifft),
];

fn sig_dynamic(_: &[DataType]) -> Result<DataType, SignatureError> {
    Ok(DataType::Dynamic)
}

fn reals(xs: impl IntoIterator<Item = f64>) -> Value {
    Value::array(xs.into_iter().map(Value::Real).collect())
}

/// Every element as a number, or `None` when one is not (missing values
/// must have been filled first).
fn all_numbers(args: &[Value], i: usize) -> Option<Vec<f64>> {
    let items = series_arg(args, i)?;
    items.iter().map(Value::as_f64).collect()
}

fn opt_f64(args: &[Value], i: usize) -> Option<f64> {
    arg(args, i).as_f64()
}

fn opt_i64(args: &[Value], i: usize) -> Option<i64> {
    super::int_of(arg(args, i))
}

fn opt_bool(args: &[Value], i: usize) -> Option<bool> {
    arg(args, i).as_bool()
}

fn opt_str(args: &[Value], i: usize) -> Option<String> {
    match arg(args, i) {
        Value::String(s) => Some(s.to_string()),
        _ => None,
    }
}

// ---- series_stats ----------------------------------------------------------

struct Stats {
    min: f64,
    min_idx: i64,
    max: f64,
    max_idx: i64,
    avg: f64,
    stdev: f64,
    variance: f64,
    sum: f64,
    len: i64,
}

/// `None` when the series is not an array, is empty, or (unless
/// `ignore_nonfinite`) holds a value that is not a finite number.
fn stats(args: &[Value]) -> Option<Stats> {
    let items = series_arg(args, 0)?;
    let ignore = opt_bool(args, 1).unwrap_or(false);
    let mut xs: Vec<(usize, f64)> = Vec::with_capacity(items.len());
    for (i, v) in items.iter().enumerate() {
        match v.as_f64() {
            Some(x) if x.is_finite() => xs.push((i, x)),
            _ if ignore => {}
            _ => return None,
        }
    }
    let &(first_idx, first) = xs.first()?;
    let (mut min, mut min_idx, mut max, mut max_idx) = (first, first_idx, first, first_idx);
    for &(i, x) in &xs {
        if x < min {
            (min, min_idx) = (x, i);
        }
        if x > max {
            (max, max_idx) = (x, i);
        }
    }
    let n = xs.len() as f64;
    let sum: f64 = xs.iter().map(|(_, x)| x).sum();
    let avg = sum / n;
    let variance = if xs.len() > 1 {
        xs.iter().map(|(_, x)| (x - avg).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    Some(Stats {
        min,
        min_idx: min_idx as i64,
        max,
        max_idx: max_idx as i64,
        avg,
        stdev: variance.sqrt(),
        variance,
        sum,
        len: items.len() as i64,
    })
}

/// `series_stats`: `min, min_idx, max, max_idx, avg, stdev, variance`
/// (the column order of the page's example).
fn series_stats(args: &[Value], _: &EvalContext) -> Value {
    match stats(args) {
        Some(s) => Value::array(vec![
            Value::Real(s.min),
            Value::Long(s.min_idx),
            Value::Real(s.max),
            Value::Long(s.max_idx),
            Value::Real(s.avg),
            Value::Real(s.stdev),
            Value::Real(s.variance),
        ]),
        None => Value::array(vec![Value::Null; 7]),
    }
}

fn series_stats_dynamic(args: &[Value], _: &EvalContext) -> Value {
    let Some(s) = stats(args) else {
        return Value::Null;
    };
    let mut bag = Bag::new();
    bag.insert("min".into(), Value::Real(s.min));
    bag.insert("min_idx".into(), Value::Long(s.min_idx));
    bag.insert("max".into(), Value::Real(s.max));
    bag.insert("max_idx".into(), Value::Long(s.max_idx));
    bag.insert("avg".into(), Value::Real(s.avg));
    bag.insert("stdev".into(), Value::Real(s.stdev));
    bag.insert("variance".into(), Value::Real(s.variance));
    bag.insert("sum".into(), Value::Real(s.sum));
    bag.insert("len".into(), Value::Long(s.len));
    Value::bag(bag)
}

// ---- gap filling -----------------------------------------------------------

/// Whether `v` is a missing value: null when no placeholder is given (or
/// the placeholder is null), else equal to the placeholder.
fn is_missing(v: &Value, placeholder: &Value) -> bool {
    match placeholder {
        Value::Null => matches!(v, Value::Null) || v.as_f64().is_some_and(f64::is_nan),
        p => match (v.as_f64(), p.as_f64()) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        },
    }
}

fn series_fill_forward(args: &[Value], _: &EvalContext) -> Value {
    let Some(items) = series_arg(args, 0) else {
        return Value::Null;
    };
    let placeholder = arg(args, 1);
    let mut last: Option<Value> = None;
    Value::array(
        items
            .iter()
            .map(|v| {
                if is_missing(v, placeholder) {
                    last.clone().unwrap_or_else(|| v.clone())
                } else {
                    last = Some(v.clone());
                    v.clone()
                }
            })
            .collect(),
    )
}

fn series_fill_backward(args: &[Value], _: &EvalContext) -> Value {
    let Some(items) = series_arg(args, 0) else {
        return Value::Null;
    };
    let placeholder = arg(args, 1);
    let mut next: Option<Value> = None;
    let mut out: Vec<Value> = items
        .iter()
        .rev()
        .map(|v| {
            if is_missing(v, placeholder) {
                next.clone().unwrap_or_else(|| v.clone())
            } else {
                next = Some(v.clone());
                v.clone()
            }
        })
        .collect();
    out.reverse();
    Value::array(out)
}

fn series_fill_const(args: &[Value], _: &EvalContext) -> Value {
    let Some(items) = series_arg(args, 0) else {
        return Value::Null;
    };
    let constant = arg(args, 1);
    let placeholder = arg(args, 2);
    Value::array(
        items
            .iter()
            .map(|v| {
                if is_missing(v, placeholder) {
                    constant.clone()
                } else {
                    v.clone()
                }
            })
            .collect(),
    )
}

/// `series_fill_linear(series, placeholder, fill_edges = true, constant = 0)`.
/// A series of integers only gets interpolated values truncated toward
/// zero, as the page's example shows (73.5 → 73, 32.667 → 32).
fn series_fill_linear(args: &[Value], _: &EvalContext) -> Value {
    let Some(items) = series_arg(args, 0) else {
        return Value::Null;
    };
    let placeholder = arg(args, 1);
    let fill_edges = opt_bool(args, 2).unwrap_or(true);
    let constant = if args.len() > 3 {
        arg(args, 3).clone()
    } else {
        Value::Real(0.0)
    };
    let known: Vec<(usize, f64)> = items
        .iter()
        .enumerate()
        .filter(|(_, v)| !is_missing(v, placeholder))
        .filter_map(|(i, v)| v.as_f64().map(|x| (i, x)))
        .collect();
    if known.is_empty() {
        return Value::array(vec![constant; items.len()]);
    }
    let integral = items
        .iter()
        .filter(|v| !is_missing(v, placeholder))
        .all(|v| matches!(v, Value::Int(_) | Value::Long(_)));
    let make = |x: f64| {
        if integral {
            Value::Long(x.trunc() as i64)
        } else {
            Value::Real(x)
        }
    };
    let mut out: Vec<Value> = items.to_vec();
    for w in known.windows(2) {
        let ((i0, y0), (i1, y1)) = (w[0], w[1]);
        for (i, slot) in out.iter_mut().enumerate().take(i1).skip(i0 + 1) {
            let t = (i - i0) as f64 / (i1 - i0) as f64;
            *slot = make(y0 + (y1 - y0) * t);
        }
    }
    if fill_edges {
        let (first, last) = (known[0], known[known.len() - 1]);
        for slot in out.iter_mut().take(first.0) {
            *slot = items[first.0].clone();
        }
        for slot in out.iter_mut().skip(last.0 + 1) {
            *slot = items[last.0].clone();
        }
    }
    Value::array(out)
}

// ---- filters ---------------------------------------------------------------

/// `series_fir(series, filter, normalize, center)`: `y[i] = Σ f[j] x[i-j]`
/// (with `center`, shifted by `(len(f)-1)/2`); points outside the series
/// count as 0.
fn series_fir(args: &[Value], _: &EvalContext) -> Value {
    let (Some(x), Some(f)) = (series_arg(args, 0), all_numbers(args, 1)) else {
        return Value::Null;
    };
    if f.is_empty() {
        return Value::Null;
    }
    let has_negative = f.iter().any(|c| *c < 0.0);
    let normalize = opt_bool(args, 2).unwrap_or(!has_negative);
    let center = opt_bool(args, 3).unwrap_or(false);
    if normalize && has_negative {
        return Value::Null;
    }
    let sum: f64 = f.iter().sum();
    let scale = if normalize && sum != 0.0 {
        1.0 / sum
    } else {
        1.0
    };
    let xs: Vec<f64> = numbers(&x).into_iter().map(|v| v.unwrap_or(0.0)).collect();
    let shift = if center { (f.len() - 1) / 2 } else { 0 };
    let n = xs.len() as i64;
    reals((0..n).map(|i| {
        let mut acc = 0.0;
        for (j, c) in f.iter().enumerate() {
            let k = i + shift as i64 - j as i64;
            if (0..n).contains(&k) {
                acc += c * xs[k as usize];
            }
        }
        acc * scale
    }))
}

/// `series_iir(series, numerators b, denominators a)`, by the page's
/// recursion: `y[i] = (Σ b[j] x[i-j] - Σ_{j≥1} a[j] y[i-j]) / a[0]`.
fn series_iir(args: &[Value], _: &EvalContext) -> Value {
    let (Some(x), Some(b), Some(a)) = (
        series_arg(args, 0),
        all_numbers(args, 1),
        all_numbers(args, 2),
    ) else {
        return Value::Null;
    };
    let Some(&a0) = a.first() else {
        return Value::Null;
    };
    if a0 == 0.0 {
        return Value::Null;
    }
    let xs: Vec<f64> = numbers(&x).into_iter().map(|v| v.unwrap_or(0.0)).collect();
    let mut ys: Vec<f64> = Vec::with_capacity(xs.len());
    for i in 0..xs.len() {
        let mut acc = 0.0;
        for (j, c) in b.iter().enumerate() {
            if j <= i {
                acc += c * xs[i - j];
            }
        }
        for (j, c) in a.iter().enumerate().skip(1) {
            if j <= i {
                acc -= c * ys[i - j];
            }
        }
        ys.push(acc / a0);
    }
    reals(ys)
}

// ---- outliers --------------------------------------------------------------

/// The `p`-th percentile (0..100) of sorted values, interpolating linearly
/// between the two nearest ranks.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p / 100.0) * (sorted.len() - 1) as f64;
    let lo = rank.floor() as usize;
    let hi = rank.ceil() as usize;
    let frac = rank - lo as f64;
    sorted[lo] + (sorted[hi.min(sorted.len() - 1)] - sorted[lo]) * frac
}

/// Tukey-fence scores: how many inter-quantile ranges (`q_hi - q_lo`) a
/// point lies above `q_hi` (positive) or below `q_lo` (negative); 0 inside
/// the range and for missing values. With the conventional quartiles a
/// score beyond ±1.5 is Tukey's "outlier".
fn outlier_scores(xs: &[Option<f64>], low: f64, high: f64) -> Vec<f64> {
    let mut sorted: Vec<f64> = xs
        .iter()
        .flatten()
        .copied()
        .filter(|x| x.is_finite())
        .collect();
    sorted.sort_by(f64::total_cmp);
    let q_lo = percentile(&sorted, low);
    let q_hi = percentile(&sorted, high);
    let range = q_hi - q_lo;
    xs.iter()
        .map(|x| match x {
            Some(x) if x.is_finite() && range > 0.0 => {
                if *x > q_hi {
                    (x - q_hi) / range
                } else if *x < q_lo {
                    (x - q_lo) / range
                } else {
                    0.0
                }
            }
            Some(x) if x.is_finite() && range == 0.0 && !sorted.is_empty() => {
                // A constant bulk: any departure is infinitely far off.
                if *x > q_hi {
                    f64::INFINITY
                } else if *x < q_lo {
                    f64::NEG_INFINITY
                } else {
                    0.0
                }
            }
            _ => 0.0,
        })
        .collect()
}

/// The percentile range of an outlier method: `tukey` (25/75) or `ctukey`
/// (10/90 unless given); `None` for an unknown method or a percentile out
/// of the documented range [2, 98].
fn method_range(kind: &str, low: Option<f64>, high: Option<f64>) -> Option<(f64, f64)> {
    match kind.to_ascii_lowercase().as_str() {
        "tukey" => Some((25.0, 75.0)),
        "ctukey" => {
            let (lo, hi) = (low.unwrap_or(10.0), high.unwrap_or(90.0));
            ((2.0..=98.0).contains(&lo) && (2.0..=98.0).contains(&hi) && lo < hi)
                .then_some((lo, hi))
        }
        _ => None,
    }
}

/// `series_outliers(series, kind = "ctukey", ignore_val, min_percentile,
/// max_percentile)`.
fn series_outliers(args: &[Value], _: &EvalContext) -> Value {
    let Some(items) = series_arg(args, 0) else {
        return Value::Null;
    };
    let kind = opt_str(args, 1).unwrap_or_else(|| "ctukey".into());
    let Some((lo, hi)) = method_range(&kind, opt_f64(args, 3), opt_f64(args, 4)) else {
        return Value::Null;
    };
    let ignore = opt_f64(args, 2);
    let xs: Vec<Option<f64>> = numbers(&items)
        .into_iter()
        .map(|x| x.filter(|v| Some(*v) != ignore))
        .collect();
    reals(outlier_scores(&xs, lo, hi))
}

// ---- seasonality -----------------------------------------------------------

/// The value of point `i` in a [`seasonal_profile`] of `period`: 0 for a
/// phase that held no point.
fn phase_of(profile: &[f64], i: usize, period: usize) -> f64 {
    profile.get(i % period.max(1)).copied().unwrap_or(0.0)
}

/// The median of the points in each phase of `period`, for the phases
/// that hold a point: a phase past the last point has none (its median
/// would be 0), so a seasonality longer than the series (any positive
/// `long` is accepted) costs no more than the series. Read it with
/// [`phase_of`].
fn seasonal_profile(xs: &[f64], period: usize) -> Vec<f64> {
    (0..period.min(xs.len()))
        .map(|phase| {
            let mut v: Vec<f64> = xs.iter().skip(phase).step_by(period).copied().collect();
            v.sort_by(f64::total_cmp);
            match v.len() {
                0 => 0.0,
                n if n % 2 == 1 => v[n / 2],
                n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
            }
        })
        .collect()
}

/// How strongly the series repeats itself after `period` points: its
/// autocorrelation at that lag (normalised by the number of overlapping
/// pairs), clamped to [0, 1]. `None` when the period is outside what the
/// documentation says can be detected: at least 4 points, and short
/// enough that the series holds more than two periods' worth of points.
fn period_score(xs: &[f64], period: usize) -> Option<f64> {
    let n = xs.len();
    // `period >= ceil(n / 2)` is `2 * period >= n` without the product,
    // which overflows for a period near the `long` limit (libFuzzer, eval).
    if period < 4 || period >= n.div_ceil(2) {
        return None;
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    let total: f64 = xs.iter().map(|x| (x - mean).powi(2)).sum();
    if total <= 0.0 {
        return Some(0.0);
    }
    let lagged: f64 = xs
        .iter()
        .zip(&xs[period..])
        .map(|(a, b)| (a - mean) * (b - mean))
        .sum();
    let r = (lagged / (n - period) as f64) / (total / n as f64);
    Some(r.clamp(0.0, 1.0))
}

/// The series less its least-squares line: a trend is not a period (and
/// would otherwise make every short lag look periodic).
fn detrended(xs: &[f64]) -> Vec<f64> {
    let (slope, intercept) = least_squares(xs, 0);
    xs.iter()
        .enumerate()
        .map(|(i, x)| x - (slope * i as f64 + intercept))
        .collect()
}

/// The least score a detected period must have: below it a pattern
/// is too weak to be reported (the documented example reports its weekly
/// period and nothing else).
const MIN_PERIOD_SCORE: f64 = 0.3;

/// The most significant periods in `[min_period, max_period]`, best first,
/// with their scores. A period is dropped when it is within a quarter of a
/// better period, or of one of that period's multiples (a multiple of a
/// pattern repeats it; its neighbours are the same pattern misaligned).
/// The search is bounded to keep it linear-ish on long series.
fn detect_periods(xs: &[f64], min_period: f64, max_period: f64, count: usize) -> Vec<(f64, f64)> {
    const MAX_CANDIDATES: usize = 2000;
    let n = xs.len();
    let lo = (min_period.ceil().max(4.0)) as usize;
    let hi_limit = if n == 0 { 0 } else { (n - 1) / 2 };
    let hi = (max_period.floor().max(0.0) as usize).min(hi_limit);
    let hi = hi.min(lo.saturating_add(MAX_CANDIDATES));
    let xs = &detrended(xs);
    let mut scored: Vec<(usize, f64)> = (lo..=hi)
        .filter_map(|p| period_score(xs, p).map(|s| (p, s)))
        .filter(|(_, s)| *s >= MIN_PERIOD_SCORE)
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut chosen: Vec<(f64, f64)> = Vec::new();
    for (p, s) in scored {
        if chosen.len() >= count {
            break;
        }
        let near_chosen = chosen.iter().any(|&(q, _)| {
            let k = (p as f64 / q).round().max(1.0);
            (p as f64 - k * q).abs() < 0.25 * q
        });
        if !near_chosen {
            chosen.push((p as f64, s));
        }
    }
    chosen
}

/// The period to use for a `Seasonality` argument: `-1` detects it (the
/// best period scoring at least `threshold`), `0` means none, a positive
/// number is used as given.
fn resolve_period(xs: &[f64], seasonality: i64, threshold: f64) -> usize {
    match seasonality {
        s if s > 0 => s as usize,
        0 => 0,
        _ => detect_periods(xs, 4.0, xs.len() as f64, 1)
            .first()
            .filter(|(_, score)| *score >= threshold)
            .map_or(0, |(p, _)| *p as usize),
    }
}

fn series_periods_detect(args: &[Value], _: &EvalContext) -> Value {
    let (Some(xs), Some(lo), Some(hi), Some(count)) = (
        all_numbers(args, 0),
        opt_f64(args, 1),
        opt_f64(args, 2),
        opt_i64(args, 3),
    ) else {
        return Value::array(vec![Value::Null, Value::Null]);
    };
    let count = count.clamp(0, 1000) as usize;
    let mut found = detect_periods(&xs, lo, hi, count);
    found.resize(count, (0.0, 0.0));
    Value::array(vec![
        reals(found.iter().map(|(p, _)| *p)),
        reals(found.iter().map(|(_, s)| *s)),
    ])
}

fn series_periods_validate(args: &[Value], _: &EvalContext) -> Value {
    let Some(xs) = all_numbers(args, 0) else {
        return Value::array(vec![Value::Null, Value::Null]);
    };
    let periods: Vec<f64> = args[1.min(args.len())..]
        .iter()
        .map(|v| v.as_f64().unwrap_or(f64::NAN))
        .collect();
    let xs = detrended(&xs);
    let scores = periods.iter().map(|p| {
        if p.is_finite() && *p >= 1.0 {
            period_score(&xs, p.round() as usize).unwrap_or(0.0)
        } else {
            0.0
        }
    });
    Value::array(vec![reals(periods.iter().copied()), reals(scores)])
}

/// `series_seasonal(series, period = -1)`: detection uses a score
/// threshold of 0.7 (`series-seasonal-function`).
fn series_seasonal(args: &[Value], _: &EvalContext) -> Value {
    let Some(xs) = all_numbers(args, 0) else {
        return Value::Null;
    };
    let period = resolve_period(&xs, opt_i64(args, 1).unwrap_or(-1), 0.7);
    if period == 0 {
        return reals(vec![0.0; xs.len()]);
    }
    let profile = seasonal_profile(&xs, period);
    reals((0..xs.len()).map(|i| phase_of(&profile, i, period)))
}

// ---- decomposition ---------------------------------------------------------

struct Decomposition {
    baseline: Vec<f64>,
    seasonal: Vec<f64>,
    trend: Vec<f64>,
    residual: Vec<f64>,
}

#[derive(Clone, Copy)]
enum Trend {
    Avg,
    LineFit,
    None,
}

fn trend_of(args: &[Value], i: usize) -> Option<Trend> {
    match opt_str(args, i)
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("avg") => Some(Trend::Avg),
        Some("linefit") => Some(Trend::LineFit),
        Some("none") => Some(Trend::None),
        Some(_) => None,
    }
}

/// The documented order: the seasonal component (per-phase medians of the
/// learning points), then the trend of the deseasonalised series, then
/// baseline = seasonal + trend and residual = x - baseline. The last
/// `test_points` points are left out of the learning and extrapolated.
fn decompose(
    xs: &[f64],
    seasonality: i64,
    trend: Trend,
    test_points: usize,
    threshold: f64,
) -> Decomposition {
    let n = xs.len();
    let learn = &xs[..n.saturating_sub(test_points)];
    let period = resolve_period(learn, seasonality, threshold);
    let seasonal: Vec<f64> = if period == 0 || learn.is_empty() {
        vec![0.0; n]
    } else {
        // With a `linefit` trend the phases' medians are taken about the
        // line: medians of a rising series would otherwise fold the rise
        // into the seasonal pattern, and leave a saw-tooth residual.
        let profile = match trend {
            Trend::LineFit => seasonal_profile(&detrended(learn), period),
            _ => seasonal_profile(learn, period),
        };
        (0..n).map(|i| phase_of(&profile, i, period)).collect()
    };
    let deseasonal: Vec<f64> = learn.iter().zip(&seasonal).map(|(x, s)| x - s).collect();
    let trend: Vec<f64> = match trend {
        Trend::None => vec![0.0; n],
        Trend::Avg => {
            let avg = if deseasonal.is_empty() {
                0.0
            } else {
                deseasonal.iter().sum::<f64>() / deseasonal.len() as f64
            };
            vec![avg; n]
        }
        Trend::LineFit => {
            let (slope, intercept) = least_squares(&deseasonal, 0);
            (0..n).map(|i| slope * i as f64 + intercept).collect()
        }
    };
    let baseline: Vec<f64> = seasonal.iter().zip(&trend).map(|(s, t)| s + t).collect();
    let residual: Vec<f64> = xs.iter().zip(&baseline).map(|(x, b)| x - b).collect();
    Decomposition {
        baseline,
        seasonal,
        trend,
        residual,
    }
}

/// The decomposition arguments from position `at`: seasonality, trend,
/// test points, seasonality threshold. `None` for a bad trend name.
fn decompose_args(
    args: &[Value],
    xs: &[f64],
    seasonality_at: usize,
    test_points: Option<usize>,
    threshold_at: usize,
) -> Option<Decomposition> {
    let seasonality = opt_i64(args, seasonality_at).unwrap_or(-1);
    let trend = trend_of(args, seasonality_at + 1)?;
    let test = test_points
        .unwrap_or_else(|| opt_i64(args, seasonality_at + 2).unwrap_or(0).max(0) as usize);
    let threshold = opt_f64(args, threshold_at).unwrap_or(0.6);
    Some(decompose(xs, seasonality, trend, test, threshold))
}

/// `series_decompose(series, seasonality, trend, test_points, threshold)`:
/// `baseline, seasonal, trend, residual`.
fn series_decompose(args: &[Value], _: &EvalContext) -> Value {
    let nulls = || Value::array(vec![Value::Null; 4]);
    let Some(xs) = all_numbers(args, 0) else {
        return nulls();
    };
    let Some(d) = decompose_args(args, &xs, 1, None, 4) else {
        return nulls();
    };
    Value::array(vec![
        reals(d.baseline),
        reals(d.seasonal),
        reals(d.trend),
        reals(d.residual),
    ])
}

/// `series_decompose_anomalies(series, threshold = 1.5, seasonality,
/// trend, test_points, method = "ctukey", seasonality_threshold)`:
/// `ad_flag, ad_score, baseline`.
fn series_decompose_anomalies(args: &[Value], _: &EvalContext) -> Value {
    let nulls = || Value::array(vec![Value::Null; 3]);
    let Some(xs) = all_numbers(args, 0) else {
        return nulls();
    };
    let threshold = opt_f64(args, 1).unwrap_or(1.5);
    let method = opt_str(args, 5).unwrap_or_else(|| "ctukey".into());
    let Some((lo, hi)) = method_range(&method, None, None) else {
        return nulls();
    };
    let Some(d) = decompose_args(args, &xs, 2, None, 6) else {
        return nulls();
    };
    let residual: Vec<Option<f64>> = d.residual.iter().map(|r| Some(*r)).collect();
    let scores = outlier_scores(&residual, lo, hi);
    let flags = scores.iter().map(|s| {
        Value::Long(if *s > threshold {
            1
        } else if *s < -threshold {
            -1
        } else {
            0
        })
    });
    Value::array(vec![
        Value::array(flags.collect()),
        reals(scores),
        reals(d.baseline),
    ])
}

/// `series_decompose_forecast(series, points, seasonality, trend,
/// threshold)`: the baseline learnt without the last `points` points.
fn series_decompose_forecast(args: &[Value], _: &EvalContext) -> Value {
    let (Some(xs), Some(points)) = (all_numbers_or_gaps(args), opt_i64(args, 1)) else {
        return Value::Null;
    };
    let points = points.max(0) as usize;
    match decompose_args(args, &xs, 2, Some(points), 4) {
        Some(d) => reals(d.baseline),
        None => Value::Null,
    }
}

/// The series for forecasting: the points to forecast are usually empty
/// (`make-series` filled them with its default), so a null there is 0.
fn all_numbers_or_gaps(args: &[Value]) -> Option<Vec<f64>> {
    series_arg(args, 0).map(|items| {
        numbers(&items)
            .into_iter()
            .map(|x| x.unwrap_or(0.0))
            .collect()
    })
}

// ---- fits ------------------------------------------------------------------

/// Slope and intercept of the least-squares line through
/// `(offset + i, ys[i])`.
fn least_squares(ys: &[f64], offset: usize) -> (f64, f64) {
    let n = ys.len() as f64;
    if ys.is_empty() {
        return (0.0, 0.0);
    }
    let mean_x = offset as f64 + (n - 1.0) / 2.0;
    let mean_y = ys.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, y) in ys.iter().enumerate() {
        let dx = (offset + i) as f64 - mean_x;
        sxy += dx * (y - mean_y);
        sxx += dx * dx;
    }
    let slope = if sxx == 0.0 { 0.0 } else { sxy / sxx };
    (slope, mean_y - slope * mean_x)
}

/// One segment's line (x counted from 1 over the whole series, as
/// `series_fit_line` counts), with its statistics.
struct Segment {
    rsquare: f64,
    slope: f64,
    interception: f64,
    variance: f64,
    rvariance: f64,
    fit: Vec<f64>,
    ssr: f64,
}

fn segment(ys: &[f64], start: usize) -> Segment {
    let (slope, interception) = least_squares(ys, start + 1);
    let fit: Vec<f64> = (0..ys.len())
        .map(|i| slope * (start + 1 + i) as f64 + interception)
        .collect();
    let n = ys.len() as f64;
    let mean = ys.iter().sum::<f64>() / n;
    let sst: f64 = ys.iter().map(|y| (y - mean).powi(2)).sum();
    let ssr: f64 = ys.iter().zip(&fit).map(|(y, f)| (y - f).powi(2)).sum();
    let dof = if ys.len() > 1 { n - 1.0 } else { 1.0 };
    Segment {
        rsquare: if ssr == 0.0 || sst == 0.0 {
            1.0
        } else {
            1.0 - ssr / sst
        },
        slope,
        interception,
        variance: sst / dof,
        rvariance: ssr / dof,
        fit,
        ssr,
    }
}

/// The two-line fit: the split (each side at least two points) that
/// leaves the least squared residual; `None` for fewer than four points.
fn fit_2lines(ys: &[f64]) -> Option<(usize, Segment, Segment)> {
    let n = ys.len();
    if n < 4 {
        return None;
    }
    let mut best: Option<(usize, Segment, Segment)> = None;
    for split in 2..=n - 2 {
        let left = segment(&ys[..split], 0);
        let right = segment(&ys[split..], split);
        let better = best
            .as_ref()
            .is_none_or(|(_, l, r)| left.ssr + right.ssr < l.ssr + r.ssr);
        if better {
            best = Some((split, left, right));
        }
    }
    best
}

const FIT_2LINES_FIELDS: [&str; 15] = [
    "rsquare",
    "split_idx",
    "variance",
    "rvariance",
    "line_fit",
    "right_rsquare",
    "right_slope",
    "right_interception",
    "right_variance",
    "right_rvariance",
    "left_rsquare",
    "left_slope",
    "left_interception",
    "left_variance",
    "left_rvariance",
];

fn fit_2lines_values(args: &[Value]) -> Option<Vec<Value>> {
    let ys = all_numbers(args, 0)?;
    let (split, left, right) = fit_2lines(&ys)?;
    let whole = segment(&ys, 0);
    let n = ys.len() as f64;
    let sst = whole.variance * (n - 1.0);
    let ssr = left.ssr + right.ssr;
    let line: Vec<f64> = left.fit.iter().chain(&right.fit).copied().collect();
    Some(vec![
        Value::Real(if sst == 0.0 { 1.0 } else { 1.0 - ssr / sst }),
        Value::Long(split as i64),
        Value::Real(whole.variance),
        Value::Real(ssr / (n - 1.0)),
        reals(line),
        Value::Real(right.rsquare),
        Value::Real(right.slope),
        Value::Real(right.interception),
        Value::Real(right.variance),
        Value::Real(right.rvariance),
        Value::Real(left.rsquare),
        Value::Real(left.slope),
        Value::Real(left.interception),
        Value::Real(left.variance),
        Value::Real(left.rvariance),
    ])
}

fn series_fit_2lines(args: &[Value], _: &EvalContext) -> Value {
    Value::array(fit_2lines_values(args).unwrap_or_else(|| vec![Value::Null; 15]))
}

fn series_fit_2lines_dynamic(args: &[Value], _: &EvalContext) -> Value {
    let Some(values) = fit_2lines_values(args) else {
        return Value::Null;
    };
    // The page names the side fields `right.slope`, `left.rsquare`, …: a
    // `right` and a `left` bag beside the whole-series fields.
    let mut bag = Bag::new();
    let mut right = Bag::new();
    let mut left = Bag::new();
    for (k, v) in FIT_2LINES_FIELDS.iter().zip(values) {
        if let Some(field) = k.strip_prefix("right_") {
            right.insert(field.into(), v);
        } else if let Some(field) = k.strip_prefix("left_") {
            left.insert(field.into(), v);
        } else {
            bag.insert((*k).into(), v);
        }
    }
    bag.insert("right".into(), Value::bag(right));
    bag.insert("left".into(), Value::bag(left));
    Value::bag(bag)
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-300 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..n {
            let factor = a[row][col] / a[col][col];
            let pivot_row = a[col].clone();
            for (x, p) in a[row].iter_mut().zip(&pivot_row).skip(col) {
                *x -= factor * p;
            }
            b[row] -= factor * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    Some(x)
}

/// `series_fit_poly(y, x = [1..n], degree = 1)`: `rsquare, coefficients
/// (highest power first), variance, rvariance, poly_fit`.
fn series_fit_poly(args: &[Value], _: &EvalContext) -> Value {
    let nulls = || Value::array(vec![Value::Null; 5]);
    let Some(ys) = all_numbers(args, 0) else {
        return nulls();
    };
    let xs: Vec<f64> = match arg(args, 1) {
        Value::Null => (1..=ys.len()).map(|i| i as f64).collect(),
        _ => match all_numbers(args, 1) {
            Some(xs) if xs.len() == ys.len() => xs,
            _ => return nulls(),
        },
    };
    let degree = opt_i64(args, 2).unwrap_or(1).clamp(0, 32) as usize;
    let n = ys.len();
    if n == 0 || n <= degree {
        return nulls();
    }
    let terms = degree + 1;
    let mut ata = vec![vec![0.0; terms]; terms];
    let mut aty = vec![0.0; terms];
    for (x, y) in xs.iter().zip(&ys) {
        let powers: Vec<f64> = (0..terms).map(|k| x.powi(k as i32)).collect();
        for i in 0..terms {
            aty[i] += powers[i] * y;
            for j in 0..terms {
                ata[i][j] += powers[i] * powers[j];
            }
        }
    }
    let Some(coef) = solve(ata, aty) else {
        return nulls();
    };
    let fit: Vec<f64> = xs
        .iter()
        .map(|x| {
            coef.iter()
                .enumerate()
                .map(|(k, c)| c * x.powi(k as i32))
                .sum()
        })
        .collect();
    let nf = n as f64;
    let mean = ys.iter().sum::<f64>() / nf;
    let sst: f64 = ys.iter().map(|y| (y - mean).powi(2)).sum();
    let ssr: f64 = ys.iter().zip(&fit).map(|(y, f)| (y - f).powi(2)).sum();
    let dof = if n > 1 { nf - 1.0 } else { 1.0 };
    Value::array(vec![
        Value::Real(if sst == 0.0 { 1.0 } else { 1.0 - ssr / sst }),
        reals(coef.iter().rev().copied()),
        Value::Real(sst / dof),
        Value::Real(ssr / dof),
        reals(fit),
    ])
}

// ---- Fourier transform -----------------------------------------------------

/// The discrete Fourier transform (`inverse`: its inverse, scaled by
/// 1/n), computed directly: O(n²).
fn dft(re: &[f64], im: &[f64], inverse: bool) -> (Vec<f64>, Vec<f64>) {
    let n = re.len();
    let sign = if inverse { 1.0 } else { -1.0 };
    let mut out_re = vec![0.0; n];
    let mut out_im = vec![0.0; n];
    for k in 0..n {
        let (mut sr, mut si) = (0.0, 0.0);
        for t in 0..n {
            let angle = sign * 2.0 * std::f64::consts::PI * ((k * t) % n) as f64 / n as f64;
            let (s, c) = angle.sin_cos();
            sr += re[t] * c - im[t] * s;
            si += re[t] * s + im[t] * c;
        }
        if inverse {
            sr /= n as f64;
            si /= n as f64;
        }
        out_re[k] = sr;
        out_im[k] = si;
    }
    (out_re, out_im)
}

fn transform(args: &[Value], inverse: bool) -> Value {
    let nulls = || Value::array(vec![Value::Null; 2]);
    let Some(re) = all_numbers(args, 0) else {
        return nulls();
    };
    let im = match arg(args, 1) {
        Value::Null => vec![0.0; re.len()],
        _ => match all_numbers(args, 1) {
            Some(im) if im.len() == re.len() => im,
            _ => return nulls(),
        },
    };
    let (r, i) = dft(&re, &im, inverse);
    Value::array(vec![reals(r), reals(i)])
}

fn series_fft(args: &[Value], _: &EvalContext) -> Value {
    transform(args, false)
}

fn series_ifft(args: &[Value], _: &EvalContext) -> Value {
    transform(args, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekly_period_of_the_documented_traffic_is_found() {
        let y = [
            80, 139, 87, 110, 68, 54, 50, 51, 53, 133, 86, 141, 97, 156, 94, 149, 95, 140, 77, 61,
            50, 54, 47, 133, 72, 152, 94, 148, 105, 162, 101, 160, 87, 63, 53, 55, 54, 151, 103,
            189, 108, 183, 113, 175, 113, 178, 90, 71, 62, 62, 65, 165, 109, 181, 115, 182, 121,
            178, 114, 170,
        ];
        let xs: Vec<f64> = y.iter().map(|v| f64::from(*v)).collect();
        let found = detect_periods(&xs, 0.0, 50.0, 2);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 14.0);
    }

    #[test]
    fn tukey_scores_count_ranges_past_the_quartiles() {
        let xs: Vec<Option<f64>> = [1.0, 2.0, 3.0, 4.0, 5.0, 20.0]
            .iter()
            .map(|x| Some(*x))
            .collect();
        let s = outlier_scores(&xs, 25.0, 75.0);
        // q1 = 2.25, q3 = 4.75, range 2.5: 20 is (20 - 4.75) / 2.5 = 6.1 ranges above.
        assert!((s[5] - 6.1).abs() < 1e-9);
        assert_eq!(s[2], 0.0);
    }
}
