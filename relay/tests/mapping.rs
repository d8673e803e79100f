//! Mapping rules configured by the customer: routing, priority, the form
//! description, the date zone and format, and URL recipients.

use relay::config::{MappingConfig, Route};
use relay::form::{FormDefinition, PropertyDefinition, PropertyKind, Source};
use relay::mapping::{MapContext, Mapped, Priority, Recipient, RecipientType, Warning, map};
use relay::payload::parse;
use serde_json::{Value, json};

fn event_alert(service: &str, app: &str, view: &str, level: &str, caught: bool) -> Value {
    json!({
        "type": "ALERT",
        "date": 1_534_515_709_123_i64,
        "service_id": "S1",
        "service_name": service,
        "data": {
            "type": "NEW_EVENT",
            "view_name": view,
            "data": {
                "name": "NullPointerException",
                "app_name": app,
                "level": level,
                "is_caught": caught
            }
        }
    })
}

fn threshold_alert(view: &str) -> Value {
    json!({
        "type": "ALERT",
        "service_name": "Production",
        "data": {"type": "THRESHOLD", "view_name": view, "data": {"threshold": 10, "times": 11}}
    })
}

fn test_message() -> Value {
    json!({"type": "TEST", "service_name": "Production"})
}

fn map_with(body: &Value, config: &MappingConfig, context: &MapContext) -> Mapped {
    let bytes = serde_json::to_vec(body).expect("JSON serializes");
    let alert = parse(&bytes).expect("payload is an OverOps alert");
    map(&alert, config, context)
}

fn map_default(body: &Value) -> Mapped {
    map_with(body, &MappingConfig::default(), &MapContext::default())
}

fn ids(mapped: &Mapped) -> Vec<&str> {
    mapped
        .trigger
        .recipients
        .iter()
        .map(|recipient| recipient.id.as_str())
        .collect()
}

fn route(recipient: &str) -> Route {
    Route {
        service: None,
        application: None,
        view: None,
        kind: None,
        recipients: vec![Recipient::named(recipient)],
    }
}

fn routing_config() -> MappingConfig {
    MappingConfig {
        routes: vec![
            Route {
                kind: Some("THRESHOLD".into()),
                ..route("capacity")
            },
            Route {
                service: Some("Prod*".into()),
                application: Some("orders-*".into()),
                ..route("orders-oncall")
            },
            Route {
                service: Some("production".into()),
                ..route("prod-oncall")
            },
            Route {
                view: Some("Critical*".into()),
                ..route("critical")
            },
        ],
        default_recipients: vec![Recipient {
            id: "OverOps On-Call".into(),
            recipient_type: Some(RecipientType::Group),
        }],
        ..MappingConfig::default()
    }
}

#[test]
fn routing_first_match_wins() {
    let config = routing_config();
    let none = MapContext::default();

    // Matches both the orders route and the production route; the first wins.
    let orders = map_with(
        &event_alert("Production", "orders-api", "Critical Errors", "ERROR", true),
        &config,
        &none,
    );
    assert_eq!(ids(&orders), ["orders-oncall"]);

    // The kind route comes first, so a production threshold goes to capacity.
    let threshold = map_with(&threshold_alert("All Events"), &config, &none);
    assert_eq!(ids(&threshold), ["capacity"]);
}

#[test]
fn routing_conditions_must_all_match() {
    let config = routing_config();
    let none = MapContext::default();

    // The orders route needs an orders application; the next route matches.
    let billing = map_with(
        &event_alert("Production", "billing", "New Errors", "ERROR", true),
        &config,
        &none,
    );
    assert_eq!(ids(&billing), ["prod-oncall"]);

    // Matches nothing but the view route.
    let staging = map_with(
        &event_alert("Staging", "orders-api", "Critical Errors", "ERROR", true),
        &config,
        &none,
    );
    assert_eq!(ids(&staging), ["critical"]);
}

#[test]
fn routing_falls_back_to_default_recipients() {
    let config = routing_config();
    let mapped = map_with(
        &event_alert("Staging", "billing", "New Errors", "ERROR", true),
        &config,
        &MapContext::default(),
    );

    assert_eq!(
        mapped.trigger.recipients,
        [Recipient {
            id: "OverOps On-Call".into(),
            recipient_type: Some(RecipientType::Group),
        }]
    );
}

#[test]
fn url_recipients_are_added_after_routed_ones_once() {
    let config = routing_config();
    let context = MapContext::from_query(
        "token=secret&recipients=mmcbride,%20prod-oncall,&recipients=ops%7CWork%20Email",
    );
    let mapped = map_with(
        &event_alert("Production", "billing", "New Errors", "ERROR", true),
        &config,
        &context,
    );

    assert_eq!(ids(&mapped), ["prod-oncall", "mmcbride", "ops|Work Email"]);
}

#[test]
fn no_recipients_leaves_them_out_of_the_trigger() {
    let mapped = map_default(&event_alert(
        "Production",
        "orders-api",
        "New Errors",
        "ERROR",
        true,
    ));
    let wire = serde_json::to_value(&mapped.trigger).expect("trigger serializes");

    assert!(mapped.trigger.recipients.is_empty());
    assert!(wire.get("recipients").is_none(), "{wire}");
    assert_eq!(wire["expirationInMinutes"], 180);
}

