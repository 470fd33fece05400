//! Rows spilled to temporary files when an operator's buffered rows go
//! over the memory budget (issue 16): `sort` writes sorted runs and merges
//! them, `summarize` writes its rows to hash partitions and aggregates one
//! partition at a time.
//!
//! A record is a few lists of values, written in a small binary encoding
//! that gives back exactly the value written, for every type: a tag byte,
//! then fixed-width little-endian numbers (reals by their bits, decimals by
//! their 16-byte representation, datetimes and timespans by their ticks,
//! guids by their 128 bits), and lengths before strings, arrays and bags
//! (whose keys keep their order). The files are made with `tempfile`
//! (in the system's temporary directory, deleted when dropped, even when
//! the run stops early).

use crate::exec_error::ExecError;
use crate::value::{Bag, DateTime, Guid, Str, Timespan, Value};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::sync::Arc;

const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const INT: u8 = 3;
const LONG: u8 = 4;
const REAL: u8 = 5;
const DECIMAL: u8 = 6;
const DATETIME: u8 = 7;
const TIMESPAN: u8 = 8;
const GUID: u8 = 9;
const STRING: u8 = 10;
const ARRAY: u8 = 11;
const BAG: u8 = 12;

/// Appends `values` (their count, then each value) to `out`.
pub(super) fn encode_values(values: &[Value], out: &mut Vec<u8>) {
    encode_len(values.len(), out);
    for v in values {
        encode_value(v, out);
    }
}

fn encode_len(n: usize, out: &mut Vec<u8>) {
    out.extend_from_slice(&(n as u64).to_le_bytes());
}

fn encode_value(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.push(NULL),
        Value::Bool(false) => out.push(FALSE),
        Value::Bool(true) => out.push(TRUE),
        Value::Int(i) => {
            out.push(INT);
            out.extend_from_slice(&i.to_le_bytes());
        }
        Value::Long(i) => {
            out.push(LONG);
            out.extend_from_slice(&i.to_le_bytes());
        }
        Value::Real(r) => {
            out.push(REAL);
            out.extend_from_slice(&r.to_bits().to_le_bytes());
        }
        Value::Decimal(d) => {
            out.push(DECIMAL);
            out.extend_from_slice(&d.serialize());
        }
        Value::DateTime(t) => {
            out.push(DATETIME);
            out.extend_from_slice(&t.0.to_le_bytes());
        }
        Value::Timespan(t) => {
            out.push(TIMESPAN);
            out.extend_from_slice(&t.0.to_le_bytes());
        }
        Value::Guid(g) => {
            out.push(GUID);
            out.extend_from_slice(&g.0.to_le_bytes());
        }
        Value::String(s) => {
            out.push(STRING);
            encode_str(s.as_str(), out);
        }
        Value::Array(items) => {
            out.push(ARRAY);
            encode_values(items, out);
        }
        Value::Bag(bag) => {
            out.push(BAG);
            encode_len(bag.len(), out);
            for (k, v) in bag.iter() {
                encode_str(k.as_str(), out);
                encode_value(v, out);
            }
        }
    }
}

fn encode_str(s: &str, out: &mut Vec<u8>) {
    encode_len(s.len(), out);
    out.extend_from_slice(s.as_bytes());
}

/// Reads back a list written by [`encode_values`], advancing `input`.
pub(super) fn decode_values(input: &mut &[u8]) -> Result<Vec<Value>, ExecError> {
    let n = decode_len(input)?;
    // The count is only trusted as far as the bytes left can hold.
    let mut values = Vec::with_capacity(n.min(input.len()));
    for _ in 0..n {
        values.push(decode_value(input)?);
    }
    Ok(values)
}

fn take<'a>(input: &mut &'a [u8], n: usize) -> Result<&'a [u8], ExecError> {
    if input.len() < n {
        return Err(corrupt());
    }
    let (head, rest) = input.split_at(n);
    *input = rest;
    Ok(head)
}

fn fixed<const N: usize>(input: &mut &[u8]) -> Result<[u8; N], ExecError> {
    take(input, N)?.try_into().map_err(|_| corrupt())
}

fn decode_len(input: &mut &[u8]) -> Result<usize, ExecError> {
    usize::try_from(u64::from_le_bytes(fixed(input)?)).map_err(|_| corrupt())
}

fn decode_str(input: &mut &[u8]) -> Result<Str, ExecError> {
    let n = decode_len(input)?;
    let bytes = take(input, n)?;
    std::str::from_utf8(bytes)
        .map(Str::new)
        .map_err(|_| corrupt())
}

