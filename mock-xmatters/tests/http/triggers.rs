//! The inbound integration trigger (async, 202) and the legacy form
//! trigger (sync, DATA_VALIDATION_ERROR).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

#[tokio::test]
async fn trigger_accepts_and_creates_event() {
    let server = TestServer::start().await;

    let response = server
        .post_trigger(
            RELAY_INTEGRATION,
            &json!({"properties": {"Summary": "DB down"}, "priority": "HIGH"}),
        )
        .await;
    let (status, body) = json_body(response).await;
    server.settle().await;

    assert_eq!(status, StatusCode::ACCEPTED);
    let request_id = body["requestId"].as_str().expect("requestId");
    let page = server
        .get_json(&format!("/api/xm/1/events?requestId={request_id}"))
        .await;
    assert_eq!(page["count"], 1);
    assert_eq!(page["data"][0]["requestId"], request_id);
    assert_eq!(page["data"][0]["priority"], "HIGH");
    assert_eq!(page["data"][0]["properties"]["Summary#en"], "DB down");
}

#[tokio::test]
async fn trigger_logs_event_created_activity() {
    let server = TestServer::start().await;

    let request_id = server
        .trigger(
            RELAY_INTEGRATION,
            &json!({"properties": {"Summary": "DB down"}}),
        )
        .await;

    let activity = server.activity().await;
    assert_eq!(activity.len(), 1);
    assert_eq!(activity[0]["requestId"], request_id.as_str());
    assert_eq!(activity[0]["integration"], RELAY_INTEGRATION);
    assert_eq!(activity[0]["outcome"], "event_created");
    assert_eq!(activity[0]["status"], "ACTIVE");
    assert!(activity[0]["event"]["id"].is_string());
}

#[tokio::test]
async fn trigger_validation_failure_goes_to_activity_log() {
    let server = TestServer::start().await;
    let too_long = "x".repeat(31);

    let response = server
        .post_trigger(
            RELAY_INTEGRATION,
            &json!({"properties": {"View_Name": too_long}}),
        )
        .await;
    let status = response.status();
    server.settle().await;

    assert_eq!(status, StatusCode::ACCEPTED);
    let activity = server.activity().await;
    assert_eq!(activity[0]["outcome"], "validation_failed");
    assert_eq!(activity[0]["errors"][0]["jsonPath"], "properties/View_Name");
    assert_eq!(
        activity[0]["errors"][0]["details"],
        "Exceeded the specified maximum number of characters"
    );
    assert_eq!(activity[0].get("event"), None);
    let page = server.get_json("/api/xm/1/events").await;
    assert_eq!(page["total"], 0);
}

#[tokio::test]
async fn trigger_invalid_json_goes_to_activity_log() {
    let server = TestServer::start().await;
    let url = server
        .server
        .trigger_url(RELAY_INTEGRATION)
        .expect("integration");

    let response = server
        .client
        .post(url)
        .body("{not json")
        .send()
        .await
        .expect("sent");
    server.settle().await;

    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let activity = server.activity().await;
    assert_eq!(activity[0]["outcome"], "invalid_body");
    let details = activity[0]["errors"][0]["details"]
        .as_str()
        .expect("details");
    assert!(
        details.starts_with("The request body is not valid JSON"),
        "{details}"
    );
}

