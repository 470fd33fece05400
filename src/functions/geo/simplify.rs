//! Simplifying lines and polygons (`geo_line_simplify`,
//! `geo_polygon_simplify`).
//!
//! The Douglas–Peucker algorithm on the sphere: a stretch of a line or ring
//! is replaced by the great-circle arc between its ends while no vertex of
//! it lies farther than the tolerance from that arc; otherwise it is split
//! at its farthest vertex. Kept vertices keep their given coordinates. Then
//! a vertex closer than the tolerance to the vertex kept before it is
//! dropped (the pages: "no two vertices with distance less than
//! tolerance"). A line whose ends come within the tolerance, and a ring
//! left with fewer than three vertices, disappear (the pages: "high
//! tolerance may cause small line to disappear"); a shape with nothing
//! left is null.

use super::lines::geometry;
use super::sphere::{Vec3, angle, angle_to_arc, unit};
use super::{EARTH_RADIUS, Positions, geojson, line_strings, polygon_list};
use crate::functions::{EvalContext, arg};
use crate::value::Value;

/// The tolerance argument in meters: `default`-less calls use 10; outside
/// `range` (or not a number) is invalid.
fn tolerance(args: &[Value], i: usize, range: std::ops::RangeInclusive<f64>) -> Option<f64> {
    if args.len() <= i {
        return Some(10.0);
    }
    let t = arg(args, i).as_f64()?;
    range.contains(&t).then_some(t)
}

/// The indexes Douglas–Peucker keeps of `points[first..=last]` (the
/// ends included), in order.
fn douglas_peucker(points: &[Vec3], first: usize, last: usize, tol: f64, keep: &mut Vec<usize>) {
    let mut stack = vec![(first, last)];
    let mut kept = vec![first, last];
    while let Some((a, b)) = stack.pop() {
        if b <= a + 1 {
            continue;
        }
        let mut far = (0.0, a);
        for k in a + 1..b {
            let d = angle_to_arc(points[k], points[a], points[b]);
            if d > far.0 {
                far = (d, k);
            }
        }
        if far.0 > tol {
            kept.push(far.1);
            stack.push((a, far.1));
            stack.push((far.1, b));
        }
    }
    kept.sort_unstable();
    kept.dedup();
    keep.extend(kept);
}

/// Drops a vertex closer than `tol` to the one kept before it (the last
/// stays; the one before it goes instead).
fn spaced(points: &[Vec3], indexes: Vec<usize>, tol: f64) -> Vec<usize> {
    let Some((&last, body)) = indexes.split_last() else {
        return indexes;
    };
    let mut out: Vec<usize> = Vec::with_capacity(indexes.len());
    for &k in body {
        match out.last() {
            Some(&prev) if angle(points[prev], points[k]) < tol => {}
            _ => out.push(k),
        }
    }
    while out.len() > 1
        && out
            .last()
            .is_some_and(|&prev| angle(points[prev], points[last]) < tol)
    {
        out.pop();
    }
    out.push(last);
    out
}

fn vectors(positions: &[(f64, f64)]) -> Vec<Vec3> {
    positions.iter().map(|&(lon, lat)| unit(lon, lat)).collect()
}

fn coordinates(positions: &[(f64, f64)], indexes: &[usize]) -> Value {
    Value::array(
        indexes
            .iter()
            .map(|&k| {
                let (lon, lat) = positions[k];
                Value::array(vec![Value::Real(lon), Value::Real(lat)])
            })
            .collect(),
    )
}

/// A simplified line's kept vertices; `None` when the line disappears.
fn simplify_line(line: &[(f64, f64)], tol: f64) -> Option<Vec<usize>> {
    let points = vectors(line);
    let last = points.len() - 1;
    if points.iter().all(|&p| angle(points[0], p) < tol) {
        return None;
    }
    let mut keep = Vec::new();
    douglas_peucker(&points, 0, last, tol, &mut keep);
    Some(spaced(&points, keep, tol))
}

