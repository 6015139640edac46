//! Engine overhead of SQL query entries: the same query (`SELECT id, name, amount, created
//! FROM t_order` over 10 rows) issued N times by
//!   (a) a bare sqlx connection (`raw_sql(..).fetch_all`, rows decoded to strings),
//!   (b) the engine's entry path (`TaskDatabases::execute` on the task's pool + column
//!       transposition),
//!   (c) an API case of N steps each with that query as a `preSql` entry, minus the same case
//!       without the entries (so the HTTP exchange of the step is not counted),
//! against throwaway PostgreSQL and MariaDB servers on loopback (`tests/support/db.rs`), started
//! before the clock runs. Best of 3 rounds.
//!
//! `cargo bench --bench sql` (needs the Debian packages `.ci/databases` installs).

#[path = "../tests/support/mod.rs"]
mod support;

use futures_util::TryStreamExt;
use liuma_engine::cases::{self, CaseEnv, CaseMeta, CollectionContext, Status};
use liuma_engine::config::SqlConfig;
use liuma_engine::ids::{CaseId, CollectionId};
use liuma_engine::sql::{SqlEntry, TaskDatabases, transpose};
use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, Connection, Row};
use std::time::{Duration, Instant};
use support::Target;
use support::cases::{api_case, step};
use tokio_util::sync::CancellationToken;

const N: usize = 500;
const ROUNDS: usize = 5;
const QUERY: &str = "SELECT id, name, amount, created FROM t_order ORDER BY id";

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run());
}

fn env() -> CaseEnv {
    CaseEnv {
        step_timeout_cap: Duration::from_secs(60),
        enable_stderr: false,
        max_response_bytes: 8 * 1024 * 1024,
        max_loop_iterations: 1000,
        loop_timeout_cap: Duration::from_secs(60),
        ..CaseEnv::defaults(&std::env::temp_dir().join("liuma-bench-home")).expect("case env")
    }
}

fn meta() -> CaseMeta {
    CaseMeta {
        collection_id: CollectionId("bench".into()),
        case_id: CaseId("bench-sql".into()),
        case_type: "API".into(),
        index: 1,
        run_times: 1,
    }
}

fn best(times: &[Duration]) -> Duration {
    times.iter().copied().min().unwrap_or_default()
}

fn per(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6 / N as f64)
}

async fn bare(server: &support::db::DbServer) -> Duration {
    let url = |scheme: &str| {
        format!(
            "{scheme}://{}:{}@127.0.0.1:{}/{}",
            server.user, server.password, server.port, server.database
        )
    };
    let mut out = Vec::new();
    match server.kind {
        "pgsql" => {
            let mut c = sqlx::PgConnection::connect(&url("postgres"))
                .await
                .expect("pg");
            {
                let t = Instant::now();
                for _ in 0..N {
                    let rows = sqlx::raw_sql(AssertSqlSafe(QUERY))
                        .fetch(&mut c)
                        .try_collect::<Vec<_>>()
                        .await
                        .expect("query");
                    let texts: Vec<Vec<String>> = rows
                        .iter()
                        .map(|r| {
                            (0..r.len())
                                .map(|i| {
                                    r.try_get_raw(i)
                                        .ok()
                                        .and_then(|v| v.as_str().ok().map(str::to_string))
                                        .unwrap_or_default()
                                })
                                .collect()
                        })
                        .collect();
                    assert_eq!(texts.len(), 10);
                }
                out.push(t.elapsed());
            }
        }
        _ => {
            let mut c = sqlx::MySqlConnection::connect(&url("mysql"))
                .await
                .expect("mysql");
            {
                let t = Instant::now();
                for _ in 0..N {
                    let rows = sqlx::raw_sql(AssertSqlSafe(QUERY))
                        .fetch(&mut c)
                        .try_collect::<Vec<_>>()
                        .await
                        .expect("query");
                    let texts: Vec<Vec<String>> = rows
                        .iter()
                        .map(|r| {
                            (0..r.len())
                                .map(|i| {
                                    r.try_get_unchecked::<Option<String>, _>(i)
                                        .ok()
                                        .flatten()
                                        .unwrap_or_default()
                                })
                                .collect()
                        })
                        .collect();
                    assert_eq!(texts.len(), 10);
                }
                out.push(t.elapsed());
            }
        }
    }
    best(&out)
}

