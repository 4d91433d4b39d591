//! What a write to a WAL file says about the log, for the trace: the log grew
//! (the write ended past the file's end), or it started over (its header was
//! written again while the file held frames: the next writer restarts the log
//! once a checkpoint has copied every frame back and no reader reads from it;
//! the first write over an old WAL in which recovery found no commit looks the
//! same). Both VFSes ask this of every write to a `-wal` file, so the shared
//! VFS and the traced unix VFS say the same.

use crate::trace::{DbFile, EventKind};

/// How finely the log's growth is recorded: a write that takes the file into
/// another block of this many bytes says so (every frame would double a WAL
/// run's events).
pub const GROWTH_STEP: u64 = 64 * 1024;

/// The events of a write of `len` bytes at `offset` to `db`'s WAL file, which
/// was `size_before` bytes long.
pub fn write_events(db: DbFile, offset: u64, len: u64, size_before: u64) -> Vec<EventKind> {
    let mut events = Vec::new();
    if offset == 0 && size_before > 0 {
        events.push(EventKind::WalRestarted { db });
    }
    let end = offset + len;
    let into_another_step = size_before == 0 || end / GROWTH_STEP > size_before / GROWTH_STEP;
    if end > size_before && into_another_step {
        events.push(EventKind::WalGrew { db, bytes: end });
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_past_the_end_grows_the_log_and_a_header_over_frames_restarts_it() {
        let q = DbFile::Queue;
        // The first header and frame of a new log: it grows, it does not restart.
        assert_eq!(
            write_events(q, 0, 32, 0),
            vec![EventKind::WalGrew { db: q, bytes: 32 }]
        );
        // A frame appended within the first 64 KiB: not said again.
        assert_eq!(write_events(q, 32, 4120, 32), vec![]);
        // A frame that takes the file past 64 KiB.
        assert_eq!(
            write_events(q, 63_000, 4120, 63_000),
            vec![EventKind::WalGrew {
                db: q,
                bytes: 67_120
            }]
        );
        // A frame written over an old one, inside the file: nothing to say.
        assert_eq!(write_events(q, 32, 4120, 8272), vec![]);
        // The header again over a file of frames: the log started over.
        assert_eq!(
            write_events(q, 0, 32, 8272),
            vec![EventKind::WalRestarted { db: q }]
        );
    }
}
