//! Cell coverings of lines and polygons (`geo_line_to_s2cells`,
//! `geo_polygon_to_s2cells`, `geo_polygon_to_h3cells`).
//!
//! An S2 covering is every cell of the requested level that shares a point
//! with the shape (or lies within the buffer radius of it), as S2's region
//! coverer gives with the minimum and maximum level both set to that level.
//! Cells are found top-down from the six faces: a cell that misses the
//! shape is dropped with all its descendants, a cell inside a polygon keeps
//! all of them without further tests, and only cells on the boundary are
//! split. Cell edges and shape edges are both great-circle arcs, so the
//! tests are those of [`super::sphere`].

use super::lines::{edges_meet, lines_arg};
use super::polygons::{Polygon, contains, polygons_arg};
use super::sphere::{Vec3, angle_to_arc, ring_contains, unit};
use super::{EARTH_RADIUS, S2_MAX_LEVEL, s2_cell_id, s2_face_st, s2_token};
use crate::functions::{EvalContext, arg};
use crate::value::Value;

/// Most cells a covering may have (the pages' limit: 65536 tokens).
const MAX_S2_CELLS: u64 = 65_536;

/// The shape a covering covers.
pub(super) enum Shape {
    /// Lines (each its vertices).
    Lines(Vec<Vec<Vec3>>),
    /// Polygons.
    Polygons(Vec<Polygon>),
}

/// How a cell lies relative to the shape.
#[derive(PartialEq)]
enum Relation {
    Outside,
    Boundary,
    Inside,
}

/// An S2 cell: face, (i, j) among the `2^level` cells a side, level.
#[derive(Clone, Copy)]
struct Cell {
    face: usize,
    i: u64,
    j: u64,
    level: u32,
}

impl Cell {
    fn st(&self, i: f64, j: f64) -> Vec3 {
        let cells = (1u64 << self.level) as f64;
        let (lon, lat) = s2_face_st(self.face, i / cells, j / cells);
        unit(lon, lat)
    }

    /// The cell's boundary, closed.
    fn ring(&self) -> Vec<Vec3> {
        let (i, j) = (self.i as f64, self.j as f64);
        let c0 = self.st(i, j);
        vec![
            c0,
            self.st(i + 1.0, j),
            self.st(i + 1.0, j + 1.0),
            self.st(i, j + 1.0),
            c0,
        ]
    }

    fn children(&self) -> [Cell; 4] {
        let child = |di: u64, dj: u64| Cell {
            face: self.face,
            i: 2 * self.i + di,
            j: 2 * self.j + dj,
            level: self.level + 1,
        };
        [child(0, 0), child(1, 0), child(0, 1), child(1, 1)]
    }

    fn id(&self) -> u64 {
        let (lon, lat) = {
            let cells = (1u64 << self.level) as f64;
            s2_face_st(
                self.face,
                (self.i as f64 + 0.5) / cells,
                (self.j as f64 + 0.5) / cells,
            )
        };
        s2_cell_id(lon, lat, self.level)
    }
}

/// The least central angle between the edges of two sets of rings/lines
/// that do not cross.
fn gap(a: &[Vec<Vec3>], b: &[Vec<Vec3>]) -> f64 {
    let one_way = |a: &[Vec<Vec3>], b: &[Vec<Vec3>]| {
        a.iter()
            .flatten()
            .flat_map(|&p| {
                b.iter()
                    .flat_map(|l| l.windows(2))
                    .map(move |w| angle_to_arc(p, w[0], w[1]))
            })
            .fold(f64::INFINITY, f64::min)
    };
    one_way(a, b).min(one_way(b, a))
}

fn relation(shape: &Shape, cell: &Cell, radius: f64) -> Relation {
    let ring = vec![cell.ring()];
    let near = |parts: &[Vec<Vec3>]| radius > 0.0 && gap(parts, &ring) <= radius;
    match shape {
        Shape::Lines(lines) => {
            let meets = edges_meet(lines, &ring)
                || lines.iter().any(|l| ring_contains(&ring[0], l[0]))
                || near(lines);
            if meets {
                Relation::Boundary
            } else {
                Relation::Outside
            }
        }
        Shape::Polygons(polygons) => {
            let mut result = Relation::Outside;
            for p in polygons {
                if edges_meet(p, &ring) {
                    return Relation::Boundary;
                }
                if contains(p, ring[0][0]) {
                    return Relation::Inside;
                }
                if ring_contains(&ring[0], p[0][0]) || near(p) {
                    result = Relation::Boundary;
                }
            }
            result
        }
    }
}

