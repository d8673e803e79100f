//! Generated payloads: documented shape per kind, quirks, determinism.

use mock_overops::generate::{
    EventKind, GenOptions, Kind, MAX_STACK_DEPTH, OVERSIZED_MESSAGE_BYTES, OVERSIZED_STACK_DEPTH,
    Quirk, generate, generate_bytes,
};
use serde_json::Value;

const EVENT_KINDS: [EventKind; 4] = [
    EventKind::Exception,
    EventKind::LoggedError,
    EventKind::LoggedWarning,
    EventKind::HttpError,
];

fn options(kind: Kind, seed: u64) -> GenOptions {
    GenOptions {
        kind,
        seed,
        ..GenOptions::default()
    }
}

fn with_quirk(kind: Kind, quirk: Quirk, seed: u64) -> Value {
    generate(&GenOptions {
        quirks: vec![quirk],
        ..options(kind, seed)
    })
}

fn all_kinds() -> Vec<Kind> {
    let mut kinds = Vec::new();
    for event_kind in EVENT_KINDS {
        kinds.push(Kind::NewEvent(event_kind));
        kinds.push(Kind::Resurfaced(event_kind));
    }
    kinds.extend([
        Kind::Threshold,
        Kind::Test,
        Kind::Unknown("ANOMALY".to_owned()),
    ]);
    kinds
}

fn assert_string(value: &Value, field: &str) {
    assert!(
        value[field].as_str().is_some_and(|text| !text.is_empty()),
        "{field} should be a non-empty string in {value}"
    );
}

fn assert_frame(frame: &Value) {
    for field in ["class_name", "method_name", "method_desc", "full_name"] {
        assert_string(frame, field);
    }
    let class_name = frame["class_name"].as_str().unwrap_or_default();
    let method_name = frame["method_name"].as_str().unwrap_or_default();
    assert!(
        class_name.contains('.'),
        "class name is dotted: {class_name}"
    );
    assert_eq!(frame["full_name"], format!("{class_name}.{method_name}"));

    let descriptor = frame["method_desc"].as_str().unwrap_or_default();
    assert!(descriptor.starts_with('('), "descriptor {descriptor}");
    assert!(descriptor.contains(')'), "descriptor {descriptor}");

    for field in ["is_3rd_party", "is_catch_frame", "is_hit_frame"] {
        assert!(frame[field].is_boolean(), "{field} in {frame}");
    }
    let modified = frame["modification_timestamp"].as_str().unwrap_or_default();
    assert!(
        modified.parse::<u64>().is_ok(),
        "modification_timestamp {modified:?}"
    );
}

fn assert_envelope(payload: &Value, envelope_type: &str) {
    assert!(payload["api_version"].is_string());
    assert_eq!(payload["type"], envelope_type);
    assert!(
        payload["date"].is_u64(),
        "date is epoch ms: {}",
        payload["date"]
    );
    assert!(
        payload["username"]
            .as_str()
            .unwrap_or_default()
            .contains('@')
    );
    let service_id = payload["service_id"].as_str().unwrap_or_default();
    assert!(service_id.starts_with('S'), "service_id {service_id}");
    assert!(
        service_id[1..].parse::<u32>().is_ok(),
        "service_id {service_id}"
    );
    assert_string(payload, "service_name");

    let data = &payload["data"];
    assert_string(data, "type");
    assert_string(data, "summary");
    assert_string(data, "view_name");
    let added_by = data["added_by"].as_array().expect("added_by is an array");
    assert!(!added_by.is_empty());
    assert!(added_by.iter().all(Value::is_string));
}

