//! How one request of a step reaches the wire and its answer comes back.
//!
//! Plain-HTTP requests without a proxy, multipart body, credentials in the URL or headers of
//! their own about framing and the connection (what test environments send most) are written
//! and read by the step itself on a pooled connection ([`super::h1`]). Everything else (TLS,
//! proxies, multipart forms, `user:password@` URLs) goes through reqwest, which owns those
//! features, on the same HTTP/1.1 wire. reqwest's own layers (its redirect policy parses every
//! request's URL twice, and its response wrapper once more) were about a sixth of a step's
//! CPU, and hyper's connection task another twelfth. Redirects, cookies, the deadline and
//! decompression stay in the caller, once for both.

use super::body::WireBody;
use super::direct::{Checkout, DirectPool, Origin};
use super::h1::{self, BodyError, Framing, H1Error};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

/// Proxies from the environment, which reqwest (like Python requests) applies to plain HTTP
/// too: with any of them set, every request goes through reqwest, which also honours
/// `NO_PROXY`.
const PROXY_VARIABLES: [&str; 4] = ["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"];

/// Whether the environment names a proxy for plain HTTP.
pub fn environment_proxy() -> Option<&'static str> {
    PROXY_VARIABLES
        .into_iter()
        .find(|v| std::env::var_os(v).is_some_and(|value| !value.is_empty()))
}

/// Whether a request can go through [`DirectPool`]'s connections.
pub fn direct_allowed(
    method: &Method,
    url: &url::Url,
    headers: &HeaderMap,
    body: &WireBody,
    proxy: Option<&str>,
) -> bool {
    url.scheme() == "http"
        && method != Method::CONNECT
        && proxy.is_none()
        && url.username().is_empty()
        && url.password().is_none()
        && !matches!(body, WireBody::Multipart(_))
        && !h1::controls_framing(headers)
}

/// A response whose body has not been read yet.
pub struct Answer {
    pub status: StatusCode,
    pub headers: AnswerHeaders,
    body: AnswerBody,
}

/// An answer's headers: the lines as read from a kept connection, or reqwest's map.
pub enum AnswerHeaders {
    Wire(h1::WireHeaders),
    Map(HeaderMap),
}

impl AnswerHeaders {
    /// Each header's name and value: the lines in order, or the map's entries (a name's
    /// values together, at its first place). Names are as written, or lower case.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        let (wire, map) = match self {
            AnswerHeaders::Wire(w) => (Some(w.iter()), None),
            AnswerHeaders::Map(m) => (None, Some(m.iter())),
        };
        let map = map
            .into_iter()
            .flatten()
            .map(|(n, v)| (n.as_str(), v.as_bytes()));
        wire.into_iter().flatten().chain(map)
    }

    /// The values of `name` (lower case), in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        let (wire, map) = match self {
            AnswerHeaders::Wire(w) => (Some(w.get_all(name)), None),
            AnswerHeaders::Map(m) => (None, Some(m.get_all(name).iter())),
        };
        let map = map.into_iter().flatten().map(http::HeaderValue::as_bytes);
        wire.into_iter().flatten().chain(map)
    }

    /// The first value of `name` (lower case) as text, when it is visible ASCII.
    pub fn get_str(&self, name: &str) -> Option<&str> {
        match self {
            AnswerHeaders::Wire(w) => w.get(name).and_then(h1::header_str),
            AnswerHeaders::Map(m) => m.get(name).and_then(|v| v.to_str().ok()),
        }
    }
}

enum AnswerBody {
    /// The connection the body follows on, how it is framed, whether the connection can be
    /// given back to the pool once the body is read.
    Direct {
        checkout: Checkout,
        pool: DirectPool,
        framing: Framing,
        keep_alive: bool,
    },
    Reqwest(reqwest::Response),
}

/// Why the exchange failed; the caller words it.
#[derive(Debug)]
pub enum TransportError {
    /// The URL cannot be written as an HTTP request target.
    BadUrl(String),
    /// Connecting, sending or receiving failed (the error chain, as text).
    Failed(String),
    /// The body is larger than the limit.
    TooLarge { limit: usize },
}

pub(super) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        let t = inner.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = inner.source();
    }
    s
}

