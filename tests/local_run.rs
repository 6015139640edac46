//! `liuma-engine run`: every PATH kind, every exit code, filters and overrides, report formats,
//! JUnit accepted by a real parser and the XSD, progress output. Targets are the demo's shop API
//! started in-process on 127.0.0.1; no other network.

mod support;

use liuma_engine::demo::shop;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::engine::binary;

const DEADLINE: Duration = Duration::from_secs(120);

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Out {
    fn all(&self) -> String {
        format!("--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr)
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary in `cwd`, bounded by [`DEADLINE`]; `signal_after` sends SIGINT after that long.
fn engine_in(cwd: &Path, args: &[String], signal_after: Option<Duration>) -> Out {
    let logs = tempfile::tempdir().expect("tmp");
    let out_path = logs.path().join("out");
    let err_path = logs.path().join("err");
    let mut child = Command::new(binary())
        .args(args)
        .current_dir(cwd)
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).expect("out"))
        .stderr(std::fs::File::create(&err_path).expect("err"))
        .spawn()
        .expect("spawn liuma-engine");
    let start = Instant::now();
    let mut signalled = false;
    let code = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status.code().unwrap_or(-1);
        }
        if let Some(after) = signal_after
            && !signalled
            && start.elapsed() >= after
        {
            let _ = Command::new("kill")
                .arg("-INT")
                .arg(child.id().to_string())
                .status();
            signalled = true;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("liuma-engine {args:?} did not end within {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Out {
        code,
        stdout: std::fs::read_to_string(&out_path).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err_path).unwrap_or_default(),
    }
}

async fn engine(cwd: &Path, args: &[&str]) -> Out {
    let cwd = cwd.to_path_buf();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || engine_in(&cwd, &args, None))
        .await
        .expect("join")
}

fn example(rel: &str) -> String {
    repo().join("examples").join(rel).display().to_string()
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("valid JSON")
}

/// Every `caseResultList` entry of a results.json, in arrival order.
fn results(path: &Path) -> Vec<Value> {
    let doc = read_json(path);
    doc["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .flat_map(|t| t["caseResultList"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// The demo bundle's case files as (collection, caseId, text).
fn demo_files() -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let root = repo().join("examples/demo");
    let mut colls: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("examples/demo")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    colls.sort();
    for c in colls {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&c)
            .expect("collection")
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        for f in files {
            out.push((
                c.file_name().expect("name").to_string_lossy().into_owned(),
                f.file_stem().expect("stem").to_string_lossy().into_owned(),
                std::fs::read_to_string(&f).expect("case"),
            ));
        }
    }
    out
}

/// A task object listing `cases` (collection, caseId) in order.
fn task_object(task_id: &str, cases: &[(String, String)], download_url: Value) -> Value {
    let mut colls: Vec<(String, Vec<String>)> = Vec::new();
    for (c, k) in cases {
        match colls.iter_mut().find(|(id, _)| id == c) {
            Some((_, ks)) => ks.push(k.clone()),
            None => colls.push((c.clone(), vec![k.clone()])),
        }
    }
    json!({
        "taskId": task_id,
        "taskType": "run",
        "downloadUrl": download_url,
        "maxThread": 2,
        "reRun": false,
        "testCollectionList": colls.iter().map(|(c, ks)| json!({
            "collectionId": c,
            "deviceId": null,
            "testCaseList": ks.iter().enumerate().map(|(i, k)| json!({"index": i + 1, "caseId": k, "caseType": "API"})).collect::<Vec<_>>()
        })).collect::<Vec<_>>(),
        "debugData": null
    })
}

/// A bundle zip of the demo cases except the one failing on purpose; returns the listed cases.
fn passing_bundle(task_id: &str) -> (Vec<u8>, Vec<(String, String)>) {
    let files: Vec<(String, String, String)> = demo_files()
        .into_iter()
        .filter(|(_, k, _)| k != "intentional-failure")
        .collect();
    let refs: Vec<(&str, &str, &str)> = files
        .iter()
        .map(|(c, k, t)| (c.as_str(), k.as_str(), t.as_str()))
        .collect();
    let zip = support::make_bundle(task_id, &refs);
    (zip, files.into_iter().map(|(c, k, _)| (c, k)).collect())
}

fn case_lines(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter(|l| l.starts_with('[') && l.contains("] "))
        .collect()
}

