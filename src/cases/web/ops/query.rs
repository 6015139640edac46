//! Values read from the page for assertion, condition and relation steps (web-cases §2.3–2.5),
//! with the types Selenium 3.141 returned (dict key orders of Q4, Python `round` of
//! locations), compared through the shared comparators.

use super::{Op, Produced, undefined};
use crate::assertion;
use crate::cases::web::atoms;
use crate::cases::web::data::py_round;
use crate::cases::web::error::WebError;
use crate::value::Dict;
use crate::value::Value;
use serde_json::{Value as Json, json};

/// What can be read: the name after the group prefix (`断言`/`判断`/`提取`).
const COMMON: &[&str] = &[
    "页面标题",
    "页面url",
    "元素文本",
    "元素tag",
    "元素尺寸",
    "元素高度",
    "元素宽度",
    "元素位置",
    "元素X坐标",
    "元素Y坐标",
    "元素属性",
    "元素css样式",
    "窗口位置",
    "窗口X坐标",
    "窗口Y坐标",
    "窗口尺寸",
    "窗口宽度",
    "窗口高度",
    "cookies",
    "cookie",
];
const COMPARE_ONLY: &[&str] = &[
    "页面源码",
    "元素是否选中",
    "元素是否启用",
    "元素是否显示",
    "元素是否存在",
];
const RELATION_ONLY: &[&str] = &["当前窗口句柄", "所有窗口句柄"];

fn dict(pairs: &[(&str, Value)]) -> Value {
    let mut m = Dict::default();
    for (k, v) in pairs {
        m.insert((*k).to_string(), v.clone());
    }
    Value::Dict(m)
}

fn field(rect: &Json, key: &str) -> Value {
    Value::from_json(rect.get(key).unwrap_or(&Json::Null))
}

fn rounded(rect: &Json, key: &str) -> Value {
    match rect.get(key) {
        Some(Json::Number(n)) if n.is_i64() => Value::Int(n.as_i64().unwrap_or(0)),
        Some(Json::Number(n)) => Value::Int(py_round(n.as_f64().unwrap_or(0.0))),
        other => Value::from_json(other.unwrap_or(&Json::Null)),
    }
}

