//! The customer, environment and people behind one generated alert.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::vocab::{
    COMPANIES, DOMAINS, ENVIRONMENTS, FAMILY_NAMES, GIVEN_NAMES, MAIL_DOMAINS, VIEWS, pick,
};

/// Earliest `date` that a generated payload carries when the caller gives
/// none: 2023-01-01T00:00:00Z in epoch milliseconds.
const DATE_RANGE_START_MS: u64 = 1_672_531_200_000;

/// Width of the range that default dates are drawn from: one year in ms.
const DATE_RANGE_WIDTH_MS: u64 = 365 * 24 * 60 * 60 * 1000;

/// Values shared by the envelope and the alert body of one payload.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    /// Second-level package name, such as `acme` in `com.acme.orders`.
    pub company: &'static str,
    /// Business area, used in package and application names.
    pub domain: &'static str,
    /// OverOps environment id, shaped like `S38421`.
    pub service_id: String,
    /// OverOps environment name.
    pub service_name: &'static str,
    /// E-mail address of the environment owner (the envelope's `username`).
    pub owner: String,
    /// E-mail addresses of the users who configured the alert.
    pub added_by: Vec<String>,
    /// View whose alert fired.
    pub view_name: &'static str,
    /// Send time in epoch milliseconds.
    pub date_ms: u64,
}

impl Context {
    /// Draws a context from `rng`, with `date_ms` in place of the drawn send time if given.
    pub(crate) fn draw(rng: &mut ChaCha8Rng, date_ms: Option<u64>) -> Self {
        let company = *pick(rng, COMPANIES);
        let domain = *pick(rng, DOMAINS);
        let service_id = format!("S{}", rng.gen_range(10_000..100_000));
        let service_name = *pick(rng, ENVIRONMENTS);
        let owner = draw_email(rng);

        let mut added_by = vec![owner.clone()];
        for _ in 0..rng.gen_range(0..3) {
            let user = draw_email(rng);
            if !added_by.contains(&user) {
                added_by.push(user);
            }
        }

        let view_name = *pick(rng, VIEWS);
        let drawn_date = DATE_RANGE_START_MS + rng.gen_range(0..DATE_RANGE_WIDTH_MS);

        Self {
            company,
            domain,
            service_id,
            service_name,
            owner,
            added_by,
            view_name,
            date_ms: date_ms.unwrap_or(drawn_date),
        }
    }
}

fn draw_email(rng: &mut ChaCha8Rng) -> String {
    let given = pick(rng, GIVEN_NAMES);
    let family = pick(rng, FAMILY_NAMES);
    let domain = pick(rng, MAIL_DOMAINS);
    format!("{given}.{family}@{domain}")
}
