//! A float read from decimals: what `text.parse::<f64>()` gives, for every
//! text (the same grammar, and the nearest float, ties to even), without
//! core's reader, whose table of powers of five (11 KB of random-looking bits,
//! which gzip cannot shrink) was a tenth of what the page's data weighs
//! gzipped.
//!
//! The decimal's exact value is a whole number times a power of ten; it is
//! rounded to 53 bits by arithmetic on binary limbs: a multiplication when
//! the power is positive, else a division with enough quotient bits and the
//! remainder as what lies beyond them.

/// `text` as a float: an optional sign, then `inf`, `infinity` or `nan` (in
/// any case), or digits with an optional point and an optional exponent
/// (`e` or `E`, a sign, digits). `None` where `str::parse` gives an error.
pub fn read(text: &str) -> Option<f64> {
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let magnitude = match rest.to_ascii_lowercase().as_str() {
        "inf" | "infinity" => f64::INFINITY,
        "nan" => f64::NAN,
        _ => magnitude(rest)?,
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// The significant digits read exactly; those past them only round.
const MAX_DIGITS: usize = 800;

/// Digits, an optional point, an optional exponent, as a float.
fn magnitude(text: &str) -> Option<f64> {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.len() + fraction.len() == 0 || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let mut power: i64 = match exponent {
        None => 0,
        Some(e) => {
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !all_digits(digits) {
                return None;
            }
            // Saturated: beyond a million it is zero or infinite anyway.
            let n = digits
                .bytes()
                .fold(0i64, |n, d| (n * 10 + i64::from(d - b'0')).min(1 << 40));
            if e.starts_with('-') {
                -n
            } else {
                n
            }
        }
    };
    // The digits as one whole number, the point moved into the power, its
    // trailing zeros too.
    let digits = format!("{whole}{fraction}");
    let digits = digits.trim_start_matches('0');
    power -= fraction.len() as i64;
    if digits.is_empty() {
        return Some(0.0);
    }
    let significant = digits.trim_end_matches('0');
    power += (digits.len() - significant.len()) as i64;
    // At most MAX_DIGITS of them: a halfway point between two floats has at
    // most 767 significant digits, so the digits past those only say whether
    // the number lies a little above what the kept ones say (`beyond`). A text
    // of many thousands of digits then costs no more than one of 800.
    let (digits, beyond) = match significant.get(MAX_DIGITS..) {
        Some(dropped) => {
            power += dropped.len() as i64;
            (
                &significant[..MAX_DIGITS],
                dropped.bytes().any(|d| d != b'0'),
            )
        }
        None => (significant, false),
    };
    // The leading digit's power of ten: beyond these the float is infinite
    // or zero whatever the digits.
    let lead = digits.len() as i64 - 1 + power;
    if lead > 310 {
        return Some(f64::INFINITY);
    }
    if lead < -330 {
        return Some(0.0);
    }
    let mut n = Binary::of_digits(digits);
    if power >= 0 {
        for _ in 0..power {
            n.times(10);
        }
        return Some(rounded(n, 0, beyond));
    }
    let mut ten_power = Binary(vec![1]);
    for _ in 0..-power {
        ten_power.times(10);
    }
    // Enough quotient bits to round with two to spare.
    let shift = (ten_power.bits() + 55).saturating_sub(n.bits());
    n.shift_left(shift);
    let (quotient, exact) = n.divide(&ten_power);
    Some(rounded(quotient, -(shift as i64), beyond || !exact))
}

/// The float nearest to `n * 2^exponent` (plus a little more when `beyond`),
/// ties to even; `n` has more bits than the float keeps.
fn rounded(n: Binary, exponent: i64, beyond: bool) -> f64 {
    let length = n.bits() as i64;
    if length == 0 {
        return 0.0;
    }
    // The leading bit's power of two, and how many bits the float keeps:
    // 53, or fewer below 2^-1022 (its subnormals end at 2^-1074).
    let lead = length - 1 + exponent;
    let keep = if lead >= -1022 {
        53
    } else {
        length + exponent + 1074
    };
    if keep >= length {
        // Exact (only a whole number short enough takes this path).
        return n.low_u64() as f64 * 2f64.powi(exponent as i32);
    }
    let drop = (length - keep) as usize;
    let mut mantissa = if keep > 0 { n.bits_from(drop) } else { 0 };
    let half = n.bit(drop - 1);
    let more = beyond || n.any_below(drop - 1);
    if half && (more || mantissa % 2 == 1) {
        mantissa += 1;
    }
    let mut scale = exponent + drop as i64;
    if mantissa == 1 << 53 {
        mantissa >>= 1;
        scale += 1;
    }
    if mantissa == 0 {
        return 0.0;
    }
    let lead = 63 - i64::from(mantissa.leading_zeros()) + scale;
    if lead > 1023 {
        f64::INFINITY
    } else if lead >= -1022 && mantissa >= 1 << 52 {
        f64::from_bits(((lead + 1023) as u64) << 52 | (mantissa & ((1 << 52) - 1)))
    } else {
        // A subnormal (its scale is 2^-1074), or 2^-1022 reached by rounding.
        f64::from_bits(mantissa)
    }
}

/// A whole number of any size, in 32-bit limbs, least significant first.
struct Binary(Vec<u32>);

impl Binary {
    fn of_digits(digits: &str) -> Binary {
        let mut n = Binary(vec![0]);
        for d in digits.bytes() {
            n.times(10);
            n.add(u64::from(d - b'0'));
        }
        n
    }

    fn times(&mut self, factor: u64) {
        let mut carry = 0;
        for limb in &mut self.0 {
            let v = u64::from(*limb) * factor + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
    }

    fn add(&mut self, mut value: u64) {
        for limb in &mut self.0 {
            let v = u64::from(*limb) + value;
            *limb = v as u32;
            value = v >> 32;
            if value == 0 {
                return;
            }
        }
        self.0.push(value as u32);
    }

    fn bits(&self) -> u64 {
        let top = self.0.iter().rposition(|&l| l != 0);
        top.map_or(0, |i| {
            32 * i as u64 + 32 - u64::from(self.0[i].leading_zeros())
        })
    }

    fn bit(&self, i: usize) -> bool {
        self.0.get(i / 32).is_some_and(|l| l >> (i % 32) & 1 == 1)
    }

    fn any_below(&self, i: usize) -> bool {
        (0..i).any(|b| self.bit(b))
    }

    /// Bits `from` and up, as a number (at most 64 of them).
    fn bits_from(&self, from: usize) -> u64 {
        (from..from + 64)
            .rev()
            .fold(0, |v, i| v << 1 | u64::from(self.bit(i)))
    }

    fn low_u64(&self) -> u64 {
        self.bits_from(0)
    }

    fn shift_left(&mut self, by: u64) {
        let (limbs, bits) = ((by / 32) as usize, (by % 32) as u32);
        if bits > 0 {
            let mut carry = 0;
            for limb in &mut self.0 {
                let v = u64::from(*limb) << bits | carry;
                *limb = v as u32;
                carry = v >> 32;
            }
            self.0.push(carry as u32);
        }
        self.0.splice(0..0, std::iter::repeat_n(0, limbs));
    }

    fn at_least(&self, other: &Binary, shift: usize) -> bool {
        let top = self.bits().max(other.bits() + shift as u64) as usize;
        for i in (0..top).rev() {
            let (a, b) = (self.bit(i), i >= shift && other.bit(i - shift));
            if a != b {
                return a;
            }
        }
        true
    }

    fn subtract(&mut self, other: &Binary, shift: usize) {
        let mut borrow = 0i64;
        let top = self.0.len() * 32;
        let mut i = shift;
        while i < top {
            let limb = i / 32;
            let mut v = i64::from(self.0[limb]) - borrow;
            // Other's 32 bits that land on this limb.
            let o = (0..32).fold(0u64, |o, b| {
                let at = limb * 32 + b;
                o | u64::from(at >= shift && other.bit(at - shift)) << b
            });
            v -= o as i64;
            borrow = i64::from(v < 0);
            self.0[limb] = (v + (borrow << 32)) as u32;
            i = (limb + 1) * 32;
        }
    }

    /// The quotient by `divisor`, and whether the remainder is zero.
    fn divide(mut self, divisor: &Binary) -> (Binary, bool) {
        let span = self.bits().saturating_sub(divisor.bits()) as usize;
        let mut quotient = Binary(vec![0]);
        for shift in (0..=span).rev() {
            quotient.times(2);
            if self.at_least(divisor, shift) {
                self.subtract(divisor, shift);
                quotient.add(1);
            }
        }
        (quotient, self.bits() == 0)
    }
}
