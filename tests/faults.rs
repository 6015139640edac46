//! Faults the engine rides out and hostile input it refuses (the "never lose a result" issue).
//! In each, the platform double's record shows every result exactly once and one complete.

mod support;

use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::cases::{api_case, bundle_task, step, uid};
use support::engine::Engine;
use support::{PlatformDouble, Target};

fn start_engine(p: &PlatformDouble) -> Engine {
    Engine::start(&p.url(), &p.engine_code(), &p.engine_secret(), 2, "")
}

/// One collection of `n` cases, each `steps(k)`; returns the task id (task queued).
fn queue_task(p: &PlatformDouble, n: usize, steps: impl Fn(usize) -> Vec<Value>) -> String {
    let (task_id, task) = support::cases::api_bundle_task(p, 1, n, 1, false, |_, k| steps(k));
    p.add_task(task);
    task_id
}

/// Whether a log file under `<home>/log` contains `text`.
fn logs_contain(home: &std::path::Path, text: &str) -> bool {
    std::fs::read_dir(home.join("log")).is_ok_and(|d| {
        d.flatten()
            .any(|e| std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains(text)))
    })
}

fn assert_once(p: &PlatformDouble, task_id: &str, n: usize) {
    let mut keys = support::cases::result_keys(&p.results(task_id));
    let all = keys.len();
    keys.dedup();
    assert_eq!(all, keys.len(), "duplicates");
    assert_eq!(keys.len(), n, "lost results");
    assert_eq!(p.completes(task_id), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn platform_refusing_connections_for_two_minutes_mid_task() {
    let p = PlatformDouble::start().await;
    let t = Target::start().await;
    let base = t.url();
    let task_id = queue_task(&p, 10, |_| vec![step("s", &base, "GET", "/delay/300")]);
    let engine = start_engine(&p);
    assert!(
        p.wait_until(|d| !d.results(&task_id).is_empty(), Duration::from_secs(30))
            .await,
        "{}",
        engine.output()
    );
    p.refuse_connections_for(Duration::from_secs(120)).await;
    // Two minutes down, then up to the back-off cap (30 s) before the next attempt.
    assert!(
        p.wait_until(|d| d.completes(&task_id) == 1, Duration::from_secs(240))
            .await,
        "{}",
        engine.output()
    );
    assert_once(&p, &task_id, 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_delayed_ten_seconds_and_answers_that_are_not_json() {
    let p = PlatformDouble::start().await;
    let t = Target::start().await;
    let base = t.url();
    let engine = start_engine(&p);
    assert!(
        p.wait_until(|d| d.engine_status() == "online", Duration::from_secs(30))
            .await
    );
    p.non_json_answers(5);
    let task_id = queue_task(&p, 4, |_| vec![step("s", &base, "GET", "/json")]);
    assert!(
        p.wait_until(|d| !d.results(&task_id).is_empty(), Duration::from_secs(60))
            .await,
        "{}",
        engine.output()
    );
    p.delay_answers(Duration::from_secs(10));
    tokio::time::sleep(Duration::from_secs(12)).await;
    p.delay_answers(Duration::ZERO);
    assert!(
        p.wait_until(|d| d.completes(&task_id) == 1, Duration::from_secs(60))
            .await,
        "{}",
        engine.output()
    );
    assert_once(&p, &task_id, 4);
    assert!(
        engine.log_shows("not the JSON envelope").await,
        "the non-JSON answers were not seen"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_closed_every_ten_seconds() {
    let p = PlatformDouble::start().await;
    let t = Target::start().await;
    let base = t.url();
    p.close_ws_every(Duration::from_secs(10));
    let engine = start_engine(&p);
    let task_id = queue_task(&p, 60, |_| vec![step("s", &base, "GET", "/delay/400")]);
    assert!(
        p.wait_until(|d| d.completes(&task_id) == 1, Duration::from_secs(90))
            .await,
        "{}",
        engine.output()
    );
    assert_once(&p, &task_id, 60);
    assert!(
        p.ws_connections() >= 3,
        "the WebSocket was not reopened: {}",
        p.ws_connections()
    );
    assert!(
        p.wait_until(|d| d.ws_registered(), Duration::from_secs(15))
            .await,
        "offline at the end"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_garbage_is_ignored_and_the_engine_keeps_serving() {
    let p = PlatformDouble::start().await;
    let t = Target::start().await;
    let engine = start_engine(&p);
    assert!(
        p.wait_until(|d| d.ws_registered(), Duration::from_secs(30))
            .await
    );
    for msg in [
        "not json",
        "{\"type\":\"reboot\"}",
        "{\"data\":\"x\"}",
        "[]",
        "{\"type\":\"stop\"}",
    ] {
        assert!(p.push(msg));
    }
    let base = t.url();
    let task_id = queue_task(&p, 2, |_| vec![step("s", &base, "GET", "/json")]);
    p.push_start();
    assert!(
        p.wait_until(|d| d.completes(&task_id) == 1, Duration::from_secs(30))
            .await,
        "{}",
        engine.output()
    );
    assert_once(&p, &task_id, 2);
    assert!(engine.log_shows("ignored a WebSocket message").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zip_bomb_is_refused_and_every_case_errors() {
    let p = PlatformDouble::start().await;
    let task_id = uid();
    let cid = uid();
    let case_id = uid();
    let name = format!("/{task_id}/{cid}/{case_id}.json");
    p.add_bundle(&task_id, support::zip_bomb(&name, 64));
    p.add_task(bundle_task(&task_id, &[(cid, vec![case_id])], 1, false));
    let engine = start_engine(&p);
    assert!(
        p.wait_until(|d| d.completes(&task_id) == 1, Duration::from_secs(60))
            .await,
        "{}",
        engine.output()
    );
    let results = p.results(&task_id);
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["status"], 2);
    assert!(
        results[0]["transactionList"][0]["log"]
            .as_str()
            .unwrap_or_default()
            .contains("zip bomb")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_with_ten_thousand_steps_and_one_that_is_not_json() {
    let p = PlatformDouble::start().await;
    let t = Target::start().await;
    let task_id = uid();
    let cid = uid();
    let (big, broken) = (uid(), uid());
    let steps: Vec<Value> = (0..10_000)
        .map(|i| {
            let mut s = step(&format!("s{i}"), &t.url(), "GET", "/json");
            s["controller"] = json!({"whetherExec": "[{\"target\":\"\",\"assertion\":\"notEmpty\",\"expect\":\"\"}]"});
            s
        })
        .collect();
    let files = [
        (
            cid.clone(),
            big.clone(),
            api_case(&big, "big", steps).to_string(),
        ),
        (
            cid.clone(),
            broken.clone(),
            "{ this is not json".to_string(),
        ),
    ];
    let refs: Vec<(&str, &str, &str)> = files
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    p.add_bundle(&task_id, support::make_bundle(&task_id, &refs));
    p.add_task(bundle_task(&task_id, &[(cid, vec![big, broken])], 1, false));
    let engine = start_engine(&p);
    assert!(
        p.wait_until(|d| d.completes(&task_id) == 1, Duration::from_secs(90))
            .await,
        "{}",
        engine.output()
    );
    let results = p.results(&task_id);
    assert_eq!(results.len(), 2);
    let big = results.iter().find(|r| r["index"] == 1).expect("big case");
    assert_eq!(
        big["transactionList"].as_array().map(Vec::len),
        Some(10_000)
    );
    let broken = results
        .iter()
        .find(|r| r["index"] == 2)
        .expect("broken case");
    assert_eq!(broken["status"], 2);
    assert!(
        broken["transactionList"][0]["log"]
            .as_str()
            .unwrap_or_default()
            .contains("不是合法JSON")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn task_folder_blocked_by_a_file_is_a_clear_error_not_a_panic() {
    // A file where the task folder must go: the bundle cannot be extracted.
    let p = PlatformDouble::start().await;
    let t = Target::start().await;
    let base = t.url();
    let task_id = queue_task(&p, 2, |_| vec![step("s", &base, "GET", "/json")]);
    let engine = start_engine(&p);
    std::fs::create_dir_all(engine.data_dir()).expect("data dir");
    std::fs::write(engine.data_dir().join(&task_id), b"in the way").expect("blocker");
    let started = Instant::now();
    assert!(
        p.wait_until(|d| d.completes(&task_id) == 1, Duration::from_secs(90))
            .await,
        "{}",
        engine.output()
    );
    assert!(started.elapsed() < Duration::from_secs(90));
    let results = p.results(&task_id);
    assert_eq!(results.len(), 2);
    assert!(results.iter().all(|r| r["status"] == 2), "{results:#?}");
    assert!(!engine.output().contains("panicked"));
}

/// A small tmpfs mounted for the test; unmounted when dropped.
struct SmallFs {
    dir: tempfile::TempDir,
}

impl SmallFs {
    /// `None` when this machine does not let the test mount (not root).
    fn mount(size: &str) -> Option<SmallFs> {
        let dir = tempfile::tempdir().ok()?;
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        ok.then_some(SmallFs { dir })
    }
}

impl Drop for SmallFs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_data_file_system_is_a_clear_error_not_a_panic() {
    let Some(fs) = SmallFs::mount("3m") else {
        eprintln!("SKIPPED: mounting a tmpfs needs root; run the tests as root (CI does)");
        return;
    };
    let p = PlatformDouble::start().await;
    // A bundle of 4+ MB (a case of 6 MB of base64 noise) cannot be written into 3 MB.
    let task_id = uid();
    let cid = uid();
    let case_id = uid();
    let noise: String = (0..6 * 1024 * 1024 / 24)
        .map(|_| {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.encode(uuid::Uuid::new_v4().as_bytes())
        })
        .collect();
    let mut case = api_case(&case_id, "big", vec![]);
    case["comment"] = json!(noise);
    let refs = [(cid.as_str(), case_id.as_str(), case.to_string())];
    let refs: Vec<(&str, &str, &str)> = refs.iter().map(|(a, b, c)| (*a, *b, c.as_str())).collect();
    p.add_bundle(&task_id, support::make_bundle(&task_id, &refs));
    p.add_task(bundle_task(&task_id, &[(cid, vec![case_id])], 1, false));
    let home = fs.dir.path().to_path_buf();
    let config = home.join("config.ini");
    std::fs::write(
        &config,
        support::engine::config_text(&p.url(), &p.engine_code(), &p.engine_secret(), 1, ""),
    )
    .expect("config");
    let out = tempfile::tempdir().expect("tmp");
    let log = std::fs::File::create(out.path().join("out.txt")).expect("log");
    let mut child = std::process::Command::new(support::engine::binary())
        .args(["start", "--config"])
        .arg(&config)
        .arg("--home")
        .arg(&home)
        .stdout(log.try_clone().expect("clone"))
        .stderr(log)
        .spawn()
        .expect("spawn");
    let done = p
        .wait_until(|d| d.completes(&task_id) == 1, Duration::from_secs(90))
        .await;
    let _ = child.kill();
    let _ = child.wait();
    let output = std::fs::read_to_string(out.path().join("out.txt")).unwrap_or_default();
    assert!(done, "{output}");
    // The bundle (under the in-memory cap) is verified and run from the download: the disk
    // that cannot hold its file is a warning that names the file, and the case runs.
    let results = p.results(&task_id);
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["status"], 0, "{:?}", results[0]);
    assert!(
        output.contains("cannot write")
            && output.contains("bundle.zip")
            && (output.contains("No space left") || output.contains("os error 28")),
        "{output}"
    );
    assert!(!output.contains("panicked"), "{output}");
}

/// Answers lost while the engine runs: the platform stores an upload (and later processes
/// `complete`) but its answer comes after the engine's platform timeout (15 s here). The engine
/// asks the platform what it stored before sending again, so nothing is stored twice and the
/// task is completed once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_lost_after_the_platform_acted_are_not_repeated() {
    const UPLOAD: &str = "/openapi/engine/result/upload";
    const COMPLETE: &str = "/openapi/engine/task/complete";
    let p = PlatformDouble::start().await;
    let t = Target::start().await;
    let base = t.url();
    let task_id = queue_task(&p, 8, |_| vec![step("s", &base, "GET", "/delay/200")]);
    p.stall_answers_after_processing(UPLOAD, 1, Duration::from_secs(20));
    p.stall_answers_after_processing(COMPLETE, 1, Duration::from_secs(20));
    let engine = start_engine(&p);
    assert!(
        p.wait_until(|d| d.stalls(COMPLETE) == 1, Duration::from_secs(90))
            .await,
        "{}",
        engine.output()
    );
    // The engine gives up on the held-back `complete` after 15 s, reads the report, stops.
    let home = engine.path().to_path_buf();
    assert!(
        p.wait_until(
            move |_| logs_contain(&home, "shows the task completed"),
            Duration::from_secs(60)
        )
        .await,
        "{}",
        engine.output()
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_once(&p, &task_id, 8);
    let logs = engine.logs();
    assert!(
        logs.contains("had stored these results before its answer was lost"),
        "{logs}"
    );
    assert!(p.report_reads() >= 2);
}

/// The platform deletes a running task (every upload for it fails with HTTP 500 from then on):
/// the engine finds out through the report endpoint, gives the task up with an error in the
/// log instead of retrying forever, and keeps serving other tasks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn task_forgotten_by_the_platform_is_given_up() {
    let p = PlatformDouble::start().await;
    let t = Target::start().await;
    let base = t.url();
    let lost = queue_task(&p, 40, |_| vec![step("s", &base, "GET", "/delay/300")]);
    let engine = Engine::start(&p.url(), &p.engine_code(), &p.engine_secret(), 1, "");
    assert!(
        p.wait_until(|d| d.results(&lost).len() >= 2, Duration::from_secs(30))
            .await,
        "{}",
        engine.output()
    );
    p.forget_task(&lost);
    let home = engine.path().to_path_buf();
    assert!(
        p.wait_until(
            move |_| logs_contain(&home, "the platform no longer knows this task"),
            Duration::from_secs(90)
        )
        .await,
        "{}",
        engine.output()
    );
    let next = queue_task(&p, 3, |_| vec![step("s", &base, "GET", "/delay/10")]);
    p.push_start();
    assert!(
        p.wait_until(|d| d.completes(&next) == 1, Duration::from_secs(60))
            .await,
        "{}",
        engine.output()
    );
    assert_once(&p, &next, 3);
    let requests_after = t.requests_to("/delay/300").len();
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        t.requests_to("/delay/300").len(),
        requests_after,
        "cases of the given-up task still run"
    );
}

/// `data/` turns read-only while the engine runs (a read-only bind mount over it; the store's
/// open files stay writable below it, as after an `errors=remount-ro` the open database would
/// not): the bundle cannot be downloaded or extracted; every case is reported as error naming
/// the file system's refusal, the task is completed, nothing panics.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_data_file_system_is_a_clear_error_not_a_panic() {
    let p = PlatformDouble::start().await;
    let t = Target::start().await;
    let engine = start_engine(&p);
    assert!(
        p.wait_until(|d| d.ws_registered(), Duration::from_secs(30))
            .await
    );
    let data = engine.data_dir();
    let Some(_ro) = ReadOnlyBind::over(&data) else {
        eprintln!("SKIPPED: a read-only bind mount needs root; run the tests as root (CI does)");
        return;
    };
    assert!(
        std::fs::write(data.join("probe"), b"x").is_err(),
        "data/ is still writable"
    );
    let base = t.url();
    let task_id = queue_task(&p, 2, |_| vec![step("s", &base, "GET", "/delay/10")]);
    p.push_start();
    assert!(
        p.wait_until(|d| d.completes(&task_id) == 1, Duration::from_secs(60))
            .await,
        "{}",
        engine.output()
    );
    let results = p.results(&task_id);
    assert_eq!(results.len(), 2, "{}", engine.output());
    for r in &results {
        assert_eq!(r["status"], 2);
        let text = r["transactionList"][0]["log"].as_str().unwrap_or_default();
        assert!(
            text.contains("Read-only file system") || text.contains("os error 30"),
            "{text}"
        );
    }
    assert!(!engine.output().contains("panicked"), "{}", engine.output());
}

/// A read-only bind mount of a folder over itself; unmounted when dropped.
struct ReadOnlyBind(std::path::PathBuf);

impl ReadOnlyBind {
    fn over(dir: &std::path::Path) -> Option<ReadOnlyBind> {
        let ok = std::process::Command::new("mount")
            .args(["--bind", "-o", "ro"])
            .arg(dir)
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| ReadOnlyBind(dir.to_path_buf()))
    }
}

impl Drop for ReadOnlyBind {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.0)
            .status();
    }
}

/// A screenshot whose content the platform refuses (it cannot decode it: status 1000) is offered
/// three times, then set aside on disk with an error in the log instead of being retried
/// forever; a good screenshot next to it arrives once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_screenshot_the_platform_refuses_is_set_aside_not_retried_forever() {
    let p = PlatformDouble::start().await;
    let engine = start_engine(&p);
    assert!(
        p.wait_until(|d| d.ws_registered(), Duration::from_secs(30))
            .await
    );
    let mut engine = support::engine::kill_and_wait(engine).await;
    // Left by an earlier run: the engine adopts both at start.
    let dir = engine.path().join("image").join(uid());
    std::fs::create_dir_all(&dir).expect("image dir");
    let bad = format!("20261121_{}", uuid::Uuid::new_v4().simple());
    let good = format!("20261121_{}", uuid::Uuid::new_v4().simple());
    std::fs::write(dir.join(format!("{bad}.png")), b"not a picture").expect("bad");
    std::fs::write(dir.join(format!("{good}.png")), b"\x89PNG\r\n\x1a\nrest").expect("good");
    engine.spawn();
    let home = engine.path().to_path_buf();
    assert!(
        p.wait_until(
            move |_| logs_contain(&home, "times (it cannot decode or store it)"),
            Duration::from_secs(60)
        )
        .await,
        "{}",
        engine.output()
    );
    assert!(dir.join(format!("{bad}.rejected.png")).exists());
    assert!(!dir.join(format!("{bad}.png")).exists());
    let shots = p.screenshots();
    assert_eq!(
        shots
            .iter()
            .filter(|(n, _)| *n == format!("{good}.png"))
            .count(),
        1
    );
    assert!(!shots.iter().any(|(n, _)| n.starts_with(&bad)));
}
