//! The first run of a page as fast as the next ones. V8 compiles a wasm function
//! when it is first called and optimises it once it is hot, and the code belongs
//! to the compiled module the page hands every worker (`worker_module`): whatever
//! one worker made hot, the workers of every later run start with. So the page,
//! once it is up, runs a small job queue in one Web Worker on SQLite's in-memory
//! VFS (the pipeline check's run, `ask_alone`) and makes no report of it: the first
//! run a person starts no longer pays for compiling SQLite's hot paths while its
//! workers contend, which made its holds longer and its figures unlike those of
//! the same run made again.

use super::alone::ask_alone;
use crate::scenario::Scenario;
use serde_json::json;

/// Jobs in the warm-up's queue: enough for SQLite's and the engine's hot paths to
/// be optimised (see `start`).
const JOBS: u32 = 1000;

/// Begin compiling the workers' wasm, then warm it with a run nobody sees. Never
/// fails: a warm-up that cannot run leaves the first run as it was.
pub fn start() {
    super::worker_module::start_compiling();
    let scenario = Scenario::from_value(&json!({
        "name": "warm-up",
        "workers": 1,
        "jobs": JOBS,
        "transaction": "short",
        "begin": "immediate",
        "journal_mode": "wal",
        "synchronous": "normal",
        "work_ms": 0,
    }));
    if let Ok(scenario) = scenario {
        wasm_bindgen_futures::spawn_local(async move {
            let _ = ask_alone(&scenario).await;
        });
    }
}
