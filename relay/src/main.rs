//! The `relay` binary: parses the command line and runs it.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    relay::cli::run(relay::cli::Cli::parse())
}
