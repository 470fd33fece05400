//! Lines (GeoJSON `LineString` and `MultiLineString`): length, centroid,
//! points along them, intersections and densifying.
//!
//! Edges are the shorter great-circle arcs between vertices, on a sphere
//! of radius [`EARTH_RADIUS`]; measures as in [`super::sphere`].

use super::sphere::{
    Vec3, add, angle, angle_to_arc, arcs_cross, edge_centroid, lon_lat, normalize, point_on_arc,
    project_to_arc, unit, valid_edge,
};
use super::{EARTH_RADIUS, Positions, geojson_point, line_strings, point_at, raw_lines};
use crate::functions::{EvalContext, arg};
use crate::value::{Bag, Value};

/// The vertices of each line as unit vectors; `None` when an edge joins
/// antipodal points.
fn line_vectors(lines: &[Vec<(f64, f64)>]) -> Option<Vec<Vec<Vec3>>> {
    let out: Vec<Vec<Vec3>> = lines
        .iter()
        .map(|l| l.iter().map(|&(lon, lat)| unit(lon, lat)).collect())
        .collect();
    out.iter()
        .all(|l: &Vec<Vec3>| l.windows(2).all(|w| valid_edge(w[0], w[1])))
        .then_some(out)
}

fn lines_arg(args: &[Value], i: usize) -> Option<(Vec<Positions>, Vec<Vec<Vec3>>)> {
    let lines = line_strings(arg(args, i))?;
    let vectors = line_vectors(&lines)?;
    Some((lines, vectors))
}

fn length(line: &[Vec3]) -> f64 {
    line.windows(2).map(|w| angle(w[0], w[1])).sum()
}

/// `geo_line_length(lineString)` (geo-line-length-function): meters.
pub(super) fn geo_line_length(args: &[Value], _: &EvalContext) -> Value {
    match lines_arg(args, 0) {
        Some((_, lines)) => {
            Value::Real(lines.iter().map(|l| length(l)).sum::<f64>() * EARTH_RADIUS)
        }
        None => Value::Null,
    }
}

/// `geo_line_centroid(lineString)` (geo-line-centroid-function): the
/// length-weighted centroid, as a GeoJSON point.
pub(super) fn geo_line_centroid(args: &[Value], _: &EvalContext) -> Value {
    let Some((points, lines)) = lines_arg(args, 0) else {
        return Value::Null;
    };
    let mut sum = [0.0; 3];
    for line in &lines {
        for w in line.windows(2) {
            sum = add(sum, edge_centroid(w[0], w[1]));
        }
    }
    match normalize(sum) {
        Some(c) => {
            let (lon, lat) = lon_lat(c);
            geojson_point(lon, lat)
        }
        // A line of one repeated position: that position.
        None => geojson_point(points[0][0].0, points[0][0].1),
    }
}

/// The only line of a `LineString` argument (the interpolating functions
/// take no multiline).
fn single_line(args: &[Value], i: usize) -> Option<Vec<Vec3>> {
    let (_, mut lines) = lines_arg(args, i)?;
    (lines.len() == 1).then(|| lines.remove(0))
}

/// The point at `fraction` of the line's length.
fn interpolate(line: &[Vec3], fraction: f64) -> Vec3 {
    if fraction <= 0.0 {
        return line[0];
    }
    let mut target = fraction * length(line);
    for w in line.windows(2) {
        let edge = angle(w[0], w[1]);
        if target < edge {
            return point_on_arc(w[0], w[1], target);
        }
        target -= edge;
    }
    line[line.len() - 1]
}

/// `geo_line_interpolate_point(lineString, fraction)`
/// (geo-line-interpolate-point-function): null unless `0 <= fraction <= 1`.
pub(super) fn geo_line_interpolate_point(args: &[Value], _: &EvalContext) -> Value {
    let (Some(line), Some(fraction)) = (single_line(args, 0), arg(args, 1).as_f64()) else {
        return Value::Null;
    };
    if !(0.0..=1.0).contains(&fraction) {
        return Value::Null;
    }
    let (lon, lat) = lon_lat(interpolate(&line, fraction));
    geojson_point(lon, lat)
}

