//! A simulated OverOps for testing webhook receivers.
//!
//! - [`generate`] builds payloads of every alert kind with the quirks seen
//!   in real traffic, deterministically for a seed.
//! - [`send`] posts bytes exactly as given and reports status, body and latency.
//! - [`load`] produces alert storms and summarizes throughput and latency.
//! - [`scrub`] replaces personal and customer details in captured payloads.

pub mod generate;
pub mod input;
pub mod load;
pub mod scrub;
pub mod send;
