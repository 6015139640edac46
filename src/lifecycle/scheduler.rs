//! The one lifecycle scheduler: each job runs at its configured interval on a blocking thread
//! (file and SQLite work never stalls the async runtime that executes tasks), never overlaps
//! itself (its loop awaits the run before sleeping again), follows interval changes of a
//! reload, and reports every run to the store (for `liuma-engine status`), the metrics and the
//! log.

use super::live::Live;
use crate::config::Config;
use crate::store::Store;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// What a job does once; `Ok` says what it did, `Err` why it failed.
pub type JobRun = Arc<dyn Fn(&Config) -> Result<String, String> + Send + Sync>;

/// A job: its name (`job` label of the metrics), how to read its interval from the current
/// configuration (zero: off), and its body.
pub struct Job {
    pub name: &'static str,
    pub interval: fn(&Config) -> Duration,
    /// Run once at start instead of after the first interval.
    pub at_start: bool,
    /// Successful runs are logged at debug instead of info (frequent jobs).
    pub quiet: bool,
    pub run: JobRun,
}

/// Runs `job` until `stop`.
pub fn spawn(
    job: Job,
    live: &Live,
    store: Arc<Store>,
    stop: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    let mut changes = live.subscribe();
    let live = live.clone();
    tokio::spawn(async move {
        let mut first = true;
        loop {
            let interval = (job.interval)(&live.get());
            if interval.is_zero() {
                tokio::select! {
                    _ = stop.cancelled() => return,
                    r = changes.changed() => if r.is_err() { return },
                }
                continue;
            }
            if !(first && job.at_start) {
                tokio::select! {
                    _ = stop.cancelled() => return,
                    r = changes.changed() => {
                        if r.is_err() { return }
                        // A new interval starts counting now.
                        continue;
                    }
                    _ = tokio::time::sleep(interval) => {}
                }
            }
            first = false;
            run_once(&job, &live, &store).await;
        }
    })
}

/// Runs the job once on a blocking thread and reports the outcome.
pub async fn run_once(job: &Job, live: &Live, store: &Arc<Store>) {
    let cfg = live.get();
    let body = job.run.clone();
    let started_ms = chrono::Utc::now().timestamp_millis();
    let started = Instant::now();
    let outcome = tokio::task::spawn_blocking(move || body(&cfg))
        .await
        .unwrap_or_else(|e| Err(format!("the job panicked: {e}")));
    let took = started.elapsed();
    let name = job.name;
    let (ok, message) = match &outcome {
        Ok(m) => (true, m.clone()),
        Err(m) => (false, m.clone()),
    };
    if ok && job.quiet {
        tracing::debug!(job = name, took_ms = took.as_millis() as u64, "{message}");
    } else if ok {
        tracing::info!(job = name, took_ms = took.as_millis() as u64, "{message}");
    } else {
        tracing::error!(job = name, "lifecycle job failed: {message}");
    }
    let outcome_label = if ok { "ok" } else { "error" };
    metrics::counter!("liuma_lifecycle_job_runs_total", "job" => name, "outcome" => outcome_label)
        .increment(1);
    metrics::histogram!("liuma_lifecycle_job_duration_seconds", "job" => name)
        .record(took.as_secs_f64());
    metrics::gauge!("liuma_lifecycle_job_last_run_timestamp_seconds", "job" => name)
        .set(started_ms as f64 / 1000.0);
    let store = store.clone();
    let duration_ms = took.as_millis() as i64;
    let recorded = tokio::task::spawn_blocking(move || {
        store.record_job(name, started_ms, duration_ms, ok, &message)
    })
    .await;
    match recorded {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!(job = name, "cannot record the job's run: {e}"),
        Err(e) => tracing::warn!(job = name, "cannot record the job's run: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    fn config(purge_interval: &str) -> Arc<Config> {
        Arc::new(
            Config::parse(
                std::path::Path::new("c.ini"),
                &format!("[Platform]\nurl = http://127.0.0.1:1\n[Engine]\nengine-code = a\nengine-secret = b\n[Lifecycle]\npurge-interval = {purge_interval}\n"),
            )
            .expect("parses"),
        )
    }

    /// A slow job on a one-thread runtime: it never runs twice at once, the runtime keeps
    /// serving timers while it runs, it waits while its interval is 0, and its runs are
    /// recorded in the store.
    #[tokio::test(flavor = "current_thread")]
    async fn never_overlaps_never_blocks_the_runtime_and_follows_reloads() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = Arc::new(Store::open(&dir.path().join("engine.db")).expect("store"));
        let live = Live::new(config("0"));
        let running = Arc::new(AtomicUsize::new(0));
        let overlapped = Arc::new(AtomicBool::new(false));
        let runs = Arc::new(AtomicUsize::new(0));
        let job = {
            let (running, overlapped, runs) = (running.clone(), overlapped.clone(), runs.clone());
            Job {
                name: "purge",
                interval: |c: &Config| c.lifecycle.purge_interval,
                at_start: false,
                quiet: true,
                run: Arc::new(move |_c: &Config| {
                    if running.fetch_add(1, Ordering::SeqCst) > 0 {
                        overlapped.store(true, Ordering::SeqCst);
                    }
                    std::thread::sleep(Duration::from_millis(150));
                    running.fetch_sub(1, Ordering::SeqCst);
                    runs.fetch_add(1, Ordering::SeqCst);
                    Ok("slept".to_string())
                }),
            }
        };
        let stop = CancellationToken::new();
        let handle = spawn(job, &live, store.clone(), stop.clone());
        // Interval 0: the job is off.
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 0);
        // A reload turns it on (10 ms: far shorter than one run).
        live.replace(config("0.01"));
        let mut ticks_during_a_run = 0;
        for _ in 0..400 {
            tokio::time::sleep(Duration::from_millis(5)).await;
            if running.load(Ordering::SeqCst) > 0 {
                ticks_during_a_run += 1;
            }
            if runs.load(Ordering::SeqCst) >= 3 && ticks_during_a_run > 0 {
                break;
            }
        }
        stop.cancel();
        let _ = handle.await;
        assert!(runs.load(Ordering::SeqCst) >= 3, "the job did not run");
        assert!(!overlapped.load(Ordering::SeqCst), "two runs overlapped");
        assert!(
            ticks_during_a_run > 0,
            "the runtime was blocked while the job ran"
        );
        let jobs = store.jobs().expect("jobs");
        assert_eq!(jobs.len(), 1);
        assert!(jobs[0].ok && jobs[0].runs >= 3 && jobs[0].message == "slept");
    }
}
