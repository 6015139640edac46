//! `sd_notify(3)` without libsystemd: one datagram per message to the socket systemd names in
//! `NOTIFY_SOCKET` (a path, or `@name` for the abstract namespace).

use std::os::unix::net::{SocketAddr, UnixDatagram};

/// A connection to the service manager's notification socket.
pub struct Notifier {
    socket: UnixDatagram,
    addr: SocketAddr,
    shown: String,
}

impl Notifier {
    /// `Ok(None)` when not started by systemd with `Type=notify` (no `NOTIFY_SOCKET`).
    pub fn from_env() -> Result<Option<Self>, String> {
        match std::env::var_os("NOTIFY_SOCKET") {
            None => Ok(None),
            Some(v) if v.is_empty() => Ok(None),
            Some(v) => Self::new(&v.to_string_lossy()).map(Some),
        }
    }

    /// `path` as systemd writes it into `NOTIFY_SOCKET`.
    pub fn new(path: &str) -> Result<Self, String> {
        let addr = if let Some(name) = path.strip_prefix('@') {
            use std::os::linux::net::SocketAddrExt;
            SocketAddr::from_abstract_name(name.as_bytes())
        } else if path.starts_with('/') {
            SocketAddr::from_pathname(path)
        } else {
            return Err(format!(
                "NOTIFY_SOCKET={path:?} is neither an absolute path nor an abstract name (@…)"
            ));
        }
        .map_err(|e| format!("NOTIFY_SOCKET={path:?}: {e}"))?;
        let socket = UnixDatagram::unbound()
            .map_err(|e| format!("cannot create a socket for NOTIFY_SOCKET: {e}"))?;
        socket
            .set_nonblocking(true)
            .map_err(|e| format!("cannot create a socket for NOTIFY_SOCKET: {e}"))?;
        Ok(Self {
            socket,
            addr,
            shown: path.to_string(),
        })
    }

    /// Sends `state` (newline-separated `KEY=value` lines, e.g. `READY=1`).
    pub fn notify(&self, state: &str) -> Result<(), String> {
        self.socket
            .send_to_addr(state.as_bytes(), &self.addr)
            .map(|_| ())
            .map_err(|e| format!("cannot notify systemd at {}: {e}", self.shown))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn sends_to_a_path_and_to_an_abstract_name() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("notify.sock");
        let rx = UnixDatagram::bind(&path).expect("bind");
        rx.set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        let n = Notifier::new(&path.to_string_lossy()).expect("notifier");
        n.notify("READY=1").expect("send");
        let mut buf = [0u8; 64];
        let len = rx.recv(&mut buf).expect("recv");
        assert_eq!(&buf[..len], b"READY=1");

        use std::os::linux::net::SocketAddrExt;
        let name = format!("liuma-notify-test-{}", std::process::id());
        let addr = SocketAddr::from_abstract_name(name.as_bytes()).expect("addr");
        let rx = UnixDatagram::bind_addr(&addr).expect("bind abstract");
        rx.set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        Notifier::new(&format!("@{name}"))
            .expect("notifier")
            .notify("WATCHDOG=1")
            .expect("send");
        let len = rx.recv(&mut buf).expect("recv");
        assert_eq!(&buf[..len], b"WATCHDOG=1");

        assert!(Notifier::new("relative.sock").is_err());
    }
}
