//! Floats in decimals as people read them: with a fixed number of decimals
//! (`fixed`, what `format!("{x:.2}")` writes) or in their shortest form
//! (`shortest`, what `format!("{x}")` writes), digit for digit as the standard
//! library writes them, for every float; and back (`read`, what
//! `str::parse::<f64>` reads).
//!
//! Every number the page shows goes through here, so that its wasm holds no
//! copy of the standard library's float formatting (Grisu and Dragon with their
//! tables, 9.5 KB for `Display` alone): the shortest digits come from `zmij`,
//! which serde_json brings for JSON anyway, and a fixed number of decimals is
//! the float's exact value, a whole number times a power of two, rounded by
//! arithmetic on decimal digits.

/// A float that formats as `format!` formats an `f64` (`{}`, `{:.1}`,
/// `{:>9.1}`), through [`fixed`] and [`shortest`]: wrap a float in it where it
/// is written, `format!("{:.1} ms", Dec(ms))`. (With the flag `+`, which no
/// format here uses, NaN is written "+NaN".)
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dec(pub f64);

impl std::fmt::Display for Dec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let x = self.0;
        let digits = match f.precision() {
            Some(decimals) => fixed(x.abs(), decimals),
            None => shortest(x.abs()),
        };
        // The sign, width, fill and alignment as for a number (NaN has no sign).
        f.pad_integral(x.is_nan() || x.is_sign_positive(), "", &digits)
    }
}

/// `x` with `decimals` digits after the point, rounded half to even on its
/// exact value: `format!("{x:.decimals$}")`.
pub fn fixed(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return special(x).to_string();
    }
    let (mantissa, exponent) = parts(x.abs());
    // x * 10^decimals = mantissa * 10^decimals * 2^exponent, rounded.
    let mut n = Digits::from(mantissa);
    for _ in 0..decimals {
        n.times(10);
    }
    if exponent >= 0 {
        for _ in 0..exponent {
            n.times(2);
        }
    } else {
        n.halve_rounding(exponent.unsigned_abs());
    }
    let mut digits = n.to_string();
    if digits.len() <= decimals {
        digits.insert_str(0, &"0".repeat(decimals + 1 - digits.len()));
    }
    if decimals > 0 {
        digits.insert(digits.len() - decimals, '.');
    }
    signed(x, digits)
}

/// `x` in the fewest digits that read back as `x`, without an exponent:
/// `format!("{x}")` (1 for 1.0, 0.00000015 for 1.5e-7).
pub fn shortest(x: f64) -> String {
    if !x.is_finite() {
        return special(x).to_string();
    }
    let mut buffer = zmij::Buffer::new();
    // zmij writes "1.5", "100.0", "1e+21", "1.5e-7": its digits and where the
    // point goes.
    let written = buffer.format_finite(x.abs());
    let (mantissa, exp) = written.split_once('e').unwrap_or((written, "0"));
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut digits: String = format!("{whole}{fraction}");
    // The point after `point` digits.
    let mut point = whole.len() as i64 + exp.parse::<i64>().unwrap_or(0);
    while digits.len() > 1 && digits.starts_with('0') {
        digits.remove(0);
        point -= 1;
    }
    while digits.len() > 1 && digits.ends_with('0') {
        digits.pop();
    }
    // Where the float lies exactly halfway between the two nearest shortest
    // candidates (2^-25 = 2.98023223876953125e-8), zmij takes the even one and
    // the standard library the one above.
    if let (Some(exact), Ok(z)) = (exact_digits(x.abs()), digits.parse::<u128>()) {
        if exact == z * 10 + 5 {
            let up = (z + 1).to_string();
            point += up.len() as i64 - digits.len() as i64;
            digits = up.trim_end_matches('0').to_string();
        }
    }
    let text = if digits == "0" {
        digits
    } else if point <= 0 {
        format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
    } else if point as usize >= digits.len() {
        let zeros = "0".repeat(point as usize - digits.len());
        format!("{digits}{zeros}")
    } else {
        let (int, frac) = digits.split_at(point as usize);
        format!("{int}.{frac}")
    };
    signed(x, text)
}

