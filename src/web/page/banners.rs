//! What this browser can do, said before anything else: a banner for what it
//! lacks and what still works without it, and the list in the About drawer.

use crate::web::protocol::StorageKind;
use js_sys::Reflect;
use wasm_bindgen::JsValue;
use yew::prelude::*;

/// Whether the page's global `name` is true (`crossOriginIsolated`).
pub fn global_flag(name: &str) -> bool {
    Reflect::get(&js_sys::global(), &JsValue::from_str(name))
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// Whether workers can share the run's files in OPFS here.
fn has_opfs() -> bool {
    crate::web::run_files::default_storage() == StorageKind::Opfs
}

/// What this browser lacks, and what still works without it, before anything else.
#[function_component(Banners)]
pub fn banners() -> Html {
    let isolated = global_flag("crossOriginIsolated");
    let opfs = has_opfs();
    html! {
        <>
            if !isolated {
                <div class="banner" role="alert" data-testid="not-isolated">
                    <strong>{ "This page is not cross-origin isolated, so its workers cannot share memory." }</strong>
                    { " Runs with several workers need a shared lock table and a busy handler that \
                       really sleeps (SharedArrayBuffer and Atomics.wait), so Run is off. Serve the page \
                       with the headers Cross-Origin-Opener-Policy: same-origin and \
                       Cross-Origin-Embedder-Policy: require-corp (scripts/serve.sh does), or from \
                       https or localhost, where the page's service worker adds them. What still \
                       works: reading the lessons, the pipeline check of one worker, and the native \
                       command, locklab lesson NAME." }
                </div>
            }
            if isolated && !opfs {
                <div class="banner notice" role="status" data-testid="no-opfs">
                    <strong>{ "This browser has no Origin Private File System (OPFS)." }</strong>
                    { " Runs keep the shared database in SharedArrayBuffers instead. Everything on \
                       this page works the same, the locks and their timelines included; what is \
                       missing is a real file: the database is gone when the page closes, and \
                       nothing is written to disk. Chromium 121 or later shares OPFS files between \
                       workers." }
                </div>
            }
        </>
    }
}

#[function_component(Capabilities)]
pub fn capabilities() -> Html {
    let isolated = global_flag("crossOriginIsolated");
    let opfs = has_opfs();
    let row = |ok: bool, what: &str, why: &str| {
        html! {
            <li class={if ok { "ok" } else { "missing" }}>
                <strong>{ if ok { "yes: " } else { "missing: " } }{ what }</strong>{ " - " }{ why }
            </li>
        }
    };
    html! {
        <section aria-labelledby="caps-title" data-testid="capabilities">
            <h2 id="caps-title">{ "This browser" }</h2>
            <ul>
                { row(isolated, "cross-origin isolation (SharedArrayBuffer)",
                    "workers share their lock table and sleep truly while SQLite's busy handler waits") }
                { row(opfs, "Origin Private File System",
                    "the shared database can live in a real file that survives a reload") }
            </ul>
            <p data-testid="storage-choice">
                { if opfs {
                    "Runs keep the database in OPFS, shared by every worker through \"readwrite-unsafe\" \
                     handles (Chromium 121+); where those are refused, in SharedArrayBuffers instead."
                } else {
                    "Runs keep the database in SharedArrayBuffers: shared by every worker, gone with the page."
                } }
            </p>
        </section>
    }
}