#[tokio::test]
async fn trigger_accepts_basic_auth() {
    let server = TestServer::start().await;
    let integration = server
        .server
        .world()
        .integration(RELAY_INTEGRATION)
        .expect("integration")
        .clone();
    let user = server.server.world().rest_users[0].clone();
    let url = server.url(&format!(
        "/api/integration/1/functions/{}/triggers",
        integration.uuid
    ));

    let response = server
        .client
        .post(url)
        .basic_auth(&user.username, Some(&user.password))
        .json(&json!({"properties": {"Summary": "x"}}))
        .send()
        .await
        .expect("sent");

    assert_eq!(response.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn trigger_rejects_bad_credentials() {
    let server = TestServer::start().await;
    let integration = server
        .server
        .world()
        .integration(RELAY_INTEGRATION)
        .expect("integration")
        .clone();
    let base = server.url(&format!(
        "/api/integration/1/functions/{}/triggers",
        integration.uuid
    ));

    let wrong_key = server
        .client
        .post(format!("{base}?apiKey=wrong"))
        .json(&json!({}))
        .send()
        .await
        .expect("sent");
    let (status, body) = json_body(wrong_key).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(assert_error_object(&body, 401).contains("Invalid apiKey"));

    let missing = server
        .client
        .post(&base)
        .json(&json!({}))
        .send()
        .await
        .expect("sent");
    let (status, body) = json_body(missing).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(assert_error_object(&body, 401).contains("Missing credentials"));

    let wrong_user = server
        .client
        .post(&base)
        .basic_auth("relay", Some("nope"))
        .json(&json!({}))
        .send()
        .await
        .expect("sent");
    assert_eq!(wrong_user.status(), StatusCode::UNAUTHORIZED);
    assert!(
        server.activity().await.is_empty(),
        "rejected triggers are not processed"
    );
}

#[tokio::test]
async fn trigger_unknown_integration_is_404() {
    let server = TestServer::start().await;

    for id in ["00000000-0000-0000-0000-000000000000", "not-a-uuid"] {
        let url = server.url(&format!(
            "/api/integration/1/functions/{id}/triggers?apiKey=x"
        ));
        let response = server
            .client
            .post(url)
            .json(&json!({}))
            .send()
            .await
            .expect("sent");
        let (status, body) = json_body(response).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{id}");
        assert!(assert_error_object(&body, 404).contains(id), "{body}");
    }
}

#[tokio::test]
async fn original_script_maps_raw_webhook() {
    let server = TestServer::start().await;

    server
        .trigger(ORIGINAL_INTEGRATION, &overops_webhook())
        .await;

    let activity = server.activity().await;
    assert_eq!(activity[0]["outcome"], "event_created", "{activity:?}");
    let event_id = activity[0]["event"]["eventId"].as_u64().expect("eventId");
    let event = server
        .get_json(&format!("/api/xm/1/events/{event_id}"))
        .await;
    let properties = &event["properties"];
    assert_eq!(properties["Message#en"], "[object Object]");
    assert_eq!(properties["Date#en"], "Nov 12, 50596 6:38 AM");
    assert_eq!(properties["App_Name#en"], "orders-api");
    assert_eq!(properties["Added_By#en"], "owner@example.com");
}

#[tokio::test]
async fn original_script_string_added_by_fails() {
    let server = TestServer::start().await;
    let mut webhook = overops_webhook();
    webhook["data"]["added_by"] = json!("owner@example.com");

    let response = server.post_trigger(ORIGINAL_INTEGRATION, &webhook).await;
    let status = response.status();
    server.settle().await;

    assert_eq!(
        status,
        StatusCode::ACCEPTED,
        "the script error is invisible to the sender"
    );
    let activity = server.activity().await;
    assert_eq!(activity[0]["outcome"], "script_error");
    assert_eq!(
        activity[0]["errors"][0]["details"],
        "TypeError: Cannot find function join in object owner@example.com."
    );
    assert_eq!(server.get_json("/api/xm/1/events").await["total"], 0);
}

#[tokio::test]
async fn original_script_long_added_by_fails_validation() {
    let server = TestServer::start().await;
    let mut webhook = overops_webhook();
    webhook["data"]["added_by"] = json!([
        "first@example.com",
        "second@example.com",
        "third@example.com"
    ]);

    server.trigger(ORIGINAL_INTEGRATION, &webhook).await;

    let activity = server.activity().await;
    assert_eq!(activity[0]["outcome"], "validation_failed");
    assert_eq!(activity[0]["errors"][0]["jsonPath"], "properties/Added_By");
}

#[tokio::test]
async fn legacy_trigger_returns_numeric_id() {
    let server = TestServer::start().await;
    let url = server.server.form_trigger_url(FORM).expect("form");

    let response = server
        .post(
            url.trim_start_matches(&server.server.base_url()),
            &json!({"properties": {"Summary": "DB down"}}),
        )
        .await;
    let (status, body) = json_body(response).await;

    assert_eq!(status, StatusCode::OK);
    let id = body["id"].as_u64().expect("numeric id");
    let event = server.get_json(&format!("/api/xm/1/events/{id}")).await;
    assert_eq!(event["eventId"], id.to_string());
    assert_eq!(event.get("requestId"), None);
}

#[tokio::test]
async fn legacy_trigger_rejects_invalid_form_data() {
    let server = TestServer::start().await;
    let path = format!(
        "/reapi/2015-04-01/forms/{}/triggers",
        server.server.world().form(FORM).expect("form").uuid
    );

    let response = server
        .post(
            &path,
            &json!({"properties": {"View_Name": "x".repeat(31), "Level": "DEBUG"}}),
        )
        .await;
    let (status, body) = json_body(response).await;

    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["type"], "DATA_VALIDATION_ERROR");
    assert_eq!(
        body["message"],
        "There are data validation errors in the form."
    );
    let details: Vec<&Value> = body["errorDetails"]
        .as_array()
        .expect("errorDetails")
        .iter()
        .collect();
    assert!(
        details.contains(&&json!({"jsonPath": "properties/View_Name", "details": "Exceeded the specified maximum number of characters"})),
        "{body}"
    );
    assert!(
        details.contains(&&json!({"jsonPath": "properties/Level", "details": "Specified value not found in the list of configured values"})),
        "{body}"
    );
}

#[tokio::test]
async fn legacy_trigger_needs_basic_auth_and_known_form() {
    let server = TestServer::start().await;
    let url = server.server.form_trigger_url(FORM).expect("form");

    let anonymous = server
        .client
        .post(&url)
        .json(&json!({"properties": {}}))
        .send()
        .await
        .expect("sent");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        anonymous.headers()["www-authenticate"],
        "Basic realm=\"xMatters\""
    );

    let unknown = server
        .post(
            "/reapi/2015-04-01/forms/00000000-0000-0000-0000-000000000000/triggers",
            &json!({}),
        )
        .await;
    let (status, body) = json_body(unknown).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error_object(&body, 404);

    let path = url.trim_start_matches(&server.server.base_url()).to_owned();
    let (user, password) = ("relay", "relay-demo-password");
    let not_json = server
        .client
        .post(server.url(&path))
        .basic_auth(user, Some(password))
        .body("nope")
        .send()
        .await
        .expect("sent");
    let (status, body) = json_body(not_json).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        assert_error_object(&body, 400).contains("not valid"),
        "{body}"
    );
}

#[tokio::test]
async fn journal_redacts_api_key() {
    let server = TestServer::start().await;

    server
        .trigger(RELAY_INTEGRATION, &json!({"properties": {"Summary": "x"}}))
        .await;

    let journal = server
        .hook_ok(reqwest::Method::GET, "/mock/journal", None)
        .await;
    let entry = &journal["entries"][0];
    let path = entry["path"].as_str().expect("path");
    assert!(path.ends_with("?apiKey=REDACTED"), "{path}");
    assert!(!journal.to_string().contains("relay-demo-key"));
    assert_eq!(entry["method"], "POST");
    assert_eq!(entry["status"], 202);
    assert_eq!(entry["body"], json!({"properties": {"Summary": "x"}}));
    assert_eq!(entry["time"], "2026-01-01T09:00:00Z");
}
