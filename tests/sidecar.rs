//! The Python sidecar (api-cases §3.5, §6.7, §8.3, A35, A36, A37): scripts and custom functions
//! run in real `python3` workers, against a local HTTP target. The stop test runs the real
//! engine binary against the platform double.

mod support;

use liuma_engine::bundle::LoadedCase;
use liuma_engine::cases::{self, CaseEnv, CaseMeta, CaseResult, CollectionContext, Status};
use liuma_engine::config::SidecarConfig;
use liuma_engine::ids::{CaseId, CollectionId};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::Target;
use support::cases::{api_case, step};
use tokio_util::sync::CancellationToken;

fn env_with(sidecar: SidecarConfig) -> CaseEnv {
    CaseEnv {
        step_timeout_cap: Duration::from_secs(20),
        enable_stderr: false,
        max_response_bytes: 8 * 1024 * 1024,
        max_loop_iterations: 1000,
        loop_timeout_cap: Duration::from_secs(5),
        sidecar,
        ..CaseEnv::defaults(&std::env::temp_dir().join("liuma-test-home")).expect("case env")
    }
}

fn meta() -> CaseMeta {
    CaseMeta {
        collection_id: CollectionId("c-1".into()),
        case_id: CaseId("case-1".into()),
        case_type: "API".into(),
        index: 1,
        run_times: 1,
    }
}

async fn run_env(ctx: &mut CollectionContext, env: &CaseEnv, case: Value) -> CaseResult {
    cases::execute(
        &meta(),
        Ok(LoadedCase::file_of("case.json", &case).into()),
        ctx,
        env,
        &CancellationToken::new(),
    )
    .await
    .expect("not cancelled")
}

async fn run_in(ctx: &mut CollectionContext, case: Value) -> CaseResult {
    run_env(ctx, &env_with(SidecarConfig::default()), case).await
}

fn logs(r: &CaseResult) -> Vec<&str> {
    r.transactions.iter().map(|t| t.log.as_str()).collect()
}

fn with_pre(mut s: Value, code: &str) -> Value {
    s["controller"]["pre"] = json!([{"name": "preScript", "value": code}]);
    s
}

fn with_post(mut s: Value, code: &str) -> Value {
    s["controller"]["post"] = json!([{"name": "postScript", "value": code}]);
    s
}

fn continue_on_error(mut s: Value) -> Value {
    s["controller"]["errorContinue"] = json!("true");
    s
}

/// Children of this process whose command is a Python interpreter (from `/proc`).
fn python_children_of(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for e in dir.flatten() {
        let Ok(child) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else {
            continue;
        };
        // `pid (comm) state ppid …`: comm may hold spaces, so split after the last ')'.
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let ppid = rest
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(pid) && head.contains("(python") {
            out.push(child);
        }
    }
    out
}

// §6.7 scripts ------------------------------------------------------------------------------

