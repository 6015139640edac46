//! WEB cases on real headless Chromium through chromedriver (web-cases.md), against a local
//! test site. Cases run through the engine's own case executor; the agent path (screenshot
//! uploads, stop, shutdown, two browsers at once) is in `web_agent.rs`.
//!
//! Each test starts few browsers: many operations run in one case, and later cases of a
//! collection reuse the browser (`startDriver` false), which also tests the driver slot.

mod support;

use liuma_engine::cases::web::WebEnv;
use liuma_engine::cases::{self, CaseEnv, CaseMeta, CaseResult, CollectionContext, Status};
use liuma_engine::ids::{CaseId, CollectionId};
use liuma_engine::value::Value as PyValue;
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;
use support::site::Site;
use support::webcase::{assert_op, op, open, save, web_case};
use tokio_util::sync::CancellationToken;

fn env(home: &Path) -> CaseEnv {
    let mut web = WebEnv::new(home);
    web.new_window_timeout = Duration::from_secs(3);
    web.driver_start_timeout = Duration::from_secs(30);
    CaseEnv {
        step_timeout_cap: Duration::from_secs(20),
        max_response_bytes: 8 * 1024 * 1024,
        max_loop_iterations: 1000,
        loop_timeout_cap: Duration::from_secs(5),
        web,
        ..CaseEnv::defaults(home).expect("case env")
    }
}

fn meta(case_id: &str, case_type: &str) -> CaseMeta {
    CaseMeta {
        collection_id: CollectionId("c-1".into()),
        case_id: CaseId(case_id.into()),
        case_type: case_type.into(),
        index: 1,
        run_times: 1,
    }
}

