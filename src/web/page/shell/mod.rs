//! The page's shell: how the page is shown and what opens over it. The modes come
//! from the address (`#lesson=wall-of-red&present`, `&embed`, `&pipeline`) and
//! from keys (P); the colour theme follows the system unless the switch chose one
//! (kept in localStorage); the drawers (the scenario's knobs, the SQL console,
//! about this page) open beside or over the run, and `?` lists every key.
//!
//! The shell only sets classes on the document's root element and opens and
//! closes things; how each mode looks is `static/style.css`. It never touches a
//! run: the course and the run views own those.

mod bar;
mod drawer;
mod help;

pub use bar::TopBar;
pub use drawer::Drawer;
pub use help::HelpDialog;

use super::keys::use_page_keys;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

/// What opens beside or over the run.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DrawerKind {
    /// Every knob of the scenario.
    Scenario,
    /// The SQL console.
    Console,
    /// What locklab is, what this browser can do, the pipeline check.
    About,
    /// A lesson file of one's own: open, edit, save.
    Lesson,
}

impl DrawerKind {
    pub const ALL: [DrawerKind; 4] = [
        DrawerKind::Scenario,
        DrawerKind::Console,
        DrawerKind::Lesson,
        DrawerKind::About,
    ];

    pub fn id(self) -> &'static str {
        match self {
            DrawerKind::Scenario => "scenario",
            DrawerKind::Console => "console",
            DrawerKind::About => "about",
            DrawerKind::Lesson => "lesson-file",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            DrawerKind::Scenario => "Scenario",
            DrawerKind::Console => "SQL console",
            DrawerKind::About => "About",
            DrawerKind::Lesson => "Your lesson",
        }
    }

    /// The key that opens and closes it.
    pub fn key(self) -> &'static str {
        match self {
            DrawerKind::Scenario => "K",
            DrawerKind::Console => "C",
            DrawerKind::About => "A",
            DrawerKind::Lesson => "O",
        }
    }
}

/// The colour theme: the system's, or one the switch chose.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Theme {
    System,
    Light,
    Dark,
}

const THEME_KEY: &str = "locklab-theme";

