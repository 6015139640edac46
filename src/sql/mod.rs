//! SQL pre/post entries (api-cases §6.8): MySQL/MariaDB and PostgreSQL through sqlx, SQL
//! Server through tiberius; Oracle (its client needs Oracle's native libraries) is a clear step
//! error. Values are read the way the Python engine's drivers give them, with the A38 fixes
//! (`convert`); connections are pooled per task and database with deadlines (`pool`).
//!
//! The case side (rendering the entry, storing the columns in the context) is
//! `cases::api::sql_step`.

pub mod convert;
pub mod entry;

mod conn;
mod mssql;
mod mysql;
mod pool;
mod postgres;
mod rows;

pub use entry::{DbKind, SqlEntry, Statement, Target, assign, transpose};
pub use pool::TaskDatabases;

use crate::value::Value;
use conn::Conn;
use rows::Rows;
use std::time::Instant;

/// Why an entry failed; the texts are the step errors users see.
#[derive(Debug, thiserror::Error)]
pub enum SqlError {
    /// The platform found no database of that name in the environment (the Python engine's
    /// KeyError, shown with its quotes).
    #[error("'获取数据库连接信息失败 请检查配置'")]
    NoHost,
    #[error("SQL配置不正确: {0}")]
    Entry(String),
    #[error("不支持的数据库类型: {0:?}")]
    UnsupportedType(String),
    #[error(
        "不支持的数据库类型 oracle: Oracle is not supported by this engine (its client needs Oracle's native libraries)"
    )]
    Oracle,
    #[error("数据库端口不是整数: port = {0:?}")]
    Port(String),
    #[error("连接数据库失败 ({target}): {reason}")]
    Connect { target: String, reason: String },
    #[error("连接数据库超时 ({target}): {secs}s 内未连上 ([Sql] connect-timeout)")]
    ConnectTimeout { target: String, secs: f64 },
    #[error(
        "等待数据库连接超时 ({target}): {secs}s 内没有空闲连接 ([Sql] max-connections, connect-timeout)"
    )]
    Busy { target: String, secs: f64 },
    #[error("执行SQL失败 ({target}): {reason}")]
    Query { target: String, reason: String },
    #[error("执行SQL超时 ({target}): 超过 {secs}s ([Sql] query-timeout)")]
    QueryTimeout { target: String, secs: f64 },
    #[error("变量数错误, 请检查变量数配置是否与查询语句一致，当前查询结果: <br>{0}")]
    Names(String),
    #[error("the task's SQL connections are closed (the task is ending)")]
    Closed,
}

/// What an entry gave back.
#[derive(Debug, Clone, PartialEq)]
pub struct Executed {
    /// The kept statement's rows (see each client for which statement that is).
    pub rows: Vec<Vec<Value>>,
}

impl TaskDatabases {
    /// Runs one entry on a pooled connection within `[Sql] query-timeout`. A connection whose
    /// statement failed or timed out is closed, not reused.
    pub async fn execute(&self, entry: &SqlEntry) -> Result<Executed, SqlError> {
        let started = Instant::now();
        let kind = entry.target.kind.label();
        let result = self.execute_inner(entry).await;
        let outcome = if result.is_ok() { "ok" } else { "error" };
        metrics::counter!("liuma_sql_entries_total", "db" => kind, "outcome" => outcome)
            .increment(1);
        metrics::histogram!("liuma_sql_entry_seconds", "db" => kind)
            .record(started.elapsed().as_secs_f64());
        result
    }

    async fn execute_inner(&self, entry: &SqlEntry) -> Result<Executed, SqlError> {
        let mut lease = self.acquire(&entry.target).await?;
        let mut rows = Rows::new(self.config.max_rows);
        let limit = self.config.query_timeout;
        let target = || entry.target.describe();
        let Some(conn) = lease.conn() else {
            return Err(SqlError::Closed);
        };
        match tokio::time::timeout(limit, conn.run(&entry.sql, &mut rows)).await {
            Ok(Ok(())) => {
                lease.give_back();
                Ok(Executed {
                    rows: rows.into_inner(),
                })
            }
            Ok(Err(e)) => Err(SqlError::Query {
                target: target(),
                reason: e.to_string(),
            }),
            Err(_) => {
                // The statement goes on on the server until it is told to stop: cancel it on
                // a connection of its own, in the background and within the connect deadline
                // (the step error does not wait for it).
                if let Some(session) = conn.session() {
                    let target = entry.target.clone();
                    let within = self.config.connect_timeout;
                    tokio::spawn(async move {
                        match tokio::time::timeout(within, Conn::cancel(&target, session)).await {
                            Ok(Ok(())) => {}
                            Ok(Err(e)) => tracing::warn!(
                                target = %target.describe(),
                                "could not cancel a timed-out SQL statement: {e}"
                            ),
                            Err(_) => tracing::warn!(
                                target = %target.describe(),
                                "could not cancel a timed-out SQL statement in time"
                            ),
                        }
                    });
                }
                Err(SqlError::QueryTimeout {
                    target: target(),
                    secs: limit.as_secs_f64(),
                })
            }
        }
    }
}
