//! Property tests: the parser and the mapping never panic, and every
//! mapped trigger obeys the form's limits, whatever the input.

use proptest::prelude::*;
use relay::config::MappingConfig;
use relay::form::PropertyKind;
use relay::mapping::{MapContext, map, utf16_len};
use relay::payload::parse;
use serde_json::{Map, Value, json};

/// Short strings mixing ASCII, multi-byte letters, emoji, joiners and
/// combining marks, with digits so that numeric strings come up.
fn text() -> impl Strategy<Value = String> {
    prop::string::string_regex("[a-zA-Z0-9 ._,:\\-\n\té東😀\u{200D}\u{301}]{0,40}")
        .expect("valid regex")
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|number| json!(number)),
        any::<u64>().prop_map(|number| json!(number)),
        any::<f64>().prop_map(|number| json!(number)),
        text().prop_map(Value::String),
        Just(json!("1534515709123")),
        Just(json!(1_534_515_709)),
        Just(json!("ERROR")),
        Just(json!("THRESHOLD")),
    ]
}

fn any_json() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(text(), inner, 0..8)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

/// Keys of the OverOps payload, so that random objects often look like
/// alerts and reach the deeper parsing paths.
const KEYS: &[&str] = &[
    "type",
    "date",
    "data",
    "summary",
    "view_name",
    "added_by",
    "service_name",
    "service_id",
    "username",
    "location",
    "entry_point",
    "stacktrace",
    "link",
    "name",
    "message",
    "level",
    "is_caught",
    "error_code",
    "app_name",
    "server_name",
    "threshold",
    "times",
    "top_events",
    "from_timestamp",
    "to_timestamp",
    "title",
    "frame",
    "class_name",
    "method_name",
    "full_name",
];

fn alert_like() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![4 => scalar(), 1 => any_json()];
    leaf.prop_recursive(4, 96, 10, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..10).prop_map(|entries| {
                let map: Map<String, Value> = entries
                    .into_iter()
                    .map(|(key, value)| (key.to_owned(), value))
                    .collect();
                Value::Object(map)
            }),
        ]
    })
}

fn assert_trigger_obeys_form(body: &[u8]) {
    let Ok(alert) = parse(body) else {
        return;
    };
    let config = MappingConfig::default();
    let mapped = map(&alert, &config, &MapContext::from_query("recipients=a,b"));

    for property in &config.form.properties {
        let Some(value) = mapped.trigger.properties.get(&property.name) else {
            continue;
        };
        let value = value.as_str().expect("property values are strings");
        match property.kind {
            PropertyKind::Text => {
                let max_length = property
                    .max_length
                    .expect("default text properties have a maximum");
                assert!(
                    utf16_len(value) <= max_length,
                    "{} is {} units",
                    property.name,
                    utf16_len(value)
                );
            }
            PropertyKind::List => assert!(property.values.iter().any(|allowed| allowed == value)),
        }
    }
    assert_eq!(mapped.dedup_key.len(), 64);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
        assert_trigger_obeys_form(&body);
    }

    #[test]
    fn arbitrary_json_never_panics(value in any_json()) {
        let body = serde_json::to_vec(&value).expect("JSON serializes");
        assert_trigger_obeys_form(&body);
    }

    #[test]
    fn alert_shaped_json_maps_within_form_limits(
        data in alert_like(),
        inner in alert_like(),
        kind in prop::sample::select(vec!["NEW_EVENT", "RESURFACED", "THRESHOLD", "ANOMALY"]),
        envelope_type in prop::sample::select(vec!["ALERT", "TEST", "PING"]),
        date in scalar(),
    ) {
        let mut data = match data {
            Value::Object(map) => map,
            other => Map::from_iter([("summary".to_owned(), other)]),
        };
        data.insert("type".to_owned(), json!(kind));
        data.insert("data".to_owned(), inner);
        let body = json!({"type": envelope_type, "date": date, "data": data});
        let bytes = serde_json::to_vec(&body).expect("JSON serializes");

        let alert = parse(&bytes);
        prop_assert!(alert.is_ok(), "an object with a string type and object data is an alert: {:?}", alert.err());
        assert_trigger_obeys_form(&bytes);
    }
}
