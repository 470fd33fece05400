//! Polygon overlays, point buffers and H3 coverings (geo_intersection_2polygons,
//! geo_union_polygons_array, geo_intersection_line_with_polygon, geo_point_buffer,
//! geo_polygon_to_h3cells): the properties their pages state where the pages
//! print no exact output, invalid and null arguments, and bounded work on huge
//! shapes (docs/semantics.md#geospatial).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::query::{one, rows};
use serde_json::Value as Json;
use std::time::{Duration, Instant};

#[test]
fn point_buffer_vertices_lie_between_the_radius_and_the_radius_plus_tolerance() {
    // geo-point-buffer-function: "tolerance ... how much a polygon can deviate
    // from the ideal radius", 10 m by default.
    for (radius, tolerance) in [(20000.0, 10.0), (5000.0, 1.0), (300.0, 1000.0)] {
        let r = rows(&format!(
            "print b = geo_point_buffer(-115.1745008278, 36.1497251277, {radius}, {tolerance})
             | mv-expand v = b.coordinates[0]
             | extend d = geo_distance_2points(-115.1745008278, 36.1497251277, todouble(v[0]), todouble(v[1]))
             | summarize n = count(), lo = min(d), hi = max(d)"
        ));
        let n = r[0]["n"].as_i64().unwrap();
        let (lo, hi) = (r[0]["lo"].as_f64().unwrap(), r[0]["hi"].as_f64().unwrap());
        let tol = f64::min(tolerance, radius * 0.999);
        assert!(n >= 4, "{radius}: {n} positions");
        assert!(
            lo > radius && hi <= radius + tol + 1e-6,
            "{radius} {tolerance}: {lo}..{hi}"
        );
    }
    // The default tolerance, and a vertex count that grows with precision but
    // stays bounded (a millionth of the radius at least).
    let default = one("print n = array_length(geo_point_buffer(10, 10, 20000).coordinates[0])");
    let fine = one("print n = array_length(geo_point_buffer(10, 10, 20000, 1e-9).coordinates[0])");
    assert!(
        default.as_i64().unwrap() > 10 && default.as_i64().unwrap() < 200,
        "{default}"
    );
    assert!(fine.as_i64().unwrap() < 5000, "{fine}");
}

#[test]
fn point_buffer_contains_its_point_and_runs_counter_clockwise() {
    let r = rows(
        "let b = geo_point_buffer(2.35, 48.85, 1000);
         print inside = geo_point_in_polygon(2.35, 48.85, b),
               far = geo_point_in_polygon(2.37, 48.85, b),
               area = geo_polygon_area(b)",
    );
    assert_eq!(r[0]["inside"], Json::Bool(true));
    assert_eq!(r[0]["far"], Json::Bool(false));
    let area = r[0]["area"].as_f64().unwrap();
    let circle = std::f64::consts::PI * 1000.0 * 1000.0;
    assert!(area > circle && area < circle * 1.01, "{area}");
}

#[test]
fn point_buffer_invalid_arguments_are_null() {
    for args in [
        "200, 1, 10",
        "10, 91, 10",
        "10, 10, 0",
        "10, 10, -1",
        "10, 10, real(null)",
        "10, 10, 100, 0",
        "10, 10, 100, -5",
        "10, 10, 2e7",
        "real(nan), 10, 100",
    ] {
        let v = one(&format!("print b = geo_point_buffer({args})"));
        assert_eq!(v, Json::Null, "{args}");
    }
}

