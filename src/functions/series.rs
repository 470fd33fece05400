//! Series functions, over the arrays `make-series` builds.
//!
//! `series_fit_line` (<https://learn.microsoft.com/kusto/query/series-fit-line-function>)
//! returns several columns; as a value it is an array of them, in order,
//! and `extend (a, b, ...) = series_fit_line(s)` (or `extend
//! series_fit_line(s)`) takes them apart (see `semantic::project`).

use super::SignatureError;
use super::function;
use super::{EvalContext, ScalarFunction, arg, check_params};
use crate::types::DataType;
use crate::value::Value;

pub(super) const FUNCTIONS: &[ScalarFunction] = &[
    function("series_fit_line", 1, 1, sig_series, series_fit_line),
    function(
        "series_fit_line_dynamic",
        1,
        1,
        sig_series,
        series_fit_line_dynamic,
    ),
];

/// The columns of a function that returns several (`extend (a, b) =
/// f(x)`): each name's suffix and type, in order.
pub fn tuple_columns(function: &str) -> Option<&'static [(&'static str, DataType)]> {
    match function {
        "series_fit_line" => Some(&[
            ("rsquare", DataType::Real),
            ("slope", DataType::Real),
            ("variance", DataType::Real),
            ("rvariance", DataType::Real),
            ("interception", DataType::Real),
            ("line_fit", DataType::Dynamic),
        ]),
        "series_stats" => Some(&[
            ("min", DataType::Real),
            ("min_idx", DataType::Long),
            ("max", DataType::Real),
            ("max_idx", DataType::Long),
            ("avg", DataType::Real),
            ("stdev", DataType::Real),
            ("variance", DataType::Real),
        ]),
        "series_decompose" => Some(&[
            ("baseline", DataType::Dynamic),
            ("seasonal", DataType::Dynamic),
            ("trend", DataType::Dynamic),
            ("residual", DataType::Dynamic),
        ]),
        "series_decompose_anomalies" => Some(&[
            ("ad_flag", DataType::Dynamic),
            ("ad_score", DataType::Dynamic),
            ("baseline", DataType::Dynamic),
        ]),
        // The page's example names the second column `..._periods_scores`.
        "series_periods_detect" => Some(&[
            ("periods", DataType::Dynamic),
            ("periods_scores", DataType::Dynamic),
        ]),
        "series_periods_validate" => Some(&[
            ("periods", DataType::Dynamic),
            ("scores", DataType::Dynamic),
        ]),
        "series_fit_2lines" => Some(&[
            ("rsquare", DataType::Real),
            ("split_idx", DataType::Long),
            ("variance", DataType::Real),
            ("rvariance", DataType::Real),
            ("line_fit", DataType::Dynamic),
            ("right_rsquare", DataType::Real),
            ("right_slope", DataType::Real),
            ("right_interception", DataType::Real),
            ("right_variance", DataType::Real),
            ("right_rvariance", DataType::Real),
            ("left_rsquare", DataType::Real),
            ("left_slope", DataType::Real),
            ("left_interception", DataType::Real),
            ("left_variance", DataType::Real),
            ("left_rvariance", DataType::Real),
        ]),
        "series_fit_poly" => Some(&[
            ("rsquare", DataType::Real),
            ("coefficients", DataType::Dynamic),
            ("variance", DataType::Real),
            ("rvariance", DataType::Real),
            ("poly_fit", DataType::Dynamic),
        ]),
        // The page does not name these columns.
        "series_fft" | "series_ifft" => {
            Some(&[("real", DataType::Dynamic), ("imag", DataType::Dynamic)])
        }
        _ => None,
    }
}

/// Series functions kqlite knows but does not run, and why: none left
/// (docs/semantics.md#series-analysis says where kqlite's algorithm is its
/// own reading of the documentation).
pub fn unsupported_reason(_function: &str) -> Option<&'static str> {
    None
}

