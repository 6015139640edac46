//! Page operations (web-cases §2.2): frames, alerts, element input and W3C pointer/keyboard
//! actions with Selenium 3.141's semantics, and the two explicit waits.

use super::{Op, undefined};
use crate::cases::web::actions::Chain;
use crate::cases::web::atoms;
use crate::cases::web::data::int_of;
use crate::cases::web::error::WebError;
use crate::cases::web::keys;
use crate::cases::web::session::{ElementRef, Session};
use serde_json::json;
use std::time::{Duration, Instant};

/// Waits up to 30 s (0.5 s poll) for an alert (§3.2).
async fn wait_alert(s: &Session) -> Result<(), WebError> {
    let start = Instant::now();
    loop {
        match s.get("alert/text").await {
            Ok(_) => return Ok(()),
            Err(e) if e.is_no_alert() => {}
            Err(e) => return Err(e),
        }
        if start.elapsed() >= Duration::from_secs(30) {
            return Err(WebError::Timeout(
                "Message: no alert appeared within 30s".into(),
            ));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// `等待元素出现`/`等待元素消失`: poll Find Element every 0.2 s (§2.2).
async fn wait_element(s: &Session, op: &Op<'_>, appear: bool, second: i64) -> Result<(), WebError> {
    let loc = op.locator("element")?.clone();
    let limit = Duration::from_secs(u64::try_from(second).unwrap_or(0));
    let start = Instant::now();
    loop {
        match s.find(&loc).await {
            Ok(_) if appear => return Ok(()),
            Err(WebError::NoSuchElement(_)) if !appear => return Ok(()),
            Ok(_) | Err(WebError::NoSuchElement(_)) => {}
            Err(e) => return Err(e),
        }
        if start.elapsed() >= limit {
            // Selenium's TimeoutException carries an empty message.
            return Err(WebError::Timeout("Message: ".into()));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn perform(s: &Session, chain: &Chain) -> Result<(), WebError> {
    s.actions(chain.build()).await
}

async fn with_element<F>(op: &mut Op<'_>, slot: &str, build: F) -> Result<(), WebError>
where
    F: FnOnce(&ElementRef, &mut Chain),
{
    let el = op.find(slot).await?;
    let mut chain = Chain::new();
    build(&el, &mut chain);
    perform(op.s, &chain).await
}

pub async fn run(name: &str, op: &mut Op<'_>) -> Result<(), WebError> {
    let s = op.s;
    match name {
        "切换frame" => {
            let expr = op
                .locator("frame")
                .map(|l| l.expression.clone())
                .unwrap_or_default();
            let r = async {
                let el = op.find("frame").await?;
                s.post("frame", json!({ "id": el.json() })).await
            }
            .await;
            op.report(
                r,
                &format!("成功切换frame:{expr}"),
                &format!("无法切换frame:{expr}"),
            )
            .map(drop)
        }
        "返回默认frame" => {
            let r = s.post("frame", json!({ "id": null })).await;
            op.report(r, "成功切换default content", "无法切换default content")
                .map(drop)
        }
        "返回父级frame" => {
            let r = s.post("frame/parent", json!({})).await;
            op.report(r, "成功切换parent content", "无法切换parent content")
                .map(drop)
        }
        "弹出框确认" => {
            let r = async {
                wait_alert(s).await?;
                s.post("alert/accept", json!({})).await
            }
            .await;
            op.done(r, "alert accept").map(drop)
        }
        "弹出框输入" => {
            let text = op.text("text");
            let r = async {
                wait_alert(s).await?;
                // Q26 Compat: typed, not accepted.
                s.post("alert/text", json!({ "text": text })).await
            }
            .await;
            op.done(r, "alert input").map(drop)
        }
        "弹出框取消" => {
            let r = async {
                wait_alert(s).await?;
                s.post("alert/dismiss", json!({})).await
            }
            .await;
            op.done(r, "alert cancel").map(drop)
        }
        "鼠标单击" => {
            let mut chain = Chain::new();
            chain.click();
            let r = perform(s, &chain).await;
            op.done(r, "free click")
        }
        "清空" => {
            let r = async {
                let el = op.find("element").await?;
                s.el_post(&el, "clear", json!({})).await
            }
            .await;
            op.done(r, "clear").map(drop)
        }
        "输入" => {
            let text = op.text("text");
            let r = async {
                let el = op.find("element").await?;
                s.el_post(&el, "value", json!({ "text": text })).await
            }
            .await;
            op.report(
                r,
                &format!("成功执行文本输入:'{text}'"),
                &format!("无法执行文本输入:'{text}'"),
            )
            .map(drop)
        }
        "单击" => {
            let r = async {
                let el = op.find("element").await?;
                s.el_post(&el, "click", json!({})).await
            }
            .await;
            op.done(r, "click").map(drop)
        }
        "提交" => {
            let r = async {
                let el = op.find("element").await?;
                let form = s
                    .el_post(
                        &el,
                        "element",
                        json!({"using": "xpath", "value": "./ancestor-or-self::form"}),
                    )
                    .await?;
                s.execute(atoms::SUBMIT, vec![form]).await
            }
            .await;
            op.done(r, "submit").map(drop)
        }
        "单击保持" => {
            let r = with_element(op, "element", |el, c| {
                c.move_to(el, 0, 0).down(0);
            })
            .await;
            op.done(r, "click and hold")
        }
        "右键点击" => {
            let r = with_element(op, "element", |el, c| {
                c.move_to(el, 0, 0).down(2).up(2);
            })
            .await;
            op.done(r, "context click")
        }
        "双击" => {
            let r = with_element(op, "element", |el, c| {
                c.move_to(el, 0, 0).click().click();
            })
            .await;
            op.done(r, "double click")
        }
        "拖拽" => {
            let r = async {
                let start = op.find("startElement").await?;
                let end = op.find("endElement").await?;
                let mut c = Chain::new();
                c.move_to(&start, 0, 0).down(0).move_to(&end, 0, 0).up(0);
                perform(s, &c).await
            }
            .await;
            op.done(r, "drag and drop to element")
        }
        "偏移拖拽" => {
            let (xs, ys) = (op.text("x"), op.text("y"));
            let r = async {
                let (x, y) = (op.int("x")?, op.int("y")?);
                let el = op.find("element").await?;
                let mut c = Chain::new();
                c.move_to(&el, 0, 0).down(0).move_by(x, y).up(0);
                perform(s, &c).await
            }
            .await;
            op.done(r, &format!("drag and drop to ({xs}, {ys})"))
        }
        "按下键位" | "释放键位" => {
            let down = name == "按下键位";
            let value = op.text("value");
            let r = async {
                let key = keys::key(&value)?;
                let el = op.find("element").await?;
                // Selenium 3.141 clicks the element first.
                let mut c = Chain::new();
                c.move_to(&el, 0, 0).click();
                if down {
                    c.key_down(key);
                } else {
                    c.key_up(key);
                }
                perform(s, &c).await
            }
            .await;
            let what = if down { "key down" } else { "key up" };
            op.done(r, &format!("{what} {value}"))
        }
        "鼠标移动到坐标" => {
            let (xs, ys) = (op.text("x"), op.text("y"));
            let r = async {
                let (x, y) = (op.int("x")?, op.int("y")?);
                let mut c = Chain::new();
                c.move_by(x, y);
                perform(s, &c).await
            }
            .await;
            op.done(r, &format!("move mouse to ({xs}, {ys})"))
        }
        "鼠标移动到元素" => {
            let r = with_element(op, "element", |el, c| {
                c.move_to(el, 0, 0);
            })
            .await;
            op.done(r, "move mouse to element")
        }
        "鼠标元素内偏移" => {
            let (xs, ys) = (op.text("x"), op.text("y"));
            let r = async {
                let (x, y) = (op.int("x")?, op.int("y")?);
                let el = op.find("element").await?;
                // Q5: Selenium 3 offsets are from the top-left corner, W3C's from the centre.
                let rect = s.rect(&el).await?;
                let w = rect.get("width").and_then(|v| v.as_f64()).unwrap_or(0.0);
                let h = rect.get("height").and_then(|v| v.as_f64()).unwrap_or(0.0);
                let dx = (x as f64 - w / 2.0).trunc() as i64;
                let dy = (y as f64 - h / 2.0).trunc() as i64;
                let mut c = Chain::new();
                c.move_to(&el, dx, dy);
                perform(s, &c).await
            }
            .await;
            op.done(r, &format!("move mouse to element with ({xs}, {ys})"))
        }
        "释放点击保持状态" => {
            let r = with_element(op, "element", |el, c| {
                c.move_to(el, 0, 0).up(0);
            })
            .await;
            op.done(r, "release mouse")
        }
        "等待元素出现" | "等待元素消失" => {
            let appear = name == "等待元素出现";
            let shown = op.text("second");
            let r = async {
                let second = int_of("second", &op.data("second"))?;
                wait_element(s, op, appear, second).await
            }
            .await;
            let what = if appear { "appear" } else { "disappear" };
            op.done(r, &format!("wait {shown}s until element {what}"))
        }
        _ => Err(undefined()),
    }
}
