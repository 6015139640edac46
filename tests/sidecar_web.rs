//! WEB custom operations (web-cases §2.7, Q21) through the Python sidecar, on real headless
//! Chromium against the local test site: the `driver` facade acts on the case's page.

mod support;

use liuma_engine::cases::web::WebEnv;
use liuma_engine::cases::{self, CaseEnv, CaseMeta, CaseResult, CollectionContext, Status};
use liuma_engine::ids::{CaseId, CollectionId};
use liuma_engine::value::Value as PyValue;
use serde_json::{Value, json};
use std::time::Duration;
use support::site::Site;
use support::webcase::{assert_op, op, open, web_case};
use tokio_util::sync::CancellationToken;

fn env(home: &std::path::Path) -> CaseEnv {
    let mut web = WebEnv::new(home);
    web.driver_start_timeout = Duration::from_secs(30);
    CaseEnv {
        step_timeout_cap: Duration::from_secs(20),
        enable_stderr: false,
        max_response_bytes: 8 * 1024 * 1024,
        max_loop_iterations: 1000,
        loop_timeout_cap: Duration::from_secs(5),
        web,
        ..CaseEnv::defaults(home).expect("case env")
    }
}

async fn run(ctx: &mut CollectionContext, env: &CaseEnv, case: Value) -> CaseResult {
    let meta = CaseMeta {
        collection_id: CollectionId("c-1".into()),
        case_id: CaseId("web-custom".into()),
        case_type: "WEB".into(),
        index: 1,
        run_times: 1,
    };
    cases::execute(&meta, Ok(case.into()), ctx, env, &CancellationToken::new())
        .await
        .expect("not cancelled")
}

fn custom(
    group: &str,
    code: &str,
    elements: &[(&str, &str, &str)],
    data: &[(&str, &str, &str)],
) -> Value {
    let mut s = op(group, "自定义", elements, data);
    s["operationCode"] = json!(code);
    s
}

#[tokio::test]
async fn q21_custom_operations_drive_the_page_through_the_facade() {
    let site = Site::start().await;
    let home = tempfile::tempdir().expect("home");
    let env = env(home.path());
    let mut ctx = CollectionContext::for_task("task-custom");
    let b = site.base.as_str();
    let act = r##"
by, expr = element["field"]
box = driver.find_element(by, expr)
box.clear()
box.send_keys(data["text"], "!")
driver.find_element("css selector", "#go").click()
print("title", driver.title)
sys_put("url", driver.current_url)
sys_put("tag", box.tag_name)
sys_put("boxes", len(driver.find_elements("class name", "box")))
"##;
    let steps = vec![
        open(b, "/form"),
        custom(
            "scenario",
            act,
            &[("field", "ID", "name")],
            &[("text", "String", "typed")],
        ),
        // An assertion custom op returns the actual value with sys_return.
        custom(
            "assertion",
            "sys_return(driver.execute_script(\"return document.getElementById('name').value\"))",
            &[],
            &[
                ("assertion", "String", "equals"),
                ("expect", "String", "typed!"),
                ("continue", "Boolean", "false"),
            ],
        ),
        custom(
            "relation",
            "sys_return(driver.find_element('id', 'log').text)",
            &[],
            &[("save_name", "String", "log")],
        ),
        assert_op(
            "断言元素文本",
            &[("element", "ID", "log")],
            &[],
            "equals",
            "String",
            "clicked;",
        ),
    ];
    let r = run(&mut ctx, &env, web_case("web-custom", true, true, steps)).await;
    for t in &r.transactions {
        assert_eq!(
            t.status,
            Status::Pass,
            "{}: {}",
            t.name,
            t.log.replace("<br>", "\n")
        );
    }
    assert!(
        r.transactions[1].log.contains("成功执行 自定义"),
        "{}",
        r.transactions[1].log
    );
    assert!(
        r.transactions[1]
            .log
            .contains("控制台输出:<br> title Form page<br>"),
        "{}",
        r.transactions[1].log
    );
    assert_eq!(ctx.vars.get("log"), Some(&PyValue::Str("clicked;".into())));
    assert_eq!(ctx.vars.get("tag"), Some(&PyValue::Str("input".into())));
    assert_eq!(ctx.vars.get("boxes"), Some(&PyValue::Int(1)));
    assert!(
        matches!(ctx.vars.get("url"), Some(PyValue::Str(u)) if u.ends_with("/form")),
        "{:?}",
        ctx.vars.get("url")
    );
    ctx.sidecar.close();
}

/// §7.2 in WEB cases: what a custom function called from a step's template and what a custom
/// operation print is captured and appended to the printing step's transaction as the next
/// transaction opens (or when the case ends), never to a later step's.
#[tokio::test]
async fn s7_2_printed_output_lands_on_the_printing_step() {
    let site = Site::start().await;
    let home = tempfile::tempdir().expect("home");
    let env = env(home.path());
    let mut ctx = CollectionContext::for_task("task-console");
    let b = site.base.as_str();
    let steps = vec![
        open(b, "/form"),
        op(
            "page",
            "输入",
            &[("element", "ID", "name")],
            &[("text", "String", "{{@shout(abc)}}")],
        ),
        custom("scenario", "print('custom says', driver.title)", &[], &[]),
        op(
            "relation",
            "提取元素属性",
            &[("element", "ID", "name")],
            &[
                ("name", "String", "value"),
                ("save_name", "String", "typed"),
            ],
        ),
        custom("scenario", "print('last\\nline')", &[], &[]),
    ];
    let mut case = web_case("web-console", true, true, steps);
    case["functions"] = json!([{
        "name": "shout",
        "code": "print('shouting', x)\nsys_return(x.upper())",
        "params": {"names": ["x"], "types": ["String"]}
    }]);
    let r = run(&mut ctx, &env, case).await;
    ctx.sidecar.close();
    let logs: Vec<&str> = r.transactions.iter().map(|t| t.log.as_str()).collect();
    assert_eq!(r.status, Status::Pass, "{logs:#?}");
    assert_eq!(logs.len(), 5);
    // The function ran in the template: the page received its return value.
    assert_eq!(ctx.vars.get("typed"), Some(&PyValue::Str("oldABC".into())));
    let console = |i: usize| logs[i].matches("控制台输出:").count();
    assert!(
        logs[1].contains("控制台输出:<br> shouting abc<br>"),
        "{}",
        logs[1]
    );
    assert!(
        logs[2].contains("控制台输出:<br> custom says Form page<br>"),
        "{}",
        logs[2]
    );
    assert!(
        logs[4].contains("控制台输出:<br> last<br>line<br>"),
        "{}",
        logs[4]
    );
    // Each output once, on its own step; the steps that print nothing have none.
    assert_eq!(
        (0..5).map(console).collect::<Vec<_>>(),
        vec![0, 1, 1, 0, 1],
        "{logs:#?}"
    );
    // Output comes after the step's own lines: the operation ended before it was appended.
    let end = logs[2].find("WEB操作[自定义]结束").unwrap_or(usize::MAX);
    let out = logs[2].find("控制台输出").unwrap_or(0);
    assert!(end < out, "{}", logs[2]);
}
