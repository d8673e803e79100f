//! Form validation of trigger objects.

use serde_json::{Value, json};

use super::support::*;
use crate::engine::{NOT_IN_LIST, Simulator, Source, TOO_LONG, ValidationError};

fn validate(trigger: Value) -> Result<(), Vec<ValidationError>> {
    let mut sim = simulator(test_world());
    sim.create_event(Source::Integration("test".to_string()), None, &trigger)
        .map(|_| ())
}

fn errors(trigger: Value) -> Vec<(String, String)> {
    validate(trigger)
        .expect_err("the trigger is invalid")
        .into_iter()
        .map(|e| (e.json_path, e.details))
        .collect()
}

#[test]
fn text_longer_than_maximum_is_rejected() {
    let view = "v".repeat(31);
    assert_eq!(
        errors(json!({"properties": {"Summary": "x", "View_Name": view}})),
        vec![("properties/View_Name".to_string(), TOO_LONG.to_string())]
    );
    assert!(validate(json!({"properties": {"Summary": "x", "View_Name": "v".repeat(30)}})).is_ok());
}

#[test]
fn length_counts_utf16_code_units() {
    let fifteen_emoji = "\u{1F525}".repeat(15);
    let sixteen_emoji = "\u{1F525}".repeat(16);
    assert!(validate(json!({"properties": {"Summary": "x", "View_Name": fifteen_emoji}})).is_ok());
    assert_eq!(
        errors(json!({"properties": {"Summary": "x", "View_Name": sixteen_emoji}})),
        vec![("properties/View_Name".to_string(), TOO_LONG.to_string())]
    );
}

#[test]
fn list_value_must_be_configured() {
    assert_eq!(
        errors(json!({"properties": {"Summary": "x", "Level": "INFO"}})),
        vec![("properties/Level".to_string(), NOT_IN_LIST.to_string())]
    );
    assert!(validate(json!({"properties": {"Summary": "x", "Level": "WARN"}})).is_ok());
}

#[test]
fn required_property_must_be_present() {
    let found = errors(json!({"properties": {}}));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "properties/Summary");
}

#[test]
fn defaults_fill_missing_properties() {
    let mut sim = simulator(test_world());
    let event = sim
        .create_event(Source::Integration("test".to_string()), None, &trigger())
        .expect("valid trigger");
    assert_eq!(event.properties.get("Urgent"), Some(&json!(false)));
    assert_eq!(event.properties.get("Level"), None);
}

#[test]
fn wrong_value_types_are_rejected() {
    let found =
        errors(json!({"properties": {"Summary": {"a": 1}, "Count": "three", "Urgent": "yes"}}));
    let paths: Vec<&str> = found.iter().map(|(path, _)| path.as_str()).collect();
    assert_eq!(
        paths,
        vec![
            "properties/Summary",
            "properties/Count",
            "properties/Urgent"
        ]
    );
}

#[test]
fn unknown_property_is_rejected() {
    let found = errors(json!({"properties": {"Summary": "x", "Colour": "red"}}));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "properties/Colour");
}

#[test]
fn all_errors_are_reported_together() {
    let found = errors(json!({
        "properties": {"View_Name": "v".repeat(40), "Level": "INFO"},
        "priority": "URGENT",
        "expirationInMinutes": 0,
        "recipients": [{"id": "nobody"}],
    }));
    let paths: Vec<&str> = found.iter().map(|(path, _)| path.as_str()).collect();
    assert_eq!(
        paths,
        vec![
            "properties/Summary",
            "properties/View_Name",
            "properties/Level",
            "recipients/0/id",
            "priority",
            "expirationInMinutes",
        ]
    );
}

#[test]
fn recipients_are_resolved() {
    assert!(
        validate(json!({"properties": {"Summary": "x"}, "recipients": [{"id": "p1|Voice"}]}))
            .is_ok()
    );
    let wrong_type = errors(
        json!({"properties": {"Summary": "x"}, "recipients": [{"id": "p1", "recipientType": "GROUP"}]}),
    );
    assert_eq!(wrong_type[0].0, "recipients/0/id");
    let bad_device =
        errors(json!({"properties": {"Summary": "x"}, "recipients": [{"id": "p1|Pager"}]}));
    assert_eq!(bad_device[0].0, "recipients/0/id");
    let dynamic = errors(
        json!({"properties": {"Summary": "x"}, "recipients": [{"id": "t", "recipientType": "DYNAMIC_TEAM"}]}),
    );
    assert_eq!(dynamic[0].0, "recipients/0/id");
}

#[test]
fn trigger_must_be_an_object() {
    assert_eq!(errors(json!([1, 2])).len(), 1);
    assert_eq!(errors(json!({"properties": "Summary"}))[0].0, "properties");
}

#[test]
fn priority_and_lifetime_come_from_trigger_or_form() {
    let mut sim = simulator(test_world());
    let source = Source::Integration("test".to_string());
    let given = sim
        .create_event(
            source.clone(),
            None,
            &json!({"properties": {"Summary": "x"}, "priority": "high", "expirationInMinutes": 30}),
        )
        .expect("valid trigger");
    assert_eq!(given.priority, crate::world::Priority::High);
    assert_eq!(given.expiration_minutes, 30);

    let defaults = sim
        .create_event(source, None, &trigger())
        .expect("valid trigger");
    assert_eq!(defaults.priority, crate::world::Priority::Medium);
    assert_eq!(defaults.expiration_minutes, 180);
}

#[test]
fn unknown_source_is_rejected() {
    let mut sim: Simulator = simulator(test_world());
    let result = sim.create_event(Source::Integration("nope".to_string()), None, &trigger());
    let found = result.expect_err("unknown integration");
    assert!(
        found[0].details.contains("\"nope\""),
        "{}",
        found[0].details
    );
    assert_eq!(sim.event_count(), 0);
}

#[test]
fn callbacks_are_read_only_on_legacy_form_trigger() {
    let mut sim = simulator(test_world());
    let bad_callback = json!({
        "properties": {"Summary": "x"},
        "callbacks": [{"url": "http://127.0.0.1:9/cb", "type": "sometimes"}],
    });
    let via_integration =
        sim.create_event(Source::Integration("test".to_string()), None, &bad_callback);
    assert!(via_integration.is_ok(), "integrations ignore callbacks");

    let via_form = sim.create_event(Source::LegacyForm("Alert".to_string()), None, &bad_callback);
    let found = via_form.expect_err("the legacy trigger reads callbacks");
    assert_eq!(found[0].json_path, "callbacks/0/type");
}

#[test]
fn callback_url_needs_http_scheme() {
    let mut sim = simulator(test_world());
    for url in ["file:///etc/passwd", "mailto:ops@example.com"] {
        let trigger = json!({
            "properties": {"Summary": "x"},
            "callbacks": [{"url": url, "type": "status"}],
        });

        let result = sim.create_event(Source::LegacyForm("Alert".to_string()), None, &trigger);

        let found = result.expect_err("only http and https callbacks can be sent");
        assert_eq!(found[0].json_path, "callbacks/0/url");
        assert!(
            found[0].details.contains("http or https"),
            "{}",
            found[0].details
        );
    }
}