#[test]
fn union_of_the_pages_point_buffers_is_a_multipolygon() {
    // geo-point-buffer-function's second example: two separate circles.
    let v = one("datatable(longitude:real, latitude:real, radius:real)
         [
             real(-80.3212217992616), 25.268683367546604, 5000,
             real(-80.81717403605833), 24.82658441221962, 3000
         ]
         | project buffer = geo_point_buffer(longitude, latitude, radius)
         | summarize polygons = make_list(buffer)
         | project result = geo_union_polygons_array(polygons)");
    assert_eq!(v["type"], "MultiPolygon", "{v}");
    assert_eq!(v["coordinates"].as_array().unwrap().len(), 2);
}

#[test]
fn overlays_keep_areas_consistent() {
    let r = rows(
        r#"let a = dynamic({"type":"Polygon","coordinates":[[[0,0],[2,0],[2,2],[0,2],[0,0]]]});
           let b = dynamic({"type":"Polygon","coordinates":[[[1,1],[3,1],[3,3],[1,3],[1,1]]]});
           print ai = geo_polygon_area(geo_intersection_2polygons(a, b)),
                 au = geo_polygon_area(geo_union_polygons_array(pack_array(a, b))),
                 aa = geo_polygon_area(a), ab = geo_polygon_area(b),
                 self = geo_polygon_area(geo_intersection_2polygons(a, a)),
                 inside = geo_intersection_line_with_polygon(
                     dynamic({"type":"LineString","coordinates":[[-1,1],[3,1]]}), a)"#,
    );
    let get = |k: &str| r[0][k].as_f64().unwrap();
    let (ai, au, aa, ab) = (get("ai"), get("au"), get("aa"), get("ab"));
    assert!(ai > 0.0 && ai < aa.min(ab), "{ai}");
    assert!(
        (au - (aa + ab - ai)).abs() < 1e-6 * au,
        "{au} {aa} {ab} {ai}"
    );
    assert!((get("self") - aa).abs() < 1e-6 * aa);
    assert_eq!(r[0]["inside"]["type"], "LineString", "{}", r[0]["inside"]);
}

#[test]
fn overlay_invalid_and_null_arguments_are_null() {
    let square = r#"dynamic({"type":"Polygon","coordinates":[[[0,0],[2,0],[2,2],[0,2],[0,0]]]})"#;
    for q in [
        format!("print v = geo_intersection_2polygons(dynamic(null), {square})"),
        format!(
            "print v = geo_intersection_2polygons({square}, dynamic({{\"type\":\"Polygon\"}}))"
        ),
        "print v = geo_union_polygons_array(dynamic([]))".to_string(),
        "print v = geo_union_polygons_array(dynamic(null))".to_string(),
        format!("print v = geo_union_polygons_array({square})"),
        format!("print v = geo_union_polygons_array(pack_array({square}, dynamic(1)))"),
        format!(
            "print v = geo_intersection_line_with_polygon(dynamic({{\"type\":\"LineString\",\"coordinates\":[[1,1]]}}), {square})"
        ),
        format!("print v = geo_polygon_to_h3cells({square}, 16)"),
        format!("print v = geo_polygon_to_h3cells({square}, -1)"),
        format!("print v = geo_polygon_to_h3cells({square}, 6, -1)"),
        "print v = geo_polygon_to_h3cells(dynamic(null))".to_string(),
    ] {
        assert_eq!(one(&q), Json::Null, "{q}");
    }
}

#[test]
fn polygon_to_h3cells_radius_adds_the_cells_near_the_polygon() {
    let r = rows(
        r#"let polygon = dynamic({"type":"Polygon","coordinates":[[[-3.659,40.553],[-3.913,40.409],[-3.729,40.273],[-3.524,40.440],[-3.659,40.553]]]});
           print plain = geo_polygon_to_h3cells(polygon), wide = geo_polygon_to_h3cells(polygon, 6, 5000)"#,
    );
    let set = |k: &str| -> Vec<String> {
        r[0][k]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect()
    };
    let (plain, wide) = (set("plain"), set("wide"));
    assert_eq!(plain.len(), 13);
    assert!(wide.len() > plain.len(), "{} {}", wide.len(), plain.len());
    assert!(plain.iter().all(|c| wide.contains(c)));
}

/// A closed ring of `n` vertices on a circle of `deg` degrees about (lon, lat).
/// `make_list` unwraps an array it is given (docs/semantics.md, aggregates),
/// so each position is packed once more to stay a pair.
fn big_ring(n: usize, lon: f64, lat: f64, deg: f64) -> String {
    format!(
        "range i from 0 to {n} step 1
         | extend k = iff(i == {n}, 0, i)
         | extend p = pack_array({lon} + {deg} * cos(2 * pi() * k / {n}), {lat} + {deg} * sin(2 * pi() * k / {n}))
         | summarize ring = make_list(pack_array(p), 10000000)
         | project shape = bag_pack('type', 'Polygon', 'coordinates', pack_array(ring))"
    )
}

#[test]
fn huge_shapes_take_bounded_work() {
    let started = Instant::now();
    // A 200,000-vertex polygon overlaid with a square and with itself.
    let ring = big_ring(200_000, 10.0, 45.0, 1.0);
    let r = rows(&format!(
        r#"{ring}
           | extend sq = dynamic({{"type":"Polygon","coordinates":[[[10,45],[12,45],[12,47],[10,47],[10,45]]]}})
           | project i = geo_intersection_2polygons(shape, sq), u = geo_union_polygons_array(pack_array(shape, sq))
           | project it = tostring(i.type), ut = tostring(u.type), n = array_length(u.coordinates[0])"#
    ));
    assert_eq!(r[0]["it"], "Polygon", "{}", r[0]);
    assert_eq!(r[0]["ut"], "Polygon", "{}", r[0]);
    // H3 cells of a continent-sized polygon at resolution 15 are far past the
    // limit: null, found from the area before any cell is listed.
    let v = one(&format!(
        "{} | project c = geo_polygon_to_h3cells(shape, 15)",
        big_ring(1000, 10.0, 45.0, 20.0)
    ));
    assert_eq!(v, Json::Null);
    let v = one(&format!(
        "{} | project c = geo_polygon_to_h3cells(shape, 15, 1000000)",
        big_ring(1000, 10.0, 45.0, 0.001)
    ));
    assert_eq!(v, Json::Null);
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn point_in_polygon_edges_are_geodesics() {
    // geo-point-in-polygon-function: "Polygon edges are geodesics on the
    // sphere". The edges along 50°N and 60°N between 100°W and 60°W bow
    // poleward to about 51.7°N and 61.5°N at 80°W: (-80, 61) lies inside
    // the polygon and (-80, 50.5) outside, the other way round from flat
    // longitude/latitude edges.
    let r = rows(
        r#"let p = dynamic({"type":"Polygon","coordinates":[[[-100,50],[-60,50],[-60,60],[-100,60],[-100,50]]]});
           print north = geo_point_in_polygon(-80, 61, p), south = geo_point_in_polygon(-80, 50.5, p),
                 middle = geo_point_in_polygon(-80, 55, p), vertex = geo_point_in_polygon(-60, 50, p),
                 outside = geo_point_in_polygon(-80, 62, p)"#,
    );
    assert_eq!(r[0]["north"], Json::Bool(true), "{}", r[0]);
    assert_eq!(r[0]["south"], Json::Bool(false), "{}", r[0]);
    assert_eq!(r[0]["middle"], Json::Bool(true), "{}", r[0]);
    assert_eq!(r[0]["vertex"], Json::Bool(true), "{}", r[0]);
    assert_eq!(r[0]["outside"], Json::Bool(false), "{}", r[0]);
}
