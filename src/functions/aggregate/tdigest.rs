//! `tdigest(x [, weight])` and the aggregate `tdigest_merge(digest)` (also
//! spelled `merge_tdigest`): t-digests of a group's values
//! (`tdigest-aggregation-function`, `tdigest-merge-aggregation-function`;
//! docs/semantics.md#sketches).
//!
//! A digest holds its distinct values exactly up to
//! `sketch::tdigest::MEMORY_LIMIT` of them, so partial digests of chunks
//! merge into the same digest at any thread count; past that, each
//! partial digest compresses on its own and the centroids (not the error
//! bound) depend on how the input was cut.

use super::{Accumulator, AggregateFunction, downcast};
use crate::functions::sketch::tdigest::TDigest;
use crate::types::DataType;
use crate::value::Value;

struct DigestState {
    digest: TDigest,
    /// `tdigest_merge`: the rows are digests to merge, not values.
    merging: bool,
    /// A merged digest had another value type: the result is null
    /// (`tdigest-merge-aggregation-function`: "All tdigests included in
    /// the same group must be of the same type"), with a note.
    mixed: bool,
}

pub(super) fn tdigest(_: &AggregateFunction, _: DataType) -> Box<dyn Accumulator> {
    Box::new(DigestState {
        digest: TDigest::new(),
        merging: false,
        mixed: false,
    })
}

pub(super) fn tdigest_merge(_: &AggregateFunction, _: DataType) -> Box<dyn Accumulator> {
    Box::new(DigestState {
        digest: TDigest::new(),
        merging: true,
        mixed: false,
    })
}

/// A row's weight: a positive whole number (as `percentilew`'s), 1 when
/// there is no weight argument; `None` leaves the row out.
fn weight(args: &[Value]) -> Option<u64> {
    let Some(w) = args.get(1) else {
        return Some(1);
    };
    let w = match w {
        Value::Int(i) => i64::from(*i),
        Value::Long(i) => *i,
        Value::Real(r) => crate::value::number::real_to_long(*r)?,
        _ => return None,
    };
    u64::try_from(w).ok().filter(|w| *w > 0)
}

impl Accumulator for DigestState {
    fn update(&mut self, args: &[Value]) {
        let first = args.first().unwrap_or(&Value::Null);
        if self.merging {
            // A value that is not a digest (null, or other data) adds
            // nothing; a digest of another type makes the result null.
            if let Some(other) = TDigest::from_value(first)
                && !self.digest.merge(other)
            {
                self.mixed = true;
            }
        } else if let Some(w) = weight(args) {
            self.digest.add(first, w);
        }
    }

    fn merge(&mut self, later: Box<dyn Accumulator>) {
        if let Some(later) = downcast::<DigestState>(later) {
            self.mixed |= later.mixed;
            if !self.digest.merge(later.digest) {
                self.mixed = true;
            }
        }
    }

    /// The digest; null when the group had no value, or merged digests of
    /// different types (counted for a note on stderr).
    fn finish(self: Box<Self>) -> Value {
        if self.mixed {
            crate::functions::sketch::tdigest::count_mixed_merge();
            return Value::Null;
        }
        self.digest.to_value()
    }
}
