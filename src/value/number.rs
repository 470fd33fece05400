//! Numbers: how Kusto prints a `real` and a `long`, what numeric text
//! `tolong`/`toint`/`toreal` accept, conversions between the numeric types,
//! `round`, and `bin`/`bin_at` over numbers.

use super::Value;

/// Significant digits of a printed real: .NET Framework's default
/// `Double.ToString()` ("G15"). The docs print reals this way: `stdev` of
/// 1…5 is shown as `1.58113883008419` (`stdev-aggregation-function`), not
/// the shortest round-trip form `1.5811388300841898`, and docs/semantics.md#real-text
/// cites `3.14159265358979`.
const REAL_DIGITS: usize = 15;

/// `tostring(real)` and a real in a result grid (docs/semantics.md#real-text).
///
/// The value rounded to 15 significant digits with trailing zeros dropped:
/// integral values print without a decimal point (`4`, `-100`), others as
/// `2.988`, `0.5`, `1.58113883008419`. Scientific notation when the decimal
/// exponent is below -4 or above 14, as .NET's "G" format: `1E+15`,
/// `1.5E-05`, `-2.5E+100` (mantissa digits as above, `E`, a sign, at least
/// two exponent digits). `NaN`, `Infinity` and `-Infinity` for the special
/// values (the conformance cases print NaN as `NaN`); negative zero prints
/// as `0`.
pub fn format_real(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if x == 0.0 {
        return "0".into();
    }
    // `{:.14e}` rounds the exact binary value to 15 significant digits.
    let sci = format!("{:.*e}", REAL_DIGITS - 1, x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let mut out = String::with_capacity(24);
    if x < 0.0 {
        out.push('-');
    }
    if exp > -5 && exp < REAL_DIGITS as i32 {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                out.push_str(digits);
                out.extend(std::iter::repeat_n('0', int_len - digits.len()));
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
            out.push_str(digits);
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('E');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.unsigned_abs()));
    }
    out
}

/// `tostring(long)` / `tostring(int)`: plain decimal (docs:
/// `tostring-function`: `tostring(123)` is `"123"`).
pub fn format_long(x: i64) -> String {
    x.to_string()
}

/// The text of an integer conversion: surrounding whitespace, an optional
/// sign, then decimal digits only.
fn integer_text(s: &str) -> Option<&str> {
    let t = s.trim();
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(t)
}

/// `tolong(string)` (docs: `tolong-function`: `tolong("123") == 123`).
///
/// Decisions (undocumented; those of .NET's `Int64.TryParse` with its
/// default integer style): surrounding whitespace and a leading `+` or `-`
/// are allowed; anything but decimal digits otherwise — a decimal point,
/// an exponent, hex, thousands separators — gives `None` (null), as does
/// overflow. So `tolong("1.5")` and `tolong("1e3")` are null; convert
/// through [`parse_real`] and [`real_to_long`] to accept them.
pub fn parse_long(s: &str) -> Option<i64> {
    integer_text(s)?.parse().ok()
}

/// `toint(string)` (docs: `toint-function`: `toint("123") == 123`): as
/// [`parse_long`], within the 32-bit range.
pub fn parse_int(s: &str) -> Option<i32> {
    integer_text(s)?.parse().ok()
}

/// `toreal(string)` / `todouble(string)` (docs: `toreal-function`:
/// `todouble("123.4") == 123.4`).
///
/// Accepts surrounding whitespace, an optional sign, digits with an
/// optional decimal point (`.5` and `5.` too) and an optional exponent
/// (`1e3`, `1.5E-7`); `NaN`, `inf` and `infinity` in any case and with an
/// optional sign give the special values (`real(nan)`, `real(+inf)` are the
/// literal forms). Decisions: no hex, no thousands separators; a value too
/// large for a double is an infinity.
pub fn parse_real(s: &str) -> Option<f64> {
    let t = s.trim();
    let body = t.strip_prefix(['+', '-']).unwrap_or(t);
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), "nan" | "inf" | "infinity") {
        return t.parse().ok();
    }
    let b = body.as_bytes();
    let mut i = 0;
    let mut mantissa_digits = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
        mantissa_digits += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
            mantissa_digits += 1;
        }
    }
    if mantissa_digits == 0 {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    t.parse().ok()
}

/// `tolong(real)`: truncated toward zero (docs: `toint-function`, "the
/// result truncate to only the integer portion"). `None` for NaN,
/// infinities and values outside the long range.
pub fn real_to_long(x: f64) -> Option<i64> {
    let t = x.trunc();
    // -2^63 is representable; 2^63 is the first value too large.
    (t.is_finite() && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&t))
        .then_some(t as i64)
}

/// `toint(real)`: truncated toward zero (docs: `toint(2.3)` is 2). `None`
/// for NaN, infinities and values outside the 32-bit range.
pub fn real_to_int(x: f64) -> Option<i32> {
    let t = x.trunc();
    (t.is_finite() && (-2_147_483_648.0..2_147_483_648.0).contains(&t)).then_some(t as i32)
}

