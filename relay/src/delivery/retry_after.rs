//! Parsing of the `Retry-After` response header.

use std::time::Duration;

use jiff::Timestamp;

/// Parses `Retry-After` as delay seconds or as an HTTP date, relative to
/// `now`. A date in the past means no wait; an unreadable value is ignored.
pub fn parse(value: &str, now: Timestamp) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }

    // HTTP dates ("Sun, 06 Nov 1994 08:49:37 GMT") are a subset of RFC 2822.
    let date = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(value)
        .ok()?;
    let wait = date.duration_since(now);
    Some(Duration::try_from(wait).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "1994-11-06T08:49:00Z".parse().expect("valid timestamp")
    }

    #[test]
    fn delay_seconds_are_read() {
        assert_eq!(parse("120", now()), Some(Duration::from_secs(120)));
        assert_eq!(parse(" 0 ", now()), Some(Duration::ZERO));
    }

    #[test]
    fn http_date_is_relative_to_now() {
        assert_eq!(
            parse("Sun, 06 Nov 1994 08:49:37 GMT", now()),
            Some(Duration::from_secs(37))
        );
    }

    #[test]
    fn past_date_means_no_wait() {
        assert_eq!(
            parse("Sun, 06 Nov 1994 08:00:00 GMT", now()),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn unreadable_value_is_ignored() {
        assert_eq!(parse("soon", now()), None);
        assert_eq!(parse("-5", now()), None);
    }
}
