//! The WebDriver commands WEB steps use, sent as plain W3C requests over the session that
//! thirtyfour opened. Raw requests keep what the Python engine observed exactly: numbers as the
//! driver sent them (`20` vs `20.5`), dict key order (cookies, rects), and Selenium 3.141's
//! way of building each command (web-cases §1.5, §2, Q29).

use super::error::WebError;
use super::locator::Locator;
use reqwest::Method;
use serde_json::{Value as Json, json};
use thirtyfour::common::command::FormatRequestData;
use thirtyfour::common::types::SessionId;
use thirtyfour::{RequestData, WebDriver};

/// The W3C web element identifier key.
pub const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A found element (its W3C reference).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementRef(pub String);

impl ElementRef {
    pub fn json(&self) -> Json {
        json!({ ELEMENT_KEY: self.0 })
    }

    fn from_json(v: &Json) -> Option<ElementRef> {
        v.get(ELEMENT_KEY)
            .or_else(|| v.get("ELEMENT"))
            .and_then(Json::as_str)
            .map(|s| ElementRef(s.to_string()))
    }
}

/// One raw command relative to `session/<id>/`.
#[derive(Debug)]
struct Raw {
    method: Method,
    path: String,
    body: Option<Json>,
}

impl FormatRequestData for Raw {
    fn format_request(&self, session_id: &SessionId) -> RequestData {
        let uri = if self.path.is_empty() {
            format!("session/{session_id}")
        } else {
            format!("session/{session_id}/{}", self.path)
        };
        let data = RequestData::new(self.method.clone(), uri);
        match &self.body {
            Some(b) => data.add_body(b.clone()),
            None => data,
        }
    }
}

/// A live browser session.
#[derive(Clone)]
pub struct Session {
    driver: WebDriver,
}

impl Session {
    pub fn new(driver: WebDriver) -> Self {
        Self { driver }
    }

    async fn cmd(&self, method: Method, path: &str, body: Option<Json>) -> Result<Json, WebError> {
        let resp = self
            .driver
            .cmd(Raw {
                method,
                path: path.to_string(),
                body,
            })
            .await
            .map_err(WebError::from_driver)?;
        resp.value_json().map_err(WebError::from_driver)
    }

    pub async fn get(&self, path: &str) -> Result<Json, WebError> {
        self.cmd(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Json) -> Result<Json, WebError> {
        self.cmd(Method::POST, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Result<Json, WebError> {
        self.cmd(Method::DELETE, path, None).await
    }

    // ----- elements (§3.1: one Find Element from the document root, no retry) -----

    pub async fn find(&self, loc: &Locator) -> Result<ElementRef, WebError> {
        let v = self
            .post("element", json!({"using": loc.using, "value": loc.value}))
            .await?;
        ElementRef::from_json(&v).ok_or_else(|| {
            WebError::Driver(format!(
                "Message: the driver answered Find Element with {v}"
            ))
        })
    }

    pub async fn find_all(&self, loc: &Locator) -> Result<Vec<ElementRef>, WebError> {
        let v = self
            .post("elements", json!({"using": loc.using, "value": loc.value}))
            .await?;
        Ok(v.as_array()
            .map(|a| a.iter().filter_map(ElementRef::from_json).collect())
            .unwrap_or_default())
    }

    pub async fn el_get(&self, el: &ElementRef, what: &str) -> Result<Json, WebError> {
        self.get(&format!("element/{}/{what}", el.0)).await
    }

    pub async fn el_post(&self, el: &ElementRef, what: &str, body: Json) -> Result<Json, WebError> {
        self.post(&format!("element/{}/{what}", el.0), body).await
    }

    /// Element rect `{x, y, width, height}` as the driver sent it.
    pub async fn rect(&self, el: &ElementRef) -> Result<Json, WebError> {
        self.el_get(el, "rect").await
    }

    // ----- scripts -----

    pub async fn execute(&self, script: &str, args: Vec<Json>) -> Result<Json, WebError> {
        self.post("execute/sync", json!({"script": script, "args": args}))
            .await
    }

    pub async fn execute_async(&self, script: &str, args: Vec<Json>) -> Result<Json, WebError> {
        self.post("execute/async", json!({"script": script, "args": args}))
            .await
    }

    /// Performs one W3C action chain (input state persists in the session, §2.2).
    pub async fn actions(&self, sources: Vec<Json>) -> Result<(), WebError> {
        self.post("actions", json!({ "actions": sources }))
            .await
            .map(|_| ())
    }

    // ----- windows -----

    pub async fn window_handles(&self) -> Result<Vec<String>, WebError> {
        let v = self.get("window/handles").await?;
        Ok(v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|h| h.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default())
    }

    pub async fn switch_window(&self, handle: &str) -> Result<(), WebError> {
        self.post("window", json!({ "handle": handle }))
            .await
            .map(|_| ())
    }

    /// `切换窗口`: a handle, or (Selenium 3 fallback, §2.1 [COMPAT]) a window whose JS
    /// `window.name` equals the value; otherwise the original window is restored and the
    /// original error returned.
    pub async fn switch_window_or_name(&self, target: &str) -> Result<(), WebError> {
        let first = match self.switch_window(target).await {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        let original = self
            .get("window")
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_string));
        for handle in self.window_handles().await.unwrap_or_default() {
            if self.switch_window(&handle).await.is_ok()
                && let Ok(name) = self.execute("return window.name", vec![]).await
                && name.as_str() == Some(target)
            {
                return Ok(());
            }
        }
        if let Some(h) = original {
            let _ = self.switch_window(&h).await;
        }
        Err(first)
    }

    pub async fn window_rect(&self) -> Result<Json, WebError> {
        self.get("window/rect").await
    }

    pub async fn set_timeouts_implicit(&self, ms: u64) -> Result<(), WebError> {
        self.post("timeouts", json!({ "implicit": ms }))
            .await
            .map(|_| ())
    }

    /// The viewport as PNG bytes.
    pub async fn screenshot_png(&self) -> Result<Vec<u8>, WebError> {
        use base64::Engine as _;
        let v = self.get("screenshot").await?;
        let text = v
            .as_str()
            .ok_or_else(|| WebError::Driver("Message: the screenshot is not a string".into()))?;
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|e| WebError::Driver(format!("Message: the screenshot is not base64: {e}")))
    }
}
