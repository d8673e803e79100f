//! A stateful xMatters simulator.
//!
//! The pure core (no I/O, no wall clock) is [`world`] (the TOML
//! configuration), [`clock`] (simulated time), [`engine`] (events,
//! escalation, responses, flood control) and [`render`] (message
//! templates).

pub mod clock;
pub mod engine;
pub mod render;
pub mod world;

pub mod activity;
pub mod connection;
pub mod faults;
pub mod http;
mod inbound;
pub mod journal;
pub mod original_script;
pub mod outbound;
pub mod ratelimit;
pub mod server;
mod state;

pub use clock::{ClockMode, SimClock, SimTime};
pub use engine::{
    Annotation, Audit, AuditKind, BasicAuth, Effect, EngineError, EventFilter, EventKey, EventRef,
    EventSnapshot, NotificationRecord, OutboundWebhook, RespondError, RespondOutcome,
    ResponseChoice, ResponseInput, Simulator, Source, Status, Suppression, TimelineEntry,
    TimelineKind, ValidationError, WebhookResult,
};
pub use world::{World, WorldError};
