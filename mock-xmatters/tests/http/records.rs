//! Audits, annotations and event suppressions.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

#[tokio::test]
async fn audits_list_event_history() {
    let server = TestServer::start().await;
    let event = server.create_event(json!({"Summary": "x"})).await;
    let event_id = event["eventId"].as_str().expect("eventId");

    let page = server
        .get_json(&format!("/api/xm/1/audits?eventId={event_id}"))
        .await;

    let types: Vec<&str> = page["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|audit| audit["type"].as_str().expect("type"))
        .collect();
    assert_eq!(types.first(), Some(&"EVENT_CREATED"));
    assert!(types.contains(&"NOTIFICATION_DELIVERED"), "{types:?}");
    assert_eq!(page["data"][0]["at"], "2026-01-01T09:00:00.000+0000");
    assert_eq!(page["data"][0]["event"]["eventId"], event_id);
    assert_eq!(page["total"], types.len());
}

#[tokio::test]
async fn audits_errors() {
    let server = TestServer::start().await;

    let (status, body) = json_body(server.get("/api/xm/1/audits").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(assert_error_object(&body, 400).contains("eventId"));

    let (status, body) = json_body(server.get("/api/xm/1/audits?eventId=42").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error_object(&body, 404);
}

#[tokio::test]
async fn annotation_is_created_and_listed() {
    let server = TestServer::start().await;
    let event = server.create_event(json!({"Summary": "x"})).await;
    let id = event["id"].as_str().expect("id");

    let response = server
        .post(
            &format!("/api/xm/1/events/{id}/annotations"),
            &json!({"comment": "Looking into it"}),
        )
        .await;
    let (status, created) = json_body(response).await;
    let list = server
        .get_json(&format!("/api/xm/1/events/{id}/annotations"))
        .await;
    let audits = server
        .get_json(&format!("/api/xm/1/audits?eventId={id}"))
        .await;

    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(created["comment"], "Looking into it");
    assert_eq!(created["event"]["id"], id);
    assert_eq!(created["created"], "2026-01-01T09:00:00.000+0000");
    assert_eq!(list["count"], 1);
    assert_eq!(list["data"][0], created);
    let annotated = audits["data"]
        .as_array()
        .expect("data")
        .iter()
        .any(|audit| audit["type"] == "EVENT_ANNOTATED");
    assert!(annotated, "{audits}");
}

#[tokio::test]
async fn annotation_errors() {
    let server = TestServer::start().await;
    let event = server.create_event(json!({"Summary": "x"})).await;
    let id = event["id"].as_str().expect("id");

    let cases = [
        (
            format!("/api/xm/1/events/{id}/annotations"),
            json!({"comment": ""}),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("/api/xm/1/events/{id}/annotations"),
            json!({"text": "x"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/xm/1/events/77/annotations".to_owned(),
            json!({"comment": "x"}),
            StatusCode::NOT_FOUND,
        ),
    ];
    for (path, request, expected) in cases {
        let (status, body) = json_body(server.post(&path, &request).await).await;
        assert_eq!(status, expected, "{path} {request}: {body}");
        assert_error_object(&body, expected.as_u16());
    }
}

#[tokio::test]
async fn flood_control_suppresses_fifth_alert() {
    let server = TestServer::start().await;
    let mut events = Vec::new();
    for n in 0..5 {
        events.push(
            server
                .create_event(json!({"Summary": format!("storm {n}")}))
                .await,
        );
    }

    let statuses: Vec<&Value> = events.iter().map(|event| &event["status"]).collect();
    let fifth = events[4]["id"].as_str().expect("id");
    let for_fifth = server
        .get_json(&format!("/api/xm/1/event-suppressions?event={fifth}"))
        .await;
    let all = server.get_json("/api/xm/1/event-suppressions").await;

    assert_eq!(
        statuses,
        [
            &json!("ACTIVE"),
            &json!("ACTIVE"),
            &json!("ACTIVE"),
            &json!("ACTIVE"),
            &json!("SUPPRESSED")
        ]
    );
    assert_eq!(for_fifth["count"], 1);
    assert_eq!(for_fifth["data"][0]["event"]["id"], fifth);
    assert_eq!(for_fifth["data"][0]["match"]["id"], events[3]["id"]);
    assert!(for_fifth["data"][0]["reason"].is_string());
    assert_eq!(all["total"], 1);
}

#[tokio::test]
async fn suppressions_of_unknown_event_is_404() {
    let server = TestServer::start().await;

    let (status, body) = json_body(server.get("/api/xm/1/event-suppressions?event=5").await).await;

    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error_object(&body, 404);
}
