//! The relay as a child process (`relay serve`), so that its memory and
//! start-up time are its own: configuration, readiness, counters, stop.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use relay::config::service::StormConfig;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

use super::cpu;
use super::error::BenchError;
use super::memory::Memory;

/// Intake token of the benchmark relay.
const TOKEN: &str = "bench-intake-token-0123456789";

/// Maximum wait from spawn until `/readyz` responds 200.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// Wait between two `/readyz` requests, which bounds the resolution of the
/// start-up time.
const READY_POLL: Duration = Duration::from_millis(1);

/// Wait between two `/metrics` reads while the backlog drains.
const DRAIN_POLL: Duration = Duration::from_millis(20);

/// What every benchmark relay shares.
#[derive(Debug, Clone)]
pub struct RelaySetup {
    /// The `relay` executable.
    pub binary: PathBuf,
    /// mock-xmatters trigger URL, without credentials.
    pub trigger_url: String,
    /// The integration's API key.
    pub api_key: String,
    /// Options set through the environment, over the configuration file.
    pub settings: Vec<RelaySetting>,
}

/// Storm protection of one benchmark relay.
#[derive(Debug, Clone, PartialEq)]
pub enum StormProtection {
    /// Every alert is sent on its own, so that each accepted alert must
    /// reach mock-xmatters as its own trigger.
    Off,
    /// Alerts beyond the rate are held and sent in digests.
    On(StormConfig),
}

/// One relay option set for the benchmark, such as
/// `delivery.concurrency=16`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelaySetting {
    /// Dotted option name, such as `delivery.concurrency`.
    pub option: String,
    /// The value, read by the relay as TOML when it parses as TOML.
    pub value: String,
}

impl RelaySetting {
    /// Returns the environment variable that sets the option:
    /// `RELAY_<SECTION>__<KEY>`.
    pub fn variable(&self) -> String {
        format!("RELAY_{}", self.option.to_uppercase().replace('.', "__"))
    }
}

impl std::str::FromStr for RelaySetting {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || {
            format!(
                "invalid relay setting {text:?}; write SECTION.KEY=VALUE, such as delivery.concurrency=16"
            )
        };
        let (option, value) = text.split_once('=').ok_or_else(invalid)?;
        let valid_name = option.split('.').all(|part| {
            !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        if !valid_name || !option.contains('.') {
            return Err(invalid());
        }
        Ok(RelaySetting {
            option: option.to_owned(),
            value: value.to_owned(),
        })
    }
}

impl std::fmt::Display for RelaySetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.option, self.value)
    }
}

/// The relay's counters from `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    pub received: u64,
    pub rejected: u64,
    pub duplicates: u64,
    pub delivered: u64,
    pub retries: u64,
    pub dead: u64,
    pub backlog: u64,
    /// Alerts that storm protection held.
    pub held: u64,
    /// Digests that storm protection created.
    pub digests: u64,
}

/// A running `relay serve`, killed when dropped.
#[derive(Debug)]
pub struct RelayProcess {
    child: Child,
    pid: u32,
    address: SocketAddr,
    /// Time from spawn until `/readyz` first responded 200.
    startup: Duration,
    /// Standard output, kept open so that a late line cannot fail to write.
    _stdout: Lines<BufReader<ChildStdout>>,
    log: PathBuf,
    store: PathBuf,
    http: reqwest::Client,
}

