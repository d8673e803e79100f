//! Scrubbing captured payloads: lengths, types, consistency and the report.

use mock_overops::generate::{EventKind, GenOptions, Kind, Quirk, generate};
use mock_overops::scrub::{DetailKind, Replacement, scrub};
use serde_json::{Value, json};

/// Personal and customer values in [`captured`], none of which may survive.
const SECRETS: &[&str] = &[
    "jane.doe@acme-corp.com",
    "ops.team@acme-corp.com",
    "S38421",
    "Acme Production",
    "db-prod-01.acme.corp",
    "10.20.30.40",
    "fd12:3456:789a::17",
    "hunter2",
    "tok_9f8e7d6c5b4a",
    "UzM4NDIxIzQ1IzE-",
    "jdoe",
    "overops.acme.internal",
];

fn captured() -> Value {
    json!({
        "api_version": "0.2",
        "type": "ALERT",
        "date": 1_534_515_709_123_u64,
        "username": "jane.doe@acme-corp.com",
        "service_id": "S38421",
        "service_name": "Acme Production",
        "data": {
            "type": "NEW_EVENT",
            "summary": "OverOps has identified NullPointerException in Acme Production on New Errors View (alert added by jane.doe@acme-corp.com)",
            "view_name": "New Errors",
            "added_by": ["jane.doe@acme-corp.com", "ops.team@acme-corp.com", "jdoe"],
            "data": {
                "type": "EXCEPTION",
                "location": {
                    "class_name": "com.acme.orders.OrderService",
                    "method_name": "placeOrder",
                    "is_hit_frame": true,
                    "modification_timestamp": "1534300000000"
                },
                "stacktrace": [],
                "link": "https://app.overops.com/tale.html?event=UzM4NDIxIzQ1IzE-&source=45",
                "server_name": "db-prod-01.acme.corp",
                "app_name": "orders-api",
                "name": "NullPointerException",
                "is_caught": false,
                "error_code": 500,
                "message": "Login by jdoe from 10.20.30.40 (fd12:3456:789a::17) failed; see https://admin:hunter2@overops.acme.internal/x?api_token=tok_9f8e7d6c5b4a on S38421",
                "extra": null
            }
        }
    })
}

/// Asserts that `scrubbed` has the structure and JSON types of `original`,
/// and strings of the same length in chars.
fn assert_same_shape(original: &Value, scrubbed: &Value, path: &str) {
    match (original, scrubbed) {
        (Value::String(before), Value::String(after)) => assert_eq!(
            before.chars().count(),
            after.chars().count(),
            "length at {path}: {before:?} became {after:?}"
        ),
        (Value::Array(before), Value::Array(after)) => {
            assert_eq!(before.len(), after.len(), "array length at {path}");
            for (index, (left, right)) in before.iter().zip(after).enumerate() {
                assert_same_shape(left, right, &format!("{path}/{index}"));
            }
        }
        (Value::Object(before), Value::Object(after)) => {
            let before_keys: Vec<&String> = before.keys().collect();
            let after_keys: Vec<&String> = after.keys().collect();
            assert_eq!(before_keys, after_keys, "keys at {path}");
            for (key, left) in before {
                assert_same_shape(left, &after[key], &format!("{path}/{key}"));
            }
        }
        (before, after) => assert_eq!(before, after, "non-string value at {path}"),
    }
}

fn entry<'a>(report: &'a [Replacement], path: &str, kind: DetailKind) -> &'a Replacement {
    report
        .iter()
        .find(|entry| entry.path == path && entry.kind == kind)
        .unwrap_or_else(|| panic!("no {kind} replacement at {path} in {report:#?}"))
}

#[test]
fn scrub_keeps_structure_types_and_lengths() {
    let original = captured();
    let scrubbed = scrub(&original);
    assert_same_shape(&original, &scrubbed.value, "");
}

#[test]
fn scrub_removes_every_secret() {
    let scrubbed = scrub(&captured());
    let text = scrubbed.value.to_string();
    for secret in SECRETS {
        assert!(!text.contains(secret), "{secret} survived in {text}");
    }
}

#[test]
fn report_never_contains_originals() {
    let scrubbed = scrub(&captured());
    let report = format!("{:?}", scrubbed.report);
    for secret in SECRETS {
        assert!(!report.contains(secret), "{secret} is in the report");
    }
}

