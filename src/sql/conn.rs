//! One open connection of any supported family, with the few operations the pool and the
//! entries need.

use super::entry::{DbKind, Target};
use super::rows::{Rows, RunError};
use super::{mssql, mysql, postgres};

pub enum Conn {
    MySql(sqlx::mysql::MySqlConnection),
    Postgres(sqlx::postgres::PgConnection),
    SqlServer(Box<mssql::Client>),
}

impl Conn {
    /// Opens a connection (no deadline here: the pool puts one around it). The error text is
    /// the client's own.
    pub async fn open(t: &Target) -> Result<Conn, String> {
        match t.kind {
            DbKind::MySql => mysql::connect(t)
                .await
                .map(Conn::MySql)
                .map_err(|e| e.to_string()),
            DbKind::Postgres => postgres::connect(t)
                .await
                .map(Conn::Postgres)
                .map_err(|e| e.to_string()),
            DbKind::SqlServer => mssql::connect(t)
                .await
                .map(|c| Conn::SqlServer(Box::new(c)))
                .map_err(|e| e.to_string()),
        }
    }

    pub async fn run(&mut self, sql: &str, rows: &mut Rows) -> Result<(), RunError> {
        match self {
            Conn::MySql(c) => mysql::run(c, sql, rows).await,
            Conn::Postgres(c) => postgres::run(c, sql, rows).await,
            Conn::SqlServer(c) => mssql::run(c, sql, rows).await,
        }
    }

    /// Whether a connection that sat idle still answers.
    pub async fn ping(&mut self) -> bool {
        match self {
            Conn::MySql(c) => mysql::ping(c).await,
            Conn::Postgres(c) => postgres::ping(c).await,
            Conn::SqlServer(c) => mssql::ping(c).await,
        }
    }

    /// Says goodbye to the server (a dropped connection just closes its socket).
    pub async fn close(self) {
        match self {
            Conn::MySql(c) => mysql::close(c).await,
            Conn::Postgres(c) => postgres::close(c).await,
            Conn::SqlServer(c) => mssql::close(*c).await,
        }
    }
}
