//! Repair of text that JSON parsers reject but a JVM can produce.
//!
//! A Java string is UTF-16 and may hold half of a surrogate pair, for
//! example after an exception message was cut in the middle of an emoji.
//! Java JSON writers then emit a lone `\ud83d` escape, which serde_json
//! rejects, and a body may also carry bytes that are not UTF-8. Rejecting
//! the whole alert for one bad character would lose it, so such characters
//! are replaced by U+FFFD REPLACEMENT CHARACTER instead.

use std::borrow::Cow;

/// The escape that replaces a lone surrogate.
const REPLACEMENT_ESCAPE: &str = "\\ufffd";

/// Returns `body` with invalid UTF-8 and lone surrogate escapes replaced by
/// U+FFFD, and how many replacements were made. Returns `None` when there
/// was nothing to replace.
pub(crate) fn replace_invalid_characters(body: &[u8]) -> Option<(String, usize)> {
    let text = String::from_utf8_lossy(body);
    let lossy_count = match &text {
        Cow::Borrowed(_) => 0,
        Cow::Owned(text) => {
            text.matches(char::REPLACEMENT_CHARACTER).count() - count_replacements_in(body)
        }
    };

    let (repaired, surrogate_count) = replace_lone_surrogates(&text);
    let count = lossy_count + surrogate_count;
    (count > 0).then_some((repaired, count))
}

/// Counts U+FFFD characters that were already in valid stretches of the
/// input, so that only the replacements made here are reported.
fn count_replacements_in(body: &[u8]) -> usize {
    body.utf8_chunks()
        .map(|chunk| chunk.valid().matches(char::REPLACEMENT_CHARACTER).count())
        .sum()
}

/// Replaces `\uD800`-`\uDFFF` escapes that are not part of a high-low pair.
fn replace_lone_surrogates(text: &str) -> (String, usize) {
    let bytes = text.as_bytes();
    let mut output = String::with_capacity(text.len());
    let mut replaced = 0;
    let mut copied_until = 0;
    let mut index = 0;

    while index < bytes.len() {
        if bytes[index] != b'\\' {
            index += 1;
            continue;
        }
        let Some(unit) = escape_at(bytes, index) else {
            // Any other escape, such as `\\` or `\"`: skip both characters.
            index += 2;
            continue;
        };

        let is_high = (0xD800..=0xDBFF).contains(&unit);
        let is_low = (0xDC00..=0xDFFF).contains(&unit);
        let pairs_with_next = is_high
            && escape_at(bytes, index + 6).is_some_and(|next| (0xDC00..=0xDFFF).contains(&next));

        if pairs_with_next {
            index += 12;
        } else if is_high || is_low {
            output.push_str(&text[copied_until..index]);
            output.push_str(REPLACEMENT_ESCAPE);
            replaced += 1;
            index += 6;
            copied_until = index;
        } else {
            index += 6;
        }
    }

    output.push_str(&text[copied_until..]);
    (output, replaced)
}

/// Reads the code unit of a `\uXXXX` escape starting at `index`.
fn escape_at(bytes: &[u8], index: usize) -> Option<u32> {
    let escape = bytes.get(index..index + 6)?;
    if escape[0] != b'\\' || escape[1] != b'u' {
        return None;
    }
    let hex = std::str::from_utf8(&escape[2..]).ok()?;
    u32::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repair(text: &str) -> Option<(String, usize)> {
        replace_invalid_characters(text.as_bytes())
    }

    #[test]
    fn valid_text_needs_no_repair() {
        assert_eq!(repair(r#"{"a": "\ud83d\ude00 \u00e9 \\ud83d"}"#), None);
        assert_eq!(repair("{\"a\": \"already \u{FFFD}\"}"), None);
    }

    #[test]
    fn lone_high_surrogate_is_replaced() {
        let (text, count) = repair(r#"{"a": "cut \ud83d"}"#).expect("one lone surrogate");
        assert_eq!(text, r#"{"a": "cut \ufffd"}"#);
        assert_eq!(count, 1);
    }

    #[test]
    fn lone_low_surrogate_and_reversed_pair_are_replaced() {
        let (text, count) = repair(r#"["\ude00", "\ude00\ud83d"]"#).expect("three lone surrogates");
        assert_eq!(text, r#"["\ufffd", "\ufffd\ufffd"]"#);
        assert_eq!(count, 3);
    }

    #[test]
    fn escaped_backslash_before_u_is_not_an_escape() {
        let (text, count) = repair(r#"["\\ud83d", "\ud83d"]"#).expect("one lone surrogate");
        assert_eq!(text, r#"["\\ud83d", "\ufffd"]"#);
        assert_eq!(count, 1);
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        let (text, count) =
            replace_invalid_characters(b"{\"a\": \"caf\xE9 \xFF\"}").expect("two invalid bytes");
        assert_eq!(text, "{\"a\": \"caf\u{FFFD} \u{FFFD}\"}");
        assert_eq!(count, 2);
    }
}
