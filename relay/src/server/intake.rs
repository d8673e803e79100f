//! `POST /overops/webhook/{token}` and `POST /overops/webhook?token=`: the
//! OverOps webhook intake.
//!
//! The intake responds 202 to an alert only after it is committed to the store, so an
//! acknowledged alert survives a crash. Input that is not an OverOps alert
//! gets 400 and nothing is stored.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use jiff::Timestamp;
use serde_json::json;

use super::prepare::{self, Prepared};
use super::state::AppState;
use super::tokens;
use crate::metrics::RejectReason;
use crate::store::{InsertOutcome, NewAlert, StoreError};

/// Query parameters the intake reads.
#[derive(Debug, Default)]
struct IntakeQuery {
    token: Option<String>,
    recipients: Vec<String>,
}

fn parse_query(query: Option<&str>) -> IntakeQuery {
    let mut parsed = IntakeQuery::default();
    for (name, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        match name.as_ref() {
            "token" => parsed.token = Some(value.into_owned()),
            "recipients" => parsed.recipients.extend(
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|name| !name.is_empty())
                    .map(str::to_owned),
            ),
            _ => {}
        }
    }
    parsed
}

/// Handles the path form, `/overops/webhook/{token}`.
pub(crate) async fn with_path_token(
    State(state): State<Arc<AppState>>,
    Path(token): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let query = parse_query(query.as_deref());
    receive(&state, Some(token), query.recipients, &headers, body).await
}

/// Handles the query form, `/overops/webhook?token=`.
pub(crate) async fn with_query_token(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let query = parse_query(query.as_deref());
    receive(&state, query.token, query.recipients, &headers, body).await
}

async fn receive(
    state: &AppState,
    token: Option<String>,
    recipients: Vec<String>,
    headers: &HeaderMap,
    body: Body,
) -> Response {
    let received_at = state.clock.now();
    if state.is_draining() {
        return unavailable(
            state,
            RejectReason::ShuttingDown,
            "the relay is shutting down; retry later",
        );
    }
    let authorized = token
        .as_deref()
        .is_some_and(|token| tokens::is_valid(&state.config.server.tokens, token));
    if !authorized {
        return reject(
            state,
            RejectReason::Unauthorized,
            StatusCode::UNAUTHORIZED,
            "missing or unknown intake token; use the webhook URL the relay was configured with"
                .to_owned(),
        );
    }

    let body = match read_body(state, headers, body).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    let prepared = match prepare::prepare(&state.config, &body, recipients) {
        Ok(prepared) => prepared,
        Err(message) => {
            return reject(
                state,
                RejectReason::InvalidPayload,
                StatusCode::BAD_REQUEST,
                message,
            );
        }
    };

    store(state, body, prepared, received_at).await
}

/// Reads the body within the size limit and the body read timeout.
async fn read_body(state: &AppState, headers: &HeaderMap, body: Body) -> Result<Bytes, Response> {
    let limit = state.config.server.max_body_bytes;
    let too_large = || {
        reject(
            state,
            RejectReason::TooLarge,
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request body is larger than {limit} bytes (server.max_body_bytes)"),
        )
    };

    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }

    let timeout = state.config.server.body_read_timeout;
    let collected = tokio::time::timeout(timeout, Limited::new(body, limit).collect()).await;
    let bytes = match collected {
        Err(_) => {
            return Err(reject(
                state,
                RejectReason::BodyTimeout,
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the request body was not received within {timeout:?} (server.body_read_timeout)"
                ),
            ));
        }
        Ok(Err(err)) if err.downcast_ref::<LengthLimitError>().is_some() => return Err(too_large()),
        Ok(Err(err)) => {
            return Err(reject(
                state,
                RejectReason::InvalidPayload,
                StatusCode::BAD_REQUEST,
                format!("reading the request body failed: {err}"),
            ));
        }
        Ok(Ok(collected)) => collected.to_bytes(),
    };

    if bytes.is_empty() {
        return Err(reject(
            state,
            RejectReason::InvalidPayload,
            StatusCode::BAD_REQUEST,
            "the request body is empty; OverOps sends each alert as a JSON object".to_owned(),
        ));
    }
    Ok(bytes)
}

