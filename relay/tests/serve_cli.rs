//! `relay serve` as a process: start-up with the example configuration,
//! graceful stop on SIGTERM, and rejection of invalid configuration.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use relay::config::Config;
use relay::config::service::{DedupConfig, DeliveryConfig, LoggingConfig, StoreConfig};

fn example_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("relay.example.toml")
}

#[test]
fn example_documents_the_service_defaults() {
    let config = Config::load_with_env(Some(&example_path()), Vec::new()).expect("example loads");
    let defaults = Config::default();

    assert_eq!(config.store, StoreConfig::default());
    assert_eq!(config.delivery, DeliveryConfig::default());
    assert_eq!(config.dedup, DedupConfig::default());
    assert_eq!(config.logging, LoggingConfig::default());
    let server = relay::config::service::ServerConfig {
        tokens: defaults.server.tokens.clone(),
        ..config.server.clone()
    };
    assert_eq!(server, defaults.server, "only the example token differs");
    assert_eq!(
        config.xmatters.request_timeout,
        defaults.xmatters.request_timeout
    );
}

#[test]
fn example_configuration_serves_until_sigterm() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = dir.path().join("relay.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_relay"))
        .arg("--config")
        .arg(example_path())
        .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
        .env("RELAY_STORE__PATH", &store)
        // Replaces the example's placeholders, which serve rejects, and keeps
        // the example's xMatters host out of reach; no alert is posted.
        .env("RELAY_SERVER__TOKENS", "[\"serve-cli-token-0123456789\"]")
        .env("RELAY_XMATTERS__API_KEY", "serve-cli-api-key")
        .env("RELAY_XMATTERS__TRIGGER_URL", "http://127.0.0.1:9/triggers")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the relay binary");

    let mut first_line = String::new();
    let stdout = child.stdout.take().expect("piped stdout");
    BufReader::new(stdout)
        .read_line(&mut first_line)
        .expect("read the first line");
    let terminated = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .expect("run kill");
    let output = child.wait_with_output().expect("wait for the relay");
    let logs = String::from_utf8_lossy(&output.stderr);

    assert!(terminated.success());
    assert!(output.status.success(), "exit {}: {logs}", output.status);
    assert!(
        first_line.starts_with("relay listening on 127.0.0.1:"),
        "{first_line}"
    );
    assert!(
        first_line.contains("/overops/webhook/<redacted>"),
        "{first_line}"
    );
    assert!(!first_line.contains("serve-cli-token-0123456789"));
    assert!(store.exists(), "the store file was not created");
    let first_log: serde_json::Value = logs
        .lines()
        .next()
        .and_then(|line| serde_json::from_str(line).ok())
        .unwrap_or_else(|| panic!("JSON log lines expected, got {logs}"));
    assert!(first_log.get("level").is_some(), "{first_log}");
    assert!(logs.contains("relay stopped"), "{logs}");
}

#[test]
fn full_standard_output_does_not_stop_serve() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("open /dev/full");
    let mut child = Command::new(env!("CARGO_BIN_EXE_relay"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("RELAY_STORE__PATH", dir.path().join("relay.db"))
        .env("RELAY_SERVER__TOKENS", "[\"serve-cli-token-0123456789\"]")
        .env("RELAY_XMATTERS__API_KEY", "serve-cli-api-key")
        .env("RELAY_XMATTERS__TRIGGER_URL", "http://127.0.0.1:9/triggers")
        .stdin(Stdio::null())
        .stdout(full)
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the relay binary");

    let mut logs = BufReader::new(child.stderr.take().expect("piped stderr"));
    let mut seen = String::new();
    while !seen.contains("printing the listening line") {
        let mut line = String::new();
        let read = logs.read_line(&mut line).expect("read the log");
        assert!(read > 0, "the relay stopped early: {seen}");
        seen.push_str(&line);
    }
    let terminated = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .expect("run kill");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut logs, &mut rest).expect("read the log");
    let status = child.wait().expect("wait for the relay");

    assert!(terminated.success());
    assert!(status.success(), "exit {status}: {seen}{rest}");
    assert!(rest.contains("relay stopped"), "{seen}{rest}");
}

