//! One run, natively: a fresh database (in a temporary directory, or in memory
//! for the shared VFS), one thread per worker, each with its own connection, then
//! the audit and the report.
//!
//! The host also plays what a crash leaves behind: a killed worker's connections
//! are forgotten, never closed, and its locks in the shared VFS released, so the
//! survivors meet what they would after a real crash. A worker that fails with an
//! error no retry can fix stops the others: the run ends `failed`. A power cut
//! (`power.rs`) kills every worker at once, then recovers the database with a
//! fresh connection.

use super::place::{Place, Vfs};
use super::power::{self, PowerSwitch};
use crate::analysis::report::{Failure, Outcome, RunFacts, RunReport};
use crate::clock::{Clock, SystemClock};
use crate::engine::{self, schema, RunControl, Worker, WorkerExit};
use crate::scenario::Scenario;
use crate::trace::{self, Role, Step, TraceEvent, WorkerId};
use crate::vfs::shared_words::{ProcessWords, SharedWords};
use crate::vfs::storage::Storage;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A run that could not take place (not a run with errors: those are its report).
#[derive(Debug)]
pub struct HostError(pub String);

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HostError {}

fn context<E: fmt::Display>(what: &'static str) -> impl FnOnce(E) -> HostError {
    move |e| HostError(format!("{what}: {e}"))
}

/// A finished run: its report and every trace event, in time order.
pub struct Run {
    pub report: RunReport,
    pub events: Vec<TraceEvent>,
}

struct Control {
    /// The caller's stop (the CLI's Ctrl-C, a test).
    stop: Arc<AtomicBool>,
    /// Set when a worker failed: the others stop.
    halt: AtomicBool,
    /// The first failure of the run.
    failure: Mutex<Option<Failure>>,
    writers_left: AtomicU32,
    /// Jobs whose result is committed so far.
    jobs_done: Arc<AtomicU64>,
    /// One word per process of the scenario: its interpreter lock.
    interpreter: Arc<ProcessWords>,
    /// The run's power, when the scenario cuts it.
    power: Option<Arc<PowerSwitch>>,
}

impl RunControl for Control {
    fn stop_requested(&self) -> bool {
        self.stop.load(Ordering::Relaxed) || self.halt.load(Ordering::Relaxed)
    }
    fn writers_finished(&self) -> bool {
        self.writers_left.load(Ordering::Acquire) == 0
    }
    /// Once the power is off every worker dies, as a power loss stops every
    /// process of the machine.
    fn kill_requested(&self, _worker: WorkerId) -> bool {
        self.power.as_ref().is_some_and(|p| p.is_off())
    }
    fn job_done(&self) {
        self.jobs_done.fetch_add(1, Ordering::Relaxed);
    }
    fn interpreter_locks(&self) -> Option<(Arc<dyn SharedWords>, usize)> {
        Some((self.interpreter.clone(), 0))
    }
}

impl Control {
    fn failed(&self, failure: &Failure) {
        let mut first = self.failure.lock().unwrap_or_else(|p| p.into_inner());
        first.get_or_insert_with(|| failure.clone());
        self.halt.store(true, Ordering::Relaxed);
    }
}

/// What one worker thread hands back.
struct WorkerDone {
    journal_mode: Option<String>,
    exit: WorkerExit,
    events: Vec<TraceEvent>,
}

/// How a native run is carried out.
#[derive(Clone, Default)]
pub struct RunOptions {
    pub vfs: Vfs,
    /// Setting it makes every worker stop at its next step.
    pub stop: Arc<AtomicBool>,
    /// Where the shared VFS keeps file bytes; `None`: fresh memory. (A test gives
    /// a storage that fails, to see a run end on a storage error.)
    pub storage: Option<Arc<dyn Storage>>,
    /// Counts the jobs whose result is committed, as the run goes on.
    pub jobs_done: Arc<AtomicU64>,
}

impl fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunOptions")
            .field("vfs", &self.vfs)
            .field("stop", &self.stop)
            .field("storage", &self.storage.as_ref().map(|s| s.describe()))
            .finish()
    }
}

