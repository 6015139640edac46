//! The agent against the platform double: the protocol end to end (issue: engine agent).
//! Every wait is bounded; the engine is the real binary.

mod support;

use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::cases::{api_case, bundle_task, step, uid};
use support::engine::Engine;
use support::{PlatformDouble, Target};

const WAIT: Duration = Duration::from_secs(30);

fn start_engine(p: &PlatformDouble, max_run: usize) -> Engine {
    Engine::start(&p.url(), &p.engine_code(), &p.engine_secret(), max_run, "")
}

/// A task with `collections` × `cases_per` cases, each doing `steps(collection, case)`; the bundle
/// is registered with the double. Returns (task id, task object).
fn bundle_with(
    p: &PlatformDouble,
    collections: usize,
    cases_per: usize,
    max_thread: i64,
    rerun: bool,
    steps: impl Fn(usize, usize) -> Vec<Value>,
) -> (String, Value) {
    support::cases::api_bundle_task(p, collections, cases_per, max_thread, rerun, steps)
}

/// Each (collectionId, index, runTimes) appears exactly once among the task's results.
/// Offers `task`, announces it, waits for its one `complete` and returns its results.
async fn run_to_completion(
    p: &PlatformDouble,
    engine: &Engine,
    task: Value,
    task_id: &str,
) -> Vec<Value> {
    p.add_task(task);
    p.push_start();
    assert!(
        p.wait_until(|d| d.completes(task_id) == 1, WAIT).await,
        "no complete: {}",
        engine.output()
    );
    p.results(task_id)
}

