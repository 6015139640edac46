//! API case conformance, organised by sections of `shared/spec/api-cases.md`, against a local
//! HTTP target. Cases run through the engine's own case executor (the same code the agent runs).
//!
//! Where each subsection is tested (tests here are prefixed `sN_`; quirks are `quirk_aN_`):
//! - §1.1 platform shape: `golden_example.rs`, `support/cases.rs` · §1.2 `s1_case_without_api_list…`,
//!   `s1_empty_api_list…`, `s1_case_that_is_not_json…` · §1.3 `s1_params_are_typed`, A14, A15 ·
//!   §1.4 `sidecar.rs` (custom functions), A36 · §1.5 `s1_missing_method…`, `s2_relations_feed…` (rest) ·
//!   §1.6 A29, `s7_1…` · §1.7 `s1_7…` · §1.8 `s7_bodies…`, `s1_unknown_body_type…` · §1.9 the `s6_*`
//!   tests · §1.10 `s4_*`, `s5_*` · §1.11 `golden_example.rs` · §1.12 `s1_12…`
//! - §2.1–2.5 `template::tests` (all of Appendix B, quirks A4–A13, A47, A53) and `s2_*` · §2.6–2.7
//!   `template::tests::request` (A3, A10, A11, A12) and `s6_6_for_loop…` (A3 in a loop)
//! - §3.1–3.5 `functions::tests` (every built-in, A7, A47, A48, A50, A51) and `s3_*`
//! - §4.1 `s4_*`, A46 · §4.2 `extract::tests` (jsonpath 0.82 vectors, A25, A26) · §4.3–4.5
//!   `assertion::tests` (every comparator and alias, messages, A16–A23)
//! - §5 `s5_*`, A24, A43 · §6.1 `s6_1…` · §6.2 `s6_2…`, A42 · §6.3 `s6_3…`, A30 · §6.4 `s6_4…` ·
//!   §6.5 `s6_5…` · §6.6 `s6_6…`, A31, A32, A33 · §6.7 `sidecar.rs` · §6.8 `s6_8…`
//! - §7.1 `s7_1…`, A34 · §7.2 `collect::tests`, `s7_query…` · §7.3 `s7_query…`, A42 · §7.4
//!   `s7_query…`, `body::tests` · §7.5 `s7_bodies…`, A27, A28, A41 · §7.6 `s7_6…`, A1, A40
//! - §8.1–8.2 `s8_log_lines…` · §8.3 A35 · §8.4 `s8_error_wins…`, `s6_4…` · §8.5 `golden_example.rs`

mod support;

use liuma_engine::bundle::LoadedCase;
use liuma_engine::cases::{self, CaseEnv, CaseMeta, CaseResult, CollectionContext, Status};
use liuma_engine::ids::{CaseId, CollectionId};
use serde_json::{Value, json};
use std::time::Duration;
use support::Target;
use support::cases::{api_case, step};
use tokio_util::sync::CancellationToken;

