//! "Compare with an edited copy", under the knobs: the scenario the knobs say
//! becomes A, a copy of it becomes B, whose own knobs (the same panel) change
//! what B does; Run comparison runs A, then B, and shows them side by side.

use super::compare_view::CompareView;
use super::scenario_panel::{check, Draft, Knobs};
use crate::compare::scenario_changes;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct EditedCopyProps {
    /// The scenario of the page's knobs: A.
    pub draft: Draft,
    /// B while comparing; `None` before "Compare with an edited copy" and after
    /// Close. The page keeps it (in its address, so that a link restores it).
    pub copy: Option<Draft>,
    pub on_copy: Callback<Option<Draft>>,
}

#[function_component(EditedCopy)]
pub fn edited_copy(props: &EditedCopyProps) -> Html {
    let copy = props.on_copy.clone();
    let Some(b_draft) = props.copy.clone() else {
        let (copy, draft) = (copy.clone(), props.draft.clone());
        return html! {
            <section class="edited-copy" aria-labelledby="edited-copy-title">
                <h2 id="edited-copy-title">{ "Compare" }</h2>
                <p>{ "Change one knob and see what it does: the scenario above becomes A, a copy of it \
                    becomes B for you to edit; both run, one after the other, and show side by side." }</p>
                <button data-testid="compare-edited-copy"
                    onclick={Callback::from(move |_| copy.emit(Some(draft.clone())))}>
                    { "Compare with an edited copy" }
                </button>
            </section>
        };
    };
    let (a, b) = (check(&props.draft), check(&b_draft));
    let on_edit = {
        let (copy, b_draft) = (copy.clone(), b_draft.clone());
        Callback::from(move |(field, value): (String, Option<serde_json::Value>)| {
            let mut next = b_draft.clone();
            match value {
                Some(v) => next.insert(field, v),
                None => next.remove(&field),
            };
            copy.emit(Some(next));
        })
    };
    let changes = match (&a, &b) {
        (Ok(a), Ok(b)) => scenario_changes(&a.to_value(), &b.to_value()),
        _ => Vec::new(),
    };
    let again = {
        let (copy, draft) = (copy.clone(), props.draft.clone());
        Callback::from(move |_| copy.emit(Some(draft.clone())))
    };
    let close = {
        let copy = copy.clone();
        Callback::from(move |_| copy.emit(None))
    };
    html! {
        <section class="edited-copy" aria-labelledby="edited-copy-title" data-testid="edited-copy">
            <h2 id="edited-copy-title">{ "A against an edited copy, B" }</h2>
            <p>{ "A is the scenario of the knobs above. B began as a copy of it: change B's knobs \
                below, then Run comparison." }</p>
            <p data-testid="b-changes">
                if changes.is_empty() {
                    <span class="muted">{ "B is still the same as A." }</span>
                } else {
                    { "B differs from A in: " }
                    { for changes.iter().enumerate().map(|(i, c)| html! { <>
                        if i > 0 { { "; " } }
                        <code>{ c }</code>
                    </> }) }
                }
            </p>
            <div class="controls">
                <button data-testid="compare-copy-again" onclick={again}>{ "Copy A into B again" }</button>
                <button data-testid="compare-close" onclick={close}>{ "Close the comparison" }</button>
            </div>
            <details open=true>
                <summary id="b-scenario-title"><h3>{ "B's knobs" }</h3></summary>
                <Knobs draft={b_draft} error={b.clone().err()} {on_edit} id_prefix="b-" title=""
                    note="A copy of A's knobs: change any, then Run comparison below." />
            </details>
            <CompareView a={a.ok()} b={b.ok()} />
        </section>
    }
}
