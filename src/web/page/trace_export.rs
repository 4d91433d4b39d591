//! The finished run's trace as a Chrome Trace Event Format file (the same as
//! `locklab run --trace`), to open in Perfetto: who blocked whom shows there as
//! arrows from each holder to the refusals it caused. The file is written only
//! when the link is clicked (a run's trace can be megabytes), never while the page
//! draws.

use crate::chrome_trace;
use crate::web::host::run::BrowserRun;
use std::rc::Rc;
use web_sys::Element;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TraceExportProps {
    pub run: Rc<BrowserRun>,
}

#[function_component(TraceExport)]
pub fn trace_export(props: &TraceExportProps) -> Html {
    let link = use_node_ref();
    let onclick = {
        let (run, link) = (props.run.clone(), link.clone());
        // The link's address is set as it is clicked: the browser then downloads it.
        Callback::from(move |_: MouseEvent| {
            let Some(link) = link.cast::<Element>() else {
                return;
            };
            let end_us = (run.report.elapsed_ms * 1000.0) as u64;
            let json = chrome_trace::export(&run.events, end_us).to_string();
            let href = format!(
                "data:application/json;charset=utf-8,{}",
                js_sys::encode_uri_component(&json)
            );
            let _ = link.set_attribute("href", &href);
        })
    };
    html! {
        <p class="export">
            <a ref={link} href="#" download="locklab-run.trace.json" data-testid="trace-export" {onclick}>
                { "Download the Chrome trace" }</a>
            <span class="muted">{ " (open it in ui.perfetto.dev: each refused lock has an arrow \
                from the worker that held the lock in the way)" }</span>
        </p>
    }
}
