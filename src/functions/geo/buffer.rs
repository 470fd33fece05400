//! Buffers of lines and polygons on the sphere: `geo_line_buffer` and
//! `geo_polygon_buffer`.
//!
//! A buffer is the union of pieces built on the sphere, each holding the
//! points within the radius of one part of the shape and lying within the
//! radius plus the tolerance of it:
//! - about every vertex, the regular polygon `geo_point_buffer` draws (its
//!   edge midpoints on the circle of the radius, its vertices at most the
//!   tolerance beyond it);
//! - along every edge, the band between the two small circles at the radius
//!   from the edge's great circle, closed by the great circles square to the
//!   edge at its ends. The small circles are sampled at the radius; a
//!   great-circle chord between two samples bows away from the edge (towards
//!   the small circle's pole), and the samples are close enough that it
//!   strays at most the tolerance beyond the radius;
//! - for a polygon buffer, the polygon itself.
//!
//! So the union holds every point within the radius of the shape, and none
//! of its points lies farther than the radius plus the tolerance. The pieces
//! are united in one overlay of the gnomonic plane (overlay::union_rings),
//! where great-circle edges are straight, so no projection error enters.
//! docs/semantics.md#geospatial.

use super::lines::lines_arg;
use super::overlay::{shapes, union_rings};
use super::points::circle_ring;
use super::polygons::polygons_arg;
use super::sphere::{Vec3, add, angle, cross, lon_lat, normalize, robust_cross, scale, unit};
use super::{EARTH_RADIUS, Positions, polygon_list};
use crate::functions::{EvalContext, arg};
use crate::value::Value;

/// The most vertices the pieces of one buffer may have: past it the buffer
/// is null, so that work stays bounded.
const MAX_VERTICES: usize = 2_000_000;

/// The radius and the tolerance (radians) from the arguments at `i` and
/// `i + 1`: the radius positive, the tolerance positive (10 m when absent),
/// raised to a millionth of the radius and lowered to just under it, as
/// `geo_point_buffer` takes them. `None` when invalid, or when the buffer
/// would reach a quarter of the circumference.
fn radius_tolerance(args: &[Value], i: usize) -> Option<(f64, f64)> {
    let radius = arg(args, i).as_f64()?;
    let tolerance = if args.len() > i + 1 {
        arg(args, i + 1).as_f64()?
    } else {
        10.0
    };
    if !(radius > 0.0 && radius.is_finite() && tolerance > 0.0 && tolerance.is_finite()) {
        return None;
    }
    let r = radius / EARTH_RADIUS;
    let tol = tolerance.clamp(radius * 1e-6, radius * 0.999) / EARTH_RADIUS;
    (r + tol < std::f64::consts::FRAC_PI_2).then_some((r, tol))
}

/// The largest step along an edge (radians) between samples of a small
/// circle at angle `r` from the edge's great circle such that the chord
/// between them strays at most `tol` beyond `r`.
///
/// Two samples `q = p·cos r + n·sin r` a step `t` apart have
/// `q1·q2 = cos²r·cos t + sin²r = cos 2h` (`2h` the chord's angle); the
/// chord's midpoint, its farthest point from the edge, lies at
/// `asin(sin r / cos h)`. It stays within `r + tol` while
/// `cos h >= sin r / sin(r + tol)`.
fn max_step(r: f64, tol: f64) -> f64 {
    let s = r.sin() / (r + tol).sin();
    let cos_2h = 2.0 * s * s - 1.0;
    let (sin_r, cos_r) = r.sin_cos();
    let cos_t = (cos_2h - sin_r * sin_r) / (cos_r * cos_r);
    cos_t
        .clamp(-1.0, 1.0)
        .acos()
        .min(std::f64::consts::FRAC_PI_8)
}

/// The band about the edge from `a` to `b`: the small circle at `r` on its
/// right, forward, then the one on its left, back; closed. `None` for an
/// edge without length.
fn band(a: Vec3, b: Vec3, r: f64, step: f64) -> Option<Positions> {
    let n = normalize(robust_cross(a, b))?;
    let length = angle(a, b);
    let along = normalize(cross(n, a))?;
    if length <= 0.0 {
        return None;
    }
    let m = (length / step).ceil().max(1.0) as usize;
    let (sin_r, cos_r) = r.sin_cos();
    let at = |k: usize, side: f64| {
        let t = length * k as f64 / m as f64;
        let p = add(scale(a, t.cos()), scale(along, t.sin()));
        lon_lat(add(scale(p, cos_r), scale(n, side * sin_r)))
    };
    let mut ring: Positions = Vec::with_capacity(2 * m + 3);
    ring.extend((0..=m).map(|k| at(k, -1.0)));
    ring.extend((0..=m).rev().map(|k| at(k, 1.0)));
    ring.push(ring[0]);
    Some(ring)
}

