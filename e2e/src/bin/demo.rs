//! `cargo run --bin demo`: the OverOps to xMatters path, offline, in a
//! few seconds. The logic is in `e2e::demo`.

use std::io::IsTerminal;

use clap::Parser;
use e2e::demo::{self, DemoOptions};
use tracing_subscriber::EnvFilter;

/// Runs a simulated xMatters, the relay and a simulated OverOps on
/// loopback ports, plays a short story through them and prints its
/// timeline and a summary.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Leave everything running after the summary, print the URLs and
    /// curl commands to send alerts and responses by hand, and stop on
    /// Ctrl-C. The simulated clock then follows the wall clock.
    #[arg(long)]
    keep_running: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // Only errors by default, so that logs do not interleave with the
    // story. A STATUS callback that arrives before the relay's event lookup
    // is logged as a warning although the lookup matches it moments later.
    // RUST_LOG=info shows every service's log.
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("error")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();

    let stdout = std::io::stdout();
    let options = DemoOptions {
        keep_running: args.keep_running,
        color: demo::use_color(
            stdout.is_terminal(),
            std::env::var_os("NO_COLOR").as_deref(),
        ),
    };
    let shutdown = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C; stopping now");
        }
    };

    let mut out = stdout.lock();
    demo::run(options, &mut out, shutdown).await?;
    Ok(())
}
