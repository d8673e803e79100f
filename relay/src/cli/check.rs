//! `relay check`: what the relay would send for one payload, and why.
//!
//! Exit codes: 0 when the payload maps (warnings or not), 2 when the input
//! is not an OverOps alert, 1 for other failures (unreadable file, invalid
//! configuration).

use crate::config::{Config, ConfigError};
use crate::mapping::{self, MapContext, Mapped};
use crate::payload::{self, ParseError};
use clap::Args;
use serde_json::json;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use thiserror::Error;

/// Exit code for input that is not an OverOps alert.
pub const EXIT_NOT_AN_ALERT: u8 = 2;

/// Exit code for every other failure.
pub const EXIT_FAILURE: u8 = 1;

/// Arguments of `relay check`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Webhook body to map: a JSON file, or `-` to read standard input.
    #[arg(value_name = "PAYLOAD.json|-")]
    pub payload: PathBuf,

    /// Recipients as the webhook URL would name them in
    /// `recipients=a,b`; added after the routed recipients.
    #[arg(long, value_delimiter = ',', value_name = "NAME,...")]
    pub recipients: Vec<String>,

    /// Print one JSON object with `trigger`, `warnings` and `dedup_key` on
    /// standard output, instead of the trigger on standard output and the
    /// warnings on standard error.
    #[arg(long)]
    pub json: bool,
}

/// A failure of `relay check`.
#[derive(Debug, Error)]
pub enum CheckError {
    #[error("cannot read the payload {}: {source}", path.display())]
    ReadPayload {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error(transparent)]
    Config(#[from] ConfigError),

    #[error("the input is not an OverOps alert: {0}")]
    NotAnAlert(#[from] ParseError),

    #[error("cannot write the output: {0}")]
    Write(#[from] io::Error),
}

impl CheckError {
    /// Returns the process exit code for this failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            CheckError::NotAnAlert(_) => EXIT_NOT_AN_ALERT,
            CheckError::ReadPayload { .. } | CheckError::Config(_) | CheckError::Write(_) => {
                EXIT_FAILURE
            }
        }
    }
}

/// Runs `relay check` on the process's standard streams.
pub fn run(config_path: Option<&Path>, args: &CheckArgs) -> ExitCode {
    let mut stdout = io::stdout().lock();
    let mut stderr = io::stderr().lock();
    let result = Config::load(config_path)
        .map_err(CheckError::from)
        .and_then(|config| {
            execute(
                &config,
                args,
                &mut io::stdin().lock(),
                &mut stdout,
                &mut stderr,
            )
        });

    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of the output went away, as in `relay check x | head`.
        Err(CheckError::Write(error)) if error.kind() == io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(error) => {
            let _ = writeln!(stderr, "error: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}

/// Maps the payload named in `args` with `config` and prints the result.
pub fn execute(
    config: &Config,
    args: &CheckArgs,
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<(), CheckError> {
    let body = read_payload(&args.payload, stdin)?;
    let alert = payload::parse(&body)?;
    let context = MapContext {
        recipients: args.recipients.clone(),
    };
    let mapped = mapping::map(&alert, &config.mapping, &context);

    if args.json {
        print_json(&mapped, stdout)?;
    } else {
        print_text(&mapped, stdout, stderr)?;
    }
    Ok(())
}

fn read_payload(path: &Path, stdin: &mut dyn Read) -> Result<Vec<u8>, CheckError> {
    let mut body = Vec::new();
    let result = if path == Path::new("-") {
        stdin.read_to_end(&mut body).map(drop)
    } else {
        std::fs::File::open(path).and_then(|mut file| file.read_to_end(&mut body).map(drop))
    };
    result.map_err(|source| CheckError::ReadPayload {
        path: path.to_owned(),
        source,
    })?;
    Ok(body)
}

fn print_json(mapped: &Mapped, stdout: &mut dyn Write) -> io::Result<()> {
    let document = json!({
        "trigger": mapped.trigger,
        "warnings": mapped.warnings,
        "dedup_key": mapped.dedup_key,
    });
    serde_json::to_writer_pretty(&mut *stdout, &document)?;
    writeln!(stdout)
}

fn print_text(mapped: &Mapped, stdout: &mut dyn Write, stderr: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *stdout, &mapped.trigger)?;
    writeln!(stdout)?;
    stdout.flush()?;

    match mapped.warnings.len() {
        0 => writeln!(stderr, "no warnings")?,
        1 => writeln!(stderr, "1 warning:")?,
        count => writeln!(stderr, "{count} warnings:")?,
    }
    for warning in &mapped.warnings {
        writeln!(stderr, "  - {warning}")?;
    }
    writeln!(stderr, "dedup key: {}", mapped.dedup_key)
}
