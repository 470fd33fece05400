//! `geo_from_wkt()`: well-known text to GeoJSON (geo-from-wkt-function).
//!
//! Reads the seven 2-D geometry types the page shows (`POINT`,
//! `LINESTRING`, `POLYGON`, their `MULTI` forms and `GEOMETRYCOLLECTION`);
//! anything else (`EMPTY`, `Z`/`M` coordinates, text after the geometry)
//! is "invalid or unsupported": null.

use super::text_at;
use crate::functions::EvalContext;
use crate::value::{Bag, Value};

/// Deepest nesting of geometry collections read.
const MAX_DEPTH: usize = 32;

struct Reader<'a> {
    text: &'a str,
    pos: usize,
}

impl Reader<'_> {
    fn skip_space(&mut self) {
        let rest = &self.text[self.pos..];
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_space();
        if self.text[self.pos..].starts_with(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn word(&mut self) -> String {
        self.skip_space();
        let rest = &self.text[self.pos..];
        let len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        self.pos += len;
        rest[..len].to_ascii_uppercase()
    }

    fn number(&mut self) -> Option<Value> {
        self.skip_space();
        let rest = &self.text[self.pos..];
        let len = rest
            .find(|c: char| !(c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')))
            .unwrap_or(rest.len());
        let token = &rest[..len];
        self.pos += len;
        // Whole numbers stay whole, as the page prints them (`[1,2]`).
        if let Ok(n) = token.parse::<i64>() {
            return Some(Value::Long(n));
        }
        token
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(Value::Real)
    }

    /// `x y`
    fn position(&mut self) -> Option<Value> {
        let x = self.number()?;
        let y = self.number()?;
        Some(Value::array(vec![x, y]))
    }

    /// `( item, item, ... )`
    fn list(&mut self, item: fn(&mut Self) -> Option<Value>) -> Option<Value> {
        if !self.eat('(') {
            return None;
        }
        let mut items = vec![item(self)?];
        while self.eat(',') {
            items.push(item(self)?);
        }
        self.eat(')').then(|| Value::array(items))
    }

    fn positions(&mut self) -> Option<Value> {
        self.list(Self::position)
    }

    fn rings(&mut self) -> Option<Value> {
        self.list(Self::positions)
    }

    fn polygons(&mut self) -> Option<Value> {
        self.list(Self::rings)
    }

    /// A `MULTIPOINT` member: `(x y)` or bare `x y`.
    fn multipoint_member(&mut self) -> Option<Value> {
        if self.eat('(') {
            let p = self.position()?;
            return self.eat(')').then_some(p);
        }
        self.position()
    }

    fn geometry(&mut self, depth: usize) -> Option<Value> {
        let kind = self.word();
        let (name, coordinates) = match kind.as_str() {
            "POINT" => {
                if !self.eat('(') {
                    return None;
                }
                let p = self.position()?;
                if !self.eat(')') {
                    return None;
                }
                ("Point", p)
            }
            "LINESTRING" => ("LineString", self.positions()?),
            "POLYGON" => ("Polygon", self.rings()?),
            "MULTIPOINT" => ("MultiPoint", self.list(Self::multipoint_member)?),
            "MULTILINESTRING" => ("MultiLineString", self.rings()?),
            "MULTIPOLYGON" => ("MultiPolygon", self.polygons()?),
            "GEOMETRYCOLLECTION" if depth < MAX_DEPTH => {
                if !self.eat('(') {
                    return None;
                }
                let mut geometries = vec![self.geometry(depth + 1)?];
                while self.eat(',') {
                    geometries.push(self.geometry(depth + 1)?);
                }
                if !self.eat(')') {
                    return None;
                }
                let mut bag = Bag::new();
                bag.insert("type".into(), Value::string("GeometryCollection"));
                bag.insert("geometries".into(), Value::array(geometries));
                return Some(Value::bag(bag));
            }
            _ => return None,
        };
        let mut bag = Bag::new();
        bag.insert("type".into(), Value::string(name));
        bag.insert("coordinates".into(), coordinates);
        Some(Value::bag(bag))
    }
}

/// `geo_from_wkt(wkt)`.
pub(super) fn geo_from_wkt(args: &[Value], _: &EvalContext) -> Value {
    let Some(text) = text_at(args, 0) else {
        return Value::Null;
    };
    let mut reader = Reader { text, pos: 0 };
    match reader.geometry(0) {
        Some(v) => {
            reader.skip_space();
            if reader.pos == text.len() {
                v
            } else {
                Value::Null
            }
        }
        None => Value::Null,
    }
}
