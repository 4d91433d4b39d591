//! The learner's progress through the course, kept in this browser
//! (localStorage): per lesson, the prediction made, whether the run agreed, and
//! whether the lesson's check passed. Nothing leaves the browser.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const KEY: &str = "locklab.progress.v1";

/// One lesson's progress.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// The choice predicted last, by its index.
    pub predicted: Option<usize>,
    /// The last run agreed with that prediction.
    pub agreed: bool,
    /// The lesson's check passed on a run of it.
    pub passed: bool,
}

/// Every lesson's progress, by lesson id.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress(pub BTreeMap<String, Step>);

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

impl Progress {
    /// What this browser kept; nothing when it kept nothing, or something this
    /// version cannot read.
    pub fn load() -> Progress {
        storage()
            .and_then(|s| s.get_item(KEY).ok()?)
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    pub fn save(&self) {
        if let (Some(s), Ok(text)) = (storage(), serde_json::to_string(self)) {
            let _ = s.set_item(KEY, &text);
        }
    }

    pub fn step(&self, lesson: &str) -> Step {
        self.0.get(lesson).cloned().unwrap_or_default()
    }

    /// This progress with `lesson`'s step changed by `change`.
    pub fn with(&self, lesson: &str, change: impl FnOnce(&mut Step)) -> Progress {
        let mut next = self.clone();
        change(next.0.entry(lesson.to_string()).or_default());
        next
    }

    /// How many lessons' checks passed.
    pub fn passed(&self) -> usize {
        self.0.values().filter(|s| s.passed).count()
    }
}
