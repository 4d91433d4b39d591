//! Kill a worker of the run in progress, as a crash would: it stops at its next
//! step, holding whatever locks it holds and with its transaction open, and the
//! page releases its locks; SQLite's own recovery then runs in the others. With
//! `stale_after_ms` the job it held comes back to the queue through the heartbeat.

use crate::web::host::kept_runs;
use crate::web::protocol::SharedBuffers;
use std::collections::BTreeSet;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct KillButtonsProps {
    /// The run in progress.
    pub run: String,
    /// Its workers and readers.
    pub lanes: u32,
}

#[function_component(KillButtons)]
pub fn kill_buttons(props: &KillButtonsProps) -> Html {
    let asked = use_state(BTreeSet::<u32>::new);
    let kill = |worker: u32| {
        let (asked, run) = (asked.clone(), props.run.clone());
        Callback::from(move |_: MouseEvent| {
            if kept_runs::ask_worker(SharedBuffers::KILL, worker, Some(&run)) {
                let mut now = (*asked).clone();
                now.insert(worker);
                asked.set(now);
            }
        })
    };
    html! {
        <div class="kill" data-testid="kill-buttons" role="group" aria-labelledby="kill-label">
            <span id="kill-label">{ "Kill a worker, as a crash would: " }</span>
            { for (0..props.lanes).map(|w| html! {
                <button data-testid={format!("kill-{w}")} onclick={kill(w)} disabled={asked.contains(&w)}
                    title={format!("Worker {w} stops at its next step, holding its locks; the page releases them")}>
                    { if asked.contains(&w) { format!("worker {w} killed") } else { format!("worker {w}") } }
                </button>
            }) }
        </div>
    }
}