fn decode_value(input: &mut &[u8]) -> Result<Value, ExecError> {
    let tag = take(input, 1)?.first().copied().ok_or_else(corrupt)?;
    Ok(match tag {
        NULL => Value::Null,
        FALSE => Value::Bool(false),
        TRUE => Value::Bool(true),
        INT => Value::Int(i32::from_le_bytes(fixed(input)?)),
        LONG => Value::Long(i64::from_le_bytes(fixed(input)?)),
        REAL => Value::Real(f64::from_bits(u64::from_le_bytes(fixed(input)?))),
        DECIMAL => Value::Decimal(rust_decimal::Decimal::deserialize(fixed(input)?)),
        DATETIME => Value::DateTime(DateTime(i64::from_le_bytes(fixed(input)?))),
        TIMESPAN => Value::Timespan(Timespan(i64::from_le_bytes(fixed(input)?))),
        GUID => Value::Guid(Guid(u128::from_le_bytes(fixed(input)?))),
        STRING => Value::String(decode_str(input)?),
        ARRAY => Value::Array(Arc::new(decode_values(input)?)),
        BAG => {
            let n = decode_len(input)?;
            let mut bag = Bag::with_capacity(n.min(input.len()));
            for _ in 0..n {
                let k = decode_str(input)?;
                bag.insert(k, decode_value(input)?);
            }
            Value::Bag(Arc::new(bag))
        }
        _ => return Err(corrupt()),
    })
}

fn corrupt() -> ExecError {
    ExecError::Runtime("internal error: a spilled row could not be read back".into())
}

fn io(source: std::io::Error) -> ExecError {
    ExecError::Io {
        path: "a temporary file for spilled rows".into(),
        source,
    }
}

/// A temporary file of records, written once and then read from the start.
pub(super) struct SpillFile {
    writer: BufWriter<File>,
    records: u64,
}

impl SpillFile {
    /// A new, empty file in the system's temporary directory.
    pub(super) fn new() -> Result<SpillFile, ExecError> {
        Ok(SpillFile {
            writer: BufWriter::with_capacity(1 << 16, tempfile::tempfile().map_err(io)?),
            records: 0,
        })
    }

    /// Appends one record: `lists` encoded with [`encode_values`].
    pub(super) fn write(
        &mut self,
        lists: &[&[Value]],
        scratch: &mut Vec<u8>,
    ) -> Result<(), ExecError> {
        scratch.clear();
        for l in lists {
            encode_values(l, scratch);
        }
        self.writer
            .write_all(&(scratch.len() as u64).to_le_bytes())
            .map_err(io)?;
        self.writer.write_all(scratch).map_err(io)?;
        self.records += 1;
        Ok(())
    }

    /// Reads the records back, in the order they were written.
    pub(super) fn into_reader(self) -> Result<SpillReader, ExecError> {
        let mut file = self.writer.into_inner().map_err(|e| io(e.into_error()))?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        Ok(SpillReader {
            reader: BufReader::with_capacity(1 << 16, file),
            left: self.records,
            buf: Vec::new(),
        })
    }
}

/// The records of a [`SpillFile`], one at a time.
pub(super) struct SpillReader {
    reader: BufReader<File>,
    left: u64,
    buf: Vec<u8>,
}

impl SpillReader {
    /// The next record, as its `lists` lists of values.
    pub(super) fn next_record(
        &mut self,
        lists: usize,
    ) -> Result<Option<Vec<Vec<Value>>>, ExecError> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        let mut len = [0u8; 8];
        self.reader.read_exact(&mut len).map_err(io)?;
        let len = usize::try_from(u64::from_le_bytes(len)).map_err(|_| corrupt())?;
        self.buf.clear();
        self.buf.resize(len, 0);
        self.reader.read_exact(&mut self.buf).map_err(io)?;
        let mut input = self.buf.as_slice();
        let mut out = Vec::with_capacity(lists);
        for _ in 0..lists {
            out.push(decode_values(&mut input)?);
        }
        Ok(Some(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_reads_back_exactly() {
        let mut bag = Bag::new();
        bag.insert(Str::new("z"), Value::Long(1));
        bag.insert(
            Str::new("a"),
            Value::array(vec![Value::Null, Value::Real(-0.0)]),
        );
        let row = vec![
            Value::Null,
            Value::Bool(true),
            Value::Bool(false),
            Value::Int(-7),
            Value::Long(i64::MIN),
            Value::Real(0.1 + 0.2),
            Value::Real(f64::NAN),
            Value::Decimal(rust_decimal::Decimal::new(-12345, 3)),
            Value::DateTime(DateTime(638_000_000_000_000_000)),
            Value::Timespan(Timespan(-1)),
            Value::Guid(Guid(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef)),
            Value::string("héllo\u{0}\n"),
            Value::empty_string(),
            Value::Bag(Arc::new(bag)),
        ];
        let mut file = SpillFile::new().unwrap();
        let mut scratch = Vec::new();
        file.write(&[&row[..2], &row], &mut scratch).unwrap();
        file.write(&[&[], &row[3..]], &mut scratch).unwrap();
        let mut r = file.into_reader().unwrap();
        let a = r.next_record(2).unwrap().unwrap();
        let b = r.next_record(2).unwrap().unwrap();
        assert!(r.next_record(2).unwrap().is_none());
        let same = |x: &[Value], y: &[Value]| {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(p, q)| format!("{p:?}") == format!("{q:?}"))
        };
        assert!(same(&a[0], &row[..2]));
        assert!(same(&a[1], &row));
        assert!(b[0].is_empty());
        assert!(same(&b[1], &row[3..]));
        if let Value::Decimal(d) = &a[1][7] {
            assert_eq!(d.scale(), 3);
        }
    }
}
