//! A run's kept events put in time order (and, at the same µs, by worker), each
//! worker's events of one µs in the order they arrived: what a stable sort by
//! `(t_us, worker)` gives, at a fraction of its cost. The events arrive in
//! batches from many workers at once, too interleaved for a stable sort to find
//! runs in, and a stable sort of 48- or 64-byte events moves each several times:
//! over a 16-worker run's 170,000 events it cost the page's main thread about
//! 60 ms in one task. Here only 16-byte keys are sorted (time, worker, place of
//! arrival: all different, so an unstable sort keeps arrival order), and each
//! event is then moved once, to its place.

use crate::trace::TraceEvent;

/// Sort `events` by `(t_us, worker)`, keeping the order of arrival between
/// events of equal keys.
pub(super) fn in_time_order(events: &mut [TraceEvent]) {
    let mut keys: Vec<u128> = events
        .iter()
        .enumerate()
        .map(|(i, e)| (u128::from(e.t_us) << 64) | (u128::from(e.worker) << 32) | i as u128)
        .collect();
    keys.sort_unstable();
    // Place `k` takes the event that arrived at `keys[k]`'s place: follow each
    // cycle of that permutation once, carrying one event along by swaps.
    let from = |k: usize| (keys[k] & u128::from(u32::MAX)) as usize;
    let mut placed = vec![false; events.len()];
    for start in 0..events.len() {
        let mut at = start;
        while !placed[at] {
            placed[at] = true;
            let next = from(at);
            if next == start {
                break;
            }
            events.swap(at, next);
            at = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::EventKind;

    #[test]
    fn the_same_order_as_a_stable_sort_by_time_and_worker() {
        // Events of 5 workers, in an arrival order shuffled by a fixed rule,
        // with many equal times so that arrival order decides between them.
        let mut events: Vec<TraceEvent> = (0..5_000u64)
            .map(|i| TraceEvent {
                t_us: (i * 7_919) % 613,
                worker: ((i * 31) % 5) as u32,
                kind: EventKind::JobClaimed { job: i as i64 },
            })
            .collect();
        let mut expected = events.clone();
        expected.sort_by_key(|e| (e.t_us, e.worker));
        in_time_order(&mut events);
        assert_eq!(events, expected);
    }
}