fn env() -> CaseEnv {
    CaseEnv {
        step_timeout_cap: Duration::from_secs(20),
        max_response_bytes: 8 * 1024 * 1024,
        max_loop_iterations: 1000,
        loop_timeout_cap: Duration::from_secs(5),
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

async fn run_in(ctx: &mut CollectionContext, case: Value) -> CaseResult {
    let env = env();
    cases::execute(
        &meta(),
        Ok(LoadedCase::file_of("case.json", &case).into()),
        ctx,
        &env,
        &CancellationToken::new(),
    )
    .await
    .expect("not cancelled")
}

async fn run(case: Value) -> CaseResult {
    run_in(&mut CollectionContext::default(), case).await
}

fn one(steps: Vec<Value>) -> Value {
    api_case("case-1", "case", steps)
}

fn log(r: &CaseResult, i: usize) -> &str {
    &r.transactions[i].log
}

/// The body the target received for the n-th request to `path`.
fn received(target: &Target, path: &str, n: usize) -> support::TargetRequest {
    target
        .requests_to(path)
        .into_iter()
        .nth(n)
        .expect("request reached the target")
}

// §1 The case JSON ---------------------------------------------------------------------------

#[tokio::test]
async fn s1_case_without_api_list_is_an_error_naming_the_field() {
    let r = run(json!({"caseName": "x", "apiList": null})).await;
    assert_eq!(r.status, Status::Error);
    assert_eq!(r.transactions[0].name, "未知");
    assert!(log(&r, 0).contains("apiList"), "{}", log(&r, 0));
}

#[tokio::test]
async fn s1_case_that_is_not_json_is_an_error() {
    let env = env();
    let r = cases::execute(
        &meta(),
        Err("用例数据不是合法JSON: x.json".into()),
        &mut CollectionContext::default(),
        &env,
        &CancellationToken::new(),
    )
    .await
    .expect("result");
    assert_eq!(r.status, Status::Error);
    assert!(log(&r, 0).contains("x.json"));
}

#[tokio::test]
async fn s1_empty_api_list_passes_with_a_dummy_transaction() {
    let r = run(one(vec![])).await;
    assert_eq!(r.status, Status::Pass);
    assert_eq!(r.transactions.len(), 1);
    assert_eq!(r.transactions[0].name, "未知");
}

#[tokio::test]
async fn s1_missing_method_and_unknown_method_name_the_step() {
    let t = Target::start().await;
    let mut s = step("a", &t.url(), "GET", "/json");
    s["method"] = Value::Null;
    let r = run(one(vec![s])).await;
    assert_eq!(r.status, Status::Error);
    assert!(log(&r, 0).contains("未定义请求方法"), "{}", log(&r, 0));
    let mut s = step("a", &t.url(), "GE T", "/json");
    s["method"] = json!("GE T");
    let r = run(one(vec![s])).await;
    assert_eq!(r.status, Status::Error);
    assert!(log(&r, 0).contains("method"), "{}", log(&r, 0));
}

#[tokio::test]
async fn s1_params_are_typed() {
    let t = Target::start().await;
    let mut case = one(vec![{
        let mut s = step("a", &t.url(), "POST", "/echo");
        s["body"] = json!({"type": "json", "json": "{\"n\": \"{{n}}\", \"o\": \"{{o}}\", \"b\": \"{{b}}\"}"});
        s
    }]);
    case["params"] = json!({
        "n": {"type": "Int", "value": "5"},
        "o": {"type": "JSONObject", "value": "{\"a\":true}"},
        "b": {"type": "Boolean", "value": "TRUE"}
    });
    let r = run(case).await;
    assert_eq!(r.status, Status::Pass, "{}", log(&r, 0));
    let body = received(&t, "/echo", 0).body_text();
    assert_eq!(body, r#"{"n": 5, "o": {"a": true}, "b": true}"#);
}

// §2 Templates --------------------------------------------------------------------------------

#[tokio::test]
async fn s2_relations_feed_later_steps_with_their_types() {
    let t = Target::start().await;
    let mut a = step("login", &t.url(), "GET", "/json");
    a["relations"] = json!([
        {"from": "resBody", "method": "jsonpath", "expression": "$.data.userId", "name": "uid"},
        {"from": "resBody", "method": "jsonpath", "expression": "$.data.token", "name": "tok"}
    ]);
    let mut b = step("use", &t.url(), "POST", "/echo/{id}");
    b["rest"] = json!({"id": "{{uid}}"});
    b["headers"] = json!({"Authorization": "Bearer {{tok}}"});
    b["query"] = json!({"u": "{{uid}}"});
    b["body"] = json!({"type": "json", "json": "{\"uid\": \"{{uid}}\", \"text\": \"id={{uid}}\"}"});
    let r = run(one(vec![a, b])).await;
    assert_eq!(r.status, Status::Pass, "{}", log(&r, 1));
    let req = received(&t, "/echo", 0);
    assert_eq!(req.path, "/echo/7");
    assert_eq!(req.header("authorization"), Some("Bearer t-123"));
    assert_eq!(req.query, "u=7");
    assert_eq!(req.body_text(), r#"{"uid": 7, "text": "id=7"}"#);
}

#[tokio::test]
async fn s2_unknown_names_stay_as_written() {
    let t = Target::start().await;
    let mut s = step("a", &t.url(), "POST", "/echo");
    s["body"] = json!({"type": "text", "raw": "x={{nobody}}"});
    let r = run(one(vec![s])).await;
    assert_eq!(r.status, Status::Pass);
    assert_eq!(received(&t, "/echo", 0).body_text(), "x={{nobody}}");
}

// §3 Functions --------------------------------------------------------------------------------

#[tokio::test]
async fn s3_builtin_functions_render_in_requests() {
    let t = Target::start().await;
    let mut s = step("a", &t.url(), "POST", "/echo");
    s["body"] = json!({"type": "json", "json": "{\"sum\": \"{{@arithmetic(1+2*3)}}\", \"b64\": \"{{@b64encode_str(abc)}}\"}"});
    let r = run(one(vec![s])).await;
    assert_eq!(r.status, Status::Pass, "{}", log(&r, 0));
    assert_eq!(
        received(&t, "/echo", 0).body_text(),
        r#"{"sum": 7, "b64": "YWJj"}"#
    );
}

// §4 Assertions -------------------------------------------------------------------------------

#[tokio::test]
async fn s4_default_assertion_is_status_200() {
    let t = Target::start().await;
    let r = run(one(vec![step("a", &t.url(), "GET", "/status/404")])).await;
    assert_eq!(r.status, Status::Fail);
    assert!(log(&r, 0).contains("接口断言失败: ['实际值(404)与预期值(200) 字符相等，条件为否：Expected (404) to be equal to (200), but was not.']"), "{}", log(&r, 0));
}

#[tokio::test]
async fn s4_assertions_on_code_header_and_body() {
    let t = Target::start().await;
    let mut s = step("a", &t.url(), "GET", "/json");
    s["assertions"] = json!([
        {"from": "resCode", "method": "", "expression": "", "assertion": "equals", "expect": "200"},
        {"from": "resHeader", "method": "jsonpath", "expression": "$.Content-Type", "assertion": "contains", "expect": "json"},
        {"from": "resBody", "method": "jsonpath", "expression": "$.data.list", "assertion": "listLenEqual", "expect": "2"},
        {"from": "resBody", "method": "regular", "expression": "\"token\": \"(.*?)\"", "assertion": "equals", "expect": "t-123"}
    ]);
    let r = run(one(vec![s])).await;
    assert_eq!(r.status, Status::Pass, "{}", log(&r, 0));
    assert!(log(&r, 0).contains("接口断言成功: ['success', 'success', 'success', 'success']"));
}

#[tokio::test]
async fn s4_extraction_failure_fails_the_assertion() {
    let t = Target::start().await;
    let mut s = step("a", &t.url(), "GET", "/json");
    s["assertions"] = json!([{"from": "resBody", "method": "jsonpath", "expression": "$.nope", "assertion": "equals", "expect": "1"}]);
    let r = run(one(vec![s])).await;
    assert_eq!(r.status, Status::Fail);
    assert!(
        log(&r, 0).contains("接口响应失败或jsonpath表达式错误: $.nope"),
        "{}",
        log(&r, 0)
    );
}

#[tokio::test]
async fn s4_unknown_comparator_is_an_error() {
    let t = Target::start().await;
    let mut s = step("a", &t.url(), "GET", "/json");
    s["assertions"] = json!([{"from": "resCode", "method": "", "expression": "", "assertion": "sortOf", "expect": "200"}]);
    let r = run(one(vec![s])).await;
    assert_eq!(r.status, Status::Error);
}

// §5 Relations --------------------------------------------------------------------------------

#[tokio::test]
async fn s5_relation_sources_and_specials() {
    let t = Target::start().await;
    let mut a = step("login", &t.url(), "POST", "/login");
    a["headers"] = json!({"X-Req": "r1"});
    a["query"] = json!({"q": "v"});
    a["body"] = json!({"type": "json", "json": "{\"user\": \"u1\"}"});
    a["relations"] = json!([
        {"from": "resBody", "method": "jsonpath", "expression": "cookie", "name": "ck"},
        {"from": "reqHeader", "method": "jsonpath", "expression": "$.X-Req", "name": "rh"},
        {"from": "reqQuery", "method": "jsonpath", "expression": "$.q", "name": "rq"},
        {"from": "reqBody", "method": "jsonpath", "expression": "$.user", "name": "rb"}
    ]);
    let mut b = step("echo", &t.url(), "POST", "/echo");
    b["body"] = json!({"type": "json", "json": "{\"all\": \"{{ck}}|{{rh}}|{{rq}}|{{rb}}\"}"});
    let mut ctx = CollectionContext::default();
    let r = run_in(&mut ctx, one(vec![a, b])).await;
    assert_eq!(r.status, Status::Pass, "{}\n{}", log(&r, 0), log(&r, 1));
    assert_eq!(
        received(&t, "/echo", 0).body_text(),
        r#"{"all": "sid=abc|r1|v|u1"}"#
    );
    assert!(
        ctx.vars.contains_key("ck"),
        "relations live in the collection context"
    );
}

#[tokio::test]
async fn quirk_a24_s5_relation_failure_is_an_error_that_masks_a_failed_assertion() {
    let t = Target::start().await;
    let mut s = step("a", &t.url(), "GET", "/json");
    s["assertions"] = json!([{"from": "resCode", "method": "", "expression": "", "assertion": "equals", "expect": "500"}]);
    s["relations"] =
        json!([{"from": "resBody", "method": "jsonpath", "expression": "$.missing", "name": "x"}]);
    let r = run(one(vec![s])).await;
    assert_eq!(r.status, Status::Error, "A24: {}", log(&r, 0));
}

// §6 Controllers ------------------------------------------------------------------------------

#[tokio::test]
async fn s6_1_sleeps_are_logged_and_not_in_during() {
    let t = Target::start().await;
    let mut s = step("a", &t.url(), "GET", "/json");
    s["controller"] = json!({"sleepBeforeRun": "1", "sleepAfterRun": "1"});
    let r = run(one(vec![s])).await;
    assert_eq!(r.status, Status::Pass);
    let l = log(&r, 0);
    assert!(
        l.contains("请求前等待1S") && l.contains("请求后等待1S"),
        "{l}"
    );
    assert!(l.find("请求前等待1S") < l.find("【响应信息】"));
    assert!(l.find("接口执行结束") < l.find("请求后等待1S"));
    assert!(r.transactions[0].during_ms < 1000);
    assert!(r.end_ms - r.start_ms >= 2000);
}

#[tokio::test]
async fn s6_2_sessions_follow_use_and_save() {
    let t = Target::start().await;
    let login = |save: &str| {
        let mut s = step("login", &t.url(), "GET", "/login");
        s["controller"] = json!({"saveSession": save});
        s
    };
    let whoami = |use_: &str| {
        let mut s = step("whoami", &t.url(), "GET", "/whoami");
        s["controller"] = json!({"useSession": use_});
        s
    };
    // Saved, then used: the cookie travels, also to later cases of the collection.
    let mut ctx = CollectionContext::default();
    run_in(&mut ctx, one(vec![login("true"), whoami("true")])).await;
    run_in(&mut ctx, one(vec![whoami("true")])).await;
    let seen: Vec<_> = t
        .requests_to("/whoami")
        .iter()
        .map(|r| r.header("cookie").unwrap_or("").to_string())
        .collect();
    assert_eq!(seen, vec!["sid=abc", "sid=abc"]);
    // Not saved (default): a later step sees nothing.
    let t2 = Target::start().await;
    let mut a = step("login", &t2.url(), "GET", "/login");
    a["controller"] = json!({});
    let mut b = step("whoami", &t2.url(), "GET", "/whoami");
    b["controller"] = json!({"useSession": "true"});
    run(one(vec![a, b])).await;
    assert_eq!(t2.requests_to("/whoami")[0].header("cookie"), None);
}

#[tokio::test]
async fn quirk_a42_s6_2_explicit_cookie_header_replaces_session_cookies() {
    let t = Target::start().await;
    let mut a = step("login", &t.url(), "GET", "/login");
    a["controller"] = json!({"saveSession": "true", "useSession": "true"});
    let mut b = step("whoami", &t.url(), "GET", "/whoami");
    b["controller"] = json!({"useSession": "true"});
    b["headers"] = json!({"Cookie": "mine=1"});
    run(one(vec![a, b])).await;
    assert_eq!(
        t.requests_to("/whoami")[0].header("cookie"),
        Some("mine=1"),
        "A42"
    );
}

#[tokio::test]
async fn s6_3_timeout_bounds_the_whole_exchange() {
    let t = Target::start().await;
    let mut s = step("slow", &t.url(), "GET", "/delay/3000");
    s["controller"] = json!({"timeout": "1"});
    let started = std::time::Instant::now();
    let r = run(one(vec![s])).await;
    assert_eq!(r.status, Status::Error);
    assert!(started.elapsed() < Duration::from_millis(2500));
    assert!(log(&r, 0).contains("timeout: 1"), "{}", log(&r, 0));
}

#[tokio::test]
async fn s6_4_error_continue_runs_the_next_step() {
    let t = Target::start().await;
    let mut a = step("bad", &t.url(), "GET", "/status/500");
    a["controller"] = json!({"errorContinue": "true"});
    let b = step("good", &t.url(), "GET", "/json");
    let r = run(one(vec![a, b.clone()])).await;
    assert_eq!(r.transactions.len(), 2);
    assert_eq!(r.transactions[0].status, Status::Fail);
    assert_eq!(r.transactions[1].status, Status::Pass);
    assert_eq!(r.status, Status::Fail);
    let a2 = step("bad", &t.url(), "GET", "/status/500");
    let r = run(one(vec![a2, b])).await;
    assert_eq!(
        r.transactions.len(),
        1,
        "without errorContinue the case stops"
    );
}

#[tokio::test]
async fn s6_5_condition_false_skips_the_step() {
    let t = Target::start().await;
    let mut s = step("cond", &t.url(), "GET", "/json");
    s["controller"] =
        json!({"whetherExec": "[{\"target\":\"\",\"assertion\":\"notEmpty\",\"expect\":\"\"}]"});
    let r = run(one(vec![s])).await;
    assert_eq!(r.transactions[0].status, Status::Skip);
    assert!(log(&r, 0).contains("[cond]接口条件控制器判断为否: 实际值() 不为空，条件为否：Expected not empty string, but was empty."), "{}", log(&r, 0));
    assert!(t.requests_to("/json").is_empty());
    assert_eq!(r.status, Status::Pass);
}

#[tokio::test]
async fn s6_6_for_loop_runs_its_body_with_an_index() {
    let t = Target::start().await;
    let mut a = step("loop", &t.url(), "GET", "/echo");
    a["query"] = json!({"i": "{{i}}"});
    a["controller"] =
        json!({"loopExec": "{\"type\":\"FOR\",\"times\":\"3\",\"indexName\":\"i\",\"num\":2}"});
    let mut b = step("body2", &t.url(), "GET", "/echo");
    b["query"] = json!({"j": "{{i}}"});
    let c = step("after", &t.url(), "GET", "/json");
    let r = run(one(vec![a, b, c])).await;
    assert_eq!(r.transactions.len(), 7, "3 × 2 body steps + 1");
    let queries: Vec<String> = t
        .requests_to("/echo")
        .iter()
        .map(|r| r.query.clone())
        .collect();
    assert_eq!(
        queries,
        vec!["i=0", "j=0", "i=1", "j=1", "i=2", "j=2"],
        "A3 Fix: re-rendered every iteration"
    );
}

#[tokio::test]
async fn s6_6_while_loop_stops_on_its_condition_and_is_bounded() {
    let t = Target::start().await;
    let key = support::cases::uid();
    let mut a = step("poll", &t.url(), "GET", &format!("/count/{key}"));
    a["relations"] =
        json!([{"from": "resBody", "method": "jsonpath", "expression": "$.count", "name": "n"}]);
    a["controller"] = json!({"loopExec": "{\"type\":\"WHILE\",\"target\":\"{{n}}\",\"assertion\":\"notEqual\",\"expect\":3,\"timeout\":0,\"num\":1}"});
    let mut ctx = CollectionContext::default();
    ctx.vars
        .insert("n".into(), liuma_engine::value::Value::Int(0));
    let r = run_in(&mut ctx, one(vec![a])).await;
    assert_eq!(
        r.transactions.len(),
        3,
        "{:#?}",
        r.transactions.iter().map(|t| &t.log).collect::<Vec<_>>()
    );
}

// §7 Requests ---------------------------------------------------------------------------------

#[tokio::test]
async fn s7_bodies_are_encoded_like_python_requests() {
    let t = Target::start().await;
    let mut fu = step("fu", &t.url(), "POST", "/echo/fu");
    fu["body"] = json!({"type": "form-urlencoded", "form": [
        {"name": "s", "value": "a b&c", "type": "String"},
        {"name": "i", "value": "5", "type": "Int"}
    ]});
    let mut fd = step("fd", &t.url(), "POST", "/echo/fd");
    fd["body"] = json!({"type": "form-data", "form": [{"name": "l", "value": "[1, 2]", "type": "JSONArray"}]});
    let mut raw = step("raw", &t.url(), "POST", "/echo/raw");
    raw["body"] = json!({"type": "xml", "raw": "<a>中</a>"});
    let mut js = step("js", &t.url(), "POST", "/echo/js");
    js["body"] = json!({"type": "json", "json": "{\"k\": \"中文\", \"f\": 1.0}"});
    let r = run(one(vec![fu, fd, raw, js])).await;
    assert_eq!(r.status, Status::Pass);
    let fu = received(&t, "/echo/fu", 0);
    assert_eq!(fu.body_text(), "s=a+b%26c&i=5");
    assert_eq!(
        fu.header("content-type"),
        Some("application/x-www-form-urlencoded"),
        "A27 Fix"
    );
    assert_eq!(received(&t, "/echo/fd", 0).body_text(), "l=1&l=2");
    let raw = received(&t, "/echo/raw", 0);
    assert_eq!(raw.body_text(), "<a>中</a>");
    assert_eq!(raw.header("content-type"), None);
    let js = received(&t, "/echo/js", 0);
    assert_eq!(js.body_text(), r#"{"k": "\u4e2d\u6587", "f": 1.0}"#, "A41");
    assert_eq!(js.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn s7_query_headers_and_url_joining() {
    let t = Target::start().await;
    let mut s = step("q", &format!("{}/", t.url()), "GET", "/echo?x=1");
    s["query"] = json!({"s": "a b", "l": "[1, 2]"});
    s["headers"] = json!({"X-N": "5"});
    let r = run(one(vec![s])).await;
    assert_eq!(r.status, Status::Pass);
    let req = received(&t, "/echo", 0);
    assert_eq!(req.query, "x=1&s=a+b&l=%5B1%2C+2%5D");
    assert_eq!(req.header("x-n"), Some("5"));
    assert_eq!(req.header("user-agent"), Some("python-requests/2.24.0"));
}

// §8 Transactions and logs --------------------------------------------------------------------

#[tokio::test]
async fn s8_log_lines_have_the_python_format() {
    let t = Target::start().await;
    let mut s = step("登录", &t.url(), "POST", "/echo");
    s["headers"] = json!({"Sign": "5"});
    s["body"] = json!({"type": "json", "json": "{\"a\": 5}"});
    let r = run(one(vec![s])).await;
    let l = log(&r, 0);
    let entries: Vec<&str> = l.split("<br><br>").collect();
    assert!(entries[0].ends_with(" - Debug - [登录]接口执行开始"), "{l}");
    assert!(entries[1].contains(&format!("- Debug - 【请求信息】:<br>POST {}/echo<br>请求头: {{'Sign': '5'}}<br><span>请求体: {{'a': 5}}</span>", t.url())), "{l}");
    assert!(
        entries[2].contains("【响应信息】:<br>响应码: 200<br>响应头: {"),
        "{l}"
    );
    assert!(entries[3].ends_with("[登录]接口执行结束"));
    assert!(entries[4].ends_with("[登录]接口断言成功: ['success']"));
    let stamp = &entries[0][..26];
    assert!(
        chrono::NaiveDateTime::parse_from_str(stamp, "%Y-%m-%d %H:%M:%S%.6f").is_ok(),
        "{stamp}"
    );
    assert_eq!(r.transactions[0].content, "/echo");
    assert_eq!(r.case_desc.as_deref(), Some("case description"));
}

#[tokio::test]
async fn s8_error_wins_over_failure() {
    let t = Target::start().await;
    let mut a = step("fail", &t.url(), "GET", "/status/404");
    a["controller"] = json!({"errorContinue": "true"});
    let mut b = step("err", "http://127.0.0.1:9", "GET", "/x");
    b["controller"] = json!({"errorContinue": "true"});
    let r = run(one(vec![a, b])).await;
    assert_eq!(r.status, Status::Error);
    assert!(
        log(&r, 1).contains("程序错误信息"),
        "enable-stderr adds the error chain: {}",
        log(&r, 1)
    );
}

// Quirks (§9) pinned at the engine level; template, comparator, extraction and function quirks
// are pinned by the unit tests of their modules.

#[tokio::test]
async fn quirk_a1_during_is_the_whole_elapsed_time() {
    let t = Target::start().await;
    let r = run(one(vec![step("slow", &t.url(), "GET", "/delay/1200")])).await;
    assert!(
        r.transactions[0].during_ms >= 1200,
        "{}",
        r.transactions[0].during_ms
    );
}

#[tokio::test]
async fn quirk_a28_form_file_part_is_named_after_the_field() {
    // Without a platform, loadfile fails: the placeholder text is sent as the part's content,
    // but the part layout is what A28 pins.
    let t = Target::start().await;
    let mut s = step("up", &t.url(), "POST", "/echo");
    s["headers"] = json!({"content-type": "application/json"});
    s["body"] = json!({"type": "form-data", "form": [
        {"name": "u", "value": "7", "type": "Int"},
        {"name": "avatar", "value": "file-id-1", "type": "File"}
    ]});
    run(one(vec![s])).await;
    let req = received(&t, "/echo", 0);
    let ct = req.header("content-type").unwrap_or("").to_string();
    assert!(ct.starts_with("multipart/form-data; boundary="), "{ct}");
    let body = req.body_text();
    assert!(body.contains("name=\"u\"\r\n\r\n7\r\n"), "{body}");
    assert!(
        body.contains("name=\"avatar\"; filename=\"avatar\""),
        "{body}"
    );
}

#[tokio::test]
async fn quirk_a33_bad_loop_json_marks_the_loop_step_and_obeys_error_continue() {
    let t = Target::start().await;
    let mut a = step("loop", &t.url(), "GET", "/json");
    a["controller"] = json!({"loopExec": "{not json", "errorContinue": "true"});
    let b = step("next", &t.url(), "GET", "/json");
    let r = run(one(vec![a, b])).await;
    assert_eq!(r.transactions[0].name, "loop");
    assert_eq!(r.transactions[0].status, Status::Error);
    assert_eq!(r.transactions[1].status, Status::Pass);
}

#[tokio::test]
async fn quirk_a34_collect_errors_obey_error_continue() {
    let t = Target::start().await;
    let mut a = step("bad", &t.url(), "POST", "/echo");
    a["body"] = json!({"type": "json", "json": "{broken"});
    a["controller"] = json!({"errorContinue": "true"});
    let b = step("next", &t.url(), "GET", "/json");
    let r = run(one(vec![a, b])).await;
    assert_eq!(r.transactions.len(), 2);
    assert_eq!(r.transactions[0].status, Status::Error);
    assert!(log(&r, 0).contains("body.json"), "{}", log(&r, 0));
}

#[tokio::test]
async fn quirk_a35_console_has_no_nul_padding() {
    let t = Target::start().await;
    let mut a = step("a", &t.url(), "POST", "/echo");
    a["body"] = json!({"type": "text", "raw": "{{@sign(1)}}"});
    let b = a.clone();
    let c = step("c", &t.url(), "GET", "/json");
    let mut case = one(vec![a, b, c]);
    case["functions"] =
        json!([{"name": "sign", "code": "", "params": {"names": ["a"], "types": ["String"]}}]);
    let r = run(case).await;
    let all: String = r.transactions.iter().map(|t| t.log.clone()).collect();
    assert!(all.contains("控制台输出"), "{all}");
    assert!(!all.contains('\0'));
}

#[tokio::test]
async fn quirk_a45_rerun_context_is_kept_across_cases() {
    let t = Target::start().await;
    let mut a = step("rel", &t.url(), "GET", "/json");
    a["relations"] =
        json!([{"from": "resBody", "method": "jsonpath", "expression": "$.code", "name": "code"}]);
    let mut ctx = CollectionContext::default();
    run_in(&mut ctx, one(vec![a])).await;
    let mut b = step("use", &t.url(), "POST", "/echo");
    b["body"] = json!({"type": "text", "raw": "{{code}}"});
    run_in(&mut ctx, one(vec![b])).await;
    assert_eq!(received(&t, "/echo", 0).body_text(), "0");
}

#[tokio::test]
async fn quirk_a2_large_templates_render_completely() {
    let t = Target::start().await;
    let mut fields = serde_json::Map::new();
    for i in 0..5000 {
        fields.insert(format!("k{i}"), json!(format!("{{{{code}}}}-{i}")));
    }
    let mut s = step("big", &t.url(), "POST", "/echo");
    s["body"] = json!({"type": "json", "json": Value::Object(fields).to_string()});
    let mut ctx = CollectionContext::default();
    ctx.vars
        .insert("code".into(), liuma_engine::value::Value::Int(0));
    let r = run_in(&mut ctx, one(vec![s])).await;
    assert_eq!(r.status, Status::Pass);
    let body = received(&t, "/echo", 0).body_text();
    assert!(body.contains("\"k4999\": \"0-4999\"") && !body.contains("{{"));
}

#[tokio::test]
async fn quirk_a14_json_params_with_json_literals_become_objects() {
    let t = Target::start().await;
    let mut s = step("a", &t.url(), "POST", "/echo");
    s["body"] = json!({"type": "text", "raw": "{{p.ok}}"});
    let mut case = one(vec![s]);
    case["params"] = json!({"p": {"type": "JSONObject", "value": "{\"ok\":true,\"n\":null}"}});
    run(case).await;
    assert_eq!(received(&t, "/echo", 0).body_text(), "True");
}

#[tokio::test]
async fn quirk_a15_unconvertible_int_param_stays_a_string() {
    let t = Target::start().await;
    let mut s = step("a", &t.url(), "POST", "/echo");
    s["body"] = json!({"type": "json", "json": "{\"v\": \"{{p}}\"}"});
    let mut case = one(vec![s]);
    case["params"] = json!({"p": {"type": "Int", "value": "5.0"}});
    run(case).await;
    assert_eq!(received(&t, "/echo", 0).body_text(), r#"{"v": "5.0"}"#);
}

#[tokio::test]
async fn quirk_a27_form_urlencoded_gets_a_content_type() {
    let t = Target::start().await;
    let mut s = step("fu", &t.url(), "POST", "/echo");
    s["body"] =
        json!({"type": "form-urlencoded", "form": [{"name": "a", "value": "1", "type": "String"}]});
    run(one(vec![s])).await;
    assert_eq!(
        received(&t, "/echo", 0).header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
}

#[tokio::test]
async fn quirk_a29_proxy_applies_to_https_targets_and_keeps_socks5() {
    let t = Target::start().await;
    let closed = "127.0.0.1:9";
    let mut https = step(
        "https",
        &t.url().replace("http://", "https://"),
        "GET",
        "/json",
    );
    https["proxies"] = json!({"url": closed, "username": "", "password": ""});
    let r = run(one(vec![https])).await;
    assert_eq!(
        r.status,
        Status::Error,
        "the https request went through the (closed) proxy"
    );
    assert!(
        log(&r, 0).contains("代理: {'http': 'http://127.0.0.1:9', 'https': 'http://127.0.0.1:9'}"),
        "{}",
        log(&r, 0)
    );
    let mut socks = step("socks", &t.url(), "GET", "/json");
    socks["proxies"] = json!({"url": format!("socks5://{closed}"), "username": "", "password": ""});
    let r = run(one(vec![socks])).await;
    assert_eq!(r.status, Status::Error);
    assert!(
        log(&r, 0).contains("socks5://127.0.0.1:9"),
        "{}",
        log(&r, 0)
    );
    assert!(t.requests().is_empty(), "nothing bypassed the proxy");
}

#[tokio::test]
async fn quirk_a31_while_timeout_has_millisecond_precision() {
    let t = Target::start().await;
    let mut a = step("spin", &t.url(), "GET", "/delay/100");
    a["controller"] = json!({"loopExec": "{\"type\":\"WHILE\",\"target\":\"1\",\"assertion\":\"equals\",\"expect\":\"1\",\"timeout\":300,\"num\":1}"});
    let r = run(one(vec![a])).await;
    let n = r.transactions.len();
    assert!(
        (2..=4).contains(&n),
        "about 300 ms of 100 ms iterations, not a whole second: {n}"
    );
}

#[tokio::test]
async fn quirk_a32_unreadable_for_count_runs_once() {
    let t = Target::start().await;
    let mut a = step("once", &t.url(), "GET", "/json");
    a["controller"] =
        json!({"loopExec": "{\"type\":\"FOR\",\"times\":\"many\",\"indexName\":\"i\",\"num\":1}"});
    let r = run(one(vec![a])).await;
    assert_eq!(r.transactions.len(), 1);
    assert_eq!(r.status, Status::Pass);
}

#[tokio::test]
async fn quirk_a36_custom_functions_do_not_leak_into_later_cases() {
    let t = Target::start().await;
    let mut ctx = CollectionContext::default();
    let mut a = step("a", &t.url(), "POST", "/echo");
    a["body"] = json!({"type": "text", "raw": "{{@sign(1)}}"});
    let mut first = one(vec![a.clone()]);
    first["functions"] =
        json!([{"name": "sign", "code": "", "params": {"names": ["a"], "types": ["String"]}}]);
    run_in(&mut ctx, first).await;
    let r = run_in(
        &mut ctx,
        one(vec![a.clone(), step("b", &t.url(), "GET", "/json")]),
    )
    .await;
    let all: String = r.transactions.iter().map(|t| t.log.clone()).collect();
    assert!(
        all.contains("不存在的公共参数、关联变量或内置函数"),
        "{all}"
    );
    assert!(!all.contains("自定义函数sign"), "{all}");
}

#[tokio::test]
async fn quirk_a41_json_bodies_are_ascii_escaped_with_python_separators() {
    let t = Target::start().await;
    let mut s = step("js", &t.url(), "POST", "/echo");
    s["body"] = json!({"type": "json", "json": "{\"名\":[1,2.50,\"é\"]}"});
    run(one(vec![s])).await;
    assert_eq!(
        received(&t, "/echo", 0).body_text(),
        r#"{"\u540d": [1, 2.5, "\u00e9"]}"#
    );
}

#[tokio::test]
async fn quirk_a43_req_body_relation_sees_the_encoded_form() {
    let t = Target::start().await;
    let mut a = step("fu", &t.url(), "POST", "/echo");
    a["body"] = json!({"type": "form-urlencoded", "form": [{"name": "s", "value": "a b", "type": "String"}]});
    a["relations"] =
        json!([{"from": "reqBody", "method": "regular", "expression": "s=(.*)", "name": "enc"}]);
    let mut b = step("use", &t.url(), "POST", "/echo/2");
    b["body"] = json!({"type": "text", "raw": "{{enc}}"});
    let r = run(one(vec![a, b])).await;
    assert_eq!(r.status, Status::Pass, "{}", log(&r, 0));
    assert_eq!(received(&t, "/echo/2", 0).body_text(), "a+b");
}

#[tokio::test]
async fn quirk_a44_protocol_is_ignored() {
    let t = Target::start().await;
    let mut s = step("p", &t.url(), "GET", "/json");
    s["protocol"] = json!("WEBSOCKET");
    assert_eq!(run(one(vec![s])).await.status, Status::Pass);
}

#[tokio::test]
async fn quirk_a46_assertions_stop_at_the_first_failure() {
    let t = Target::start().await;
    let mut s = step("a", &t.url(), "GET", "/json");
    s["assertions"] = json!([
        {"from": "resCode", "method": "", "expression": "", "assertion": "equals", "expect": "201"},
        {"from": "resCode", "method": "", "expression": "", "assertion": "equals", "expect": "202"}
    ]);
    let r = run(one(vec![s])).await;
    assert!(
        log(&r, 0).contains("接口断言失败: ['实际值(200)与预期值(201)"),
        "{}",
        log(&r, 0)
    );
    assert!(!log(&r, 0).contains("预期值(202)"));
}

#[tokio::test]
async fn quirk_a49_file_entries_without_id_are_skipped_with_a_note() {
    let t = Target::start().await;
    let mut s = step("f", &t.url(), "POST", "/echo");
    s["body"] = json!({"type": "file", "form": [], "file": [{"file": ""}]});
    let r = run(one(vec![s])).await;
    assert_eq!(r.status, Status::Pass, "{}", log(&r, 0));
    assert!(log(&r, 0).contains("id/name"), "{}", log(&r, 0));
}

#[tokio::test]
async fn quirk_a52_transport_errors_have_the_engines_own_message() {
    let r = run(one(vec![step("x", "http://127.0.0.1:9", "GET", "/x")])).await;
    assert_eq!(r.status, Status::Error);
    assert!(log(&r, 0).contains("请求失败"), "{}", log(&r, 0));
}

#[tokio::test]
async fn quirk_a30_tls_is_verified_unless_require_verify_is_false() {
    let server = support::tls::TlsServer::start().await;
    let r = run(one(vec![step("verified", &server.url(), "GET", "/")])).await;
    assert_eq!(
        r.status,
        Status::Error,
        "a self-signed certificate must be refused by default"
    );
    let mut s = step("unverified", &server.url(), "GET", "/");
    s["controller"] = json!({"requireVerify": "false"});
    let r = run(one(vec![s])).await;
    assert_eq!(r.status, Status::Pass, "{}", log(&r, 0));
    assert!(log(&r, 0).contains("verify: False"));
}

#[tokio::test]
async fn s1_unknown_body_type_is_an_error_naming_the_field() {
    let t = Target::start().await;
    let mut s = step("a", &t.url(), "POST", "/echo");
    s["body"] = json!({"type": "yaml", "raw": "a: 1"});
    let r = run(one(vec![s])).await;
    assert_eq!(r.status, Status::Error);
    assert!(log(&r, 0).contains("body.type=\"yaml\""), "{}", log(&r, 0));
    assert!(t.requests().is_empty());
}

#[tokio::test]
async fn s1_7_null_url_uses_an_absolute_path() {
    let t = Target::start().await;
    let mut s = step("abs", &t.url(), "GET", &format!("{}/json", t.url()));
    s["url"] = Value::Null;
    let r = run(one(vec![s])).await;
    assert_eq!(r.status, Status::Pass, "{}", log(&r, 0));
    let mut s = step("rel", &t.url(), "GET", "/json");
    s["url"] = Value::Null;
    assert_eq!(
        run(one(vec![s])).await.status,
        Status::Error,
        "a relative path without a domain cannot be sent"
    );
}

#[tokio::test]
async fn s1_12_steps_never_opened_in_the_editor_run() {
    let t = Target::start().await;
    let s = json!({
        "apiId": "a1", "apiName": "raw", "apiDesc": null, "url": t.url(), "path": "/json", "method": "get",
        "protocol": "HTTP", "headers": {}, "proxies": {}, "body": null, "query": {}, "rest": {},
        "assertions": null, "relations": null, "controller": {}
    });
    let mut case = one(vec![s]);
    case["comment"] = Value::Null;
    case["functions"] = Value::Null;
    case["params"] = Value::Null;
    let r = run(case).await;
    assert_eq!(r.status, Status::Pass, "{}", log(&r, 0));
    assert_eq!(r.case_desc, None);
}

#[tokio::test]
async fn s6_8_sql_entry_without_a_database_is_a_clear_error() {
    let t = Target::start().await;
    let mut s = step("a", &t.url(), "GET", "/json");
    s["controller"] = json!({"errorContinue": "true", "pre": [
        {"name": "preSql", "value": "{}"},
        {"name": "preSql", "value": "{\"db\":{},\"sqlType\":\"query\",\"names\":\"x\",\"sqlText\":\"select 1\"}"}
    ]});
    let r = run(one(vec![s])).await;
    assert_eq!(r.status, Status::Error);
    assert!(
        log(&r, 0).contains("'获取数据库连接信息失败 请检查配置'"),
        "{}",
        log(&r, 0)
    );
}

#[tokio::test]
async fn s7_1_proxy_settings_are_checked_at_collect_time() {
    let t = Target::start().await;
    let mut s = step("p", &t.url(), "GET", "/json");
    s["proxies"] = json!({"url": "", "username": "", "password": ""});
    let r = run(one(vec![s])).await;
    assert!(log(&r, 0).contains("未设置代理网址"), "{}", log(&r, 0));
    let mut s = step("p", &t.url(), "GET", "/json");
    s["proxies"] = json!({"url": "127.0.0.1:9", "username": "u", "password": ""});
    let r = run(one(vec![s])).await;
    assert!(
        log(&r, 0).contains("未设置代理账号或密码"),
        "{}",
        log(&r, 0)
    );
    assert!(t.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s7_6_downloads_are_not_shown_in_the_log() {
    // The platform double's test-file download answers with Content-Disposition.
    let p = support::PlatformDouble::start().await;
    p.add_test_file("f1", "a.bin", vec![1, 2, 3, 4, 5]);
    let mut s = step("dl", &p.url(), "GET", "/openapi/download/test/file/f1");
    s["relations"] =
        json!([{"from": "resBody", "method": "jsonpath", "expression": "$", "name": "raw"}]);
    let mut ctx = CollectionContext::default();
    let r = run_in(&mut ctx, one(vec![s])).await;
    assert_eq!(r.status, Status::Pass, "{}", log(&r, 0));
    assert!(
        log(&r, 0).contains("<b>响应体: 文件内容暂不展示, 长度5</b>"),
        "{}",
        log(&r, 0)
    );
    assert_eq!(
        ctx.vars.get("raw"),
        Some(&liuma_engine::value::Value::Bytes(vec![1, 2, 3, 4, 5])),
        "`$` keeps the raw bytes"
    );
}

/// A plain-HTTP request line is in origin form with the query, and `Host` names the target's
/// address and port unless the step sets its own (as hyper's and requests' clients send them).
#[tokio::test]
async fn s7_2_the_request_target_and_host_header_are_as_requests_sends_them() {
    let t = Target::start().await;
    let mut s = step("q", &t.url(), "GET", "/echo/a%20b");
    s["query"] = json!({"k": "v 1"});
    let r = run(one(vec![s])).await;
    assert_eq!(r.status, Status::Pass, "{}", log(&r, 0));
    let got = received(&t, "/echo/a%20b", 0);
    assert_eq!(got.query, "k=v+1");
    let host: Vec<&(String, String)> = got.headers.iter().filter(|(k, _)| k == "host").collect();
    let expected = t.url().trim_start_matches("http://").to_string();
    assert_eq!(host, [&("host".to_string(), expected)]);
    let mut s = step("own host", &t.url(), "GET", "/echo/own");
    s["headers"] = json!({"Host": "example.test"});
    let r = run(one(vec![s])).await;
    assert_eq!(r.status, Status::Pass, "{}", log(&r, 0));
    let got = received(&t, "/echo/own", 0);
    let host: Vec<&(String, String)> = got.headers.iter().filter(|(k, _)| k == "host").collect();
    assert_eq!(host, [&("host".to_string(), "example.test".to_string())]);
}

/// Compressed answers are decoded as Python requests decodes them, and keep their headers.
#[tokio::test]
async fn s7_6_gzip_and_deflate_bodies_are_decoded() {
    let t = Target::start().await;
    for kind in ["gzip", "deflate", "rawdeflate"] {
        let mut s = step(kind, &t.url(), "GET", &format!("/encoded/{kind}"));
        let encoding = if kind == "gzip" { "gzip" } else { "deflate" };
        s["assertions"] = json!([
            {"from": "resBody", "method": "jsonpath", "expression": "$.data.token", "assertion": "equals", "expect": "t-123"},
            {"from": "resHeader", "method": "jsonpath", "expression": "$.Content-Encoding", "assertion": "equals", "expect": encoding}
        ]);
        let r = run(one(vec![s])).await;
        assert_eq!(r.status, Status::Pass, "{kind}: {}", log(&r, 0));
    }
    let r = run(one(vec![step("bad", &t.url(), "GET", "/encoded/garbage")])).await;
    assert_eq!(r.status, Status::Error, "{}", log(&r, 0));
    assert!(
        log(&r, 0).contains("Content-Encoding: gzip"),
        "{}",
        log(&r, 0)
    );
    // 64 MiB once decoded: over the 8 MiB limit even though 64 KiB arrive.
    let r = run(one(vec![step("bomb", &t.url(), "GET", "/encoded/bomb")])).await;
    assert_eq!(r.status, Status::Error, "{}", log(&r, 0));
    assert!(log(&r, 0).contains("字节上限"), "{}", log(&r, 0));
}

#[tokio::test]
async fn s7_6_huge_response_bodies_are_cut_in_the_log() {
    let t = Target::start().await;
    let mut s = step("big", &t.url(), "POST", "/echo");
    s["body"] = json!({"type": "text", "raw": "x".repeat(300 * 1024)});
    s["assertions"] = json!([{"from": "resBody", "method": "jsonpath", "expression": "$.bodyLength", "assertion": "equals", "expect": "307200"}]);
    let r = run(one(vec![s])).await;
    assert_eq!(
        r.status,
        Status::Pass,
        "{}",
        &log(&r, 0)[..2000.min(log(&r, 0).len())]
    );
    assert!(log(&r, 0).contains("响应体过长"));
    assert!(
        log(&r, 0).len() < 400 * 1024 + 70 * 1024,
        "the request log keeps the body, the response log only 64 KiB"
    );
}

#[tokio::test]
async fn invalid_utf8_in_headers_and_body_is_shown_not_fatal() {
    let mut head = b"HTTP/1.1 200 OK\r\nX-Bad: a\xff\xfeb\r\nContent-Type: application/json\r\nContent-Length: 6\r\nConnection: close\r\n\r\n".to_vec();
    head.extend_from_slice(b"{\xff\"a\"}");
    let server = support::raw::RawServer::start(head, false).await;
    let r = run(one(vec![step("bad", &server.url(), "GET", "/")])).await;
    assert_eq!(r.status, Status::Pass, "{}", log(&r, 0));
    assert!(log(&r, 0).contains("X-Bad"), "{}", log(&r, 0));
    assert!(
        log(&r, 0).contains('\u{fffd}'),
        "invalid bytes are shown as replacement characters"
    );
}

/// The answer's headers read from the engine's own connection are those reqwest's map gives
/// (a request with its own `Connection` header goes through reqwest): names in the
/// conventional spelling whatever the server wrote, a repeated name's values joined in order.
#[tokio::test]
async fn response_headers_read_directly_are_those_reqwest_gives() {
    let head = b"HTTP/1.1 200 OK\r\nX-Multi: a\r\ncontent-TYPE: application/json\r\nx-multi: b\r\nSet-Cookie: s1=v1; Path=/\r\nSET-COOKIE: s2=v2\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}".to_vec();
    let server = support::raw::RawServer::start(head, false).await;
    let direct = step("direct", &server.url(), "GET", "/");
    let mut through_reqwest = step("reqwest", &server.url(), "GET", "/");
    through_reqwest["headers"] = json!({"Connection": "close"});
    let r = run(one(vec![direct, through_reqwest])).await;
    assert_eq!(r.status, Status::Pass, "{}", log(&r, 0));
    let headers = |i: usize| {
        let l = log(&r, i);
        let at = l.find("响应头: ").expect("response headers logged");
        l[at..].split("<br>").next().unwrap_or_default().to_string()
    };
    assert_eq!(
        headers(0),
        "响应头: {'X-Multi': 'a, b', 'Content-Type': 'application/json', 'Set-Cookie': 's1=v1; Path=/, s2=v2', 'Content-Length': '2', 'Connection': 'close'}"
    );
    assert_eq!(headers(0), headers(1));
}

#[tokio::test]
async fn a_response_that_never_ends_times_out() {
    let head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000000\r\n\r\n"
        .to_vec();
    let server = support::raw::RawServer::start(head, true).await;
    let mut s = step("endless", &server.url(), "GET", "/");
    s["controller"] = json!({"timeout": "1"});
    let started = std::time::Instant::now();
    let r = run(one(vec![s])).await;
    assert_eq!(r.status, Status::Error);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(log(&r, 0).contains("请求超时"), "{}", log(&r, 0));
}
