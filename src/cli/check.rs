//! `liuma-engine check`: one line per check, stopping at the first failure with what to fix.

use crate::config::Config;
use crate::platform::ws::websocket_url;
use crate::platform::{PlatformClient, PlatformError};
use std::path::Path;
use std::time::Duration;

/// A check's outcome: `Ok(detail)` or `Err(what to fix)`.
type Outcome = Result<String, String>;

fn line(ok: bool, name: &str, text: &str) {
    println!("[{}] {name}: {text}", if ok { " ok " } else { "FAIL" });
}

/// Runs the checks; returns the process exit code.
pub async fn run(config_path: &Path) -> i32 {
    let cfg = match Config::load(config_path) {
        Ok(c) => {
            line(
                true,
                "config",
                &format!(
                    "{} is valid (platform {}, engine {})",
                    config_path.display(),
                    c.platform_url,
                    c.engine_code
                ),
            );
            c
        }
        Err(e) => {
            line(false, "config", &e.to_string());
            return 2;
        }
    };
    let client = match PlatformClient::new(&cfg) {
        Ok(c) => c,
        Err(e) => {
            line(false, "http client", &e.to_string());
            return 1;
        }
    };

    let reach = reach(&cfg).await;
    if !report("platform", reach) {
        return 1;
    }
    let token = match client.apply_token().await {
        Ok(_) => Ok("token/apply accepted the engine code and secret".to_string()),
        Err(PlatformError::Http { status: 500, .. }) => Err(
            "token/apply answered HTTP 500: the platform does not know this engine-code (check [Engine] engine-code)".to_string(),
        ),
        Err(e) => Err(e.to_string()),
    };
    if !report("token", token) {
        return 1;
    }
    if !report("websocket", websocket(&cfg).await) {
        return 1;
    }
    0
}

fn report(name: &str, outcome: Outcome) -> bool {
    match outcome {
        Ok(t) => {
            line(true, name, &t);
            true
        }
        Err(t) => {
            line(false, name, &t);
            false
        }
    }
}

async fn reach(cfg: &Config) -> Outcome {
    crate::net::ensure_crypto_provider();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .no_proxy()
        .build()
        .map_err(|e| e.to_string())?;
    match http.get(&cfg.platform_url).send().await {
        Ok(r) => Ok(format!(
            "{} answers (HTTP {})",
            cfg.platform_url,
            r.status().as_u16()
        )),
        Err(e) => Err(format!(
            "cannot reach {}: {e}; check [Platform] url in {} and that the platform is running",
            cfg.platform_url,
            cfg.file.display()
        )),
    }
}

async fn websocket(cfg: &Config) -> Outcome {
    crate::net::ensure_crypto_provider();
    let url = websocket_url(&cfg.platform_url, &cfg.engine_code, &cfg.engine_secret)?;
    match tokio::time::timeout(
        Duration::from_secs(10),
        tokio_tungstenite::connect_async(url.as_str()),
    )
    .await
    {
        Ok(Ok((mut ws, _))) => {
            let _ = ws.close(None).await;
            Ok(format!(
                "{}/websocket/engine/heartbeat accepted the engine",
                cfg.platform_url
            ))
        }
        Ok(Err(tokio_tungstenite::tungstenite::Error::Http(resp))) => Err(format!(
            "the platform refused the WebSocket with HTTP {}: engine-code or engine-secret in [Engine] is wrong",
            resp.status()
        )),
        Ok(Err(e)) => Err(format!("WebSocket failed: {e}")),
        Err(_) => Err(
            "WebSocket handshake timed out after 10 s (a proxy that blocks upgrades?)".to_string(),
        ),
    }
}
