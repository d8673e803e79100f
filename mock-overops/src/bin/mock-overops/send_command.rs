//! `mock-overops send`: post payloads and print each response.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use bytes::Bytes;
use mock_overops::generate::generate_bytes;
use mock_overops::input::{Input, read_inputs};
use mock_overops::send::{client, send};
use url::Url;

use crate::generate_command::PayloadArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Receiver URL, such as http://127.0.0.1:8080/overops/webhook?token=SECRET.
    #[arg(long, value_name = "URL")]
    pub to: Url,
    /// Payload files, folders (their *.json files, sorted by name) or - for
    /// standard input, sent byte for byte. Without any, one payload is
    /// generated from the options below.
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,
    /// Request timeout in seconds.
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = parse_timeout)]
    pub timeout: Duration,
    #[command(
        flatten,
        next_help_heading = "Generated payload (used when no PATHS are given)"
    )]
    pub payload: PayloadArgs,
}

/// Sends every input in order and prints `NAME: STATUS BODY` or
/// `NAME: failed: ERROR` for each, on one line with control characters
/// of the body escaped. Exits with 1 when any input was rejected
/// (non-2xx) or failed.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let inputs = if args.paths.is_empty() {
        let options = args.payload.to_options()?;
        vec![Input {
            name: "generated".to_owned(),
            bytes: Bytes::from(generate_bytes(&options)),
        }]
    } else {
        read_inputs(&args.paths)?
    };

    let client = client(args.timeout, 1)?;
    let mut all_accepted = true;
    let mut stdout = std::io::stdout().lock();
    crate::runtime()?.block_on(async {
        for input in inputs {
            let line = match send(&client, &args.to, input.bytes).await {
                Ok(outcome) => {
                    all_accepted &= outcome.is_accepted();
                    let body = escape_controls(&outcome.body_text());
                    format!("{}: {} {body}", input.name, outcome.status)
                }
                Err(error) => {
                    all_accepted = false;
                    format!("{}: failed: {error}", input.name)
                }
            };
            writeln!(stdout, "{line}").context("failed to write to standard output")?;
        }
        anyhow::Ok(())
    })?;

    Ok(if all_accepted {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Escapes control characters, such as `\n` and the ESC of terminal
/// sequences, so that each response prints on one line and cannot restyle
/// the terminal.
fn escape_controls(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        if character.is_control() {
            escaped.extend(character.escape_default());
        } else {
            escaped.push(character);
        }
    }
    escaped
}

/// Parses a request timeout: a positive number of seconds.
pub fn parse_timeout(text: &str) -> Result<Duration, String> {
    let invalid = || format!("{text} is not a timeout; give a positive number of seconds");
    let seconds: f64 = text.parse().map_err(|_| invalid())?;
    match Duration::try_from_secs_f64(seconds) {
        Ok(timeout) if !timeout.is_zero() => Ok(timeout),
        _ => Err(invalid()),
    }
}
