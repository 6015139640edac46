//! `ssn()`, zh_CN: 18-character resident ID card number — a real administrative area code
//! (Faker's list from the 2015 national standard), a birth date 18–90 years ago, three
//! sequence digits and the ISO 7064 MOD 11-2 check character.

use chrono::{Duration, Local, NaiveDate};
use rand::RngExt;

use super::base::{Rng, numerify};

const AREA_CODES_TEXT: &str = include_str!("ssn_area_codes.txt");

fn area_codes() -> impl Iterator<Item = &'static str> {
    AREA_CODES_TEXT.split_ascii_whitespace()
}

pub fn is_area_code(code: &str) -> bool {
    area_codes().any(|c| c == code)
}

/// ISO 7064 MOD 11-2 check character of the first 17 digits (`None` if not digits).
pub fn check_char(first17: &str) -> Option<char> {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += c.to_digit(10)? * w;
    }
    Some(b"10X98765432"[(sum % 11) as usize] as char)
}

/// `ssn(min_age=18, max_age=90, gender=None)`; `gender` is `F`/`f`, `M`/`m` or `None`.
pub fn ssn(
    r: &mut Rng,
    min_age: i64,
    max_age: i64,
    gender: Option<&str>,
) -> Result<String, String> {
    let n = area_codes().count();
    let area = area_codes()
        .nth(r.random_range(0..n))
        .ok_or("no area codes")?;
    let days = super::base::randint(r, min_age.saturating_mul(365), max_age.saturating_mul(365))?;
    let today = Local::now().date_naive();
    let birthday: NaiveDate = Duration::try_days(days)
        .and_then(|d| today.checked_sub_signed(d))
        .ok_or("date value out of range")?;
    let mut id = format!("{area}{}", birthday.format("%Y%m%d"));
    id.push_str(&numerify(r, "##"));
    let g: u8 = match gender {
        None => r.random_range(0..=9),
        Some("F" | "f") => r.random_range(0..=4) * 2,
        Some("M" | "m") => r.random_range(0..=4) * 2 + 1,
        Some(_) => return Err("Gender must be one of F or M.".to_string()),
    };
    id.push(char::from(b'0' + g));
    let check = check_char(&id).ok_or("invalid id")?;
    id.push(check);
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Faker's own formula: `(1 - 2 * int(s, 13)) % 11`, `10` → `X`.
    fn faker_checksum(s: &str) -> char {
        let mut v: i128 = 0;
        for c in s.chars() {
            v = (v * 13 + i128::from(c.to_digit(10).unwrap())) % 11;
        }
        let x = (1 - 2 * v).rem_euclid(11);
        if x == 10 {
            'X'
        } else {
            char::from(b'0' + x as u8)
        }
    }

    #[test]
    fn id_card_numbers_are_valid() {
        let r = &mut rand::rng();
        assert_eq!(area_codes().count(), 3512);
        let today = Local::now().date_naive();
        for _ in 0..500 {
            let id = ssn(r, 18, 90, None).unwrap();
            assert_eq!(id.chars().count(), 18, "{id}");
            assert!(id[..17].bytes().all(|b| b.is_ascii_digit()));
            assert!(is_area_code(&id[..6]), "{id}");
            let birth = NaiveDate::parse_from_str(&id[6..14], "%Y%m%d").unwrap();
            let age_days = (today - birth).num_days();
            assert!((18 * 365..=90 * 365).contains(&age_days), "{id}");
            let last = id.chars().last().unwrap();
            assert_eq!(Some(last), check_char(&id[..17]));
            assert_eq!(last, faker_checksum(&id[..17]));
        }
        assert_eq!(check_char("11010519491231002"), Some('X'));
        let f = ssn(r, 18, 90, Some("F")).unwrap();
        assert_eq!(f.as_bytes()[16] % 2, 0);
        let m = ssn(r, 18, 90, Some("m")).unwrap();
        assert_eq!(m.as_bytes()[16] % 2, 1);
        assert!(ssn(r, 18, 90, Some("x")).is_err());
        assert!(ssn(r, 90, 18, None).is_err());
    }
}