#[tokio::test]
async fn s6_7_every_bound_name_of_pre_and_post_scripts() {
    let t = Target::start().await;
    let pre = r#"
assert res_code is None and res_header is None and res_data is None
assert res_cookies is None and res_bytes is None and res_request is None
assert self.collector.others["headers"] == {"X-Raw": "{{p}}"}, self.collector.others
assert self.collector.apiName == "first"
# The Python engine rendered and sent the objects a pre script sees: changes reach the request.
self.collector.others["headers"]["X-Added"] = "{{p}}"
sys_put("n", 5)
sys_put("p", "from-pre", True)
sys_put("when", str(datetime.date(2024, 1, 15)))
sys_put("q", urlencode({"a": "b c"}))
sys_put("copy", deepcopy([1, (2, 3)]))
sys_put("blob", b"\x00\xff")
sleep(0)
assert json.loads('{"k": 1}') == {"k": 1}
assert sys_get("p") == "from-pre" and self.params["p"] == "from-pre"
"#;
    let post = r#"
assert res_code == 200, res_code
assert res_header["Content-Type"] == "application/json", res_header
assert res_data["data"]["token"] == "t-123", 'res_data["data"]["token"] == "t-1'
assert isinstance(res_bytes, bytes) and b"t-123" in res_bytes, 'isinstance(res_bytes, bytes) and '
assert res_cookies == "", 'res_cookies == ""'
assert res_request.method == "GET" and "/json" in res_request.url, 'res_request.method == "GET" and "'
assert res_request.headers["X-Raw"] == "from-pre", 'res_request.headers["X-Raw"] == "'
assert res_request.headers["X-Added"] == "from-pre", res_request.headers
assert self.collector.others["headers"]["X-Raw"] == "from-pre", 'self.collector.others["headers"]['
assert self.status_code == 200, 'self.status_code == 200'
assert sys_get("n") == 5 and sys_get("copy") == [1, (2, 3)], 'sys_get("n") == 5 and sys_get("co'
sys_put("tok", res_data["data"]["token"])
self.context["direct"] = "yes"
"#;
    let mut first = continue_on_error(with_post(
        with_pre(step("first", &t.url(), "GET", "/json"), pre),
        post,
    ));
    first["headers"] = json!({"X-Raw": "{{p}}"});
    let mut second = step("second", &t.url(), "GET", "/echo");
    second["query"] =
        json!({"t": "{{tok}}", "n": "{{n}}", "d": "{{direct}}", "w": "{{when}}", "q": "{{q}}"});
    let mut ctx = CollectionContext::default();
    let r = run_in(&mut ctx, api_case("case-1", "c", vec![first, second])).await;
    assert_eq!(r.status, Status::Pass, "{:#?}", logs(&r));
    assert_eq!(
        t.requests_to("/json")[0].header("x-added"),
        Some("from-pre")
    );
    let got = t.requests_to("/echo");
    assert_eq!(
        got[0].query,
        "t=t-123&n=5&d=yes&w=2024-01-15&q=a%3Db%2Bc",
        "{:#?}",
        logs(&r)
    );
    // Types survive the round trip through Python: a tuple stays a tuple, bytes stay bytes.
    use liuma_engine::value::Value as V;
    assert_eq!(
        ctx.vars.get("copy"),
        Some(&V::List(vec![
            V::Int(1),
            V::Tuple(vec![V::Int(2), V::Int(3)])
        ]))
    );
    assert_eq!(ctx.vars.get("blob"), Some(&V::Bytes(vec![0, 255])));
    ctx.sidecar.close();
}

#[tokio::test]
async fn s6_7_assertion_error_fails_other_exceptions_error() {
    let t = Target::start().await;
    let steps = vec![
        continue_on_error(with_pre(
            step("a", &t.url(), "GET", "/json"),
            "assert 1 == 2, 'nope'",
        )),
        continue_on_error(with_post(
            step("b", &t.url(), "GET", "/json"),
            "raise ValueError('bad value')",
        )),
        continue_on_error(with_pre(
            step("c", &t.url(), "GET", "/json"),
            "sys_get('missing')",
        )),
        with_pre(step("d", &t.url(), "GET", "/json"), "x = 1"),
    ];
    let mut ctx = CollectionContext::default();
    let r = run_in(&mut ctx, api_case("case-1", "c", steps)).await;
    let st: Vec<Status> = r.transactions.iter().map(|t| t.status).collect();
    assert_eq!(
        st,
        vec![Status::Fail, Status::Error, Status::Error, Status::Pass],
        "{:#?}",
        logs(&r)
    );
    assert!(logs(&r)[0].contains("- Error - nope"), "{}", logs(&r)[0]);
    assert!(
        logs(&r)[1].contains("ValueError: bad value"),
        "{}",
        logs(&r)[1]
    );
    assert!(
        logs(&r)[2].contains("不存在的公共参数或关联变量: missing"),
        "{}",
        logs(&r)[2]
    );
    // A pre script error means no request was sent for that step.
    assert_eq!(t.requests_to("/json").len(), 2);
    ctx.sidecar.close();
}

