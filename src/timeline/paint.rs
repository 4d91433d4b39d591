//! Painting the timeline into pixels: the page's canvas shows this raster, put in
//! one call, so a frame costs one pass over the view's spans and columns and never
//! a JS call per element.
//!
//! Each lane has four rows: the transaction (a dark line, dashed when it rolled
//! back), the main bar (lock level, WAL lock or busy wait), the jobs (a short tick
//! per claim, a tall one per completion), and the errors (one shape and colour per
//! kind). Colours come from the Okabe-Ito palette, which stays distinguishable for
//! colour-blind readers; busy waits are hatched and errors differ by shape too, so
//! nothing depends on colour alone.
//!
//! Who blocks whom: a refused lock is a blue dot at the top of the bar, and its
//! wait-for edge a dashed blue line from the dot to the lane of the worker in the
//! way, ending in an arrowhead on that lane's bar. A wall of red has hundreds of
//! refusals, so edges are drawn for every lane only while they stand apart (at
//! most one per `EDGE_ROOM` columns on average); closer than that, only the edges
//! of the lane in focus (pointed at, or the cursor's), out of it and into it.

use crate::timeline::{Cell, ErrorKind, Rows, Timeline, TxEnd, View};

pub type Rgb = [u8; 3];

pub const LANE_HEIGHT: usize = 34;
const TX_ROW: (usize, usize) = (1, 4);
const BAR_ROW: (usize, usize) = (6, 20);
const JOB_ROW: (usize, usize) = (21, 24);
const ERROR_ROW: usize = 24;
const SPRITE: usize = 9;

const RULE: Rgb = [0xe4, 0xe4, 0xe0];
const TX: Rgb = [0x44, 0x44, 0x44];
const CLAIM: Rgb = [0x88, 0x88, 0x88];
const DONE: Rgb = [0x22, 0x22, 0x22];
const HATCH: Rgb = [0x60, 0x60, 0x60];
const CURSOR: Rgb = [0x00, 0x00, 0x00];
/// Refusals and their wait-for edges (Okabe-Ito blue).
pub const EDGE: Rgb = [0x00, 0x72, 0xb2];
/// Where a refusal's dot is centred in its lane.
pub const REFUSAL_Y: usize = 4;
/// Columns per edge, on average, below which every lane's edges are drawn.
pub const EDGE_ROOM: usize = 12;

/// A refusal's dot, 5 by 5, centred on its column and `REFUSAL_Y`: each row's
/// first and last-plus-one pixel, from the dot's left edge (".###.", "#####",
/// "#####", "#####", ".###.").
const DOT: [(usize, usize); 5] = [(1, 4), (0, 5), (0, 5), (0, 5), (1, 4)];

pub fn cell_colour(cell: Cell) -> Rgb {
    match cell {
        Cell::Idle => [0xf1, 0xf1, 0xec],
        Cell::Shared => [0x56, 0xb4, 0xe9],
        Cell::WalRead => [0x9a, 0xd0, 0xee],
        Cell::Reserved => [0xe6, 0x9f, 0x00],
        Cell::WalWrite => [0xf0, 0xe4, 0x42],
        Cell::Pending => [0xcc, 0x79, 0xa7],
        Cell::Exclusive => [0xd5, 0x5e, 0x00],
        Cell::BusyWait => [0xa8, 0xa8, 0xa8],
        Cell::InterpreterWait => [0x5d, 0x3a, 0x9b],
    }
}

pub fn error_colour(kind: ErrorKind) -> Rgb {
    match kind {
        ErrorKind::Busy => [0x00, 0x00, 0x00],
        ErrorKind::BusySnapshot => [0x00, 0x72, 0xb2],
        ErrorKind::Locked => [0x00, 0x9e, 0x73],
        ErrorKind::Other => [0xd5, 0x5e, 0x00],
    }
}

