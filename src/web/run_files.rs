//! Every run on files of its own: a run id, an OPFS directory per run
//! (`locklab-runs/<run id>/`), and a Web Lock per run in progress, so that two tabs
//! (or two runs of one tab, or the two sides of a comparison) never touch each
//! other's files or locks.
//!
//! Which runs are in progress is asked of the browser's Web Locks, which every tab
//! of the origin shares and which a closed or crashed tab gives back: a run holds
//! the lock named `locklab-run:<run id>` from its first file to its last report.
//! Clean-ups (`prune` after each run, `remove_finished` for Reset) remove only
//! directories whose lock nobody holds, so they never pull files from under a run
//! in another tab. The newest [`KEEP_FINISHED`] finished runs stay, for `reopen()`
//! and the SQL console; storage does not grow with the number of runs.

use super::protocol::{SharedBuffers, StorageKind};
use crate::web::error::WebError;
use crate::web::js_error::js_error;
use js_sys::{Array, Function, Object, Promise, Reflect};
use std::collections::BTreeSet;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::FileSystemDirectoryHandle;

/// The OPFS directory that holds one directory per run.
pub const RUNS_DIR: &str = "locklab-runs";
/// Finished runs kept in OPFS (newest first); older ones go after each run.
pub const KEEP_FINISHED: usize = 8;
const LOCK_PREFIX: &str = "locklab-run:";

/// OPFS where the browser has it; its shared handles are confirmed when the first
/// worker opens them, and a refusal falls back to memory.
pub fn default_storage() -> StorageKind {
    let storage = web_sys::window().map(|w| w.navigator().storage());
    let has_opfs = storage
        .and_then(|s| Reflect::get(&s, &"getDirectory".into()).ok())
        .is_some_and(|f| f.is_function());
    if has_opfs {
        StorageKind::Opfs
    } else {
        StorageKind::Memory
    }
}

/// The path SQLite opens database `n` of run `run` under (`SharedBuffers::
/// DATABASES`), which is also where it lives in OPFS: the run's own directory.
pub fn database_path(run: &str, n: usize) -> String {
    format!("/{RUNS_DIR}/{run}/{}", SharedBuffers::DATABASES[n])
}

/// A new run id: milliseconds since 1970 and a random suffix, so that ids sort by
/// age and two tabs starting in the same millisecond still differ.
pub fn new_run_id() -> String {
    let now = js_sys::Date::now() as u64;
    let random = (js_sys::Math::random() * 65536.0) as u32;
    format!("run-{now:013}-{random:04x}")
}

fn call(target: &JsValue, name: &str, args: &[&JsValue]) -> Result<JsValue, WebError> {
    let f: Function = Reflect::get(target, &name.into())
        .and_then(|f| f.dyn_into())
        .map_err(|_| WebError::browser(format!("this browser has no {name}")))?;
    let args: Array = args.iter().copied().collect();
    f.apply(target, &args).map_err(|e| js_error(name, e))
}

async fn awaited(value: JsValue, what: &str) -> Result<JsValue, WebError> {
    JsFuture::from(Promise::from(value))
        .await
        .map_err(|e| js_error(what, e))
}

fn locks() -> Result<JsValue, WebError> {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into())
        .map_err(|_| WebError::browser("no navigator"))?;
    Reflect::get(&navigator, &"locks".into())
        .ok()
        .filter(|l| !l.is_undefined())
        .ok_or_else(|| WebError::browser("this browser has no Web Locks (navigator.locks)"))
}

/// The Web Lock of a run in progress: held from `hold` until dropped, in every tab
/// of the origin.
pub struct RunLock {
    release: Option<Function>,
}

impl RunLock {
    /// Take the lock of run `id` (new, so nobody else holds it).
    pub async fn hold(id: &str) -> Result<RunLock, WebError> {
        let locks = locks()?;
        // The lock lasts as long as the promise the callback returns stays pending;
        // keep its resolve function, and resolve it to let go.
        let mut release = None;
        let held = Promise::new(&mut |resolve, _| release = Some(resolve));
        let granted = Promise::new(&mut |granted, refused| {
            let held = held.clone();
            let callback = Closure::once_into_js(move |_lock: JsValue| {
                let _ = granted.call0(&JsValue::NULL);
                held
            });
            let name = JsValue::from(format!("{LOCK_PREFIX}{id}"));
            match call(&locks, "request", &[&name, &callback]) {
                // A request refused before it is granted rejects `granted` too.
                Ok(request) => {
                    let _ = call(&request, "then", &[&JsValue::UNDEFINED, &refused]);
                }
                Err(why) => {
                    let _ = refused.call1(&JsValue::NULL, &why.message.into());
                }
            }
        });
        awaited(granted.into(), "taking the run's Web Lock").await?;
        Ok(RunLock { release })
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        if let Some(release) = self.release.take() {
            let _ = release.call0(&JsValue::NULL);
        }
    }
}

/// The ids of the runs in progress in any tab of this origin.
pub async fn in_progress() -> Result<BTreeSet<String>, WebError> {
    let state = awaited(call(&locks()?, "query", &[])?, "asking for the Web Locks").await?;
    let held = Reflect::get(&state, &"held".into()).unwrap_or_default();
    Ok(crate::ordering::set_of(
        Array::from(&held)
            .iter()
            .filter_map(|lock| Reflect::get(&lock, &"name".into()).ok()?.as_string())
            .filter_map(|name| name.strip_prefix(LOCK_PREFIX).map(str::to_string)),
    ))
}

