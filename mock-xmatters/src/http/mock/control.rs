//! Hooks that change the simulator: the clock, fault plans, reset, and
//! waiting for queued work.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::faults::{FaultEndpoint, FaultPlan};
use crate::http::body::JsonBody;
use crate::http::error::ApiError;
use crate::http::query::QueryParams;
use crate::state::{SharedState, lock};

/// Maximum wait `/mock/settle` accepts, in milliseconds; longer requests
/// are cut to it.
pub const MAX_SETTLE_MS: u64 = 60_000;
/// Wait of `/mock/settle` when the request names none, in milliseconds.
pub const DEFAULT_SETTLE_MS: u64 = 5_000;

/// `GET /mock/clock`: the simulated time, the clock mode and the number of
/// pending timers.
pub(crate) async fn clock(State(state): State<SharedState>) -> Json<Value> {
    let (now, timers) = state.with_sim(|sim| (sim.now(), sim.pending_timers()));
    Json(json!({ "now": now, "mode": state.clock_mode, "pending_timers": timers }))
}

/// The body of `POST /mock/clock/advance`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Advance {
    seconds: u64,
}

/// Moves simulated time forward, firing every timer due on the way.
pub(crate) async fn advance(
    State(state): State<SharedState>,
    JsonBody(request): JsonBody<Advance>,
) -> Json<Value> {
    let (now, webhooks) = state.advance(Duration::from_secs(request.seconds));
    let timers = state.with_sim(|sim| sim.pending_timers());
    tracing::info!(seconds = request.seconds, %now, webhooks, "clock advanced");
    Json(
        json!({ "now": now, "mode": state.clock_mode, "pending_timers": timers, "webhooks_queued": webhooks }),
    )
}

/// `GET /mock/faults`: the installed fault sequences.
pub(crate) async fn faults(State(state): State<SharedState>) -> Json<Value> {
    Json(json!({ "faults": lock(&state.faults).status() }))
}

/// `POST /mock/faults`: installs a sequence for one endpoint, replacing
/// the previous one.
pub(crate) async fn install_faults(
    State(state): State<SharedState>,
    JsonBody(plan): JsonBody<FaultPlan>,
) -> Json<Value> {
    tracing::info!(endpoint = %plan.endpoint, steps = plan.sequence.len(), "fault sequence installed");
    let mut faults = lock(&state.faults);
    faults.install(plan);
    Json(json!({ "faults": faults.status() }))
}

/// `DELETE /mock/faults[?endpoint=NAME]`: removes one endpoint's sequence,
/// or all.
pub(crate) async fn clear_faults(
    State(state): State<SharedState>,
    query: QueryParams,
) -> Result<Json<Value>, ApiError> {
    let endpoint = query.get("endpoint").map(parse_endpoint).transpose()?;
    let mut faults = lock(&state.faults);
    match endpoint {
        Some(endpoint) => faults.clear(endpoint),
        None => faults.clear_all(),
    }
    Ok(Json(json!({ "faults": faults.status() })))
}

fn parse_endpoint(name: &str) -> Result<FaultEndpoint, ApiError> {
    FaultEndpoint::ALL
        .into_iter()
        .find(|endpoint| endpoint.name() == name)
        .ok_or_else(|| {
            let names: Vec<&str> = FaultEndpoint::ALL
                .iter()
                .map(|endpoint| endpoint.name())
                .collect();
            ApiError::bad_request(format!(
                "Unknown fault endpoint {name:?}: expected one of {}.",
                names.join(", ")
            ))
        })
}

/// `POST /mock/reset`: a fresh simulator from the same world.
pub(crate) async fn reset(State(state): State<SharedState>) -> Json<Value> {
    let now = state.reset();
    Json(json!({ "now": now }))
}

/// The optional body of `POST /mock/settle`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Settle {
    #[serde(default)]
    timeout_ms: Option<u64>,
}

/// Waits until every queued trigger is processed and every queued webhook
/// is sent (retries included); 504 when `timeout_ms` passes first.
pub(crate) async fn settle(
    State(state): State<SharedState>,
    body: bytes::Bytes,
) -> Result<Json<Value>, ApiError> {
    let request: Settle = if body.is_empty() {
        Settle::default()
    } else {
        crate::http::body::parse_json(&body)?
    };
    let timeout_ms = request
        .timeout_ms
        .unwrap_or(DEFAULT_SETTLE_MS)
        .min(MAX_SETTLE_MS);

    if state
        .work
        .wait_idle(Duration::from_millis(timeout_ms))
        .await
    {
        return Ok(Json(json!({ "pending": 0 })));
    }
    let pending = state.work.pending();
    Err(ApiError::new(
        StatusCode::GATEWAY_TIMEOUT,
        format!(
            "{pending} queued triggers or webhooks still pending after {timeout_ms} ms; retry or raise timeout_ms (at most {MAX_SETTLE_MS})."
        ),
    ))
}
