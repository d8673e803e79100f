//! Message templates: `{Property}` is replaced by the event's value.

use serde_json::{Map, Value};

/// Renders `template`, replacing each `{Name}` with the property `Name`.
///
/// A name is letters, digits, `_`, `-`, `.` or spaces between braces.
/// Missing properties render as empty text, as xMatters leaves an unset
/// property blank. Strings render as they are; other JSON values render as
/// JSON text. Braces that do not enclose a name are copied unchanged.
pub fn render(template: &str, properties: &Map<String, Value>) -> String {
    let mut output = String::with_capacity(template.len());
    let mut rest = template;

    while let Some(open) = rest.find('{') {
        output.push_str(&rest[..open]);
        let after_open = &rest[open + 1..];
        match after_open.find('}') {
            Some(close) if is_property_name(&after_open[..close]) => {
                let name = &after_open[..close];
                output.push_str(&value_text(properties.get(name)));
                rest = &after_open[close + 1..];
            }
            _ => {
                output.push('{');
                rest = after_open;
            }
        }
    }
    output.push_str(rest);
    output
}

fn is_property_name(text: &str) -> bool {
    !text.is_empty()
        && !text.starts_with(' ')
        && !text.ends_with(' ')
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' '))
}

fn value_text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn properties() -> Map<String, Value> {
        let Value::Object(map) = json!({
            "App_Name": "orders-api",
            "link": "https://app.overops.com/x",
            "Count": 3,
        }) else {
            unreachable!("the literal is an object")
        };
        map
    }

    #[test]
    fn substitutes_known_properties() {
        let text = render(
            "A new alert from OverOps for {App_Name}. Details: {link}",
            &properties(),
        );
        assert_eq!(
            text,
            "A new alert from OverOps for orders-api. Details: https://app.overops.com/x"
        );
    }

    #[test]
    fn missing_property_renders_empty() {
        assert_eq!(render("view {View_Name}!", &properties()), "view !");
    }

    #[test]
    fn non_text_values_render_as_json() {
        assert_eq!(render("{Count} events", &properties()), "3 events");
    }

    #[test]
    fn stray_braces_are_kept() {
        assert_eq!(
            render("{ not a name } {", &properties()),
            "{ not a name } {"
        );
        assert_eq!(render("{}{App_Name}", &properties()), "{}orders-api");
        assert_eq!(render("json {\"a\": 1}", &properties()), "json {\"a\": 1}");
    }
}
