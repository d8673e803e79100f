//! An event's records on the REST API: audits, annotations and event
//! suppressions.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::Value;

use crate::http::auth::RestUser;
use crate::http::body::JsonBody;
use crate::http::error::ApiError;
use crate::http::events::{engine_error, event_not_found, parse_event_key};
use crate::http::present;
use crate::http::query::{PageRequest, QueryParams, paginate};
use crate::state::SharedState;

/// `GET /api/xm/1/audits?eventId=`: an event's audit trail, oldest first.
pub(crate) async fn audits(
    State(state): State<SharedState>,
    _user: RestUser,
    query: QueryParams,
) -> Result<Json<Value>, ApiError> {
    let Some(id) = query.get("eventId") else {
        return Err(ApiError::bad_request(
            "Missing eventId: add ?eventId=ID (a UUID or a numeric eventId).",
        ));
    };
    let key = parse_event_key(id)?;
    let page = PageRequest::from_query(&query)?;

    let audits = state
        .with_sim(|sim| sim.audits(&key))
        .ok_or_else(|| event_not_found(&key))?;
    Ok(Json(paginate(
        "/api/xm/1/audits",
        &query,
        page,
        audits,
        |audit| present::audit(&audit),
    )))
}

/// The body of `POST /api/xm/1/events/{id}/annotations`.
#[derive(Debug, Deserialize)]
pub(crate) struct NewAnnotation {
    comment: String,
}

/// Adds a comment to an event and responds 201 with the annotation.
pub(crate) async fn annotate(
    State(state): State<SharedState>,
    user: RestUser,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<NewAnnotation>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let key = parse_event_key(&id)?;
    let annotation = state
        .with_sim(|sim| sim.annotate(&key, &request.comment))
        .map_err(engine_error)?;
    tracing::info!(event_id = annotation.event.event_id, user = %user.username, "event annotated");
    Ok((StatusCode::CREATED, Json(present::annotation(&annotation))))
}

/// `GET /api/xm/1/events/{id}/annotations`: an event's comments.
pub(crate) async fn annotations(
    State(state): State<SharedState>,
    _user: RestUser,
    Path(id): Path<String>,
    query: QueryParams,
) -> Result<Json<Value>, ApiError> {
    let key = parse_event_key(&id)?;
    let page = PageRequest::from_query(&query)?;

    let annotations = state
        .with_sim(|sim| sim.annotations(&key))
        .ok_or_else(|| event_not_found(&key))?;
    let path = format!("/api/xm/1/events/{id}/annotations");
    Ok(Json(paginate(
        &path,
        &query,
        page,
        annotations,
        |annotation| present::annotation(&annotation),
    )))
}

/// `GET /api/xm/1/event-suppressions[?event=ID]`: suppression records, for
/// one event or all.
pub(crate) async fn suppressions(
    State(state): State<SharedState>,
    _user: RestUser,
    query: QueryParams,
) -> Result<Json<Value>, ApiError> {
    let key = query.get("event").map(parse_event_key).transpose()?;
    let page = PageRequest::from_query(&query)?;

    let suppressions = state.with_sim(|sim| {
        if let Some(key) = &key {
            if sim.event(key).is_none() {
                return Err(event_not_found(key));
            }
        }
        Ok(sim.suppressions(key.as_ref()))
    })?;
    Ok(Json(paginate(
        "/api/xm/1/event-suppressions",
        &query,
        page,
        suppressions,
        |record| present::suppression(&record),
    )))
}