/// The closest point to `p` over all edges: (edge's line, edge index, the
/// point). Ties keep the first edge.
fn closest(lines: &[Vec<Vec3>], p: Vec3) -> Option<(usize, usize, Vec3)> {
    let mut best: Option<(f64, usize, usize, Vec3)> = None;
    for (li, line) in lines.iter().enumerate() {
        for (ei, w) in line.windows(2).enumerate() {
            let d = angle_to_arc(p, w[0], w[1]);
            if best.as_ref().is_none_or(|b| d < b.0) {
                best = Some((d, li, ei, project_to_arc(p, w[0], w[1])));
            }
        }
    }
    best.map(|(_, li, ei, q)| (li, ei, q))
}

/// `geo_line_locate_point(lineString, longitude, latitude, [use_spheroid])`
/// (geo-line-locate-point-function): the fraction of the line's length
/// before the point of the line closest to the given point. With
/// `use_spheroid` the lengths are measured on the WGS-84 ellipsoid.
pub(super) fn geo_line_locate_point(args: &[Value], _: &EvalContext) -> Value {
    let (Some(line), Some(p)) = (single_line(args, 0), point_at(args, 1)) else {
        return Value::Null;
    };
    let spheroid = match arg(args, 3) {
        Value::Null if args.len() <= 3 => false,
        v => match v.as_bool() {
            Some(b) => b,
            None => return Value::Null,
        },
    };
    let Some((_, edge, q)) = closest(std::slice::from_ref(&line), unit(p.0, p.1)) else {
        return Value::Null;
    };
    let measure = |a: Vec3, b: Vec3| {
        if spheroid {
            let (pa, pb) = (lon_lat(a), lon_lat(b));
            super::vincenty(pa, pb).unwrap_or(angle(a, b) * EARTH_RADIUS)
        } else {
            angle(a, b)
        }
    };
    let total: f64 = line.windows(2).map(|w| measure(w[0], w[1])).sum();
    if total <= 0.0 {
        return Value::Real(0.0);
    }
    let before: f64 = line
        .windows(2)
        .take(edge)
        .map(|w| measure(w[0], w[1]))
        .sum();
    Value::Real(((before + measure(line[edge], q)) / total).min(1.0))
}

/// `geo_closest_point_on_line(longitude, latitude, lineString)`
/// (geo-closest-point-on-line-function): a vertex comes back with its
/// given coordinates.
pub(super) fn geo_closest_point_on_line(args: &[Value], _: &EvalContext) -> Value {
    let (Some(p), Some((points, lines))) = (point_at(args, 0), lines_arg(args, 2)) else {
        return Value::Null;
    };
    let Some((li, ei, q)) = closest(&lines, unit(p.0, p.1)) else {
        return Value::Null;
    };
    for k in [ei, ei + 1] {
        if lines[li][k] == q {
            let (lon, lat) = points[li][k];
            return geojson_point(lon, lat);
        }
    }
    let (lon, lat) = lon_lat(q);
    geojson_point(lon, lat)
}

/// Whether any edge of `a` meets any edge of `b`.
pub(super) fn edges_meet(a: &[Vec<Vec3>], b: &[Vec<Vec3>]) -> bool {
    a.iter().flat_map(|l| l.windows(2)).any(|e| {
        b.iter()
            .flat_map(|l| l.windows(2))
            .any(|f| arcs_cross(e[0], e[1], f[0], f[1]))
    })
}

/// `geo_intersects_2lines(lineString1, lineString2)`
/// (geo-intersects-2lines-function).
pub(super) fn geo_intersects_2lines(args: &[Value], _: &EvalContext) -> Value {
    match (lines_arg(args, 0), lines_arg(args, 1)) {
        (Some((_, a)), Some((_, b))) => Value::Bool(edges_meet(&a, &b)),
        _ => Value::Null,
    }
}

