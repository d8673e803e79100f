//! The deduplication key: which alerts count as "the same alert".
//!
//! The key is the SHA-256 of the configured alert values
//! (`mapping.dedup_fields`), in lower-case hex. Each field is hashed as its
//! name, the byte length and the bytes of its untruncated value, or as its
//! name and `!` when the alert has no value, so distinct values can never
//! run together into the same input. The key is stable across releases for
//! the same fields and values; changing the fields changes every key.

use super::values::Values;
use crate::form::Source;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// Returns the key of the values of `fields`.
pub(crate) fn key(values: &Values, fields: &[Source]) -> String {
    let mut hasher = Sha256::new();
    for field in fields {
        hasher.update(field.as_str().as_bytes());
        match values.get(*field) {
            Some(value) => {
                hasher.update(format!(":{}:", value.len()).as_bytes());
                hasher.update(value.as_bytes());
            }
            None => hasher.update(b"!"),
        }
        hasher.update(b"\n");
    }

    let digest = hasher.finalize();
    let mut hex = String::with_capacity(digest.len() * 2);
    for byte in digest {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}
