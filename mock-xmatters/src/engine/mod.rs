//! The escalation engine: a pure state machine over events, driven by
//! simulated time.
//!
//! Nothing here performs I/O or reads the wall clock. Callers pass
//! triggers, responses and the time to advance to; the engine returns
//! snapshots and [`Effect`]s (outbound webhooks) for the I/O edge to carry
//! out. All pending work (escalation levels, delayed devices, expiry) sits
//! in one timer queue, so idle events cost memory only.

mod event;
mod flood;
mod ids;
mod notify;
mod respond;
mod status;
mod timeline;
mod timers;
mod types;
mod validate;
mod webhooks;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::time::Duration;

use uuid::Uuid;

use crate::clock::{SimClock, SimTime, format_offset};
use crate::world::World;

use event::Event;
use flood::{FloodFilter, flood_key};
use ids::IdGenerator;
use timers::{Timer, TimerKind, TimerQueue};

pub use timeline::{LevelReason, TimelineEntry, TimelineKind};
pub use types::*;
pub use validate::{NOT_IN_LIST, TOO_LONG, check_property_value};

/// The simulated xMatters: world, clock, events, timer queue and logs.
#[derive(Debug)]
pub struct Simulator {
    /// The configuration every event is resolved against.
    world: World,
    /// Simulated time; moves only through `advance_to` and `advance_by`.
    clock: SimClock,
    ids: IdGenerator,
    /// Every event ever created, in creation order; the index is the
    /// internal handle that timers and lookups use.
    events: Vec<Event>,
    by_uuid: HashMap<Uuid, usize>,
    by_request_id: HashMap<Uuid, Vec<usize>>,
    /// Pending escalation levels, delayed devices and expiries of all events.
    timers: TimerQueue,
    flood: FloodFilter,
    /// Effects produced since the last `take_effects` or `advance_*` call.
    effects: Vec<Effect>,
    next_webhook_id: u64,
    next_notification_id: u64,
    /// Orders timeline entries across events for the merged timeline.
    next_sequence: u64,
}

impl Simulator {
    /// Creates a simulator with no events whose clock reads `start`.
    pub fn new(world: World, start: SimTime) -> Self {
        let ids = IdGenerator::new(world.settings.id_seed, world.settings.first_event_id);
        Simulator {
            world,
            clock: SimClock::new(start),
            ids,
            events: Vec::new(),
            by_uuid: HashMap::new(),
            by_request_id: HashMap::new(),
            timers: TimerQueue::default(),
            flood: FloodFilter::default(),
            effects: Vec::new(),
            next_webhook_id: 1,
            next_notification_id: 1,
            next_sequence: 0,
        }
    }

    /// Returns the current simulated time.
    pub fn now(&self) -> SimTime {
        self.clock.now()
    }

    /// Returns the world the simulator was created from.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// Returns a fresh UUID, for an inbound trigger's `requestId` or any
    /// other id the I/O edge hands out; seeded like every engine id.
    pub fn new_request_id(&mut self) -> Uuid {
        self.ids.uuid()
    }

    /// Validates a trigger object and creates an event from it.
    ///
    /// Returns the validation errors (`jsonPath` and `details`) when the
    /// trigger does not fit the source's form; no event is created then.
    /// Alert flood control may create the event `SUPPRESSED`. Such an event
    /// notifies no one and gets a suppression record.
    pub fn create_event(
        &mut self,
        source: Source,
        request_id: Option<Uuid>,
        trigger: &serde_json::Value,
    ) -> Result<EventSnapshot, Vec<ValidationError>> {
        let Some(form_index) = self.form_index(&source) else {
            return Err(vec![ValidationError {
                json_path: String::new(),
                details: format!("{source} does not exist in this world"),
            }]);
        };
        let accept_callbacks = matches!(source, Source::LegacyForm(_));
        let form = &self.world.forms[form_index];
        let valid = validate::validate_trigger(&self.world, form, trigger, accept_callbacks)?;

        let now = self.now();
        let flood_key = flood_key(&source, &valid.recipients);
        let suppressed_by = self.flood.check(&self.world.flood_control, &flood_key, now);
        let status = match suppressed_by {
            Some(_) => Status::Suppressed,
            None => Status::Active,
        };

        let id = EventRef {
            id: self.ids.uuid(),
            event_id: self.ids.event_id(),
        };
        let index = self.events.len();
        self.events.push(Event {
            id,
            request_id,
            source: source.clone(),
            form: form_index,
            status,
            priority: valid.priority,
            created: now,
            expiration_minutes: valid.expiration_minutes,
            properties: valid.properties,
            recipients: valid.recipients,
            callbacks: valid.callbacks,
            device_names: valid.device_names,
            targets: Vec::new(),
            chains: Vec::new(),
            stopped_people: Vec::new(),
            notifications: Vec::new(),
            notification_chains: Vec::new(),
            audits: Vec::new(),
            timeline: Vec::new(),
            annotations: Vec::new(),
            suppression: None,
            expiry_timer: None,
            paused_timers: Vec::new(),
        });
        self.by_uuid.insert(id.id, index);
        if let Some(request_id) = request_id {
            self.by_request_id
                .entry(request_id)
                .or_default()
                .push(index);
        }

        self.log_created(index);
        self.audit(index, AuditKind::EventCreated, AuditDetails::default());

        match suppressed_by {
            Some(matched) => self.suppress(index, matched),
            None => {
                self.flood
                    .record(&self.world.flood_control, flood_key, now, index);
                let expiry = now.plus_minutes(valid.expiration_minutes);
                let timer = Timer {
                    event: index,
                    kind: TimerKind::Expiry,
                };
                self.events[index].expiry_timer = Some(self.timers.schedule(expiry, timer));
                self.send_status_webhooks(index);
                self.start_targets(index, valid.escalation_override);
            }
        }
        Ok(self.snapshot(index))
    }