/// A simplified ring's kept vertices (closed); `None` when fewer than
/// three remain.
fn simplify_ring(ring: &[(f64, f64)], tol: f64) -> Option<Vec<usize>> {
    let points = vectors(ring);
    let last = points.len() - 1;
    // Split at the vertex farthest from the first.
    let far = (1..last)
        .max_by(|&a, &b| angle(points[0], points[a]).total_cmp(&angle(points[0], points[b])))?;
    let mut keep = Vec::new();
    douglas_peucker(&points, 0, far, tol, &mut keep);
    let mut second = Vec::new();
    douglas_peucker(&points, far, last, tol, &mut second);
    keep.extend(second.into_iter().skip(1));
    let keep = spaced(&points, keep, tol);
    (keep.len() >= 4).then_some(keep)
}

/// `geo_line_simplify(lineString, [tolerance])`
/// (geo-line-simplify-function): tolerance in meters, `[0, 7,800,000]`,
/// 10 by default. A multiline's lines are simplified one by one (the page:
/// their union is simplified; kqlite does not unite them).
pub(super) fn geo_line_simplify(args: &[Value], _: &EvalContext) -> Value {
    let (Some(lines), Some(tol)) = (
        line_strings(arg(args, 0)),
        tolerance(args, 1, 0.0..=7_800_000.0),
    ) else {
        return Value::Null;
    };
    let multi = matches!(geojson(arg(args, 0)), Some((k, _)) if k == "MultiLineString");
    let tol = tol / EARTH_RADIUS;
    let mut out: Vec<Value> = lines
        .iter()
        .filter_map(|l| simplify_line(l, tol).map(|keep| coordinates(l, &keep)))
        .collect();
    match (multi, out.len()) {
        (_, 0) => Value::Null,
        (false, _) => geometry("LineString", out.remove(0)),
        (true, _) => geometry("MultiLineString", Value::array(out)),
    }
}

/// `geo_polygon_simplify(polygon, [tolerance])`
/// (geo-polygon-simplify-function): tolerance in meters, `[0.1, 10000]`,
/// 10 by default. A polygon whose shell disappears is dropped, as is a
/// hole that disappears. A multipolygon's polygons are simplified one by
/// one (the page: their union is simplified; kqlite does not unite them).
pub(super) fn geo_polygon_simplify(args: &[Value], _: &EvalContext) -> Value {
    let (Some(polygons), Some(tol)) = (
        polygon_list(arg(args, 0)),
        tolerance(args, 1, 0.1..=10_000.0),
    ) else {
        return Value::Null;
    };
    let multi = matches!(geojson(arg(args, 0)), Some((k, _)) if k == "MultiPolygon");
    let tol = tol / EARTH_RADIUS;
    let mut out = simplify_polygons(&polygons, tol);
    match (multi, out.len()) {
        (_, 0) => Value::Null,
        (false, _) => geometry("Polygon", out.remove(0)),
        (true, _) => geometry("MultiPolygon", Value::array(out)),
    }
}

/// `geo_simplify_polygons_array(polygons [, tolerance])`
/// (geo-simplify-polygons-array-function): the union of the polygons,
/// simplified as [`geo_polygon_simplify`] simplifies (tolerance in meters
/// in `[0, 7,800,000]`, 10 by default); null for an invalid polygon or
/// tolerance, or when nothing is left.
pub(super) fn geo_simplify_polygons_array(args: &[Value], _: &EvalContext) -> Value {
    let (Some(polygons), Some(tol)) = (
        super::overlay::union_of(arg(args, 0)),
        tolerance(args, 1, 0.0..=7_800_000.0),
    ) else {
        return Value::Null;
    };
    let tol = tol / EARTH_RADIUS;
    let mut out = simplify_polygons(&polygons, tol);
    match out.len() {
        0 => Value::Null,
        1 => geometry("Polygon", out.remove(0)),
        _ => geometry("MultiPolygon", Value::array(out)),
    }
}

/// Each polygon's rings simplified (`tol` in radians): a polygon whose
/// shell disappears is dropped, as is a hole that disappears.
fn simplify_polygons(polygons: &[Vec<Positions>], tol: f64) -> Vec<Value> {
    let mut out = Vec::new();
    for rings in polygons {
        let Some(shell) = simplify_ring(&rings[0], tol) else {
            continue;
        };
        let mut kept = vec![coordinates(&rings[0], &shell)];
        for hole in &rings[1..] {
            if let Some(h) = simplify_ring(hole, tol) {
                kept.push(coordinates(hole, &h));
            }
        }
        out.push(Value::array(kept));
    }
    out
}
