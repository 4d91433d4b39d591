//! Numbers as a comparison writes them: as many digits as the eye needs.

use crate::analysis::report::Outcome;
use crate::decimal::Dec;

/// A value of `unit` ("jobs/s" or "ms"): whole above 100, one decimal above 10,
/// else two (a write lock held 0.04 ms is not "0").
pub fn amount(v: f64, unit: &str) -> String {
    let v = Dec(v.abs());
    if v.0 >= 100.0 || (unit == "jobs/s" && v.0 >= 10.0) {
        format!("{v:.0}")
    } else if v.0 >= 10.0 || unit == "jobs/s" {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// How many times one number is another: "3.1x", "41x".
pub fn ratio(r: f64) -> String {
    let r = Dec(r);
    if r.0 >= 10.0 {
        format!("{r:.0}x")
    } else {
        format!("{r:.1}x")
    }
}

/// How a run ended, after "the run".
pub fn outcome(o: Outcome) -> &'static str {
    match o {
        Outcome::Completed => "completed",
        Outcome::TimeLimit => "stopped at its time limit",
        Outcome::Stopped => "was stopped",
        Outcome::Failed => "failed",
        Outcome::PowerCut => "was cut off by a power cut",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_follow_the_size() {
        assert_eq!(amount(812.4, "jobs/s"), "812");
        assert_eq!(amount(26.26, "jobs/s"), "26");
        assert_eq!(amount(3.06, "jobs/s"), "3.1");
        assert_eq!(amount(1234.5, "ms"), "1234");
        assert_eq!(amount(51.73, "ms"), "51.7");
        assert_eq!(amount(0.043, "ms"), "0.04");
        assert_eq!(ratio(3.099), "3.1x");
        assert_eq!(ratio(41.4), "41x");
    }
}
