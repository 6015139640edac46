//! PostgreSQL through sqlx's simple query protocol: values arrive as text (as psycopg2 reads
//! them) and `a; b` runs both statements, keeping the last one's rows like psycopg2.

use super::convert::{Kind, from_text};
use super::entry::Target;
use super::rows::{Rows, RunError};
use crate::value::Value;
use futures_util::TryStreamExt;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgRow, PgSslMode};
use sqlx::{AssertSqlSafe, Column, Connection, Either, Row, TypeInfo, ValueRef};

pub async fn connect(t: &Target) -> Result<PgConnection, sqlx::Error> {
    let mut opts = PgConnectOptions::new_without_pgpass()
        .host(&t.host)
        .port(t.port)
        .username(&t.user)
        .password(t.password.expose())
        .ssl_mode(PgSslMode::Prefer)
        .application_name("liuma-engine");
    if !t.database.is_empty() {
        opts = opts.database(&t.database);
    }
    PgConnection::connect_with(&opts).await
}

fn kind(ti: &sqlx::postgres::PgTypeInfo) -> Kind {
    match ti.name().to_ascii_uppercase().as_str() {
        "INT2" | "INT4" | "INT8" | "OID" => Kind::Int,
        "FLOAT4" | "FLOAT8" => Kind::Float,
        "NUMERIC" => Kind::Decimal,
        "BOOL" => Kind::Bool,
        "DATE" => Kind::Date,
        "TIMESTAMP" => Kind::DateTime,
        "TIMESTAMPTZ" => Kind::DateTimeTz,
        "TIME" | "TIMETZ" => Kind::Time,
        "BYTEA" => Kind::HexBytes,
        "JSON" | "JSONB" => Kind::Json,
        _ => Kind::Text,
    }
}

fn values(row: &PgRow, kinds: &mut Vec<Kind>) -> Result<Vec<Value>, sqlx::Error> {
    if kinds.is_empty() {
        kinds.extend(row.columns().iter().map(|c| kind(c.type_info())));
    }
    let mut out = Vec::with_capacity(kinds.len());
    for (i, k) in kinds.iter().enumerate() {
        let raw = row.try_get_raw(i)?;
        if raw.is_null() {
            out.push(Value::None);
            continue;
        }
        let bytes = raw.as_bytes().map_err(sqlx::Error::Decode)?;
        out.push(from_text(*k, bytes));
    }
    Ok(out)
}

/// Runs `sql` (autocommit: a non-query is committed when it returns).
pub async fn run(conn: &mut PgConnection, sql: &str, rows: &mut Rows) -> Result<(), RunError> {
    let mut stream = sqlx::raw_sql(AssertSqlSafe(sql)).fetch_many(&mut *conn);
    let mut kinds = Vec::new();
    let mut fresh = true;
    while let Some(item) = stream.try_next().await? {
        match item {
            Either::Left(_) => {
                fresh = true;
                kinds.clear();
            }
            Either::Right(row) => {
                if fresh {
                    // A later statement's rows replace the earlier ones.
                    rows.clear();
                    fresh = false;
                }
                rows.push(values(&row, &mut kinds)?)?;
            }
        }
    }
    Ok(())
}

pub async fn ping(conn: &mut PgConnection) -> bool {
    conn.ping().await.is_ok()
}

pub async fn close(conn: PgConnection) {
    let _ = conn.close().await;
}
