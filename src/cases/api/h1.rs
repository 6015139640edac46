//! One plain-HTTP/1.1 connection, driven by the step that sends on it.
//!
//! hyper's client connection runs as a task of its own: a request goes to it through a channel,
//! it writes the request and reads the answer when the socket is ready, and hands the answer
//! back through another channel, so that each request woke two tasks (often on two worker
//! threads) and cost about 14 k instructions of the connection's machinery. Here the step
//! writes the request and reads the answer itself, on the socket it took from the pool.
//!
//! The wire is hyper's: the request line and headers as the header map holds them (names in
//! lower case), `content-length` last for a non-empty body, and the answer framed by hyper's
//! rules (RFC 9112 §6.3): no body for HEAD, 1xx, 204 and 304; chunked when
//! `Transfer-Encoding` ends in `chunked`; else `Content-Length`; else up to the end of the
//! connection. Requests whose own headers speak of framing or of the connection
//! (see [`controls_framing`]) go through reqwest instead.

use bytes::{Buf, BytesMut};
use http::header::{CONNECTION, CONTENT_LENGTH, TRANSFER_ENCODING};
use http::{HeaderMap, Method, StatusCode, Version};
use std::io::IoSlice;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Most header lines an answer may have (hyper's default).
const MAX_HEADERS: usize = 100;
/// Largest answer head (hyper's default read buffer limit).
const MAX_HEAD_BYTES: usize = 8192 + 4096 * 100;
/// How much is read from the socket at a time.
const READ_CHUNK: usize = 16 * 1024;

/// Why an exchange on a connection failed, worded as hyper words it.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum H1Error {
    /// The connection ended before any byte of an answer (a kept connection the server
    /// closed: the request may be sent again on another).
    #[error("connection closed before message completed")]
    ClosedBeforeAnswer,
    #[error("connection closed before message completed")]
    Incomplete,
    #[error("{0}")]
    Parse(&'static str),
    #[error("error reading a body from connection: {0}")]
    Body(String),
    #[error("{0}")]
    Io(String),
}

impl H1Error {
    fn io(e: &std::io::Error) -> H1Error {
        H1Error::Io(e.to_string())
    }
}

/// Whether the step's own headers decide the message's framing or the connection's fate;
/// such requests go through reqwest, which handles them as hyper always did.
pub fn controls_framing(headers: &HeaderMap) -> bool {
    const FRAMING: [http::HeaderName; 7] = [
        CONTENT_LENGTH,
        TRANSFER_ENCODING,
        CONNECTION,
        http::header::UPGRADE,
        http::header::EXPECT,
        http::header::TE,
        http::header::TRAILER,
    ];
    // The request's few names against these (a comparison of two known names is cheap; a
    // lookup hashes the name).
    headers.keys().any(|k| FRAMING.contains(k))
}

/// The request's head: request line, headers in the map's order, and `content-length` when
/// there is a body.
pub fn encode_head(method: &Method, target: &str, headers: &HeaderMap, body_len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + target.len() + headers.len() * 32);
    out.extend_from_slice(method.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(target.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\n");
    for (name, value) in headers {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if body_len > 0 {
        out.extend_from_slice(b"content-length: ");
        out.extend_from_slice(body_len.to_string().as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// How the answer's body is delimited.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Framing {
    Length(u64),
    Chunked,
    /// Up to the end of the connection (which then cannot be used again).
    UntilClose,
}

/// An answer's header lines as received, in order: their names and values, each kept once
/// in a buffer of its own. `http`'s header map of an answer (a hashed index, a copy of each
/// value), from which the case's own map was then made, cost more than reading the lines
/// once: sending a step and reading its answer went from 22.2 to 21.5 k instructions. Names
/// are looked up without case.
///
/// Names are tokens (httparse checks them as `HeaderName` does) and values hold what
/// `HeaderValue` accepts: the lines are those `http`'s map would have held.
#[derive(Debug, Clone, Default)]
pub struct WireHeaders {
    /// The names, one after another (tokens: text without checking it again).
    names: String,
    /// The values, one after another.
    values: Vec<u8>,
    /// Name start and end in `names`, value start and end in `values`.
    lines: Vec<[u32; 4]>,
}

impl WireHeaders {
    fn name_str(&self, line: [u32; 4]) -> &str {
        self.names
            .get(line[0] as usize..line[1] as usize)
            .unwrap_or_default()
    }

    fn name(&self, line: [u32; 4]) -> &[u8] {
        self.name_str(line).as_bytes()
    }

    fn value(&self, line: [u32; 4]) -> &[u8] {
        &self.values[line[2] as usize..line[3] as usize]
    }

    /// Each line's name (as written) and value, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.lines
            .iter()
            .map(|&line| (self.name_str(line), self.value(line)))
    }

    /// The values of `name` (any case), in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.lines
            .iter()
            .filter(move |&&line| self.name(line).eq_ignore_ascii_case(name.as_bytes()))
            .map(|&line| self.value(line))
    }

    /// The first value of `name` (any case).
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.lines
            .iter()
            .find(|&&line| self.name(line).eq_ignore_ascii_case(name.as_bytes()))
            .map(|&line| self.value(line))
    }
}

/// A header value as text when it is visible ASCII (`HeaderValue::to_str`'s rule).
pub fn header_str(value: &[u8]) -> Option<&str> {
    if value.iter().all(|&b| b == b'\t' || (32..127).contains(&b)) {
        std::str::from_utf8(value).ok()
    } else {
        None
    }
}

/// Whether `HeaderValue::from_bytes` takes `value`.
fn valid_value(value: &[u8]) -> bool {
    value.iter().all(|&b| (b >= 32 && b != 127) || b == b'\t')
}

/// The longest name `HeaderName::from_bytes` takes.
const MAX_NAME_LEN: usize = (1 << 16) - 1;

/// An answer's status line and headers, and how its body follows.
#[derive(Debug)]
pub struct Head {
    pub status: StatusCode,
    pub headers: WireHeaders,
    pub framing: Framing,
    /// Whether the connection may carry another request once the body is read.
    pub keep_alive: bool,
}

/// An open connection and what was read from it beyond the last message.
pub struct Conn {
    stream: TcpStream,
    buf: BytesMut,
}

impl Conn {
    pub fn new(stream: TcpStream) -> Conn {
        Conn {
            stream,
            buf: BytesMut::new(),
        }
    }

    /// Whether an idle connection can carry a request: the server has neither closed it nor
    /// sent anything since the last answer.
    pub fn is_idle_and_open(&self) -> bool {
        if !self.buf.is_empty() {
            return false;
        }
        let mut probe = [0u8; 1];
        matches!(self.stream.try_read(&mut probe), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
    }

    /// Writes the request (head and body in one system call where the socket takes it).
    pub async fn send(&mut self, head: &[u8], body: &[u8]) -> Result<(), H1Error> {
        let (mut h, mut b) = (head, body);
        while !h.is_empty() || !b.is_empty() {
            let n = self
                .stream
                .write_vectored(&[IoSlice::new(h), IoSlice::new(b)])
                .await
                .map_err(|e| H1Error::io(&e))?;
            if n == 0 {
                return Err(H1Error::Io("failed to write the request".into()));
            }
            let from_head = n.min(h.len());
            h = &h[from_head..];
            b = &b[n - from_head..];
        }
        Ok(())
    }

    /// Reads more of the answer; `false` at the end of the connection.
    async fn fill(&mut self) -> Result<bool, H1Error> {
        self.buf.reserve(READ_CHUNK);
        let n = self
            .stream
            .read_buf(&mut self.buf)
            .await
            .map_err(|e| H1Error::io(&e))?;
        Ok(n > 0)
    }

    /// Reads the answer's head (informational answers are skipped, as hyper does).
    pub async fn read_head(&mut self, method: &Method) -> Result<Head, H1Error> {
        let mut received_any = !self.buf.is_empty();
        loop {
            if let Some(head) = self.parse_head(method)? {
                match head {
                    Parsed::Informational => continue,
                    Parsed::Head(head) => return Ok(head),
                }
            }
            if self.buf.len() > MAX_HEAD_BYTES {
                return Err(H1Error::Parse("message head is too large"));
            }
            let more = match self.fill().await {
                Ok(more) => more,
                Err(_) if !received_any => return Err(H1Error::ClosedBeforeAnswer),
                Err(e) => return Err(e),
            };
            if !more {
                return Err(if received_any {
                    H1Error::Incomplete
                } else {
                    H1Error::ClosedBeforeAnswer
                });
            }
            received_any = true;
        }
    }

    /// One head from the buffer, when it holds a whole one.
    fn parse_head(&mut self, method: &Method) -> Result<Option<Parsed>, H1Error> {
        if self.buf.is_empty() {
            return Ok(None);
        }
        let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut res = httparse::Response::new(&mut slots);
        let len = match res.parse(&self.buf) {
            Ok(httparse::Status::Complete(len)) => len,
            Ok(httparse::Status::Partial) => return Ok(None),
            Err(e) => return Err(H1Error::Parse(parse_error(e))),
        };
        let code = res.code.unwrap_or(0);
        let status = StatusCode::from_u16(code)
            .map_err(|_| H1Error::Parse("invalid HTTP status-code parsed"))?;
        let version = if res.version == Some(1) {
            Version::HTTP_11
        } else {
            Version::HTTP_10
        };
        let mut keep_alive = version == Version::HTTP_11;
        let mut saw_close = false;
        let mut framing_lines = FramingLines::default();
        // Within the head, which is shorter than `MAX_HEAD_BYTES`: the offsets fit.
        let mut names = String::with_capacity(len / 2);
        let mut values = Vec::with_capacity(len);
        let mut lines = Vec::with_capacity(res.headers.len());
        for h in res.headers.iter() {
            if h.name.len() > MAX_NAME_LEN || !valid_value(h.value) {
                return Err(H1Error::Parse("invalid HTTP header parsed"));
            }
            let name = h.name.as_bytes();
            if name.eq_ignore_ascii_case(b"connection") {
                if saw_close || has_token(h.value, "close") {
                    saw_close = true;
                    keep_alive = false;
                } else if !keep_alive {
                    keep_alive = has_token(h.value, "keep-alive");
                }
            } else {
                framing_lines.note(name, h.value);
            }
            let (n, v) = (names.len() as u32, values.len() as u32);
            names.push_str(h.name);
            values.extend_from_slice(h.value);
            lines.push([n, names.len() as u32, v, values.len() as u32]);
        }
        let headers = WireHeaders {
            names,
            values,
            lines,
        };
        self.buf.advance(len);
        if (100..200).contains(&code) && code != 101 {
            return Ok(Some(Parsed::Informational));
        }
        let framing = framing(code, method, version, &framing_lines)?;
        let keep_alive = keep_alive && code != 101 && framing != Framing::UntilClose;
        Ok(Some(Parsed::Head(Head {
            status,
            headers,
            framing,
            keep_alive,
        })))
    }

    /// Reads the body after [`Conn::read_head`]; `limit` bounds it (`TooLarge` past it).
    pub async fn read_body(
        &mut self,
        framing: Framing,
        limit: usize,
    ) -> Result<Vec<u8>, BodyError> {
        match framing {
            Framing::Length(n) => {
                // A declared length past the limit is only refused once that much has come:
                // an answer that never ends runs into the step's timeout, as before.
                let n = usize::try_from(n).unwrap_or(usize::MAX);
                let mut out = Vec::with_capacity(n.min(limit));
                while out.len() < n {
                    if self.buf.is_empty() && !self.fill().await? {
                        return Err(H1Error::Body(
                            "end of file before message length reached".into(),
                        )
                        .into());
                    }
                    let take = self.buf.len().min(n - out.len());
                    if out.len() + take > limit {
                        return Err(BodyError::TooLarge);
                    }
                    out.extend_from_slice(&self.buf[..take]);
                    self.buf.advance(take);
                }
                Ok(out)
            }
            Framing::UntilClose => {
                let mut out = std::mem::take(&mut self.buf).to_vec();
                while self.fill().await? {
                    if out.len() + self.buf.len() > limit {
                        return Err(BodyError::TooLarge);
                    }
                    out.extend_from_slice(&self.buf);
                    self.buf.clear();
                }
                if out.len() > limit {
                    return Err(BodyError::TooLarge);
                }
                Ok(out)
            }
            Framing::Chunked => self.read_chunked(limit).await,
        }
    }

    /// A chunked body (RFC 9112 §7.1): sizes in hex, extensions ignored, trailers skipped.
    async fn read_chunked(&mut self, limit: usize) -> Result<Vec<u8>, BodyError> {
        let mut out = Vec::new();
        loop {
            let line = self.line().await?;
            let size_text = line.split(|&b| b == b';').next().unwrap_or(&[]);
            let size_text = std::str::from_utf8(size_text)
                .map_err(|_| H1Error::Body("invalid chunk size line".into()))?
                .trim_matches([' ', '\t']);
            let size = u64::from_str_radix(size_text, 16)
                .map_err(|_| H1Error::Body("invalid chunk size line".into()))?;
            if size == 0 {
                // Trailer fields up to the empty line.
                while !self.line().await?.is_empty() {}
                return Ok(out);
            }
            let size = usize::try_from(size).unwrap_or(usize::MAX);
            if out.len().saturating_add(size) > limit {
                return Err(BodyError::TooLarge);
            }
            let mut left = size;
            while left > 0 {
                if self.buf.is_empty() && !self.fill().await? {
                    return Err(H1Error::Body("unexpected EOF during chunk".into()).into());
                }
                let take = self.buf.len().min(left);
                out.extend_from_slice(&self.buf[..take]);
                self.buf.advance(take);
                left -= take;
            }
            if !self.line().await?.is_empty() {
                return Err(H1Error::Body("invalid chunk end CR".into()).into());
            }
        }
    }

    /// One line of a chunked body, without its CRLF.
    async fn line(&mut self) -> Result<Vec<u8>, H1Error> {
        loop {
            if let Some(end) = self.buf.iter().position(|&b| b == b'\n') {
                let mut line = self.buf.split_to(end + 1).to_vec();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(line);
            }
            if self.buf.len() > 64 * 1024 {
                return Err(H1Error::Body("chunk line too long".into()));
            }
            if !self.fill().await? {
                return Err(H1Error::Body("unexpected EOF during chunk".into()));
            }
        }
    }
}

enum Parsed {
    Informational,
    Head(Head),
}

/// Why a body could not be read.
#[derive(Debug, PartialEq)]
pub enum BodyError {
    TooLarge,
    Failed(H1Error),
}

impl From<H1Error> for BodyError {
    fn from(e: H1Error) -> Self {
        BodyError::Failed(e)
    }
}

fn has_token(value: &[u8], token: &str) -> bool {
    header_str(value).is_some_and(|s| s.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
}

/// What an answer's head says of its body's framing, gathered as its lines are read.
#[derive(Default)]
struct FramingLines {
    /// Some `Transfer-Encoding` line, and whether the last one's last coding is `chunked`.
    transfer_encoding: bool,
    chunked: bool,
    /// Some `Content-Length` line, and the length all of them agree on (`None`: they do not,
    /// or one is not a length).
    content_length: bool,
    length: Option<u64>,
}

impl FramingLines {
    fn note(&mut self, name: &[u8], value: &[u8]) {
        if name.eq_ignore_ascii_case(b"transfer-encoding") {
            self.transfer_encoding = true;
            self.chunked = header_str(value)
                .and_then(|s| s.rsplit(',').next())
                .map(str::trim)
                .is_some_and(|t| t.eq_ignore_ascii_case("chunked"));
        } else if name.eq_ignore_ascii_case(b"content-length") {
            let first = !self.content_length;
            self.content_length = true;
            if first || self.length.is_some() {
                self.length = agreed_length(value, self.length);
            }
        }
    }
}

/// hyper's framing rules for an answer to `method` (RFC 9112 §6.3).
fn framing(
    code: u16,
    method: &Method,
    version: Version,
    lines: &FramingLines,
) -> Result<Framing, H1Error> {
    if code == 101 || code == 204 || code == 304 || *method == Method::HEAD {
        return Ok(Framing::Length(0));
    }
    if *method == Method::CONNECT && (200..300).contains(&code) {
        return Ok(Framing::Length(0));
    }
    if lines.transfer_encoding {
        if version == Version::HTTP_10 {
            return Err(H1Error::Parse("unexpected transfer-encoding parsed"));
        }
        return Ok(if lines.chunked {
            Framing::Chunked
        } else {
            Framing::UntilClose
        });
    }
    if lines.content_length {
        return lines
            .length
            .map(Framing::Length)
            .ok_or(H1Error::Parse("invalid content-length parsed"));
    }
    Ok(Framing::UntilClose)
}

/// The length one `Content-Length` value gives, which must agree with `before` (the earlier
/// lines' length) and within itself (hyper's rule); `None` when it does not or is no length.
fn agreed_length(value: &[u8], before: Option<u64>) -> Option<u64> {
    let mut found = before;
    for part in header_str(value)?.split(',') {
        let part = part.trim();
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u64 = part.parse().ok()?;
        if found.is_some_and(|f| f != n) {
            return None;
        }
        found = Some(n);
    }
    found
}

fn parse_error(e: httparse::Error) -> &'static str {
    match e {
        httparse::Error::Version => "invalid HTTP version parsed",
        httparse::Error::Status => "invalid HTTP status-code parsed",
        httparse::Error::TooManyHeaders => "message head is too large",
        _ => "invalid HTTP header parsed",
    }
}

#[cfg(test)]
mod tests;
