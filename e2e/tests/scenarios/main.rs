//! End-to-end scenarios: an OverOps alert through the relay into the
//! simulated xMatters, each checked by assertions and an insta snapshot
//! of what xMatters saw and did.
//!
//! One test binary contains every scenario, so the workspace links it once.

mod common;

mod alert_kinds;
mod demo;
mod escalation;
mod failures;
mod intake;
mod payloads;
mod quirks;
mod storm;
