//! Overlays of polygons and lines on the sphere: `geo_intersection_2polygons`,
//! `geo_union_polygons_array` and `geo_intersection_line_with_polygon`.
//!
//! The shapes are projected gnomonically about their common centre: that
//! projection maps every great-circle arc to a straight segment, so the
//! planar overlay of the `geo` crate (its `BooleanOps`, built on
//! `i_overlay`) answers the spherical question with geodesic edges, as the
//! pages define them. The overlay computes in fixed point, so its output is
//! mapped back exactly: a vertex at an input vertex takes that vertex's
//! given coordinates, a vertex where two input edges cross is recomputed as
//! the crossing of their great circles. Rings come back counter-clockwise
//! (holes clockwise), ordered and rotated as S2's builder orders them (see
//! [`canonical`]), the order in which the service writes the pages' examples.
//!
//! Shapes that do not all lie within 80° of their common centre (where the
//! projection stays well conditioned) give null (docs/semantics.md#geospatial).

use super::lines::{Located, coordinate, edge_intersection, geometry};
use super::polygons::{Polygon, contains, polygons_arg};
use super::sphere::{
    Vec3, add, angle_to_arc, cross, dot, lon_lat, normalize, robust_cross, scale, unit,
};
use super::{Positions, line_strings, polygon_list, s2_cell_id};
use crate::functions::{EvalContext, arg};
use crate::value::{Bag, Value};
use geo::orient::{Direction, Orient};
use geo::{BooleanOps, Coord, LineString, MultiLineString, MultiPolygon};

/// The cosine of the largest angle (80°) between the projection's centre
/// and a vertex.
const MIN_COS: f64 = 0.173_648_177_666_930_35;

/// A gnomonic projection: the plane tangent to the sphere at `c`, with
/// `e` pointing east and `n` north (so counter-clockwise stays so).
struct Plane {
    c: Vec3,
    e: Vec3,
    n: Vec3,
}

impl Plane {
    /// The projection about the centre of the points, when every point lies
    /// within 80° of it.
    fn about(points: &[Vec3]) -> Option<Plane> {
        let c = normalize(points.iter().fold([0.0; 3], |s, &p| add(s, p)))?;
        if points.iter().any(|&p| dot(p, c) < MIN_COS) {
            return None;
        }
        let pole = if c[2].abs() < 0.9 {
            [0.0, 0.0, 1.0]
        } else {
            [1.0, 0.0, 0.0]
        };
        let e = normalize(cross(pole, c))?;
        let n = cross(c, e);
        Some(Plane { c, e, n })
    }

    fn project(&self, p: Vec3) -> Coord {
        let d = dot(p, self.c);
        Coord {
            x: dot(p, self.e) / d,
            y: dot(p, self.n) / d,
        }
    }

    fn unproject(&self, q: Coord) -> Vec3 {
        normalize(add(self.c, add(scale(self.e, q.x), scale(self.n, q.y)))).unwrap_or(self.c)
    }
}

/// An input edge: its ends in the plane and on the sphere.
struct Edge {
    a: Coord,
    b: Coord,
    u: Vec3,
    v: Vec3,
}

/// The input vertices and edges, for mapping the overlay's vertices back.
struct Source {
    plane: Plane,
    /// (plane position, given coordinates), sorted by x.
    vertices: Vec<(Coord, (f64, f64))>,
    edges: ByX<Edge>,
    /// How far the overlay's fixed point may move a position.
    eps: f64,
}

