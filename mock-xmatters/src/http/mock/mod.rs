//! The `/mock` hooks for tests and demos: respond as a recipient, move the
//! clock, inject faults, read the journal, the activity log and event
//! timelines, wait for queued work, and reset. They need no credentials
//! and are never journaled, rate limited or faulted.

mod control;
mod inspect;
mod respond;

use axum::Router;
use axum::routing::{get, post};

use crate::state::SharedState;

pub(crate) fn router() -> Router<SharedState> {
    Router::new()
        .route("/mock/respond", post(respond::respond))
        .route("/mock/clock", get(control::clock))
        .route("/mock/clock/advance", post(control::advance))
        .route(
            "/mock/faults",
            get(control::faults)
                .post(control::install_faults)
                .delete(control::clear_faults),
        )
        .route("/mock/reset", post(control::reset))
        .route("/mock/settle", post(control::settle))
        .route("/mock/journal", get(inspect::journal))
        .route("/mock/activity", get(inspect::activity))
        .route("/mock/timeline", get(inspect::full_timeline))
        .route("/mock/events/{id}/timeline", get(inspect::timeline))
        .route(
            "/mock/events/{id}/notifications",
            get(inspect::notifications),
        )
}
