//! Unit tests of the engine, driven through the public `Simulator` API
//! with a manual clock.

mod flood;
mod lifecycle;
mod responses;
mod scale;
mod support;
mod timelines;
mod validation;
mod webhooks;