fn assert_event_body(body: &Value, event_kind: EventKind, depth: usize) {
    assert_frame(&body["location"]);
    assert_eq!(body["location"]["is_hit_frame"], true);
    assert_frame(&body["entry_point"]);
    let stack = body["stacktrace"]
        .as_array()
        .expect("stacktrace is an array");
    assert_eq!(stack.len(), depth);
    stack.iter().for_each(assert_frame);
    assert_eq!(
        stack[0], body["location"],
        "the stack starts at the location"
    );

    let link = body["link"].as_str().unwrap_or_default();
    assert!(
        link.starts_with("https://app.overops.com/tale.html?event="),
        "link {link}"
    );
    for field in [
        "server_name",
        "app_name",
        "deployment_name",
        "name",
        "message",
    ] {
        assert_string(body, field);
    }
    assert!(body["is_caught"].is_boolean());

    let (inner_type, level) = match event_kind {
        EventKind::Exception => ("EXCEPTION", None),
        EventKind::LoggedError => ("LOG", Some("ERROR")),
        EventKind::LoggedWarning => ("LOG", Some("WARN")),
        EventKind::HttpError => ("HTTP_ERROR", None),
    };
    assert_eq!(body["type"], inner_type);
    match level {
        Some(level) => assert_eq!(body["level"], level),
        None => assert!(body.get("level").is_none()),
    }
    if event_kind == EventKind::HttpError {
        let code = body["error_code"].as_str().expect("error_code is a string");
        assert!(code.parse::<u16>().is_ok(), "error_code {code}");
    } else {
        assert!(body.get("error_code").is_none());
    }
}

#[test]
fn new_event_has_documented_shape() {
    for event_kind in EVENT_KINDS {
        let payload = generate(&options(Kind::NewEvent(event_kind), 11));
        assert_envelope(&payload, "ALERT");
        assert_eq!(payload["data"]["type"], "NEW_EVENT");
        assert_event_body(&payload["data"]["data"], event_kind, 20);
    }
}

#[test]
fn resurfaced_has_documented_shape() {
    for event_kind in EVENT_KINDS {
        let payload = generate(&options(Kind::Resurfaced(event_kind), 12));
        assert_envelope(&payload, "ALERT");
        assert_eq!(payload["data"]["type"], "RESURFACED");
        let summary = payload["data"]["summary"].as_str().unwrap_or_default();
        assert!(summary.contains("resurfaced"), "summary {summary}");
        assert_event_body(&payload["data"]["data"], event_kind, 20);
    }
}

#[test]
fn threshold_has_documented_shape() {
    for seed in 0..20 {
        let payload = generate(&options(Kind::Threshold, seed));
        assert_envelope(&payload, "ALERT");
        assert_eq!(payload["data"]["type"], "THRESHOLD");

        let body = &payload["data"]["data"];
        let threshold = body["threshold"].as_u64().expect("threshold is an integer");
        let times = body["times"].as_u64().expect("times is an integer");
        assert!(times > threshold);
        let from = body["from_timestamp"]
            .as_u64()
            .expect("from_timestamp is epoch ms");
        let to = body["to_timestamp"]
            .as_u64()
            .expect("to_timestamp is epoch ms");
        assert!(from < to);

        let top_events = body["top_events"]
            .as_array()
            .expect("top_events is an array");
        assert!(!top_events.is_empty());
        for event in top_events {
            assert_string(event, "title");
            assert_string(event, "link");
            assert!(event["times"].is_u64());
            assert_frame(&event["frame"]);
        }
        for absent in ["app_name", "name", "link", "location"] {
            assert!(body.get(absent).is_none(), "threshold has no {absent}");
        }
    }
}

#[test]
fn test_message_has_sample_event() {
    let payload = generate(&options(Kind::Test, 13));
    assert_envelope(&payload, "TEST");
    assert_event_body(&payload["data"]["data"], EventKind::Exception, 20);
}

#[test]
fn unknown_kind_keeps_its_type() {
    let payload = generate(&options(Kind::Unknown("ANOMALY".to_owned()), 14));
    assert_envelope(&payload, "ALERT");
    assert_eq!(payload["data"]["type"], "ANOMALY");
    assert_event_body(&payload["data"]["data"], EventKind::Exception, 20);
}

#[test]
fn unknown_kind_type_survives_quirks() {
    for seed in 0..20 {
        let payload = generate(&GenOptions {
            quirks: vec![Quirk::UnknownAlertType],
            random_quirks: true,
            ..options(Kind::Unknown("CUSTOM_ALERT".to_owned()), seed)
        });
        assert_eq!(payload["data"]["type"], "CUSTOM_ALERT", "seed {seed}");
    }
}

