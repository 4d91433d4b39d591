//! The browser host: runs a scenario with one Web Worker per scenario worker, all
//! on one database through the shared VFS, with the shared memory (lock table, WAL
//! index, file bytes) in SharedArrayBuffers that the page creates and hands out,
//! and the files (with OPFS) in the run's own directory.
//!
//! A run has a keeper besides its workers: a Web Worker that seeds the database,
//! keeps it open while the workers run and audits it afterwards, as the native
//! host's own thread does. So any worker may die or be killed and the audit still
//! reads the database.
//!
//! The host reads one inbox for the whole run, so it reacts to whichever worker
//! speaks first: a worker that dies has its locks released at once and fails the
//! run; the others are told to stop and, if they do not within a second, are
//! terminated too; the audit then says what the database holds. A power cut
//! (`power.rs`) kills every worker at once, and the keeper recovers the database.

use super::console;
use super::finished_run::{self, BrowserRun};
use super::kept_runs::{self, InProgress, KeptRun, Running};
use super::power;
use super::worker_handle::{check_ready, unexpected, Arrival, Inbox, Member, WorkerHandle};
use crate::analysis::outcome::WorkerExit;
use crate::analysis::report::{Failure, Outcome, RunFacts, RunReport};
use crate::scenario::Scenario;
use crate::trace::{Role, WorkerId};
use crate::vfs::{page_cache, DATABASE_WORDS};
use crate::web::clock::wall_ms;
use crate::web::error::WebError;
use crate::web::next_task::next_task;
use crate::web::protocol::{FromWorker, SharedBuffers, StorageKind, ToWorker, PROTOCOL};
use crate::web::run_files::{self, RunLock};
use crate::web::shared_memory::sab_storage::new_file_buffer;
use crate::web::shared_memory::sab_words::SabWords;
use js_sys::{Array, Atomics, Int32Array, Reflect, SharedArrayBuffer};
use std::rc::Rc;
use wasm_bindgen::JsCast;

pub use super::alone::{alone_report, run_alone};
pub use super::worker_handle::{budget, set_budget, LiveTrace, RunWatcher};

/// How long workers have to stop once a run has failed, before they are
/// terminated where they are.
const STOP_GRACE_MS: u32 = 1000;

/// The shared buffers of a new run (see [`SharedBuffers`] for their order).
fn new_buffers(scenario: &Scenario, storage: StorageKind) -> Result<Array, WebError> {
    let buffers = Array::new();
    let control_buffer = SharedArrayBuffer::new((SharedBuffers::CONTROL_WORDS * 4) as u32);
    let control = Int32Array::new(&control_buffer);
    let _ = Atomics::store(&control, SharedBuffers::VERSION as u32, PROTOCOL as i32);
    let _ = Atomics::store(
        &control,
        SharedBuffers::WRITERS_LEFT as u32,
        scenario.workers as i32,
    );
    buffers.push(&control_buffer);
    for _ in 0..databases(scenario) {
        buffers.push(&SabWords::new_buffer(DATABASE_WORDS));
        for _ in SharedBuffers::FILE_SUFFIXES {
            let file = new_file_buffer().map_err(|e| {
                WebError::browser(format!("cannot make a shared file buffer: {e:?}"))
            })?;
            buffers.push(&file);
        }
        power::push_record(&buffers, scenario)?;
        push_cache(&buffers, storage);
    }
    Ok(buffers)
}

/// Push one database's page cache (see [`SharedBuffers`]): over OPFS its words
/// and its pages, else placeholders.
fn push_cache(buffers: &Array, storage: StorageKind) {
    if storage != StorageKind::Opfs {
        for _ in 0..2 {
            buffers.push(&SharedArrayBuffer::new(SharedBuffers::PLACEHOLDER_BYTES));
        }
        return;
    }
    let layout = page_cache::Layout::new(SharedBuffers::CACHE_SLOTS);
    buffers.push(&SabWords::new_buffer(layout.words()));
    let pages = SharedBuffers::PLACEHOLDER_BYTES as usize + layout.bytes();
    buffers.push(&SharedArrayBuffer::new(pages as u32));
}

fn databases(scenario: &Scenario) -> usize {
    if scenario.separate_results_db {
        2
    } else {
        1
    }
}

