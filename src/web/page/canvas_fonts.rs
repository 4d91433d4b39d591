//! The fonts the timeline's canvas writes in (lane names and the axis; the busy
//! waits' labels), and their first use made ahead of time. A canvas's first text
//! in a font costs the browser the font's lookup (on Linux, tens of ms through
//! fontconfig for `ui-monospace`'s fallback): paid in the live view's first
//! frame with lanes, it made that frame one of a run's long tasks. Paid once
//! the page is up and idle, it is not in any run's way.

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// Lane names and the time axis.
pub const LANES: &str = "11px ui-monospace, monospace";
/// What a busy wait waits for, written on its bar.
pub const LABELS: &str = "10px ui-monospace, monospace";

/// Write a few characters in each font on a canvas of one pixel, off the page
/// (the page calls it once it is up).
pub fn warm_up() {
    let canvas = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("canvas").ok())
        .and_then(|c| c.dyn_into::<HtmlCanvasElement>().ok());
    let ctx = canvas
        .and_then(|c| c.get_context("2d").ok().flatten())
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok());
    if let Some(ctx) = ctx {
        for font in [LANES, LABELS] {
            ctx.set_font(font);
            let _ = ctx.fill_text("w0 r1 0.0 ms \u{2192}", 0.0, 0.0);
        }
    }
}