#[test]
fn bytes_parse_back_to_payload() {
    for kind in all_kinds() {
        let options = options(kind, 15);
        let parsed: Value =
            serde_json::from_slice(&generate_bytes(&options)).expect("bytes are valid JSON");
        assert_eq!(parsed, generate(&options));
    }
}

#[test]
fn stack_depth_is_exact_and_capped() {
    for (requested, expected) in [
        (0, 0),
        (1, 1),
        (9, 9),
        (1000, 1000),
        (5000, MAX_STACK_DEPTH),
    ] {
        let payload = generate(&GenOptions {
            stack_depth: requested,
            ..GenOptions::default()
        });
        let stack = payload["data"]["data"]["stacktrace"]
            .as_array()
            .expect("stacktrace is an array");
        assert_eq!(stack.len(), expected, "requested depth {requested}");
    }
}

#[test]
fn deep_stack_has_special_method_names() {
    let payload = generate(&GenOptions {
        stack_depth: 1000,
        seed: 1,
        ..GenOptions::default()
    });
    let stack = payload["data"]["data"]["stacktrace"]
        .as_array()
        .expect("stacktrace is an array");
    let names: Vec<&str> = stack
        .iter()
        .filter_map(|frame| frame["method_name"].as_str())
        .collect();
    assert!(names.contains(&"<init>"));
    assert!(names.contains(&"<clinit>"));
    assert!(names.iter().any(|name| name.starts_with("lambda$")));
    assert!(stack.iter().any(|frame| frame["is_3rd_party"] == true));
    assert_eq!(stack[999]["full_name"], "java.lang.Thread.run");
}

#[test]
fn same_seed_gives_same_bytes() {
    for kind in all_kinds() {
        let options = GenOptions {
            random_quirks: true,
            ..options(kind, 99)
        };
        assert_eq!(generate_bytes(&options), generate_bytes(&options.clone()));
    }
}

#[test]
fn different_seeds_give_different_payloads() {
    let first = generate(&options(Kind::NewEvent(EventKind::Exception), 1));
    let second = generate(&options(Kind::NewEvent(EventKind::Exception), 2));
    assert_ne!(first, second);
}

#[test]
fn date_option_sets_date() {
    let payload = generate(&GenOptions {
        date_ms: Some(1_534_515_709_123),
        ..GenOptions::default()
    });
    assert_eq!(payload["date"], 1_534_515_709_123_u64);
}

/// Returns a kind that `quirk` applies to.
fn kind_for(quirk: Quirk) -> Kind {
    match quirk {
        Quirk::SparseThreshold => Kind::Threshold,
        Quirk::TestWithoutData | Quirk::TestEmptyData | Quirk::TestPartialData => Kind::Test,
        Quirk::SwappedNumberTypes => Kind::NewEvent(EventKind::HttpError),
        _ => Kind::NewEvent(EventKind::LoggedError),
    }
}

