//! MySQL and MariaDB through sqlx's text protocol, the one PyMySQL uses: every value arrives as
//! text and is read by its column type (`convert`), so numbers print as the server prints them.

use super::convert::{Kind, from_text};
use super::entry::Target;
use super::rows::{Rows, RunError};
use crate::value::Value;
use futures_util::TryStreamExt;
use sqlx::mysql::{MySql, MySqlConnectOptions, MySqlConnection, MySqlRow, MySqlSslMode};
use sqlx::{AssertSqlSafe, Column, Connection, Either, Row, TypeInfo, ValueRef};

pub async fn connect(t: &Target) -> Result<MySqlConnection, sqlx::Error> {
    let mut opts = MySqlConnectOptions::new()
        .host(&t.host)
        .port(t.port)
        .username(&t.user)
        .password(t.password.expose())
        .charset("utf8mb4")
        // The session stays as the server configures it, as with PyMySQL: no sql_mode or
        // time_zone changes of sqlx's own (`||` keeps meaning OR).
        .pipes_as_concat(false)
        .no_engine_substitution(false)
        .timezone(None)
        .ssl_mode(MySqlSslMode::Preferred);
    if !t.database.is_empty() {
        opts = opts.database(&t.database);
    }
    MySqlConnection::connect_with(&opts).await
}

/// Whether the column's collation is `binary` (63): PyMySQL returns bytes for those, text for
/// the rest (a `utf8mb4_bin` column carries the BINARY flag too but is text). sqlx keeps the
/// collation private; its Debug output shows it.
fn binary_collation(ti: &sqlx::mysql::MySqlTypeInfo) -> bool {
    let debug = format!("{ti:?}");
    if debug.contains("collation:") {
        debug.contains("Collation(63)")
    } else {
        true
    }
}

fn kind(ti: &sqlx::mysql::MySqlTypeInfo) -> Kind {
    match ti.name() {
        "BOOLEAN" | "TINYINT" | "SMALLINT" | "INT" | "MEDIUMINT" | "BIGINT"
        | "TINYINT UNSIGNED" | "SMALLINT UNSIGNED" | "INT UNSIGNED" | "MEDIUMINT UNSIGNED"
        | "BIGINT UNSIGNED" | "YEAR" => Kind::Int,
        "FLOAT" | "DOUBLE" => Kind::Float,
        "DECIMAL" => Kind::Decimal,
        "DATE" => Kind::Date,
        "DATETIME" | "TIMESTAMP" => Kind::DateTime,
        "TIME" => Kind::Duration,
        "BIT" | "GEOMETRY" => Kind::Bytes,
        "NULL" => Kind::Text,
        "BINARY" | "VARBINARY" | "TINYBLOB" | "BLOB" | "MEDIUMBLOB" | "LONGBLOB" => {
            if binary_collation(ti) {
                Kind::Bytes
            } else {
                Kind::Text
            }
        }
        _ => Kind::Text,
    }
}

fn values(row: &MySqlRow, kinds: &mut Vec<Kind>) -> Result<Vec<Value>, sqlx::Error> {
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
        let bytes =
            <&[u8] as sqlx::decode::Decode<MySql>>::decode(raw).map_err(sqlx::Error::Decode)?;
        out.push(from_text(*k, bytes));
    }
    Ok(out)
}

/// Runs `sql` (autocommit: a non-query is committed when it returns). The rows of the first
/// statement are kept, as PyMySQL's `fetchall` gives them.
pub async fn run(conn: &mut MySqlConnection, sql: &str, rows: &mut Rows) -> Result<(), RunError> {
    let mut stream = sqlx::raw_sql(AssertSqlSafe(sql)).fetch_many(&mut *conn);
    let mut kinds = Vec::new();
    let mut statement = 0usize;
    while let Some(item) = stream.try_next().await? {
        match item {
            Either::Left(_) => {
                statement += 1;
                kinds.clear();
            }
            Either::Right(row) if statement == 0 => rows.push(values(&row, &mut kinds)?)?,
            Either::Right(_) => {}
        }
    }
    Ok(())
}

pub async fn ping(conn: &mut MySqlConnection) -> bool {
    conn.ping().await.is_ok()
}

pub async fn close(conn: MySqlConnection) {
    let _ = conn.close().await;
}
