//! SQL pre/post entries (api-cases §6.8) against real MariaDB and PostgreSQL servers started
//! for the test on loopback (`support::db`), and the connection error paths (a closed port, a
//! server that never answers, SQL Server's TDS client against a non-server).

mod support;

use liuma_engine::bundle::LoadedCase;
use liuma_engine::cases::{self, CaseEnv, CaseMeta, CaseResult, CollectionContext, Status};
use liuma_engine::config::SqlConfig;
use liuma_engine::ids::{CaseId, CollectionId};
use liuma_engine::sql::TaskDatabases;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use support::Target;
use support::cases::{api_case, step};
use support::db;
use tokio_util::sync::CancellationToken;

fn env() -> CaseEnv {
    CaseEnv {
        step_timeout_cap: Duration::from_secs(20),
        enable_stderr: false,
        max_response_bytes: 8 * 1024 * 1024,
        max_loop_iterations: 1000,
        loop_timeout_cap: Duration::from_secs(5),
        sql: sql_config(),
        ..CaseEnv::defaults(&std::env::temp_dir().join("liuma-test-home")).expect("case env")
    }
}

fn sql_config() -> SqlConfig {
    SqlConfig {
        connect_timeout: Duration::from_secs(3),
        query_timeout: Duration::from_secs(20),
        max_connections: 2,
        max_rows: 1000,
    }
}

/// A context whose SQL pools use the test settings (the runner does this per task).
fn context() -> CollectionContext {
    CollectionContext {
        sql: Arc::new(TaskDatabases::new(sql_config())),
        ..Default::default()
    }
}

fn meta() -> CaseMeta {
    CaseMeta {
        collection_id: CollectionId("c-sql".into()),
        case_id: CaseId("case-sql".into()),
        case_type: "API".into(),
        index: 1,
        run_times: 1,
    }
}

async fn run_in(ctx: &mut CollectionContext, steps: Vec<Value>) -> CaseResult {
    let case = api_case("case-sql", "sql case", steps);
    cases::execute(
        &meta(),
        Ok(LoadedCase::file_of("case.json", &case).into()),
        ctx,
        &env(),
        &CancellationToken::new(),
    )
    .await
    .expect("not cancelled")
}

/// A `preSql`/`postSql` entry as the platform sends it: the value is JSON text.
fn entry(name: &str, db: &Value, sql_type: &str, names: &str, sql: &str) -> Value {
    json!({
        "index": 1, "edit": false, "name": name, "desc": "",
        "value": json!({"db": db, "sqlType": sql_type, "names": names, "sqlText": sql}).to_string()
    })
}

fn query(db: &Value, names: &str, sql: &str) -> Value {
    entry("preSql", db, "query", names, sql)
}

fn exec(db: &Value, sql: &str) -> Value {
    entry("preSql", db, "nonQuery", "", sql)
}

/// A GET /json step of `target` with these pre entries (and `errorContinue`).
fn sql_step(target: &Target, name: &str, pre: Vec<Value>, error_continue: bool) -> Value {
    let mut s = step(name, &target.url(), "GET", "/json");
    s["controller"] = json!({
        "pre": pre,
        "errorContinue": if error_continue { "true" } else { "false" },
    });
    s
}

fn var(ctx: &CollectionContext, name: &str) -> String {
    ctx.vars
        .get(name)
        .map(|v| v.py_str())
        .unwrap_or_else(|| format!("<{name} not set>"))
}

fn status_of(r: &CaseResult) -> Vec<Status> {
    r.transactions.iter().map(|t| t.status).collect()
}

fn logs(r: &CaseResult) -> String {
    r.transactions
        .iter()
        .map(|t| t.log.clone())
        .collect::<Vec<_>>()
        .join("\n---\n")
}