/// Returns whether `payload` shows `quirk`.
fn shows_quirk(quirk: Quirk, payload: &Value) -> bool {
    let data = &payload["data"];
    let body = &data["data"];
    match quirk {
        Quirk::AddedByString => data["added_by"].is_string(),
        Quirk::StringTimestamps => payload["date"]
            .as_str()
            .is_some_and(|date| date.parse::<u64>().is_ok()),
        Quirk::SecondsTimestamps => payload["date"]
            .as_u64()
            .is_some_and(|date| date < 100_000_000_000),
        Quirk::Resurfaced => data["type"] == "RESURFACED",
        Quirk::SparseThreshold => body["top_events"] == serde_json::json!([]),
        Quirk::TestWithoutData => payload.get("data").is_none(),
        Quirk::TestEmptyData => *data == serde_json::json!({}),
        Quirk::TestPartialData => {
            let keys: Vec<&String> = data
                .as_object()
                .map(|o| o.keys().collect())
                .unwrap_or_default();
            keys == ["type", "summary"]
        }
        Quirk::NullMessageOddLevel => {
            let level = body["level"].as_str().unwrap_or_default();
            body["message"].is_null() && !["FATAL", "ERROR", "WARN"].contains(&level)
        }
        Quirk::SwappedNumberTypes => body["error_code"].is_u64(),
        Quirk::UnknownAlertType => {
            !["NEW_EVENT", "RESURFACED", "THRESHOLD"].contains(&data["type"].as_str().unwrap_or(""))
        }
        Quirk::ExtraKeys => {
            let known = [
                "api_version",
                "type",
                "date",
                "username",
                "service_id",
                "service_name",
                "data",
            ];
            let envelope_extra = payload
                .as_object()
                .is_some_and(|o| o.keys().any(|key| !known.contains(&key.as_str())));
            let frame_keys = body["location"].as_object().map_or(0, |o| o.len());
            envelope_extra && frame_keys == 9
        }
        Quirk::SpecialText => {
            let message = body["message"].as_str().unwrap_or_default();
            message.contains('\n')
                && message.contains('\t')
                && message.contains('*')
                && message.contains('"')
                && message.contains('ü')
                && message.contains('🚨')
        }
        Quirk::Oversized => {
            let stack = body["stacktrace"].as_array().map_or(0, Vec::len);
            let message = body["message"].as_str().map_or(0, str::len);
            stack >= OVERSIZED_STACK_DEPTH && message >= OVERSIZED_MESSAGE_BYTES
        }
        Quirk::NullObjects => {
            body.get("location") == Some(&Value::Null)
                && body.get("entry_point") == Some(&Value::Null)
        }
        Quirk::MissingFields => {
            body.get("message").is_none()
                && body.get("server_name").is_none()
                && data.get("view_name").is_none()
        }
        Quirk::EventTypeNames => body["type"] == "Logged Error",
    }
}

#[test]
fn each_quirk_appears_when_requested() {
    for quirk in Quirk::ALL {
        let kind = kind_for(quirk);
        assert!(quirk.applies_to(&kind), "{quirk} applies to {kind:?}");
        let plain = generate(&options(kind.clone(), 21));
        let quirky = with_quirk(kind, quirk, 21);
        assert!(
            !shows_quirk(quirk, &plain),
            "{quirk} shows without being asked"
        );
        assert!(
            shows_quirk(quirk, &quirky),
            "{quirk} is missing from {quirky}"
        );
    }
}

#[test]
fn threshold_quirks_change_threshold_fields() {
    let swapped = with_quirk(Kind::Threshold, Quirk::SwappedNumberTypes, 3);
    let body = &swapped["data"]["data"];
    assert!(body["threshold"].is_string());
    assert!(body["times"].is_string());
    assert!(body["top_events"][0]["times"].is_string());

    let nulls = with_quirk(Kind::Threshold, Quirk::NullObjects, 3);
    assert!(nulls["data"]["data"]["top_events"][0]["frame"].is_null());

    let strings = with_quirk(Kind::Threshold, Quirk::StringTimestamps, 3);
    assert!(strings["data"]["data"]["from_timestamp"].is_string());
    assert!(strings["data"]["data"]["to_timestamp"].is_string());
}

#[test]
fn seconds_quirk_converts_every_timestamp() {
    let plain = generate(&options(Kind::Threshold, 4));
    let seconds = with_quirk(Kind::Threshold, Quirk::SecondsTimestamps, 4);
    for pointer in [
        "/date",
        "/data/data/from_timestamp",
        "/data/data/to_timestamp",
    ] {
        let ms = plain
            .pointer(pointer)
            .and_then(Value::as_u64)
            .expect("number");
        assert_eq!(
            seconds.pointer(pointer).and_then(Value::as_u64),
            Some(ms / 1000)
        );
    }
    let frame_ms = plain["data"]["data"]["top_events"][0]["frame"]["modification_timestamp"]
        .as_str()
        .and_then(|text| text.parse::<u64>().ok())
        .expect("numeric string");
    assert_eq!(
        seconds["data"]["data"]["top_events"][0]["frame"]["modification_timestamp"],
        (frame_ms / 1000).to_string()
    );
}

