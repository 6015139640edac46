//! Chrome capabilities from a case's `driverSetting` (web-cases §1.3) and the mode's defaults
//! (§4.3 with Q13): written as `goog:chromeOptions` directly, so every experimental option the
//! user set reaches chromedriver unchanged.

use super::super::data::coerce;
use super::super::error::WebError;
use super::super::settings::Mode;
use crate::value::Value;
use serde_json::{Map, Value as Json, json};
use std::path::Path;

/// What the setting asks for, before mode adjustments.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ChromeOptions {
    pub binary: Option<String>,
    pub args: Vec<String>,
    pub experimental: Map<String, Json>,
    /// Base64 `.crx` extensions.
    pub extensions: Vec<String>,
}

fn non_empty(v: Option<&Json>) -> Option<String> {
    match v {
        Some(Json::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Json::Null) | None => None,
        Some(Json::String(_)) => None,
        Some(other) => Some(other.to_string()),
    }
}

fn entries<'a>(setting: &'a Json, key: &str) -> impl Iterator<Item = &'a Json> {
    setting
        .get(key)
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
}

impl ChromeOptions {
    /// From a rendered `driverSetting`; empty rows (the UI's defaults) are ignored.
    pub fn from_setting(setting: &Json) -> Result<ChromeOptions, WebError> {
        use base64::Engine as _;
        let mut o = ChromeOptions {
            binary: non_empty(setting.get("binary")),
            ..Default::default()
        };
        for a in entries(setting, "arguments") {
            if let Some(v) = non_empty(a.get("value")) {
                o.args.push(v);
            }
        }
        for e in entries(setting, "experimentals") {
            let (Some(name), Some(_)) = (non_empty(e.get("name")), non_empty(e.get("value")))
            else {
                continue;
            };
            let kind = e.get("type").and_then(Json::as_str).unwrap_or("String");
            let raw = Value::from_json(e.get("value").unwrap_or(&Json::Null));
            let value = coerce(kind, raw).map_err(|err| {
                WebError::Setup(format!("driverSetting experimental option {name}: {err}"))
            })?;
            let json = value.to_json().map_err(|err| {
                WebError::Setup(format!("driverSetting experimental option {name}: {err}"))
            })?;
            o.experimental.insert(name, json);
        }
        for x in entries(setting, "extensions") {
            if let Some(v) = non_empty(x.get("value")) {
                o.extensions.push(v);
            }
        }
        for f in entries(setting, "files") {
            if let Some(path) = non_empty(f.get("value")) {
                let bytes = std::fs::read(&path).map_err(|e| {
                    WebError::Setup(format!("driverSetting extension file {path}: {e}"))
                })?;
                o.extensions
                    .push(base64::engine::general_purpose::STANDARD.encode(bytes));
            }
        }
        Ok(o)
    }

    fn has_arg(&self, prefix: &str) -> bool {
        self.args.iter().any(|a| a.starts_with(prefix))
    }

    /// The capabilities for `mode`. `binary` is the resolved browser (local modes) and
    /// `profile` the fresh profile folder (local modes, unless the user set one).
    pub fn capabilities(
        &self,
        mode: Mode,
        binary: Option<&Path>,
        profile: Option<&Path>,
    ) -> Map<String, Json> {
        let mut args = self.args.clone();
        let mut experimental = self.experimental.clone();
        let local = mode != Mode::Remote;
        if local {
            // Nothing may download or phone home at run time, and each browser is fresh.
            for a in [
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-breakpad",
            ] {
                if !self.has_arg(a) {
                    args.push(a.to_string());
                }
            }
            if let Some(p) = profile {
                args.push(format!("--user-data-dir={}", p.display()));
            }
            // SAFETY: geteuid has no preconditions.
            let root = unsafe { libc::geteuid() } == 0;
            if root && mode == Mode::Normal && !self.has_arg("--no-sandbox") {
                // Chrome refuses to start as root without it.
                args.push("--no-sandbox".into());
            }
        }
        match mode {
            Mode::Headless => {
                args.push("--headless".into());
                args.push("--no-sandbox".into());
                if !self.has_arg("--disable-gpu") {
                    args.push("--disable-gpu".into());
                }
                if !self.has_arg("--window-size") {
                    // Q13: not the 780x580 default.
                    args.push("--window-size=1920,1080".into());
                }
            }
            Mode::Normal => {
                experimental.insert("excludeSwitches".into(), json!(["enable-logging"]));
            }
            Mode::Remote => {}
        }
        let mut chrome = Map::new();
        chrome.insert("args".into(), json!(args));
        if let Some(b) = binary {
            chrome.insert("binary".into(), json!(b.display().to_string()));
        } else if let Some(b) = &self.binary {
            chrome.insert("binary".into(), json!(b));
        }
        if !self.extensions.is_empty() {
            chrome.insert("extensions".into(), json!(self.extensions));
        }
        for (k, v) in experimental {
            chrome.insert(k, v);
        }
        let mut caps = Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert("goog:chromeOptions".into(), Json::Object(chrome));
        caps
    }

    /// Whether the user's arguments choose their own profile folder.
    pub fn has_profile(&self) -> bool {
        self.has_arg("--user-data-dir")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_rows_are_ignored_and_modes_add_their_defaults() {
        let setting = json!({
            "binary": "",
            "arguments": [{"value": ""}, {"value": "--lang=zh-CN"}],
            "experimentals": [{"name": "", "type": "String", "value": ""},
                              {"name": "prefs", "type": "JSONObject", "value": "{'a': True}"}],
            "extensions": [{"value": ""}],
            "files": [{"value": ""}]
        });
        let o = ChromeOptions::from_setting(&setting).expect("ok");
        assert_eq!(o.args, vec!["--lang=zh-CN"]);
        assert_eq!(o.experimental.get("prefs"), Some(&json!({"a": true})));
        let caps = o.capabilities(Mode::Headless, Some(Path::new("/usr/bin/chromium")), None);
        let args = caps["goog:chromeOptions"]["args"]
            .as_array()
            .expect("args")
            .clone();
        assert!(
            args.contains(&json!("--headless")) && args.contains(&json!("--window-size=1920,1080"))
        );
        let remote = o.capabilities(Mode::Remote, None, None);
        assert_eq!(
            remote["goog:chromeOptions"]["args"],
            json!(["--lang=zh-CN"])
        );
    }
}
