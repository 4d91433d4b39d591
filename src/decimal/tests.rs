use super::*;

/// Floats to check: the edges, and many from a fixed seed spread over every
/// exponent, and the sort of numbers the page shows (ms, ratios, counts).
// Some samples are written with more digits than the float keeps: the text is the test.
#[allow(clippy::excessive_precision)]
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

/// The exact decimal of `(2m + 1) * 2^(e - 1)`: halfway between the floats
/// `m * 2^e` and `(m + 1) * 2^e`.
fn midpoint(m: u64, e: i32) -> String {
    let mut n = Digits::from(2 * m + 1);
    if e >= 1 {
        for _ in 0..e - 1 {
            n.times(2);
        }
        return n.to_string();
    }
    let k = (1 - e) as usize;
    for _ in 0..k {
        n.times(5);
    }
    let digits = format!("{:0>width$}", n.to_string(), width = k + 1);
    format!(
        "{}.{}",
        &digits[..digits.len() - k],
        &digits[digits.len() - k..]
    )
}

fn same(text: &str) {
    let ours = read(text);
    let std = text.parse::<f64>().ok();
    assert!(
        ours.map(f64::to_bits) == std.map(f64::to_bits)
            || ours.is_some_and(f64::is_nan) && std.is_some_and(f64::is_nan),
        "{text:?}: {ours:?} against {std:?}"
    );
}

#[test]
fn read_reads_what_parse_reads() {
    for text in [
        "0",
        "-0",
        "+0",
        "00.000",
        "1",
        "1.",
        ".5",
        "1.5",
        "-2.5e-3",
        "1e5",
        "1E+5",
        "1e-5",
        "inf",
        "-Infinity",
        "NaN",
        "nan",
        "+inf",
        "infinit",
        "",
        "+",
        "-",
        ".",
        "e5",
        "1e",
        "1e+",
        "1.2.3",
        "1e5.5",
        " 1",
        "1 ",
        "1_000",
        "0x10",
        "1.5e308",
        "1.7976931348623157e308",
        "1.7976931348623158e308",
        "1.7976931348623159e308",
        "2e308",
        "4.9e-324",
        "5e-324",
        "2.4703282292062327e-324",
        "2.4703282292062328e-324",
        "1e-400",
        "1e400",
        "0e999999",
        "123456789012345678901234567890.5",
        "2.2250738585072011e-308",
        "2.2250738585072014e-308",
        "9007199254740993",
        "0.1",
        "0.30000000000000004",
    ] {
        same(text);
    }
    for x in samples() {
        same(&format!("{x}"));
        same(&format!("{x:e}"));
        same(&format!("{x:.3}"));
        same(&format!("{x:.25e}"));
    }
}

#[test]
fn halfway_between_two_floats_reads_as_the_even_one() {
    for e in [
        -1074, -1073, -1060, -1023, -1022, -600, -60, -52, -10, 0, 3, 60, 900, 970,
    ] {
        for m in [
            1u64,
            2,
            3,
            (1 << 52) - 1,
            1 << 52,
            (1 << 52) + 1,
            (1 << 53) - 1,
        ] {
            let text = midpoint(m, e);
            same(&text);
            // Just above and just below the middle.
            same(&format!("{text}1"));
            if let Some(below) = text.strip_suffix('5') {
                same(&format!("{below}49999"));
            }
        }
    }
}

#[test]
fn texts_of_many_digits_read_as_parse_reads_them() {
    let many = |d: &str, n: usize| d.repeat(n);
    for text in [
        format!("0.{}", many("7", 100_000)),
        format!("1{}", many("0", 100_000)),
        format!("1.{}", many("0", 100_000)),
        format!("1{}e-100000", many("0", 100_000)),
        format!("{}e-100300", many("3", 100_000)),
        // Halfway between 1 and the float after it, then a 1 far past the
        // 800 digits kept: above halfway, so it rounds up.
        format!(
            "1.00000000000000011102230246251565404236316680908203125{}1",
            many("0", 2_000)
        ),
        format!(
            "1.00000000000000011102230246251565404236316680908203125{}",
            many("0", 2_000)
        ),
    ] {
        same(&text);
    }
    // Every midpoint again, with digits past the 800th that push it up or not.
    for (m, e) in [
        (1u64 << 52, -1074),
        ((1 << 53) - 1, -1022),
        (3, -1074),
        (1 << 52, 0),
    ] {
        let half = midpoint(m, e);
        same(&format!("{half}{}", many("0", 900)));
        same(&format!("{half}{}1", many("0", 900)));
    }
}
