//! Replays every customer payload in `e2e/payloads/` through the whole
//! path, one snapshot per file.

use e2e::Harness;
use mock_xmatters::World;

use crate::common::assert_story;

/// Sends the file's bytes unchanged to a fresh relay and simulator, waits
/// until nothing is left to deliver, and returns the story.
async fn replay(body: Vec<u8>) -> e2e::Story {
    let mut harness = Harness::start(World::default_world())
        .await
        .expect("harness starts");

    harness.send(body).await.expect("the relay responds");
    harness
        .wait_idle()
        .await
        .expect("nothing is left to deliver");

    let story = harness.story().await.expect("story");
    harness.shutdown().await.expect("harness stops");
    story
}

#[test]
fn every_payload_file_replays() {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");

    insta::glob!("../../payloads", "*.json", |path| {
        let body = std::fs::read(path)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));

        let story = runtime.block_on(replay(body));

        // A payload the relay rejects is a finding too: its snapshot shows
        // the 400 and its reason, and no event.
        if story.intake[0].status == 202 {
            assert_eq!(story.event_count(), 1, "{}", path.display());
        } else {
            assert_eq!(story.event_count(), 0, "{}", path.display());
        }
        assert_story!("replay", &story);
    });
}
