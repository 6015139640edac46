//! Runs a plan: collections concurrently up to `maxThread`, the cases of one collection in
//! `index` order sharing one context, then the re-run pass. Knows nothing of the platform: it
//! sends plain events to whoever listens (agent outbox, CLI progress).

use crate::bundle::{Plan, PlannedCollection};
use crate::cases::{self, CaseEnv, CaseMeta, CaseResult, CollectionContext, Status};
use crate::ids::CollectionId;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{Mutex, Semaphore};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

pub mod batch;
mod lookahead;

/// What the runner tells its observer.
#[derive(Debug, Clone)]
pub enum RunEvent {
    CaseStarted {
        collection_id: CollectionId,
        index: i64,
        case_id: crate::ids::CaseId,
        run_times: u32,
    },
    CaseFinished(Box<CaseResult>),
}

/// Where the runner's events go, as the observer's own type `E`. Without `case_starts` no
/// [`RunEvent::CaseStarted`] is sent: the agent has no use for them, and each one woke its
/// consumer for nothing.
#[derive(Debug)]
pub struct Events<E = RunEvent> {
    pub tx: batch::Sender<E>,
    pub case_starts: bool,
    /// Makes each event the observer's, on the task that ran the case, before it is sent. The
    /// agent seals a finished case's result there (its JSON for the store and the platform):
    /// done by its one consumer instead, the sealing of a whole group waited at the end of a
    /// run, in series, between the last case and the last upload.
    pub make: fn(RunEvent) -> E,
}

impl<E> Clone for Events<E> {
    fn clone(&self) -> Self {
        Events {
            tx: self.tx.clone(),
            case_starts: self.case_starts,
            make: self.make,
        }
    }
}