#[test]
fn scrub_leaves_other_values_alone() {
    let original = captured();
    let scrubbed = scrub(&original).value;
    for pointer in [
        "/api_version",
        "/type",
        "/date",
        "/data/type",
        "/data/view_name",
        "/data/data/location/class_name",
        "/data/data/app_name",
        "/data/data/name",
        "/data/data/error_code",
        "/data/data/extra",
    ] {
        assert_eq!(
            original.pointer(pointer),
            scrubbed.pointer(pointer),
            "{pointer}"
        );
    }
}

#[test]
fn same_value_gets_same_placeholder() {
    let scrubbed = scrub(&captured()).value;
    let owner = scrubbed["username"].as_str().expect("string");
    assert_eq!(scrubbed["data"]["added_by"][0], owner);
    let summary = scrubbed["data"]["summary"].as_str().expect("string");
    assert!(
        summary.ends_with(&format!("(alert added by {owner})")),
        "{summary}"
    );

    let environment = scrubbed["service_name"].as_str().expect("string");
    assert!(
        summary.contains(&format!(" in {environment} on ")),
        "{summary}"
    );

    let user = scrubbed["data"]["added_by"][2].as_str().expect("string");
    let message = scrubbed["data"]["data"]["message"]
        .as_str()
        .expect("string");
    assert!(
        message.starts_with(&format!("Login by {user} from ")),
        "{message}"
    );

    let environment_id = scrubbed["service_id"].as_str().expect("string");
    assert!(
        message.ends_with(&format!(" on {environment_id}")),
        "{message}"
    );
}

#[test]
fn different_values_get_different_placeholders() {
    let scrubbed = scrub(&captured()).value;
    assert_ne!(
        scrubbed["data"]["added_by"][0],
        scrubbed["data"]["added_by"][1]
    );
}

#[test]
fn placeholders_keep_recognizable_shapes() {
    let scrubbed = scrub(&captured()).value;
    let email = scrubbed["username"].as_str().expect("string");
    assert!(email.ends_with("@example.com"), "{email}");
    assert_eq!(scrubbed["service_id"], "S00001");
    let message = scrubbed["data"]["data"]["message"]
        .as_str()
        .expect("string");
    let address = message
        .split_whitespace()
        .nth(4)
        .expect("message has an address");
    assert!(address.parse::<std::net::Ipv4Addr>().is_ok(), "{address}");
    let link = scrubbed["data"]["data"]["link"].as_str().expect("string");
    assert!(
        link.starts_with("https://app.overops.com/tale.html?event="),
        "{link}"
    );
}

#[test]
fn report_lists_kind_path_and_count() {
    let report = scrub(&captured()).report;

    assert_eq!(entry(&report, "/username", DetailKind::Email).count, 1);
    assert_eq!(
        entry(&report, "/service_id", DetailKind::EnvironmentId).count,
        1
    );
    assert_eq!(
        entry(&report, "/service_name", DetailKind::EnvironmentName).count,
        1
    );
    assert_eq!(
        entry(&report, "/data/added_by/2", DetailKind::User).count,
        1
    );
    assert_eq!(
        entry(&report, "/data/data/server_name", DetailKind::Host).count,
        1
    );
    assert_eq!(
        entry(&report, "/data/data/link", DetailKind::Token).count,
        2
    );

    let message = "/data/data/message";
    assert_eq!(entry(&report, message, DetailKind::Ip).count, 2);
    assert_eq!(entry(&report, message, DetailKind::Token).count, 2);
    assert_eq!(entry(&report, message, DetailKind::Host).count, 1);
    assert_eq!(entry(&report, message, DetailKind::User).count, 1);
    assert_eq!(entry(&report, message, DetailKind::EnvironmentId).count, 1);

    let summary = "/data/summary";
    assert_eq!(entry(&report, summary, DetailKind::Email).count, 1);
    assert_eq!(
        entry(&report, summary, DetailKind::EnvironmentName).count,
        1
    );
}

