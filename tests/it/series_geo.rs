//! Series analysis, geospatial and GeoIP functions through whole queries:
//! what the documentation pages describe but give no exact output for
//! (their examples use `rand()`), checked on deterministic versions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kqlite::output::JsonLinesWriter;
use kqlite::{Engine, EngineOptions, GeoIpDatabase};
use serde_json::{Value as Json, json};
use std::process::Command;
use std::sync::Arc;

fn rows_with(options: EngineOptions, query: &str) -> Vec<Json> {
    let engine = Engine::with_options(options);
    let q = engine
        .compile(query)
        .unwrap_or_else(|e| panic!("{}", e.render(query, "query")));
    let mut out = JsonLinesWriter::new(Vec::new());
    q.run(&engine, &mut out).unwrap();
    String::from_utf8(out.into_inner())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn rows(query: &str) -> Vec<Json> {
    rows_with(
        EngineOptions {
            threads: Some(1),
            ..EngineOptions::default()
        },
        query,
    )
}

/// The series of `series-decompose-anomalies-function`'s examples (five
/// weeks of hourly points, weekly seasonality, a rising trend, three dips
/// and three spikes), with its `2*rand()` noise replaced by a fixed
/// pseudo-random sequence.
const WEEKLY_WITH_TREND: &str = "let ts=range t from 1 to 24*7*5 step 1
| extend y = 2*((t * 7919) % 1000) / 1000.0 + iff((t/24)%7>=5, 5.0, 15.0) - (((t%24)/10)*((t%24)/10)) + t/72.0
| extend y=iff(t==150 or t==200 or t==780, y-8.0, y)
| extend y=iff(t==300 or t==400 or t==600, y+8.0, y)
| summarize y=make_list(y, 10000);";

/// The positions (t - 1) flagged +1 and -1.
fn flagged(flags: &Json) -> (Vec<usize>, Vec<usize>) {
    let mut up = Vec::new();
    let mut down = Vec::new();
    for (i, f) in flags.as_array().unwrap().iter().enumerate() {
        match f.as_i64().unwrap() {
            1 => up.push(i),
            -1 => down.push(i),
            _ => {}
        }
    }
    (up, down)
}

#[test]
fn series_decompose_anomalies_finds_exactly_the_inserted_outliers_with_linefit_and_2_5() {
    // The page: "Now, only the outliers you inserted in the data, will be detected."
    let r = rows(&format!(
        "{WEEKLY_WITH_TREND} ts | extend series_decompose_anomalies(y, 2.5, -1, 'linefit')"
    ));
    let (up, down) = flagged(&r[0]["series_decompose_anomalies_y_ad_flag"]);
    assert_eq!(up, vec![299, 399, 599]);
    assert_eq!(down, vec![149, 199, 779]);
    let scores = r[0]["series_decompose_anomalies_y_ad_score"]
        .as_array()
        .unwrap();
    assert!(scores[299].as_f64().unwrap() > 2.5);
    assert!(scores[149].as_f64().unwrap() < -2.5);
    assert_eq!(
        r[0]["series_decompose_anomalies_y_baseline"]
            .as_array()
            .unwrap()
            .len(),
        840
    );
}

#[test]
fn series_periods_detect_finds_the_weekly_period_of_the_hourly_series() {
    let r = rows(&format!(
        "{WEEKLY_WITH_TREND} ts | project series_periods_detect(y, 0.0, 400.0, 1)"
    ));
    assert_eq!(r[0]["series_periods_detect_y_periods"], json!([168.0]));
}

#[test]
fn series_decompose_components_add_up() {
    // baseline = seasonal + trend, residual = y - baseline (the page's note).
    let r = rows(&format!(
        "{WEEKLY_WITH_TREND} ts | extend (b, s, t, r) = series_decompose(y, 168, 'linefit')
         | project d1 = series_subtract(b, series_add(s, t)), d2 = series_subtract(series_subtract(y, b), r), t"
    ));
    for col in ["d1", "d2"] {
        for v in r[0][col].as_array().unwrap() {
            assert!(v.as_f64().unwrap().abs() < 1e-9, "{col}: {v}");
        }
    }
    let t = r[0]["t"].as_array().unwrap();
    let slope = t[1].as_f64().unwrap() - t[0].as_f64().unwrap();
    assert!((slope - 1.0 / 72.0).abs() < 2e-3, "trend slope {slope}");
}

#[test]
fn series_decompose_forecast_extends_the_weekly_pattern() {
    // Four weeks learnt, the fifth (zeros, as make-series fills it) forecast.
    let r = rows(
        "let ts=range t from 1 to 24*7*5 step 1
         | extend y = iff(t > 24*7*4, 0.0, iff((t/24)%7>=5, 5.0, 15.0) - (((t%24)/10)*((t%24)/10)))
         | summarize y=make_list(y, 10000);
         ts | project f = series_decompose_forecast(y, 24*7), y",
    );
    let f = r[0]["f"].as_array().unwrap();
    // The forecast week repeats the pattern of the weeks before it.
    for i in 24 * 7 * 4..24 * 7 * 5 {
        let expected = r[0]["y"][i - 168].as_f64().unwrap();
        assert!(
            (f[i].as_f64().unwrap() - expected).abs() < 1e-9,
            "point {i}"
        );
    }
}

#[test]
fn series_outliers_scores_in_interquantile_ranges() {
    // tukey: q1 = 2.25, q3 = 4.75 (linear interpolation), range 2.5.
    let r = rows("print s = series_outliers(dynamic([1, 2, 3, 4, 5, 20]), 'tukey')");
    let s = r[0]["s"].as_array().unwrap();
    assert!((s[5].as_f64().unwrap() - 6.1).abs() < 1e-9);
    assert_eq!(s[2].as_f64().unwrap(), 0.0);
}

#[test]
fn series_fir_moving_average_and_difference() {
    // series-fir-function: a 5-point moving average, and [1,-1] differences.
    let r = rows(
        "print a = series_fir(dynamic([0,0,10,0,0,0]), dynamic([1,1,1,1,1])),
               c = series_fir(dynamic([0,0,10,0,0,0]), dynamic([1,1,1,1,1]), true, true),
               d = series_fir(dynamic([0,0,2,2,3,3]), dynamic([1,-1]), false, false)",
    );
    assert_eq!(r[0]["a"], json!([0.0, 0.0, 2.0, 2.0, 2.0, 2.0]));
    assert_eq!(r[0]["c"], json!([2.0, 2.0, 2.0, 2.0, 2.0, 0.0]));
    assert_eq!(r[0]["d"], json!([0.0, 0.0, 2.0, 0.0, 1.0, 0.0]));
}

#[test]
fn series_fit_2lines_splits_at_the_trend_change() {
    let r = rows(
        "print y = dynamic([1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1]) | extend (rs, si) = series_fit_2lines(y)",
    );
    assert_eq!(r[0]["si"], json!(6));
    assert!(r[0]["rs"].as_f64().unwrap() > 0.95);
}

#[test]
fn series_fit_poly_recovers_a_quadratic() {
    let r = rows(
        "print y = dynamic([6, 11, 18, 27, 38]) | extend series_fit_poly(y, dynamic([1,2,3,4,5]), 2)",
    );
    let c: Vec<f64> = r[0]["series_fit_poly_y_coefficients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    // y = x² + 2x + 3
    for (got, want) in c.iter().zip([1.0, 2.0, 3.0]) {
        assert!((got - want).abs() < 1e-9, "{c:?}");
    }
}

#[test]
fn series_fft_and_ifft_round_trip() {
    let r = rows(
        "print x = dynamic([1.0, 2.0, 3.0, 4.0, 5.0])
         | extend (re, im) = series_fft(x)
         | extend (x2, im2) = series_ifft(re, im)",
    );
    for (a, b) in r[0]["x"]
        .as_array()
        .unwrap()
        .iter()
        .zip(r[0]["x2"].as_array().unwrap())
    {
        assert!((a.as_f64().unwrap() - b.as_f64().unwrap()).abs() < 1e-9);
    }
    assert!((r[0]["re"][0].as_f64().unwrap() - 15.0).abs() < 1e-9);
}

/// A minimal MaxMind DB (format 2.0) with one IPv4 network,
/// 81.2.69.0/24, written here so that the test depends on no third-party
/// database file.
fn tiny_mmdb() -> Vec<u8> {
    fn string(s: &str) -> Vec<u8> {
        assert!(s.len() < 29);
        let mut out = vec![(2 << 5) | s.len() as u8];
        out.extend_from_slice(s.as_bytes());
        out
    }
    fn double(x: f64) -> Vec<u8> {
        let mut out = vec![(3 << 5) | 8];
        out.extend_from_slice(&x.to_be_bytes());
        out
    }
    fn uint(kind: u8, x: u64, bytes: usize) -> Vec<u8> {
        let be = x.to_be_bytes();
        let mut out = if kind <= 7 {
            vec![(kind << 5) | bytes as u8]
        } else {
            vec![bytes as u8, kind - 7]
        };
        out.extend_from_slice(&be[8 - bytes..]);
        out
    }
    fn map(pairs: Vec<(&str, Vec<u8>)>) -> Vec<u8> {
        let mut out = vec![(7 << 5) | pairs.len() as u8];
        for (k, v) in pairs {
            out.extend(string(k));
            out.extend(v);
        }
        out
    }
    fn array(items: Vec<Vec<u8>>) -> Vec<u8> {
        let mut out = vec![items.len() as u8, 11 - 7];
        for i in items {
            out.extend(i);
        }
        out
    }
    let names = |en: &str| map(vec![("en", string(en))]);
    let record = map(vec![
        ("city", map(vec![("names", names("London"))])),
        ("country", map(vec![("names", names("United Kingdom"))])),
        (
            "subdivisions",
            array(vec![map(vec![("names", names("England"))])]),
        ),
        (
            "location",
            map(vec![
                ("latitude", double(51.5142)),
                ("longitude", double(-0.0931)),
            ]),
        ),
    ]);
    // The search tree: one node per bit of the 24-bit prefix, each with a
    // record for bit 0 and one for bit 1; 24-bit records.
    let prefix: u32 = u32::from_be_bytes([81, 2, 69, 0]);
    let node_count: u32 = 24;
    let no_data = node_count;
    let data = node_count + 16; // the record's offset (0) + node_count + 16
    let mut tree = Vec::new();
    for depth in 0..24 {
        let bit = (prefix >> (31 - depth)) & 1;
        let next = if depth == 23 { data } else { depth + 1 };
        let (left, right) = if bit == 0 {
            (next, no_data)
        } else {
            (no_data, next)
        };
        tree.extend_from_slice(&left.to_be_bytes()[1..]);
        tree.extend_from_slice(&right.to_be_bytes()[1..]);
    }
    let mut db = tree;
    db.extend_from_slice(&[0u8; 16]);
    db.extend(record);
    db.extend_from_slice(b"\xAB\xCD\xEFMaxMind.com");
    db.extend(map(vec![
        ("node_count", uint(6, u64::from(node_count), 4)),
        ("record_size", uint(5, 24, 2)),
        ("ip_version", uint(5, 4, 2)),
        ("database_type", string("kqlite-Test-City")),
        ("languages", array(vec![string("en")])),
        ("binary_format_major_version", uint(5, 2, 2)),
        ("binary_format_minor_version", uint(5, 0, 2)),
        ("build_epoch", uint(9, 0, 8)),
        ("description", map(vec![("en", string("kqlite test"))])),
    ]));
    db
}

#[test]
fn geo_info_from_ip_address_reads_the_given_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("test.mmdb");
    std::fs::write(&path, tiny_mmdb()).unwrap();
    let db = GeoIpDatabase::open(&path).unwrap();
    let r = rows_with(
        EngineOptions {
            threads: Some(1),
            geoip: Some(Arc::new(db)),
            ..EngineOptions::default()
        },
        "print a = geo_info_from_ip_address('81.2.69.160'), b = geo_info_from_ip_address('10.0.0.1'),
               c = geo_info_from_ip_address('not an address')",
    );
    assert_eq!(
        r[0]["a"],
        json!({"country": "United Kingdom", "state": "England", "city": "London",
               "latitude": 51.5142, "longitude": -0.0931})
    );
    assert_eq!(r[0]["b"], Json::Null);
    assert_eq!(r[0]["c"], Json::Null);

    // The CLI: --geoip FILE.
    let out = Command::new(env!("CARGO_BIN_EXE_kqlite"))
        .args([
            "--geoip",
            path.to_str().unwrap(),
            "--format",
            "jsonl",
            "print c = geo_info_from_ip_address('81.2.69.1').city",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "{\"c\":\"London\"}\n");
}

#[test]
fn geo_info_from_ip_address_without_a_database_is_null_with_a_note() {
    let r = rows("print a = geo_info_from_ip_address('81.2.69.160')");
    assert_eq!(r[0]["a"], Json::Null);
    let out = Command::new(env!("CARGO_BIN_EXE_kqlite"))
        .args([
            "--format",
            "jsonl",
            "print a = geo_info_from_ip_address('81.2.69.160')",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "{\"a\":null}\n");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no GeoIP database was given (--geoip FILE"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A file that is not a database is refused, with the reason.
    let out = Command::new(env!("CARGO_BIN_EXE_kqlite"))
        .args(["--geoip", "Cargo.toml", "print 1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read GeoIP database"));
}

#[test]
fn geo_functions_agree_with_each_other() {
    let r = rows(
        "print h = geo_point_to_geohash(-122.3, 47.6, 18),
               c = geo_geohash_to_central_point(geo_point_to_geohash(-122.3, 47.6, 12)),
               s = geo_s2cell_to_central_point(geo_point_to_s2cell(-122.3, 47.6, 30)),
               n = array_length(geo_h3cell_neighbors(geo_point_to_h3cell(-122.3, 47.6, 7))),
               rings = array_length(geo_h3cell_rings(geo_point_to_h3cell(-122.3, 47.6, 7), 2)),
               d = geo_distance_2points(-122.3, 47.6, -122.3, 47.6),
               e = geo_distance_2points(-122.407628, 47.578557, -118.275287, 34.019056, true),
               inpoly = geo_point_in_polygon(1, 1, dynamic({\"type\":\"Polygon\",\"coordinates\":[[[0,0],[2,0],[2,2],[0,2],[0,0]],[[0.5,0.5],[1.5,0.5],[1.5,1.5],[0.5,1.5],[0.5,0.5]]]}))",
    );
    assert_eq!(r[0]["h"].as_str().unwrap().len(), 18);
    for col in ["c", "s"] {
        let lon = r[0][col]["coordinates"][0].as_f64().unwrap();
        let lat = r[0][col]["coordinates"][1].as_f64().unwrap();
        assert!(
            (lon + 122.3).abs() < 1e-6 && (lat - 47.6).abs() < 1e-6,
            "{col}"
        );
    }
    assert_eq!(r[0]["n"], json!(6));
    assert_eq!(r[0]["rings"], json!(3));
    assert_eq!(r[0]["d"], json!(0.0));
    // On the WGS-84 ellipsoid Seattle–Los Angeles is a little longer than
    // on the sphere (1,546,754 m).
    let e = r[0]["e"].as_f64().unwrap();
    assert!((1_548_000.0..1_552_000.0).contains(&e), "{e}");
    // The point is in the hole.
    assert_eq!(r[0]["inpoly"], json!(false));
}
