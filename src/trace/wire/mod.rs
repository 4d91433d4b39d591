//! Trace events as bytes, for their trip from a Web Worker to the page.
//!
//! A short transaction records a dozen events, so a run of a few thousand jobs
//! sends tens of thousands of them while it goes on. As JSON each cost about a
//! microsecond to write in the worker and more to read on the page (the events'
//! tagged, flattened serde form is read through a buffer), on the same two or
//! four cores the workers run on. Here an event is a tag byte and its fields as
//! bytes and variable-length integers; a text (a statement's SQL, an error's
//! name and message) is written once per batch and then named by its number.
//!
//! The format lives only between `encode` and `decode` of the same build; the
//! trace's public form (the run report, the Chrome trace) is unchanged.

use crate::lock::LockLevel;
use crate::trace::{DbFile, EventKind, FileRole, Role, Step, Text, TraceEvent};
use crate::wire::{self, Wire};
use std::collections::HashMap;
use std::ops::{Deref, DerefMut};

/// The events as bytes.
pub fn encode(events: &[TraceEvent]) -> Vec<u8> {
    let mut w = Writer {
        out: wire::Writer {
            bytes: Vec::with_capacity(events.len() * 8),
        },
        texts: HashMap::new(),
    };
    w.uint(events.len() as u64);
    for e in events {
        w.uint(e.t_us);
        w.uint(u64::from(e.worker));
        w.event(&e.kind);
    }
    w.out.bytes
}

/// The events back from bytes that `encode` wrote.
pub fn decode(bytes: &[u8]) -> Result<Vec<TraceEvent>, String> {
    let mut r = Reader {
        r: wire::Reader::new(bytes),
        texts: Vec::new(),
    };
    let n = r.count();
    // Each event takes at least three bytes: do not reserve beyond that.
    let mut events = Vec::with_capacity(n.min(bytes.len() / 3));
    for _ in 0..n {
        let t_us = r.uint();
        let worker = Wire::take(&mut r.r);
        let kind = r.event();
        events.push(TraceEvent { t_us, worker, kind });
    }
    if r.left() > 0 {
        let left = r.left();
        r.fail(|| format!("{left} bytes left after the events"));
    }
    r.result(events)
}

// Each enum's byte is its place in the list; `*_code` matches exhaustively, so a
// new variant cannot be forgotten here (the tests check both agree).
const ROLES: [Role; 3] = [Role::Writer, Role::Reader, Role::Console];
const STEPS: [Step; 7] = [
    Step::Open,
    Step::Claim,
    Step::Heartbeat,
    Step::Result,
    Step::Job,
    Step::Read,
    Step::Console,
];
const DBS: [DbFile; 2] = [DbFile::Queue, DbFile::Results];
const FILES: [FileRole; 4] = [
    FileRole::Db,
    FileRole::Journal,
    FileRole::Wal,
    FileRole::Other,
];

fn role_code(r: Role) -> u8 {
    match r {
        Role::Writer => 0,
        Role::Reader => 1,
        Role::Console => 2,
    }
}
fn step_code(s: Step) -> u8 {
    match s {
        Step::Open => 0,
        Step::Claim => 1,
        Step::Heartbeat => 2,
        Step::Result => 3,
        Step::Job => 4,
        Step::Read => 5,
        Step::Console => 6,
    }
}
fn db_code(d: DbFile) -> u8 {
    match d {
        DbFile::Queue => 0,
        DbFile::Results => 1,
    }
}
fn file_code(f: FileRole) -> u8 {
    match f {
        FileRole::Db => 0,
        FileRole::Journal => 1,
        FileRole::Wal => 2,
        FileRole::Other => 3,
    }
}

impl Wire for Role {
    fn put(&self, w: &mut wire::Writer) {
        w.byte(role_code(*self));
    }
    fn take(r: &mut wire::Reader) -> Self {
        r.pick(&ROLES, "role")
    }
}

impl Wire for Step {
    fn put(&self, w: &mut wire::Writer) {
        w.byte(step_code(*self));
    }
    fn take(r: &mut wire::Reader) -> Self {
        r.pick(&STEPS, "step")
    }
}

