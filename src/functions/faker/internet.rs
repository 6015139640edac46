//! Internet provider: zh_CN user and domain names from romanized Chinese names, Faker's
//! URL/URI formats, and IPv4/IPv6 generation with Faker's network classes and exclusions.

use std::net::{Ipv4Addr, Ipv6Addr};

use rand::RngExt;

use super::base::{ASCII_LETTERS, Rng, bothify, numerify, pick, random_int};
use super::person::{first_romanized_name, last_romanized_name};

const SAFE_DOMAIN_NAMES: &[&str] = &["example.org", "example.com", "example.net"];
const FREE_EMAIL_DOMAINS: &[&str] = &["gmail.com", "yahoo.com", "hotmail.com"];
const HOSTNAME_PREFIXES: &[&str] = &["db", "srv", "desktop", "laptop", "lt", "email", "web"];
const URI_PAGES: &[&str] = &[
    "index", "home", "search", "main", "post", "homepage", "category", "register", "login", "faq",
    "about", "terms", "privacy", "author",
];
const URI_PATHS: &[&str] = &[
    "app",
    "main",
    "wp-content",
    "search",
    "category",
    "tag",
    "categories",
    "tags",
    "blog",
    "posts",
    "list",
    "explore",
];
const URI_EXTENSIONS: &[&str] = &[
    ".html", ".html", ".html", ".htm", ".htm", ".php", ".php", ".jsp", ".asp",
];
const HTTP_METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
];
const IMAGE_SERVICES: &[&str] = &[
    "https://www.lorempixel.com/{width}/{height}",
    "https://dummyimage.com/{width}x{height}",
    "https://placekitten.com/{width}/{height}",
    "https://placeimg.com/{width}/{height}/any",
];
const SECOND_LEVEL_DOMAINS: &[&str] = &[
    "ac", "com", "edu", "gov", "mil", "net", "org", "ah", "bj", "cq", "fj", "gd", "gs", "gz", "gx",
    "ha", "hb", "he", "hi", "hk", "hl", "hn", "jl", "js", "jx", "ln", "mo", "nm", "nx", "qh", "sc",
    "sd", "sh", "sn", "sx", "tj", "xj", "xz", "yn", "zj",
];

/// Faker's `slugify` (ASCII): drop non-ASCII, keep `\w`, spaces and `-`, lower-case,
/// collapse runs of spaces/dashes into one `-`.
pub fn slugify(value: &str) -> String {
    let kept: String = value
        .chars()
        .filter(|c| {
            c.is_ascii()
                && (c.is_ascii_alphanumeric() || matches!(c, '_' | '-') || c.is_ascii_whitespace())
        })
        .collect();
    let lower = kept.trim().to_lowercase();
    let mut out = String::new();
    let mut in_sep = false;
    for c in lower.chars() {
        if c == '-' || c.is_ascii_whitespace() {
            if !in_sep {
                out.push('-');
            }
            in_sep = true;
        } else {
            out.push(c);
            in_sep = false;
        }
    }
    out
}

pub fn user_name(r: &mut Rng) -> String {
    let raw = match r.random_range(0..4) {
        0 => format!("{}.{}", last_romanized_name(r), first_romanized_name(r)),
        1 => format!("{}.{}", first_romanized_name(r), last_romanized_name(r)),
        2 => format!("{}##", first_romanized_name(r)),
        _ => format!("?{}", last_romanized_name(r)),
    };
    let filled = bothify(r, &raw, ASCII_LETTERS).unwrap_or(raw);
    slugify(&filled.to_lowercase())
}

/// zh_CN `tld()`: cn 80 %, net 10 %, com 5 %, org 5 %.
pub fn tld(r: &mut Rng) -> String {
    let x: f64 = r.random();
    if x < 0.8 {
        "cn"
    } else if x < 0.9 {
        "net"
    } else if x < 0.95 {
        "com"
    } else {
        "org"
    }
    .to_string()
}

/// zh_CN `domain_word()`.
pub fn domain_word(r: &mut Rng) -> String {
    let raw = match r.random_range(0..7) {
        0 => numerify(r, "##"),
        1 => bothify(r, "??", ASCII_LETTERS).unwrap_or_default(),
        2 => first_romanized_name(r),
        3 => last_romanized_name(r),
        4 => first_romanized_name(r) + last_romanized_name(r).as_str(),
        5 => last_romanized_name(r) + last_romanized_name(r).as_str(),
        _ => first_romanized_name(r) + first_romanized_name(r).as_str(),
    };
    slugify(&raw)
}

