//! The two ways to create events: the inbound integration trigger
//! (asynchronous, 202 with a `requestId`) and the legacy synchronous form
//! trigger (the event id, or 400 with `DATA_VALIDATION_ERROR`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::engine::Source;
use crate::http::auth::{RestUser, authenticate_trigger};
use crate::http::body::parse_json;
use crate::http::error::{ApiError, DataValidationError, ErrorDetail};
use crate::http::query::QueryParams;
use crate::inbound::QueuedTrigger;
use crate::state::SharedState;

/// `POST /api/integration/1/functions/{uuid}/triggers`: authenticates,
/// responds 202 with a fresh `requestId` and leaves the body to the
/// trigger worker. Bad bodies show up only in the activity log.
pub(crate) async fn inbound(
    State(state): State<SharedState>,
    Path(uuid): Path<String>,
    query: QueryParams,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let integration_id = Uuid::parse_str(&uuid).map_err(|_| {
        ApiError::not_found(format!(
            "No integration with id {uuid:?}: the id must be an integration UUID from the world."
        ))
    })?;
    let integration = state.world.integration_by_uuid(integration_id).ok_or_else(|| {
        ApiError::not_found(format!("No integration with id {integration_id}: check the trigger URL against the world's integrations."))
    })?;
    authenticate_trigger(&state.world, integration, query.get("apiKey"), &headers)?;

    let (request_id, generation) = state.with_sim_tagged(|sim| sim.new_request_id());
    state.enqueue_trigger(QueuedTrigger {
        generation,
        request_id,
        integration: integration.clone(),
        body,
    });
    tracing::debug!(%request_id, integration = %integration.name, "trigger accepted");

    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "requestId": request_id })),
    )
        .into_response())
}

/// `POST /reapi/2015-04-01/forms/{uuid}/triggers`: validates and creates the
/// event at once. Per-event `callbacks` are read only on this path.
///
/// NOTE: the success status is not documented, only the body `{"id": N}`;
/// this responds 200.
pub(crate) async fn legacy_form(
    State(state): State<SharedState>,
    _user: RestUser,
    Path(uuid): Path<String>,
    body: Bytes,
) -> Result<Response, Response> {
    let form_id = Uuid::parse_str(&uuid).map_err(|_| {
        ApiError::not_found(format!(
            "No form with id {uuid:?}: the id must be a form UUID from the world."
        ))
        .into_response()
    })?;
    let form = state.world.form_by_uuid(form_id).ok_or_else(|| {
        ApiError::not_found(format!(
            "No form with id {form_id}: check the URL against the world's forms."
        ))
        .into_response()
    })?;
    let trigger: Value = parse_json(&body).map_err(IntoResponse::into_response)?;

    let source = Source::LegacyForm(form.name.clone());
    match state.with_sim(|sim| sim.create_event(source, None, &trigger)) {
        Ok(snapshot) => {
            tracing::info!(event_id = snapshot.event_id, form = %form.name, "event created by form trigger");
            Ok(Json(json!({ "id": snapshot.event_id })).into_response())
        }
        Err(errors) => {
            tracing::info!(form = %form.name, ?errors, "form trigger rejected");
            let details = errors
                .into_iter()
                .map(|error| ErrorDetail {
                    json_path: error.json_path,
                    details: error.details,
                })
                .collect();
            Err(DataValidationError::new(details).into_response())
        }
    }
}