/// A batch of events inside a message, as `encode` writes them.
impl Wire for Vec<TraceEvent> {
    fn put(&self, w: &mut wire::Writer) {
        w.raw(&encode(self));
    }
    fn take(r: &mut wire::Reader) -> Self {
        let raw = r.raw();
        decode(raw).unwrap_or_else(|e| {
            r.fail(|| e);
            Vec::new()
        })
    }
}

// Event tags.
const WORKER_START: u8 = 0;
const WORKER_END: u8 = 1;
const BEGIN: u8 = 2;
const COMMIT: u8 = 3;
const ROLLBACK: u8 = 4;
const STATEMENT: u8 = 5;
const JOB_CLAIMED: u8 = 6;
const LOST_RACE: u8 = 7;
const HEARTBEAT: u8 = 8;
const JOB_DONE: u8 = 9;
const LOCK: u8 = 10;
const LOCK_DENIED: u8 = 11;
const SHM_LOCK: u8 = 12;
const BUSY_WAIT: u8 = 13;
const SYNC: u8 = 14;
const ERROR: u8 = 15;
const WORKER_KILLED: u8 = 16;
const JOB_RECLAIMED: u8 = 17;
const LEASE_LOST: u8 = 18;
const SQLITE_LOG: u8 = 19;
const INTERPRETER_WAIT: u8 = 20;
const WAL_GREW: u8 = 21;
const WAL_RESTARTED: u8 = 22;
const SHARED_COMMIT: u8 = 23;
const PLAYS: u8 = 24;
const WRITE_BACK: u8 = 25;

struct Writer<'a> {
    out: wire::Writer,
    /// Texts written so far in this batch, by number.
    texts: HashMap<&'a str, u64>,
}

impl Deref for Writer<'_> {
    type Target = wire::Writer;
    fn deref(&self) -> &wire::Writer {
        &self.out
    }
}

impl DerefMut for Writer<'_> {
    fn deref_mut(&mut self) -> &mut wire::Writer {
        &mut self.out
    }
}

impl<'a> Writer<'a> {
    /// A text seen before in this batch is its number; a new one is the next
    /// number, its length and its bytes.
    fn text(&mut self, s: &'a str) {
        if let Some(&n) = self.texts.get(s) {
            self.uint(n);
            return;
        }
        let n = self.texts.len() as u64;
        self.texts.insert(s, n);
        self.uint(n);
        self.out.text(s);
    }

