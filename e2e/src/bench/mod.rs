//! The benchmark of the relay against the direct path, on loopback.
//!
//! One run measures both ways an OverOps alert can reach xMatters:
//!
//! - **direct**: the emitter (`mock_overops::load`) posts each raw webhook
//!   to the mock-xmatters integration that maps it as the vendor's script
//!   did;
//! - **relay**: the emitter posts to `relay serve`, a child process with
//!   its durable SQLite store, which delivers a trigger to mock-xmatters.
//!
//! For each path it measures throughput at saturation, accept and
//! end-to-end latency at a fixed rate, and a storm of alerts in one burst.
//! The relay path then takes the storm again with storm protection on, and
//! every accepted alert is traced through the relay's store to the single
//! alert or digest that mock-xmatters received.
//! It also times the relay's start-up and reads its memory from
//! `/proc/PID/status`. mock-xmatters runs in this process, with flood
//! control off and its rate limit raised so that it never rejects.
//!
//! End-to-end latency is the time from the emitter's send to the moment
//! mock-xmatters received the trigger. Every alert carries a `load-seq=N`
//! marker in its summary. The simulator's request journal keeps each
//! request's body and its receive time, read from the same wall clock as
//! the send time, so each receipt is matched with its send by the marker.

mod accounting;
mod cpu;
mod error;
mod figures;
mod machine;
mod memory;
mod plan;
mod protected_storm;
mod relay_binary;
mod relay_process;
mod relay_store;
mod report;
mod run;
mod stats;
mod xmatters;

use std::path::PathBuf;
use std::time::Duration;

use relay::config::service::StormConfig;

pub use accounting::{Accounting, LostAlert, LostReason};
pub use error::BenchError;
pub use figures::{Delivery, Latency, StormFigures, Throughput};
pub use machine::Machine;
pub use memory::Memory;
pub use plan::Plan;
pub use protected_storm::ProtectedStormFigures;
pub use relay_process::RelaySetting;
pub use report::{PathFigures, ProcessFigures, Report, TargetCheck};
pub use stats::Percentiles;

use memory::kib_to_mib;
use relay_process::RelaySetup;
use run::{LoadSpec, Route, RunOutcome, Runner};
use xmatters::{RELAY_INTEGRATION, Xmatters};

/// What to run.
#[derive(Debug, Clone, Default)]
pub struct BenchOptions {
    /// Run the small [`Plan::quick`] in place of [`Plan::full`].
    pub quick: bool,
    /// The `relay` executable; built next to this one when `None`.
    pub relay_bin: Option<PathBuf>,
    /// Relay options to set on every relay the benchmark starts.
    pub relay_settings: Vec<RelaySetting>,
}

/// Runs every measurement and returns the report with its targets checked.
pub async fn run(options: &BenchOptions) -> Result<Report, BenchError> {
    let mut machine = Machine::read();
    let plan = if options.quick {
        Plan::quick()
    } else {
        Plan::full()
    };
    let relay_bin = options.relay_bin.clone();
    let binary = tokio::task::spawn_blocking(move || relay_binary::locate(relay_bin.as_deref()))
        .await
        .map_err(|error| BenchError::BuildRelay {
            command: "cargo build -p relay".to_owned(),
            reason: error.to_string(),
        })??;

    let scratch = tempfile::tempdir().map_err(|source| BenchError::Io {
        action: "creating a temporary directory".to_owned(),
        source,
    })?;
    let xmatters = Xmatters::start().await?;
    let (trigger_url, api_key) = xmatters.trigger_endpoint(RELAY_INTEGRATION)?;
    let setup = RelaySetup {
        binary,
        trigger_url,
        api_key,
        settings: options.relay_settings.clone(),
    };
    let mut runner = Runner::new(xmatters, setup, scratch.path(), plan.drain_timeout);

    tracing::info!(starts = plan.startups, "timing relay start-up");
    let relay_process = measure_startups(&mut runner, &plan).await?;
    let (direct, relay) = measure_paths(&mut runner, &plan).await?;
    let relay_protected_storm = measure_protected_storm(&mut runner, &plan).await?;

    machine.finish();
    let mut report = Report {
        quick: options.quick,
        relay_settings: options
            .relay_settings
            .iter()
            .map(ToString::to_string)
            .collect(),
        machine,
        plan,
        direct,
        relay,
        relay_protected_storm,
        relay_process,
        targets: Vec::new(),
    };
    report.check_targets();
    Ok(report)
}

