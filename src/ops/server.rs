//! The optional HTTP listener (`[Metrics] enabled = true`): `/metrics` in the Prometheus text
//! format, `/healthz` (the main loops turn) and `/readyz` (online at the platform, not
//! draining). Served by axum on its own port, loopback by default.

use super::liveness;
use crate::platform::PlatformClient;
use crate::platform::ws::ChannelStats;
use crate::store::Store;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio_util::sync::CancellationToken;

/// What the endpoints look at; everything is read at request time.
pub struct Probe {
    pub client: Arc<PlatformClient>,
    pub ws: Arc<ChannelStats>,
    pub store: Arc<Store>,
    /// Cancelled when the agent drains: no longer ready for work.
    pub drain: CancellationToken,
}

impl Probe {
    /// Seconds since the last successful platform call, `None` before the first.
    fn contact_age(&self) -> Option<f64> {
        let ms = self.client.stats.last_contact_ms.load(Ordering::Relaxed);
        (ms > 0).then(|| ((chrono::Utc::now().timestamp_millis() - ms).max(0) as f64) / 1000.0)
    }

    /// Sets the gauges that are read rather than counted.
    async fn refresh(self: &Arc<Self>) {
        metrics::gauge!("liuma_platform_contact_age_seconds")
            .set(self.contact_age().unwrap_or(-1.0));
        let connected = self.ws.connected.load(Ordering::Relaxed);
        metrics::gauge!("liuma_websocket_connected").set(if connected { 1.0 } else { 0.0 });
        let connects = self.ws.connects.load(Ordering::Relaxed);
        metrics::counter!("liuma_websocket_reconnects_total").absolute(connects.saturating_sub(1));
        let store = self.store.clone();
        match tokio::task::spawn_blocking(move || store.queue_depths()).await {
            Ok(Ok((outbox, shots))) => {
                metrics::gauge!("liuma_outbox_pending").set(outbox as f64);
                metrics::gauge!("liuma_screenshot_queue").set(shots as f64);
            }
            Ok(Err(e)) => tracing::warn!("metrics: cannot count the upload queues: {e}"),
            Err(e) => tracing::warn!("metrics: cannot count the upload queues: {e}"),
        }
    }
}

/// Binds `addr` and serves until `stop`; returns the bound address (port 0 picks one).
pub async fn serve(
    addr: SocketAddr,
    probe: Arc<Probe>,
    stop: CancellationToken,
) -> Result<SocketAddr, String> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("[Metrics] listen = {addr}: cannot listen: {e}"))?;
    let bound = listener
        .local_addr()
        .map_err(|e| format!("[Metrics] listen = {addr}: {e}"))?;
    let app = Router::new()
        .route("/metrics", get(metrics_page))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(probe);
    tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move { stop.cancelled().await })
            .await;
        if let Err(e) = served {
            tracing::error!("the metrics listener stopped: {e}");
        }
    });
    tracing::info!("metrics listening on http://{bound} (/metrics, /healthz, /readyz)");
    Ok(bound)
}

async fn metrics_page(State(probe): State<Arc<Probe>>) -> Response {
    let Some(handle) = super::metrics::handle() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics recorder not installed\n",
        )
            .into_response();
    };
    probe.refresh().await;
    handle.run_upkeep();
    let mut body = Vec::new();
    if let Err(e) = handle.render_to_write(&mut body) {
        return (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

async fn healthz() -> Response {
    match liveness::stale() {
        None => (StatusCode::OK, "ok\n").into_response(),
        Some((l, silent)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "unhealthy: the {} loop has been silent for {} s\n",
                l.name(),
                silent.as_secs()
            ),
        )
            .into_response(),
    }
}

async fn readyz(State(probe): State<Arc<Probe>>) -> Response {
    if probe.drain.is_cancelled() {
        return (StatusCode::SERVICE_UNAVAILABLE, "not ready: draining\n").into_response();
    }
    if let Some((l, silent)) = liveness::stale() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "not ready: the {} loop has been silent for {} s\n",
                l.name(),
                silent.as_secs()
            ),
        )
            .into_response();
    }
    if !probe.ws.connected.load(Ordering::Relaxed) {
        let contact = match probe.contact_age() {
            Some(s) => format!("last platform contact {s:.0} s ago"),
            None => "no platform contact yet".to_string(),
        };
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: the WebSocket to the platform is not connected ({contact})\n"),
        )
            .into_response();
    }
    (StatusCode::OK, "ready: online at the platform\n").into_response()
}
