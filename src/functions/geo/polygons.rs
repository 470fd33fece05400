//! Polygons (GeoJSON `Polygon` and `MultiPolygon`): area, perimeter,
//! centroid, distance, intersection tests and densifying.
//!
//! A ring bounds the smaller of the two regions it divides the sphere
//! into, whatever its orientation (the pages: "the smaller of the two
//! regions will be chosen"); holes are taken out of their shell. The pages
//! measure a multipolygon as the union of its polygons: members that do
//! not meet are summed, members that meet are united first
//! (docs/semantics.md#geospatial).

use super::lines::{densify_edge, edges_meet, flag_at, tolerance_at};
use super::sphere::{
    Vec3, add, angle, angle_to_arc, lon_lat, normalize, project_to_arc, ring_contains,
    ring_integrals, scale, unit, valid_edge,
};
use super::{
    EARTH_RADIUS, Positions, geojson, geojson_point, line_strings, point_at, polygon_list,
};
use crate::functions::{EvalContext, arg};
use crate::value::{Bag, Value};

/// A polygon's rings as unit vectors (shell first), each closed.
pub(super) type Polygon = Vec<Vec<Vec3>>;

/// The polygons of a GeoJSON argument; `None` when invalid or when an
/// edge joins antipodal points.
pub(super) fn polygons_arg(args: &[Value], i: usize) -> Option<Vec<Polygon>> {
    let polygons = polygon_list(arg(args, i))?;
    let out: Vec<Polygon> = polygons
        .iter()
        .map(|rings| {
            rings
                .iter()
                .map(|r| r.iter().map(|&(lon, lat)| unit(lon, lat)).collect())
                .collect()
        })
        .collect();
    out.iter()
        .flatten()
        .all(|r: &Vec<Vec3>| r.windows(2).all(|w| valid_edge(w[0], w[1])))
        .then_some(out)
}

/// Whether the region of polygon `p` contains the point.
pub(super) fn contains(p: &Polygon, x: Vec3) -> bool {
    ring_contains(&p[0], x) && !p[1..].iter().any(|hole| ring_contains(hole, x))
}

/// Whether two polygons share a point: their boundaries meet, or a vertex
/// of one lies inside the other.
fn polygons_meet(a: &Polygon, b: &Polygon) -> bool {
    edges_meet(a, b) || contains(a, b[0][0]) || contains(b, a[0][0])
}

/// The polygons of an argument as the pages measure them: the members
/// themselves when no two share a point (sums over them are the union's
/// measures), else the union of the members (formed as
/// `geo_union_polygons_array` forms it). `None` when invalid, or when the
/// members meet and do not fit one overlay projection.
fn measured(args: &[Value], i: usize) -> Option<Vec<Polygon>> {
    let polygons = polygons_arg(args, i)?;
    let meet = polygons
        .iter()
        .enumerate()
        .any(|(k, a)| polygons[k + 1..].iter().any(|b| polygons_meet(a, b)));
    if !meet {
        return Some(polygons);
    }
    let members: Vec<Vec<Positions>> = polygon_list(arg(args, i))?;
    let members: Vec<Vec<Vec<Positions>>> = members.into_iter().map(|p| vec![p]).collect();
    let union = super::overlay::union_members(&members)?;
    Some(super::overlay::to_units(&union))
}

/// A ring's area (steradians) and centroid integral for the smaller region
/// it bounds.
fn ring_region(ring: &[Vec3]) -> (f64, Vec3) {
    let (area, centroid) = ring_integrals(ring);
    if area < 0.0 {
        (-area, scale(centroid, -1.0))
    } else {
        (area, centroid)
    }
}

/// A polygon's area and centroid integral (holes taken out).
pub(super) fn polygon_region(p: &Polygon) -> (f64, Vec3) {
    let (mut area, mut centroid) = ring_region(&p[0]);
    for hole in &p[1..] {
        let (a, c) = ring_region(hole);
        area -= a;
        centroid = add(centroid, scale(c, -1.0));
    }
    (area, centroid)
}

/// `geo_polygon_area(polygon)` (geo-polygon-area-function): square meters.
pub(super) fn geo_polygon_area(args: &[Value], _: &EvalContext) -> Value {
    match measured(args, 0) {
        Some(ps) => {
            let area: f64 = ps.iter().map(|p| polygon_region(p).0).sum();
            Value::Real(area * EARTH_RADIUS * EARTH_RADIUS)
        }
        None => Value::Null,
    }
}

/// `geo_polygon_perimeter(polygon)` (geo-polygon-perimeter-function):
/// meters, holes' boundaries included.
pub(super) fn geo_polygon_perimeter(args: &[Value], _: &EvalContext) -> Value {
    match measured(args, 0) {
        Some(ps) => {
            let length: f64 = ps
                .iter()
                .flatten()
                .flat_map(|r| r.windows(2))
                .map(|w| angle(w[0], w[1]))
                .sum();
            Value::Real(length * EARTH_RADIUS)
        }
        None => Value::Null,
    }
}

/// `geo_polygon_centroid(polygon)` (geo-polygon-centroid-function).
pub(super) fn geo_polygon_centroid(args: &[Value], _: &EvalContext) -> Value {
    let Some(ps) = measured(args, 0) else {
        return Value::Null;
    };
    let sum = ps.iter().map(|p| polygon_region(p).1).fold([0.0; 3], add);
    match normalize(sum) {
        Some(c) => {
            let (lon, lat) = lon_lat(c);
            geojson_point(lon, lat)
        }
        None => Value::Null,
    }
}

