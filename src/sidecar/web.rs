//! WEB custom operations (web-cases §2.7, Q21): the request, and the `driver` facade's
//! callbacks, answered with W3C commands on the case's browser session.
//!
//! Forwarded: `driver.find_element(s)`, `execute_script`, `get`, `back`, `forward`, `refresh`,
//! `title`, `current_url`, `page_source`, `current_window_handle`, `window_handles`,
//! `switch_to.frame/default_content/parent_frame/window/alert/active_element`, alert
//! `text/accept/dismiss/send_keys`, and on elements `click`, `send_keys`, `clear`, `submit`,
//! `text`, `tag_name`, `get_attribute`, `get_property`, `is_displayed`, `is_enabled`,
//! `is_selected`, `value_of_css_property`, `find_element(s)`. Anything else raises an
//! `AttributeError` inside the script that names the facade.

use super::wire;
use crate::cases::web::error::WebError;
use crate::cases::web::locator::Locator;
use crate::cases::web::session::{ELEMENT_KEY, Session};
use crate::value::Dict;
use indexmap::IndexMap;
use serde_json::{Value as Json, json};

/// The request line for one custom operation. `elements` are (slot → (selenium by,
/// expression)), `wants_return`: the group needs `sys_return` (assertion, condition, relation).
pub fn request(
    code: &str,
    elements: &IndexMap<String, Locator>,
    data: &Dict,
    wants_return: bool,
    context: &Dict,
    params: &Dict,
) -> Json {
    let element: serde_json::Map<String, Json> = elements
        .iter()
        .map(|(slot, l)| (slot.clone(), json!([l.selenium, l.expression])))
        .collect();
    json!({
        "op": "web",
        "code": code,
        "element": element,
        "data": wire::encode_map(data),
        "wants_return": wants_return,
        "context": wire::encode_map(context),
        "params": wire::encode_map(params),
    })
}

/// Selenium 3's translation of a `By` strategy to a W3C locator.
fn w3c_locator(by: &str, value: &str) -> Result<(&'static str, String), String> {
    Ok(match by {
        "id" => ("css selector", format!("[id=\"{value}\"]")),
        "name" => ("css selector", format!("[name=\"{value}\"]")),
        "class name" => ("css selector", format!(".{value}")),
        "tag name" => ("css selector", value.to_string()),
        "css selector" => ("css selector", value.to_string()),
        "xpath" => ("xpath", value.to_string()),
        "link text" => ("link text", value.to_string()),
        "partial link text" => ("partial link text", value.to_string()),
        other => return Err(format!("unknown locator strategy {other:?}")),
    })
}

/// Driver answers with W3C element references become `{"$element": id}` for the worker.
fn elements_out(v: Json) -> Json {
    match v {
        Json::Object(m) => {
            if let Some(Json::String(id)) = m.get(ELEMENT_KEY) {
                return json!({"$element": id});
            }
            Json::Object(m.into_iter().map(|(k, v)| (k, elements_out(v))).collect())
        }
        Json::Array(a) => Json::Array(a.into_iter().map(elements_out).collect()),
        other => other,
    }
}

/// `{"$element": id}` from the worker becomes a W3C element reference.
fn elements_in(v: &Json) -> Json {
    match v {
        Json::Object(m) => {
            if m.len() == 1
                && let Some(Json::String(id)) = m.get("$element")
            {
                return json!({ ELEMENT_KEY: id });
            }
            Json::Object(m.iter().map(|(k, v)| (k.clone(), elements_in(v))).collect())
        }
        Json::Array(a) => Json::Array(a.iter().map(elements_in).collect()),
        other => other.clone(),
    }
}

fn arg_str(args: &[Json], i: usize) -> String {
    match args.get(i) {
        Some(Json::String(s)) => s.clone(),
        Some(other) => wire::decode(other).py_str(),
        None => String::new(),
    }
}

async fn find(session: &Session, base: &str, args: &[Json], many: bool) -> Result<Json, String> {
    let by = args.first().and_then(Json::as_str).unwrap_or("id");
    let (using, value) = w3c_locator(by, &arg_str(args, 1))?;
    let path = format!("{base}element{}", if many { "s" } else { "" });
    let v = session
        .post(&path, json!({"using": using, "value": value}))
        .await
        .map_err(|e| e.to_string())?;
    Ok(elements_out(v))
}

/// Answers one `{"cb": "driver", "target", "method", "args"}` callback on `session`.
pub async fn answer(session: &Session, msg: &Json) -> Json {
    match driver_call(session, msg).await {
        Ok(v) => json!({ "value": v }),
        Err(e) => json!({ "error": e }),
    }
}

