//! Measures the engine's peak memory (VmHWM) while one case reads a large response body:
//!
//! ```sh
//! cargo build --release && cargo run --release --example big_response -- 52428800
//! ```
//!
//! Starts the platform double and a local target in this process, runs the release binary of
//! `liuma-engine start` against them with a debug task whose one step GETs `/bytes/<n>`, and
//! prints the engine's VmHWM once the task is completed.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(50 * 1024 * 1024);
    let p = support::PlatformDouble::start().await;
    let t = support::Target::start().await;
    let case_id = support::cases::uid();
    let case = support::cases::api_case(
        &case_id,
        "big",
        vec![support::cases::step(
            "big",
            &t.url(),
            "GET",
            &format!("/bytes/{n}"),
        )],
    );
    let task_id = support::cases::uid();
    p.add_task(support::debug_task(&task_id, "API", case));
    let home = tempfile::tempdir().expect("tmp");
    let config = home.path().join("config.ini");
    std::fs::write(
        &config,
        support::engine::config_text(&p.url(), &p.engine_code(), &p.engine_secret(), 1, ""),
    )
    .expect("config");
    let bin = concat!(env!("CARGO_MANIFEST_DIR"), "/target/release/liuma-engine");
    let mut child = std::process::Command::new(bin)
        .args(["start", "--config"])
        .arg(&config)
        .arg("--home")
        .arg(home.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start the release binary (cargo build --release first)");
    let started = Instant::now();
    let done = p
        .wait_until(|d| d.completes(&task_id) == 1, Duration::from_secs(120))
        .await;
    let peak = vm_hwm_kb(child.id());
    let _ = child.kill();
    let _ = child.wait();
    let results = p.results(&task_id);
    println!(
        "body {} MiB: completed={done} in {:.1}s, case status {}, engine VmHWM {:?} KiB",
        n / (1024 * 1024),
        started.elapsed().as_secs_f64(),
        results
            .first()
            .map(|r| r["status"].clone())
            .unwrap_or_default(),
        peak
    );
}
