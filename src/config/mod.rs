//! `config.ini`: the Python engine's file, read with the same meaning, never written to.
//!
//! Sections and keys of the Python engine (platform-protocol §9) keep their names and meaning.
//! Settings that only this engine has live in `[Agent]`, each with a documented default, so a
//! user's existing file works unchanged.

mod home;
mod lifecycle;
mod metrics;
pub mod secrets;
mod settings;
mod sidecar;
mod sql;
mod web;

pub use home::Home;
pub use lifecycle::{LifecycleConfig, LogConfig, LogFormat};
pub use metrics::MetricsConfig;
pub use secrets::SecretsConfig;
pub use settings::AgentSettings;
pub use sidecar::SidecarConfig;
pub use sql::SqlConfig;
pub use web::WebConfig;

use std::path::{Path, PathBuf};
use thiserror::Error;

/// The placeholder the Python engine ships for "no value yet".
pub const PLACEHOLDER: &str = "******";

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read {file}: {reason}")]
    Read { file: PathBuf, reason: String },
    #[error("{file}: {reason}")]
    Syntax { file: PathBuf, reason: String },
    #[error("{file}: section [{section}] is missing")]
    MissingSection { file: PathBuf, section: String },
    #[error("{file}: [{section}] {key} is missing")]
    MissingKey {
        file: PathBuf,
        section: String,
        key: String,
    },
    #[error("{file}: [{section}] {key} = {value:?} is invalid: {reason}")]
    Invalid {
        file: PathBuf,
        section: String,
        key: String,
        value: String,
        reason: String,
    },
    /// An `enc:` value that cannot be used; never carries the value.
    #[error("{file}: [{section}] {key}: {reason}")]
    Secret {
        file: PathBuf,
        section: String,
        key: String,
        reason: String,
    },
    #[error(
        "no config file found: looked for ./config.ini and ./config/config.ini; pass --config PATH"
    )]
    NotFound,
}

/// How the engine reaches WebDriver (the Python engine's `[WebDriver]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebDriverMode {
    Normal,
    Headless,
    Remote,
}

/// The whole configuration, read once at start.
#[derive(Clone)]
pub struct Config {
    pub file: PathBuf,
    /// Platform base URL without trailing slashes (may carry a path prefix).
    pub platform_url: String,
    pub enable_stderr: bool,
    pub engine_code: String,
    pub engine_secret: Secret,
    /// Every `[Header]` key except `token`, sent on every platform request like the Python engine.
    pub headers: Vec<(String, String)>,
    /// `[Header] token` when it is a real token (not the placeholder).
    pub initial_token: Option<Secret>,
    pub webdriver_mode: WebDriverMode,
    pub webdriver_path: String,
    /// `[Web]`: settings of our own for WEB cases.
    pub web: WebConfig,
    /// `[Sidecar]`: the Python interpreter and time limit for users' Python code.
    pub sidecar: SidecarConfig,
    /// `[Sql]`: pooling and deadlines of SQL pre/post entries.
    pub sql: SqlConfig,
    pub max_run: usize,
    pub agent: AgentSettings,
    /// `[Log]` and `[Lifecycle]`: rotation, purge, disk guard, backups.
    pub lifecycle: LifecycleConfig,
    /// `[Secrets]`: where the key of `enc:` values comes from.
    pub secrets: SecretsConfig,
    /// `[Metrics]`: the optional Prometheus/health listener.
    pub metrics: MetricsConfig,
    /// Values that work but deserve a word (a Python-engine config quirk we keep); logged at
    /// start-up.
    pub notices: Vec<String>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("file", &self.file)
            .field("platform_url", &self.platform_url)
            .field("engine_code", &self.engine_code)
            .field("max_run", &self.max_run)
            .finish_non_exhaustive()
    }
}

/// A value that must never appear in a log, an error or `status` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Finds the config file the way a Python engine user expects: the explicit path, else
/// `./config.ini`, else `./config/config.ini` (where the Python engine keeps it).
pub fn locate(explicit: Option<&Path>) -> Result<PathBuf, ConfigError> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    for candidate in ["config.ini", "config/config.ini"] {
        let p = PathBuf::from(candidate);
        if p.is_file() {
            return Ok(p);
        }
    }
    Err(ConfigError::NotFound)
}

/// The parsed INI text with Python `configparser` rules: case-insensitive option names,
/// `=` or `:` delimiters, no inline comments, continuation lines, `%%` for `%`.
pub(crate) struct IniFile {
    file: PathBuf,
    ini: configparser::ini::Ini,
    /// (section, key) pairs, lower-case, whose values were `enc:` tokens: never shown.
    encrypted: std::collections::HashSet<(String, String)>,
}

