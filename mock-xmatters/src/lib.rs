//! A stateful xMatters simulator.
//!
//! The pure core (no I/O, no wall clock) is [`world`] (the TOML
//! configuration), [`clock`] (simulated time), [`engine`] (events,
//! escalation, responses, flood control) and [`render`] (message
//! templates). The other modules put it behind xMatters' HTTP API.
//!
//! The engine can be driven directly, with time moved by hand:
//!
//! ```
//! use std::time::Duration;
//!
//! use mock_xmatters::{
//!     EventKey, ResponseChoice, ResponseInput, SimTime, Simulator, Source, World,
//! };
//! use serde_json::json;
//!
//! let mut sim = Simulator::new(World::default_world(), SimTime::DEFAULT_START);
//! let source = Source::Integration("OverOps relay".to_string());
//! let trigger = json!({"properties": {"Summary": "NullPointerException"}});
//! let event = sim.create_event(source, None, &trigger).expect("valid trigger");
//!
//! // The first on-call member responds Ignore: the default world's action
//! // is ESCALATE, so the next member is notified at once.
//! sim.advance_by(Duration::from_secs(120));
//! let outcome = sim
//!     .respond(ResponseInput {
//!         event: EventKey::Uuid(event.id),
//!         recipient: "alice".to_string(),
//!         device: None,
//!         choice: ResponseChoice::Text("Ignore".to_string()),
//!         comment: None,
//!     })
//!     .expect("alice was notified");
//! assert_eq!(outcome.notified[0].person, "bob");
//! ```

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
    EventSnapshot, LevelReason, NotificationRecord, OutboundWebhook, RespondError, RespondOutcome,
    ResponseChoice, ResponseInput, Simulator, Source, Status, Suppression, TimelineEntry,
    TimelineKind, ValidationError, WebhookResult,
};
pub use world::{World, WorldError};
