//! Replay of a finished run, for narration: a playhead that moves through the
//! run's time at a chosen fraction of real time, pauses, jumps, and steps from
//! one event to the next or the one before. The page draws the playhead on the
//! timeline, lists what every connection holds there, and counts the metrics up
//! to it; nothing here knows of a page.

use crate::trace::TraceEvent;

/// The speeds a replay offers: (label, fraction of real time).
pub const SPEEDS: [(&str, f64); 6] = [
    ("1/50", 0.02),
    ("1/20", 0.05),
    ("1/10", 0.1),
    ("1/5", 0.2),
    ("1/2", 0.5),
    ("1x", 1.0),
];

/// The speed a replay starts at: slow enough to narrate a run of a second.
pub const DEFAULT_SPEED: usize = 2;

/// A playhead over a run of `end_us`, with the times of its events to step by.
#[derive(Clone, Debug, PartialEq)]
pub struct Replay {
    /// The moments to step to, in order: every event, and the ends of statements
    /// and busy waits.
    times: Vec<u64>,
    end_us: u64,
    playhead_us: u64,
    /// Index into [`SPEEDS`].
    speed: usize,
    playing: bool,
}

impl Replay {
    /// A replay of `events` (sorted by time) that ends at `end_us`, paused at 0.
    /// It steps to every event and to where every statement and busy wait ended.
    pub fn new(events: &[TraceEvent], end_us: u64) -> Replay {
        let mut times: Vec<u64> = events
            .iter()
            .flat_map(|e| {
                let end = e.kind.dur_us().map(|d| e.t_us + d);
                std::iter::once(e.t_us).chain(end)
            })
            .collect();
        times.sort_unstable();
        times.dedup();
        Replay {
            times,
            end_us: end_us.max(events.last().map_or(0, |e| e.t_us)),
            playhead_us: 0,
            speed: DEFAULT_SPEED,
            playing: false,
        }
    }

    pub fn playhead_us(&self) -> u64 {
        self.playhead_us
    }

    pub fn end_us(&self) -> u64 {
        self.end_us
    }

    pub fn playing(&self) -> bool {
        self.playing
    }

    pub fn speed(&self) -> usize {
        self.speed
    }

    /// How many of `events` (the run's, sorted by time) happened at or before the
    /// playhead.
    pub fn events_seen(&self, events: &[TraceEvent]) -> usize {
        events.partition_point(|e| e.t_us <= self.playhead_us)
    }

    /// Play, or pause. Playing from the end starts again from the beginning.
    pub fn toggle(&mut self) {
        if !self.playing && self.playhead_us >= self.end_us {
            self.playhead_us = 0;
        }
        self.playing = !self.playing;
    }

    pub fn set_speed(&mut self, speed: usize) {
        self.speed = speed.min(SPEEDS.len() - 1);
    }

    /// `real_ms` of real time passed: a playing playhead moves by that much run
    /// time times the speed, and stops (pausing) at the end.
    pub fn advance(&mut self, real_ms: f64) {
        if !self.playing {
            return;
        }
        let run_us = (real_ms.max(0.0) * 1000.0 * SPEEDS[self.speed].1) as u64;
        self.playhead_us = (self.playhead_us + run_us).min(self.end_us);
        if self.playhead_us >= self.end_us {
            self.playing = false;
        }
    }

    /// Put the playhead at `t_us` (within the run), paused.
    pub fn seek(&mut self, t_us: u64) {
        self.playhead_us = t_us.min(self.end_us);
        self.playing = false;
    }

    /// Pause and move to the next event after the playhead (forward) or the last
    /// one before it; stay where it is when there is none.
    pub fn step(&mut self, forward: bool) {
        self.playing = false;
        let here = self.playhead_us;
        let next = if forward {
            let at = self.times.partition_point(|&t| t <= here);
            self.times.get(at).copied()
        } else {
            let at = self.times.partition_point(|&t| t < here);
            at.checked_sub(1).map(|i| self.times[i])
        };
        if let Some(t) = next {
            self.playhead_us = t;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::EventKind;

    fn events(times: &[u64]) -> Vec<TraceEvent> {
        times
            .iter()
            .map(|&t_us| TraceEvent {
                t_us,
                worker: 0,
                kind: EventKind::WorkerEnd,
            })
            .collect()
    }

    #[test]
    fn playing_moves_the_playhead_at_the_chosen_fraction_of_real_time_and_stops_at_the_end() {
        let run = events(&[0, 10_000, 20_000]);
        let mut r = Replay::new(&run, 50_000);
        r.advance(100.0);
        assert_eq!(r.playhead_us(), 0, "paused: nothing moves");
        r.toggle();
        r.set_speed(2); // 1/10
        r.advance(100.0);
        assert_eq!(r.playhead_us(), 10_000);
        assert_eq!(r.events_seen(&run), 2);
        r.set_speed(5); // 1x
        r.advance(1000.0);
        assert_eq!((r.playhead_us(), r.playing()), (50_000, false));
        r.toggle();
        assert_eq!(
            (r.playhead_us(), r.playing()),
            (0, true),
            "again from the start"
        );
    }

    #[test]
    fn steps_go_from_event_to_event_both_ways_and_stop_at_the_ends() {
        let run = events(&[5, 5, 30, 70]);
        let mut r = Replay::new(&run, 100);
        r.toggle();
        let mut forward = Vec::new();
        for _ in 0..4 {
            r.step(true);
            forward.push(r.playhead_us());
        }
        assert_eq!(forward, vec![5, 30, 70, 70]);
        assert!(!r.playing(), "a step pauses");
        let mut back = Vec::new();
        for _ in 0..4 {
            r.step(false);
            back.push(r.playhead_us());
        }
        assert_eq!(back, vec![30, 5, 5, 5]);
        r.seek(40);
        assert_eq!((r.playhead_us(), r.events_seen(&run)), (40, 3));
        r.seek(1000);
        assert_eq!(r.playhead_us(), 100, "seeking stays within the run");
    }
}

#[cfg(test)]
mod ends {
    use super::*;
    use crate::trace::{EventKind, Step};

    #[test]
    fn steps_stop_where_a_statement_or_a_busy_wait_ends_too() {
        let at = |t_us, kind| TraceEvent {
            t_us,
            worker: 0,
            kind,
        };
        let run = [
            at(
                10,
                EventKind::Statement {
                    step: Step::Claim,
                    sql: "SELECT 1".into(),
                    dur_us: 15,
                },
            ),
            at(
                40,
                EventKind::BusyWait {
                    requested_us: 1000,
                    dur_us: 1000,
                },
            ),
            // The page cache's write-back is a span too (the exported trace's).
            at(
                1100,
                EventKind::WriteBack {
                    db: crate::trace::DbFile::Queue,
                    file: crate::trace::FileRole::Wal,
                    pages: 3,
                    dur_us: 200,
                },
            ),
        ];
        let mut r = Replay::new(&run, 2000);
        let mut stops = Vec::new();
        for _ in 0..6 {
            r.step(true);
            stops.push(r.playhead_us());
        }
        assert_eq!(stops, vec![10, 25, 40, 1040, 1100, 1300]);
    }
}