/// The shape of each error kind, 9 by 9: BUSY a downward triangle, BUSY_SNAPSHOT a
/// diamond, LOCKED a hollow square, any other error a cross.
pub fn error_shape(kind: ErrorKind) -> [&'static str; SPRITE] {
    match kind {
        ErrorKind::Busy => [
            "#########",
            ".#######.",
            ".#######.",
            "..#####..",
            "..#####..",
            "...###...",
            "...###...",
            "....#....",
            "....#....",
        ],
        ErrorKind::BusySnapshot => [
            "....#....",
            "...###...",
            "..#####..",
            ".#######.",
            "#########",
            ".#######.",
            "..#####..",
            "...###...",
            "....#....",
        ],
        ErrorKind::Locked => [
            "#########",
            "#########",
            "##.....##",
            "##.....##",
            "##.....##",
            "##.....##",
            "##.....##",
            "#########",
            "#########",
        ],
        ErrorKind::Other => [
            "##.....##",
            "###...###",
            ".###.###.",
            "..#####..",
            "...###...",
            "..#####..",
            ".###.###.",
            "###...###",
            "##.....##",
        ],
    }
}

/// "#rrggbb", for the legend and the page's styles.
pub fn hex(rgb: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2])
}

/// An RGBA image, reused from frame to frame.
#[derive(Default)]
pub struct Raster {
    pub width: usize,
    pub height: usize,
    pub rgba: Vec<u8>,
}

impl Raster {
    /// Make the raster `width` by `height`; its pixels are left as they are
    /// (every lane painted writes all of its rows).
    fn reshape(&mut self, width: usize, height: usize) {
        self.width = width;
        self.height = height;
        self.rgba.resize(width * height * 4, 0xff);
    }

    #[inline(always)]
    fn put(&mut self, x: usize, y: usize, rgb: Rgb) {
        if x < self.width && y < self.height {
            let at = (y * self.width + x) * 4;
            self.rgba[at..at + 3].copy_from_slice(&rgb);
        }
    }

    #[inline(always)]
    fn fill(&mut self, x: usize, rows: (usize, usize), y0: usize, rgb: Rgb) {
        for y in rows.0..rows.1 {
            self.put(x, y0 + y, rgb);
        }
    }

    /// Row `y`'s pixels.
    fn row(&mut self, y: usize) -> &mut [u8] {
        let stride = self.width * 4;
        &mut self.rgba[y * stride..(y + 1) * stride]
    }

    /// Paint row `y`: column `x` in `colour(x)`, or white.
    fn paint_row(&mut self, y: usize, colour: impl Fn(usize) -> Option<Rgb>) {
        for (x, pixel) in self.row(y).chunks_exact_mut(4).enumerate() {
            let [r, g, b] = colour(x).unwrap_or([0xff; 3]);
            pixel.copy_from_slice(&[r, g, b, 0xff]);
        }
    }

    /// Rows `rows` (of the lane at `y0`) as row `from` is.
    fn copy_row(&mut self, from: usize, rows: std::ops::Range<usize>, y0: usize) {
        let stride = self.width * 4;
        for y in rows {
            let at = (y0 + from) * stride;
            self.rgba.copy_within(at..at + stride, (y0 + y) * stride);
        }
    }

    /// Rows `rows` (of the lane at `y0`) white.
    fn blank(&mut self, rows: std::ops::Range<usize>, y0: usize) {
        let stride = self.width * 4;
        self.rgba[(y0 + rows.start) * stride..(y0 + rows.end) * stride].fill(0xff);
    }

    /// The colour at (`x`, `y`): what the tests read back.
    pub fn at(&self, x: usize, y: usize) -> Rgb {
        let at = (y * self.width + x) * 4;
        [self.rgba[at], self.rgba[at + 1], self.rgba[at + 2]]
    }
}

/// Where the keyboard cursor stands: a lane and a time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cursor {
    pub lane: usize,
    pub t_us: u64,
}