/// Runs one step with these entries in a fresh case of `ctx`; panics with the log when the
/// step did not pass.
async fn pass(ctx: &mut CollectionContext, t: &Target, what: &str, pre: Vec<Value>) {
    let r = run_in(ctx, vec![sql_step(t, what, pre, false)]).await;
    assert_eq!(r.status, Status::Pass, "{what}: {}", logs(&r));
}

/// Runs one step that must fail with a step error; returns its log.
async fn error(ctx: &mut CollectionContext, t: &Target, what: &str, pre: Vec<Value>) -> String {
    let r = run_in(ctx, vec![sql_step(t, what, pre, false)]).await;
    assert_eq!(r.status, Status::Error, "{what}: {}", logs(&r));
    logs(&r)
}

// MariaDB ------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_entries() {
    let server = tokio::task::spawn_blocking(db::mariadb)
        .await
        .expect("mariadb started");
    let t = Target::start().await;
    let db = server.db_json();
    let mut ctx = context();

    // A non-query that commits: created and filled here, read back below through a new pool.
    pass(&mut ctx, &t, "setup", vec![
        exec(&db, "CREATE TABLE t_order (id INT PRIMARY KEY, name VARCHAR(20), amount DECIMAL(10,2), qty INT, created DATE, paid_at DATETIME, shipped_at DATETIME(3), note VARCHAR(20) NULL, raw VARBINARY(4), code VARCHAR(10) COLLATE utf8mb4_bin, dur TIME)"),
        exec(&db, "INSERT INTO t_order VALUES (1, '苹果', 12.50, 30, '2024-01-15', '2024-01-15 08:30:00', '2024-01-15 08:30:00.120', NULL, X'00FF', 'Ab', '26:00:00'), (2, 'pear', 3.00, 41, '2024-02-01', '2024-02-01 00:00:00', NULL, 'x', X'41', 'cD', '08:30:00')"),
    ])
    .await;
    let mut other = context();
    pass(
        &mut other,
        &t,
        "committed",
        vec![query(&db, "n", "SELECT COUNT(*) FROM t_order")],
    )
    .await;
    assert_eq!(var(&other, "n"), "[2]", "the insert was committed");

    // Query with names: columns, one list per name, even for one row.
    pass(
        &mut ctx,
        &t,
        "names",
        vec![query(
            &db,
            "id,name",
            "SELECT id, name FROM t_order ORDER BY id",
        )],
    )
    .await;
    assert_eq!(var(&ctx, "id"), "[1, 2]");
    assert_eq!(var(&ctx, "name"), "['苹果', 'pear']");

    // Zero rows: every name gets [].
    pass(
        &mut ctx,
        &t,
        "zero rows",
        vec![query(
            &db,
            "z1,z2",
            "SELECT id, name FROM t_order WHERE id < 0",
        )],
    )
    .await;
    assert_eq!(var(&ctx, "z1"), "[]");
    assert_eq!(var(&ctx, "z2"), "[]");

    // Too many names: the Python engine's error; the names before the failing one are kept.
    let log = error(
        &mut ctx,
        &t,
        "too many names",
        vec![query(
            &db,
            "a1,a2,a3",
            "SELECT id, name FROM t_order WHERE id = 1",
        )],
    )
    .await;
    assert!(
        log.contains(
            "变量数错误, 请检查变量数配置是否与查询语句一致，当前查询结果: <br>[[1], ['苹果']]"
        ),
        "{log}"
    );
    assert_eq!(var(&ctx, "a2"), "['苹果']");
    assert!(!ctx.vars.contains_key("a3"));

    // Decimals (A38): with a point → float, without (SUM of ints) → float instead of a crash.
    pass(
        &mut ctx,
        &t,
        "decimals",
        vec![query(
            &db,
            "amount,total,big",
            "SELECT amount, SUM(qty) OVER (), CAST(1E2 AS DECIMAL(5,0)) FROM t_order ORDER BY id",
        )],
    )
    .await;
    assert_eq!(var(&ctx, "amount"), "[12.5, 3.0]");
    assert_eq!(var(&ctx, "total"), "[71.0, 71.0]");
    assert_eq!(var(&ctx, "big"), "[100.0, 100.0]");

    // Dates and times as Python's str(), NULLs as None, bytes as bytes, a _bin text as text.
    pass(
        &mut ctx,
        &t,
        "types",
        vec![query(
            &db,
            "created,paid,shipped,note,raw,code,dur",
            "SELECT created, paid_at, shipped_at, note, raw, code, dur FROM t_order ORDER BY id",
        )],
    )
    .await;
    assert_eq!(var(&ctx, "created"), "['2024-01-15', '2024-02-01']");
    assert_eq!(
        var(&ctx, "paid"),
        "['2024-01-15 08:30:00', '2024-02-01 00:00:00']"
    );
    assert_eq!(var(&ctx, "shipped"), "['2024-01-15 08:30:00.120000', None]");
    assert_eq!(var(&ctx, "note"), "[None, 'x']");
    assert_eq!(var(&ctx, "raw"), "[b'\\x00\\xff', b'A']");
    assert_eq!(var(&ctx, "code"), "['Ab', 'cD']");
    assert_eq!(var(&ctx, "dur"), "['1 day, 2:00:00', '8:30:00']");

    // A later step renders the SQL results (dates used to break rendering) and its own SQL
    // text renders values with quotes (A38).
    ctx.vars.insert(
        "quoted".into(),
        liuma_engine::value::Value::Str("it's \"q\"".into()),
    );
    let mut s = sql_step(
        &t,
        "render",
        vec![query(&db, "echo", "SELECT '{{quoted}}' = 'x'")],
        false,
    );
    s["path"] = json!("/echo");
    s["method"] = json!("POST");
    s["body"] = json!({"type": "json", "json": "{\"paid\": \"{{paid}}\", \"first\": \"{{id}}\"}", "form": [], "raw": "", "file": []});
    let r = run_in(&mut ctx, vec![s]).await;
    // `'it's "q"'` is not valid SQL (the quote ends the string): the render succeeded and the
    // server's syntax error is the step error, not a JSON parse failure.
    assert_eq!(r.status, Status::Error, "{}", logs(&r));
    assert!(
        logs(&r).contains("执行SQL失败 (mysql liuma@127.0.0.1:"),
        "{}",
        logs(&r)
    );
    let mut s = step("render2", &t.url(), "POST", "/echo");
    s["body"] = json!({"type": "json", "json": "{\"paid\": \"{{paid}}\", \"first\": \"{{id}}\"}", "form": [], "raw": "", "file": []});
    let r = run_in(&mut ctx, vec![s]).await;
    assert_eq!(r.status, Status::Pass, "{}", logs(&r));
    let sent = t
        .requests_to("/echo")
        .last()
        .map(|r| r.body_text())
        .unwrap_or_default();
    let sent: Value = serde_json::from_str(&sent).unwrap_or(Value::Null);
    assert_eq!(
        sent,
        json!({"paid": ["2024-01-15 08:30:00", "2024-02-01 00:00:00"], "first": [1, 2]})
    );

    // A post entry runs after the exchange.
    let mut s = sql_step(&t, "post", vec![], false);
    s["controller"]["post"] = json!([entry("postSql", &db, "query", "after", "SELECT 'done'")]);
    let r = run_in(&mut ctx, vec![s]).await;
    assert_eq!(r.status, Status::Pass, "{}", logs(&r));
    assert_eq!(var(&ctx, "after"), "['done']");

    // A SQL error is a step error naming the database (never its password).
    let log = error(
        &mut ctx,
        &t,
        "bad sql",
        vec![query(&db, "x", "SELECT nope FROM t_order")],
    )
    .await;
    assert!(log.contains("执行SQL失败") && log.contains("nope"), "{log}");
    assert!(!log.contains("liuma-pw"), "{log}");

    // A wrong password: a clear step error.
    let mut wrong = db.clone();
    wrong["password"] = json!("wrong");
    let log = error(
        &mut ctx,
        &t,
        "bad password",
        vec![query(&wrong, "x", "SELECT 1")],
    )
    .await;
    assert!(
        log.contains("连接数据库失败") && log.contains("Access denied"),
        "{log}"
    );

    // A statement past `query-timeout` is a step error and is cancelled on the server.
    let mut slow = context();
    slow.sql = Arc::new(TaskDatabases::new(SqlConfig {
        query_timeout: Duration::from_millis(800),
        ..sql_config()
    }));
    let log = error(
        &mut slow,
        &t,
        "slow",
        vec![query(&db, "x", "SELECT SLEEP(30)")],
    )
    .await;
    assert!(log.contains("执行SQL超时 (mysql liuma@127.0.0.1:"), "{log}");
    let sleeping =
        "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP%'";
    let mut gone = false;
    for _ in 0..50 {
        pass(
            &mut ctx,
            &t,
            "sleeping",
            vec![query(&db, "sleeping", sleeping)],
        )
        .await;
        if var(&ctx, "sleeping") == "[0]" {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        gone,
        "the timed-out SLEEP was cancelled: {}",
        var(&ctx, "sleeping")
    );
    slow.sql.close().await;

    ctx.sql.close().await;
    other.sql.close().await;
    drop(server);
}

