//! Geometry on the unit sphere: points as unit vectors, edges as the
//! shorter great-circle arcs between them.
//!
//! The measures follow the definitions of the S2 geometry library, the
//! library the Kusto geospatial functions are built on (the pages name S2
//! for their cells and describe edges as geodesics on a sphere): lengths
//! are central angles computed as `atan2(|a×b|, a·b)`, areas are sums of
//! signed triangle areas (l'Huilier's formula, a triple product for thin
//! triangles) fanned out from a ring's first vertex, and centroids are
//! "true" centroids (the surface integral of the position, scaled by the
//! length or area). Computing in the same way reproduces the documented
//! outputs to the printed digits (the central-park area agrees to 15
//! digits with these formulas and differs in the tenth with a plain
//! spherical-excess sum).

/// A point on the unit sphere.
pub(super) type Vec3 = [f64; 3];

/// The unit vector of a (longitude, latitude) position in degrees.
pub(super) fn unit(lon: f64, lat: f64) -> Vec3 {
    let (lon, lat) = (lon.to_radians(), lat.to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

/// The (longitude, latitude) in degrees of a non-zero vector.
pub(super) fn lon_lat(p: Vec3) -> (f64, f64) {
    let lat = p[2].atan2(p[0].hypot(p[1])).to_degrees();
    let lon = p[1].atan2(p[0]).to_degrees();
    (lon, lat)
}

pub(super) fn dot(a: Vec3, b: Vec3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

pub(super) fn cross(a: Vec3, b: Vec3) -> Vec3 {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

pub(super) fn norm(a: Vec3) -> f64 {
    dot(a, a).sqrt()
}

pub(super) fn add(a: Vec3, b: Vec3) -> Vec3 {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}

pub(super) fn sub(a: Vec3, b: Vec3) -> Vec3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

pub(super) fn scale(a: Vec3, k: f64) -> Vec3 {
    [a[0] * k, a[1] * k, a[2] * k]
}

/// `a` scaled to unit length; `None` for the zero vector.
pub(super) fn normalize(a: Vec3) -> Option<Vec3> {
    let n = norm(a);
    (n > 0.0 && n.is_finite()).then(|| scale(a, 1.0 / n))
}

/// The central angle between two unit vectors, in radians.
pub(super) fn angle(a: Vec3, b: Vec3) -> f64 {
    norm(cross(a, b)).atan2(dot(a, b))
}

/// The direction of `a × b` computed as `(b + a) × (b - a)` (twice the
/// product), which keeps its precision when `a` and `b` are close: the
/// documented distances to short edges need it in the tenth digit.
pub(super) fn robust_cross(a: Vec3, b: Vec3) -> Vec3 {
    cross(add(b, a), sub(b, a))
}

/// Whether the arc from `a` to `b` is a usable edge: distinct ends that are
/// not antipodal (the pages: "edge length must be less than 180 degrees").
pub(super) fn valid_edge(a: Vec3, b: Vec3) -> bool {
    norm(cross(a, b)) > 0.0 || dot(a, b) > 0.0
}

/// The central angle from `p` to the great-circle arc from `a` to `b`.
pub(super) fn angle_to_arc(p: Vec3, a: Vec3, b: Vec3) -> f64 {
    let n = robust_cross(a, b);
    let nn = norm(n);
    if nn > 1e-15 {
        let n = [n[0] / nn, n[1] / nn, n[2] / nn];
        let d = dot(p, n);
        let q = [p[0] - d * n[0], p[1] - d * n[1], p[2] - d * n[2]];
        if norm(q) > 1e-15 && dot(cross(a, q), n) >= 0.0 && dot(cross(q, b), n) >= 0.0 {
            return d.abs().min(1.0).asin();
        }
    }
    angle(p, a).min(angle(p, b))
}

/// The point of the arc from `a` to `b` closest to `p`.
pub(super) fn project_to_arc(p: Vec3, a: Vec3, b: Vec3) -> Vec3 {
    let n = robust_cross(a, b);
    if let Some(n) = normalize(n) {
        let d = dot(p, n);
        let q = sub(p, scale(n, d));
        if let Some(q) = normalize(q)
            && dot(cross(a, q), n) >= 0.0
            && dot(cross(q, b), n) >= 0.0
        {
            return q;
        }
    }
    if angle(p, a) <= angle(p, b) { a } else { b }
}

/// The point at angle `t` (radians) from `a` along the arc towards `b`.
pub(super) fn point_on_arc(a: Vec3, b: Vec3, t: f64) -> Vec3 {
    let Some(dir) = normalize(cross(robust_cross(a, b), a)) else {
        return a;
    };
    let p = add(scale(a, t.cos()), scale(dir, t.sin()));
    normalize(p).unwrap_or(a)
}

/// The true centroid of the arc from `a` to `b`, scaled by its length
/// (a vector towards the arc's midpoint).
pub(super) fn edge_centroid(a: Vec3, b: Vec3) -> Vec3 {
    let vsum = add(a, b);
    let sin2 = dot(sub(a, b), sub(a, b));
    let cos2 = dot(vsum, vsum);
    if cos2 == 0.0 {
        return [0.0; 3];
    }
    scale(vsum, (sin2 / cos2).sqrt())
}

/// The area of the spherical triangle `abc` (unsigned).
fn triangle_area(a: Vec3, b: Vec3, c: Vec3) -> f64 {
    let sa = angle(b, c);
    let sb = angle(c, a);
    let sc = angle(a, b);
    let s = 0.5 * (sa + sb + sc);
    if s >= 3e-4 {
        // Thin triangles (S2's test): l'Huilier's formula loses its
        // precision as the three points near one great circle (a union's
        // crossing points lie on the edges they cut, and fan triangles from
        // the ring's first vertex can be flat); the solid angle from the
        // triple product keeps it.
        let s2 = s * s;
        let dmin = s - sa.max(sb).max(sc);
        if dmin < 1e-2 * s * s2 * s2 {
            let area = flat_triangle_area(a, b, c);
            if dmin < s * (0.1 * (area + 5e-15)) {
                return area;
            }
        }
    }
    let t =
        (0.5 * s).tan() * (0.5 * (s - sa)).tan() * (0.5 * (s - sb)).tan() * (0.5 * (s - sc)).tan();
    4.0 * t.max(0.0).sqrt().atan()
}

/// The area of a thin triangle: Oosterom and Strackee's solid angle,
/// `tan(E/2) = a·(b×c) / (1 + a·b + b·c + c·a)`, with the triple product
/// taken over the differences `b - a`, `c - a` so that it stays exact to
/// the rounding of the points when they are nearly on one great circle.
fn flat_triangle_area(a: Vec3, b: Vec3, c: Vec3) -> f64 {
    let det = dot(a, cross(sub(b, a), sub(c, a)));
    2.0 * det.abs().atan2(1.0 + dot(a, b) + dot(b, c) + dot(c, a))
}

/// The area of triangle `abc`, positive when counter-clockwise.
fn signed_triangle_area(a: Vec3, b: Vec3, c: Vec3) -> f64 {
    let area = triangle_area(a, b, c);
    if dot(cross(a, b), c) >= 0.0 {
        area
    } else {
        -area
    }
}

/// The true centroid of triangle `abc` scaled by its area (signed as the
/// triangle's orientation).
fn triangle_centroid(a: Vec3, b: Vec3, c: Vec3) -> Vec3 {
    let ratio = |x: f64| if x == 0.0 { 1.0 } else { x / x.sin() };
    let ra = ratio(angle(b, c));
    let rb = ratio(angle(c, a));
    let rc = ratio(angle(a, b));
    let x = [a[0], b[0] - a[0], c[0] - a[0]];
    let y = [a[1], b[1] - a[1], c[1] - a[1]];
    let z = [a[2], b[2] - a[2], c[2] - a[2]];
    let r = [ra, rb - ra, rc - ra];
    scale(
        [
            dot(cross(y, z), r),
            dot(cross(z, x), r),
            dot(cross(r, x), y),
        ],
        0.5,
    )
}

/// A closed ring's signed area (counter-clockwise positive, in
/// steradians, between -2π and 2π) and its centroid integral, fanned from
/// the first vertex. `ring` repeats its first vertex last.
pub(super) fn ring_integrals(ring: &[Vec3]) -> (f64, Vec3) {
    let open = &ring[..ring.len().saturating_sub(1)];
    let Some(&origin) = open.first() else {
        return (0.0, [0.0; 3]);
    };
    let mut area = 0.0;
    let mut centroid = [0.0; 3];
    for w in open[1..].windows(2) {
        area += signed_triangle_area(origin, w[0], w[1]);
        centroid = add(centroid, triangle_centroid(origin, w[0], w[1]));
    }
    (area, centroid)
}

/// The signed angle at `p` swept from `a` to `b` (seen from outside the
/// sphere, counter-clockwise positive).
fn turn_at(p: Vec3, a: Vec3, b: Vec3) -> f64 {
    let y = dot(p, cross(a, b));
    let x = dot(a, b) - dot(p, a) * dot(p, b);
    y.atan2(x)
}

/// Whether `p` lies inside the smaller region a closed ring bounds (its
/// winding number around `p`).
pub(super) fn ring_contains(ring: &[Vec3], p: Vec3) -> bool {
    let winding: f64 = ring.windows(2).map(|w| turn_at(p, w[0], w[1])).sum();
    winding.abs() > std::f64::consts::PI
}

/// Whether the arcs `ab` and `cd` share a point.
pub(super) fn arcs_cross(a: Vec3, b: Vec3, c: Vec3, d: Vec3) -> bool {
    let n1 = cross(a, b);
    let n2 = cross(c, d);
    let side = |n: Vec3, p: Vec3| dot(n, p);
    let (sc, sd) = (side(n1, c), side(n1, d));
    let (sa, sb) = (side(n2, a), side(n2, b));
    if sc * sd > 0.0 || sa * sb > 0.0 {
        return false;
    }
    if sc == 0.0 && sd == 0.0 {
        // On one great circle: overlap when an end of one lies on the other.
        return [c, d].iter().any(|&p| angle_to_arc(p, a, b) == 0.0)
            || [a, b].iter().any(|&p| angle_to_arc(p, c, d) == 0.0);
    }
    // The two great circles meet at ±x; the arcs cross when the same one
    // of them lies on both.
    let Some(x) = normalize(cross(n1, n2)) else {
        return false;
    };
    let on = |x: Vec3, a: Vec3, b: Vec3, n: Vec3| {
        dot(cross(a, x), n) >= 0.0 && dot(cross(x, b), n) >= 0.0
    };
    let neg = scale(x, -1.0);
    (on(x, a, b, n1) && on(x, c, d, n2)) || (on(neg, a, b, n1) && on(neg, c, d, n2))
}
