//! Loading configuration: defaults, the file, environment overrides and
//! the errors that name the option, its origin and the fix.

use relay::config::{Config, ConfigError, MappingConfig};
use relay::form::Source;
use relay::mapping::{Priority, Recipient};
use std::io::Write;
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

fn example_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("relay.example.toml")
}

fn file_with(text: &str) -> NamedTempFile {
    let mut file = NamedTempFile::new().expect("temporary file");
    file.write_all(text.as_bytes())
        .expect("temporary file is writable");
    file
}

fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

fn load(text: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let file = file_with(text);
    Config::load_with_env(Some(file.path()), vars(env))
}

fn invalid(result: Result<Config, ConfigError>) -> (String, String, String) {
    match result {
        Err(ConfigError::Invalid {
            option,
            origin,
            reason,
        }) => (option, origin, reason),
        other => panic!("expected an invalid option, got {other:?}"),
    }
}

#[test]
fn example_file_documents_the_mapping_defaults() {
    let config = Config::load_with_env(Some(&example_path()), vars(&[])).expect("example loads");
    assert_eq!(config.mapping, MappingConfig::default());
}

#[test]
fn example_file_documents_the_follow_up_defaults() {
    let config = Config::load_with_env(Some(&example_path()), vars(&[])).expect("example loads");
    let defaults = Config::default();
    assert_eq!(config.confirmation, defaults.confirmation);
    assert_eq!(config.callbacks, defaults.callbacks);
    assert_eq!(config.admin, defaults.admin);
    assert_eq!(config.storm, defaults.storm);
    assert_eq!(config.xmatters.rest, None);
}

#[test]
fn rest_and_storm_sections_load() {
    let config = load(
        "[xmatters.rest]\nbase_url = \"https://acme.xmatters.com\"\nusername = \"reader\"\n\
         password = \"pw\"\n[storm]\nmax_events = 10\nwindow = \"5m\"\n",
        &[("RELAY_XMATTERS__REST__PASSWORD", "from-the-environment")],
    )
    .expect("valid file");

    let rest = config.xmatters.rest.expect("the section is read");
    assert_eq!(rest.base_url, "https://acme.xmatters.com");
    assert_eq!(rest.password.expose(), "from-the-environment");
    assert_eq!(rest.request_timeout, std::time::Duration::from_secs(10));
    assert_eq!(config.storm.max_events, 10);
    assert_eq!(config.storm.window, std::time::Duration::from_secs(300));
}

#[test]
fn no_file_gives_defaults() {
    let config = Config::load_with_env(None, vars(&[])).expect("defaults are valid");
    assert_eq!(config.mapping, MappingConfig::default());
}

#[test]
fn file_overrides_only_what_it_sets() {
    let config = load(
        "[mapping]\ntime_zone = \"UTC\"\n[mapping.priority]\nwarn = \"MEDIUM\"\n",
        &[],
    )
    .expect("valid file");

    assert_eq!(config.mapping.time_zone, "UTC");
    assert_eq!(config.mapping.priority.warn, Priority::Medium);
    assert_eq!(config.mapping.priority.fatal, Priority::High);
    assert_eq!(
        config.mapping.date_format,
        relay::config::DEFAULT_DATE_FORMAT
    );
}

