//! The connection against servers that answer from a script of bytes.

use super::*;
use http::HeaderValue;
use tokio::net::TcpListener;

/// A server that reads one request head (and `body_len` bytes after it), writes `answer`,
/// then closes when `close` is set; it returns the bytes of the request it read.
async fn scripted(
    answers: Vec<(&'static [u8], bool)>,
) -> (
    std::net::SocketAddr,
    tokio::sync::mpsc::UnboundedReceiver<Vec<u8>>,
) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let Ok((mut s, _)) = listener.accept().await else {
            return;
        };
        for (answer, close) in answers {
            let mut have = Vec::new();
            let mut buf = [0u8; 4096];
            loop {
                if let Some(end) = have.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&have[..end]).to_ascii_lowercase();
                    let len = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length: "))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if have.len() >= end + 4 + len {
                        break;
                    }
                }
                match s.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => have.extend_from_slice(&buf[..n]),
                }
            }
            let _ = tx.send(have);
            if s.write_all(answer).await.is_err() {
                return;
            }
            if close {
                return;
            }
        }
    });
    (addr, rx)
}

/// An answer's head and its body (read with a 64-byte limit).
type Answered = (Head, Result<Vec<u8>, BodyError>);

async fn exchange(conn: &mut Conn, method: Method, body: &[u8]) -> Result<Answered, H1Error> {
    let mut headers = HeaderMap::new();
    headers.insert(http::header::HOST, HeaderValue::from_static("h"));
    conn.send(&encode_head(&method, "/p?q=1", &headers, body.len()), body)
        .await?;
    let head = conn.read_head(&method).await?;
    let body = conn.read_body(head.framing, 64).await;
    Ok((head, body))
}

async fn connect(addr: std::net::SocketAddr) -> Conn {
    Conn::new(TcpStream::connect(addr).await.expect("connect"))
}

/// One GET on a fresh connection to a server that writes `answer` (and then closes, if asked).
async fn answer_once(answer: &'static [u8], close: bool) -> Result<Answered, H1Error> {
    let (addr, _requests) = scripted(vec![(answer, close)]).await;
    exchange(&mut connect(addr).await, Method::GET, b"").await
}

#[test]
fn the_head_is_written_as_hyper_writes_it() {
    let mut headers = HeaderMap::new();
    headers.insert(http::header::HOST, HeaderValue::from_static("127.0.0.1:8"));
    headers.append("x-a", HeaderValue::from_static("1"));
    headers.append("x-a", HeaderValue::from_static("2"));
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    assert_eq!(
        encode_head(&Method::POST, "/a?b=1", &headers, 7),
        b"POST /a?b=1 HTTP/1.1\r\nhost: 127.0.0.1:8\r\nx-a: 1\r\nx-a: 2\r\ncontent-type: application/json\r\ncontent-length: 7\r\n\r\n"
    );
    assert_eq!(
        encode_head(&Method::GET, "/", &HeaderMap::new(), 0),
        b"GET / HTTP/1.1\r\n\r\n"
    );
}