async fn store(
    state: &AppState,
    body: Bytes,
    prepared: Prepared,
    received_at: Timestamp,
) -> Response {
    let dedup_since = (state.config.dedup.enabled && prepared.deduplicate)
        .then(|| window_start(received_at, state.config.dedup.window));
    let alert = NewAlert {
        raw_body: body.to_vec(),
        received_at,
        trigger: prepared.trigger,
        warnings: prepared.warnings,
        dedup_key: prepared.dedup_key,
        dedup_since,
        max_backlog: Some(state.config.server.max_backlog),
    };

    match state.store.insert(alert).await {
        Ok(outcome) if outcome.duplicate => {
            state.metrics.duplicate();
            tracing::info!(alert_id = %outcome.id, "duplicate alert received; not forwarded");
            accepted(&outcome)
        }
        Ok(outcome) => {
            state.metrics.alert_received();
            state.worker.wake();
            match (outcome.dead_original, outcome.unconfirmed_original) {
                (Some(dead), _) => tracing::info!(
                    alert_id = %outcome.id,
                    kind = %prepared.kind,
                    dead_original = %dead,
                    "alert accepted; it repeats a dead alert, so it is sent as a new alert"
                ),
                (None, Some(unconfirmed)) => tracing::info!(
                    alert_id = %outcome.id,
                    kind = %prepared.kind,
                    unconfirmed_original = %unconfirmed,
                    "alert accepted; it repeats an unconfirmed alert, so it is sent as a new alert"
                ),
                (None, None) => {
                    tracing::info!(alert_id = %outcome.id, kind = %prepared.kind, "alert accepted")
                }
            }
            accepted(&outcome)
        }
        Err(err @ StoreError::BacklogFull { .. }) => unavailable(
            state,
            RejectReason::BacklogFull,
            &format!("{err}; retry later"),
        ),
        Err(err) => store_failure(state, &err),
    }
}

/// Returns the earliest receive time inside the dedup window ending at `now`.
fn window_start(now: Timestamp, window: std::time::Duration) -> Timestamp {
    jiff::SignedDuration::try_from(window)
        .ok()
        .and_then(|window| now.checked_sub(window).ok())
        .unwrap_or(Timestamp::MIN)
}

/// Responds 202 with the alert id and whether it was a duplicate. A repeat
/// of a dead alert also names the dead one in `dead_original`, and a repeat
/// of an unconfirmed alert names it in `unconfirmed_original`.
fn accepted(outcome: &InsertOutcome) -> Response {
    let mut body = json!({"id": outcome.id, "duplicate": outcome.duplicate});
    if let Some(dead) = outcome.dead_original {
        body["dead_original"] = json!(dead);
    }
    if let Some(unconfirmed) = outcome.unconfirmed_original {
        body["unconfirmed_original"] = json!(unconfirmed);
    }
    (StatusCode::ACCEPTED, axum::Json(body)).into_response()
}

fn store_failure(state: &AppState, err: &StoreError) -> Response {
    tracing::error!(error = %err, "storing an alert failed; responding 503");
    unavailable(
        state,
        RejectReason::StoreUnavailable,
        "the alert could not be stored; retry later",
    )
}

fn reject(state: &AppState, reason: RejectReason, status: StatusCode, message: String) -> Response {
    state.metrics.rejected(reason);
    tracing::warn!(status = status.as_u16(), reason = reason.as_str(), %message, "intake request rejected");
    (status, axum::Json(json!({"error": message}))).into_response()
}

fn unavailable(state: &AppState, reason: RejectReason, message: &str) -> Response {
    let mut response = reject(
        state,
        reason,
        StatusCode::SERVICE_UNAVAILABLE,
        message.to_owned(),
    );
    let seconds = state.config.server.retry_after.as_secs().max(1);
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_token_and_recipients_are_read() {
        let query = parse_query(Some(
            "token=abc&recipients=ops,%20dba%20,,web&recipients=sre",
        ));
        assert_eq!(query.token.as_deref(), Some("abc"));
        assert_eq!(query.recipients, vec!["ops", "dba", "web", "sre"]);
    }

    #[test]
    fn missing_query_reads_as_empty() {
        let query = parse_query(None);
        assert_eq!(query.token, None);
        assert!(query.recipients.is_empty());
    }
}
