//! Parsing a step's URL without parsing its host again. Steps of a suite call few hosts, and
//! most of `Url::parse` is the host (IDNA processing, even for an IP address): the origin
//! (`scheme://host:port`) of the last few URLs a thread parsed is kept, and a URL that starts
//! with one of them is read as a path relative to it, which the URL parser defines to give the
//! same URL as parsing it whole (a test compares both on awkward inputs).

use std::cell::RefCell;
use url::Url;

/// Origins remembered per thread; beyond it the oldest is replaced.
const ORIGINS: usize = 8;

thread_local! {
    static CACHE: RefCell<Vec<(String, Url)>> = const { RefCell::new(Vec::new()) };
}

/// Splits `text` into an origin and a path (with query and fragment) when the path can be
/// joined to the parsed origin safely: a plain `http`/`https` authority (no user info, no
/// escapes, no spaces or control characters) and a path that starts with one `/` (a second
/// `/` or a `\` would name another host).
fn split(text: &str) -> Option<(&str, &str)> {
    let rest = text
        .strip_prefix("http://")
        .or_else(|| text.strip_prefix("https://"))?;
    let end = rest.find('/')?;
    let origin_len = text.len() - rest.len() + end;
    let (origin, path) = text.split_at(origin_len);
    let authority = &rest[..end];
    if authority.is_empty()
        || authority
            .bytes()
            .any(|b| b <= b' ' || matches!(b, b'@' | b'\\' | b'%' | b'?' | b'#' | 0x7f))
    {
        return None;
    }
    match path.as_bytes().get(1) {
        Some(b'/' | b'\\') => None,
        _ => Some((origin, path)),
    }
}

/// `Url::parse(text)`, reusing the parsed origin of an earlier URL when it can.
pub fn parse(text: &str) -> Result<Url, url::ParseError> {
    let Some((origin, path)) = split(text) else {
        return Url::parse(text);
    };
    let cached = CACHE.with_borrow(|cache| {
        cache
            .iter()
            .find(|(o, _)| o == origin)
            .map(|(_, base)| base.join(path))
    });
    if let Some(joined) = cached {
        return joined;
    }
    let base = Url::parse(origin)?;
    let joined = base.join(path);
    CACHE.with_borrow_mut(|cache| {
        if cache.len() >= ORIGINS {
            cache.remove(0);
        }
        cache.push((origin.to_string(), base));
    });
    joined
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cached reading gives exactly what parsing the whole text gives, the second time
    /// (from the cache) as the first.
    #[test]
    fn joining_to_a_cached_origin_equals_parsing_the_whole_url() {
        let urls = [
            "http://127.0.0.1:8080/api/items/5",
            "http://127.0.0.1:8080/api/items/5?a=1&b=%20x#frag",
            "http://127.0.0.1:8080/a/../b/./c",
            "http://127.0.0.1:8080/a b/中文?q=中 文",
            "http://127.0.0.1:8080/%2e%2e/x",
            "http://127.0.0.1:8080/",
            "HTTP://Example.COM:80/Path",
            "http://example.com:80/path",
            "https://example.com:443/x",
            "https://例子.测试/路径",
            "http://xn--fsqu00a.xn--0zwm56d/x",
            "http://[::1]:9000/v6",
            "http://0x7f.1/hex-ipv4",
            "http://127.1:8080/short",
            "http://example.com//other-host/x",
            "http://example.com/\\other-host",
            "http://user:pw@example.com/x",
            "http://exa mple.com/x",
            "http://example.com:99999/x",
            "http://example.com:/x",
            "http:///x",
            "http://example.com/\tx\ny",
            "http://example.com/a?b#c?d",
            "https://example.com/%zz",
            "ftp://example.com/x",
            "not a url",
            "",
        ];
        for text in urls {
            let whole = Url::parse(text);
            for attempt in 0..2 {
                assert_eq!(
                    parse(text).map(String::from),
                    whole.clone().map(String::from),
                    "{text:?} (attempt {attempt})"
                );
            }
        }
    }

    #[test]
    fn the_cache_stays_bounded() {
        for port in 0..100 {
            let text = format!("http://127.0.0.1:{}/x", 1000 + port);
            assert_eq!(parse(&text).map(String::from), Ok(text.clone()));
        }
        CACHE.with_borrow(|c| assert!(c.len() <= ORIGINS));
    }
}