// PostgreSQL ---------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_entries() {
    let server = tokio::task::spawn_blocking(db::postgres)
        .await
        .expect("postgres started");
    let t = Target::start().await;
    let db = server.db_json();
    let mut ctx = context();

    pass(&mut ctx, &t, "setup", vec![
        exec(&db, "CREATE TABLE t_order (id int PRIMARY KEY, name text, amount numeric(10,2), qty int, created date, paid_at timestamp, paid_tz timestamptz, note text, raw bytea, ok bool, doc jsonb)"),
        exec(&db, "INSERT INTO t_order VALUES (1, '苹果', 12.50, 30, '2024-01-15', '2024-01-15 08:30:00', '2024-01-15 08:30:00+00', NULL, '\\x00ff', true, '{\"a\": [1, \"x\"]}'), (2, 'pear', 3, 41, '2024-02-01', '2024-02-01 00:00:00.5', NULL, 'x', '\\x41', false, NULL)"),
    ])
    .await;
    let mut other = context();
    pass(
        &mut other,
        &t,
        "committed",
        vec![query(&db, "n", "SELECT count(*) FROM t_order")],
    )
    .await;
    assert_eq!(var(&other, "n"), "[2]", "the insert was committed");

    pass(
        &mut ctx,
        &t,
        "names",
        vec![query(
            &db,
            "id,name",
            "SELECT id, name FROM t_order ORDER BY id",
        )],
    )
    .await;
    assert_eq!(var(&ctx, "id"), "[1, 2]");
    assert_eq!(var(&ctx, "name"), "['苹果', 'pear']");

    pass(
        &mut ctx,
        &t,
        "zero rows",
        vec![query(&db, "z", "SELECT id FROM t_order WHERE false")],
    )
    .await;
    assert_eq!(var(&ctx, "z"), "[]");

    let log = error(
        &mut ctx,
        &t,
        "too many names",
        vec![query(&db, "a1,a2", "SELECT id FROM t_order ORDER BY id")],
    )
    .await;
    assert!(
        log.contains("变量数错误, 请检查变量数配置是否与查询语句一致，当前查询结果: <br>[[1, 2]]"),
        "{log}"
    );
    assert_eq!(var(&ctx, "a1"), "[1, 2]");

    // numeric without a fraction (A38), a sum, a 1E+2-style value, and many fraction digits.
    // sum(int) is a bigint in PostgreSQL (an int); sum(bigint) is a numeric without a point.
    pass(&mut ctx, &t, "decimals", vec![query(&db, "amount,total,bigsum,e,long", "SELECT amount, (SELECT sum(qty) FROM t_order), (SELECT sum(qty::bigint) FROM t_order), 1E+2::numeric, 0.12345678901234567890::numeric FROM t_order ORDER BY id")]).await;
    assert_eq!(var(&ctx, "amount"), "[12.5, 3.0]");
    assert_eq!(var(&ctx, "total"), "[71, 71]");
    assert_eq!(var(&ctx, "bigsum"), "[71.0, 71.0]");
    assert_eq!(var(&ctx, "e"), "[100.0, 100.0]");
    assert_eq!(
        var(&ctx, "long"),
        "['0.12345678901234567890', '0.12345678901234567890']"
    );

    pass(
        &mut ctx,
        &t,
        "types",
        vec![query(
            &db,
            "created,paid,tz,note,raw,ok,doc",
            "SELECT created, paid_at, paid_tz, note, raw, ok, doc FROM t_order ORDER BY id",
        )],
    )
    .await;
    assert_eq!(var(&ctx, "created"), "['2024-01-15', '2024-02-01']");
    assert_eq!(
        var(&ctx, "paid"),
        "['2024-01-15 08:30:00', '2024-02-01 00:00:00.500000']"
    );
    assert_eq!(var(&ctx, "tz"), "['2024-01-15 08:30:00+00:00', None]");
    assert_eq!(var(&ctx, "note"), "[None, 'x']");
    assert_eq!(var(&ctx, "raw"), "[b'\\x00\\xff', b'A']");
    assert_eq!(var(&ctx, "ok"), "[True, False]");
    assert_eq!(var(&ctx, "doc"), "[{'a': [1, 'x']}, None]");

    // `a; b` runs both and keeps the last rows (psycopg2).
    pass(
        &mut ctx,
        &t,
        "two statements",
        vec![query(&db, "last", "SELECT 1; SELECT 2")],
    )
    .await;
    assert_eq!(var(&ctx, "last"), "[2]");

    // A placeholder in the SQL text.
    ctx.vars
        .insert("wanted".into(), liuma_engine::value::Value::Int(2));
    pass(
        &mut ctx,
        &t,
        "placeholder",
        vec![query(
            &db,
            "picked",
            "SELECT name FROM t_order WHERE id = {{wanted}}",
        )],
    )
    .await;
    assert_eq!(var(&ctx, "picked"), "['pear']");

    // A statement beyond `query-timeout` is a step error (and is cancelled on the server: see
    // the connection count below); the case's next entry works.
    let mut slow = context();
    slow.sql = Arc::new(TaskDatabases::new(SqlConfig {
        query_timeout: Duration::from_millis(800),
        ..sql_config()
    }));
    let log = error(
        &mut slow,
        &t,
        "slow",
        vec![query(&db, "x", "SELECT pg_sleep(30)")],
    )
    .await;
    assert!(log.contains("执行SQL超时 (pgsql liuma@127.0.0.1:"), "{log}");
    pass(
        &mut slow,
        &t,
        "after slow",
        vec![query(&db, "x", "SELECT 1")],
    )
    .await;
    slow.sql.close().await;

    // Bounded: with every connection of the database in use, an entry waits at most
    // `connect-timeout` and fails clearly; once one is free it runs.
    let busy = TaskDatabases::new(SqlConfig {
        max_connections: 1,
        connect_timeout: Duration::from_millis(500),
        ..sql_config()
    });
    let v = liuma_engine::value::Value::from_json(
        &json!({"db": db, "sqlType": "query", "names": "x", "sqlText": "SELECT 1"}),
    );
    let one = liuma_engine::sql::SqlEntry::from_value(&v).expect("entry");
    let held = busy.acquire(&one.target).await.expect("a connection");
    let waited = busy
        .execute(&one)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string());
    assert!(
        waited
            .as_ref()
            .is_err_and(|e| e.contains("等待数据库连接超时") && e.contains("max-connections")),
        "{waited:?}"
    );
    held.give_back();
    let rows = busy
        .execute(&one)
        .await
        .map(|e| e.rows.len())
        .map_err(|e| e.to_string());
    assert_eq!(rows, Ok(1));
    busy.close().await;

    // Pooled: connections stay open between entries (bounded by max-connections) and are
    // closed when the task's pools close.
    let count = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'liuma-engine'";
    let mut probe = context();
    pass(&mut probe, &t, "open", vec![query(&db, "open", count)]).await;
    let open_before: i64 = var(&probe, "open")
        .trim_matches(['[', ']'])
        .parse()
        .unwrap_or(-1);
    assert!(
        open_before >= 2,
        "ctx, other and probe each hold a connection: {open_before}"
    );
    assert!(ctx.sql.idle_connections() >= 1 && ctx.sql.idle_connections() <= 2);
    ctx.sql.close().await;
    other.sql.close().await;
    let mut ok = false;
    for _ in 0..50 {
        pass(&mut probe, &t, "open", vec![query(&db, "open", count)]).await;
        if var(&probe, "open") == "[1]" {
            ok = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        ok,
        "after close only the probe's connection is left: {}",
        var(&probe, "open")
    );
    // A closed task's pools refuse new entries with a clear error.
    let log = error(&mut ctx, &t, "closed", vec![query(&db, "x", "SELECT 1")]).await;
    assert!(log.contains("closed"), "{log}");
    probe.sql.close().await;
    drop(server);
}