impl Source {
    /// The projection of the given lines and rings (each a sequence of
    /// (longitude, latitude)); `None` when they do not fit one projection.
    fn new(paths: &[&[(f64, f64)]]) -> Option<Source> {
        let units: Vec<Vec3> = paths
            .iter()
            .flat_map(|p| p.iter())
            .map(|&(lon, lat)| unit(lon, lat))
            .collect();
        let plane = Plane::about(&units)?;
        let mut vertices = Vec::with_capacity(units.len());
        let mut edges = Vec::with_capacity(units.len());
        let mut extent: f64 = 0.0;
        for path in paths {
            let mut previous: Option<(Coord, Vec3)> = None;
            for &(lon, lat) in *path {
                let u = unit(lon, lat);
                let q = plane.project(u);
                extent = extent.max(q.x.abs()).max(q.y.abs());
                vertices.push((q, (lon, lat)));
                if let Some((a, pu)) = previous {
                    edges.push(Edge {
                        a,
                        b: q,
                        u: pu,
                        v: u,
                    });
                }
                previous = Some((q, u));
            }
        }
        vertices.sort_by(|p, q| p.0.x.total_cmp(&q.0.x));
        let edges = ByX::new(
            edges
                .into_iter()
                .map(|e| (e.a.x.min(e.b.x), e.a.x.max(e.b.x), e))
                .collect(),
        );
        Some(Source {
            plane,
            vertices,
            edges,
            eps: extent.max(1e-12) * 1e-8,
        })
    }

    /// The (longitude, latitude) of an overlay vertex.
    fn locate(&self, q: Coord) -> (f64, f64) {
        let eps = self.eps;
        let start = self.vertices.partition_point(|v| v.0.x < q.x - eps);
        let near = self.vertices[start..]
            .iter()
            .take_while(|v| v.0.x <= q.x + eps)
            .filter(|v| (v.0.y - q.y).abs() <= eps)
            .min_by(|a, b| {
                let d = |v: &Coord| (v.x - q.x).hypot(v.y - q.y);
                d(&a.0).total_cmp(&d(&b.0))
            });
        if let Some(v) = near {
            return v.1;
        }
        let on: Vec<&Edge> = self
            .edges
            .meeting(q.x - eps, q.x + eps)
            .filter(|e| segment_distance(q, e.a, e.b) <= eps)
            .take(8)
            .collect();
        let near = self.plane.unproject(q);
        for (i, e) in on.iter().enumerate() {
            for f in &on[i + 1..] {
                let (Some(n1), Some(n2)) = (
                    normalize(robust_cross(e.u, e.v)),
                    normalize(robust_cross(f.u, f.v)),
                ) else {
                    continue;
                };
                if let Some(x) = normalize(cross(n1, n2)) {
                    let x = if dot(x, near) < 0.0 {
                        scale(x, -1.0)
                    } else {
                        x
                    };
                    return lon_lat(x);
                }
            }
        }
        lon_lat(near)
    }

    /// A closed ring of the plane in (longitude, latitude), in its order.
    fn ring(&self, ring: &[Coord]) -> Vec<(f64, f64)> {
        let open = &ring[..ring.len().saturating_sub(1)];
        let mut out: Vec<(f64, f64)> = Vec::with_capacity(ring.len());
        for &q in open {
            let p = self.locate(q);
            if out.last() != Some(&p) {
                out.push(p);
            }
        }
        while out.len() > 1 && out.first() == out.last() {
            out.pop();
        }
        if let Some(&first) = out.first() {
            out.push(first);
        }
        out
    }

    fn project_path(&self, path: &[(f64, f64)]) -> Vec<Coord> {
        path.iter()
            .map(|&(lon, lat)| self.plane.project(unit(lon, lat)))
            .collect()
    }

    /// The polygons in the plane, shells counter-clockwise.
    fn project_polygons(&self, polygons: &[Vec<Vec<(f64, f64)>>]) -> Vec<PlanePolygon> {
        let out: Vec<geo::Polygon> = polygons
            .iter()
            .map(|rings| {
                let shell = LineString(self.project_path(&rings[0]));
                let holes = rings[1..]
                    .iter()
                    .map(|r| LineString(self.project_path(r)))
                    .collect();
                geo::Polygon::new(shell, holes)
            })
            .collect();
        MultiPolygon(out)
            .orient(Direction::Default)
            .0
            .iter()
            .map(|p| {
                std::iter::once(p.exterior())
                    .chain(p.interiors())
                    .map(|r| r.0.clone())
                    .collect()
            })
            .collect()
    }

