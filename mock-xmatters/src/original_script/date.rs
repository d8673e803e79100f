//! The workflow's "convert time" step with its defect: the OverOps `date`
//! (epoch milliseconds) is read as epoch seconds, then formatted in
//! `America/New_York` as `MMM D, YYYY h:mm A`.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::js::{JsValue, to_js_number};

/// The text the step prints for a date it cannot read (`NaN` or out of the
/// JavaScript `Date` range).
pub const INVALID_DATE: &str = "Invalid date";

/// Maximum distance from the epoch, in milliseconds, that a JavaScript
/// `Date` can represent (100,000,000 days).
const JS_DATE_MAX_MS: f64 = 8.64e15;

const MS_PER_DAY: i64 = 86_400_000;
const MS_PER_HOUR: i64 = 3_600_000;
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Formats `date` the way the original workflow did: `Number(date)` is taken
/// as seconds since the epoch. A millisecond value therefore lands about
/// 48,000 years in the future.
pub(crate) fn convert_time(date: JsValue<'_>) -> String {
    let seconds = to_js_number(date);
    let milliseconds = (seconds * 1000.0).trunc();
    if !milliseconds.is_finite() || milliseconds.abs() > JS_DATE_MAX_MS {
        return INVALID_DATE.to_owned();
    }
    format_new_york(milliseconds as i64)
}

/// Formats epoch milliseconds as New York local time. Within jiff's range
/// (years -9999 to 9999) the bundled tz database decides the offset. Beyond
/// it, the zone's current rule applies: EST (UTC-5), and EDT (UTC-4) from
/// the second Sunday of March at 02:00 to the first Sunday of November at
/// 02:00, as the database's POSIX footer `EST5EDT,M3.2.0,M11.1.0` states.
fn format_new_york(milliseconds: i64) -> String {
    if let Ok(timestamp) = Timestamp::from_millisecond(milliseconds) {
        if let Ok(zone) = TimeZone::get("America/New_York") {
            return timestamp
                .to_zoned(zone)
                .strftime("%b %-d, %Y %-I:%M %p")
                .to_string();
        }
    }
    format_with_current_rule(milliseconds)
}

fn format_with_current_rule(milliseconds: i64) -> String {
    let standard = milliseconds - 5 * MS_PER_HOUR;
    let local = if is_daylight_time(standard) {
        standard + MS_PER_HOUR
    } else {
        standard
    };

    let (year, month, day) = civil_from_days(local.div_euclid(MS_PER_DAY));
    let minute_of_day = local.rem_euclid(MS_PER_DAY) / 60_000;
    let (hour, minute) = (minute_of_day / 60, minute_of_day % 60);
    let hour12 = if hour % 12 == 0 { 12 } else { hour % 12 };
    let meridiem = if hour < 12 { "AM" } else { "PM" };
    format!(
        "{} {day}, {year} {hour12}:{minute:02} {meridiem}",
        MONTHS[(month - 1) as usize]
    )
}

/// Returns whether New York observes daylight time at this instant, given as
/// milliseconds of local standard time (UTC-5).
fn is_daylight_time(standard: i64) -> bool {
    let (year, _, _) = civil_from_days(standard.div_euclid(MS_PER_DAY));
    // Daylight time starts at 02:00 EST and ends at 02:00 EDT, which is
    // 01:00 EST.
    let start = nth_sunday(year, 3, 2) * MS_PER_DAY + 2 * MS_PER_HOUR;
    let end = nth_sunday(year, 11, 1) * MS_PER_DAY + MS_PER_HOUR;
    (start..end).contains(&standard)
}

/// Days since 1970-01-01 of the `n`th Sunday of `month` in `year`.
fn nth_sunday(year: i64, month: i64, n: i64) -> i64 {
    let first = days_from_civil(year, month, 1);
    // 1970-01-01 was a Thursday, so weekday 0 (Sunday) is `days + 4`.
    let weekday = (first + 4).rem_euclid(7);
    first + (7 - weekday) % 7 + 7 * (n - 1)
}

