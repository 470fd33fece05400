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

/// `geo_point_buffer(longitude, latitude, radius [, tolerance])`
/// (geo-point-buffer-function): a polygon holding every point within
/// `radius` meters. Its vertices lie on a circle just outside the radius,
/// so that the middle of each edge is at the radius and no vertex is more
/// than `tolerance` meters (10 by default; at least a millionth of the
/// radius, at most just under it) beyond it; the ring runs
/// counter-clockwise from due north. Null for an invalid point, a radius
/// that is not positive or is past a quarter of the Earth's circumference
/// (a polygon encloses at most half the sphere), or a tolerance that is
/// not positive.
pub(super) fn geo_point_buffer(args: &[Value], _: &EvalContext) -> Value {
    let Some((lon, lat)) = point_at(args, 0) else {
        return Value::Null;
    };
    let Some(radius) = crate::functions::arg(args, 2).as_f64() else {
        return Value::Null;
    };
    let tolerance = if args.len() > 3 {
        match crate::functions::arg(args, 3).as_f64() {
            Some(t) => t,
            None => return Value::Null,
        }
    } else {
        10.0
    };
    if !(radius > 0.0 && radius.is_finite() && tolerance > 0.0 && tolerance.is_finite()) {
        return Value::Null;
    }
    let r = radius / super::EARTH_RADIUS;
    let tol = tolerance.clamp(radius * 1e-6, radius * 0.999) / super::EARTH_RADIUS;
    if r + tol >= std::f64::consts::FRAC_PI_2 {
        return Value::Null;
    }
    super::geojson_polygon(circle_ring((lon, lat), r, tol))
}

/// A closed regular polygon about `center` (longitude, latitude) whose edge
/// midpoints lie at angle `r` (radians) from it and whose vertices lie at
/// most `tol` beyond (so that it holds the whole disc), counter-clockwise
/// from due north. Needs `0 < tol` and `r + tol < π/2`.
pub(super) fn circle_ring(center: (f64, f64), r: f64, tol: f64) -> Vec<(f64, f64)> {
    let (lon, lat) = center;
    // On the sphere, a regular n-gon whose edge midpoints are at angle r
    // has its vertices at atan(tan r / cos(π/n)).
    let vertex_angle = |n: usize| (r.tan() / (std::f64::consts::PI / n as f64).cos()).atan();
    let fewest = std::f64::consts::PI / (r.tan() / (r + tol).tan()).acos();
    let mut n = if fewest.is_finite() {
        (fewest.ceil() as usize).clamp(3, 100_000)
    } else {
        100_000
    };
    // Rounding may leave the bound a hair short.
    while n < 100_000 && vertex_angle(n) - r > tol {
        n += 1;
    }
    let rv = vertex_angle(n);
    let (phi, lambda) = (lat.to_radians(), lon.to_radians());
    let mut ring: Vec<(f64, f64)> = (0..n)
        .map(|k| {
            let bearing = -TAU * k as f64 / n as f64;
            let lat2 = (phi.sin() * rv.cos() + phi.cos() * rv.sin() * bearing.cos()).asin();
            let lon2 = lambda
                + (bearing.sin() * rv.sin() * phi.cos()).atan2(rv.cos() - phi.sin() * lat2.sin());
            let mut lon2 = lon2.to_degrees();
            if lon2 > 180.0 {
                lon2 -= 360.0;
            } else if lon2 < -180.0 {
                lon2 += 360.0;
            }
            (lon2, lat2.to_degrees())
        })
        .collect();
    ring.push(ring[0]);
    ring
}