    /// Polygons of the plane as (longitude, latitude) rings.
    fn polygons_back(&self, result: &[PlanePolygon]) -> Vec<Vec<Vec<(f64, f64)>>> {
        result
            .iter()
            .map(|p| {
                p.iter()
                    .map(|r| self.ring(r))
                    .filter(|r| r.len() >= 4)
                    .collect::<Vec<_>>()
            })
            .filter(|rings| !rings.is_empty())
            .collect()
    }
}

/// A polygon in the plane: its closed rings, the shell first.
type PlanePolygon = Vec<Vec<Coord>>;

fn multi(polygons: &[PlanePolygon]) -> MultiPolygon {
    MultiPolygon(
        polygons
            .iter()
            .map(|p| {
                geo::Polygon::new(
                    LineString(p[0].clone()),
                    p[1..].iter().map(|r| LineString(r.clone())).collect(),
                )
            })
            .collect(),
    )
}

/// The edges of an overlay's operands, numbered as S2 numbers its input
/// edges: the first operand's rings in order, then the second's.
struct Numbered {
    /// (ends, id).
    edges: ByX<(Coord, Coord, usize)>,
    eps: f64,
}

impl Numbered {
    fn new(operands: &[&[PlanePolygon]], eps: f64) -> Numbered {
        let mut edges = Vec::new();
        for ring in operands.iter().flat_map(|o| o.iter()).flatten() {
            for w in ring.windows(2) {
                let id = edges.len();
                edges.push((w[0].x.min(w[1].x), w[0].x.max(w[1].x), (w[0], w[1], id)));
            }
        }
        Numbered {
            edges: ByX::new(edges),
            eps,
        }
    }

    /// The smallest id of the input edges the output edge `pq` lies on.
    fn id_of(&self, p: Coord, q: Coord) -> usize {
        let eps = self.eps;
        let mid = Coord {
            x: (p.x + q.x) / 2.0,
            y: (p.y + q.y) / 2.0,
        };
        self.edges
            .meeting(p.x - eps, p.x + eps)
            .filter(|e| {
                [p, q, mid]
                    .iter()
                    .all(|&x| segment_distance(x, e.0, e.1) <= eps)
            })
            .map(|e| e.2)
            .min()
            .unwrap_or(usize::MAX)
    }
}

/// An overlay's polygons in S2's canonical order: each ring rotated so that
/// the edge from the input edge with the highest id comes last (S2Builder's
/// `CanonicalizeLoopOrder`), the rings sorted by the id of their first edge
/// (`CanonicalizeVectorOrder`), holes after their shell.
fn canonical(
    result: &MultiPolygon,
    numbered: &Numbered,
    cell_of: &dyn Fn(Coord) -> u64,
) -> Vec<PlanePolygon> {
    let oriented = result.orient(Direction::Default);
    let mut polygons: Vec<(usize, PlanePolygon)> = Vec::new();
    for p in &oriented.0 {
        let mut rings: Vec<(usize, Vec<Coord>)> = Vec::new();
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            let mut open: Vec<Coord> = ring.0[..ring.0.len().saturating_sub(1)].to_vec();
            let n = open.len();
            if n < 3 {
                continue;
            }
            // The builder's loop starts at its smallest vertex (vertices
            // are numbered in S2 cell id order).
            if let Some(k) = (0..n).min_by_key(|&i| cell_of(open[i])) {
                open.rotate_left(k);
            }
            let ids: Vec<usize> = (0..n)
                .map(|i| numbered.id_of(open[i], open[(i + 1) % n]))
                .collect();
            // S2's scan: the highest id, the end of its first run.
            let mut pos = 0;
            let mut saw_gap = false;
            for i in 1..n {
                if ids[i] < ids[pos] {
                    saw_gap = true;
                } else if ids[i] > ids[pos] || !saw_gap {
                    pos = i;
                    saw_gap = false;
                }
            }
            let start = (pos + 1) % n;
            open.rotate_left(start);
            let first_id = ids[start];
            open.push(open[0]);
            rings.push((first_id, open));
        }
        if rings.is_empty() {
            continue;
        }
        let shell = rings.remove(0);
        rings.sort_by_key(|r| r.0);
        let key = shell.0;
        polygons.push((
            key,
            std::iter::once(shell.1)
                .chain(rings.into_iter().map(|r| r.1))
                .collect(),
        ));
    }
    polygons.sort_by_key(|p| p.0);
    polygons.into_iter().map(|p| p.1).collect()
}

