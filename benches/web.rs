//! Engine overhead per WEB step: the same WebDriver work — open a page, then N times find an
//! element and compare its text — run as a WEB case by the engine (`cases::execute`, the code
//! the agent runs) and by a bare thirtyfour loop, against the same local page, each with its own
//! headless Debian Chromium started before the clock runs. Reports both times and the ratio
//! (goal ≤ 1.2×), and the process's RSS after the engine's part.
//!
//! Second part: the engine process's own memory during a WEB task through the agent. The real
//! `liuma-engine start` against the platform double runs a task of 2 collections at once (each
//! starting its own headless Chromium, 3 cases reusing it, 100 steps per case and a
//! screenshot each); the figure is the engine process's VmHWM — chromedriver and the browsers
//! are child processes with their own memory and are not counted.
//!
//! `cargo bench --bench web` runs both parts; `-- steps` or `-- rss` runs one (needs
//! `chromium` and `chromedriver`, as the WEB tests do).

#[path = "../tests/support/mod.rs"]
mod support;

use liuma_engine::cases::web::WebEnv;
use liuma_engine::cases::{self, CaseEnv, CaseMeta, CollectionContext, Status};
use liuma_engine::ids::{CaseId, CollectionId};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::PlatformDouble;
use support::engine::Engine;
use support::site::Site;
use support::webcase::{assert_op, live_profiles, op, open, save, web_case};
use tokio_util::sync::CancellationToken;

const STEPS: usize = 200;
const ROUNDS: usize = 3;

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let args: Vec<String> = std::env::args().skip(1).collect();
    let only = |part: &str| {
        !args.iter().any(|a| a == "steps" || a == "rss") || args.iter().any(|a| a == part)
    };
    if only("steps") {
        rt.block_on(run());
    }
    if only("rss") {
        rt.block_on(agent_rss());
    }
}

fn env(home: &std::path::Path) -> CaseEnv {
    let mut web = WebEnv::new(home);
    web.driver_start_timeout = Duration::from_secs(60);
    CaseEnv {
        step_timeout_cap: Duration::from_secs(60),
        enable_stderr: false,
        max_response_bytes: 8 * 1024 * 1024,
        max_loop_iterations: 1000,
        loop_timeout_cap: Duration::from_secs(60),
        web,
        ..CaseEnv::defaults(home).expect("case env")
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
    let r = cases::execute(&meta("warm"), Ok(warm.into()), &mut ctx, env, &cancel)
        .await
        .expect("not cancelled");
    assert_eq!(r.status, Status::Pass, "{:?}", r.transactions);
    let mut steps = vec![open(&site.base, "/form")];
    steps.extend((0..STEPS).map(|_| text_check()));
    let case = web_case("timed", false, true, steps);
    let start = Instant::now();
    let r = cases::execute(&meta("timed"), Ok(case.into()), &mut ctx, env, &cancel)
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

const RSS_STEPS: usize = 100;
const RSS_CASES: usize = 3;

/// One case of the RSS task: 100 steps that type, click, compare and extract on the form page,
/// and a screenshot (uploaded by the agent). The first case starts the collection's browser,
/// the last closes it.
fn rss_case(site: &Site, k: usize) -> Value {
    let b = site.base.as_str();
    let mut steps = vec![open(b, "/form")];
    for i in 0..RSS_STEPS {
        steps.push(match i % 4 {
            0 => text_check(),
            1 => op(
                "page",
                "输入",
                &[("element", "ID", "name")],
                &[("text", "String", "x")],
            ),
            2 => op("page", "单击", &[("element", "ID", "go")], &[]),
            _ => save(
                "提取元素属性",
                &[("element", "ID", "name")],
                &[("name", "String", "value")],
                "typed",
            ),
        });
    }
    steps.push(op(
        "browser",
        "屏幕截图",
        &[],
        &[("name", "String", "shot")],
    ));
    web_case(&support::cases::uid(), k == 0, k + 1 == RSS_CASES, steps)
}

/// A `/proc/<pid>/status` field in kB (VmRSS, VmHWM).
fn status_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// The engine as a user runs it (default intervals, log level info, headless Chromium), two
/// tasks at once allowed; VmHWM of its process after a 2-collection WEB task.
async fn agent_rss() {
    let site = Site::start().await;
    let p = PlatformDouble::start().await;
    let mut engine = Engine::prepare(&format!(
        "[Platform]\nurl = {}\nenable-stderr = false\n\n[Engine]\nengine-code = {}\nengine-secret = {}\n\n[Header]\ncontent-type = application/json;charset=utf-8\n\n[WebDriver]\noptions = headless\npath = chromedriver\n\n[RunSetting]\nmax-run = 2\n\n[Agent]\nlog-level = info\n",
        p.url(),
        p.engine_code(),
        p.engine_secret()
    ));
    engine.spawn();
    let pid = engine.pid();
    assert!(
        p.wait_until(|d| d.ws_registered(), Duration::from_secs(60))
            .await,
        "the engine did not connect: {}",
        engine.output()
    );
    let idle_kb = status_kb(pid, "VmRSS:");
    let collection = || (0..RSS_CASES).map(|k| rss_case(&site, k)).collect();
    let task_id = support::webcase::web_task(&p, 2, vec![collection(), collection()]);
    p.push_start();
    let start = Instant::now();
    let deadline = start + Duration::from_secs(600);
    let (mut browsers, mut rss_max) = (0, 0);
    while p.completes(&task_id) == 0 && Instant::now() < deadline {
        browsers = browsers.max(live_profiles(engine.path(), pid));
        rss_max = rss_max.max(status_kb(pid, "VmRSS:"));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let took = start.elapsed().as_secs_f64();
    let hwm_kb = status_kb(pid, "VmHWM:");
    assert_eq!(p.completes(&task_id), 1, "{}", engine.output());
    let results = p.results(&task_id);
    assert_eq!(results.len(), 2 * RSS_CASES);
    assert!(
        results.iter().all(|r| r["status"] == 0),
        "{:?}",
        results.iter().find(|r| r["status"] != 0)
    );
    engine.signal("TERM");
    let _ = engine.wait_exit(Duration::from_secs(30));
    let mb = |kb: u64| kb as f64 / 1024.0;
    println!(
        "WEB task through the agent: 2 collections at once ({browsers} browsers seen), {RSS_CASES} cases of {RSS_STEPS} steps + a screenshot each, {took:.1} s:"
    );
    println!(
        "  liuma-engine process (browsers and chromedriver excluded): VmHWM {:.1} MB, highest sampled VmRSS {:.1} MB, idle before the task {:.1} MB",
        mb(hwm_kb),
        mb(rss_max),
        mb(idle_kb)
    );
}
