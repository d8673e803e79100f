//! `relay alerts`: inspect and requeue alerts in the store file.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use jiff::Timestamp;

use super::output;
use crate::config::Config;
use crate::store::{
    AlertId, AlertState, AlertSummary, RequeueOutcome, SqliteStore, Store, StoreOptions,
};
use crate::story::Story;

/// Options of `relay alerts`.
#[derive(Debug, clap::Args)]
pub struct AlertsArgs {
    /// SQLite store file, overriding store.path from the configuration.
    /// Accepted before or after the subcommand.
    #[arg(long, value_name = "PATH", global = true)]
    pub store: Option<PathBuf>,
    /// Subcommand.
    #[command(subcommand)]
    pub action: AlertsAction,
}

/// `relay alerts` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum AlertsAction {
    /// List alerts, newest first.
    List {
        /// Only alerts in this state: pending, held, digested, delivered,
        /// confirmed, unconfirmed or dead.
        #[arg(long, value_parser = parse_state)]
        state: Option<AlertState>,
        /// Maximum number of alerts listed.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Show one alert as JSON: its trigger, warnings, attempts, event,
    /// callbacks and digest, and its story step by step.
    Show {
        /// Alert id, as returned in the intake's 202 response.
        id: AlertId,
    },
    /// List xMatters callbacks, newest first.
    Callbacks {
        /// Only callbacks about an event that no alert has.
        #[arg(long)]
        unmatched: bool,
        /// Maximum number of callbacks listed.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Make a dead (or waiting) alert due now, restarting its maximum age.
    /// Delivered alerts and alerts being delivered are rejected.
    Retry {
        /// Alert id to retry.
        #[arg(required_unless_present = "all_dead", conflicts_with = "all_dead")]
        id: Option<AlertId>,
        /// Retry every dead alert.
        #[arg(long)]
        all_dead: bool,
    },
}

fn parse_state(text: &str) -> Result<AlertState, String> {
    text.parse()
}

/// Runs an `alerts` subcommand, printing its result on standard output, and
/// returns the exit code: 0 on success, 1 on any failure.
pub fn run(config_path: Option<&Path>, args: AlertsArgs) -> ExitCode {
    match alerts(config_path, args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            output::print_error(&super::serve::error_report(&err));
            ExitCode::FAILURE
        }
    }
}

fn alerts(config_path: Option<&Path>, args: AlertsArgs) -> anyhow::Result<()> {
    let path = match args.store {
        Some(path) => path,
        None => Config::load(config_path)?.store.path,
    };
    if !path.exists() {
        bail!(
            "no store at {}; give the file with --store or store.path in --config",
            path.display()
        );
    }

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let store = open(&path).await?;
        match args.action {
            AlertsAction::List { state, limit } => list(&store, state, limit).await,
            AlertsAction::Show { id } => show(&store, id).await,
            AlertsAction::Callbacks { unmatched, limit } => {
                let callbacks = store.list_callbacks(unmatched, limit).await?;
                print_output(&super::callbacks::format_table(&callbacks))
            }
            AlertsAction::Retry { id: Some(id), .. } => retry(&store, id).await,
            AlertsAction::Retry { id: None, .. } => retry_all_dead(&store).await,
        }
    })
}

async fn open(path: &Path) -> anyhow::Result<SqliteStore> {
    let path = path.to_path_buf();
    let store =
        tokio::task::spawn_blocking(move || SqliteStore::open(&path, &StoreOptions::default()))
            .await
            .context("the store open task failed")??;
    Ok(store)
}

async fn list(store: &SqliteStore, state: Option<AlertState>, limit: usize) -> anyhow::Result<()> {
    let alerts = store.list(state, limit).await?;
    print_output(&format_table(&alerts))
}

/// Formats alerts as an aligned table with a header row.
fn format_table(alerts: &[AlertSummary]) -> String {
    let mut lines = vec![format!(
        "{:<36}  {:<11}  {:<24}  {:>8}  {:>10}  {}",
        "ID", "STATE", "RECEIVED", "ATTEMPTS", "DUPLICATES", "LAST ERROR"
    )];
    for alert in alerts {
        let received = alert
            .received_at
            .round(jiff::Unit::Second)
            .unwrap_or(alert.received_at);
        lines.push(format!(
            "{:<36}  {:<11}  {:<24}  {:>8}  {:>10}  {}",
            alert.id,
            alert.state,
            received.to_string(),
            alert.attempts,
            alert.duplicates,
            alert.last_error.as_deref().unwrap_or("-"),
        ));
    }
    lines.join("\n")
}

async fn show(store: &SqliteStore, id: AlertId) -> anyhow::Result<()> {
    let Some(story) = Story::load(store, id).await? else {
        bail!("no alert with id {id} in {}", store.path().display());
    };
    print_output(&serde_json::to_string_pretty(&story)?)
}

/// Writes `text` and a newline to standard output. A reader that closed
/// the pipe early, such as `head`, is not an error.
fn print_output(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{text}").and_then(|()| stdout.flush()) {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(err).context("writing to standard output failed"))
        }
        _ => Ok(()),
    }
}

async fn retry(store: &SqliteStore, id: AlertId) -> anyhow::Result<()> {
    match store.requeue(id, Timestamp::now()).await? {
        RequeueOutcome::Requeued => print_output(&format!(
            "alert {id} is pending and due now; a running relay sends it within \
             delivery.poll_interval"
        )),
        RequeueOutcome::AlreadyDelivered => {
            bail!("alert {id} was already delivered; retrying it would notify the recipients twice")
        }
        RequeueOutcome::Held => {
            bail!(
                "alert {id} is held by storm protection and goes out with the next digest for \
                 its recipients; there is nothing to retry"
            )
        }
        RequeueOutcome::InFlight { lease_until } => bail!(
            "alert {id} is being delivered now, so retrying it could notify the recipients \
             twice; check its state with `relay alerts show {id}`, and retry it only if it \
             is dead or still pending after {lease_until}"
        ),
        RequeueOutcome::NotFound => bail!("no alert with id {id} in {}", store.path().display()),
    }
}

async fn retry_all_dead(store: &SqliteStore) -> anyhow::Result<()> {
    let count = store.requeue_all_dead(Timestamp::now()).await?;
    print_output(&format!("{count} dead alerts are pending again"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_header_and_one_row_per_alert() {
        let alert = AlertSummary {
            id: "7d3f5a52-3c1e-4d1c-9f4e-2b8f0c6d1a90"
                .parse()
                .expect("valid id"),
            kind: crate::store::AlertKind::Alert,
            state: AlertState::Dead,
            received_at: "2026-01-02T03:04:05.678Z".parse().expect("valid time"),
            attempts: 3,
            duplicates: 1,
            last_error: Some("xMatters rejected the trigger (400 Bad Request)".to_owned()),
            event_id: None,
        };
        let table = format_table(&[alert]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("ID"), "{table}");
        assert!(lines[1].contains("dead"), "{table}");
        assert!(lines[1].contains("2026-01-02T03:04:06Z"), "{table}");
        assert!(lines[1].ends_with("(400 Bad Request)"), "{table}");
    }
}
