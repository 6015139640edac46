//! Credit-card provider (en_US data, Luhn-valid numbers, Chinese holder names).

use super::base::{Rng, numerify, pick};
use super::date_time::credit_card_expire;
use super::person;

struct Card {
    key: &'static str,
    name: &'static str,
    prefixes: &'static [&'static str],
    length: usize,
    code: &'static str,
    code_len: usize,
}

const MAESTRO: &[&str] = &[
    "5018", "5020", "5038", "56##", "57##", "58##", "6304", "6759", "6761", "6762", "6763", "0604",
    "6390",
];
const MASTERCARD: &[&str] = &[
    "51", "52", "53", "54", "55", "222%", "223", "224", "225", "226", "227", "228", "229", "23",
    "24", "25", "26", "270", "271", "2720",
];
const CARDS: &[Card] = &[
    Card {
        key: "maestro",
        name: "Maestro",
        prefixes: MAESTRO,
        length: 12,
        code: "CVV",
        code_len: 3,
    },
    Card {
        key: "mastercard",
        name: "Mastercard",
        prefixes: MASTERCARD,
        length: 16,
        code: "CVV",
        code_len: 3,
    },
    Card {
        key: "visa16",
        name: "VISA 16 digit",
        prefixes: &["4"],
        length: 16,
        code: "CVC",
        code_len: 3,
    },
    Card {
        key: "visa13",
        name: "VISA 13 digit",
        prefixes: &["4"],
        length: 13,
        code: "CVC",
        code_len: 3,
    },
    Card {
        key: "visa19",
        name: "VISA 19 digit",
        prefixes: &["4"],
        length: 19,
        code: "CVC",
        code_len: 3,
    },
    Card {
        key: "amex",
        name: "American Express",
        prefixes: &["34", "37"],
        length: 15,
        code: "CID",
        code_len: 4,
    },
    Card {
        key: "discover",
        name: "Discover",
        prefixes: &["6011", "65"],
        length: 16,
        code: "CVC",
        code_len: 3,
    },
    Card {
        key: "diners",
        name: "Diners Club / Carte Blanche",
        prefixes: &["300", "301", "302", "303", "304", "305", "36", "38"],
        length: 14,
        code: "CVC",
        code_len: 3,
    },
    Card {
        key: "jcb15",
        name: "JCB 15 digit",
        prefixes: &["2131", "1800"],
        length: 15,
        code: "CVC",
        code_len: 3,
    },
    Card {
        key: "jcb16",
        name: "JCB 16 digit",
        prefixes: &["35"],
        length: 16,
        code: "CVC",
        code_len: 3,
    },
];

/// `card_type` None/empty → random (Faker also lists `visa` = visa16 and `jcb` = jcb16).
fn card(r: &mut Rng, card_type: Option<&str>) -> Result<&'static Card, String> {
    let key = match card_type.filter(|t| !t.is_empty()) {
        None => {
            let keys: Vec<&str> = CARDS.iter().map(|c| c.key).chain(["visa", "jcb"]).collect();
            pick(r, &keys).to_string()
        }
        Some(k) => k.to_string(),
    };
    let key = match key.as_str() {
        "visa" => "visa16",
        "jcb" => "jcb16",
        k => k,
    };
    CARDS
        .iter()
        .find(|c| c.key == key)
        .ok_or_else(|| format!("KeyError: '{key}'"))
}

/// Luhn check digit for `body`.
pub fn luhn_check(body: &str) -> u32 {
    let sum: u32 = body
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

fn number(r: &mut Rng, c: &Card) -> String {
    let pattern = pick(r, c.prefixes);
    let prefix = numerify(r, pattern);
    let fill = "#".repeat(c.length.saturating_sub(prefix.len() + 1));
    let body = numerify(r, &format!("{prefix}{fill}"));
    let check = luhn_check(&body);
    format!("{body}{check}")
}

pub fn credit_card_provider(r: &mut Rng, t: Option<&str>) -> Result<String, String> {
    Ok(card(r, t)?.name.to_string())
}

pub fn credit_card_number(r: &mut Rng, t: Option<&str>) -> Result<String, String> {
    let c = card(r, t)?;
    Ok(number(r, c))
}

pub fn credit_card_security_code(r: &mut Rng, t: Option<&str>) -> Result<String, String> {
    let c = card(r, t)?;
    Ok(numerify(r, &"#".repeat(c.code_len)))
}

/// `{provider}\n{first_name} {last_name}\n{number} {expire}\n{code}: {digits}\n`.
pub fn credit_card_full(r: &mut Rng, t: Option<&str>) -> Result<String, String> {
    let c = card(r, t)?;
    let owner = format!("{} {}", person::first_name(r), person::last_name(r));
    let num = number(r, c);
    let expire = credit_card_expire(r, "now", "+10y", "%m/%y")?;
    let code = numerify(r, &"#".repeat(c.code_len));
    Ok(format!(
        "{}\n{owner}\n{num} {expire}\n{}: {code}\n",
        c.name, c.code
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_valid_numbers() {
        let r = &mut rand::rng();
        for _ in 0..300 {
            let n = credit_card_number(r, None).unwrap();
            let (body, check) = n.split_at(n.len() - 1);
            assert_eq!(check, luhn_check(body).to_string());
            assert_eq!(credit_card_number(r, Some("amex")).unwrap().len(), 15);
            assert_eq!(credit_card_security_code(r, Some("amex")).unwrap().len(), 4);
        }
        assert_eq!(luhn_check("7992739871"), 3);
        assert!(
            credit_card_full(r, Some("visa"))
                .unwrap()
                .starts_with("VISA 16 digit\n")
        );
        assert!(credit_card_provider(r, Some("nope")).is_err());
    }
}
