//! Outbound webhook effects and their bodies.

use serde_json::json;

use super::support::*;
use crate::engine::{Effect, OutboundWebhook, Simulator, Source, TimelineKind, WebhookResult};
use crate::world::{OutboundSubscription, WebhookTarget, WebhookTrigger, World};

fn world_with_subscriptions(subscriptions: &[(WebhookTrigger, Option<&str>)]) -> World {
    let mut world = test_world();
    world.webhook_targets.push(WebhookTarget {
        name: "relay".to_string(),
        url: "http://127.0.0.1:9/callbacks".to_string(),
        username: Some("xm".to_string()),
        password: Some("secret".to_string()),
    });
    world.forms[0].outbound = subscriptions
        .iter()
        .map(|(trigger, response)| OutboundSubscription {
            trigger: *trigger,
            response: response.map(str::to_string),
            target: "relay".to_string(),
        })
        .collect();
    world
}

fn webhooks(effects: Vec<Effect>) -> Vec<OutboundWebhook> {
    effects
        .into_iter()
        .map(|effect| match effect {
            Effect::Webhook(webhook) => webhook,
        })
        .collect()
}

#[test]
fn response_webhook_has_documented_body() {
    let mut sim = simulator(world_with_subscriptions(&[(
        WebhookTrigger::Response,
        None,
    )]));
    let event = create(
        &mut sim,
        &json!({"properties": {"Summary": "DB down", "View_Name": "v"}}),
    );
    sim.advance_by(minutes(2));
    respond(&mut sim, event, "p1", "Acknowledge");

    let sent = webhooks(sim.take_effects());
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].url, "http://127.0.0.1:9/callbacks");
    assert_eq!(
        sent[0].auth.as_ref().map(|a| a.username.as_str()),
        Some("xm")
    );
    assert_eq!(
        sent[0].body,
        json!({
            "eventIdentifier": 1_000_001,
            "date": "2026-01-01 09:02:00.000",
            "recipient": "p1",
            "device": "Email",
            "response": "Acknowledge",
            "annotation": "null",
            "eventProperties": [{"Summary": "DB down"}],
        })
    );
}

#[test]
fn response_webhook_per_option_fires_only_for_it() {
    let mut sim = simulator(world_with_subscriptions(&[(
        WebhookTrigger::Response,
        Some("Ignore"),
    )]));
    let event = create(&mut sim, &trigger());
    respond(&mut sim, event, "p1", "Record");
    assert!(sim.take_effects().is_empty());

    respond(&mut sim, event, "p1", "Ignore");
    let sent = webhooks(sim.take_effects());
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].body["response"], "Ignore");
}

#[test]
fn status_webhooks_on_creation_and_end() {
    let mut sim = simulator(world_with_subscriptions(&[(WebhookTrigger::Status, None)]));
    create(&mut sim, &trigger());
    let effects = sim.advance_by(minutes(180));

    let statuses: Vec<serde_json::Value> = webhooks(effects)
        .into_iter()
        .map(|w| w.body["status"].clone())
        .collect();
    assert_eq!(statuses, vec![json!("active"), json!("terminated")]);
}

#[test]
fn delivery_webhooks_report_each_notification() {
    let mut world = world_with_subscriptions(&[(WebhookTrigger::DeliveryStatus, None)]);
    world.people[0].devices[1].delivery = crate::world::DeliveryOutcome::Failed;
    let mut sim = simulator(world);
    create(&mut sim, &trigger());
    let effects = sim.advance_by(minutes(5));

    let sent = webhooks(effects);
    let statuses: Vec<(&str, &str)> = sent
        .iter()
        .map(|w| {
            (
                w.body["device"].as_str().unwrap_or_default(),
                w.body["deliveryStatus"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(statuses, vec![("Email", "Delivered"), ("Voice", "Failed")]);
    assert_eq!(sent[0].body["recipient"], "p1");
    assert!(sent[0].body["deviceId"].is_u64());
}

#[test]
fn legacy_callbacks_receive_webhooks() {
    let mut sim = simulator(test_world());
    let trigger = json!({
        "properties": {"Summary": "x"},
        "callbacks": [{"url": "http://127.0.0.1:9/cb", "type": "response", "authType": "basic",
                       "authUserName": "u", "authPassword": "p"}],
    });
    let event = sim
        .create_event(Source::LegacyForm("Alert".to_string()), None, &trigger)
        .expect("valid trigger");
    let event = crate::engine::EventRef {
        id: event.id,
        event_id: event.event_id,
    };
    respond(&mut sim, event, "p1", "Record");

    let sent = webhooks(sim.take_effects());
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].target, "callback");
    assert_eq!(sent[0].url, "http://127.0.0.1:9/cb");
    assert!(
        !format!("{:?}", sent[0].auth).contains("\"p\""),
        "Debug hides the password"
    );
}

#[test]
fn webhook_results_join_timeline() {
    let mut sim: Simulator = simulator(world_with_subscriptions(&[(WebhookTrigger::Status, None)]));
    let event = create(&mut sim, &trigger());
    let sent = webhooks(sim.take_effects());
    sim.record_webhook_result(
        &sent[0],
        WebhookResult::Answered {
            status: 200,
            attempts: 2,
        },
    );

    let results = entries_of(&sim, event, "webhook_sent");
    assert_eq!(
        results,
        vec![TimelineKind::WebhookSent {
            webhook_id: sent[0].id,
            result: WebhookResult::Answered {
                status: 200,
                attempts: 2
            },
        }]
    );
    assert_eq!(entries_of(&sim, event, "webhook_queued").len(), 1);
}
