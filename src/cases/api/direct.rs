//! Plain-HTTP connections kept open between steps, one HTTP/1.1 connection per request in
//! flight, shared by every case of the engine.
//!
//! hyper-util's pooled client did the same with a hashed pool key, a checkout future raced
//! against a lazy connect, and a task spawned per request to hand the connection back: about
//! 13 k instructions per request more than hyper's own connection (measured with callgrind on
//! the same loop), a sixteenth of a whole step. Here a request takes the most recently used idle
//! connection to its origin from a short list, and gives it back once its answer has been read.
//! No task watches an idle connection: whether the server closed it is checked when it is
//! taken (and by the reaper).

use super::h1::Conn;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

/// Idle connections are closed after this long unused (reqwest's default, as before).
pub const POOL_IDLE: Duration = Duration::from_secs(60);
/// TCP keep-alive probes on every connection, as the reqwest clients set them.
pub const TCP_KEEPALIVE: Duration = Duration::from_secs(15);
/// Most idle connections kept; the oldest is closed beyond it.
const MAX_IDLE: usize = 32;
/// How long one address may take to connect when the host has more addresses to try.
const NEXT_ADDRESS_AFTER: Duration = Duration::from_secs(1);

/// Where a connection goes: the URL's host (a name or an IP address) and port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    host: url::Host<String>,
    port: u16,
}

impl Origin {
    /// `None` for a URL without a host or a known port (the caller reports it).
    pub fn of(url: &url::Url) -> Option<Origin> {
        Some(Origin {
            host: url.host()?.to_owned(),
            port: url.port_or_known_default()?,
        })
    }
}

struct Idle {
    origin: Origin,
    conn: Conn,
    since: Instant,
}

#[derive(Default)]
struct Shared {
    idle: Vec<Idle>,
    /// Whether a task is closing expired connections (one at a time, only while any are idle).
    reaping: bool,
}

/// The engine's idle plain-HTTP connections.
#[derive(Clone, Default)]
pub struct DirectPool {
    shared: Arc<Mutex<Shared>>,
}

/// A connection taken from the pool or opened for one request.
pub struct Checkout {
    pub conn: Conn,
    pub origin: Origin,
    /// Whether it served an earlier request (a failure before any answer may then be retried).
    pub reused: bool,
}

fn keep(entry: &Idle, now: Instant) -> bool {
    now.duration_since(entry.since) < POOL_IDLE && entry.conn.is_idle_and_open()
}

impl DirectPool {
    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The most recently used idle connection to `origin` that the server has not closed.
    pub fn take_idle(&self, origin: &Origin) -> Option<Checkout> {
        let mut shared = self.lock();
        let now = Instant::now();
        while let Some(i) = shared.idle.iter().rposition(|e| e.origin == *origin) {
            let entry = shared.idle.remove(i);
            if keep(&entry, now) {
                return Some(Checkout {
                    conn: entry.conn,
                    origin: entry.origin,
                    reused: true,
                });
            }
        }
        None
    }

    /// Opens a new connection to `origin`. The error is worded for the step's result.
    pub async fn connect(&self, origin: &Origin) -> Result<Checkout, String> {
        let addrs: Vec<SocketAddr> = match &origin.host {
            url::Host::Ipv4(ip) => vec![SocketAddr::from((*ip, origin.port))],
            url::Host::Ipv6(ip) => vec![SocketAddr::from((*ip, origin.port))],
            url::Host::Domain(name) => tokio::net::lookup_host((name.as_str(), origin.port))
                .await
                .map_err(|e| format!("dns error: {e}"))?
                .collect(),
        };
        let mut last = String::from("dns error: no addresses");
        for (i, addr) in addrs.iter().enumerate() {
            let attempt = tokio::net::TcpStream::connect(addr);
            let stream = if i + 1 < addrs.len() {
                match tokio::time::timeout(NEXT_ADDRESS_AFTER, attempt).await {
                    Ok(r) => r,
                    Err(_) => {
                        last = format!("tcp connect error: {addr}: timed out");
                        continue;
                    }
                }
            } else {
                attempt.await
            };
            match stream {
                Ok(stream) => return Self::prepare(stream, origin),
                Err(e) => last = format!("tcp connect error: {e}"),
            }
        }
        Err(last)
    }

    /// The connection's socket options (those the reqwest clients set).
    fn prepare(stream: tokio::net::TcpStream, origin: &Origin) -> Result<Checkout, String> {
        stream
            .set_nodelay(true)
            .map_err(|e| format!("tcp connect error: {e}"))?;
        let keepalive = socket2::TcpKeepalive::new().with_time(TCP_KEEPALIVE);
        socket2::SockRef::from(&stream)
            .set_tcp_keepalive(&keepalive)
            .map_err(|e| format!("tcp connect error: {e}"))?;
        Ok(Checkout {
            conn: Conn::new(stream),
            origin: origin.clone(),
            reused: false,
        })
    }

