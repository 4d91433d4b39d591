//! What a person is looking at in a timeline: the lane under the pointer (its
//! wait-for edges are drawn, however many), a cursor kept by a click or the
//! keyboard, and the details shown under the lanes. One state, changed only by
//! the actions below.

use crate::timeline::paint::Cursor;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Clone, Default, PartialEq)]
pub(super) struct Inspect {
    /// The lane under the pointer.
    pub pointed: Option<usize>,
    /// A clicked or keyed cursor: it keeps its details until let go.
    pub cursor: Option<Cursor>,
    /// The lines shown under the lanes.
    pub details: Vec<String>,
}

pub(super) enum Look {
    /// The pointer is over this lane (or none).
    Point(Option<usize>),
    /// The pointer shows these details, unless a cursor keeps its own.
    Hover(Vec<String>),
    /// A cursor is set here, with these details.
    Keep(Cursor, Vec<String>),
    /// Escape: the cursor and its details go.
    LetGo,
    /// The pointer left the lanes.
    Leave,
}

impl Reducible for Inspect {
    type Action = Look;

    fn reduce(self: Rc<Self>, action: Look) -> Rc<Self> {
        let next = match action {
            Look::Point(lane) if lane != self.pointed => Inspect {
                pointed: lane,
                ..(*self).clone()
            },
            Look::Hover(details) if self.cursor.is_none() && details != self.details => Inspect {
                details,
                ..(*self).clone()
            },
            Look::Keep(cursor, details) => Inspect {
                cursor: Some(cursor),
                details,
                ..(*self).clone()
            },
            Look::LetGo => Inspect {
                pointed: self.pointed,
                ..Inspect::default()
            },
            Look::Leave if self.cursor.is_none() => Inspect::default(),
            Look::Leave => Inspect {
                pointed: None,
                ..(*self).clone()
            },
            _ => return self,
        };
        Rc::new(next)
    }
}
