//! A TCP server that answers every connection with bytes chosen by the test (invalid UTF-8,
//! endless bodies): what a well-behaved HTTP framework cannot send.

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub struct RawServer {
    pub port: u16,
    task: tokio::task::JoinHandle<()>,
}

impl RawServer {
    /// Answers with `head` and then, when `trickle` is set, one byte every 100 ms for at most
    /// a minute (a response that does not end).
    pub async fn start(head: Vec<u8>, trickle: bool) -> RawServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let task = tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                let head = head.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 8192];
                    let _ = sock.read(&mut buf).await;
                    if sock.write_all(&head).await.is_err() {
                        return;
                    }
                    if trickle {
                        for _ in 0..600 {
                            tokio::time::sleep(Duration::from_millis(100)).await;
                            if sock.write_all(b"x").await.is_err() {
                                return;
                            }
                        }
                    }
                });
            }
        });
        RawServer { port, task }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