/// Paint every lane of `timeline` over `view` into `raster` (`view.width` pixels
/// wide, `LANE_HEIGHT` per lane); what is still open is drawn until `now_us`.
/// `focus` is the lane pointed at, whose wait-for edges are drawn however many
/// there are (the cursor's lane when there is no pointer).
pub fn paint(
    timeline: &Timeline,
    view: &View,
    now_us: u64,
    cursor: Option<Cursor>,
    focus: Option<usize>,
    raster: &mut Raster,
) {
    let lanes = timeline.lanes().len();
    paint_lanes(timeline, view, now_us, cursor, 0..lanes, lanes, raster);
    paint_edges(timeline, view, focus.or(cursor.map(|c| c.lane)), raster);
}

/// Paint lanes `some` of `timeline`'s first `lanes` into `raster`: what `paint`
/// does before the edges, in parts (a live view spreads them over frames). The
/// part that begins at lane 0 makes the raster `lanes` lanes tall.
///
/// Every row of a lane is written once, painted from its row of the lane
/// (`Lane::rows`) or copied from one painted: the transaction's rows from the
/// first, the bar's from its first four (its hatching, where a busy wait is,
/// differs from row to row only by its phase, (x + y) % 4), the ticks' second
/// from their first.
pub fn paint_lanes(
    timeline: &Timeline,
    view: &View,
    now_us: u64,
    cursor: Option<Cursor>,
    some: std::ops::Range<usize>,
    lanes: usize,
    raster: &mut Raster,
) {
    if some.start == 0 {
        raster.reshape(view.width, lanes * LANE_HEIGHT);
    }
    // Each error kind's shape as the pixels it sets, once there is an error.
    let mut sprites: Option<[Vec<(usize, usize)>; 4]> = None;
    let part = timeline.lanes().enumerate().take(some.end.min(lanes));
    for (i, lane) in part.skip(some.start) {
        let y0 = i * LANE_HEIGHT;
        let Rows {
            txs,
            cells,
            jobs,
            errors,
        } = lane.rows(view, now_us);
        raster.blank(0..TX_ROW.0, y0);
        raster.paint_row(y0 + TX_ROW.0, |x| match txs[x] {
            // Dashed: a rolled-back transaction's line has gaps.
            Some(TxEnd::RolledBack) if (x / 3) % 2 == 1 => None,
            Some(_) => Some(TX),
            None => None,
        });
        raster.copy_row(TX_ROW.0, TX_ROW.0 + 1..TX_ROW.1, y0);
        raster.blank(TX_ROW.1..BAR_ROW.0, y0);
        let first = BAR_ROW.0;
        raster.paint_row(y0 + first, |x| Some(cell_colour(cells[x])));
        raster.copy_row(first, first + 1..first + 4, y0);
        for y in first..first + 4 {
            let row = raster.row(y0 + y);
            // A row's hatched pixels are where (x + y) % 4 == 0.
            let waits = cells.iter().enumerate().skip((4 - y % 4) % 4).step_by(4);
            for (x, _) in waits.filter(|(_, cell)| **cell == Cell::BusyWait) {
                row[x * 4..x * 4 + 3].copy_from_slice(&HATCH);
            }
        }
        for y in first + 4..BAR_ROW.1 {
            raster.copy_row(y - 4, y..y + 1, y0);
        }
        raster.blank(BAR_ROW.1..JOB_ROW.0, y0);
        // A completion's tick is tall; a claim's, its last row only.
        raster.paint_row(y0 + JOB_ROW.0, |x| (jobs[x] == Some(true)).then_some(DONE));
        raster.copy_row(JOB_ROW.0, JOB_ROW.0 + 1..JOB_ROW.1 - 1, y0);
        raster.paint_row(y0 + JOB_ROW.1 - 1, |x| {
            jobs[x].map(|done| if done { DONE } else { CLAIM })
        });
        raster.blank(JOB_ROW.1..LANE_HEIGHT - 1, y0);
        raster.paint_row(y0 + LANE_HEIGHT - 1, |_| Some(RULE));
        for (x, kind) in errors.into_iter().enumerate() {
            let Some(kind) = kind else { continue };
            let sprite = sprites.get_or_insert_with(|| ErrorKind::ALL.map(sprite_of));
            for &(dx, dy) in &sprite[kind as usize] {
                if let Some(px) = (x + dx).checked_sub(SPRITE / 2) {
                    raster.put(px, y0 + ERROR_ROW + dy, error_colour(kind));
                }
            }
        }
        if let Some(c) = cursor.filter(|c| c.lane == i && view.shows(c.t_us)) {
            raster.fill(view.column(c.t_us), (0, LANE_HEIGHT - 1), y0, CURSOR);
        }
    }
}

