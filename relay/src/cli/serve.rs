//! `relay serve`: run the relay until SIGTERM, SIGINT or SIGHUP.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use tokio::signal::unix::{Signal, SignalKind, signal};

use crate::config::Config;
use crate::config::service::LogFormat;
use crate::logging;
use crate::server::Relay;

/// Options of `relay serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on, overriding server.listen
    /// (port 0 picks a free port).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Log line format, overriding logging.format.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub log_format: Option<LogFormatArg>,
}

/// Values of `--log-format`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum LogFormatArg {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Runs `relay serve` and returns the exit code: 0 after a clean shutdown,
/// 1 when the relay cannot start or fails.
pub fn run(config_path: Option<&Path>, args: ServeArgs) -> ExitCode {
    match serve(config_path, args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // Logging may not be set up yet, so the error goes to stderr directly.
            super::output::print_error(&error_report(&err));
            ExitCode::FAILURE
        }
    }
}

/// Joins an error with its causes into one line, leaving out causes whose
/// text the line already contains (many errors repeat their source).
pub(crate) fn error_report(err: &anyhow::Error) -> String {
    let mut report = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if report.contains(&text) {
            continue;
        }
        if !report.is_empty() {
            report.push_str(": ");
        }
        report.push_str(&text);
    }
    report
}

/// Loads the configuration, starts the relay and serves until a signal.
fn serve(config_path: Option<&Path>, args: ServeArgs) -> anyhow::Result<()> {
    let mut config = Config::load(config_path)?;
    if let Some(listen) = args.listen {
        config.server.listen = listen;
    }
    if let Some(format) = args.log_format {
        config.logging.format = match format {
            LogFormatArg::Text => LogFormat::Text,
            LogFormatArg::Json => LogFormat::Json,
        };
    }
    logging::init(&config.logging)?;
    for misspelt in crate::config::misspelt_variables() {
        tracing::warn!("{misspelt}");
    }

    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(serve_until_signal(config))
}

async fn serve_until_signal(config: Config) -> anyhow::Result<()> {
    // Handlers are installed before the address is printed, so a signal
    // sent as soon as the address is known is not lost.
    let signals = Signals::install()?;
    let listen = config.server.listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen} (server.listen)"))?;
    let relay = Relay::start(listener, config).await?;

    let addr = relay.local_addr();
    let intake = format!("http://{addr}/overops/webhook/{}", logging::REDACTED);
    tracing::info!(%addr, %intake, "listening");
    print_banner(&format!("relay listening on {addr}; intake URL {intake}"));

    signals.wait().await;
    relay.shutdown().await?;
    Ok(())
}

/// Prints one line on standard output, so that scripts and tests can read
/// the port. The relay serves even when the line cannot be written (output
/// closed or on a full disk), because the log has the address too.
fn print_banner(line: &str) {
    let mut stdout = std::io::stdout().lock();
    let written = writeln!(stdout, "{line}").and_then(|()| stdout.flush());
    match written {
        Ok(()) => {}
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {
            tracing::debug!("standard output is closed; the listening line was not printed");
        }
        Err(err) => tracing::warn!(
            error = %err,
            "printing the listening line on standard output failed; serving anyway"
        ),
    }
}

/// SIGTERM, SIGINT and SIGHUP streams. SIGHUP, sent when the terminal
/// closes, stops the relay gracefully too, because the relay has no
/// configuration reload it could trigger.
struct Signals {
    terminate: Signal,
    interrupt: Signal,
    hangup: Signal,
}

impl Signals {
    fn install() -> anyhow::Result<Self> {
        Ok(Self {
            terminate: signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?,
            interrupt: signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?,
            hangup: signal(SignalKind::hangup()).context("cannot listen for SIGHUP")?,
        })
    }

    async fn wait(mut self) {
        tokio::select! {
            _ = self.terminate.recv() => tracing::info!("SIGTERM received"),
            _ = self.interrupt.recv() => tracing::info!("SIGINT received"),
            _ = self.hangup.recv() => tracing::info!("SIGHUP received"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot read relay.toml: {0}")]
    struct Repeating(#[source] std::io::Error);

    #[test]
    fn report_skips_repeated_causes() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let err = anyhow::Error::new(Repeating(io)).context("loading the configuration failed");

        assert_eq!(
            error_report(&err),
            "loading the configuration failed: cannot read relay.toml: no such file"
        );
    }
}