impl RelayProcess {
    /// Writes a configuration into `dir` (store and log go there too),
    /// spawns the relay and waits until it is ready.
    pub async fn start(
        setup: &RelaySetup,
        dir: &Path,
        storm: &StormProtection,
    ) -> Result<RelayProcess, BenchError> {
        let config = dir.join("relay.toml");
        let log = dir.join("relay.log");
        let store = dir.join("relay.db");
        write_file(&config, &config_text(setup, &store, storm))?;
        let log_file = std::fs::File::create(&log).map_err(|source| BenchError::Io {
            action: format!("creating {}", log.display()),
            source,
        })?;

        let mut command = Command::new(&setup.binary);
        // Only the benchmark's own settings reach the relay, so that a
        // RELAY_ variable in the caller's environment cannot change a run.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("RELAY_") {
                command.env_remove(name);
            }
        }
        for setting in &setup.settings {
            command.env(setting.variable(), &setting.value);
        }

        let started = Instant::now();
        let mut child = command
            .arg("--config")
            .arg(&config)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| BenchError::Io {
                action: format!("starting {}", setup.binary.display()),
                source,
            })?;
        let not_ready = |reason: String| BenchError::RelayNotReady {
            reason,
            log: log.clone(),
        };
        let pid = child
            .id()
            .ok_or_else(|| not_ready("the process exited at once".to_owned()))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| not_ready("its standard output is not captured".to_owned()))?;
        let mut stdout = BufReader::new(stdout).lines();

        let address = tokio::time::timeout(READY_TIMEOUT, read_address(&mut stdout))
            .await
            .map_err(|_| not_ready(format!("no listening address within {READY_TIMEOUT:?}")))?
            .map_err(not_ready)?;
        let http = reqwest::Client::new();
        wait_ready(&http, address, started)
            .await
            .map_err(not_ready)?;

        Ok(RelayProcess {
            child,
            pid,
            address,
            startup: started.elapsed(),
            _stdout: stdout,
            log,
            store,
            http,
        })
    }

    /// Returns the intake URL with the benchmark token.
    pub fn intake_url(&self) -> Result<reqwest::Url, BenchError> {
        let url = format!("http://{}/overops/webhook/{TOKEN}", self.address);
        url.parse().map_err(|error| BenchError::RelayNotReady {
            reason: format!("intake URL {url:?} is invalid: {error}"),
            log: self.log.clone(),
        })
    }

    /// Returns the path of the relay's SQLite store file.
    pub fn store_path(&self) -> &Path {
        &self.store
    }

    /// Returns the path of the relay's log file.
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// Time from spawn until `/readyz` first responded 200.
    pub fn startup(&self) -> Duration {
        self.startup
    }

    /// Reads the process's current and peak resident memory.
    pub fn memory(&self) -> Result<Memory, BenchError> {
        Memory::of_process(self.pid).map_err(|source| BenchError::Io {
            action: format!("reading the memory of relay process {}", self.pid),
            source,
        })
    }

    /// Reads the process's CPU time, in total and by thread name.
    pub fn cpu(&self) -> Result<(Duration, BTreeMap<String, Duration>), BenchError> {
        let failed = |source| BenchError::Io {
            action: format!("reading the CPU time of relay process {}", self.pid),
            source,
        };
        let total = cpu::process_time(self.pid).map_err(failed)?;
        let threads = cpu::thread_times(self.pid).map_err(failed)?;
        Ok((total, threads))
    }

    /// Reads the counters from `/metrics`.
    pub async fn counters(&self) -> Result<Counters, BenchError> {
        let url = format!("http://{}/metrics", self.address);
        let text = self
            .http
            .get(&url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|source| BenchError::Http {
                action: "reading the relay's /metrics".to_owned(),
                source,
            })?
            .text()
            .await
            .map_err(|source| BenchError::Http {
                action: "reading the relay's /metrics body".to_owned(),
                source,
            })?;
        Ok(parse_counters(&text))
    }

    /// Waits until no alert is pending, polling `/metrics`, and returns
    /// the counters then.
    pub async fn wait_drained(&self, timeout: Duration) -> Result<Counters, BenchError> {
        let deadline = Instant::now() + timeout;
        loop {
            let counters = self.counters().await?;
            if counters.backlog == 0 {
                return Ok(counters);
            }
            if Instant::now() >= deadline {
                return Err(BenchError::DrainTimeout {
                    pending: counters.backlog,
                    timeout,
                    log: self.log.clone(),
                });
            }
            tokio::time::sleep(DRAIN_POLL).await;
        }
    }

    /// Kills the process and waits until it is gone.
    pub async fn stop(mut self) -> Result<(), BenchError> {
        self.child.kill().await.map_err(|source| BenchError::Io {
            action: format!("stopping relay process {}", self.pid),
            source,
        })
    }
}

