//! The table of xMatters callbacks that `relay alerts callbacks` prints.

use crate::store::{Callback, CallbackKind};

/// Formats callbacks as an aligned table with a header row. `-` in the
/// ALERT column marks a callback about an event that no alert has.
pub(super) fn format_table(callbacks: &[Callback]) -> String {
    let mut lines = vec![format!(
        "{:<24}  {:<14}  {:<10}  {:<36}  {}",
        "RECEIVED", "KIND", "EVENT", "ALERT", "DETAIL"
    )];
    for callback in callbacks {
        let received = callback
            .received_at
            .round(jiff::Unit::Second)
            .unwrap_or(callback.received_at);
        let alert = callback
            .alert_id
            .map_or_else(|| "-".to_owned(), |id| id.to_string());
        lines.push(format!(
            "{:<24}  {:<14}  {:<10}  {:<36}  {}",
            received.to_string(),
            callback.kind,
            callback.event_id,
            alert,
            detail(callback),
        ));
    }
    lines.join("\n")
}

/// Describes who did what, in a few words.
fn detail(callback: &Callback) -> String {
    let target = match (&callback.recipient, &callback.device) {
        (Some(recipient), Some(device)) => format!("{recipient} on {device}"),
        (Some(recipient), None) => recipient.clone(),
        (None, _) => String::new(),
    };
    let outcome = match callback.kind {
        CallbackKind::Response => callback.response.clone(),
        CallbackKind::Status => callback.status.clone(),
        CallbackKind::DeliveryStatus => callback.delivery_status.clone(),
        CallbackKind::Other => None,
    };
    let mut detail = [target, outcome.unwrap_or_default()]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(": ");
    if let Some(comment) = &callback.comment {
        detail.push_str(&format!(" ({comment:?})"));
    }
    if detail.is_empty() {
        "-".to_owned()
    } else {
        detail
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn callback(kind: CallbackKind) -> Callback {
        Callback {
            received_at: "2026-01-02T03:04:05.678Z".parse().expect("valid time"),
            kind,
            event_id: "1316001".to_owned(),
            alert_id: None,
            occurred_at: None,
            recipient: Some("mmcbride".to_owned()),
            device: Some("Work Email".to_owned()),
            device_id: None,
            response: Some("Acknowledge".to_owned()),
            comment: Some("on it".to_owned()),
            status: None,
            delivery_status: None,
            message: None,
            event_properties: serde_json::json!({}),
            body: "{}".to_owned(),
        }
    }

    #[test]
    fn table_has_header_and_one_row_per_callback() {
        let table = format_table(&[callback(CallbackKind::Response)]);
        let lines: Vec<&str> = table.lines().collect();

        assert_eq!(lines.len(), 2, "{table}");
        assert!(lines[0].starts_with("RECEIVED"), "{table}");
        assert!(lines[1].starts_with("2026-01-02T03:04:06Z"), "{table}");
        assert!(lines[1].contains("RESPONSE"), "{table}");
        assert!(
            lines[1].ends_with("mmcbride on Work Email: Acknowledge (\"on it\")"),
            "{table}"
        );
    }

    #[test]
    fn unmatched_callback_shows_a_dash() {
        let mut status = callback(CallbackKind::Status);
        status.recipient = None;
        status.comment = None;
        status.status = Some("terminated".to_owned());

        let table = format_table(&[status]);

        assert!(table.contains("1316001     -"), "{table}");
        assert!(table.ends_with("terminated"), "{table}");
    }
}
