//! Load mode against wiremock: counts, percentiles, markers and limits.

use std::collections::BTreeSet;
use std::time::Duration;

use mock_overops::load::{LoadError, LoadOptions, Storm, parse_sequence, run};
use serde_json::Value;
use url::Url;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn receiver(status: u16) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(status))
        .mount(&server)
        .await;
    server
}

fn url(server: &MockServer) -> Url {
    format!("{}/hook?token=load-secret", server.uri())
        .parse()
        .expect("wiremock URI is a URL")
}

async fn received_sequences(server: &MockServer) -> Vec<u64> {
    let requests = server
        .received_requests()
        .await
        .expect("wiremock records requests");
    requests
        .iter()
        .map(|request| {
            let payload: Value = serde_json::from_slice(&request.body).expect("JSON payload");
            let summary = payload["data"]["summary"].as_str().unwrap_or_default();
            parse_sequence(summary).expect("summary carries load-seq")
        })
        .collect()
}

#[tokio::test]
async fn load_reports_counts_and_percentiles() {
    let server = receiver(200).await;
    let options = LoadOptions {
        count: Some(40),
        concurrency: 4,
        shape: Storm::Distinct,
        record_sends: true,
        ..LoadOptions::new(url(&server))
    };

    let summary = run(options, false).await.expect("storm runs");

    assert_eq!(summary.sent, 40);
    assert_eq!(summary.accepted, 40);
    assert_eq!(summary.rejected, 0);
    assert_eq!(summary.errors, 0);
    assert_eq!(summary.status_counts.get(&200), Some(&40));
    assert!(summary.throughput_per_s > 0.0);

    let latency = summary.latency_ms;
    let p50 = latency.p50.expect("p50 with responses");
    let p90 = latency.p90.expect("p90 with responses");
    let p99 = latency.p99.expect("p99 with responses");
    let max = latency.max.expect("max with responses");
    assert!(p50 > 0.0);
    assert!(p50 <= p90, "p50 {p50} p90 {p90}");
    assert!(p90 <= p99, "p90 {p90} p99 {p99}");
    assert!(p99 <= max, "p99 {p99} max {max}");
}

#[tokio::test]
async fn every_alert_carries_unique_sequence() {
    let server = receiver(200).await;
    let options = LoadOptions {
        count: Some(30),
        concurrency: 3,
        shape: Storm::Mixed,
        record_sends: true,
        ..LoadOptions::new(url(&server))
    };

    let summary = run(options, false).await.expect("storm runs");

    let received: BTreeSet<u64> = received_sequences(&server).await.into_iter().collect();
    assert_eq!(received, (0..30).collect());

    let sends = summary.sends.expect("sends were recorded");
    let recorded: Vec<u64> = sends.iter().map(|record| record.seq).collect();
    assert_eq!(recorded, (0..30).collect::<Vec<_>>());
    assert!(sends.iter().all(|record| record.status == Some(200)));
    assert!(sends.iter().all(|record| record.latency_us.is_some()));
    assert!(sends.iter().all(|record| record.sent_unix_us > 0));
}

#[tokio::test]
async fn repeated_storm_sends_same_error() {
    let server = receiver(200).await;
    let options = LoadOptions {
        count: Some(5),
        ..LoadOptions::new(url(&server))
    };

    run(options, false).await.expect("storm runs");

    let requests = server.received_requests().await.expect("requests");
    let locations: BTreeSet<String> = requests
        .iter()
        .map(|request| {
            let payload: Value = serde_json::from_slice(&request.body).expect("JSON payload");
            payload["data"]["data"]["location"].to_string()
        })
        .collect();
    assert_eq!(locations.len(), 1, "one error location: {locations:?}");
}

#[tokio::test]
async fn rejections_are_counted_by_status() {
    let server = receiver(503).await;
    let options = LoadOptions {
        count: Some(6),
        concurrency: 2,
        ..LoadOptions::new(url(&server))
    };

    let summary = run(options, false).await.expect("storm runs");

    assert_eq!(summary.accepted, 0);
    assert_eq!(summary.rejected, 6);
    assert_eq!(summary.status_counts.get(&503), Some(&6));
    assert!(summary.latency_ms.p50.is_some());
    assert!(summary.sends.is_none(), "sends are kept only on request");
}

#[tokio::test]
async fn connection_errors_are_counted() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("loopback port");
    let port = listener.local_addr().expect("bound address").port();
    drop(listener);
    let url: Url = format!("http://127.0.0.1:{port}/hook?token=load-secret")
        .parse()
        .expect("valid URL");
    let options = LoadOptions {
        count: Some(3),
        concurrency: 1,
        ..LoadOptions::new(url)
    };

    let summary = run(options, false).await.expect("storm runs");

    assert_eq!(summary.errors, 3);
    assert_eq!(summary.accepted + summary.rejected, 0);
    assert_eq!(summary.latency_ms.p50, None);
    assert_eq!(
        summary.error_samples.len(),
        1,
        "{:?}",
        summary.error_samples
    );
    assert!(!summary.error_samples[0].contains("load-secret"));
}

