//! Relays OverOps webhook alerts into xMatters.
//!
//! - [`payload`] reads an OverOps webhook body into an [`payload::Alert`],
//!   tolerating every known variant of the format.
//! - [`mapping`] turns an alert into the xMatters [`mapping::Trigger`],
//!   with warnings and a deduplication key, without I/O.
//! - [`form`] describes the xMatters form the trigger fills.
//! - [`config`] loads the TOML configuration with environment overrides.
//! - [`cli`] is the `relay` command line.

pub mod cli;
pub mod config;
pub mod form;
pub mod mapping;
pub mod payload;
