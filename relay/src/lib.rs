//! Relays OverOps webhook alerts into xMatters.
//!
//! - [`payload`] reads an OverOps webhook body into an [`payload::Alert`],
//!   tolerating every known variant of the format.
//! - [`mapping`] turns an alert into the xMatters [`mapping::Trigger`],
//!   with warnings and a deduplication key, without I/O.
//! - [`form`] describes the xMatters form the trigger fills.
//! - [`config`] loads the TOML configuration with environment overrides.
//! - [`store`] is the durable outbox: the [`store::Store`] trait and its
//!   SQLite implementation with group commit.
//! - [`delivery`] posts stored alerts to xMatters with retries.
//! - [`storm`] keeps each set of recipients under xMatters' flood control
//!   by holding excess alerts and sending digests.
//! - [`confirm`] looks up the event of each delivered alert by
//!   `requestId` and flags alerts whose event never appears.
//! - [`callbacks`] reads xMatters' RESPONSE, STATUS and DELIVERYSTATUS
//!   webhooks.
//! - [`server`] is the running service: intake, callbacks, health,
//!   metrics, the alert story and shutdown; [`server::Relay`] starts it
//!   in-process.
//! - [`story`] lists what happened to one alert, step by step.
//! - [`clock`] is its time source, which tests can move forward.
//! - [`metrics`] and [`logging`] are its counters and log output.
//! - [`cli`] is the `relay` command line.

pub mod callbacks;
pub mod cli;
pub mod clock;
pub mod config;
pub mod confirm;
pub mod delivery;
pub mod form;
pub mod logging;
pub mod mapping;
pub mod metrics;
pub mod payload;
pub mod server;
pub mod store;
pub mod storm;
pub mod story;
