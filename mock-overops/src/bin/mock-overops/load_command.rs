//! `mock-overops load`: send an alert storm and print its summary.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use mock_overops::generate::DEFAULT_STACK_DEPTH;
use mock_overops::load::{
    DEFAULT_CONCURRENCY, DEFAULT_COUNT, LoadOptions, LoadSummary, Storm, run as run_storm,
};
use url::Url;

use crate::generate_command::parse_depth;
use crate::send_command::parse_timeout;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Receiver URL, such as http://127.0.0.1:8080/overops/webhook?token=SECRET.
    #[arg(long, value_name = "URL")]
    pub to: Url,
    /// Number of alerts to send [default: 100, or unlimited with --duration].
    #[arg(long, value_name = "ALERTS")]
    pub count: Option<u64>,
    /// Alerts started per second [default: as fast as --concurrency allows].
    #[arg(long, value_name = "ALERTS_PER_SECOND")]
    pub rate: Option<f64>,
    /// Maximum number of requests in flight.
    #[arg(long, value_name = "REQUESTS", default_value_t = DEFAULT_CONCURRENCY)]
    pub concurrency: usize,
    /// Seconds after which no new alert starts. Requests in flight finish.
    #[arg(long, value_name = "SECONDS")]
    pub duration: Option<f64>,
    /// Storm shape, the mix of alerts to send.
    #[arg(long, value_enum, default_value_t = Storm::Repeated)]
    pub shape: Storm,
    /// Seed of the generated payloads.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Number of stack frames per event (0 to 1000).
    #[arg(long, value_name = "FRAMES", default_value_t = DEFAULT_STACK_DEPTH, value_parser = parse_depth)]
    pub depth: usize,
    /// Timeout of each request in seconds.
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = parse_timeout)]
    pub timeout: Duration,
    /// Print the summary as JSON on standard output.
    #[arg(long)]
    pub json: bool,
    /// With --json, add one record per alert: sequence number, send time in
    /// µs since the Unix epoch, status and latency in µs.
    #[arg(long, requires = "json")]
    pub record_sends: bool,
}

/// Runs the storm and prints its summary. Exits with 0 whenever the storm
/// ran, whatever the receiver responded, so scripts must read the summary.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let duration = args
        .duration
        .map(|seconds| {
            Duration::try_from_secs_f64(seconds).with_context(|| {
                format!("duration {seconds} s is invalid; give a positive number of seconds")
            })
        })
        .transpose()?;
    let count = match (args.count, duration) {
        (None, None) => Some(DEFAULT_COUNT),
        (count, _) => count,
    };

    let options = LoadOptions {
        count,
        rate: args.rate,
        concurrency: args.concurrency,
        duration,
        shape: args.shape,
        seed: args.seed,
        stack_depth: args.depth,
        timeout: args.timeout,
        record_sends: args.record_sends,
        ..LoadOptions::new(args.to)
    };
    let progress = std::io::stderr().is_terminal();
    let summary = crate::runtime()?.block_on(run_storm(options, progress))?;

    let mut stdout = std::io::stdout().lock();
    let text = if args.json {
        serde_json::to_string_pretty(&summary).context("failed to format the summary")?
    } else {
        format_summary(&summary)
    };
    writeln!(stdout, "{text}").context("failed to write to standard output")?;
    Ok(ExitCode::SUCCESS)
}

fn format_summary(summary: &LoadSummary) -> String {
    let latency = summary.latency_ms;
    let ms =
        |value: Option<f64>| value.map_or_else(|| "-".to_owned(), |value| format!("{value:.3}"));
    let statuses: Vec<String> = summary
        .status_counts
        .iter()
        .map(|(status, count)| format!("{status}: {count}"))
        .collect();

    let mut lines = vec![
        format!("shape       {:?}", summary.shape).to_lowercase(),
        format!("sent        {}", summary.sent),
        format!("accepted    {}", summary.accepted),
        format!("rejected    {}", summary.rejected),
        format!("errors      {}", summary.errors),
        format!("elapsed     {:.3} s", summary.elapsed_s),
        format!("throughput  {:.1} responses/s", summary.throughput_per_s),
        format!(
            "latency ms  p50 {}  p90 {}  p99 {}  max {}",
            ms(latency.p50),
            ms(latency.p90),
            ms(latency.p99),
            ms(latency.max)
        ),
        format!("statuses    {}", statuses.join(", ")),
    ];
    for error in &summary.error_samples {
        lines.push(format!("error       {error}"));
    }
    lines.join("\n")
}
