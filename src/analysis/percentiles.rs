//! Nearest-rank percentiles of a run's durations (latencies, write-lock holds,
//! hand-offs), as the report and the live panel show them.

use crate::duration::ms;
use serde::{Deserialize, Serialize};

/// The count, p50, p95, p99, max and mean of some durations, in ms.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    pub count: u64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
    pub mean: f64,
}

impl Percentiles {
    /// Nearest-rank percentiles of `values` (any order).
    pub fn of(mut values: Vec<f64>) -> Percentiles {
        if values.is_empty() {
            return Percentiles::default();
        }
        crate::ordering::sort_by(&mut values, |a, b| a.total_cmp(b));
        let rank =
            |p: f64| values[((p * values.len() as f64).ceil() as usize).clamp(1, values.len()) - 1];
        Percentiles {
            count: values.len() as u64,
            p50: rank(0.50),
            p95: rank(0.95),
            p99: rank(0.99),
            max: values[values.len() - 1],
            mean: values.iter().sum::<f64>() / values.len() as f64,
        }
    }

    /// Nearest-rank percentiles, in ms, of durations in µs (any order). Chooses
    /// the ranks in linear time rather than sorting (the live panel asks for a
    /// million-job run's percentiles several times a second), and sums whole µs,
    /// so the mean does not depend on the order the values came in.
    pub fn of_us(mut values: Vec<u64>) -> Percentiles {
        let n = values.len();
        if n == 0 {
            return Percentiles::default();
        }
        let rank = |p: f64| ((p * n as f64).ceil() as usize).clamp(1, n) - 1;
        let (r50, r95, r99) = (rank(0.50), rank(0.95), rank(0.99));
        // Each choice leaves the smaller values before it: the next, lower rank
        // is chosen among those.
        let (_, p99, above) = values.select_nth_unstable(r99);
        let (p99, max) = (*p99, above.iter().copied().max().unwrap_or(*p99));
        let p95 = *values[..=r99].select_nth_unstable(r95).1;
        let p50 = *values[..=r95].select_nth_unstable(r50).1;
        let sum: u128 = values.iter().map(|&v| u128::from(v)).sum();
        Percentiles {
            count: n as u64,
            p50: ms(p50),
            p95: ms(p95),
            p99: ms(p99),
            max: ms(max),
            mean: sum as f64 / 1000.0 / n as f64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let p = Percentiles::of((1..=100).map(f64::from).collect());
        assert_eq!(
            (p.p50, p.p95, p.p99, p.max, p.count),
            (50.0, 95.0, 99.0, 100.0, 100)
        );
        assert_eq!(Percentiles::of(vec![]).count, 0);
    }

    #[test]
    fn percentiles_of_whole_microseconds_choose_the_same_ranks() {
        // 1..=1000 ms in a scrambled order.
        let us: Vec<u64> = (0..1000u64).map(|i| (i * 389 % 1000 + 1) * 1000).collect();
        let p = Percentiles::of_us(us.clone());
        let sorted = Percentiles::of(us.iter().map(|&u| u as f64 / 1000.0).collect());
        assert_eq!(
            (p.count, p.p50, p.p95, p.p99, p.max),
            (sorted.count, sorted.p50, sorted.p95, sorted.p99, sorted.max)
        );
        assert_eq!(p.mean, 500.5);
        assert_eq!(Percentiles::of_us(vec![7]).p99, 0.007);
        assert_eq!(Percentiles::of_us(vec![]).count, 0);
    }
}
