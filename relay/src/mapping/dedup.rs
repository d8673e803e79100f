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

    format!("{:x}", hasher.finalize())
}

/// Hashes `text` prefixed by `:`, its byte length in decimal and `:`, so
/// that consecutive texts cannot run together.
fn hash_text(hasher: &mut Sha256, text: &str) {
    hasher.update(b":");
    hasher.update(itoa::Buffer::new().format(text.len()).as_bytes());
    hasher.update(b":");
    hasher.update(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_prefixed_by_its_decimal_length() {
        for length in [0, 7, 10, 1234] {
            let text = "x".repeat(length);
            let mut hasher = Sha256::new();
            hash_text(&mut hasher, &text);

            let expected = Sha256::digest(format!(":{length}:{text}"));
            assert_eq!(hasher.finalize(), expected, "length {length}");
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