/// Reads the actual value for `what`, logging `成功获取…`/`无法获取…` like the Python engine.
async fn actual(what: &str, op: &mut Op<'_>) -> Result<Value, WebError> {
    let s = op.s;
    // (label shown in the log, value)
    let (label, r): (String, Result<Value, WebError>) = match what {
        "页面标题" => (
            "title".into(),
            s.get("title").await.map(|v| Value::from_json(&v)),
        ),
        "页面url" => (
            "url".into(),
            s.get("url").await.map(|v| Value::from_json(&v)),
        ),
        "页面源码" => {
            let r = s.get("source").await.map(|v| Value::from_json(&v));
            return op.report(
                r,
                "成功获取page source: 源码过长不予展示",
                "无法获取page source",
            );
        }
        "元素文本" | "元素tag" | "元素是否选中" | "元素是否启用" | "元素是否显示" =>
        {
            let (endpoint, label) = match what {
                "元素文本" => ("text", "元素text"),
                "元素tag" => ("name", "元素tag name"),
                "元素是否选中" => ("selected", "元素selected"),
                "元素是否启用" => ("enabled", "元素enabled"),
                _ => ("displayed", "元素displayed"),
            };
            let r = async {
                let el = op.find("element").await?;
                s.el_get(&el, endpoint).await.map(|v| Value::from_json(&v))
            }
            .await;
            (label.into(), r)
        }
        "元素尺寸" | "元素高度" | "元素宽度" | "元素位置" | "元素X坐标" | "元素Y坐标" =>
        {
            let r = async {
                let el = op.find("element").await?;
                s.rect(&el).await
            }
            .await;
            let label = match what {
                "元素尺寸" => "元素size",
                "元素高度" => "元素height",
                "元素宽度" => "元素width",
                "元素位置" => "元素location",
                "元素X坐标" => "元素location x",
                _ => "元素location y",
            };
            let r = r.map(|rect| match what {
                // Q4: element size is {height, width}; location {x, y}, rounded half to even.
                "元素尺寸" => dict(&[
                    ("height", field(&rect, "height")),
                    ("width", field(&rect, "width")),
                ]),
                "元素高度" => field(&rect, "height"),
                "元素宽度" => field(&rect, "width"),
                "元素位置" => dict(&[("x", rounded(&rect, "x")), ("y", rounded(&rect, "y"))]),
                "元素X坐标" => rounded(&rect, "x"),
                _ => rounded(&rect, "y"),
            });
            (label.into(), r)
        }
        "元素属性" => {
            let name = op.text("name");
            let r = async {
                let el = op.find("element").await?;
                s.execute(atoms::GET_ATTRIBUTE, vec![el.json(), json!(name)])
                    .await
                    .map(|v| Value::from_json(&v))
            }
            .await;
            ("元素attribute".into(), r)
        }
        "元素css样式" => {
            let name = op.text("name");
            let r = async {
                let el = op.find("element").await?;
                let path = format!(
                    "css/{}",
                    percent_encoding::utf8_percent_encode(
                        &name,
                        percent_encoding::NON_ALPHANUMERIC
                    )
                );
                s.el_get(&el, &path).await.map(|v| Value::from_json(&v))
            }
            .await;
            (format!("元素css {name}"), r)
        }
        "元素是否存在" => {
            let loc = op.locator("element")?.clone();
            let r = s.find_all(&loc).await.map(|found| {
                if found.is_empty() {
                    // The Python engine logs its lookup failure twice before the False result.
                    op.rec.error(&format!("无法定位元素 {}", loc.describe()));
                    op.rec.error(&format!("无法定位元素 {}", loc.describe()));
                    Value::Bool(false)
                } else {
                    op.rec.debug(&format!("成功定位元素 {}", loc.describe()));
                    Value::Bool(true)
                }
            });
            ("元素existed".into(), r)
        }
        "窗口位置" | "窗口X坐标" | "窗口Y坐标" | "窗口尺寸" | "窗口宽度" | "窗口高度" =>
        {
            let r = s.window_rect().await;
            let label = match what {
                "窗口位置" => "窗口position",
                "窗口X坐标" => "窗口position x",
                "窗口Y坐标" => "窗口position y",
                "窗口尺寸" => "窗口size",
                "窗口宽度" => "窗口width",
                _ => "窗口height",
            };
            let r = r.map(|rect| match what {
                "窗口位置" => dict(&[("x", field(&rect, "x")), ("y", field(&rect, "y"))]),
                "窗口X坐标" => field(&rect, "x"),
                "窗口Y坐标" => field(&rect, "y"),
                // Q4: window size is {width, height}.
                "窗口尺寸" => dict(&[
                    ("width", field(&rect, "width")),
                    ("height", field(&rect, "height")),
                ]),
                "窗口宽度" => field(&rect, "width"),
                _ => field(&rect, "height"),
            });
            (label.into(), r)
        }
        "cookies" => (
            "cookies".into(),
            s.get("cookie").await.map(|v| Value::from_json(&v)),
        ),
        "cookie" => {
            let name = op.text("name");
            let path = format!(
                "cookie/{}",
                percent_encoding::utf8_percent_encode(&name, percent_encoding::NON_ALPHANUMERIC)
            );
            let r = match s.get(&path).await {
                Ok(v) => Ok(Value::from_json(&v)),
                Err(WebError::Driver(m)) if m.contains("no such cookie") => Ok(Value::None),
                Err(e) => Err(e),
            };
            (format!("cookie {name}"), r)
        }
        "当前窗口句柄" => (
            "当前窗口handle".into(),
            s.get("window").await.map(|v| Value::from_json(&v)),
        ),
        "所有窗口句柄" => (
            "所有窗口handle".into(),
            s.get("window/handles").await.map(|v| Value::from_json(&v)),
        ),
        _ => return Err(undefined()),
    };
    match r {
        Ok(v) => {
            op.rec.debug(&format!("成功获取{label}:{}", v.py_str()));
            Ok(v)
        }
        Err(e @ WebError::NoSuchElement(_)) => Err(e),
        Err(e) => {
            op.rec.error(&format!("无法获取{label}"));
            Err(e)
        }
    }
}

/// Assertion (`断言…`) and condition (`判断…`) steps: read, then compare with the shared
/// comparators (§6.3). Comparator errors are step errors (status 2), not failures.
pub async fn compare(name: &str, prefix: &str, op: &mut Op<'_>) -> Result<Produced, WebError> {
    let what = name.strip_prefix(prefix).unwrap_or("");
    if !(COMMON.contains(&what) || COMPARE_ONLY.contains(&what)) {
        return Err(undefined());
    }
    let actual = actual(what, op).await?;
    let comparator = op.text("assertion");
    let expect = op.data("expect");
    assertion::compare(&comparator, &actual, &expect)
        .map(Produced::Compared)
        .map_err(|e| WebError::Step(e.to_string()))
}

/// Relation steps (`提取…`): the value, stored raw under `save_name` (§2.5).
pub async fn relation(name: &str, op: &mut Op<'_>) -> Result<Produced, WebError> {
    let what = name.strip_prefix("提取").unwrap_or("");
    if !(COMMON.contains(&what) || RELATION_ONLY.contains(&what)) {
        return Err(undefined());
    }
    let value = actual(what, op).await?;
    Ok(Produced::Store(op.text("save_name"), value))
}
