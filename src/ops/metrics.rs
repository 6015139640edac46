//! The Prometheus recorder behind the `metrics` facade, and the engine's own metrics.
//!
//! Every part of the engine records through the facade (`metrics::counter!` and friends, names
//! prefixed `liuma_`); this module installs the one recorder that keeps them, when `[Metrics]`
//! is enabled, and renders them for `/metrics`. With the listener off nothing is installed and
//! every facade call costs next to nothing.
//!
//! Helpers here keep each instrumentation point in the agent a one-line call.

use crate::cases::{CaseResult, Status};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Step durations from 5 ms to 10 min: API steps are usually fast, WEB steps slow.
const STEP_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 120.0, 600.0,
];

/// Installs the process-wide recorder (once; later calls return the same handle). Call it
/// before anything records, so that early counts are kept.
pub fn install() -> Result<PrometheusHandle, String> {
    if let Some(h) = HANDLE.get() {
        return Ok(h.clone());
    }
    let recorder = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full("liuma_step_duration_seconds".to_string()),
            &STEP_BUCKETS,
        )
        .map_err(|e| format!("cannot set up the metrics recorder: {e}"))?
        .build_recorder();
    let handle = recorder.handle();
    metrics::set_global_recorder(recorder)
        .map_err(|e| format!("cannot install the metrics recorder: {e}"))?;
    describe();
    // Present from the first scrape, so that rate() and alerts work before the first event.
    for kind in ["results", "screenshot"] {
        metrics::counter!("liuma_uploads_total", "kind" => kind).increment(0);
        metrics::counter!("liuma_upload_failures_total", "kind" => kind).increment(0);
    }
    metrics::gauge!("liuma_tasks_running").increment(0.0);
    let _ = HANDLE.set(handle.clone());
    Ok(handle)
}

/// The installed recorder's handle, if any.
pub fn handle() -> Option<PrometheusHandle> {
    HANDLE.get().cloned()
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!("liuma_tasks_total", "Tasks ended, by how they ended");
    describe_gauge!("liuma_tasks_running", "Tasks being run now");
    describe_counter!("liuma_cases_total", "Case results, by status");
    describe_histogram!(
        "liuma_step_duration_seconds",
        Unit::Seconds,
        "Duration of one step (API: the request; WEB: the operation), by case type"
    );
    describe_counter!(
        "liuma_uploads_total",
        "Upload calls to the platform, by kind (results, screenshot)"
    );
    describe_counter!(
        "liuma_upload_failures_total",
        "Upload calls that failed, by kind (they are retried)"
    );
    describe_gauge!(
        "liuma_outbox_pending",
        "Results recorded and not yet acknowledged by the platform"
    );
    describe_gauge!("liuma_screenshot_queue", "Screenshots waiting for upload");
    describe_counter!(
        "liuma_websocket_reconnects_total",
        "WebSocket connections opened after the first"
    );
    describe_gauge!(
        "liuma_websocket_connected",
        "1 while the WebSocket to the platform is open (the engine is online)"
    );
    describe_gauge!(
        "liuma_platform_contact_age_seconds",
        Unit::Seconds,
        "Seconds since the last successful call to the platform (-1: never)"
    );
}

/// A task began running.
pub fn task_started() {
    metrics::gauge!("liuma_tasks_running").increment(1.0);
}

/// A task ended: `completed`, `not_completed` (complete failed for good), `stopped` (by the
/// platform) or `interrupted` (forced shutdown).
pub fn task_ended(how: &'static str) {
    metrics::gauge!("liuma_tasks_running").decrement(1.0);
    metrics::counter!("liuma_tasks_total", "status" => how).increment(1);
}

fn status_label(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Fail => "fail",
        Status::Error => "error",
        Status::Skip => "skip",
    }
}

/// A case finished: counts it and records its steps' durations.
pub fn case_finished(result: &CaseResult) {
    let kind = if result.case_type.eq_ignore_ascii_case("WEB") {
        "WEB"
    } else {
        "API"
    };
    metrics::counter!("liuma_cases_total", "status" => status_label(result.status), "type" => kind)
        .increment(1);
    let steps = metrics::histogram!("liuma_step_duration_seconds", "type" => kind);
    for t in &result.transactions {
        steps.record(t.during_ms as f64 / 1000.0);
    }
}

/// One upload call to the platform (`kind`: `results` or `screenshot`) and whether it worked.
pub fn upload(kind: &'static str, ok: bool) {
    metrics::counter!("liuma_uploads_total", "kind" => kind).increment(1);
    if !ok {
        metrics::counter!("liuma_upload_failures_total", "kind" => kind).increment(1);
    }
}
