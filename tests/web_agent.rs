//! WEB cases through the real engine binary and the platform double: screenshots uploaded
//! exactly once (also when uploads fail for a while), two browsers at once, the driver slot
//! across cases, a browser killed mid-case, stop and shutdown mid-case leaving no browser or
//! chromedriver behind, and remote mode. Every wait is bounded; network only to loopback.

mod support;

use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::PlatformDouble;
use support::cases::uid;
use support::engine::{Engine, kill_and_wait};
use support::site::Site;
use support::webcase::{assert_op, engine_browsers, live_profiles, op, open, web_case, web_task};

const WAIT: Duration = Duration::from_secs(60);

fn start_engine(p: &PlatformDouble, extra: &str) -> Engine {
    Engine::start(&p.url(), &p.engine_code(), &p.engine_secret(), 2, extra)
}

fn sleep_step(seconds: &str) -> Value {
    op("browser", "强制等待", &[], &[("second", "Int", seconds)])
}

fn decodes_as_png(bytes: &[u8]) -> bool {
    let mut d = png::Decoder::new(std::io::Cursor::new(bytes));
    d.set_transformations(png::Transformations::EXPAND);
    let Ok(mut r) = d.read_info() else {
        return false;
    };
    let Some(size) = r.output_buffer_size() else {
        return false;
    };
    let mut buf = vec![0; size];
    r.next_frame(&mut buf).is_ok()
}

