//! The escalation engine: a pure state machine over events, driven by
//! simulated time.
//!
//! Nothing here performs I/O or reads the wall clock. Callers pass
//! triggers, responses and the time to advance to; the engine returns
//! snapshots and [`Effect`]s (outbound webhooks) for the I/O edge to carry
//! out.

mod timeline;
mod types;

use std::time::Duration;

use uuid::Uuid;

use crate::clock::{SimClock, SimTime};
use crate::world::{PropertyDef, World};

pub use timeline::{LevelReason, TimelineEntry, TimelineKind};
pub use types::*;

/// The simulated xMatters: world, clock, events, timer queue and logs.
#[derive(Debug)]
pub struct Simulator {
    /// The configuration every event is resolved against.
    world: World,
    /// Simulated time; moves only through `advance_to` and `advance_by`.
    clock: SimClock,
    /// Effects produced since the last `take_effects` or `advance_*` call.
    effects: Vec<Effect>,
}

impl Simulator {
    /// Creates a simulator with no events whose clock reads `start`.
    pub fn new(world: World, start: SimTime) -> Self {
        Simulator {
            world,
            clock: SimClock::new(start),
            effects: Vec::new(),
        }
    }

    /// The current simulated time.
    pub fn now(&self) -> SimTime {
        self.clock.now()
    }

    /// The world the simulator was created from.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// Returns a fresh UUID for an inbound trigger's `requestId`.
    pub fn new_request_id(&mut self) -> Uuid {
        Uuid::nil()
    }

    /// Validates a trigger object and creates an event from it.
    ///
    /// Returns the validation errors (`jsonPath` and `details`) when the
    /// trigger does not fit the source's form; no event is created then.
    /// Alert flood control may create the event `SUPPRESSED`.
    pub fn create_event(
        &mut self,
        source: Source,
        request_id: Option<Uuid>,
        trigger: &serde_json::Value,
    ) -> Result<EventSnapshot, Vec<ValidationError>> {
        let _ = (source, request_id, trigger);
        Err(Vec::new())
    }

    /// Moves the clock to `t`, firing every timer due on the way in order.
    /// Returns the effects produced. An earlier `t` leaves the clock as is.
    pub fn advance_to(&mut self, t: SimTime) -> Vec<Effect> {
        self.clock.set(t);
        self.take_effects()
    }

    /// Moves the clock forward by `duration`; see [`Simulator::advance_to`].
    pub fn advance_by(&mut self, duration: Duration) -> Vec<Effect> {
        let target = self.clock.now().plus(duration);
        self.advance_to(target)
    }

    /// Applies a recipient's response at the current time.
    pub fn respond(&mut self, input: ResponseInput) -> Result<RespondOutcome, RespondError> {
        Err(RespondError::EventNotFound(input.event))
    }

    /// Changes an event's status (suspend, resume, terminate).
    pub fn set_status(
        &mut self,
        key: &EventKey,
        status: Status,
    ) -> Result<EventSnapshot, EngineError> {
        let _ = status;
        Err(EngineError::EventNotFound(*key))
    }

    /// Adds a comment to an event.
    pub fn annotate(&mut self, key: &EventKey, comment: &str) -> Result<Annotation, EngineError> {
        let _ = comment;
        Err(EngineError::EventNotFound(*key))
    }

    /// Records how sending an outbound webhook ended, for the timeline.
    pub fn record_webhook_result(&mut self, webhook: &OutboundWebhook, result: WebhookResult) {
        let _ = (webhook, result);
    }

    pub fn event(&self, key: &EventKey) -> Option<EventSnapshot> {
        let _ = key;
        None
    }

    /// Events matching `filter`, oldest first.
    pub fn events(&self, filter: &EventFilter) -> Vec<EventSnapshot> {
        let _ = filter;
        Vec::new()
    }

    pub fn audits(&self, key: &EventKey) -> Option<Vec<Audit>> {
        let _ = key;
        None
    }

    pub fn annotations(&self, key: &EventKey) -> Option<Vec<Annotation>> {
        let _ = key;
        None
    }

    /// Suppression records; for one event when `key` is set, else all.
    pub fn suppressions(&self, key: Option<&EventKey>) -> Vec<Suppression> {
        let _ = key;
        Vec::new()
    }

    pub fn notifications(&self, key: &EventKey) -> Option<Vec<NotificationRecord>> {
        let _ = key;
        None
    }

    pub fn timeline(&self, key: &EventKey) -> Option<Vec<TimelineEntry>> {
        let _ = key;
        None
    }

    /// The timelines of all events merged in the order things happened.
    pub fn full_timeline(&self) -> Vec<TimelineEntry> {
        Vec::new()
    }

    /// Timers waiting in the queue, across all events.
    pub fn pending_timers(&self) -> usize {
        0
    }

    /// Removes and returns the effects produced since the last call.
    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }
}

/// Checks one property value against its definition; the error is the
/// `details` text xMatters uses.
pub fn check_property_value(
    property: &PropertyDef,
    value: &serde_json::Value,
) -> Result<(), String> {
    let _ = (property, value);
    Ok(())
}