/// The pixels of `kind`'s shape, (x, y) from its top left corner.
fn sprite_of(kind: ErrorKind) -> Vec<(usize, usize)> {
    let rows = error_shape(kind).into_iter().enumerate();
    rows.flat_map(|(dy, row)| {
        row.bytes()
            .enumerate()
            .filter(|(_, c)| *c == b'#')
            .map(move |(dx, _)| (dx, dy))
    })
    .collect()
}

/// Every refusal's dot, and the wait-for edges shown (see the module's words),
/// over lanes already painted.
pub fn paint_edges(timeline: &Timeline, view: &View, focus: Option<usize>, raster: &mut Raster) {
    let edges = timeline.edges(view, focus, view.width / EDGE_ROOM);
    for e in &edges {
        let Some(to) = e.holder_lane else { continue };
        let x = view.column(e.t_us);
        let from_y = e.lane * LANE_HEIGHT + REFUSAL_Y;
        // The arrow's tip touches the holder's bar from the side the edge comes.
        let down = to > e.lane;
        let tip = to * LANE_HEIGHT + if down { BAR_ROW.0 } else { BAR_ROW.1 - 1 };
        let (top, bottom) = if down { (from_y, tip) } else { (tip, from_y) };
        for y in (top..=bottom).filter(|y| (y / 2) % 2 == 0) {
            raster.put(x, y, EDGE);
        }
        for k in 0..4 {
            let y = if down { tip - k } else { tip + k };
            for dx in 0..=k {
                raster.put(x + dx, y, EDGE);
                if let Some(left) = x.checked_sub(dx) {
                    raster.put(left, y, EDGE);
                }
            }
        }
    }
    // A dot per column with a refusal, drawn as masks of its rows: 5 px wide
    // in its middle rows, 3 at its top and bottom (`DOT`).
    let (mut narrow, mut wide) = (vec![false; view.width], vec![false; view.width]);
    for (i, lane) in timeline.lanes().enumerate() {
        narrow.fill(false);
        wide.fill(false);
        let mut refusals = lane.refusals_in(view);
        while let Some((t_us, _)) = refusals.first() {
            let x = view.column(*t_us);
            for (mask, half) in [(&mut narrow, 1), (&mut wide, 2)] {
                mask[x.saturating_sub(half)..(x + half + 1).min(view.width)].fill(true);
            }
            // On to the first refusal of a later column (a wall of red has
            // thousands in view, most in columns already dotted).
            if x + 1 >= view.width {
                break;
            }
            let next = view.time_at(x + 1);
            refusals = &refusals[refusals.partition_point(|(t, _)| *t < next)..];
        }
        for (dy, &(from, _)) in DOT.iter().enumerate() {
            let mask = if from == 0 { &wide } else { &narrow };
            let row = raster.row(i * LANE_HEIGHT + REFUSAL_Y + dy - 2);
            let dotted = row.chunks_exact_mut(4).zip(mask).filter(|(_, m)| **m);
            for (pixel, _) in dotted {
                pixel[..3].copy_from_slice(&EDGE);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lock::LockLevel;
    use crate::trace::samples::{at, busy, lock};
    use crate::trace::{EventKind, Step};

    const WHITE: Rgb = [0xff, 0xff, 0xff];

    #[test]
    fn each_row_shows_its_element_in_its_colour_and_shape() {
        let events = [
            at(
                0,
                0,
                EventKind::Begin {
                    step: Step::Claim,
                    sql: "BEGIN IMMEDIATE".into(),
                },
            ),
            at(0, 0, lock(LockLevel::None, LockLevel::Reserved)),
            at(50, 0, EventKind::JobClaimed { job: 1 }),
            at(60, 0, lock(LockLevel::Reserved, LockLevel::Exclusive)),
            at(90, 0, lock(LockLevel::Exclusive, LockLevel::None)),
            at(90, 0, EventKind::Commit { step: Step::Claim }),
            at(
                10,
                1,
                EventKind::BusyWait {
                    requested_us: 50,
                    dur_us: 50,
                },
            ),
            at(70, 1, busy(60)),
        ];
        let timeline = Timeline::from_events(&events);
        let view = View::new(0, 99, 100);
        let mut r = Raster::default();
        paint(&timeline, &view, 99, None, None, &mut r);
        assert_eq!((r.width, r.height), (100, 2 * LANE_HEIGHT));
        let bar = BAR_ROW.0 + 2;
        assert_eq!(r.at(20, bar), cell_colour(Cell::Reserved));
        assert_eq!(r.at(75, bar), cell_colour(Cell::Exclusive));
        assert_eq!(r.at(95, bar), cell_colour(Cell::Idle));
        assert_eq!(r.at(20, TX_ROW.0), TX, "the transaction row");
        assert_eq!(r.at(95, TX_ROW.0), WHITE, "no transaction after COMMIT");
        assert_eq!(r.at(50, JOB_ROW.1 - 1), CLAIM, "the claim's tick");
        // Worker 1: hatched grey while it waits, and a black triangle for SQLITE_BUSY.
        let y1 = LANE_HEIGHT;
        let wait: Vec<Rgb> = (0..4).map(|dx| r.at(30 + dx, y1 + bar)).collect();
        assert!(wait.contains(&cell_colour(Cell::BusyWait)) && wait.contains(&HATCH));
        assert_eq!(r.at(70, y1 + ERROR_ROW), error_colour(ErrorKind::Busy));
        assert_eq!(r.at(70, y1 + ERROR_ROW + 8), error_colour(ErrorKind::Busy));
        assert_eq!(r.at(66, y1 + ERROR_ROW + 8), WHITE, "a triangle's point");
    }

    #[test]
    fn lanes_painted_in_parts_make_the_same_pixels_as_in_one_go() {
        let mut events = Vec::new();
        for w in 0..5u32 {
            let t = u64::from(w) * 7;
            events.push(at(t, w, lock(LockLevel::None, LockLevel::Reserved)));
            events.push(at(t + 20, w, busy(60)));
            events.push(at(t + 40, w, lock(LockLevel::Reserved, LockLevel::None)));
        }
        let timeline = Timeline::from_events(&events);
        let view = View::new(0, 99, 100);
        let cursor = Some(Cursor { lane: 3, t_us: 30 });
        let mut whole = Raster::default();
        paint(&timeline, &view, 99, cursor, None, &mut whole);
        let mut parts = Raster::default();
        paint_lanes(&timeline, &view, 99, cursor, 0..2, 5, &mut parts);
        paint_lanes(&timeline, &view, 99, cursor, 2..5, 5, &mut parts);
        paint_edges(&timeline, &view, Some(3), &mut parts);
        assert_eq!((parts.width, parts.height), (whole.width, whole.height));
        assert!(parts.rgba == whole.rgba, "the same pixels");
        assert_ne!(
            parts.at(20, 4 * LANE_HEIGHT + BAR_ROW.0),
            [0xff; 3],
            "lane 4 painted"
        );
    }

    #[test]
    fn a_busy_wait_is_hatched_where_column_and_row_add_up_to_a_multiple_of_four() {
        let wait = EventKind::BusyWait {
            requested_us: 50,
            dur_us: 50,
        };
        let timeline = Timeline::from_events(&[at(20, 0, wait), at(99, 0, EventKind::WorkerEnd)]);
        let view = View::new(0, 99, 100);
        let mut r = Raster::default();
        paint(&timeline, &view, 99, None, None, &mut r);
        for y in BAR_ROW.0..BAR_ROW.1 {
            for x in 0..100 {
                let expected = match x {
                    20..=70 if (x + y) % 4 == 0 => HATCH,
                    20..=70 => cell_colour(Cell::BusyWait),
                    _ => cell_colour(Cell::Idle),
                };
                assert_eq!(r.at(x, y), expected, "({x}, {y})");
            }
        }
    }

    #[test]
    fn refusals_in_one_column_make_one_dot_and_each_column_its_own() {
        let denied = EventKind::LockDenied {
            db: crate::trace::DbFile::Queue,
            held: LockLevel::Shared,
            wanted: LockLevel::Reserved,
            by: None,
        };
        // Columns of 10 µs: three refusals in column 2, one in 5, one in the last.
        let times = [20, 23, 29, 50, 995];
        let mut events: Vec<_> = times.iter().map(|&t| at(t, 0, denied.clone())).collect();
        events.push(at(999, 0, EventKind::WorkerEnd));
        let timeline = Timeline::from_events(&events);
        let view = View::new(0, 999, 100);
        assert_eq!(timeline.refusals_in(&view), 5);
        let mut r = Raster::default();
        paint(&timeline, &view, 999, None, None, &mut r);
        let dots: Vec<usize> = (0..100).filter(|&x| r.at(x, REFUSAL_Y) == EDGE).collect();
        // Each dot is 5 px wide about its column (cut at the raster's edge).
        assert_eq!(dots, vec![0, 1, 2, 3, 4, 5, 6, 7, 97, 98, 99]);
    }

    #[test]
    fn the_cursor_is_a_line_across_its_lane_only() {
        let events = [
            at(0, 0, EventKind::JobClaimed { job: 1 }),
            at(0, 1, EventKind::WorkerEnd),
        ];
        let timeline = Timeline::from_events(&events);
        let view = View::new(0, 99, 100);
        let mut r = Raster::default();
        let cursor = Cursor { lane: 1, t_us: 40 };
        paint(&timeline, &view, 99, Some(cursor), None, &mut r);
        assert_eq!(r.at(40, LANE_HEIGHT + 10), CURSOR);
        assert_ne!(r.at(40, 10), CURSOR);
    }

    #[test]
    fn a_refusal_is_a_dot_with_a_dashed_edge_to_the_holders_bar() {
        let events = [
            at(0, 0, lock(LockLevel::None, LockLevel::Reserved)),
            at(90, 0, lock(LockLevel::Reserved, LockLevel::None)),
            at(
                50,
                1,
                EventKind::LockDenied {
                    db: crate::trace::DbFile::Queue,
                    held: LockLevel::Shared,
                    wanted: LockLevel::Reserved,
                    by: None,
                },
            ),
            at(99, 0, EventKind::WorkerEnd),
            at(99, 1, EventKind::WorkerEnd),
        ];
        let timeline = Timeline::from_events(&events);
        let view = View::new(0, 99, 100);
        let mut r = Raster::default();
        paint(&timeline, &view, 99, None, None, &mut r);
        let dot = LANE_HEIGHT + REFUSAL_Y;
        assert_eq!(r.at(50, dot), EDGE, "the refusal's dot on worker 1's lane");
        assert_eq!(r.at(48, dot), EDGE);
        assert_ne!(r.at(47, dot), EDGE, "a dot, 5 px wide");
        let tip = BAR_ROW.1 - 1;
        assert_eq!(r.at(50, tip), EDGE, "the arrow's tip on worker 0's bar");
        assert_eq!(
            (r.at(47, tip + 3), r.at(53, tip + 3)),
            (EDGE, EDGE),
            "its head"
        );
        let dashes: Vec<bool> = (tip + 4..dot - 2).map(|y| r.at(50, y) == EDGE).collect();
        assert!(
            dashes.contains(&true) && dashes.contains(&false),
            "{dashes:?}"
        );
        assert_ne!(r.at(20, tip), EDGE, "no edge elsewhere");
    }
}
