//! Uploads one task's results: timer-driven batches (not arrival-driven; a full batch goes at
//! once, and in the run's closing stretch whatever waits, see `Outbox::closing_from`), strictly
//! sequential per task (the platform's unique index breaks on concurrent first
//! uploads, §7.5), retried with back-off, HTTP 500 batches split to isolate a poison result,
//! empty keep-alive uploads (§7.8).

use super::outbox::{Entry, Outbox};
use super::reconcile::PlatformRecord;
use crate::backoff::Backoff;
use crate::ids::TaskId;
use crate::platform::wire::SealedResult;
use crate::platform::{PlatformClient, PlatformError};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone)]
pub struct UploadSettings {
    pub batch_interval: Duration,
    pub keepalive_interval: Duration,
    pub max_batch: usize,
    /// Bytes of result JSON that also make a batch full (the spec's advice: modest request
    /// bodies, §7.6); a single larger result goes alone.
    pub max_batch_bytes: usize,
}

/// How the uploader ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadEnd {
    /// The outbox was closed and every result was acknowledged (or dead-lettered).
    Drained,
    /// `halt` fired first.
    Halted,
    /// The platform no longer knows the task (its report is gone and every upload fails): the
    /// results cannot be delivered anywhere.
    Forgotten,
}

/// Why a batch's upload failed, as far as the retry logic is concerned.
enum Failure {
    /// HTTP 500 while the platform answers other uploads: the content is refused.
    Refused,
    Transient(PlatformError),
}

pub struct Uploader {
    client: Arc<PlatformClient>,
    task_id: TaskId,
    outbox: Arc<Outbox>,
    settings: UploadSettings,
    halt: CancellationToken,
    last_upload: Instant,
    backoff: Backoff,
    /// Consecutive uploads answered with HTTP 500 while the empty probe failed too.
    server_errors: u32,
}

/// After this many consecutive server errors the uploader asks whether the task still exists.
const FORGOTTEN_CHECK_AFTER: u32 = 5;

/// Times a singleton must be refused (with the platform otherwise healthy) before it is given up.
const POISON_STRIKES: u32 = 3;

impl Uploader {
    pub fn new(
        client: Arc<PlatformClient>,
        task_id: TaskId,
        outbox: Arc<Outbox>,
        settings: UploadSettings,
        halt: CancellationToken,
    ) -> Self {
        outbox.wake_at(settings.max_batch, settings.max_batch_bytes);
        Self {
            client,
            task_id,
            outbox,
            settings,
            halt,
            last_upload: Instant::now(),
            backoff: Backoff::new(Duration::from_millis(500), Duration::from_secs(30)),
            server_errors: 0,
        }
    }

    pub async fn run(mut self) -> UploadEnd {
        loop {
            if self.outbox.is_closed() && self.outbox.is_empty() {
                return UploadEnd::Drained;
            }
            // Wait for the batch interval, or less when the run is over (final flush) or a full
            // batch is waiting: a fast run then uploads while its cases go on, instead of
            // leaving the whole backlog for the end.
            let (max, max_bytes) = (self.settings.max_batch, self.settings.max_batch_bytes);
            if !self.outbox.is_closed() && !self.outbox.holds_batch(max, max_bytes) {
                let tick = tokio::time::sleep(self.settings.batch_interval);
                tokio::pin!(tick);
                loop {
                    let changed = self.outbox.changed();
                    tokio::pin!(changed);
                    changed.as_mut().enable();
                    if self.outbox.is_closed() || self.outbox.holds_batch(max, max_bytes) {
                        break;
                    }
                    tokio::select! {
                        _ = self.halt.cancelled() => return UploadEnd::Halted,
                        _ = &mut tick => break,
                        _ = changed => {}
                    }
                }
            }
            if self.halt.is_cancelled() {
                return UploadEnd::Halted;
            }
            let batch = self.outbox.peek_batch(max, max_bytes);
            if batch.is_empty() {
                if !self.outbox.is_closed()
                    && self.last_upload.elapsed() >= self.settings.keepalive_interval
                {
                    self.keepalive().await;
                }
                continue;
            }
            if let Err(end) = self.deliver(batch).await {
                return end;
            }
        }
    }

    async fn keepalive(&mut self) {
        match self.client.upload_results(&self.task_id, &[]).await {
            Ok(()) => {
                tracing::debug!("keep-alive upload sent");
                self.last_upload = Instant::now();
            }
            Err(e) => tracing::warn!("keep-alive upload failed: {e}"),
        }
    }

    async fn upload(&mut self, entries: &[Entry]) -> Result<(), Failure> {
        let results: Vec<&SealedResult> = entries.iter().map(|e| e.result.as_ref()).collect();
        match self.client.upload_results(&self.task_id, &results).await {
            Ok(()) => {
                self.last_upload = Instant::now();
                Ok(())
            }
            Err(e) if e.http_status() == Some(500) => {
                // Is the platform healthy? An empty upload answers that without side effects
                // (it only refreshes the report's update time).
                match self.client.upload_results(&self.task_id, &[]).await {
                    Ok(()) => Err(Failure::Refused),
                    Err(_) => Err(Failure::Transient(e)),
                }
            }
            Err(e) => Err(Failure::Transient(e)),
        }
    }

