//! Storm protection: at most `storm.max_events` events per window to one
//! set of recipients, the excess held and named in one digest event per
//! window.
//!
//! xMatters suppresses alerts from one integration to the same recipients
//! beyond its flood-control rate (4 per minute by default) without telling
//! the sender. The delivery worker therefore consults the [`StormGuard`]
//! before each first attempt. An alert within the rate goes out on its
//! own, and the others become `held`. Once the window has room, the guard
//! stores one digest (a pending alert of kind `digest`) that names every
//! held alert of the key, and marks them `digested`, so each alert is
//! accounted for by exactly one event.
//!
//! The trade-off: during a storm, recipients get one digest per window
//! instead of every alert, up to a window late, and an alert held for a
//! digest is seen only as a line of it.

mod digest;
mod gate;
mod key;

pub use digest::{DIGEST_TYPE, Digest, build as build_digest};
pub use gate::StormGate;
pub use key::{describe_key, recipients_key};

use std::sync::Arc;

use jiff::Timestamp;

use crate::clock::Clock;
use crate::config::MappingConfig;
use crate::config::service::StormConfig;
use crate::metrics::Metrics;
use crate::store::{AlertKind, DueAlert, NewDigest, Store, StoreError, StormDecision};

/// Failure to create a digest; the held alerts stay held.
#[derive(Debug, thiserror::Error)]
enum DigestError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the digest trigger cannot be serialized: {0}")]
    Serialize(#[from] serde_json::Error),
}

/// Applies storm protection for the delivery worker, keeping the gate in
/// memory and every decision in the store.
pub struct StormGuard {
    gate: StormGate,
    storm: StormConfig,
    mapping: MappingConfig,
    store: Arc<dyn Store>,
    metrics: Arc<Metrics>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for StormGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StormGuard")
            .field("gate", &self.gate)
            .field("storm", &self.storm)
            .finish_non_exhaustive()
    }
}

impl StormGuard {
    /// Creates the guard, restoring recent admissions and held alerts from
    /// the store so that a restart neither resets the rate nor drops a
    /// pending digest.
    pub async fn load(
        store: Arc<dyn Store>,
        storm: StormConfig,
        mapping: MappingConfig,
        metrics: Arc<Metrics>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StoreError> {
        let now = clock.now();
        let since = jiff::SignedDuration::try_from(storm.window)
            .ok()
            .and_then(|window| now.checked_sub(window).ok())
            .unwrap_or(Timestamp::MIN);
        let admissions = store.admissions_since(since).await?;
        let held = store.held_groups().await?;

        let mut gate = StormGate::new(&storm);
        gate.restore(admissions, &held);
        for group in &held {
            tracing::info!(
                recipients = %describe_key(&group.key),
                held = group.count,
                "held alerts found at start; a digest follows"
            );
        }
        Ok(Self {
            gate,
            storm,
            mapping,
            store,
            metrics,
            clock,
        })
    }

    /// Returns the claimed alerts that may be sent now and marks the others
    /// `held`. Digests and alerts let through before (retries) always pass.
    /// When the decisions cannot be stored, nothing is sent: the alerts
    /// become due again when their lease ends.
    pub async fn screen(&mut self, alerts: Vec<DueAlert>) -> Vec<DueAlert> {
        let now = self.clock.now();
        let mut send = Vec::with_capacity(alerts.len());
        let mut decisions = Vec::new();
        for alert in alerts {
            // NOTE: an alert counts against the rate when it is first let
            // through. Its retries do not count again, so after an xMatters
            // outage the admitted alerts of several windows can arrive in
            // one window and xMatters may suppress some of them.
            if alert.kind == AlertKind::Digest || alert.admitted || !self.storm.enabled {
                send.push(alert);
                continue;
            }
            let key = recipients_key(&alert.trigger);
            let admitted = self.gate.admit(&key, now);
            if !admitted {
                tracing::warn!(
                    alert_id = %alert.id,
                    recipients = %describe_key(&key),
                    "alert held by storm protection for the next digest"
                );
            }
            decisions.push(StormDecision {
                id: alert.id,
                key,
                admitted,
            });
            if admitted {
                send.push(alert);
            }
        }
        if decisions.is_empty() {
            return send;
        }

        let held = decisions
            .iter()
            .filter(|decision| !decision.admitted)
            .count() as u64;
        match self.store.record_storm_decisions(decisions, now).await {
            Ok(()) => {
                self.metrics.held(held);
                send
            }
            Err(err) => {
                tracing::error!(
                    error = %err,
                    "recording storm protection decisions failed; the alerts are tried again \
                     after their lease ends"
                );
                Vec::new()
            }
        }
    }

    /// Creates a digest for every key whose held alerts wait and whose
    /// window has room, and returns how many were created.
    pub async fn send_digests(&mut self) -> usize {
        let mut created = 0;
        for key in self.gate.waiting_keys() {
            let now = self.clock.now();
            if !self.gate.digest_allowed(&key, now) {
                continue;
            }
            match self.create_digest(&key, now).await {
                Ok(true) => created += 1,
                Ok(false) => {}
                Err(err) => tracing::error!(
                    error = %err,
                    recipients = %describe_key(&key),
                    "creating a storm digest failed; it is tried again at the next poll"
                ),
            }
        }
        created
    }

    /// Returns when the next digest may go out, to wake the worker then.
    pub fn next_digest_at(&self) -> Option<Timestamp> {
        self.gate.next_slot_at()
    }

    async fn create_digest(&mut self, key: &str, now: Timestamp) -> Result<bool, DigestError> {
        let limit = self.storm.max_digest_alerts;
        let held = self.store.held_alerts(key.to_owned(), limit).await?;
        if held.is_empty() {
            self.gate.clear_waiting(key);
            return Ok(false);
        }

        let digest = build_digest(key, &held, &self.mapping, &self.storm)?;
        let outcome = self
            .store
            .create_digest(NewDigest {
                key: key.to_owned(),
                members: held.iter().map(|alert| alert.id).collect(),
                trigger: digest.trigger,
                warnings: digest.warnings,
                created_at: now,
            })
            .await?;

        let more_held = held.len() >= limit;
        self.gate.record_digest(key, now, more_held);
        self.metrics.digest();
        tracing::info!(
            digest_id = %outcome.id,
            alerts = outcome.members,
            recipients = %describe_key(key),
            more_held,
            "storm digest created"
        );
        Ok(true)
    }
}