fn sig_series(types: &[DataType]) -> Result<DataType, SignatureError> {
    check_params("series_fit_line", types, &[super::Param::Dyn])?;
    Ok(DataType::Dynamic)
}

/// The least-squares line through the points `(1, y1) ... (n, yn)`.
struct LineFit {
    rsquare: f64,
    slope: f64,
    variance: f64,
    rvariance: f64,
    interception: f64,
    line: Vec<f64>,
}

/// Fits a line to the numbers of `v` (elements that are not numbers are
/// read as 0, as make-series fills its gaps). Variances divide by n - 1,
/// as the documented example shows (its variance is 98.628 for 12 points).
fn fit_line(v: &Value) -> Option<LineFit> {
    let Value::Array(items) = v else {
        return None;
    };
    let ys: Vec<f64> = items.iter().map(|y| y.as_f64().unwrap_or(0.0)).collect();
    let n = ys.len();
    if n == 0 {
        return None;
    }
    let nf = n as f64;
    let mean_x = (nf + 1.0) / 2.0;
    let mean_y = ys.iter().sum::<f64>() / nf;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, y) in ys.iter().enumerate() {
        let dx = (i + 1) as f64 - mean_x;
        sxy += dx * (y - mean_y);
        sxx += dx * dx;
    }
    let slope = if sxx == 0.0 { 0.0 } else { sxy / sxx };
    let interception = mean_y - slope * mean_x;
    let line: Vec<f64> = (1..=n).map(|x| slope * x as f64 + interception).collect();
    let sst: f64 = ys.iter().map(|y| (y - mean_y).powi(2)).sum();
    let ssr: f64 = ys.iter().zip(&line).map(|(y, f)| (y - f).powi(2)).sum();
    let dof = if n > 1 { nf - 1.0 } else { 1.0 };
    Some(LineFit {
        rsquare: if ssr == 0.0 { 1.0 } else { 1.0 - ssr / sst },
        slope,
        variance: sst / dof,
        rvariance: ssr / dof,
        interception,
        line,
    })
}

fn series_fit_line(args: &[Value], _: &EvalContext) -> Value {
    match fit_line(arg(args, 0)) {
        Some(f) => Value::array(vec![
            Value::Real(f.rsquare),
            Value::Real(f.slope),
            Value::Real(f.variance),
            Value::Real(f.rvariance),
            Value::Real(f.interception),
            Value::array(f.line.into_iter().map(Value::Real).collect()),
        ]),
        None => Value::Null,
    }
}

/// `series_fit_line_dynamic`: the same values as a bag
/// (<https://learn.microsoft.com/kusto/query/series-fit-line-dynamic-function>).
fn series_fit_line_dynamic(args: &[Value], _: &EvalContext) -> Value {
    let Some(f) = fit_line(arg(args, 0)) else {
        return Value::Null;
    };
    let mut bag = crate::value::Bag::new();
    bag.insert("rsquare".into(), Value::Real(f.rsquare));
    bag.insert("slope".into(), Value::Real(f.slope));
    bag.insert("variance".into(), Value::Real(f.variance));
    bag.insert("rvariance".into(), Value::Real(f.rvariance));
    bag.insert("interception".into(), Value::Real(f.interception));
    bag.insert(
        "line_fit".into(),
        Value::array(f.line.into_iter().map(Value::Real).collect()),
    );
    Value::bag(bag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_example_fits() {
        let ys = [2, 5, 6, 8, 11, 15, 17, 18, 25, 26, 30, 30];
        let v = Value::array(ys.iter().map(|&y| Value::Long(y)).collect());
        let f = fit_line(&v).unwrap();
        let round3 = |x: f64| (x * 1000.0).round() / 1000.0;
        assert_eq!(round3(f.rsquare), 0.983);
        assert_eq!(round3(f.slope), 2.731);
        assert_eq!(round3(f.variance), 98.629);
        assert_eq!(round3(f.rvariance), 1.686);
        assert_eq!(round3(f.interception), -1.667);
        assert_eq!(round3(f.line[0]), 1.064);
    }
}