impl Theme {
    pub fn name(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub fn from_name(name: &str) -> Theme {
        match name {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::System,
        }
    }

    fn load() -> Theme {
        storage()
            .and_then(|s| s.get_item(THEME_KEY).ok().flatten())
            .map_or(Theme::System, |n| Theme::from_name(&n))
    }

    fn save(self) {
        if let Some(s) = storage() {
            let _ = match self {
                Theme::System => s.remove_item(THEME_KEY),
                _ => s.set_item(THEME_KEY, self.name()),
            };
        }
    }

    /// Whether the page is dark now: the choice, else the system's setting.
    fn is_dark(self) -> bool {
        match self {
            Theme::Dark => true,
            Theme::Light => false,
            Theme::System => web_sys::window()
                .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
                .is_some_and(|m| m.matches()),
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// How the page is shown and what is open.
#[derive(Clone, PartialEq, Debug)]
pub struct ShellState {
    /// Presenter mode: large type, thick lanes, the lesson, the run, the numbers.
    pub present: bool,
    /// Embed mode: a scenario, Run, the timeline and the numbers, for an iframe.
    pub embed: bool,
    /// The developers' pipeline check is shown (in About).
    pub pipeline: bool,
    pub drawer: Option<DrawerKind>,
    /// The list of keys is open.
    pub help: bool,
    pub theme: Theme,
}

impl ShellState {
    /// How many CSS pixels a pixel of the timeline's canvas covers: more than one
    /// in presenter mode (thicker lanes, larger lane names), so that the room
    /// from one end of the screen to the other shows them.
    pub fn lane_scale(&self) -> f64 {
        if self.present {
            1.5
        } else {
            1.0
        }
    }

    fn from_address() -> ShellState {
        let hash = hash();
        let pipeline = has_flag(&hash, "pipeline");
        ShellState {
            present: has_flag(&hash, "present"),
            embed: has_flag(&hash, "embed"),
            pipeline,
            drawer: pipeline.then_some(DrawerKind::About),
            help: false,
            theme: Theme::load(),
        }
    }
}

/// The shell as its components share it.
pub type Shell = UseStateHandle<ShellState>;

fn hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Whether the hash (`#lesson=x&present`) holds the flag `name`.
pub fn has_flag(hash: &str, name: &str) -> bool {
    hash.trim_start_matches('#')
        .split('&')
        .any(|p| p == name || p.strip_prefix(name).is_some_and(|r| r.starts_with('=')))
}

/// The hash with the flag `name` set or left out, its other pairs as they were.
pub fn with_flag(hash: &str, name: &str, on: bool) -> String {
    let mut pairs: Vec<&str> = hash
        .trim_start_matches('#')
        .split('&')
        .filter(|p| !p.is_empty() && *p != name && !p.starts_with(&format!("{name}=")))
        .collect();
    if on {
        pairs.push(name);
    }
    if pairs.is_empty() {
        String::new()
    } else {
        format!("#{}", pairs.join("&"))
    }
}

/// Set or leave out a flag in the address without a new history entry.
fn write_flag(name: &str, on: bool) {
    let Some(w) = web_sys::window() else { return };
    let location = w.location();
    let url = format!(
        "{}{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default(),
        with_flag(&hash(), name, on)
    );
    if let Ok(history) = w.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

impl ShellState {
    /// Presenter mode on or off, in the address too.
    pub fn presenting(&self, on: bool) -> ShellState {
        write_flag("present", on);
        ShellState {
            present: on,
            ..self.clone()
        }
    }

    /// Open `drawer`, or close it if it is open.
    pub fn toggled(&self, drawer: DrawerKind) -> ShellState {
        ShellState {
            drawer: (self.drawer != Some(drawer)).then_some(drawer),
            ..self.clone()
        }
    }

    /// The theme chosen, remembered in this browser.
    pub fn themed(&self, theme: Theme) -> ShellState {
        theme.save();
        ShellState {
            theme,
            ..self.clone()
        }
    }
}

/// Set the root element's classes and theme to what `state` says.
fn apply(state: &ShellState) {
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    else {
        return;
    };
    let classes = root.class_list();
    let set = |name: &str, on: bool| {
        let _ = if on {
            classes.add_1(name)
        } else {
            classes.remove_1(name)
        };
    };
    set("present", state.present);
    set("embed", state.embed);
    set("drawer-open", state.drawer.is_some());
    let _ = match state.theme {
        Theme::System => root.remove_attribute("data-theme"),
        t => root.set_attribute("data-theme", t.name()),
    };
}

#[derive(Properties, PartialEq)]
pub struct ShellProps {
    pub children: Html,
}

/// Holds the shell's state for the components under it, keeps it in step with
/// the address, and answers the shell's keys: P presenter mode, ? the keys, K
/// the scenario, C the console, A about, L the lesson list, D dark or light, Esc
/// closes what is open (else leaves presenter mode).
#[function_component(ShellProvider)]
pub fn shell_provider(props: &ShellProps) -> Html {
    let state = use_state(ShellState::from_address);
    {
        let state = state.clone();
        use_effect_with((), move |_| {
            let listener = Closure::<dyn Fn()>::new(move || {
                let from = ShellState::from_address();
                let mut next = (*state).clone();
                next.present = from.present;
                next.embed = from.embed;
                if from.pipeline && !next.pipeline {
                    next.drawer = Some(DrawerKind::About);
                }
                next.pipeline = from.pipeline;
                state.set(next);
            });
            let window = web_sys::window();
            if let Some(w) = &window {
                let _ = w.add_event_listener_with_callback(
                    "hashchange",
                    listener.as_ref().unchecked_ref(),
                );
            }
            move || {
                if let Some(w) = window {
                    let _ = w.remove_event_listener_with_callback(
                        "hashchange",
                        listener.as_ref().unchecked_ref(),
                    );
                }
            }
        });
    }
    use_effect_with((*state).clone(), apply);
    // The timeline measures its canvas again on a resize: presenter mode changes
    // how wide a canvas pixel is.
    use_effect_with(state.present, |_| {
        if let Some(w) = web_sys::window() {
            if let Ok(e) = web_sys::Event::new("resize") {
                let _ = w.dispatch_event(&e);
            }
        }
    });
    {
        let state = state.clone();
        use_page_keys(move |e| {
            if e.default_prevented() {
                return false;
            }
            let s = &*state;
            let next = match e.key().as_str() {
                "p" | "P" => s.presenting(!s.present),
                "?" => ShellState {
                    help: !s.help,
                    ..s.clone()
                },
                "k" | "K" => s.toggled(DrawerKind::Scenario),
                "c" | "C" => s.toggled(DrawerKind::Console),
                "a" | "A" => s.toggled(DrawerKind::About),
                "o" | "O" => s.toggled(DrawerKind::Lesson),
                "d" | "D" => s.themed(if s.theme.is_dark() {
                    Theme::Light
                } else {
                    Theme::Dark
                }),
                "l" | "L" => return open_lesson_list(),
                "Escape" if s.help => ShellState {
                    help: false,
                    ..s.clone()
                },
                "Escape" if s.drawer.is_some() => ShellState {
                    drawer: None,
                    ..s.clone()
                },
                "Escape" if s.present => s.presenting(false),
                _ => return false,
            };
            state.set(next);
            true
        });
    }
    html! {
        <ContextProvider<Shell> context={state}>
            { props.children.clone() }
        </ContextProvider<Shell>>
    }
}

/// Open the list of every lesson (or close it) and put the focus on it.
fn open_lesson_list() -> bool {
    let Some(list) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| {
            d.query_selector("[data-testid=\"lesson-list\"]")
                .ok()
                .flatten()
        })
        .and_then(|e| e.dyn_into::<web_sys::HtmlDetailsElement>().ok())
    else {
        return false;
    };
    list.set_open(!list.open());
    if let Some(summary) = list
        .query_selector("summary")
        .ok()
        .flatten()
        .and_then(|s| s.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = summary.focus();
    }
    true
}

/// The shell of the component calling it (outside a `ShellProvider`: none).
#[hook]
pub fn use_shell() -> Option<Shell> {
    use_context::<Shell>()
}
