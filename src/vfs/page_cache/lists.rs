//! The cache's lists, doubly linked through its slots' words: the free slots, the
//! clean pages from most to least recently used, each file's dirty pages and
//! each file's pages being written back.
//! A list is three header words (first, last, count); a slot's neighbours are
//! two of its words (each a slot + 1, 0 for none). Used with the spin lock held.

use super::{Locked, MAX_FILES};

/// Where the lists' header words start, and end.
const AT: usize = 4;
const LIST_WORDS: usize = 3;
pub const END: usize = AT + (2 + 2 * MAX_FILES) * LIST_WORDS;
/// A slot's neighbour words.
const PREV: usize = 4;
const NEXT: usize = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct List(usize);

pub const FREE: List = List(0);
pub const LRU: List = List(1);

impl List {
    pub fn dirty(file: usize) -> List {
        List(2 + file)
    }
    /// The file's pages being written back by a sync, outside the cache's lock.
    pub fn syncing(file: usize) -> List {
        List(2 + MAX_FILES + file)
    }
}

/// A list of the locked cache.
pub struct ListView<'l, 'a> {
    l: &'l Locked<'a>,
    at: usize,
}

impl<'a> Locked<'a> {
    pub(super) fn list(&self, list: List) -> ListView<'_, 'a> {
        ListView {
            l: self,
            at: AT + list.0 * LIST_WORDS,
        }
    }
}

impl ListView<'_, '_> {
    fn first(&self) -> i32 {
        self.l.get(self.at)
    }
    fn last(&self) -> i32 {
        self.l.get(self.at + 1)
    }
    pub fn count(&self) -> usize {
        self.l.get(self.at + 2) as usize
    }
    fn add_count(&self, by: i32) {
        self.l.set(self.at + 2, self.l.get(self.at + 2) + by);
    }

    pub fn push_front(&self, s: usize) {
        let first = self.first();
        self.l.set_slot_word(s, PREV, 0);
        self.l.set_slot_word(s, NEXT, first);
        if first != 0 {
            self.l.set_slot_word(first as usize - 1, PREV, s as i32 + 1);
        } else {
            self.l.set(self.at + 1, s as i32 + 1);
        }
        self.l.set(self.at, s as i32 + 1);
        self.add_count(1);
    }

    pub fn remove(&self, s: usize) {
        let prev = self.l.slot_word(s, PREV);
        let next = self.l.slot_word(s, NEXT);
        if prev != 0 {
            self.l.set_slot_word(prev as usize - 1, NEXT, next);
        } else {
            self.l.set(self.at, next);
        }
        if next != 0 {
            self.l.set_slot_word(next as usize - 1, PREV, prev);
        } else {
            self.l.set(self.at + 1, prev);
        }
        self.add_count(-1);
    }

    /// Take the last slot off the list (for the clean pages: the least recently used).
    pub fn pop_back(&self) -> Option<usize> {
        let last = self.last();
        (last != 0).then(|| {
            let s = last as usize - 1;
            self.remove(s);
            s
        })
    }

    pub fn move_to_front(&self, s: usize) {
        if self.first() != s as i32 + 1 {
            self.remove(s);
            self.push_front(s);
        }
    }

    /// The slots on the list, first to last.
    pub fn slots(&self) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.count());
        let mut s = self.first();
        while s != 0 {
            out.push(s as usize - 1);
            s = self.l.slot_word(s as usize - 1, NEXT);
        }
        out
    }
}
