//! The `relay` command line: flags and subcommands.
//!
//! `src/main.rs` parses [`Cli`] and calls [`run`]; each subcommand lives in
//! its own module with its own arguments.

pub mod alerts;
mod callbacks;
pub mod check;
mod output;
pub mod serve;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Relays OverOps webhook alerts into xMatters.
#[derive(Debug, Parser)]
#[command(name = "relay", version, about)]
pub struct Cli {
    /// TOML configuration file. Options it leaves out keep their defaults;
    /// RELAY_SECTION__KEY environment variables override both.
    #[arg(long, short = 'c', global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the xMatters trigger a webhook payload becomes, and the
    /// warnings about how it was read and mapped.
    Check(check::CheckArgs),
    /// Run the relay: receive webhooks, store them and deliver them to
    /// xMatters, until SIGTERM, SIGINT or SIGHUP.
    Serve(serve::ServeArgs),
    /// List, show and retry alerts in the store file.
    Alerts(alerts::AlertsArgs),
}

/// Runs the parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    // `serve` logs these warnings once its log is set up.
    if !matches!(cli.command, Command::Serve(_)) {
        output::print_variable_warnings();
    }
    match cli.command {
        Command::Check(args) => check::run(cli.config.as_deref(), &args),
        Command::Serve(args) => serve::run(cli.config.as_deref(), args),
        Command::Alerts(args) => alerts::run(cli.config.as_deref(), args),
    }
}
