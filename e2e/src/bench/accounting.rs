//! Per-alert accounting of a storm sent with storm protection on: which
//! accepted alert reached mock-xmatters on its own, which one in a digest,
//! and which one did not arrive at all. Pure: the inputs are read from the
//! relay's store and the mock-xmatters journal by the caller.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use relay::store::{AlertId, AlertKind, AlertState};
use serde::Serialize;
use serde_json::Value;

/// Lost alerts described in [`Accounting::lost_examples`]. Any further
/// lost alerts are only counted.
const MAX_LOST_EXAMPLES: usize = 5;

/// One row of the relay's store, with the fields the accounting reads.
#[derive(Debug, Clone)]
pub struct StoredAlert {
    pub id: AlertId,
    pub kind: AlertKind,
    pub state: AlertState,
    /// The `load-seq` marker of its trigger, or `None` for a digest.
    pub seq: Option<u64>,
    /// The digest that names this alert, when storm protection held it.
    pub digest_id: Option<AlertId>,
    /// For a digest: the alerts it names.
    pub members: Vec<AlertId>,
    /// The trigger object the relay sends.
    pub trigger: Value,
}

/// One trigger that mock-xmatters accepted, from its journal.
#[derive(Debug, Clone)]
pub struct ReceivedTrigger {
    pub body: Value,
    /// Receive time, in µs since the Unix epoch.
    pub received_unix_us: i64,
}

/// Why an accepted alert counts as lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum LostReason {
    /// No stored alert carries its marker.
    NotStored,
    /// Its state is neither sent on its own nor digested.
    Unsent { state: String },
    /// Its state is `delivered`, `confirmed` or `unconfirmed`, but
    /// mock-xmatters has no trigger with its marker.
    NotReceived,
    /// It is `digested`, but names no digest, or a digest that does not
    /// exist or does not list it among its members.
    DigestMissing,
    /// Its digest exists but was not sent.
    DigestUnsent { digest_state: String },
    /// Its digest was sent, but mock-xmatters has no trigger equal to it.
    DigestNotReceived,
}

/// One lost alert and the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LostAlert {
    pub seq: u64,
    #[serde(flatten)]
    pub reason: LostReason,
}

/// Where every accepted alert of the storm ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Accounting {
    /// Alerts the relay responded 2xx to.
    pub accepted: u64,
    /// Accepted alerts sent on their own that mock-xmatters received.
    pub delivered_alone: u64,
    /// Accepted alerts named in a digest that mock-xmatters received.
    pub digested: u64,
    /// Accepted alerts in neither group.
    pub lost: u64,
    /// The first lost alerts, by sequence number, with the reason.
    pub lost_examples: Vec<LostAlert>,
    /// Triggers mock-xmatters accepted with a `load-seq` marker, repeats
    /// included.
    pub single_events_received: u64,
    /// Triggers mock-xmatters accepted that equal a stored digest, repeats
    /// included.
    pub digests_received: u64,
    /// Alerts named in the distinct digests that mock-xmatters received.
    pub alerts_in_received_digests: u64,
    /// Accepted triggers that are neither a marked alert nor a stored
    /// digest. Any count above 0 means that the journal and the store
    /// disagree.
    pub unexplained_triggers: u64,
    /// Receive time of the last trigger that accounts for an accepted
    /// alert, in µs since the Unix epoch, or `None` when any alert is lost.
    pub accounted_unix_us: Option<i64>,
}

/// What mock-xmatters received, sorted into alerts and digests.
#[derive(Debug, Default)]
struct Receipts {
    /// First receive time of each marked trigger, by `load-seq`.
    singles: HashMap<u64, i64>,
    /// First receive time of each digest, by the digest's id.
    digests: HashMap<AlertId, i64>,
    single_events: u64,
    digest_events: u64,
    unexplained: u64,
}

/// Accounts for every alert in `accepted` (sequence numbers of 2xx
/// responses) with the relay's `stored` alerts and the triggers
/// mock-xmatters `received`.
///
/// An alert is delivered alone when its state is `delivered`, `confirmed`
/// or `unconfirmed` and mock-xmatters received its marker. It is digested
/// when its state is `digested`, its digest lists it, the digest's state
/// is one of those three and mock-xmatters received a trigger equal to the
/// digest's. Every other accepted alert is lost.
pub fn account(
    accepted: &BTreeSet<u64>,
    stored: &[StoredAlert],
    received: &[ReceivedTrigger],
) -> Accounting {
    let by_id: HashMap<AlertId, &StoredAlert> =
        stored.iter().map(|alert| (alert.id, alert)).collect();
    let by_seq: BTreeMap<u64, &StoredAlert> = stored
        .iter()
        .filter(|alert| alert.kind == AlertKind::Alert)
        .filter_map(|alert| Some((alert.seq?, alert)))
        .collect();
    let receipts = sort_receipts(stored, received);

    let mut accounting = Accounting {
        accepted: accepted.len() as u64,
        delivered_alone: 0,
        digested: 0,
        lost: 0,
        lost_examples: Vec::new(),
        single_events_received: receipts.single_events,
        digests_received: receipts.digest_events,
        alerts_in_received_digests: receipts
            .digests
            .keys()
            .filter_map(|id| by_id.get(id))
            .map(|digest| digest.members.len() as u64)
            .sum(),
        unexplained_triggers: receipts.unexplained,
        accounted_unix_us: None,
    };

    let mut last_receipt = None;
    for &seq in accepted {
        let outcome = by_seq
            .get(&seq)
            .ok_or(LostReason::NotStored)
            .and_then(|alert| trace(alert, &by_id, &receipts));
        match outcome {
            Ok(Trace {
                alone,
                received_unix_us,
            }) => {
                if alone {
                    accounting.delivered_alone += 1;
                } else {
                    accounting.digested += 1;
                }
                last_receipt = last_receipt.max(Some(received_unix_us));
            }
            Err(reason) => {
                accounting.lost += 1;
                if accounting.lost_examples.len() < MAX_LOST_EXAMPLES {
                    accounting.lost_examples.push(LostAlert { seq, reason });
                }
            }
        }
    }
    if accounting.lost == 0 {
        accounting.accounted_unix_us = last_receipt;
    }
    accounting
}