/// zh_CN `domain_name(levels=1)`.
pub fn domain_name(r: &mut Rng, levels: i64) -> Result<String, String> {
    if levels < 1 {
        return Err("levels must be greater than or equal to 1".to_string());
    }
    if levels > 100 {
        return Err("levels is too large".to_string());
    }
    Ok(match levels {
        1 => {
            let mut w = domain_word(r);
            while SECOND_LEVEL_DOMAINS.contains(&w.as_str()) {
                w = domain_word(r);
            }
            format!("{w}.{}", tld(r))
        }
        2 => {
            let t = tld(r);
            let second = if t == "cn" {
                pick(r, SECOND_LEVEL_DOMAINS).to_string()
            } else {
                domain_word(r)
            };
            format!("{}.{second}.{t}", domain_word(r))
        }
        _ => format!("{}.{}", domain_word(r), domain_name(r, levels - 1)?),
    })
}

/// `hostname(levels=1)`.
pub fn hostname(r: &mut Rng, levels: i64) -> Result<String, String> {
    let head = format!("{}-{}", pick(r, HOSTNAME_PREFIXES), numerify(r, "##"));
    if levels < 1 {
        return Ok(head);
    }
    Ok(format!("{head}.{}", domain_name(r, levels)?).to_lowercase())
}

pub fn free_email_domain(r: &mut Rng) -> String {
    pick(r, FREE_EMAIL_DOMAINS).to_string()
}

pub fn safe_domain_name(r: &mut Rng) -> String {
    pick(r, SAFE_DOMAIN_NAMES).to_string()
}

/// `email(domain=None)`; an empty domain counts as none (Python: falsy).
pub fn email(r: &mut Rng, domain: Option<&str>) -> Result<String, String> {
    let user = user_name(r);
    let out = match domain {
        Some(d) if !d.is_empty() => format!("{user}@{d}"),
        _ => {
            let host = if r.random_bool(0.5) {
                domain_name(r, 1)?
            } else {
                free_email_domain(r)
            };
            format!("{user}@{host}").replace(' ', "")
        }
    };
    Ok(out.to_lowercase())
}

pub fn safe_email(r: &mut Rng) -> String {
    format!("{}@{}", user_name(r), safe_domain_name(r))
}

pub fn free_email(r: &mut Rng) -> String {
    format!("{}@{}", user_name(r), free_email_domain(r))
}

pub fn company_email(r: &mut Rng) -> Result<String, String> {
    Ok(format!("{}@{}", user_name(r), domain_name(r, 1)?))
}

pub fn url(r: &mut Rng) -> Result<String, String> {
    let scheme = if r.random_bool(0.5) { "http" } else { "https" };
    let www = if r.random_bool(0.5) { "www." } else { "" };
    Ok(format!("{scheme}://{www}{}/", domain_name(r, 1)?))
}

pub fn uri_page(r: &mut Rng) -> String {
    pick(r, URI_PAGES).to_string()
}

pub fn uri_extension(r: &mut Rng) -> String {
    pick(r, URI_EXTENSIONS).to_string()
}

/// `uri_path(deep=None)`: 1–3 segments when `deep` is missing or 0.
pub fn uri_path(r: &mut Rng, deep: Option<i64>) -> Result<String, String> {
    let deep = match deep {
        Some(d) if d != 0 => d,
        _ => r.random_range(1..=3),
    };
    if deep > 100_000 {
        return Err("deep is too large".to_string());
    }
    Ok((0..deep.max(0))
        .map(|_| pick(r, URI_PATHS))
        .collect::<Vec<_>>()
        .join("/"))
}

pub fn uri(r: &mut Rng) -> Result<String, String> {
    let base = url(r)?;
    Ok(match r.random_range(0..5) {
        0 => base,
        1 => format!("{base}{}/", uri_page(r)),
        2 => format!("{base}{}{}", uri_page(r), uri_extension(r)),
        3 => format!("{base}{}/{}/", uri_path(r, None)?, uri_page(r)),
        _ => format!(
            "{base}{}/{}{}",
            uri_path(r, None)?,
            uri_page(r),
            uri_extension(r)
        ),
    })
}

/// `image_url(width=None, height=None)`; 0 counts as missing (Python `or`).
pub fn image_url(r: &mut Rng, width: Option<i64>, height: Option<i64>) -> String {
    let w = width
        .filter(|w| *w != 0)
        .unwrap_or_else(|| r.random_range(0..=1024));
    let h = height
        .filter(|h| *h != 0)
        .unwrap_or_else(|| r.random_range(0..=1024));
    pick(r, IMAGE_SERVICES)
        .replace("{width}", &w.to_string())
        .replace("{height}", &h.to_string())
}