/// Run `scenario` to its report, on `storage` (or the default: OPFS where the
/// browser shares OPFS handles between workers, else memory; memory for a power
/// cut, which the page plays only there).
pub async fn run(
    scenario: &Scenario,
    storage: Option<StorageKind>,
    live: LiveTrace,
) -> Result<BrowserRun, WebError> {
    let chosen = match (storage, scenario.faults.power_cut) {
        (Some(chosen), _) => chosen,
        (None, Some(_)) => StorageKind::Memory,
        (None, None) => run_files::default_storage(),
    };
    power::refuse(scenario, chosen)?;
    match run_on(scenario, chosen, live.clone()).await {
        // Every error of `opfs_storage::open` names OPFS.
        Err(why)
            if storage.is_none() && chosen == StorageKind::Opfs && why.message.contains("OPFS") =>
        {
            web_sys::console::warn_1(
                &format!("OPFS cannot be shared here ({why}); using memory").into(),
            );
            run_on(scenario, StorageKind::Memory, live).await
        }
        other => other,
    }
}

/// The page's side of one run: its id, its buffers, its Web Workers.
struct Run {
    id: String,
    scenario: Scenario,
    storage: StorageKind,
    buffers: Array,
    control: Int32Array,
    inbox: Rc<Inbox>,
    keeper: WorkerHandle,
    workers: Vec<Option<WorkerHandle>>,
    /// When the power went off (run clock, µs), in a run with a power cut.
    cut_us: Option<u64>,
}

/// How each worker's part ended, as the host saw it.
#[derive(Default)]
struct Ends {
    exits: Vec<WorkerExit>,
    journal_mode: Option<String>,
    /// The first thing that failed the run.
    failure: Option<Failure>,
    /// Workers that are gone: finished, killed or dead.
    gone: usize,
    /// When the last of them went, on the run's clock: as a worker said, or as
    /// the page saw it go when it could not say.
    last_gone_us: u64,
}

impl Ends {
    fn went_at(&mut self, us: u64) {
        self.last_gone_us = self.last_gone_us.max(us);
    }
}

/// Now on the clock of a run that started at `epoch_ms`.
fn run_clock_us(epoch_ms: f64) -> u64 {
    ((wall_ms() - epoch_ms) * 1000.0) as u64
}

