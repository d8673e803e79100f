//! The store's frequent queries must read an index, not scan every alert:
//! the alerts table grows with every alert ever received, and a scan on
//! the delivery or intake path would slow down as it does.

use super::{schema, sql, sql_callbacks, sql_confirmation, sql_storm};

/// Returns the query plan SQLite chooses for `query` on the latest schema.
fn plan(query: &str) -> String {
    let mut conn = rusqlite::Connection::open_in_memory().expect("in-memory database");
    schema::migrate(&mut conn).expect("latest schema");
    let mut statement = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {query}"))
        .expect("query compiles");
    // The plan does not depend on the values, so every parameter is NULL.
    let nulls = vec![rusqlite::types::Null; statement.parameter_count()];
    let steps = statement
        .query_map(rusqlite::params_from_iter(nulls), |row| {
            row.get::<_, String>(3)
        })
        .expect("plan runs");
    steps
        .map(|step| step.expect("plan step"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Asserts that the plan of `query` reads the alerts table through `index`
/// and never scans it.
fn assert_uses(query: &str, index: &str) {
    let plan = plan(query);
    assert!(
        plan.contains(&format!("INDEX {index}")),
        "expected {index} in the plan of {query}:\n{plan}"
    );
    assert!(
        !plan.lines().any(|step| step.trim() == "SCAN alerts"),
        "the plan of {query} scans alerts:\n{plan}"
    );
}

#[test]
fn deduplication_reads_the_dedup_index() {
    assert_uses(sql::FIND_ORIGINAL, "alerts_dedup");
}

#[test]
fn due_alerts_are_found_through_the_pending_index() {
    assert_uses(sql::SELECT_DUE, "alerts_due");
    assert_uses(sql::NEXT_DUE, "alerts_due");
}

#[test]
fn due_lookups_are_found_through_their_partial_index() {
    assert_uses(sql_confirmation::SELECT_DUE_LOOKUPS, "alerts_lookup_due");
    assert_uses(sql_confirmation::NEXT_LOOKUP, "alerts_lookup_due");
}

#[test]
fn storm_queries_read_their_partial_indexes() {
    assert_uses(sql_storm::SELECT_ADMISSIONS, "alerts_admitted");
    assert_uses(sql_storm::SELECT_HELD_GROUPS, "alerts_held");
    assert_uses(sql_storm::SELECT_HELD, "alerts_held");
    assert_uses(sql_storm::SELECT_MEMBERS, "alerts_digest");
}

#[test]
fn held_alerts_are_read_in_index_order() {
    let plan = plan(sql_storm::SELECT_HELD);
    assert!(!plan.contains("TEMP B-TREE"), "{plan}");
}

#[test]
fn callbacks_find_their_alert_through_the_event_index() {
    assert_uses(sql_callbacks::SELECT_ALERT_OF_EVENT, "alerts_event");
}
