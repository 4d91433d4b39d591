//! One stable sort for the many small lists the page sorts (rows of a table,
//! marks near a point, the spans of an export), shared by all of them.
//!
//! `slice::sort_by_key` is compiled anew for every element type and every key
//! closure: about 4 KB of wasm each, and the page had 18 of them (70 KB of its
//! 1 MB). Here only the key extraction and a short permutation are generic; the
//! merge sort itself is compiled once and compares through a `dyn` closure. Hot
//! sorts of millions of items (a run's events, its latencies) keep the standard
//! library's.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// Sort `items` by `key`, stably: items with equal keys keep their order.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
    let keys: Vec<K> = items.iter().map(key).collect();
    let order = stable_order(keys.len(), &|a, b| keys[a].cmp(&keys[b]));
    permute(items, order);
}

/// Sort `items` by `cmp`, stably.
pub fn sort_by<T>(items: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    let order = stable_order(items.len(), &|a, b| cmp(&items[a], &items[b]));
    permute(items, order);
}

/// A map of `pairs`, a later value for a key replacing an earlier one, as
/// `collect` gives; inserted one by one, since `collect` first sorts the pairs
/// with a sort of their own.
pub fn map_of<K: Ord, V>(pairs: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    for (k, v) in pairs {
        map.insert(k, v);
    }
    map
}

/// A set of `items`, inserted one by one (see [`map_of`]).
pub fn set_of<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    let mut set = BTreeSet::new();
    for item in items {
        set.insert(item);
    }
    set
}

/// Sort `items` by their own order, stably.
pub fn sort<T: Ord>(items: &mut [T]) {
    let order = stable_order(items.len(), &|a, b| items[a].cmp(&items[b]));
    permute(items, order);
}

/// The indices `0..n` in the order `cmp` gives them, equal ones in index order:
/// a bottom-up merge sort, compiled once.
fn stable_order(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut merged = vec![0; n];
    let mut width = 1;
    while width < n {
        for start in (0..n).step_by(2 * width) {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut left, mut right) = (start, mid);
            for slot in &mut merged[start..end] {
                // Take from the left run unless the right one's is strictly less.
                let take_left =
                    right == end || (left < mid && cmp(order[right], order[left]).is_ge());
                *slot = if take_left { order[left] } else { order[right] };
                if take_left {
                    left += 1;
                } else {
                    right += 1;
                }
            }
        }
        std::mem::swap(&mut order, &mut merged);
        width *= 2;
    }
    order
}

/// Rearrange `items` so that position i holds what was at `order[i]`, following
/// each cycle of the permutation with swaps.
pub(crate) fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    const DONE: usize = usize::MAX;
    for start in 0..items.len() {
        let mut at = start;
        while order[at] != DONE {
            let from = order[at];
            order[at] = DONE;
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_the_standard_library_and_keeps_equal_keys_in_order() {
        // Pseudo-random pairs with many equal keys, of every length up to 70.
        let mut seed = 7u32;
        for n in 0..70 {
            let items: Vec<(u32, usize)> = (0..n)
                .map(|i| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    ((seed >> 16) % 5, i)
                })
                .collect();
            let mut ours = items.clone();
            sort_by_key(&mut ours, |p| p.0);
            let mut std = items.clone();
            std.sort_by_key(|p| p.0);
            assert_eq!(ours, std, "n = {n}");
            let mut whole = items.clone();
            sort(&mut whole);
            let mut std_whole = items;
            std_whole.sort();
            assert_eq!(whole, std_whole);
        }
    }

    #[test]
    fn moves_items_that_are_not_copy() {
        let mut names = vec!["c".to_string(), "a".to_string(), "b".to_string()];
        sort(&mut names);
        assert_eq!(names, ["a", "b", "c"]);
        let mut floats = vec![2.5, -1.0, 0.0];
        sort_by(&mut floats, |a: &f64, b| a.total_cmp(b));
        assert_eq!(floats, [-1.0, 0.0, 2.5]);
    }

    #[test]
    fn maps_and_sets_collect_as_collect_does() {
        let pairs = [(2, "a"), (1, "b"), (2, "c")];
        assert_eq!(map_of(pairs), pairs.into_iter().collect::<BTreeMap<_, _>>());
        assert_eq!(set_of([3, 1, 3]), BTreeSet::from([1, 3]));
    }
}
