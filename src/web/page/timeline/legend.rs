//! What the timeline's colours and shapes mean: the legend under the lanes, each
//! error's shape drawn from the same pixels as in the lanes.

use crate::timeline::paint;
use crate::timeline::{Cell, ErrorKind};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LegendProps {
    /// Whether the run's workers waited for an interpreter lock (`processes`):
    /// the state is listed only then.
    pub interpreter: bool,
}

/// What each colour and shape means.
#[function_component(Legend)]
pub fn legend(props: &LegendProps) -> Html {
    let swatch = |rgb| format!("background:{}", paint::hex(rgb));
    html! {
        <ul class="legend" data-testid="legend">
            <li><span class="swatch tx"></span><strong>{ "transaction" }</strong>
                { ": the line above a lane runs from BEGIN to COMMIT; dashed when it rolled back" }</li>
            { for Cell::ALL.iter().skip(1)
                .filter(|cell| props.interpreter || **cell != Cell::InterpreterWait)
                .map(|cell| html! {
                <li><span class={classes!("swatch", (*cell == Cell::BusyWait).then_some("hatched"))}
                    style={swatch(paint::cell_colour(*cell))}></span>
                    <strong>{ cell.label() }</strong>{ ": " }{ cell.explain() }</li>
            }) }
            <li><RefusalShape /><strong>{ "refused lock" }</strong>
                { ": a blue dot at the top of the bar; a dashed blue edge leads from it to the lane of the \
                worker that held the lock in the way, its arrow on that worker's bar (every edge while \
                they stand apart; closer, those of the lane you point at). A busy wait wide enough says \
                whom it waits for. Point at either for who, since when, and in which statement" }</li>
            <li><span class="swatch job"></span><strong>{ "jobs" }</strong>
                { ": a short tick under the lane when a job is claimed, a tall one when it is done" }</li>
            <li><strong>{ "errors" }</strong>{ " are marked under the lane, one shape and colour per kind; \
                click one for what it means" }</li>
            { for ErrorKind::ALL.iter().map(|kind| html! {
                <li><ErrorShape kind={*kind} /><strong>{ kind.label() }</strong>{ ": " }{ kind.explain() }</li>
            }) }
        </ul>
    }
}

#[derive(Properties, PartialEq)]
struct ErrorShapeProps {
    kind: ErrorKind,
}

/// An error's shape as in the lanes, drawn from the same pixels.
#[function_component(ErrorShape)]
fn error_shape(props: &ErrorShapeProps) -> Html {
    let fill = paint::hex(paint::error_colour(props.kind));
    let rows = paint::error_shape(props.kind);
    html! {
        <svg class="shape" width="13" height="13" viewBox="-2 -2 13 13" aria-hidden="true">
            { for rows.iter().enumerate().flat_map(|(y, row)| {
                let fill = fill.clone();
                row.bytes().enumerate().filter(|(_, c)| *c == b'#').map(move |(x, _)| html! {
                    <rect x={x.to_string()} y={y.to_string()} width="1" height="1" fill={fill.clone()} />
                })
            }) }
        </svg>
    }
}

/// A refused lock's dot and the start of its dashed edge, as in the lanes.
#[function_component(RefusalShape)]
fn refusal_shape() -> Html {
    let fill = paint::hex(paint::EDGE);
    html! {
        <svg class="shape" width="13" height="13" viewBox="0 0 13 13" aria-hidden="true">
            <circle cx="6.5" cy="3" r="2.5" fill={fill.clone()} />
            <line x1="6.5" y1="5" x2="6.5" y2="13" stroke={fill} stroke-dasharray="2 2" />
        </svg>
    }
}
