//! The whole OverOps → relay → xMatters path in one process, for the
//! end-to-end tests, the customer payload replay and the offline demo.
//!
//! - [`harness`] starts mock-xmatters, the relay and the mock-overops
//!   sender on loopback ports and drives a scenario step by step.
//! - [`simulator`] is the client for mock-xmatters' `/mock` hooks: the
//!   clock, responses, faults, the journal and event timelines.
//! - [`story`] collects what happened into one value for a snapshot.
//! - [`poll`] waits for a condition by bounded polling.
//! - [`demo`] is `cargo run --bin demo`.

pub mod bench;
pub mod demo;
pub mod harness;
pub mod poll;
pub mod simulator;
pub mod story;

pub use harness::{Harness, HarnessError, IntakeReply};
pub use simulator::{SimulatorClient, SimulatorError};
pub use story::Story;