/// The pieces about the paths (lines, or rings repeating their first
/// vertex last): a circle about every vertex and a band along every edge;
/// `None` past [`MAX_VERTICES`].
fn pieces(paths: &[&[(f64, f64)]], closed: bool, r: f64, tol: f64) -> Option<Vec<Positions>> {
    let step = max_step(r, tol);
    let mut out: Vec<Positions> = Vec::new();
    let mut count = 0usize;
    for path in paths {
        let vertices = if closed {
            &path[..path.len().saturating_sub(1)]
        } else {
            path
        };
        for &v in vertices {
            let circle = circle_ring(v, r, tol);
            count += circle.len();
            out.push(circle);
            if count > MAX_VERTICES {
                return None;
            }
        }
        for w in path.windows(2) {
            if let Some(ring) = band(unit(w[0].0, w[0].1), unit(w[1].0, w[1].1), r, step) {
                count += ring.len();
                out.push(ring);
                if count > MAX_VERTICES {
                    return None;
                }
            }
        }
    }
    Some(out)
}

/// `geo_line_buffer(lineString, radius, [tolerance])`
/// (geo-line-buffer-function): the polygon or multipolygon holding every
/// point within `radius` meters of the line or multiline, round at the
/// ends; null for an invalid line, radius or tolerance.
pub(super) fn geo_line_buffer(args: &[Value], _: &EvalContext) -> Value {
    let (Some((lines, _)), Some((r, tol))) = (lines_arg(args, 0), radius_tolerance(args, 1)) else {
        return Value::Null;
    };
    let paths: Vec<&[(f64, f64)]> = lines.iter().map(Vec::as_slice).collect();
    let Some(rings) = pieces(&paths, false, r, tol) else {
        return Value::Null;
    };
    match union_rings(&rings, &[]) {
        Some(result) if !result.is_empty() => shapes(&[], &[], &result),
        _ => Value::Null,
    }
}

/// `geo_polygon_buffer(polygon, radius, [tolerance])`
/// (geo-polygon-buffer-function): the polygon or multipolygon holding every
/// point within `radius` meters of the polygon or multipolygon (holes
/// narrower than the buffer fill up); null for an invalid polygon, radius
/// or tolerance.
pub(super) fn geo_polygon_buffer(args: &[Value], _: &EvalContext) -> Value {
    let (Some(_), Some(polygons), Some((r, tol))) = (
        polygons_arg(args, 0),
        polygon_list(arg(args, 0)),
        radius_tolerance(args, 1),
    ) else {
        return Value::Null;
    };
    let paths: Vec<&[(f64, f64)]> = polygons.iter().flatten().map(Vec::as_slice).collect();
    let Some(rings) = pieces(&paths, true, r, tol) else {
        return Value::Null;
    };
    match union_rings(&rings, &polygons) {
        Some(result) if !result.is_empty() => shapes(&[], &[], &result),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::geo::sphere::{angle_to_arc, dot};

    #[test]
    fn band_chords_stray_at_most_the_tolerance() {
        for (radius, tolerance) in [(4.0, 0.1), (10_000.0, 10.0), (500_000.0, 1.0)] {
            let (r, tol) = (radius / EARTH_RADIUS, tolerance / EARTH_RADIUS);
            let (a, b) = (unit(10.0, 45.0), unit(12.0, 46.0));
            let ring = band(a, b, r, max_step(r, tol)).unwrap();
            for w in ring.windows(2) {
                let (p, q) = (unit(w[0].0, w[0].1), unit(w[1].0, w[1].1));
                let mid = normalize(add(p, q)).unwrap();
                let d = angle_to_arc(mid, a, b);
                assert!(d <= r + tol * 1.0001, "{radius}: {} > {}", d, r + tol);
                assert!(dot(p, p) > 0.0);
            }
        }
    }
}