/// Sends one request through `direct` (when given) or else `client`; `headers` are complete
/// (the caller's defaults, the step's own and the cookies).
pub async fn exchange(
    direct: Option<&DirectPool>,
    client: Option<&reqwest::Client>,
    method: &Method,
    url: &url::Url,
    headers: HeaderMap,
    body: &WireBody,
) -> Result<Answer, TransportError> {
    match (direct, client) {
        (Some(pool), _) => exchange_direct(pool, method, url, headers, body).await,
        (None, Some(client)) => exchange_reqwest(client, method, url, headers, body).await,
        (None, None) => Err(TransportError::Failed(
            "no HTTP client for this request".into(),
        )),
    }
}

/// Through a kept connection, as hyper-util's client would: the request target in origin
/// form, a `Host` header unless the step set one, and a request that a kept connection ended
/// without any answer to is sent again on another (the server closed it while it was idle).
async fn exchange_direct(
    pool: &DirectPool,
    method: &Method,
    url: &url::Url,
    mut headers: HeaderMap,
    body: &WireBody,
) -> Result<Answer, TransportError> {
    let bad_url = |why: &dyn std::fmt::Display| TransportError::BadUrl(format!("{url} ({why})"));
    let origin = Origin::of(url).ok_or_else(|| bad_url(&"no host"))?;
    let target = &url[url::Position::BeforePath..url::Position::AfterQuery];
    let target = if target.is_empty() { "/" } else { target };
    // What hyper accepted as a request target (it parsed it into a `Uri`).
    http::uri::PathAndQuery::try_from(target).map_err(|e| bad_url(&e))?;
    if !headers.contains_key(http::header::HOST) {
        // The URL's own text, `host[:port]` (what `format!` of the two gave, without it).
        let authority = &url[url::Position::BeforeHost..url::Position::AfterPort];
        let value = http::HeaderValue::try_from(authority).map_err(|e| bad_url(&e))?;
        headers.insert(http::header::HOST, value);
    }
    let bytes: &[u8] = match body {
        WireBody::Bytes(b) => b,
        WireBody::None | WireBody::Multipart(_) => &[],
    };
    let head = h1::encode_head(method, target, &headers, bytes.len());
    let failed = |why: &dyn std::fmt::Display| {
        TransportError::Failed(format!("error sending request for url ({url}): {why}"))
    };
    // Idle connections the server has closed meanwhile are skipped; the list is bounded.
    loop {
        let mut checkout = match pool.take_idle(&origin) {
            Some(c) => c,
            None => pool.connect(&origin).await.map_err(|why| failed(&why))?,
        };
        let answer = match checkout.conn.send(&head, bytes).await {
            Ok(()) => checkout.conn.read_head(method).await,
            Err(_) if checkout.reused => continue,
            Err(e) => Err(e),
        };
        match answer {
            Ok(head) => {
                return Ok(Answer {
                    status: head.status,
                    headers: AnswerHeaders::Wire(head.headers),
                    body: AnswerBody::Direct {
                        checkout,
                        pool: pool.clone(),
                        framing: head.framing,
                        keep_alive: head.keep_alive,
                    },
                });
            }
            Err(H1Error::ClosedBeforeAnswer) if checkout.reused => continue,
            Err(e) => return Err(failed(&e)),
        }
    }
}

async fn exchange_reqwest(
    client: &reqwest::Client,
    method: &Method,
    url: &url::Url,
    headers: HeaderMap,
    body: &WireBody,
) -> Result<Answer, TransportError> {
    let mut builder = client.request(method.clone(), url.clone()).headers(headers);
    match body {
        WireBody::None => {}
        WireBody::Bytes(b) => builder = builder.body(b.clone()),
        WireBody::Multipart(parts) => {
            let mut form = reqwest::multipart::Form::new();
            for p in parts {
                let mut part = reqwest::multipart::Part::bytes(p.bytes.clone());
                if let Some(f) = &p.filename {
                    part = part.file_name(f.clone());
                }
                form = form.part(p.name.clone(), part);
            }
            builder = builder.multipart(form);
        }
    }
    let mut resp = builder
        .send()
        .await
        .map_err(|e| TransportError::Failed(error_chain(&e)))?;
    Ok(Answer {
        status: resp.status(),
        headers: AnswerHeaders::Map(std::mem::take(resp.headers_mut())),
        body: AnswerBody::Reqwest(resp),
    })
}

