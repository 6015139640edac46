//! Connections of one task, pooled per database (api-cases §6.8 Fix: the Python engine opened
//! a fresh connection per entry and leaked it when the entry raised).
//!
//! Each distinct target gets at most `[Sql] max-connections` open connections; an entry waits
//! for a free one up to `[Sql] connect-timeout`, which also bounds opening a new one, so a
//! database that is down fails the entry in bounded time with the client's own reason (sqlx's
//! built-in pool retries refused connections until its deadline and then reports only a
//! timeout, hence this small pool). Everything is closed when the task ends
//! ([`TaskDatabases::close`]).

use super::SqlError;
use super::conn::Conn;
use super::entry::Target;
use crate::config::SqlConfig;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// A connection idle longer than this is pinged before it is used again (the server may have
/// closed it meanwhile).
const PING_AFTER_IDLE: Duration = Duration::from_secs(5);
/// How long closing one connection at the end of a task may take.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

struct Slot {
    idle: Mutex<Vec<(Conn, Instant)>>,
    permits: Arc<Semaphore>,
}

/// The SQL connections of one task. Shared by its collections (`CollectionContext::sql`).
pub struct TaskDatabases {
    pub(super) config: SqlConfig,
    slots: Mutex<HashMap<Target, Arc<Slot>>>,
    closed: AtomicBool,
}

impl std::fmt::Debug for TaskDatabases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.slots.lock().map(|s| s.len()).unwrap_or(0);
        f.debug_struct("TaskDatabases")
            .field("databases", &n)
            .finish_non_exhaustive()
    }
}

impl Default for TaskDatabases {
    fn default() -> Self {
        Self::new(SqlConfig::default())
    }
}

/// A connection taken from the pool. Dropped without [`Lease::give_back`] it is closed (its
/// state after an error or a timeout is unknown).
pub struct Lease {
    conn: Option<Conn>,
    slot: Arc<Slot>,
    _permit: OwnedSemaphorePermit,
}

impl Lease {
    pub fn conn(&mut self) -> Option<&mut Conn> {
        self.conn.as_mut()
    }

    /// Returns a healthy connection to the pool.
    pub fn give_back(mut self) {
        if let Some(c) = self.conn.take()
            && !self.slot.permits.is_closed()
            && let Ok(mut idle) = self.slot.idle.lock()
        {
            idle.push((c, Instant::now()));
        }
    }
}

impl TaskDatabases {
    pub fn new(config: SqlConfig) -> Self {
        Self {
            config,
            slots: Mutex::new(HashMap::new()),
            closed: AtomicBool::new(false),
        }
    }

    fn slot(&self, target: &Target) -> Result<Arc<Slot>, SqlError> {
        let mut slots = self.slots.lock().map_err(|_| SqlError::Closed)?;
        // Checked under the lock: `close` sets the flag before it drains the map.
        if self.closed.load(Ordering::SeqCst) {
            return Err(SqlError::Closed);
        }
        let max = self.config.max_connections;
        Ok(slots
            .entry(target.clone())
            .or_insert_with(|| {
                Arc::new(Slot {
                    idle: Mutex::new(Vec::new()),
                    permits: Arc::new(Semaphore::new(max)),
                })
            })
            .clone())
    }

    /// A connection to `target`: an idle one, else a new one, within `connect-timeout`.
    pub async fn acquire(&self, target: &Target) -> Result<Lease, SqlError> {
        let limit = self.config.connect_timeout;
        let deadline = tokio::time::Instant::now() + limit;
        let slot = self.slot(target)?;
        let permit =
            match tokio::time::timeout_at(deadline, slot.permits.clone().acquire_owned()).await {
                Ok(Ok(p)) => p,
                Ok(Err(_)) => return Err(SqlError::Closed),
                Err(_) => {
                    return Err(SqlError::Busy {
                        target: target.describe(),
                        secs: limit.as_secs_f64(),
                    });
                }
            };
        loop {
            let popped = slot.idle.lock().ok().and_then(|mut idle| idle.pop());
            let Some((mut conn, since)) = popped else {
                break;
            };
            if since.elapsed() < PING_AFTER_IDLE {
                return Ok(Lease {
                    conn: Some(conn),
                    slot,
                    _permit: permit,
                });
            }
            if let Ok(true) = tokio::time::timeout_at(deadline, conn.ping()).await {
                return Ok(Lease {
                    conn: Some(conn),
                    slot,
                    _permit: permit,
                });
            }
            tracing::debug!(target = %target.describe(), "dropping a stale SQL connection");
        }
        match tokio::time::timeout_at(deadline, Conn::open(target)).await {
            Ok(Ok(conn)) => {
                metrics::counter!("liuma_sql_connections_opened_total").increment(1);
                Ok(Lease {
                    conn: Some(conn),
                    slot,
                    _permit: permit,
                })
            }
            Ok(Err(reason)) => Err(SqlError::Connect {
                target: target.describe(),
                reason,
            }),
            Err(_) => Err(SqlError::ConnectTimeout {
                target: target.describe(),
                secs: limit.as_secs_f64(),
            }),
        }
    }

    /// How many connections sit idle in the pools (for tests and status).
    pub fn idle_connections(&self) -> usize {
        let Ok(slots) = self.slots.lock() else {
            return 0;
        };
        slots
            .values()
            .map(|s| s.idle.lock().map(|i| i.len()).unwrap_or(0))
            .sum()
    }

    /// Ends the pools: entries still waiting fail, idle connections are closed politely (each
    /// within a short deadline), connections in use are closed when they come back.
    pub async fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        let slots: Vec<Arc<Slot>> = match self.slots.lock() {
            Ok(mut s) => s.drain().map(|(_, v)| v).collect(),
            Err(_) => return,
        };
        for slot in slots {
            slot.permits.close();
            let idle: Vec<(Conn, Instant)> = slot
                .idle
                .lock()
                .map(|mut i| i.drain(..).collect())
                .unwrap_or_default();
            for (conn, _) in idle {
                let _ = tokio::time::timeout(CLOSE_TIMEOUT, conn.close()).await;
            }
        }
    }
}