fn assert_exactly_once(results: &[Value], expected: usize) {
    let mut keys = support::cases::result_keys(results);
    let before = keys.len();
    keys.dedup();
    assert_eq!(before, keys.len(), "a result was uploaded twice");
    assert_eq!(keys.len(), expected, "results: {results:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_through_websocket_and_after_a_forced_reconnect() {
    let p = PlatformDouble::start().await;
    let engine = start_engine(&p, 2);
    assert!(
        p.wait_until(
            |d| d.engine_status() == "online" && d.heartbeats() >= 2,
            WAIT
        )
        .await,
        "engine never came online: {}",
        engine.output()
    );
    let connections = p.ws_connections();
    assert!(p.close_ws_now() >= 1);
    assert!(
        p.wait_until(
            |d| d.ws_connections() > connections && d.ws_registered(),
            WAIT
        )
        .await,
        "no reconnect"
    );
    let beats = p.heartbeats();
    assert!(
        p.wait_until(
            |d| d.heartbeats() >= beats + 2 && d.engine_status() == "online",
            WAIT
        )
        .await,
        "not online after the reconnect"
    );
    assert!(
        engine.log_shows("heartbeat sent").await,
        "heartbeats are not in log/"
    );
}

/// A bundle larger than `[Agent] bundle-memory-kb` is kept in memory until the cap, then
/// written to its file with what came before it, and verified from the file: every case runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bundle_over_the_memory_cap_goes_through_its_file() {
    let p = PlatformDouble::start().await;
    let target = Target::start().await;
    let base = target.url();
    // Cases of random text: the zip stays several times the 16 KiB cap, in several chunks.
    let (task_id, task) = bundle_with(&p, 2, 10, 1, false, |c, k| {
        let mut s = step(&format!("s{c}{k}"), &base, "GET", "/echo");
        s["apiDesc"] = json!(
            (0..400)
                .map(|_| uuid::Uuid::new_v4().simple().to_string())
                .collect::<String>()
        );
        vec![s]
    });
    let engine = Engine::start(
        &p.url(),
        &p.engine_code(),
        &p.engine_secret(),
        1,
        "bundle-memory-kb = 16\n",
    );
    let results = run_to_completion(&p, &engine, task, &task_id).await;
    assert_exactly_once(&results, 20);
    for r in &results {
        assert_eq!(r["status"], 0, "{r:#}");
    }
    assert!(
        engine.log_shows("in_memory=false").await,
        "{}",
        engine.logs()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn normal_task_every_result_once_then_complete_and_cleanup() {
    let p = PlatformDouble::start().await;
    let target = Target::start().await;
    let base = target.url();
    let (task_id, task) = bundle_with(&p, 2, 5, 2, false, |c, k| {
        let mut s = step(&format!("s{c}{k}"), &base, "POST", "/echo");
        s["body"] = json!({"type": "json", "json": format!("{{\"c\": {c}, \"k\": {k}}}")});
        s["assertions"] = json!([
            {"from": "resCode", "method": "", "expression": "", "assertion": "equals", "expect": "200"},
            {"from": "resBody", "method": "jsonpath", "expression": "$.method", "assertion": "equals", "expect": "POST"}
        ]);
        vec![s]
    });
    let engine = start_engine(&p, 2);
    let results = run_to_completion(&p, &engine, task, &task_id).await;
    assert_exactly_once(&results, 10);
    for r in &results {
        assert_eq!(r["status"], 0, "{r:#}");
        assert_eq!(r["caseType"], "API");
        let t = &r["transactionList"][0];
        assert!(
            t["log"]
                .as_str()
                .unwrap_or_default()
                .contains("【请求信息】"),
            "{t:#}"
        );
        assert!(t["during"].is_i64());
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(p.completes(&task_id), 1);
    assert!(
        !engine.data_dir().join(&task_id).exists(),
        "data/<taskId> left behind"
    );
    assert!(
        engine.log_shows("in_memory=true").await,
        "{}",
        engine.logs()
    );
    // The bundle's MD5 is logged (worked out while the cases ran).
    assert!(
        engine.log_shows("bundle checksum").await,
        "{}",
        engine.logs()
    );
    let logs = engine.logs();
    let md5 = logs
        .split("md5=")
        .nth(1)
        .map(|rest| rest.chars().take_while(char::is_ascii_hexdigit).count());
    assert_eq!(md5, Some(32), "{logs}");
}

/// The benchmark's double checks uploads after the run: every result is still checked and
/// stored once, with its arrival time, and each upload's record shows what it carried.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_checked_after_the_run_are_stored_as_inline_checks_store_them() {
    let p = PlatformDouble::start().await;
    p.defer_result_checks();
    let target = Target::start().await;
    let base = target.url();
    let (task_id, task) = bundle_with(&p, 2, 4, 2, false, |c, k| {
        vec![step(&format!("s{c}{k}"), &base, "GET", "/echo")]
    });
    let engine = start_engine(&p, 2);
    let results = run_to_completion(&p, &engine, task, &task_id).await;
    assert_exactly_once(&results, 8);
    assert!(results.iter().all(|r| r["status"] == 0), "{results:#?}");
    let uploads: Vec<_> = p.uploads().into_iter().filter(|u| u.results > 0).collect();
    assert!(!uploads.is_empty());
    assert!(
        uploads
            .iter()
            .all(|u| u.error.is_none() && u.http_status == 200)
    );
    assert!(
        uploads
            .iter()
            .all(|u| u.task_id.as_deref() == Some(&task_id))
    );
    assert_eq!(uploads.iter().map(|u| u.results).sum::<usize>(), 8);
    let delays = p.result_delays_ms(&task_id);
    assert_eq!(delays.len(), 8);
    assert!(delays.iter().all(|d| (0..30_000).contains(d)), "{delays:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_task_runs_inline_data() {
    let p = PlatformDouble::start().await;
    let target = Target::start().await;
    let case_id = uid();
    let case = api_case(
        &case_id,
        "debug case",
        vec![step("get json", &target.url(), "GET", "/json")],
    );
    let task_id = uid();
    p.add_task(support::debug_task(&task_id, "API", case));
    let engine = start_engine(&p, 1);
    assert!(
        p.wait_until(|d| d.completes(&task_id) == 1, WAIT).await,
        "{}",
        engine.output()
    );
    let results = p.results(&task_id);
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["status"], 0);
    assert_eq!(results[0]["caseName"], "debug case");
    assert_eq!(results[0]["caseDesc"], "debug case description");
    assert_eq!(
        p.downloads(&task_id),
        0,
        "a debug task must not download a bundle"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_start_push_is_picked_up_by_polling() {
    let p = PlatformDouble::start().await;
    let target = Target::start().await;
    let engine = start_engine(&p, 1);
    assert!(p.wait_until(|d| d.engine_status() == "online", WAIT).await);
    let base = target.url();
    let (task_id, task) = bundle_with(&p, 1, 1, 1, false, |_, _| {
        vec![step("a", &base, "GET", "/json")]
    });
    p.add_task(task); // no push at all
    assert!(
        p.wait_until(|d| d.completes(&task_id) == 1, WAIT).await,
        "{}",
        engine.output()
    );
    assert_exactly_once(&p.results(&task_id), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_expiry_in_the_middle_of_a_task() {
    let p = PlatformDouble::start().await;
    let target = Target::start().await;
    let base = target.url();
    let (task_id, task) = bundle_with(&p, 1, 6, 1, false, |_, _| {
        vec![step("slow", &base, "GET", "/delay/300")]
    });
    let engine = start_engine(&p, 1);
    p.add_task(task);
    assert!(
        p.wait_until(|d| !d.results(&task_id).is_empty(), WAIT)
            .await,
        "{}",
        engine.output()
    );
    let applies = p.token_applies();
    p.expire_tokens();
    assert!(
        p.wait_until(|d| d.completes(&task_id) == 1, WAIT).await,
        "{}",
        engine.output()
    );
    assert_exactly_once(&p.results(&task_id), 6);
    assert!(
        p.token_applies() > applies,
        "the engine never applied for a new token"
    );
}

/// Starts a task of slow cases and waits until it is running.
async fn start_slow_task(p: &PlatformDouble, target: &Target, cases: usize) -> String {
    let base = target.url();
    let (task_id, task) = bundle_with(p, 1, cases, 1, false, |_, k| {
        vec![step(
            &format!("slow{k}"),
            &base,
            "GET",
            &format!("/delay/{}", 2000 + k),
        )]
    });
    p.add_task(task);
    p.push_start();
    task_id
}

async fn wait_target_busy(target: &Target) {
    let deadline = Instant::now() + WAIT;
    while target.requests_to("/delay").is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        !target.requests_to("/delay").is_empty(),
        "the task never started"
    );
}

/// After a stop: within 1 s no new request reaches the target, no complete, folders cleaned.
async fn assert_stopped_cleanly(
    p: &PlatformDouble,
    target: &Target,
    engine: &Engine,
    task_id: &str,
    stopped_at: Instant,
) {
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let late: Vec<_> = target
        .requests_to("/delay")
        .into_iter()
        .filter(|r| r.start > stopped_at + Duration::from_secs(1))
        .collect();
    assert!(late.is_empty(), "requests after the stop: {late:?}");
    assert!(
        engine.log_shows("not completing").await,
        "{}",
        engine.output()
    );
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(p.completes(task_id), 0, "a stopped task was completed");
    assert!(
        !engine.data_dir().join(task_id).exists(),
        "data/<taskId> left behind"
    );
    assert!(!engine.path().join("image").join(task_id).exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_pushed_mid_task() {
    let p = PlatformDouble::start().await;
    let target = Target::start().await;
    let engine = start_engine(&p, 1);
    let task_id = start_slow_task(&p, &target, 5).await;
    wait_target_busy(&target).await;
    let stopped_at = Instant::now();
    assert!(p.stop_task(&task_id));
    assert_stopped_cleanly(&p, &target, &engine, &task_id, stopped_at).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_all_pushed_mid_task() {
    let p = PlatformDouble::start().await;
    let target = Target::start().await;
    let engine = start_engine(&p, 1);
    let task_id = start_slow_task(&p, &target, 5).await;
    wait_target_busy(&target).await;
    let stopped_at = Instant::now();
    assert!(p.stop_all());
    assert_stopped_cleanly(&p, &target, &engine, &task_id, stopped_at).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_seen_only_through_task_status() {
    let p = PlatformDouble::start().await;
    let target = Target::start().await;
    let engine = start_engine(&p, 1);
    let task_id = start_slow_task(&p, &target, 5).await;
    wait_target_busy(&target).await;
    let polls = p.status_polls();
    p.discontinue_silently(&task_id);
    assert!(
        p.wait_until(|d| d.status_polls() > polls, WAIT).await,
        "task/status is never polled"
    );
    let stopped_at = Instant::now();
    assert_stopped_cleanly(&p, &target, &engine, &task_id, stopped_at).await;
    assert!(engine.log_shows("STOP").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rerun_reports_a_flaky_case_twice() {
    let p = PlatformDouble::start().await;
    let target = Target::start().await;
    let base = target.url();
    let key = uid();
    let (task_id, task) = bundle_with(&p, 1, 2, 1, true, |_, k| {
        if k == 0 {
            vec![step("flaky", &base, "GET", &format!("/flaky/{key}"))]
        } else {
            vec![step("fine", &base, "GET", "/json")]
        }
    });
    let engine = start_engine(&p, 1);
    p.add_task(task);
    assert!(
        p.wait_until(|d| d.completes(&task_id) == 1, WAIT).await,
        "{}",
        engine.output()
    );
    let results = p.results(&task_id);
    assert_exactly_once(&results, 3);
    let flaky: Vec<&Value> = results.iter().filter(|r| r["index"] == 1).collect();
    assert_eq!(flaky.len(), 2);
    assert_eq!(
        flaky
            .iter()
            .find(|r| r["runTimes"] == 1)
            .map(|r| r["status"].clone()),
        Some(json!(1))
    );
    assert_eq!(
        flaky
            .iter()
            .find(|r| r["runTimes"] == 2)
            .map(|r| r["status"].clone()),
        Some(json!(0))
    );
    assert!(
        results
            .iter()
            .filter(|r| r["index"] == 2)
            .all(|r| r["runTimes"] == 1),
        "a passing case was re-run"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_thread_two_runs_collections_at_the_same_time() {
    let p = PlatformDouble::start().await;
    let target = Target::start().await;
    let base = target.url();
    let (task_id, task) = bundle_with(&p, 2, 2, 2, false, |c, k| {
        vec![step(
            &format!("c{c}k{k}"),
            &base,
            "GET",
            &format!("/delay/{}", 400 + c * 10 + k),
        )]
    });
    let engine = start_engine(&p, 1);
    p.add_task(task);
    assert!(
        p.wait_until(|d| d.completes(&task_id) == 1, WAIT).await,
        "{}",
        engine.output()
    );
    let reqs = target.requests_to("/delay");
    let a: Vec<_> = reqs
        .iter()
        .filter(|r| r.path.starts_with("/delay/40"))
        .collect();
    let b: Vec<_> = reqs
        .iter()
        .filter(|r| r.path.starts_with("/delay/41"))
        .collect();
    assert!(
        a.iter().any(|x| b.iter().any(|y| x.overlaps(y))),
        "the two collections never overlapped: {reqs:?}"
    );
    // Within one collection, cases run in order, never overlapping.
    assert!(!a[0].overlaps(a[1]) && !b[0].overlaps(b[1]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_failing_with_500_lose_and_duplicate_nothing() {
    let p = PlatformDouble::start().await;
    let target = Target::start().await;
    let base = target.url();
    let (task_id, task) = bundle_with(&p, 2, 4, 2, false, |_, _| {
        vec![step("a", &base, "GET", "/json")]
    });
    p.fail_uploads_until(Instant::now() + Duration::from_secs(4));
    let engine = start_engine(&p, 1);
    p.add_task(task);
    assert!(
        p.wait_until(|d| d.completes(&task_id) == 1, WAIT).await,
        "{}",
        engine.output()
    );
    assert_exactly_once(&p.results(&task_id), 8);
    assert!(
        p.uploads().iter().any(|u| u.http_status == 500),
        "the fault was never hit"
    );
}

/// A task of `cases` one-step cases whose results each hold a 30,000-byte response body.
fn big_results_task(p: &PlatformDouble, target: &Target, cases: usize) -> (String, Value) {
    let base = target.url();
    bundle_with(p, 1, cases, 1, false, |_, k| {
        vec![step(&format!("s{k}"), &base, "GET", "/bytes/30000")]
    })
}

/// Starts an engine with `agent_extra` in `[Agent]`, runs `task` to its `complete` and returns
/// its results, each checked to arrive exactly once.
async fn run_to_complete(
    p: &PlatformDouble,
    agent_extra: &str,
    (task_id, task): (String, Value),
    expected: usize,
) -> Vec<Value> {
    let engine = Engine::start(
        &p.url(),
        &p.engine_code(),
        &p.engine_secret(),
        1,
        agent_extra,
    );
    let results = run_to_completion(p, &engine, task, &task_id).await;
    assert_exactly_once(&results, expected);
    results
}

/// A batch is full at `max-batch` results or at `max-batch-kb` of their JSON: big results go
/// while the run goes on, in modest request bodies (platform-protocol §7.6), not all at its end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_are_bounded_by_bytes_as_well_as_by_count() {
    let p = PlatformDouble::start().await;
    let target = Target::start().await;
    // No timer flush during the run: only a full batch (by count or by bytes) or the end sends.
    let task = big_results_task(&p, &target, 10);
    let config = "result-batch-interval = 60\nmax-batch = 100\nmax-batch-kb = 70\n";
    run_to_complete(&p, config, task, 10).await;
    let uploads: Vec<_> = p
        .uploads()
        .into_iter()
        .filter(|u| u.results > 0 && u.http_status == 200)
        .collect();
    let sizes: Vec<(usize, usize)> = uploads.iter().map(|u| (u.results, u.bytes)).collect();
    assert!(
        uploads.len() >= 4,
        "10 results of over 30 KB in batches of at most 70 KB: {sizes:?}"
    );
    for u in &uploads {
        assert!(
            u.results <= 2 && u.bytes <= 70 * 1024 + 200,
            "an upload over the 70 KB budget: {sizes:?}"
        );
    }
}

/// The last batch of a run is its closing stretch: a result there is uploaded as soon as it is
/// committed, not held for a full batch or the batch timer. In a task smaller than one batch,
/// that is every result: here the first two cases' results reach the platform while the third
/// case still waits 1.5 s for its answer, although the batch timer is a minute.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_of_the_closing_stretch_are_not_held_for_a_full_batch() {
    let p = PlatformDouble::start().await;
    let target = Target::start().await;
    let base = target.url();
    let task = bundle_with(&p, 1, 3, 1, false, |_, k| {
        let path = if k == 2 { "/delay/1500" } else { "/json" };
        vec![step(&format!("s{k}"), &base, "GET", path)]
    });
    let task_id = task.0.clone();
    let config = "result-batch-interval = 60\nmax-batch = 100\n";
    let results = run_to_complete(&p, config, task, 3).await;
    let delays = p.result_delays_ms(&task_id);
    let mut by_end: Vec<(i64, i64)> = results
        .iter()
        .zip(&delays)
        .map(|(r, d)| (r["endTime"].as_i64().unwrap_or_default(), *d))
        .collect();
    by_end.sort_unstable();
    assert!(
        by_end[..2].iter().all(|(_, delay)| *delay < 1000),
        "(endTime, ms until the platform had it): {by_end:?}"
    );
}

/// While the platform refuses uploads, results wait in memory only up to `max-pending-mb`:
/// then the run waits too, and goes on once uploads succeed again; nothing is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_platform_slows_the_run_instead_of_filling_memory() {
    let p = PlatformDouble::start().await;
    let target = Target::start().await;
    // 240 results of about 31 KB: 7.4 MB. About 33 fit in 1 MB of the outbox; beyond them at
    // most 64 wait in the group the outbox's feeder is committing and 64 in the channel
    // between the runner and the feeder. (With 150 cases, a feeder slowed by a loaded machine
    // took a full group of 64 and every case fitted without waiting.)
    let task = big_results_task(&p, &target, 240);
    let failing = Duration::from_secs(3);
    let resume_epoch_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| (d + failing).as_millis() as i64)
        .unwrap_or_default();
    p.fail_uploads_until(Instant::now() + failing);
    let results = run_to_complete(&p, "max-pending-mb = 1\n", task, 240).await;
    assert!(
        p.uploads().iter().any(|u| u.http_status == 500),
        "the fault was never hit"
    );
    // The run stopped at the memory budget: the last cases started only after the platform
    // took uploads again (all 240 take about a second and a half otherwise).
    let mut starts: Vec<i64> = results
        .iter()
        .filter_map(|r| r["startTime"].as_i64())
        .collect();
    starts.sort_unstable();
    let last = starts.last().copied().unwrap_or_default();
    assert!(
        last >= resume_epoch_ms - 50,
        "the last case started {} ms before uploads resumed: the run did not wait for memory",
        resume_epoch_ms - last
    );
    let before = starts.iter().filter(|&&t| t < resume_epoch_ms - 50).count();
    assert!(
        (20..=170).contains(&before),
        "{before} cases ran while uploads failed (about 33 + 64, and at most 64 more, fit)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zip_slip_bundle_is_refused_and_nothing_escapes() {
    let p = PlatformDouble::start().await;
    let task_id = uid();
    let cid = uid();
    let case_id = uid();
    let evil_name = format!("/{task_id}/../../evil-{task_id}.txt");
    p.add_bundle(&task_id, support::zip_with_entry(&evil_name, b"owned"));
    p.add_task(bundle_task(&task_id, &[(cid, vec![case_id])], 1, false));
    let engine = start_engine(&p, 1);
    assert!(
        p.wait_until(|d| d.completes(&task_id) == 1, WAIT).await,
        "{}",
        engine.output()
    );
    let results = p.results(&task_id);
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["status"], 2);
    let log = results[0]["transactionList"][0]["log"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(log.contains("refused") || log.contains(".."), "{log}");
    let escaped = [
        engine.path().join(format!("evil-{task_id}.txt")),
        engine.data_dir().join(format!("evil-{task_id}.txt")),
    ];
    for f in escaped {
        assert!(!f.exists(), "{} was written", f.display());
    }
    assert_eq!(
        p.downloads(&task_id),
        1,
        "a hostile bundle must not be downloaded again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_bundle_reports_every_case_as_error_and_completes() {
    let p = PlatformDouble::start().await;
    let task_id = uid();
    let layout = vec![(uid(), vec![uid(), uid()]), (uid(), vec![uid()])];
    let files: Vec<(String, String, String)> = layout
        .iter()
        .flat_map(|(c, cases)| {
            cases
                .iter()
                .map(move |k| (c.clone(), k.clone(), api_case(k, "x", vec![]).to_string()))
        })
        .collect();
    let refs: Vec<(&str, &str, &str)> = files
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    let good = support::make_bundle(&task_id, &refs);
    p.add_bundle(&task_id, support::truncated_zip(&good));
    p.add_task(bundle_task(&task_id, &layout, 2, false));
    let engine = start_engine(&p, 1);
    assert!(
        p.wait_until(|d| d.completes(&task_id) == 1, Duration::from_secs(60))
            .await,
        "{}",
        engine.output()
    );
    let results = p.results(&task_id);
    assert_exactly_once(&results, 3);
    assert!(results.iter().all(|r| r["status"] == 2), "{results:#?}");
    assert!(
        p.downloads(&task_id) >= 2,
        "a corrupt bundle is downloaded again before giving up"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_and_app_cases_are_reported_as_errors_not_dropped() {
    let p = PlatformDouble::start().await;
    let task_id = uid();
    let cid = uid();
    let web = uid();
    let app = uid();
    let files = [
        (
            cid.as_str(),
            web.as_str(),
            json!({"caseId": web, "caseName": "web", "comment": null, "optList": []}).to_string(),
        ),
        (
            cid.as_str(),
            app.as_str(),
            json!({"caseId": app, "caseName": "app", "comment": null, "optList": []}).to_string(),
        ),
    ];
    let refs: Vec<(&str, &str, &str)> =
        files.iter().map(|(a, b, c)| (*a, *b, c.as_str())).collect();
    p.add_bundle(&task_id, support::make_bundle(&task_id, &refs));
    p.add_task(support::normal_task(
        &task_id,
        &[(&cid, &web, "WEB"), (&cid, &app, "APP")],
    ));
    let engine = start_engine(&p, 1);
    assert!(
        p.wait_until(|d| d.completes(&task_id) == 1, WAIT).await,
        "{}",
        engine.output()
    );
    let results = p.results(&task_id);
    assert_exactly_once(&results, 2);
    assert!(results.iter().all(|r| r["status"] == 2));
    assert!(
        results
            .iter()
            .any(|r| r["caseType"] == "WEB" && r["caseName"] == "web")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_a_running_task_then_exits() {
    let p = PlatformDouble::start().await;
    let target = Target::start().await;
    let base = target.url();
    let (task_id, task) = bundle_with(&p, 1, 3, 1, false, |_, _| {
        vec![step("slow", &base, "GET", "/delay/400")]
    });
    let mut engine = start_engine(&p, 1);
    p.add_task(task);
    wait_target_busy(&target).await;
    engine.signal("TERM");
    let code = tokio::task::spawn_blocking(move || {
        let c = engine.wait_exit(Duration::from_secs(30));
        (c, engine)
    })
    .await
    .expect("join");
    assert_eq!(code.0, Some(0), "{}", code.1.output());
    assert_eq!(
        p.completes(&task_id),
        1,
        "the drained task was not completed"
    );
    assert_exactly_once(&p.results(&task_id), 3);
    assert!(
        p.wait_until(|d| d.ws_open() == 0, Duration::from_secs(5))
            .await,
        "WebSocket not closed"
    );
}