    /// Gives a connection back once its answer has been read in full.
    pub fn put_back(&self, conn: Conn, origin: Origin) {
        let start_reaper = {
            let mut shared = self.lock();
            if shared.idle.len() >= MAX_IDLE {
                shared.idle.remove(0);
            }
            shared.idle.push(Idle {
                origin,
                conn,
                since: Instant::now(),
            });
            !std::mem::replace(&mut shared.reaping, true)
        };
        if start_reaper {
            tokio::spawn(reap(Arc::downgrade(&self.shared)));
        }
    }

    #[cfg(test)]
    fn idle_count(&self) -> usize {
        self.lock().idle.len()
    }
}

/// Closes connections idle for [`POOL_IDLE`] or closed by the server, while any are idle.
async fn reap(shared: Weak<Mutex<Shared>>) {
    loop {
        tokio::time::sleep(POOL_IDLE / 2).await;
        let Some(shared) = shared.upgrade() else {
            return;
        };
        let mut shared = shared.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        shared.idle.retain(|e| keep(e, now));
        if shared.idle.is_empty() {
            shared.reaping = false;
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A server that answers every request on a connection with a small body and counts the
    /// connections it accepted; `close_after_one` closes each connection after its answer.
    async fn server(close_after_one: bool) -> (SocketAddr, Arc<std::sync::atomic::AtomicUsize>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = accepted.clone();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 4096];
                    let mut have = Vec::new();
                    loop {
                        let Ok(n) = s.read(&mut buf).await else {
                            return;
                        };
                        if n == 0 {
                            return;
                        }
                        have.extend_from_slice(&buf[..n]);
                        while let Some(end) = have.windows(4).position(|w| w == b"\r\n\r\n") {
                            have.drain(..end + 4);
                            let answer: &[u8] = if close_after_one {
                                b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok"
                            } else {
                                b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"
                            };
                            if s.write_all(answer).await.is_err() || close_after_one {
                                return;
                            }
                        }
                    }
                });
            }
        });
        (addr, accepted)
    }

    async fn get(pool: &DirectPool, addr: SocketAddr) -> Result<bool, String> {
        let url = url::Url::parse(&format!("http://{addr}/x")).expect("url");
        let origin = Origin::of(&url).expect("origin");
        let mut c = match pool.take_idle(&origin) {
            Some(c) => c,
            None => pool.connect(&origin).await?,
        };
        let head =
            super::super::h1::encode_head(&http::Method::GET, "/x", &http::HeaderMap::new(), 0);
        c.conn.send(&head, &[]).await.map_err(|e| e.to_string())?;
        let answer = c
            .conn
            .read_head(&http::Method::GET)
            .await
            .map_err(|e| e.to_string())?;
        let body = c
            .conn
            .read_body(answer.framing, 1024)
            .await
            .map_err(|e| format!("{e:?}"))?;
        assert_eq!(body, b"ok");
        let reused = c.reused;
        if answer.keep_alive {
            pool.put_back(c.conn, c.origin);
        }
        Ok(reused)
    }

    #[tokio::test]
    async fn a_connection_serves_the_next_request_to_its_origin() {
        let (addr, accepted) = server(false).await;
        let pool = DirectPool::default();
        assert_eq!(get(&pool, addr).await, Ok(false));
        assert_eq!(get(&pool, addr).await, Ok(true));
        assert_eq!(get(&pool, addr).await, Ok(true));
        assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert_eq!(pool.idle_count(), 1);
        let (other, other_accepted) = server(false).await;
        assert_eq!(get(&pool, other).await, Ok(false));
        assert_eq!(other_accepted.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert_eq!(pool.idle_count(), 2);
    }

    #[tokio::test]
    async fn a_connection_the_server_closed_is_not_taken_again() {
        let (addr, accepted) = server(true).await;
        let pool = DirectPool::default();
        for _ in 0..3 {
            assert_eq!(get(&pool, addr).await, Ok(false));
            // The answer says `connection: close`: the connection is not kept.
            assert_eq!(pool.idle_count(), 0);
        }
        assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn connecting_to_a_closed_port_names_the_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        drop(listener);
        let url = url::Url::parse(&format!("http://{addr}/")).expect("url");
        let origin = Origin::of(&url).expect("origin");
        let err = DirectPool::default()
            .connect(&origin)
            .await
            .err()
            .expect("refused");
        assert!(err.starts_with("tcp connect error: "), "{err}");
    }

    #[test]
    fn the_idle_list_is_bounded() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let (addr, _) = server(false).await;
            let pool = DirectPool::default();
            let url = url::Url::parse(&format!("http://{addr}/")).expect("url");
            let origin = Origin::of(&url).expect("origin");
            for _ in 0..MAX_IDLE + 5 {
                let c = pool.connect(&origin).await.expect("connects");
                pool.put_back(c.conn, c.origin);
            }
            assert_eq!(pool.idle_count(), MAX_IDLE);
        });
    }
}