/// (what, elements, extra data, comparator, expect type, expect).
type Check<'a> = (
    &'a str,
    Vec<(&'a str, &'a str, &'a str)>,
    Vec<(&'a str, &'a str, &'a str)>,
    &'a str,
    &'a str,
    &'a str,
);

async fn run(ctx: &mut CollectionContext, env: &CaseEnv, case: Value) -> CaseResult {
    let id = case["caseId"].as_str().unwrap_or("case").to_string();
    cases::execute(
        &meta(&id, "WEB"),
        Ok(case.into()),
        ctx,
        env,
        &CancellationToken::new(),
    )
    .await
    .expect("not cancelled")
}

/// Every transaction passed; the message names the first one that did not.
fn all_pass(r: &CaseResult) {
    for t in &r.transactions {
        assert_eq!(
            t.status,
            Status::Pass,
            "step {} did not pass: {}",
            t.name,
            t.log.replace("<br>", "\n")
        );
    }
    assert_eq!(r.status, Status::Pass);
}

fn var(ctx: &CollectionContext, name: &str) -> PyValue {
    ctx.vars.get(name).cloned().unwrap_or(PyValue::None)
}

fn text(ctx: &CollectionContext, name: &str) -> String {
    var(ctx, name).py_str()
}

#[tokio::test]
async fn browser_operations_act_on_the_page() {
    let site = Site::start().await;
    let home = tempfile::tempdir().expect("home");
    let env = env(home.path());
    let mut ctx = CollectionContext::for_task("task-browser");
    let b = site.base.as_str();
    let steps = vec![
        open(b, "/form"),
        op(
            "browser",
            "设置窗口大小",
            &[],
            &[("width", "Int", "900"), ("height", "Int", "700")],
        ),
        save("提取窗口尺寸", &[], &[], "size1"),
        op(
            "browser",
            "设置窗口位置",
            &[],
            &[("x", "Int", "10"), ("y", "Int", "20")],
        ),
        save("提取窗口位置", &[], &[], "pos1"),
        op("browser", "最大化窗口", &[], &[]),
        op("browser", "全屏窗口", &[], &[]),
        op("browser", "最小化窗口", &[], &[]),
        op(
            "browser",
            "设置窗口大小",
            &[],
            &[("width", "Int", "1000"), ("height", "Int", "800")],
        ),
        op(
            "browser",
            "添加cookie",
            &[],
            &[("name", "String", "k1"), ("value", "String", "v1")],
        ),
        op(
            "browser",
            "添加cookie",
            &[],
            &[("name", "String", "k2"), ("value", "String", "v2")],
        ),
        op("browser", "删除cookie", &[], &[("name", "String", "k2")]),
        op("browser", "刷新", &[], &[]),
        save("提取cookies", &[], &[], "cookies1"),
        op("browser", "删除cookies", &[], &[]),
        save(
            "提取cookie",
            &[],
            &[("name", "String", "k1")],
            "cookie_gone",
        ),
        op(
            "browser",
            "执行脚本",
            &[],
            &[
                (
                    "script",
                    "String",
                    "document.title = arguments[0] + arguments[1];",
                ),
                ("arg", "JSONArray", "['js-', 7]"),
            ],
        ),
        save("提取页面标题", &[], &[], "title_js"),
        op(
            "browser",
            "执行异步脚本",
            &[],
            &[
                (
                    "script",
                    "String",
                    "var cb = arguments[arguments.length - 1]; setTimeout(function(){ document.title = 'async-' + arguments.length; cb(); }, 50);",
                ),
                ("arg", "JSONArray", "[]"),
            ],
        ),
        op("browser", "强制等待", &[], &[("second", "Int", "0")]),
        save("提取页面标题", &[], &[], "title_async"),
        op("browser", "隐式等待", &[], &[("second", "Int", "1")]),
        op(
            "browser",
            "打开网页",
            &[],
            &[("domain", "String", b), ("path", "String", "/other")],
        ),
        op("browser", "后退", &[], &[]),
        save("提取页面url", &[], &[], "url_back"),
        op("browser", "前进", &[], &[]),
        save("提取页面url", &[], &[], "url_forward"),
        op("browser", "屏幕截图", &[], &[("name", "String", "shot")]),
        open(b, "/windows"),
        save("提取当前窗口句柄", &[], &[], "main"),
        op(
            "browser",
            "单击跳转新窗口",
            &[("element", "ID", "open")],
            &[],
        ),
        save("提取页面标题", &[], &[], "popup_title"),
        save("提取所有窗口句柄", &[], &[], "handles"),
        op(
            "browser",
            "返回并关闭当前窗口",
            &[],
            &[("window", "String", "{{main}}")],
        ),
        save("提取页面标题", &[], &[], "after_back"),
        op("page", "单击", &[("element", "ID", "named")], &[]),
        op(
            "browser",
            "切换窗口",
            &[],
            &[("window", "String", "helper")],
        ),
        save("提取页面标题", &[], &[], "named_title"),
        op("browser", "关闭窗口", &[], &[]),
        op(
            "browser",
            "切换窗口",
            &[],
            &[("window", "String", "{{main}}")],
        ),
        save("提取页面标题", &[], &[], "final_title"),
        // 返回并关闭当前窗口 and 关闭窗口 each closed one of the two windows they saw.
        save("提取所有窗口句柄", &[], &[], "handles_end"),
    ];
    let r = run(&mut ctx, &env, web_case("browser-ops", true, true, steps)).await;
    all_pass(&r);
    assert_eq!(text(&ctx, "size1"), "{'width': 900, 'height': 700}");
    assert_eq!(text(&ctx, "pos1"), "{'x': 10, 'y': 20}");
    let cookies = text(&ctx, "cookies1");
    assert!(
        cookies.contains("'name': 'k1'") && !cookies.contains("k2"),
        "{cookies}"
    );
    // The refresh after adding the cookies sent them to the site.
    assert!(
        site.requests_to("/form")
            .iter()
            .any(|r| r.cookie.contains("k1=v1") && !r.cookie.contains("k2"))
    );
    assert_eq!(var(&ctx, "cookie_gone"), PyValue::None);
    assert_eq!(text(&ctx, "title_js"), "js-7");
    assert_eq!(text(&ctx, "title_async"), "async-0");
    assert!(text(&ctx, "url_back").ends_with("/form"));
    assert!(text(&ctx, "url_forward").ends_with("/other"));
    assert_eq!(text(&ctx, "popup_title"), "Popup");
    assert!(matches!(var(&ctx, "handles"), PyValue::List(ref l) if l.len() == 2));
    assert_eq!(text(&ctx, "after_back"), "Windows");
    assert_eq!(text(&ctx, "named_title"), "Popup");
    assert_eq!(text(&ctx, "final_title"), "Windows");
    assert!(
        matches!(var(&ctx, "handles_end"), PyValue::List(ref l) if l.len() == 1),
        "{}",
        text(&ctx, "handles_end")
    );
    // 屏幕截图: one screenshot on that step, a decodable PNG under image/<taskId>/.
    let shot = r
        .transactions
        .iter()
        .find(|t| t.name == "屏幕截图")
        .expect("screenshot step");
    assert_eq!(shot.screenshots.len(), 1);
    let file = home
        .path()
        .join("image/task-browser")
        .join(format!("{}.png", shot.screenshots[0]));
    let bytes = std::fs::read(&file).expect("screenshot file");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    // Every step has its duration (Q18) and the WEB log format.
    assert!(r.transactions.iter().any(|t| t.during_ms > 0));
    let first = &r.transactions[0].log;
    assert!(
        first.contains("WEB操作[打开网页]开始<br>") && first.contains("成功打开 '"),
        "{first}"
    );
    // The browser was closed at the end of the case (closeDriver true).
    assert!(ctx.web.browser.is_none());
}

#[tokio::test]
async fn page_operations_act_on_the_page() {
    let site = Site::start().await;
    let home = tempfile::tempdir().expect("home");
    let env = env(home.path());
    let mut ctx = CollectionContext::for_task("task-page");
    let b = site.base.as_str();
    let upload = home.path().join("upload.txt");
    std::fs::write(&upload, "x").expect("file");
    let upload = upload.display().to_string();
    // Case 1 starts the browser and keeps it (closeDriver false).
    let steps = vec![
        open(b, "/form"),
        op("page", "清空", &[("element", "ID", "name")], &[]),
        op(
            "page",
            "输入",
            &[("element", "NAME", "name")],
            &[("text", "String", "typed")],
        ),
        save(
            "提取元素属性",
            &[("element", "ID", "name")],
            &[("name", "String", "value")],
            "typed",
        ),
        op("page", "单击", &[("element", "CSS", "#agree")], &[]),
        save(
            "提取元素属性",
            &[("element", "ID", "agree")],
            &[("name", "String", "checked")],
            "checked",
        ),
        op(
            "page",
            "单击",
            &[("element", "XPATH", "//button[@id='go']")],
            &[],
        ),
        op("page", "提交", &[("element", "ID", "name")], &[]),
        save("提取页面url", &[], &[], "submitted_url"),
        open(b, "/frames"),
        op("page", "切换frame", &[("frame", "ID", "f1")], &[]),
        save("提取元素文本", &[("element", "ID", "in")], &[], "inner"),
        op("page", "切换frame", &[("frame", "TAG", "iframe")], &[]),
        save("提取元素文本", &[("element", "ID", "deep")], &[], "deep"),
        op("page", "返回父级frame", &[], &[]),
        save("提取元素文本", &[("element", "ID", "in")], &[], "parent"),
        op("page", "返回默认frame", &[], &[]),
        save("提取元素文本", &[("element", "ID", "top")], &[], "top"),
        open(b, "/alerts"),
        op("page", "单击", &[("element", "ID", "a")], &[]),
        op("page", "弹出框确认", &[], &[]),
        op("page", "单击", &[("element", "ID", "c")], &[]),
        op("page", "弹出框取消", &[], &[]),
        op("page", "单击", &[("element", "ID", "p")], &[]),
        op("page", "弹出框输入", &[], &[("text", "String", "Ann")]),
        op("page", "弹出框确认", &[], &[]),
        save("提取元素文本", &[("element", "ID", "r")], &[], "alerts"),
    ];
    let r = run(&mut ctx, &env, web_case("page-1", true, false, steps)).await;
    all_pass(&r);
    assert_eq!(text(&ctx, "typed"), "typed", "Q29: value after typing");
    assert_eq!(text(&ctx, "checked"), "true", "Q29: checked after a click");
    let q = site.requests_to("/submitted");
    assert_eq!(q.len(), 1);
    assert!(
        q[0].query.contains("name=typed") && q[0].query.contains("agree=on"),
        "{:?}",
        q[0]
    );
    assert_eq!(
        (
            text(&ctx, "inner"),
            text(&ctx, "deep"),
            text(&ctx, "parent"),
            text(&ctx, "top")
        ),
        (
            "inner text".into(),
            "deep text".into(),
            "inner text".into(),
            "top".into()
        )
    );
    assert_eq!(text(&ctx, "alerts"), "alerted;no;p=Ann;");
    assert!(
        ctx.web.browser.is_some(),
        "closeDriver false keeps the browser"
    );

    // Case 2 reuses it (startDriver false): pointer, keyboard, waits, file input.
    let steps = vec![
        open(b, "/mouse"),
        op("page", "鼠标移动到元素", &[("element", "ID", "hover")], &[]),
        op("page", "双击", &[("element", "ID", "dbl")], &[]),
        op("page", "右键点击", &[("element", "ID", "dbl")], &[]),
        op("page", "单击保持", &[("element", "ID", "press")], &[]),
        op(
            "page",
            "释放点击保持状态",
            &[("element", "ID", "press")],
            &[],
        ),
        op(
            "page",
            "拖拽",
            &[("startElement", "ID", "drag"), ("endElement", "ID", "drop")],
            &[],
        ),
        op(
            "page",
            "鼠标元素内偏移",
            &[("element", "ID", "area")],
            &[("x", "Int", "10"), ("y", "Int", "20")],
        ),
        save("提取元素文本", &[("element", "ID", "pos")], &[], "pos_in"),
        op(
            "page",
            "鼠标移动到坐标",
            &[],
            &[("x", "Int", "5"), ("y", "Int", "6")],
        ),
        save(
            "提取元素文本",
            &[("element", "ID", "pos")],
            &[],
            "pos_moved",
        ),
        op("page", "鼠标单击", &[], &[]),
        op(
            "page",
            "按下键位",
            &[("element", "ID", "keys")],
            &[("value", "String", "shift")],
        ),
        op(
            "page",
            "释放键位",
            &[("element", "ID", "keys")],
            &[("value", "String", "SHIFT")],
        ),
        op(
            "page",
            "偏移拖拽",
            &[("element", "ID", "press")],
            &[("x", "Int", "30"), ("y", "Int", "0")],
        ),
        save(
            "提取元素文本",
            &[("element", "ID", "log")],
            &[],
            "mouse_log",
        ),
        open(b, "/delayed"),
        op(
            "page",
            "等待元素出现",
            &[("element", "ID", "late")],
            &[("second", "Int", "5")],
        ),
        op(
            "page",
            "等待元素消失",
            &[("element", "ID", "gone")],
            &[("second", "Int", "5")],
        ),
        open(b, "/file"),
        op(
            "page",
            "输入",
            &[("element", "ID", "up")],
            &[("text", "String", &upload)],
        ),
        save("提取元素文本", &[("element", "ID", "fn")], &[], "file_name"),
        open(b, "/scroll"),
        op(
            "browser",
            "执行脚本",
            &[],
            &[
                (
                    "script",
                    "String",
                    "window.scrollTo(0, document.body.scrollHeight)",
                ),
                ("arg", "JSONArray", ""),
            ],
        ),
        op(
            "browser",
            "执行脚本",
            &[],
            &[
                (
                    "script",
                    "String",
                    "document.title = 'y=' + Math.round(window.scrollY > 1000)",
                ),
                ("arg", "JSONArray", "[]"),
            ],
        ),
        save("提取页面标题", &[], &[], "scrolled"),
    ];
    let r = run(&mut ctx, &env, web_case("page-2", false, true, steps)).await;
    all_pass(&r);
    let log = text(&ctx, "mouse_log");
    for event in [
        "over",
        "dbl",
        "ctx",
        "down",
        "up",
        "dragstart",
        "drop",
        "kd:Shift",
        "ku:Shift",
    ] {
        assert!(
            log.contains(&format!("{event};")),
            "{event} missing in {log}"
        );
    }
    // Q5: offsets from the element's top-left corner.
    assert_eq!(text(&ctx, "pos_in"), "10,20");
    assert_eq!(text(&ctx, "pos_moved"), "15,26");
    assert_eq!(text(&ctx, "file_name"), "upload.txt");
    assert_eq!(text(&ctx, "scrolled"), "y=1");
    assert!(ctx.web.browser.is_none());
}

#[tokio::test]
async fn assertions_conditions_relations_and_loops() {
    let site = Site::start().await;
    let home = tempfile::tempdir().expect("home");
    let env = env(home.path());
    let mut ctx = CollectionContext::for_task("task-assert");
    let b = site.base.as_str();
    let el = |id: &'static str| [("element", "ID", id)];
    let mut steps = vec![
        open(b, "/form"),
        op(
            "browser",
            "设置窗口大小",
            &[],
            &[("width", "Int", "1000"), ("height", "Int", "800")],
        ),
        op(
            "browser",
            "设置窗口位置",
            &[],
            &[("x", "Int", "0"), ("y", "Int", "0")],
        ),
        op(
            "browser",
            "添加cookie",
            &[],
            &[("name", "String", "c1"), ("value", "String", "v1")],
        ),
    ];
    // Every assertion kind, passing (the effect: the page's real values).
    let checks: Vec<Check> = vec![
        ("页面标题", vec![], vec![], "equals", "String", "Form page"),
        ("页面url", vec![], vec![], "endWith", "String", "/form"),
        ("页面源码", vec![], vec![], "contains", "String", "Box text"),
        (
            "元素文本",
            el("box").to_vec(),
            vec![],
            "equals",
            "String",
            "Box text",
        ),
        (
            "元素tag",
            el("box").to_vec(),
            vec![],
            "equals",
            "String",
            "div",
        ),
        (
            "元素尺寸",
            el("box").to_vec(),
            vec![],
            "equals",
            "String",
            "{'height': 40, 'width': 100}",
        ),
        (
            "元素高度",
            el("box").to_vec(),
            vec![],
            "equals",
            "Int",
            "40",
        ),
        (
            "元素宽度",
            el("box").to_vec(),
            vec![],
            "equalsNumber",
            "Int",
            "100",
        ),
        (
            "元素位置",
            el("box").to_vec(),
            vec![],
            "notEmpty",
            "String",
            "",
        ),
        (
            "元素X坐标",
            el("box").to_vec(),
            vec![],
            "equals",
            "Int",
            "12",
        ),
        (
            "元素Y坐标",
            el("box").to_vec(),
            vec![],
            "isGreaterThan",
            "Int",
            "0",
        ),
        (
            "元素属性",
            el("rel").to_vec(),
            vec![("name", "String", "href")],
            "endWith",
            "String",
            "/other?x=1",
        ),
        (
            "元素是否选中",
            el("agree").to_vec(),
            vec![],
            "isFalse",
            "Boolean",
            "false",
        ),
        (
            "元素是否启用",
            el("off").to_vec(),
            vec![],
            "isFalse",
            "Boolean",
            "false",
        ),
        (
            "元素是否显示",
            el("hidden").to_vec(),
            vec![],
            "isFalse",
            "Boolean",
            "false",
        ),
        (
            "元素css样式",
            el("box").to_vec(),
            vec![("name", "String", "color")],
            "equals",
            "String",
            "rgba(255, 0, 0, 1)",
        ),
        (
            "元素是否存在",
            el("nope").to_vec(),
            vec![],
            "isFalse",
            "Boolean",
            "false",
        ),
        (
            "窗口位置",
            vec![],
            vec![],
            "equals",
            "String",
            "{'x': 0, 'y': 0}",
        ),
        ("窗口X坐标", vec![], vec![], "equals", "Int", "0"),
        ("窗口Y坐标", vec![], vec![], "equals", "Int", "0"),
        (
            "窗口尺寸",
            vec![],
            vec![],
            "equals",
            "String",
            "{'width': 1000, 'height': 800}",
        ),
        ("窗口宽度", vec![], vec![], "equals", "Int", "1000"),
        ("窗口高度", vec![], vec![], "equals", "Int", "800"),
        (
            "cookies",
            vec![],
            vec![],
            "contains",
            "String",
            "'value': 'v1'",
        ),
        (
            "cookie",
            vec![],
            vec![("name", "String", "c1")],
            "contains",
            "String",
            "'name': 'c1'",
        ),
    ];
    assert_eq!(checks.len(), 25);
    for (what, els, extra, cmp, t, expect) in &checks {
        steps.push(assert_op(
            &format!("断言{what}"),
            els,
            extra,
            cmp,
            t,
            expect,
        ));
    }
    // Conditions: the true branch runs, the false one is skipped, and vice versa.
    let cond = |what: &str, els: &[(&str, &str, &str)], expect: &str, t: &str, f: &str| {
        op(
            "condition",
            &format!("判断{what}"),
            els,
            &[
                ("assertion", "String", "equals"),
                ("expect", "String", expect),
                ("true", "Int", t),
                ("false", "Int", f),
            ],
        )
    };
    steps.push(cond("页面标题", &[], "Form page", "1", "1"));
    steps.push(save("提取页面标题", &[], &[], "branch_true"));
    steps.push(save("提取元素tag", &el("box"), &[], "branch_false"));
    steps.push(cond("元素文本", &el("box"), "not this", "1", "1"));
    steps.push(save("提取页面标题", &[], &[], "skipped_true"));
    steps.push(save("提取元素tag", &el("box"), &[], "ran_false"));
    // Relations not covered elsewhere.
    for (what, els, extra, name) in [
        ("元素尺寸", el("box").to_vec(), vec![], "r_size"),
        ("元素高度", el("box").to_vec(), vec![], "r_h"),
        ("元素宽度", el("box").to_vec(), vec![], "r_w"),
        ("元素位置", el("box").to_vec(), vec![], "r_loc"),
        ("元素X坐标", el("box").to_vec(), vec![], "r_x"),
        ("元素Y坐标", el("box").to_vec(), vec![], "r_y"),
        (
            "元素css样式",
            el("box").to_vec(),
            vec![("name", "String", "width")],
            "r_css",
        ),
        ("窗口X坐标", vec![], vec![], "r_wx"),
        ("窗口Y坐标", vec![], vec![], "r_wy"),
        ("窗口宽度", vec![], vec![], "r_ww"),
        ("窗口高度", vec![], vec![], "r_wh"),
    ] {
        steps.push(save(&format!("提取{what}"), &els, &extra, name));
    }
    // Loops: For twice over two steps, While until the index reaches 3.
    steps.push(op(
        "looper",
        "For循环",
        &[],
        &[
            ("steps", "Int", "2"),
            ("indexName", "String", "i"),
            ("times", "Int", "2"),
        ],
    ));
    steps.push(op(
        "page",
        "输入",
        &[("element", "ID", "name")],
        &[("text", "String", "-{{i}}")],
    ));
    steps.push(save(
        "提取元素属性",
        &[("element", "ID", "name")],
        &[("name", "String", "value")],
        "for_value",
    ));
    let mut while_step = op(
        "looper",
        "While循环",
        &[],
        &[
            ("steps", "Int", "1"),
            ("indexName", "String", "w"),
            ("target", "String", "{{w}}"),
            ("assertion", "String", "isLessThan"),
            ("expect", "Int", "3"),
            ("timeout", "Int", "5000"),
        ],
    );
    while_step["operationTrans"] = json!("While循环");
    steps.push(while_step);
    steps.push(op(
        "page",
        "输入",
        &[("element", "ID", "name")],
        &[("text", "String", "w{{w}}")],
    ));
    steps.push(save(
        "提取元素属性",
        &[("element", "ID", "name")],
        &[("name", "String", "value")],
        "while_value",
    ));
    let r = run(&mut ctx, &env, web_case("assert-1", true, true, steps)).await;
    assert_eq!(
        r.status,
        Status::Pass,
        "{:#?}",
        r.transactions
            .iter()
            .filter(|t| t.status != Status::Pass)
            .map(|t| (&t.name, t.status, t.log.replace("<br>", "\n")))
            .collect::<Vec<_>>()
    );
    let skipped: Vec<&str> = r
        .transactions
        .iter()
        .filter(|t| t.status == Status::Skip)
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(skipped, vec!["提取元素tag", "提取页面标题"]);
    assert_eq!(text(&ctx, "branch_true"), "Form page");
    assert_eq!(var(&ctx, "branch_false"), PyValue::None);
    assert_eq!(var(&ctx, "skipped_true"), PyValue::None);
    assert_eq!(text(&ctx, "ran_false"), "div");
    assert_eq!(text(&ctx, "r_size"), "{'height': 40, 'width': 100}");
    assert_eq!(
        (var(&ctx, "r_h"), var(&ctx, "r_w")),
        (PyValue::Int(40), PyValue::Int(100))
    );
    assert_eq!(
        text(&ctx, "r_loc"),
        format!("{{'x': 12, 'y': {}}}", text(&ctx, "r_y"))
    );
    assert_eq!(var(&ctx, "r_x"), PyValue::Int(12));
    assert_eq!(text(&ctx, "r_css"), "100px");
    assert_eq!(
        (var(&ctx, "r_wx"), var(&ctx, "r_wy")),
        (PyValue::Int(0), PyValue::Int(0))
    );
    assert_eq!(
        (var(&ctx, "r_ww"), var(&ctx, "r_wh")),
        (PyValue::Int(1000), PyValue::Int(800))
    );
    assert_eq!(text(&ctx, "for_value"), "typed-0-1".replace("typed", "old"));
    assert_eq!(text(&ctx, "while_value"), "old-0-1w0w1w2");
    // One transaction per body step per iteration, plus the loop steps themselves.
    assert_eq!(
        r.transactions.iter().filter(|t| t.name == "输入").count(),
        5
    );
    // Q18: a loop's own transaction lasts the whole loop, its body's transactions included.
    for (name, body) in [("For循环", 4), ("While循环", 3)] {
        let at = r
            .transactions
            .iter()
            .position(|t| t.name == name)
            .expect("loop transaction");
        let inner: u64 = r.transactions[at + 1..=at + body]
            .iter()
            .map(|t| t.during_ms)
            .sum();
        let own = r.transactions[at].during_ms;
        assert!(
            own > 0 && own >= inner,
            "{name}: during {own} ms, body {inner} ms"
        );
    }
}

#[tokio::test]
async fn failures_errors_and_unsupported_things() {
    let site = Site::start().await;
    let home = tempfile::tempdir().expect("home");
    let env = env(home.path());
    let mut ctx = CollectionContext::for_task("task-fail");
    let b = site.base.as_str();
    let png_ok = |id: &str| {
        let p = home
            .path()
            .join("image/task-fail")
            .join(format!("{id}.png"));
        let bytes = std::fs::read(&p).expect("screenshot written");
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    };
    // A continued failure, then a stopping one: status 1, one screenshot each, later steps absent (Q17 default).
    let mut cont = assert_op("断言页面标题", &[], &[], "equals", "String", "nope");
    cont["operationData"]["continue"]["value"] = json!("true");
    let steps = vec![
        open(b, "/form"),
        cont,
        assert_op(
            "断言元素文本",
            &[("element", "ID", "box")],
            &[],
            "equals",
            "String",
            "wrong",
        ),
        op("page", "单击", &[("element", "ID", "go")], &[]),
    ];
    let r = run(&mut ctx, &env, web_case("fail-1", true, false, steps)).await;
    assert_eq!(r.status, Status::Fail);
    assert_eq!(r.transactions.len(), 3, "steps after the stop are left out");
    for t in &r.transactions[1..] {
        assert_eq!(t.status, Status::Fail);
        assert_eq!(t.screenshots.len(), 1, "{}", t.log);
        png_ok(&t.screenshots[0]);
    }
    assert!(
        r.transactions[2].log.contains("[断言元素文本]断言失败: "),
        "{}",
        r.transactions[2].log
    );
    // A missing element: status 2, one screenshot, the lookup line and the driver's message.
    let steps = vec![
        open(b, "/form"),
        op("page", "单击", &[("element", "CSS", "#missing")], &[]),
    ];
    let r = run(&mut ctx, &env, web_case("fail-2", false, false, steps)).await;
    assert_eq!(r.status, Status::Error);
    let t = &r.transactions[1];
    assert_eq!((t.status, t.screenshots.len()), (Status::Error, 1));
    png_ok(&t.screenshots[0]);
    assert!(
        t.log
            .contains("无法定位元素 'By: css selector Expression: #missing'")
            && t.log.contains("no such element"),
        "{}",
        t.log
    );
    assert!(
        !t.log.contains("无法执行click"),
        "a missing element adds no fail text"
    );
    // Q16, custom operations, unknown names: status 2 with clear messages.
    for (step, needle, shots) in [
        (
            op("page", "单击", &[("element", "id", "go")], &[]),
            "unsupported locator \"id\" in slot element",
            0,
        ),
        (
            {
                let mut s = op("scenario", "自定义", &[], &[]);
                s["operationCode"] = json!("driver.maximize_window()");
                s
            },
            "driver.maximize_window is not forwarded by the sidecar's driver facade",
            1,
        ),
        (op("page", "不存在的操作", &[], &[]), "未定义操作", 1),
        (
            op(
                "browser",
                "打开网页",
                &[],
                &[("domain", "String", "12"), ("path", "String", "/x")],
            ),
            "not an absolute URL",
            1,
        ),
    ] {
        let r = run(&mut ctx, &env, web_case("fail-3", false, false, vec![step])).await;
        assert_eq!(r.status, Status::Error);
        assert!(
            r.transactions[0].log.contains(needle),
            "{}",
            r.transactions[0].log
        );
        assert_eq!(r.transactions[0].screenshots.len(), shots, "{needle}");
    }
    // Q17 setting: the steps after the stop are reported as skipped.
    let mut env2 = self::env(home.path());
    env2.web.skip_after_stop = true;
    let steps = vec![
        assert_op("断言页面标题", &[], &[], "equals", "String", "nope"),
        op("page", "单击", &[("element", "ID", "go")], &[]),
    ];
    let r = run(&mut ctx, &env2, web_case("fail-4", false, true, steps)).await;
    assert_eq!(
        r.transactions.iter().map(|t| t.status).collect::<Vec<_>>(),
        vec![Status::Fail, Status::Skip]
    );
    // No browser left: a case that wants to reuse one errors with the Python engine's text.
    let r = run(
        &mut ctx,
        &env,
        web_case("fail-5", false, false, vec![open(b, "/form")]),
    )
    .await;
    assert_eq!(r.status, Status::Error);
    assert!(r.transactions[0].log.contains("无法找到已启动的浏览器进程"));
    // APP cases stay a clear error.
    let r = cases::execute(
        &meta("app", "APP"),
        Ok(json!({"caseName": "app"}).into()),
        &mut ctx,
        &env,
        &CancellationToken::new(),
    )
    .await
    .expect("result");
    assert_eq!(r.status, Status::Error);
    assert!(r.transactions[0].log.contains("APP用例暂不支持"));
}

#[tokio::test]
async fn missing_driver_or_browser_names_the_setting() {
    let home = tempfile::tempdir().expect("home");
    let mut env = env(home.path());
    env.web.driver_path = "/nonexistent/chromedriver".into();
    let mut ctx = CollectionContext::for_task("t");
    let r = run(&mut ctx, &env, web_case("x", true, true, vec![])).await;
    assert_eq!(r.status, Status::Error);
    assert!(
        r.transactions[0].log.contains("[WebDriver] path"),
        "{}",
        r.transactions[0].log
    );
    let mut env = self::env(home.path());
    env.web.browser = Some("/nonexistent/chromium".into());
    let r = run(&mut ctx, &env, web_case("y", true, true, vec![])).await;
    assert!(
        r.transactions[0].log.contains("[Web] browser"),
        "{}",
        r.transactions[0].log
    );
}

/// `[Web] null-driver-flags`, `implicit-wait` and `reset-on-reuse` (web-cases Q11, Q1, Q12).
#[tokio::test]
async fn null_flags_implicit_wait_and_reset_on_reuse_settings() {
    let site = Site::start().await;
    let home = tempfile::tempdir().expect("home");
    let b = site.base.as_str();
    let mut ctx = CollectionContext::for_task("task-settings");

    // Q11: null flags read as true: the case starts a browser of its own and quits it after.
    // Q1: implicit-wait 0 is what 打开网页 sets: the element that appears after 0.7 s is not
    // waited for (the Python engine's 2 s would find it).
    let mut env = env(home.path());
    env.web.null_driver_flags = true;
    env.web.implicit_wait = Some(Duration::ZERO);
    let mut case = web_case(
        "nulls",
        true,
        true,
        vec![
            open(b, "/delayed"),
            op("page", "单击", &[("element", "ID", "late")], &[]),
        ],
    );
    case["startDriver"] = Value::Null;
    case["closeDriver"] = Value::Null;
    let r = run(&mut ctx, &env, case).await;
    assert_eq!(
        r.transactions[0].status,
        Status::Pass,
        "{:?}",
        r.transactions
    );
    assert_eq!(r.status, Status::Error, "{:?}", r.transactions);
    assert!(ctx.web.browser.is_none(), "closeDriver null read as true");

    // Q1: implicit-wait 5 holds from the start and after 打开网页: the late element is found.
    env.web.implicit_wait = Some(Duration::from_secs(5));
    let r = run(
        &mut ctx,
        &env,
        web_case(
            "wait",
            true,
            false,
            vec![
                open(b, "/delayed"),
                op("page", "单击", &[("element", "ID", "late")], &[]),
                open(b, "/frames"),
                op("page", "切换frame", &[("frame", "ID", "f1")], &[]),
                op("browser", "隐式等待", &[], &[("second", "Int", "0")]),
            ],
        ),
    )
    .await;
    all_pass(&r);

    // Q12 off (the Python engine): the next case starts inside the frame the last one left.
    let top = || {
        web_case(
            "top",
            false,
            false,
            vec![save(
                "提取元素文本",
                &[("element", "ID", "top")],
                &[],
                "top",
            )],
        )
    };
    env.web.reset_on_reuse = false;
    let r = run(&mut ctx, &env, top()).await;
    assert_eq!(r.status, Status::Error, "{:?}", r.transactions);
    // Q12 on: the reused browser is back in the top frame.
    env.web.reset_on_reuse = true;
    let r = run(&mut ctx, &env, top()).await;
    all_pass(&r);
    assert_eq!(text(&ctx, "top"), "top");
    ctx.web.close().await;
}

/// One row of the condition table: (what, elements, extra data, the comparison that holds on the
/// `/form` page, one that does not); a comparison is (comparator, expect type, expect).
type CondRow<'a> = (
    &'a str,
    Vec<(&'a str, &'a str, &'a str)>,
    Vec<(&'a str, &'a str, &'a str)>,
    (&'a str, &'a str, &'a str),
    (&'a str, &'a str, &'a str),
);

/// Every condition operation of §2.4, once holding and once not, on one browser: when it holds
/// the step after it (the true branch, m = 1) runs and the one after that (n = 1) is skipped;
/// when it does not, the other way round. The effect is seen in the variables those relation
/// steps set (or leave unset) and in the skipped steps' status 3.
#[tokio::test]
async fn every_condition_operation_runs_one_branch_and_skips_the_other() {
    let site = Site::start().await;
    let home = tempfile::tempdir().expect("home");
    let env = env(home.path());
    let mut ctx = CollectionContext::for_task("task-cond");
    let b = site.base.as_str();
    let el = |id: &'static str| vec![("element", "ID", id)];
    let mut steps = vec![
        open(b, "/form"),
        op(
            "browser",
            "设置窗口大小",
            &[],
            &[("width", "Int", "1000"), ("height", "Int", "800")],
        ),
        op(
            "browser",
            "设置窗口位置",
            &[],
            &[("x", "Int", "0"), ("y", "Int", "0")],
        ),
        op(
            "browser",
            "添加cookie",
            &[],
            &[("name", "String", "c1"), ("value", "String", "v1")],
        ),
        save("提取元素Y坐标", &el("box"), &[], "box_y"),
    ];
    let setup = steps.len();
    let rows: Vec<CondRow> = vec![
        (
            "页面标题",
            vec![],
            vec![],
            ("equals", "String", "Form page"),
            ("equals", "String", "Other"),
        ),
        (
            "页面url",
            vec![],
            vec![],
            ("endWith", "String", "/form"),
            ("endWith", "String", "/other"),
        ),
        (
            "页面源码",
            vec![],
            vec![],
            ("contains", "String", "Box text"),
            ("contains", "String", "not on the page"),
        ),
        (
            "元素文本",
            el("box"),
            vec![],
            ("equals", "String", "Box text"),
            ("equals", "String", "Other text"),
        ),
        (
            "元素tag",
            el("box"),
            vec![],
            ("equals", "String", "div"),
            ("equals", "String", "span"),
        ),
        (
            "元素尺寸",
            el("box"),
            vec![],
            ("equals", "String", "{'height': 40, 'width': 100}"),
            ("equals", "String", "{'height': 41, 'width': 100}"),
        ),
        (
            "元素高度",
            el("box"),
            vec![],
            ("equals", "Int", "40"),
            ("equals", "Int", "41"),
        ),
        (
            "元素宽度",
            el("box"),
            vec![],
            ("equalsNumber", "Int", "100"),
            ("equalsNumber", "Int", "99"),
        ),
        (
            "元素位置",
            el("box"),
            vec![],
            ("equals", "String", "{'x': 12, 'y': {{box_y}}}"),
            ("equals", "String", "{'x': 13, 'y': {{box_y}}}"),
        ),
        (
            "元素X坐标",
            el("box"),
            vec![],
            ("equals", "Int", "12"),
            ("equals", "Int", "13"),
        ),
        (
            "元素Y坐标",
            el("box"),
            vec![],
            ("equals", "Int", "{{box_y}}"),
            ("isLessThan", "Int", "0"),
        ),
        (
            "元素属性",
            el("rel"),
            vec![("name", "String", "href")],
            ("endWith", "String", "/other?x=1"),
            ("endWith", "String", "/other?x=2"),
        ),
        (
            "元素是否选中",
            el("agree"),
            vec![],
            ("isFalse", "Boolean", "false"),
            ("isTrue", "Boolean", "true"),
        ),
        (
            "元素是否启用",
            el("off"),
            vec![],
            ("isFalse", "Boolean", "false"),
            ("isTrue", "Boolean", "true"),
        ),
        (
            "元素是否显示",
            el("hidden"),
            vec![],
            ("isFalse", "Boolean", "false"),
            ("isTrue", "Boolean", "true"),
        ),
        (
            "元素css样式",
            el("box"),
            vec![("name", "String", "color")],
            ("equals", "String", "rgba(255, 0, 0, 1)"),
            ("equals", "String", "rgba(0, 0, 0, 1)"),
        ),
        (
            "元素是否存在",
            el("box"),
            vec![],
            ("isTrue", "Boolean", "true"),
            ("isFalse", "Boolean", "false"),
        ),
        (
            "窗口位置",
            vec![],
            vec![],
            ("equals", "String", "{'x': 0, 'y': 0}"),
            ("equals", "String", "{'x': 1, 'y': 0}"),
        ),
        (
            "窗口X坐标",
            vec![],
            vec![],
            ("equals", "Int", "0"),
            ("equals", "Int", "5"),
        ),
        (
            "窗口Y坐标",
            vec![],
            vec![],
            ("equals", "Int", "0"),
            ("equals", "Int", "5"),
        ),
        (
            "窗口尺寸",
            vec![],
            vec![],
            ("equals", "String", "{'width': 1000, 'height': 800}"),
            ("equals", "String", "{'width': 800, 'height': 1000}"),
        ),
        (
            "窗口宽度",
            vec![],
            vec![],
            ("equals", "Int", "1000"),
            ("equals", "Int", "999"),
        ),
        (
            "窗口高度",
            vec![],
            vec![],
            ("equals", "Int", "800"),
            ("equals", "Int", "801"),
        ),
        (
            "cookies",
            vec![],
            vec![],
            ("contains", "String", "'value': 'v1'"),
            ("contains", "String", "'value': 'v2'"),
        ),
        (
            "cookie",
            vec![],
            vec![("name", "String", "c1")],
            ("contains", "String", "'value': 'v1'"),
            ("contains", "String", "'value': 'v2'"),
        ),
        // A custom condition (§2.7) through the Python sidecar: the value it returns is compared.
        (
            "自定义",
            vec![],
            vec![],
            ("equals", "String", "Form page"),
            ("equals", "String", "Other"),
        ),
    ];
    assert_eq!(rows.len(), 26, "25 built-in conditions and 自定义");
    // (row name, holds, index of the condition step, variables of its true and false branch).
    let mut expected = Vec::new();
    for (i, (what, els, extra, holds, fails)) in rows.iter().enumerate() {
        for (outcome, (cmp, t, expect)) in [(true, holds), (false, fails)] {
            let mut data = vec![
                ("assertion", "String", *cmp),
                ("expect", *t, *expect),
                ("true", "Int", "1"),
                ("false", "Int", "1"),
            ];
            data.extend_from_slice(extra);
            let mut step = if *what == "自定义" {
                let mut s = op("condition", "自定义", els, &data);
                s["operationCode"] = json!("sys_return(driver.title)");
                s
            } else {
                op("condition", &format!("判断{what}"), els, &data)
            };
            step["operationTrans"] = json!(format!("判断{what}-{outcome}"));
            let at = steps.len();
            steps.push(step);
            let (on_true, on_false) = (format!("c{i}_{outcome}_t"), format!("c{i}_{outcome}_f"));
            steps.push(save("提取页面标题", &[], &[], &on_true));
            steps.push(save("提取页面标题", &[], &[], &on_false));
            expected.push((*what, outcome, at, on_true, on_false));
        }
    }
    let r = run(&mut ctx, &env, web_case("cond-1", true, true, steps)).await;
    ctx.sidecar.close();
    assert_eq!(r.status, Status::Pass, "{:#?}", r.transactions);
    assert_eq!(r.transactions.len(), setup + expected.len() * 3);
    for (what, outcome, at, on_true, on_false) in &expected {
        let cond = &r.transactions[*at];
        let (ran, skipped) = if *outcome {
            (at + 1, at + 2)
        } else {
            (at + 2, at + 1)
        };
        let line = if *outcome {
            "判断成功, 执行成功分支"
        } else {
            "判断失败, 执行失败分支"
        };
        assert!(
            cond.status == Status::Pass && cond.log.contains(line),
            "{what} ({outcome}): {:?} {}",
            cond.status,
            cond.log.replace("<br>", "\n")
        );
        assert_eq!(
            r.transactions[ran].status,
            Status::Pass,
            "{what} ({outcome}): the branch to run"
        );
        assert_eq!(
            r.transactions[skipped].status,
            Status::Skip,
            "{what} ({outcome}): the branch to skip"
        );
        assert!(
            r.transactions[skipped]
                .log
                .contains("操作在条件控制之外不被执行"),
            "{}",
            r.transactions[skipped].log
        );
        let (set, unset) = if *outcome {
            (on_true, on_false)
        } else {
            (on_false, on_true)
        };
        assert_eq!(text(&ctx, set), "Form page", "{what} ({outcome})");
        assert_eq!(var(&ctx, unset), PyValue::None, "{what} ({outcome})");
    }
}

/// Effects of browser and page operations the other tests only run: the window state after
/// 最大化窗口 / 全屏窗口 / 最小化窗口, where 鼠标单击 and 偏移拖拽 land, what 强制等待 and
/// 隐式等待 change about finding an element that appears 1.5 s after the page loads, and that
/// 等待元素出现 / 等待元素消失 wait for the page to change.
#[tokio::test]
async fn window_pointer_and_wait_operations_show_their_effect() {
    let site = Site::start().await;
    let home = tempfile::tempdir().expect("home");
    let env = env(home.path());
    let mut ctx = CollectionContext::for_task("task-effects");
    let b = site.base.as_str();
    let script = |js: &str| {
        op(
            "browser",
            "执行脚本",
            &[],
            &[("script", "String", js), ("arg", "JSONArray", "[]")],
        )
    };
    let small = || {
        op(
            "browser",
            "设置窗口大小",
            &[],
            &[("width", "Int", "500"), ("height", "Int", "400")],
        )
    };
    let exists = |expect: &str| {
        assert_op(
            "断言元素是否存在",
            &[("element", "ID", "later")],
            &[],
            if expect == "true" {
                "isTrue"
            } else {
                "isFalse"
            },
            "Boolean",
            expect,
        )
    };
    let steps = vec![
        open(b, "/form"),
        small(),
        op("browser", "最大化窗口", &[], &[]),
        save("提取窗口尺寸", &[], &[], "max_size"),
        script("document.title = screen.availWidth + 'x' + screen.availHeight"),
        save("提取页面标题", &[], &[], "avail"),
        small(),
        op("browser", "全屏窗口", &[], &[]),
        save("提取窗口尺寸", &[], &[], "full_size"),
        script("document.title = screen.width + 'x' + screen.height"),
        save("提取页面标题", &[], &[], "screen"),
        small(),
        op("browser", "最小化窗口", &[], &[]),
        script("document.title = document.visibilityState"),
        save("提取页面标题", &[], &[], "minimized"),
        save("提取窗口尺寸", &[], &[], "min_size"),
        // Free click at the pointer: moved 10,20 into #pad (at 8,8): a click at client 18,28.
        open(b, "/pad"),
        op(
            "page",
            "鼠标元素内偏移",
            &[("element", "ID", "pad")],
            &[("x", "Int", "10"), ("y", "Int", "20")],
        ),
        op("page", "鼠标单击", &[], &[]),
        save(
            "提取元素文本",
            &[("element", "ID", "log")],
            &[],
            "free_click",
        ),
        op(
            "page",
            "偏移拖拽",
            &[("element", "ID", "pad")],
            &[("x", "Int", "30"), ("y", "Int", "10")],
        ),
        save("提取元素文本", &[("element", "ID", "log")], &[], "dragged"),
        // 隐式等待 0 undoes 打开网页's 2 s: #later (1.5 s) is not there yet; 强制等待 2 waits it in.
        open(b, "/pad"),
        op("browser", "隐式等待", &[], &[("second", "Int", "0")]),
        exists("false"),
        op("browser", "强制等待", &[], &[("second", "Int", "2")]),
        exists("true"),
        // 隐式等待 5 after 0: finding #later waits for it again.
        open(b, "/pad"),
        op("browser", "隐式等待", &[], &[("second", "Int", "0")]),
        op("browser", "隐式等待", &[], &[("second", "Int", "5")]),
        exists("true"),
        // The explicit waits return once the element is there / gone: with no implicit wait
        // left, the check right after them sees the page as the wait left it.
        open(b, "/pad"),
        op("browser", "隐式等待", &[], &[("second", "Int", "0")]),
        op(
            "page",
            "等待元素出现",
            &[("element", "ID", "later")],
            &[("second", "Int", "10")],
        ),
        exists("true"),
        open(b, "/delayed"),
        op("browser", "隐式等待", &[], &[("second", "Int", "0")]),
        op(
            "page",
            "等待元素消失",
            &[("element", "ID", "gone")],
            &[("second", "Int", "10")],
        ),
        assert_op(
            "断言元素是否存在",
            &[("element", "ID", "gone")],
            &[],
            "isFalse",
            "Boolean",
            "false",
        ),
    ];
    let r = run(&mut ctx, &env, web_case("effects", true, true, steps)).await;
    all_pass(&r);
    // Maximized and full screen: the window fills the (headless) screen's available / whole
    // area, not the 500×400 set before; minimized: the page is hidden (Chromium keeps the rect).
    let dims = |v: &str| {
        let t = text(&ctx, v);
        let (w, h) = t.split_once('x').unwrap_or_else(|| panic!("{v}: {t}"));
        format!("{{'width': {w}, 'height': {h}}}")
    };
    assert_eq!(text(&ctx, "max_size"), dims("avail"));
    assert_eq!(text(&ctx, "full_size"), dims("screen"));
    assert_ne!(text(&ctx, "max_size"), "{'width': 500, 'height': 400}");
    assert_eq!(text(&ctx, "minimized"), "hidden");
    assert_eq!(text(&ctx, "min_size"), "{'width': 500, 'height': 400}");
    assert_eq!(text(&ctx, "free_click"), "up:0,0;click@18,28;");
    assert_eq!(
        text(&ctx, "dragged"),
        "up:0,0;click@18,28;up:30,10;click@138,68;"
    );
}