/// Run `scenario` with one thread per worker.
pub fn run(scenario: &Scenario, options: &RunOptions) -> Result<Run, HostError> {
    super::check(scenario, options.vfs).map_err(|e| HostError(e.to_string()))?;
    let place = Place::new(options.vfs, scenario, options.storage.clone())?;

    // The setup connections stay open (idle, holding no lock) until the workers are
    // done, as an application keeps its database open: in WAL mode the workers then
    // find the wal-index built instead of racing to recover it.
    let setup = place
        .open(&place.queue)
        .map_err(context("opening the queue database"))?;
    schema::create_queue(&setup, scenario).map_err(context("seeding the queue database"))?;
    let setup_results = match &place.results {
        Some(path) => {
            let results = place
                .open(path)
                .map_err(context("opening the results database"))?;
            schema::create_results(&results, scenario)
                .map_err(context("creating the results database"))?;
            Some(results)
        }
        None => None,
    };
    let place = Arc::new(place);

    let clock: Arc<dyn Clock> = Arc::new(SystemClock::starting_now());
    let control = Arc::new(Control {
        stop: options.stop.clone(),
        halt: AtomicBool::new(false),
        failure: Mutex::new(None),
        writers_left: AtomicU32::new(scenario.workers),
        jobs_done: options.jobs_done.clone(),
        interpreter: Arc::new(ProcessWords::zeroed(scenario.processes as usize)),
        power: scenario
            .faults
            .power_cut
            .zip(place.power())
            .map(|(cut, storage)| Arc::new(PowerSwitch::new(cut.at_ms, storage.clone()))),
    });
    let timer = match &control.power {
        Some(power) => {
            let (power, clock) = (power.clone(), clock.clone());
            Some(
                std::thread::Builder::new()
                    .name("power".into())
                    .spawn(move || power.wait_and_cut(&*clock))
                    .map_err(context("starting the power's timer"))?,
            )
        }
        None => None,
    };
    let roles = (0..scenario.workers)
        .map(|_| Role::Writer)
        .chain((0..scenario.readers).map(|_| Role::Reader));
    let threads: Vec<_> = roles
        .enumerate()
        .map(|(id, role)| {
            let (scenario, clock, control) = (scenario.clone(), clock.clone(), control.clone());
            let place = place.clone();
            std::thread::Builder::new()
                .name(format!("worker-{id}"))
                .spawn(move || {
                    let id = id as WorkerId;
                    engine::thread::enter(id, clock.clone());
                    let (journal_mode, exit) =
                        run_worker(id, role, &scenario, &place, &*clock, &*control);
                    // After the power went off, a worker's failure (what it read
                    // of a dying disk) is its death.
                    let exit = match exit {
                        WorkerExit::Failed(_) if control.kill_requested(id) => WorkerExit::Killed,
                        exit => exit,
                    };
                    if let WorkerExit::Failed(failure) = &exit {
                        control.failed(failure);
                    }
                    if role == Role::Writer {
                        control.writers_left.fetch_sub(1, Ordering::AcqRel);
                    }
                    WorkerDone {
                        journal_mode,
                        exit,
                        events: engine::thread::leave(),
                    }
                })
                .map_err(context("starting a worker thread"))
        })
        .collect::<Result<_, _>>()?;

    let mut done = Vec::new();
    for t in threads {
        done.push(
            t.join()
                .map_err(|_| HostError("a worker thread panicked".to_string()))?,
        );
    }
    if let Some(power) = &control.power {
        power.workers_ended();
    }
    if let Some(timer) = timer {
        timer
            .join()
            .map_err(|_| HostError("the power's timer panicked".to_string()))?;
    }
    let cut_at = control.power.as_ref().and_then(|p| p.cut_at());
    let elapsed_us = cut_at.unwrap_or_else(|| clock.now_us());

    let mut events: Vec<TraceEvent> = done
        .iter_mut()
        .flat_map(|d| std::mem::take(&mut d.events))
        .collect();
    events.sort_by_key(|e| (e.t_us, e.worker));
    let journal_mode = done
        .iter()
        .find_map(|d| d.journal_mode.clone())
        .unwrap_or_default();
    let exits: Vec<WorkerExit> = done.into_iter().map(|d| d.exit).collect();

    let (mut audit_conn, mut results_conn) = (setup, setup_results);
    let mut writes_dropped = 0;
    if let Some(cut_us) = cut_at {
        let killed = (0..exits.len() as WorkerId)
            .filter(|&w| exits[w as usize] == WorkerExit::Killed)
            .collect();
        events = power::trace_until(events, cut_us, &killed);
        // The host's own connections die with the power too; a fresh one
        // recovers the files as the cut left them.
        std::mem::forget(audit_conn);
        std::mem::forget(results_conn);
        writes_dropped = place.power_restored()?;
        audit_conn = place
            .open(&place.queue)
            .map_err(context("opening the queue database after the power cut"))?;
        results_conn = match &place.results {
            Some(path) => Some(
                place
                    .open(path)
                    .map_err(context("opening the results database after the power cut"))?,
            ),
            None => None,
        };
    }
    let committed = trace::committed_jobs(&events);
    let (audit, integrity) =
        schema::check_after_run(scenario, &audit_conn, results_conn.as_ref(), &committed);

    let failure = control
        .failure
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take();
    let mut report = RunReport::new(
        RunFacts {
            scenario,
            sqlite_version: rusqlite::version().to_string(),
            vfs: place.description.clone(),
            journal_mode,
            elapsed_us,
            outcome: Outcome::of(&exits),
            audit,
            integrity_check: integrity,
            failure,
        },
        &events,
    );
    if let Some(cut_us) = cut_at {
        report = report.with_power_cut(cut_us, writes_dropped);
    }
    Ok(Run { report, events })
}

/// One worker thread's life: open its connections, run the engine, close them;
/// or, killed, leave them open forever as a dead process would, and release its
/// locks so that the survivors can recover.
fn run_worker(
    id: WorkerId,
    role: Role,
    scenario: &Scenario,
    place: &Place,
    clock: &dyn Clock,
    control: &dyn RunControl,
) -> (Option<String>, WorkerExit) {
    let open = |path| {
        let mut conn = place.open(path)?;
        engine::prepare_connection(&mut conn, scenario)?;
        Ok(conn)
    };
    let opened = open(&place.queue).and_then(|q| match &place.results {
        Some(p) => open(p).map(|r| (q, Some(r))),
        None => Ok((q, None)),
    });
    let (queue, results) = match opened {
        Ok(connections) => connections,
        Err(e) => {
            let failure = engine::failure(id, Step::Open, "open", &e);
            trace::emit(engine::error_event_of(&failure, 0));
            return (None, WorkerExit::Failed(failure));
        }
    };
    let (journal_mode, exit) =
        Worker::new(id, role, scenario, &queue, results.as_ref(), clock, control).run();
    // Killed, or ended after the power went off: nothing is closed.
    if exit == WorkerExit::Killed || control.kill_requested(id) {
        std::mem::forget(queue);
        std::mem::forget(results);
        place.release_owner(id);
    }
    (journal_mode, exit)
}