/// Days since 1970-01-01 of a proleptic Gregorian date. The calendar repeats
/// every 400 years (146,097 days), and counting years from March puts the
/// leap day at the end of each year.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Converts days since 1970-01-01 to (year, month, day), the inverse of
/// [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn convert(value: Value) -> String {
        convert_time(JsValue::Json(&value))
    }

    #[test]
    fn seconds_value_formats_correctly() {
        assert_eq!(convert(json!(1_534_515_709)), "Aug 17, 2018 10:21 AM");
    }

    #[test]
    fn milliseconds_value_lands_in_far_future() {
        // 1534515709123 seconds after the epoch is 50596-11-12T11:38:43Z,
        // found by removing whole 400-year cycles of 146,097 days. That is
        // after daylight time ends, so New York is at UTC-5.
        assert_eq!(
            convert(json!(1_534_515_709_123_i64)),
            "Nov 12, 50596 6:38 AM"
        );
    }

    #[test]
    fn numeric_string_is_read_like_a_number() {
        assert_eq!(convert(json!("1534515709")), "Aug 17, 2018 10:21 AM");
    }

    #[test]
    fn unreadable_dates_are_invalid() {
        assert_eq!(convert_time(JsValue::Undefined), INVALID_DATE);
        assert_eq!(convert(json!("yesterday")), INVALID_DATE);
        assert_eq!(convert(json!(1e300)), INVALID_DATE);
    }

    #[test]
    fn null_date_is_the_epoch() {
        assert_eq!(convert(json!(null)), "Dec 31, 1969 7:00 PM");
    }

    #[test]
    fn civil_conversion_round_trips() {
        for days in (-1_000_000..20_000_000).step_by(9_973) {
            let (year, month, day) = civil_from_days(days);
            assert_eq!(
                days_from_civil(year, month, day),
                days,
                "{year}-{month}-{day}"
            );
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn current_rule_matches_tz_database() {
        // From 2007 on, New York follows the rule used beyond jiff's range,
        // so both paths must agree, across DST switches included.
        let zone = TimeZone::get("America/New_York").expect("bundled tzdb");
        let start = Timestamp::from_second(1_199_145_600).expect("2008-01-01");
        for step in 0..4_000_i64 {
            let milliseconds = start.as_millisecond() + step * 7 * MS_PER_DAY / 3 + step * 61_000;
            let expected = Timestamp::from_millisecond(milliseconds)
                .expect("in range")
                .to_zoned(zone.clone())
                .strftime("%b %-d, %Y %-I:%M %p")
                .to_string();
            assert_eq!(
                format_with_current_rule(milliseconds),
                expected,
                "at {milliseconds} ms"
            );
        }
    }

    #[test]
    fn current_rule_switches_on_dst_boundaries() {
        // 2030-03-10 is the second Sunday of March and 2030-11-03 the first
        // Sunday of November.
        let before_spring = Timestamp::from_second(1_899_356_340).expect("06:59 UTC");
        let after_spring = Timestamp::from_second(1_899_356_400).expect("07:00 UTC");
        let before_fall = Timestamp::from_second(1_919_915_940).expect("05:59 UTC");
        let after_fall = Timestamp::from_second(1_919_916_000).expect("06:00 UTC");

        assert_eq!(
            format_with_current_rule(before_spring.as_millisecond()),
            "Mar 10, 2030 1:59 AM"
        );
        assert_eq!(
            format_with_current_rule(after_spring.as_millisecond()),
            "Mar 10, 2030 3:00 AM"
        );
        assert_eq!(
            format_with_current_rule(before_fall.as_millisecond()),
            "Nov 3, 2030 1:59 AM"
        );
        assert_eq!(
            format_with_current_rule(after_fall.as_millisecond()),
            "Nov 3, 2030 1:00 AM"
        );
    }
}
