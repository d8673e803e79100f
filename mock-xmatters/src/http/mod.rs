//! The HTTP edge: the xMatters API routes and the `/mock` hooks.
//!
//! API routes pass, outermost first, through the request journal, the rate
//! limit and their endpoint's fault sequence. The `/mock` hooks pass
//! through none of them.

mod auth;
mod body;
pub mod error;
mod events;
mod middleware;
mod mock;
pub mod present;
pub mod query;
mod records;
mod triggers;

use axum::Router;
use axum::http::{Method, Uri};
use axum::middleware::{from_fn_with_state, map_response};
use axum::routing::{MethodRouter, get, post};

use crate::faults::FaultEndpoint;
use crate::http::error::ApiError;
use crate::state::SharedState;

pub use middleware::MAX_BODY_BYTES;

/// Builds the application: API routes, `/mock` hooks and a REST error
/// object for unknown paths.
pub(crate) fn router(state: SharedState) -> Router {
    let faulted = |endpoint: FaultEndpoint, route: MethodRouter<SharedState>| {
        route.layer(from_fn_with_state(
            (state.clone(), endpoint),
            middleware::inject_fault,
        ))
    };

    let api = Router::new()
        .route(
            "/api/integration/1/functions/{uuid}/triggers",
            faulted(FaultEndpoint::Trigger, post(triggers::inbound)),
        )
        .route(
            "/reapi/2015-04-01/forms/{uuid}/triggers",
            faulted(FaultEndpoint::FormTrigger, post(triggers::legacy_form)),
        )
        .route(
            "/api/xm/1/events",
            faulted(
                FaultEndpoint::Events,
                get(events::list).post(events::change_status),
            ),
        )
        .route(
            "/api/xm/1/events/{id}",
            faulted(FaultEndpoint::Events, get(events::get_one)),
        )
        .route(
            "/api/xm/1/events/{id}/annotations",
            faulted(
                FaultEndpoint::Annotations,
                post(records::annotate).get(records::annotations),
            ),
        )
        .route(
            "/api/xm/1/audits",
            faulted(FaultEndpoint::Audits, get(records::audits)),
        )
        .route(
            "/api/xm/1/event-suppressions",
            faulted(FaultEndpoint::Suppressions, get(records::suppressions)),
        )
        .layer(from_fn_with_state(state.clone(), middleware::rate_limit))
        .layer(from_fn_with_state(state.clone(), middleware::journal));

    Router::new()
        .merge(api)
        .merge(mock::router())
        .fallback(not_found)
        .layer(map_response(method_not_allowed_as_json))
        .with_state(state)
}

async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::not_found(format!(
        "No route for {method} {}: see the crate documentation for the endpoints.",
        uri.path()
    ))
}

/// Turns axum's empty 405 into a REST error object.
async fn method_not_allowed_as_json(
    response: axum::response::Response,
) -> axum::response::Response {
    use axum::response::IntoResponse;

    if response.status() != axum::http::StatusCode::METHOD_NOT_ALLOWED
        || response
            .headers()
            .contains_key(axum::http::header::CONTENT_TYPE)
    {
        return response;
    }
    let allow = response.headers().get(axum::http::header::ALLOW).cloned();
    let mut replaced = ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "Method not allowed on this path; the Allow header lists the methods.",
    )
    .into_response();
    if let Some(allow) = allow {
        replaced
            .headers_mut()
            .insert(axum::http::header::ALLOW, allow);
    }
    replaced
}
