//! Choosing recipients: routing rules, their default, and the webhook URL.

use super::text::non_empty;
use super::{MapContext, Recipient};
use crate::config::{MappingConfig, Route};
use crate::payload::Alert;

/// Returns the recipients of the first route that matches (else the
/// default recipients), followed by the recipients named in the webhook
/// URL. A name already in the list is not added twice.
pub(crate) fn resolve(
    alert: &Alert,
    config: &MappingConfig,
    context: &MapContext,
) -> Vec<Recipient> {
    let routed = config
        .routes
        .iter()
        .find(|route| matches(route, alert))
        .map_or(&config.default_recipients, |route| &route.recipients);

    let mut recipients: Vec<Recipient> =
        Vec::with_capacity(routed.len() + context.recipients.len());
    let from_url = context
        .recipients
        .iter()
        .map(|id| Recipient::named(id.trim()));
    for recipient in routed.iter().cloned().chain(from_url) {
        let known = recipients.iter().any(|known| known.id == recipient.id);
        if !known && !recipient.id.is_empty() {
            recipients.push(recipient);
        }
    }
    recipients
}

/// Returns whether every condition the route sets matches the alert.
pub(crate) fn matches(route: &Route, alert: &Alert) -> bool {
    let service = route.service.as_deref().is_none_or(|pattern| {
        [&alert.service_name, &alert.service_id]
            .into_iter()
            .any(|value| non_empty(value).is_some_and(|value| glob_matches(pattern, value)))
    });
    let application = route.application.as_deref().is_none_or(|pattern| {
        alert
            .event()
            .and_then(|event| non_empty(&event.app_name))
            .is_some_and(|app| glob_matches(pattern, app))
    });
    let view = route.view.as_deref().is_none_or(|pattern| {
        non_empty(&alert.view_name).is_some_and(|view| glob_matches(pattern, view))
    });
    let kind = route
        .kind
        .as_deref()
        .is_none_or(|pattern| glob_matches(pattern, alert.kind_name()));
    service && application && view && kind
}

/// Matches `value` against `pattern` ignoring case, where `*` in the
/// pattern stands for any run of characters, including none.
pub fn glob_matches(pattern: &str, value: &str) -> bool {
    let pattern: Vec<char> = pattern
        .trim()
        .chars()
        .flat_map(char::to_lowercase)
        .collect();
    let value: Vec<char> = value.trim().chars().flat_map(char::to_lowercase).collect();

    // Greedy matching with backtracking to the last `*`: linear in practice
    // and at worst quadratic, never exponential.
    let (mut p, mut v) = (0, 0);
    let mut last_star: Option<(usize, usize)> = None;
    while v < value.len() {
        if p < pattern.len() && pattern[p] == '*' {
            last_star = Some((p, v));
            p += 1;
        } else if p < pattern.len() && pattern[p] == value[v] {
            p += 1;
            v += 1;
        } else if let Some((star, matched)) = last_star {
            p = star + 1;
            v = matched + 1;
            last_star = Some((star, matched + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::glob_matches;

    #[test]
    fn glob_cases() {
        let cases = [
            ("Production", "production", true),
            ("Prod*", "Production", true),
            ("*tion", "Production", true),
            ("P*d*n", "Production", true),
            ("*", "", true),
            ("", "", true),
            ("Prod", "Production", false),
            ("*x*", "Production", false),
            ("orders-*-api", "orders-eu-api", true),
            ("orders-*-api", "orders-api", false),
        ];
        for (pattern, value, expected) in cases {
            assert_eq!(
                glob_matches(pattern, value),
                expected,
                "{pattern:?} vs {value:?}"
            );
        }
    }
}
