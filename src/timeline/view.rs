//! A window of time cut into columns, and how zoom and pan move it.

/// A window of time cut into `width` columns.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    pub start_us: u64,
    pub end_us: u64,
    pub width: usize,
}

impl View {
    pub fn new(start_us: u64, end_us: u64, width: usize) -> View {
        View {
            start_us,
            end_us: end_us.max(start_us + 1),
            width: width.max(1),
        }
    }

    /// The column that shows time `t_us` (clamped to the window). Integer maths in
    /// u64: a frame calls this for every span in view, and u128 division is slow in
    /// wasm; a run would have to last years to overflow it.
    #[inline(always)]
    pub fn column(&self, t_us: u64) -> usize {
        let t = t_us.clamp(self.start_us, self.end_us) - self.start_us;
        let span = self.end_us - self.start_us + 1;
        ((t.saturating_mul(self.width as u64) / span) as usize).min(self.width - 1)
    }

    /// The first time that `column` shows.
    #[inline(always)]
    pub fn time_at(&self, column: usize) -> u64 {
        let span = self.end_us - self.start_us + 1;
        self.start_us
            + (column as u64)
                .saturating_mul(span)
                .div_ceil(self.width as u64)
    }

    /// How much time one column covers, at least 1 µs.
    pub fn us_per_column(&self) -> u64 {
        ((self.end_us - self.start_us) / self.width as u64).max(1)
    }

    /// Whether time `t_us` is inside the window.
    pub fn shows(&self, t_us: u64) -> bool {
        self.touches(t_us, t_us)
    }

    #[inline(always)]
    pub(super) fn touches(&self, from_us: u64, to_us: u64) -> bool {
        to_us >= self.start_us && from_us <= self.end_us
    }
}

/// The narrowest window, in µs: zooming stops here.
pub const MIN_WINDOW_US: u64 = 200;

/// Zoom the window `(start, end)` by `factor` (below 1 zooms in) around time `at`,
/// which stays where it was; the window stays inside `[0, now]`.
pub fn zoom(window: (u64, u64), at: u64, factor: f64, now: u64) -> (u64, u64) {
    let (s, e) = window;
    let width = (((e - s) as f64 * factor) as u64).clamp(MIN_WINDOW_US, now.max(MIN_WINDOW_US));
    let left = (at.saturating_sub(s) as f64 / (e - s).max(1) as f64 * width as f64) as u64;
    let start = at.saturating_sub(left).min(now.saturating_sub(width));
    (start, start + width)
}

/// Move the window `(start, end)` by `delta` µs, inside `[0, now]`.
pub fn pan(window: (u64, u64), delta: i64, now: u64) -> (u64, u64) {
    let (s, e) = window;
    let width = e - s;
    let start = (s as i64 + delta).clamp(0, now.saturating_sub(width) as i64) as u64;
    (start, start + width)
}
