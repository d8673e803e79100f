//! Configuration: built-in defaults, then a TOML file, then environment
//! variables, validated once at start.
//!
//! Every section is a struct with `#[serde(default, deny_unknown_fields)]`,
//! so a file needs only the options it changes and a misspelt option is an
//! error instead of being ignored. `relay.example.toml` documents every
//! option. Environment variables follow the generic rule in [`env`]:
//! `RELAY_MAPPING__TIME_ZONE=Europe/Paris` sets `mapping.time_zone`.

mod callbacks;
mod confirmation;
pub mod env;
mod mapping;
mod redact;
pub mod service;
mod storm;

pub use mapping::{
    DEFAULT_DATE_FORMAT, DEFAULT_EXPIRATION_MINUTES, DEFAULT_TIME_ZONE, MAX_EXPIRATION_MINUTES,
    MappingConfig, PriorityTable, Route, default_dedup_fields,
};

use env::Override;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Names of the configuration sections, the top-level keys of [`Config`].
pub const SECTIONS: &[&str] = &[
    "mapping",
    "server",
    "store",
    "xmatters",
    "delivery",
    "dedup",
    "confirmation",
    "callbacks",
    "admin",
    "storm",
    "logging",
];

/// Returns the process's `RELAY_` variables that are ignored because they
/// have one underscore after a section name instead of two, such as
/// `RELAY_SERVER_LISTEN`. Commands report them as warnings.
pub fn misspelt_variables() -> Vec<env::Misspelt> {
    env::misspelt(process_environment(), SECTIONS)
}

/// The whole configuration of the relay.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Mapping from alerts to xMatters triggers.
    pub mapping: MappingConfig,
    /// The intake HTTP server.
    pub server: service::ServerConfig,
    /// The durable outbox.
    pub store: service::StoreConfig,
    /// The xMatters trigger URL, its credentials and request limits.
    pub xmatters: service::XmattersConfig,
    /// Retries and concurrency of the delivery worker.
    pub delivery: service::DeliveryConfig,
    /// Suppression of repeated alerts.
    pub dedup: service::DedupConfig,
    /// Event lookups that confirm delivered alerts.
    pub confirmation: service::ConfirmationConfig,
    /// Credentials of the xMatters callback endpoint.
    pub callbacks: service::CallbacksConfig,
    /// Credentials of the operator endpoints.
    pub admin: service::AdminConfig,
    /// Storm protection: a rate per set of recipients, and digests.
    pub storm: service::StormConfig,
    /// Log output.
    pub logging: service::LoggingConfig,
}

impl Config {
    /// Loads the configuration from the defaults, the optional file and the
    /// process environment, then validates it.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        Config::load_with_env(path, process_environment())
    }

    /// Like [`Config::load`], with the environment given as name and value
    /// pairs, so tests do not depend on the process environment.
    pub fn load_with_env(
        path: Option<&Path>,
        variables: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let mut tree = match path {
            Some(path) => read_file(path)?,
            None => toml::Table::new(),
        };
        let mut overrides = env::apply(&mut tree, variables)?;

        let config = deserialize(&mut tree, &mut overrides, path)?;
        config.validate().map_err(|error| {
            let origin = Origin {
                path,
                overrides: &overrides,
            };
            origin.invalid(error)
        })?;
        Ok(config)
    }

    /// Checks every section and returns the first invalid option.
    pub fn validate(&self) -> Result<(), OptionError> {
        self.mapping.validate()?;
        Ok(())
    }
}

/// An invalid option: its dotted path and why it is invalid.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{option}: {reason}")]
pub struct OptionError {
    /// Dotted option path, e.g. `mapping.time_zone`.
    pub option: String,
    /// Description of the problem and its fix.
    pub reason: String,
}

impl OptionError {
    pub fn new(option: impl Into<String>, reason: impl Into<String>) -> Self {
        OptionError {
            option: option.into(),
            reason: reason.into(),
        }
    }
}

/// A configuration that could not be loaded.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read the config file {}: {source}; check the path given to --config", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The file is not valid TOML.
    #[error("the config file {} is not valid TOML: {message}", path.display())]
    Syntax { path: PathBuf, message: String },

    /// An environment variable cannot be applied.
    #[error("environment variable {variable} {reason}")]
    Environment { variable: String, reason: String },

    /// An option has an invalid value or is unknown.
    #[error("invalid option {option} (from {origin}): {reason}")]
    Invalid {
        option: String,
        /// Source of the value: the file, a variable or the defaults.
        origin: String,
        reason: String,
    },
}

fn process_environment() -> Vec<(String, String)> {
    // Variables that are not valid Unicode cannot be configuration, and
    // `std::env::vars` would panic on them.
    std::env::vars_os()
        .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)))
        .collect()
}

fn read_file(path: &Path) -> Result<toml::Table, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    text.parse::<toml::Table>()
        .map_err(|error| ConfigError::Syntax {
            path: path.to_owned(),
            message: redact::syntax_message(&text, &error),
        })
}

/// Deserializes the tree into a [`Config`]. When a value from the
/// environment was read as a number or boolean but the option is text, the
/// value is set again as a string and deserialization retried.
fn deserialize(
    tree: &mut toml::Table,
    overrides: &mut [Override],
    path: Option<&Path>,
) -> Result<Config, ConfigError> {
    loop {
        let value = toml::Value::Table(tree.clone());
        let error = match serde_path_to_error::deserialize::<_, Config>(value) {
            Ok(config) => return Ok(config),
            Err(error) => error,
        };

        let option = error.path().to_string();
        let retyped = overrides
            .iter_mut()
            .find(|applied| applied.typed && applied.option() == option);
        match retyped {
            Some(applied) => applied.apply_as_string(tree)?,
            None => {
                let origin = Origin { path, overrides };
                let found = redact::found_type(tree, error.path());
                // `message` leaves out the "in `path`" line that `Display`
                // adds, because the error names the option already.
                let message = error.into_inner().message().trim_end().to_owned();
                let reason = if redact::is_secret_option(&option) {
                    redact::secret_reason(&option, &message, found)
                } else {
                    message
                };
                return Err(origin.invalid(OptionError::new(option, reason)));
            }
        }
    }
}

/// Sources of the options, named in errors.
struct Origin<'a> {
    path: Option<&'a Path>,
    overrides: &'a [Override],
}

impl Origin<'_> {
    fn invalid(&self, error: OptionError) -> ConfigError {
        ConfigError::Invalid {
            origin: self.describe(&error.option),
            option: error.option,
            reason: error.reason,
        }
    }

    /// Names the variable that set `option`, a part of it or a key inside
    /// it (an unknown key is reported on its section), else the file, else
    /// the built-in defaults.
    fn describe(&self, option: &str) -> String {
        let within = |inner: &str, outer: &str| {
            !outer.is_empty()
                && (inner.starts_with(&format!("{outer}."))
                    || inner.starts_with(&format!("{outer}[")))
        };
        let from_variable = self.overrides.iter().rev().find(|applied| {
            let set = applied.option();
            option == set || within(option, &set) || within(&set, option)
        });
        match (from_variable, self.path) {
            (Some(applied), _) => format!("environment variable {}", applied.variable),
            (None, Some(path)) => format!("config file {}", path.display()),
            (None, None) => "the built-in defaults".to_owned(),
        }
    }
}
