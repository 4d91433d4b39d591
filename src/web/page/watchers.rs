//! Callbacks that watch something of the page that changes outside yew's
//! renders (the store's state, the timeline's window), each until its `Watch`
//! is dropped: a component watches in an effect and drops the watch in the
//! effect's clean-up.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use yew::Callback;

type List<T> = RefCell<Vec<(u64, Callback<T>)>>;

pub struct Watchers<T> {
    list: Rc<List<T>>,
    next: Cell<u64>,
}

impl<T> Default for Watchers<T> {
    fn default() -> Self {
        Watchers {
            list: Rc::default(),
            next: Cell::new(0),
        }
    }
}

/// A watcher, until dropped.
pub struct Watch(Option<Box<dyn FnOnce()>>);

impl Drop for Watch {
    fn drop(&mut self) {
        if let Some(unwatch) = self.0.take() {
            unwatch();
        }
    }
}

impl<T: Clone + 'static> Watchers<T> {
    /// Call `on_change` at every change told, until the `Watch` is dropped.
    pub fn watch(&self, on_change: Callback<T>) -> Watch {
        let id = self.next.get();
        self.next.set(id + 1);
        self.list.borrow_mut().push((id, on_change));
        let list: Weak<List<T>> = Rc::downgrade(&self.list);
        Watch(Some(Box::new(move || {
            if let Some(list) = list.upgrade() {
                list.borrow_mut().retain(|(i, _)| *i != id);
            }
        })))
    }

    /// Tell every watcher of `value`.
    pub fn tell(&self, value: T) {
        // Cloned first: a watcher may watch or stop watching meanwhile.
        let watchers: Vec<Callback<T>> =
            self.list.borrow().iter().map(|(_, w)| w.clone()).collect();
        for watcher in watchers {
            watcher.emit(value.clone());
        }
    }
}
