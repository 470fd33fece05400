//! GUIDs in base64 and gzip-compressed base64 text:
//! `base64_decode_toguid`, `base64_encode_fromguid`
//! (`https://learn.microsoft.com/kusto/query/<name>-function`),
//! `gzip_compress_to_base64_string` (`gzip-base64-compress`) and
//! `gzip_decompress_from_base64_string` (`gzip-base64-decompress`).
//!
//! A GUID's 16 bytes are in .NET's `Guid.ToByteArray` order (the first
//! three groups little-endian), as the `base64_encode_fromguid` page's
//! example shows. gzip is flate2's (already used to read `.gz` inputs).

use super::{EvalContext, ScalarFunction, arg, function, signature, string_value, text};
use crate::types::DataType;
use crate::value::{Guid, Value};
use base64::Engine;
use std::io::{Read, Write};

pub(super) const FUNCTIONS: &[ScalarFunction] = &[
    function(
        "base64_decode_toguid",
        1,
        1,
        sig_guid_of_string,
        base64_decode_toguid,
    ),
    function(
        "base64_encode_fromguid",
        1,
        1,
        sig_string_of_guid,
        base64_encode_fromguid,
    ),
    function(
        "gzip_compress_to_base64_string",
        1,
        1,
        sig_string_of_string,
        gzip_compress_to_base64_string,
    ),
    function(
        "gzip_decompress_from_base64_string",
        1,
        1,
        sig_string_of_string,
        gzip_decompress_from_base64_string,
    ),
];

signature!(sig_guid_of_string, "base64_decode_toguid", [Str] => Guid);
signature!(sig_string_of_string, "gzip_compress_to_base64_string", [Str] => String);

/// `base64_encode_fromguid(guid)`: a guid (or a dynamic holding one);
/// the page says anything else is an error.
fn sig_string_of_guid(types: &[DataType]) -> Result<DataType, super::SignatureError> {
    match types[0] {
        DataType::Guid | DataType::Dynamic => Ok(DataType::String),
        t => Err(super::arg_type_error(
            "base64_encode_fromguid",
            0,
            "a guid",
            t,
        )),
    }
}

fn engine() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

/// The 16 bytes of a GUID in .NET's `ToByteArray` order.
fn guid_bytes(g: Guid) -> [u8; 16] {
    let b = g.0.to_be_bytes();
    let mut out = b;
    out[0..4].copy_from_slice(&[b[3], b[2], b[1], b[0]]);
    out[4..6].copy_from_slice(&[b[5], b[4]]);
    out[6..8].copy_from_slice(&[b[7], b[6]]);
    out
}

/// `base64_decode_toguid(s)`: null unless `s` is base64 of 16 bytes.
fn base64_decode_toguid(args: &[Value], _: &EvalContext) -> Value {
    let Value::String(s) = arg(args, 0) else {
        return Value::Null;
    };
    match engine().decode(s.trim().as_bytes()) {
        Ok(bytes) => match <[u8; 16]>::try_from(bytes.as_slice()) {
            // The byte swap is its own inverse.
            Ok(b) => Value::Guid(Guid(u128::from_be_bytes(guid_bytes(Guid(
                u128::from_be_bytes(b),
            ))))),
            Err(_) => Value::Null,
        },
        Err(_) => Value::Null,
    }
}

/// `base64_encode_fromguid(g)`: the base64 of the GUID's 16 bytes.
fn base64_encode_fromguid(args: &[Value], _: &EvalContext) -> Value {
    match arg(args, 0) {
        Value::Guid(g) => string_value(engine().encode(guid_bytes(*g))),
        _ => Value::Null,
    }
}

/// `gzip_compress_to_base64_string(s)`: the gzip of the UTF-8 text, in
/// base64; the empty string when compression fails.
fn gzip_compress_to_base64_string(args: &[Value], _: &EvalContext) -> Value {
    let input = text(arg(args, 0));
    let mut encoder = flate2::GzBuilder::new()
        .operating_system(255)
        .write(Vec::new(), flate2::Compression::default());
    let done = encoder
        .write_all(input.as_bytes())
        .and_then(|()| encoder.finish());
    match done {
        Ok(bytes) => string_value(engine().encode(bytes)),
        Err(_) => Value::empty_string(),
    }
}

/// `gzip_decompress_from_base64_string(s)`: the text the base64 gzip
/// holds; the empty string when it is not base64, not gzip, or not UTF-8.
fn gzip_decompress_from_base64_string(args: &[Value], _: &EvalContext) -> Value {
    let input = text(arg(args, 0));
    let Ok(bytes) = engine().decode(input.trim().as_bytes()) else {
        return Value::empty_string();
    };
    let mut out = String::new();
    match flate2::read::GzDecoder::new(bytes.as_slice()).read_to_string(&mut out) {
        Ok(_) => string_value(out),
        Err(_) => Value::empty_string(),
    }
}
