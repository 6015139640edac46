//! One task from fetch to complete: plan, run, upload every result, complete, clean up — or,
//! when the platform stops it, cancel, discard and clean up without completing.

use super::Shared;
use super::capacity::Slot;
use super::registry::TaskHandle;
use crate::backoff::Backoff;
use crate::bundle::{self, Plan};
use crate::ids::is_safe_path_component;
use crate::platform::wire::{SealedResult, TaskObject, WireCaseResult};
use crate::report::{Outbox, PlatformRecord, UploadEnd, UploadSettings, Uploader};
use crate::runner::{self, RunEvent};
use std::sync::Arc;
use std::time::Duration;
use tracing::Instrument;

/// Drives `task` to its end. The slot is freed when this returns.
/// `resumed`: the task was accepted before a restart; cases with a recorded result are skipped.
pub async fn drive(shared: Arc<Shared>, task: TaskObject, slot: Slot, resumed: bool) {
    let span = tracing::info_span!("task", id = %task.task_id);
    async move {
        let cases = task.case_count();
        tracing::info!(
            task_type = task.task_type.as_deref().unwrap_or(""),
            collections = task.collections.as_ref().map_or(0, Vec::len),
            cases,
            max_thread = ?task.max_thread,
            rerun = task.re_run.unwrap_or(false),
            "task fetched"
        );
        let handle = shared.registry.insert(&task.task_id, &shared.force);
        crate::ops::metrics::task_started();
        run_task(&shared, &task, &handle, resumed).await;
        shared.registry.remove(&task.task_id);
        drop(slot);
        // A slot is free: look for more work at once.
        let _ = shared.fetch_trigger.try_send(());
    }
    .instrument(span)
    .await
}

