//! Event Hubs Capture files: Avro object containers whose records are
//! Event Hub messages (`SequenceNumber`, `Offset`, `EnqueuedTimeUtc`,
//! `SystemProperties`, `Properties`, `Body`), read with the Apache Avro
//! crate (`apache-avro`; the null and deflate codecs that Capture writes).
//! Each message's `Body` is a document of the records' format — for
//! diagnostic settings, `{"records":[…]}` — and is read by that format's
//! decoder. Bad records are reported at their message's number (counted
//! from 1), given as the line.
//!
//! Built without the `avro` feature, kqlite still recognises these files
//! by their magic bytes, and reports each as an input it cannot read.

use super::read::{Decode, Loc, Out};
#[cfg(feature = "avro")]
use apache_avro::types::Value as AvroValue;

/// True when `bytes` start with the Avro object-container magic.
pub fn is_avro(bytes: &[u8]) -> bool {
    bytes.starts_with(b"Obj\x01")
}

#[cfg(feature = "avro")]
/// The `Body` of an Event Hubs Capture record (bytes, or a string).
fn body(record: AvroValue) -> Option<Vec<u8>> {
    let AvroValue::Record(fields) = record else {
        return None;
    };
    let (_, value) = fields.into_iter().find(|(name, _)| name == "Body")?;
    match value {
        AvroValue::Bytes(b) | AvroValue::Fixed(_, b) => Some(b),
        AvroValue::String(s) => Some(s.into_bytes()),
        AvroValue::Union(_, inner) => match *inner {
            AvroValue::Bytes(b) => Some(b),
            AvroValue::String(s) => Some(s.into_bytes()),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(feature = "avro")]
/// The bodies of the first few messages, to recognise what they hold.
pub(crate) fn first_bodies(bytes: &[u8], limit: usize) -> Result<Vec<u8>, String> {
    let reader = apache_avro::Reader::new(bytes).map_err(|e| format!("Avro: {e}"))?;
    let mut text = Vec::new();
    for value in reader.take(limit) {
        let value = value.map_err(|e| format!("Avro: {e}"))?;
        if let Some(b) = body(value) {
            // One line per body, so that each reads as one record line.
            let mut line = String::new();
            match crate::json::minify(&b, &mut line) {
                Ok(()) => text.extend_from_slice(line.as_bytes()),
                Err(_) => text.extend_from_slice(&b),
            }
            text.push(b'\n');
        }
    }
    Ok(text)
}

#[cfg(feature = "avro")]
/// Reads every message of the container at `bytes`, handing each body to
/// `decoder` as a document.
pub(crate) fn read(bytes: &[u8], decoder: &dyn Decode, out: &mut Out) {
    let reader = match apache_avro::Reader::new(bytes) {
        Ok(r) => r,
        Err(e) => {
            out.bad(Loc::Line(1), format!("not an Avro container: {e}"));
            return;
        }
    };
    for (i, value) in reader.enumerate() {
        let message = i + 1;
        match value {
            Ok(v) => match body(v) {
                Some(b) => decoder.document(&b, &|_| Loc::Line(message), out),
                None => out.bad(Loc::Line(message), "Avro record without a `Body`"),
            },
            Err(e) => {
                out.bad(Loc::Line(message), format!("Avro: {e}"));
                return;
            }
        }
        if out.stopped() {
            return;
        }
    }
}

/// Why an Avro file cannot be read without the `avro` feature.
#[cfg(not(feature = "avro"))]
const NO_AVRO: &str = "kqlite was built without the `avro` feature";

#[cfg(not(feature = "avro"))]
pub(crate) fn first_bodies(_bytes: &[u8], _limit: usize) -> Result<Vec<u8>, String> {
    Err(NO_AVRO.to_string())
}

#[cfg(not(feature = "avro"))]
pub(crate) fn read(_bytes: &[u8], _decoder: &dyn Decode, out: &mut Out) {
    out.bad(Loc::Line(1), NO_AVRO);
}

#[cfg(all(test, not(feature = "avro")))]
mod tests {
    #[test]
    fn without_the_feature_a_capture_file_is_an_input_error_that_says_why() {
        // What `Engine::add_path` does with the file: detect its format.
        let input = super::super::Input::file("tests/data/formats/aks/capture/0.avro");
        let error =
            super::super::detect_input(input, "AKSAudit", &super::super::FormatChoice::default())
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
        assert!(error.contains(super::NO_AVRO), "{error}");
    }
}
