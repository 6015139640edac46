//! Browser operations (web-cases §2.1).

use super::{Op, undefined};
use crate::cases::web::data::url_join;
use crate::cases::web::error::WebError;
use crate::cases::web::screenshot;
use crate::value::Value;
use serde_json::{Value as Json, json};
use std::time::{Duration, Instant};

/// Script arguments from the coerced `arg` data: a list's items; an empty field gives none.
fn script_args(v: &Value) -> Result<Vec<Json>, WebError> {
    let items: Vec<Value> = match v {
        Value::None => Vec::new(),
        Value::Str(s) if s.is_empty() => Vec::new(),
        Value::List(l) | Value::Tuple(l) => l.clone(),
        Value::Dict(d) => d.keys().map(|k| Value::Str(k.clone())).collect(),
        other => {
            return Err(WebError::Step(format!(
                "invalid JSONArray: arg = {} is not a list",
                other.py_repr()
            )));
        }
    };
    items
        .iter()
        .map(|i| i.to_json().map_err(|e| WebError::Step(format!("arg: {e}"))))
        .collect()
}

pub async fn run(name: &str, op: &mut Op<'_>) -> Result<(), WebError> {
    let s = op.s;
    match name {
        "最大化窗口" => {
            let r = s.post("window/maximize", json!({})).await;
            op.done(r, "maximize window").map(drop)
        }
        "最小化窗口" => {
            let r = s.post("window/minimize", json!({})).await;
            op.done(r, "minimize window").map(drop)
        }
        "全屏窗口" => {
            let r = s.post("window/fullscreen", json!({})).await;
            op.done(r, "full screen window").map(drop)
        }
        "设置窗口位置" => {
            let r = async {
                let (x, y) = (op.int("x")?, op.int("y")?);
                s.post("window/rect", json!({"x": x, "y": y})).await
            }
            .await;
            op.done(r, "set window position").map(drop)
        }
        "设置窗口大小" => {
            let r = async {
                let (w, h) = (op.int("width")?, op.int("height")?);
                s.post("window/rect", json!({"width": w, "height": h}))
                    .await
            }
            .await;
            op.done(r, "set window size").map(drop)
        }
        "切换窗口" => {
            let target = op.text("window");
            let r = s.switch_window_or_name(&target).await;
            op.done(r, "switch window")
        }
        "关闭窗口" => {
            let r = s.delete("window").await;
            op.done(r, "close window").map(drop)
        }
        "屏幕截图" => {
            let shot = s.screenshot_png().await;
            let png = op.done(shot, "screen shot")?;
            let name = op.text("name");
            save_screenshot(op, png, &name).await;
            Ok(())
        }
        "单击跳转新窗口" => {
            let timeout = op.env.new_window_timeout;
            let r = async {
                let before = s.window_handles().await?;
                let el = op.find("element").await?;
                s.el_post(&el, "click", json!({})).await?;
                let start = Instant::now();
                loop {
                    let now = s.window_handles().await?;
                    if now.len() > before.len()
                        && let Some(h) = now.iter().find(|h| !before.contains(h))
                    {
                        return s.switch_window(h).await;
                    }
                    if start.elapsed() >= timeout {
                        // Q7 Fix: no silent success after the timeout.
                        return Err(WebError::Timeout(format!(
                            "Message: no new window opened within {}s ([Web] new-window-timeout)",
                            timeout.as_secs()
                        )));
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
            .await;
            op.done(r, "click and switch to new window")
        }
        "返回并关闭当前窗口" => {
            let target = op.text("window");
            let r = async {
                s.delete("window").await?;
                s.switch_window_or_name(&target).await
            }
            .await;
            op.done(r, "back and close window")
        }
        "打开网页" => {
            let (domain, path) = (op.data("domain"), op.data("path"));
            let url = url_join(&domain, &path);
            let shown = match &url {
                Ok(u) => u.clone(),
                Err(_) => format!("{}{}", domain.py_str(), path.py_str()),
            };
            // Q1 Compat: 打开网页 sets the implicit wait to 2 s, or to [Web] implicit-wait.
            let wait = op
                .env
                .implicit_wait
                .map_or(2000, |w| u64::try_from(w.as_millis()).unwrap_or(u64::MAX));
            let r = async {
                let url = url?;
                s.post("url", json!({ "url": url })).await?;
                s.set_timeouts_implicit(wait).await
            }
            .await;
            op.report(
                r,
                &format!("成功打开 '{shown}'"),
                &format!("无法打开 '{shown}'"),
            )
        }
        "刷新" => {
            let r = s.post("refresh", json!({})).await;
            op.done(r, "refresh").map(drop)
        }
        "后退" => {
            let r = s.post("back", json!({})).await;
            op.done(r, "back").map(drop)
        }
        "前进" => {
            let r = s.post("forward", json!({})).await;
            op.done(r, "forward").map(drop)
        }
        "强制等待" => {
            let second = op.int("second");
            let shown = op.text("second");
            let r = async {
                let n = second?;
                tokio::time::sleep(Duration::from_secs(u64::try_from(n).unwrap_or(0))).await;
                Ok(())
            }
            .await;
            op.done(r, &format!("sleep {shown}s"))
        }
        "隐式等待" => {
            let second = op.int("second");
            let shown = op.text("second");
            let r = async {
                let n = second?;
                s.set_timeouts_implicit(u64::try_from(n).unwrap_or(0).saturating_mul(1000))
                    .await
            }
            .await;
            op.done(r, &format!("implicitly wait {shown}s"))
        }
        "添加cookie" => {
            let (n, v) = (op.text("name"), op.text("value"));
            let r = s
                .post("cookie", json!({"cookie": {"name": n, "value": v}}))
                .await;
            op.done(r, &format!("add cookie: {n}:{v}")).map(drop)
        }
        "删除cookie" => {
            let n = op.text("name");
            let path = format!(
                "cookie/{}",
                percent_encoding::utf8_percent_encode(&n, percent_encoding::NON_ALPHANUMERIC)
            );
            let r = s.delete(&path).await;
            op.done(r, &format!("delete cookie:{n}")).map(drop)
        }
        "删除cookies" => {
            let r = s.delete("cookie").await;
            op.done(r, "delete cookies").map(drop)
        }
        "执行脚本" | "执行异步脚本" => {
            let script = op.text("script");
            let asynchronous = name == "执行异步脚本";
            let r = async {
                let args = script_args(&op.data("arg"))?;
                // Q20 Compat: the script's result is discarded.
                if asynchronous {
                    s.execute_async(&script, args).await
                } else {
                    s.execute(&script, args).await
                }
            }
            .await;
            let what = if asynchronous {
                "execute async script"
            } else {
                "execute script"
            };
            op.done(r, &format!("{what}:{script}")).map(drop)
        }
        _ => Err(undefined()),
    }
}

/// Saves a screenshot and attaches it to the step (§5.2); a failure to save is logged only.
pub async fn save_screenshot(op: &mut Op<'_>, png: Vec<u8>, name: &str) {
    let Some(task) = op.task_id else {
        op.rec.error(&format!(
            "Fail: Failed to save screen shot {name} (no task folder)"
        ));
        return;
    };
    match screenshot::save(&op.env.image_dir, task, png, op.env.sink.as_deref()).await {
        Ok(id) => op.rec.add_screenshot(id),
        Err(e) => op
            .rec
            .error(&format!("Fail: Failed to save screen shot {name}: {e}")),
    }
}
