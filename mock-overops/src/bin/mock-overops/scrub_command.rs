//! `mock-overops scrub`: replace personal details in a captured payload.

use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use mock_overops::scrub::scrub;
use serde_json::Value;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Captured JSON payload to scrub.
    pub file: PathBuf,
    /// File to write the scrubbed payload to [default: standard output].
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Writes the scrubbed payload, indented when the input spans several
/// lines, and lists each replacement on standard error.
///
/// NOTE: the output is re-serialized, so whitespace, `\u` escapes and the
/// spelling of floats (`1.50` becomes `1.5`) may differ from the capture,
/// although every string keeps its length in chars.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let text = fs::read_to_string(&args.file)
        .with_context(|| format!("failed to read {}", args.file.display()))?;
    let document: Value = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not valid JSON; scrub only handles JSON payloads",
            args.file.display()
        )
    })?;

    let scrubbed = scrub(&document);
    let mut output = if text.trim().contains('\n') {
        serde_json::to_string_pretty(&scrubbed.value)
    } else {
        serde_json::to_string(&scrubbed.value)
    }
    .context("failed to format the scrubbed payload")?;
    output.push('\n');

    match &args.output {
        Some(path) => fs::write(path, &output)
            .with_context(|| format!("failed to write {}", path.display()))?,
        None => std::io::stdout()
            .lock()
            .write_all(output.as_bytes())
            .context("failed to write to standard output")?,
    }

    let mut stderr = std::io::stderr().lock();
    let total: usize = scrubbed.report.iter().map(|entry| entry.count).sum();
    writeln!(stderr, "replaced {total} values")?;
    for entry in &scrubbed.report {
        writeln!(
            stderr,
            "{:<16} {:<40} {:>3}  {}",
            entry.kind,
            entry.path,
            entry.count,
            entry.placeholders.join(", ")
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