#[test]
fn added_by_string_is_scrubbed() {
    let payload = generate(&GenOptions {
        kind: Kind::NewEvent(EventKind::Exception),
        quirks: vec![Quirk::AddedByString],
        seed: 8,
        ..GenOptions::default()
    });
    let scrubbed = scrub(&payload);
    let added_by = payload["data"]["added_by"].as_str().expect("string quirk");
    assert!(!scrubbed.value.to_string().contains(added_by));
    assert_same_shape(&payload, &scrubbed.value, "");
}

#[test]
fn urls_of_any_scheme_are_scrubbed() {
    let message = "failed: jdbc:mysql://db.acme.corp:3306/app?user=root&password=hunter2; \
                   jdbc:postgresql://pguser:pgpass@pg.acme.corp/orders; \
                   redis://:redispass@cache.acme.corp:6379; \
                   HTTPS://admin:adminpass@api.acme.corp/v1?api_token=tok_9f8e7d6c5b4a";
    let payload = json!({"data": {"data": {"message": message}}});

    let scrubbed = scrub(&payload);

    assert_same_shape(&payload, &scrubbed.value, "");
    let text = scrubbed.value.to_string();
    for secret in [
        "db.acme.corp",
        "root",
        "hunter2",
        "pguser",
        "pgpass",
        "pg.acme.corp",
        "redispass",
        "cache.acme.corp",
        "admin",
        "adminpass",
        "api.acme.corp",
        "tok_9f8e7d6c5b4a",
    ] {
        assert!(!text.contains(secret), "{secret} survived in {text}");
    }
    assert!(text.contains("jdbc:mysql://"), "keeps the schemes: {text}");
}

#[test]
fn non_ascii_values_keep_char_length() {
    let payload = json!({
        "username": "José Müller",
        "service_name": "Produktion – Zürich 🚀",
        "data": {"summary": "Fehler in Produktion – Zürich 🚀 für José Müller"}
    });
    let scrubbed = scrub(&payload);
    assert_same_shape(&payload, &scrubbed.value, "");
    let text = scrubbed.value.to_string();
    assert!(!text.contains("José"), "{text}");
    assert!(!text.contains("Zürich"), "{text}");
}

#[test]
fn generated_payloads_keep_shape_for_every_kind() {
    for (seed, kind) in [
        Kind::NewEvent(EventKind::HttpError),
        Kind::Resurfaced(EventKind::LoggedWarning),
        Kind::Threshold,
        Kind::Test,
    ]
    .into_iter()
    .enumerate()
    {
        let payload = generate(&GenOptions {
            kind,
            quirks: vec![Quirk::SpecialText, Quirk::ExtraKeys],
            seed: seed as u64,
            ..GenOptions::default()
        });
        let scrubbed = scrub(&payload);
        assert_same_shape(&payload, &scrubbed.value, "");
        let owner = payload["username"].as_str().expect("string");
        assert!(!scrubbed.value.to_string().contains(owner));
    }
}

#[test]
fn cli_writes_scrubbed_file_and_report() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let input = folder.path().join("capture.json");
    let output = folder.path().join("scrubbed.json");
    let text = serde_json::to_string_pretty(&captured()).expect("JSON");
    std::fs::write(&input, &text).expect("temporary file is writable");

    let result = std::process::Command::new(env!("CARGO_BIN_EXE_mock-overops"))
        .arg("scrub")
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .output()
        .expect("the binary runs");

    assert!(result.status.success(), "{result:?}");
    let written = std::fs::read_to_string(&output).expect("output file exists");
    assert!(
        written.contains("\n  \"api_version\""),
        "keeps the indented layout"
    );
    let scrubbed: Value = serde_json::from_str(&written).expect("output is JSON");
    assert_same_shape(&captured(), &scrubbed, "");

    let report = String::from_utf8_lossy(&result.stderr);
    assert!(report.starts_with("replaced 18 values"), "{report}");
    assert!(report.contains("/data/data/server_name"), "{report}");
    for secret in SECRETS {
        assert!(!report.contains(secret), "{secret} is in the report");
    }
}

#[test]
fn cli_rejects_invalid_json() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let input = folder.path().join("broken.json");
    std::fs::write(&input, "{\"username\": ").expect("temporary file is writable");

    let result = std::process::Command::new(env!("CARGO_BIN_EXE_mock-overops"))
        .arg("scrub")
        .arg(&input)
        .output()
        .expect("the binary runs");

    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("is not valid JSON"), "{stderr}");
}
