//! Id generation: UUIDs from a seeded generator, `eventId`s counting up.

use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use uuid::Uuid;

/// Produces every id the simulator hands out. Seeded, so that the same
/// world and the same inputs give the same ids in every run.
#[derive(Debug)]
pub(crate) struct IdGenerator {
    rng: StdRng,
    next_event_id: u64,
}

impl IdGenerator {
    pub(crate) fn new(seed: u64, first_event_id: u64) -> Self {
        IdGenerator {
            rng: StdRng::seed_from_u64(seed),
            next_event_id: first_event_id,
        }
    }

    /// Returns a random (version 4) UUID.
    pub(crate) fn uuid(&mut self) -> Uuid {
        let mut bytes = [0u8; 16];
        self.rng.fill_bytes(&mut bytes);
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    /// Returns the next numeric `eventId`.
    pub(crate) fn event_id(&mut self) -> u64 {
        let id = self.next_event_id;
        self.next_event_id += 1;
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_gives_same_ids() {
        let mut first = IdGenerator::new(7, 100);
        let mut second = IdGenerator::new(7, 100);
        assert_eq!(first.uuid(), second.uuid());
        assert_eq!(first.uuid().get_version_num(), 4);
    }

    #[test]
    fn event_ids_count_up() {
        let mut ids = IdGenerator::new(1, 1_000_001);
        assert_eq!(ids.event_id(), 1_000_001);
        assert_eq!(ids.event_id(), 1_000_002);
    }
}
