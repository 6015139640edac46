//! A `preSql`/`postSql` entry (api-cases §6.8) after rendering: which database, what to run,
//! and the context names that receive the columns.

use super::SqlError;
use crate::config::Secret;
use crate::value::Value;
use std::fmt;

/// The database families the platform names in `db.tpz`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DbKind {
    /// `mysql`: MySQL and MariaDB.
    MySql,
    /// `pgsql`: PostgreSQL.
    Postgres,
    /// `mssql`: SQL Server.
    SqlServer,
}

impl DbKind {
    pub fn label(self) -> &'static str {
        match self {
            DbKind::MySql => "mysql",
            DbKind::Postgres => "pgsql",
            DbKind::SqlServer => "mssql",
        }
    }
}

/// Where to connect. Also the pool key: one pool per task and distinct target.
#[derive(Clone, PartialEq, Eq)]
pub struct Target {
    pub kind: DbKind,
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: Secret,
    pub database: String,
}

impl Target {
    /// The password is never shown (logs, step errors).
    pub fn describe(&self) -> String {
        format!(
            "{} {}@{}:{}/{}",
            self.kind.label(),
            self.user,
            self.host,
            self.port,
            self.database
        )
    }
}

// The password takes part in equality but not in the hash (equal targets still hash alike).
impl std::hash::Hash for Target {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.kind, &self.host, self.port, &self.user, &self.database).hash(state);
    }
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// `sqlType`: anything but `query` executes and commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Statement {
    Query { names: String },
    NonQuery,
}

#[derive(Debug, Clone)]
pub struct SqlEntry {
    pub target: Target,
    pub statement: Statement,
    pub sql: String,
}

fn field<'a>(d: &'a Value, key: &str) -> Option<&'a Value> {
    match d {
        Value::Dict(m) => m.get(key),
        _ => None,
    }
}

/// Text of a field as Python's `str()` would give it to the driver (`None` → empty).
fn text(d: &Value, key: &str) -> String {
    match field(d, key) {
        None | Some(Value::None) => String::new(),
        Some(Value::Str(s)) => s.clone(),
        Some(other) => other.py_str(),
    }
}

impl SqlEntry {
    /// Reads a rendered entry. The checks follow the Python engine's order: the `db` object
    /// must have a `host` (the environment has that database), the type must be known, the
    /// port an integer.
    pub fn from_value(v: &Value) -> Result<Self, SqlError> {
        if !matches!(v, Value::Dict(_)) {
            return Err(SqlError::Entry("the value is not a JSON object".into()));
        }
        let db = field(v, "db").unwrap_or(&Value::None);
        if field(db, "host").is_none() {
            return Err(SqlError::NoHost);
        }
        let kind = match text(db, "tpz").as_str() {
            "mysql" => DbKind::MySql,
            "pgsql" => DbKind::Postgres,
            "mssql" => DbKind::SqlServer,
            "oracle" => return Err(SqlError::Oracle),
            other => return Err(SqlError::UnsupportedType(other.to_string())),
        };
        let port_text = text(db, "port");
        // Python `int()`: surrounding blanks and `_` separators are accepted.
        let port = port_text
            .trim()
            .replace('_', "")
            .parse::<u16>()
            .map_err(|_| SqlError::Port(port_text.clone()))?;
        let target = Target {
            kind,
            host: text(db, "host"),
            port,
            user: text(db, "user"),
            password: Secret::new(text(db, "password")),
            database: text(db, "db"),
        };
        let statement = if text(v, "sqlType") == "query" {
            Statement::Query {
                names: text(v, "names"),
            }
        } else {
            Statement::NonQuery
        };
        Ok(Self {
            target,
            statement,
            sql: text(v, "sqlText"),
        })
    }
}

/// Rows → columns: `result[i]` is column i over all rows (api-cases §6.8).
pub fn transpose(rows: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    let mut columns: Vec<Vec<Value>> = Vec::new();
    for row in rows {
        for (i, v) in row.into_iter().enumerate() {
            if columns.len() <= i {
                columns.push(Vec::new());
            }
            columns[i].push(v);
        }
    }
    columns
}