/// How one accepted alert reached mock-xmatters.
struct Trace {
    /// On its own rather than in a digest.
    alone: bool,
    /// When the trigger that carried it was received.
    received_unix_us: i64,
}

/// Follows one stored alert to the trigger that carried it.
fn trace(
    alert: &StoredAlert,
    by_id: &HashMap<AlertId, &StoredAlert>,
    receipts: &Receipts,
) -> Result<Trace, LostReason> {
    if is_sent_alone(alert.state) {
        let seq = alert.seq.ok_or(LostReason::NotReceived)?;
        let received_unix_us = *receipts.singles.get(&seq).ok_or(LostReason::NotReceived)?;
        return Ok(Trace {
            alone: true,
            received_unix_us,
        });
    }
    if alert.state != AlertState::Digested {
        return Err(LostReason::Unsent {
            state: alert.state.as_str().to_owned(),
        });
    }

    let digest = alert
        .digest_id
        .and_then(|id| by_id.get(&id))
        .filter(|digest| digest.kind == AlertKind::Digest && digest.members.contains(&alert.id))
        .ok_or(LostReason::DigestMissing)?;
    if !is_sent_alone(digest.state) {
        return Err(LostReason::DigestUnsent {
            digest_state: digest.state.as_str().to_owned(),
        });
    }
    let received_unix_us = *receipts
        .digests
        .get(&digest.id)
        .ok_or(LostReason::DigestNotReceived)?;
    Ok(Trace {
        alone: false,
        received_unix_us,
    })
}

/// Returns whether xMatters accepted the event of an alert in `state`.
/// `digested` is not among them: its event is the digest's.
fn is_sent_alone(state: AlertState) -> bool {
    matches!(
        state,
        AlertState::Delivered | AlertState::Confirmed | AlertState::Unconfirmed
    )
}

/// Sorts the received triggers into digests (a body equal to a stored
/// digest's trigger, because the relay posts the stored text unchanged),
/// marked alerts and the rest.
fn sort_receipts(stored: &[StoredAlert], received: &[ReceivedTrigger]) -> Receipts {
    let digests: Vec<&StoredAlert> = stored
        .iter()
        .filter(|alert| alert.kind == AlertKind::Digest)
        .collect();
    let mut receipts = Receipts::default();
    for trigger in received {
        let time = trigger.received_unix_us;
        if let Some(digest) = digests.iter().find(|digest| digest.trigger == trigger.body) {
            keep_first(receipts.digests.entry(digest.id).or_insert(time), time);
            receipts.digest_events += 1;
        } else if let Some(seq) = mock_overops::load::parse_sequence(&trigger.body.to_string()) {
            keep_first(receipts.singles.entry(seq).or_insert(time), time);
            receipts.single_events += 1;
        } else {
            receipts.unexplained += 1;
        }
    }
    receipts
}

