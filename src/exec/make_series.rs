//! `make-series`: arrange each key's aggregated bins into arrays
//! (<https://learn.microsoft.com/kusto/query/make-series-operator>).
//!
//! The input is already aggregated by key and bin (see
//! `semantic::make_series`). Per key, the axis runs from the start (the
//! range's, or the key's first bin with data) by the step, up to the end
//! (exclusive with `to`, inclusive with `in range`, else the key's last
//! bin with data). A bin outside that axis is dropped; a point with no bin
//! gets the aggregation's default.

use super::physical::PhysicalPlan;
use super::run::Runner;
use crate::exec_error::ExecError;
use crate::types::DataType;
use crate::value::key::{Key, KeyMap, RowKey};
use crate::value::{DateTime, Timespan, Value};

/// The most points a series may have (the documented limit, 2^20).
const MAX_POINTS: i128 = 1 << 20;

/// A point of the axis as a number: ticks for datetime and timespan.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
enum Point {
    Int(i128),
    Real(f64),
}

fn point(v: &Value) -> Option<Point> {
    Some(match v {
        Value::DateTime(d) => Point::Int(i128::from(d.0)),
        Value::Timespan(t) => Point::Int(i128::from(t.0)),
        Value::Int(i) => Point::Int(i128::from(*i)),
        Value::Long(i) => Point::Int(i128::from(*i)),
        Value::Real(r) if r.is_finite() => Point::Real(*r),
        _ => return None,
    })
}

fn to_value(p: Point, axis: DataType) -> Value {
    match (p, axis) {
        (Point::Int(i), DataType::DateTime) => {
            i64::try_from(i).map_or(Value::Null, |t| Value::DateTime(DateTime(t)))
        }
        (Point::Int(i), DataType::Timespan) => {
            i64::try_from(i).map_or(Value::Null, |t| Value::Timespan(Timespan(t)))
        }
        (Point::Int(i), DataType::Real | DataType::Decimal) => Value::Real(i as f64),
        (Point::Int(i), _) => i64::try_from(i).map_or(Value::Null, Value::Long),
        (Point::Real(r), _) => Value::Real(r),
    }
}

/// The axis: its first point, its step, and how many points it has.
struct Axis {
    first: Point,
    step: Point,
    len: usize,
}

impl Axis {
    /// The position of `p` on the axis, if it is one of its points.
    fn index(&self, p: Point) -> Option<usize> {
        let i = match (p, self.first, self.step) {
            (Point::Int(p), Point::Int(f), Point::Int(s)) => {
                let d = p - f;
                if d < 0 || d % s != 0 {
                    return None;
                }
                d / s
            }
            (p, f, s) => {
                let (p, f, s) = (real(p), real(f), real(s));
                let k = ((p - f) / s).round();
                if k < 0.0 || ((f + k * s) - p).abs() > s.abs() * 1e-9 {
                    return None;
                }
                k as i128
            }
        };
        usize::try_from(i).ok().filter(|&i| i < self.len)
    }

    fn at(&self, k: usize) -> Point {
        match (self.first, self.step) {
            (Point::Int(f), Point::Int(s)) => Point::Int(f + s * k as i128),
            (f, s) => Point::Real(real(f) + real(s) * k as f64),
        }
    }
}

fn real(p: Point) -> f64 {
    match p {
        Point::Int(i) => i as f64,
        Point::Real(r) => r,
    }
}

/// How many points from `first` by `step` lie before `end` (or up to it,
/// when `inclusive`).
fn count(first: Point, end: Point, step: Point, inclusive: bool) -> Result<usize, ExecError> {
    let n: i128 = match (first, end, step) {
        (Point::Int(f), Point::Int(e), Point::Int(s)) => {
            let d = e - f;
            if d < 0 || (d == 0 && !inclusive) {
                0
            } else if inclusive {
                d / s + 1
            } else {
                (d + s - 1) / s
            }
        }
        (f, e, s) => {
            let q = (real(e) - real(f)) / real(s);
            if q < 0.0 {
                0
            } else if inclusive {
                q.floor() as i128 + 1
            } else {
                q.ceil() as i128
            }
        }
    };
    if n > MAX_POINTS {
        return Err(ExecError::Runtime(format!(
            "make-series: a series would have {n} points; at most {MAX_POINTS} are allowed"
        )));
    }
    Ok(usize::try_from(n).unwrap_or(0))
}

