//! Address provider, zh_CN formats of Faker 6.0.0:
//! `{{province}}{{city}}{{district}}区{{street_address}} {{postcode}}`.

use fake::locales::{Data, ZH_CN};
use rand::RngExt;

use super::base::{ASCII_LETTERS, Rng, UPPER, lexify, numerify, pick};
use super::data::{CITIES, COUNTRY_ALPHA2, COUNTRY_ALPHA3, DISTRICTS, PROVINCES};
use super::person;

const CITY_SUFFIXES: &[&str] = &["市", "县"];
const STREET_SUFFIXES: &[&str] = &["街", "路"];

pub fn province(r: &mut Rng) -> String {
    pick(r, PROVINCES).to_string()
}

pub fn city_name(r: &mut Rng) -> String {
    pick(r, CITIES).to_string()
}

pub fn city_suffix(r: &mut Rng) -> String {
    pick(r, CITY_SUFFIXES).to_string()
}

/// `{{city_name}}{{city_suffix}}` or `{{first_name}}{{city_suffix}}`.
pub fn city(r: &mut Rng) -> String {
    let base = if r.random_bool(0.5) {
        city_name(r)
    } else {
        person::first_name(r)
    };
    base + city_suffix(r).as_str()
}

pub fn district(r: &mut Rng) -> String {
    pick(r, DISTRICTS).to_string()
}

/// `?座` with an ASCII letter.
pub fn building_number(r: &mut Rng) -> String {
    lexify(r, "?座", ASCII_LETTERS).unwrap_or_default()
}

/// `%#####`: six digits, no leading zero.
pub fn postcode(r: &mut Rng) -> String {
    numerify(r, "%#####")
}

pub fn street_suffix(r: &mut Rng) -> String {
    pick(r, STREET_SUFFIXES).to_string()
}

/// `{{city_name}}{{street_suffix}}` or `{{last_name}}{{street_suffix}}`.
pub fn street_name(r: &mut Rng) -> String {
    let base = if r.random_bool(0.5) {
        city_name(r)
    } else {
        person::last_name(r)
    };
    base + street_suffix(r).as_str()
}

pub fn street_address(r: &mut Rng) -> String {
    street_name(r) + building_number(r).as_str()
}

pub fn address(r: &mut Rng) -> String {
    format!(
        "{}{}{}区{} {}",
        province(r),
        city(r),
        district(r),
        street_address(r),
        postcode(r)
    )
}

/// Country names in Chinese (the `fake` crate's ZH_CN list).
pub fn country(r: &mut Rng) -> String {
    pick(r, ZH_CN::ADDRESS_COUNTRY).to_string()
}

/// `country_code(representation='alpha-2')`.
pub fn country_code(r: &mut Rng, representation: &str) -> Result<String, String> {
    match representation {
        "alpha-2" => Ok(pick(r, COUNTRY_ALPHA2).to_string()),
        "alpha-3" => Ok(pick(r, COUNTRY_ALPHA3).to_string()),
        _ => Err("`representation` must be one of `alpha-2` or `alpha-3`.".to_string()),
    }
}

/// en_US license plates (zh_CN has no automotive provider).
pub fn license_plate(r: &mut Rng) -> String {
    let f = pick(r, super::data::LICENSE_PLATE_FORMATS);
    let letters = lexify(r, f, UPPER).unwrap_or_default();
    numerify(r, &letters)
}