fn keep_first(slot: &mut i64, time: i64) {
    *slot = (*slot).min(time);
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn id(n: u32) -> AlertId {
        format!("{n:08x}-0000-7000-8000-000000000000")
            .parse()
            .expect("a valid UUID")
    }

    fn trigger(seq: u64) -> Value {
        json!({ "properties": { "Summary": format!("NPE [load-seq={seq}]") } })
    }

    /// Returns a stored alert with marker `seq` and id `seq`.
    fn alert(seq: u64, state: AlertState, digest: Option<u32>) -> StoredAlert {
        StoredAlert {
            id: id(seq as u32),
            kind: AlertKind::Alert,
            state,
            seq: Some(seq),
            digest_id: digest.map(id),
            members: Vec::new(),
            trigger: trigger(seq),
        }
    }

    /// Returns a stored digest with id `n` that names the alerts `members`.
    fn digest(n: u32, state: AlertState, members: &[u64]) -> StoredAlert {
        StoredAlert {
            id: id(n),
            kind: AlertKind::Digest,
            state,
            seq: None,
            digest_id: None,
            members: members.iter().map(|&seq| id(seq as u32)).collect(),
            trigger: json!({ "properties": { "Type": "STORM_DIGEST", "Title": format!("digest {n}") } }),
        }
    }

    fn received(body: Value, received_unix_us: i64) -> ReceivedTrigger {
        ReceivedTrigger {
            body,
            received_unix_us,
        }
    }

    fn accepted(seqs: &[u64]) -> BTreeSet<u64> {
        seqs.iter().copied().collect()
    }

    #[test]
    fn alone_and_digested_alerts_are_accounted() {
        let stored = vec![
            alert(1, AlertState::Delivered, None),
            alert(2, AlertState::Digested, Some(100)),
            alert(3, AlertState::Digested, Some(100)),
            digest(100, AlertState::Delivered, &[2, 3]),
        ];
        let journal = vec![
            received(trigger(1), 1_000),
            received(stored[3].trigger.clone(), 5_000),
        ];

        let accounting = account(&accepted(&[1, 2, 3]), &stored, &journal);

        assert_eq!(accounting.accepted, 3);
        assert_eq!(accounting.delivered_alone, 1);
        assert_eq!(accounting.digested, 2);
        assert_eq!(accounting.lost, 0);
        assert!(accounting.lost_examples.is_empty());
        assert_eq!(accounting.single_events_received, 1);
        assert_eq!(accounting.digests_received, 1);
        assert_eq!(accounting.alerts_in_received_digests, 2);
        assert_eq!(accounting.unexplained_triggers, 0);
        assert_eq!(accounting.accounted_unix_us, Some(5_000));
    }

    #[test]
    fn confirmed_and_unconfirmed_count_as_delivered() {
        let stored = vec![
            alert(1, AlertState::Confirmed, None),
            alert(2, AlertState::Unconfirmed, None),
        ];
        let journal = vec![received(trigger(1), 10), received(trigger(2), 20)];

        let accounting = account(&accepted(&[1, 2]), &stored, &journal);

        assert_eq!(accounting.delivered_alone, 2);
        assert_eq!(accounting.lost, 0);
    }

    #[test]
    fn lost_alerts_name_their_reason() {
        let stored = vec![
            alert(2, AlertState::Held, None),
            alert(3, AlertState::Delivered, None),
            alert(4, AlertState::Digested, Some(100)),
            alert(5, AlertState::Digested, Some(101)),
            alert(6, AlertState::Digested, Some(102)),
            alert(7, AlertState::Digested, None),
            digest(100, AlertState::Pending, &[4]),
            digest(101, AlertState::Delivered, &[5]),
            digest(102, AlertState::Delivered, &[2]),
        ];

        let accounting = account(&accepted(&[1, 2, 3, 4, 5, 6, 7]), &stored, &[]);

        assert_eq!(accounting.lost, 7);
        assert_eq!(accounting.delivered_alone + accounting.digested, 0);
        assert_eq!(accounting.accounted_unix_us, None);
        let reasons: Vec<(u64, LostReason)> = accounting
            .lost_examples
            .into_iter()
            .map(|lost| (lost.seq, lost.reason))
            .collect();
        assert_eq!(
            reasons,
            vec![
                (1, LostReason::NotStored),
                (
                    2,
                    LostReason::Unsent {
                        state: "held".to_owned()
                    }
                ),
                (3, LostReason::NotReceived),
                (
                    4,
                    LostReason::DigestUnsent {
                        digest_state: "pending".to_owned()
                    }
                ),
                (5, LostReason::DigestNotReceived),
            ],
            "only the first {MAX_LOST_EXAMPLES} are described"
        );
    }

    #[test]
    fn digest_that_does_not_list_alert_loses_it() {
        let stored = vec![
            alert(6, AlertState::Digested, Some(102)),
            digest(102, AlertState::Delivered, &[2]),
        ];
        let journal = vec![received(stored[1].trigger.clone(), 10)];

        let accounting = account(&accepted(&[6]), &stored, &journal);

        assert_eq!(accounting.lost, 1);
        assert_eq!(
            accounting.lost_examples[0].reason,
            LostReason::DigestMissing
        );
        assert_eq!(accounting.alerts_in_received_digests, 1);
    }

    #[test]
    fn alerts_not_accepted_are_not_counted() {
        let stored = vec![alert(1, AlertState::Held, None)];

        let accounting = account(&accepted(&[]), &stored, &[]);

        assert_eq!(accounting.accepted, 0);
        assert_eq!(accounting.lost, 0);
    }

    #[test]
    fn unexplained_and_repeated_triggers() {
        let stored = vec![alert(1, AlertState::Delivered, None)];
        let journal = vec![
            received(trigger(1), 30),
            received(trigger(1), 20),
            received(json!({ "properties": { "Summary": "no marker" } }), 40),
        ];

        let accounting = account(&accepted(&[1]), &stored, &journal);

        assert_eq!(accounting.single_events_received, 2);
        assert_eq!(accounting.unexplained_triggers, 1);
        assert_eq!(
            accounting.accounted_unix_us,
            Some(20),
            "a repeated trigger keeps its first receive time"
        );
    }
}
