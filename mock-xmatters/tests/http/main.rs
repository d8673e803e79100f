//! HTTP tests of mock-xmatters on real sockets (127.0.0.1, free ports):
//! each endpoint's success and error bodies, the hooks, fault injection,
//! the rate limit and outbound webhooks.

mod clock;
mod common;
mod events;
mod faults;
mod hooks;
mod records;
mod triggers;
mod webhooks;
