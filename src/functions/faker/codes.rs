//! Barcode (EAN/UPC) and ISBN providers with valid check digits.

use rand::RngExt;

use super::base::{Rng, numerify, pick};
use super::data::LOCAL_BARCODE_PREFIXES;
use crate::value::Value;

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

/// Faker en_US `_upc_ae(base, number_system_digit)`: a 12-digit UPC-A that has a UPC-E
/// form. `base` is used when it is six digits, else six random digits; the number
/// system digit when it is `0`/`1` (Python `in [0, 1]`, so `False`/`True` count), else
/// random.
fn upc_ae(r: &mut Rng, base: Option<&Value>, nsd: Option<&Value>) -> String {
    let given: Option<Vec<u32>> = match base {
        Some(Value::Str(b)) if b.len() == 6 && b.bytes().all(|c| c.is_ascii_digit()) => {
            Some(b.chars().filter_map(|c| c.to_digit(10)).collect())
        }
        _ => None,
    };
    let base = given.unwrap_or_else(|| (0..6).map(|_| r.random_range(0..=9)).collect());
    let nsd = match nsd {
        Some(Value::Int(n @ 0..=1)) => *n as u32,
        Some(Value::Bool(b)) => u32::from(*b),
        Some(Value::Float(f)) if *f == 0.0 || *f == 1.0 => *f as u32,
        _ => r.random_range(0..=1),
    };
    let last = base[5] as usize;
    let mut code: Vec<u32> = vec![nsd];
    if last <= 2 {
        code.extend(&base[..2]);
        code.push(base[5]);
        code.extend([0; 4]);
        code.extend(&base[2..5]);
    } else if last <= 4 {
        code.extend(&base[..last]);
        code.extend([0; 5]);
        code.extend(&base[last..5]);
    } else {
        code.extend(&base[..5]);
        code.extend([0; 4]);
        code.push(base[5]);
    }
    let sum: u32 = code
        .iter()
        .zip([3, 1, 3, 1, 3, 1, 3, 1, 3, 1, 3])
        .map(|(d, w)| d * w)
        .sum();
    code.push((10 - sum % 10) % 10);
    code.iter()
        .filter_map(|d| char::from_digit(*d, 10))
        .collect()
}

/// Faker's `_convert_upc_a2e`: the three zero-suppression patterns, tried in order.
fn upc_a2e(a: &str) -> Result<String, String> {
    let invalid = || "`upc_a` has an invalid value".to_string();
    let b = a.as_bytes();
    if b.len() != 12 || !b.iter().all(u8::is_ascii_digit) || !matches!(b[0], b'0' | b'1') {
        return Err(invalid());
    }
    let (nsd, check) = (&a[..1], &a[11..]);
    // 1: mfr(2) extra[012] 0000 product(3)
    if matches!(b[3], b'0'..=b'2') && &a[4..8] == "0000" {
        return Ok(format!("{nsd}{}{}{}{check}", &a[1..3], &a[8..11], &a[3..4]));
    }
    // 2: mfr(3 or 4, shortest first) 00000 product(2 or 1)
    for mfr_len in [3, 4] {
        if &a[1 + mfr_len..6 + mfr_len] == "00000" {
            let product = &a[6 + mfr_len..11];
            return Ok(format!(
                "{nsd}{}{product}{mfr_len}{check}",
                &a[1..1 + mfr_len]
            ));
        }
    }
    // 3: mfr(5) 0000 extra[5-9]
    if &a[6..10] == "0000" && matches!(b[10], b'5'..=b'9') {
        return Ok(format!("{nsd}{}{}{check}", &a[1..6], &a[10..11]));
    }
    Err(invalid())
}

/// `upc_e(base=None, number_system_digit=None, safe_mode=True)`: 8 digits. Safe mode
/// (anything but `False`, so always from templates) round-trips through UPC-A; unsafe
/// mode concatenates the digit, the text of `base` and the check digit, like Python.
pub fn upc_e(
    r: &mut Rng,
    base: Option<&Value>,
    nsd: Option<&Value>,
    safe_mode: Option<&Value>,
) -> Result<String, String> {
    let upc_a = upc_ae(r, base, nsd);
    if !matches!(safe_mode, Some(Value::Bool(false))) {
        return upc_a2e(&upc_a);
    }
    let middle = match base {
        Some(Value::Str(b)) => b.clone(),
        Some(Value::List(items) | Value::Tuple(items)) => {
            items.iter().map(Value::py_str).collect::<String>()
        }
        Some(v) => return Err(format!("'{}' object is not iterable", v.type_name())),
        None => return Err("'NoneType' object is not iterable".to_string()),
    };
    Ok(format!("{}{middle}{}", &upc_a[..1], &upc_a[11..]))
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

    /// Expands a UPC-E back to UPC-A (the GS1 rule) to check the inherited check digit.
    fn upc_e_to_a(e: &str) -> String {
        let (nsd, m, check) = (&e[..1], &e[1..7], &e[7..]);
        let d: Vec<&str> = (0..6).map(|i| &m[i..=i]).collect();
        let body = match d[5] {
            "0" | "1" | "2" => format!("{}{}{}0000{}{}{}", d[0], d[1], d[5], d[2], d[3], d[4]),
            "3" => format!("{}{}{}00000{}{}", d[0], d[1], d[2], d[3], d[4]),
            "4" => format!("{}{}{}{}00000{}", d[0], d[1], d[2], d[3], d[4]),
            _ => format!("{}{}{}{}{}0000{}", d[0], d[1], d[2], d[3], d[4], d[5]),
        };
        format!("{nsd}{body}{check}")
    }

    #[test]
    fn upc_e_has_valid_check_digit() {
        let r = &mut rand::rng();
        for _ in 0..500 {
            let e = upc_e(r, None, None, None).unwrap();
            assert_eq!(e.len(), 8, "{e}");
            assert!(e.starts_with(['0', '1']));
            let a = upc_e_to_a(&e);
            assert_eq!(a.len(), 12);
            assert_eq!(&a[11..], ean_check(&a[..11]).to_string(), "{e} {a}");
            assert_eq!(upc_a2e(&a).unwrap(), e, "round trip of {e}");
        }
        let s = |t: &str| Value::Str(t.to_string());
        // Faker's docstring examples: the safe mode canonicalises 120003/120004.
        let zero = Value::Int(0);
        for base in ["120000", "120003", "120004"] {
            assert_eq!(
                upc_e(r, Some(&s(base)), Some(&zero), None).unwrap(),
                "01200003"
            );
        }
        assert_eq!(
            upc_e(r, Some(&s("123456")), Some(&zero), None).unwrap(),
            "01234565"
        );
        let unsafe_mode = Value::Bool(false);
        assert_eq!(
            upc_e(r, Some(&s("120003")), Some(&zero), Some(&unsafe_mode)).unwrap(),
            "01200033"
        );
        // Template text for the digit is not 0/1: random, still valid.
        assert_eq!(
            upc_e(r, Some(&s("123456")), Some(&s("0")), None)
                .unwrap()
                .len(),
            8
        );
        assert!(upc_e(r, None, None, Some(&unsafe_mode)).is_err());
    }
}
