//! User-agent provider (Faker's templates and platform tokens).

use rand::RngExt;

use super::base::{LOWER, Rng, UPPER, lexify, numerify, pick};
use super::data::LANGUAGE_LOCALES;

const WINDOWS: &[&str] = &[
    "Windows 95",
    "Windows 98",
    "Windows 98; Win 9x 4.90",
    "Windows CE",
    "Windows NT 4.0",
    "Windows NT 5.0",
    "Windows NT 5.01",
    "Windows NT 5.1",
    "Windows NT 5.2",
    "Windows NT 6.0",
    "Windows NT 6.1",
    "Windows NT 6.2",
];
const LINUX_PROCESSORS: &[&str] = &["i686", "x86_64"];
const MAC_PROCESSORS: &[&str] = &["Intel", "PPC", "U; Intel", "U; PPC"];
const ANDROID: &[&str] = &[
    "1.0", "1.1", "1.5", "1.6", "2.0", "2.0.1", "2.1", "2.2", "2.2.1", "2.2.2", "2.2.3", "2.3",
    "2.3.1", "2.3.2", "2.3.3", "2.3.4", "2.3.5", "2.3.6", "2.3.7", "3.0", "3.1", "3.2", "3.2.1",
    "3.2.2", "3.2.3", "3.2.4", "3.2.5", "3.2.6", "4.0", "4.0.1", "4.0.2", "4.0.3", "4.0.4", "4.1",
    "4.1.1", "4.1.2", "4.2", "4.2.1", "4.2.2", "4.3", "4.3.1", "4.4", "4.4.1", "4.4.2", "4.4.3",
    "4.4.4", "5.0", "5.0.1", "5.0.2", "5.1", "5.1.1", "6.0", "6.0.1", "7.0", "7.1", "7.1.1",
    "7.1.2", "8.0.0", "8.1.0", "9",
];
const IOS: &[&str] = &[
    "3.1.3", "4.2.1", "5.1.1", "6.1.6", "7.1.2", "9.3.5", "9.3.6", "10.3.3", "10.3.4", "12.4",
];

pub fn windows_platform_token(r: &mut Rng) -> String {
    pick(r, WINDOWS).to_string()
}

pub fn linux_processor(r: &mut Rng) -> String {
    pick(r, LINUX_PROCESSORS).to_string()
}

pub fn mac_processor(r: &mut Rng) -> String {
    pick(r, MAC_PROCESSORS).to_string()
}

pub fn linux_platform_token(r: &mut Rng) -> String {
    format!("X11; Linux {}", linux_processor(r))
}

pub fn mac_platform_token(r: &mut Rng) -> String {
    format!(
        "Macintosh; {} Mac OS X 10 {}_{}",
        mac_processor(r),
        r.random_range(5..=12),
        r.random_range(0..=9)
    )
}

pub fn android_platform_token(r: &mut Rng) -> String {
    format!("Android {}", pick(r, ANDROID))
}

pub fn ios_platform_token(r: &mut Rng) -> String {
    let device = pick(r, &["iPhone", "iPad"]);
    format!(
        "{device}; CPU {device} OS {} like Mac OS X",
        pick(r, IOS).replace('.', "_")
    )
}

/// `locale()`: `<language>_<COUNTRY>`.
pub fn locale(r: &mut Rng) -> String {
    let (lang, countries) = LANGUAGE_LOCALES[r.random_range(0..LANGUAGE_LOCALES.len())];
    let cs: Vec<&str> = countries.split(' ').collect();
    format!("{lang}_{}", pick(r, &cs))
}

pub fn language_code(r: &mut Rng) -> String {
    LANGUAGE_LOCALES[r.random_range(0..LANGUAGE_LOCALES.len())]
        .0
        .to_string()
}

fn build(r: &mut Rng, pattern: &str, letters: &str) -> String {
    let n = numerify(r, pattern);
    lexify(r, &n, letters).unwrap_or(n)
}

pub fn chrome(r: &mut Rng) -> String {
    let saf = format!("{}.{}", r.random_range(531..=536), r.random_range(0..=2));
    let ver = r.random_range(13..=63);
    let b = r.random_range(800..=899);
    let platform = match r.random_range(0..5) {
        0 => linux_platform_token(r),
        1 => windows_platform_token(r),
        2 => mac_platform_token(r),
        3 => format!("Linux; {}", android_platform_token(r)),
        _ => {
            let bld = build(r, "##?###", UPPER);
            return format!(
                "Mozilla/5.0 ({}) AppleWebKit/{saf} (KHTML, like Gecko) CriOS/{ver}.0.{b}.0 Mobile/{bld} Safari/{saf}",
                ios_platform_token(r)
            );
        }
    };
    format!(
        "Mozilla/5.0 ({platform}) AppleWebKit/{saf} (KHTML, like Gecko) Chrome/{ver}.0.{b}.0 Safari/{saf}"
    )
}

