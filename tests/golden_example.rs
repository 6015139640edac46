//! The complete example case of api-cases §1.11 run end to end through the agent and the
//! platform double; the uploaded CaseResult, with times, ports and other run-dependent text
//! masked, is compared with `tests/golden/example_result.json`.
//! Regenerate after an intended change with `UPDATE_GOLDEN=1 cargo test --test golden_example`.
//!
//! Changes to the example, so that nothing leaves this machine: the domain `url` points at the
//! local target, the proxy of step 2 is removed, and the `preSql` database is a closed port on
//! 127.0.0.1 (the entry fails to connect, a step error, as a database that is down would).

mod support;

use serde_json::Value;
use std::time::Duration;
use support::engine::Engine;
use support::{PlatformDouble, Target};

fn mask(v: &mut Value, rules: &[(regex::Regex, &str)]) {
    match v {
        Value::String(s) => {
            for (re, with) in rules {
                *s = re.replace_all(s, *with).into_owned();
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| mask(x, rules)),
        Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                if matches!(k.as_str(), "startTime" | "endTime" | "during") {
                    *x = Value::from(0);
                } else {
                    mask(x, rules);
                }
            }
        }
        _ => {}
    }
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn example_case_of_the_spec_end_to_end() {
    let p = PlatformDouble::start().await;
    let target = Target::start().await;
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/example_case.json"
    ))
    .expect("example case")
    .replace("TARGET", &target.url())
    .replace("SQLPORT", &closed_port().to_string());
    let case: Value = serde_json::from_str(&text).expect("json");
    p.add_test_file(
        "9b2f1c3e-5d6a-4e7b-8c9d-0a1b2c3d4e5f",
        "avatar.png",
        b"\x89PNG-avatar".to_vec(),
    );
    let task_id = support::cases::uid();
    p.add_task(support::debug_task(&task_id, "API", case));
    let engine = Engine::start(&p.url(), &p.engine_code(), &p.engine_secret(), 1, "");
    assert!(
        p.wait_until(|d| d.completes(&task_id) == 1, Duration::from_secs(60))
            .await,
        "{}",
        engine.output()
    );
    let mut results = Value::Array(p.results(&task_id));
    let rules: Vec<(regex::Regex, &str)> = [
        (r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", "<TIME>"),
        (r"127\.0\.0\.1:\d+", "<HOST>"),
        (r"\b\d{13}\b", "<EPOCH_MS>"),
        (r"'Date': '[^']*'", "'Date': '<DATE>'"),
        (r"boundary=[0-9a-zA-Z-]+", "boundary=<BOUNDARY>"),
    ]
    .into_iter()
    .map(|(r, w)| (regex::Regex::new(r).expect("regex"), w))
    .collect();
    mask(&mut results, &rules);
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/example_result.json"
    );
    let actual = serde_json::to_string_pretty(&results).expect("json") + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &actual).expect("write golden");
    }
    let expected = std::fs::read_to_string(path).expect("golden file (UPDATE_GOLDEN=1 creates it)");
    assert_eq!(
        actual, expected,
        "the uploaded result differs from the golden file"
    );
}