/// Removes the task's folders. `image/<taskId>` only for a stopped task: otherwise its
/// screenshots may still wait for upload, and the screenshot uploader removes the folder
/// when the last one is acknowledged.
async fn cleanup(shared: &Shared, task: &TaskObject, stopped: bool) {
    let id = task.task_id.as_str();
    if !is_safe_path_component(id) {
        return;
    }
    let mut dirs = Vec::new();
    let data = shared.home.data.join(id);
    if shared.live.get().lifecycle.data_retention.is_zero() {
        dirs.push(data);
    } else {
        // Kept for [Lifecycle] data-retention-hours; the purge job counts from now.
        let _ =
            std::fs::File::open(&data).and_then(|f| f.set_modified(std::time::SystemTime::now()));
    }
    if stopped {
        dirs.push(shared.home.image.join(id));
        if let Err(e) = shared.store.forget_task_screenshots(id) {
            tracing::error!("cannot forget the stopped task's screenshots: {e}");
        }
    }
    for dir in dirs {
        match tokio::fs::remove_dir_all(&dir).await {
            Ok(()) => tracing::debug!("removed {}", dir.display()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!("cannot remove {}: {e}", dir.display()),
        }
    }
}

async fn poll_status(shared: Arc<Shared>, task: TaskObject, handle: TaskHandle) {
    let mut ticker = tokio::time::interval(shared.live.get().agent.status_poll_interval);
    ticker.tick().await;
    loop {
        tokio::select! {
            _ = handle.halt.cancelled() => return,
            _ = ticker.tick() => {}
        }
        match shared.client.task_stopped(&task.task_id).await {
            Ok(true) => {
                tracing::warn!("the platform says STOP for this task (task/status): stopping it");
                handle.stop();
                return;
            }
            Ok(false) => {}
            Err(e) => tracing::debug!("task/status failed: {e}"),
        }
    }
}

async fn run_task(shared: &Arc<Shared>, task: &TaskObject, handle: &TaskHandle, resumed: bool) {
    // Settings as reloaded by SIGHUP before the task started.
    let live = shared.live.get();
    let agent = &live.agent;
    let outbox = Arc::new(Outbox::durable(
        agent.max_pending_results,
        agent.max_pending_mb.saturating_mul(1024),
        shared.store.clone(),
        task.task_id.clone(),
    ));
    let mut done = std::collections::HashMap::new();
    let mut completing = false;
    let mut already_completed = false;
    let mut settled = false;
    if resumed {
        // A stop may have come while the engine was down.
        if let Ok(true) = shared.client.task_stopped(&task.task_id).await {
            tracing::warn!("the platform stopped this task while the engine was down");
            handle.stop();
        }
        match shared.store.recorded_cases(&task.task_id) {
            Ok(recorded) => {
                done = recorded
                    .into_iter()
                    .map(|(k, status)| (k, crate::cases::Status::from_code(status)))
                    .collect();
            }
            Err(e) => tracing::error!("cannot read the recorded cases: {e}"),
        }
        completing = shared
            .store
            .unfinished_tasks()
            .ok()
            .and_then(|ts| ts.into_iter().find(|t| t.task_id == task.task_id))
            .is_some_and(|t| t.state == crate::store::TaskState::Completing);
        tracing::info!(
            recorded = done.len(),
            pending_uploads = outbox.len(),
            completing,
            "resuming"
        );
        if !outbox.is_empty() || completing {
            (settled, already_completed) = match settle_resumed(shared, task, handle, &outbox).await
            {
                Some(completed) => (true, completed),
                None => (false, false),
            };
        }
    }
    let uploader = Uploader::new(
        shared.client.clone(),
        task.task_id.clone(),
        outbox.clone(),
        UploadSettings {
            batch_interval: agent.result_batch_interval,
            keepalive_interval: agent.keepalive_interval,
            max_batch: agent.max_batch,
            max_batch_bytes: agent.max_batch_kb.saturating_mul(1024),
        },
        handle.halt.clone(),
    );
    let uploader = tokio::spawn(
        {
            let (handle, outbox) = (handle.clone(), outbox.clone());
            async move {
                let end = uploader.run().await;
                if end == UploadEnd::Forgotten {
                    // Nothing can be delivered: stop running cases and drop what waits.
                    handle.stop();
                    outbox.discard();
                }
                end
            }
        }
        .in_current_span(),
    );
    let poller =
        tokio::spawn(poll_status(shared.clone(), task.clone(), handle.clone()).in_current_span());

    let plan = if completing || already_completed || handle.is_stopped() {
        None
    } else if is_safe_path_component(task.task_id.as_str()) {
        bundle::prepare(
            &shared.client,
            task,
            &shared.home.data,
            &shared.bundle,
            &handle.exec,
        )
        .await
    } else {
        Some(Plan::unavailable(
            task,
            &format!(
                "任务ID无效: taskId {:?} cannot name a folder",
                task.task_id.as_str()
            ),
            shared.bundle.default_max_thread,
        ))
    };

    if let Some(mut plan) = plan {
        plan.done = done;
        // The run's last batch of results is its closing stretch (see `Outbox::closing_from`).
        let first_pass = plan.case_count().saturating_sub(
            plan.done
                .keys()
                .filter(|(_, _, run_times)| *run_times == 1)
                .count(),
        );
        outbox.closing_from(first_pass.saturating_sub(agent.max_batch));
        tracing::info!(
            cases = plan.case_count(),
            skipped = plan.done.len(),
            max_thread = plan.max_thread,
            "running"
        );
        let (tx, mut rx) = runner::batch::channel::<Option<SealedResult>>(64);
        let sink = outbox.clone();
        let consumer = tokio::spawn(async move {
            // Results are committed to the store in groups: those finishing within
            // COMMIT_WINDOW of the first share one transaction (a commit costs about as much as
            // 3–5 results), and the consumer is woken once per group, not per case. A crash
            // inside the window loses no result: those cases have none recorded, so a restart
            // runs them again. Uploads wait far longer anyway, except in the closing stretch:
            // there each result is uploaded as soon as it can be, so the groups are short too
            // (a group of about 50 committed after the last case was then uploaded whole, 2–3 ms
            // of the platform's reading before `complete`).
            const COMMIT_WINDOW: Duration = Duration::from_millis(50);
            const CLOSING_COMMIT_WINDOW: Duration = Duration::from_millis(2);
            const COMMIT_MAX: usize = 64;
            loop {
                // Each group is queued before the next is taken: the outbox's count is this
                // consumer's.
                let window = if sink.closing() {
                    CLOSING_COMMIT_WINDOW
                } else {
                    COMMIT_WINDOW
                };
                let Some(events) = rx.recv_batch(window, COMMIT_MAX).await else {
                    break;
                };
                sink.push_sealed(events.into_iter().flatten().collect())
                    .await;
            }
        });
        let summary = runner::run_plan(
            Arc::new(plan),
            shared.env.clone(),
            runner::Events {
                tx,
                case_starts: false,
                make: sealed_result,
            },
            handle.exec.clone(),
        )
        .await;
        let _ = consumer.await;
        tracing::info!(
            finished = summary.finished,
            cancelled = summary.cancelled,
            "run ended"
        );
    }
    outbox.close();

    if handle.is_stopped() {
        finish_stopped(shared, task, handle, &outbox, poller).await;
        return;
    }
    if shared.force.is_cancelled() {
        // Forced shutdown: give the uploader a short, bounded chance, then leave.
        let flushed = tokio::time::timeout(Duration::from_secs(10), uploader).await;
        handle.halt.cancel();
        poller.abort();
        let left = outbox.len();
        if left > 0 || flushed.is_err() {
            tracing::error!(
                results_not_uploaded = left,
                "forced shutdown: the task is left unfinished on the platform"
            );
        }
        crate::ops::metrics::task_ended("interrupted");
        cleanup(shared, task, false).await;
        return;
    }
    let end = uploader.await.unwrap_or(UploadEnd::Halted);
    if handle.is_stopped() || end == UploadEnd::Halted {
        finish_stopped(shared, task, handle, &outbox, poller).await;
        return;
    }
    let recording = std::time::Instant::now();
    if let Err(e) = shared
        .store
        .set_task_state(&task.task_id, crate::store::TaskState::Completing)
    {
        tracing::error!("cannot record the task's state: {e}");
    }
    tracing::debug!(
        store_ms = recording.elapsed().as_secs_f64() * 1000.0,
        "every result delivered: completing the task"
    );
    let dead = outbox.dead_letters();
    if !dead.is_empty() {
        tracing::error!(
            count = dead.len(),
            "results the platform refused are not in the report (see the errors above)"
        );
    }
    let completed = if already_completed {
        tracing::info!(
            "the platform completed this task before the restart: not completing it again"
        );
        true
    } else {
        complete(shared, task, handle, completing && !settled).await
    };
    if completed && let Err(e) = shared.store.finish_task(&task.task_id, true) {
        tracing::error!("cannot forget the completed task in the engine store: {e}");
    }
    poller.abort();
    crate::ops::metrics::task_ended(if completed {
        "completed"
    } else {
        "not_completed"
    });
    cleanup(shared, task, false).await;
}

/// A resumed task had calls in flight when the engine stopped (uploads, `complete`): asks the
/// platform what it stored, acknowledges the results it holds, honours a stop. Returns whether
/// the platform already completed the task, `None` when its report could not be read.
async fn settle_resumed(
    shared: &Shared,
    task: &TaskObject,
    handle: &TaskHandle,
    outbox: &Outbox,
) -> Option<bool> {
    let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(30));
    let mut http_failures = 0;
    let fetched = loop {
        match PlatformRecord::fetch(&shared.client, &task.task_id).await {
            Ok(record) => break Ok(record),
            // The platform is unreachable: nothing can be uploaded anyway, so wait for it.
            Err(
                e @ (crate::platform::PlatformError::Transport { .. }
                | crate::platform::PlatformError::NoAnswer { .. }),
            ) => {
                let delay = backoff.next_delay();
                tracing::warn!(
                    "cannot read the platform's report: {e}; retrying in {:.1}s",
                    delay.as_secs_f64()
                );
                tokio::select! {
                    _ = handle.halt.cancelled() => break Err(e),
                    _ = shared.force.cancelled() => break Err(e),
                    _ = tokio::time::sleep(delay) => {}
                }
            }
            Err(e @ crate::platform::PlatformError::Http { .. }) if http_failures < 3 => {
                http_failures += 1;
                tracing::warn!("cannot read the platform's report: {e}; trying again");
                tokio::time::sleep(backoff.next_delay()).await;
            }
            Err(e) => break Err(e),
        }
    };
    match fetched {
        Ok(record) => {
            let held: Vec<u64> = outbox
                .peek(usize::MAX)
                .into_iter()
                .filter(|e| record.holds(&e.result.key))
                .map(|e| e.seq)
                .collect();
            if !held.is_empty() {
                tracing::info!(
                    results = held.len(),
                    "the platform stored these results before the engine stopped: not sending them again"
                );
                outbox.ack(&held).await;
            }
            if record.stopped() {
                tracing::warn!("the platform's report says the task was stopped");
                handle.stop();
            }
            tracing::info!(
                report_status = record.status(),
                "reconciled with the platform"
            );
            Some(record.completed())
        }
        Err(e) => {
            tracing::warn!(
                "cannot read what the platform stored for this task ({e}): results that were in flight when the engine stopped are sent again and may appear twice"
            );
            None
        }
    }
}

