//! The world: the TOML configuration of people, groups, forms and
//! integrations that the simulator starts from.

mod model;
mod validate;

use std::path::Path;

pub use model::*;
pub(crate) use validate::recipient_exists;

/// The documented default world: the "New Exception" form with Ignore set
/// to `ESCALATE`.
pub const DEFAULT_WORLD_TOML: &str = include_str!("../../worlds/default.toml");

/// The vendor's original configuration: Ignore set to `RECORD_RESPONSE`.
pub const ORIGINAL_WORLD_TOML: &str = include_str!("../../worlds/original.toml");

/// A world file that cannot be used, with the file, the key and the reason.
#[derive(Debug, thiserror::Error)]
pub enum WorldError {
    #[error("cannot read world file {origin}: {source}")]
    Read {
        origin: String,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid world file {origin}: {message}")]
    Parse { origin: String, message: String },
    #[error("invalid world file {origin}: key {key}: {reason}")]
    Invalid {
        origin: String,
        key: String,
        reason: String,
    },
}

impl World {
    /// Reads and validates a world file.
    pub fn load(path: &Path) -> Result<World, WorldError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| WorldError::Read {
            origin: origin.clone(),
            source,
        })?;
        World::from_toml_str(&text, &origin)
    }

    /// Parses and validates a world from TOML text; `origin` names the
    /// source in errors (a file path, or a description for built-in text).
    pub fn from_toml_str(text: &str, origin: &str) -> Result<World, WorldError> {
        let world: World = toml::from_str(text).map_err(|error| WorldError::Parse {
            origin: origin.to_string(),
            message: error.to_string(),
        })?;
        world.validate(origin)?;
        Ok(world)
    }

    /// Checks the cross-references and limits that TOML parsing cannot:
    /// unique names, known people, forms and targets, and usable property
    /// definitions.
    pub fn validate(&self, origin: &str) -> Result<(), WorldError> {
        validate::check(self).map_err(|issue| WorldError::Invalid {
            origin: origin.to_string(),
            key: issue.key,
            reason: issue.reason,
        })
    }

    /// Returns the built-in default world.
    pub fn default_world() -> World {
        World::from_toml_str(DEFAULT_WORLD_TOML, "built-in default world")
            .expect("the built-in default world is valid, as a unit test checks")
    }

    /// Returns the built-in world with the vendor's original response options.
    pub fn original_world() -> World {
        World::from_toml_str(ORIGINAL_WORLD_TOML, "built-in original world")
            .expect("the built-in original world is valid, as a unit test checks")
    }

    pub fn person(&self, name: &str) -> Option<&Person> {
        self.people.iter().find(|p| p.name == name)
    }

    pub fn group(&self, name: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.name == name)
    }

    pub fn form(&self, name: &str) -> Option<&Form> {
        self.forms.iter().find(|f| f.name == name)
    }

    pub fn form_by_uuid(&self, uuid: uuid::Uuid) -> Option<&Form> {
        self.forms.iter().find(|f| f.uuid == uuid)
    }

    pub fn integration(&self, name: &str) -> Option<&Integration> {
        self.integrations.iter().find(|i| i.name == name)
    }

    pub fn integration_by_uuid(&self, uuid: uuid::Uuid) -> Option<&Integration> {
        self.integrations.iter().find(|i| i.uuid == uuid)
    }

    pub fn webhook_target(&self, name: &str) -> Option<&WebhookTarget> {
        self.webhook_targets.iter().find(|t| t.name == name)
    }
}

#[cfg(test)]
mod tests;