impl Events<RunEvent> {
    /// Events sent as the runner makes them.
    pub fn plain(tx: batch::Sender<RunEvent>, case_starts: bool) -> Self {
        Events {
            tx,
            case_starts,
            make: std::convert::identity,
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct RunSummary {
    pub finished: usize,
    pub cancelled: bool,
}

/// Runs `plan` to the end or until `cancel`. Events go to `events`; a full channel slows the
/// run down instead of growing memory.
pub async fn run_plan<E: Send + 'static>(
    plan: Arc<Plan>,
    env: Arc<CaseEnv>,
    events: Events<E>,
    cancel: CancellationToken,
) -> RunSummary {
    // One set of SQL pools per task, shared by its collections, closed when the run ends.
    let databases = Arc::new(crate::sql::TaskDatabases::new(env.sql.clone()));
    let contexts: HashMap<usize, Arc<Mutex<CollectionContext>>> = (0..plan.collections.len())
        .map(|i| {
            let mut ctx = CollectionContext::for_task(plan.task_id.as_str());
            ctx.sql = databases.clone();
            (i, Arc::new(Mutex::new(ctx)))
        })
        .collect();
    let mut summary = RunSummary::default();
    let done = |ci: usize, pos: usize, run_times: u32| -> Option<Status> {
        let c = &plan.collections[ci];
        plan.done
            .get(&(c.id.as_str().to_string(), c.cases[pos].index, run_times))
            .copied()
    };
    // Case occurrences (collection position, case position) to run in this pass; those that
    // already have a result (a resumed task) are skipped.
    let mut todo: Vec<(usize, Vec<usize>)> = plan
        .collections
        .iter()
        .enumerate()
        .map(|(i, c)| {
            (
                i,
                (0..c.cases.len())
                    .filter(|&p| done(i, p, 1).is_none())
                    .collect(),
            )
        })
        .collect();
    let passes = if plan.rerun { 2 } else { 1 };
    for pass in 1..=passes {
        let run_times = pass as u32;
        if pass == 2 {
            tracing::info!("re-run pass for failed and errored cases");
        }
        let sem = Arc::new(Semaphore::new(plan.max_thread.max(1)));
        let mut set = tokio::task::JoinSet::new();
        for (ci, positions) in todo.iter().filter(|(_, p)| !p.is_empty()) {
            let (ci, positions) = (*ci, positions.clone());
            let plan = plan.clone();
            let env = env.clone();
            let events = events.clone();
            let cancel = cancel.clone();
            let sem = sem.clone();
            let ctx = contexts[&ci].clone();
            let span = tracing::info_span!("collection", id = %plan.collections[ci].id);
            set.spawn(
                async move {
                    let Ok(_permit) = sem.acquire_owned().await else {
                        return (ci, Vec::new());
                    };
                    let mut ctx = ctx.lock().await;
                    let statuses = run_collection(
                        &plan, ci, &positions, run_times, &mut ctx, &env, &events, &cancel,
                    )
                    .await;
                    (ci, statuses)
                }
                .instrument(span),
            );
        }
        let mut next: Vec<(usize, Vec<usize>)> = Vec::new();
        let mut ran: HashMap<usize, Vec<(usize, Status)>> = HashMap::new();
        while let Some(joined) = set.join_next().await {
            match joined {
                Ok((ci, statuses)) => {
                    summary.finished += statuses.len();
                    ran.insert(ci, statuses);
                }
                Err(e) => tracing::error!("a collection worker failed: {e}"),
            }
        }
        if pass == 1 {
            // The re-run pass takes failed and errored cases of pass 1, those recorded before a
            // restart included, unless they already have a re-run result.
            for (ci, c) in plan.collections.iter().enumerate() {
                let mut statuses: Vec<(usize, Status)> = (0..c.cases.len())
                    .filter_map(|p| done(ci, p, 1).map(|s| (p, s)))
                    .collect();
                statuses.extend(ran.remove(&ci).unwrap_or_default());
                statuses.sort_by_key(|(p, _)| *p);
                let again: Vec<usize> = statuses
                    .into_iter()
                    .filter(|(p, s)| s.needs_rerun() && done(ci, *p, 2).is_none())
                    .map(|(p, _)| p)
                    .collect();
                next.push((ci, again));
            }
        }
        if cancel.is_cancelled() {
            summary.cancelled = true;
            break;
        }
        next.sort_by_key(|(ci, _)| *ci);
        todo = next;
    }
    databases.close().await;
    summary
}

/// Runs the given case positions of collection `ci` in order; returns each finished status.
#[allow(clippy::too_many_arguments)]
async fn run_collection<E: Send + 'static>(
    plan: &Arc<Plan>,
    ci: usize,
    positions: &[usize],
    run_times: u32,
    ctx: &mut CollectionContext,
    env: &CaseEnv,
    events: &Events<E>,
    cancel: &CancellationToken,
) -> Vec<(usize, Status)> {
    let mut statuses = Vec::new();
    // A stop kills the collection's Python worker at once, even while a script holds the case's
    // thread (a custom function blocks inside template rendering).
    let switch = ctx.sidecar.kill_switch();
    let stop_watch = cancel.clone();
    let watcher = tokio::spawn(async move {
        stop_watch.cancelled().await;
        switch.trip();
    });
    let ended = run_cases(
        &plan.collections[ci],
        &lookahead::Lookahead::start(plan, ci, positions),
        positions,
        run_times,
        ctx,
        env,
        events,
        cancel,
        &mut statuses,
    )
    .await;
    // The collection's browser never outlives it (web-cases Q10); each pass starts with an
    // empty slot (Q25). A cancelled run kills it at once instead of asking the driver.
    if ended.is_err() || cancel.is_cancelled() {
        ctx.web.kill();
        ctx.sidecar.kill();
    } else {
        ctx.web.close().await;
    }
    watcher.abort();
    // The Python worker never outlives its collection's pass either.
    ctx.sidecar.close();
    statuses
}

/// The case loop of [`run_collection`]; `Err` when it was cut short by cancellation.
#[allow(clippy::too_many_arguments)]
async fn run_cases<E: Send + 'static>(
    coll: &PlannedCollection,
    ahead: &lookahead::Lookahead,
    positions: &[usize],
    run_times: u32,
    ctx: &mut CollectionContext,
    env: &CaseEnv,
    events: &Events<E>,
    cancel: &CancellationToken,
    statuses: &mut Vec<(usize, Status)>,
) -> Result<(), ()> {
    for (k, &pos) in positions.iter().enumerate() {
        if cancel.is_cancelled() {
            return Err(());
        }
        let case = &coll.cases[pos];
        let meta = CaseMeta {
            collection_id: coll.id.clone(),
            case_id: case.case_id.clone(),
            case_type: case.case_type.clone(),
            index: case.index,
            run_times,
        };
        // At `debug`: entering and leaving a span at every poll of the case was a visible
        // share of a step's CPU; the "case finished" line names the case.
        let span =
            tracing::debug_span!("case", id = %case.case_id, index = case.index, run = run_times);
        let result = async {
            if events.case_starts {
                let _ = events
                    .tx
                    .send((events.make)(RunEvent::CaseStarted {
                        collection_id: coll.id.clone(),
                        index: case.index,
                        case_id: case.case_id.clone(),
                        run_times,
                    }))
                    .await;
            }
            let prepared = match ahead.take(k) {
                Some(prepared) => prepared,
                None => case.source.read().await.map(cases::PreparedCase::from),
            };
            let mut spent = None;
            let result =
                cases::execute_leaving(&meta, prepared, ctx, env, cancel, &mut spent).await;
            ahead.give_back(spent);
            result
        }
        .instrument(span)
        .await;
        let Some(result) = result else {
            return Err(());
        };
        // A passed case is routine (the platform's report has it): `debug`. A failed, errored
        // or skipped one is worth an operator's eye: `info`. Two formatted lines per passed
        // case were a visible share of a short case's CPU.
        if result.status == Status::Pass {
            tracing::debug!(case = %case.case_id, index = case.index, status = result.status.label(), "case finished");
        } else {
            tracing::info!(case = %case.case_id, index = case.index, status = result.status.label(), "case finished");
        }
        statuses.push((pos, result.status));
        if events
            .tx
            .send((events.make)(RunEvent::CaseFinished(Box::new(result))))
            .await
            .is_err()
        {
            return Err(());
        }
    }
    Ok(())
}
