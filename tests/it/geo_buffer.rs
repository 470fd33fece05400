//! Line and polygon buffers (geo-line-buffer-function,
//! geo-polygon-buffer-function): the pages print their results' coordinates
//! elided, so these tests check what the pages state — every point within
//! the radius is covered, and the polygon strays at most the tolerance
//! beyond the radius — with invalid arguments null and work bounded
//! (docs/semantics.md#geospatial).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::query::{one, rows};
use serde_json::Value as Json;
use std::time::{Duration, Instant};

const LINE: &str = r#"dynamic({"type":"LineString","coordinates":[[-80.66634997047466,24.894526340592122],[-80.67373241820246,24.890808090321286]]})"#;
const TOKYO: &str = r#"dynamic({"type":"Polygon","coordinates":[[[139.813757,35.719666],[139.72558,35.71813],[139.727471,35.653231],[139.818721,35.657264],[139.813757,35.719666]]]})"#;

/// The smallest and largest distance from the buffer's vertices and the
/// midpoints of its (geodesic) edges to the shape, as `distance` (a KQL
/// expression of `lon`, `lat`) measures it, and how many points were measured.
fn spread(buffer: &str, distance: &str) -> (f64, f64, i64) {
    let r = rows(&format!(
        "print b = {buffer}
         | mv-expand ring = b.coordinates
         | extend ring = iff(b.type == 'Polygon', ring, ring[0])
         | extend n = array_length(ring)
         | mv-expand with_itemindex = i v = ring
         | extend w = ring[(i + 1) % n]
         | extend m = geo_line_interpolate_point(bag_pack('type', 'LineString', 'coordinates', pack_array(v, w)), 0.5).coordinates
         | mv-expand p = pack_array(v, m)
         | extend lon = todouble(p[0]), lat = todouble(p[1])
         | extend d = {distance}
         | summarize lo = min(d), hi = max(d), k = count()"
    ));
    (
        r[0]["lo"].as_f64().unwrap(),
        r[0]["hi"].as_f64().unwrap(),
        r[0]["k"].as_i64().unwrap(),
    )
}

#[test]
fn line_buffer_lies_between_the_radius_and_the_radius_plus_tolerance() {
    // The page's first example (4 m, 0.1 m), a coarser one and the default
    // tolerance (10 m).
    for (radius, tolerance) in [(4.0, "0.1"), (50.0, "1"), (1000.0, "")] {
        let tol: f64 = tolerance.parse().unwrap_or(10.0);
        let buffer = format!("geo_line_buffer({LINE}, {radius}{})", {
            if tolerance.is_empty() {
                String::new()
            } else {
                format!(", {tolerance}")
            }
        });
        assert_eq!(one(&format!("print t = {buffer}.type")), "Polygon");
        let (lo, hi, k) = spread(
            &buffer,
            &format!("geo_distance_point_to_line(lon, lat, {LINE})"),
        );
        assert!(k >= 16, "{radius}: {k} points");
        assert!(
            lo >= radius * (1.0 - 1e-6) && hi <= radius + tol + 1e-6,
            "{radius} {tol}: {lo}..{hi}"
        );
    }
}

#[test]
fn line_buffer_area_is_the_band_and_the_round_ends() {
    let r = rows(&format!(
        "let b = geo_line_buffer({LINE}, 50, 0.5);
         print area = geo_polygon_area(b), length = geo_line_length({LINE}),
               ends = geo_point_in_polygon(-80.66634997047466, 24.894526340592122, b)
                   and geo_point_in_polygon(-80.67373241820246, 24.890808090321286, b)"
    ));
    let (area, length) = (
        r[0]["area"].as_f64().unwrap(),
        r[0]["length"].as_f64().unwrap(),
    );
    let ideal = 2.0 * 50.0 * length + std::f64::consts::PI * 50.0 * 50.0;
    // At most the tolerance all around beyond the ideal shape.
    let most = 2.0 * 50.5 * length + std::f64::consts::PI * 50.5 * 50.5;
    assert!(area > ideal * (1.0 - 1e-9) && area < most, "{area} {ideal}");
    assert_eq!(r[0]["ends"], Json::Bool(true));
}

#[test]
fn polygon_buffer_lies_between_the_radius_and_the_radius_plus_tolerance() {
    // The page's first example: 10 km, the default tolerance (10 m).
    let buffer = format!("geo_polygon_buffer({TOKYO}, 10000)");
    assert_eq!(one(&format!("print t = {buffer}.type")), "Polygon");
    let (lo, hi, _) = spread(
        &buffer,
        &format!("geo_distance_point_to_polygon(lon, lat, {TOKYO})"),
    );
    assert!(
        lo >= 10000.0 * (1.0 - 1e-9) && hi <= 10010.0 + 1e-6,
        "{lo}..{hi}"
    );
    let r = rows(&format!(
        "let b = {buffer};
         print area = geo_polygon_area(b), inner = geo_polygon_area({TOKYO}),
               perimeter = geo_polygon_perimeter({TOKYO})"
    ));
    let get = |k: &str| r[0][k].as_f64().unwrap();
    let (area, inner, perimeter) = (get("area"), get("inner"), get("perimeter"));
    // Steiner's formula on the plane, a hair smaller on the sphere.
    let ideal = inner + perimeter * 10000.0 + std::f64::consts::PI * 1e8;
    assert!(
        area > ideal * (1.0 - 2e-3) && area < ideal * (1.0 + 2e-3),
        "{area} {ideal}"
    );
}

