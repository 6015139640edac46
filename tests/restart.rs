//! The engine killed with SIGKILL in the middle of a task and started again on the same home:
//! every result reaches the platform exactly once and the task is completed once.

mod support;

use std::time::Duration;
use support::cases::{api_bundle_task, step};
use support::engine::{Engine, kill_and_wait};
use support::{PlatformDouble, Target};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_task_then_start_again() {
    let p = PlatformDouble::start().await;
    let target = Target::start().await;
    let url = target.url();
    let (task_id, task) = api_bundle_task(&p, 1, 30, 1, false, |_, _| {
        vec![step("slow", &url, "GET", "/delay/150")]
    });
    p.add_task(task);

    let engine = Engine::start(&p.url(), &p.engine_code(), &p.engine_secret(), 1, "");
    assert!(
        p.wait_until(|d| d.results(&task_id).len() >= 8, Duration::from_secs(30))
            .await,
        "{}",
        engine.output()
    );
    let mut engine = kill_and_wait(engine).await;
    let before = p.results(&task_id).len();
    assert!(before < 30, "the task finished before the kill");
    assert_eq!(p.completes(&task_id), 0);
    assert!(engine.data_dir().join("engine.db").exists());
    let status = std::process::Command::new(support::engine::binary())
        .args(["status", "--home"])
        .arg(engine.path())
        .output()
        .expect("status");
    let text = String::from_utf8_lossy(&status.stdout).to_string();
    assert!(status.status.success(), "{text}");
    assert!(
        text.contains(&format!("{task_id}: ")) && text.contains("tasks in progress: 1"),
        "{text}"
    );

    engine.spawn();
    assert!(
        p.wait_until(|d| d.completes(&task_id) == 1, Duration::from_secs(60))
            .await,
        "{}",
        engine.output()
    );
    let results = p.results(&task_id);
    let k = support::cases::result_keys(&results);
    let mut dedup = k.clone();
    dedup.dedup();
    assert_eq!(k, dedup, "a result was uploaded twice");
    assert_eq!(k.len(), 30, "results lost");
    assert!(engine.log_shows("resuming").await, "{}", engine.logs());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(p.completes(&task_id), 1);
}

/// The acceptance test of "never lose a result": one 200-case task, the engine killed with
/// SIGKILL at five points — during the bundle download, in the middle of a case, after the
/// platform stored an upload but before its answer arrived, after the platform processed
/// `complete` but before its answer arrived, and idle — and started again each time on the same
/// home. Every result arrives exactly once and the task is completed exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_at_five_points_of_a_200_case_task() {
    const UPLOAD: &str = "/openapi/engine/result/upload";
    const COMPLETE: &str = "/openapi/engine/task/complete";
    let p = PlatformDouble::start().await;
    let target = Target::start().await;
    let url = target.url();
    let (task_id, task) = api_bundle_task(&p, 2, 100, 2, false, |c, k| {
        // One long case in the first collection: the "mid-case" kill point.
        let path = if c == 0 && k == 60 {
            "/delay/4000"
        } else {
            "/delay/25"
        };
        vec![step("step", &url, "GET", path)]
    });
    p.add_task(task);
    let wait = Duration::from_secs(60);

    // 1. During the download.
    p.slow_downloads(Duration::from_secs(20));
    let engine = Engine::start(&p.url(), &p.engine_code(), &p.engine_secret(), 1, "");
    assert!(
        p.wait_until(|d| d.downloads_in_flight() > 0, wait).await,
        "{}",
        engine.output()
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut engine = kill_and_wait(engine).await;
    assert_eq!(p.results(&task_id).len(), 0);
    p.slow_downloads(Duration::ZERO);

    // 2. In the middle of a case (the 4-second one).
    engine.spawn();
    let t = target.clone();
    assert!(
        p.wait_until(move |_| !t.requests_to("/delay/4000").is_empty(), wait)
            .await,
        "{}",
        engine.output()
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut engine = kill_and_wait(engine).await;
    let after_mid_case = p.results(&task_id).len();
    assert!(after_mid_case < 200, "the task ended before the kill");
    assert_eq!(p.completes(&task_id), 0);

    // 3. The platform stored an upload, its answer never arrives.
    p.stall_answers_after_processing(UPLOAD, 1, Duration::from_secs(120));
    engine.spawn();
    assert!(
        p.wait_until(|d| d.stalls(UPLOAD) == 1, wait).await,
        "{}",
        engine.output()
    );
    let stalled = p
        .uploads()
        .last()
        .map(|u| (u.results, u.http_status))
        .unwrap_or_default();
    assert!(
        stalled.0 > 0 && stalled.1 == 200,
        "the held-back answer was not a stored batch: {stalled:?}"
    );
    let mut engine = kill_and_wait(engine).await;
    let reads_before = p.report_reads();

    // 4. The platform processed `complete`, its answer never arrives.
    p.stall_answers_after_processing(COMPLETE, 1, Duration::from_secs(120));
    engine.spawn();
    assert!(
        p.wait_until(|d| d.stalls(COMPLETE) == 1, Duration::from_secs(120))
            .await,
        "{}",
        engine.output()
    );
    assert_eq!(p.completes(&task_id), 1);
    assert!(
        p.report_reads() > reads_before,
        "the restarted engine did not ask the platform what it stored"
    );
    let mut engine = kill_and_wait(engine).await;

    // 5. Idle: the restarted engine settles the lost `complete` and has nothing left to do.
    engine.spawn();
    let home = engine.path().to_path_buf();
    assert!(
        p.wait_until(move |_| idle(&home), wait).await,
        "{}",
        engine.output()
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut engine = kill_and_wait(engine).await;
    engine.spawn();
    let heartbeats = p.heartbeats();
    assert!(
        p.wait_until(move |d| d.heartbeats() > heartbeats, wait)
            .await,
        "{}",
        engine.output()
    );
    tokio::time::sleep(Duration::from_secs(1)).await;

    let results = p.results(&task_id);
    let mut keys = support::cases::result_keys(&results);
    keys.sort();
    let mut dedup = keys.clone();
    dedup.dedup();
    assert_eq!(keys.len(), dedup.len(), "a result was stored twice");
    assert_eq!(keys.len(), 200, "results lost");
    assert_eq!(p.completes(&task_id), 1, "complete called more than once");
    assert!(
        engine
            .log_shows("the platform stored these results before the engine stopped")
            .await,
        "the stored-but-unanswered batch was not reconciled"
    );
    engine.signal("TERM");
    tokio::task::spawn_blocking(move || engine.wait_exit(Duration::from_secs(15)))
        .await
        .expect("join");
}

/// `liuma-engine status` says no task is in progress and no result waits for upload.
fn idle(home: &std::path::Path) -> bool {
    let out = std::process::Command::new(support::engine::binary())
        .args(["status", "--home"])
        .arg(home)
        .output();
    out.is_ok_and(|o| {
        let text = String::from_utf8_lossy(&o.stdout);
        text.contains("tasks in progress: none") && text.contains("waiting for upload: 0")
    })
}
