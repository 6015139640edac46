//! Faker's `BaseProvider`: random numbers, letters and the `#`/`?` pattern fillers.

use rand::RngExt;

use crate::value::Value;

pub type Rng = rand::rngs::ThreadRng;

pub const ASCII_LETTERS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
pub const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
pub const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// One element of a non-empty constant list.
pub fn pick<'a, T: ?Sized>(r: &mut Rng, list: &'a [&'a T]) -> &'a T {
    list[r.random_range(0..list.len())]
}

/// One character of a text; `None` for an empty text (Python: `IndexError`).
pub fn pick_char(r: &mut Rng, text: &str) -> Option<char> {
    let n = text.chars().count();
    if n == 0 {
        return None;
    }
    text.chars().nth(r.random_range(0..n))
}

/// `random.randint(a, b)` (inclusive); `a > b` is Python's `empty range` error.
pub fn randint(r: &mut Rng, a: i64, b: i64) -> Result<i64, String> {
    if a > b {
        return Err(format!(
            "empty range for randrange() ({a}, {}, {})",
            b.saturating_add(1),
            b.saturating_sub(a).saturating_add(1)
        ));
    }
    Ok(r.random_range(a..=b))
}

/// `random_int(min, max, step)` = `randrange(min, max + 1, step)`.
pub fn random_int(r: &mut Rng, min: i64, max: i64, step: i64) -> Result<i64, String> {
    if step == 0 {
        return Err("zero step for randrange()".to_string());
    }
    let stop = i128::from(max) + 1;
    let start = i128::from(min);
    let step = i128::from(step);
    let n = if step > 0 {
        (stop - start + step - 1).div_euclid(step)
    } else {
        (start - stop - step - 1).div_euclid(-step)
    };
    if n <= 0 {
        return Err(format!(
            "empty range for randrange() ({min}, {stop}, {step})"
        ));
    }
    let k = r.random_range(0..n);
    i64::try_from(start + k * step).map_err(|_| "random_int() result out of range".to_string())
}

/// Faker `random_number(digits=None, fix_len=False)`. Python ints are unbounded; past
/// 18 digits the value model holds a float (digits are generated exactly, then converted).
pub fn random_number(r: &mut Rng, digits: Option<i64>, fix_len: bool) -> Result<Value, String> {
    let digits = match digits {
        Some(d) => d,
        None => r.random_range(1..=9),
    };
    if digits < 0 {
        return Err("The digit parameter must be greater than or equal to 0.".to_string());
    }
    if fix_len && digits == 0 {
        return Err("A number of fixed length cannot have less than 1 digit in it.".to_string());
    }
    if digits > 4300 {
        return Err("Exceeds the limit (4300) for integer string conversion".to_string());
    }
    if digits <= 18 {
        let hi = 10_i64.pow(digits as u32) - 1;
        let lo = if fix_len {
            10_i64.pow(digits as u32 - 1)
        } else {
            0
        };
        return Ok(Value::Int(r.random_range(lo..=hi)));
    }
    let mut s = String::with_capacity(digits as usize);
    for i in 0..digits {
        let lo = if i == 0 && fix_len { 1 } else { 0 };
        s.push(char::from(b'0' + r.random_range(lo..=9u8)));
    }
    let s = s.trim_start_matches('0');
    Ok(match s.parse::<i64>() {
        Ok(i) => Value::Int(i),
        Err(_) => Value::Float(s.parse::<f64>().unwrap_or(f64::INFINITY)),
    })
}

/// Faker `numerify`: `#` digit, `%` 1–9, `!` digit or empty, `@` 1–9 or empty.
pub fn numerify(r: &mut Rng, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' => out.push(char::from(b'0' + r.random_range(0..=9u8))),
            '%' => out.push(char::from(b'0' + r.random_range(1..=9u8))),
            '!' => {
                if r.random_bool(0.5) {
                    out.push(char::from(b'0' + r.random_range(0..=9u8)));
                }
            }
            '@' => {
                if r.random_bool(0.5) {
                    out.push(char::from(b'0' + r.random_range(1..=9u8)));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Faker `lexify`: `?` → a character of `letters`.
pub fn lexify(r: &mut Rng, text: &str, letters: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '?' {
            out.push(pick_char(r, letters).ok_or("Cannot choose from an empty sequence")?);
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

/// Faker `bothify` = `lexify(numerify(text))`.
pub fn bothify(r: &mut Rng, text: &str, letters: &str) -> Result<String, String> {
    let n = numerify(r, text);
    lexify(r, &n, letters)
}

/// Faker `hexify`: `^` → a hex digit.
pub fn hexify(r: &mut Rng, text: &str, upper: bool) -> String {
    let digits = if upper {
        "0123456789ABCDEF"
    } else {
        "0123456789abcdef"
    };
    text.chars()
        .map(|c| {
            if c == '^' {
                pick_char(r, digits).unwrap_or('0')
            } else {
                c
            }
        })
        .collect()
}

/// Faker `randomize_nb_elements(number, le=False, ge=False, min=None, max=None)` with
/// the arguments the providers use: ±40 %, then at least `min`.
pub fn randomize_nb_elements(r: &mut Rng, number: i64, min: Option<i64>) -> i64 {
    let k: i128 = r.random_range(60..=140);
    // int() truncates toward zero, as does i128 division.
    let n = (i128::from(number) * k / 100) as i64;
    match min {
        Some(m) if n < m => m,
        _ => n,
    }
}

/// `n` random lowercase-hex characters (stands in for md5/sha digests of random input).
pub fn random_hex(r: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b"0123456789abcdef"[r.random_range(0..16)]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fillers() {
        let r = &mut rand::rng();
        for _ in 0..200 {
            let n = numerify(r, "%##");
            assert_eq!(n.len(), 3);
            assert!(n.chars().all(|c| c.is_ascii_digit()) && !n.starts_with('0'));
            let b = bothify(r, "## ??", ASCII_LETTERS).unwrap();
            assert!(b.len() == 5 && b.as_bytes()[2] == b' ');
            assert!(b[3..].chars().all(|c| c.is_ascii_alphabetic()));
            assert!(numerify(r, "!@").len() <= 2);
            assert_eq!(lexify(r, "a?", "x").unwrap(), "ax");
            assert!(
                hexify(r, "^^^^", false)
                    .chars()
                    .all(|c| c.is_ascii_hexdigit())
            );
        }
        assert!(lexify(r, "?", "").is_err());
        assert_eq!(lexify(r, "abc", "").unwrap(), "abc");
    }

    #[test]
    fn random_int_is_python_randrange() {
        let r = &mut rand::rng();
        for _ in 0..200 {
            let v = random_int(r, 0, 10, 5).unwrap();
            assert!([0, 5, 10].contains(&v));
            let v = random_int(r, 10, 0, -5).unwrap();
            assert!([10, 5, 0].contains(&v));
            assert_eq!(random_int(r, 3, 3, 1), Ok(3));
        }
        assert!(random_int(r, 5, 1, 1).is_err());
        assert!(random_int(r, 0, 5, 0).is_err());
        assert!(random_int(r, i64::MIN, i64::MAX, 1).is_ok());
    }

    #[test]
    fn random_number_digits() {
        let r = &mut rand::rng();
        for _ in 0..200 {
            let Value::Int(v) = random_number(r, Some(3), true).unwrap() else {
                panic!()
            };
            assert!((100..=999).contains(&v));
            let Value::Int(v) = random_number(r, None, false).unwrap() else {
                panic!()
            };
            assert!((0..=999_999_999).contains(&v));
        }
        assert_eq!(random_number(r, Some(0), false), Ok(Value::Int(0)));
        assert!(random_number(r, Some(0), true).is_err());
        assert!(random_number(r, Some(-1), false).is_err());
        assert!(matches!(random_number(r, Some(30), true), Ok(Value::Float(f)) if f >= 1e29));
    }
}