#[test]
fn polygon_buffer_fills_narrow_holes_and_keeps_wide_ones() {
    let holed = r#"dynamic({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]],[[0.2,0.2],[0.2,0.8],[0.8,0.8],[0.8,0.2],[0.2,0.2]]]})"#;
    // The hole is 0.6° (about 67 km) wide.
    let r = rows(&format!(
        "print narrow = array_length(geo_polygon_buffer({holed}, 1000).coordinates),
               wide = array_length(geo_polygon_buffer({holed}, 40000).coordinates),
               inside = geo_point_in_polygon(0.5, 0.5, geo_polygon_buffer({holed}, 1000)),
               edge = geo_point_in_polygon(0.5, 0.205, geo_polygon_buffer({holed}, 1000))"
    ));
    assert_eq!(r[0]["narrow"], 2, "{}", r[0]);
    assert_eq!(r[0]["wide"], 1, "{}", r[0]);
    assert_eq!(r[0]["inside"], Json::Bool(false));
    assert_eq!(r[0]["edge"], Json::Bool(true));
}

#[test]
fn buffers_of_far_apart_parts_are_multipolygons() {
    let r = rows(
        r#"print l = geo_line_buffer(dynamic({"type":"MultiLineString","coordinates":[[[0,0],[0.01,0]],[[1,1],[1.01,1]]]}), 100).type,
                 p = geo_polygon_buffer(dynamic({"type":"MultiPolygon","coordinates":[[[[0,0],[0.01,0],[0.01,0.01],[0,0]]],[[[1,1],[1.01,1],[1.01,1.01],[1,1]]]]}), 100).type,
                 joined = geo_line_buffer(dynamic({"type":"MultiLineString","coordinates":[[[0,0],[0.01,0]],[[0.01,0.001],[0.02,0.001]]]}), 100).type"#,
    );
    assert_eq!(r[0]["l"], "MultiPolygon");
    assert_eq!(r[0]["p"], "MultiPolygon");
    assert_eq!(r[0]["joined"], "Polygon");
}

#[test]
fn buffer_invalid_arguments_are_null() {
    let line = r#"dynamic({"type":"LineString","coordinates":[[0,0],[1,1]]})"#;
    let square = r#"dynamic({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]})"#;
    for shape_fn in [("geo_line_buffer", line), ("geo_polygon_buffer", square)] {
        let (f, shape) = shape_fn;
        for args in [
            format!("{shape}, 0"),
            format!("{shape}, -1"),
            format!("{shape}, real(null)"),
            format!("{shape}, real(nan)"),
            format!("{shape}, 100, 0"),
            format!("{shape}, 100, -1"),
            format!("{shape}, 100, real(null)"),
            format!("{shape}, 2e7"),
            "dynamic(null), 100".to_string(),
            format!("{line}, 100").replace("LineString", "Point"),
        ] {
            assert_eq!(
                one(&format!("print b = {f}({args})")),
                Json::Null,
                "{f}({args})"
            );
        }
    }
    // A line's buffer of a polygon and the other way round.
    assert_eq!(
        one(&format!("print b = geo_line_buffer({square}, 10)")),
        Json::Null
    );
    assert_eq!(
        one(&format!("print b = geo_polygon_buffer({line}, 10)")),
        Json::Null
    );
}

#[test]
fn buffers_of_many_vertices_take_bounded_work() {
    let started = Instant::now();
    // A 20,000-vertex line: a buffer at the default tolerance, and one whose
    // tolerance (a millionth of the radius) asks for more vertices than the
    // bound allows (null).
    let line = "range i from 0 to 19999 step 1
         | extend p = pack_array(10 + i * 0.0001, 45 + 0.01 * sin(i / 50.0))
         | summarize c = make_list(pack_array(p), 1000000)
         | project line = bag_pack('type', 'LineString', 'coordinates', c)";
    let t = one(&format!(
        "{line} | project t = tostring(geo_line_buffer(line, 100).type)"
    ));
    assert_eq!(t, "Polygon");
    let v = one(&format!(
        "{line} | project b = geo_line_buffer(line, 100000, 0.1)"
    ));
    assert_eq!(v, Json::Null);
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "{:?}",
        started.elapsed()
    );
}
