//! Directions between points: `geo_azimuth` and `geo_angle`.

use super::point_at;
use crate::functions::EvalContext;
use crate::value::Value;
use std::f64::consts::TAU;

/// The initial bearing from `p1` to `p2`, clockwise from true north, in
/// radians in `[0, 2π)`; `None` for the same point.
fn azimuth(p1: (f64, f64), p2: (f64, f64)) -> Option<f64> {
    if p1 == p2 {
        return None;
    }
    let (lon1, lat1) = (p1.0.to_radians(), p1.1.to_radians());
    let (lon2, lat2) = (p2.0.to_radians(), p2.1.to_radians());
    let dlon = lon2 - lon1;
    let y = dlon.sin() * lat2.cos();
    let x = lat1.cos() * lat2.sin() - lat1.sin() * lat2.cos() * dlon.cos();
    if y == 0.0 && x == 0.0 {
        // The same point written differently (a pole), or antipodes.
        return None;
    }
    Some(y.atan2(x).rem_euclid(TAU))
}

/// `geo_azimuth(p1_longitude, p1_latitude, p2_longitude, p2_latitude)`
/// (geo-azimuth-function): null for invalid coordinates and for the same
/// point twice.
pub(super) fn geo_azimuth(args: &[Value], _: &EvalContext) -> Value {
    let (Some(p1), Some(p2)) = (point_at(args, 0), point_at(args, 2)) else {
        return Value::Null;
    };
    azimuth(p1, p2).map_or(Value::Null, Value::Real)
}

/// `geo_angle(p1, p2, p3)` (geo-angle-function): the angle at `p2`
/// between the lines to `p1` and to `p3`, measured clockwise, in `[0, 2π)`;
/// null when `p2` equals either other point.
pub(super) fn geo_angle(args: &[Value], _: &EvalContext) -> Value {
    let (Some(p1), Some(p2), Some(p3)) = (point_at(args, 0), point_at(args, 2), point_at(args, 4))
    else {
        return Value::Null;
    };
    match (azimuth(p2, p1), azimuth(p2, p3)) {
        (Some(a1), Some(a3)) => Value::Real((a3 - a1).rem_euclid(TAU)),
        _ => Value::Null,
    }
}
