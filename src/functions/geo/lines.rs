//! Lines (GeoJSON `LineString` and `MultiLineString`): length, centroid,
//! points along them, intersections and densifying.
//!
//! Edges are the shorter great-circle arcs between vertices, on a sphere
//! of radius [`EARTH_RADIUS`]; measures as in [`super::sphere`].

use super::sphere::{
    Vec3, add, angle, angle_to_arc, arcs_cross, cross, dot, edge_centroid, lon_lat, normalize,
    point_on_arc, project_to_arc, robust_cross, scale, unit, valid_edge,
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

pub(super) fn lines_arg(args: &[Value], i: usize) -> Option<(Vec<Positions>, Vec<Vec<Vec3>>)> {
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
pub(super) fn coordinate(x: f64) -> Value {
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

/// A point of an intersection: its vector and its (longitude, latitude)
/// (a vertex keeps its given coordinates).
pub(super) type Located = (Vec3, (f64, f64));

/// Whether `p` lies on the arc from `a` to `b` (to rounding).
fn on_arc(p: Vec3, a: Vec3, b: Vec3) -> bool {
    angle_to_arc(p, a, b) <= 1e-15
}

/// The part two edges share: nothing, a point, or (on one great circle) a
/// segment running the way the first edge runs.
pub(super) fn edge_intersection(
    e: [Located; 2],
    f: [Located; 2],
) -> Option<(Located, Option<Located>)> {
    let (a, b, c, d) = (e[0].0, e[1].0, f[0].0, f[1].0);
    let n1 = normalize(robust_cross(a, b))?;
    let collinear = dot(n1, c).abs() <= 1e-15 && dot(n1, d).abs() <= 1e-15;
    if !collinear && !arcs_cross(a, b, c, d) {
        return None;
    }
    let mut shared: Vec<Located> = Vec::with_capacity(4);
    for (p, arc) in [(e[0], f), (e[1], f), (f[0], e), (f[1], e)] {
        if on_arc(p.0, arc[0].0, arc[1].0) && !shared.iter().any(|q| angle(q.0, p.0) <= 1e-15) {
            shared.push(p);
        }
    }
    if collinear && shared.len() >= 2 {
        shared.sort_by(|p, q| angle(a, p.0).total_cmp(&angle(a, q.0)));
        return Some((shared[0], Some(shared[shared.len() - 1])));
    }
    if let Some(&p) = shared.first() {
        return Some((p, None));
    }
    if collinear {
        return None;
    }
    let n2 = normalize(robust_cross(c, d))?;
    let x = normalize(cross(n1, n2))?;
    let on = |x: Vec3| on_arc(x, a, b) && on_arc(x, c, d);
    let x = if on(x) { x } else { scale(x, -1.0) };
    Some(((x, lon_lat(x)), None))
}

fn located_lines(lines: &[Positions]) -> Option<Vec<Vec<Located>>> {
    let out: Vec<Vec<Located>> = lines
        .iter()
        .map(|l| {
            l.iter()
                .map(|&(lon, lat)| (unit(lon, lat), (lon, lat)))
                .collect()
        })
        .collect();
    out.iter()
        .all(|l| l.windows(2).all(|w| valid_edge(w[0].0, w[1].0)))
        .then_some(out)
}

fn position(p: (f64, f64)) -> Value {
    Value::array(vec![Value::Real(p.0), Value::Real(p.1)])
}

/// A GeoJSON geometry of `kind` with the given coordinates.
pub(super) fn geometry(kind: &str, coordinates: Value) -> Value {
    let mut bag = Bag::new();
    bag.insert("type".into(), Value::string(kind));
    bag.insert("coordinates".into(), coordinates);
    Value::bag(bag)
}

/// Points and polylines as one GeoJSON value: a `Point`/`MultiPoint`, a
/// `LineString`/`MultiLineString`, a `GeometryCollection` of both, or an
/// empty `GeometryCollection`.
pub(super) fn points_and_lines(points: &[(f64, f64)], lines: &[Vec<(f64, f64)>]) -> Value {
    let mut parts = Vec::new();
    match points {
        [] => {}
        [p] => parts.push(geometry("Point", position(*p))),
        ps => parts.push(geometry(
            "MultiPoint",
            Value::array(ps.iter().map(|&p| position(p)).collect()),
        )),
    }
    let line = |l: &Vec<(f64, f64)>| Value::array(l.iter().map(|&p| position(p)).collect());
    match lines {
        [] => {}
        [l] => parts.push(geometry("LineString", line(l))),
        ls => parts.push(geometry(
            "MultiLineString",
            Value::array(ls.iter().map(line).collect()),
        )),
    }
    if parts.len() == 1 {
        return parts.remove(0);
    }
    let mut bag = Bag::new();
    bag.insert("type".into(), Value::string("GeometryCollection"));
    bag.insert("geometries".into(), Value::array(parts));
    Value::bag(bag)
}

/// `geo_intersection_2lines(lineString1, lineString2)`
/// (geo-intersection-2lines-function): the points where the lines cross
/// and the stretches they share, as GeoJSON; an empty
/// `GeometryCollection` when they do not meet.
pub(super) fn geo_intersection_2lines(args: &[Value], _: &EvalContext) -> Value {
    let (Some(a), Some(b)) = (line_strings(arg(args, 0)), line_strings(arg(args, 1))) else {
        return Value::Null;
    };
    let (Some(a), Some(b)) = (located_lines(&a), located_lines(&b)) else {
        return Value::Null;
    };
    let mut points: Vec<Located> = Vec::new();
    let mut chains: Vec<Vec<Located>> = Vec::new();
    for e in a.iter().flat_map(|l| l.windows(2)) {
        for f in b.iter().flat_map(|l| l.windows(2)) {
            match edge_intersection([e[0], e[1]], [f[0], f[1]]) {
                None => {}
                Some((p, None)) => points.push(p),
                Some((p, Some(q))) => match chains.last_mut() {
                    Some(chain) if chain.last().is_some_and(|l| angle(l.0, p.0) <= 1e-15) => {
                        chain.push(q);
                    }
                    _ => chains.push(vec![p, q]),
                },
            }
        }
    }
    let mut kept: Vec<Located> = Vec::new();
    for p in points {
        let on_chain = chains
            .iter()
            .any(|c| c.windows(2).any(|w| on_arc(p.0, w[0].0, w[1].0)));
        if !on_chain && !kept.iter().any(|q| angle(q.0, p.0) <= 1e-15) {
            kept.push(p);
        }
    }
    let points: Vec<(f64, f64)> = kept.iter().map(|p| p.1).collect();
    let lines: Vec<Vec<(f64, f64)>> = chains
        .iter()
        .map(|c| c.iter().map(|p| p.1).collect())
        .collect();
    points_and_lines(&points, &lines)
}