/// A boolean operation of two operands, in S2's canonical order.
fn overlay2(
    a: &[PlanePolygon],
    b: &[PlanePolygon],
    op: geo::algorithm::bool_ops::OpType,
    plane: &Plane,
    eps: f64,
) -> Vec<PlanePolygon> {
    let numbered = Numbered::new(&[a, b], eps);
    let cell_of = |q: Coord| {
        let (lon, lat) = lon_lat(plane.unproject(q));
        s2_cell_id(lon, lat, 30)
    };
    canonical(&multi(a).boolean_op(&multi(b), op), &numbered, &cell_of)
}

/// The union of many polygons as S2's `DestructiveUnion` forms it: the two
/// with the fewest vertices first, their union queued with the sum of
/// their counts, until one is left.
fn union_all(members: Vec<Vec<PlanePolygon>>, plane: &Plane, eps: f64) -> Vec<PlanePolygon> {
    let count = |m: &Vec<PlanePolygon>| -> usize {
        m.iter().flatten().map(|r| r.len().saturating_sub(1)).sum()
    };
    let mut queue: Vec<(usize, Vec<PlanePolygon>)> =
        members.into_iter().map(|m| (count(&m), m)).collect();
    queue.sort_by_key(|q| q.0);
    while queue.len() > 1 {
        let (na, a) = queue.remove(0);
        let (nb, b) = queue.remove(0);
        let joined = overlay2(&a, &b, geo::algorithm::bool_ops::OpType::Union, plane, eps);
        let size = na + nb;
        let at = queue.partition_point(|q| q.0 <= size);
        queue.insert(at, (size, joined));
    }
    queue.pop().map(|q| q.1).unwrap_or_default()
}

/// Items with an extent in x, found by an x range: sorted by their smaller
/// x, with the few much wider than the rest (a long edge among short ones)
/// kept apart, so that a lookup scans only the narrow window its range
/// and the widest short item allow.
struct ByX<T> {
    items: Vec<(f64, f64, T)>,
    long: Vec<(f64, f64, T)>,
    widest: f64,
}

impl<T> ByX<T> {
    fn new(all: Vec<(f64, f64, T)>) -> ByX<T> {
        let (lo, hi) = all
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), e| {
                (lo.min(e.0), hi.max(e.1))
            });
        let mut widths: Vec<f64> = all.iter().map(|e| e.1 - e.0).collect();
        let median = if widths.is_empty() {
            0.0
        } else {
            let mid = widths.len() / 2;
            *widths.select_nth_unstable_by(mid, f64::total_cmp).1
        };
        let threshold = (median * 16.0).max((hi - lo) / 1024.0);
        let (long, mut items): (Vec<_>, Vec<_>) =
            all.into_iter().partition(|e| e.1 - e.0 > threshold);
        items.sort_by(|p, q| p.0.total_cmp(&q.0));
        let widest = items.iter().map(|e| e.1 - e.0).fold(0.0, f64::max);
        ByX {
            items,
            long,
            widest,
        }
    }

    /// The items whose extent meets `[x0, x1]`.
    fn meeting(&self, x0: f64, x1: f64) -> impl Iterator<Item = &T> {
        let start = self.items.partition_point(|e| e.0 < x0 - self.widest);
        self.items[start..]
            .iter()
            .take_while(move |e| e.0 <= x1)
            .chain(self.long.iter())
            .filter(move |e| e.1 >= x0 && e.0 <= x1)
            .map(|e| &e.2)
    }
}

/// The distance in the plane from `q` to the segment `ab`.
fn segment_distance(q: Coord, a: Coord, b: Coord) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((q.x - a.x) * dx + (q.y - a.y) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (a.x + t * dx - q.x).hypot(a.y + t * dy - q.y)
}

