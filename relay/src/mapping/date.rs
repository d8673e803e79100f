//! Formatting alert dates in the configured time zone.

use jiff::Timestamp;
use jiff::fmt::strtime;
use jiff::tz::TimeZone;
use std::cell::RefCell;

thread_local! {
    /// The zone last looked up on this thread, by name. Every alert uses
    /// the one configured zone, so each thread looks it up in jiff's
    /// database once instead of once per date. `TimeZone` clones share
    /// their data.
    static LAST_ZONE: RefCell<Option<(String, TimeZone)>> = const { RefCell::new(None) };
}

/// Formats `timestamp` in the IANA zone `time_zone` with the strftime
/// `format`. The error text names the option to fix.
pub(crate) fn format(
    timestamp: Timestamp,
    time_zone: &str,
    format: &str,
) -> Result<String, String> {
    let zone = zone(time_zone).map_err(|error| {
        format!("mapping.time_zone {time_zone:?} is not a known time zone ({error})")
    })?;
    let zoned = timestamp.to_zoned(zone);
    strtime::format(format, &zoned)
        .map_err(|error| format!("mapping.date_format {format:?} cannot be applied ({error})"))
}

/// Looks up the IANA zone `name`, from this thread's cache when it was the
/// last zone looked up.
fn zone(name: &str) -> Result<TimeZone, jiff::Error> {
    LAST_ZONE.with_borrow_mut(|last| {
        if let Some((last_name, zone)) = last.as_ref() {
            if last_name == name {
                return Ok(zone.clone());
            }
        }
        let zone = TimeZone::get(name)?;
        *last = Some((name.to_owned(), zone.clone()));
        Ok(zone)
    })
}

/// Checks that `format` is a strftime format that jiff can apply to a date
/// with a zone name and offset.
pub(crate) fn check_format(format: &str) -> Result<(), String> {
    if format.trim().is_empty() {
        return Err("the format is empty".to_owned());
    }
    let sample = Timestamp::UNIX_EPOCH.to_zoned(TimeZone::UTC);
    strtime::format(format, &sample)
        .map(drop)
        .map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{DEFAULT_DATE_FORMAT, DEFAULT_TIME_ZONE};

    fn at(millisecond: i64) -> Timestamp {
        Timestamp::from_millisecond(millisecond).expect("timestamp in range")
    }

    fn default_format(millisecond: i64) -> String {
        format(at(millisecond), DEFAULT_TIME_ZONE, DEFAULT_DATE_FORMAT).expect("defaults are valid")
    }

    #[test]
    fn default_matches_the_original_integration() {
        // 2018-08-17T14:21:49.123Z is 10:21 in New York (EDT, UTC-4).
        assert_eq!(default_format(1_534_515_709_123), "Aug 17, 2018 10:21 AM");
    }

    #[test]
    fn new_york_before_and_after_spring_forward() {
        // Clocks went from 02:00 EST to 03:00 EDT on 2024-03-10, 07:00 UTC.
        assert_eq!(default_format(1_710_053_940_000), "Mar 10, 2024 1:59 AM");
        assert_eq!(default_format(1_710_054_000_000), "Mar 10, 2024 3:00 AM");
    }

    #[test]
    fn new_york_before_and_after_fall_back() {
        // Clocks went from 02:00 EDT back to 01:00 EST on 2024-11-03,
        // 06:00 UTC, so 01:30 happens twice. The zone abbreviation
        // distinguishes the two.
        let format_with_offset = |millisecond| {
            format(at(millisecond), DEFAULT_TIME_ZONE, "%Y-%m-%d %H:%M %Z").expect("valid format")
        };
        assert_eq!(
            format_with_offset(1_730_611_800_000),
            "2024-11-03 01:30 EDT"
        );
        assert_eq!(
            format_with_offset(1_730_615_400_000),
            "2024-11-03 01:30 EST"
        );
    }

    #[test]
    fn other_zone_and_format_are_applied() {
        let text = format(
            at(1_534_515_709_123),
            "Europe/Paris",
            "%Y-%m-%d %H:%M:%S %:z",
        )
        .expect("valid zone and format");
        assert_eq!(text, "2018-08-17 16:21:49 +02:00");
    }

    #[test]
    fn switching_zones_uses_each_zone() {
        let paris = format(at(1_534_515_709_123), "Europe/Paris", "%H:%M").expect("valid");
        let tokyo = format(at(1_534_515_709_123), "Asia/Tokyo", "%H:%M").expect("valid");
        let paris_again = format(at(1_534_515_709_123), "Europe/Paris", "%H:%M").expect("valid");
        assert_eq!(paris, "16:21");
        assert_eq!(tokyo, "23:21");
        assert_eq!(paris_again, "16:21");
    }

    #[test]
    fn unknown_zone_is_reported() {
        let error =
            format(at(0), "Mars/Olympus_Mons", DEFAULT_DATE_FORMAT).expect_err("unknown zone");
        assert!(error.contains("Mars/Olympus_Mons"), "{error}");
    }

    #[test]
    fn invalid_format_is_reported() {
        assert!(check_format("%Y %").is_err());
        assert!(check_format("%!").is_err());
        assert!(check_format("").is_err());
        assert!(check_format(DEFAULT_DATE_FORMAT).is_ok());
    }
}
