//! Durations as locklab shows them: the trace counts whole microseconds, people
//! read milliseconds. Every view and report formats them here.

use crate::decimal::Dec;

/// `us` microseconds in milliseconds.
pub fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

/// `us` microseconds as words: "12.34 ms".
pub fn ms_text(us: u64) -> String {
    format!("{:.2} ms", Dec(ms(us)))
}

/// `us` microseconds as a short label (a canvas's axis): "12.3 ms".
pub fn ms_label(us: u64) -> String {
    format!("{:.1} ms", Dec(ms(us)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn microseconds_read_as_milliseconds() {
        assert_eq!(ms(1_500), 1.5);
        assert_eq!(ms_text(12_345), "12.35 ms");
        assert_eq!(ms_label(12_345), "12.3 ms");
        assert_eq!(ms_text(0), "0.00 ms");
    }
}
