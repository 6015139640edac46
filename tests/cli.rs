//! The command line: `check`, `--help`, `--version`, config errors.

mod support;

use std::process::Command;
use support::PlatformDouble;
use support::engine::{binary, config_text};

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(binary())
        .args(args)
        .output()
        .expect("run liuma-engine");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn write_config(dir: &std::path::Path, text: &str) -> String {
    let path = dir.join("config.ini");
    std::fs::write(&path, text).expect("write config");
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_passes_against_the_platform_double() {
    let p = PlatformDouble::start().await;
    let dir = tempfile::tempdir().expect("tmp");
    let cfg = write_config(
        dir.path(),
        &config_text(&p.url(), &p.engine_code(), &p.engine_secret(), 1, ""),
    );
    let (code, out) = tokio::task::spawn_blocking(move || run(&["check", "--config", &cfg]))
        .await
        .expect("join");
    assert_eq!(code, 0, "{out}");
    for name in ["config", "platform", "token", "websocket"] {
        assert!(
            out.contains(&format!("[ ok ] {name}")),
            "missing check {name}: {out}"
        );
    }
    assert!(!out.contains(&p.engine_secret()), "the secret was printed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_with_a_wrong_secret_says_so() {
    let p = PlatformDouble::start().await;
    let dir = tempfile::tempdir().expect("tmp");
    let cfg = write_config(
        dir.path(),
        &config_text(
            &p.url(),
            &p.engine_code(),
            "0123456789abcdef0123456789abcdef",
            1,
            "",
        ),
    );
    let (code, out) = tokio::task::spawn_blocking(move || run(&["check", "--config", &cfg]))
        .await
        .expect("join");
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("[FAIL] token"), "{out}");
    assert!(out.contains("engine-secret"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_names_an_unreachable_platform() {
    let dir = tempfile::tempdir().expect("tmp");
    let cfg = write_config(
        dir.path(),
        &config_text("http://127.0.0.1:9", "a", "b", 1, ""),
    );
    let (code, out) = tokio::task::spawn_blocking(move || run(&["check", "--config", &cfg]))
        .await
        .expect("join");
    assert_ne!(code, 0);
    assert!(
        out.contains("[FAIL] platform") && out.contains("[Platform] url"),
        "{out}"
    );
}

#[test]
fn start_with_a_wrong_secret_exits_with_a_clear_error() {
    let rt = tokio::runtime::Runtime::new().expect("rt");
    let p = rt.block_on(PlatformDouble::start());
    let dir = tempfile::tempdir().expect("tmp");
    let cfg = write_config(
        dir.path(),
        &config_text(
            &p.url(),
            &p.engine_code(),
            "0123456789abcdef0123456789abcdef",
            1,
            "",
        ),
    );
    let home = dir.path().display().to_string();
    let (code, out) = run(&["start", "--config", &cfg, "--home", &home]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("engine-code or engine-secret"), "{out}");
    drop(rt);
}

#[test]
fn config_errors_name_file_section_and_key() {
    let dir = tempfile::tempdir().expect("tmp");
    let text =
        config_text("http://127.0.0.1:1", "a", "b", 1, "").replace("max-run = 1", "max-run = many");
    let cfg = write_config(dir.path(), &text);
    let (code, out) = run(&["check", "--config", &cfg]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains(&cfg) && out.contains("[RunSetting] max-run"),
        "{out}"
    );
}

#[test]
fn help_and_version_answer() {
    let (code, out) = run(&["--help"]);
    assert_eq!(code, 0);
    for word in ["start", "check", "--config", "--home", "engine-code"] {
        assert!(out.contains(word), "--help lacks {word}: {out}");
    }
    let (code, out) = run(&["--version"]);
    assert_eq!(code, 0);
    assert!(out.contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn the_shipped_sample_config_documents_the_defaults() {
    let sample = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.ini"))
        .expect("config.ini");
    let filled = sample
        .replacen("engine-code = ******", "engine-code = abc", 1)
        .replacen("engine-secret = ******", "engine-secret = def", 1);
    let cfg = liuma_engine::config::Config::parse(std::path::Path::new("config.ini"), &filled)
        .expect("the sample parses");
    let d = liuma_engine::config::AgentSettings::default();
    assert_eq!(cfg.agent.heartbeat_interval, d.heartbeat_interval);
    assert_eq!(cfg.agent.fetch_interval, d.fetch_interval);
    assert_eq!(cfg.agent.result_batch_interval, d.result_batch_interval);
    assert_eq!(cfg.agent.keepalive_interval, d.keepalive_interval);
    assert_eq!(cfg.agent.drain_timeout, d.drain_timeout);
    assert_eq!(cfg.agent.max_batch, d.max_batch);
    assert_eq!(cfg.agent.max_batch_kb, d.max_batch_kb);
    assert_eq!(cfg.agent.max_pending_mb, d.max_pending_mb);
    assert_eq!(
        cfg.lifecycle,
        liuma_engine::config::LifecycleConfig::default(),
        "[Log]/[Lifecycle] in config.ini show the defaults"
    );
    assert_eq!(cfg.sql, liuma_engine::config::SqlConfig::default());
    assert!(cfg.initial_token.is_none());
    // As shipped (placeholders), the engine refuses to start and says why.
    let err = liuma_engine::config::Config::parse(std::path::Path::new("config.ini"), &sample)
        .expect_err("placeholder refused");
    assert!(err.to_string().contains("engine-code"));
}