/// `geo_distance_point_to_polygon(longitude, latitude, polygon)`
/// (geo-distance-point-to-polygon-function): 0 inside, else meters to the
/// nearest boundary.
pub(super) fn geo_distance_point_to_polygon(args: &[Value], _: &EvalContext) -> Value {
    let (Some(p), Some(ps)) = (point_at(args, 0), polygons_arg(args, 2)) else {
        return Value::Null;
    };
    let x = unit(p.0, p.1);
    if ps.iter().any(|poly| contains(poly, x)) {
        return Value::Real(0.0);
    }
    let best = ps
        .iter()
        .flatten()
        .flat_map(|r| r.windows(2))
        .map(|w| angle_to_arc(x, w[0], w[1]))
        .fold(f64::INFINITY, f64::min);
    Value::Real(best * EARTH_RADIUS)
}

/// `geo_intersects_2polygons(polygon1, polygon2)`
/// (geo-intersects-2polygons-function).
pub(super) fn geo_intersects_2polygons(args: &[Value], _: &EvalContext) -> Value {
    match (polygons_arg(args, 0), polygons_arg(args, 1)) {
        (Some(a), Some(b)) => Value::Bool(a.iter().any(|p| b.iter().any(|q| polygons_meet(p, q)))),
        _ => Value::Null,
    }
}

/// `geo_intersects_line_with_polygon(lineString, polygon)`
/// (geo-intersects-line-with-polygon-function).
pub(super) fn geo_intersects_line_with_polygon(args: &[Value], _: &EvalContext) -> Value {
    let (Some(lines), Some(ps)) = (line_strings(arg(args, 0)), polygons_arg(args, 1)) else {
        return Value::Null;
    };
    let lines: Vec<Vec<Vec3>> = lines
        .iter()
        .map(|l| l.iter().map(|&(lon, lat)| unit(lon, lat)).collect())
        .collect();
    if !lines
        .iter()
        .all(|l| l.windows(2).all(|w| valid_edge(w[0], w[1])))
    {
        return Value::Null;
    }
    let meets = ps
        .iter()
        .any(|p| edges_meet(&lines, p) || lines.iter().flatten().any(|&x| contains(p, x)));
    Value::Bool(meets)
}

/// `geo_polygon_densify(polygon, [tolerance], [preserve_crossing])`
/// (geo-polygon-densify-function): every ring densified as
/// `geo_line_densify` densifies a line.
pub(super) fn geo_polygon_densify(args: &[Value], _: &EvalContext) -> Value {
    let (Some(polygons), Some(tolerance), Some(preserve)) = (
        polygon_list(arg(args, 0)),
        tolerance_at(args, 1),
        flag_at(args, 2),
    ) else {
        return Value::Null;
    };
    let Some((kind, coords)) = geojson(arg(args, 0)) else {
        return Value::Null;
    };
    let raw: Vec<Value> = if kind == "Polygon" {
        vec![coords]
    } else {
        super::arrays(&coords).unwrap_or_default().to_vec()
    };
    let mut out_polygons = Vec::with_capacity(polygons.len());
    for (rings, raw_rings) in polygons.iter().zip(&raw) {
        let raw_rings = super::arrays(raw_rings).unwrap_or_default();
        let mut out_rings = Vec::with_capacity(rings.len());
        for (ring, raw_ring) in rings.iter().zip(raw_rings) {
            let raw_ring = super::arrays(raw_ring).unwrap_or_default();
            let mut out = vec![raw_ring[0].clone()];
            for (i, w) in ring.windows(2).enumerate() {
                if densify_edge(w[0], w[1], tolerance, preserve, &mut out).is_none() {
                    return Value::Null;
                }
                out.push(raw_ring[i + 1].clone());
            }
            out_rings.push(Value::array(out));
        }
        out_polygons.push(Value::array(out_rings));
    }
    let mut bag = Bag::new();
    bag.insert("type".into(), Value::string(&kind));
    let coordinates = if kind == "Polygon" {
        out_polygons.remove(0)
    } else {
        Value::array(out_polygons)
    };
    bag.insert("coordinates".into(), coordinates);
    Value::bag(bag)
}

/// `geo_closest_point_on_polygon(longitude, latitude, polygon)`
/// (geo-closest-point-on-polygon-function): the point itself when the
/// polygon contains it, else the nearest point of any ring's boundary (a
/// vertex comes back with its given coordinates).
pub(super) fn geo_closest_point_on_polygon(args: &[Value], _: &EvalContext) -> Value {
    let (Some(p), Some(ps), Some(raw)) = (
        point_at(args, 0),
        polygons_arg(args, 2),
        polygon_list(arg(args, 2)),
    ) else {
        return Value::Null;
    };
    let x = unit(p.0, p.1);
    if ps.iter().any(|poly| contains(poly, x)) {
        return geojson_point(p.0, p.1);
    }
    let mut best: Option<(f64, Vec3, (usize, usize, usize))> = None;
    for (pi, poly) in ps.iter().enumerate() {
        for (ri, ring) in poly.iter().enumerate() {
            for (ei, w) in ring.windows(2).enumerate() {
                let d = angle_to_arc(x, w[0], w[1]);
                if best.as_ref().is_none_or(|b| d < b.0) {
                    best = Some((d, project_to_arc(x, w[0], w[1]), (pi, ri, ei)));
                }
            }
        }
    }
    let Some((_, q, (pi, ri, ei))) = best else {
        return Value::Null;
    };
    for k in [ei, ei + 1] {
        if ps[pi][ri][k] == q {
            let (lon, lat) = raw[pi][ri][k];
            return geojson_point(lon, lat);
        }
    }
    let (lon, lat) = lon_lat(q);
    geojson_point(lon, lat)
}
