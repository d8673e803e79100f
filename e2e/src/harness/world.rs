//! The changes the harness makes to a world so that xMatters reports back
//! to the relay: a webhook target at the relay's callback endpoint, and
//! RESPONSE and STATUS webhooks of every form sent to it.

use mock_xmatters::World;
use mock_xmatters::world::{OutboundSubscription, WebhookTarget, WebhookTrigger};

/// Name of the webhook target the harness adds.
pub const RELAY_TARGET: &str = "e2e relay";

/// Returns `world` with every form sending RESPONSE and STATUS webhooks to
/// `callback_url`.
pub fn with_callbacks_to(mut world: World, callback_url: String) -> World {
    world.webhook_targets.push(WebhookTarget {
        name: RELAY_TARGET.to_owned(),
        url: callback_url,
        username: None,
        password: None,
    });
    for form in &mut world.forms {
        for trigger in [WebhookTrigger::Response, WebhookTrigger::Status] {
            form.outbound.push(OutboundSubscription {
                trigger,
                response: None,
                target: RELAY_TARGET.to_owned(),
            });
        }
    }
    world
}