async fn driver_call(session: &Session, msg: &Json) -> Result<Json, String> {
    if msg.get("cb").and_then(Json::as_str) != Some("driver") {
        return Err("custom operations can only make driver calls".into());
    }
    let target = msg.get("target").and_then(Json::as_str).unwrap_or("");
    let method = msg.get("method").and_then(Json::as_str).unwrap_or("");
    let args: Vec<Json> = msg
        .get("args")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    let e = |r: Result<Json, WebError>| r.map_err(|e| e.to_string());
    let unknown = || format!("{target}.{method} is not forwarded by the sidecar's driver facade");
    match target {
        "driver" => match method {
            "find_element" => find(session, "", &args, false).await,
            "find_elements" => find(session, "", &args, true).await,
            "execute_script" => {
                let script = arg_str(&args, 0);
                let rest: Vec<Json> = args.iter().skip(1).map(elements_in).collect();
                e(session.execute(&script, rest).await).map(elements_out)
            }
            "get" => e(session.post("url", json!({"url": arg_str(&args, 0)})).await),
            "back" | "forward" | "refresh" => e(session.post(method, json!({})).await),
            "title" => e(session.get("title").await),
            "current_url" => e(session.get("url").await),
            "page_source" => e(session.get("source").await),
            "current_window_handle" => e(session.get("window").await),
            "window_handles" => e(session.get("window/handles").await),
            _ => Err(unknown()),
        },
        "switch_to" => match method {
            "frame" => {
                let id = match args.first() {
                    Some(Json::String(name)) => {
                        // Selenium 3: a string is a frame's id or name.
                        let by_id = session
                            .post(
                                "element",
                                json!({"using": "css selector", "value": format!("[id=\"{name}\"]")}),
                            )
                            .await;
                        match by_id {
                            Ok(el) => el,
                            Err(_) => e(session
                                .post(
                                    "element",
                                    json!({"using": "css selector", "value": format!("[name=\"{name}\"]")}),
                                )
                                .await)?,
                        }
                    }
                    Some(other) => elements_in(other),
                    None => Json::Null,
                };
                e(session.post("frame", json!({ "id": id })).await)
            }
            "default_content" => e(session.post("frame", json!({"id": null})).await),
            "parent_frame" => e(session.post("frame/parent", json!({})).await),
            "window" => session
                .switch_window_or_name(&arg_str(&args, 0))
                .await
                .map(|()| Json::Null)
                .map_err(|e| e.to_string()),
            "active_element" => e(session.get("element/active").await).map(elements_out),
            _ => Err(unknown()),
        },
        "alert" => match method {
            "text" => e(session.get("alert/text").await),
            "accept" => e(session.post("alert/accept", json!({})).await),
            "dismiss" => e(session.post("alert/dismiss", json!({})).await),
            "send_keys" => e(session
                .post("alert/text", json!({"text": arg_str(&args, 0)}))
                .await),
            _ => Err(unknown()),
        },
        id => {
            let base = format!("element/{id}/");
            let el = |what: &str| format!("{base}{what}");
            match method {
                "click" | "clear" => e(session.post(&el(method), json!({})).await),
                "send_keys" => {
                    let text = arg_str(&args, 0);
                    let chars: Vec<String> = text.chars().map(String::from).collect();
                    e(session
                        .post(&el("value"), json!({"text": text, "value": chars}))
                        .await)
                }
                "submit" => e(session
                    .execute(
                        "var f = arguments[0]; while (f && f.nodeName != 'FORM') { f = f.parentNode; } \
                         if (!f) { throw Error('Unable to find containing form element'); } \
                         var ev = f.ownerDocument.createEvent('Event'); ev.initEvent('submit', true, true); \
                         if (f.dispatchEvent(ev)) { HTMLFormElement.prototype.submit.call(f); }",
                        vec![json!({ ELEMENT_KEY: id })],
                    )
                    .await),
                "text" => e(session.get(&el("text")).await),
                "tag_name" => e(session.get(&el("name")).await),
                "get_attribute" => e(session
                    .get(&el(&format!("attribute/{}", arg_str(&args, 0))))
                    .await),
                "get_property" => e(session
                    .get(&el(&format!("property/{}", arg_str(&args, 0))))
                    .await)
                .map(elements_out),
                "is_displayed" => e(session.get(&el("displayed")).await),
                "is_enabled" => e(session.get(&el("enabled")).await),
                "is_selected" => e(session.get(&el("selected")).await),
                "value_of_css_property" => {
                    e(session.get(&el(&format!("css/{}", arg_str(&args, 0)))).await)
                }
                "find_element" => find(session, &base, &args, false).await,
                "find_elements" => find(session, &base, &args, true).await,
                _ => Err(unknown()),
            }
        }
    }
}