/// `toint(long)`. Decision (undocumented): a value outside the 32-bit range
/// gives `None` (null) rather than wrapping around.
pub fn long_to_int(x: i64) -> Option<i32> {
    i32::try_from(x).ok()
}

/// `round(number, precision)` for reals (docs: `round-function`):
/// `round(2.98765, 3)` is 2.988, `round(2.15, 1)` 2.2, `round(2.15)` 2,
/// `round(-50.55, -2)` -100, `round(21.5, -1)` 20. A negative precision
/// rounds to tens, hundreds, ….
///
/// Decision (undocumented): halfway cases round away from zero
/// (`round(2.5)` is 3, `round(-2.5)` is -3), by scaling with a power of ten
/// as .NET's `Math.Round(double, int, MidpointRounding.AwayFromZero)`
/// does. NaN and infinities are returned unchanged.
pub fn round(x: f64, digits: i64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    if digits >= 0 {
        let p = 10f64.powi(digits.min(400) as i32);
        let y = x * p;
        // Past 2^52 every double is already an integer at this scale.
        if !y.is_finite() || y.abs() >= 4_503_599_627_370_496.0 {
            return x;
        }
        y.round() / p
    } else {
        let p = 10f64.powi(digits.unsigned_abs().min(400) as i32);
        if !p.is_finite() {
            return 0.0 * x.signum();
        }
        (x / p).round() * p
    }
}

/// `round(long, precision)`: a long is already whole for precision ≥ 0; a
/// negative precision rounds to tens, hundreds, … with halves away from
/// zero (`round(1250, -2)` is 1300). `None` if the result overflows.
pub fn round_long(x: i64, digits: i64) -> Option<i64> {
    if digits >= 0 {
        return Some(x);
    }
    // `unsigned_abs`, not `-digits`: `i64::MIN` has no negation (found by fuzzing).
    let Some(p) = u32::try_from(digits.unsigned_abs())
        .ok()
        .and_then(|e| 10i64.checked_pow(e))
    else {
        return Some(0);
    };
    let q = x / p;
    let r = x % p;
    let q = if r.unsigned_abs() * 2 >= p.unsigned_abs() {
        q + x.signum()
    } else {
        q
    };
    q.checked_mul(p)
}

/// `bin(long, size)` / `floor(...)`: rounds down (toward negative infinity)
/// to a multiple of `size` (docs: `bin-function`). `None` for a size that is
/// zero or negative, or on overflow.
pub fn bin_long(v: i64, size: i64) -> Option<i64> {
    if size <= 0 {
        return None;
    }
    v.div_euclid(size).checked_mul(size)
}

/// `bin(real, size)`: rounds down to a multiple of `size` (docs:
/// `bin(4.5, 1)` is 4). `None` for a size that is zero, negative or NaN.
pub fn bin_real(v: f64, size: f64) -> Option<f64> {
    (size > 0.0).then(|| (v / size).floor() * size)
}

/// `bin_at(long, size, fixed_point)` (docs: `bin-at-function`). `None` for
/// a size that is zero or negative, or on overflow.
pub fn bin_at_long(v: i64, size: i64, fixed: i64) -> Option<i64> {
    if size <= 0 {
        return None;
    }
    let k = v.checked_sub(fixed)?.div_euclid(size);
    fixed.checked_add(k.checked_mul(size)?)
}

/// `bin_at(real, size, fixed_point)` (docs: `bin_at(6.5, 2.5, 7)` is 4.5).
/// `None` for a size that is zero, negative or NaN.
pub fn bin_at_real(v: f64, size: f64, fixed: f64) -> Option<f64> {
    (size > 0.0).then(|| ((v - fixed) / size).floor() * size + fixed)
}

/// The value as a decimal, if it is a decimal or an integer.
pub fn as_decimal(v: &Value) -> Option<rust_decimal::Decimal> {
    match v {
        Value::Decimal(d) => Some(*d),
        Value::Int(i) => Some(rust_decimal::Decimal::from(*i)),
        Value::Long(i) => Some(rust_decimal::Decimal::from(*i)),
        _ => None,
    }
}

/// A `real` as a decimal (null past decimal's range or for NaN).
pub fn real_to_decimal(r: f64) -> Option<rust_decimal::Decimal> {
    rust_decimal::prelude::FromPrimitive::from_f64(r)
}

/// Decimal text: `1.1`, `-2`, `1e3`, `1.5E-2` (what `decimal(...)` and
/// `todecimal()` read).
pub fn parse_decimal(text: &str) -> Option<rust_decimal::Decimal> {
    let t = text.trim();
    if t.contains(['e', 'E']) {
        rust_decimal::Decimal::from_scientific(t).ok()
    } else {
        t.parse::<rust_decimal::Decimal>().ok()
    }
}
