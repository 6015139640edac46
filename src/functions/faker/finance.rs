//! Currency, bank (en_GB, Faker's fallback for zh_CN) and geo providers.

use rand::RngExt;

use super::base::{Rng, UPPER, lexify, numerify, pick};
use super::data::{CRYPTOCURRENCIES, CURRENCIES, CURRENCY_SYMBOLS};
use crate::value::Value;

fn pair(r: &mut Rng, list: &[(&str, &str)]) -> (String, String) {
    let (a, b) = list[r.random_range(0..list.len())];
    (a.to_string(), b.to_string())
}

/// `currency()` → `(code, name)` tuple.
pub fn currency(r: &mut Rng) -> Value {
    let (c, n) = pair(r, CURRENCIES);
    Value::Tuple(vec![Value::Str(c), Value::Str(n)])
}

pub fn currency_code(r: &mut Rng) -> String {
    pair(r, CURRENCIES).0
}

pub fn currency_name(r: &mut Rng) -> String {
    pair(r, CURRENCIES).1
}

/// `currency_symbol(code=None)`: symbol of a random currency (`$` when none is listed).
pub fn currency_symbol(r: &mut Rng) -> String {
    let code = currency_code(r);
    CURRENCY_SYMBOLS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("$", |(_, s)| *s)
        .to_string()
}

pub fn cryptocurrency(r: &mut Rng) -> Value {
    let (c, n) = pair(r, CRYPTOCURRENCIES);
    Value::Tuple(vec![Value::Str(c), Value::Str(n)])
}

pub fn cryptocurrency_code(r: &mut Rng) -> String {
    pair(r, CRYPTOCURRENCIES).0
}

pub fn cryptocurrency_name(r: &mut Rng) -> String {
    pair(r, CRYPTOCURRENCIES).1
}

/// `pricetag()`: en_US `$#,###.##`-style.
pub fn pricetag(r: &mut Rng) -> String {
    let f = pick(r, &["#.##", "%#.##", "%##.##", "%,###.##", "%#,###.##"]);
    format!("${}", numerify(r, f))
}

/// Moves the first four characters to the end and converts letters (A=10) to digits;
/// the ISO 13616 remainder mod 97.
fn mod97(text: &str) -> u32 {
    let mut rem: u32 = 0;
    for c in text.chars() {
        let v = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'A'..='Z' => c as u32 - 'A' as u32 + 10,
            _ => continue,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem
}

/// en_GB `bban()`: 4 letters + 14 digits.
pub fn bban(r: &mut Rng) -> String {
    let letters = lexify(r, "????", UPPER).unwrap_or_default();
    letters + numerify(r, "##############").as_str()
}

pub fn bank_country() -> String {
    "GB".to_string()
}

/// `iban()`: `GB` + ISO 7064 check digits + BBAN.
pub fn iban(r: &mut Rng) -> String {
    let b = bban(r);
    let check = 98 - mod97(&format!("{b}GB00"));
    format!("GB{check:02}{b}")
}

/// `swift(length=None)`: 8 or 11 characters, bank code + `GB` + location (+ branch).
pub fn swift(r: &mut Rng, length: Option<usize>) -> String {
    const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let len = length.unwrap_or(if r.random_bool(0.5) { 8 } else { 11 });
    let bank = lexify(r, "????", UPPER).unwrap_or_default();
    let location = lexify(r, "??", ALNUM).unwrap_or_default();
    let mut out = format!("{bank}GB{location}");
    if len == 11 {
        out.push_str(&lexify(r, "???", ALNUM).unwrap_or_default());
    }
    out
}

/// Faker returns `Decimal`s with 6 fractional digits; the value model holds floats.
fn decimal6(r: &mut Rng, lo: f64, hi: f64) -> f64 {
    let v: f64 = r.random_range(lo..=hi);
    (v * 1e6).round() / 1e6
}

pub fn latitude(r: &mut Rng) -> f64 {
    decimal6(r, -90.0, 90.0)
}

pub fn longitude(r: &mut Rng) -> f64 {
    decimal6(r, -180.0, 180.0)
}

pub fn latlng(r: &mut Rng) -> Value {
    Value::Tuple(vec![Value::Float(latitude(r)), Value::Float(longitude(r))])
}

/// `coordinate(center=None, radius=0.001)`: a longitude-range value.
pub fn coordinate(r: &mut Rng) -> f64 {
    decimal6(r, -180.0, 180.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iban_is_valid() {
        let r = &mut rand::rng();
        for _ in 0..100 {
            let i = iban(r);
            assert_eq!(i.len(), 22);
            let rearranged = format!("{}{}", &i[4..], &i[..4]);
            assert_eq!(mod97(&rearranged), 1, "{i}");
            assert!([8, 11].contains(&swift(r, None).len()));
        }
        assert_eq!(mod97("3214282912345698765432161182"), 1);
    }
}