async fn engine_entry(dbs: &TaskDatabases, db: &Value) -> Duration {
    let v = liuma_engine::value::Value::from_json(
        &json!({"db": db, "sqlType": "query", "names": "id,name,amount,created", "sqlText": QUERY}),
    );
    let entry = SqlEntry::from_value(&v).expect("entry");
    let t = Instant::now();
    for _ in 0..N {
        let done = dbs.execute(&entry).await.expect("entry");
        let cols = transpose(done.rows);
        assert_eq!(cols.len(), 4);
    }
    t.elapsed()
}

async fn engine_steps(db: &Value, target: &Target, with_sql: bool) -> Duration {
    let entry = json!({"name": "preSql", "value": json!({"db": db, "sqlType": "query", "names": "id,name,amount,created", "sqlText": QUERY}).to_string()});
    let steps: Vec<Value> = (0..N)
        .map(|i| {
            let mut s = step(&format!("s{i}"), &target.url(), "GET", "/json");
            if with_sql {
                s["controller"] = json!({"pre": [entry.clone()]});
            }
            s
        })
        .collect();
    let case = api_case("bench-sql", "bench", steps);
    let env = env();
    let mut out = Vec::new();
    for _ in 0..ROUNDS {
        let mut ctx = CollectionContext::default();
        let t = Instant::now();
        let r = cases::execute(
            &meta(),
            Ok(liuma_engine::bundle::LoadedCase::file_of("case.json", &case).into()),
            &mut ctx,
            &env,
            &CancellationToken::new(),
        )
        .await
        .expect("result");
        out.push(t.elapsed());
        assert_eq!(r.status, Status::Pass);
        ctx.sql.close().await;
    }
    best(&out)
}

async fn setup(server: &support::db::DbServer) {
    let dbs = TaskDatabases::new(SqlConfig::default());
    let db = server.db_json();
    let rows: Vec<String> = (1..=10)
        .map(|i| format!("({i}, 'name {i}', {i}.50, '2024-01-{i:02}')"))
        .collect();
    for sql in [
        "CREATE TABLE t_order (id INT PRIMARY KEY, name VARCHAR(20), amount DECIMAL(10,2), created DATE)".to_string(),
        format!("INSERT INTO t_order VALUES {}", rows.join(", ")),
    ] {
        let v = liuma_engine::value::Value::from_json(
            &json!({"db": db, "sqlType": "nonQuery", "names": "", "sqlText": sql}),
        );
        dbs.execute(&SqlEntry::from_value(&v).expect("entry"))
            .await
            .expect("setup");
    }
    dbs.close().await;
}

async fn run() {
    let target = Target::start().await;
    for start in [
        support::db::postgres as fn() -> support::db::DbServer,
        support::db::mariadb,
    ] {
        let server = tokio::task::spawn_blocking(start).await.expect("server");
        setup(&server).await;
        let db = server.db_json();
        // Rounds interleave the four measurements so that load from elsewhere on the machine
        // hits them alike; the best round of each counts.
        let dbs = TaskDatabases::new(SqlConfig::default());
        let (mut a, mut b, mut with, mut without) = (vec![], vec![], vec![], vec![]);
        for _ in 0..ROUNDS {
            a.push(bare(&server).await);
            b.push(engine_entry(&dbs, &db).await);
            with.push(engine_steps(&db, &target, true).await);
            without.push(engine_steps(&db, &target, false).await);
        }
        dbs.close().await;
        let (a, b, with, without) = (best(&a), best(&b), best(&with), best(&without));
        let c = with.saturating_sub(without);
        println!("{} ({N} queries, best of {ROUNDS}):", server.kind);
        println!("  (a) bare sqlx:            {:?} = {} per query", a, per(a));
        println!(
            "  (b) engine entry (pool):  {:?} = {} per query, ratio {:.2}",
            b,
            per(b),
            b.as_secs_f64() / a.as_secs_f64()
        );
        println!(
            "  (c) SQL pre entry in a step: {:?} - {:?} = {:?} = {} per query, ratio {:.2}",
            with,
            without,
            c,
            per(c),
            c.as_secs_f64() / a.as_secs_f64()
        );
        drop(server);
    }
}
