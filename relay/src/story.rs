//! The story of one alert for operators: every step from receipt to the
//! responses, in order, next to everything stored about it.
//!
//! `relay alerts show ID` prints it and `GET /alerts/{id}` returns it.

use jiff::Timestamp;
use serde::Serialize;

use crate::store::{
    AlertId, AlertKind, AlertRecord, AlertState, Callback, CallbackKind, Store, StoreError,
};

/// An alert with its steps.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Story {
    /// Everything stored about the alert, at the top level of the JSON.
    #[serde(flatten)]
    pub alert: AlertRecord,
    /// The steps, in the order they happened.
    pub story: Vec<Step>,
}

/// One step of an alert's story.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// Time of the step, when the store has it.
    pub at: Option<Timestamp>,
    /// Kind of step: `received`, `mapped`, `held`, `digested`,
    /// `attempt`, `delivered`, `confirmed`, `unconfirmed`, `dead`,
    /// `notified`, `responded`, `status` or `callback`.
    pub step: &'static str,
    /// The facts of the step in one sentence.
    pub detail: String,
}

impl Story {
    /// Loads an alert and, when a digest names it, that digest, and builds
    /// their story. Returns `None` when no alert has `id`.
    pub async fn load(store: &dyn Store, id: AlertId) -> Result<Option<Story>, StoreError> {
        let Some(alert) = store.get(id).await? else {
            return Ok(None);
        };
        let digest = match alert.storm.digest_id {
            Some(digest_id) => store.get(digest_id).await?,
            None => None,
        };
        Ok(Some(Story::new(alert, digest.as_ref())))
    }

