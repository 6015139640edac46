//! The engine killed with SIGKILL in the middle of a task and started again on the same home:
//! every result reaches the platform exactly once and the task is completed once.

mod support;

use std::time::Duration;
use support::cases::{api_case, bundle_task, step, uid};
use support::engine::Engine;
use support::{PlatformDouble, Target};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_task_then_start_again() {
    let p = PlatformDouble::start().await;
    let target = Target::start().await;
    let task_id = uid();
    let cid = uid();
    let mut files = Vec::new();
    let mut ids = Vec::new();
    for k in 0..30 {
        let case_id = uid();
        let case = api_case(
            &case_id,
            &format!("case {k}"),
            vec![step("slow", &target.url(), "GET", "/delay/150")],
        );
        files.push((cid.clone(), case_id.clone(), case.to_string()));
        ids.push(case_id);
    }
    let refs: Vec<(&str, &str, &str)> = files
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    p.add_bundle(&task_id, support::make_bundle(&task_id, &refs));
    p.add_task(bundle_task(&task_id, &[(cid, ids)], 1, false));

    let mut engine = Engine::start(&p.url(), &p.engine_code(), &p.engine_secret(), 1, "");
    assert!(
        p.wait_until(|d| d.results(&task_id).len() >= 8, Duration::from_secs(30))
            .await,
        "{}",
        engine.output()
    );
    engine.signal("KILL");
    let mut engine = tokio::task::spawn_blocking(move || {
        engine.wait_exit(Duration::from_secs(10));
        engine
    })
    .await
    .expect("join");
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
    assert!(engine.logs().contains("resuming"), "{}", engine.logs());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(p.completes(&task_id), 1);
}
