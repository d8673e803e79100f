//! Sending to a wiremock receiver, through the library and the `send`
//! command: bytes, statuses, exit codes.

use std::path::Path;
use std::process::Output;

use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BINARY: &str = env!("CARGO_BIN_EXE_mock-overops");

/// Secret in the receiver URL, which no output may show.
const TOKEN: &str = "s3cret-token";

async fn receiver(status: u16, body: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(ResponseTemplate::new(status).set_body_string(body))
        .mount(&server)
        .await;
    server
}

fn hook_url(server: &MockServer) -> String {
    format!("{}/hook?token={TOKEN}", server.uri())
}

async fn send(args: &[&str]) -> Output {
    Command::new(BINARY)
        .arg("send")
        .args(args)
        .output()
        .await
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn write(path: &Path, bytes: &[u8]) -> String {
    std::fs::write(path, bytes).expect("temporary file is writable");
    path.display().to_string()
}

async fn received_bodies(server: &MockServer) -> Vec<Vec<u8>> {
    server
        .received_requests()
        .await
        .expect("wiremock records requests")
        .into_iter()
        .map(|request| request.body)
        .collect()
}

#[tokio::test]
async fn send_files_byte_for_byte() {
    let server = receiver(202, "stored").await;
    let folder = tempfile::tempdir().expect("temporary folder");
    let spaced = b"{ \"type\" :  \"ALERT\" ,\r\n\t\"date\": \"1534515709\" }\n".to_vec();
    let invalid = "not JSON at all \u{1F680}".as_bytes().to_vec();
    let first = write(&folder.path().join("spaced.json"), &spaced);
    let second = write(&folder.path().join("invalid.txt"), &invalid);

    let output = send(&["--to", &hook_url(&server), &first, &second]).await;

    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    assert!(text.contains(&format!("{first}: 202 stored")), "{text}");
    assert!(text.contains(&format!("{second}: 202 stored")), "{text}");
    assert_eq!(received_bodies(&server).await, vec![spaced, invalid]);
}

#[tokio::test]
async fn send_sets_json_content_type() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("content-type", "application/json"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let folder = tempfile::tempdir().expect("temporary folder");
    let file = write(&folder.path().join("a.json"), b"{}");

    let output = send(&["--to", &server.uri(), &file]).await;

    assert!(output.status.success(), "{output:?}");
}

#[tokio::test]
async fn rejected_payload_exits_with_failure() {
    let server = receiver(400, "invalid payload: missing data").await;
    let folder = tempfile::tempdir().expect("temporary folder");
    let file = write(&folder.path().join("a.json"), b"{}");

    let output = send(&["--to", &hook_url(&server), &file]).await;

    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains("400 invalid payload: missing data"), "{text}");
}

#[tokio::test]
async fn response_body_prints_on_one_line() {
    let server = receiver(400, "{\n  \"error\": \"bad\tinput\"\n}\u{1b}[31m").await;
    let folder = tempfile::tempdir().expect("temporary folder");
    let file = write(&folder.path().join("a.json"), b"{}");

    let output = send(&["--to", &hook_url(&server), &file]).await;

    let text = stdout(&output);
    assert_eq!(text.lines().count(), 1, "one line per input: {text:?}");
    assert!(!text.contains('\u{1b}'), "no terminal escape: {text:?}");
    assert!(
        text.contains(r#"400 {\n  "error": "bad\tinput"\n}\u{1b}[31m"#),
        "{text:?}"
    );
}

#[tokio::test]
async fn one_rejection_among_several_fails() {
    let server = MockServer::start().await;
    Mock::given(body_string_contains("bad"))
        .respond_with(ResponseTemplate::new(500).set_body_string("boom"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(&server)
        .await;
    let folder = tempfile::tempdir().expect("temporary folder");
    let good = write(&folder.path().join("good.json"), b"{\"good\":1}");
    let bad = write(&folder.path().join("bad.json"), b"{\"bad\":1}");

    let output = send(&["--to", &server.uri(), &good, &bad]).await;

    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains(&format!("{good}: 200 ok")), "{text}");
    assert!(text.contains(&format!("{bad}: 500 boom")), "{text}");
}

#[tokio::test]
async fn unreachable_receiver_fails_without_leaking_token() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("loopback port");
    let port = listener.local_addr().expect("bound address").port();
    drop(listener);
    let folder = tempfile::tempdir().expect("temporary folder");
    let file = write(&folder.path().join("a.json"), b"{}");
    let url = format!("http://127.0.0.1:{port}/hook?token={TOKEN}");

    let output = send(&["--to", &url, "--timeout", "5", &file]).await;

    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.contains(&format!(
            "{file}: failed: request to http://127.0.0.1:{port}"
        )),
        "{text}"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!text.contains(TOKEN), "stdout shows the token: {text}");
    assert!(!stderr.contains(TOKEN), "stderr shows the token: {stderr}");
}