/// The tokens of the level-`level` S2 cells covering the shape (and the
/// points within `radius` meters of it), sorted by cell id; `None` past
/// [`MAX_S2_CELLS`].
pub(super) fn s2_covering(shape: &Shape, level: u32, radius: f64) -> Option<Vec<String>> {
    let radius = radius / EARTH_RADIUS;
    let mut frontier: Vec<Cell> = (0..6)
        .map(|face| Cell {
            face,
            i: 0,
            j: 0,
            level: 0,
        })
        .collect();
    let mut inside: Vec<Cell> = Vec::new();
    let mut count: u64 = 0;
    let mut out: Vec<Cell> = Vec::new();
    while let Some(cell) = frontier.pop() {
        match relation(shape, &cell, radius) {
            Relation::Outside => {}
            Relation::Inside => {
                count = count.saturating_add(1u64 << (2 * (level - cell.level)).min(63));
                inside.push(cell);
            }
            Relation::Boundary if cell.level == level => {
                count += 1;
                out.push(cell);
            }
            Relation::Boundary => frontier.extend(cell.children()),
        }
        if count > MAX_S2_CELLS {
            return None;
        }
    }
    while let Some(cell) = inside.pop() {
        if cell.level == level {
            out.push(cell);
        } else {
            inside.extend(cell.children());
        }
    }
    let mut ids: Vec<u64> = out.iter().map(Cell::id).collect();
    ids.sort_unstable();
    ids.dedup();
    Some(ids.into_iter().map(s2_token).collect())
}

/// The optional level and radius arguments: the level in `0..=30`
/// (`default` when absent), the radius non-negative meters (0 when absent).
pub(super) fn level_and_radius(args: &[Value], i: usize, default: i64) -> Option<(u32, f64)> {
    let level = super::level_at(args, i, default)?;
    if !(0..=i64::from(S2_MAX_LEVEL)).contains(&level) {
        return None;
    }
    let radius = if args.len() <= i + 1 {
        0.0
    } else {
        arg(args, i + 1).as_f64()?
    };
    (radius >= 0.0 && radius.is_finite()).then_some((level as u32, radius))
}

/// The tokens as a dynamic array.
pub(super) fn token_array(tokens: Vec<String>) -> Value {
    Value::array(tokens.iter().map(|t| Value::string(t)).collect())
}

/// `geo_polygon_to_s2cells(polygon, [level], [radius])`
/// (geo-polygon-to-s2cells-function): level 11 by default.
pub(super) fn geo_polygon_to_s2cells(args: &[Value], _: &EvalContext) -> Value {
    let (Some(polygons), Some((level, radius))) =
        (polygons_arg(args, 0), level_and_radius(args, 1, 11))
    else {
        return Value::Null;
    };
    s2_covering(&Shape::Polygons(polygons), level, radius).map_or(Value::Null, token_array)
}

/// `geo_line_to_s2cells(lineString, [level], [radius])`
/// (geo-line-to-s2cells-function): level 11 by default.
pub(super) fn geo_line_to_s2cells(args: &[Value], _: &EvalContext) -> Value {
    let (Some((_, lines)), Some((level, radius))) =
        (lines_arg(args, 0), level_and_radius(args, 1, 11))
    else {
        return Value::Null;
    };
    s2_covering(&Shape::Lines(lines), level, radius).map_or(Value::Null, token_array)
}

/// Most cells an H3 covering may have (the page: "the maximum count of
/// tokens per polygon is 61680").
const MAX_H3_CELLS: usize = 61_680;

/// Most polygon vertices a buffered H3 covering measures distances to (each
/// candidate cell's centre is measured against every edge).
const MAX_H3_BUFFER_VERTICES: usize = 10_000;

