use super::*;

/// Floats to check: the edges, and many from a fixed seed spread over every
/// exponent, and the sort of numbers the page shows (ms, ratios, counts).
fn samples() -> Vec<f64> {
    let mut all = vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        1.5,
        2.5,
        0.25,
        0.125,
        0.05,
        0.15,
        0.35,
        1e21,
        1e22,
        1.5e-7,
        f64::MAX,
        f64::MIN_POSITIVE,
        5e-324,
        123456789012345680.0,
        9.999999999999999e22,
        0.1 + 0.2,
        2f64.powi(53),
        2f64.powi(53) + 1.0,
    ];
    for e in -1074..=1023 {
        all.push(2f64.powi(e));
    }
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..20_000 {
        let x = f64::from_bits(next());
        if x.is_finite() {
            all.push(x);
        }
    }
    for _ in 0..20_000 {
        let n = (next() % 2_000_000) as f64;
        let scale = 10f64.powi((next() % 7) as i32);
        all.push(n / scale);
        all.push(-n / scale);
    }
    all
}

#[test]
fn fixed_writes_what_format_writes() {
    for x in samples() {
        for d in 0..=4 {
            assert_eq!(fixed(x, d), format!("{x:.d$}"), "{x:e} to {d} decimals");
        }
    }
    for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert_eq!(fixed(x, 1), format!("{x:.1}"));
    }
}

#[test]
fn shortest_writes_what_format_writes() {
    for x in samples() {
        assert_eq!(shortest(x), format!("{x}"), "{x:e}");
    }
    for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert_eq!(shortest(x), format!("{x}"));
    }
}

/// Floats whose exact value has few digits, where a tie between two shortest
/// candidates can happen (2^-25 is one): odd multiples of powers of 5 times
/// powers of 2.
#[test]
fn ties_between_shortest_candidates_round_as_format_rounds() {
    for j in 0..23u32 {
        for r in [1u64, 3, 7, 9, 11, 13, 99, 12345] {
            let Some(m) = 5u64.pow(j).checked_mul(r).filter(|m| *m < 1 << 53) else {
                continue;
            };
            for e in -60..90 {
                let x = m as f64 * 2f64.powi(e);
                assert_eq!(shortest(x), format!("{x}"), "{m} * 2^{e}");
                assert_eq!(fixed(x, 3), format!("{x:.3}"), "{m} * 2^{e}");
            }
        }
    }
}

#[test]
fn dec_formats_as_a_float_with_its_precision_width_and_sign() {
    for x in [
        0.0,
        -0.0,
        1.25,
        -1.25,
        12345.678,
        -0.004,
        f64::NAN,
        f64::NEG_INFINITY,
    ] {
        assert_eq!(format!("{}", Dec(x)), format!("{x}"));
        assert_eq!(format!("{:.1}", Dec(x)), format!("{x:.1}"));
        assert_eq!(format!("{:>9.1}", Dec(x)), format!("{x:>9.1}"));
        assert_eq!(format!("{:<7.0}|", Dec(x)), format!("{x:<7.0}|"));
        assert_eq!(format!("{:08.2}", Dec(x)), format!("{x:08.2}"));
        if !x.is_nan() {
            // (`+` is the one flag where they differ: "+NaN" against "NaN".)
            assert_eq!(format!("{:+.1}", Dec(x)), format!("{x:+.1}"));
        }
        assert_eq!(Dec(x).to_string(), x.to_string());
    }
}
