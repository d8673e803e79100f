//! Exact percentiles of a sample of latencies.

use std::time::Duration;

use serde::Serialize;

/// Percentiles of one latency sample, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Percentiles {
    /// Number of values in the sample.
    pub count: usize,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Percentiles {
    /// Computes the nearest-rank percentiles of `values_us` (microseconds),
    /// or returns `None` for an empty sample.
    pub fn of_micros(mut values_us: Vec<u64>) -> Option<Percentiles> {
        if values_us.is_empty() {
            return None;
        }
        values_us.sort_unstable();
        let at = |quantile: f64| micros_to_ms(nearest_rank(&values_us, quantile));
        Some(Percentiles {
            count: values_us.len(),
            p50_ms: at(0.50),
            p90_ms: at(0.90),
            p99_ms: at(0.99),
            max_ms: at(1.0),
        })
    }
}

/// Returns the value of rank ceil(quantile × n) in a sorted, non-empty slice.
fn nearest_rank(sorted: &[u64], quantile: f64) -> u64 {
    let rank = (quantile * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn micros_to_ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

/// Returns the median of `values` (the lower middle one of an even
/// count), or `None` when it is empty.
pub fn median<T: Ord + Copy>(values: &[T]) -> Option<T> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    sorted.get(sorted.len().saturating_sub(1) / 2).copied()
}

/// Returns `count` events per second over `elapsed`, or 0 for no time.
pub fn per_second(count: u64, elapsed: Duration) -> f64 {
    let seconds = elapsed.as_secs_f64();
    if seconds > 0.0 {
        count as f64 / seconds
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let values: Vec<u64> = (1..=100).map(|ms| ms * 1000).collect();

        let percentiles = Percentiles::of_micros(values).expect("non-empty sample");

        assert_eq!(percentiles.count, 100);
        assert_eq!(percentiles.p50_ms, 50.0);
        assert_eq!(percentiles.p90_ms, 90.0);
        assert_eq!(percentiles.p99_ms, 99.0);
        assert_eq!(percentiles.max_ms, 100.0);
    }

    #[test]
    fn percentiles_of_one_value() {
        let percentiles = Percentiles::of_micros(vec![1500]).expect("non-empty sample");

        assert_eq!(percentiles.p50_ms, 1.5);
        assert_eq!(percentiles.p99_ms, 1.5);
        assert_eq!(percentiles.max_ms, 1.5);
    }

    #[test]
    fn percentiles_of_unsorted_sample() {
        let percentiles = Percentiles::of_micros(vec![9000, 1000, 5000]).expect("non-empty");

        assert_eq!(percentiles.p50_ms, 5.0);
        assert_eq!(percentiles.max_ms, 9.0);
    }

    #[test]
    fn empty_sample_has_no_percentiles() {
        assert_eq!(Percentiles::of_micros(Vec::new()), None);
    }

    #[test]
    fn median_picks_lower_middle() {
        let durations = [3, 1, 2, 4].map(Duration::from_millis);

        assert_eq!(median(&durations), Some(Duration::from_millis(2)));
        assert_eq!(median::<u64>(&[]), None);
    }

    #[test]
    fn per_second_divides_by_elapsed() {
        assert_eq!(per_second(500, Duration::from_millis(250)), 2000.0);
        assert_eq!(per_second(5, Duration::ZERO), 0.0);
    }
}