/// Most positions a densified shape may have (the pages' limit).
const MAX_DENSIFIED: usize = 10_485_760;

/// The tolerance argument of the densify functions: meters in
/// `[0.1, 10000]`, 10 by default.
pub(super) fn tolerance_at(args: &[Value], i: usize) -> Option<f64> {
    if args.len() <= i {
        return Some(10.0);
    }
    let t = arg(args, i).as_f64()?;
    (0.1..=10_000.0).contains(&t).then_some(t)
}

/// The positions densifying adds inside one edge: the edge is halved in longitude/latitude (the GeoJSON planar
/// edge) while the planar midpoint lies farther than `tolerance` meters
/// from the geodesic. An edge crossing the antimeridian is split the
/// short way round (longitudes wrapped back unless `preserve_crossing`).
pub(super) fn densify_edge(
    a: (f64, f64),
    b: (f64, f64),
    tolerance: f64,
    preserve_crossing: bool,
    out: &mut Vec<Value>,
) -> Option<()> {
    let shift = if b.0 - a.0 > 180.0 {
        -360.0
    } else if a.0 - b.0 > 180.0 {
        360.0
    } else {
        0.0
    };
    let end = (b.0 + shift, b.1);
    let wrap = |lon: f64| {
        if preserve_crossing || (-180.0..=180.0).contains(&lon) {
            lon
        } else if lon > 180.0 {
            lon - 360.0
        } else {
            lon + 360.0
        }
    };
    let mut stack = vec![(a, end)];
    while let Some((p, q)) = stack.pop() {
        let mid = ((p.0 + q.0) / 2.0, (p.1 + q.1) / 2.0);
        let (up, uq) = (unit(p.0, p.1), unit(q.0, q.1));
        let far = angle_to_arc(unit(mid.0, mid.1), up, uq) * EARTH_RADIUS > tolerance;
        if far && mid != p && mid != q {
            // Right half last out, so positions come out in order.
            stack.push((mid, q));
            stack.push((p, mid));
        } else if q != end {
            out.push(Value::array(vec![coordinate(wrap(q.0)), coordinate(q.1)]));
            if out.len() > MAX_DENSIFIED {
                return None;
            }
        }
    }
    Some(())
}

/// A coordinate the service writes as GeoJSON text: a whole number reads
/// back as a long (the pages show `[10.25,10]`).
fn coordinate(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() <= 360.0 {
        Value::Long(x as i64)
    } else {
        Value::Real(x)
    }
}

/// `preserve_crossing` (false by default).
pub(super) fn flag_at(args: &[Value], i: usize) -> Option<bool> {
    if args.len() <= i {
        return Some(false);
    }
    arg(args, i).as_bool()
}

/// `geo_line_densify(lineString, [tolerance], [preserve_crossing])`
/// (geo-line-densify-function).
pub(super) fn geo_line_densify(args: &[Value], _: &EvalContext) -> Value {
    let (Some((lines, _)), Some(tolerance), Some(preserve)) =
        (lines_arg(args, 0), tolerance_at(args, 1), flag_at(args, 2))
    else {
        return Value::Null;
    };
    let multi = matches!(super::geojson(arg(args, 0)), Some((k, _)) if k == "MultiLineString");
    let mut out_lines = Vec::with_capacity(lines.len());
    for (line, raw) in lines.iter().zip(raw_lines(arg(args, 0))) {
        let mut out = vec![raw[0].clone()];
        for (i, w) in line.windows(2).enumerate() {
            if densify_edge(w[0], w[1], tolerance, preserve, &mut out).is_none() {
                return Value::Null;
            }
            out.push(raw[i + 1].clone());
        }
        out_lines.push(Value::array(out));
    }
    let mut bag = Bag::new();
    if multi {
        bag.insert("type".into(), Value::string("MultiLineString"));
        bag.insert("coordinates".into(), Value::array(out_lines));
    } else {
        bag.insert("type".into(), Value::string("LineString"));
        bag.insert("coordinates".into(), out_lines.remove(0));
    }
    Value::bag(bag)
}