async fn run_on(
    scenario: &Scenario,
    storage: StorageKind,
    live: LiveTrace,
) -> Result<BrowserRun, WebError> {
    let isolated = Reflect::get(&js_sys::global(), &"crossOriginIsolated".into())
        .ok()
        .and_then(|v| v.as_bool());
    if isolated != Some(true) {
        return Err(WebError::browser(
            "this page is not cross-origin isolated, so workers cannot share memory",
        ));
    }
    let id = run_files::new_run_id();
    // Held until the run's report is made: no tab's clean-up removes its files.
    let lock = RunLock::hold(&id).await?;
    let buffers = new_buffers(scenario, storage)?;
    let control = Int32Array::new(&buffers.get(0));
    let in_progress = InProgress::begin(Running {
        id: id.clone(),
        scenario: scenario.clone(),
        storage,
        buffers: buffers.clone(),
        control: control.clone(),
        live: live.clone(),
        epoch_ms: None,
        console_worker: scenario.workers + scenario.readers,
    });
    let inbox = Rc::new(Inbox::default());
    let count = (scenario.workers + scenario.readers) as usize;
    live.restart(count as u32);
    let keeper = WorkerHandle::spawn(Member::Keeper, &inbox, &live).await?;
    // Starting a Web Worker costs the page a few ms: 16 of them in one task
    // would hold its frames up past 50 ms, so each starts in a task of its own.
    let mut workers = Vec::with_capacity(count);
    for id in 0..count {
        next_task().await;
        workers.push(Some(
            WorkerHandle::spawn(Member::Worker(id as WorkerId), &inbox, &live).await?,
        ));
    }
    let mut run = Run {
        id,
        scenario: scenario.clone(),
        storage,
        buffers,
        control,
        inbox,
        keeper,
        workers,
        cut_us: None,
    };
    for _ in 0..=count {
        let (member, arrival) = run.inbox.next().await;
        check_ready(member, arrival)?;
    }
    let sqlite_version = run.setup().await?;
    run.attach().await?;
    let alongside = run_files::in_progress()
        .await
        .map_or(0, |runs| runs.len().saturating_sub(1));
    let epoch_ms = wall_ms();
    in_progress.started(epoch_ms);
    if let Some(watcher) = &live.watcher {
        watcher.started(&run.id, epoch_ms, alongside);
    }
    run.start(epoch_ms)?;
    if let Some(cut) = scenario.faults.power_cut {
        let due_us = u64::from(cut.at_ms) * 1000;
        let ms = due_us.saturating_sub(run_clock_us(epoch_ms)).div_ceil(1000);
        run.inbox.power_off_in(ms.min(u64::from(u32::MAX)) as u32);
    }
    let ends = run.wait_for_workers(epoch_ms).await?;
    // The power goes off now if it has not yet (the workers were done first).
    run.power_off(epoch_ms);
    let writes_dropped = run.power_restored(&live).await?;
    // The SQL console, if it took part, ends with the run: what it left open is
    // rolled back (and said), and its lane's last events join the trace.
    let console_ended = console::end_for_run(&run.id).await;
    let console_rolled_back = console_ended == Some(true);
    // The run ended when its last worker did, by the workers' own clock: the page
    // hears of it later, after whatever frame it was busy with.
    let elapsed_us = match (run.cut_us, console_ended) {
        (Some(cut_us), _) => cut_us,
        (None, Some(_)) => run_clock_us(epoch_ms),
        (None, None) => ends.last_gone_us,
    };
    if let Some(watcher) = &live.watcher {
        watcher.ended(elapsed_us);
    }
    // What ends a run (the metrics, the events in order, the report) costs a
    // big run tens of ms each: each step goes in a task of its own, so that
    // frames (the live view's last) come between them.
    next_task().await;
    // The numbers count every event, read once as it came; the events are kept
    // as far as the budget allows.
    let metrics = live.trace.borrow().tally().metrics(elapsed_us);
    let (audit, integrity_check) = run.audit(&metrics.committed_jobs).await?;
    let trace = live.trace.borrow_mut().take();
    let timeline = trace.timeline();
    next_task().await;
    let sorting = trace.sorting();
    next_task().await;
    let (events, kept) = sorting.finish();
    next_task().await;
    let mut report = RunReport::from_metrics(
        RunFacts {
            scenario,
            sqlite_version,
            vfs: run.vfs_name(),
            journal_mode: ends.journal_mode.unwrap_or_default(),
            elapsed_us,
            outcome: Outcome::of(&ends.exits),
            audit,
            integrity_check,
            failure: ends.failure,
        },
        metrics,
    );
    if let Some(cut_us) = run.cut_us {
        report = report.with_power_cut(cut_us, writes_dropped);
    }
    kept_runs::keep(KeptRun {
        id: run.id.clone(),
        scenario: scenario.clone(),
        storage,
        buffers: run.buffers.clone(),
    });
    let id = run.id.clone();
    // Every Web Worker of the run goes (and with it its OPFS handles) before the
    // run's files may be cleaned up by any tab.
    drop(run);
    drop(lock);
    if storage == StorageKind::Opfs {
        if let Err(why) = run_files::prune().await {
            web_sys::console::warn_1(&format!("cleaning up old runs: {why}").into());
        }
    }
    let finished = BrowserRun {
        id,
        alongside,
        console_rolled_back,
        report,
        events: Rc::new(events),
        timeline,
        kept,
    };
    finished_run::remember(&finished);
    // The page then shows the finished run: a render of its own.
    next_task().await;
    Ok(finished)
}

impl Run {
    /// The keeper seeds the database; returns SQLite's version.
    async fn setup(&self) -> Result<String, WebError> {
        self.keeper.send(
            &ToWorker::Setup {
                run: self.id.clone(),
                scenario: self.scenario.clone(),
                storage: self.storage,
            },
            &self.buffers,
        )?;
        match self.inbox.next().await {
            (Member::Keeper, Arrival::Message(FromWorker::SetupDone { sqlite_version })) => {
                Ok(sqlite_version)
            }
            (member, other) => Err(unexpected(member, other)),
        }
    }

    /// Every worker attaches to the run's shared memory and files, before the
    /// run's clock starts (`ToWorker::Attach` says why). A worker that cannot
    /// (its buffers, its files) means the run cannot take place: an error.
    async fn attach(&self) -> Result<(), WebError> {
        self.send_each(|worker| ToWorker::Attach {
            run: self.id.clone(),
            worker,
            scenario: self.scenario.clone(),
            storage: self.storage,
        })?;
        for _ in 0..self.workers.len() {
            match self.inbox.next().await {
                (Member::Worker(_), Arrival::Message(FromWorker::Attached)) => {}
                (member, other) => return Err(unexpected(member, other)),
            }
        }
        Ok(())
    }