impl IniFile {
    pub(crate) fn parse(file: &Path, text: &str) -> Result<Self, ConfigError> {
        let mut defaults = configparser::ini::IniDefault::default();
        defaults.enable_inline_comments = false;
        defaults.multiline = true;
        let mut ini = configparser::ini::Ini::new_from_defaults(defaults);
        ini.read(text.to_string())
            .map_err(|reason| ConfigError::Syntax {
                file: file.to_path_buf(),
                reason,
            })?;
        Ok(Self {
            file: file.to_path_buf(),
            ini,
            encrypted: Default::default(),
        })
    }

    fn has_section(&self, section: &str) -> bool {
        self.ini
            .get_map_ref()
            .contains_key(&section.to_ascii_lowercase())
    }

    /// The raw value with `%%` unescaped, or `None` when absent.
    pub(crate) fn get(&self, section: &str, key: &str) -> Option<String> {
        self.ini
            .get(section, key)
            .map(|v| v.trim().replace("%%", "%"))
    }

    pub(crate) fn require(&self, section: &str, key: &str) -> Result<String, ConfigError> {
        if !self.has_section(section) {
            return Err(ConfigError::MissingSection {
                file: self.file.clone(),
                section: section.to_string(),
            });
        }
        match self.get(section, key) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(ConfigError::MissingKey {
                file: self.file.clone(),
                section: section.to_string(),
                key: key.to_string(),
            }),
        }
    }

    pub(crate) fn invalid(
        &self,
        section: &str,
        key: &str,
        value: &str,
        reason: &str,
    ) -> ConfigError {
        let hidden = self
            .encrypted
            .contains(&(section.to_ascii_lowercase(), key.to_ascii_lowercase()));
        ConfigError::Invalid {
            file: self.file.clone(),
            section: section.to_string(),
            key: key.to_string(),
            value: if hidden {
                "enc:…".to_string()
            } else {
                value.to_string()
            },
            reason: reason.to_string(),
        }
    }

    /// Parses an optional value, falling back to `default` when the key is absent.
    pub(crate) fn parse_or<T: std::str::FromStr>(
        &self,
        section: &str,
        key: &str,
        default: T,
        expect: &str,
    ) -> Result<T, ConfigError> {
        match self.get(section, key) {
            None => Ok(default),
            Some(v) if v.is_empty() => Ok(default),
            Some(v) => v
                .parse::<T>()
                .map_err(|_| self.invalid(section, key, &v, expect)),
        }
    }

    fn section_entries(&self, section: &str) -> Vec<(String, String)> {
        self.ini
            .get_map_ref()
            .get(&section.to_ascii_lowercase())
            .map(|m| {
                m.iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            v.clone().unwrap_or_default().trim().replace("%%", "%"),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Config {
    pub fn load(file: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(file).map_err(|e| ConfigError::Read {
            file: file.to_path_buf(),
            reason: e.to_string(),
        })?;
        Self::parse(file, &text)
    }

    pub fn parse(file: &Path, text: &str) -> Result<Config, ConfigError> {
        let mut ini = IniFile::parse(file, text)?;
        secrets::decrypt_all(&mut ini)?;

        let url = ini.require("Platform", "url")?;
        let platform_url = normalise_base_url(&url)
            .map_err(|reason| ini.invalid("Platform", "url", &url, &reason))?;
        let enable_stderr = ini
            .get("Platform", "enable-stderr")
            .map(|v| v.eq_ignore_ascii_case("true"))
            .unwrap_or(true);

        let engine_code = ini.require("Engine", "engine-code")?;
        if engine_code == PLACEHOLDER {
            return Err(ini.invalid(
                "Engine",
                "engine-code",
                &engine_code,
                "still the placeholder: copy the engine code from the platform's engine management page",
            ));
        }
        let secret = ini.require("Engine", "engine-secret")?;
        if secret == PLACEHOLDER {
            return Err(ini.invalid(
                "Engine",
                "engine-secret",
                "******",
                "still the placeholder: copy the engine secret from the platform's engine management page",
            ));
        }

        let mut headers = Vec::new();
        let mut initial_token = None;
        for (k, v) in ini.section_entries("Header") {
            if k == "token" {
                if !v.is_empty() && v != PLACEHOLDER {
                    initial_token = Some(Secret::new(v));
                }
                continue;
            }
            if reqwest::header::HeaderName::from_bytes(k.as_bytes()).is_err()
                || reqwest::header::HeaderValue::from_str(&v).is_err()
            {
                return Err(ini.invalid("Header", &k, &v, "not a valid HTTP header"));
            }
            headers.push((k, v));
        }

        let mut notices = Vec::new();
        let mode_text = ini
            .get("WebDriver", "options")
            .unwrap_or_else(|| "headless".to_string());
        let webdriver_mode = match mode_text.to_ascii_lowercase().as_str() {
            "normal" => WebDriverMode::Normal,
            "headless" | "" => WebDriverMode::Headless,
            "remote" => WebDriverMode::Remote,
            // The Python engine treats any other value as `normal` (web-cases §4.1); so do we.
            _ => {
                notices.push(format!(
                    "{}: [WebDriver] options = {mode_text:?} is not normal, headless or remote; it is treated as normal, as the Python engine does",
                    file.display()
                ));
                WebDriverMode::Normal
            }
        };
        let webdriver_path = ini
            .get("WebDriver", "path")
            .unwrap_or_else(|| "chromedriver".to_string());

        let max_run: usize =
            ini.parse_or("RunSetting", "max-run", 2, "expected a positive integer")?;
        if max_run == 0 {
            return Err(ini.invalid("RunSetting", "max-run", "0", "must be at least 1"));
        }

        let agent = AgentSettings::from_ini(&ini)?;
        let web = WebConfig::from_ini(&ini)?;
        let lifecycle = LifecycleConfig::from_ini(&ini)?;
        let sidecar = SidecarConfig::from_ini(&ini)?;
        let secrets = SecretsConfig::from_ini(&ini);
        if let Some(p) = secrets.key_file_too_open() {
            notices.push(format!(
                "[Secrets] key-file {} can be read by every user: chmod o-rwx it",
                p.display()
            ));
        }
        let metrics = MetricsConfig::from_ini(&ini)?;
        let sql = SqlConfig::from_ini(&ini)?;

        Ok(Config {
            file: file.to_path_buf(),
            platform_url,
            enable_stderr,
            engine_code,
            engine_secret: Secret::new(secret),
            headers,
            initial_token,
            webdriver_mode,
            webdriver_path,
            web,
            sidecar,
            sql,
            max_run,
            agent,
            lifecycle,
            secrets,
            metrics,
            notices,
        })
    }
}

/// Strips every trailing slash and checks the scheme, keeping any path prefix (reverse proxies).
fn normalise_base_url(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim().trim_end_matches('/');
    let parsed = url::Url::parse(trimmed).map_err(|e| format!("not a URL: {e}"))?;
    match parsed.scheme() {
        "http" | "https" => {}
        other => return Err(format!("scheme {other:?} is not http or https")),
    }
    if parsed.host_str().is_none() {
        return Err("the URL has no host".to_string());
    }
    Ok(trimmed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "[Platform]\nurl = http://127.0.0.1:8080/\nenable-stderr = true\n\n[Engine]\nEngine-Code = abc\nengine-secret = def\n\n[Header]\ncontent-type = application/json;charset=utf-8\ntoken = ******\nX-Extra = 50%%\n\n[WebDriver]\noptions = normal\npath = chromedriver.exe\n\n[RunSetting]\nmax-run = 3\n";

    #[test]
    fn reads_python_engine_file() {
        let c = Config::parse(Path::new("config.ini"), SAMPLE).expect("parses");
        assert_eq!(c.platform_url, "http://127.0.0.1:8080");
        assert_eq!(c.engine_code, "abc");
        assert_eq!(c.engine_secret.expose(), "def");
        assert!(c.initial_token.is_none());
        assert_eq!(c.max_run, 3);
        assert_eq!(c.webdriver_mode, WebDriverMode::Normal);
        assert!(
            c.headers
                .contains(&("x-extra".to_string(), "50%".to_string()))
        );
        assert!(!c.headers.iter().any(|(k, _)| k == "token"));
    }

    #[test]
    fn unknown_webdriver_options_mean_normal_with_a_notice() {
        let c = Config::parse(
            Path::new("config.ini"),
            &SAMPLE.replace("options = normal", "options = firefox"),
        )
        .expect("parses");
        assert_eq!(c.webdriver_mode, WebDriverMode::Normal);
        assert!(
            c.notices
                .iter()
                .any(|n| n.contains("\"firefox\"") && n.contains("treated as normal"))
        );
        let plain = Config::parse(Path::new("config.ini"), SAMPLE).expect("parses");
        assert!(plain.notices.is_empty());
    }

    #[test]
    fn errors_name_file_section_and_key() {
        let text = SAMPLE.replace("engine-secret = def\n", "");
        let err = Config::parse(Path::new("/etc/x.ini"), &text).expect_err("fails");
        let msg = err.to_string();
        assert!(
            msg.contains("/etc/x.ini") && msg.contains("[Engine]") && msg.contains("engine-secret"),
            "{msg}"
        );

        let text = SAMPLE.replace("max-run = 3", "max-run = lots");
        let msg = Config::parse(Path::new("c.ini"), &text)
            .expect_err("fails")
            .to_string();
        assert!(msg.contains("[RunSetting] max-run"), "{msg}");
    }

    #[test]
    fn real_token_is_used_and_debug_hides_secrets() {
        let text = SAMPLE.replace("token = ******", "token = eyJabc");
        let c = Config::parse(Path::new("c.ini"), &text).expect("parses");
        assert_eq!(c.initial_token.as_ref().map(|t| t.expose()), Some("eyJabc"));
        let dbg = format!("{c:?} {:?}", c.engine_secret);
        assert!(!dbg.contains("def") && !dbg.contains("eyJabc"));
    }

    #[test]
    fn rejects_non_http_url() {
        let text = SAMPLE.replace("http://127.0.0.1:8080/", "ftp://x");
        assert!(Config::parse(Path::new("c.ini"), &text).is_err());
    }

    fn key_file(material: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("engine.key"), format!("{material}\n")).expect("write key");
        dir
    }

    #[test]
    fn enc_values_are_decrypted_with_the_key_file() {
        let dir = key_file("a passphrase");
        let f = secrets::fernet_from_material("a passphrase");
        let text = SAMPLE
            .replace(
                "engine-secret = def",
                &format!("engine-secret = {}", secrets::encrypt_value(&f, "p%%ss")),
            )
            .replace(
                "token = ******",
                &format!("token = {}", secrets::encrypt_value(&f, "eyJtok")),
            )
            + "\n[Secrets]\nkey-env = LIUMA_TEST_UNSET_KEY_VARIABLE\nkey-file = engine.key\n";
        let c = Config::parse(&dir.path().join("config.ini"), &text).expect("parses");
        assert_eq!(c.engine_secret.expose(), "p%%ss");
        assert_eq!(c.initial_token.as_ref().map(|t| t.expose()), Some("eyJtok"));
    }

    #[test]
    fn wrong_key_damaged_token_and_missing_key_name_section_and_key() {
        let dir = key_file("the right one");
        let right = secrets::fernet_from_material("the right one");
        let wrong = secrets::fernet_from_material("another");
        let tail = "\n[Secrets]\nkey-env = LIUMA_TEST_UNSET_KEY_VARIABLE\nkey-file = engine.key\n";
        let file = dir.path().join("config.ini");
        let with = |value: &str, tail: &str| {
            SAMPLE.replace("engine-secret = def", &format!("engine-secret = {value}")) + tail
        };
        let by_wrong = secrets::encrypt_value(&wrong, "plain-secret-value");
        let good = secrets::encrypt_value(&right, "plain-secret-value");
        let damaged = &good[..good.len() - 5];
        for (text, why) in [
            (with(&by_wrong, tail), "wrong key"),
            (with(damaged, tail), ""),
            (
                with(
                    &good,
                    "\n[Secrets]\nkey-env = LIUMA_TEST_UNSET_KEY_VARIABLE\n",
                ),
                "no key was found",
            ),
        ] {
            let msg = Config::parse(&file, &text).expect_err("fails").to_string();
            assert!(msg.contains("[Engine] engine-secret"), "{msg}");
            assert!(msg.contains(why), "{msg}");
            assert!(!msg.contains("plain-secret-value"), "{msg}");
        }
    }

    #[test]
    fn invalid_decrypted_values_are_not_shown() {
        let dir = key_file("k");
        let f = secrets::fernet_from_material("k");
        let text = SAMPLE.replace(
            "X-Extra = 50%%",
            &format!("X-Extra = {}", secrets::encrypt_value(&f, "bad\nvalue")),
        ) + "\n[Secrets]\nkey-env = LIUMA_TEST_UNSET_KEY_VARIABLE\nkey-file = engine.key\n";
        let msg = Config::parse(&dir.path().join("c.ini"), &text)
            .expect_err("fails")
            .to_string();
        assert!(
            msg.contains("[Header] x-extra") && !msg.contains("bad"),
            "{msg}"
        );
    }

    #[test]
    fn a_key_file_every_user_can_read_earns_a_notice() {
        use std::os::unix::fs::PermissionsExt;
        let dir = key_file("k");
        let key = dir.path().join("engine.key");
        let text = SAMPLE.to_string() + "\n[Secrets]\nkey-file = engine.key\n";
        let file = dir.path().join("config.ini");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        let c = Config::parse(&file, &text).expect("parses");
        assert!(c.notices.is_empty(), "{:?}", c.notices);
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let c = Config::parse(&file, &text).expect("parses");
        assert!(
            c.notices
                .iter()
                .any(|n| n.contains("key-file") && n.contains("every user")),
            "{:?}",
            c.notices
        );
    }
}
