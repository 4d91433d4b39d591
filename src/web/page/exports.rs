//! The finished run's exports, a row of buttons: the timeline for a slide (PNG)
//! or for print (SVG), the run report, the metrics as CSV, the Chrome trace for
//! Perfetto, and the queue database for the `sqlite3` command. Each file is
//! written when its button is pressed (a trace can be megabytes), by the host
//! (`host::exports`), and handed to the browser as a download.

use crate::exports::ExportKind;
use crate::web::error::WebError;
use crate::web::host::exports;
use crate::web::host::finished_run::BrowserRun;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Blob, HtmlAnchorElement, Url};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ExportsProps {
    pub run: Rc<BrowserRun>,
}

/// What the row says: nothing yet, a file being written, or why one failed.
#[derive(Clone, PartialEq)]
enum Status {
    Idle,
    Writing(ExportKind),
    Saved(ExportKind),
    Failed(String),
}

/// The file name a download gets: "locklab-wall-of-red-timeline.png".
fn file_name(run: &BrowserRun, kind: ExportKind) -> String {
    let name = run
        .report
        .scenario
        .get("name")
        .and_then(|n| n.as_str())
        .unwrap_or("run");
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    format!("locklab-{slug}-{}", kind.name())
}

/// Hand `text` (JSON) to the browser as a download named `name`.
pub fn download_text(text: &str, name: &str) -> Result<(), WebError> {
    let blob = crate::web::host::exports::blob(&text.into(), "application/json")?;
    download(&blob, name)
}

/// Hand `blob` to the browser as a download named `name`.
fn download(blob: &Blob, name: &str) -> Result<(), WebError> {
    let url =
        Url::create_object_url_with_blob(blob).map_err(|e| WebError::browser(format!("{e:?}")))?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| WebError::browser("no document"))?;
    let link: HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| WebError::browser(format!("{e:?}")))?
        .unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.click();
    // The download has its bytes once it starts; the URL goes a minute later.
    gloo_timers::callback::Timeout::new(60_000, move || {
        let _ = Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

#[function_component(Exports)]
pub fn exports_row(props: &ExportsProps) -> Html {
    let status = use_state(|| Status::Idle);
    let busy = matches!(*status, Status::Writing(_));
    let button = |kind: ExportKind| {
        let (run, status) = (props.run.clone(), status.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            let (run, status) = (run.clone(), status.clone());
            status.set(Status::Writing(kind));
            wasm_bindgen_futures::spawn_local(async move {
                let saved = exports::export(kind, &run)
                    .await
                    .and_then(|blob| download(&blob, &file_name(&run, kind)));
                status.set(match saved {
                    Ok(()) => Status::Saved(kind),
                    Err(why) => Status::Failed(format!("{}: {why}", kind.name())),
                });
            });
        });
        html! {
            <button type="button" {onclick} disabled={busy} title={kind.describe()}
                data-testid={format!("export-{}", kind.name())}>{ kind.name() }</button>
        }
    };
    html! {
        <div class="exports" role="group" aria-label="Export this run" data-testid="exports">
            <span class="muted">{ "Export: " }</span>
            { for ExportKind::ALL.into_iter().map(button) }
            <span class="export-status" role="status" data-testid="export-status">
                { match &*status {
                    Status::Idle => html! {},
                    Status::Writing(kind) => html! { format!(" writing {}…", kind.name()) },
                    Status::Saved(kind) => html! { format!(" {} saved", kind.name()) },
                    Status::Failed(why) => html! { <strong class="alarm">{ format!(" {why}") }</strong> },
                } }
            </span>
            <p class="muted">{ "trace.json opens in ui.perfetto.dev (an arrow from each holder to \
                each refused lock); database.db in the sqlite3 command." }</p>
        </div>
    }
}