// Through the agent ---------------------------------------------------------------------------

/// A task run by the agent: the SQL result feeds a later step, and when the task is over its
/// pooled connections are closed while the engine keeps running.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_task_pools_close_when_the_task_ends() {
    let server = tokio::task::spawn_blocking(db::postgres)
        .await
        .expect("postgres started");
    let db = server.db_json();
    let p = support::PlatformDouble::start().await;
    let t = Target::start().await;
    let mut first = sql_step(
        &t,
        "sql",
        vec![query(&db, "answer", "SELECT 40 + 2")],
        false,
    );
    first["path"] = json!("/echo/first");
    let mut second = step("use", &t.url(), "POST", "/echo/second");
    second["body"] = json!({"type": "json", "json": "{\"answer\": \"{{answer}}\"}", "form": [], "raw": "", "file": []});
    let case = api_case(&support::cases::uid(), "agent sql", vec![first, second]);
    let task_id = support::cases::uid();
    p.add_task(support::debug_task(&task_id, "API", case));
    let engine =
        support::engine::Engine::start(&p.url(), &p.engine_code(), &p.engine_secret(), 1, "");
    assert!(
        p.wait_until(|d| d.completes(&task_id) == 1, Duration::from_secs(60))
            .await,
        "{}",
        engine.output()
    );
    let results = p.results(&task_id);
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["status"], json!(0), "{}", results[0]);
    let sent = t
        .requests_to("/echo/second")
        .last()
        .map(|r| r.body_text())
        .unwrap_or_default();
    assert_eq!(
        serde_json::from_str::<Value>(&sent).unwrap_or(Value::Null),
        json!({"answer": [42]})
    );
    // Only the probe's own connection is left once the task is over.
    let count = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'liuma-engine'";
    let mut probe = context();
    let mut left = String::new();
    for _ in 0..50 {
        pass(&mut probe, &t, "open", vec![query(&db, "open", count)]).await;
        left = var(&probe, "open");
        if left == "[1]" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        left,
        "[1]",
        "the task's connections are closed: {}",
        engine.output()
    );
    probe.sql.close().await;
    drop(engine);
    drop(server);
}

