//! The offline demo runs its story and prints what the README promises.

use e2e::demo::{self, DemoOptions};

/// Runs the demo into a buffer and returns its summary and output.
async fn run_demo(options: DemoOptions) -> (demo::DemoSummary, String) {
    let mut out = Vec::new();
    let summary = demo::run(options, &mut out, std::future::ready(()))
        .await
        .expect("the demo runs");
    let text = String::from_utf8(out).expect("the output is UTF-8");
    (summary, text)
}

#[tokio::test]
async fn demo_tells_whole_story() {
    let (summary, output) = run_demo(DemoOptions::default()).await;

    assert_eq!(summary.alerts_sent, 2);
    assert_eq!(summary.alerts_accepted, 2);
    assert_eq!(summary.events.len(), 2);
    assert_eq!(summary.alerts_confirmed, 2);
    // STATUS active for both events, then alice's and bob's responses.
    assert_eq!(summary.callbacks_recorded, 4);
    let exception = &summary.events[0];
    assert_eq!(exception.kind, "NEW_EVENT");
    assert_eq!(
        exception.responses,
        vec!["alice: Ignore", "bob: Acknowledge"]
    );
    assert!(exception.group_stopped);
    assert_eq!(exception.highest_level, 2);
    let threshold = &summary.events[1];
    assert_eq!(threshold.kind, "THRESHOLD");
    assert!(threshold.responses.is_empty());
    assert_eq!(threshold.highest_level, 2);
    assert_eq!(threshold.people_notified, vec!["alice", "bob"]);
    assert!(
        output.contains("Timeline (simulated time, UTC)"),
        "{output}"
    );
    assert!(
        output.contains("09:15:00"),
        "the timeout escalation is shown: {output}"
    );
    assert!(output.contains("\nSummary\n"), "{output}");
    assert!(
        !output.contains('\x1b'),
        "no colour when it is off: {output:?}"
    );
}

#[tokio::test]
async fn demo_colours_only_on_request() {
    let options = DemoOptions {
        color: true,
        ..DemoOptions::default()
    };

    let (_, output) = run_demo(options).await;

    assert!(output.contains("\x1b[1mSummary\x1b[0m"), "{output:?}");
}

#[tokio::test]
async fn keep_running_prints_commands() {
    let options = DemoOptions {
        keep_running: true,
        color: false,
    };

    let (summary, output) = run_demo(options).await;

    assert_eq!(summary.events.len(), 2);
    assert!(output.contains("/overops/webhook/"), "{output}");
    assert!(output.contains("/mock/respond"), "{output}");
    assert!(output.contains("\"event\": 1000003"), "{output}");
    assert!(output.contains("/mock/clock/advance"), "{output}");
    assert!(output.contains("Stopping."), "{output}");
}

#[test]
fn piped_demo_output_has_no_colour_codes() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_demo"))
        .env("RUST_LOG", "info")
        .output()
        .expect("the demo binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);

    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("INFO"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
    assert!(!stdout.contains('\u{1b}'), "{stdout}");
}
