//! `POST /xmatters/callback/{token}` and `POST /xmatters/callback` (HTTP
//! Basic): xMatters' outbound webhooks about the relay's events.
//!
//! Every readable callback is stored and gets 202, including one about an
//! event that no alert has, so that xMatters never retries it in a loop. Only unreadable bodies get 400 and store failures 503.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, Limited};
use serde_json::json;

use super::state::AppState;
use super::tokens;
use crate::callbacks;
use crate::store::Callback;

/// Handles the token form, `/xmatters/callback/{token}`.
pub(crate) async fn with_token(
    State(state): State<Arc<AppState>>,
    Path(token): Path<String>,
    body: Body,
) -> Response {
    let config = &state.config.callbacks;
    if !config.is_enabled() {
        return not_configured();
    }
    if !tokens::is_valid(&config.tokens, &token) {
        return unauthorized(&state, None);
    }
    receive(&state, body).await
}

/// Handles the HTTP Basic form, `/xmatters/callback`.
pub(crate) async fn with_basic(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let config = &state.config.callbacks;
    if !config.is_enabled() {
        return not_configured();
    }
    let authorized = match (&config.username, &config.password) {
        (Some(username), Some(password)) => tokens::basic_matches(&headers, username, password),
        _ => false,
    };
    if !authorized {
        return unauthorized(&state, Some("Basic realm=\"relay callbacks\""));
    }
    receive(&state, body).await
}

async fn receive(state: &AppState, body: Body) -> Response {
    let received_at = state.clock.now();
    let body = match read_body(state, body).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    let callback = match callbacks::parse(&body, received_at) {
        Ok(callback) => callback,
        Err(err) => {
            tracing::warn!(error = %err, "unreadable xMatters callback rejected");
            return error(StatusCode::BAD_REQUEST, err.to_string());
        }
    };

    match state.store.insert_callback(callback.clone()).await {
        Ok(alert) => {
            state.metrics.callback(callback.kind, alert.is_some());
            log_stored(&callback, alert);
            let body = json!({"stored": true, "alert": alert});
            (StatusCode::ACCEPTED, axum::Json(body)).into_response()
        }
        Err(err) => {
            tracing::error!(
                error = %err,
                event_id = %callback.event_id,
                "storing an xMatters callback failed; responding 503"
            );
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the callback could not be stored; retry later".to_owned(),
            )
        }
    }
}

fn log_stored(callback: &Callback, alert: Option<crate::store::AlertId>) {
    let recipient = callback.recipient.as_deref().unwrap_or("");
    let device = callback.device.as_deref().unwrap_or("");
    let response = callback.response.as_deref().unwrap_or("");
    match alert {
        Some(alert_id) => tracing::info!(
            %alert_id,
            event_id = %callback.event_id,
            kind = %callback.kind,
            recipient,
            device,
            response,
            "xMatters callback stored"
        ),
        None => tracing::warn!(
            event_id = %callback.event_id,
            kind = %callback.kind,
            recipient,
            device,
            response,
            "xMatters callback about an event no alert has; stored unmatched, and matched \
             if an alert's lookup finds this event later"
        ),
    }
}

async fn read_body(state: &AppState, body: Body) -> Result<Bytes, Response> {
    let limit = state.config.server.max_body_bytes;
    let timeout = state.config.server.body_read_timeout;
    match tokio::time::timeout(timeout, Limited::new(body, limit).collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(err)) => Err(error(
            StatusCode::BAD_REQUEST,
            format!(
                "reading the callback body failed (the limit is {limit} bytes, \
                 server.max_body_bytes): {err}"
            ),
        )),
        Err(_) => Err(error(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the callback body was not received within {timeout:?} (server.body_read_timeout)"
            ),
        )),
    }
}

fn not_configured() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "callbacks are not configured; set callbacks.tokens, or callbacks.username and \
         callbacks.password"
            .to_owned(),
    )
}

fn unauthorized(state: &AppState, challenge: Option<&'static str>) -> Response {
    state.metrics.callback_unauthorized();
    tracing::warn!("xMatters callback with missing or wrong credentials rejected");
    let mut response = error(
        StatusCode::UNAUTHORIZED,
        "missing or wrong callback credentials; use the URL or the Basic credentials \
         configured in [callbacks]"
            .to_owned(),
    );
    if let Some(challenge) = challenge {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(challenge),
        );
    }
    response
}

fn error(status: StatusCode, message: String) -> Response {
    (status, axum::Json(json!({"error": message}))).into_response()
}
