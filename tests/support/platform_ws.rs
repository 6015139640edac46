//! `/websocket/engine/heartbeat` (spec §4): handshake validation without
//! upgrade on failure, text frames as heartbeats, binary frames fatal, and
//! the one-entry session registry whose quirk (any close removes the entry)
//! the engine has to survive.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::extract::{Query, State};
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tokio::sync::{mpsc, watch};

use super::envelope::spring_error;
use super::platform_http::record_request;
use super::platform_state::{OFFLINE, Session, Shared, WsCmd};

/// Tomcat's default text message buffer (§4.2).
const MAX_TEXT: usize = 8 * 1024;

pub async fn ws_handler(
    State(sh): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    record_request(&sh, &method, uri.path());
    let delay = sh.lock().faults.delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let query = Query::<HashMap<String, String>>::try_from_uri(&uri)
        .map(|q| q.0)
        .unwrap_or_default();
    let valid = {
        let st = sh.lock();
        query.get("engineCode") == Some(&st.engine_code)
            && query.get("engineSecret") == Some(&st.engine_secret)
    };
    // `WsEngineInterceptor` throws before the upgrade: a plain HTTP error.
    if !valid {
        return spring_error(StatusCode::INTERNAL_SERVER_ERROR, uri.path());
    }
    match upgrade {
        Ok(ws) => ws.on_upgrade(move |socket| run_session(sh, socket)),
        Err(rejection) => rejection.into_response(),
    }
}

async fn run_session(sh: Arc<Shared>, mut socket: WebSocket) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    // Keep a sender so `rx` never reports "closed" after a newer session
    // replaced this one in the registry.
    let _keep = tx.clone();
    let id = {
        let mut st = sh.lock();
        let id = st.next_session_id;
        st.next_session_id += 1;
        st.live_sessions.insert(id, tx.clone());
        st.session = Some(Session { tx });
        st.ws_connections += 1;
        st.wake();
        st.last_heartbeat = Some(Instant::now());
        id
    };
    loop {
        tokio::select! {
            msg = socket.recv() => match msg {
                Some(Ok(Message::Text(text))) => {
                    if text.len() > MAX_TEXT {
                        close(&mut socket, close_code::SIZE, "message too big").await;
                        break;
                    }
                    let mut st = sh.lock();
                    st.heartbeats += 1;
                    st.last_heartbeat = Some(Instant::now());
                }
                Some(Ok(Message::Binary(_))) => {
                    close(&mut socket, close_code::UNSUPPORTED, "Binary messages not supported")
                        .await;
                    break;
                }
                // The container answers pings; they are not heartbeats.
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
            },
            cmd = rx.recv() => match cmd {
                Some(WsCmd::Text(text)) => {
                    // Pushes are best effort (§4.3): a failed send ends the session.
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Some(WsCmd::Close(code, reason)) => {
                    close(&mut socket, code, &reason).await;
                    break;
                }
                None => break,
            },
        }
    }
    // Any closing session removes the registry entry, even a newer one (§4.4).
    let mut st = sh.lock();
    st.live_sessions.remove(&id);
    st.session = None;
    st.engine_status = OFFLINE;
}

async fn close(socket: &mut WebSocket, code: u16, reason: &str) {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    let _ = socket.send(Message::Close(Some(frame))).await;
}

/// Closes every open session (`close_ws_now`).
pub fn close_all(sh: &Shared) -> usize {
    let st = sh.lock();
    st.live_sessions
        .values()
        .filter(|tx| {
            tx.send(WsCmd::Close(close_code::AWAY, "closed by test".into()))
                .is_ok()
        })
        .count()
}

/// Background job of `close_ws_every`: zero interval means off.
pub async fn close_every_job(sh: Arc<Shared>, mut every: watch::Receiver<Duration>) {
    loop {
        let d = *every.borrow_and_update();
        if d.is_zero() {
            if every.changed().await.is_err() {
                return;
            }
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(d) => { close_all(&sh); }
            changed = every.changed() => if changed.is_err() { return; },
        }
    }
}
