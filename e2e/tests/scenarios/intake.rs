//! What the relay rejects and what it forwards only once.

use e2e::Harness;
use mock_overops::generate::generate_bytes;
use mock_xmatters::World;

use crate::common::{assert_story, new_exception};

#[tokio::test]
async fn malformed_input_gets_400_and_no_event() {
    let malformed: [&[u8]; 5] = [
        b"",
        b"{\"type\": \"ALERT\", \"data\": ",
        b"[1, 2, 3]",
        b"{\"hello\": \"world\"}",
        b"\xff\xfe not JSON at all",
    ];
    let mut harness = Harness::start(World::default_world())
        .await
        .expect("harness starts");

    for body in malformed {
        let reply = harness
            .send(body.to_vec())
            .await
            .expect("the relay responds");
        assert_eq!(
            reply.status,
            400,
            "body {:?}: {reply:?}",
            String::from_utf8_lossy(body)
        );
        assert!(reply.error.is_some(), "a 400 names the problem: {reply:?}");
    }
    // The worker delivers the oldest due alert first, so once this later
    // valid alert is an event, a stored malformed body would have reached
    // xMatters too.
    harness
        .deliver_generated(&new_exception(21))
        .await
        .expect("the valid alert becomes an event");

    let story = harness.story().await.expect("story");
    assert_eq!(story.relay.len(), 1, "only the valid alert is stored");
    assert_eq!(story.xmatters.requests.len(), 1);
    assert_eq!(story.event_count(), 1);
    assert_story!("malformed_input", &story);
}

#[tokio::test]
async fn duplicate_alert_makes_one_event() {
    let body = generate_bytes(&new_exception(22));
    let mut harness = Harness::start(World::default_world())
        .await
        .expect("harness starts");

    harness
        .deliver(body.clone())
        .await
        .expect("the first alert becomes an event");
    let repeat = harness.send(body).await.expect("the relay responds");
    harness
        .wait_idle()
        .await
        .expect("nothing is left to deliver");

    assert_eq!(repeat.status, 202);
    assert_eq!(repeat.duplicate, Some(true));
    assert_eq!(repeat.id, harness.replies()[0].id, "the original's id");
    let story = harness.story().await.expect("story");
    assert_eq!(story.relay.len(), 1);
    assert_eq!(story.relay[0].duplicates, 1);
    assert_eq!(story.xmatters.requests.len(), 1);
    assert_eq!(story.event_count(), 1);
    assert_story!("duplicate", &story);
}
