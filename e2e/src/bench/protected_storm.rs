//! The storm on the relay path with storm protection on: one burst of
//! distinct alerts to one set of recipients, which the relay sends as a
//! few alerts on their own and digests of the rest. Every accepted alert
//! is traced through the relay's store to the trigger that mock-xmatters
//! received.

use std::collections::BTreeSet;

use mock_overops::load::{self, LoadSummary};
use relay::config::service::StormConfig;
use serde::Serialize;

use super::accounting::{self, Accounting};
use super::error::BenchError;
use super::figures::is_accepted;
use super::memory::{Memory, kib_to_mib};
use super::relay_process::{Counters, StormProtection};
use super::relay_store::RelayStore;
use super::run::{LoadSpec, Runner};

/// The figures of the storm with storm protection on.
#[derive(Debug, Clone, Serialize)]
pub struct ProtectedStormFigures {
    pub count: u64,
    pub concurrency: usize,
    /// Storm protection as the relay ran it.
    pub max_events: u32,
    pub window_ms: u128,
    pub max_digest_alerts: usize,
    /// Responses with a 2xx status.
    pub accepted: u64,
    /// Responses with another status.
    pub rejected: u64,
    /// Requests without a response.
    pub errors: u64,
    /// First send until the last response, in seconds.
    pub accept_s: f64,
    /// First send until mock-xmatters received the last trigger that
    /// accounts for an accepted alert, in seconds, or `None` when any
    /// alert is lost.
    pub accounted_s: Option<f64>,
    /// Where each accepted alert ended.
    pub accounting: Accounting,
    /// `relay_alerts_held_total` once every alert was sent.
    pub relay_held_total: u64,
    /// `relay_digests_total` once every alert was sent.
    pub relay_digests_total: u64,
    /// Peak resident memory of the relay process.
    pub relay_peak_rss_mib: f64,
}

/// What the run observed before the figures are computed.
struct Observation {
    summary: LoadSummary,
    counters: Counters,
    memory: Memory,
    accounting: Accounting,
}

/// Sends `spec` as one burst to a fresh relay with `storm` protection,
/// waits until no alert is pending or held, and accounts for every
/// accepted alert.
pub async fn measure(
    runner: &mut Runner,
    spec: LoadSpec,
    storm: StormConfig,
) -> Result<ProtectedStormFigures, BenchError> {
    let observation = observe(runner, spec, &storm).await?;
    let summary = &observation.summary;
    let first_sent = sends(summary).iter().map(|send| send.sent_unix_us).min();
    let accounted_s = first_sent
        .zip(observation.accounting.accounted_unix_us)
        .map(|(first, last)| (last - first as i64).max(0) as f64 / 1e6);

    Ok(ProtectedStormFigures {
        count: spec.count,
        concurrency: spec.concurrency,
        max_events: storm.max_events,
        window_ms: storm.window.as_millis(),
        max_digest_alerts: storm.max_digest_alerts,
        accepted: summary.accepted,
        rejected: summary.rejected,
        errors: summary.errors,
        accept_s: summary.elapsed_s,
        accounted_s,
        relay_held_total: observation.counters.held,
        relay_digests_total: observation.counters.digests,
        relay_peak_rss_mib: kib_to_mib(observation.memory.peak_kib),
        accounting: observation.accounting,
    })
}

async fn observe(
    runner: &mut Runner,
    spec: LoadSpec,
    storm: &StormConfig,
) -> Result<Observation, BenchError> {
    runner.xmatters().settle().await?;
    runner.xmatters().reset().await?;
    let relay = runner
        .start_relay_with(&StormProtection::On(storm.clone()))
        .await?;
    let options = runner.load_options(relay.intake_url()?, spec);
    let summary = load::run(options, false).await?;

    let store = RelayStore::open(relay.store_path()).await?;
    store
        .wait_settled(runner.drain_timeout(), relay.log_path())
        .await?;
    let counters = relay.counters().await?;
    let memory = relay.memory()?;
    relay.stop().await?;

    runner.xmatters().settle().await?;
    let received = runner.xmatters().triggers().await?;
    let stored = store.read_all().await?;
    let accepted: BTreeSet<u64> = sends(&summary)
        .iter()
        .filter(|send| is_accepted(send))
        .map(|send| send.seq)
        .collect();
    let accounting = accounting::account(&accepted, &stored, &received);
    for lost in &accounting.lost_examples {
        tracing::error!(seq = lost.seq, reason = ?lost.reason, "storm alert lost");
    }

    Ok(Observation {
        summary,
        counters,
        memory,
        accounting,
    })
}

fn sends(summary: &LoadSummary) -> &[load::SendRecord] {
    summary.sends.as_deref().unwrap_or_default()
}