    fn event(&mut self, kind: &'a EventKind) {
        match kind {
            EventKind::WorkerStart { role } => {
                self.byte(WORKER_START);
                self.byte(role_code(*role));
            }
            EventKind::WorkerEnd => self.byte(WORKER_END),
            EventKind::Begin { step, sql } => {
                self.byte(BEGIN);
                self.byte(step_code(*step));
                self.text(sql);
            }
            EventKind::Commit { step } => {
                self.byte(COMMIT);
                self.byte(step_code(*step));
            }
            EventKind::Rollback { step } => {
                self.byte(ROLLBACK);
                self.byte(step_code(*step));
            }
            EventKind::Statement { step, sql, dur_us } => {
                self.byte(STATEMENT);
                self.byte(step_code(*step));
                self.text(sql);
                self.uint(*dur_us);
            }
            EventKind::JobClaimed { job } => {
                self.byte(JOB_CLAIMED);
                self.int(*job);
            }
            EventKind::LostRace { job } => {
                self.byte(LOST_RACE);
                self.int(*job);
            }
            EventKind::Heartbeat { job } => {
                self.byte(HEARTBEAT);
                self.int(*job);
            }
            EventKind::JobDone { job, latency_us } => {
                self.byte(JOB_DONE);
                self.int(*job);
                self.uint(*latency_us);
            }
            EventKind::Lock { db, from, to } => {
                self.byte(LOCK);
                self.byte(db_code(*db));
                self.byte(*from as u8);
                self.byte(*to as u8);
            }
            EventKind::LockDenied {
                db,
                held,
                wanted,
                by,
            } => {
                self.byte(LOCK_DENIED);
                self.byte(db_code(*db));
                self.byte(*held as u8);
                self.byte(*wanted as u8);
                // 0 for nobody known, else the worker id + 1.
                self.uint(by.map_or(0, |w| u64::from(w) + 1));
            }
            EventKind::ShmLock {
                db,
                slot,
                n,
                exclusive,
                acquire,
                ok,
                by,
            } => {
                self.byte(SHM_LOCK);
                self.byte(db_code(*db));
                self.byte(*slot);
                self.byte(*n);
                self.byte(u8::from(*exclusive) | u8::from(*acquire) << 1 | u8::from(*ok) << 2);
                // 0 for nobody known, else the worker id + 1.
                self.uint(by.map_or(0, |w| u64::from(w) + 1));
            }
            EventKind::BusyWait {
                requested_us,
                dur_us,
            } => {
                self.byte(BUSY_WAIT);
                self.uint(*requested_us);
                self.uint(*dur_us);
            }
            EventKind::WalGrew { db, bytes } => {
                self.byte(WAL_GREW);
                self.byte(db_code(*db));
                self.uint(*bytes);
            }
            EventKind::WalRestarted { db } => {
                self.byte(WAL_RESTARTED);
                self.byte(db_code(*db));
            }
            EventKind::SharedCommit { others } => {
                self.byte(SHARED_COMMIT);
                self.uint(u64::from(*others));
            }
            EventKind::Plays { role } => {
                self.byte(PLAYS);
                self.text(role);
            }
            EventKind::InterpreterWait { holder, dur_us } => {
                self.byte(INTERPRETER_WAIT);
                // 0 for nobody known, else the worker id + 1.
                self.uint(holder.map_or(0, |w| u64::from(w) + 1));
                self.uint(*dur_us);
            }
            EventKind::Sync { db, file } => {
                self.byte(SYNC);
                self.byte(db_code(*db));
                self.byte(file_code(*file));
            }
            EventKind::WriteBack {
                db,
                file,
                pages,
                dur_us,
            } => {
                self.byte(WRITE_BACK);
                self.byte(db_code(*db));
                self.byte(file_code(*file));
                self.uint(u64::from(*pages));
                self.uint(*dur_us);
            }
            EventKind::Error {
                step,
                sql,
                code,
                extended,
                name,
                message,
                after_us,
            } => {
                self.byte(ERROR);
                self.byte(step_code(*step));
                self.text(sql);
                self.int(i64::from(*code));
                self.int(i64::from(*extended));
                self.text(name);
                self.text(message);
                self.uint(*after_us);
            }
            EventKind::WorkerKilled => self.byte(WORKER_KILLED),
            EventKind::JobReclaimed { job, from } => {
                self.byte(JOB_RECLAIMED);
                self.int(*job);
                // 0 for nobody known, else the worker id + 1.
                self.uint(from.map_or(0, |w| u64::from(w) + 1));
            }
            EventKind::LeaseLost { job } => {
                self.byte(LEASE_LOST);
                self.int(*job);
            }
            EventKind::SqliteLog { code, message } => {
                self.byte(SQLITE_LOG);
                self.int(i64::from(*code));
                self.text(message);
            }
        }
    }
}

struct Reader<'a> {
    r: wire::Reader<'a>,
    /// The batch's texts by number, each the page's one stored copy.
    texts: Vec<Text>,
}

impl<'a> Deref for Reader<'a> {
    type Target = wire::Reader<'a>;
    fn deref(&self) -> &wire::Reader<'a> {
        &self.r
    }
}

impl<'a> DerefMut for Reader<'a> {
    fn deref_mut(&mut self) -> &mut wire::Reader<'a> {
        &mut self.r
    }
}