/// Starts fresh relays one after another and records start-up time and
/// idle memory.
async fn measure_startups(runner: &mut Runner, plan: &Plan) -> Result<ProcessFigures, BenchError> {
    let mut startups = Vec::new();
    let mut idle_kib = Vec::new();
    for _ in 0..plan.startups.max(1) {
        let relay = runner.start_relay().await?;
        startups.push(relay.startup());
        tokio::time::sleep(plan.idle_settle).await;
        idle_kib.push(relay.memory()?.rss_kib);
        relay.stop().await?;
    }

    let millis = |duration: Duration| duration.as_secs_f64() * 1000.0;
    Ok(ProcessFigures {
        startup_ms: startups.iter().copied().map(millis).collect(),
        startup_median_ms: stats::median(&startups).map_or(f64::NAN, millis),
        idle_rss_mib: stats::median(&idle_kib).map_or(f64::NAN, kib_to_mib),
    })
}

/// Runs throughput, latency and storm on both paths, alternating paths so
/// that a change in machine load affects both.
async fn measure_paths(
    runner: &mut Runner,
    plan: &Plan,
) -> Result<(PathFigures, PathFigures), BenchError> {
    let saturation = LoadSpec {
        count: plan.throughput_count,
        rate: None,
        concurrency: plan.throughput_concurrency,
    };
    let steady = LoadSpec {
        count: plan.latency_count,
        rate: Some(plan.latency_rate),
        concurrency: plan.latency_concurrency,
    };
    let storm = LoadSpec {
        count: plan.storm_count,
        rate: None,
        concurrency: plan.storm_concurrency,
    };

    tracing::info!(
        alerts = saturation.count,
        "measuring throughput at saturation"
    );
    let [direct_throughput, relay_throughput] = run_both(runner, saturation)
        .await?
        .map(|outcome| Throughput::of(saturation, &outcome));
    tracing::info!(
        rate = plan.latency_rate,
        "measuring latency at a fixed rate"
    );
    let [direct_latency, relay_latency] = run_both(runner, steady)
        .await?
        .map(|outcome| Latency::of(steady, &outcome));
    tracing::info!(alerts = storm.count, "sending a storm");
    let [direct_storm, relay_storm] = run_both(runner, storm)
        .await?
        .map(|outcome| StormFigures::of(storm, &outcome));

    let direct = PathFigures {
        throughput: direct_throughput,
        latency: direct_latency,
        storm: direct_storm,
    };
    let relay = PathFigures {
        throughput: relay_throughput,
        latency: relay_latency,
        storm: relay_storm,
    };
    Ok((direct, relay))
}

/// Sends the storm to a relay with storm protection on: the defaults, but
/// with the plan's short window so that the digests go out in seconds.
async fn measure_protected_storm(
    runner: &mut Runner,
    plan: &Plan,
) -> Result<ProtectedStormFigures, BenchError> {
    let spec = LoadSpec {
        count: plan.storm_count,
        rate: None,
        concurrency: plan.storm_concurrency,
    };
    let storm = StormConfig {
        window: plan.storm_protection_window,
        ..StormConfig::default()
    };
    tracing::info!(
        alerts = spec.count,
        window_ms = storm.window.as_millis(),
        "sending a storm with storm protection on"
    );
    protected_storm::measure(runner, spec, storm).await
}

/// Runs `spec` on the direct path, then on the relay path.
async fn run_both(runner: &mut Runner, spec: LoadSpec) -> Result<[RunOutcome; 2], BenchError> {
    let direct = runner.run(Route::Direct, spec).await?;
    let relay = runner.run(Route::Relay, spec).await?;
    Ok([direct, relay])
}
