//! `GET /api/xm/1/events` (filters and pagination), `GET
//! /api/xm/1/events/{id}` and the status change `POST /api/xm/1/events`.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use crate::engine::{EngineError, EventFilter, EventKey, Status};
use crate::http::auth::RestUser;
use crate::http::body::JsonBody;
use crate::http::error::ApiError;
use crate::http::present;
use crate::http::query::{PageRequest, QueryParams, paginate};
use crate::state::SharedState;

pub(crate) const EVENTS_PATH: &str = "/api/xm/1/events";

/// Lists events, oldest first, filtered by `requestId`, `status` and
/// `propertyName`/`propertyValue`.
pub(crate) async fn list(
    State(state): State<SharedState>,
    _user: RestUser,
    query: QueryParams,
) -> Result<Json<Value>, ApiError> {
    let filter = event_filter(&query)?;
    let page = PageRequest::from_query(&query)?;

    let events = state.with_sim(|sim| sim.events(&filter));
    let body = paginate(EVENTS_PATH, &query, page, events, |event| {
        present::event(&state.world, &event)
    });
    Ok(Json(body))
}

fn event_filter(query: &QueryParams) -> Result<EventFilter, ApiError> {
    let request_id = query
        .get("requestId")
        .map(|text| {
            Uuid::parse_str(text.trim()).map_err(|_| {
                ApiError::bad_request(format!(
                    "Invalid requestId {text:?}: expected the UUID returned by the trigger."
                ))
            })
        })
        .transpose()?;
    let status = query
        .get("status")
        .map(|text| text.parse::<Status>().map_err(ApiError::bad_request))
        .transpose()?;
    let property_name = query.get("propertyName").map(str::to_owned);
    let property_value = query.get("propertyValue").map(str::to_owned);
    if property_value.is_some() && property_name.is_none() {
        return Err(ApiError::bad_request(
            "propertyValue needs propertyName: add propertyName=NAME to the query.",
        ));
    }
    Ok(EventFilter {
        request_id,
        status,
        property_name,
        property_value,
    })
}

/// Returns one event by UUID `id` or numeric `eventId`.
pub(crate) async fn get_one(
    State(state): State<SharedState>,
    _user: RestUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let key = parse_event_key(&id)?;
    let snapshot = state
        .with_sim(|sim| sim.event(&key))
        .ok_or_else(|| event_not_found(&key))?;
    Ok(Json(present::event(&state.world, &snapshot)))
}

/// The body of the status change request.
#[derive(Debug, Deserialize)]
pub(crate) struct StatusChange {
    /// The event's UUID or numeric `eventId`, as a string or a number.
    id: Value,
    status: String,
}

/// Changes an event's status and returns the full event.
pub(crate) async fn change_status(
    State(state): State<SharedState>,
    user: RestUser,
    JsonBody(change): JsonBody<StatusChange>,
) -> Result<Json<Value>, ApiError> {
    let key = match &change.id {
        Value::String(text) => parse_event_key(text)?,
        Value::Number(number) => number.as_u64().map(EventKey::EventId).ok_or_else(|| {
            ApiError::bad_request(format!(
                "Invalid event id {number}: expected a UUID or a positive eventId."
            ))
        })?,
        other => {
            return Err(ApiError::bad_request(format!(
                "Invalid event id {other}: expected a UUID or an eventId."
            )));
        }
    };
    let status: Status = change.status.parse().map_err(ApiError::bad_request)?;

    let snapshot = state
        .with_sim(|sim| sim.set_status(&key, status))
        .map_err(engine_error)?;
    tracing::info!(event_id = snapshot.event_id, status = status.as_str(), user = %user.username, "event status changed");
    Ok(Json(present::event(&state.world, &snapshot)))
}

pub(crate) fn parse_event_key(text: &str) -> Result<EventKey, ApiError> {
    text.parse::<EventKey>()
        .map_err(|error| ApiError::bad_request(format!("{error}.")))
}

pub(crate) fn event_not_found(key: &EventKey) -> ApiError {
    ApiError::not_found(format!(
        "No event with id {key}: list events with GET {EVENTS_PATH}."
    ))
    .with_subcode("event.not_found")
}

/// Maps an engine error to its status: 404 for unknown events, 400 for
/// the rest.
pub(crate) fn engine_error(error: EngineError) -> ApiError {
    match error {
        EngineError::EventNotFound(key) => event_not_found(&key),
        other => ApiError::bad_request(format!("{other}.")),
    }
}
