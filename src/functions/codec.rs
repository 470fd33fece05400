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
///
/// The text is deflated (flate2, default level) unless that gives more
/// bytes than the text itself, when it is kept in stored (uncompressed)
/// blocks: the page's example (`"1234567890qwertyuiop"`, 20 bytes that
/// deflate to 22) shows a stored block (docs/semantics.md#differences).
/// The header is the page's: no name, time or flags, operating system 255.
fn gzip_compress_to_base64_string(args: &[Value], _: &EvalContext) -> Value {
    let input = text(arg(args, 0));
    let bytes = input.as_bytes();
    let mut encoder =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    let deflated = encoder.write_all(bytes).and_then(|()| encoder.finish());
    let body = match deflated {
        Ok(d) if d.len() <= bytes.len() => d,
        Ok(_) => stored_blocks(bytes),
        Err(_) => return Value::empty_string(),
    };
    let mut crc = flate2::Crc::new();
    crc.update(bytes);
    let mut out = Vec::with_capacity(body.len() + 18);
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    // ISIZE: the length modulo 2^32 (RFC 1952).
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    string_value(engine().encode(out))
}

/// `bytes` as deflate stored blocks (RFC 1951 §3.2.4), the last one final.
fn stored_blocks(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 5 * (bytes.len() / 65_535 + 1));
    let mut chunks: Vec<&[u8]> = bytes.chunks(65_535).collect();
    if chunks.is_empty() {
        chunks.push(&[]);
    }
    let last = chunks.len() - 1;
    for (i, chunk) in chunks.iter().enumerate() {
        let len = chunk.len() as u16;
        out.push(u8::from(i == last));
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Stored blocks of any length (several blocks past 65,535 bytes, one
    /// empty block for none) decompress to the bytes they hold.
    #[test]
    fn stored_blocks_decompress_to_their_bytes() {
        for len in [0usize, 1, 20, 65_535, 65_536, 150_000] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            let mut out = Vec::new();
            flate2::read::DeflateDecoder::new(stored_blocks(&bytes).as_slice())
                .read_to_end(&mut out)
                .unwrap();
            assert_eq!(out, bytes, "{len} bytes");
        }
    }
}
