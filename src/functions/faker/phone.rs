//! Phone provider, zh_CN: 11-digit mobile numbers with a real carrier prefix.

use super::base::{Rng, numerify, pick};
use super::data::COUNTRY_CALLING_CODES;

/// Faker 6.0.0 zh_CN `phonenumber_prefixes` (145 listed twice there too).
pub const MOBILE_PREFIXES: &[&str] = &[
    "134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157", "158", "159",
    "182", "187", "188", "130", "131", "132", "145", "155", "156", "185", "186", "145", "133",
    "153", "180", "181", "189",
];

pub fn phone_number(r: &mut Rng) -> String {
    let prefix = pick(r, MOBILE_PREFIXES);
    numerify(r, &format!("{prefix}########"))
}

/// `phonenumber_prefix()` returns the prefix as an int.
pub fn phonenumber_prefix(r: &mut Rng) -> i64 {
    pick(r, MOBILE_PREFIXES).parse().unwrap_or(130)
}

/// `msisdn()`: 13 digits.
pub fn msisdn(r: &mut Rng) -> String {
    numerify(r, "#############")
}

pub fn country_calling_code(r: &mut Rng) -> String {
    pick(r, COUNTRY_CALLING_CODES).to_string()
}
