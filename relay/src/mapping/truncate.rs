//! Cutting text to a maximum length counted in UTF-16 code units.
//!
//! xMatters validates text properties with Java string lengths, so a
//! character outside the Basic Multilingual Plane (most emoji) counts as 2.
//! Text is cut only between grapheme clusters, so neither a surrogate pair
//! nor a base character with its combining marks or emoji joiners is split.

use unicode_segmentation::UnicodeSegmentation;

/// Marks a cut. U+2026 is one UTF-16 code unit.
pub const ELLIPSIS: char = '…';

/// Returns the length of `text` in UTF-16 code units.
pub fn utf16_len(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

/// Returns whether `text` is at most `max_length` UTF-16 code units long.
///
/// Counts only when needed: no character has more UTF-16 code units than
/// UTF-8 bytes, so text of at most `max_length` bytes always fits.
pub(crate) fn fits_utf16(text: &str, max_length: usize) -> bool {
    text.len() <= max_length || utf16_len(text) <= max_length
}

/// Cuts `text` to at most `max_length` UTF-16 code units, ending in `…`.
///
/// Returns `None` when the text already fits. The result keeps as many
/// whole grapheme clusters as fit in `max_length - 1` units, then appends
/// the ellipsis, so it may be shorter than `max_length` when a wide cluster
/// straddles the cut. With `max_length` 0 the result is empty.
pub fn truncate_utf16(text: &str, max_length: usize) -> Option<String> {
    if fits_utf16(text, max_length) {
        return None;
    }
    if max_length == 0 {
        return Some(String::new());
    }

    let budget = max_length - ELLIPSIS.len_utf16();
    let mut used = 0;
    let mut end = 0;
    for (offset, cluster) in text.grapheme_indices(true) {
        let width = utf16_len(cluster);
        if used + width > budget {
            break;
        }
        used += width;
        end = offset + cluster.len();
    }

    let mut cut = String::with_capacity(end + ELLIPSIS.len_utf8());
    cut.push_str(&text[..end]);
    cut.push(ELLIPSIS);
    Some(cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_counts_utf16_units_not_bytes() {
        // 3 bytes and 1 unit each, so 3 of them fit in 3 units.
        assert!(fits_utf16("☃☃☃", 3));
        assert!(!fits_utf16("☃☃☃☃", 3));
        // 4 bytes and 2 units each.
        assert!(fits_utf16("😀😀", 4));
        assert!(!fits_utf16("😀😀", 3));
        assert!(fits_utf16("abc", 3));
        assert!(!fits_utf16("abcd", 3));
    }

    #[test]
    fn text_that_fits_is_kept() {
        assert_eq!(truncate_utf16("abc", 3), None);
        assert_eq!(truncate_utf16("", 0), None);
    }

    #[test]
    fn ascii_is_cut_to_the_limit_with_ellipsis() {
        let cut = truncate_utf16("abcdef", 4).expect("text is longer than the limit");
        assert_eq!(cut, "abc…");
        assert_eq!(utf16_len(&cut), 4);
    }

    #[test]
    fn limit_of_one_leaves_only_the_ellipsis() {
        assert_eq!(truncate_utf16("ab", 1).as_deref(), Some("…"));
    }

    #[test]
    fn limit_of_zero_leaves_nothing() {
        assert_eq!(truncate_utf16("ab", 0).as_deref(), Some(""));
    }

    #[test]
    fn multibyte_characters_count_as_one_unit() {
        // "é" is 2 UTF-8 bytes but 1 UTF-16 unit, so 5 of them fit in 5.
        assert_eq!(truncate_utf16("ééééé", 5), None);
        let cut = truncate_utf16("éééééé", 5).expect("6 units exceed 5");
        assert_eq!(cut, "éééé…");
    }

    #[test]
    fn emoji_straddling_the_cut_is_dropped_whole() {
        // "ab😀cd" is 6 units; with a limit of 4 the budget before the
        // ellipsis is 3, and the emoji would occupy units 3 and 4.
        let cut = truncate_utf16("ab😀cd", 4).expect("6 units exceed 4");
        assert_eq!(cut, "ab…");
        assert_eq!(utf16_len(&cut), 3);
    }

    #[test]
    fn emoji_ending_exactly_at_the_budget_is_kept() {
        let cut = truncate_utf16("ab😀cd", 5).expect("6 units exceed 5");
        assert_eq!(cut, "ab😀…");
        assert_eq!(utf16_len(&cut), 5);
    }

    #[test]
    fn emoji_counts_as_two_units() {
        assert_eq!(utf16_len("😀"), 2);
        assert_eq!(truncate_utf16("😀😀", 4), None);
        assert_eq!(truncate_utf16("😀😀😀", 4).as_deref(), Some("😀…"));
    }

    #[test]
    fn joined_emoji_sequence_is_not_split() {
        // Family: man, ZWJ, woman, ZWJ, girl; 8 UTF-16 units in one cluster.
        let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}";
        let text = format!("x{family}y");
        let cut = truncate_utf16(&text, 6).expect("10 units exceed 6");
        assert_eq!(cut, "x…");
    }

    #[test]
    fn combining_mark_stays_with_its_base() {
        // "e" followed by U+0301 COMBINING ACUTE ACCENT is one cluster.
        let text = "abe\u{301}z";
        let cut = truncate_utf16(text, 4).expect("5 units exceed 4");
        assert_eq!(cut, "ab…");
    }

    #[test]
    fn result_never_exceeds_the_limit() {
        let text = "a😀é\u{301}b\u{1F468}\u{200D}\u{1F469}c d\te\nf";
        for limit in 0..=utf16_len(text) {
            let cut = truncate_utf16(text, limit).unwrap_or_else(|| text.to_owned());
            assert!(
                utf16_len(&cut) <= limit,
                "limit {limit}: {cut:?} has {} units",
                utf16_len(&cut)
            );
        }
    }
}
