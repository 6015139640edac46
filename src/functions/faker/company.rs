//! Company and job providers. zh_CN company names (`{{company_prefix}}{{company_suffix}}`)
//! use Faker's prefixes; `job` uses the `fake` crate's ZH_CN professions; `bs` and
//! `catch_phrase` fall back to English in Faker's zh_CN too, taken from `fake`'s EN data.

use fake::Fake;
use fake::faker::company::raw::{Bs, CatchPhrase, Profession};
use fake::locales::{EN, ZH_CN};

use super::base::{Rng, pick};
use super::data::COMPANY_PREFIXES;

const COMPANY_SUFFIXES: &[&str] = &[
    "科技有限公司",
    "网络有限公司",
    "信息有限公司",
    "传媒有限公司",
];

pub fn company_prefix(r: &mut Rng) -> String {
    pick(r, COMPANY_PREFIXES).to_string()
}

pub fn company_suffix(r: &mut Rng) -> String {
    pick(r, COMPANY_SUFFIXES).to_string()
}

pub fn company(r: &mut Rng) -> String {
    company_prefix(r) + company_suffix(r).as_str()
}

pub fn bs(r: &mut Rng) -> String {
    Bs(EN).fake_with_rng(r)
}

pub fn catch_phrase(r: &mut Rng) -> String {
    CatchPhrase(EN).fake_with_rng(r)
}

pub fn job(r: &mut Rng) -> String {
    Profession(ZH_CN).fake_with_rng(r)
}
