//! `geo_info_from_ip_address(ip)`
//! (<https://learn.microsoft.com/kusto/query/geo-info-from-ip-address-function>)
//! from a GeoIP database in MaxMind's format that the user supplies
//! (`--geoip FILE`, [`crate::EngineOptions::geoip`]), read with the
//! `maxminddb` crate. Without a database every answer is null (the CLI
//! says so on stderr).

use super::{EvalContext, ScalarFunction, SignatureError, arg, function};
use crate::types::DataType;
use crate::value::{Bag, Value};
use std::fmt;
use std::net::IpAddr;
use std::path::Path;

pub(super) const FUNCTIONS: &[ScalarFunction] = &[function(
    "geo_info_from_ip_address",
    1,
    1,
    sig_dynamic,
    geo_info_from_ip_address,
)];

fn sig_dynamic(_: &[DataType]) -> Result<DataType, SignatureError> {
    Ok(DataType::Dynamic)
}

/// An open GeoIP database (a MaxMind `.mmdb` file: GeoIP2/GeoLite2 City or
/// Country, or any database with the same record layout).
pub struct GeoIpDatabase {
    reader: maxminddb::Reader<Vec<u8>>,
}

impl fmt::Debug for GeoIpDatabase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GeoIpDatabase")
            .field("database_type", &self.reader.metadata().database_type)
            .finish()
    }
}

impl GeoIpDatabase {
    /// Reads the database at `path`; the error says why it cannot be used.
    pub fn open(path: &Path) -> Result<GeoIpDatabase, String> {
        maxminddb::Reader::open_readfile(path)
            .map(|reader| GeoIpDatabase { reader })
            .map_err(|e| format!("cannot read GeoIP database {}: {e}", path.display()))
    }

    /// The page's fields for `ip`: `country`, `state`, `city`, `latitude`,
    /// `longitude` (English names), the ones the database has. `None` when
    /// the address is not in the database.
    pub fn lookup(&self, ip: IpAddr) -> Option<Value> {
        let found = self.reader.lookup(ip).ok()?;
        let city: maxminddb::geoip2::City = found.decode().ok()??;
        let mut bag = Bag::new();
        if let Some(name) = city.country.names.english {
            bag.insert("country".into(), Value::string(name));
        }
        if let Some(name) = city.subdivisions.first().and_then(|s| s.names.english) {
            bag.insert("state".into(), Value::string(name));
        }
        if let Some(name) = city.city.names.english {
            bag.insert("city".into(), Value::string(name));
        }
        if let Some(lat) = city.location.latitude {
            bag.insert("latitude".into(), Value::Real(lat));
        }
        if let Some(lon) = city.location.longitude {
            bag.insert("longitude".into(), Value::Real(lon));
        }
        Some(Value::bag(bag))
    }
}

fn geo_info_from_ip_address(args: &[Value], ctx: &EvalContext) -> Value {
    let Some(db) = &ctx.geoip else {
        return Value::Null;
    };
    let Value::String(text) = arg(args, 0) else {
        return Value::Null;
    };
    match text.trim().parse::<IpAddr>() {
        Ok(ip) => db.lookup(ip).unwrap_or(Value::Null),
        Err(_) => Value::Null,
    }
}