    /// Every worker starts, on the clock of `epoch_ms`.
    fn start(&self, epoch_ms: f64) -> Result<(), WebError> {
        self.send_each(|worker| ToWorker::Run {
            run: self.id.clone(),
            worker,
            role: self.role(worker),
            scenario: self.scenario.clone(),
            epoch_ms,
        })
    }

    /// Send every worker still there its `message`, with the run's buffers.
    fn send_each(&self, message: impl Fn(WorkerId) -> ToWorker) -> Result<(), WebError> {
        for (id, w) in self.workers.iter().enumerate() {
            if let Some(w) = w {
                w.send(&message(id as WorkerId), &self.buffers)?;
            }
        }
        Ok(())
    }

    fn role(&self, worker: WorkerId) -> Role {
        if worker < self.scenario.workers {
            Role::Writer
        } else {
            Role::Reader
        }
    }

    /// Read the inbox until every worker has ended, one way or another, and note
    /// when the last one did. A worker that fails or dies during the run fails
    /// the run, whose report then says why; any other answer is an error.
    async fn wait_for_workers(&mut self, epoch_ms: f64) -> Result<Ends, WebError> {
        let mut ends = Ends::default();
        while ends.gone < self.workers.len() {
            let (member, arrival) = self.inbox.next().await;
            ends.went_at(match &arrival {
                Arrival::Message(FromWorker::Finished { ended_us, .. }) => *ended_us,
                _ => run_clock_us(epoch_ms),
            });
            let Member::Worker(id) = member else {
                match arrival {
                    Arrival::PowerOff => {
                        self.power_off(epoch_ms);
                        continue;
                    }
                    Arrival::Deadline => {
                        self.terminate_the_rest(&mut ends);
                        continue;
                    }
                    _ => {}
                }
                // Without the keeper there is nobody to audit the database.
                return Err(unexpected(member, arrival));
            };
            match arrival {
                Arrival::Message(FromWorker::Finished {
                    journal_mode,
                    exit,
                    failure,
                    ..
                }) => {
                    ends.journal_mode = ends.journal_mode.or(journal_mode);
                    let exit = exit.worker_exit(failure, id);
                    if exit == WorkerExit::Killed {
                        // It stopped where it was, holding its locks: a crash.
                        self.worker_lost(id, &mut ends);
                    } else {
                        self.workers[id as usize] = None;
                        ends.gone += 1;
                    }
                    if let WorkerExit::Failed(failure) = &exit {
                        self.fail(failure.clone(), &mut ends);
                    }
                    ends.exits.push(exit);
                }
                Arrival::Died(why) => {
                    let failure = Failure::of_worker(
                        id,
                        "WORKER_DIED",
                        format!("the Web Worker stopped unexpectedly: {why}"),
                    );
                    self.worker_lost(id, &mut ends);
                    self.fail(failure.clone(), &mut ends);
                    ends.exits.push(WorkerExit::Failed(failure));
                }
                other => return Err(unexpected(member, other)),
            }
        }
        Ok(ends)
    }

    /// Worker `id` is gone without finishing (killed, dead, or not stopping): its
    /// Web Worker is stopped where it is, and its locks are released so that the
    /// others (and the audit) can go on, as after a crash.
    fn worker_lost(&mut self, id: WorkerId, ends: &mut Ends) {
        let Some(handle) = self.workers[id as usize].take() else {
            return;
        };
        handle.terminate();
        for n in 0..databases(&self.scenario) {
            let at = 1 + n * SharedBuffers::PER_DATABASE;
            let words = SabWords::over(&self.buffers.get(at as u32).unchecked_into());
            crate::vfs::release_owner(&words, id);
            let cache = self.buffers.get((at + SharedBuffers::CACHE_WORDS) as u32);
            let cache: SharedArrayBuffer = cache.unchecked_into();
            if cache.byte_length() > SharedBuffers::PLACEHOLDER_BYTES {
                page_cache::release_owner(&SabWords::over(&cache), id);
            }
        }
        if self.scenario.faults.power_cut.is_some() {
            power::release_owner(&self.buffers, databases(&self.scenario), id);
        }
        if self.role(id) == Role::Writer {
            let _ = Atomics::sub(&self.control, SharedBuffers::WRITERS_LEFT as u32, 1);
        }
        ends.gone += 1;
    }

