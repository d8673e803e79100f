//! The recipients key: which alerts xMatters' flood control counts
//! together.

use serde::Deserialize;
use serde_json::Value;

/// The part of a trigger object the key is made of.
#[derive(Deserialize)]
struct Addressed {
    recipients: Option<Value>,
}

/// Returns the key of a trigger's recipients: each `TYPE:id`, sorted and
/// without repeats, joined by commas, so that the order of the recipients
/// does not matter. A recipient without a type counts as `ANY`. A trigger
/// without recipients gets the empty key, which stands for the form's
/// default recipients.
///
/// NOTE: xMatters resolves a name without a type itself, so `mmcbride`
/// and `PERSON:mmcbride` may be the same recipient to xMatters but get
/// different keys here.
///
/// Reads only the recipients of `trigger`, the JSON text the store keeps.
/// A text that is not a trigger object gets the empty key.
pub fn recipients_key(trigger: &str) -> String {
    let recipients = match serde_json::from_str::<Addressed>(trigger) {
        Ok(Addressed {
            recipients: Some(Value::Array(recipients)),
        }) => recipients,
        _ => return String::new(),
    };
    let mut names: Vec<String> = recipients
        .iter()
        .filter_map(|recipient| {
            let id = recipient.get("id").and_then(Value::as_str)?;
            let kind = recipient
                .get("recipientType")
                .and_then(Value::as_str)
                .unwrap_or("ANY");
            Some(format!("{kind}:{id}"))
        })
        .collect();
    names.sort();
    names.dedup();
    names.join(",")
}

/// Describes a key for people: the recipients, or the form's defaults.
pub fn describe_key(key: &str) -> String {
    if key.is_empty() {
        "the form's default recipients".to_owned()
    } else {
        key.split(',')
            .map(|name| name.strip_prefix("ANY:").unwrap_or(name))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn order_and_repeats_do_not_matter() {
        let first = json!({"recipients": [
            {"id": "ops", "recipientType": "GROUP"},
            {"id": "mmcbride"},
            {"id": "ops", "recipientType": "GROUP"}
        ]});
        let second = json!({"recipients": [
            {"id": "mmcbride"},
            {"id": "ops", "recipientType": "GROUP"}
        ]});
        assert_eq!(recipients_key(&first.to_string()), "ANY:mmcbride,GROUP:ops");
        assert_eq!(
            recipients_key(&first.to_string()),
            recipients_key(&second.to_string())
        );
    }

    #[test]
    fn missing_recipients_get_the_empty_key() {
        assert_eq!(recipients_key(&json!({"properties": {}}).to_string()), "");
        assert_eq!(
            recipients_key(&json!({"recipients": "ops"}).to_string()),
            ""
        );
        assert_eq!(recipients_key("not a trigger"), "");
        assert_eq!(describe_key(""), "the form's default recipients");
    }

    #[test]
    fn description_drops_the_any_type() {
        assert_eq!(
            describe_key("ANY:mmcbride,GROUP:ops"),
            "mmcbride, GROUP:ops"
        );
    }
}
