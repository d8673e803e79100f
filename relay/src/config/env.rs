//! Environment variable overrides, applied to the TOML tree before it is
//! deserialized, so every section gets them without code of its own.
//!
//! `RELAY_<SECTION>__<KEY>[__<KEY>...]=VALUE` sets `section.key` (names are
//! lower-cased, `__` separates levels, so `RELAY_MAPPING__TIME_ZONE` sets
//! `mapping.time_zone`). VALUE is read as a TOML value when it parses as one
//! (`180`, `true`, `["a", "b"]`) and as a plain string otherwise
//! (`Europe/Paris`). Variables with the prefix but without `__`, such as
//! `RELAY_LOG`, are not configuration and are left alone; [`misspelt`]
//! finds those that name a section with one underscore too few.

use super::ConfigError;
use toml::{Table, Value};

/// Prefix of every configuration variable.
pub const PREFIX: &str = "RELAY_";

/// Separator between levels of the option path.
pub const SEPARATOR: &str = "__";

/// One environment variable applied to the tree.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Override {
    /// Variable name, e.g. `RELAY_MAPPING__TIME_ZONE`.
    pub(crate) variable: String,
    /// Option path, e.g. `["mapping", "time_zone"]`.
    pub(crate) path: Vec<String>,
    /// Value as written in the environment.
    pub(crate) raw: String,
    /// Whether the value was read as a TOML number, boolean or array
    /// rather than as a string.
    pub(crate) typed: bool,
}

impl Override {
    /// Returns the dotted option path, e.g. `mapping.time_zone`.
    pub(crate) fn option(&self) -> String {
        self.path.join(".")
    }

    /// Sets the value again as a plain string, for options that turned out
    /// to be strings although the text looked like a number (an API key
    /// such as `12345`).
    pub(crate) fn apply_as_string(&mut self, tree: &mut Table) -> Result<(), ConfigError> {
        self.typed = false;
        insert(tree, self, Value::String(self.raw.clone()))
    }
}

/// Applies every `RELAY_*__*` variable in `variables` to `tree`, in name
/// order so that the result does not depend on the environment's order.
pub(crate) fn apply(
    tree: &mut Table,
    variables: impl IntoIterator<Item = (String, String)>,
) -> Result<Vec<Override>, ConfigError> {
    let mut selected: Vec<(String, String)> = variables
        .into_iter()
        .filter(|(name, _)| {
            name.strip_prefix(PREFIX)
                .is_some_and(|rest| rest.contains(SEPARATOR))
        })
        .collect();
    selected.sort();

    let mut overrides = Vec::with_capacity(selected.len());
    for (variable, raw) in selected {
        let path = option_path(&variable)?;
        let value = read_value(&raw);
        let typed = !value.is_str();
        let applied = Override {
            variable,
            path,
            raw,
            typed,
        };
        insert(tree, &applied, value)?;
        overrides.push(applied);
    }
    Ok(overrides)
}

/// A `RELAY_` variable that looks like configuration but is ignored
/// because it has one underscore after the section instead of two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Misspelt {
    /// The variable as set, e.g. `RELAY_SERVER_LISTEN`.
    pub variable: String,
    /// The variable that was probably meant, e.g. `RELAY_SERVER__LISTEN`.
    pub suggestion: String,
}

impl std::fmt::Display for Misspelt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "environment variable {} is ignored; configuration variables have two \
             underscores after the section, so rename it to {}",
            self.variable, self.suggestion
        )
    }
}

/// Finds variables named `RELAY_<SECTION>_<KEY>` with a known section and a
/// single underscore, which [`apply`] ignores, in name order.
pub fn misspelt(
    variables: impl IntoIterator<Item = (String, String)>,
    sections: &[&str],
) -> Vec<Misspelt> {
    let mut found: Vec<Misspelt> = variables
        .into_iter()
        .filter_map(|(variable, _)| {
            let rest = variable.strip_prefix(PREFIX)?;
            if rest.contains(SEPARATOR) {
                return None;
            }
            let section = sections.iter().find(|section| {
                rest.len() > section.len() + 1
                    && rest[..section.len()].eq_ignore_ascii_case(section)
                    && rest.as_bytes()[section.len()] == b'_'
            })?;
            let (section, key) = rest.split_at(section.len());
            let suggestion = format!("{PREFIX}{section}_{key}");
            Some(Misspelt {
                variable,
                suggestion,
            })
        })
        .collect();
    found.sort_by(|a, b| a.variable.cmp(&b.variable));
    found
}