#[tokio::test]
async fn folder_sends_json_files_in_name_order() {
    let server = receiver(200, "ok").await;
    let folder = tempfile::tempdir().expect("temporary folder");
    write(&folder.path().join("b.json"), b"second");
    write(&folder.path().join("a.json"), b"first");
    write(&folder.path().join("notes.txt"), b"not a payload");

    let output = send(&[
        "--to",
        &hook_url(&server),
        &folder.path().display().to_string(),
    ])
    .await;

    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        received_bodies(&server).await,
        vec![b"first".to_vec(), b"second".to_vec()]
    );
}

#[tokio::test]
async fn folder_without_json_is_an_error() {
    let server = receiver(200, "ok").await;
    let folder = tempfile::tempdir().expect("temporary folder");
    write(&folder.path().join("notes.txt"), b"not a payload");

    let output = send(&[
        "--to",
        &hook_url(&server),
        &folder.path().display().to_string(),
    ])
    .await;

    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("contains no .json file"), "{stderr}");
    assert!(received_bodies(&server).await.is_empty());
}

#[tokio::test]
async fn missing_file_is_an_error() {
    let server = receiver(200, "ok").await;

    let output = send(&["--to", &hook_url(&server), "/nonexistent/alert.json"]).await;

    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("/nonexistent/alert.json not found"),
        "{stderr}"
    );
}

#[tokio::test]
async fn stdin_is_sent_byte_for_byte() {
    let server = receiver(200, "ok").await;
    let payload = b"{\"from\":\"stdin\"}\n\n".to_vec();

    let mut child = Command::new(BINARY)
        .args(["send", "--to", &hook_url(&server), "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    stdin
        .write_all(&payload)
        .await
        .expect("stdin accepts the payload");
    drop(stdin);
    let output = child.wait_with_output().await.expect("the binary finishes");

    assert!(output.status.success(), "{output:?}");
    assert!(stdout(&output).starts_with("-: 200 ok"));
    assert_eq!(received_bodies(&server).await, vec![payload]);
}

#[tokio::test]
async fn without_paths_sends_generated_payload() {
    let server = receiver(200, "ok").await;

    let output = send(&[
        "--to",
        &hook_url(&server),
        "--kind",
        "threshold",
        "--quirk",
        "sparse-threshold",
        "--seed",
        "9",
    ])
    .await;

    assert!(output.status.success(), "{output:?}");
    assert!(stdout(&output).starts_with("generated: 200 ok"));
    let bodies = received_bodies(&server).await;
    assert_eq!(bodies.len(), 1);
    let payload: Value = serde_json::from_slice(&bodies[0]).expect("generated JSON");
    assert_eq!(payload["data"]["type"], "THRESHOLD");
    assert_eq!(payload["data"]["data"]["top_events"], serde_json::json!([]));
}

#[tokio::test]
async fn library_send_returns_status_body_latency() {
    let server = receiver(201, "created").await;
    let url: url::Url = hook_url(&server).parse().expect("valid URL");
    let client =
        mock_overops::send::client(std::time::Duration::from_secs(5), 1).expect("client builds");

    let outcome = mock_overops::send::send(&client, &url, b"{\"a\":1}".to_vec())
        .await
        .expect("receiver responds");

    assert_eq!(outcome.status, 201);
    assert!(outcome.is_accepted());
    assert_eq!(outcome.body_text(), "created");
    assert!(outcome.latency > std::time::Duration::ZERO);
    assert_eq!(received_bodies(&server).await, vec![b"{\"a\":1}".to_vec()]);
}
