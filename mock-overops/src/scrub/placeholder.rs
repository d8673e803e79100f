//! Placeholders of the same length as the values they replace.

use std::collections::HashMap;
use std::net::Ipv4Addr;

use super::DetailKind;

/// Number of candidates tried before a placeholder may repeat one already
/// given to another value. Only values too short to hold a unique number
/// reach this limit.
const MAX_ATTEMPTS: u64 = 10_000;

/// Character that fills a placeholder up to the original length. It is
/// not a digit, so `user1x` and `user12` stay distinct.
const FILL: char = 'x';

/// Domain of e-mail placeholders, reserved for documentation.
const EMAIL_DOMAIN: &str = "example.com";

/// Shorter domain for short e-mail addresses, under the reserved top-level domain `.test`.
const SHORT_EMAIL_DOMAIN: &str = "x.test";

/// Prefix of IPv6 placeholders, from the documentation range 2001:db8::/32.
const IPV6_PREFIX: &str = "2001:db8::";

/// Assigns each distinct value one placeholder, per kind of detail.
#[derive(Debug, Default)]
pub(crate) struct Placeholders {
    /// Placeholder of each (kind, original value).
    assigned: HashMap<(DetailKind, String), String>,
    /// Originals by placeholder, to keep two originals from sharing one.
    owners: HashMap<String, String>,
    /// Next number to try, per kind.
    next: HashMap<DetailKind, u64>,
}

impl Placeholders {
    /// Returns the placeholder of `original`, the same for every call with
    /// the same kind and value, and as long as `original` in chars.
    pub(crate) fn placeholder(&mut self, kind: DetailKind, original: &str) -> String {
        let key = (kind, original.to_owned());
        if let Some(placeholder) = self.assigned.get(&key) {
            return placeholder.clone();
        }

        let length = original.chars().count();
        let start = *self.next.get(&kind).unwrap_or(&1);
        let mut chosen = None;
        for number in start..start + MAX_ATTEMPTS {
            let candidate = make(kind, original, number, length);
            let taken = self
                .owners
                .get(&candidate)
                .is_some_and(|owner| owner != original);
            if candidate != original && !taken {
                self.next.insert(kind, number + 1);
                chosen = Some(candidate);
                break;
            }
        }
        let placeholder = chosen.unwrap_or_else(|| make(kind, original, start, length));

        self.owners.insert(placeholder.clone(), original.to_owned());
        self.assigned.insert(key, placeholder.clone());
        placeholder
    }
}

/// Builds candidate `number` for a value of `kind` that is `length` chars long.
fn make(kind: DetailKind, original: &str, number: u64, length: usize) -> String {
    match kind {
        DetailKind::Email => email(number, length),
        DetailKind::User => fit("user", number, length),
        DetailKind::Host => fit("host", number, length),
        DetailKind::EnvironmentId => environment_id(number, length),
        DetailKind::EnvironmentName => fit("env", number, length),
        DetailKind::Token => fit("token", number, length),
        // NOTE: an IPv6 address shorter than 11 or longer than 34 chars gets
        // a placeholder such as `ip7xxx`, which keeps the length but is no address.
        DetailKind::Ip if original.contains(':') => {
            ipv6(number, length).unwrap_or_else(|| fit("ip", number, length))
        }
        DetailKind::Ip => ipv4(number, length).unwrap_or_else(|| fit("ip", number, length)),
    }
}

/// Returns `prefix`, `number` and fill characters, `length` chars long.
/// When `length` is too short, the prefix is cut first, then the leading digits.
pub(crate) fn fit(prefix: &str, number: u64, length: usize) -> String {
    let digits = number.to_string();
    let natural = prefix.len() + digits.len();
    if length >= natural {
        let fill = FILL.to_string().repeat(length - natural);
        return format!("{prefix}{digits}{fill}");
    }
    if length >= digits.len() {
        return format!("{}{digits}", &prefix[..length - digits.len()]);
    }
    digits[digits.len() - length..].to_owned()
}

fn email(number: u64, length: usize) -> String {
    for domain in [EMAIL_DOMAIN, SHORT_EMAIL_DOMAIN] {
        if length >= domain.len() + 2 {
            let local = fit("user", number, length - domain.len() - 1);
            return format!("{local}@{domain}");
        }
    }
    fit("user", number, length)
}

