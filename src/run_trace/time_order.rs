//! A run's kept events put in time order (and, at the same µs, by worker), each
//! worker's events of one µs in the order they arrived: what a stable sort by
//! `(t_us, worker)` gives, at a fraction of its cost. The events arrive in
//! batches from many workers at once, too interleaved for a stable sort to find
//! runs in, and a comparison sort of 48- or 64-byte events moves each several
//! times: over a 16-worker run's 170,000 events it cost the page's main thread
//! about 60 ms in one task (and sorting 16-byte keys instead, 40). Here the
//! arrival places are ordered by a radix sort, stable, 16 bits a pass (the
//! worker, then the time from its low bits up: two or three passes for times
//! under 71 minutes), and each event is then moved once, to its place.

use crate::trace::TraceEvent;

/// The bits a radix pass sorts by.
const DIGIT: u32 = 16;

/// Where each event goes when `events` are sorted by `(t_us, worker)`, keeping
/// the order of arrival between events of equal keys: place `k` takes the event
/// that arrived at `order[k]`. (`permute` then moves each event once.)
pub(super) fn time_order(events: &[TraceEvent]) -> Vec<usize> {
    let n = events.len();
    let keys: Vec<(u64, u64)> = events
        .iter()
        .map(|e| (e.t_us, u64::from(e.worker)))
        .collect();
    let (max_t, max_worker) = keys
        .iter()
        .fold((0, 0), |(t, w), k| (t.max(k.0), w.max(k.1)));
    // Arrival places, ordered by each pass in turn; every pass is stable, so
    // the last (the time's highest digit) decides first, and equal keys stay
    // in arrival order.
    let mut order: Vec<u32> = (0..n as u32).collect();
    let mut sorted = vec![0u32; n];
    let mut count = vec![0usize; 1 << DIGIT];
    let passes = (0..)
        .map(|d| (false, d * DIGIT))
        .take_while(|(_, shift)| *shift < 64 && (*shift == 0 || max_worker >> shift > 0))
        .chain(
            (0..)
                .map(|d| (true, d * DIGIT))
                .take_while(|(_, shift)| *shift < 64 && (*shift == 0 || max_t >> shift > 0)),
        );
    for (by_time, shift) in passes {
        let digit = |i: u32| {
            let (t, w) = keys[i as usize];
            (((if by_time { t } else { w }) >> shift) & ((1 << DIGIT) - 1)) as usize
        };
        count.fill(0);
        for &i in &order {
            count[digit(i)] += 1;
        }
        let mut at = 0;
        for c in count.iter_mut() {
            (*c, at) = (at, at + *c);
        }
        for &i in &order {
            let d = digit(i);
            sorted[count[d]] = i;
            count[d] += 1;
        }
        std::mem::swap(&mut order, &mut sorted);
    }
    order.into_iter().map(|i| i as usize).collect()
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
                // Times past 2^32 µs too: a third pass over the time's digits.
                t_us: (i * 7_919) % 613 + if i % 3 == 0 { 1 << 33 } else { 0 },
                worker: ((i * 31) % 5) as u32,
                kind: EventKind::JobClaimed { job: i as i64 },
            })
            .collect();
        let mut expected = events.clone();
        expected.sort_by_key(|e| (e.t_us, e.worker));
        let order = time_order(&events);
        crate::ordering::permute(&mut events, order);
        assert_eq!(events, expected);
    }
}
