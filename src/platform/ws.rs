//! The WebSocket channel (platform-protocol §4): text-frame heartbeats, pushed hints, dead
//! connection detection and reconnects that close the old socket before opening a new one.

use super::wire::{PushMessage, parse_push};
use crate::backoff::Backoff;
use crate::config::Secret;
use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

/// What the channel tells the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelEvent {
    /// A (re)connection succeeded: fetch now and send `heartbeat/send` to restore `online`.
    Connected,
    Push(PushMessage),
}

/// Live counters of the channel.
#[derive(Debug, Default)]
pub struct ChannelStats {
    pub connected: AtomicBool,
    pub connects: AtomicU64,
    pub heartbeats: AtomicU64,
}

/// Builds the WebSocket URL: only the scheme changes (http→ws, https→wss), query values encoded.
pub fn websocket_url(
    base: &str,
    engine_code: &str,
    engine_secret: &Secret,
) -> Result<url::Url, String> {
    let mut url = url::Url::parse(&format!("{base}/websocket/engine/heartbeat"))
        .map_err(|e| e.to_string())?;
    let scheme = match url.scheme() {
        "http" => "ws",
        "https" => "wss",
        other => return Err(format!("unsupported scheme {other}")),
    };
    url.set_scheme(scheme)
        .map_err(|_| "cannot set the scheme".to_string())?;
    url.query_pairs_mut()
        .append_pair("engineCode", engine_code)
        .append_pair("engineSecret", engine_secret.expose());
    Ok(url)
}

pub struct ChannelConfig {
    pub base_url: String,
    pub engine_code: String,
    pub engine_secret: Secret,
    pub heartbeat_interval: Duration,
}

