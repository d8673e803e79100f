use super::*;

/// Parses `text` as a world file and returns the error message.
fn load_error(text: &str) -> String {
    match World::from_toml_str(text, "worlds/broken.toml") {
        Ok(_) => panic!("expected the world to be rejected"),
        Err(error) => error.to_string(),
    }
}

const MINIMAL: &str = r#"
[[people]]
name = "ann"
devices = [{ name = "Email", kind = "email" }]

[[groups]]
name = "ops"
roster = [{ person = "ann" }]

[[forms]]
name = "F"
uuid = "aeff98ad-4c95-4305-ad07-a4c03740d81d"
recipients = [{ id = "ops", type = "GROUP" }]
properties = [{ name = "Summary", type = "text", max_length = 10 }]
responses = [{ text = "Ack", action = "STOP_NOTIFYING_TARGET", digit = 1 }]
templates = { email_subject = "s", email_body = "b", sms = "m", voice = "v" }

[[integrations]]
name = "in"
uuid = "26e2c994-907f-43fe-93c5-e86d1dbbedb1"
api_key = "k"
kind = "trigger"
form = "F"
"#;

#[test]
fn built_in_worlds_load() {
    let default = World::default_world();
    let original = World::original_world();
    assert_eq!(default.forms[0].name, "New Exception");
    assert_eq!(default.forms[0].properties.len(), 18);
    assert_eq!(default.settings.event_expiry_minutes, 180);
    assert!(default.flood_control.enabled);
    assert_eq!(original.integrations.len(), 2);
}

#[test]
fn worlds_differ_only_in_ignore_action() {
    let default = World::default_world();
    let mut original = World::original_world();

    let ignore = |world: &World| world.forms[0].response_by_text("Ignore").map(|r| r.action);
    assert_eq!(ignore(&default), Some(ResponseAction::Escalate));
    assert_eq!(ignore(&original), Some(ResponseAction::RecordResponse));

    for option in &mut original.forms[0].responses {
        if option.text == "Ignore" {
            option.action = ResponseAction::Escalate;
        }
    }
    assert_eq!(original, default);
}

#[test]
fn default_form_matches_vendor_form() {
    let world = World::default_world();
    let form = &world.forms[0];
    let max = |name: &str| form.property(name).and_then(|p| p.max_length);
    assert_eq!(max("View_Name"), Some(30));
    assert_eq!(max("Added_By"), Some(30));
    assert_eq!(max("Summary"), Some(2000));
    assert_eq!(
        form.property("Level").map(|p| p.kind),
        Some(PropertyKind::List)
    );
    assert_eq!(form.priority, Priority::Medium);
    assert_eq!(
        form.response_by_digit(1).map(|r| r.text.as_str()),
        Some("Acknowledge")
    );
    assert_eq!(
        form.templates.sms,
        "A new alert from OverOps for {App_Name}. Details: {link}"
    );
    let kinds: Vec<IntegrationKind> = world.integrations.iter().map(|i| i.kind).collect();
    assert_eq!(
        kinds,
        vec![IntegrationKind::Trigger, IntegrationKind::OriginalScript]
    );
}

#[test]
fn minimal_world_gets_defaults() {
    let world = World::from_toml_str(MINIMAL, "minimal").expect("valid");
    assert_eq!(world.settings, Settings::default());
    assert_eq!(world.rate_limit.limit, 60_000);
    assert_eq!(world.flood_control.max_alerts, 4);
}

#[test]
fn unknown_key_names_file_and_key() {
    let text = MINIMAL.replace("name = \"ann\"", "name = \"ann\"\nnmae = \"x\"");
    let message = load_error(&text);
    assert!(message.contains("worlds/broken.toml"), "{message}");
    assert!(message.contains("nmae"), "{message}");
}

#[test]
fn wrong_value_names_the_key() {
    let message = load_error(&MINIMAL.replace("kind = \"email\"", "kind = \"fax\""));
    assert!(message.contains("fax"), "{message}");
    assert!(message.contains("kind"), "{message}");
}

