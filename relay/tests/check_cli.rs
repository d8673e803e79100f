//! `relay check` run as a process: output streams and exit codes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Runs `relay` with `args` and `stdin`, with no RELAY_* configuration
/// variables inherited from the environment.
fn relay(args: &[&str], stdin: &[u8]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_relay"));
    command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("RELAY_") {
            command.env_remove(name);
        }
    }

    let mut child = command.spawn().expect("relay binary starts");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin)
        .expect("stdin is writable");
    child.wait_with_output().expect("relay binary finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn mapped_payload_exits_0_with_trigger_on_stdout() {
    let path = fixture("values_over_limits.json");
    let output = relay(&["check", path.to_str().expect("UTF-8 path")], b"");

    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        text(&output.stderr)
    );
    let trigger: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("stdout is the trigger JSON");
    assert_eq!(
        trigger["properties"]["View_Name"],
        "Critical Exceptions in Checko…"
    );
    assert_eq!(trigger["priority"], "MEDIUM");

    let stderr = text(&output.stderr);
    assert!(stderr.contains("4 warnings:"), "{stderr}");
    assert!(
        stderr.contains("View_Name: cut from 31 to 30 UTF-16 code units"),
        "{stderr}"
    );
    assert!(stderr.contains("dedup key: "), "{stderr}");
}

#[test]
fn stdin_payload_with_recipients_and_json_output() {
    let body = std::fs::read(fixture("added_by_string.json")).expect("fixture is readable");
    let output = relay(
        &["check", "-", "--recipients", "ops,mmcbride", "--json"],
        &body,
    );

    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        text(&output.stderr)
    );
    let document: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    assert_eq!(document["trigger"]["recipients"][0]["id"], "ops");
    assert_eq!(document["trigger"]["recipients"][1]["id"], "mmcbride");
    assert_eq!(
        document["trigger"]["properties"]["Added_By"],
        "owner@example.com"
    );
    assert_eq!(document["warnings"], serde_json::json!([]));
    assert_eq!(document["dedup_key"].as_str().map(str::len), Some(64));
}

#[test]
fn non_alert_exits_2_with_path_and_problem() {
    let output = relay(&["check", "-"], br#"{"event": "NEW_EVENT"}"#);

    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = text(&output.stderr);
    assert!(stderr.contains("not an OverOps alert"), "{stderr}");
    assert!(
        stderr.contains("$: expected an OverOps alert with a `type` or a `data` field"),
        "{stderr}"
    );
}

#[test]
fn invalid_json_exits_2() {
    let output = relay(&["check", "-"], b"<html>502 Bad Gateway</html>");

    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("invalid JSON at line 1, column 1"));
}

#[test]
fn missing_payload_file_exits_1() {
    let output = relay(&["check", "/nonexistent/payload.json"], b"");

    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("cannot read the payload /nonexistent/payload.json"));
}

#[test]
fn invalid_config_exits_1_naming_the_option() {
    let mut config = tempfile::NamedTempFile::new().expect("temporary file");
    config
        .write_all(b"[mapping]\ntime_zone = \"Nowhere/City\"\n")
        .expect("temporary file is writable");
    let payload = fixture("new_event.json");
    let output = relay(
        &[
            "check",
            payload.to_str().expect("UTF-8 path"),
            "--config",
            config.path().to_str().expect("UTF-8 path"),
        ],
        b"",
    );

    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("invalid option mapping.time_zone"),
        "{stderr}"
    );
}

#[test]
fn misspelt_variable_is_warned_about() {
    let path = fixture("new_event.json");
    let output = Command::new(env!("CARGO_BIN_EXE_relay"))
        .args(["check", path.to_str().expect("UTF-8 path")])
        .env("RELAY_MAPPING_TIME_ZONE", "Europe/Paris")
        .output()
        .expect("relay binary runs");
    let stderr = text(&output.stderr);

    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("RELAY_MAPPING_TIME_ZONE is ignored"),
        "{stderr}"
    );
    assert!(stderr.contains("RELAY_MAPPING__TIME_ZONE"), "{stderr}");
}