    async fn pause(&mut self, why: &str) -> Result<(), UploadEnd> {
        let delay = self.backoff.next_delay();
        tracing::warn!("{why}; retrying in {:.1}s", delay.as_secs_f64());
        tokio::select! {
            _ = self.halt.cancelled() => Err(UploadEnd::Halted),
            _ = tokio::time::sleep(delay) => Ok(()),
        }
    }

    /// Every upload and probe fails with HTTP 500: a platform in trouble, or one that deleted
    /// the task (then nothing can ever be delivered). The report endpoint tells them apart.
    async fn task_forgotten(&mut self) -> bool {
        self.server_errors += 1;
        if self.server_errors < FORGOTTEN_CHECK_AFTER {
            return false;
        }
        self.server_errors = 0;
        matches!(
            self.client.report(&self.task_id).await,
            Err(PlatformError::Rejected { status: 1000, .. })
        )
    }

    /// Acknowledges the entries of `chunk` that the platform already holds and returns the rest.
    /// When the platform's report cannot be read, everything is returned (and sent again).
    async fn settle(&mut self, chunk: Vec<Entry>, cause: &PlatformError) -> Vec<Entry> {
        match PlatformRecord::fetch(&self.client, &self.task_id).await {
            Ok(record) => {
                let (held, rest): (Vec<Entry>, Vec<Entry>) =
                    chunk.into_iter().partition(|e| record.holds(&e.result.key));
                if !held.is_empty() {
                    let seqs: Vec<u64> = held.iter().map(|e| e.seq).collect();
                    self.outbox.ack(&seqs).await;
                    self.backoff.reset();
                    tracing::info!(
                        results = held.len(),
                        "the platform had stored these results before its answer was lost: not sending them again"
                    );
                }
                rest
            }
            Err(e) => {
                tracing::warn!(
                    "the answer to an upload was lost ({cause}) and the platform's report cannot be read ({e}): sending the results again, which may show them twice"
                );
                chunk
            }
        }
    }

    /// Delivers `batch` completely (acknowledged or dead-lettered); `Err` when it cannot go on.
    async fn deliver(&mut self, batch: Vec<Entry>) -> Result<(), UploadEnd> {
        let mut queue: VecDeque<Vec<Entry>> = VecDeque::from([batch]);
        let mut strikes: HashMap<u64, u32> = HashMap::new();
        while let Some(chunk) = queue.pop_front() {
            if self.halt.is_cancelled() {
                return Err(UploadEnd::Halted);
            }
            match self.upload(&chunk).await {
                Ok(()) => {
                    self.server_errors = 0;
                    let seqs: Vec<u64> = chunk.iter().map(|e| e.seq).collect();
                    self.outbox.ack(&seqs).await;
                    self.backoff.reset();
                    tracing::info!(
                        results = chunk.len(),
                        pending = self.outbox.len(),
                        "results uploaded"
                    );
                }
                Err(Failure::Refused) if chunk.len() > 1 => {
                    let mid = chunk.len() / 2;
                    let (a, b) = chunk.split_at(mid);
                    tracing::warn!(
                        results = chunk.len(),
                        "the platform refused a batch with HTTP 500; splitting it to find the bad result"
                    );
                    queue.push_front(b.to_vec());
                    queue.push_front(a.to_vec());
                }
                Err(Failure::Refused) => {
                    let entry = &chunk[0];
                    let n = strikes.entry(entry.seq).or_insert(0);
                    *n += 1;
                    if *n >= POISON_STRIKES {
                        tracing::error!(
                            collection = %entry.result.key.collection_id,
                            case = %entry.result.key.case_id,
                            index = entry.result.key.index,
                            "the platform refuses this result on its own (HTTP 500, {POISON_STRIKES} times, while other uploads succeed); it is kept as a dead letter and not sent again"
                        );
                        self.outbox.dead_letter(entry.seq);
                    } else {
                        queue.push_front(chunk);
                        self.pause("the platform refused a single result with HTTP 500")
                            .await?;
                    }
                }
                Err(Failure::Transient(e)) if e.may_have_arrived() => {
                    // The platform may have stored this batch before the answer was lost. Wait
                    // first (the platform may still be inside the call), then ask it.
                    self.pause(&format!("result upload failed: {e}")).await?;
                    let rest = self.settle(chunk, &e).await;
                    if !rest.is_empty() {
                        queue.push_front(rest);
                    }
                }
                Err(Failure::Transient(e)) => {
                    if e.http_status() == Some(500) && self.task_forgotten().await {
                        let pending = self.outbox.len();
                        tracing::error!(
                            results_not_delivered = pending,
                            "the platform no longer knows this task (exec/result answers that it does not exist, every upload fails with HTTP 500): its results cannot be delivered; giving the task up"
                        );
                        return Err(UploadEnd::Forgotten);
                    }
                    if e.http_status() != Some(500) {
                        self.server_errors = 0;
                    }
                    queue.push_front(chunk);
                    self.pause(&format!("result upload failed: {e}")).await?;
                }
            }
        }
        Ok(())
    }
}
