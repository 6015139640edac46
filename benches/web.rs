//! Engine overhead per WEB step: the same WebDriver work — open a page, then N times find an
//! element and compare its text — run as a WEB case by the engine (`cases::execute`, the code
//! the agent runs) and by a bare thirtyfour loop, against the same local page, each with its own
//! headless Debian Chromium started before the clock runs. Reports both times and the ratio
//! (goal ≤ 1.2×), and the process's RSS after the engine's part.
//!
//! `cargo bench --bench web` (needs `chromium` and `chromedriver`, as the WEB tests do).

#[path = "../tests/support/mod.rs"]
mod support;

use liuma_engine::cases::web::WebEnv;
use liuma_engine::cases::{self, CaseEnv, CaseMeta, CollectionContext, Status};
use liuma_engine::ids::{CaseId, CollectionId};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::site::Site;
use support::webcase::{assert_op, open, web_case};
use tokio_util::sync::CancellationToken;

const STEPS: usize = 200;
const ROUNDS: usize = 3;

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run());
}

fn env(home: &std::path::Path) -> CaseEnv {
    let mut web = WebEnv::new(home);
    web.driver_start_timeout = Duration::from_secs(60);
    CaseEnv {
        http: cases::api::request::HttpClients::new().expect("clients"),
        step_timeout_cap: Duration::from_secs(60),
        enable_stderr: false,
        max_response_bytes: 8 * 1024 * 1024,
        functions: liuma_engine::functions::Library::new(None, home.join("file")),
        max_loop_iterations: 1000,
        loop_timeout_cap: Duration::from_secs(60),
        web,
        sql: Default::default(),
    }
}

fn meta(id: &str) -> CaseMeta {
    CaseMeta {
        collection_id: CollectionId("bench".into()),
        case_id: CaseId(id.into()),
        case_type: "WEB".into(),
        index: 1,
        run_times: 1,
    }
}

fn text_check() -> Value {
    assert_op(
        "断言元素文本",
        &[("element", "ID", "box")],
        &[],
        "equals",
        "String",
        "Box text",
    )
}

async fn run() {
    let site = Site::start().await;
    let home = tempfile::tempdir().expect("home");
    let env = env(home.path());
    let mut engine_best = f64::MAX;
    let mut bare_best = f64::MAX;
    for _ in 0..ROUNDS {
        engine_best = engine_best.min(engine_round(&site, &env).await);
        bare_best = bare_best.min(bare_round(&site).await);
    }
    let rss = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.to_string())
        })
        .unwrap_or_default();
    println!(
        "WEB, {STEPS} steps (find #box, compare its text) after opening the page, best of {ROUNDS}:"
    );
    println!(
        "  engine {:.3} s ({:.2} ms/step), bare thirtyfour {:.3} s ({:.2} ms/step), ratio {:.2}",
        engine_best,
        engine_best * 1000.0 / STEPS as f64,
        bare_best,
        bare_best * 1000.0 / STEPS as f64,
        engine_best / bare_best
    );
    println!("  this process (engine code, site, no browsers): {rss}");
}

/// The engine: a first case starts the browser (not timed); the second, in the same collection
/// context, opens the page and runs the checks.
async fn engine_round(site: &Site, env: &CaseEnv) -> f64 {
    let mut ctx = CollectionContext::default();
    let cancel = CancellationToken::new();
    let warm = web_case("warm", true, false, vec![open(&site.base, "/form")]);
    let r = cases::execute(&meta("warm"), Ok(warm), &mut ctx, env, &cancel)
        .await
        .expect("not cancelled");
    assert_eq!(r.status, Status::Pass, "{:?}", r.transactions);
    let mut steps = vec![open(&site.base, "/form")];
    steps.extend((0..STEPS).map(|_| text_check()));
    let case = web_case("timed", false, true, steps);
    let start = Instant::now();
    let r = cases::execute(&meta("timed"), Ok(case), &mut ctx, env, &cancel)
        .await
        .expect("not cancelled");
    let took = start.elapsed().as_secs_f64();
    assert_eq!(r.status, Status::Pass, "{:?}", r.transactions.first());
    took
}

/// The bare loop: its own chromedriver and headless Chromium with the engine's arguments.
async fn bare_round(site: &Site) -> f64 {
    liuma_engine::net::ensure_crypto_provider();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let profile = tempfile::tempdir().expect("profile");
    let mut driver = std::process::Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("chromedriver");
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--window-size=1920,1080",
                     "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run",
                     format!("--user-data-dir={}", profile.path().display())]
        }
    });
    let caps = match caps {
        Value::Object(m) => m,
        _ => unreachable!("a JSON object literal"),
    };
    let wd = thirtyfour::WebDriver::builder(&url, caps)
        .connect()
        .await
        .expect("session");
    let page = format!("{}/form", site.base);
    let start = Instant::now();
    wd.goto(&page).await.expect("goto");
    for _ in 0..STEPS {
        let text = wd
            .find(thirtyfour::By::Id("box"))
            .await
            .expect("find")
            .text()
            .await
            .expect("text");
        assert_eq!(text, "Box text");
    }
    let took = start.elapsed().as_secs_f64();
    let _ = wd.quit().await;
    let _ = driver.kill();
    let _ = driver.wait();
    took
}
