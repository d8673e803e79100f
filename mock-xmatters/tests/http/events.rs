//! `GET /api/xm/1/events[/{id}]` and the status change `POST
//! /api/xm/1/events`.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn event_shape_has_string_event_id_and_suffixes() {
    let server = TestServer::start().await;

    let event = server
        .create_event(json!({"Summary": "DB down", "Level": "ERROR"}))
        .await;

    assert!(event["eventId"].is_string(), "{event}");
    assert_eq!(event["status"], "ACTIVE");
    assert_eq!(event["priority"], "MEDIUM");
    assert_eq!(event["created"], "2026-01-01T09:00:00.000+0000");
    assert_eq!(event["expirationInMinutes"], 180);
    assert_eq!(event["properties"]["Summary#en"], "DB down");
    assert_eq!(
        event["properties"]["Level"], "ERROR",
        "list properties get no suffix"
    );
    assert_eq!(event["form"]["name"], FORM);
    let id = event["id"].as_str().expect("id");
    assert_eq!(event["links"]["self"], format!("/api/xm/1/events/{id}"));
}

#[tokio::test]
async fn event_found_by_uuid_and_event_id() {
    let server = TestServer::start().await;
    let event = server.create_event(json!({"Summary": "x"})).await;

    let by_uuid = server
        .get_json(&format!(
            "/api/xm/1/events/{}",
            event["id"].as_str().expect("id")
        ))
        .await;
    let by_number = server
        .get_json(&format!(
            "/api/xm/1/events/{}",
            event["eventId"].as_str().expect("eventId")
        ))
        .await;

    assert_eq!(by_uuid, event);
    assert_eq!(by_number, event);
}

#[tokio::test]
async fn unknown_and_invalid_event_ids() {
    let server = TestServer::start().await;

    let (status, body) = json_body(server.get("/api/xm/1/events/999").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(assert_error_object(&body, 404).contains("999"));
    assert_eq!(body["subcode"], "event.not_found");

    let (status, body) = json_body(server.get("/api/xm/1/events/abc").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(assert_error_object(&body, 400).contains("abc"));
}

#[tokio::test]
async fn events_list_paginates() {
    let server = TestServer::start().await;
    for summary in ["one", "two", "three"] {
        server.create_event(json!({"Summary": summary})).await;
    }

    let first = server.get_json("/api/xm/1/events?limit=2").await;
    let next = first["links"]["next"]
        .as_str()
        .expect("next link")
        .to_owned();
    let second = server.get_json(&next).await;

    assert_eq!(first["count"], 2);
    assert_eq!(first["total"], 3);
    assert_eq!(first["links"]["self"], "/api/xm/1/events?offset=0&limit=2");
    assert_eq!(first["data"][0]["properties"]["Summary#en"], "one");
    assert_eq!(second["count"], 1);
    assert_eq!(second["data"][0]["properties"]["Summary#en"], "three");
    assert_eq!(second["links"].get("next"), None);
}

#[tokio::test]
async fn events_list_filters() {
    let server = TestServer::start().await;
    let db = server.create_event(json!({"Summary": "DB down"})).await;
    let disk = server.create_event(json!({"Summary": "Disk full"})).await;
    server
        .post(
            "/api/xm/1/events",
            &json!({"id": disk["id"], "status": "TERMINATED"}),
        )
        .await;

    let by_property = server
        .get_json("/api/xm/1/events?propertyName=Summary%23en&propertyValue=DB%20down")
        .await;
    let active = server.get_json("/api/xm/1/events?status=ACTIVE").await;
    let terminated = server.get_json("/api/xm/1/events?status=TERMINATED").await;

    assert_eq!(by_property["total"], 1);
    assert_eq!(by_property["data"][0]["id"], db["id"]);
    assert_eq!(active["total"], 1);
    assert_eq!(active["data"][0]["id"], db["id"]);
    assert_eq!(terminated["data"][0]["id"], disk["id"]);
}

#[tokio::test]
async fn events_list_rejects_bad_filters() {
    let server = TestServer::start().await;

    for query in [
        "requestId=nope",
        "status=DONE",
        "propertyValue=x",
        "limit=0",
        "offset=-2",
    ] {
        let (status, body) =
            json_body(server.get(&format!("/api/xm/1/events?{query}")).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_error_object(&body, 400);
    }
}

#[tokio::test]
async fn rest_endpoints_require_basic_auth() {
    let server = TestServer::start().await;

    for path in [
        "/api/xm/1/events",
        "/api/xm/1/events/1",
        "/api/xm/1/audits?eventId=1",
        "/api/xm/1/event-suppressions",
        "/api/xm/1/events/1/annotations",
    ] {
        let response = server
            .client
            .get(server.url(path))
            .send()
            .await
            .expect("sent");
        let (status, body) = json_body(response).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert_error_object(&body, 401);
    }
}

#[tokio::test]
async fn status_change_terminates_event() {
    let server = TestServer::start().await;
    let event = server.create_event(json!({"Summary": "x"})).await;

    let response = server
        .post(
            "/api/xm/1/events",
            &json!({"id": event["id"], "status": "TERMINATED"}),
        )
        .await;
    let (status, body) = json_body(response).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "TERMINATED");
    assert_eq!(body["id"], event["id"]);
}

#[tokio::test]
async fn status_change_suspends_and_resumes_by_event_id() {
    let server = TestServer::start().await;
    let event = server.create_event(json!({"Summary": "x"})).await;
    let event_id: u64 = event["eventId"]
        .as_str()
        .expect("eventId")
        .parse()
        .expect("numeric");

    let suspended = json_body(
        server
            .post(
                "/api/xm/1/events",
                &json!({"id": event_id, "status": "SUSPENDED"}),
            )
            .await,
    )
    .await;
    let resumed = json_body(
        server
            .post(
                "/api/xm/1/events",
                &json!({"id": event_id.to_string(), "status": "ACTIVE"}),
            )
            .await,
    )
    .await;

    assert_eq!(suspended.1["status"], "SUSPENDED");
    assert_eq!(resumed.1["status"], "ACTIVE");
}

#[tokio::test]
async fn status_change_errors() {
    let server = TestServer::start().await;
    let event = server.create_event(json!({"Summary": "x"})).await;
    server
        .post(
            "/api/xm/1/events",
            &json!({"id": event["id"], "status": "TERMINATED"}),
        )
        .await;

    let cases = [
        (
            json!({"id": event["id"], "status": "ACTIVE"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"id": event["id"], "status": "FINISHED"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"id": "00000000-0000-0000-0000-000000000000", "status": "TERMINATED"}),
            StatusCode::NOT_FOUND,
        ),
        (json!({"status": "TERMINATED"}), StatusCode::BAD_REQUEST),
        (
            json!({"id": true, "status": "TERMINATED"}),
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (request, expected) in cases {
        let (status, body) = json_body(server.post("/api/xm/1/events", &request).await).await;
        assert_eq!(status, expected, "{request}: {body}");
        assert_error_object(&body, expected.as_u16());
    }
}

#[tokio::test]
async fn unknown_route_is_error_object() {
    let server = TestServer::start().await;

    let (status, body) = json_body(server.get("/api/xm/1/nothing").await).await;

    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(assert_error_object(&body, 404).contains("/api/xm/1/nothing"));
}