impl Reader<'_> {
    fn int32(&mut self) -> i32 {
        i32::take(&mut self.r)
    }
    /// A worker id written as id + 1, or 0 for none.
    fn worker_or_none(&mut self) -> Option<u32> {
        match self.uint() {
            0 => None,
            // A damaged count past i64 reads as i64::MAX: out of range, refused.
            w => Some(self.fit(i64::try_from(w - 1).unwrap_or(i64::MAX))),
        }
    }
    fn text(&mut self) -> Text {
        let n = self.uint();
        if let Some(known) = usize::try_from(n).ok().and_then(|n| self.texts.get(n)) {
            return known.clone();
        }
        if n != self.texts.len() as u64 {
            self.fail(|| format!("text {n} named before it was written"));
            return Text::new("");
        }
        let text = Text::new(self.r.text());
        self.texts.push(text.clone());
        text
    }
    fn role(&mut self) -> Role {
        self.pick(&ROLES, "role")
    }
    fn step(&mut self) -> Step {
        self.pick(&STEPS, "step")
    }
    fn db(&mut self) -> DbFile {
        self.pick(&DBS, "database file")
    }
    fn file(&mut self) -> FileRole {
        self.pick(&FILES, "file role")
    }
    fn level(&mut self) -> LockLevel {
        self.pick(&LockLevel::ALL, "lock level")
    }

    fn event(&mut self) -> EventKind {
        match self.byte() {
            WORKER_START => EventKind::WorkerStart { role: self.role() },
            WORKER_END => EventKind::WorkerEnd,
            BEGIN => EventKind::Begin {
                step: self.step(),
                sql: self.text(),
            },
            COMMIT => EventKind::Commit { step: self.step() },
            ROLLBACK => EventKind::Rollback { step: self.step() },
            STATEMENT => EventKind::Statement {
                step: self.step(),
                sql: self.text(),
                dur_us: self.uint(),
            },
            JOB_CLAIMED => EventKind::JobClaimed { job: self.int() },
            LOST_RACE => EventKind::LostRace { job: self.int() },
            HEARTBEAT => EventKind::Heartbeat { job: self.int() },
            JOB_DONE => EventKind::JobDone {
                job: self.int(),
                latency_us: self.uint(),
            },
            LOCK => EventKind::Lock {
                db: self.db(),
                from: self.level(),
                to: self.level(),
            },
            LOCK_DENIED => EventKind::LockDenied {
                db: self.db(),
                held: self.level(),
                wanted: self.level(),
                by: self.worker_or_none(),
            },
            SHM_LOCK => {
                let (db, slot, n) = (self.db(), self.byte(), self.byte());
                let bits = self.byte();
                EventKind::ShmLock {
                    db,
                    slot,
                    n,
                    exclusive: bits & 1 != 0,
                    acquire: bits & 2 != 0,
                    ok: bits & 4 != 0,
                    by: self.worker_or_none(),
                }
            }
            BUSY_WAIT => EventKind::BusyWait {
                requested_us: self.uint(),
                dur_us: self.uint(),
            },
            WAL_GREW => EventKind::WalGrew {
                db: self.db(),
                bytes: self.uint(),
            },
            WAL_RESTARTED => EventKind::WalRestarted { db: self.db() },
            SHARED_COMMIT => EventKind::SharedCommit {
                others: u32::take(&mut self.r),
            },
            PLAYS => EventKind::Plays { role: self.text() },
            INTERPRETER_WAIT => EventKind::InterpreterWait {
                holder: self.worker_or_none(),
                dur_us: self.uint(),
            },
            SYNC => EventKind::Sync {
                db: self.db(),
                file: self.file(),
            },
            WRITE_BACK => EventKind::WriteBack {
                db: self.db(),
                file: self.file(),
                pages: u32::take(&mut self.r),
                dur_us: self.uint(),
            },
            ERROR => EventKind::Error {
                step: self.step(),
                sql: self.text(),
                code: self.int32(),
                extended: self.int32(),
                name: self.text(),
                message: self.text(),
                after_us: self.uint(),
            },
            WORKER_KILLED => EventKind::WorkerKilled,
            JOB_RECLAIMED => EventKind::JobReclaimed {
                job: self.int(),
                from: self.worker_or_none(),
            },
            LEASE_LOST => EventKind::LeaseLost { job: self.int() },
            SQLITE_LOG => EventKind::SqliteLog {
                code: self.int32(),
                message: self.text().to_string(),
            },
            tag => {
                self.fail(|| format!("no event tagged {tag}"));
                EventKind::WorkerEnd
            }
        }
    }
}

#[cfg(test)]
mod tests;