#[tokio::test]
async fn every_framing_reads_its_body_and_says_whether_the_connection_goes_on() {
    let (addr, mut requests) = scripted(vec![
        (b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello", false),
        (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\ntransfer-encoding: gzip, chunked\r\nx: y\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\ntrailer: t\r\n\r\n", false),
        (b"HTTP/1.1 204 No Content\r\ncontent-length: 9\r\n\r\n", false),
        (b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\ncontent-length: 3\r\nConnection: close\r\n\r\nxyz", true),
    ])
    .await;
    let mut conn = connect(addr).await;
    let (head, body) = exchange(&mut conn, Method::POST, b"{\"a\":1}")
        .await
        .expect("first");
    assert_eq!(
        (head.status, head.framing, head.keep_alive),
        (StatusCode::OK, Framing::Length(5), true)
    );
    assert_eq!(body, Ok(b"hello".to_vec()));
    let sent = requests.recv().await.expect("request");
    assert_eq!(
        sent,
        b"POST /p?q=1 HTTP/1.1\r\nhost: h\r\ncontent-length: 7\r\n\r\n{\"a\":1}"
    );
    let (head, body) = exchange(&mut conn, Method::GET, b"")
        .await
        .expect("chunked");
    assert_eq!(
        (head.status, head.framing, head.keep_alive),
        (StatusCode::CREATED, Framing::Chunked, true)
    );
    assert_eq!(head.headers.get("x"), Some(&b"y"[..]));
    assert_eq!(body, Ok(b"abcde".to_vec()));
    let (head, body) = exchange(&mut conn, Method::GET, b"")
        .await
        .expect("no content");
    assert_eq!(
        (head.status, head.framing),
        (StatusCode::NO_CONTENT, Framing::Length(0))
    );
    assert_eq!(body, Ok(Vec::new()));
    let (head, body) = exchange(&mut conn, Method::GET, b"").await.expect("close");
    assert_eq!((head.framing, head.keep_alive), (Framing::Length(3), false));
    assert_eq!(body, Ok(b"xyz".to_vec()));
}

#[tokio::test]
async fn a_body_up_to_the_end_of_the_connection_and_http_1_0() {
    let (head, body) = answer_once(b"HTTP/1.0 200 OK\r\nserver: old\r\n\r\nall of it", true)
        .await
        .expect("answer");
    assert_eq!(
        (head.framing, head.keep_alive),
        (Framing::UntilClose, false)
    );
    assert_eq!(body, Ok(b"all of it".to_vec()));
    let (head, _) = answer_once(
        b"HTTP/1.0 200 OK\r\nconnection: keep-alive\r\ncontent-length: 1\r\n\r\nk",
        false,
    )
    .await
    .expect("answer");
    assert!(head.keep_alive);
}

/// An answer of 100 body bytes, past the tests' 64-byte limit.
const HUNDRED: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n\
    0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789";

#[tokio::test]
async fn head_answers_have_no_body_and_limits_hold() {
    let (addr, _r) = scripted(vec![
        (b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n", false),
        (HUNDRED, false),
    ])
    .await;
    let mut conn = connect(addr).await;
    let (head, body) = exchange(&mut conn, Method::HEAD, b"").await.expect("head");
    assert_eq!((head.framing, body), (Framing::Length(0), Ok(Vec::new())));
    let (_, body) = exchange(&mut conn, Method::GET, b"").await.expect("get");
    assert_eq!(body, Err(BodyError::TooLarge));
}

#[tokio::test]
async fn broken_answers_are_errors_named_as_hyper_names_them() {
    let cases: [(&'static [u8], &str); 6] = [
        (b"", "connection closed before message completed"),
        (
            b"HTTP/1.1 200 OK\r\ncontent-le",
            "connection closed before message completed",
        ),
        (b"HTTX/1.1 200 OK\r\n\r\n", "invalid HTTP version parsed"),
        (
            b"HTTP/1.1 2000 OK\r\n\r\n",
            "invalid HTTP status-code parsed",
        ),
        (
            b"HTTP/1.1 200 OK\r\ncontent-length: 1, 2\r\n\r\n",
            "invalid content-length parsed",
        ),
        (
            b"HTTP/1.1 200 OK\r\nbad header\r\n\r\n",
            "invalid HTTP header parsed",
        ),
    ];
    for (answer, message) in cases {
        let err = answer_once(answer, true).await.expect_err("an error");
        assert_eq!(
            err.to_string(),
            message,
            "{}",
            String::from_utf8_lossy(answer)
        );
    }
    let (_, body) = answer_once(b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\nshort", true)
        .await
        .expect("head");
    assert_eq!(
        body.map_err(|e| format!("{e:?}")),
        Err("Failed(Body(\"end of file before message length reached\"))".to_string())
    );
    let (_, body) = answer_once(
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
        true,
    )
    .await
    .expect("head");
    assert!(
        matches!(body, Err(BodyError::Failed(H1Error::Body(_)))),
        "{body:?}"
    );
}

#[tokio::test]
async fn an_idle_connection_the_server_closed_is_seen_as_closed() {
    let (addr, _r) = scripted(vec![(
        b"HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\nk",
        true,
    )])
    .await;
    let mut conn = connect(addr).await;
    assert!(conn.is_idle_and_open());
    let (_, body) = exchange(&mut conn, Method::GET, b"").await.expect("answer");
    assert_eq!(body, Ok(b"k".to_vec()));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while conn.is_idle_and_open() && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert!(!conn.is_idle_and_open());
}

/// A request whose own headers name its framing or its connection is left to reqwest.
#[test]
fn requests_that_speak_of_their_framing_are_recognised() {
    let with = |name: &str| {
        let mut headers = HeaderMap::new();
        headers.insert(http::header::HOST, HeaderValue::from_static("h"));
        headers.insert("x-other", HeaderValue::from_static("1"));
        headers.insert(
            http::HeaderName::from_bytes(name.as_bytes()).expect("name"),
            HeaderValue::from_static("1"),
        );
        controls_framing(&headers)
    };
    for name in [
        "Content-Length",
        "transfer-encoding",
        "CONNECTION",
        "upgrade",
        "expect",
        "te",
        "trailer",
    ] {
        assert!(with(name), "{name}");
    }
    for name in ["content-type", "accept", "x-te", "trailers"] {
        assert!(!with(name), "{name}");
    }
}
