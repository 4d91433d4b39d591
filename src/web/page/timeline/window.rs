//! The timeline's window (the span of a run's time it shows), kept apart from the
//! components that show it. Zooming or panning sets it here; only the timelines
//! that show it draw again, and whoever else watches it (the page's address) is
//! told too, without the page around them rendering again: a million-job run's
//! view (metrics, incidents, replay, wait-for matrix) costs tens of ms to render,
//! a frame 16.7.

use crate::web::page::watchers::{Watch, Watchers};
use std::cell::Cell;
use std::rc::Rc;
use yew::prelude::*;

/// A window of the run, in µs; `None` follows the whole run so far.
pub type Window = Option<(u64, u64)>;

/// The window of stacked timelines (or of a timeline whose window the page
/// keeps), and their axis.
#[derive(Clone, PartialEq)]
pub struct SharedWindow {
    pub window: Rc<WindowCell>,
    /// The axis's end in µs: the longest run's time.
    pub axis_us: u64,
}

/// A window of time, shared by whoever shows or keeps it.
#[derive(Default)]
pub struct WindowCell {
    window: Cell<Window>,
    watchers: Watchers<Window>,
}

/// A cell is the same window as itself only: two timelines share a window when
/// they share its cell.
impl PartialEq for WindowCell {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl WindowCell {
    pub fn new(window: Window) -> WindowCell {
        WindowCell {
            window: Cell::new(window),
            ..WindowCell::default()
        }
    }

    pub fn get(&self) -> Window {
        self.window.get()
    }

    /// Move the window; every watcher hears of it, if it moved.
    pub fn set(&self, window: Window) {
        if self.window.replace(window) == window {
            return;
        }
        self.watchers.tell(window);
    }

    /// Call `on_move` at every move of the window, until the `Watch` is dropped.
    pub fn watch(&self, on_move: Callback<Window>) -> Watch {
        self.watchers.watch(on_move)
    }
}

/// The window `cell` holds now; the component calling this renders again
/// whenever it moves.
#[hook]
pub fn use_window(cell: &Rc<WindowCell>) -> Window {
    let rerender = use_force_update();
    use_effect_with(cell.clone(), move |cell| {
        let watch = cell.watch(Callback::from(move |_| rerender.force_update()));
        move || drop(watch)
    });
    cell.get()
}