async fn wait_for(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    cond()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failure_screenshots_reach_the_platform_exactly_once_despite_failing_uploads() {
    let p = PlatformDouble::start().await;
    let site = Site::start().await;
    let b = site.base.as_str();
    // The first uploads fail (HTTP 500): every screenshot must still arrive exactly once.
    p.fail_requests_with_500("/openapi/engine/screenshot/upload", 4);
    let shot = op("browser", "屏幕截图", &[], &[("name", "String", "page")]);
    let task_id = web_task(
        &p,
        1,
        vec![vec![
            web_case(
                &uid(),
                true,
                false,
                vec![
                    open(b, "/form"),
                    shot,
                    assert_op("断言页面标题", &[], &[], "equals", "String", "wrong title"),
                ],
            ),
            web_case(
                &uid(),
                false,
                true,
                vec![
                    open(b, "/form"),
                    op("page", "单击", &[("element", "ID", "missing")], &[]),
                ],
            ),
        ]],
    );
    let engine = start_engine(&p, "");
    assert!(
        p.wait_until(|d| d.completes(&task_id) == 1, WAIT).await,
        "{}",
        engine.output()
    );
    let results = p.results(&task_id);
    assert_eq!(results.len(), 2);
    let by_index = |i: i64| results.iter().find(|r| r["index"] == i).expect("result");
    let (first, second) = (by_index(1), by_index(2));
    assert_eq!(
        (first["status"].as_i64(), second["status"].as_i64()),
        (Some(1), Some(2))
    );
    let ids = |r: &Value, step: usize| -> Vec<String> {
        r["transactionList"][step]["screenShotList"]
            .as_array()
            .expect("list")
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect()
    };
    let (shot_ids, fail_ids, error_ids) = (ids(first, 1), ids(first, 2), ids(second, 1));
    assert_eq!((shot_ids.len(), fail_ids.len(), error_ids.len()), (1, 1, 1));
    let expected: Vec<String> = [shot_ids, fail_ids, error_ids].concat();
    assert!(
        p.wait_until(|d| d.screenshots().len() >= 3, WAIT).await,
        "screenshots: {:?}\n{}",
        p.screenshots()
            .iter()
            .map(|s| s.0.clone())
            .collect::<Vec<_>>(),
        engine.logs()
    );
    // Settle: nothing more arrives.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let got = p.screenshots();
    let mut names: Vec<String> = got.iter().map(|(n, _)| n.clone()).collect();
    names.sort();
    let mut want: Vec<String> = expected.iter().map(|id| format!("{id}.png")).collect();
    want.sort();
    assert_eq!(names, want, "each screenshot exactly once");
    for (name, bytes) in &got {
        assert!(decodes_as_png(bytes), "{name} is not a decodable PNG");
        assert_eq!(name.matches('_').count(), 1);
    }
    // Uploaded screenshots are deleted, and so is image/<taskId>.
    let dir = engine.path().join("image").join(&task_id);
    assert!(
        wait_for(Duration::from_secs(5), || !dir.exists()).await,
        "image/<taskId> left behind"
    );
    assert!(engine_browsers(engine.path(), engine.pid()).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_collections_run_two_browsers_at_once_and_the_slot_follows_the_cases() {
    let p = PlatformDouble::start().await;
    let site = Site::start().await;
    let b = site.base.as_str();
    let collection = |tag: &str| {
        vec![
            // Starts a browser and keeps it; the next cases reuse it (its page is still open).
            web_case(&uid(), true, false, vec![open(b, "/form"), sleep_step("3")]),
            web_case(
                &uid(),
                false,
                false,
                vec![assert_op(
                    "断言页面标题",
                    &[],
                    &[],
                    "equals",
                    "String",
                    "Form page",
                )],
            ),
            web_case(
                &uid(),
                false,
                true,
                vec![assert_op(
                    "断言页面url",
                    &[],
                    &[],
                    "endWith",
                    "String",
                    "/form",
                )],
            ),
            // closeDriver above: nothing to reuse any more.
            web_case(
                &format!("no-browser-{tag}"),
                false,
                false,
                vec![open(b, "/form")],
            ),
            // The last case leaves its browser open: the collection end closes it (Q10).
            web_case(&uid(), true, false, vec![open(b, "/other")]),
        ]
    };
    let task_id = web_task(&p, 2, vec![collection("a"), collection("b")]);
    let engine = start_engine(&p, "");
    let mut most = 0;
    let deadline = Instant::now() + WAIT;
    while p.completes(&task_id) == 0 && Instant::now() < deadline {
        most = most.max(live_profiles(engine.path(), engine.pid()));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(p.completes(&task_id), 1, "{}", engine.output());
    assert_eq!(most, 2, "two browsers at once");
    let results = p.results(&task_id);
    assert_eq!(results.len(), 10);
    for r in &results {
        let want = if r["caseId"].as_str().unwrap_or("").starts_with("no-browser") {
            2
        } else {
            0
        };
        assert_eq!(r["status"].as_i64(), Some(want), "{r:#}");
    }
    assert!(
        wait_for(Duration::from_secs(2), || engine_browsers(
            engine.path(),
            engine.pid()
        )
        .is_empty())
        .await,
        "{:?}",
        engine_browsers(engine.path(), engine.pid())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_killed_mid_case_errors_that_case_and_the_next_starts_a_new_one() {
    let p = PlatformDouble::start().await;
    let site = Site::start().await;
    let b = site.base.as_str();
    let task_id = web_task(
        &p,
        1,
        vec![vec![
            web_case(
                "victim",
                true,
                false,
                vec![
                    open(b, "/form"),
                    sleep_step("3"),
                    assert_op("断言页面标题", &[], &[], "equals", "String", "Form page"),
                ],
            ),
            web_case(
                "next",
                true,
                true,
                vec![
                    open(b, "/form"),
                    assert_op("断言页面标题", &[], &[], "equals", "String", "Form page"),
                ],
            ),
        ]],
    );
    let engine = start_engine(&p, "");
    assert!(
        wait_for(WAIT, || live_profiles(engine.path(), engine.pid()) == 1).await,
        "{}",
        engine.output()
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Kill the browser (not chromedriver) from outside.
    for (pid, cmd) in engine_browsers(engine.path(), engine.pid()) {
        if cmd.contains("--user-data-dir") && !cmd.contains("chromedriver") {
            let _ = std::process::Command::new("kill")
                .arg("-9")
                .arg(pid.to_string())
                .status();
        }
    }
    assert!(
        p.wait_until(|d| d.completes(&task_id) == 1, WAIT).await,
        "{}",
        engine.output()
    );
    let results = p.results(&task_id);
    let status = |id: &str| {
        results
            .iter()
            .find(|r| r["caseId"] == id)
            .and_then(|r| r["status"].as_i64())
    };
    assert_eq!(status("victim"), Some(2));
    assert_eq!(status("next"), Some(0), "{results:#?}");
    assert!(
        wait_for(Duration::from_secs(2), || engine_browsers(
            engine.path(),
            engine.pid()
        )
        .is_empty())
        .await
    );
}

/// Starts a task whose case sleeps in the browser; returns once the browser is up.
async fn busy_browser(p: &PlatformDouble, site: &Site) -> (Engine, String) {
    let task_id = web_task(
        p,
        1,
        vec![vec![web_case(
            &uid(),
            true,
            false,
            vec![open(&site.base, "/form"), sleep_step("60")],
        )]],
    );
    let engine = start_engine(p, "drain-timeout = 30\n");
    assert!(
        wait_for(WAIT, || live_profiles(engine.path(), engine.pid()) == 1).await,
        "{}",
        engine.output()
    );
    (engine, task_id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_mid_case_leaves_no_browser_within_two_seconds() {
    let p = PlatformDouble::start().await;
    let site = Site::start().await;
    let (engine, task_id) = busy_browser(&p, &site).await;
    p.stop_task(&task_id);
    let gone = wait_for(Duration::from_secs(2), || {
        engine_browsers(engine.path(), engine.pid()).is_empty()
    })
    .await;
    assert!(
        gone,
        "left: {:?}",
        engine_browsers(engine.path(), engine.pid())
    );
    assert_eq!(p.completes(&task_id), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_mid_case_leaves_no_browser_within_two_seconds() {
    let p = PlatformDouble::start().await;
    let site = Site::start().await;
    let (mut engine, _task) = busy_browser(&p, &site).await;
    let (home, pid) = (engine.path().to_path_buf(), engine.pid());
    // First signal drains (the case would run on), the second stops at once.
    engine.signal("TERM");
    tokio::time::sleep(Duration::from_millis(300)).await;
    engine.signal("TERM");
    let gone = wait_for(Duration::from_secs(2), || {
        engine_browsers(&home, pid).is_empty()
    })
    .await;
    assert!(gone, "left: {:?}", engine_browsers(&home, pid));
    let code = tokio::task::spawn_blocking(move || engine.wait_exit(Duration::from_secs(30)))
        .await
        .expect("join");
    assert!(code.is_some(), "the engine did not exit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_mode_uses_a_webdriver_server_started_by_the_test() {
    let p = PlatformDouble::start().await;
    let site = Site::start().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let profile = tempfile::tempdir().expect("profile");
    let mut server = {
        use std::os::unix::process::CommandExt;
        std::process::Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .process_group(0)
            .spawn()
            .expect("chromedriver (apt-get install chromium-driver)")
    };
    let mut case = web_case(
        "remote",
        true,
        true,
        vec![
            open(&site.base, "/form"),
            assert_op("断言页面标题", &[], &[], "equals", "String", "Form page"),
        ],
    );
    case["driverSetting"] = json!({
        "binary": "",
        "arguments": [{"value": "--headless"}, {"value": "--no-sandbox"}, {"value": "--disable-gpu"},
                      {"value": format!("--user-data-dir={}", profile.path().display())}, {"value": ""}],
        "experimentals": [{"name": "", "type": "String", "value": ""}],
        "extensions": [{"value": ""}], "files": [{"value": ""}]
    });
    let mut engine = Engine::start(&p.url(), &p.engine_code(), &p.engine_secret(), 1, "");
    // Point [WebDriver] at the test's server.
    let cfg = std::fs::read_to_string(&engine.config)
        .expect("config")
        .replace(
            "options = headless\npath = chromedriver",
            &format!("options = remote\npath = http://127.0.0.1:{port}"),
        );
    std::fs::write(&engine.config, cfg).expect("config");
    engine.signal("KILL");
    let _ = engine.wait_exit(Duration::from_secs(5));
    engine.spawn();
    // Only now the task exists: the first (headless) engine could not take it.
    let task_id = web_task(&p, 1, vec![vec![case]]);
    let done = p.wait_until(|d| d.completes(&task_id) == 1, WAIT).await;
    let results = p.results(&task_id);
    // The test's own server group. `--` matters: without it `kill -9 -<pgid>` is read by
    // util-linux's kill as options and ends as kill(-1, SIGKILL), every process of the user.
    let _ = std::process::Command::new("kill")
        .args(["-s", "KILL", "--"])
        .arg(format!("-{}", server.id()))
        .status();
    let _ = server.wait();
    assert!(done, "{}", engine.output());
    assert_eq!(results[0]["status"].as_i64(), Some(0), "{:#}", results[0]);
    // The engine spawned no chromedriver of its own.
    assert!(!engine.logs().contains("chromedriver not found"));
}

/// web-cases §5: a screenshot the platform has not acknowledged survives the engine being
/// killed; the next start uploads it, once, and then removes `image/<taskId>`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_screenshot_not_yet_uploaded_survives_a_kill_and_arrives_once_after_restart() {
    const UPLOAD: &str = "/openapi/engine/screenshot/upload";
    let p = PlatformDouble::start().await;
    let site = Site::start().await;
    p.fail_requests_with_500(UPLOAD, 1_000_000);
    let shot = op("browser", "屏幕截图", &[], &[("name", "String", "page")]);
    let task_id = web_task(
        &p,
        1,
        vec![vec![web_case(
            &uid(),
            true,
            true,
            vec![open(&site.base, "/form"), shot],
        )]],
    );
    let engine = start_engine(&p, "");
    assert!(
        p.wait_until(|d| d.completes(&task_id) == 1, WAIT).await,
        "{}",
        engine.output()
    );
    let results = p.results(&task_id);
    let ids: Vec<String> = results[0]["transactionList"][1]["screenShotList"]
        .as_array()
        .expect("list")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(ids.len(), 1, "{results:?}");
    let dir = engine.path().join("image").join(&task_id);
    let file = dir.join(format!("{}.png", ids[0]));
    // The engine has tried (and failed) to upload it at least once before it is killed.
    assert!(
        p.wait_until(|d| d.requests().iter().any(|r| r.path == UPLOAD), WAIT)
            .await,
        "no screenshot upload was tried"
    );
    assert!(file.exists(), "the screenshot waits in {}", dir.display());
    let mut engine = kill_and_wait(engine).await;
    assert!(p.screenshots().is_empty());

    p.fail_requests_with_500(UPLOAD, 0);
    engine.spawn();
    assert!(
        p.wait_until(|d| !d.screenshots().is_empty(), WAIT).await,
        "the screenshot did not arrive after the restart\n{}",
        engine.logs()
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let got = p.screenshots();
    assert_eq!(got.len(), 1, "exactly once");
    assert_eq!(got[0].0, format!("{}.png", ids[0]));
    assert!(decodes_as_png(&got[0].1));
    assert!(
        wait_for(Duration::from_secs(5), || !dir.exists()).await,
        "image/<taskId> left behind"
    );
}