fn position(p: (f64, f64)) -> Value {
    Value::array(vec![coordinate(p.0), coordinate(p.1)])
}

fn path_value(path: &[(f64, f64)]) -> Value {
    Value::array(path.iter().map(|&p| position(p)).collect())
}

fn polygon_value(rings: &[Vec<(f64, f64)>]) -> Value {
    Value::array(rings.iter().map(|r| path_value(r)).collect())
}

/// Points, lines and polygons as one GeoJSON value: the single kind there
/// is (`Point`/`MultiPoint`, `LineString`/`MultiLineString`,
/// `Polygon`/`MultiPolygon`), a `GeometryCollection` of several kinds, or
/// an empty `GeometryCollection`.
pub(super) fn shapes(
    points: &[(f64, f64)],
    lines: &[Vec<(f64, f64)>],
    polygons: &[Vec<Vec<(f64, f64)>>],
) -> Value {
    let mut parts = Vec::new();
    match points {
        [] => {}
        [p] => parts.push(geometry("Point", position(*p))),
        ps => parts.push(geometry(
            "MultiPoint",
            Value::array(ps.iter().map(|&p| position(p)).collect()),
        )),
    }
    match lines {
        [] => {}
        [l] => parts.push(geometry("LineString", path_value(l))),
        ls => parts.push(geometry(
            "MultiLineString",
            Value::array(ls.iter().map(|l| path_value(l)).collect()),
        )),
    }
    match polygons {
        [] => {}
        [p] => parts.push(geometry("Polygon", polygon_value(p))),
        ps => parts.push(geometry(
            "MultiPolygon",
            Value::array(ps.iter().map(|p| polygon_value(p)).collect()),
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

/// Whether `p` lies in the closure of one of the polygons (inside or on a
/// ring).
pub(super) fn in_closure(polygons: &[Polygon], p: Vec3) -> bool {
    polygons.iter().any(|poly| {
        contains(poly, p)
            || poly
                .iter()
                .any(|r| r.windows(2).any(|w| angle_to_arc(p, w[0], w[1]) <= 1e-12))
    })
}

fn located(rings: &[Vec<(f64, f64)>]) -> Vec<Vec<Located>> {
    rings
        .iter()
        .map(|r| {
            r.iter()
                .map(|&(lon, lat)| (unit(lon, lat), (lon, lat)))
                .collect()
        })
        .collect()
}

/// The points and stretches where the boundaries of `a` and `b` meet
/// outside `result` (a touch at a vertex, a shared edge).
fn contacts(
    a: &[Vec<Vec<(f64, f64)>>],
    b: &[Vec<Vec<(f64, f64)>>],
    result: &[Polygon],
) -> (Positions, Vec<Positions>) {
    let ra: Vec<Vec<Located>> = a.iter().flat_map(|p| located(p)).collect();
    let rb: Vec<Vec<Located>> = b.iter().flat_map(|p| located(p)).collect();
    let box_of = |e: &[Located]| (e[0].1.0.min(e[1].1.0), e[0].1.0.max(e[1].1.0));
    let eb: ByX<[Located; 2]> = ByX::new(
        rb.iter()
            .flat_map(|r| r.windows(2))
            .map(|w| {
                let (x0, x1) = box_of(w);
                (x0, x1, [w[0], w[1]])
            })
            .collect(),
    );
    // An arc's longitude runs monotonically between its ends: its ends'
    // longitudes bound it (a hair of padding for rounding).
    let pad = 1e-9;
    let mut points: Vec<(f64, f64)> = Vec::new();
    let mut lines: Vec<Vec<(f64, f64)>> = Vec::new();
    for w in ra.iter().flat_map(|r| r.windows(2)) {
        let (x0, x1) = box_of(w);
        for f in eb.meeting(x0 - pad, x1 + pad) {
            match edge_intersection([w[0], w[1]], *f) {
                Some((p, None)) if !in_closure(result, p.0) && !points.contains(&p.1) => {
                    points.push(p.1);
                }
                None | Some((_, None)) => {}
                Some((p, Some(q))) => {
                    let mid = normalize(add(p.0, q.0)).unwrap_or(p.0);
                    if in_closure(result, mid) {
                        continue;
                    }
                    match lines.last_mut() {
                        Some(l) if l.last() == Some(&p.1) => l.push(q.1),
                        _ => lines.push(vec![p.1, q.1]),
                    }
                }
            }
        }
    }
    points.retain(|p| {
        !lines
            .iter()
            .any(|l| l.windows(2).any(|w| w[0] == *p || w[1] == *p))
    });
    (points, lines)
}

pub(super) fn to_units(polygons: &[Vec<Vec<(f64, f64)>>]) -> Vec<Polygon> {
    polygons
        .iter()
        .map(|rings| {
            rings
                .iter()
                .map(|r| r.iter().map(|&(lon, lat)| unit(lon, lat)).collect())
                .collect()
        })
        .collect()
}

fn rings_of(polygons: &[Vec<Vec<(f64, f64)>>]) -> Vec<&[(f64, f64)]> {
    polygons
        .iter()
        .flatten()
        .map(Vec::as_slice)
        .collect::<Vec<_>>()
}

/// `geo_intersection_2polygons(polygon1, polygon2)`
/// (geo-intersection-2polygons-function): the shared area as a polygon,
/// with the points and edges where the boundaries only touch; an empty
/// `GeometryCollection` when the polygons do not meet.
pub(super) fn geo_intersection_2polygons(args: &[Value], _: &EvalContext) -> Value {
    let (Some(a), Some(b)) = (polygon_list(arg(args, 0)), polygon_list(arg(args, 1))) else {
        return Value::Null;
    };
    if polygons_arg(args, 0).is_none() || polygons_arg(args, 1).is_none() {
        return Value::Null;
    }
    let mut paths = rings_of(&a);
    paths.extend(rings_of(&b));
    let Some(source) = Source::new(&paths) else {
        return Value::Null;
    };
    let pa = source.project_polygons(&a);
    let pb = source.project_polygons(&b);
    let planar = overlay2(
        &pa,
        &pb,
        geo::algorithm::bool_ops::OpType::Intersection,
        &source.plane,
        source.eps,
    );
    let result = source.polygons_back(&planar);
    let (points, lines) = contacts(&a, &b, &to_units(&result));
    shapes(&points, &lines, &result)
}

/// `geo_union_polygons_array(polygons)` (geo-union-polygons-array-function):
/// the union of an array of polygons and multipolygons; null when one is
/// invalid or the array is empty.
pub(super) fn geo_union_polygons_array(args: &[Value], _: &EvalContext) -> Value {
    match union_of(arg(args, 0)) {
        Some(result) => shapes(&[], &[], &result),
        None => Value::Null,
    }
}

/// The union of an array of polygons and multipolygons as (longitude,
/// latitude) rings; `None` when one is invalid or the array is empty.
pub(super) fn union_of(array: &Value) -> Option<Vec<Vec<Positions>>> {
    let Value::Array(items) = array else {
        return None;
    };
    let mut items_polygons: Vec<Vec<Vec<Positions>>> = Vec::new();
    for item in items.iter() {
        let one = [item.clone()];
        polygons_arg(&one, 0)?;
        items_polygons.push(polygon_list(item)?);
    }
    union_members(&items_polygons)
}

/// The union of members (each polygons as (longitude, latitude) rings) as
/// S2's `DestructiveUnion` forms it; `None` for no members or shapes that
/// do not fit one projection.
pub(super) fn union_members(members: &[Vec<Vec<Positions>>]) -> Option<Vec<Vec<Positions>>> {
    if members.is_empty() {
        return None;
    }
    let paths: Vec<&[(f64, f64)]> = members.iter().flat_map(|p| rings_of(p)).collect();
    let source = Source::new(&paths)?;
    let projected: Vec<Vec<PlanePolygon>> =
        members.iter().map(|p| source.project_polygons(p)).collect();
    Some(source.polygons_back(&union_all(projected, &source.plane, source.eps)))
}

/// How many pieces [`union_rings`] unites in one overlay.
const UNION_RUN: usize = 64;

/// The union of simple closed rings (each without holes) and polygons, all
/// given as (longitude, latitude) rings, in one overlay of the gnomonic
/// plane (every ring counter-clockwise, holes clockwise, and a point is in
/// the union where the winding number is positive): shells come back
/// counter-clockwise, holes clockwise. `None` when the shapes do not fit one
/// projection.
pub(super) fn union_rings(
    rings: &[Positions],
    polygons: &[Vec<Positions>],
) -> Option<Vec<Vec<Positions>>> {
    let mut paths: Vec<&[(f64, f64)]> = rings.iter().map(Vec::as_slice).collect();
    paths.extend(rings_of(polygons));
    let source = Source::new(&paths)?;
    let mut pieces: Vec<geo::Polygon> = rings
        .iter()
        .map(|r| geo::Polygon::new(LineString(source.project_path(r)), Vec::new()))
        .collect();
    pieces.extend(multi(&source.project_polygons(polygons)).0);
    let pieces: Vec<geo::Polygon> = pieces
        .into_iter()
        .map(|p| p.orient(Direction::Default))
        .collect();
    // Pieces along a dense line overlap their neighbours many times over:
    // uniting them in runs first keeps each overlay small (a single overlay
    // of 40,000 such pieces takes seconds).
    let mut runs: Vec<MultiPolygon> = pieces
        .chunks(UNION_RUN)
        .map(|run| geo::unary_union(run).orient(Direction::Default))
        .collect();
    while runs.len() > 1 {
        runs = runs
            .chunks(UNION_RUN)
            .map(|run| geo::unary_union(run).orient(Direction::Default))
            .collect();
    }
    let united = runs
        .pop()
        .unwrap_or_else(|| MultiPolygon(Vec::new()))
        .orient(Direction::Default);
    let planar: Vec<PlanePolygon> = united
        .0
        .iter()
        .map(|p| {
            std::iter::once(p.exterior())
                .chain(p.interiors())
                .map(|r| r.0.clone())
                .collect()
        })
        .collect();
    Some(source.polygons_back(&planar))
}

/// `geo_intersection_line_with_polygon(lineString, polygon)`
/// (geo-intersection-line-with-polygon-function): the parts of the line
/// inside the polygon, as a line or multiline; an empty
/// `GeometryCollection` when they do not meet.
pub(super) fn geo_intersection_line_with_polygon(args: &[Value], _: &EvalContext) -> Value {
    let (Some(lines), Some(polygons)) = (line_strings(arg(args, 0)), polygon_list(arg(args, 1)))
    else {
        return Value::Null;
    };
    if polygons_arg(args, 1).is_none() || super::lines::lines_arg(args, 0).is_none() {
        return Value::Null;
    }
    let mut paths = rings_of(&polygons);
    paths.extend(lines.iter().map(Vec::as_slice));
    let Some(source) = Source::new(&paths) else {
        return Value::Null;
    };
    let area = source.project_polygons(&polygons);
    let projected = MultiLineString(
        lines
            .iter()
            .map(|l| LineString(source.project_path(l)))
            .collect(),
    );
    let clipped = multi(&area).clip(&projected, false);
    // Pieces run the way their line runs, in the order along it.
    let mut pieces: Vec<((usize, f64), Vec<Coord>)> = Vec::new();
    for piece in &clipped.0 {
        let mut coords = piece.0.clone();
        let (Some(&first), Some(&last)) = (coords.first(), coords.last()) else {
            continue;
        };
        let (s, e) = (along(&projected, first), along(&projected, last));
        let reversed = e.0 < s.0 || (e.0 == s.0 && e.1 < s.1);
        if reversed {
            coords.reverse();
        }
        pieces.push((if reversed { e } else { s }, coords));
    }
    pieces.sort_by(|p, q| p.0.0.cmp(&q.0.0).then(p.0.1.total_cmp(&q.0.1)));
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    for (_, coords) in &pieces {
        let mut path: Vec<(f64, f64)> = Vec::with_capacity(coords.len());
        for &q in coords {
            let p = source.locate(q);
            if path.last() != Some(&p) {
                path.push(p);
            }
        }
        if path.len() < 2 {
            continue;
        }
        match out.last_mut() {
            Some(prev) if prev.last() == path.first() => prev.extend_from_slice(&path[1..]),
            _ => out.push(path),
        }
    }
    shapes(&[], &out, &[])
}

/// Where a point lies along the lines: the line's index and the distance
/// along it in edges (edge index plus the fraction of the edge).
fn along(lines: &MultiLineString, q: Coord) -> (usize, f64) {
    let mut best = (f64::INFINITY, 0, 0.0);
    for (li, line) in lines.0.iter().enumerate() {
        for (ei, w) in line.0.windows(2).enumerate() {
            let d = segment_distance(q, w[0], w[1]);
            if d < best.0 {
                let (dx, dy) = (w[1].x - w[0].x, w[1].y - w[0].y);
                let len2 = dx * dx + dy * dy;
                let t = if len2 > 0.0 {
                    (((q.x - w[0].x) * dx + (q.y - w[0].y) * dy) / len2).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                best = (d, li, ei as f64 + t);
            }
        }
    }
    (best.1, best.2)
}

/// `geo_union_lines_array(lineStrings)` (geo-union-lines-array-function):
/// the lines' edges with each edge kept once (an edge several lines share,
/// either way round), joined into lines where they continue each other: a
/// line from each free end in input order, then closed circuits. Null when
/// a line is invalid or the array is empty. Edges that cross without a
/// shared vertex are not split.
pub(super) fn geo_union_lines_array(args: &[Value], _: &EvalContext) -> Value {
    let Value::Array(items) = arg(args, 0) else {
        return Value::Null;
    };
    let mut lines: Vec<Positions> = Vec::new();
    for item in items.iter() {
        let one = [item.clone()];
        let (Some(ls), Some(_)) = (line_strings(item), super::lines::lines_arg(&one, 0)) else {
            return Value::Null;
        };
        lines.extend(ls);
    }
    if lines.is_empty() {
        return Value::Null;
    }
    let key = |p: (f64, f64)| (p.0.to_bits(), p.1.to_bits());
    // Vertices numbered in input order; edges kept once, in input order.
    let mut ids: std::collections::HashMap<(u64, u64), usize> = std::collections::HashMap::new();
    let mut points: Vec<(f64, f64)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut edges: Vec<(usize, usize)> = Vec::new();
    for line in &lines {
        let mut previous: Option<usize> = None;
        for &p in line {
            let id = *ids.entry(key(p)).or_insert_with(|| {
                points.push(p);
                points.len() - 1
            });
            if let Some(q) = previous
                && q != id
                && seen.insert((q.min(id), q.max(id)))
            {
                edges.push((q, id));
            }
            previous = Some(id);
        }
    }
    let mut around: Vec<Vec<usize>> = vec![Vec::new(); points.len()];
    for (i, &(a, b)) in edges.iter().enumerate() {
        around[a].push(i);
        around[b].push(i);
    }
    let mut used = vec![false; edges.len()];
    let free = |v: usize, used: &[bool], around: &[Vec<usize>]| {
        around[v].iter().filter(|&&e| !used[e]).count()
    };
    let mut out: Vec<Positions> = Vec::new();
    loop {
        // A free end first (an odd number of unused edges), else any vertex
        // with an unused edge, in input order.
        let start = (0..points.len())
            .find(|&v| free(v, &used, &around) % 2 == 1)
            .or_else(|| (0..points.len()).find(|&v| free(v, &used, &around) > 0));
        let Some(mut v) = start else {
            break;
        };
        let mut path = vec![points[v]];
        while let Some(&e) = around[v].iter().find(|&&e| !used[e]) {
            used[e] = true;
            let (a, b) = edges[e];
            v = if a == v { b } else { a };
            path.push(points[v]);
        }
        out.push(path);
    }
    shapes(&[], &out, &[])
}
