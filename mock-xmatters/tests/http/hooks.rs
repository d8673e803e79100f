//! The `/mock` hooks: respond, clock, reset, settle, timelines.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::*;

fn notified_people(timeline: &Value) -> Vec<String> {
    timeline
        .as_array()
        .expect("timeline array")
        .iter()
        .filter(|entry| entry["type"] == "notification")
        .map(|entry| entry["person"].as_str().expect("person").to_owned())
        .collect()
}

#[tokio::test]
async fn ignore_escalates_at_once_in_default_world() {
    let server = TestServer::start().await;
    let event = server.create_event(json!({"Summary": "DB down"})).await;
    let id = event["id"].as_str().expect("id");

    let outcome = server
        .hook_ok(
            Method::POST,
            "/mock/respond",
            Some(
                json!({"event": id, "recipient": "alice", "response": "Ignore", "comment": "busy"}),
            ),
        )
        .await;
    let timeline = server
        .hook_ok(Method::GET, &format!("/mock/events/{id}/timeline"), None)
        .await;

    assert_eq!(outcome["action"], "ESCALATE");
    assert_eq!(outcome["accepted"], true);
    assert!(
        notified_people(&timeline).contains(&"bob".to_owned()),
        "{timeline}"
    );
}

#[tokio::test]
async fn respond_by_digit_and_event_number() {
    let server = TestServer::start().await;
    let event = server.create_event(json!({"Summary": "DB down"})).await;
    let event_id: u64 = event["eventId"]
        .as_str()
        .expect("eventId")
        .parse()
        .expect("numeric");

    let outcome = server
        .hook_ok(
            Method::POST,
            "/mock/respond",
            Some(json!({"event": event_id, "recipient": "alice", "digit": 1})),
        )
        .await;

    assert_eq!(outcome["response"], "Acknowledge");
    assert_eq!(outcome["action"], "STOP_NOTIFYING_TARGET");
}

#[tokio::test]
async fn respond_errors() {
    let server = TestServer::start().await;
    let event = server.create_event(json!({"Summary": "DB down"})).await;
    let id = event["id"].as_str().expect("id");

    let cases = [
        (
            json!({"event": "12345", "recipient": "alice", "response": "Acknowledge"}),
            StatusCode::NOT_FOUND,
        ),
        (
            json!({"event": id, "recipient": "nobody", "response": "Acknowledge"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"event": id, "recipient": "alice", "response": "Maybe"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"event": id, "recipient": "alice", "response": "Acknowledge", "digit": 1}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"event": id, "recipient": "alice"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"event": id, "recipient": "alice", "answer": "Acknowledge"}),
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (request, expected) in cases {
        let (status, body) = server
            .hook(Method::POST, "/mock/respond", Some(request.clone()))
            .await;
        assert_eq!(status, expected, "{request}: {body}");
        assert_error_object(&body, expected.as_u16());
    }
}

#[tokio::test]
async fn clock_advance_escalates_and_reports_time() {
    let server = TestServer::start().await;
    let event = server.create_event(json!({"Summary": "DB down"})).await;
    let id = event["id"].as_str().expect("id");

    let before = server.hook_ok(Method::GET, "/mock/clock", None).await;
    let advanced = server.advance(15 * 60).await;
    let timeline = server
        .hook_ok(Method::GET, &format!("/mock/events/{id}/timeline"), None)
        .await;

    assert_eq!(before["now"], "2026-01-01T09:00:00Z");
    assert_eq!(before["mode"], "manual");
    assert!(before["pending_timers"].as_u64().expect("count") > 0);
    assert_eq!(advanced["now"], "2026-01-01T09:15:00Z");
    assert!(
        notified_people(&timeline).contains(&"bob".to_owned()),
        "{timeline}"
    );
}

#[tokio::test]
async fn clock_advance_rejects_bad_body() {
    let server = TestServer::start().await;

    for body in [json!({"minutes": 5}), json!({"seconds": -1}), json!({})] {
        let (status, response) = server
            .hook(Method::POST, "/mock/clock/advance", Some(body.clone()))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_error_object(&response, 400);
    }
}

#[tokio::test]
async fn clock_advance_saturates_at_max_time() {
    let server = TestServer::start().await;

    let first = server.advance(u64::MAX).await;
    let second = server.advance(1).await;

    assert_eq!(first["now"], second["now"], "time stays at its maximum");
}

#[tokio::test]
async fn reset_clears_events_logs_and_clock() {
    let server = TestServer::start().await;
    server.create_event(json!({"Summary": "DB down"})).await;
    server.advance(60).await;

    let reset = server.hook_ok(Method::POST, "/mock/reset", None).await;

    assert_eq!(reset["now"], "2026-01-01T09:00:00Z");
    assert_eq!(server.get_json("/api/xm/1/events").await["total"], 0);
    assert!(server.activity().await.is_empty());
    let journal = server.hook_ok(Method::GET, "/mock/journal", None).await;
    assert_eq!(
        journal["count"], 1,
        "only the request after the reset: {journal}"
    );
    let created = server.create_event(json!({"Summary": "again"})).await;
    assert_eq!(created["eventId"], "1000001", "ids start again");
}

#[tokio::test]
async fn settle_accepts_empty_body() {
    let server = TestServer::start().await;

    let settled = server.hook_ok(Method::POST, "/mock/settle", None).await;

    assert_eq!(settled["pending"], 0);
}

#[tokio::test]
async fn timeline_of_unknown_event_is_404() {
    let server = TestServer::start().await;

    let (status, body) = server
        .hook(Method::GET, "/mock/events/4242/timeline", None)
        .await;

    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error_object(&body, 404);
}

#[tokio::test]
async fn notifications_hook_lists_delivery_records() {
    let server = TestServer::start().await;
    let event = server
        .create_event(json!({"Summary": "DB down", "App_Name": "orders-api"}))
        .await;
    let id = event["id"].as_str().expect("id");

    let records = server
        .hook_ok(
            Method::GET,
            &format!("/mock/events/{id}/notifications"),
            None,
        )
        .await;

    let email = records
        .as_array()
        .expect("records")
        .iter()
        .find(|record| record["person"] == "alice" && record["channel"] == "email")
        .expect("alice got an email");
    assert_eq!(
        email["subject"],
        "Threshold limit was exceeded for orders-api"
    );
}

/// The whole story of one event in the default world, for review: alice
/// ignores (ESCALATE), bob is notified at once, bob acknowledges, and the
/// group's later levels are cancelled.
#[tokio::test]
async fn timeline_snapshot_ignore_then_acknowledge() {
    let server = TestServer::start().await;
    let event = server
        .create_event(json!({"Summary": "DB down", "App_Name": "orders-api", "View_Name": "New Errors", "Service_Name": "Production", "link": "https://app.overops.com/x"}))
        .await;
    let id = event["id"].as_str().expect("id").to_owned();

    server.advance(60).await;
    server
        .hook_ok(Method::POST, "/mock/respond", Some(json!({"event": id, "recipient": "alice", "device": "Work Email", "response": "Ignore"})))
        .await;
    server.advance(120).await;
    server
        .hook_ok(Method::POST, "/mock/respond", Some(json!({"event": id, "recipient": "bob", "response": "Acknowledge", "comment": "on it"})))
        .await;
    server.advance(60 * 60).await;
    let timeline = server
        .hook_ok(Method::GET, &format!("/mock/events/{id}/timeline"), None)
        .await;

    insta::assert_json_snapshot!(timeline);
}