#[test]
fn invalid_references_name_the_key() {
    let cases = [
        (
            MINIMAL.replace("{ person = \"ann\" }", "{ person = \"bob\" }"),
            "key groups[0].roster[0].person: unknown person \"bob\"",
        ),
        (
            MINIMAL.replace("form = \"F\"", "form = \"G\""),
            "key integrations[0].form: unknown form \"G\"",
        ),
        (
            MINIMAL.replace("id = \"ops\"", "id = \"dev\""),
            "key forms[0].recipients[0]: unknown group \"dev\"",
        ),
        (
            MINIMAL.replace(", max_length = 10", ""),
            "key forms[0].properties[0].max_length: missing",
        ),
        (
            MINIMAL.replace("api_key = \"k\"", "api_key = \"\""),
            "key integrations[0].api_key: must not be empty",
        ),
    ];
    for (text, expected) in cases {
        let message = load_error(&text);
        assert!(
            message.contains(expected),
            "expected {expected:?} in {message:?}"
        );
        assert!(message.contains("worlds/broken.toml"), "{message}");
    }
}

#[test]
fn duplicates_are_rejected() {
    let two_people = MINIMAL.replace("[[groups]]", "[[people]]\nname = \"ann\"\n\n[[groups]]");
    assert!(load_error(&two_people).contains("key people[1].name: duplicate name \"ann\""));

    let two_digits = MINIMAL.replace(
        "responses = [{ text = \"Ack\", action = \"STOP_NOTIFYING_TARGET\", digit = 1 }]",
        "responses = [{ text = \"Ack\", action = \"END\", digit = 1 }, { text = \"No\", action = \"ESCALATE\", digit = 1 }]",
    );
    assert!(load_error(&two_digits).contains("key forms[0].responses[1].digit"));
}

#[test]
fn invalid_defaults_and_limits_are_rejected() {
    let long_default = MINIMAL.replace(
        "max_length = 10 }",
        "max_length = 3, default = \"too long\" }",
    );
    assert!(load_error(&long_default).contains("forms[0].properties[0].default"));

    let repeat_without_delay = MINIMAL.replace(
        "roster = [{ person = \"ann\" }]",
        "roster = [{ person = \"ann\" }]\nrepeat = 2",
    );
    assert!(load_error(&repeat_without_delay).contains("groups[0].repeat_delay_minutes"));

    let no_window = format!("[flood_control]\nwindow_seconds = 0\n{MINIMAL}");
    assert!(load_error(&no_window).contains("flood_control.window_seconds"));
}

#[test]
fn world_without_forms_is_rejected() {
    for text in ["", "[settings]\nevent_expiry_minutes = 60\n"] {
        let message = load_error(text);
        assert!(message.contains("key forms:"), "{message}");
    }
}

#[test]
fn webhook_target_needs_http_url() {
    for url in ["file:///etc/passwd", "ftp://127.0.0.1/hook"] {
        let text = format!("{MINIMAL}\n[[webhook_targets]]\nname = \"relay\"\nurl = \"{url}\"\n");
        let message = load_error(&text);
        assert!(message.contains("webhook_targets[0].url"), "{message}");
        assert!(message.contains("http or https"), "{message}");
    }
}

#[test]
fn outbound_needs_known_target() {
    let text = MINIMAL.replace(
        "\n[[integrations]]",
        "\n[[forms.outbound]]\ntrigger = \"RESPONSE\"\ntarget = \"relay\"\n\n[[integrations]]",
    );
    let message = load_error(&text);
    assert!(message.contains("forms[0].outbound[0].target"), "{message}");

    let with_target = format!(
        "{}\n[[webhook_targets]]\nname = \"relay\"\nurl = \"not a url\"\n",
        MINIMAL.replace(
            "\n[[integrations]]",
            "\n[[forms.outbound]]\ntrigger = \"RESPONSE\"\nresponse = \"Ack\"\ntarget = \"relay\"\n\n[[integrations]]",
        )
    );
    assert!(load_error(&with_target).contains("webhook_targets[0].url"));
}

#[test]
fn missing_file_names_the_path() {
    let path = std::path::Path::new("/nonexistent/world.toml");
    let message = World::load(path).map(|_| ()).map_err(|e| e.to_string());
    let message = message.expect_err("the file does not exist");
    assert!(message.contains("/nonexistent/world.toml"), "{message}");
}

#[test]
fn load_reads_a_file() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("world.toml");
    std::fs::write(&path, MINIMAL).expect("write world");
    let world = World::load(&path).expect("valid world file");
    assert_eq!(world.people[0].name, "ann");
}
