//! Delivery of stored alerts to xMatters: the HTTP client, the retry policy
//! and the worker that drives them.

mod backoff;
pub(crate) mod client;
pub(crate) mod policy;
pub mod retry_after;
mod worker;

pub use client::{ClientError, SendOutcome, SendReport, XmattersClient};
pub use policy::{RetryDecision, RetryHint, RetryPolicy};
pub use worker::{Worker, WorkerHandle, WorkerSetup};
