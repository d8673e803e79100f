//! Generators of OverOps webhook payloads for every alert kind and quirk.
//!
//! ```
//! use mock_overops::generate::{EventKind, GenOptions, Kind, Quirk, generate};
//!
//! let payload = generate(&GenOptions {
//!     kind: Kind::NewEvent(EventKind::Exception),
//!     quirks: vec![Quirk::AddedByString],
//!     seed: 7,
//!     ..GenOptions::default()
//! });
//! assert_eq!(payload["data"]["type"], "NEW_EVENT");
//! assert!(payload["data"]["added_by"].is_string());
//! ```
//!
//! Output is a pure function of the options: the same [`GenOptions`] give
//! the same JSON. The random stream is `ChaCha8Rng` from `rand_chacha`,
//! because the documentation of `rand` 0.8's `StdRng` warns that its
//! algorithm may be replaced in later versions. Values are drawn from the
//! stream with `rand` 0.8's `gen_range` and `gen_bool`.
//! NOTE: outputs for a seed are checked by snapshot tests only for the
//! versions in Cargo.lock (`rand` 0.8.8, `rand_chacha` 0.3.1). A new release
//! of either crate may draw different values from the same seed.

mod body;
mod context;
mod frames;
mod quirk;
mod vocab;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

pub use quirk::{OVERSIZED_MESSAGE_BYTES, OVERSIZED_STACK_DEPTH, Quirk};

/// Maximum stack depth. [`generate`] cuts deeper requests to it.
pub const MAX_STACK_DEPTH: usize = 1000;

/// Stack depth of [`GenOptions::default`].
pub const DEFAULT_STACK_DEPTH: usize = 20;

/// Probability that [`GenOptions::random_quirks`] adds a given quirk.
const RANDOM_QUIRK_PROBABILITY: f64 = 0.3;

/// The alert kind of a generated payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// `ALERT` with `data.type` `NEW_EVENT`: an error event seen for the first time.
    NewEvent(EventKind),
    /// `ALERT` with `data.type` `RESURFACED`: an event marked resolved came back.
    Resurfaced(EventKind),
    /// `ALERT` with `data.type` `THRESHOLD`: a view exceeded N hits in a time window.
    Threshold,
    /// `TEST`: the message OverOps sends when a user tests the webhook.
    Test,
    /// `ALERT` with this `data.type` and an exception event body, standing
    /// for an alert kind that OverOps may add later.
    Unknown(String),
}

/// The inner kind of an error event (`data.data.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// A thrown exception, caught or uncaught.
    Exception,
    /// A message logged at ERROR level.
    LoggedError,
    /// A message logged at WARN level.
    LoggedWarning,
    /// An HTTP response with an error status, which `error_code` contains.
    HttpError,
}

/// Options of [`generate`]. Start from [`GenOptions::default`].
#[derive(Debug, Clone, PartialEq)]
pub struct GenOptions {
    /// Alert kind to generate.
    pub kind: Kind,
    /// Quirks to switch on. Order and duplicates do not matter.
    pub quirks: Vec<Quirk>,
    /// Also switch on a random subset of the quirks that apply to `kind`,
    /// drawn from the seed.
    pub random_quirks: bool,
    /// Seed of every random choice.
    pub seed: u64,
    /// Number of stack frames of an event, 0 to [`MAX_STACK_DEPTH`].
    pub stack_depth: usize,
    /// `date` in epoch milliseconds, or `None` to draw a date in 2023 from the seed.
    pub date_ms: Option<u64>,
}

impl Default for GenOptions {
    fn default() -> Self {
        Self {
            kind: Kind::NewEvent(EventKind::Exception),
            quirks: Vec::new(),
            random_quirks: false,
            seed: 0,
            stack_depth: DEFAULT_STACK_DEPTH,
            date_ms: None,
        }
    }
}

impl GenOptions {
    /// Returns the quirks that [`generate`] applies, in the order it applies
    /// them: the requested and randomly drawn quirks that apply to the kind.
    pub fn effective_quirks(&self) -> Vec<Quirk> {
        let mut random = ChaCha8Rng::seed_from_u64(self.seed);
        random.set_stream(1);
        let drawn_test_shape = random.gen_range(0..4);

        let mut test_shapes_seen = 0;
        let mut quirks = Vec::new();
        for quirk in Quirk::ALL {
            let drawn = if quirk.is_test_shape() {
                test_shapes_seen += 1;
                test_shapes_seen == drawn_test_shape
            } else {
                random.gen_bool(RANDOM_QUIRK_PROBABILITY)
            };
            let requested = self.quirks.contains(&quirk) || (self.random_quirks && drawn);
            if requested && quirk.applies_to(&self.kind) {
                quirks.push(quirk);
            }
        }
        quirks
    }
}

/// Generates one payload as OverOps would send it, with the requested quirks.
pub fn generate(options: &GenOptions) -> Value {
    let quirks = options.effective_quirks();
    let kind = if quirks.contains(&Quirk::Resurfaced) {
        match &options.kind {
            Kind::NewEvent(event_kind) => Kind::Resurfaced(*event_kind),
            kind => kind.clone(),
        }
    } else {
        options.kind.clone()
    };

    let mut depth = options.stack_depth.min(MAX_STACK_DEPTH);
    if quirks.contains(&Quirk::Oversized) {
        depth = depth.max(OVERSIZED_STACK_DEPTH);
    }
    let type_names = quirks.contains(&Quirk::EventTypeNames);

    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let context = context::Context::draw(&mut rng, options.date_ms);
    let mut payload = body::build_payload(&mut rng, &context, &kind, depth, type_names);
    for quirk in quirks {
        quirk::apply(&mut payload, quirk, &mut rng);
    }
    payload
}

/// Generates one payload and serializes it as compact JSON bytes.
pub fn generate_bytes(options: &GenOptions) -> Vec<u8> {
    generate(options).to_string().into_bytes()
}
