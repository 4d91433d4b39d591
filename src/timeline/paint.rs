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

use crate::timeline::{Cell, ErrorKind, Timeline, TxEnd, View};

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
    fn reset(&mut self, width: usize, height: usize) {
        self.width = width;
        self.height = height;
        self.rgba.clear();
        // Opaque white.
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

    /// Copy `line` (one RGBA row) into rows `rows` below `y0`: dense rows are
    /// painted once and copied, not pixel by pixel.
    fn copy_line(&mut self, line: &[u8], rows: (usize, usize), y0: usize) {
        let stride = self.width * 4;
        for y in rows.0..rows.1 {
            let at = (y0 + y) * stride;
            self.rgba[at..at + stride].copy_from_slice(line);
        }
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
/// part that begins at lane 0 makes the raster anew, `lanes` lanes tall.
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
        raster.reset(view.width, lanes * LANE_HEIGHT);
    }
    let mut line = vec![0xff; view.width * 4];
    let set = |line: &mut [u8], x: usize, rgb: Rgb| line[x * 4..x * 4 + 3].copy_from_slice(&rgb);
    let part = timeline.lanes().enumerate().take(some.end.min(lanes));
    for (i, lane) in part.skip(some.start) {
        let y0 = i * LANE_HEIGHT;
        line.fill(0xff);
        for x in 0..view.width {
            set(&mut line, x, RULE);
        }
        raster.copy_line(&line, (LANE_HEIGHT - 1, LANE_HEIGHT), y0);
        line.fill(0xff);
        for (x, end) in lane.transactions(view, now_us).into_iter().enumerate() {
            let dashed_gap = (x / 3) % 2 == 1;
            match end {
                Some(TxEnd::RolledBack) if dashed_gap => {}
                Some(_) => set(&mut line, x, TX),
                None => {}
            }
        }
        raster.copy_line(&line, TX_ROW, y0);
        let mut waits = Vec::new();
        for (x, cell) in lane.cells(view, now_us).into_iter().enumerate() {
            set(&mut line, x, cell_colour(cell));
            if cell == Cell::BusyWait {
                waits.push(x);
            }
        }
        raster.copy_line(&line, BAR_ROW, y0);
        for y in BAR_ROW.0..BAR_ROW.1 {
            for x in waits.iter().filter(|x| (*x + y) % 4 == 0) {
                raster.put(*x, y0 + y, HATCH);
            }
        }
        let (jobs, errors) = lane.mark_columns(view);
        for (x, job) in jobs.into_iter().enumerate() {
            match job {
                Some(true) => raster.fill(x, JOB_ROW, y0, DONE),
                Some(false) => raster.fill(x, (JOB_ROW.0 + 2, JOB_ROW.1), y0, CLAIM),
                None => {}
            }
        }
        for (x, kind) in errors.into_iter().enumerate() {
            let Some(kind) = kind else { continue };
            for (dy, row) in error_shape(kind).iter().enumerate() {
                for (dx, c) in row.bytes().enumerate() {
                    if c == b'#' {
                        let px = (x + dx).checked_sub(SPRITE / 2);
                        if let Some(px) = px {
                            raster.put(px, y0 + ERROR_ROW + dy, error_colour(kind));
                        }
                    }
                }
            }
        }
        if let Some(c) = cursor.filter(|c| c.lane == i && view.shows(c.t_us)) {
            raster.fill(view.column(c.t_us), (0, LANE_HEIGHT - 1), y0, CURSOR);
        }
    }
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
    for (i, lane) in timeline.lanes().enumerate() {
        let mut last = None;
        for (t_us, _) in lane.refusals_in(view) {
            let x = view.column(*t_us);
            // One dot per column.
            if last.replace(x) == Some(x) {
                continue;
            }
            for (dy, &(from, to)) in DOT.iter().enumerate() {
                let y = i * LANE_HEIGHT + REFUSAL_Y + dy - 2;
                for px in (x + from).saturating_sub(2)..(x + to).saturating_sub(2) {
                    raster.put(px, y, EDGE);
                }
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