#[tokio::test]
async fn s8_3_script_output_is_in_the_console_line_without_nul_padding() {
    let t = Target::start().await;
    let steps = vec![
        with_post(
            step("a", &t.url(), "GET", "/json"),
            "print('hello', 1)\nprint('中文', end='')",
        ),
        with_pre(step("b", &t.url(), "GET", "/json"), "print('again')"),
    ];
    let mut ctx = CollectionContext::default();
    let r = run_in(&mut ctx, api_case("case-1", "c", steps)).await;
    assert_eq!(r.status, Status::Pass, "{:#?}", logs(&r));
    assert!(
        logs(&r)[0].contains("控制台输出:<br> hello 1<br>中文"),
        "{}",
        logs(&r)[0]
    );
    // The second flush (at case end) holds only the new text (A35: no NUL padding).
    assert!(
        logs(&r)[1].contains("控制台输出:<br> again<br>"),
        "{}",
        logs(&r)[1]
    );
    assert!(!logs(&r)[1].contains('\0') && !logs(&r)[1].contains("hello"));
    ctx.sidecar.close();
}

#[tokio::test]
async fn a37_endless_script_times_out_and_the_next_script_gets_a_fresh_worker() {
    let t = Target::start().await;
    let env = env_with(SidecarConfig {
        timeout: Duration::from_secs(1),
        ..SidecarConfig::default()
    });
    let steps = [
        with_pre(step("warm", &t.url(), "GET", "/json"), "sys_put('a', 1)"),
        continue_on_error(with_pre(
            step("loop", &t.url(), "GET", "/json"),
            "while True:\n    pass",
        )),
        with_pre(step("after", &t.url(), "GET", "/json"), "sys_put('b', 2)"),
    ];
    let mut ctx = CollectionContext::default();
    let first_pid = {
        let r = run_env(&mut ctx, &env, api_case("case-1", "c", steps[..1].to_vec())).await;
        assert_eq!(r.status, Status::Pass);
        ctx.sidecar.pid().expect("a worker after the first script")
    };
    let r = run_env(&mut ctx, &env, api_case("case-1", "c", steps[1..].to_vec())).await;
    let st: Vec<Status> = r.transactions.iter().map(|t| t.status).collect();
    assert_eq!(st, vec![Status::Error, Status::Pass], "{:#?}", logs(&r));
    assert!(logs(&r)[0].contains("[Sidecar] timeout"), "{}", logs(&r)[0]);
    let second_pid = ctx.sidecar.pid().expect("a fresh worker");
    assert_ne!(first_pid, second_pid);
    assert!(
        !std::path::Path::new(&format!("/proc/{first_pid}")).exists(),
        "the timed-out worker is still there"
    );
    assert_eq!(ctx.vars.get("b"), Some(&liuma_engine::value::Value::Int(2)));
    // Closing the collection kills and reaps its worker (other tests' workers share this
    // process, so only this one is checked).
    ctx.sidecar.close();
    assert!(!std::path::Path::new(&format!("/proc/{second_pid}")).exists());
}

#[tokio::test]
async fn a37_crashed_worker_is_replaced() {
    let t = Target::start().await;
    let steps = vec![
        continue_on_error(with_pre(
            step("crash", &t.url(), "GET", "/json"),
            "import os\nos._exit(3)",
        )),
        with_pre(step("after", &t.url(), "GET", "/json"), "sys_put('b', 2)"),
    ];
    let mut ctx = CollectionContext::default();
    let r = run_in(&mut ctx, api_case("case-1", "c", steps)).await;
    let st: Vec<Status> = r.transactions.iter().map(|t| t.status).collect();
    assert_eq!(st, vec![Status::Error, Status::Pass], "{:#?}", logs(&r));
    assert!(
        logs(&r)[0].contains("exited unexpectedly"),
        "{}",
        logs(&r)[0]
    );
    ctx.sidecar.close();
}

#[tokio::test]
async fn a37_missing_python_is_a_step_error_naming_the_setting() {
    let t = Target::start().await;
    let env = env_with(SidecarConfig {
        python: "/nonexistent/python3".into(),
        ..SidecarConfig::default()
    });
    let steps = vec![with_pre(step("a", &t.url(), "GET", "/json"), "x = 1")];
    let r = run_env(
        &mut CollectionContext::default(),
        &env,
        api_case("case-1", "c", steps),
    )
    .await;
    assert_eq!(r.status, Status::Error);
    assert!(
        logs(&r)[0].contains("[Sidecar] python") && logs(&r)[0].contains("/nonexistent/python3"),
        "{}",
        logs(&r)[0]
    );
    assert!(t.requests_to("/json").is_empty());
}