async fn finish_stopped(
    shared: &Shared,
    task: &TaskObject,
    handle: &TaskHandle,
    outbox: &Outbox,
    poller: tokio::task::JoinHandle<()>,
) {
    handle.halt.cancel();
    poller.abort();
    let dropped = outbox.len();
    outbox.discard();
    crate::ops::metrics::task_ended("stopped");
    tracing::warn!(
        results_discarded = dropped,
        "task stopped by the platform: not completing it"
    );
    if let Err(e) = shared.store.finish_task(&task.task_id, false) {
        tracing::error!("cannot forget the stopped task in the engine store: {e}");
    }
    cleanup(shared, task, true).await;
}

/// A finished case's result as the platform takes it, sealed by the task that ran the case
/// (see [`runner::Events::make`]); nothing for other events.
fn sealed_result(event: RunEvent) -> Option<SealedResult> {
    match event {
        RunEvent::CaseFinished(result) => {
            crate::ops::metrics::case_finished(&result);
            crate::report::outbox::seal(&WireCaseResult::from(result.as_ref()))
        }
        RunEvent::CaseStarted { .. } => None,
    }
}

/// `task/complete`, retried until it succeeds, unless the task is stopped meanwhile. When an
/// attempt's answer was lost (or `check_first`: a `complete` may have been in flight when the
/// engine stopped), the platform's report is read first, so a task is not completed twice.
async fn complete(
    shared: &Shared,
    task: &TaskObject,
    handle: &TaskHandle,
    check_first: bool,
) -> bool {
    let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(30));
    let mut check = check_first;
    loop {
        if handle.is_stopped() {
            tracing::warn!("task stopped before completion: not completing it");
            return false;
        }
        if check {
            match PlatformRecord::fetch(&shared.client, &task.task_id).await {
                Ok(record) if record.completed() => {
                    tracing::info!(
                        "the platform shows the task completed: not completing it again"
                    );
                    return true;
                }
                Ok(record) if record.stopped() => {
                    tracing::warn!(
                        "the platform's report says the task was stopped: not completing it"
                    );
                    handle.stop();
                    return false;
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(
                    "cannot read the platform's report ({e}); completing anyway, which may repeat the platform's notifications"
                ),
            }
        }
        match shared.client.complete(&task.task_id).await {
            Ok(()) => {
                tracing::info!("task completed");
                return true;
            }
            Err(e) => {
                check = e.may_have_arrived();
                let delay = backoff.next_delay();
                tracing::warn!(
                    "task/complete failed: {e}; retrying in {:.1}s",
                    delay.as_secs_f64()
                );
                tokio::select! {
                    _ = handle.halt.cancelled() => return false,
                    _ = shared.force.cancelled() => return false,
                    _ = tokio::time::sleep(delay) => {}
                }
            }
        }
    }
}
