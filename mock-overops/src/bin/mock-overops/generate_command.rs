//! `mock-overops generate` and the payload options it shares with `send`.

use std::io::Write;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use clap::ValueEnum;
use mock_overops::generate::{
    DEFAULT_STACK_DEPTH, EventKind, GenOptions, Kind, MAX_STACK_DEPTH, Quirk, generate,
};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub payload: PayloadArgs,
    /// Indent the JSON over several lines.
    #[arg(long)]
    pub pretty: bool,
}

/// Options that choose a generated payload.
#[derive(Debug, clap::Args)]
pub struct PayloadArgs {
    /// Alert kind.
    #[arg(long, value_enum, default_value_t = KindArg::NewEvent)]
    pub kind: KindArg,
    /// Inner event kind of new-event and resurfaced alerts.
    #[arg(long, value_enum, default_value_t = EventArg::Exception)]
    pub event: EventArg,
    /// `data.type` of an alert of kind unknown.
    #[arg(long, value_name = "TYPE", default_value = "ANOMALY")]
    pub alert_type: String,
    /// Quirk to switch on. Repeat the option for several. Quirks that do not apply to
    /// the kind are ignored with a warning.
    #[arg(long = "quirk", value_name = "QUIRK", value_enum)]
    pub quirks: Vec<Quirk>,
    /// Also switch on a random subset of the quirks that apply, drawn from the seed.
    #[arg(long)]
    pub random_quirks: bool,
    /// Seed of every random choice. The same options and seed print the same payload.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Number of stack frames of an event (0 to 1000).
    #[arg(long, value_name = "FRAMES", default_value_t = DEFAULT_STACK_DEPTH, value_parser = parse_depth)]
    pub depth: usize,
    /// `date` of the payload in epoch milliseconds [default: a date in 2023 drawn from the seed].
    #[arg(long, value_name = "EPOCH_MS", conflicts_with = "now")]
    pub date_ms: Option<u64>,
    /// Set `date` to the current time, in epoch milliseconds.
    #[arg(long)]
    pub now: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    /// `ALERT` of type `NEW_EVENT`.
    NewEvent,
    /// `ALERT` of type `RESURFACED`.
    Resurfaced,
    /// `ALERT` of type `THRESHOLD`.
    Threshold,
    /// `TEST` message.
    Test,
    /// `ALERT` whose type is `--alert-type`.
    Unknown,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum EventArg {
    Exception,
    LoggedError,
    LoggedWarning,
    HttpError,
}

impl PayloadArgs {
    /// Converts the options, warning on standard error about quirks that
    /// do not apply to the kind.
    pub fn to_options(&self) -> anyhow::Result<GenOptions> {
        let event_kind = match self.event {
            EventArg::Exception => EventKind::Exception,
            EventArg::LoggedError => EventKind::LoggedError,
            EventArg::LoggedWarning => EventKind::LoggedWarning,
            EventArg::HttpError => EventKind::HttpError,
        };
        let kind = match self.kind {
            KindArg::NewEvent => Kind::NewEvent(event_kind),
            KindArg::Resurfaced => Kind::Resurfaced(event_kind),
            KindArg::Threshold => Kind::Threshold,
            KindArg::Test => Kind::Test,
            KindArg::Unknown => Kind::Unknown(self.alert_type.clone()),
        };
        for quirk in &self.quirks {
            if !quirk.applies_to(&kind) {
                tracing::warn!(%quirk, kind = ?self.kind, "quirk does not apply to this kind; ignored");
            }
        }

        let date_ms = if self.now {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .context("the system clock is set before 1970")?;
            Some(u64::try_from(now.as_millis()).context("the system clock is out of range")?)
        } else {
            self.date_ms
        };

        Ok(GenOptions {
            kind,
            quirks: self.quirks.clone(),
            random_quirks: self.random_quirks,
            seed: self.seed,
            stack_depth: self.depth,
            date_ms,
        })
    }
}

/// Parses a stack depth between 0 and [`MAX_STACK_DEPTH`].
pub fn parse_depth(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(depth) if depth <= MAX_STACK_DEPTH => Ok(depth),
        _ => Err(format!(
            "{text} is not a stack depth; give a whole number from 0 to {MAX_STACK_DEPTH}"
        )),
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let options = args.payload.to_options()?;
    let payload = generate(&options);
    let text = if args.pretty {
        serde_json::to_string_pretty(&payload).context("failed to format the payload")?
    } else {
        payload.to_string()
    };

    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{text}").context("failed to write to standard output")?;
    Ok(ExitCode::SUCCESS)
}