/// Runs until `shutdown`; every failure leads to a jittered, capped reconnect.
pub async fn run_channel(
    cfg: ChannelConfig,
    events: mpsc::Sender<ChannelEvent>,
    stats: Arc<ChannelStats>,
    shutdown: CancellationToken,
) {
    crate::net::ensure_crypto_provider();
    let url = match websocket_url(&cfg.base_url, &cfg.engine_code, &cfg.engine_secret) {
        Ok(u) => u,
        Err(e) => {
            tracing::error!("cannot build the WebSocket URL from [Platform] url: {e}");
            return;
        }
    };
    // The secret is in the query: log only the part before it.
    let shown = format!("{}/websocket/engine/heartbeat", cfg.base_url);
    let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(60));
    let dead_after = cfg.heartbeat_interval * 2 + Duration::from_secs(5);

    while !shutdown.is_cancelled() {
        crate::ops::liveness::beat(crate::ops::liveness::Loop::WebSocket);
        let connect = tokio::time::timeout(
            Duration::from_secs(15),
            tokio_tungstenite::connect_async(url.as_str()),
        );
        let ws = tokio::select! {
            _ = shutdown.cancelled() => break,
            r = connect => r,
        };
        let ws = match ws {
            Ok(Ok((ws, _))) => ws,
            Ok(Err(e)) => {
                let delay = backoff.next_delay();
                tracing::warn!(url = %shown, "WebSocket connection failed: {}; retrying in {:.1}s", describe_ws_error(&e), delay.as_secs_f64());
                sleep_or_cancel(delay, &shutdown).await;
                continue;
            }
            Err(_) => {
                let delay = backoff.next_delay();
                tracing::warn!(url = %shown, "WebSocket connection timed out; retrying in {:.1}s", delay.as_secs_f64());
                sleep_or_cancel(delay, &shutdown).await;
                continue;
            }
        };
        let connected_at = Instant::now();
        stats.connected.store(true, Ordering::Relaxed);
        stats.connects.fetch_add(1, Ordering::Relaxed);
        tracing::info!(url = %shown, "WebSocket connected; engine online");
        let _ = events.try_send(ChannelEvent::Connected);

        let (mut sink, mut stream) = ws.split();
        let mut ticker = tokio::time::interval(cfg.heartbeat_interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_seen = Instant::now();
        let reason: String = loop {
            crate::ops::liveness::beat(crate::ops::liveness::Loop::WebSocket);
            tokio::select! {
                _ = shutdown.cancelled() => break "shutdown".into(),
                _ = ticker.tick() => {
                    if last_seen.elapsed() > dead_after {
                        break format!("no frame from the platform for {}s", last_seen.elapsed().as_secs());
                    }
                    // An empty text frame is the heartbeat; the ping only proves the peer is alive.
                    let sent = tokio::time::timeout(Duration::from_secs(10), async {
                        sink.send(Message::Text("".into())).await?;
                        sink.send(Message::Ping(Vec::new().into())).await
                    }).await;
                    match sent {
                        Ok(Ok(())) => {
                            let n = stats.heartbeats.fetch_add(1, Ordering::Relaxed) + 1;
                            // One line a minute at the default interval; every beat at debug.
                            if n % 3 == 1 {
                                tracing::info!(count = n, "heartbeat sent");
                            } else {
                                tracing::debug!(count = n, "heartbeat sent");
                            }
                        }
                        Ok(Err(e)) => break format!("sending a heartbeat failed: {e}"),
                        Err(_) => break "sending a heartbeat timed out".into(),
                    }
                }
                frame = stream.next() => {
                    last_seen = Instant::now();
                    match frame {
                        Some(Ok(Message::Text(text))) => match parse_push(&text) {
                            Ok(msg) => {
                                tracing::info!(?msg, "message from the platform");
                                if events.send(ChannelEvent::Push(msg)).await.is_err() {
                                    break "agent gone".into();
                                }
                            }
                            Err(why) => tracing::warn!("ignored a WebSocket message: {why}: {:?}", truncate(&text, 200)),
                        },
                        Some(Ok(Message::Close(frame))) => break format!("closed by the platform ({frame:?})"),
                        Some(Ok(Message::Binary(_))) => tracing::warn!("ignored a binary WebSocket message"),
                        Some(Ok(_)) => {}
                        Some(Err(e)) => break format!("connection error: {e}"),
                        None => break "connection ended".into(),
                    }
                }
            }
        };
        stats.connected.store(false, Ordering::Relaxed);
        // Close properly before any reconnect: the platform's session registry removes the
        // engine's entry whenever *any* of its sessions closes (§4.4).
        let _ = tokio::time::timeout(Duration::from_secs(2), async {
            let _ = sink.send(Message::Close(None)).await;
            let _ = sink.close().await;
            while let Some(Ok(_)) = stream.next().await {}
        })
        .await;
        if reason == "shutdown" {
            tracing::info!("WebSocket closed");
            break;
        }
        if connected_at.elapsed() > Duration::from_secs(30) {
            backoff.reset();
        }
        let delay = backoff.next_delay();
        tracing::warn!(
            "WebSocket lost: {reason}; reconnecting in {:.1}s",
            delay.as_secs_f64()
        );
        sleep_or_cancel(delay, &shutdown).await;
    }
}

fn describe_ws_error(e: &tokio_tungstenite::tungstenite::Error) -> String {
    match e {
        tokio_tungstenite::tungstenite::Error::Http(resp) => format!(
            "the platform answered HTTP {} instead of upgrading (wrong engine-code/engine-secret?)",
            resp.status()
        ),
        other => other.to_string(),
    }
}

fn truncate(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

async fn sleep_or_cancel(d: Duration, token: &CancellationToken) {
    tokio::select! {
        _ = token.cancelled() => {}
        _ = tokio::time::sleep(d) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_only_the_scheme() {
        let s = Secret::new("s e");
        let u = websocket_url("http://httphost:8080/prefix", "abc", &s).expect("url");
        assert_eq!(
            u.as_str(),
            "ws://httphost:8080/prefix/websocket/engine/heartbeat?engineCode=abc&engineSecret=s+e"
        );
        let u = websocket_url("https://h", "abc", &s).expect("url");
        assert!(u.as_str().starts_with("wss://h/websocket"));
    }
}