// §3.5 custom functions ----------------------------------------------------------------------

fn function(name: &str, names: &[&str], types: &[&str], code: &str) -> Value {
    json!({"name": name, "code": code, "params": {"names": names, "types": types}})
}

#[tokio::test]
async fn s3_5_arguments_arrive_typed_per_declared_type() {
    let t = Target::start().await;
    let mut s = step("a", &t.url(), "POST", "/echo");
    s["body"] = json!({"type": "json", "json": r#"{"sum": "{{@add(2, 3)}}", "kinds": "{{@kinds('x', 7, 1.5, no, {'k': 1}, [1, 2], raw, other)}}", "sign": "{{@sign(abc)}}"}"#});
    let mut case = api_case("case-1", "c", vec![s]);
    case["functions"] = json!([
        function("add", &["a", "b"], &["Int", "Int"], "sys_return(a + b)"),
        function(
            "kinds",
            &["s", "i", "f", "b", "d", "l", "y", "o"],
            &[
                "String",
                "Int",
                "Float",
                "Boolean",
                "JSONObject",
                "JSONArray",
                "Bytes",
                "Other"
            ],
            "sys_return(','.join(type(v).__name__ + '=' + str(v) for v in (s, i, f, b, d, l, y, o)))"
        ),
        // `self` reaches the engine's built-ins and the case's other custom functions.
        function(
            "sign",
            &["x"],
            &["String"],
            "sys_put('signed', True)\nprint('signing', x)\nsys_return(self.b64encode_str(x) + '-' + str(self.add(1, 2)))"
        ),
    ]);
    let mut ctx = CollectionContext::default();
    let r = run_in(&mut ctx, case).await;
    assert_eq!(r.status, Status::Pass, "{:#?}", logs(&r));
    let body: Value = serde_json::from_str(&t.requests_to("/echo")[0].body_text()).expect("json");
    assert_eq!(body["sum"], json!(5));
    assert_eq!(
        body["kinds"],
        json!("str=x,int=7,float=1.5,bool=True,dict={'k': 1},list=[1, 2],str=raw,str=other")
    );
    assert_eq!(body["sign"], json!("YWJj-3"));
    assert_eq!(
        ctx.vars.get("signed"),
        Some(&liuma_engine::value::Value::Bool(true))
    );
    assert!(
        logs(&r)[0].contains("控制台输出:<br> signing abc<br>"),
        "{}",
        logs(&r)[0]
    );
    ctx.sidecar.close();
}

#[tokio::test]
async fn s3_5_missing_sys_return_keeps_the_placeholder() {
    let t = Target::start().await;
    let mut s = step("a", &t.url(), "POST", "/echo");
    s["body"] = json!({"type": "text", "raw": "v={{@nothing(1)}}&w={{@pair(1)}}"});
    let mut case = api_case("case-1", "c", vec![s]);
    case["functions"] = json!([
        function("nothing", &["a"], &["Int"], "x = a"),
        // Fewer arguments than parameter names is an error too.
        function("pair", &["a", "b"], &["Int", "Int"], "sys_return(a)"),
    ]);
    let mut ctx = CollectionContext::default();
    let r = run_in(&mut ctx, case).await;
    assert_eq!(r.status, Status::Pass, "{:#?}", logs(&r));
    assert_eq!(
        t.requests_to("/echo")[0].body_text(),
        "v={{@nothing(1)}}&w={{@pair(1)}}"
    );
    assert!(
        logs(&r)[0].contains("不存在的公共参数、关联变量或内置函数: @nothing(1)"),
        "{}",
        logs(&r)[0]
    );
    ctx.sidecar.close();
}

#[tokio::test]
async fn quirk_a36_custom_functions_do_not_leak_into_the_next_case() {
    let t = Target::start().await;
    let mut s = step("a", &t.url(), "POST", "/echo");
    s["body"] = json!({"type": "text", "raw": "{{@replace(a b c, \" \", -)}}"});
    let mut first = api_case("case-1", "c", vec![s.clone()]);
    first["functions"] = json!([function(
        "replace",
        &["x", "y", "z"],
        &["Int", "Int", "Int"],
        "sys_return('custom')"
    )]);
    let mut ctx = CollectionContext::default();
    let r = run_in(&mut ctx, first).await;
    assert_eq!(r.status, Status::Pass, "{:#?}", logs(&r));
    // The custom `replace` (Int types) could not convert `a b c`: placeholder kept.
    assert_eq!(
        t.requests_to("/echo")[0].body_text(),
        "{{@replace(a b c, \" \", -)}}"
    );
    let second = api_case("case-2", "c", vec![s]);
    let r = run_in(&mut ctx, second).await;
    assert_eq!(r.status, Status::Pass, "{:#?}", logs(&r));
    // The next case calls the built-in with its own types.
    assert_eq!(t.requests_to("/echo")[1].body_text(), "a-b-c");
    ctx.sidecar.close();
}

// Stop, shutdown, engine death: the real engine against the platform double -------------

/// An engine running a task whose script spins forever; returns once the worker is up, with
/// its pid (the script writes it to a file).
async fn spinning_engine() -> (
    support::PlatformDouble,
    support::engine::Engine,
    String,
    u32,
) {
    let p = support::PlatformDouble::start().await;
    let target = Target::start().await;
    let engine = support::engine::Engine::start(
        &p.url(),
        &p.engine_code(),
        &p.engine_secret(),
        1,
        "\n[Sidecar]\ntimeout = 120\n",
    );
    let marker = engine.path().join("worker.pid");
    let code = format!(
        "import os\nopen({:?}, 'w').write(str(os.getpid()))\nwhile True:\n    sleep(0.01)",
        marker.display().to_string()
    );
    let base = target.url();
    let (task_id, task) = support::cases::api_bundle_task(&p, 1, 2, 1, false, |_, _| {
        vec![with_pre(step("spin", &base, "GET", "/json"), &code)]
    });
    p.add_task(task);
    p.push_start();
    let deadline = Instant::now() + Duration::from_secs(30);
    let pid = loop {
        if let Some(pid) = std::fs::read_to_string(&marker)
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok())
        {
            break pid;
        }
        assert!(
            Instant::now() < deadline,
            "the script never ran: {}",
            engine.output()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(python_children_of(engine.pid()), vec![pid]);
    (p, engine, task_id, pid)
}

/// Whether process `pid` is gone (reaped, not even a zombie) within `limit`.
async fn gone_within(pid: u32, limit: Duration) -> bool {
    let path = format!("/proc/{pid}");
    let start = Instant::now();
    while std::path::Path::new(&path).exists() && start.elapsed() < limit {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    !std::path::Path::new(&path).exists()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a37_stop_mid_script_kills_the_worker() {
    let (p, engine, task_id, pid) = spinning_engine().await;
    assert!(p.stop_task(&task_id));
    assert!(
        gone_within(pid, Duration::from_secs(1)).await,
        "the worker outlived the stop by 1 s: {}",
        engine.output()
    );
    assert!(python_children_of(engine.pid()).is_empty());
    // The second case never starts a worker, and nothing is completed.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(python_children_of(engine.pid()).is_empty());
    assert_eq!(p.completes(&task_id), 0);
    support::engine::kill_and_wait(engine).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a37_shutdown_mid_script_kills_the_worker() {
    let (_p, mut engine, _task_id, pid) = spinning_engine().await;
    // First signal drains, the second cancels the running task.
    engine.signal("TERM");
    tokio::time::sleep(Duration::from_millis(300)).await;
    engine.signal("TERM");
    let exited = tokio::task::spawn_blocking(move || {
        let code = engine.wait_exit(Duration::from_secs(30));
        (code, engine)
    })
    .await
    .expect("join");
    assert!(
        exited.0.is_some(),
        "the engine did not exit: {}",
        exited.1.output()
    );
    assert!(
        gone_within(pid, Duration::from_secs(5)).await,
        "the worker outlived the engine's shutdown"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a37_worker_dies_with_a_killed_engine() {
    let (_p, engine, _task_id, pid) = spinning_engine().await;
    support::engine::kill_and_wait(engine).await;
    assert!(
        gone_within(pid, Duration::from_secs(5)).await,
        "the worker outlived a SIGKILLed engine (orphan)"
    );
}
