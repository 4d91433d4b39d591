//! The lesson's buttons: Run (R), Stop (S), Share, Reset database, what keeps
//! the scenario from running, and the built-in scenarios; then what Share and
//! Reset said.

use super::super::banners::global_flag;
use super::super::runner;
use super::super::scenario_panel::{check, LessonPicker};
use super::super::store::{use_store, Action, Store};
use yew::prelude::*;

#[function_component(Controls)]
pub fn controls() -> Html {
    let (store, state) = use_store();
    let checked = check(&state.draft);
    let running = state.running();
    let on = |act: fn(&std::rc::Rc<Store>)| {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| act(&store))
    };
    html! {
        <>
            <div class="controls">
                <button data-testid="run" onclick={on(runner::run_again)} aria-keyshortcuts="R"
                    disabled={checked.is_err() || running || !global_flag("crossOriginIsolated")}>
                    { if running { "Running..." } else { "Run" } }
                </button>
                <button data-testid="stop" aria-keyshortcuts="S" onclick={on(|_| runner::stop())} disabled={!running}>
                    { "Stop" }
                </button>
                <button data-testid="share" onclick={on(runner::share)}
                    title="Copy a link that opens this lesson with this scenario">{ "Share" }</button>
                <button data-testid="reset" onclick={on(runner::reset)} disabled={running}
                    title="Remove the last run's database files, from OPFS or from memory">
                    { "Reset database" }
                </button>
                if let Err(e) = &checked {
                    <span class="error" data-testid="scenario-error">{ format!("Fix `{}` to run.", e.field) }</span>
                }
                <LessonPicker preset={state.preset.clone()} on_preset={Store::callback(&store, Action::ChosePreset)} />
            </div>
            if let Some(link) = &state.shared_link {
                <p class="share" role="status">
                    <label>{ "Link copied: " }<input readonly=true value={link.clone()} data-testid="share-link"
                        size={link.len().min(80).to_string()} /></label>
                </p>
            }
            if let Some(said) = &state.reset_said {
                <p class="muted" data-testid="reset-said" role="status">{ said }</p>
            }
        </>
    }
}