impl Answer {
    /// The whole body as received (not decoded), or `TooLarge` past `max_bytes`.
    pub async fn read_capped(self, max_bytes: usize) -> Result<Vec<u8>, TransportError> {
        let mut resp = match self.body {
            AnswerBody::Direct {
                mut checkout,
                pool,
                framing,
                keep_alive,
            } => {
                let body =
                    checkout
                        .conn
                        .read_body(framing, max_bytes)
                        .await
                        .map_err(|e| match e {
                            BodyError::TooLarge => TransportError::TooLarge { limit: max_bytes },
                            BodyError::Failed(e) => TransportError::Failed(format!(
                                "error reading the response body: {e}"
                            )),
                        })?;
                if keep_alive {
                    pool.put_back(checkout.conn, checkout.origin);
                }
                return Ok(body);
            }
            AnswerBody::Reqwest(resp) => resp,
        };
        // Sized once from Content-Length (within the cap) instead of doubling past it.
        let expected = self
            .headers
            .get_str(http::header::CONTENT_LENGTH.as_str())
            .and_then(|v| v.trim().parse::<usize>().ok())
            .map_or(0, |n| n.min(max_bytes));
        let mut out = Vec::with_capacity(expected);
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| TransportError::Failed(error_chain(&e)))?
        {
            if out.len() + chunk.len() > max_bytes {
                return Err(TransportError::TooLarge { limit: max_bytes });
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::api::body::MultipartPart;

    /// A server that answers one request per connection and then closes it without saying so
    /// (no `Connection: close`), as a server whose keep-alive timeout is shorter than the
    /// pause between two steps does. Every request must still get its answer: a kept
    /// connection the server has closed is not used again.
    #[tokio::test]
    async fn a_kept_connection_closed_by_the_server_is_not_used_again() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut have = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !have.windows(4).any(|w| w == b"\r\n\r\n") {
                        match s.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => have.extend_from_slice(&buf[..n]),
                        }
                    }
                    let _ = s
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                        .await;
                });
            }
        });
        let pool = DirectPool::default();
        let url = url::Url::parse(&format!("http://{addr}/a?b=1")).expect("url");
        for i in 0..30 {
            let answer = exchange(
                Some(&pool),
                None,
                &Method::GET,
                &url,
                HeaderMap::new(),
                &WireBody::None,
            )
            .await
            .unwrap_or_else(|e| panic!("request {i}: {e:?}"));
            assert_eq!(answer.status, StatusCode::OK);
            let body = answer.read_capped(1024).await.expect("body");
            assert_eq!(body, b"ok");
            if i % 2 == 0 {
                // Sometimes let the close arrive before the next request, sometimes not.
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        }
    }

    #[test]
    fn only_plain_http_without_proxy_credentials_or_forms_goes_direct() {
        let url = |s: &str| url::Url::parse(s).expect("url");
        let bytes = WireBody::Bytes(b"{}".to_vec());
        let form = WireBody::Multipart(vec![MultipartPart {
            name: "f".into(),
            filename: None,
            bytes: Vec::new(),
        }]);
        let post = Method::POST;
        let plain = HeaderMap::new();
        assert!(direct_allowed(
            &post,
            &url("http://127.0.0.1:8/a"),
            &plain,
            &bytes,
            None
        ));
        for framing in [
            "content-length",
            "transfer-encoding",
            "connection",
            "expect",
            "upgrade",
        ] {
            let mut own = HeaderMap::new();
            own.insert(
                http::HeaderName::from_static(framing),
                http::HeaderValue::from_static("x"),
            );
            assert!(
                !direct_allowed(&post, &url("http://h/a"), &own, &bytes, None),
                "{framing}"
            );
        }
        assert!(!direct_allowed(
            &Method::CONNECT,
            &url("http://h:8/"),
            &plain,
            &bytes,
            None
        ));
        assert!(direct_allowed(
            &post,
            &url("http://h/a"),
            &plain,
            &WireBody::None,
            None
        ));
        // Each of these goes through reqwest: TLS, a proxy, credentials in the URL, a form.
        let refused: [(&str, &WireBody, Option<&str>); 5] = [
            ("https://h/a", &bytes, None),
            ("http://h/a", &bytes, Some("http://proxy:3128")),
            ("http://u:p@h/a", &bytes, None),
            ("http://u@h/a", &bytes, None),
            ("http://h/a", &form, None),
        ];
        for (u, body, proxy) in refused {
            assert!(!direct_allowed(&post, &url(u), &plain, body, proxy), "{u}");
        }
    }
}
