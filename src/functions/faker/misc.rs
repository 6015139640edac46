//! Misc and python providers: booleans, digests, uuid4, password, py* numbers/strings and
//! the `random_*` helpers of Faker's `BaseProvider`.

use rand::RngExt;

use super::base::{ASCII_LETTERS, LOWER, Rng, UPPER, pick_char, random_hex, random_number};
use crate::value::Value;

pub fn boolean(r: &mut Rng) -> bool {
    r.random_range(1..=100) <= 50
}

/// `null_boolean()`: None, True or False.
pub fn null_boolean(r: &mut Rng) -> Value {
    match r.random_range(-1..=1) {
        -1 => Value::None,
        0 => Value::Bool(false),
        _ => Value::Bool(true),
    }
}

/// `md5()`/`sha1()`/`sha256()`: hex digests of random input — random hex of that length.
pub fn digest(r: &mut Rng, hex_len: usize) -> String {
    random_hex(r, hex_len)
}

pub fn uuid4() -> String {
    uuid::Uuid::new_v4().to_string()
}

const SPECIAL: &str = "!@#$%^&*()_+";
const DIGITS: &str = "0123456789";

/// `password(length=10, special_chars=True, digits=True, upper_case=True, lower_case=True)`.
pub fn password(
    r: &mut Rng,
    length: i64,
    special: bool,
    digits: bool,
    upper: bool,
    lower: bool,
) -> Result<String, String> {
    let mut choices = String::new();
    let mut required = Vec::new();
    for (on, set) in [
        (special, SPECIAL),
        (digits, DIGITS),
        (upper, UPPER),
        (lower, LOWER),
    ] {
        if on {
            required.push(pick_char(r, set).unwrap_or('a'));
            choices.push_str(set);
        }
    }
    if (required.len() as i64) > length {
        return Err("Required length is shorter than required characters".to_string());
    }
    if length > 100_000 {
        return Err("password length is too large".to_string());
    }
    if choices.is_empty() {
        if length > 0 {
            return Err("Cannot choose from an empty sequence".to_string());
        }
        return Ok(String::new());
    }
    let mut chars: Vec<char> = (0..length)
        .map(|_| pick_char(r, &choices).unwrap_or('a'))
        .collect();
    let mut positions: Vec<usize> = Vec::new();
    while positions.len() < required.len() {
        let i = r.random_range(0..chars.len());
        if !positions.contains(&i) {
            positions.push(i);
        }
    }
    for (i, pos) in positions.into_iter().enumerate() {
        chars[pos] = required[i];
    }
    Ok(chars.into_iter().collect())
}

/// `pyfloat(left_digits=None, right_digits=None, positive=False)` (Faker 6.0.0: the
/// fractional part is `random_number(right_digits)` written without zero padding).
pub fn pyfloat(
    r: &mut Rng,
    left: Option<i64>,
    right: Option<i64>,
    positive: bool,
) -> Result<f64, String> {
    if left.is_some_and(|l| l < 0) {
        return Err("A float number cannot have less than 0 digits in its integer part".into());
    }
    if right.is_some_and(|l| l < 0) {
        return Err("A float number cannot have less than 0 digits in its fractional part".into());
    }
    if left == Some(0) && right == Some(0) {
        return Err("A float number cannot have less than 0 digits in total".into());
    }
    let left = match left {
        Some(l) => l,
        None => r.random_range(1..=15),
    };
    let right = match right {
        Some(x) => x,
        None => super::base::randint(r, 0, 15 - left)?,
    };
    let sign = if positive || r.random_bool(0.5) {
        ""
    } else {
        "-"
    };
    let l = random_number(r, Some(left), false)?.py_str();
    let f = random_number(r, Some(right), false)?.py_str();
    let text = format!("{sign}{l}.{f}");
    let mut v: f64 = text
        .parse()
        .map_err(|_| format!("could not convert string to float: '{text}'"))?;
    if positive && v == 0.0 {
        v += f64::EPSILON;
    }
    Ok(v)
}

/// `pystr(min_chars=None, max_chars=20)`: 20 random letters.
pub fn pystr(r: &mut Rng) -> String {
    (0..20)
        .map(|_| pick_char(r, ASCII_LETTERS).unwrap_or('a'))
        .collect()
}

/// `pystr_format()`: `?#-###{{random_int}}{{random_letter}}`.
pub fn pystr_format(r: &mut Rng) -> String {
    let head = super::base::bothify(r, "?#-###", ASCII_LETTERS).unwrap_or_default();
    let n: i64 = r.random_range(0..=9999);
    format!("{head}{n}{}", pick_char(r, ASCII_LETTERS).unwrap_or('a'))
}

/// `random_elements(elements)` over the characters of a text (what a template argument
/// is), with Faker's random length `1..=len`.
pub fn random_elements_of(r: &mut Rng, text: &str) -> Result<Vec<String>, String> {
    let n = text.chars().count();
    if n == 0 {
        return Err("Cannot choose from an empty sequence".to_string());
    }
    let k = r.random_range(1..=n);
    Ok((0..k)
        .map(|_| pick_char(r, text).unwrap_or_default().to_string())
        .collect())
}

/// `random_sample(elements)` over the characters of a text: distinct positions.
pub fn random_sample_of(r: &mut Rng, text: &str) -> Result<Vec<String>, String> {
    let mut chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return Err("Cannot choose from an empty sequence".to_string());
    }
    let k = r.random_range(1..=chars.len());
    let mut out = Vec::with_capacity(k);
    for _ in 0..k {
        let i = r.random_range(0..chars.len());
        out.push(chars.swap_remove(i).to_string());
    }
    Ok(out)
}