#[test]
fn environment_overrides_the_file() {
    let config = load(
        "[mapping]\ntime_zone = \"UTC\"\n",
        &[
            ("RELAY_MAPPING__TIME_ZONE", "Europe/Paris"),
            ("RELAY_MAPPING__EXPIRATION_MINUTES", "60"),
            ("RELAY_MAPPING__PRIORITY__FATAL", "MEDIUM"),
            (
                "RELAY_MAPPING__DEFAULT_RECIPIENTS",
                r#"["ops", "mmcbride"]"#,
            ),
            ("RELAY_MAPPING__DEDUP_FIELDS", r#"["service_id", "link"]"#),
        ],
    )
    .expect("valid overrides");

    assert_eq!(config.mapping.time_zone, "Europe/Paris");
    assert_eq!(config.mapping.expiration_minutes, 60);
    assert_eq!(config.mapping.priority.fatal, Priority::Medium);
    assert_eq!(
        config.mapping.default_recipients,
        [Recipient::named("ops"), Recipient::named("mmcbride")]
    );
    assert_eq!(
        config.mapping.dedup_fields,
        [Source::ServiceId, Source::Link]
    );
}

#[test]
fn numeric_environment_value_for_text_option_stays_text() {
    let config =
        load("", &[("RELAY_MAPPING__DATE_FORMAT", "2024")]).expect("a literal format is valid");
    assert_eq!(config.mapping.date_format, "2024");
}

#[test]
fn unrelated_variables_are_ignored() {
    let config = load("", &[("RELAY_LOG", "debug"), ("PATH", "/usr/bin")]).expect("valid");
    assert_eq!(config.mapping, MappingConfig::default());
}

#[test]
fn invalid_time_zone_names_option_and_file() {
    let file = file_with("[mapping]\ntime_zone = \"Mars/Olympus_Mons\"\n");
    let (option, origin, reason) = invalid(Config::load_with_env(Some(file.path()), vars(&[])));

    assert_eq!(option, "mapping.time_zone");
    assert_eq!(origin, format!("config file {}", file.path().display()));
    assert!(reason.contains("Mars/Olympus_Mons"), "{reason}");
    assert!(reason.contains("America/New_York"), "{reason}");
}

#[test]
fn invalid_environment_value_names_the_variable() {
    let (option, origin, reason) =
        invalid(load("", &[("RELAY_MAPPING__TIME_ZONE", "Nowhere/City")]));

    assert_eq!(option, "mapping.time_zone");
    assert_eq!(origin, "environment variable RELAY_MAPPING__TIME_ZONE");
    assert!(reason.contains("Nowhere/City"), "{reason}");
}

#[test]
fn unknown_option_is_rejected_with_its_path() {
    let (option, _, reason) = invalid(load("[mapping]\ntime_zon = \"UTC\"\n", &[]));

    assert!(option.starts_with("mapping"), "{option}");
    assert!(reason.contains("unknown field `time_zon`"), "{reason}");
}

#[test]
fn unknown_environment_option_names_the_variable() {
    let error = load("", &[("RELAY_MAPPING__TIMEZONE", "UTC")]).expect_err("unknown option");
    let message = error.to_string();

    assert!(message.contains("RELAY_MAPPING__TIMEZONE"), "{message}");
    assert!(message.contains("timezone"), "{message}");
}

#[test]
fn wrong_type_names_the_option() {
    let (option, _, reason) = invalid(load("[mapping]\nexpiration_minutes = \"soon\"\n", &[]));

    assert_eq!(option, "mapping.expiration_minutes");
    assert!(reason.contains("soon"), "{reason}");
}

#[test]
fn out_of_range_expiration_is_rejected() {
    let (option, _, reason) = invalid(load("[mapping]\nexpiration_minutes = 0\n", &[]));

    assert_eq!(option, "mapping.expiration_minutes");
    assert!(reason.contains("1 to 14400"), "{reason}");
}

#[test]
fn invalid_priority_names_the_row() {
    let (option, _, _) = invalid(load("[mapping.priority]\nfatal = \"URGENT\"\n", &[]));
    assert_eq!(option, "mapping.priority.fatal");
}

#[test]
fn route_without_recipients_is_rejected() {
    let (option, _, reason) = invalid(load(
        "[[mapping.routes]]\nkind = \"THRESHOLD\"\nrecipients = []\n",
        &[],
    ));

    assert_eq!(option, "mapping.routes[0].recipients");
    assert!(reason.contains("at least one recipient"), "{reason}");
}

#[test]
fn text_property_without_max_length_is_rejected() {
    let (option, _, reason) = invalid(load(
        "[mapping.form]\nname = \"Custom\"\n[[mapping.form.properties]]\nname = \"Title\"\nkind = \"text\"\n",
        &[],
    ));

    assert_eq!(option, "mapping.form.properties[0].max_length");
    assert!(reason.contains("UTF-16"), "{reason}");
}

#[test]
fn property_without_known_source_is_rejected() {
    let (option, _, reason) = invalid(load(
        "[mapping.form]\nname = \"Custom\"\n[[mapping.form.properties]]\nname = \"Team\"\nkind = \"text\"\nmax_length = 10\n",
        &[],
    ));

    assert_eq!(option, "mapping.form.properties[0].source");
    assert!(reason.contains("view_name"), "{reason}");
}

#[test]
fn duplicate_property_is_rejected() {
    let property =
        "[[mapping.form.properties]]\nname = \"Title\"\nkind = \"text\"\nmax_length = 10\n";
    let (option, _, _) = invalid(load(
        &format!("[mapping.form]\nname = \"Custom\"\n{property}{property}"),
        &[],
    ));
    assert_eq!(option, "mapping.form.properties[1].name");
}

#[test]
fn syntax_error_names_the_file() {
    let file = file_with("[mapping\ntime_zone = \"UTC\"\n");
    let error = Config::load_with_env(Some(file.path()), vars(&[])).expect_err("invalid TOML");

    assert!(matches!(error, ConfigError::Syntax { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .contains(&file.path().display().to_string()),
        "{error}"
    );
}

#[test]
fn missing_file_names_the_path() {
    let path = Path::new("/nonexistent/relay.toml");
    let error = Config::load_with_env(Some(path), vars(&[])).expect_err("no such file");

    assert!(matches!(error, ConfigError::Read { .. }), "{error:?}");
    assert!(
        error.to_string().contains("/nonexistent/relay.toml"),
        "{error}"
    );
}

/// A configuration with an invalid secret: file text, environment, the
/// secret value and the option the error must name.
type SecretCase<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str, &'a str);

#[test]
fn invalid_secrets_are_not_echoed() {
    let cases: [SecretCase<'_>; 7] = [
        (
            "",
            &[("RELAY_SERVER__TOKENS", "0123456789abcdef0123")],
            "0123456789abcdef0123",
            "server.tokens",
        ),
        (
            "[server]\ntokens = \"SECRET-TOKEN-NOT-A-LIST-123\"\n",
            &[],
            "SECRET-TOKEN-NOT-A-LIST-123",
            "server.tokens",
        ),
        (
            "[server]\ntokens = [\"ok-token-0123456789\", 998877665544]\n",
            &[],
            "998877665544",
            "server.tokens[1]",
        ),
        (
            "[xmatters]\napi_key = 5550001112223334\n",
            &[],
            "5550001112223334",
            "xmatters.api_key",
        ),
        (
            "[xmatters]\nusername = \"relay\"\npassword = 99887766\n",
            &[],
            "99887766",
            "xmatters.password",
        ),
        (
            "[callbacks]\ntokens = \"CALLBACK-SECRET-0123456789\"\n",
            &[],
            "CALLBACK-SECRET-0123456789",
            "callbacks.tokens",
        ),
        (
            "[xmatters.rest]\nbase_url = \"https://acme.xmatters.com\"\n\
             username = \"reader\"\npassword = 77665544\n",
            &[],
            "77665544",
            "xmatters.rest.password",
        ),
    ];
    for (text, env, secret, expected_option) in cases {
        let error = load(text, env).expect_err("invalid secret");
        let message = error.to_string();
        let (option, _, reason) = invalid(Err(error));

        assert_eq!(option, expected_option, "{message}");
        assert!(!message.contains(secret), "{message}");
        assert!(reason.contains("invalid"), "{message}");
        assert!(reason.contains("not shown"), "{message}");
    }
}

#[test]
fn syntax_error_hides_secret_line() {
    let cases = [
        ("[xmatters]\npassword = \"pa\\qss-SECRETPW\"\n", 2),
        (
            "[server]\ntokens = [\n  \"ok\",\n  \"ab\\q-SECRETPW\",\n]\n",
            4,
        ),
    ];
    for (text, line) in cases {
        let error = load(text, &[]).expect_err("invalid TOML");
        let message = error.to_string();

        assert!(matches!(error, ConfigError::Syntax { .. }), "{error:?}");
        assert!(!message.contains("SECRETPW"), "{message}");
        assert!(message.contains(&format!("line {line}")), "{message}");
    }
}

#[test]
fn syntax_error_shows_other_lines() {
    let error = load("[mapping]\ntime_zone = \"Europe\\qParis\"\n", &[]).expect_err("bad TOML");
    let message = error.to_string();

    assert!(message.contains("Europe\\qParis"), "{message}");
}

#[test]
fn unknown_section_names_its_variable() {
    let (option, origin, _) = invalid(load("[mapping]\n", &[("RELAY_FOO__BAR", "1")]));

    assert_eq!(option, "foo");
    assert_eq!(origin, "environment variable RELAY_FOO__BAR");
}

#[test]
fn incomplete_table_names_its_variable() {
    let (option, origin, _) = invalid(load(
        "[mapping]\n",
        &[("RELAY_MAPPING__FORM__PROPERTIES", "[]")],
    ));

    assert_eq!(option, "mapping.form");
    assert_eq!(
        origin,
        "environment variable RELAY_MAPPING__FORM__PROPERTIES"
    );
}

#[test]
fn sections_list_every_top_level_key() {
    let config = serde_json::to_value(Config::default()).expect("the configuration serializes");
    let keys: Vec<&str> = config
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();

    assert_eq!(keys, relay::config::SECTIONS);
}

#[test]
fn routes_from_environment_variable() {
    let config = load(
        "",
        &[(
            "RELAY_MAPPING__ROUTES",
            r#"[{ kind = "TEST", recipients = ["ops"] }]"#,
        )],
    )
    .expect("routes from a variable");

    assert_eq!(config.mapping.routes.len(), 1);
    assert_eq!(config.mapping.routes[0].kind.as_deref(), Some("TEST"));
}
