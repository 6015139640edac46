//! One open connection of any supported family, with the few operations the pool and the
//! entries need.

use super::entry::{DbKind, Target};
use super::rows::{Rows, RunError};
use super::{mssql, mysql, postgres};
use crate::value::Value;

enum Link {
    MySql(sqlx::mysql::MySqlConnection),
    Postgres(sqlx::postgres::PgConnection),
    SqlServer(Box<mssql::Client>),
}

/// An open connection and the server's id of its session (MySQL `CONNECTION_ID()`,
/// PostgreSQL `pg_backend_pid()`), used to cancel a statement that ran past its deadline.
pub struct Conn {
    link: Link,
    session: Option<i64>,
}

impl Conn {
    /// Opens a connection (no deadline here: the pool puts one around it). The error text is
    /// the client's own.
    pub async fn open(t: &Target) -> Result<Conn, String> {
        let mut conn = Self::connect(t).await?;
        let ask = match t.kind {
            DbKind::MySql => Some("SELECT CONNECTION_ID()"),
            DbKind::Postgres => Some("SELECT pg_backend_pid()"),
            // tiberius cannot cancel, and KILL needs rights a test user seldom has.
            DbKind::SqlServer => None,
        };
        if let Some(sql) = ask {
            let mut rows = Rows::new(1);
            conn.run(sql, &mut rows).await.map_err(|e| e.to_string())?;
            conn.session = match rows.into_inner().first().and_then(|r| r.first()) {
                Some(Value::Int(id)) => Some(*id),
                _ => None,
            };
        }
        Ok(conn)
    }

    async fn connect(t: &Target) -> Result<Conn, String> {
        let link = match t.kind {
            DbKind::MySql => mysql::connect(t)
                .await
                .map(Link::MySql)
                .map_err(|e| e.to_string())?,
            DbKind::Postgres => postgres::connect(t)
                .await
                .map(Link::Postgres)
                .map_err(|e| e.to_string())?,
            DbKind::SqlServer => mssql::connect(t)
                .await
                .map(|c| Link::SqlServer(Box::new(c)))
                .map_err(|e| e.to_string())?,
        };
        Ok(Conn {
            link,
            session: None,
        })
    }

    pub fn session(&self) -> Option<i64> {
        self.session
    }

    /// Asks the server, on a connection of its own, to stop the statement running in
    /// `session` (a dropped client socket alone leaves it running until it next writes).
    pub async fn cancel(t: &Target, session: i64) -> Result<(), String> {
        let sql = match t.kind {
            DbKind::MySql => format!("KILL QUERY {session}"),
            DbKind::Postgres => format!("SELECT pg_cancel_backend({session})"),
            DbKind::SqlServer => return Ok(()),
        };
        let mut conn = Self::connect(t).await?;
        let mut rows = Rows::new(1);
        let result = conn.run(&sql, &mut rows).await.map_err(|e| e.to_string());
        conn.close().await;
        result
    }

    pub async fn run(&mut self, sql: &str, rows: &mut Rows) -> Result<(), RunError> {
        match &mut self.link {
            Link::MySql(c) => mysql::run(c, sql, rows).await,
            Link::Postgres(c) => postgres::run(c, sql, rows).await,
            Link::SqlServer(c) => mssql::run(c, sql, rows).await,
        }
    }

    /// Whether a connection that sat idle still answers.
    pub async fn ping(&mut self) -> bool {
        match &mut self.link {
            Link::MySql(c) => mysql::ping(c).await,
            Link::Postgres(c) => postgres::ping(c).await,
            Link::SqlServer(c) => mssql::ping(c).await,
        }
    }

    /// Says goodbye to the server (a dropped connection just closes its socket).
    pub async fn close(self) {
        match self.link {
            Link::MySql(c) => mysql::close(c).await,
            Link::Postgres(c) => postgres::close(c).await,
            Link::SqlServer(c) => mssql::close(*c).await,
        }
    }
}