pub fn http_method(r: &mut Rng) -> String {
    pick(r, HTTP_METHODS).to_string()
}

pub fn mac_address(r: &mut Rng) -> String {
    (0..6)
        .map(|_| format!("{:02x}", r.random_range(0..=255u8)))
        .collect::<Vec<_>>()
        .join(":")
}

pub fn port_number(r: &mut Rng) -> i64 {
    r.random_range(0..=65535)
}

pub fn ipv4_network_class(r: &mut Rng) -> String {
    super::base::pick_char(r, "abc").unwrap_or('a').to_string()
}

/// `dga()` with random year/month/day/length (Faker's algorithm).
pub fn dga(r: &mut Rng) -> Result<String, String> {
    let mut y = random_int(r, 1, 9999, 1)? as u128;
    let mut m = random_int(r, 1, 12, 1)? as u128;
    let mut d = random_int(r, 1, 30, 1)? as u128;
    let t = tld(r);
    let length = random_int(r, 2, 63, 1)?;
    let mut domain = String::new();
    // Python ints are unbounded; the intermediate values stay within u128 here.
    for _ in 0..length {
        y = ((y ^ (8 * y)) >> 11) ^ ((y & 0xFFFF_FFF0) << 17);
        m = ((m ^ (4 * m)) >> 25) ^ (16 * (m & 0xFFFF_FFF8));
        d = ((d ^ (d << 13)) >> 19) ^ ((d & 0xFFFF_FFFE) << 12);
        domain.push(char::from(b'a' + ((y ^ m ^ d) % 25) as u8));
    }
    Ok(format!("{domain}.{t}"))
}

/// `slug(value=None)`: a slug of `value`, or of 20 characters of Chinese text (which
/// slugifies to the empty string, as in Faker's zh_CN).
pub fn slug(value: Option<&str>) -> String {
    value.map(slugify).unwrap_or_default()
}

// ---- IPv4 / IPv6 ----------------------------------------------------------------------

type Net = (u32, u8);

const CLASS_A: Net = (0x0000_0000, 1);
const CLASS_B: Net = (0x8000_0000, 2);
const CLASS_C: Net = (0xC000_0000, 3);
const PRIVATE: [Net; 3] = [(0x0A00_0000, 8), (0xAC10_0000, 12), (0xC0A8_0000, 16)];
const EXCLUDED: [Net; 16] = [
    (0x0000_0000, 8),
    (0x6440_0000, 10),
    (0x7F00_0000, 8),
    (0xA9FE_0000, 16),
    (0xC000_0000, 24),
    (0xC000_0200, 24),
    (0xC01F_C400, 24),
    (0xC034_C100, 24),
    (0xC058_6300, 24),
    (0xC0AF_3000, 24),
    (0xC612_0000, 15),
    (0xC633_6400, 24),
    (0xCB00_7100, 24),
    (0xE000_0000, 4),
    (0xF000_0000, 4),
    (0xFFFF_FFFF, 32),
];

fn mask(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix))
    }
}

fn contains(net: Net, addr: u32) -> bool {
    addr & mask(net.1) == net.0
}

fn overlaps(a: Net, b: Net) -> bool {
    let p = a.1.min(b.1);
    a.0 & mask(p) == b.0 & mask(p)
}

fn class_net(class: &str) -> Option<Net> {
    match class {
        "a" => Some(CLASS_A),
        "b" => Some(CLASS_B),
        "c" => Some(CLASS_C),
        _ => None,
    }
}

/// A uniformly random address of `base` outside `excluded`, optionally as a network with a
/// random prefix no shorter than the excluded-free block around the address (this is the
/// block Faker's subnet list would contain).
fn random_in(r: &mut Rng, base: Net, excluded: &[Net], network: bool) -> String {
    let addr = loop {
        let host: u32 = r.random();
        let a = base.0 | (host & !mask(base.1));
        if !excluded.iter().any(|n| contains(*n, a)) {
            break a;
        }
    };
    if !network {
        return Ipv4Addr::from(addr).to_string();
    }
    let mut block = base.1;
    while block < 32
        && excluded
            .iter()
            .any(|n| overlaps((addr & mask(block), block), *n))
    {
        block += 1;
    }
    let prefix = r.random_range(block..=32);
    format!("{}/{prefix}", Ipv4Addr::from(addr & mask(prefix)))
}