// ---------------------------------------------------------------- PATH kinds

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_single_case_json_runs_and_passes() {
    let s = shop::start(0).await.expect("shop");
    let dir = tempfile::tempdir().expect("tmp");
    let out = engine(
        dir.path(),
        &[
            "run",
            &example("cases/templates.json"),
            "--base-url",
            &s.url(),
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.all());
    let lines = case_lines(&out.stdout);
    assert_eq!(lines.len(), 1, "{}", out.all());
    assert!(
        lines[0].contains("PASS") && lines[0].contains("模板"),
        "{}",
        out.all()
    );
    assert!(
        out.stdout.contains("1 cases: 1 passed, 0 failed, 0 errors"),
        "{}",
        out.all()
    );
    // Not a terminal: plain lines, no escape codes.
    assert!(!out.stdout.contains('\x1b'), "{}", out.all());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_without_task_json_is_one_collection_of_its_files() {
    let s = shop::start(0).await.expect("shop");
    let dir = tempfile::tempdir().expect("tmp");
    let out = engine(
        dir.path(),
        &[
            "run",
            &example("cases"),
            "--base-url",
            &s.url(),
            "--report-dir",
            "r",
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(case_lines(&out.stdout).len(), 5, "{}", out.all());
    let res = results(&dir.path().join("r/results.json"));
    let ids: Vec<&str> = res
        .iter()
        .map(|r| r["caseId"].as_str().unwrap_or(""))
        .collect();
    // File names in name order are the case ids; the folder name is the collection.
    assert_eq!(
        ids,
        [
            "assertions",
            "conditions",
            "loops",
            "relations",
            "templates"
        ]
    );
    assert!(
        res.iter()
            .all(|r| r["collectionId"] == "cases" && r["status"] == 0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_with_task_json_runs_the_listed_cases() {
    let s = shop::start(0).await.expect("shop");
    let dir = tempfile::tempdir().expect("tmp");
    let out = engine(
        dir.path(),
        &[
            "run",
            &example("demo"),
            "--base-url",
            &s.url(),
            "--format",
            "json",
        ],
    )
    .await;
    // The demo bundle has one case failing on purpose.
    assert_eq!(out.code, 1, "{}", out.all());
    let res = results(&dir.path().join("liuma-report/results.json"));
    assert_eq!(res.len(), 10);
    let failed: Vec<&str> = res
        .iter()
        .filter(|r| r["status"] != 0)
        .map(|r| r["caseId"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(failed, ["intentional-failure"]);
    let doc = read_json(&dir.path().join("liuma-report/results.json"));
    assert_eq!(doc["tasks"][0]["taskId"], "liuma-demo");
    assert_eq!(doc["summary"]["failed"], 1);
    assert_eq!(doc["summary"]["passed"], 9);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bundle_zip_as_the_platform_builds_it() {
    let s = shop::start(0).await.expect("shop");
    let dir = tempfile::tempdir().expect("tmp");
    let task_id = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    let (zip, cases) = passing_bundle(task_id);
    std::fs::write(dir.path().join("bundle.zip"), zip).expect("zip");
    let out = engine(
        dir.path(),
        &[
            "run",
            "bundle.zip",
            "--base-url",
            &s.url(),
            "--format",
            "json,junit",
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.all());
    let res = results(&dir.path().join("liuma-report/results.json"));
    assert_eq!(res.len(), cases.len());
    let doc = read_json(&dir.path().join("liuma-report/results.json"));
    assert_eq!(doc["tasks"][0]["taskId"], task_id);
    // The scratch folder of the extracted bundle is gone.
    let left: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .expect("tmp")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("liuma-run-"))
        .filter(|e| e.path().join(task_id).exists())
        .collect();
    assert!(left.is_empty(), "scratch folders left: {left:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_json_finds_its_bundle_next_to_it() {
    let s = shop::start(0).await.expect("shop");
    let dir = tempfile::tempdir().expect("tmp");
    let task_id = "3d6f0a8e-1b2c-4d5e-8f90-a1b2c3d4e5f6";
    let (zip, cases) = passing_bundle(task_id);
    // 1. the platform's downloadUrl, and <taskId>.zip next to the task file (whole envelope).
    std::fs::write(dir.path().join(format!("{task_id}.zip")), &zip).expect("zip");
    let task = task_object(
        task_id,
        &cases,
        json!(format!("/openapi/task/file/download/{task_id}")),
    );
    let envelope = json!({"status": 0, "message": "成功", "data": task});
    std::fs::write(dir.path().join("fetched.json"), envelope.to_string()).expect("task");
    let out = engine(
        dir.path(),
        &["run", "fetched.json", "--base-url", &s.url(), "--quiet"],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout
            .contains(&format!("{} cases: {} passed", cases.len(), cases.len())),
        "{}",
        out.all()
    );
    assert!(
        case_lines(&out.stdout).is_empty(),
        "--quiet printed case lines: {}",
        out.all()
    );

    // 2. downloadUrl as a relative path to the bundle.
    std::fs::create_dir_all(dir.path().join("tasks/bundles")).expect("mkdir");
    std::fs::write(dir.path().join("tasks/bundles/b.zip"), &zip).expect("zip");
    let task = task_object(task_id, &cases[..2], json!("bundles/b.zip"));
    std::fs::write(dir.path().join("tasks/task.json"), task.to_string()).expect("task");
    let out = engine(
        dir.path(),
        &["run", "tasks/task.json", "--base-url", &s.url(), "--quiet"],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.contains("2 cases: 2 passed"), "{}", out.all());

    // 3. no bundle anywhere: invalid input naming the file and the field.
    let task = task_object(
        "no-such-bundle",
        &cases[..1],
        json!("/openapi/task/file/download/x"),
    );
    std::fs::write(dir.path().join("lonely.json"), task.to_string()).expect("task");
    let out = engine(dir.path(), &["run", "lonely.json"]).await;
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.stderr.contains("lonely.json") && out.stderr.contains("downloadUrl"),
        "{}",
        out.all()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_debug_task_runs_its_inline_case() {
    let s = shop::start(0).await.expect("shop");
    let dir = tempfile::tempdir().expect("tmp");
    let case: Value = read_json(&repo().join("examples/demo/01-account/wrong-password.json"));
    let id = "6ba7b810-9dad-41d1-80b4-00c04fd430c8";
    let envelope = json!({"status": 0, "message": "成功", "data": {
        "taskId": "1b4e28ba-2fa1-41d2-883f-0016d3cca427", "taskType": "debug", "downloadUrl": null,
        "maxThread": 1, "reRun": false,
        "testCollectionList": [{"collectionId": id, "deviceId": null,
            "testCaseList": [{"index": 1, "caseId": id, "caseType": "API"}]}],
        "debugData": case
    }});
    std::fs::write(dir.path().join("debug.json"), envelope.to_string()).expect("task");
    let out = engine(
        dir.path(),
        &[
            "run",
            "debug.json",
            "--base-url",
            &s.url(),
            "--report-dir",
            "out",
            "--format",
            "json",
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.all());
    let res = results(&dir.path().join("out/results.json"));
    assert_eq!(res.len(), 1);
    assert_eq!(res[0]["collectionId"], id);
    assert_eq!(res[0]["caseId"], id);
    assert_eq!(res[0]["caseName"], "错误密码被拒绝");
    // The CaseResult members the platform requires (§7.1).
    for key in [
        "status",
        "startTime",
        "endTime",
        "caseType",
        "index",
        "runTimes",
        "transactionList",
    ] {
        assert!(res[0].get(key).is_some(), "missing {key}");
    }
    assert!(
        res[0]["transactionList"][0]["log"]
            .as_str()
            .unwrap_or("")
            .contains("【请求信息】")
    );
}

// ---------------------------------------------------------------- exit codes

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_for_failed_errored_and_invalid_input() {
    let s = shop::start(0).await.expect("shop");
    let dir = tempfile::tempdir().expect("tmp");
    // 1: an assertion failed.
    let out = engine(
        dir.path(),
        &[
            "run",
            &example("demo/03-quality/intentional-failure.json"),
            "--base-url",
            &s.url(),
        ],
    )
    .await;
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stdout.contains("FAIL") && out.stdout.contains("Expected (Bob) to be equal to (Alice)"),
        "{}",
        out.all()
    );

    // 2: an error (nothing listens on the domain) wins over a failure.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let out = engine(
        dir.path(),
        &[
            "run",
            &example("demo/03-quality/intentional-failure.json"),
            &example("cases/relations.json"),
            "--base-url",
            &format!("http://127.0.0.1:{closed}"),
        ],
    )
    .await;
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stdout.contains("ERROR"), "{}", out.all());

    // 3: invalid input of every kind; the message names the file or option.
    std::fs::write(dir.path().join("broken.json"), "{not json").expect("write");
    std::fs::write(dir.path().join("other.json"), r#"{"hello": 1}"#).expect("write");
    std::fs::write(
        dir.path().join("badtask.json"),
        r#"{"taskId": 5, "testCollectionList": []}"#,
    )
    .expect("write");
    std::fs::write(
        dir.path().join("evil.zip"),
        support::zip_with_entry("/t/../../evil.json", b"{}"),
    )
    .expect("write");
    let (good, _) = passing_bundle("t-1");
    std::fs::write(dir.path().join("cut.zip"), support::truncated_zip(&good)).expect("write");
    let cases = example("cases");
    let invalid: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["run", "evil.zip"],
            "evil.zip: the bundle cannot be used",
        ),
        (vec!["run", "cut.zip"], "cut.zip"),
        (vec!["run", "missing.zip"], "missing.zip"),
        (vec!["run", "broken.json"], "broken.json"),
        (vec!["run", "other.json"], "other.json"),
        (vec!["run", "badtask.json"], "badtask.json"),
        (vec!["run", &cases, "--format", "pdf"], "--format"),
        (vec!["run", &cases, "--param", "novalue"], "--param"),
        (vec!["run", &cases, "--base-url", "ftp://x"], "--base-url"),
        (
            vec!["run", &cases, "--case", "no-such-case"],
            "no-such-case",
        ),
        (vec!["run", &cases, "--collection", "nope"], "nope"),
        (vec!["run", &cases, "--max-thread", "0"], "max-thread"),
        (vec!["run", &cases, "--files", "no-such-dir"], "--files"),
        (vec!["run", &cases, "--no-such-flag"], "no-such-flag"),
        (vec!["run"], "PATH"),
    ];
    for (args, needle) in invalid {
        let out = engine(dir.path(), &args).await;
        assert_eq!(out.code, 3, "{args:?}: {}", out.all());
        assert!(
            out.stderr.contains(needle),
            "{args:?} should name {needle}: {}",
            out.all()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_ends_the_run_with_exit_4_and_reports_what_finished() {
    let s = shop::start(0).await.expect("shop");
    let dir = tempfile::tempdir().expect("tmp");
    let slow = json!({"caseName": "slow", "params": {}, "apiList": [
        {"apiId": "s", "apiName": "slow", "url": s.url(), "path": "/api/slow", "method": "GET",
         "headers": {}, "query": {"ms": "5000"}, "rest": {}, "body": null, "assertions": null,
         "relations": null, "controller": {}}
    ]});
    std::fs::write(dir.path().join("slow.json"), slow.to_string()).expect("write");
    let cwd = dir.path().to_path_buf();
    let args: Vec<String> = ["run", "slow.json", "--report-dir", "r"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let started = Instant::now();
    let out = tokio::task::spawn_blocking(move || {
        engine_in(&cwd, &args, Some(Duration::from_millis(1200)))
    })
    .await
    .expect("join");
    assert_eq!(out.code, 4, "{}", out.all());
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "took {:?}",
        started.elapsed()
    );
    assert!(out.stdout.contains("(interrupted)"), "{}", out.all());
    assert!(dir.path().join("r/junit.xml").is_file());
    assert_eq!(
        read_json(&dir.path().join("r/results.json"))["interrupted"],
        true
    );
}

// ---------------------------------------------------------------- filters and overrides

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collection_and_case_filters() {
    let s = shop::start(0).await.expect("shop");
    let dir = tempfile::tempdir().expect("tmp");
    let demo = example("demo");
    let out = engine(
        dir.path(),
        &[
            "run",
            &demo,
            "--base-url",
            &s.url(),
            "--collection",
            "02-orders",
            "--format",
            "json",
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.all());
    let res = results(&dir.path().join("liuma-report/results.json"));
    assert_eq!(res.len(), 3);
    assert!(res.iter().all(|r| r["collectionId"] == "02-orders"));

    // By case id and by case name, comma separated and repeated.
    let out = engine(
        dir.path(),
        &[
            "run",
            &demo,
            "--base-url",
            &s.url(),
            "--case",
            "wrong-password,故意失败的断言(演示)",
            "--case",
            "slow-endpoint",
            "--format",
            "json",
        ],
    )
    .await;
    assert_eq!(out.code, 1, "{}", out.all());
    let res = results(&dir.path().join("liuma-report/results.json"));
    let mut ids: Vec<&str> = res
        .iter()
        .map(|r| r["caseId"].as_str().unwrap_or(""))
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        ["intentional-failure", "slow-endpoint", "wrong-password"]
    );
    // Filtered cases keep their index from the task (the platform's occurrence key).
    let fail = res
        .iter()
        .find(|r| r["caseId"] == "intentional-failure")
        .expect("fail");
    assert_eq!(fail["index"], 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn param_overrides_common_parameters_keeping_their_type() {
    let s = shop::start(0).await.expect("shop");
    let dir = tempfile::tempdir().expect("tmp");
    let case = json!({"caseName": "who", "params": {
            "who": {"type": "String", "value": "alice"},
            "n": {"type": "Int", "value": "1"}
        }, "apiList": [
        {"apiId": "e", "apiName": "echo", "url": s.url(), "path": "/api/echo", "method": "POST",
         "headers": {"Content-Type": "application/json"}, "query": {}, "rest": {},
         "body": {"type": "json", "json": "{\"who\": \"{{who}}\", \"n\": \"{{n}}\", \"extra\": \"{{extra}}\"}"},
         "assertions": [
            {"from": "resBody", "method": "jsonpath", "expression": "$.data.json.who", "assertion": "equals", "expect": "bob"},
            {"from": "resBody", "method": "jsonpath", "expression": "$.data.json.n", "assertion": "isIntType", "expect": ""},
            {"from": "resBody", "method": "jsonpath", "expression": "$.data.json.extra", "assertion": "equals", "expect": "x=y"}
         ],
         "relations": null, "controller": {}}
    ]});
    std::fs::write(dir.path().join("who.json"), case.to_string()).expect("write");
    let out = engine(dir.path(), &["run", "who.json"]).await;
    assert_eq!(
        out.code,
        1,
        "without overrides the case fails: {}",
        out.all()
    );
    let out = engine(
        dir.path(),
        &[
            "run",
            "who.json",
            "--param",
            "who=bob",
            "--param",
            "n=42",
            "--param",
            "extra=x=y",
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.all());
}

fn changes(order: &[&str]) -> usize {
    order.windows(2).filter(|w| w[0] != w[1]).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_thread_one_runs_collections_one_after_another() {
    let s = shop::start(0).await.expect("shop");
    let dir = tempfile::tempdir().expect("tmp");
    let out = engine(
        dir.path(),
        &[
            "run",
            &example("demo"),
            "--base-url",
            &s.url(),
            "--max-thread",
            "1",
            "--format",
            "json",
        ],
    )
    .await;
    assert_eq!(out.code, 1, "{}", out.all());
    let res = results(&dir.path().join("liuma-report/results.json"));
    let order: Vec<&str> = res
        .iter()
        .map(|r| r["collectionId"].as_str().unwrap_or(""))
        .collect();
    // Each collection's results are contiguous: 3 collections, 2 changes.
    assert_eq!(
        changes(&order),
        2,
        "collections interleaved with --max-thread 1: {order:?}"
    );
    // With 3 threads the collections run side by side.
    let out = engine(
        dir.path(),
        &[
            "run",
            &example("demo"),
            "--base-url",
            &s.url(),
            "--max-thread",
            "3",
            "--format",
            "json",
        ],
    )
    .await;
    assert_eq!(out.code, 1, "{}", out.all());
    let res = results(&dir.path().join("liuma-report/results.json"));
    // Judged by the cases' own times, not by the order their results were reported in (a
    // loaded machine can finish one collection's fast cases before another's first): some
    // collection starts before another has ended.
    let mut spans: std::collections::BTreeMap<&str, (i64, i64)> = Default::default();
    for r in &res {
        let id = r["collectionId"].as_str().unwrap_or("");
        let (start, end) = (
            r["startTime"].as_i64().expect("startTime"),
            r["endTime"].as_i64().expect("endTime"),
        );
        let span = spans.entry(id).or_insert((start, end));
        *span = (span.0.min(start), span.1.max(end));
    }
    let mut by_start: Vec<(i64, i64)> = spans.values().copied().collect();
    by_start.sort_unstable();
    assert_eq!(by_start.len(), 3, "{spans:?}");
    assert!(
        by_start.windows(2).any(|w| w[1].0 < w[0].1),
        "collections did not run concurrently with --max-thread 3: {spans:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rerun_runs_failed_cases_once_more() {
    let s = shop::start(0).await.expect("shop");
    let dir = tempfile::tempdir().expect("tmp");
    let out = engine(
        dir.path(),
        &[
            "run",
            &example("demo"),
            "--base-url",
            &s.url(),
            "--collection",
            "03-quality",
            "--rerun",
            "--report-dir",
            "r",
        ],
    )
    .await;
    assert_eq!(out.code, 1, "{}", out.all());
    let res = results(&dir.path().join("r/results.json"));
    let runs: Vec<i64> = res
        .iter()
        .filter(|r| r["caseId"] == "intentional-failure")
        .map(|r| r["runTimes"].as_i64().unwrap_or(0))
        .collect();
    assert_eq!(runs, [1, 2]);
    assert_eq!(res.len(), 5, "only the failed case runs again");
    assert!(out.stdout.contains("(re-run)"), "{}", out.all());
    // JUnit: one testcase per occurrence; the earlier attempt is in its output.
    let junit = std::fs::read_to_string(dir.path().join("r/junit.xml")).expect("junit");
    assert_eq!(junit.matches("<testcase ").count(), 4);
    assert!(junit.contains("attempt 1: fail"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_option_serves_loadfile_and_its_absence_is_explained() {
    let s = shop::start(0).await.expect("shop");
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::create_dir_all(dir.path().join("files/file01")).expect("mkdir");
    std::fs::write(dir.path().join("files/file01/hello.txt"), "hello").expect("write");
    let case = json!({"caseName": "file", "params": {}, "apiList": [
        {"apiId": "e", "apiName": "echo", "url": s.url(), "path": "/api/echo", "method": "POST",
         "headers": {"Content-Type": "application/json"}, "query": {}, "rest": {},
         "body": {"type": "json", "json": "{\"b64\": \"{{@b64encode_file(file01)}}\"}"},
         "assertions": [{"from": "resBody", "method": "jsonpath", "expression": "$.data.json.b64", "assertion": "equals", "expect": "aGVsbG8="}],
         "relations": null, "controller": {}}
    ]});
    std::fs::write(dir.path().join("file.json"), case.to_string()).expect("write");
    let out = engine(dir.path(), &["run", "file.json", "--files", "files"]).await;
    assert_eq!(out.code, 0, "{}", out.all());
    // Without it the function fails, its placeholder stays (Python semantics) and the step log
    // says how to give the files.
    let out = engine(dir.path(), &["run", "file.json", "--verbose"]).await;
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(out.stdout.contains("pass --files DIR"), "{}", out.all());
}

// ---------------------------------------------------------------- output

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verbose_prints_requests_and_responses() {
    let s = shop::start(0).await.expect("shop");
    let dir = tempfile::tempdir().expect("tmp");
    let out = engine(
        dir.path(),
        &[
            "run",
            &example("cases/relations.json"),
            "--base-url",
            &s.url(),
            "--verbose",
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.contains("【请求信息】"), "{}", out.all());
    assert!(
        out.stdout.contains("POST ") && out.stdout.contains("/api/login"),
        "{}",
        out.all()
    );
    assert!(
        out.stdout.contains("【响应信息】") && out.stdout.contains("响应码: 200"),
        "{}",
        out.all()
    );
    assert!(
        !out.stdout.contains("<br>"),
        "logs are printed as text: {}",
        out.all()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_terminal_the_progress_is_a_live_display() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: util-linux `script` is not installed");
        return;
    }
    let s = shop::start(0).await.expect("shop");
    let dir = tempfile::tempdir().expect("tmp");
    let cmd = format!(
        "{} run {} --base-url {}",
        binary(),
        example("demo"),
        s.url()
    );
    let cwd = dir.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        let o = Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .current_dir(&cwd)
            .env("TERM", "xterm")
            .stdin(Stdio::null())
            .output()
            .expect("script");
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned(),
        )
    })
    .await
    .expect("join");
    let (code, text) = out;
    assert_eq!(code, 1, "{text}");
    // Redrawn in place: cursor up and clear, the counts, elapsed time, the running cases.
    assert!(
        text.contains("\x1b[J") && text.contains("A\r"),
        "no redraw codes: {text:?}"
    );
    assert!(text.contains("/10 done"), "{text}");
    assert!(text.contains("elapsed"), "{text}");
    assert!(text.contains("▸ "), "no running case shown: {text}");
    assert!(text.contains("10 cases: 9 passed, 1 failed"), "{text}");
}

// ---------------------------------------------------------------- reports

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn formats_choose_the_report_files() {
    let s = shop::start(0).await.expect("shop");
    let dir = tempfile::tempdir().expect("tmp");
    let case = example("cases/conditions.json");
    let out = engine(
        dir.path(),
        &[
            "run",
            &case,
            "--base-url",
            &s.url(),
            "--report-dir",
            "a",
            "--format",
            "junit,json",
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.all());
    let names = |d: &str| {
        let mut v: Vec<String> = std::fs::read_dir(dir.path().join(d))
            .expect("report dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names("a"), ["junit.xml", "results.json"]);
    let out = engine(
        dir.path(),
        &["run", &case, "--base-url", &s.url(), "--report-dir", "b"],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(names("b"), ["junit.xml", "report.html", "results.json"]);
    assert!(
        out.stdout.contains("report: b/report.html"),
        "{}",
        out.all()
    );
    let out = engine(
        dir.path(),
        &[
            "run",
            &case,
            "--base-url",
            &s.url(),
            "--format",
            "html",
            "--format",
            "json",
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(names("liuma-report"), ["report.html", "results.json"]);
    // No report options: no files.
    let before = std::fs::read_dir(dir.path()).expect("dir").count();
    let out = engine(dir.path(), &["run", &case, "--base-url", &s.url()]).await;
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), before);
}

/// A case whose name, request and response carry markup, quotes and control characters.
fn hostile_case(url: &str) -> Value {
    json!({"caseName": "<img src=x onerror=alert(1)> & \"Tom\" ]]> 'Jerry'", "comment": "<script>alert('desc')</script>",
      "params": {}, "apiList": [
        {"apiId": "h", "apiName": "<b>echo</b>", "url": url, "path": "/api/echo", "method": "POST",
         "headers": {"Content-Type": "application/json"}, "query": {}, "rest": {},
         "body": {"type": "json", "json": "{\"evil\": \"</system-out></failure><script>alert(1)</script>\\u0001\\u001b[2J\\uFFFF ]]>\"}"},
         "assertions": [{"from": "resBody", "method": "jsonpath", "expression": "$.data.json.evil", "assertion": "equals", "expect": "<nope>"}],
         "relations": null, "controller": {}}
    ]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn junit_is_accepted_by_junitparser_and_the_jenkins_schema() {
    let s = shop::start(0).await.expect("shop");
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("hostile.json"),
        hostile_case(&s.url()).to_string(),
    )
    .expect("write");
    let out = engine(
        dir.path(),
        &[
            "run",
            &example("demo"),
            "hostile.json",
            "--base-url",
            &s.url(),
            "--rerun",
            "--report-dir",
            "r",
            "--format",
            "junit",
        ],
    )
    .await;
    assert_eq!(out.code, 1, "{}", out.all());
    let junit = dir.path().join("r/junit.xml");
    let text = std::fs::read_to_string(&junit).expect("junit");
    assert!(
        !text.contains("<script>") && !text.contains('\u{1}'),
        "unescaped content"
    );

    // The XSD (tests/junit-10.xsd, the Jenkins xUnit plugin's junit-10 dialect).
    let xsd = repo().join("tests/junit-10.xsd");
    let lint = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(&junit)
        .output()
        .expect("xmllint (installed by .ci/packages)");
    assert!(
        lint.status.success(),
        "xmllint: {}{}",
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr)
    );

    // junitparser reads suites, cases and outcomes as Jenkins/GitLab would.
    let script = r#"
import sys, json
from junitparser import JUnitXml, Failure, Error, Skipped
xml = JUnitXml.fromfile(sys.argv[1])
out = {"suites": [], "cases": {}}
for suite in xml:
    out["suites"].append([suite.name, suite.tests, suite.failures, suite.errors])
    for case in suite:
        kinds = [type(r).__name__ for r in case.result]
        msgs = [r.message for r in case.result]
        out["cases"][suite.name + "/" + case.name] = [kinds, msgs, case.time, case.system_out is not None]
print(json.dumps(out, ensure_ascii=False))
"#;
    let py = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&junit)
        .output()
        .expect("python3");
    assert!(
        py.status.success(),
        "junitparser: {}",
        String::from_utf8_lossy(&py.stderr)
    );
    let parsed: Value = serde_json::from_slice(&py.stdout).expect("json from python");
    let suites = parsed["suites"].as_array().expect("suites");
    assert_eq!(suites.len(), 4, "{parsed}");
    assert_eq!(suites[0], json!(["01-account", 3, 0, 0]));
    assert_eq!(suites[2], json!(["03-quality", 4, 1, 0]));
    let failed = &parsed["cases"]["03-quality/故意失败的断言(演示)"];
    assert_eq!(failed[0], json!(["Failure"]), "{parsed}");
    assert!(
        failed[1][0]
            .as_str()
            .unwrap_or("")
            .contains("Expected (Bob) to be equal to (Alice)")
    );
    assert_eq!(failed[3], true);
    let passed = &parsed["cases"]["01-account/错误密码被拒绝"];
    assert_eq!(passed[0], json!([]));
    let hostile = &parsed["cases"]["hostile/<img src=x onerror=alert(1)> & \"Tom\" ]]> 'Jerry'"];
    assert_eq!(hostile[0], json!(["Failure"]), "{parsed}");
}

fn chromium() -> Option<&'static str> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_report_renders_in_headless_chromium() {
    let Some(browser) = chromium() else {
        panic!("chromium is not installed (bash .ci/packages installs it)");
    };
    let s = shop::start(0).await.expect("shop");
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("hostile.json"),
        hostile_case(&s.url()).to_string(),
    )
    .expect("write");
    let out = engine(
        dir.path(),
        &[
            "run",
            &example("demo"),
            "hostile.json",
            "--base-url",
            &s.url(),
            "--report-dir",
            "r",
            "--format",
            "html",
        ],
    )
    .await;
    assert_eq!(out.code, 1, "{}", out.all());
    let html = dir.path().join("r/report.html");
    let text = std::fs::read_to_string(&html).expect("html");
    // Self-contained: nothing loaded from elsewhere; user content escaped.
    assert!(!text.contains("src=\"http") && !text.contains("href=\"http"));
    assert!(!text.contains("<script>alert") && !text.contains("<img src=x"));

    let artifacts = repo().join("target/test-artifacts");
    std::fs::create_dir_all(&artifacts).expect("artifacts dir");
    let shot = artifacts.join("local-run-report.png");
    let _ = std::fs::remove_file(&shot);
    let url = format!("file://{}", html.display());
    let profile = dir.path().join("profile");
    let base = move |extra: &[String]| -> (bool, String, String) {
        let mut args: Vec<String> = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        args.extend(extra.iter().cloned());
        args.push(url.clone());
        let mut child = Command::new(browser)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chromium");
        // Bounded: chromium is killed after 60 s.
        let pid = child.id();
        let watchdog = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(60));
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
        });
        let stdout = child.stdout.take().map(|mut o| {
            let mut s = String::new();
            let _ = std::io::Read::read_to_string(&mut o, &mut s);
            s
        });
        let out = child.wait_with_output().expect("chromium output");
        drop(watchdog);
        (
            out.status.success(),
            stdout.unwrap_or_default(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, dom, log) = tokio::task::spawn_blocking({
        let base = base.clone();
        move || base(&["--dump-dom".to_string()])
    })
    .await
    .expect("join");
    assert!(ok, "chromium --dump-dom failed: {log}");
    // The script ran, and no script error was caught.
    let body_tag = dom
        .find("<body")
        .map(|at| &dom[at..at + dom[at..].find('>').unwrap_or(0)])
        .expect("a body tag");
    assert!(
        body_tag.contains("data-ready=\"1\""),
        "the page's script did not run: {body_tag}"
    );
    assert!(
        !body_tag.contains("data-js-error"),
        "script error: {body_tag}"
    );
    assert!(
        dom.contains("<div id=\"js-errors\" hidden=\"\"></div>"),
        "script error shown"
    );
    for line in log.lines() {
        assert!(
            !(line.contains("CONSOLE") && (line.contains("ERROR") || line.contains("Uncaught"))),
            "console error: {line}"
        );
    }
    // The summary counts.
    let count = |id: &str| -> String {
        let at = dom
            .find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("no #{id}"));
        let rest = &dom[at..];
        let b = rest.find("<b>").expect("<b>") + 3;
        let e = rest.find("</b>").expect("</b>");
        rest[b..e].to_string()
    };
    assert_eq!(count("count-total"), "11");
    assert_eq!(count("count-passed"), "9");
    assert_eq!(count("count-failed"), "2");
    assert_eq!(count("count-errors"), "0");
    // A failed case is open with its log visible; passed ones are collapsed.
    let failed_at = dom
        .find("data-status=\"fail\" open")
        .expect("an expanded failed case");
    let pass_at = dom.find("data-status=\"pass\"").expect("a passed case");
    assert!(failed_at < pass_at, "failed cases come first");
    assert!(dom.contains("Expected (Bob) to be equal to (Alice)"));
    assert!(dom.contains("【请求信息】"));
    assert!(!dom.contains("data-status=\"pass\" open"));
    assert!(
        dom.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "the hostile name is shown as text"
    );

    let (ok, _, log) = tokio::task::spawn_blocking({
        let shot = shot.clone();
        move || {
            base(&[
                format!("--screenshot={}", shot.display()),
                "--window-size=1280,2000".to_string(),
            ])
        }
    })
    .await
    .expect("join");
    assert!(ok, "chromium --screenshot failed: {log}");
    let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(
        size > 10_000,
        "screenshot {} is {size} bytes",
        shot.display()
    );
}

// ---------------------------------------------------------------- environment

/// `HTTP_PROXY` in the environment is honoured for plain-HTTP steps, as by Python requests:
/// the step's host (a closed port) is never contacted; the proxy answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_proxy_from_the_environment_carries_plain_http_steps() {
    let proxy = support::Target::start().await;
    let dir = tempfile::tempdir().expect("tmp");
    let case = support::cases::api_case(
        "via-proxy",
        "via proxy",
        vec![support::cases::step(
            "a",
            "http://127.0.0.1:9",
            "GET",
            "/echo",
        )],
    );
    let file = dir.path().join("case.json");
    std::fs::write(&file, case.to_string()).expect("case file");
    let file = file.display().to_string();
    let proxy_url = proxy.url();
    let cwd = dir.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        let out = Command::new(binary())
            .args(["run", &file])
            .current_dir(&cwd)
            .env("HTTP_PROXY", &proxy_url)
            .env_remove("http_proxy")
            .env_remove("NO_PROXY")
            .env_remove("no_proxy")
            .stdin(Stdio::null())
            .output()
            .expect("run liuma-engine");
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    })
    .await
    .expect("join");
    assert_eq!(out.code, 0, "{}", out.all());
    let seen = proxy.requests_to("/echo");
    assert_eq!(seen.len(), 1, "the proxy carried the step");
}
