//! `POST /mock/respond`: a recipient responds to a notification, as a
//! device would (xMatters has no API for it).

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::Value;

use crate::engine::{EventKey, RespondError, ResponseChoice, ResponseInput};
use crate::http::body::JsonBody;
use crate::http::error::ApiError;
use crate::http::events::parse_event_key;
use crate::state::SharedState;

/// The body of `POST /mock/respond`. Exactly one of `response` (option
/// text) and `digit` (voice keypad) picks the option.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RespondRequest {
    /// The event's UUID or numeric `eventId`, as a string or a number.
    event: Value,
    /// The responding person's target name.
    recipient: String,
    /// The device the response comes from; the person's latest notification
    /// when absent.
    #[serde(default)]
    device: Option<String>,
    #[serde(default)]
    response: Option<String>,
    #[serde(default)]
    digit: Option<u8>,
    #[serde(default)]
    comment: Option<String>,
}

/// Applies the response and returns what it did, including whether the
/// engine ignored it (for example after termination).
pub(crate) async fn respond(
    State(state): State<SharedState>,
    JsonBody(request): JsonBody<RespondRequest>,
) -> Result<Json<Value>, ApiError> {
    let input = response_input(request)?;
    let event = input.event;

    let outcome = state.with_sim(|sim| sim.respond(input)).map_err(|error| {
        tracing::info!(%event, %error, "mock response rejected");
        respond_error(error)
    })?;
    tracing::info!(%event, recipient = %outcome.recipient, response = %outcome.response, accepted = outcome.accepted, "mock response applied");
    let body = serde_json::to_value(&outcome).map_err(|error| {
        ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            format!("Cannot serialize the outcome: {error}"),
        )
    })?;
    Ok(Json(body))
}

fn response_input(request: RespondRequest) -> Result<ResponseInput, ApiError> {
    let event = match &request.event {
        Value::String(text) => parse_event_key(text)?,
        Value::Number(number) => number.as_u64().map(EventKey::EventId).ok_or_else(|| {
            ApiError::bad_request(format!(
                "Invalid event {number}: expected a UUID or a positive eventId."
            ))
        })?,
        other => {
            return Err(ApiError::bad_request(format!(
                "Invalid event {other}: expected a UUID or an eventId."
            )));
        }
    };
    let choice = match (request.response, request.digit) {
        (Some(text), None) => ResponseChoice::Text(text),
        (None, Some(digit)) => ResponseChoice::Digit(digit),
        _ => {
            return Err(ApiError::bad_request(
                "Set exactly one of \"response\" (the option text) and \"digit\" (the voice keypad digit).",
            ));
        }
    };
    Ok(ResponseInput {
        event,
        recipient: request.recipient,
        device: request.device,
        choice,
        comment: request.comment,
    })
}

fn respond_error(error: RespondError) -> ApiError {
    match error {
        RespondError::EventNotFound(_) => ApiError::not_found(format!("{error}.")),
        other => ApiError::bad_request(format!("{other}.")),
    }
}