// Error paths (no server needed) ---------------------------------------------------------------

fn target_db(kind: &str, port: u16) -> Value {
    json!({"host": "127.0.0.1", "port": port.to_string(), "user": "u", "password": "secret-pw", "tpz": kind, "db": "d"})
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

#[tokio::test]
async fn a_database_that_is_down_is_a_step_error_and_error_continue_goes_on() {
    let t = Target::start().await;
    for kind in ["mysql", "pgsql", "mssql"] {
        let db = target_db(kind, closed_port());
        let mut ctx = context();
        let steps = vec![
            sql_step(&t, "down", vec![query(&db, "x", "SELECT 1")], true),
            step("next", &t.url(), "GET", "/json"),
        ];
        let r = run_in(&mut ctx, steps).await;
        assert_eq!(
            status_of(&r),
            vec![Status::Error, Status::Pass],
            "{kind}: {}",
            logs(&r)
        );
        let log = &r.transactions[0].log;
        assert!(
            log.contains(&format!("连接数据库失败 ({kind} u@127.0.0.1:")),
            "{kind}: {log}"
        );
        assert!(!log.contains("secret-pw"), "{log}");
        // Without errorContinue the case stops there.
        let steps = vec![
            sql_step(&t, "down", vec![query(&db, "x", "SELECT 1")], false),
            step("next", &t.url(), "GET", "/json"),
        ];
        let r = run_in(&mut ctx, steps).await;
        assert_eq!(status_of(&r), vec![Status::Error], "{kind}: {}", logs(&r));
    }
}

/// A server that accepts and never says a word: the connect deadline ends the entry.
#[tokio::test]
async fn a_silent_server_hits_the_connect_timeout() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let held = tokio::spawn(async move {
        let mut kept = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            kept.push(s);
        }
    });
    let t = Target::start().await;
    let mut ctx = context();
    ctx.sql = Arc::new(TaskDatabases::new(SqlConfig {
        connect_timeout: Duration::from_millis(500),
        ..sql_config()
    }));
    for kind in ["mysql", "pgsql", "mssql"] {
        let db = target_db(kind, port);
        let log = error(&mut ctx, &t, "silent", vec![query(&db, "x", "SELECT 1")]).await;
        assert!(
            log.contains(&format!("连接数据库超时 ({kind} u@127.0.0.1:{port}/d)")),
            "{kind}: {log}"
        );
    }
    held.abort();
}

