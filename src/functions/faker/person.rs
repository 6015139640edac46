//! Person provider, zh_CN: `{{last_name}}{{first_name}}` with the `fake` crate's ZH_CN
//! name lists; gendered first names and romanized names from Faker's zh_CN provider.

use fake::Fake;
use fake::faker::name::raw::{FirstName, LastName};
use fake::locales::ZH_CN;
use rand::RngExt;

use super::base::{Rng, pick};
use super::data::{
    FIRST_NAMES_FEMALE, FIRST_NAMES_MALE, FIRST_ROMANIZED_NAMES, LAST_ROMANIZED_NAMES,
};

pub fn last_name(r: &mut Rng) -> String {
    LastName(ZH_CN).fake_with_rng(r)
}

pub fn first_name(r: &mut Rng) -> String {
    FirstName(ZH_CN).fake_with_rng(r)
}

pub fn first_name_male(r: &mut Rng) -> String {
    pick(r, FIRST_NAMES_MALE).to_string()
}

pub fn first_name_female(r: &mut Rng) -> String {
    pick(r, FIRST_NAMES_FEMALE).to_string()
}

/// Faker: nonbinary names draw from both lists.
pub fn first_name_nonbinary(r: &mut Rng) -> String {
    if r.random_bool(0.5) {
        first_name_male(r)
    } else {
        first_name_female(r)
    }
}

pub fn name(r: &mut Rng) -> String {
    last_name(r) + first_name(r).as_str()
}

pub fn name_male(r: &mut Rng) -> String {
    last_name(r) + first_name_male(r).as_str()
}

pub fn name_female(r: &mut Rng) -> String {
    last_name(r) + first_name_female(r).as_str()
}

pub fn name_nonbinary(r: &mut Rng) -> String {
    last_name(r) + first_name_nonbinary(r).as_str()
}

pub fn first_romanized_name(r: &mut Rng) -> String {
    pick(r, FIRST_ROMANIZED_NAMES).to_string()
}

pub fn last_romanized_name(r: &mut Rng) -> String {
    pick(r, LAST_ROMANIZED_NAMES).to_string()
}

/// `{{first_romanized_name}} {{last_romanized_name}}`.
pub fn romanized_name(r: &mut Rng) -> String {
    format!("{} {}", first_romanized_name(r), last_romanized_name(r))
}
