//! The Faker 6.0.0 `zh_CN` methods callable as `{{@name(...)}}` (api-cases 3.1, 3.2).
//!
//! Data comes from the `fake` crate where it has zh_CN (or, for Faker's English
//! fallbacks, EN) lists — names, words, professions, countries, bs/catch phrases — and
//! from Faker's own zh_CN lists and algorithms for what `fake` lacks (mobile numbers, ID
//! cards, addresses, company names, romanized user/domain names…).
//!
//! Methods with a type table get typed arguments; the others take no arguments, except
//! those for which Faker accepts text (`random_element(abc)`, `date_between(-1y, today)`,
//! `slug(text)`, `hexify(^^)`, `format(name, …)`). Values Python returns as objects the
//! template cannot hold are returned as their Python `str()` text (dates) or as floats
//! (`Decimal`), Python sets as lists, generators as lists, tzinfo objects as their
//! `str()`. Names listed in [`UNSUPPORTED`] and [`INTERNAL`] fail with a clear error.

mod address;
mod archive;
mod base;
mod codes;
mod color;
mod company;
mod credit_card;
mod data;
mod date_time;
mod dsv;
mod extended;
mod file;
mod finance;
mod fixed_width;
mod geo;
mod geo_data;
mod internet;
mod json_data;
mod lorem;
mod misc;
mod parse;
mod person;
mod phone;
mod profile;
mod pycollections;
mod ssn;
mod time_series;
mod user_agent;

pub use phone::MOBILE_PREFIXES;
pub use ssn::{check_char as id_card_check_char, is_area_code};

use rand::RngExt;

use super::args::Args;
use crate::value::Value;
use base::{ASCII_LETTERS, Rng};
use date_time::Period;

/// Faker methods the engine cannot reproduce meaningfully; calls fail with the reason.
pub const UNSUPPORTED: &[(&str, &str)] = &[];

/// Attributes and methods of the Python Faker object that are engine internals, not data.
pub const INTERNAL: &[&str] = &[
    "add_provider",
    "cache_pattern",
    "del_arguments",
    "factories",
    "generator_attrs",
    "get_arguments",
    "get_formatter",
    "get_providers",
    "items",
    "locales",
    "parse",
    "provider",
    "providers",
    "random",
    "seed",
    "seed_instance",
    "seed_locale",
    "set_arguments",
    "set_formatter",
    "unique",
    "weights",
];