#[test]
fn example_placeholders_are_rejected() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let token = ("RELAY_SERVER__TOKENS", "[\"serve-cli-token-0123456789\"]");
    let trigger_url = ("RELAY_XMATTERS__TRIGGER_URL", "http://127.0.0.1:9/triggers");
    let cases: [(&[(&str, &str)], &str); 3] = [
        (&[], "server.tokens[0]"),
        (&[token], "xmatters.trigger_url"),
        (&[token, trigger_url], "xmatters.api_key"),
    ];

    for (env, option) in cases {
        let output = Command::new(env!("CARGO_BIN_EXE_relay"))
            .arg("--config")
            .arg(example_path())
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("RELAY_STORE__PATH", dir.path().join("relay.db"))
            .envs(env.iter().copied())
            .output()
            .expect("run the relay binary");
        let stderr = String::from_utf8_lossy(&output.stderr);

        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(option), "expected {option}: {stderr}");
        assert!(stderr.contains("example configuration"), "{stderr}");
    }
}

#[test]
fn invalid_configuration_is_named_and_rejected() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("relay.toml");
    std::fs::write(
        &path,
        "[xmatters]\ntrigger_url = \"http://127.0.0.1:9/triggers\"\napi_key = \"k\"\n",
    )
    .expect("write the configuration");

    let output = Command::new(env!("CARGO_BIN_EXE_relay"))
        .arg("--config")
        .arg(&path)
        .arg("serve")
        .output()
        .expect("run the relay binary");
    let stderr = String::from_utf8_lossy(&output.stderr);

    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.contains("server.tokens"), "{stderr}");
    assert!(stderr.contains("openssl rand"), "{stderr}");
}

#[test]
fn misspelt_service_option_is_rejected() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("relay.toml");
    std::fs::write(&path, "[delivery]\nretry_shedule = [\"1s\"]\n").expect("write");

    let output = Command::new(env!("CARGO_BIN_EXE_relay"))
        .arg("--config")
        .arg(&path)
        .arg("serve")
        .output()
        .expect("run the relay binary");
    let stderr = String::from_utf8_lossy(&output.stderr);

    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.contains("retry_shedule"), "{stderr}");
}

#[test]
fn invalid_rust_log_is_named() {
    let output = Command::new(env!("CARGO_BIN_EXE_relay"))
        .arg("serve")
        .env("RUST_LOG", "[[[bad")
        .output()
        .expect("run the relay binary");
    let stderr = String::from_utf8_lossy(&output.stderr);

    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("RUST_LOG"), "{stderr}");
    assert!(!stderr.contains("logging.filter"), "{stderr}");
}

#[test]
fn sighup_stops_serve_gracefully() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut child = Command::new(env!("CARGO_BIN_EXE_relay"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("RELAY_STORE__PATH", dir.path().join("relay.db"))
        .env("RELAY_SERVER__TOKENS", "[\"serve-cli-token-0123456789\"]")
        .env("RELAY_XMATTERS__API_KEY", "serve-cli-api-key")
        .env("RELAY_XMATTERS__TRIGGER_URL", "http://127.0.0.1:9/triggers")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the relay binary");

    let mut first_line = String::new();
    BufReader::new(child.stdout.take().expect("piped stdout"))
        .read_line(&mut first_line)
        .expect("read the first line");
    let hung_up = Command::new("kill")
        .arg("-HUP")
        .arg(child.id().to_string())
        .status()
        .expect("run kill");
    let output = child.wait_with_output().expect("wait for the relay");
    let logs = String::from_utf8_lossy(&output.stderr);

    assert!(hung_up.success());
    assert!(first_line.starts_with("relay listening on"), "{first_line}");
    assert!(output.status.success(), "exit {}: {logs}", output.status);
    assert!(logs.contains("SIGHUP received"), "{logs}");
    assert!(logs.contains("relay stopped"), "{logs}");
}