async fn runs_dir(create: bool) -> Result<Option<FileSystemDirectoryHandle>, WebError> {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into())
        .map_err(|_| WebError::browser("no navigator"))?;
    let storage = Reflect::get(&navigator, &"storage".into()).unwrap_or_default();
    let root = awaited(
        call(&storage, "getDirectory", &[])?,
        "OPFS is not available",
    )
    .await?;
    let options = Object::new();
    let _ = Reflect::set(&options, &"create".into(), &create.into());
    match awaited(
        call(&root, "getDirectoryHandle", &[&RUNS_DIR.into(), &options])?,
        "opening the runs' directory",
    )
    .await
    {
        Ok(dir) => Ok(Some(dir.unchecked_into())),
        Err(_) if !create => Ok(None),
        Err(e) => Err(e),
    }
}

/// One run's directory in OPFS: its name (the run id), and its files and bytes.
struct StoredRun {
    id: String,
    files: u32,
    bytes: f64,
}

/// Every run directory in OPFS, oldest first.
async fn stored_runs(dir: &FileSystemDirectoryHandle) -> Result<Vec<StoredRun>, WebError> {
    let mut runs = Vec::new();
    for (name, handle) in entries(dir).await? {
        if kind(&handle) != "directory" {
            continue;
        }
        let (mut files, mut bytes) = (0, 0.0);
        for (_, file) in entries(&handle).await? {
            if kind(&file) == "file" {
                let blob = awaited(call(&file, "getFile", &[])?, "reading a run's file").await?;
                files += 1;
                bytes += Reflect::get(&blob, &"size".into())
                    .ok()
                    .and_then(|s| s.as_f64())
                    .unwrap_or(0.0);
            }
        }
        runs.push(StoredRun {
            id: name,
            files,
            bytes,
        });
    }
    crate::ordering::sort_by_key(&mut runs, |r| r.id.clone());
    Ok(runs)
}

fn kind(handle: &JsValue) -> String {
    Reflect::get(handle, &"kind".into())
        .ok()
        .and_then(|k| k.as_string())
        .unwrap_or_default()
}

/// A directory's entries, through its async iterator (outside web-sys's stable API).
async fn entries(dir: &JsValue) -> Result<Vec<(String, JsValue)>, WebError> {
    let iterator = call(dir, "entries", &[])?;
    let mut found = Vec::new();
    loop {
        let step = awaited(call(&iterator, "next", &[])?, "listing an OPFS directory").await?;
        if Reflect::get(&step, &"done".into()).is_ok_and(|d| d.is_truthy()) {
            return Ok(found);
        }
        let pair = Array::from(&Reflect::get(&step, &"value".into()).unwrap_or_default());
        found.push((pair.get(0).as_string().unwrap_or_default(), pair.get(1)));
    }
}

/// What a clean-up did.
#[derive(Debug, Default)]
pub struct Removed {
    pub runs: u32,
    pub files: u32,
    pub bytes: f64,
    /// Runs left because a tab runs them now.
    pub in_progress: u32,
    /// Runs that could not be removed (a file still open), with why.
    pub failed: Vec<String>,
}

/// Remove finished runs' directories, keeping the newest `keep` of them.
async fn remove_finished_but(keep: usize) -> Result<Removed, WebError> {
    let Some(dir) = runs_dir(false).await? else {
        return Ok(Removed::default());
    };
    let busy = in_progress().await?;
    let runs = stored_runs(&dir).await?;
    let in_progress = runs.iter().filter(|r| busy.contains(&r.id)).count() as u32;
    let finished: Vec<&StoredRun> = runs.iter().filter(|r| !busy.contains(&r.id)).collect();
    let doomed = finished.len().saturating_sub(keep);
    let mut removed = Removed {
        in_progress,
        ..Removed::default()
    };
    let options = Object::new();
    let _ = Reflect::set(&options, &"recursive".into(), &true.into());
    for run in &finished[..doomed] {
        let gone = async {
            awaited(
                call(&dir, "removeEntry", &[&run.id.clone().into(), &options])?,
                &format!("removing {}", run.id),
            )
            .await
        };
        match gone.await {
            Ok(_) => {
                removed.runs += 1;
                removed.files += run.files;
                removed.bytes += run.bytes;
            }
            Err(why) => removed.failed.push(why.message),
        }
    }
    Ok(removed)
}

/// After a run: keep the newest [`KEEP_FINISHED`] finished runs, remove the rest.
pub async fn prune() -> Result<Removed, WebError> {
    remove_finished_but(KEEP_FINISHED).await
}

/// Reset: remove every finished run; runs in progress (in any tab) stay.
pub async fn remove_finished() -> Result<Removed, WebError> {
    remove_finished_but(0).await
}

/// Whether run `id` still has its directory in OPFS.
pub async fn exists(id: &str) -> Result<bool, WebError> {
    let Some(dir) = runs_dir(false).await? else {
        return Ok(false);
    };
    let options = Object::new();
    let found = call(&dir, "getDirectoryHandle", &[&id.into(), &options])?;
    Ok(awaited(found, "").await.is_ok())
}

/// The directory of run `id`, created (a worker opens its files in it).
pub async fn directory(id: &str) -> Result<FileSystemDirectoryHandle, WebError> {
    let dir = runs_dir(true)
        .await?
        .ok_or_else(|| WebError::browser("cannot create the runs' directory"))?;
    let options = Object::new();
    let _ = Reflect::set(&options, &"create".into(), &true.into());
    let run = awaited(
        call(&dir, "getDirectoryHandle", &[&id.into(), &options])?,
        &format!("creating the directory of {id}"),
    )
    .await?;
    Ok(run.unchecked_into())
}
