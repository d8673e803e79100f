//! The `mock-xmatters` binary: the start-up banner and configuration
//! errors.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

const BINARY: &str = env!("CARGO_BIN_EXE_mock-xmatters");

#[tokio::test]
async fn banner_shows_address_trigger_url_and_credentials() {
    let mut child = Command::new(BINARY)
        .args(["--listen", "127.0.0.1:0", "--clock", "manual"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("binary starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();

    let mut banner = Vec::new();
    let read_banner = async {
        while let Some(line) = lines.next_line().await.expect("stdout readable") {
            let done = line.contains("-d '");
            banner.push(line);
            if done {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), read_banner)
        .await
        .expect("banner printed in time");

    let text = banner.join("\n");
    assert!(
        text.starts_with("mock-xmatters listening on http://127.0.0.1:"),
        "{text}"
    );
    assert!(text.contains("(clock: manual)"), "{text}");
    assert!(
        text.contains("/api/integration/1/functions/44b092da-8317-4bed-8ede-1a3681691411/triggers?apiKey=relay-demo-key"),
        "{text}"
    );
    assert!(text.contains("relay / relay-demo-password"), "{text}");

    let address = text
        .split_whitespace()
        .nth(3)
        .expect("address in the first line")
        .to_owned();
    let clock: serde_json::Value = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
        .get(format!("{address}/mock/clock"))
        .send()
        .await
        .expect("server answers")
        .json()
        .await
        .expect("JSON");
    assert_eq!(clock["now"], "2026-01-01T09:00:00Z");

    child.kill().await.expect("child stops");
}

#[tokio::test]
async fn invalid_world_names_file_key_and_reason() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let path = directory.path().join("broken.toml");
    let world = mock_xmatters::world::DEFAULT_WORLD_TOML.replace(
        "{ person = \"bob\", delay_minutes = 15 }",
        "{ person = \"zed\", delay_minutes = 15 }",
    );
    assert_ne!(
        world,
        mock_xmatters::world::DEFAULT_WORLD_TOML,
        "the roster line exists"
    );
    std::fs::write(&path, world).expect("world written");

    let output = Command::new(BINARY)
        .args(["--listen", "127.0.0.1:0", "--world"])
        .arg(&path)
        .output()
        .await
        .expect("binary runs");

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains(&path.display().to_string()), "{stderr}");
    assert!(stderr.contains("roster"), "{stderr}");
    assert!(stderr.contains("zed"), "{stderr}");
}

#[tokio::test]
async fn host_name_is_accepted_for_listen() {
    let mut child = Command::new(BINARY)
        .args(["--listen", "localhost:0", "--clock", "manual"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("binary starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();

    let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("banner printed in time")
        .expect("stdout readable")
        .expect("a first line");

    assert!(
        first.starts_with("mock-xmatters listening on http://127.0.0.1:")
            || first.starts_with("mock-xmatters listening on http://[::1]:"),
        "{first}"
    );
}

#[tokio::test]
async fn listen_without_port_is_reported() {
    let output = Command::new(BINARY)
        .args(["--listen", "localhost"])
        .output()
        .await
        .expect("binary runs");

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("\"localhost\""), "{stderr}");
    assert!(stderr.contains("127.0.0.1:8090"), "{stderr}");
}

#[tokio::test]
async fn missing_world_file_is_reported() {
    let output = Command::new(BINARY)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--world",
            "/nonexistent/world.toml",
        ])
        .output()
        .await
        .expect("binary runs");

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("/nonexistent/world.toml"), "{stderr}");
}

#[tokio::test]
async fn piped_log_has_no_colour_codes() {
    let mut child = Command::new(BINARY)
        .args(["--listen", "127.0.0.1:0", "--clock", "manual"])
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("binary starts");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();

    let first_line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("log line printed in time")
        .expect("stderr readable")
        .expect("a log line");

    assert!(
        first_line.contains("mock-xmatters listening"),
        "{first_line:?}"
    );
    assert!(!first_line.contains('\u{1b}'), "{first_line:?}");
    child.kill().await.expect("child stops");
}