/// Every supported Faker method name (each is handled by [`call`]).
pub const SUPPORTED: &[&str] = &[
    "address",
    "am_pm",
    "android_platform_token",
    "ascii_company_email",
    "ascii_email",
    "ascii_free_email",
    "ascii_safe_email",
    "bank_country",
    "bban",
    "binary",
    "boolean",
    "bothify",
    "bs",
    "building_number",
    "catch_phrase",
    "century",
    "chrome",
    "city",
    "city_name",
    "city_suffix",
    "color",
    "color_name",
    "company",
    "company_email",
    "company_prefix",
    "company_suffix",
    "coordinate",
    "country",
    "country_calling_code",
    "country_code",
    "credit_card_expire",
    "credit_card_full",
    "credit_card_number",
    "credit_card_provider",
    "credit_card_security_code",
    "cryptocurrency",
    "cryptocurrency_code",
    "cryptocurrency_name",
    "csv",
    "currency",
    "currency_code",
    "currency_name",
    "currency_symbol",
    "date",
    "date_between",
    "date_between_dates",
    "date_object",
    "date_of_birth",
    "date_this_century",
    "date_this_decade",
    "date_this_month",
    "date_this_year",
    "date_time",
    "date_time_ad",
    "date_time_between",
    "date_time_between_dates",
    "date_time_this_century",
    "date_time_this_decade",
    "date_time_this_month",
    "date_time_this_year",
    "day_of_month",
    "day_of_week",
    "dga",
    "district",
    "domain_name",
    "domain_word",
    "dsv",
    "ean",
    "ean13",
    "ean8",
    "email",
    "file_extension",
    "file_name",
    "file_path",
    "firefox",
    "first_name",
    "first_name_female",
    "first_name_male",
    "first_name_nonbinary",
    "first_romanized_name",
    "fixed_width",
    "format",
    "free_email",
    "free_email_domain",
    "future_date",
    "future_datetime",
    "hex_color",
    "hexify",
    "hostname",
    "http_method",
    "iban",
    "image_url",
    "internet_explorer",
    "ios_platform_token",
    "ipv4",
    "ipv4_network_class",
    "ipv4_private",
    "ipv4_public",
    "ipv6",
    "isbn10",
    "isbn13",
    "iso8601",
    "job",
    "json",
    "language_code",
    "language_name",
    "last_name",
    "last_name_female",
    "last_name_male",
    "last_name_nonbinary",
    "last_romanized_name",
    "latitude",
    "latlng",
    "lexify",
    "license_plate",
    "linux_platform_token",
    "linux_processor",
    "local_latlng",
    "locale",
    "localized_ean",
    "localized_ean13",
    "localized_ean8",
    "location_on_land",
    "longitude",
    "mac_address",
    "mac_platform_token",
    "mac_processor",
    "md5",
    "mime_type",
    "month",
    "month_name",
    "msisdn",
    "name",
    "name_female",
    "name_male",
    "name_nonbinary",
    "null_boolean",
    "numerify",
    "opera",
    "paragraph",
    "paragraphs",
    "password",
    "past_date",
    "past_datetime",
    "phone_number",
    "phonenumber_prefix",
    "port_number",
    "postcode",
    "prefix",
    "prefix_female",
    "prefix_male",
    "prefix_nonbinary",
    "pricetag",
    "profile",
    "province",
    "psv",
    "pybool",
    "pydecimal",
    "pydict",
    "pyfloat",
    "pyint",
    "pyiterable",
    "pylist",
    "pyset",
    "pystr",
    "pystr_format",
    "pystruct",
    "pytimezone",
    "pytuple",
    "random_choices",
    "random_digit",
    "random_digit_not_null",
    "random_digit_not_null_or_empty",
    "random_digit_or_empty",
    "random_element",
    "random_elements",
    "random_int",
    "random_letter",
    "random_letters",
    "random_lowercase_letter",
    "random_number",
    "random_sample",
    "random_uppercase_letter",
    "randomize_nb_elements",
    "rgb_color",
    "rgb_css_color",
    "romanized_name",
    "safari",
    "safe_color_name",
    "safe_domain_name",
    "safe_email",
    "safe_hex_color",
    "sentence",
    "sentences",
    "sha1",
    "sha256",
    "simple_profile",
    "slug",
    "ssn",
    "street_address",
    "street_name",
    "street_suffix",
    "suffix",
    "suffix_female",
    "suffix_male",
    "suffix_nonbinary",
    "swift",
    "swift11",
    "swift8",
    "tar",
    "text",
    "texts",
    "time",
    "time_delta",
    "time_object",
    "time_series",
    "timezone",
    "tld",
    "tsv",
    "unix_device",
    "unix_partition",
    "unix_time",
    "upc_a",
    "upc_e",
    "uri",
    "uri_extension",
    "uri_page",
    "uri_path",
    "url",
    "user_agent",
    "user_name",
    "uuid4",
    "windows_platform_token",
    "word",
    "words",
    "year",
    "zip",
];

/// Whether the Python engine's Faker object has `name` (supported or not).
pub fn exists(name: &str) -> bool {
    is_supported(name) || UNSUPPORTED.iter().any(|(n, _)| *n == name) || INTERNAL.contains(&name)
}

/// Whether `name` is implemented here.
pub fn is_supported(name: &str) -> bool {
    SUPPORTED.contains(&name)
}

fn s(v: String) -> Value {
    Value::Str(v)
}

