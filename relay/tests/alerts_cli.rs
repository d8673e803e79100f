//! `relay alerts` as a process: listing, showing and retrying stored
//! alerts, and its errors.

mod harness;

use std::path::Path;
use std::process::{Command, Output};

use harness::{TOKEN, alert_body, config, post, settled, start};
use relay::store::AlertState;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn relay_command(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_relay"))
        .args(args)
        .output()
        .expect("run the relay binary")
}

fn alerts(store: &Path, args: &[&str]) -> Output {
    let store = store.to_str().expect("UTF-8 path");
    let mut all = vec!["alerts", "--store", store];
    all.extend_from_slice(args);
    relay_command(&all)
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_alert_is_listed_shown_and_retried() {
    let xmatters = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_string("invalid trigger"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&xmatters)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(202).set_body_json(serde_json::json!({"requestId": "r2"})),
        )
        .mount(&xmatters)
        .await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let relay = start(config(&dir, &xmatters.uri())).await;
    let store = harness::store_path(&dir);
    let reply = post(&relay.intake_url(TOKEN), alert_body(1)).await;
    let id = reply.id().to_string();
    let record = settled(&relay.store(), reply.id()).await;
    assert_eq!(record.state, AlertState::Dead);

    let listed = alerts(&store, &["list", "--state", "dead"]);
    let shown = alerts(&store, &["show", &id]);
    let retried = alerts(&store, &["retry", "--all-dead"]);
    let delivered = harness::eventually("the retried alert to be delivered", || async {
        let record = relay.store().get(reply.id()).await.expect("readable")?;
        (record.state == AlertState::Delivered).then_some(record)
    })
    .await;
    let retried_again = alerts(&store, &["retry", &id]);

    assert!(listed.status.success(), "{}", stderr(&listed));
    let table = stdout(&listed);
    assert_eq!(table.lines().count(), 2, "{table}");
    assert!(table.contains(&id), "{table}");
    assert!(shown.status.success(), "{}", stderr(&shown));
    let shown: serde_json::Value = serde_json::from_slice(&shown.stdout).expect("JSON");
    assert_eq!(shown["state"], "dead");
    assert_eq!(shown["attempts"][0]["response_excerpt"], "invalid trigger");
    let steps: Vec<&str> = shown["story"]
        .as_array()
        .map(|steps| {
            steps
                .iter()
                .filter_map(|step| step["step"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(steps, vec!["received", "mapped", "attempt", "dead"]);
    assert!(retried.status.success(), "{}", stderr(&retried));
    assert!(
        stdout(&retried).contains("1 dead alerts are pending again"),
        "{}",
        stdout(&retried)
    );
    assert_eq!(delivered.request_id.as_deref(), Some("r2"));
    assert_eq!(retried_again.status.code(), Some(1));
    assert!(
        stderr(&retried_again).contains("already delivered"),
        "{}",
        stderr(&retried_again)
    );
    relay.shutdown().await.expect("clean shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alert_in_flight_is_not_retried() {
    let xmatters = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(202)
                .set_body_json(serde_json::json!({"requestId": "slow"}))
                .set_delay(std::time::Duration::from_secs(60)),
        )
        .mount(&xmatters)
        .await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let relay = start(config(&dir, &xmatters.uri())).await;
    let store = harness::store_path(&dir);
    let reply = post(&relay.intake_url(TOKEN), alert_body(1)).await;
    let id = reply.id().to_string();
    harness::eventually("the delivery to be in flight", || async {
        let seen = xmatters.received_requests().await.unwrap_or_default();
        (!seen.is_empty()).then_some(())
    })
    .await;

    let retried = alerts(&store, &["retry", &id]);
    let record = relay
        .store()
        .get(reply.id())
        .await
        .expect("store readable")
        .expect("alert stored");

    assert_eq!(retried.status.code(), Some(1), "{}", stdout(&retried));
    assert!(
        stderr(&retried).contains("is being delivered now"),
        "{}",
        stderr(&retried)
    );
    assert_eq!(record.state, AlertState::Pending);
    assert!(
        record.next_attempt_at > Some(jiff::Timestamp::now()),
        "the lease is kept: {:?}",
        record.next_attempt_at
    );
    relay.abort();
}

#[test]
fn unknown_alert_and_missing_store_are_errors() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let missing_store = alerts(&dir.path().join("absent.db"), &["list"]);
    let empty_store = dir.path().join("relay.db");
    relay::store::SqliteStore::open(&empty_store, &relay::store::StoreOptions::default())
        .expect("create an empty store");
    let unknown = alerts(
        &empty_store,
        &["show", "7d3f5a52-3c1e-4d1c-9f4e-2b8f0c6d1a90"],
    );
    let malformed = alerts(&empty_store, &["show", "not-an-id"]);

    assert_eq!(missing_store.status.code(), Some(1));
    assert!(
        stderr(&missing_store).contains("no store at"),
        "{}",
        stderr(&missing_store)
    );
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).contains("no alert with id"),
        "{}",
        stderr(&unknown)
    );
    assert!(!malformed.status.success());
}

#[tokio::test]
async fn unmatched_callbacks_are_listed() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("relay.db");
    let store = relay::store::SqliteStore::open(&path, &relay::store::StoreOptions::default())
        .expect("create a store");
    let body = br#"{"eventIdentifier": 424242, "status": "terminated"}"#;
    let callback =
        relay::callbacks::parse(body, jiff::Timestamp::now()).expect("a readable callback");
    relay::store::Store::insert_callback(&store, callback)
        .await
        .expect("stored");
    drop(store);

    let listed = alerts(&path, &["callbacks", "--unmatched"]);

    assert!(listed.status.success(), "{}", stderr(&listed));
    let table = stdout(&listed);
    assert_eq!(table.lines().count(), 2, "{table}");
    assert!(table.contains("STATUS"), "{table}");
    assert!(table.contains("424242"), "{table}");
    assert!(table.trim_end().ends_with("terminated"), "{table}");
}

