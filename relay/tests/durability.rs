//! Crash durability of the relay binary. It is killed with SIGKILL after
//! acknowledging alerts that xMatters has not accepted yet, then restarted,
//! and every acknowledged alert must reach xMatters exactly once.

mod harness;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use harness::{alert_body, eventually, post};
use relay::store::{AlertState, SqliteStore, Store, StoreOptions};

const TOKEN: &str = "durability-token-0123456789";
const API_KEY: &str = "durability-api-key-s3cr3t";
const ALERTS: usize = 20;

/// A stand-in for xMatters that can be held down (503) and records the
/// summary of every trigger it accepts.
#[derive(Default)]
struct FakeXmatters {
    up: AtomicBool,
    attempts: AtomicUsize,
    accepted: Mutex<Vec<String>>,
}

async fn trigger(
    State(fake): State<Arc<FakeXmatters>>,
    axum::Json(trigger): axum::Json<serde_json::Value>,
) -> axum::response::Response {
    fake.attempts.fetch_add(1, Ordering::SeqCst);
    if !fake.up.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let summary = trigger["properties"]["Summary"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    fake.accepted.lock().expect("lock").push(summary);
    let body = serde_json::json!({"requestId": uuid::Uuid::new_v4()});
    (StatusCode::ACCEPTED, axum::Json(body)).into_response()
}

async fn start_fake() -> (Arc<FakeXmatters>, SocketAddr) {
    let fake = Arc::new(FakeXmatters::default());
    let app = axum::Router::new()
        .route("/triggers", axum::routing::post(trigger))
        .with_state(Arc::clone(&fake));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (fake, addr)
}

fn write_config(dir: &Path, xmatters: SocketAddr) -> std::path::PathBuf {
    let config = format!(
        r#"
[server]
listen = "127.0.0.1:0"
tokens = ["{TOKEN}"]

[store]
path = "{store}"

[xmatters]
trigger_url = "http://{xmatters}/triggers"
api_key = "{API_KEY}"
request_timeout = "2s"

[delivery]
retry_schedule = ["50ms"]
jitter = 0.0
poll_interval = "50ms"

# Every alert goes to the same recipients at once; this test is about
# each one arriving on its own, not about digests.
[storm]
enabled = false

[logging]
filter = "debug"
"#,
        store = dir.join("relay.db").display(),
    );
    let path = dir.join("relay.toml");
    std::fs::write(&path, config).expect("write the configuration");
    path
}

/// Starts `relay serve` and reads the address from its first output line.
async fn spawn_relay(config: &Path, log: &Path) -> (Child, SocketAddr) {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .expect("open the log file");
    let mut child = Command::new(env!("CARGO_BIN_EXE_relay"))
        .arg("--config")
        .arg(config)
        .arg("serve")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("start the relay binary");
    let stdout = child.stdout.take().expect("piped stdout");

    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .expect("reader task")
    .expect("read the first line");
    let addr = line
        .strip_prefix("relay listening on ")
        .and_then(|rest| rest.split(';').next())
        .and_then(|addr| addr.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    (child, addr)
}

fn intake_url(addr: SocketAddr) -> String {
    format!("http://{addr}/overops/webhook/{TOKEN}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_relay_delivers_every_accepted_alert_once() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let log = dir.path().join("relay.log");
    let (fake, xmatters) = start_fake().await;
    let config = write_config(dir.path(), xmatters);

    let (mut first, addr) = spawn_relay(&config, &log).await;
    let url = intake_url(addr);
    let replies = futures::future::join_all((0..ALERTS).map(|n| post(&url, alert_body(n)))).await;
    let ids: Vec<_> = replies.iter().map(|reply| reply.id()).collect();
    eventually("a failed attempt for every alert", || async {
        (fake.attempts.load(Ordering::SeqCst) >= ALERTS).then_some(())
    })
    .await;
    first.kill().expect("SIGKILL the relay");
    first.wait().expect("reap the killed relay");
    let accepted_before_restart = fake.accepted.lock().expect("lock").len();

    fake.up.store(true, Ordering::SeqCst);
    let (mut second, _) = spawn_relay(&config, &log).await;
    eventually("every alert to be accepted", || async {
        (fake.accepted.lock().expect("lock").len() >= ALERTS).then_some(())
    })
    .await;
    let terminated = Command::new("kill")
        .arg("-TERM")
        .arg(second.id().to_string())
        .status()
        .expect("run kill");
    let exit = second.wait().expect("wait for the relay to stop");

    assert!(terminated.success());
    assert!(exit.success(), "relay exited with {exit}");
    assert_eq!(accepted_before_restart, 0);
    let mut per_summary: HashMap<String, usize> = HashMap::new();
    for summary in fake.accepted.lock().expect("lock").iter() {
        *per_summary.entry(summary.clone()).or_default() += 1;
    }
    assert_eq!(per_summary.len(), ALERTS, "{per_summary:?}");
    assert!(
        per_summary.values().all(|count| *count == 1),
        "{per_summary:?}"
    );

    let store = SqliteStore::open(&dir.path().join("relay.db"), &StoreOptions::default())
        .expect("open the store");
    for id in ids {
        let record = store.get(id).await.expect("readable").expect("stored");
        assert_eq!(record.state, AlertState::Delivered, "alert {id}");
        assert!(record.request_id.is_some(), "alert {id} has no requestId");
    }

    let log = std::fs::read_to_string(&log).expect("read the log");
    assert!(log.contains("alert delivered"), "{log}");
    assert!(!log.contains(TOKEN), "the intake token was logged");
    assert!(!log.contains(API_KEY), "the xMatters API key was logged");
}
