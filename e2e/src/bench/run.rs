//! One load run on one path: reset mock-xmatters, start a fresh relay if
//! the path has one, send, wait for delivery and collect what arrived.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use mock_overops::load::{self, LoadOptions, LoadSummary, Storm};
use serde::Serialize;

use super::cpu;
use super::error::BenchError;
use super::memory::Memory;
use super::relay_process::{Counters, RelayProcess, RelaySetup, StormProtection};
use super::xmatters::{ORIGINAL_INTEGRATION, Receipts, Xmatters};

/// The two ways an alert can reach xMatters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// OverOps posts the raw webhook to the inbound integration of the
    /// vendor's script.
    Direct,
    /// OverOps posts to the relay, which stores the alert durably and
    /// delivers a trigger.
    Relay,
}

/// What to send in one run.
#[derive(Debug, Clone, Copy)]
pub struct LoadSpec {
    pub count: u64,
    /// Alerts started per second, or `None` for as fast as possible.
    pub rate: Option<f64>,
    pub concurrency: usize,
}

/// What a run observed.
#[derive(Debug)]
pub struct RunOutcome {
    /// The emitter's summary, with one record per alert.
    pub summary: LoadSummary,
    /// The triggers mock-xmatters accepted.
    pub receipts: Receipts,
    /// CPU time of this process (emitter and mock-xmatters) from the
    /// first send until mock-xmatters had processed every trigger.
    pub bench_cpu: Duration,
    /// The relay process, on the relay path.
    pub relay: Option<RelayObservation>,
}

/// What the relay process showed during a run.
#[derive(Debug, Clone)]
pub struct RelayObservation {
    /// Spawn until `/readyz` responded 200.
    pub startup: Duration,
    /// Memory once the backlog was delivered.
    pub memory: Memory,
    /// Alerts already delivered when the last intake response arrived.
    pub delivered_at_accept_end: u64,
    /// Counters once the backlog was delivered.
    pub counters: Counters,
    /// CPU time of the whole process, start-up included.
    pub cpu: Duration,
    /// CPU time of its live threads by thread name.
    pub threads_cpu: BTreeMap<String, Duration>,
}

/// Returns the CPU time this process has used so far.
fn own_cpu() -> Result<Duration, BenchError> {
    cpu::process_time(std::process::id()).map_err(|source| BenchError::Io {
        action: "reading the benchmark's own CPU time".to_owned(),
        source,
    })
}

/// Runs load on both paths against one mock-xmatters.
#[derive(Debug)]
pub struct Runner {
    xmatters: Xmatters,
    relay: RelaySetup,
    /// Parent of each relay's working directory.
    scratch: PathBuf,
    drain_timeout: Duration,
    /// Runs started so far, for unique directories and seeds.
    runs: u64,
}

impl Runner {
    pub fn new(
        xmatters: Xmatters,
        relay: RelaySetup,
        scratch: &Path,
        drain_timeout: Duration,
    ) -> Self {
        Runner {
            xmatters,
            relay,
            scratch: scratch.to_path_buf(),
            drain_timeout,
            runs: 0,
        }
    }

    /// Returns the simulated xMatters that every run delivers to.
    pub fn xmatters(&self) -> &Xmatters {
        &self.xmatters
    }

    /// Returns the maximum wait for a relay to send its backlog after a
    /// run.
    pub fn drain_timeout(&self) -> Duration {
        self.drain_timeout
    }

    /// Starts a relay without storm protection in a fresh directory with
    /// an empty store.
    pub async fn start_relay(&mut self) -> Result<RelayProcess, BenchError> {
        self.start_relay_with(&StormProtection::Off).await
    }

    /// Starts a relay with `storm` protection in a fresh directory with an
    /// empty store.
    pub async fn start_relay_with(
        &mut self,
        storm: &StormProtection,
    ) -> Result<RelayProcess, BenchError> {
        self.runs += 1;
        let dir = self.scratch.join(format!("relay-{}", self.runs));
        std::fs::create_dir_all(&dir).map_err(|source| BenchError::Io {
            action: format!("creating {}", dir.display()),
            source,
        })?;
        RelayProcess::start(&self.relay, &dir, storm).await
    }

    /// Returns the emitter's options that send `spec` to `url`, seeded by
    /// the number of runs so far.
    pub fn load_options(&self, url: reqwest::Url, spec: LoadSpec) -> LoadOptions {
        LoadOptions {
            count: Some(spec.count),
            rate: spec.rate,
            concurrency: spec.concurrency,
            shape: Storm::Distinct,
            seed: self.runs,
            record_sends: true,
            ..LoadOptions::new(url)
        }
    }

    /// Sends `spec` on `route` and collects the outcome. On the relay path
    /// the run ends when the relay has no pending alert left.
    pub async fn run(&mut self, route: Route, spec: LoadSpec) -> Result<RunOutcome, BenchError> {
        self.xmatters.settle().await?;
        self.xmatters.reset().await?;
        let relay = match route {
            Route::Direct => None,
            Route::Relay => Some(self.start_relay().await?),
        };
        let url = match &relay {
            Some(relay) => relay.intake_url()?,
            None => self.xmatters.trigger_url(ORIGINAL_INTEGRATION)?,
        };

        let options = self.load_options(url, spec);
        let cpu_before = own_cpu()?;
        let summary = load::run(options, false).await?;

        let relay = match relay {
            Some(process) => Some(self.finish_relay(process).await?),
            None => None,
        };
        self.xmatters.settle().await?;
        let bench_cpu = own_cpu()?.saturating_sub(cpu_before);
        let receipts = self.xmatters.receipts().await?;
        Ok(RunOutcome {
            summary,
            receipts,
            bench_cpu,
            relay,
        })
    }

    /// Waits for the relay's backlog to drain, reads what it used and
    /// stops it.
    async fn finish_relay(&self, process: RelayProcess) -> Result<RelayObservation, BenchError> {
        let at_accept_end = process.counters().await?;
        let counters = process.wait_drained(self.drain_timeout).await?;
        let (cpu, threads_cpu) = process.cpu()?;
        let observation = RelayObservation {
            startup: process.startup(),
            memory: process.memory()?,
            delivered_at_accept_end: at_accept_end.delivered,
            counters,
            cpu,
            threads_cpu,
        };
        process.stop().await?;
        Ok(observation)
    }
}
