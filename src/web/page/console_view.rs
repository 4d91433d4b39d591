//! The SQL console as the page shows it: a connection of your own to the run's
//! database. Type SQL (or pick an example), run it with the button or Ctrl+Enter,
//! and read the rows, what changed, or SQLite's error with what it means; Stop SQL
//! interrupts a statement that runs too long. While a run goes on, the console
//! takes part in it: its lane is "you".

use crate::engine::console::{Answer, SqlError};
use crate::web::host::console::{self, Refused};
use serde_json::Value;
use yew::prelude::*;

/// Examples, each a button that fills the box.
const EXAMPLES: [&str; 6] = [
    "BEGIN IMMEDIATE;",
    "COMMIT;",
    "SELECT status, count(*) FROM jobs GROUP BY status;",
    "PRAGMA busy_timeout = 5000;",
    "PRAGMA journal_mode;",
    "PRAGMA integrity_check;",
];

#[derive(Clone, PartialEq)]
enum Shown {
    Nothing,
    Running(String),
    Answer(Answer),
    Error(SqlError),
    Unavailable(String),
}

#[function_component(ConsoleView)]
pub fn console_view() -> Html {
    let text = use_state(|| EXAMPLES[2].to_string());
    let shown = use_state(|| Shown::Nothing);
    let run = {
        let (text, shown) = (text.clone(), shown.clone());
        Callback::from(move |_: ()| {
            if matches!(*shown, Shown::Running(_)) {
                return;
            }
            let (sql, shown) = ((*text).clone(), shown.clone());
            shown.set(Shown::Running(sql.clone()));
            wasm_bindgen_futures::spawn_local(async move {
                shown.set(match console::sql(sql).await {
                    Ok(answer) => Shown::Answer(answer),
                    Err(Refused::Sql(e)) => Shown::Error(e),
                    Err(Refused::Console(why)) => Shown::Unavailable(why.message),
                });
            });
        })
    };
    let on_input = super::text_box::kept_in(&text);
    let on_key = {
        let run = run.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
                e.prevent_default();
                run.emit(());
            }
        })
    };
    let running = matches!(*shown, Shown::Running(_));
    html! {
        <section class="console" aria-labelledby="console-title" data-testid="console">
            <h2 id="console-title">{ "Your own connection" }</h2>
            <p class="muted">
                { "A real SQLite connection of your own, in a Web Worker of its own, to the database of \
                   the run in progress (its lane is \"you\") or else of the last finished run. Hold the \
                   write lock with BEGIN IMMEDIATE while a run goes on and watch the workers wait and \
                   fail; COMMIT and they go on. Its busy_timeout starts at 5000 ms, the default of rusqlite \
                   (the library locklab opens connections with; SQLite's own default is no busy handler): \
                   PRAGMA busy_timeout = 0 makes it refused at once." }
            </p>
            <div class="examples">
                { for EXAMPLES.iter().map(|example| {
                    let text = text.clone();
                    html! { <button class="example" onclick={Callback::from(move |_| text.set(example.to_string()))}>
                        <code>{ *example }</code></button> }
                }) }
            </div>
            <label for="console-sql">{ "SQL (Ctrl+Enter runs it)" }</label>
            <textarea id="console-sql" data-testid="console-sql" rows="3" spellcheck="false"
                value={(*text).clone()} oninput={on_input} onkeydown={on_key} />
            <button data-testid="console-run" onclick={run.reform(|_| ())} disabled={running}>
                { if running { "Running..." } else { "Run SQL" } }
            </button>
            if running {
                <button data-testid="console-stop" onclick={Callback::from(|_| { console::interrupt(None); })}>
                    { "Stop SQL" }
                </button>
            }
            <div class="console-output" data-testid="console-output" role="status" aria-live="polite">
                { output(&shown) }
            </div>
        </section>
    }
}

fn output(shown: &Shown) -> Html {
    match shown {
        Shown::Nothing => html! {},
        Shown::Running(sql) => html! { <p class="muted">{ format!("Running `{sql}`...") }</p> },
        Shown::Unavailable(why) => html! { <p class="error">{ why }</p> },
        Shown::Error(e) => html! {
            <div class="error" data-testid="console-error">
                <p><strong>{ &e.name }</strong>{ format!(": {}", e.message) }</p>
                <p>{ &e.explanation }</p>
                { open_note(e.in_transaction) }
            </div>
        },
        Shown::Answer(a) => html! {
            <>
                if a.columns.is_empty() {
                    <p>{ format!("Done: {} row{} changed.", a.changes, if a.changes == 1 { "" } else { "s" }) }</p>
                } else {
                    <table data-testid="console-rows">
                        <thead><tr>{ for a.columns.iter().map(|c| html! { <th>{ c }</th> }) }</tr></thead>
                        <tbody>
                            { for a.rows.iter().map(|row| html! {
                                <tr>{ for row.iter().map(|v| html! { <td>{ cell(v) }</td> }) }</tr>
                            }) }
                        </tbody>
                    </table>
                    if a.more_rows > 0 {
                        <p class="muted">{ format!("and {} more rows, not shown", a.more_rows) }</p>
                    }
                }
                { open_note(a.in_transaction) }
            </>
        },
    }
}

/// Whether your transaction is open: what the workers are up against.
fn open_note(open: bool) -> Html {
    if open {
        html! { <p class="notice" data-testid="console-open">
        { "Your transaction is open: you hold its locks until COMMIT or ROLLBACK." }</p> }
    } else {
        html! {}
    }
}

fn cell(value: &Value) -> String {
    match value {
        Value::Null => "NULL".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
