//! `cargo run --release -p e2e --bin bench [-- --quick] [--json FILE]`:
//! the relay against the direct path on loopback. The logic is in
//! `e2e::bench`.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Parser;
use e2e::bench::{self, BenchOptions, RelaySetting};
use tracing_subscriber::EnvFilter;

/// Measures throughput, latency, an alert storm, memory and start-up of
/// the relay and of the direct path into a simulated xMatters, and prints
/// a table with the relay/direct ratios. The relay also takes the storm
/// with storm protection on, and every accepted alert is checked to reach
/// the simulated xMatters on its own or in a digest. All traffic stays on
/// 127.0.0.1.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Send about a tenth of the alerts: a smoke run that exercises every
    /// measurement.
    #[arg(long)]
    quick: bool,
    /// Also write the results as JSON to this file.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// The relay executable to run. By default the benchmark runs `cargo
    /// build -p relay` and uses the `relay` next to its own executable.
    #[arg(long, value_name = "PATH")]
    relay_bin: Option<PathBuf>,
    /// Set a relay option on every relay the benchmark starts, such as
    /// `delivery.concurrency=16`. Repeat for several. The report lists
    /// them.
    #[arg(long = "relay-set", value_name = "SECTION.KEY=VALUE")]
    relay_settings: Vec<RelaySetting>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // The benchmark logs its progress. mock-xmatters would log every
    // trigger, which costs time during the runs, so it logs errors only.
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("error,e2e=info,mock_overops=warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();

    let options = BenchOptions {
        quick: args.quick,
        relay_bin: args.relay_bin,
        relay_settings: args.relay_settings,
    };
    let report = bench::run(&options).await?;

    print!("{}", report.table());
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&report).context("serializing the report")?;
        std::fs::write(path, json + "\n")
            .with_context(|| format!("writing the report to {}", path.display()))?;
        tracing::info!(path = %path.display(), "report written");
    }
    Ok(())
}
