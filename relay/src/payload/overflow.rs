//! Repair of JSON numbers too large for a 64-bit float.
//!
//! serde_json without its `arbitrary_precision` feature reads every number
//! that does not fit a 64-bit integer as an `f64`, and rejects the whole
//! document when one overflows, such as `"error_code": 1e400`. Losing an alert for one
//! odd value is worse than keeping that value as text, so such numbers are
//! put in quotes and read as strings.

/// Returns `text` with every number outside the `f64` range put in quotes,
/// and those numbers as written. Returns `None` when there is none.
///
/// Numbers are found outside string literals only. `text` need not be
/// valid JSON: the caller parses the result again.
pub(crate) fn quote_out_of_range_numbers(text: &str) -> Option<(String, Vec<String>)> {
    let bytes = text.as_bytes();
    let mut output = String::with_capacity(text.len() + 2);
    let mut quoted = Vec::new();
    let mut copied_until = 0;
    let mut in_string = false;
    let mut index = 0;

    while index < bytes.len() {
        let byte = bytes[index];
        if in_string {
            match byte {
                // Skips the escaped character, which may be a quote.
                b'\\' => index += 2,
                b'"' => {
                    in_string = false;
                    index += 1;
                }
                _ => index += 1,
            }
            continue;
        }
        if byte == b'"' {
            in_string = true;
            index += 1;
            continue;
        }
        if byte != b'-' && !byte.is_ascii_digit() {
            index += 1;
            continue;
        }

        let end = number_end(bytes, index);
        let number = &text[index..end];
        if number.parse::<f64>().is_ok_and(f64::is_infinite) {
            output.push_str(&text[copied_until..index]);
            output.push('"');
            output.push_str(number);
            output.push('"');
            quoted.push(number.to_owned());
            copied_until = end;
        }
        index = end;
    }

    if quoted.is_empty() {
        return None;
    }
    output.push_str(&text[copied_until..]);
    Some((output, quoted))
}

/// Returns the index just past the number token that starts at `start`.
fn number_end(bytes: &[u8], start: usize) -> usize {
    let mut end = start + 1;
    while end < bytes.len() && matches!(bytes[end], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
    {
        end += 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_range_are_left_alone() {
        assert_eq!(
            quote_out_of_range_numbers(r#"{"a": 1.5e300, "b": -2, "c": 1e-400}"#),
            None
        );
    }

    #[test]
    fn overflowing_numbers_are_quoted() {
        let (text, quoted) = quote_out_of_range_numbers(r#"{"a": 1e400, "b": [-2E+999, 3]}"#)
            .expect("two numbers out of range");
        assert_eq!(text, r#"{"a": "1e400", "b": ["-2E+999", 3]}"#);
        assert_eq!(quoted, vec!["1e400", "-2E+999"]);
    }

    #[test]
    fn long_integer_that_overflows_is_quoted() {
        let digits = format!("1{}", "0".repeat(400));
        let (text, quoted) =
            quote_out_of_range_numbers(&format!("[{digits}]")).expect("one number out of range");
        assert_eq!(text, format!("[\"{digits}\"]"));
        assert_eq!(quoted, vec![digits]);
    }

    #[test]
    fn numbers_inside_strings_are_left_alone() {
        assert_eq!(
            quote_out_of_range_numbers(r#"{"a": "1e400 \" 1e400", "1e400": 1}"#),
            None
        );
    }
}