#[tokio::test]
async fn duration_stops_unbounded_count() {
    let server = receiver(200).await;
    let options = LoadOptions {
        count: None,
        rate: Some(200.0),
        duration: Some(Duration::from_millis(100)),
        ..LoadOptions::new(url(&server))
    };

    let summary = run(options, false).await.expect("storm runs");

    // Alert n is due at n / rate seconds, and none starts at or after the
    // deadline, so at most rate * duration alerts start.
    assert!(summary.sent >= 1);
    assert!(summary.sent <= 20, "sent {}", summary.sent);
    assert_eq!(summary.accepted, summary.sent);
}

#[tokio::test]
async fn invalid_options_are_rejected() {
    let url: Url = "http://127.0.0.1:9/hook".parse().expect("valid URL");
    let cases = [
        LoadOptions {
            rate: Some(0.0),
            ..LoadOptions::new(url.clone())
        },
        LoadOptions {
            rate: Some(f64::NAN),
            ..LoadOptions::new(url.clone())
        },
        LoadOptions {
            concurrency: 0,
            ..LoadOptions::new(url.clone())
        },
        LoadOptions {
            count: None,
            duration: None,
            ..LoadOptions::new(url.clone())
        },
    ];
    let errors: Vec<LoadError> = collect_errors(cases).await;
    assert!(matches!(errors[0], LoadError::InvalidRate(rate) if rate == 0.0));
    assert!(matches!(errors[1], LoadError::InvalidRate(rate) if rate.is_nan()));
    assert!(matches!(errors[2], LoadError::ZeroConcurrency));
    assert!(matches!(errors[3], LoadError::Unbounded));
}

#[tokio::test]
async fn out_of_range_options_are_rejected() {
    let url: Url = "http://127.0.0.1:9/hook".parse().expect("valid URL");
    let too_many_requests = LoadOptions {
        concurrency: usize::MAX,
        ..LoadOptions::new(url.clone())
    };
    let endless_duration = LoadOptions {
        count: None,
        duration: Some(Duration::MAX),
        ..LoadOptions::new(url.clone())
    };
    let endless_pacing = LoadOptions {
        count: Some(3),
        rate: Some(1e-30),
        ..LoadOptions::new(url.clone())
    };

    let errors = collect_errors([too_many_requests, endless_duration, endless_pacing]).await;

    assert!(
        matches!(errors[0], LoadError::ConcurrencyTooHigh(usize::MAX)),
        "{:?}",
        errors[0]
    );
    assert!(
        matches!(errors[1], LoadError::DurationTooLong(Duration::MAX)),
        "{:?}",
        errors[1]
    );
    assert!(
        matches!(errors[2], LoadError::RateTooLow { count: 3, .. }),
        "{:?}",
        errors[2]
    );
}

async fn collect_errors<const N: usize>(cases: [LoadOptions; N]) -> Vec<LoadError> {
    let mut errors = Vec::new();
    for options in cases {
        let error = run(options, false).await.expect_err("options are invalid");
        errors.push(error);
    }
    errors
}

#[tokio::test]
async fn cli_prints_json_summary() {
    let server = receiver(200).await;

    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_mock-overops"))
        .args(["load", "--to", url(&server).as_str()])
        .args([
            "--count",
            "5",
            "--concurrency",
            "2",
            "--shape",
            "mixed",
            "--json",
        ])
        .output()
        .await
        .expect("the binary runs");

    assert!(output.status.success(), "{output:?}");
    let summary: Value = serde_json::from_slice(&output.stdout).expect("JSON summary");
    assert_eq!(summary["shape"], "mixed");
    assert_eq!(summary["sent"], 5);
    assert_eq!(summary["accepted"], 5);
    for percentile in ["p50", "p90", "p99", "max"] {
        assert!(
            summary["latency_ms"][percentile].is_f64(),
            "{percentile} in {summary}"
        );
    }
    assert!(summary.get("sends").is_none());
}

#[tokio::test]
async fn cli_prints_text_summary() {
    let server = receiver(200).await;

    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_mock-overops"))
        .args(["load", "--to", url(&server).as_str(), "--count", "3"])
        .output()
        .await
        .expect("the binary runs");

    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("sent        3"), "{text}");
    assert!(text.contains("accepted    3"), "{text}");
    assert!(text.contains("latency ms  p50 "), "{text}");
    assert!(text.contains("statuses    200: 3"), "{text}");
}