/// A TCP peer that answers garbage: SQL Server's TDS login fails with a clear error.
#[tokio::test]
async fn sql_server_login_against_a_non_server_fails_clearly() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let peer = tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        while let Ok((mut s, _)) = listener.accept().await {
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
            let _ = s.shutdown().await;
        }
    });
    let t = Target::start().await;
    let mut ctx = context();
    let log = error(
        &mut ctx,
        &t,
        "mssql",
        vec![query(&target_db("mssql", port), "x", "SELECT 1")],
    )
    .await;
    assert!(log.contains("连接数据库失败 (mssql u@127.0.0.1:"), "{log}");
    peer.abort();
}

#[tokio::test]
async fn entry_errors_name_the_problem() {
    let t = Target::start().await;
    let mut ctx = context();
    let log = error(
        &mut ctx,
        &t,
        "oracle",
        vec![query(&target_db("oracle", 1521), "x", "SELECT 1 FROM dual")],
    )
    .await;
    assert!(
        log.contains("Oracle is not supported by this engine"),
        "{log}"
    );
    let log = error(
        &mut ctx,
        &t,
        "db2",
        vec![query(&target_db("db2", 1), "x", "SELECT 1")],
    )
    .await;
    assert!(log.contains("不支持的数据库类型"), "{log}");
    // The environment has no database of that name: the platform sent `{}`.
    let log = error(
        &mut ctx,
        &t,
        "no db",
        vec![query(&json!({}), "x", "SELECT 1")],
    )
    .await;
    assert!(log.contains("'获取数据库连接信息失败 请检查配置'"), "{log}");
    // A `{}` entry is skipped.
    let mut s = sql_step(&t, "empty", vec![], false);
    s["controller"]["pre"] = json!([{"name": "preSql", "value": "{}"}]);
    let r = run_in(&mut ctx, vec![s]).await;
    assert_eq!(r.status, Status::Pass, "{}", logs(&r));
}