fn option_path(variable: &str) -> Result<Vec<String>, ConfigError> {
    let rest = &variable[PREFIX.len()..];
    let path: Vec<String> = rest.split(SEPARATOR).map(str::to_ascii_lowercase).collect();
    if path.iter().any(String::is_empty) {
        return Err(ConfigError::Environment {
            variable: variable.to_owned(),
            reason: "has an empty level in its name; write RELAY_SECTION__KEY with exactly two underscores between levels, e.g. RELAY_MAPPING__TIME_ZONE".to_owned(),
        });
    }
    Ok(path)
}

/// Reads `raw` as a TOML value, falling back to a string. Tables and dates
/// also fall back to the string, since no option takes them from one line.
fn read_value(raw: &str) -> Value {
    let parsed = format!("value = {raw}")
        .parse::<Table>()
        .ok()
        .and_then(|mut table| table.remove("value"));
    match parsed {
        Some(Value::Table(_) | Value::Datetime(_)) | None => Value::String(raw.to_owned()),
        Some(value) => value,
    }
}

fn insert(tree: &mut Table, applied: &Override, value: Value) -> Result<(), ConfigError> {
    let (last, parents) = applied
        .path
        .split_last()
        .expect("option paths have at least two levels");

    let mut table = tree;
    let mut walked = Vec::new();
    for segment in parents {
        walked.push(segment.as_str());
        let entry = table
            .entry(segment.clone())
            .or_insert_with(|| Value::Table(Table::new()));
        table = match entry {
            Value::Table(inner) => inner,
            _ => {
                return Err(ConfigError::Environment {
                    variable: applied.variable.clone(),
                    reason: format!(
                        "sets a key inside {}, which is a single value, not a section",
                        walked.join(".")
                    ),
                });
            }
        };
    }
    table.insert(last.clone(), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn nested_key_is_set_as_string() {
        let mut tree = Table::new();
        apply(
            &mut tree,
            vars(&[("RELAY_MAPPING__TIME_ZONE", "Europe/Paris")]),
        )
        .expect("valid variable");
        assert_eq!(
            tree["mapping"]["time_zone"],
            Value::String("Europe/Paris".into())
        );
    }

    #[test]
    fn scalars_are_read_as_toml() {
        let mut tree = Table::new();
        apply(
            &mut tree,
            vars(&[
                ("RELAY_A__NUMBER", "180"),
                ("RELAY_A__FLAG", "true"),
                ("RELAY_A__LIST", r#"["x", "y"]"#),
                ("RELAY_A__DAY", "2024-01-01"),
            ]),
        )
        .expect("valid variables");
        assert_eq!(tree["a"]["number"], Value::Integer(180));
        assert_eq!(tree["a"]["flag"], Value::Boolean(true));
        assert_eq!(tree["a"]["list"].as_array().map(Vec::len), Some(2));
        assert_eq!(tree["a"]["day"], Value::String("2024-01-01".into()));
    }

    #[test]
    fn variables_without_separator_are_ignored() {
        let mut tree = Table::new();
        let applied = apply(
            &mut tree,
            vars(&[("RELAY_LOG", "debug"), ("HOME", "/root")]),
        )
        .expect("nothing to apply");
        assert!(applied.is_empty());
        assert!(tree.is_empty());
    }

    #[test]
    fn single_underscore_after_a_section_is_reported() {
        let found = misspelt(
            vars(&[
                ("RELAY_SERVER_LISTEN", "127.0.0.1:9"),
                ("RELAY_SERVER__LISTEN", "127.0.0.1:9"),
                ("RELAY_LOG", "debug"),
                ("RELAY_SERVER_", "x"),
                ("RELAY_SERVERS_X", "x"),
            ]),
            &["server", "store"],
        );

        assert_eq!(
            found,
            vec![Misspelt {
                variable: "RELAY_SERVER_LISTEN".to_owned(),
                suggestion: "RELAY_SERVER__LISTEN".to_owned(),
            }]
        );
        assert!(
            found[0]
                .to_string()
                .contains("rename it to RELAY_SERVER__LISTEN")
        );
    }

    #[test]
    fn empty_level_is_rejected_with_the_variable_name() {
        let mut tree = Table::new();
        let error =
            apply(&mut tree, vars(&[("RELAY_MAPPING____ZONE", "x")])).expect_err("empty level");
        assert!(
            error.to_string().contains("RELAY_MAPPING____ZONE"),
            "{error}"
        );
    }

    #[test]
    fn key_below_a_value_is_rejected() {
        let mut tree: Table = "[mapping]\ntime_zone = \"UTC\""
            .parse()
            .expect("valid TOML");
        let error = apply(&mut tree, vars(&[("RELAY_MAPPING__TIME_ZONE__X", "1")]))
            .expect_err("time_zone is not a table");
        assert!(error.to_string().contains("mapping.time_zone"), "{error}");
    }
}