fn list(v: Vec<String>) -> Value {
    Value::List(v.into_iter().map(Value::Str).collect())
}

/// Calls the Faker method `name`; `Err` for unknown, unsupported or failing calls.
pub fn call(name: &str, args: Vec<Value>) -> Result<Value, String> {
    if let Some((_, why)) = UNSUPPORTED.iter().find(|(n, _)| *n == name) {
        return Err(format!("内置函数 {name} 不受支持: Faker {name}() {why}"));
    }
    if INTERNAL.contains(&name) {
        return Err(format!(
            "内置函数 {name} 不受支持: Faker {name} is an internal of the Python Faker object"
        ));
    }
    if !is_supported(name) {
        return Err(format!("'Generator' object has no attribute '{name}'"));
    }
    if name == "format" {
        let mut args = args;
        if args.is_empty() {
            return Err("format() missing 1 required positional argument: 'formatter'".into());
        }
        let target = match args.remove(0) {
            Value::Str(t) => t,
            v => {
                return Err(format!(
                    "format() argument 1 must be str, not {}",
                    v.type_name()
                ));
            }
        };
        if target == "format" {
            return Err("format() cannot format itself".into());
        }
        // Faker's `format(formatter, *args)` calls another Faker method.
        return call(&target, args);
    }
    let r = &mut rand::rng();
    if extended::NAMES.contains(&name) {
        return extended::call(name, args, r);
    }
    typed(name, args, r)
}

