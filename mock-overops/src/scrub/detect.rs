//! Finding personal and customer details inside one string.

use std::net::Ipv6Addr;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::DetailKind;

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
        .expect("e-mail pattern is valid")
});

static IPV4: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b").expect("IPv4 pattern is valid")
});

/// Candidates for IPv6 addresses: hex digits, dots and at least two colons.
/// [`find_ipv6`] keeps those that parse.
static IPV6_CANDIDATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[0-9A-Fa-f]*:[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*").expect("IPv6 pattern is valid")
});

/// OverOps environment ids, such as `S38421`.
static ENVIRONMENT_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bS\d{3,9}\b").expect("environment id pattern is valid"));

/// URLs of any scheme, in any letter case, such as the `mysql://` part of
/// `jdbc:mysql://db:3306/app?password=...`, because JVM messages quote
/// database and broker URLs with their credentials.
static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b[a-z][a-z0-9+.-]*://[^\s"'<>\\]+"#).expect("URL pattern is valid")
});

/// Host names of OverOps' own service, which are not customer details.
const VENDOR_HOST_SUFFIX: &str = "overops.com";

/// A detail found in a string, as a byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Span {
    pub range: Range<usize>,
    pub kind: DetailKind,
}

/// Finds every detail in `text`: e-mail addresses, IP addresses,
/// environment ids, URL credentials and query values, customer host names
/// in URLs, and the `known` values (name and kind) as whole words.
/// Overlapping finds are resolved in favour of the one that starts first,
/// then the longest.
pub(crate) fn find_details(text: &str, known: &[(String, DetailKind)]) -> Vec<Span> {
    let mut spans = Vec::new();
    find_pattern(text, &EMAIL, DetailKind::Email, &mut spans);
    find_ipv4(text, &mut spans);
    find_ipv6(text, &mut spans);
    find_pattern(text, &ENVIRONMENT_ID, DetailKind::EnvironmentId, &mut spans);
    for url in URL.find_iter(text) {
        find_in_url(text, url.range(), &mut spans);
    }
    for (value, kind) in known {
        find_known(text, value, *kind, &mut spans);
    }
    without_overlaps(spans)
}

fn find_pattern(text: &str, pattern: &Regex, kind: DetailKind, spans: &mut Vec<Span>) {
    for found in pattern.find_iter(text) {
        spans.push(Span {
            range: found.range(),
            kind,
        });
    }
}

fn find_ipv4(text: &str, spans: &mut Vec<Span>) {
    for found in IPV4.find_iter(text) {
        let before = text[..found.start()].chars().next_back();
        let mut after = text[found.end()..].chars();
        let longer_dotted = before == Some('.')
            || (after.next() == Some('.') && after.next().is_some_and(|c| c.is_ascii_digit()));
        let octets_valid = found
            .as_str()
            .split('.')
            .all(|octet| octet.parse::<u8>().is_ok());
        if octets_valid && !longer_dotted {
            spans.push(Span {
                range: found.range(),
                kind: DetailKind::Ip,
            });
        }
    }
}

fn find_ipv6(text: &str, spans: &mut Vec<Span>) {
    for found in IPV6_CANDIDATE.find_iter(text) {
        let before = text[..found.start()].chars().next_back();
        let after = text[found.end()..].chars().next();
        let joined = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        let has_digit = found.as_str().chars().any(|c| c.is_ascii_hexdigit());
        let parses = found.as_str().parse::<Ipv6Addr>().is_ok();
        if parses && has_digit && !joined(before) && !joined(after) {
            spans.push(Span {
                range: found.range(),
                kind: DetailKind::Ip,
            });
        }
    }
}

