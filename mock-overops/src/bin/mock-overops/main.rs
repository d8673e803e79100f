//! `mock-overops`: generate, send, storm and scrub OverOps webhook payloads.

mod generate_command;
mod load_command;
mod scrub_command;
mod send_command;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

/// A simulated OverOps: generates webhook payloads, sends them or captured
/// ones to a receiver, produces alert storms and scrubs captures.
#[derive(Debug, Parser)]
#[command(name = "mock-overops", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print one generated payload on standard output.
    Generate(generate_command::Args),
    /// Send payload files, folders or standard input byte for byte, or one
    /// generated payload, and print each response.
    Send(send_command::Args),
    /// Send an alert storm and print a summary with latency percentiles.
    Load(load_command::Args),
    /// Replace personal and customer details in a captured payload.
    Scrub(scrub_command::Args),
}

/// Prints errors as `error: MESSAGE: CAUSE` and exits with 1.
fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();

    let result = match cli.command {
        Command::Generate(args) => generate_command::run(args),
        Command::Send(args) => send_command::run(args),
        Command::Load(args) => load_command::run(args),
        Command::Scrub(args) => scrub_command::run(args),
    };
    result.unwrap_or_else(|error| {
        eprintln!("error: {error:#}");
        ExitCode::FAILURE
    })
}

/// Builds the runtime of the commands that do network I/O.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    use anyhow::Context as _;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")
}