    /// Builds the story of `alert`. `digest` is the digest that names it,
    /// when it was held, so the story can follow it to its event.
    pub fn new(alert: AlertRecord, digest: Option<&AlertRecord>) -> Self {
        let mut story = Vec::new();
        received(&alert, &mut story);
        storm(&alert, digest, &mut story);
        delivery(&alert, &mut story);
        confirmation(&alert, &mut story);
        let mut steps: Vec<(Option<Timestamp>, Step)> =
            story.into_iter().map(|step| (step.at, step)).collect();

        let follow = digest.filter(|_| alert.state == AlertState::Digested);
        let callbacks = follow.map_or(&alert.callbacks, |digest| &digest.callbacks);
        // A callback shows xMatters' time but is ordered by the time the
        // relay received it, because the two clocks may differ.
        steps.extend(
            callbacks
                .iter()
                .map(|callback| (Some(callback.received_at), callback_step(callback))),
        );

        // The sort is stable, so steps of one moment keep their order, and
        // steps without a time come last.
        steps.sort_by(|(a, _), (b, _)| match (a, b) {
            (Some(a), Some(b)) => a.cmp(b),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
        let story = steps.into_iter().map(|(_, step)| step).collect();
        Self { alert, story }
    }
}

/// Writes `count` with `noun`, adding "s" unless the count is 1, such as
/// "1 alert" or "3 alerts".
pub(crate) fn counted(count: impl Into<u64>, noun: &str) -> String {
    let count = count.into();
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

fn step(at: Option<Timestamp>, step: &'static str, detail: String) -> Step {
    Step { at, step, detail }
}

fn received(alert: &AlertRecord, story: &mut Vec<Step>) {
    let at = Some(alert.received_at);
    if alert.kind == AlertKind::Digest {
        story.push(step(
            at,
            "received",
            format!(
                "digest created by storm protection for {}",
                counted(alert.storm.members.len() as u64, "held alert")
            ),
        ));
        return;
    }
    let mut detail = format!("received from OverOps, dedup key {}", alert.dedup_key);
    if alert.duplicates > 0 {
        detail.push_str(&format!(
            "; {} repeats were answered as duplicates",
            alert.duplicates
        ));
    }
    story.push(step(at, "received", detail));

    let warnings = alert.warnings.as_array().map_or(0, Vec::len);
    story.push(step(
        at,
        "mapped",
        format!("mapped to an xMatters trigger with {warnings} warnings"),
    ));
}

fn storm(alert: &AlertRecord, digest: Option<&AlertRecord>, story: &mut Vec<Step>) {
    let Some(held_at) = alert.storm.held_at else {
        return;
    };
    let recipients = crate::storm::describe_key(alert.storm.key.as_deref().unwrap_or(""));
    story.push(step(
        Some(held_at),
        "held",
        format!("held by storm protection: too many events for {recipients}"),
    ));
    let Some(digest_id) = alert.storm.digest_id else {
        return;
    };
    let detail = match digest {
        Some(digest) => format!(
            "sent in digest {digest_id} with {}, which is {}{}",
            counted(digest.storm.members.len() as u64, "alert"),
            digest.state,
            digest
                .confirmation
                .event
                .as_ref()
                .map(|event| format!(" as event {}", event.event_id))
                .unwrap_or_default()
        ),
        None => format!("sent in digest {digest_id}"),
    };
    story.push(step(
        digest.map(|digest| digest.received_at),
        "digested",
        detail,
    ));
}

fn delivery(alert: &AlertRecord, story: &mut Vec<Step>) {
    for (index, attempt) in alert.attempts.iter().enumerate() {
        let mut detail = format!("attempt {}", index + 1);
        if let Some(status) = attempt.status {
            detail.push_str(&format!(", status {status}"));
        }
        if let Some(error) = &attempt.error {
            detail.push_str(&format!(", {error}"));
        }
        story.push(step(Some(attempt.started_at), "attempt", detail));
    }
    if let Some(delivered_at) = alert.delivered_at {
        let detail = match &alert.request_id {
            Some(request_id) => format!("accepted by xMatters with requestId {request_id}"),
            None => "accepted by xMatters without a requestId".to_owned(),
        };
        story.push(step(Some(delivered_at), "delivered", detail));
    }
    if let Some(reason) = &alert.dead_reason {
        story.push(step(None, "dead", reason.clone()));
    }
}

fn confirmation(alert: &AlertRecord, story: &mut Vec<Step>) {
    let confirmation = &alert.confirmation;
    if let Some(event) = &confirmation.event {
        let mut detail = format!(
            "event {} ({}) found after {}",
            event.event_id,
            event.uuid,
            counted(confirmation.lookups, "lookup")
        );
        if let Some(status) = &event.status {
            detail.push_str(&format!(", status {status}"));
        }
        story.push(step(confirmation.confirmed_at, "confirmed", detail));
    }
    if let Some(reason) = &confirmation.unconfirmed_reason {
        story.push(step(confirmation.deadline, "unconfirmed", reason.clone()));
    }
}

fn callback_step(callback: &Callback) -> Step {
    let at = callback.occurred_at.or(Some(callback.received_at));
    let target = describe_target(callback);
    match callback.kind {
        CallbackKind::DeliveryStatus => {
            let status = callback.delivery_status.as_deref().unwrap_or("unknown");
            let mut detail = format!("notification to {target}: {status}");
            if let Some(message) = &callback.message {
                detail.push_str(&format!(" ({message})"));
            }
            step(at, "notified", detail)
        }
        CallbackKind::Response => {
            let response = callback.response.as_deref().unwrap_or("a response");
            let mut detail = format!("{target} responded {response}");
            if let Some(comment) = &callback.comment {
                detail.push_str(&format!(" with the comment {comment:?}"));
            }
            step(at, "responded", detail)
        }
        CallbackKind::Status => {
            let status = callback.status.as_deref().unwrap_or("unknown");
            step(
                at,
                "status",
                format!("event {} is {status}", callback.event_id),
            )
        }
        CallbackKind::Other => step(
            at,
            "callback",
            format!("callback about event {}", callback.event_id),
        ),
    }
}

fn describe_target(callback: &Callback) -> String {
    let recipient = callback
        .recipient
        .as_deref()
        .unwrap_or("an unknown recipient");
    match &callback.device {
        Some(device) => format!("{recipient} on {device}"),
        None => recipient.to_owned(),
    }
}
