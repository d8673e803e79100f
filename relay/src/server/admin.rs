//! Operator endpoints behind `Authorization: Bearer` with an
//! `admin.tokens` entry: `GET /alerts/{id}`, the story of one alert.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::state::AppState;
use super::tokens;
use crate::store::AlertId;
use crate::story::Story;

/// `GET /alerts/{id}`: everything stored about the alert and its steps.
pub(crate) async fn alert(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let admin_tokens = &state.config.admin.tokens;
    if admin_tokens.is_empty() {
        return error(
            StatusCode::NOT_FOUND,
            "the admin endpoints are off; set admin.tokens to turn them on".to_owned(),
        );
    }
    let authorized =
        tokens::bearer_token(&headers).is_some_and(|token| tokens::is_valid(admin_tokens, token));
    if !authorized {
        tracing::warn!("admin request with missing or wrong bearer token rejected");
        let mut response = error(
            StatusCode::UNAUTHORIZED,
            "missing or wrong admin token; send Authorization: Bearer with an admin.tokens entry"
                .to_owned(),
        );
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"relay admin\""),
        );
        return response;
    }
    let Ok(id) = id.parse::<AlertId>() else {
        return error(
            StatusCode::BAD_REQUEST,
            format!("{id:?} is not an alert id; give the UUID from the intake's 202 response"),
        );
    };

    match Story::load(state.store.as_ref(), id).await {
        Ok(Some(story)) => (StatusCode::OK, axum::Json(story)).into_response(),
        Ok(None) => error(StatusCode::NOT_FOUND, format!("no alert with id {id}")),
        Err(err) => {
            tracing::error!(error = %err, alert_id = %id, "reading an alert for /alerts failed");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the alert could not be read; retry later".to_owned(),
            )
        }
    }
}

fn error(status: StatusCode, message: String) -> Response {
    (status, axum::Json(json!({"error": message}))).into_response()
}
