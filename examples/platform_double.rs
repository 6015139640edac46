//! A LiuMa platform double to try the engine by hand, without a real platform:
//!
//! ```sh
//! cargo run --example platform_double -- /tmp/liuma/config.ini 300
//! cargo run --release -- start --config /tmp/liuma/config.ini --home /tmp/liuma
//! ```
//!
//! It writes a config.ini pointing at itself, then prints the engine's status on the platform
//! every 30 s for the given number of seconds (default 300).

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Duration;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let config = args
        .next()
        .unwrap_or_else(|| "double-config.ini".to_string());
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(300);
    let p = support::PlatformDouble::start().await;
    let text = format!(
        "[Platform]\nurl = {}\nenable-stderr = true\n\n[Engine]\nengine-code = {}\nengine-secret = {}\n\n[Header]\ncontent-type = application/json;charset=utf-8\ntoken = ******\n\n[RunSetting]\nmax-run = 2\n",
        p.url(),
        p.engine_code(),
        p.engine_secret()
    );
    if let Some(dir) = std::path::Path::new(&config).parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Err(e) = std::fs::write(&config, text) {
        eprintln!("cannot write {config}: {e}");
        std::process::exit(1);
    }
    println!(
        "platform double at {} ; config written to {config}",
        p.url()
    );
    let mut waited = 0;
    while waited < seconds {
        tokio::time::sleep(Duration::from_secs(30.min(seconds - waited))).await;
        waited += 30;
        println!(
            "t={waited}s engine={} heartbeats={} ws_connections={} http_heartbeats={}",
            p.engine_status(),
            p.heartbeats(),
            p.ws_connections(),
            p.http_heartbeats()
        );
    }
}
