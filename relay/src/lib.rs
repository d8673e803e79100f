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
//! - [`server`] is the running service: intake, health, metrics and
//!   shutdown; [`server::Relay`] starts it in-process.
//! - [`metrics`] and [`logging`] are its counters and log output.
//! - [`cli`] is the `relay` command line.

pub mod cli;
pub mod config;
pub mod delivery;
pub mod form;
pub mod logging;
pub mod mapping;
pub mod metrics;
pub mod payload;
pub mod server;
pub mod store;