/// Returns the benchmark configuration. Options not set here keep the
/// relay's defaults; the durable store is on, as always.
///
/// `summary` is added to the deduplication fields: every alert of a run
/// has its own `load-seq` marker there, so no alert is taken for a repeat.
/// `storm` sets storm protection. It exists to keep under xMatters' flood
/// control, which the benchmark's mock-xmatters has off, so the runs that
/// compare the paths turn it off.
fn config_text(setup: &RelaySetup, store: &Path, storm: &StormProtection) -> String {
    let dedup_fields = [
        "alert_type",
        "type",
        "service_id",
        "view_name",
        "app_name",
        "full_name",
        "location",
        "link",
        "summary",
    ];
    let quoted: Vec<String> = dedup_fields
        .iter()
        .map(|field| format!("{field:?}"))
        .collect();
    format!(
        "[mapping]\n\
         dedup_fields = [{fields}]\n\
         \n\
         [server]\n\
         tokens = [{TOKEN:?}]\n\
         \n\
         [store]\n\
         path = {store:?}\n\
         \n\
         [storm]\n\
         {storm}\
         \n\
         [xmatters]\n\
         trigger_url = {url:?}\n\
         api_key = {key:?}\n",
        fields = quoted.join(", "),
        storm = storm_section(storm),
        store = store.display().to_string(),
        url = setup.trigger_url,
        key = setup.api_key,
    )
}

/// Returns the keys of the `[storm]` section, one per line.
fn storm_section(storm: &StormProtection) -> String {
    match storm {
        StormProtection::Off => "enabled = false\n".to_owned(),
        StormProtection::On(config) => format!(
            "enabled = true\n\
             max_events = {}\n\
             window = \"{}ms\"\n\
             max_digest_alerts = {}\n",
            config.max_events,
            config.window.as_millis(),
            config.max_digest_alerts,
        ),
    }
}

fn write_file(path: &Path, text: &str) -> Result<(), BenchError> {
    std::fs::write(path, text).map_err(|source| BenchError::Io {
        action: format!("writing {}", path.display()),
        source,
    })
}

/// Reads the line `relay listening on ADDR; ...` that `relay serve` prints.
async fn read_address(stdout: &mut Lines<BufReader<ChildStdout>>) -> Result<SocketAddr, String> {
    let line = stdout
        .next_line()
        .await
        .map_err(|error| format!("reading its standard output failed: {error}"))?
        .ok_or_else(|| "it exited before printing its address".to_owned())?;
    line.strip_prefix("relay listening on ")
        .and_then(|rest| rest.split(';').next())
        .and_then(|address| address.parse().ok())
        .ok_or_else(|| format!("its first output line {line:?} names no address"))
}

/// Polls `/readyz` until it responds 200.
async fn wait_ready(
    http: &reqwest::Client,
    address: SocketAddr,
    started: Instant,
) -> Result<(), String> {
    let url = format!("http://{address}/readyz");
    let mut last = String::from("no response yet");
    while started.elapsed() < READY_TIMEOUT {
        match http.get(&url).send().await {
            Ok(response) if response.status().is_success() => return Ok(()),
            Ok(response) => last = format!("/readyz responded {}", response.status()),
            Err(error) => last = format!("/readyz failed: {error}"),
        }
        tokio::time::sleep(READY_POLL).await;
    }
    Err(format!("not ready within {READY_TIMEOUT:?}; {last}"))
}

