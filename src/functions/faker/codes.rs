//! Barcode (EAN/UPC) and ISBN providers with valid check digits.

use rand::RngExt;

use super::base::{Rng, numerify, pick};
use super::data::LOCAL_BARCODE_PREFIXES;

/// EAN/UPC check digit of `body` (weights 3,1,… from the right).
pub fn ean_check(body: &str) -> u32 {
    let sum: u32 = body
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { d * 3 } else { d })
        .sum();
    (10 - sum % 10) % 10
}

fn ean_with_prefix(r: &mut Rng, length: i64, prefix: &str) -> Result<String, String> {
    if length != 8 && length != 13 {
        return Err("length can only be 8 or 13".to_string());
    }
    let rest = "#".repeat(length as usize - 1 - prefix.len());
    let body = format!("{prefix}{}", numerify(r, &rest));
    let check = ean_check(&body);
    Ok(format!("{body}{check}"))
}

/// `ean(length=13)`.
pub fn ean(r: &mut Rng, length: i64) -> Result<String, String> {
    ean_with_prefix(r, length, "")
}

/// `localized_ean(length=13)`: en_US local prefixes `00`–`13`.
pub fn localized_ean(r: &mut Rng, length: i64) -> Result<String, String> {
    let p = pick(r, LOCAL_BARCODE_PREFIXES);
    ean_with_prefix(r, length, p)
}

/// `upc_a()`: 12 digits (an EAN-13 starting with 0, without it).
pub fn upc_a(r: &mut Rng) -> String {
    let e = ean_with_prefix(r, 13, "0").unwrap_or_default();
    e.get(1..).unwrap_or_default().to_string()
}

struct Rule(&'static str, &'static str, usize);

const GROUP0: &[Rule] = &[
    Rule("0000000", "1999999", 2),
    Rule("2000000", "2279999", 3),
    Rule("2280000", "2289999", 4),
    Rule("2290000", "6479999", 3),
    Rule("6480000", "6489999", 7),
    Rule("6490000", "6999999", 3),
    Rule("7000000", "8499999", 4),
    Rule("8500000", "8999999", 5),
    Rule("9000000", "9499999", 6),
    Rule("9500000", "9999999", 7),
];
const GROUP1: &[Rule] = &[
    Rule("0000000", "0999999", 2),
    Rule("1000000", "3999999", 3),
    Rule("4000000", "5499999", 4),
    Rule("5500000", "7319999", 5),
    Rule("7320000", "7399999", 7),
    Rule("7400000", "8697999", 5),
    Rule("8698000", "9729999", 6),
    Rule("9730000", "9877999", 4),
    Rule("9878000", "9989999", 6),
    Rule("9990000", "9999999", 7),
];

/// (group, registrant, publication) of an English-language 978 ISBN.
fn isbn_body(r: &mut Rng) -> (String, String, String) {
    let (group, rules) = if r.random_bool(0.5) {
        ("0", GROUP0)
    } else {
        ("1", GROUP1)
    };
    let reg_pub = numerify(r, "########");
    let key = &reg_pub[..7];
    let len = rules
        .iter()
        .find(|rule| rule.0 <= key && key <= rule.1)
        .map_or(2, |rule| rule.2);
    (
        group.to_string(),
        reg_pub[..len].to_string(),
        reg_pub[len..].to_string(),
    )
}

/// `isbn13(separator='-')`.
pub fn isbn13(r: &mut Rng, sep: &str) -> String {
    let (g, reg, publ) = isbn_body(r);
    let check = ean_check(&format!("978{g}{reg}{publ}"));
    ["978", &g, &reg, &publ, &check.to_string()].join(sep)
}

/// `isbn10(separator='-')`.
pub fn isbn10(r: &mut Rng, sep: &str) -> String {
    let (g, reg, publ) = isbn_body(r);
    let body = format!("{g}{reg}{publ}");
    let sum: u32 = body
        .chars()
        .filter_map(|c| c.to_digit(10))
        .zip((2..=10).rev())
        .map(|(d, w)| d * w)
        .sum();
    let check = (11 - sum % 11) % 11;
    let check = if check == 10 {
        "X".to_string()
    } else {
        check.to_string()
    };
    [g.as_str(), &reg, &publ, &check].join(sep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits() {
        let r = &mut rand::rng();
        assert_eq!(ean_check("400638133393"), 1);
        for _ in 0..200 {
            for len in [8, 13] {
                let e = ean(r, len).unwrap();
                assert_eq!(e.len(), len as usize);
                let (body, check) = e.split_at(e.len() - 1);
                assert_eq!(check, ean_check(body).to_string());
            }
            assert!(localized_ean(r, 13).unwrap().starts_with(['0', '1']));
            let i = isbn13(r, "-");
            assert_eq!(i.split('-').count(), 5);
            let digits: String = i.chars().filter(|c| *c != '-').collect();
            assert_eq!(digits.len(), 13);
            let (body, check) = digits.split_at(12);
            assert_eq!(check, ean_check(body).to_string());
            let i10: String = isbn10(r, "").chars().collect();
            assert_eq!(i10.len(), 10);
            let sum: u32 = i10
                .chars()
                .zip((1..=10).rev())
                .map(|(c, w)| {
                    if c == 'X' {
                        10 * w
                    } else {
                        c.to_digit(10).unwrap() * w
                    }
                })
                .sum();
            assert_eq!(sum % 11, 0, "{i10}");
            assert_eq!(upc_a(r).len(), 12);
        }
        assert!(ean(r, 12).is_err());
    }
}