/// Zero-argument methods and methods with a type table or text arguments.
#[allow(clippy::too_many_lines)]
fn typed(name: &str, args: Vec<Value>, r: &mut Rng) -> Result<Value, String> {
    use self::{address as ad, company as co, date_time as dt, internet as net, person as pe};
    // Methods taking arguments first.
    let max = match name {
        "bothify" | "lexify" | "file_name" | "ipv4_private" | "ipv4_public" | "texts"
        | "image_url" | "random_number" | "paragraph" | "sentence" | "date_between"
        | "date_time_between" | "hexify" => 2,
        "random_int" | "color" | "file_path" | "ipv4" | "pyfloat" | "credit_card_expire" => 3,
        "password" => 5,
        "numerify"
        | "country_code"
        | "ean"
        | "localized_ean"
        | "credit_card_full"
        | "credit_card_number"
        | "credit_card_provider"
        | "credit_card_security_code"
        | "date"
        | "time"
        | "file_extension"
        | "mime_type"
        | "unix_device"
        | "unix_partition"
        | "domain_name"
        | "email"
        | "hostname"
        | "ipv6"
        | "uri_path"
        | "isbn10"
        | "isbn13"
        | "paragraphs"
        | "sentences"
        | "text"
        | "word"
        | "words"
        | "random_element"
        | "random_elements"
        | "random_choices"
        | "random_sample"
        | "slug"
        | "future_date"
        | "future_datetime"
        | "past_date"
        | "past_datetime" => 1,
        _ => 0,
    };
    let a = Args::new(name, args, max)?;
    Ok(match name {
        // --- base provider
        "bothify" => s(base::bothify(
            r,
            a.str_or(0, "## ??")?,
            a.str_or(1, ASCII_LETTERS)?,
        )?),
        "lexify" => s(base::lexify(
            r,
            a.str_or(0, "????")?,
            a.str_or(1, ASCII_LETTERS)?,
        )?),
        "numerify" => s(base::numerify(r, a.str_or(0, "###")?)),
        "hexify" => {
            let upper = a.get(1).is_some_and(Value::truthy);
            s(base::hexify(r, a.str_or(0, "^^^^")?, upper))
        }
        "random_int" | "pyint" => Value::Int(base::random_int(
            r,
            a.int_or(0, 0)?,
            a.int_or(1, 9999)?,
            a.int_or(2, 1)?,
        )?),
        "random_number" => base::random_number(r, a.int_opt(0)?, a.bool_or(1, false)?)?,
        "random_digit" => Value::Int(r.random_range(0..=9)),
        "random_digit_not_null" => Value::Int(r.random_range(1..=9)),
        "random_digit_or_empty" => maybe_digit(r, 0),
        "random_digit_not_null_or_empty" => maybe_digit(r, 1),
        "random_letter" => s(one_of(r, ASCII_LETTERS)),
        "random_lowercase_letter" => s(one_of(r, base::LOWER)),
        "random_uppercase_letter" => s(one_of(r, base::UPPER)),
        "random_letters" => list((0..16).map(|_| one_of(r, ASCII_LETTERS)).collect()),
        "random_element" => s(one_of_checked(r, a.str_or(0, "abc")?)?),
        "random_elements" | "random_choices" => {
            list(misc::random_elements_of(r, a.str_or(0, "abc")?)?)
        }
        "random_sample" => list(misc::random_sample_of(r, a.str_or(0, "abc")?)?),
        "randomize_nb_elements" => Value::Int(base::randomize_nb_elements(r, 10, None)),
        // --- person
        "name" => s(pe::name(r)),
        "name_male" => s(pe::name_male(r)),
        "name_female" => s(pe::name_female(r)),
        "name_nonbinary" => s(pe::name_nonbinary(r)),
        "first_name" => s(pe::first_name(r)),
        "first_name_male" => s(pe::first_name_male(r)),
        "first_name_female" => s(pe::first_name_female(r)),
        "first_name_nonbinary" => s(pe::first_name_nonbinary(r)),
        "last_name" | "last_name_male" | "last_name_female" | "last_name_nonbinary" => {
            s(pe::last_name(r))
        }
        "prefix" | "prefix_male" | "prefix_female" | "prefix_nonbinary" | "suffix"
        | "suffix_male" | "suffix_female" | "suffix_nonbinary" => s(String::new()),
        "romanized_name" => s(pe::romanized_name(r)),
        "first_romanized_name" => s(pe::first_romanized_name(r)),
        "last_romanized_name" => s(pe::last_romanized_name(r)),
        "language_name" => s(base::pick(r, data::LANGUAGE_NAMES).to_string()),
        // --- address / phone / ssn / automotive
        "address" => s(ad::address(r)),
        "building_number" => s(ad::building_number(r)),
        "city" => s(ad::city(r)),
        "city_name" => s(ad::city_name(r)),
        "city_suffix" => s(ad::city_suffix(r)),
        "country" => s(ad::country(r)),
        "country_code" => s(ad::country_code(r, a.str_or(0, "alpha-2")?)?),
        "district" => s(ad::district(r)),
        "postcode" => s(ad::postcode(r)),
        "province" => s(ad::province(r)),
        "street_address" => s(ad::street_address(r)),
        "street_name" => s(ad::street_name(r)),
        "street_suffix" => s(ad::street_suffix(r)),
        "license_plate" => s(ad::license_plate(r)),
        "phone_number" => s(phone::phone_number(r)),
        "phonenumber_prefix" => Value::Int(phone::phonenumber_prefix(r)),
        "msisdn" => s(phone::msisdn(r)),
        "country_calling_code" => s(phone::country_calling_code(r)),
        "ssn" => s(ssn::ssn(r, 18, 90, None)?),
        // --- company / job
        "company" => s(co::company(r)),
        "company_prefix" => s(co::company_prefix(r)),
        "company_suffix" => s(co::company_suffix(r)),
        "bs" => s(co::bs(r)),
        "catch_phrase" => s(co::catch_phrase(r)),
        "job" => s(co::job(r)),
        // --- lorem
        "word" => match a.get(0) {
            None | Some(Value::Int(0)) => s(lorem::word(r)),
            Some(v) => {
                return Err(format!(
                    "word() ext_word_list must be a list of words, not {}",
                    v.type_name()
                ));
            }
        },
        "words" => list(lorem::words(r, a.int_or(0, 3)?)?),
        "sentence" => s(lorem::sentence(r, a.int_or(0, 6)?, a.bool_or(1, true)?)?),
        "sentences" => list(lorem::sentences(r, a.int_or(0, 3)?)?),
        "paragraph" => s(lorem::paragraph(r, a.int_or(0, 3)?, a.bool_or(1, true)?)?),
        "paragraphs" => list(lorem::paragraphs(r, a.int_or(0, 3)?)?),
        "text" => s(lorem::text(r, a.int_or(0, 200)?)?),
        "texts" => list(lorem::texts(r, a.int_or(0, 3)?, a.int_or(1, 200)?)?),
        // --- internet
        "email" | "ascii_email" => s(net::email(r, a.str_opt(0)?)?),
        "safe_email" | "ascii_safe_email" => s(net::safe_email(r)),
        "free_email" | "ascii_free_email" => s(net::free_email(r)),
        "company_email" | "ascii_company_email" => s(net::company_email(r)?),
        "free_email_domain" => s(net::free_email_domain(r)),
        "safe_domain_name" => s(net::safe_domain_name(r)),
        "domain_name" => s(net::domain_name(r, a.int_or(0, 1)?)?),
        "domain_word" => s(net::domain_word(r)),
        "hostname" => s(net::hostname(r, a.int_or(0, 1)?)?),
        "tld" => s(net::tld(r)),
        "user_name" => s(net::user_name(r)),
        "url" => s(net::url(r)?),
        "uri" => s(net::uri(r)?),
        "uri_page" => s(net::uri_page(r)),
        "uri_path" => s(net::uri_path(r, a.int_opt(0)?)?),
        "uri_extension" => s(net::uri_extension(r)),
        "image_url" => s(net::image_url(r, a.int_opt(0)?, a.int_opt(1)?)),
        "ipv4" => s(net::ipv4(
            r,
            a.bool_or(0, false)?,
            a.str_opt(1)?,
            a.bool_opt(2)?,
        )),
        "ipv4_private" => s(net::ipv4_private(r, a.bool_or(0, false)?, a.str_opt(1)?)),
        "ipv4_public" => s(net::ipv4_public(r, a.bool_or(0, false)?, a.str_opt(1)?)),
        "ipv4_network_class" => s(net::ipv4_network_class(r)),
        "ipv6" => s(net::ipv6(r, a.bool_or(0, false)?)),
        "mac_address" => s(net::mac_address(r)),
        "port_number" => Value::Int(net::port_number(r)),
        "http_method" => s(net::http_method(r)),
        "slug" => s(net::slug(a.str_opt(0)?)),
        "dga" => s(net::dga(r)?),
        // --- date_time
        "date" => s(dt::date(r, a.str_or(0, "%Y-%m-%d")?)?),
        "time" => s(dt::time(r, a.str_or(0, "%H:%M:%S")?)?),
        "date_time" => s(dt::date_time(r)?),
        "date_time_ad" => s(dt::date_time_ad(r)?),
        "iso8601" => s(dt::iso8601(r)?),
        "date_object" => s(dt::date_object(r)?),
        "time_object" => s(dt::time_object(r)?),
        "unix_time" => Value::Int(dt::unix_time(r)?),
        "year" => s(dt::year(r)?),
        "month" => s(dt::month(r)?),
        "month_name" => s(dt::month_name(r)),
        "day_of_month" => s(dt::day_of_month(r)?),
        "day_of_week" => s(dt::day_of_week(r)),
        "am_pm" => s(dt::am_pm(r)?),
        "century" => s(dt::century(r)),
        "timezone" => s(dt::timezone(r)),
        "time_delta" => s(dt::time_delta()),
        "date_between" => s(dt::date_between(
            r,
            a.str_or(0, "-30y")?,
            a.str_or(1, "today")?,
        )?),
        "date_time_between" => s(dt::date_time_between(
            r,
            a.str_or(0, "-30y")?,
            a.str_or(1, "now")?,
        )?),
        "date_between_dates" => s(dt::date_between(r, "today", "today")?),
        "date_time_between_dates" => s(dt::date_time_between(r, "now", "now")?),
        "future_date" => s(dt::date_between(r, "+1d", a.str_or(0, "+30d")?)?),
        "future_datetime" => s(dt::date_time_between(r, "+1s", a.str_or(0, "+30d")?)?),
        "past_date" => s(dt::date_between(r, a.str_or(0, "-30d")?, "-1d")?),
        "past_datetime" => s(dt::date_time_between(r, a.str_or(0, "-30d")?, "-1s")?),
        "date_of_birth" => s(dt::date_of_birth(r)?),
        "date_this_century" => s(dt::date_this(r, Period::Century)?),
        "date_this_decade" => s(dt::date_this(r, Period::Decade)?),
        "date_this_year" => s(dt::date_this(r, Period::Year)?),
        "date_this_month" => s(dt::date_this(r, Period::Month)?),
        "date_time_this_century" => s(dt::date_time_this(r, Period::Century)?),
        "date_time_this_decade" => s(dt::date_time_this(r, Period::Decade)?),
        "date_time_this_year" => s(dt::date_time_this(r, Period::Year)?),
        "date_time_this_month" => s(dt::date_time_this(r, Period::Month)?),
        // --- misc / python
        "boolean" | "pybool" => Value::Bool(misc::boolean(r)),
        "null_boolean" => misc::null_boolean(r),
        "md5" => s(misc::digest(r, 32)),
        "sha1" => s(misc::digest(r, 40)),
        "sha256" => s(misc::digest(r, 64)),
        "uuid4" => s(misc::uuid4()),
        "binary" => Value::Bytes((0..1_048_576).map(|_| r.random::<u8>()).collect()),
        "password" => s(misc::password(
            r,
            a.int_or(0, 10)?,
            a.bool_or(1, true)?,
            a.bool_or(2, true)?,
            a.bool_or(3, true)?,
            a.bool_or(4, true)?,
        )?),
        "pyfloat" => Value::Float(misc::pyfloat(
            r,
            a.int_opt(0)?,
            a.int_opt(1)?,
            a.bool_or(2, false)?,
        )?),
        "pydecimal" => Value::Float(misc::pyfloat(r, None, None, false)?),
        "pystr" => s(misc::pystr(r)),
        "pystr_format" => s(misc::pystr_format(r)),
        "locale" => s(user_agent::locale(r)),
        "language_code" => s(user_agent::language_code(r)),
        // --- barcode / isbn
        "ean" => s(codes::ean(r, a.int_or(0, 13)?)?),
        "ean13" => s(codes::ean(r, 13)?),
        "ean8" => s(codes::ean(r, 8)?),
        "localized_ean" => s(codes::localized_ean(r, a.int_or(0, 13)?)?),
        "localized_ean13" => s(codes::localized_ean(r, 13)?),
        "localized_ean8" => s(codes::localized_ean(r, 8)?),
        "upc_a" => s(codes::upc_a(r)),
        "isbn10" => s(codes::isbn10(r, a.str_or(0, "-")?)),
        "isbn13" => s(codes::isbn13(r, a.str_or(0, "-")?)),
        // --- color
        "color" => s(color::color(
            r,
            a.str_opt(0)?,
            a.str_opt(1)?,
            a.str_or(2, "hex")?,
        )?),
        "color_name" => s(color::color_name(r)),
        "safe_color_name" => s(color::safe_color_name(r)),
        "hex_color" => s(color::hex_color(r)),
        "safe_hex_color" => s(color::safe_hex_color(r)),
        "rgb_color" => s(color::rgb_color(r)),
        "rgb_css_color" => s(color::rgb_css_color(r)),
        // --- credit card
        "credit_card_full" => s(credit_card::credit_card_full(r, a.str_opt(0)?)?),
        "credit_card_number" => s(credit_card::credit_card_number(r, a.str_opt(0)?)?),
        "credit_card_provider" => s(credit_card::credit_card_provider(r, a.str_opt(0)?)?),
        "credit_card_security_code" => s(credit_card::credit_card_security_code(r, a.str_opt(0)?)?),
        "credit_card_expire" => s(dt::credit_card_expire(
            r,
            a.str_or(0, "now")?,
            a.str_or(1, "+10y")?,
            a.str_or(2, "%m/%y")?,
        )?),
        // --- file
        "file_extension" => s(file::file_extension(r, a.str_opt(0)?)?),
        "file_name" => s(file::file_name(r, a.str_opt(0)?, a.str_opt(1)?)?),
        "file_path" => s(file::file_path(
            r,
            a.int_or(0, 1)?,
            a.str_opt(1)?,
            a.str_opt(2)?,
        )?),
        "mime_type" => s(file::mime_type(r, a.str_opt(0)?)?),
        "unix_device" => s(file::unix_device(r, a.str_opt(0)?)),
        "unix_partition" => s(file::unix_partition(r, a.str_opt(0)?)),
        // --- user agent
        "user_agent" => s(user_agent::user_agent(r)),
        "chrome" => s(user_agent::chrome(r)),
        "firefox" => s(user_agent::firefox(r)),
        "safari" => s(user_agent::safari(r)),
        "opera" => s(user_agent::opera(r)),
        "internet_explorer" => s(user_agent::internet_explorer(r)),
        "windows_platform_token" => s(user_agent::windows_platform_token(r)),
        "linux_platform_token" => s(user_agent::linux_platform_token(r)),
        "mac_platform_token" => s(user_agent::mac_platform_token(r)),
        "android_platform_token" => s(user_agent::android_platform_token(r)),
        "ios_platform_token" => s(user_agent::ios_platform_token(r)),
        "linux_processor" => s(user_agent::linux_processor(r)),
        "mac_processor" => s(user_agent::mac_processor(r)),
        // --- currency / bank / geo
        "currency" => finance::currency(r),
        "currency_code" => s(finance::currency_code(r)),
        "currency_name" => s(finance::currency_name(r)),
        "currency_symbol" => s(finance::currency_symbol(r)),
        "cryptocurrency" => finance::cryptocurrency(r),
        "cryptocurrency_code" => s(finance::cryptocurrency_code(r)),
        "cryptocurrency_name" => s(finance::cryptocurrency_name(r)),
        "pricetag" => s(finance::pricetag(r)),
        "bank_country" => s(finance::bank_country()),
        "bban" => s(finance::bban(r)),
        "iban" => s(finance::iban(r)),
        "swift" => s(finance::swift(r, None)),
        "swift8" => s(finance::swift(r, Some(8))),
        "swift11" => s(finance::swift(r, Some(11))),
        "latitude" => Value::Float(finance::latitude(r)),
        "longitude" => Value::Float(finance::longitude(r)),
        "coordinate" => Value::Float(finance::coordinate(r)),
        "latlng" => finance::latlng(r),
        other => return Err(format!("'Generator' object has no attribute '{other}'")),
    })
}

fn one_of(r: &mut Rng, text: &str) -> String {
    base::pick_char(r, text)
        .map(String::from)
        .unwrap_or_default()
}

fn one_of_checked(r: &mut Rng, text: &str) -> Result<String, String> {
    base::pick_char(r, text)
        .map(String::from)
        .ok_or_else(|| "Cannot choose from an empty sequence".to_string())
}

/// `random_digit_or_empty` / `random_digit_not_null_or_empty`: an int or `''`.
fn maybe_digit(r: &mut Rng, lo: i64) -> Value {
    if r.random_bool(0.5) {
        Value::Int(r.random_range(lo..=9))
    } else {
        Value::Str(String::new())
    }
}

#[cfg(test)]
mod tests;