/// Reads the counters from the Prometheus text; absent ones read as 0.
fn parse_counters(text: &str) -> Counters {
    let mut counters = Counters::default();
    for line in text.lines().filter(|line| !line.starts_with('#')) {
        let Some((name, value)) = line.rsplit_once(' ') else {
            continue;
        };
        let Ok(value) = value.parse::<u64>() else {
            continue;
        };
        match name {
            "relay_alerts_received_total" => counters.received = value,
            "relay_alerts_duplicate_total" => counters.duplicates = value,
            "relay_alerts_delivered_total" => counters.delivered = value,
            "relay_delivery_retries_total" => counters.retries = value,
            "relay_alerts_dead_total" => counters.dead = value,
            "relay_backlog" => counters.backlog = value,
            "relay_alerts_held_total" => counters.held = value,
            "relay_digests_total" => counters.digests = value,
            _ if name.starts_with("relay_alerts_rejected_total{") => counters.rejected += value,
            _ => {}
        }
    }
    counters
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_are_read_from_metrics() {
        let text = "# HELP relay_alerts_received_total Alerts accepted and stored.\n\
                    relay_alerts_received_total 10\n\
                    relay_alerts_rejected_total{reason=\"unauthorized\"} 2\n\
                    relay_alerts_rejected_total{reason=\"too_large\"} 1\n\
                    relay_alerts_duplicate_total 3\n\
                    relay_alerts_delivered_total 9\n\
                    relay_delivery_retries_total 4\n\
                    relay_alerts_dead_total 1\n\
                    relay_backlog 0\n\
                    relay_alerts_held_total 6\n\
                    relay_digests_total 2\n\
                    relay_delivery_latency_seconds_sum 0.5\n";

        let counters = parse_counters(text);

        assert_eq!(
            counters,
            Counters {
                received: 10,
                rejected: 3,
                duplicates: 3,
                delivered: 9,
                retries: 4,
                dead: 1,
                backlog: 0,
                held: 6,
                digests: 2,
            }
        );
    }

    #[test]
    fn setting_parses_and_names_variable() {
        let setting: RelaySetting = "delivery.concurrency=16".parse().expect("valid setting");

        assert_eq!(setting.option, "delivery.concurrency");
        assert_eq!(setting.value, "16");
        assert_eq!(setting.variable(), "RELAY_DELIVERY__CONCURRENCY");
        assert_eq!(setting.to_string(), "delivery.concurrency=16");
    }

    #[test]
    fn setting_keeps_equals_in_value() {
        let setting: RelaySetting = "logging.filter=relay=debug".parse().expect("valid setting");

        assert_eq!(setting.option, "logging.filter");
        assert_eq!(setting.value, "relay=debug");
    }

    #[test]
    fn setting_rejects_invalid_names() {
        for text in [
            "concurrency=16",
            "delivery.=1",
            "delivery concurrency=1",
            "no-equals",
        ] {
            assert!(
                text.parse::<RelaySetting>().is_err(),
                "{text:?} was accepted"
            );
        }
    }

    #[test]
    fn config_parses_as_relay_config() {
        let setup = RelaySetup {
            binary: PathBuf::from("relay"),
            trigger_url: "http://127.0.0.1:9/api/integration/1/functions/f/triggers".to_owned(),
            api_key: "key".to_owned(),
            settings: Vec::new(),
        };

        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("relay.toml");
        let store = dir.path().join("relay.db");
        std::fs::write(&path, config_text(&setup, &store, &StormProtection::Off))
            .expect("config written");

        let config = relay::config::Config::load_with_env(Some(&path), Vec::new())
            .expect("the relay loads the benchmark configuration");

        assert!(
            config
                .mapping
                .dedup_fields
                .contains(&relay::form::Source::Summary)
        );
        assert_eq!(config.server.tokens.len(), 1);
        assert_eq!(config.server.tokens[0].expose(), TOKEN);
        assert_eq!(config.xmatters.trigger_url.as_str(), setup.trigger_url);
        assert_eq!(config.store.path, store);
        assert!(!config.storm.enabled);
    }

    #[test]
    fn config_sets_storm_protection() {
        let setup = RelaySetup {
            binary: PathBuf::from("relay"),
            trigger_url: "http://127.0.0.1:9/api/integration/1/functions/f/triggers".to_owned(),
            api_key: "key".to_owned(),
            settings: Vec::new(),
        };
        let storm = StormConfig {
            window: Duration::from_millis(2500),
            max_digest_alerts: 7,
            ..StormConfig::default()
        };

        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("relay.toml");
        let text = config_text(
            &setup,
            &dir.path().join("relay.db"),
            &StormProtection::On(storm.clone()),
        );
        std::fs::write(&path, text).expect("config written");

        let config = relay::config::Config::load_with_env(Some(&path), Vec::new())
            .expect("the relay loads the benchmark configuration");

        assert_eq!(config.storm, storm);
    }
}