#[test]
fn both_timestamp_quirks_give_second_strings() {
    let payload = generate(&GenOptions {
        quirks: vec![Quirk::StringTimestamps, Quirk::SecondsTimestamps],
        date_ms: Some(1_534_515_709_123),
        ..GenOptions::default()
    });
    assert_eq!(payload["date"], "1534515709");
}

#[test]
fn test_data_shapes_take_precedence_in_order() {
    let payload = generate(&GenOptions {
        quirks: vec![Quirk::TestPartialData, Quirk::TestWithoutData],
        ..options(Kind::Test, 5)
    });
    assert!(payload.get("data").is_none());
}

#[test]
fn event_type_names_spell_each_kind() {
    let expected = [
        (EventKind::LoggedError, "Logged Error"),
        (EventKind::LoggedWarning, "Logged Warning"),
        (EventKind::HttpError, "HTTP Error"),
    ];
    for (event_kind, name) in expected {
        let payload = with_quirk(Kind::NewEvent(event_kind), Quirk::EventTypeNames, 6);
        assert_eq!(payload["data"]["data"]["type"], name);
    }
    let exception = with_quirk(
        Kind::NewEvent(EventKind::Exception),
        Quirk::EventTypeNames,
        6,
    );
    let label = exception["data"]["data"]["type"]
        .as_str()
        .unwrap_or_default();
    assert!(label.ends_with(" Exception"), "type {label}");
}

#[test]
fn inapplicable_quirk_changes_nothing() {
    let kind = Kind::NewEvent(EventKind::Exception);
    for quirk in [
        Quirk::SparseThreshold,
        Quirk::TestEmptyData,
        Quirk::SwappedNumberTypes,
    ] {
        assert!(!quirk.applies_to(&kind));
        assert_eq!(
            with_quirk(kind.clone(), quirk, 7),
            generate(&options(kind.clone(), 7))
        );
    }
}

#[test]
fn random_quirks_cover_every_quirk() {
    let mut seen = std::collections::BTreeSet::new();
    for kind in [
        Kind::NewEvent(EventKind::HttpError),
        Kind::Threshold,
        Kind::Test,
    ] {
        for seed in 0..40 {
            let options = GenOptions {
                random_quirks: true,
                ..options(kind.clone(), seed)
            };
            let quirks = options.effective_quirks();
            let test_shapes = quirks
                .iter()
                .filter(|quirk| {
                    matches!(
                        quirk,
                        Quirk::TestWithoutData | Quirk::TestEmptyData | Quirk::TestPartialData
                    )
                })
                .count();
            assert!(test_shapes <= 1, "at most one TEST data shape: {quirks:?}");
            assert!(quirks.iter().all(|quirk| quirk.applies_to(&kind)));
            seen.extend(quirks);
        }
    }
    assert_eq!(seen.len(), Quirk::ALL.len(), "quirks seen: {seen:?}");
}

#[test]
fn quirk_names_round_trip() {
    use clap::ValueEnum;
    for quirk in Quirk::ALL {
        let parsed = Quirk::from_str(quirk.name(), false).expect("name parses");
        assert_eq!(parsed, quirk);
    }
}

#[test]
fn snapshot_new_exception() {
    let payload = generate(&GenOptions {
        kind: Kind::NewEvent(EventKind::Exception),
        seed: 42,
        stack_depth: 3,
        ..GenOptions::default()
    });
    insta::assert_json_snapshot!(payload);
}

#[test]
fn snapshot_threshold_with_quirks() {
    let payload = generate(&GenOptions {
        kind: Kind::Threshold,
        quirks: vec![
            Quirk::SwappedNumberTypes,
            Quirk::AddedByString,
            Quirk::StringTimestamps,
        ],
        seed: 42,
        ..GenOptions::default()
    });
    insta::assert_json_snapshot!(payload);
}

#[test]
fn snapshot_partial_test_message() {
    let payload = generate(&GenOptions {
        kind: Kind::Test,
        quirks: vec![Quirk::TestPartialData, Quirk::ExtraKeys],
        seed: 42,
        ..GenOptions::default()
    });
    insta::assert_json_snapshot!(payload);
}