impl Runner<'_> {
    pub(super) fn make_series(&self, plan: &PhysicalPlan) -> Result<Vec<Vec<Value>>, ExecError> {
        let PhysicalPlan::MakeSeries {
            input,
            keys,
            start,
            end,
            step,
            in_range,
            defaults,
            nonempty,
            axis,
            ..
        } = plan
        else {
            return Ok(Vec::new());
        };
        let keys = *keys;
        let step_point = match point(step) {
            Some(s) if real(s) > 0.0 => s,
            _ => {
                return Err(ExecError::Runtime(format!(
                    "make-series: the step must be positive, not {}",
                    crate::value::string_form::to_kusto_string(step)
                )));
            }
        };
        // With `in range`, the axis starts at the bin of `start`.
        let start_point = match start {
            Some(s) if *in_range => point(&bin(s, step, &self.ctx)),
            Some(s) => point(s),
            None => None,
        };
        let end_point = end.as_ref().and_then(point);
        let mut rows: Vec<Vec<Value>> = Vec::new();
        self.pipeline_parts(input, &mut |mut part| rows.append(&mut part))?;
        // Each key's bins, in order of first appearance.
        let mut series: KeyMap<RowKey, Vec<(Point, Vec<Value>)>> = KeyMap::default();
        for mut row in rows {
            let aggs = row.split_off(keys + 1);
            let Some(bin) = row.pop().as_ref().and_then(point) else {
                continue;
            };
            series
                .entry(RowKey(row.into_iter().map(Key).collect()))
                .or_default()
                .push((bin, aggs));
        }
        if series.is_empty() && *nonempty && start_point.is_some() && end_point.is_some() {
            series.insert(RowKey(vec![Key(Value::Null); keys]), Vec::new());
        }
        let mut out = Vec::with_capacity(series.len());
        for (key, bins) in series {
            let lowest = bins
                .iter()
                .map(|b| b.0)
                .reduce(|a, b| if b < a { b } else { a });
            let highest = bins
                .iter()
                .map(|b| b.0)
                .reduce(|a, b| if b > a { b } else { a });
            let (Some(first), Some(last)) = (start_point.or(lowest), end_point.or(highest)) else {
                continue;
            };
            let inclusive = *in_range || end_point.is_none();
            let axis_line = Axis {
                first,
                step: step_point,
                len: count(first, last, step_point, inclusive)?,
            };
            let mut arrays: Vec<Vec<Value>> = defaults
                .iter()
                .map(|d| vec![d.clone(); axis_line.len])
                .collect();
            for (bin, aggs) in bins {
                let Some(k) = axis_line.index(bin) else {
                    continue;
                };
                for (array, v) in arrays.iter_mut().zip(aggs) {
                    array[k] = v;
                }
            }
            let mut row: Vec<Value> = key.0.into_iter().map(|k| k.0).collect();
            row.extend(arrays.into_iter().map(Value::array));
            row.push(Value::array(
                (0..axis_line.len)
                    .map(|k| to_value(axis_line.at(k), *axis))
                    .collect(),
            ));
            out.push(row);
        }
        Ok(out)
    }
}

/// `bin(v, step)`, as the query would compute it.
fn bin(v: &Value, step: &Value, ctx: &crate::functions::EvalContext) -> Value {
    match crate::functions::lookup_scalar("bin") {
        Some(f) => (f.eval)(&[v.clone(), step.clone()], ctx),
        None => Value::Null,
    }
}
