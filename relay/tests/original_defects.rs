//! One test per defect of the vendor's original OverOps-to-xMatters
//! integration that the mapping is responsible for, each named after the
//! behaviour the relay gets right.

use relay::config::MappingConfig;
use relay::mapping::{MapContext, Mapped, Warning, map};
use relay::payload::parse;
use serde_json::{Value, json};

fn map_json(body: &Value) -> Mapped {
    let bytes = serde_json::to_vec(body).expect("JSON serializes");
    let alert = parse(&bytes).expect("payload is an OverOps alert");
    map(&alert, &MappingConfig::default(), &MapContext::default())
}

fn property<'a>(mapped: &'a Mapped, name: &str) -> Option<&'a str> {
    mapped.trigger.properties.get(name).and_then(Value::as_str)
}

fn new_event(added_by: Value, date: Value) -> Value {
    json!({
        "type": "ALERT",
        "date": date,
        "username": "owner@example.com",
        "service_id": "S38421",
        "service_name": "Production",
        "data": {
            "type": "NEW_EVENT",
            "summary": "NullPointerException in OrderService.placeOrder(117)",
            "view_name": "New Errors",
            "added_by": added_by,
            "data": {
                "type": "EXCEPTION",
                "location": {"class_name": "com.acme.orders.OrderService", "method_name": "placeOrder"},
                "stacktrace": [
                    {"class_name": "com.acme.orders.OrderService", "method_name": "placeOrder"},
                    {"class_name": "com.acme.web.OrderServlet", "method_name": "doPost"}
                ],
                "link": "https://app.overops.com/tale.html?event=UzM4NDIxIzQ1IzE-&source=45",
                "server_name": "ip-10-0-1-17",
                "app_name": "orders-api",
                "name": "NullPointerException",
                "is_caught": false,
                "message": "order was null",
                "level": "ERROR",
                "error_code": 500
            }
        }
    })
}

#[test]
fn string_added_by_is_accepted() {
    let mapped = map_json(&new_event(
        json!("owner@example.com"),
        json!(1_534_515_709_123_i64),
    ));

    assert_eq!(property(&mapped, "Added_By"), Some("owner@example.com"));
    assert!(mapped.warnings.is_empty(), "{:?}", mapped.warnings);
}

#[test]
fn millisecond_date_is_not_read_as_seconds() {
    let mapped = map_json(&new_event(json!([]), json!(1_534_515_709_123_i64)));

    assert_eq!(property(&mapped, "Date"), Some("Aug 17, 2018 10:21 AM"));
}

#[test]
fn seconds_date_is_read_with_warning() {
    let mapped = map_json(&new_event(json!([]), json!(1_534_515_709)));

    assert_eq!(property(&mapped, "Date"), Some("Aug 17, 2018 10:21 AM"));
    let warned = mapped.warnings.iter().any(|warning| {
        matches!(warning, Warning::Payload { path, message } if path == "$.date" && message.contains("read as seconds"))
    });
    assert!(warned, "{:?}", mapped.warnings);
}

#[test]
fn message_is_text_not_an_object() {
    let mapped = map_json(&new_event(json!([]), json!(1_534_515_709_123_i64)));

    let message = mapped
        .trigger
        .properties
        .get("Message")
        .expect("Message is filled");
    let text = message.as_str().expect("Message is a JSON string");
    assert!(!text.trim_start().starts_with('{'), "{text}");
    assert!(text.contains("Message: order was null"), "{text}");
    assert!(
        text.contains("Location: com.acme.orders.OrderService.placeOrder"),
        "{text}"
    );
}

#[test]
fn properties_never_filled_by_the_original_are_filled() {
    let mapped = map_json(&new_event(
        json!(["owner@example.com"]),
        json!(1_534_515_709_123_i64),
    ));

    assert_eq!(
        property(&mapped, "Title"),
        Some("NullPointerException in OrderService.placeOrder")
    );
    assert_eq!(
        property(&mapped, "Class_Name"),
        Some("com.acme.orders.OrderService")
    );
    assert_eq!(
        property(&mapped, "Content"),
        Some("at com.acme.orders.OrderService.placeOrder\nat com.acme.web.OrderServlet.doPost")
    );
    assert_eq!(property(&mapped, "Error_Code"), Some("500"));
    assert_eq!(property(&mapped, "Level"), Some("ERROR"));
    assert_eq!(property(&mapped, "Server_Name"), Some("ip-10-0-1-17"));
    assert_eq!(property(&mapped, "Username"), Some("owner@example.com"));
}

#[test]
fn threshold_alert_takes_link_from_first_top_event() {
    let body = json!({
        "type": "ALERT",
        "date": 1_534_515_709_123_i64,
        "service_name": "Production",
        "data": {
            "type": "THRESHOLD",
            "summary": "Events in view All Events have occurred more than 100 times in the past 10 minutes in Production",
            "view_name": "All Events",
            "added_by": ["owner@example.com"],
            "data": {
                "threshold": 100,
                "times": 250,
                "top_events": [
                    {"title": "NullPointerException in OrderService.placeOrder", "times": 180,
                     "link": "https://app.overops.com/tale.html?event=first&source=45"},
                    {"title": "Logged Error in PaymentClient.charge", "times": 52,
                     "link": "https://app.overops.com/tale.html?event=second&source=45"}
                ]
            }
        }
    });
    let mapped = map_json(&body);

    assert_eq!(
        property(&mapped, "link"),
        Some("https://app.overops.com/tale.html?event=first&source=45")
    );
    assert_eq!(
        property(&mapped, "Title"),
        Some("Threshold exceeded in view All Events: 250 hits, threshold 100")
    );
    // Fields that only error events have are left out, not sent empty.
    assert_eq!(property(&mapped, "App_Name"), None);
    assert_eq!(property(&mapped, "Full_Name"), None);
    assert!(mapped.warnings.is_empty(), "{:?}", mapped.warnings);
}

#[test]
fn values_over_the_maximum_are_cut_not_rejected() {
    let mut body = new_event(
        json!([
            "owner@example.com",
            "dev@example.com",
            "oncall-lead@example.com"
        ]),
        json!(1_534_515_709_123_i64),
    );
    body["data"]["view_name"] = json!("Critical Exceptions in Checkout");
    let mapped = map_json(&body);

    assert_eq!(
        property(&mapped, "View_Name"),
        Some("Critical Exceptions in Checko…")
    );
    assert_eq!(
        property(&mapped, "Added_By"),
        Some("owner@example.com, dev@exampl…")
    );
    assert!(mapped.warnings.contains(&Warning::Truncated {
        property: "View_Name".to_owned(),
        original_length: 31,
        new_length: 30,
    }));
    assert!(mapped.warnings.contains(&Warning::Truncated {
        property: "Added_By".to_owned(),
        original_length: 59,
        new_length: 30,
    }));
}

#[test]
fn repeated_alert_gets_the_same_dedup_key() {
    let first = map_json(&new_event(json!([]), json!(1_534_515_709_123_i64)));
    let resent_later = map_json(&new_event(json!([]), json!(1_534_515_769_123_i64)));
    let mut other = new_event(json!([]), json!(1_534_515_709_123_i64));
    other["data"]["data"]["link"] =
        json!("https://app.overops.com/tale.html?event=other&source=45");
    let other = map_json(&other);

    assert_eq!(first.dedup_key, resent_later.dedup_key);
    assert_ne!(first.dedup_key, other.dedup_key);
    assert_eq!(first.dedup_key.len(), 64);
}
