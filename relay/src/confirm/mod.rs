//! Confirmation: after xMatters accepts a trigger, the relay looks up the
//! event it created by `requestId` and records the event's ids, or flags
//! the alert `unconfirmed` when no event appears in time.
//!
//! Confirmation needs REST credentials (`[xmatters.rest]`). Without them
//! an alert stops at `delivered`, which only means that xMatters queued
//! the trigger. A form validation error after that drops the event
//! without any error to the relay. Callbacks cannot be matched to alerts
//! either, because the relay never learns the event ids.

mod client;
mod schedule;
mod worker;

pub use client::{RestClient, RestClientError};
pub use schedule::{LookupResult, LookupSchedule};
pub use worker::{Confirmer, ConfirmerSetup};
