//! A listener that can really go away and come back on the same port.
//!
//! `refuse_connections_for` must make the engine see "connection refused",
//! not a slow or erroring server, so the listening socket is dropped for the
//! pause and bound again afterwards. Connections that are already open
//! (pooled keep-alive HTTP connections, the WebSocket) are cut at the same
//! moment: every accepted stream watches a kill counter and fails its next
//! read or write once the counter moves.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, watch};

/// A request to stop accepting for `pause`; `ack` fires once the socket is closed.
pub struct RefuseCmd {
    pub pause: Duration,
    pub ack: oneshot::Sender<()>,
}

/// The test-side handle of a [`RebindingListener`].
#[derive(Clone)]
pub struct ListenerControl {
    cmds: mpsc::UnboundedSender<RefuseCmd>,
    kill: Arc<watch::Sender<u64>>,
    accepting: Arc<AtomicBool>,
}

impl ListenerControl {
    /// Drops the listening socket and all open connections for `pause`;
    /// returns once the socket is really closed.
    pub async fn refuse_for(&self, pause: Duration) {
        let (ack, done) = oneshot::channel();
        if self.cmds.send(RefuseCmd { pause, ack }).is_ok() {
            let _ = tokio::time::timeout(Duration::from_secs(5), done).await;
        }
    }

    /// Cuts every open connection without closing the listening socket.
    pub fn kill_connections(&self) {
        self.kill.send_modify(|epoch| *epoch += 1);
    }

    /// Whether the listening socket is currently bound.
    pub fn accepting(&self) -> bool {
        self.accepting.load(Ordering::SeqCst)
    }
}

/// An `axum::serve::Listener` over a rebindable TCP socket.
pub struct RebindingListener {
    listener: Option<TcpListener>,
    addr: SocketAddr,
    cmds: mpsc::UnboundedReceiver<RefuseCmd>,
    kill: Arc<watch::Sender<u64>>,
    accepting: Arc<AtomicBool>,
}

impl RebindingListener {
    /// Binds 127.0.0.1 on an ephemeral port.
    pub async fn bind() -> io::Result<(Self, ListenerControl)> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = mpsc::unbounded_channel();
        let kill = Arc::new(watch::channel(0u64).0);
        let accepting = Arc::new(AtomicBool::new(true));
        let control = ListenerControl {
            cmds: tx,
            kill: kill.clone(),
            accepting: accepting.clone(),
        };
        let me = Self {
            listener: Some(listener),
            addr,
            cmds: rx,
            kill,
            accepting,
        };
        Ok((me, control))
    }

    /// Binds the same port again; another process could have taken it in
    /// the meantime, so retry for a while instead of failing at once.
    async fn rebind(&mut self) {
        for attempt in 0u32.. {
            match TcpListener::bind(self.addr).await {
                Ok(l) => {
                    self.listener = Some(l);
                    self.accepting.store(true, Ordering::SeqCst);
                    return;
                }
                Err(_) => {
                    let wait = if attempt < 250 { 20 } else { 200 };
                    tokio::time::sleep(Duration::from_millis(wait)).await;
                }
            }
        }
    }

    async fn refuse(&mut self, cmd: RefuseCmd) {
        self.listener = None;
        self.accepting.store(false, Ordering::SeqCst);
        self.kill.send_modify(|epoch| *epoch += 1);
        let _ = cmd.ack.send(());
        tokio::time::sleep(cmd.pause).await;
    }
}

impl axum::serve::Listener for RebindingListener {
    type Io = KillableStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            if self.listener.is_none() {
                self.rebind().await;
            }
            let Some(listener) = self.listener.as_ref() else {
                continue;
            };
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        let _ = stream.set_nodelay(true);
                        return (KillableStream::new(stream, &self.kill), peer);
                    }
                    // E.g. EMFILE: back off briefly, as axum's own listener does.
                    Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                },
                cmd = self.cmds.recv() => match cmd {
                    Some(cmd) => self.refuse(cmd).await,
                    // The double is gone; nothing will ever be accepted again.
                    None => std::future::pending::<()>().await,
                },
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.addr)
    }
}

/// A TCP stream that fails as soon as its kill counter moves.
pub struct KillableStream {
    inner: TcpStream,
    kill: Pin<Box<dyn Future<Output = ()> + Send>>,
    killed: bool,
}

impl KillableStream {
    fn new(inner: TcpStream, kill: &watch::Sender<u64>) -> Self {
        let mut rx = kill.subscribe();
        Self {
            inner,
            kill: Box::pin(async move {
                let _ = rx.changed().await;
            }),
            killed: false,
        }
    }

    /// Polls the kill signal (registering the waker) and reports whether it fired.
    fn is_killed(&mut self, cx: &mut Context<'_>) -> bool {
        if !self.killed && self.kill.as_mut().poll(cx).is_ready() {
            self.killed = true;
        }
        self.killed
    }
}

fn killed_error() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionReset, "connection cut by the test")
}

impl AsyncRead for KillableStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.is_killed(cx) {
            return Poll::Ready(Err(killed_error()));
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.is_killed(cx) {
            return Poll::Ready(Err(killed_error()));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.is_killed(cx) {
            return Poll::Ready(Err(killed_error()));
        }
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