/// `ipv4(network=False, address_class=None, private=None)`.
pub fn ipv4(r: &mut Rng, network: bool, class: Option<&str>, private: Option<bool>) -> String {
    match private {
        Some(true) => ipv4_private(r, network, class),
        Some(false) => ipv4_public(r, network, class),
        None => {
            let base = class.and_then(class_net).unwrap_or((0, 0));
            random_in(r, base, &EXCLUDED, network)
        }
    }
}

fn class_or_random(r: &mut Rng, class: Option<&str>) -> Net {
    match class.and_then(class_net) {
        Some(n) => n,
        None => [CLASS_A, CLASS_B, CLASS_C][r.random_range(0..3)],
    }
}

pub fn ipv4_private(r: &mut Rng, network: bool, class: Option<&str>) -> String {
    let supernet = class_or_random(r, class);
    let private = PRIVATE
        .iter()
        .copied()
        .find(|n| overlaps(*n, supernet))
        .unwrap_or(PRIVATE[0]);
    random_in(r, private, &EXCLUDED, network)
}

pub fn ipv4_public(r: &mut Rng, network: bool, class: Option<&str>) -> String {
    let supernet = class_or_random(r, class);
    let excluded: Vec<Net> = PRIVATE.iter().chain(EXCLUDED.iter()).copied().collect();
    random_in(r, supernet, &excluded, network)
}

/// `ipv6(network=False)`: an address above the IPv4 range, compressed like Python.
pub fn ipv6(r: &mut Rng, network: bool) -> String {
    let addr: u128 = r.random_range((1u128 << 32)..=u128::MAX);
    if !network {
        return Ipv6Addr::from(addr).to_string();
    }
    let prefix: u32 = r.random_range(0..=128);
    let m = if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - prefix)
    };
    format!("{}/{prefix}", Ipv6Addr::from(addr & m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_classes_and_exclusions() {
        let r = &mut rand::rng();
        for _ in 0..300 {
            let a: Ipv4Addr = ipv4_private(r, false, None).parse().unwrap();
            assert!(a.is_private(), "{a}");
            let a: Ipv4Addr = ipv4_public(r, false, None).parse().unwrap();
            assert!(
                !a.is_private() && !a.is_loopback() && !a.is_multicast(),
                "{a}"
            );
            let a: Ipv4Addr = ipv4(r, false, Some("a"), None).parse().unwrap();
            assert!(a.octets()[0] < 128 && a.octets()[0] != 0 && a.octets()[0] != 127);
            let a: Ipv4Addr = ipv4_private(r, false, Some("c")).parse().unwrap();
            assert_eq!(&a.octets()[..2], &[192, 168]);
            let n = ipv4(r, true, None, None);
            let (addr, p) = n.split_once('/').unwrap();
            let addr: Ipv4Addr = addr.parse().unwrap();
            let p: u8 = p.parse().unwrap();
            assert_eq!(u32::from(addr) & !mask(p), 0, "{n}");
            let v6: Ipv6Addr = ipv6(r, false).parse().unwrap();
            assert!(u128::from(v6) >= 1 << 32);
            assert!(ipv6(r, true).contains('/'));
        }
    }

    #[test]
    fn names_and_urls() {
        let r = &mut rand::rng();
        for _ in 0..200 {
            let u = user_name(r);
            assert!(
                !u.is_empty()
                    && u.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
                "{u}"
            );
            let d = domain_name(r, 1).unwrap();
            assert!(
                d.ends_with(".cn")
                    || d.ends_with(".net")
                    || d.ends_with(".com")
                    || d.ends_with(".org"),
                "{d}"
            );
            assert_eq!(domain_name(r, 3).unwrap().matches('.').count(), 3);
            let e = email(r, None).unwrap();
            assert_eq!(e.matches('@').count(), 1);
            assert!(email(r, Some("x.com")).unwrap().ends_with("@x.com"));
            let u = url(r).unwrap();
            assert!(u.starts_with("http") && u.ends_with('/'));
            assert!(uri(r).unwrap().contains("://"));
            assert!(hostname(r, 0).unwrap().contains('-'));
            let p = uri_path(r, Some(2)).unwrap();
            assert_eq!(p.matches('/').count(), 1);
        }
        assert!(domain_name(r, 0).is_err());
        assert_eq!(slugify("Hello, World -- 中文!"), "hello-world-");
        assert!(dga(r).unwrap().contains('.'));
    }
}