    /// Moves the clock to `t`, firing every timer due on the way in due
    /// order, each at its own due time. Returns the effects produced since
    /// the last call that returned effects. An earlier `t` fires nothing
    /// and leaves the clock as it is.
    pub fn advance_to(&mut self, t: SimTime) -> Vec<Effect> {
        while let Some((key, timer)) = self.timers.pop_due(t) {
            self.clock.set(key.due);
            self.fire(key, timer);
        }
        self.clock.set(t);
        self.take_effects()
    }

    /// Moves the clock forward by `duration`; see [`Simulator::advance_to`].
    pub fn advance_by(&mut self, duration: Duration) -> Vec<Effect> {
        let target = self.clock.now().plus(duration);
        self.advance_to(target)
    }

    /// Records how sending an outbound webhook ended, in its event's timeline.
    pub fn record_webhook_result(&mut self, webhook: &OutboundWebhook, result: WebhookResult) {
        let Some(index) = self.index(&EventKey::Uuid(webhook.event.id)) else {
            return;
        };
        self.log(
            index,
            TimelineKind::WebhookSent {
                webhook_id: webhook.id,
                result,
            },
        );
    }

    /// Returns the event with this id or eventId.
    pub fn event(&self, key: &EventKey) -> Option<EventSnapshot> {
        self.index(key).map(|index| self.snapshot(index))
    }

    /// Events matching `filter`, oldest first.
    pub fn events(&self, filter: &EventFilter) -> Vec<EventSnapshot> {
        let candidates: Box<dyn Iterator<Item = usize>> = match filter.request_id {
            Some(request_id) => Box::new(
                self.by_request_id
                    .get(&request_id)
                    .into_iter()
                    .flatten()
                    .copied(),
            ),
            None => Box::new(0..self.events.len()),
        };
        candidates
            .filter(|&index| self.matches(index, filter))
            .map(|index| self.snapshot(index))
            .collect()
    }

    /// Returns the audit entries of an event, oldest first.
    pub fn audits(&self, key: &EventKey) -> Option<Vec<Audit>> {
        self.index(key)
            .map(|index| self.events[index].audits.clone())
    }

    /// Returns the comments added to an event, oldest first.
    pub fn annotations(&self, key: &EventKey) -> Option<Vec<Annotation>> {
        self.index(key)
            .map(|index| self.events[index].annotations.clone())
    }

    /// Suppression records: of one event when `key` is set (empty when it
    /// was not suppressed or does not exist), else of all events.
    pub fn suppressions(&self, key: Option<&EventKey>) -> Vec<Suppression> {
        match key {
            Some(key) => self
                .index(key)
                .and_then(|index| self.events[index].suppression.clone())
                .into_iter()
                .collect(),
            None => self
                .events
                .iter()
                .filter_map(|event| event.suppression.clone())
                .collect(),
        }
    }

    /// Returns the delivery records of an event's notifications, in sending order.
    pub fn notifications(&self, key: &EventKey) -> Option<Vec<NotificationRecord>> {
        self.index(key)
            .map(|index| self.events[index].notifications.clone())
    }

    /// Returns the story of one event, in the order things happened.
    pub fn timeline(&self, key: &EventKey) -> Option<Vec<TimelineEntry>> {
        self.index(key)
            .map(|index| self.events[index].timeline.clone())
    }

