//! The deduplication key: which alerts count as "the same alert".
//!
//! The key is the SHA-256 of the configured alert values
//! (`mapping.dedup_fields`), in lower-case hex. Each field is hashed as its
//! name, the byte length and the bytes of its untruncated value, or as its
//! name and `!` when the alert has no value, so distinct values can never
//! run together into the same input. The recipients named in the webhook
//! URL (`recipients=a,b`) are hashed too, sorted and without repeats, so
//! the same alert sent to two teams is two alerts. Without URL recipients
//! nothing is added, so such keys are the same as before recipients
//! counted. The key is stable across releases for the same fields, values
//! and recipients; changing the fields changes every key.

use super::values::Values;
use crate::form::Source;
use sha2::{Digest, Sha256};

/// Returns the key of the values of `fields` and of the URL `recipients`.
pub(crate) fn key(values: &Values, fields: &[Source], recipients: &[String]) -> String {
    let mut hasher = Sha256::new();
    for field in fields {
        hasher.update(field.as_str().as_bytes());
        match values.get(*field) {
            Some(value) => hash_text(&mut hasher, value),
            None => hasher.update(b"!"),
        }
        hasher.update(b"\n");
    }

    let mut recipients: Vec<&str> = recipients.iter().map(String::as_str).collect();
    recipients.sort_unstable();
    recipients.dedup();
    if !recipients.is_empty() {
        // No field is named "recipients" (a test checks this), so this
        // line cannot collide with a field's line.
        hasher.update(b"recipients");
        for recipient in recipients {
            hash_text(&mut hasher, recipient);
        }
        hasher.update(b"\n");
    }

    const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";
    let digest = hasher.finalize();
    let mut hex = String::with_capacity(digest.len() * 2);
    for byte in digest {
        hex.push(char::from(HEX_DIGITS[usize::from(byte >> 4)]));
        hex.push(char::from(HEX_DIGITS[usize::from(byte & 0x0f)]));
    }
    hex
}

/// Hashes `text` prefixed by `:`, its byte length in decimal and `:`, so
/// that consecutive texts cannot run together.
fn hash_text(hasher: &mut Sha256, text: &str) {
    hasher.update(b":");
    hasher.update(decimal(text.len()).as_slice());
    hasher.update(b":");
    hasher.update(text.as_bytes());
}

/// The decimal digits of a number, written without allocating.
struct Decimal {
    digits: [u8; 20],
    start: usize,
}

impl Decimal {
    fn as_slice(&self) -> &[u8] {
        &self.digits[self.start..]
    }
}

fn decimal(mut number: usize) -> Decimal {
    // 20 digits hold `u64::MAX`, the largest `usize` Rust supports.
    let mut decimal = Decimal {
        digits: [0; 20],
        start: 20,
    };
    loop {
        decimal.start -= 1;
        // The remainder is below 10, so the cast is exact.
        decimal.digits[decimal.start] = b'0' + (number % 10) as u8;
        number /= 10;
        if number == 0 {
            return decimal;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_writes_every_digit() {
        for number in [0, 7, 10, 1234, usize::MAX] {
            assert_eq!(decimal(number).as_slice(), number.to_string().as_bytes());
        }
    }

    #[test]
    fn no_field_is_named_recipients() {
        assert!(
            Source::ALL
                .iter()
                .all(|source| source.as_str() != "recipients")
        );
    }
}
