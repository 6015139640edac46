//! Python `int(str)` and `float(str)` for typed function arguments (§2.3).
//! ASCII digits only (Python also accepts other Unicode decimal digits).

use crate::value::{Value, py_strip};

/// `int(text)`: surrounding whitespace, a sign, digits with single underscores
/// between them. Values beyond `i64` become `Float` (the value model's rule).
pub(crate) fn py_int(text: &str) -> Option<Value> {
    let t = py_strip(text);
    let (neg, digits) = split_sign(t);
    if !valid_digit_part(digits) {
        return None;
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    let signed = if neg { format!("-{clean}") } else { clean };
    match signed.parse::<i64>() {
        Ok(i) => Some(Value::Int(i)),
        Err(_) => signed.parse::<f64>().ok().map(Value::Float),
    }
}

/// `float(text)`: decimal and exponent forms with underscores between digits,
/// `inf`, `infinity`, `nan` in any case, surrounding whitespace.
pub(crate) fn py_float(text: &str) -> Option<f64> {
    let t = py_strip(text);
    let (neg, body) = split_sign(t);
    let lower = body.to_ascii_lowercase();
    let magnitude = match lower.as_str() {
        "inf" | "infinity" => f64::INFINITY,
        "nan" => f64::NAN,
        _ => {
            let (mantissa, exponent) = match body.find(['e', 'E']) {
                Some(p) => (&body[..p], Some(&body[p + 1..])),
                None => (body, None),
            };
            let (int_part, frac_part) = match mantissa.split_once('.') {
                Some((a, b)) => (a, Some(b)),
                None => (mantissa, None),
            };
            let mantissa_ok = match frac_part {
                None => valid_digit_part(int_part),
                Some(f) => {
                    (int_part.is_empty() || valid_digit_part(int_part))
                        && (f.is_empty() || valid_digit_part(f))
                        && !(int_part.is_empty() && f.is_empty())
                }
            };
            let exponent_ok = exponent.is_none_or(|e| valid_digit_part(split_sign(e).1));
            if !mantissa_ok || !exponent_ok {
                return None;
            }
            let clean: String = body.chars().filter(|c| *c != '_').collect();
            clean.parse::<f64>().ok()?
        }
    };
    Some(if neg { -magnitude } else { magnitude })
}

fn split_sign(s: &str) -> (bool, &str) {
    if let Some(r) = s.strip_prefix('-') {
        (true, r)
    } else {
        (false, s.strip_prefix('+').unwrap_or(s))
    }
}

/// `digit (_? digit)*`.
fn valid_digit_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.first().is_some_and(u8::is_ascii_digit)
        && b.last().is_some_and(u8::is_ascii_digit)
        && b.iter().all(|c| c.is_ascii_digit() || *c == b'_')
        && !s.contains("__")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_like_python() {
        assert_eq!(py_int(" 42 "), Some(Value::Int(42)));
        assert_eq!(py_int("-1_000"), Some(Value::Int(-1000)));
        assert_eq!(py_int("+007"), Some(Value::Int(7)));
        assert_eq!(py_int("1.5"), None);
        assert_eq!(py_int("_1"), None);
        assert_eq!(py_int("1__0"), None);
        assert_eq!(py_int(""), None);
        assert_eq!(py_int("a"), None);
        assert_eq!(py_int("99999999999999999999"), Some(Value::Float(1e20)));
    }

    #[test]
    fn floats_like_python() {
        assert_eq!(py_float("1.5"), Some(1.5));
        assert_eq!(py_float(" -1 "), Some(-1.0));
        assert_eq!(py_float(".5"), Some(0.5));
        assert_eq!(py_float("5."), Some(5.0));
        assert_eq!(py_float("1e3"), Some(1000.0));
        assert_eq!(py_float("1_0.2_5"), Some(10.25));
        assert_eq!(py_float("-Infinity"), Some(f64::NEG_INFINITY));
        assert!(py_float("nan").is_some_and(f64::is_nan));
        assert_eq!(py_float("."), None);
        assert_eq!(py_float("1e"), None);
        assert_eq!(py_float("e5"), None);
        assert_eq!(py_float("1_.5"), None);
        assert_eq!(py_float("None"), None);
        assert_eq!(py_float(""), None);
    }
}
