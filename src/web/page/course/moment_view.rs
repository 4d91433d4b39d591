//! A lesson's annotated moment: the timeline zoomed to it, on a canvas of its own,
//! with the lane framed, a line at the moment, and the trace's words for it.

use crate::duration::ms_text;
use crate::timeline::paint::{self, Raster, LANE_HEIGHT};
use crate::timeline::{Landmark, Timeline, View};
use crate::web::page::timeline::canvas::{axis, put_lanes, LABEL_WIDTH};
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

#[derive(Properties)]
pub struct MomentProps {
    pub timeline: Rc<RefCell<Timeline>>,
    pub at: Landmark,
    /// "A" or "B" in a comparison.
    pub run_label: Option<String>,
}

impl PartialEq for MomentProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.timeline, &other.timeline) && self.at == other.at
    }
}

/// The window around the moment: the moment and as much again on each side, at
/// least a millisecond, within the run.
fn window(at: &Landmark, last_us: u64) -> (u64, u64) {
    let span = (at.to_us - at.from_us).max(1000);
    let start = at.from_us.saturating_sub(span);
    (start, (at.to_us + span).min(last_us.max(start + 1)))
}

fn draw(canvas: &HtmlCanvasElement, timeline: &Timeline, at: &Landmark) -> Option<()> {
    let width = (canvas.client_width().max(300) as usize).saturating_sub(LABEL_WIDTH);
    let (start, end) = window(at, timeline.last_us());
    let view = View::new(start, end, width);
    let mut raster = Raster::default();
    paint::paint(
        timeline,
        &view,
        timeline.last_us(),
        None,
        Some(at.lane),
        &mut raster,
    );
    let ctx = put_lanes(canvas, timeline, &raster)?;
    // The moment: its lane framed from its start to its end, a line at its start.
    let (x0, x1) = (
        (LABEL_WIDTH + view.column(at.from_us)) as f64,
        (LABEL_WIDTH + view.column(at.to_us)) as f64,
    );
    ctx.set_stroke_style_str("#d55e00");
    ctx.set_line_width(2.0);
    ctx.stroke_rect(
        x0 - 3.0,
        (at.lane * LANE_HEIGHT) as f64 + 1.0,
        (x1 - x0) + 6.0,
        LANE_HEIGHT as f64 - 2.0,
    );
    ctx.set_fill_style_str("#d55e00");
    ctx.fill_rect(x0 - 1.0, 0.0, 2.0, raster.height as f64);
    axis(&ctx, &view, raster.height, 2);
    Some(())
}

#[function_component(MomentView)]
pub fn moment_view(props: &MomentProps) -> Html {
    let canvas_ref = use_node_ref();
    {
        let (canvas_ref, timeline, at) =
            (canvas_ref.clone(), props.timeline.clone(), props.at.clone());
        use_effect_with(props.at.clone(), move |_| {
            if let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() {
                draw(&canvas, &timeline.borrow(), &at);
            }
        });
    }
    let place = match &props.run_label {
        Some(run) => format!("In run {run}, at {}", ms_text(props.at.from_us)),
        None => format!("At {}", ms_text(props.at.from_us)),
    };
    html! {
        <figure class="moment" data-testid="moment" data-from-us={props.at.from_us.to_string()}>
            <canvas ref={canvas_ref} role="img" aria-label={format!("{place}: {}", props.at.label)} />
            <figcaption data-testid="moment-label"><strong>{ place }{ ": " }</strong>{ &props.at.label }</figcaption>
        </figure>
    }
}