/// Stores the columns under `names` split on `,` (not trimmed, A39). Zero rows → every name
/// gets `[]`. More names than columns → the Python engine's error, after the names before the
/// failing one were stored.
pub fn assign(
    names: &str,
    columns: Vec<Vec<Value>>,
    mut store: impl FnMut(String, Value),
) -> Result<(), SqlError> {
    let shown = Value::List(columns.iter().cloned().map(Value::List).collect()).py_str();
    let mut columns = columns.into_iter();
    let empty = columns.len() == 0;
    for name in names.split(',') {
        if empty {
            store(name.to_string(), Value::List(Vec::new()));
            continue;
        }
        match columns.next() {
            Some(col) => store(name.to_string(), Value::List(col)),
            None => return Err(SqlError::Names(shown)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Dict;

    fn entry(json: &str) -> Result<SqlEntry, SqlError> {
        let v = crate::value::parse_json(json).unwrap_or(Value::None);
        SqlEntry::from_value(&v)
    }

    #[test]
    fn reads_the_platform_shape() {
        let e = entry(
            r#"{"db":{"host":"10.0.0.5","port":"3306","user":"qa","password":"qa123","tpz":"mysql","db":"shop"},"sqlType":"query","names":"id,name","sqlText":"select 1"}"#,
        );
        let Ok(e) = e else {
            panic!("{e:?}");
        };
        assert_eq!(e.target.kind, DbKind::MySql);
        assert_eq!(e.target.port, 3306);
        assert_eq!(e.target.password.expose(), "qa123");
        assert_eq!(
            e.statement,
            Statement::Query {
                names: "id,name".into()
            }
        );
        // The password never shows.
        assert_eq!(format!("{:?}", e.target), "mysql qa@10.0.0.5:3306/shop");
    }

    #[test]
    fn errors_in_the_python_order() {
        let msg = |j: &str| entry(j).err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            msg(r#"{"db":{},"sqlType":"query"}"#),
            "'获取数据库连接信息失败 请检查配置'"
        );
        assert!(
            msg(r#"{"db":{"host":"h","port":"1","tpz":"oracle"}}"#)
                .contains("Oracle is not supported by this engine")
        );
        assert!(
            msg(r#"{"db":{"host":"h","port":"1","tpz":"db2"}}"#).starts_with("不支持的数据库类型")
        );
        assert!(msg(r#"{"db":{"host":"h","port":"x","tpz":"pgsql"}}"#).contains("port"));
        let e = entry(r#"{"db":{"host":"h","port":5432,"tpz":"pgsql"},"sqlType":"nonQuery"}"#);
        assert!(matches!(
            e,
            Ok(SqlEntry {
                statement: Statement::NonQuery,
                ..
            })
        ));
    }

    fn run_assign(names: &str, rows: Vec<Vec<Value>>) -> (Dict, Option<String>) {
        let mut vars = Dict::default();
        let r = assign(names, transpose(rows), |k, v| {
            vars.insert(k, v);
        });
        (vars, r.err().map(|e| e.to_string()))
    }

    #[test]
    fn columns_go_to_names() {
        let rows = vec![
            vec![Value::Int(1), Value::Str("a".into())],
            vec![Value::Int(2), Value::Str("b".into())],
        ];
        let (vars, err) = run_assign("id,name", rows.clone());
        assert_eq!(err, None);
        assert_eq!(vars["id"].py_str(), "[1, 2]");
        assert_eq!(vars["name"].py_str(), "['a', 'b']");
        // Fewer names than columns is fine; names are not trimmed.
        let (vars, _) = run_assign(" id", rows.clone());
        assert!(vars.contains_key(" id"));
        // Zero rows: every name gets [].
        let (vars, err) = run_assign("a,b,c", Vec::new());
        assert_eq!(err, None);
        assert_eq!(vars.len(), 3);
        assert_eq!(vars["c"], Value::List(Vec::new()));
    }

    #[test]
    fn too_many_names() {
        let rows = vec![vec![Value::Int(1), Value::Str("a".into())]];
        let (vars, err) = run_assign("a,b,c", rows);
        assert_eq!(
            err.as_deref(),
            Some("变量数错误, 请检查变量数配置是否与查询语句一致，当前查询结果: <br>[[1], ['a']]")
        );
        // The names before the failing one are stored.
        assert_eq!(vars.len(), 2);
    }
}