fn special(x: f64) -> &'static str {
    if x.is_nan() {
        "NaN"
    } else if x > 0.0 {
        "inf"
    } else {
        "-inf"
    }
}

/// A minus before `text` when `x` is negative, -0.0 among them.
fn signed(x: f64, text: String) -> String {
    if x.is_sign_negative() {
        format!("-{text}")
    } else {
        text
    }
}

/// `x` (finite, not negative) as `mantissa * 2^exponent`.
fn parts(x: f64) -> (u64, i32) {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), biased - 1075)
    }
}

/// The significant digits of `x` (finite, not negative) exactly, trailing
/// zeros left out, when there are at most 18 of them: only such a float can
/// lie halfway between two shortest candidates of at most 17 digits.
fn exact_digits(x: f64) -> Option<u128> {
    let (mut mantissa, mut exponent) = parts(x);
    if mantissa == 0 {
        return None;
    }
    while mantissa % 2 == 0 {
        mantissa /= 2;
        exponent += 1;
    }
    let digits = if exponent >= 0 {
        // A whole number: mantissa * 2^exponent.
        let mut n = Digits::from(mantissa);
        for _ in 0..exponent {
            n.times(2);
        }
        n.to_string()
    } else if exponent >= -25 {
        // mantissa / 2^k = mantissa * 5^k / 10^k, and an odd mantissa times
        // 5^k ends in 5: beyond k = 25 it has more than 18 digits.
        (u128::from(mantissa) * 5u128.pow(exponent.unsigned_abs())).to_string()
    } else {
        return None;
    };
    let digits = digits.trim_end_matches('0');
    (digits.len() <= 18).then(|| digits.parse().ok()).flatten()
}

/// A whole number of any size, in limbs of nine decimal digits, least
/// significant first.
struct Digits(Vec<u32>);

const LIMB: u64 = 1_000_000_000;

impl Digits {
    fn from(mut n: u64) -> Digits {
        let mut limbs = Vec::new();
        loop {
            limbs.push((n % LIMB) as u32);
            n /= LIMB;
            if n == 0 {
                return Digits(limbs);
            }
        }
    }

    fn times(&mut self, factor: u64) {
        let mut carry = 0;
        for limb in &mut self.0 {
            let v = u64::from(*limb) * factor + carry;
            *limb = (v % LIMB) as u32;
            carry = v / LIMB;
        }
        while carry > 0 {
            self.0.push((carry % LIMB) as u32);
            carry /= LIMB;
        }
    }

    /// Divide by 2^`times`, rounded half to even.
    fn halve_rounding(&mut self, times: u32) {
        // The last bit shifted out is the half; any before it, more.
        let (mut half, mut more) = (false, false);
        for _ in 0..times {
            more |= half;
            half = self.halve();
            if self.is_zero() && !half && !more {
                return;
            }
        }
        let odd = self.0[0] % 2 == 1;
        if half && (more || odd) {
            self.add_one();
        }
    }

    /// Divide by 2; whether there was a remainder.
    fn halve(&mut self) -> bool {
        let mut rest = 0;
        for limb in self.0.iter_mut().rev() {
            let v = rest * LIMB + u64::from(*limb);
            *limb = (v / 2) as u32;
            rest = v % 2;
        }
        while self.0.len() > 1 && self.0.last() == Some(&0) {
            self.0.pop();
        }
        rest == 1
    }

    fn is_zero(&self) -> bool {
        self.0.iter().all(|&l| l == 0)
    }

    fn add_one(&mut self) {
        for limb in &mut self.0 {
            if u64::from(*limb) + 1 < LIMB {
                *limb += 1;
                return;
            }
            *limb = 0;
        }
        self.0.push(1);
    }
}

impl std::fmt::Display for Digits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut limbs = self.0.iter().rev();
        write!(f, "{}", limbs.next().copied().unwrap_or(0))?;
        for limb in limbs {
            write!(f, "{limb:09}")?;
        }
        Ok(())
    }
}

mod read;
pub use read::read;

#[cfg(test)]
mod tests;
