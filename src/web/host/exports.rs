//! Exports of a finished run as Blobs, for the page's export buttons and
//! `locklab.export(kind)`. The text kinds are the core's (`crate::exports`);
//! the PNG is the core's SVG drawn by the browser onto a canvas at 1.2 times its
//! size (1920 px wide), so the picture has one painter and the page's wasm no
//! PNG encoder; `database.db` is the run's queue file, read and checkpointed by
//! a worker of its own (`ToWorker::Snapshot`), whichever storage the run used.

use super::finished_run::BrowserRun;
use super::kept_runs;
use super::worker_handle::{unexpected, Arrival};
use crate::exports::{ExportKind, SVG_WIDTH};
use crate::web::error::WebError;
use crate::web::js_error::js_error;
use crate::web::protocol::{FromWorker, ToWorker};
use js_sys::{Array, Function, Promise, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, BlobPropertyBag, CanvasRenderingContext2d, HtmlCanvasElement, HtmlImageElement, Url,
};

/// The PNG's pixels per SVG unit: 1600 units make 1920 px, a full-HD slide.
const PNG_SCALE: f64 = 1.2;

/// A Blob of `parts` (strings or byte arrays) with media type `media_type`.
pub fn blob(part: &JsValue, media_type: &str) -> Result<Blob, WebError> {
    let options = BlobPropertyBag::new();
    options.set_type(media_type);
    Blob::new_with_blob_sequence_and_options(&Array::of1(part), &options)
        .map_err(|e| js_error("making a Blob", e))
}

/// The file of kind `kind` for `run`, as a Blob of the kind's media type.
pub async fn export(kind: ExportKind, run: &BrowserRun) -> Result<Blob, WebError> {
    if let Some(text) = kind.text(&run.report, &run.events) {
        return blob(&JsValue::from_str(&text), kind.media_type());
    }
    match kind {
        ExportKind::TimelinePng => {
            let svg = ExportKind::TimelineSvg
                .text(&run.report, &run.events)
                .unwrap_or_default();
            png(&svg).await
        }
        _ => {
            let file = database(&run.id).await?;
            blob(&Uint8Array::from(file.as_slice()).into(), kind.media_type())
        }
    }
}

/// The SVG `svg` drawn by the browser at [`PNG_SCALE`], as a PNG.
async fn png(svg: &str) -> Result<Blob, WebError> {
    let source = blob(&JsValue::from_str(svg), "image/svg+xml")?;
    let url = Url::create_object_url_with_blob(&source).map_err(|e| js_error("a URL", e))?;
    let drawn = draw(&url).await;
    let _ = Url::revoke_object_url(&url);
    drawn
}

async fn draw(url: &str) -> Result<Blob, WebError> {
    let image = HtmlImageElement::new().map_err(|e| js_error("an image", e))?;
    image.set_src(url);
    JsFuture::from(image.decode())
        .await
        .map_err(|e| js_error("decoding the timeline's SVG", e))?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| WebError::browser("no document"))?;
    let canvas: HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(|e| js_error("a canvas", e))?
        .unchecked_into();
    let (width, height) = (
        (SVG_WIDTH as f64 * PNG_SCALE).round(),
        (f64::from(image.natural_height()) * PNG_SCALE).round(),
    );
    canvas.set_width(width as u32);
    canvas.set_height(height as u32);
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .ok_or_else(|| WebError::browser("no 2d context"))?
        .unchecked_into();
    context
        .draw_image_with_html_image_element_and_dw_and_dh(&image, 0.0, 0.0, width, height)
        .map_err(|e| js_error("drawing the timeline", e))?;
    let encoded = Promise::new(&mut |resolve: Function, reject: Function| {
        if let Err(e) = canvas.to_blob_with_type(&resolve, "image/png") {
            let _ = reject.call1(&JsValue::NULL, &e);
        }
    });
    JsFuture::from(encoded)
        .await
        .map_err(|e| js_error("encoding the PNG", e))?
        .dyn_into::<Blob>()
        .map_err(|_| WebError::browser("the browser made no PNG of the timeline"))
}

/// Run `id`'s queue database as one file (checkpointed when in WAL), read by a
/// worker of its own; refused when the run's files are gone.
async fn database(id: &str) -> Result<Vec<u8>, WebError> {
    let run = kept_runs::kept(id).ok_or_else(|| {
        WebError::browser(format!(
            "{id}'s database is no longer kept in this tab: Reset removed it, or newer runs did"
        ))
    })?;
    let (_keeper, inbox) = kept_runs::ask_keeper(
        &run,
        ToWorker::Snapshot {
            run: run.id.clone(),
            scenario: run.scenario.clone(),
            storage: run.storage,
        },
    )
    .await?;
    match inbox.next().await {
        (_, Arrival::Message(FromWorker::Snapshot { file, .. })) => Ok(file),
        (member, other) => Err(unexpected(member, other)),
    }
}
