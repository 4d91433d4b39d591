//! The bar at the top: the name, a button per drawer (each says its key), the
//! colour theme switch, presenter mode and the list of keys. In embed mode it
//! is a link to the full page; in presenter mode, the way out and the keys.

use super::{use_shell, with_flag, DrawerKind, ShellState, Theme};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[function_component(TopBar)]
pub fn top_bar() -> Html {
    let Some(shell) = use_shell() else {
        return html! {};
    };
    let s = (*shell).clone();
    let set = |f: fn(&ShellState) -> ShellState| {
        let shell = shell.clone();
        Callback::from(move |_: MouseEvent| shell.set(f(&shell)))
    };
    let drawer_button = |kind: DrawerKind| {
        let shell = shell.clone();
        let open = s.drawer == Some(kind);
        html! {
            <button id={format!("toggle-{}", kind.id())} class="drawer-toggle" data-testid={format!("open-{}", kind.id())}
                aria-expanded={open.to_string()} aria-controls={format!("drawer-{}", kind.id())}
                aria-keyshortcuts={kind.key()}
                onclick={Callback::from(move |_: MouseEvent| shell.set(shell.toggled(kind)))}>
                { kind.title() }<kbd aria-hidden="true">{ kind.key() }</kbd>
            </button>
        }
    };
    let on_theme = {
        let shell = shell.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                shell.set(shell.themed(Theme::from_name(&select.value())));
            }
        })
    };
    let full_page = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .map(|h| with_flag(&h, "embed", false))
        .unwrap_or_default();
    html! {
        <header class="topbar">
            <h1 class="wordmark">{ "locklab" }</h1>
            <a class="embed-only" href={format!("./{full_page}")} target="_blank" rel="noopener"
                data-testid="open-full-page">{ "Open in locklab \u{2197}" }</a>
            <nav class="tools" aria-label="Page">
                { for DrawerKind::ALL.into_iter().map(drawer_button) }
                <label class="theme">
                    <span>{ "Theme" }</span>
                    <select data-testid="theme" onchange={on_theme} aria-keyshortcuts="D">
                        { for [Theme::System, Theme::Light, Theme::Dark].into_iter().map(|t| html! {
                            <option value={t.name()} selected={t == s.theme}>{ t.name() }</option>
                        }) }
                    </select>
                </label>
                <button data-testid="present" aria-pressed={s.present.to_string()} aria-keyshortcuts="P"
                    onclick={set(|s| s.presenting(!s.present))}>
                    { if s.present { "Leave presenter mode" } else { "Present" } }<kbd aria-hidden="true">{ "P" }</kbd>
                </button>
                <button data-testid="open-help" aria-keyshortcuts="?" aria-haspopup="dialog"
                    onclick={set(|s| ShellState { help: true, ..s.clone() })}>
                    { "Keys" }<kbd aria-hidden="true">{ "?" }</kbd>
                </button>
            </nav>
        </header>
    }
}
