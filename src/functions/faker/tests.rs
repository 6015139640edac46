//! Faker families produce well-formed zh_CN data; every Faker 6.0.0 name is accounted for.

use super::*;

/// `dir(Faker('zh_cn'))` of Faker 6.0.0 without private names (258).
const FAKER_NAMES: &[&str] = &[
    "add_provider",
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
    "cache_pattern",
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
    "del_arguments",
    "dga",
    "district",
    "domain_name",
    "domain_word",
    "dsv",
    "ean",
    "ean13",
    "ean8",
    "email",
    "factories",
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
    "generator_attrs",
    "get_arguments",
    "get_formatter",
    "get_providers",
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
    "items",
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
    "locales",
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
    "parse",
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
    "provider",
    "providers",
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
    "random",
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
    "seed",
    "seed_instance",
    "seed_locale",
    "sentence",
    "sentences",
    "set_arguments",
    "set_formatter",
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
    "unique",
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
    "weights",
    "windows_platform_token",
    "word",
    "words",
    "year",
    "zip",
];

fn ok(name: &str) -> Value {
    call(name, vec![]).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn text(name: &str) -> String {
    match ok(name) {
        Value::Str(s) => s,
        v => panic!("{name}: {v:?}"),
    }
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

#[test]
fn every_faker_name_is_supported_or_fails_clearly() {
    assert_eq!(FAKER_NAMES.len(), 258);
    for name in FAKER_NAMES {
        assert!(exists(name), "{name} not accounted for");
        if is_supported(name) {
            if *name == "format" {
                assert!(call(name, vec![Value::Str("name".into())]).is_ok());
                continue;
            }
            assert!(
                call(name, vec![]).is_ok(),
                "{name}: {:?}",
                call(name, vec![])
            );
        } else {
            let err = call(name, vec![]).unwrap_err();
            assert!(
                err.contains("不受支持") && err.contains(name),
                "{name}: {err}"
            );
        }
    }
    for name in SUPPORTED {
        assert!(FAKER_NAMES.contains(name), "{name} is not a Faker name");
    }
    let supported = FAKER_NAMES.iter().filter(|n| is_supported(n)).count();
    assert_eq!(supported + UNSUPPORTED.len() + INTERNAL.len(), 258);
    assert!(
        call("no_such_method", vec![])
            .unwrap_err()
            .contains("no attribute")
    );
}

#[test]
fn phone_numbers_are_chinese_mobiles() {
    for _ in 0..500 {
        let p = text("phone_number");
        assert_eq!(p.len(), 11, "{p}");
        assert!(p.bytes().all(|b| b.is_ascii_digit()));
        assert!(MOBILE_PREFIXES.contains(&&p[..3]), "{p}");
    }
    let Value::Int(prefix) = ok("phonenumber_prefix") else {
        panic!()
    };
    assert!(MOBILE_PREFIXES.contains(&prefix.to_string().as_str()));
    assert_eq!(text("msisdn").len(), 13);
}

#[test]
fn id_cards_have_region_date_and_check_digit() {
    for _ in 0..300 {
        let id = text("ssn");
        assert_eq!(id.len(), 18);
        assert!(is_area_code(&id[..6]), "{id}");
        assert!(
            chrono::NaiveDate::parse_from_str(&id[6..14], "%Y%m%d").is_ok(),
            "{id}"
        );
        assert_eq!(id_card_check_char(&id[..17]), id.chars().last(), "{id}");
    }
}

#[test]
fn person_names_are_chinese() {
    for _ in 0..300 {
        for f in ["name", "name_male", "name_female", "name_nonbinary"] {
            let n = text(f);
            let len = n.chars().count();
            assert!((2..=4).contains(&len) && n.chars().all(is_cjk), "{f}: {n}");
        }
        for f in [
            "first_name",
            "last_name",
            "first_name_male",
            "first_name_female",
        ] {
            let n = text(f);
            assert!(!n.is_empty() && n.chars().all(is_cjk), "{f}: {n}");
        }
        let r = text("romanized_name");
        assert!(r.split(' ').count() == 2 && r.is_ascii(), "{r}");
    }
    assert_eq!(text("prefix"), "");
    assert_eq!(text("suffix_male"), "");
}

#[test]
fn addresses_and_companies_are_chinese() {
    for _ in 0..200 {
        let a = text("address");
        let (head, post) = a.rsplit_once(' ').unwrap();
        assert!(data::PROVINCES.iter().any(|p| head.starts_with(p)), "{a}");
        assert!(head.contains('区') && head.ends_with('座'), "{a}");
        assert!(
            post.len() == 6 && post.bytes().all(|b| b.is_ascii_digit()) && !post.starts_with('0')
        );
        assert!(text("city").ends_with(['市', '县']));
        assert!(text("street_name").ends_with(['街', '路']));
        let c = text("country");
        assert!(
            c.chars().all(|x| is_cjk(x) || x == '（' || x == '）'),
            "{c}"
        );
        assert!(text("company").ends_with("有限公司"));
        let job = text("job");
        assert!(!job.is_empty() && job.chars().all(is_cjk), "{job}");
        assert!(text("bs").is_ascii());
        assert!(text("catch_phrase").is_ascii());
    }
}

#[test]
fn lorem_is_chinese_text() {
    for _ in 0..100 {
        assert!(text("word").chars().all(is_cjk));
        let s = text("sentence");
        assert!(
            s.ends_with('.') && s.trim_end_matches('.').chars().all(is_cjk),
            "{s}"
        );
        let p = text("paragraph");
        assert!(p.ends_with('.') && !p.contains(' '));
        let t = text("text");
        assert!(t.chars().count() <= 200 && t.chars().all(|c| is_cjk(c) || c == '.' || c == '\n'));
        let Value::List(ws) = ok("words") else {
            panic!()
        };
        assert_eq!(ws.len(), 3);
    }
    let short = call("text", vec![Value::Int(10)]).unwrap();
    assert!(matches!(short, Value::Str(s) if s.ends_with('.') && s.chars().count() <= 11));
}

#[test]
fn internet_and_misc_formats() {
    for _ in 0..100 {
        let e = text("email");
        let (user, host) = e.split_once('@').unwrap();
        assert!(
            !user.is_empty() && host.contains('.') && e.is_ascii(),
            "{e}"
        );
        assert!(text("safe_email").contains("@example."));
        assert!(text("free_email").ends_with(".com"));
        let u = text("uuid4");
        assert!(uuid::Uuid::parse_str(&u).is_ok_and(|x| x.get_version_num() == 4));
        assert_eq!(text("md5").len(), 32);
        assert_eq!(text("sha1").len(), 40);
        assert_eq!(text("sha256").len(), 64);
        assert_eq!(text("mac_address").split(':').count(), 6);
        assert!(matches!(ok("boolean"), Value::Bool(_)));
        assert!(matches!(ok("pyint"), Value::Int(0..=9999)));
        assert!(matches!(ok("latlng"), Value::Tuple(t) if t.len() == 2));
        assert!(matches!(ok("currency"), Value::Tuple(t) if t.len() == 2));
        assert!(text("user_agent").contains('/'));
        assert!(text("iban").starts_with("GB"));
        assert!(chrono::NaiveDate::parse_from_str(&text("date_of_birth"), "%Y-%m-%d").is_ok());
        assert!(
            chrono::NaiveDateTime::parse_from_str(&text("date_time"), "%Y-%m-%d %H:%M:%S").is_ok()
        );
        let plate = text("license_plate");
        assert!(plate.len() >= 4 && !plate.contains(['#', '?']), "{plate}");
        assert!(text("locale").contains('_'));
    }
    assert_eq!(
        call("random_element", vec![Value::Str("x".into())]),
        Ok(Value::Str("x".into()))
    );
    assert!(call("random_element", vec![Value::Str(String::new())]).is_err());
    assert!(matches!(
        ok("random_digit_or_empty"),
        Value::Int(_) | Value::Str(_)
    ));
    assert!(
        call(
            "date_between",
            vec![Value::Str("-1y".into()), Value::Str("today".into())]
        )
        .is_ok()
    );
    assert!(matches!(ok("binary"), Value::Bytes(b) if b.len() == 1_048_576));
    assert!(call("format", vec![Value::Str("format".into())]).is_err());
    assert!(call("format", vec![]).is_err());
}