/// `geo_polygon_to_h3cells(polygon [, resolution [, radius]])`
/// (geo-polygon-to-h3cells-function): the cells of the resolution whose
/// centres lie inside the polygon (edges straight in longitude/latitude,
/// as the page says) or, with a radius, within that many meters of it.
/// Null for an invalid argument and past 61,680 cells; a shape whose area
/// alone promises far more cells is refused before any cell is listed.
pub(super) fn geo_polygon_to_h3cells(args: &[Value], _: &EvalContext) -> Value {
    let (Some(rings), Some(polygons)) = (super::polygon_list(arg(args, 0)), polygons_arg(args, 0))
    else {
        return Value::Null;
    };
    let Some(res) = super::level_at(args, 1, 6).and_then(super::h3_resolution) else {
        return Value::Null;
    };
    let radius = if args.len() > 2 {
        match arg(args, 2).as_f64() {
            Some(r) if r >= 0.0 && r.is_finite() => r,
            _ => return Value::Null,
        }
    } else {
        0.0
    };
    // Bounded work: the area (grown by the radius) over a cell's area
    // estimates the count; far past the limit nothing is listed.
    let area: f64 = polygons
        .iter()
        .map(|p| super::polygons::polygon_region(p).0)
        .sum::<f64>()
        * EARTH_RADIUS
        * EARTH_RADIUS;
    let perimeter: f64 = polygons
        .iter()
        .flatten()
        .flat_map(|r| r.windows(2))
        .map(|w| super::sphere::angle(w[0], w[1]) * EARTH_RADIUS)
        .sum();
    let grown = area + perimeter * radius + std::f64::consts::PI * radius * radius;
    if grown / res.area_m2() > 4.0 * MAX_H3_CELLS as f64
        || perimeter / res.edge_length_m() > 64.0 * MAX_H3_CELLS as f64
    {
        return Value::Null;
    }
    let mode = if radius > 0.0 {
        h3o::geom::ContainmentMode::Covers
    } else {
        h3o::geom::ContainmentMode::ContainsCentroid
    };
    let mut tiler = h3o::geom::TilerBuilder::new(res)
        .containment_mode(mode)
        .build();
    let degrees_per_meter = (1.0 / EARTH_RADIUS).to_degrees();
    for shape in &rings {
        let ring = |r: &Vec<(f64, f64)>| {
            geo::LineString(r.iter().map(|&(x, y)| geo::Coord { x, y }).collect())
        };
        let polygon = if radius > 0.0 {
            // The candidates: every cell meeting the box grown by the radius.
            let lat_pad = radius * degrees_per_meter;
            let (mut x0, mut y0, mut x1, mut y1) = (180.0f64, 90.0f64, -180.0f64, -90.0f64);
            for &(x, y) in &shape[0] {
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            }
            let (y0, y1) = ((y0 - lat_pad).max(-90.0), (y1 + lat_pad).min(90.0));
            let widest = y0.abs().max(y1.abs()).to_radians().cos().max(1e-6);
            let lon_pad = lat_pad / widest;
            let (x0, x1) = ((x0 - lon_pad).max(-180.0), (x1 + lon_pad).min(180.0));
            geo::Polygon::new(
                geo::LineString(vec![
                    geo::Coord { x: x0, y: y0 },
                    geo::Coord { x: x1, y: y0 },
                    geo::Coord { x: x1, y: y1 },
                    geo::Coord { x: x0, y: y1 },
                    geo::Coord { x: x0, y: y0 },
                ]),
                vec![],
            )
        } else {
            geo::Polygon::new(ring(&shape[0]), shape[1..].iter().map(ring).collect())
        };
        if tiler.add(polygon).is_err() {
            return Value::Null;
        }
    }
    if tiler.coverage_size_hint() > 64 * MAX_H3_CELLS {
        return Value::Null;
    }
    if radius > 0.0 && rings.iter().flatten().map(Vec::len).sum::<usize>() > MAX_H3_BUFFER_VERTICES
    {
        return Value::Null;
    }
    let angle = radius / EARTH_RADIUS;
    let mut cells: Vec<h3o::CellIndex> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for cell in tiler.into_coverage() {
        if !seen.insert(cell) {
            continue;
        }
        if radius > 0.0 {
            let c = h3o::LatLng::from(cell);
            let (lon, lat) = (c.lng(), c.lat());
            let inside = rings.iter().any(|rs| {
                super::in_ring((lon, lat), &rs[0])
                    && !rs[1..].iter().any(|h| super::in_ring((lon, lat), h))
            });
            let x = unit(lon, lat);
            let near = inside
                || polygons
                    .iter()
                    .flatten()
                    .flat_map(|r| r.windows(2))
                    .any(|w| angle_to_arc(x, w[0], w[1]) <= angle);
            if !near {
                continue;
            }
        }
        cells.push(cell);
        if cells.len() > MAX_H3_CELLS {
            return Value::Null;
        }
    }
    Value::array(
        cells
            .into_iter()
            .map(|c| Value::string(&c.to_string()))
            .collect(),
    )
}