/// Creates a store holding one alert whose `show` output is far larger than
/// a pipe's buffer, and returns the alert id.
async fn store_with_large_alert(path: &Path) -> String {
    let store = relay::store::SqliteStore::open(path, &relay::store::StoreOptions::default())
        .expect("create a store");
    let alert = relay::store::NewAlert {
        raw_body: vec![b'x'; 512 * 1024],
        received_at: jiff::Timestamp::now(),
        trigger: serde_json::json!({"properties": {}}).to_string(),
        warnings: "[]".to_owned(),
        dedup_key: "large".to_owned(),
        dedup_since: None,
        max_backlog: None,
    };
    let inserted = relay::store::Store::insert(&store, alert)
        .await
        .expect("insert");
    inserted.id.to_string()
}

#[tokio::test]
async fn closed_output_pipe_ends_quietly() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = dir.path().join("relay.db");
    let id = store_with_large_alert(&store).await;

    let mut child = Command::new(env!("CARGO_BIN_EXE_relay"))
        .args([
            "alerts",
            "--store",
            store.to_str().expect("UTF-8 path"),
            "show",
            &id,
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start the relay binary");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut start = [0_u8; 16];
    std::io::Read::read_exact(&mut stdout, &mut start).expect("the output starts");
    // The rest does not fit in the pipe, so the relay is still writing
    // when the reader goes away, as with `| head`.
    drop(stdout);
    let output = child.wait_with_output().expect("wait for the relay");

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
}

#[tokio::test]
async fn full_output_device_is_an_error() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = dir.path().join("relay.db");
    let id = store_with_large_alert(&store).await;
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("open /dev/full");

    let output = Command::new(env!("CARGO_BIN_EXE_relay"))
        .args([
            "alerts",
            "--store",
            store.to_str().expect("UTF-8 path"),
            "show",
            &id,
        ])
        .stdout(full)
        .output()
        .expect("run the relay binary");

    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("writing to standard output failed"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn store_option_after_the_subcommand() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = dir.path().join("relay.db");
    relay::store::SqliteStore::open(&store, &relay::store::StoreOptions::default())
        .expect("create an empty store");

    let listed = relay_command(&["alerts", "list", "--store", store.to_str().expect("UTF-8")]);

    assert!(listed.status.success(), "{}", stderr(&listed));
    assert!(stdout(&listed).starts_with("ID"), "{}", stdout(&listed));
}

#[test]
fn other_database_is_not_a_store() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("customers.db");
    rusqlite::Connection::open(&path)
        .and_then(|conn| conn.execute_batch("CREATE TABLE customers (id INTEGER PRIMARY KEY);"))
        .expect("another program's database");

    let listed = alerts(&path, &["list"]);

    assert_eq!(listed.status.code(), Some(1));
    assert!(
        stderr(&listed).contains("without the relay's tables"),
        "{}",
        stderr(&listed)
    );
}