#[test]
fn default_priority_table() {
    let cases = [
        (event_alert("P", "a", "v", "FATAL", true), Priority::High),
        (event_alert("P", "a", "v", "ERROR", true), Priority::Medium),
        (event_alert("P", "a", "v", "WARN", true), Priority::Low),
        (event_alert("P", "a", "v", "WARN", false), Priority::Medium),
        (event_alert("P", "a", "v", "INFO", true), Priority::Medium),
        (threshold_alert("v"), Priority::High),
        (test_message(), Priority::Low),
    ];
    for (body, expected) in cases {
        assert_eq!(map_default(&body).trigger.priority, expected, "{body}");
    }
}

#[test]
fn configured_priority_takes_the_highest_applicable_row() {
    let mut config = MappingConfig::default();
    config.priority.uncaught = Priority::High;
    config.priority.warn = Priority::Low;

    let uncaught_warning = map_with(
        &event_alert("P", "a", "v", "WARN", false),
        &config,
        &MapContext::default(),
    );
    assert_eq!(uncaught_warning.trigger.priority, Priority::High);
}

#[test]
fn date_uses_configured_zone_and_format() {
    let config = MappingConfig {
        time_zone: "Europe/Paris".into(),
        date_format: "%Y-%m-%d %H:%M %Z".into(),
        ..MappingConfig::default()
    };
    let mapped = map_with(
        &event_alert("P", "a", "v", "ERROR", true),
        &config,
        &MapContext::default(),
    );

    assert_eq!(mapped.trigger.properties["Date"], "2018-08-17 16:21 CEST");
}

#[test]
fn date_follows_new_york_dst_change() {
    // 2024-11-03 05:30 UTC is 01:30 EDT; one hour later it is 01:30 EST.
    let dates = [
        (1_730_611_800_000_i64, "Nov 3, 2024 1:30 AM"),
        (1_730_615_400_000, "Nov 3, 2024 1:30 AM"),
    ];
    let offsets = ["EDT", "EST"];
    for ((millisecond, expected), zone) in dates.into_iter().zip(offsets) {
        let mut body = test_message();
        body["date"] = json!(millisecond);
        let mapped = map_default(&body);
        assert_eq!(mapped.trigger.properties["Date"], expected);

        let config = MappingConfig {
            date_format: "%Z".into(),
            ..MappingConfig::default()
        };
        let mapped = map_with(&body, &config, &MapContext::default());
        assert_eq!(mapped.trigger.properties["Date"], zone);
    }
}

#[test]
fn custom_form_renames_limits_and_requires() {
    let text = |name: &str, max_length: usize, source: Option<Source>, required: bool| {
        PropertyDefinition {
            name: name.into(),
            kind: PropertyKind::Text,
            max_length: Some(max_length),
            values: Vec::new(),
            required,
            source,
        }
    };
    let config = MappingConfig {
        form: FormDefinition {
            name: "Custom".into(),
            properties: vec![
                text("Headline", 12, Some(Source::Title), true),
                text("Application", 100, Some(Source::AppName), false),
                text("Error_Code", 10, None, true),
                PropertyDefinition {
                    name: "Severity".into(),
                    kind: PropertyKind::List,
                    max_length: None,
                    values: vec!["ERROR".into()],
                    required: false,
                    source: Some(Source::Level),
                },
            ],
        },
        ..MappingConfig::default()
    };
    let mapped = map_with(
        &event_alert("P", "orders-api", "v", "WARN", true),
        &config,
        &MapContext::default(),
    );

    let names: Vec<&String> = mapped.trigger.properties.keys().collect();
    assert_eq!(names, ["Headline", "Application"]);
    assert_eq!(mapped.trigger.properties["Headline"], "NullPointer…");
    assert_eq!(mapped.trigger.properties["Application"], "orders-api");
    assert_eq!(
        mapped.warnings,
        [
            Warning::Truncated {
                property: "Headline".into(),
                original_length: 20,
                new_length: 12,
            },
            Warning::MissingRequired {
                property: "Error_Code".into(),
            },
            Warning::NotInList {
                property: "Severity".into(),
                value: "WARN".into(),
                allowed: vec!["ERROR".into()],
            },
        ]
    );
}

#[test]
fn warnings_display_as_sentences() {
    let truncated = Warning::Truncated {
        property: "View_Name".into(),
        original_length: 31,
        new_length: 30,
    };
    assert_eq!(
        truncated.to_string(),
        "View_Name: cut from 31 to 30 UTF-16 code units to fit the form's maximum length"
    );

    let not_in_list = Warning::NotInList {
        property: "Level".into(),
        value: "INFO".into(),
        allowed: vec!["FATAL".into(), "ERROR".into(), "WARN".into()],
    };
    assert_eq!(
        not_in_list.to_string(),
        "Level: omitted \"INFO\" because the form allows only FATAL, ERROR, WARN"
    );
}

#[test]
fn mapping_is_deterministic() {
    let body = event_alert("Production", "orders-api", "New Errors", "ERROR", false);
    assert_eq!(map_default(&body), map_default(&body));
}

#[test]
fn dedup_key_counts_sorted_url_recipients() {
    let alert = event_alert("Production", "orders-api", "New Errors", "ERROR", false);
    let config = MappingConfig::default();
    let key = |query: &str| map_with(&alert, &config, &MapContext::from_query(query)).dedup_key;

    let none = key("");
    let team_a = key("recipients=teamA");
    let team_b = key("recipients=teamB");
    let both = key("recipients=teamA,teamB");
    let both_reversed = key("recipients=teamB&recipients=teamA,teamA");

    assert_eq!(none, map_default(&alert).dedup_key);
    assert_ne!(team_a, none);
    assert_ne!(team_a, team_b);
    assert_ne!(both, team_a);
    assert_eq!(both, both_reversed, "order and repeats do not count");
}