fn gecko(r: &mut Rng) -> String {
    let stamp = super::date_time::date_time_between(r, "-10y", "now").unwrap_or_default();
    match r.random_range(0..3) {
        0 => format!("Gecko/{stamp} Firefox/{}.0", r.random_range(4..=15)),
        1 => format!("Gecko/{stamp} Firefox/3.6.{}", r.random_range(1..=20)),
        _ => format!("Gecko/{stamp} Firefox/3.8"),
    }
}

pub fn firefox(r: &mut Rng) -> String {
    let platform = match r.random_range(0..5) {
        0 => format!(
            "({}; {}; rv:1.9.{}.20) {}",
            windows_platform_token(r),
            locale(r).replace('_', "-"),
            r.random_range(0..=2),
            gecko(r)
        ),
        1 => format!(
            "({}; rv:1.9.{}.20) {}",
            linux_platform_token(r),
            r.random_range(5..=7),
            gecko(r)
        ),
        2 => format!(
            "({}; rv:1.9.{}.20) {}",
            mac_platform_token(r),
            r.random_range(2..=6),
            gecko(r)
        ),
        3 => {
            let v = r.random_range(5..=68);
            format!(
                "({}; Mobile; rv:{v}.0) Gecko/{v}.0 Firefox/{v}.0",
                android_platform_token(r)
            )
        }
        _ => {
            let saf = format!("{}.{}", r.random_range(531..=536), r.random_range(0..=2));
            let bld = build(r, "##?###", UPPER);
            let bld2 = build(r, "#?####", LOWER);
            format!(
                "({}) AppleWebKit/{saf} (KHTML, like Gecko) FxiOS/{}.{bld2}.0 Mobile/{bld} Safari/{saf}",
                ios_platform_token(r),
                r.random_range(9..=18)
            )
        }
    };
    format!("Mozilla/5.0 {platform}")
}

pub fn safari(r: &mut Rng) -> String {
    let saf = format!(
        "{}.{}.{}",
        r.random_range(531..=535),
        r.random_range(1..=50),
        r.random_range(1..=7)
    );
    let ver = if r.random_bool(0.5) {
        format!("{}.{}", r.random_range(4..=5), r.random_range(0..=1))
    } else {
        format!("{}.0.{}", r.random_range(4..=5), r.random_range(1..=5))
    };
    let loc = locale(r).replace('_', "-");
    let platform = match r.random_range(0..3) {
        0 => format!(
            "(Windows; U; {}) AppleWebKit/{saf} (KHTML, like Gecko) Version/{ver} Safari/{saf}",
            windows_platform_token(r)
        ),
        1 => format!(
            "({} rv:{}.0; {loc}) AppleWebKit/{saf} (KHTML, like Gecko) Version/{ver} Safari/{saf}",
            mac_platform_token(r),
            r.random_range(2..=6)
        ),
        _ => format!(
            "(iPod; U; CPU iPhone OS {}_{} like Mac OS X; {loc}) AppleWebKit/{saf} (KHTML, like Gecko) Version/{}.0.5 Mobile/8B{} Safari/6{saf}",
            r.random_range(3..=4),
            r.random_range(0..=3),
            r.random_range(3..=4),
            r.random_range(111..=119)
        ),
    };
    format!("Mozilla/5.0 {platform}")
}

pub fn opera(r: &mut Rng) -> String {
    let token = if r.random_bool(0.5) {
        linux_platform_token(r)
    } else {
        windows_platform_token(r)
    };
    let loc = locale(r).replace('_', "-");
    format!(
        "Opera/{}.{}.({token}; {loc}) Presto/2.9.{} Version/{}.00",
        r.random_range(8..=9),
        r.random_range(10..=99),
        r.random_range(160..=190),
        r.random_range(10..=12)
    )
}

pub fn internet_explorer(r: &mut Rng) -> String {
    format!(
        "Mozilla/5.0 (compatible; MSIE {}.0; {}; Trident/{}.{})",
        r.random_range(5..=9),
        windows_platform_token(r),
        r.random_range(3..=5),
        r.random_range(0..=1)
    )
}

pub fn user_agent(r: &mut Rng) -> String {
    match r.random_range(0..5) {
        0 => chrome(r),
        1 => firefox(r),
        2 => internet_explorer(r),
        3 => opera(r),
        _ => safari(r),
    }
}