    /// Returns the timelines of all events, merged in the order things happened.
    pub fn full_timeline(&self) -> Vec<TimelineEntry> {
        let mut entries: Vec<TimelineEntry> = self
            .events
            .iter()
            .flat_map(|event| event.timeline.iter().cloned())
            .collect();
        entries.sort_by_key(|entry| entry.sequence);
        entries
    }

    /// Counts the events created so far, suppressed ones included.
    pub fn event_count(&self) -> usize {
        self.events.len()
    }

    /// Counts the timers waiting in the queue, across all events.
    pub fn pending_timers(&self) -> usize {
        self.timers.len()
    }

    /// Returns the instant the next timer fires, if any is pending.
    pub fn next_timer_due(&self) -> Option<SimTime> {
        self.timers.next_due()
    }

    /// Removes and returns the effects produced since the last call.
    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }

    fn form_index(&self, source: &Source) -> Option<usize> {
        let form_name = match source {
            Source::Integration(name) => &self.world.integration(name)?.form,
            Source::LegacyForm(name) => name,
        };
        self.world.forms.iter().position(|f| &f.name == form_name)
    }

    /// Finds an event's internal index.
    fn index(&self, key: &EventKey) -> Option<usize> {
        match key {
            EventKey::Uuid(uuid) => self.by_uuid.get(uuid).copied(),
            EventKey::EventId(event_id) => {
                let offset = event_id.checked_sub(self.world.settings.first_event_id)?;
                let index = usize::try_from(offset).ok()?;
                self.events
                    .get(index)
                    .filter(|event| event.id.event_id == *event_id)
                    .map(|_| index)
            }
        }
    }

    fn snapshot(&self, index: usize) -> EventSnapshot {
        let event = &self.events[index];
        let form = &self.world.forms[event.form];
        event.snapshot(&form.name, form.uuid)
    }

    fn matches(&self, index: usize, filter: &EventFilter) -> bool {
        let event = &self.events[index];
        if filter.request_id.is_some() && event.request_id != filter.request_id {
            return false;
        }
        if filter.status.is_some_and(|status| status != event.status) {
            return false;
        }
        let Some(name) = &filter.property_name else {
            return true;
        };
        let name = name.split('#').next().unwrap_or(name);
        let Some(value) = event.properties.get(name) else {
            return false;
        };
        match &filter.property_value {
            None => true,
            Some(expected) => match value {
                serde_json::Value::String(text) => text == expected,
                other => &other.to_string() == expected,
            },
        }
    }

    /// Appends an entry to an event's timeline at the current time.
    fn log(&mut self, index: usize, what: TimelineKind) {
        let now = self.clock.now();
        let event = &mut self.events[index];
        event.timeline.push(TimelineEntry {
            at: format_offset(now.since(event.created)),
            time: now,
            event_id: event.id.event_id,
            what,
            sequence: self.next_sequence,
        });
        self.next_sequence += 1;
    }

    fn log_created(&mut self, index: usize) {
        let event = &self.events[index];
        let what = TimelineKind::Created {
            id: event.id.id,
            source: event.source.clone(),
            form: self.world.forms[event.form].name.clone(),
            request_id: event.request_id,
            priority: event.priority,
            status: event.status,
            expiration_minutes: event.expiration_minutes,
            recipients: event.recipients.clone(),
            properties: event.properties.clone(),
        };
        self.log(index, what);
    }

    /// Appends an audit entry at the current time.
    fn audit(&mut self, index: usize, kind: AuditKind, details: AuditDetails) {
        let now = self.clock.now();
        let event = &mut self.events[index];
        event.audits.push(Audit {
            kind,
            at: now,
            event: event.id,
            person: details.person,
            device: details.device,
            response: details.response,
            comment: details.comment,
        });
    }

    fn suppress(&mut self, index: usize, matched: usize) {
        let settings = &self.world.flood_control;
        let event = &self.events[index];
        let matched_ref = self.events[matched].id;
        let reason = format!(
            "alert flood control: {} events from {} to the same recipients went through within {} s, \
             the limit is {}",
            settings.max_alerts, event.source, settings.window_seconds, settings.max_alerts
        );
        let suppression = Suppression {
            id: self.ids.uuid(),
            event: event.id,
            matched: matched_ref,
            at: self.clock.now(),
            source: event.source.clone(),
            recipients: event.recipients.clone(),
            reason: reason.clone(),
        };
        self.events[index].suppression = Some(suppression);
        self.log(
            index,
            TimelineKind::Suppressed {
                matched_event_id: matched_ref.event_id,
                reason,
            },
        );
    }
}

/// The optional fields of an audit entry.
#[derive(Debug, Default)]
struct AuditDetails {
    person: Option<String>,
    device: Option<String>,
    response: Option<String>,
    comment: Option<String>,
}