/// Finds the credentials, customer host name and query values of the URL
/// at `url` in `text`.
fn find_in_url(text: &str, url: Range<usize>, spans: &mut Vec<Span>) {
    let link = &text[url.clone()];
    let offset = url.start;
    let Some(authority_start) = link.find("://").map(|index| index + 3) else {
        return;
    };
    let authority_end = link[authority_start..]
        .find(['/', '?', '#'])
        .map_or(link.len(), |index| authority_start + index);
    let authority = &link[authority_start..authority_end];

    let host_start = match authority.rfind('@') {
        Some(at) => {
            push(
                spans,
                offset + authority_start,
                offset + authority_start + at,
                DetailKind::Token,
            );
            authority_start + at + 1
        }
        None => authority_start,
    };
    let host_end = link[host_start..authority_end]
        .find(':')
        .map_or(authority_end, |index| host_start + index);
    let host = &link[host_start..host_end];
    let is_address = host.parse::<std::net::Ipv4Addr>().is_ok() || host.starts_with('[');
    if !host.is_empty() && !is_address && !host.ends_with(VENDOR_HOST_SUFFIX) {
        push(
            spans,
            offset + host_start,
            offset + host_end,
            DetailKind::Host,
        );
    }

    let Some(query_start) = link.find('?').map(|index| index + 1) else {
        return;
    };
    let query_end = link[query_start..]
        .find('#')
        .map_or(link.len(), |index| query_start + index);
    let mut pair_start = query_start;
    for pair in link[query_start..query_end].split(['&', ';']) {
        if let Some(equals) = pair.find('=') {
            let value_start = pair_start + equals + 1;
            let value_end = pair_start + pair.len();
            push(
                spans,
                offset + value_start,
                offset + value_end,
                DetailKind::Token,
            );
        }
        pair_start += pair.len() + 1;
    }
}

fn push(spans: &mut Vec<Span>, start: usize, end: usize, kind: DetailKind) {
    if start < end {
        spans.push(Span {
            range: start..end,
            kind,
        });
    }
}

/// Finds `value` in `text` where it is not part of a longer word.
fn find_known(text: &str, value: &str, kind: DetailKind, spans: &mut Vec<Span>) {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let starts_with_word = value.chars().next().is_some_and(is_word);
    let ends_with_word = value.chars().next_back().is_some_and(is_word);
    for (start, found) in text.match_indices(value) {
        let end = start + found.len();
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        let joined_before = starts_with_word && before.is_some_and(is_word);
        let joined_after = ends_with_word && after.is_some_and(is_word);
        if !joined_before && !joined_after {
            spans.push(Span {
                range: start..end,
                kind,
            });
        }
    }
}

fn without_overlaps(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_by_key(|span| (span.range.start, std::cmp::Reverse(span.range.end)));
    let mut kept: Vec<Span> = Vec::new();
    for span in spans {
        if kept
            .last()
            .is_none_or(|last| span.range.start >= last.range.end)
        {
            kept.push(span);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(&str, DetailKind)> {
        find_details(text, &[])
            .into_iter()
            .map(|span| (&text[span.range], span.kind))
            .collect()
    }

    #[test]
    fn finds_emails_and_addresses() {
        let text = "mail bob.lee@corp.example.org from 10.1.2.3 or fe80::1ff:fe23:4567:890a";
        assert_eq!(
            found(text),
            vec![
                ("bob.lee@corp.example.org", DetailKind::Email),
                ("10.1.2.3", DetailKind::Ip),
                ("fe80::1ff:fe23:4567:890a", DetailKind::Ip),
            ]
        );
    }

    #[test]
    fn ignores_lookalikes() {
        assert_eq!(
            found("jdk 1.8.0_252 build 11.0.2.3.4 on OrderService::placeOrder at 12:34:56"),
            vec![]
        );
        assert_eq!(found("version 300.1.2.3"), vec![]);
    }

    #[test]
    fn finds_environment_ids() {
        assert_eq!(
            found("env S38421."),
            vec![("S38421", DetailKind::EnvironmentId)]
        );
        assert_eq!(found("SKU S38421X"), vec![]);
    }

    #[test]
    fn finds_url_query_values_and_credentials() {
        let text = "see https://admin:hunter2@overops.corp.internal:8080/tale.html?event=AbC-&source=45#top";
        assert_eq!(
            found(text),
            vec![
                ("admin:hunter2", DetailKind::Token),
                ("overops.corp.internal", DetailKind::Host),
                ("AbC-", DetailKind::Token),
                ("45", DetailKind::Token),
            ]
        );
    }

    #[test]
    fn keeps_vendor_host() {
        let text = "https://app.overops.com/tale.html?event=x1";
        assert_eq!(found(text), vec![("x1", DetailKind::Token)]);
    }

    #[test]
    fn finds_known_values_as_whole_words() {
        let known = vec![("QA".to_owned(), DetailKind::EnvironmentName)];
        let text = "failed in QA, not in QAService";
        let spans = find_details(text, &known);
        assert_eq!(spans.len(), 1);
        assert_eq!(&text[spans[0].range.clone()], "QA");
    }
}
