//! The list of every key (`?`), in a modal dialog: Esc or its button closes it.
//! The keys are handled where they act (the course, the replay, the timeline,
//! the shell); this list is what a presenter reads before a talk.

use super::{use_shell, ShellState};
use yew::prelude::*;

/// The keys, by what they drive: (keys, what they do).
const KEYS: &[(&str, &[(&str, &str)])] = &[
    (
        "The course",
        &[
            ("1 2 3 4", "predict: choose the first, second, third or fourth answer"),
            ("R", "run the lesson's scenario"),
            ("S", "stop the run"),
            ("T", "try the suggested change (after a run)"),
            ("V", "in a comparison: show run A alone, then B alone, then both"),
            ("Page Down or ]", "next lesson"),
            ("Page Up or [", "previous lesson"),
            ("L", "open or close the list of every lesson"),
        ],
    ),
    (
        "The replay of a finished run",
        &[
            ("Space", "play or pause"),
            (".", "step to the next event"),
            (",", "step back to the event before"),
        ],
    ),
    (
        "The timeline (once focused: Tab to it)",
        &[
            ("\u{2190} \u{2192}", "the previous or next event in the lane"),
            ("\u{2191} \u{2193}", "the lane above or below"),
            ("+ -", "zoom in or out around the cursor"),
            ("Home", "the whole run"),
            ("Esc", "let go of the cursor"),
        ],
    ),
    (
        "The page",
        &[
            ("P", "presenter mode on or off: large type, thick lanes, the lesson, the run, the numbers"),
            ("K", "the scenario's knobs"),
            ("C", "the SQL console"),
            ("O", "your lesson: open, edit and save a lesson file"),
            ("A", "about locklab and this browser"),
            ("D", "dark or light"),
            ("?", "this list"),
            ("Esc", "close what is open; in presenter mode, leave it"),
            ("Tab", "every button, field and link, in order; the focus is always outlined"),
        ],
    ),
];

#[function_component(HelpDialog)]
pub fn help_dialog() -> Html {
    let shell = use_shell();
    let dialog = use_node_ref();
    let open = shell.as_ref().is_some_and(|s| s.help);
    {
        let dialog = dialog.clone();
        use_effect_with(open, move |open| {
            if let Some(d) = dialog.cast::<web_sys::HtmlDialogElement>() {
                if *open && !d.open() {
                    let _ = d.show_modal();
                } else if !*open && d.open() {
                    d.close();
                }
            }
        });
    }
    // Esc (the browser's) or the button: the dialog says it closed.
    let on_close = {
        let shell = shell.clone();
        Callback::from(move |_: Event| {
            if let Some(s) = shell.as_ref().filter(|s| s.help) {
                s.set(ShellState {
                    help: false,
                    ..(**s).clone()
                });
            }
        })
    };
    let close_button = {
        let dialog = dialog.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(d) = dialog.cast::<web_sys::HtmlDialogElement>() {
                d.close();
            }
        })
    };
    html! {
        <dialog ref={dialog} class="help" data-testid="help" aria-labelledby="help-title" onclose={on_close}>
            <div class="drawer-head">
                <h2 id="help-title">{ "Keys" }</h2>
                <button class="close" onclick={close_button} data-testid="close-help" aria-label="Close the list of keys (Esc)">{ "\u{2715}" }</button>
            </div>
            <p class="muted">{ "Anywhere on the page but in a text field. Keys with Ctrl, Alt or Meta stay the browser's." }</p>
            <div class="help-groups">
                { for KEYS.iter().map(|(group, keys)| html! {
                    <section>
                        <h3>{ *group }</h3>
                        <dl class="keys">
                            { for keys.iter().map(|(k, what)| html! {
                                <><dt><kbd>{ *k }</kbd></dt><dd>{ *what }</dd></>
                            }) }
                        </dl>
                    </section>
                }) }
            </div>
        </dialog>
    }
}
