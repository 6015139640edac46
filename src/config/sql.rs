//! `[Sql]`: settings of SQL pre/post entries (api-cases §6.8) that only this engine has. The
//! Python engine opened a fresh connection per entry and waited forever; here connections are
//! pooled per task and database, and every connect and statement has a deadline. Every key is
//! optional, so a Python engine's file works unchanged.

use super::{ConfigError, IniFile};
use std::time::Duration;

const SECTION: &str = "Sql";

#[derive(Debug, Clone, PartialEq)]
pub struct SqlConfig {
    /// `[Sql] connect-timeout`: seconds to open a connection (TCP, TLS, login) and to wait for
    /// a free pooled one. A database that is down fails the entry after at most this long.
    pub connect_timeout: Duration,
    /// `[Sql] query-timeout`: seconds one entry's statement may run, rows included.
    pub query_timeout: Duration,
    /// `[Sql] max-connections`: most open connections per task and database.
    pub max_connections: usize,
    /// `[Sql] max-rows`: most rows a query entry may return (its columns are kept in memory).
    pub max_rows: usize,
}

impl Default for SqlConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            query_timeout: Duration::from_secs(60),
            max_connections: 4,
            max_rows: 100_000,
        }
    }
}

impl SqlConfig {
    pub(crate) fn from_ini(ini: &IniFile) -> Result<Self, ConfigError> {
        let d = SqlConfig::default();
        let secs = |key: &str, default: Duration| -> Result<Duration, ConfigError> {
            let v: f64 = ini.parse_or(SECTION, key, default.as_secs_f64(), "expected seconds")?;
            if !(0.1..=86_400.0).contains(&v) {
                return Err(ini.invalid(
                    SECTION,
                    key,
                    &v.to_string(),
                    "expected 0.1 to 86400 seconds",
                ));
            }
            Ok(Duration::from_secs_f64(v))
        };
        let count = |key: &str, default: usize, max: usize| -> Result<usize, ConfigError> {
            let v: usize = ini.parse_or(SECTION, key, default, "expected a positive integer")?;
            if v == 0 || v > max {
                return Err(ini.invalid(
                    SECTION,
                    key,
                    &v.to_string(),
                    &format!("expected 1 to {max}"),
                ));
            }
            Ok(v)
        };
        Ok(Self {
            connect_timeout: secs("connect-timeout", d.connect_timeout)?,
            query_timeout: secs("query-timeout", d.query_timeout)?,
            max_connections: count("max-connections", d.max_connections, 1000)?,
            max_rows: count("max-rows", d.max_rows, 100_000_000)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn read(text: &str) -> Result<SqlConfig, ConfigError> {
        SqlConfig::from_ini(&IniFile::parse(Path::new("config.ini"), text)?)
    }

    #[test]
    fn defaults_when_the_section_is_absent() {
        assert_eq!(
            read("[Platform]\nurl = x\n").ok(),
            Some(SqlConfig::default())
        );
    }

    #[test]
    fn reads_every_key() {
        let c = read(
            "[Sql]\nconnect-timeout = 2.5\nquery-timeout = 30\nmax-connections = 2\nmax-rows = 10\n",
        )
        .ok();
        assert_eq!(
            c,
            Some(SqlConfig {
                connect_timeout: Duration::from_millis(2500),
                query_timeout: Duration::from_secs(30),
                max_connections: 2,
                max_rows: 10,
            })
        );
    }

    #[test]
    fn bad_values_name_the_key() {
        let e = read("[Sql]\nmax-connections = 0\n")
            .err()
            .map(|e| e.to_string());
        assert!(
            e.as_deref()
                .is_some_and(|t| t.contains("[Sql] max-connections") && t.contains("config.ini")),
            "{e:?}"
        );
        let e = read("[Sql]\nquery-timeout = soon\n")
            .err()
            .map(|e| e.to_string());
        assert!(
            e.as_deref()
                .is_some_and(|t| t.contains("[Sql] query-timeout")),
            "{e:?}"
        );
    }
}