    /// The run fails (the first failure is the report's): every worker is told to
    /// stop, and whoever has not within [`STOP_GRACE_MS`] is terminated.
    fn fail(&self, failure: Failure, ends: &mut Ends) {
        if ends.failure.is_none() {
            ends.failure = Some(failure);
            kept_runs::stop_control(&self.control);
            self.inbox.deadline_in(STOP_GRACE_MS);
        }
    }

    /// The grace is over: whoever is still there is terminated where it is
    /// (after a power cut: it died with the power).
    fn terminate_the_rest(&mut self, ends: &mut Ends) {
        let power_cut = self.cut_us.is_some() && ends.failure.is_none();
        for id in 0..self.workers.len() as WorkerId {
            if self.workers[id as usize].is_some() {
                self.worker_lost(id, ends);
                ends.exits.push(if power_cut {
                    WorkerExit::Killed
                } else {
                    WorkerExit::Failed(Failure::of_worker(
                        id,
                        "WORKER_UNRESPONSIVE",
                        format!("did not stop within {STOP_GRACE_MS} ms of being asked"),
                    ))
                });
            }
        }
    }

    /// The power goes off (once, in a run with a power cut): the trace ends
    /// now, nothing written from now on is kept, every worker dies at its next
    /// step and whoever has not within `power::GRACE_MS` is terminated. The time
    /// is read before the power goes off, as natively.
    fn power_off(&mut self, epoch_ms: f64) {
        if self.scenario.faults.power_cut.is_none() || self.cut_us.is_some() {
            return;
        }
        let cut_us = run_clock_us(epoch_ms);
        self.cut_us = Some(cut_us);
        self.inbox.cut_trace_at(cut_us);
        power::power_off(&self.buffers, &self.control, databases(&self.scenario));
        if self.workers.iter().any(Option::is_some) {
            self.inbox.deadline_in(power::GRACE_MS);
        }
    }

    /// After a power cut, with every worker gone: the trace's workers that had
    /// not ended die at the cut; fresh lock tables and WAL indexes; the keeper
    /// restores the files and recovers the databases. Returns the writes the cut
    /// dropped (0 without a cut).
    async fn power_restored(&self, live: &LiveTrace) -> Result<u64, WebError> {
        if self.cut_us.is_none() {
            return Ok(0);
        }
        live.add(self.inbox.killed_at_cut(self.workers.len() as u32));
        power::forget_shared_memory(&self.buffers, databases(&self.scenario));
        self.keeper.send(
            &ToWorker::PowerRestore {
                run: self.id.clone(),
                scenario: self.scenario.clone(),
            },
            &Array::new(),
        )?;
        loop {
            match self.inbox.next().await {
                (
                    Member::Keeper,
                    Arrival::Message(FromWorker::PowerRestored { writes_dropped }),
                ) => return Ok(writes_dropped),
                // A late word from a worker already accounted for, or a timer.
                (Member::Worker(_), _) | (_, Arrival::Deadline | Arrival::PowerOff) => {}
                (member, other) => return Err(unexpected(member, other)),
            }
        }
    }

    /// The keeper checks the invariants against the jobs the workers committed.
    async fn audit(
        &self,
        committed: &[i64],
    ) -> Result<(crate::analysis::outcome::JobAudit, String), WebError> {
        self.keeper.send(
            &ToWorker::Audit {
                scenario: self.scenario.clone(),
                committed: committed.to_vec(),
            },
            &Array::new(),
        )?;
        loop {
            match self.inbox.next().await {
                (
                    Member::Keeper,
                    Arrival::Message(FromWorker::Audited {
                        audit,
                        integrity_check,
                    }),
                ) => return Ok((audit, integrity_check)),
                // A late word from a worker already accounted for, or a timer.
                (Member::Worker(_), _) | (_, Arrival::Deadline | Arrival::PowerOff) => {}
                (member, other) => return Err(unexpected(member, other)),
            }
        }
    }

    fn vfs_name(&self) -> String {
        let locks = if self.scenario.locking == crate::scenario::LockingMode::None {
            ", locking none"
        } else {
            ""
        };
        let storage = match self.storage {
            StorageKind::Opfs => "OPFS",
            StorageKind::Memory => "SharedArrayBuffer",
        };
        format!("{} ({storage}{locks})", crate::vfs::NAME)
    }
}