/// Returns `S` and zero-padded digits, like an OverOps environment id.
fn environment_id(number: u64, length: usize) -> String {
    if length < 2 {
        return fit("S", number, length);
    }
    let digits = format!("{number:0width$}", width = length - 1);
    format!("S{}", &digits[digits.len() - (length - 1)..])
}

/// Returns an IPv4 address `length` chars long (7 to 15) that encodes
/// `number` in its last octets.
fn ipv4(number: u64, length: usize) -> Option<String> {
    if !(7..=15).contains(&length) {
        return None;
    }

    // Spread the digits over four octets, wider octets last.
    let digit_count = length - 3;
    let mut widths = [1usize; 4];
    for index in 0..digit_count - 4 {
        widths[3 - index % 4] += 1;
    }

    let mut rest = number;
    let mut octets = [0u8; 4];
    for index in (0..4).rev() {
        let (low, high) = match widths[index] {
            1 => (0, 9),
            2 => (10, 99),
            _ => (100, 255),
        };
        let span = high - low + 1;
        octets[index] = u8::try_from(low + rest % span).ok()?;
        rest /= span;
    }
    Some(Ipv4Addr::from(octets).to_string())
}

/// Returns an address in 2001:db8::/32 that is `length` chars long, or
/// `None` when no such address has that length.
fn ipv6(number: u64, length: usize) -> Option<String> {
    let rest = length.checked_sub(IPV6_PREFIX.len())?;
    if rest == 0 {
        return None;
    }
    // Groups after the prefix, each 1 to 4 hex digits, joined by colons.
    let groups = (rest + 1).div_ceil(5);
    if groups > 5 {
        return None;
    }
    let digit_count = rest - (groups - 1);
    let mut sizes = vec![digit_count / groups; groups];
    for size in sizes.iter_mut().take(digit_count % groups) {
        *size += 1;
    }

    let mut parts: Vec<String> = sizes.iter().map(|size| "0".repeat(*size)).collect();
    let last_size = *sizes.last()?;
    let hex = format!("{number:0last_size$x}");
    parts[groups - 1] = hex[hex.len() - last_size..].to_owned();
    Some(format!("{IPV6_PREFIX}{}", parts.join(":")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv6Addr;

    #[test]
    fn fit_pads_and_cuts() {
        assert_eq!(fit("user", 1, 8), "user1xxx");
        assert_eq!(fit("user", 12, 6), "user12");
        assert_eq!(fit("user", 12, 4), "us12");
        assert_eq!(fit("user", 123, 2), "23");
    }

    #[test]
    fn email_keeps_length_and_shape() {
        for length in 3..40 {
            let placeholder = email(7, length);
            assert_eq!(placeholder.chars().count(), length, "{placeholder}");
            if length >= SHORT_EMAIL_DOMAIN.len() + 2 {
                assert!(placeholder.contains('@'), "{placeholder}");
            }
        }
    }

    #[test]
    fn ipv4_is_valid_for_every_length() {
        for length in 7..=15 {
            for number in [1, 2, 250, 9_999] {
                let placeholder = ipv4(number, length).expect("length 7 to 15 fits");
                assert_eq!(placeholder.len(), length, "{placeholder}");
                assert!(placeholder.parse::<Ipv4Addr>().is_ok(), "{placeholder}");
            }
        }
    }

    #[test]
    fn ipv6_is_valid_where_it_fits() {
        for length in 11..=34 {
            let placeholder = ipv6(3, length).expect("length 11 to 34 fits");
            assert_eq!(placeholder.len(), length, "{placeholder}");
            assert!(placeholder.parse::<Ipv6Addr>().is_ok(), "{placeholder}");
        }
        assert_eq!(ipv6(3, 10), None);
        assert_eq!(ipv6(3, 35), None);
    }

    #[test]
    fn environment_id_keeps_digit_count() {
        assert_eq!(environment_id(1, 6), "S00001");
        assert_eq!(environment_id(123, 3), "S23");
    }

    #[test]
    fn placeholders_are_consistent_and_distinct() {
        let mut placeholders = Placeholders::default();
        let first = placeholders.placeholder(DetailKind::User, "alice");
        let second = placeholders.placeholder(DetailKind::User, "bobby");
        assert_eq!(placeholders.placeholder(DetailKind::User, "alice"), first);
        assert_ne!(first, second);
        assert_eq!(first.len(), 5);
    }

    #[test]
    fn placeholder_never_equals_original() {
        let mut placeholders = Placeholders::default();
        assert_ne!(placeholders.placeholder(DetailKind::User, "user1"), "user1");
    }
}
