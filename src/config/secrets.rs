//! `[Secrets]` and encrypted values: any value in `config.ini` written as `enc:<token>` is a
//! Fernet token, decrypted once when the file is read, so that the file itself can be copied,
//! backed up and shown around without leaking the engine secret or a platform token.
//!
//! The key comes from the environment variable named by `[Secrets] key-env` (default
//! `LIUMA_ENGINE_KEY`) or else from the file named by `[Secrets] key-file`. Either holds a Fernet
//! key (44 characters of URL-safe base64, what `liuma-engine secret keygen` prints) or a
//! passphrase, turned into a key as the seed design does: SHA-256 of the passphrase's UTF-8
//! bytes, URL-safe base64. Tokens the seed's Python code produces (the Fernet token base64-encoded
//! once more) are accepted too.
//!
//! Decryption happens in [`decrypt_all`], applied to every value of the parsed file before any
//! section reads it: every reader (start, `check`, a reload) sees plain values, and the keys
//! that were encrypted are remembered so that error messages never print their values.

use super::{ConfigError, IniFile};
use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use sha2::Digest;
use std::path::{Path, PathBuf};

const SECTION: &str = "Secrets";
/// What marks an encrypted value.
pub const PREFIX: &str = "enc:";
/// The environment variable read for the key when `[Secrets] key-env` is not set.
pub const DEFAULT_KEY_ENV: &str = "LIUMA_ENGINE_KEY";

/// `[Secrets]`: where the key of `enc:` values is found. Both are names, never the key itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretsConfig {
    /// `[Secrets] key-env`: the environment variable holding the key or passphrase.
    pub key_env: String,
    /// `[Secrets] key-file`: a file holding the key or passphrase (first line; relative paths
    /// are relative to the config file's folder). Used when the variable is unset or empty.
    pub key_file: Option<PathBuf>,
}

impl Default for SecretsConfig {
    fn default() -> Self {
        Self {
            key_env: DEFAULT_KEY_ENV.to_string(),
            key_file: None,
        }
    }
}

impl SecretsConfig {
    /// Reads `[Secrets]` (plain values only: the key's location cannot itself be encrypted).
    pub(crate) fn from_ini(ini: &IniFile) -> Self {
        let key_env = ini
            .get(SECTION, "key-env")
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| DEFAULT_KEY_ENV.to_string());
        let key_file = ini
            .get(SECTION, "key-file")
            .filter(|v| !v.is_empty())
            .map(|v| {
                let p = PathBuf::from(v);
                match ini.file.parent() {
                    Some(dir) if p.is_relative() && !dir.as_os_str().is_empty() => dir.join(p),
                    _ => p,
                }
            });
        Self { key_env, key_file }
    }

    /// Finds and parses the key: the variable first, then the file. `Ok(None)` when neither
    /// is set; an error when the file is named but unreadable.
    pub fn load_key(&self) -> Result<Option<fernet::Fernet>, String> {
        if let Ok(v) = std::env::var(&self.key_env) {
            let v = v.trim();
            if !v.is_empty() {
                return Ok(Some(fernet_from_material(v)));
            }
        }
        let Some(path) = &self.key_file else {
            return Ok(None);
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the key file {}: {e}", path.display()))?;
        let material = text.lines().next().unwrap_or("").trim();
        if material.is_empty() {
            return Err(format!("the key file {} is empty", path.display()));
        }
        Ok(Some(fernet_from_material(material)))
    }

    /// Where the key was looked for, for error messages.
    fn describe(&self) -> String {
        match &self.key_file {
            Some(p) => format!(
                "the environment variable {} or the key file {} ([Secrets] key-env, key-file)",
                self.key_env,
                p.display()
            ),
            None => format!(
                "the environment variable {} ([Secrets] key-env; or set [Secrets] key-file)",
                self.key_env
            ),
        }
    }

    /// Whether every user of the machine can read the key file (worth a warning; the group
    /// may: the packaged service reads it as group `liuma-engine`).
    pub fn key_file_too_open(&self) -> Option<PathBuf> {
        use std::os::unix::fs::PermissionsExt;
        let p = self.key_file.as_ref()?;
        let mode = std::fs::metadata(p).ok()?.permissions().mode();
        (mode & 0o007 != 0).then(|| p.clone())
    }
}

/// A Fernet key as text (44 characters) or a passphrase, as the seed derives it.
pub fn fernet_from_material(material: &str) -> fernet::Fernet {
    if let Some(f) = fernet::Fernet::new(material) {
        return f;
    }
    let key = passphrase_key(material);
    // A SHA-256 digest is 32 bytes: always a valid Fernet key.
    match fernet::Fernet::new(&key) {
        Some(f) => f,
        None => unreachable!("a 32-byte key encoded in URL-safe base64 is a Fernet key"),
    }
}

/// The seed's derivation: `urlsafe_b64encode(sha256(passphrase))`.
pub fn passphrase_key(passphrase: &str) -> String {
    URL_SAFE.encode(sha2::Sha256::digest(passphrase.as_bytes()))
}

/// Encrypts `value` into what is pasted into `config.ini`.
pub fn encrypt_value(key: &fernet::Fernet, value: &str) -> String {
    format!("{PREFIX}{}", key.encrypt(value.as_bytes()))
}

/// Why one token could not be opened (never carries the token or the value).
fn decrypt_token(key: &fernet::Fernet, token: &str) -> Result<String, &'static str> {
    let token = token.trim();
    if token.is_empty() {
        return Err("nothing follows enc:");
    }
    // A Fernet token starts with the version byte 0x80, "gAAAAA" in base64. The seed's Python
    // code base64-encodes the token once more: unwrap that layer when it is there.
    let inner;
    let token = if token.starts_with("gAAAAA") {
        token
    } else {
        inner = URL_SAFE
            .decode(token)
            .or_else(|_| URL_SAFE_NO_PAD.decode(token))
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .filter(|s| s.starts_with("gAAAAA"))
            .ok_or("not a Fernet token (damaged or cut short?)")?;
        inner.as_str()
    };
    let plain = key.decrypt(token).map_err(|_| {
        "cannot decrypt: wrong key, or the token is damaged (run `liuma-engine secret encrypt` again)"
    })?;
    String::from_utf8(plain).map_err(|_| "the decrypted value is not UTF-8 text")
}

/// Replaces every `enc:` value of `ini` by its plain text. Errors name the file, section and
/// key, never the value.
pub(crate) fn decrypt_all(ini: &mut IniFile) -> Result<(), ConfigError> {
    let wanted: Vec<(String, String, String)> = ini
        .ini
        .get_map_ref()
        .iter()
        .flat_map(|(section, entries)| {
            entries.iter().filter_map(move |(key, value)| {
                let v = value.as_deref()?.trim();
                let token = v.strip_prefix(PREFIX)?;
                Some((section.clone(), key.clone(), token.to_string()))
            })
        })
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let settings = SecretsConfig::from_ini(ini);
    let fail = |section: &str, key: &str, reason: String| ConfigError::Secret {
        file: ini.file.clone(),
        section: display_section(section),
        key: key.to_string(),
        reason,
    };
    let fernet = match settings.load_key() {
        Ok(Some(f)) => f,
        Ok(None) => {
            let (s, k, _) = &wanted[0];
            return Err(fail(
                s,
                k,
                format!(
                    "the value is encrypted but no key was found: set {}",
                    settings.describe()
                ),
            ));
        }
        Err(reason) => {
            let (s, k, _) = &wanted[0];
            return Err(fail(s, k, reason));
        }
    };
    let mut plain = Vec::with_capacity(wanted.len());
    for (section, key, token) in &wanted {
        if section == &SECTION.to_ascii_lowercase() {
            return Err(fail(
                section,
                key,
                "[Secrets] values cannot be encrypted: they say where the key is".to_string(),
            ));
        }
        let value = decrypt_token(&fernet, token).map_err(|r| fail(section, key, r.to_string()))?;
        plain.push((section.clone(), key.clone(), value));
    }
    let map = ini.ini.get_mut_map();
    for (section, key, value) in plain {
        if let Some(entries) = map.get_mut(&section) {
            // `IniFile::get` turns `%%` into `%`: escape so the value comes back exactly.
            entries.insert(key.clone(), Some(value.replace('%', "%%")));
        }
        ini.encrypted.insert((section, key));
    }
    Ok(())
}

/// Sections are stored lower-case; show the names users write for the known ones.
fn display_section(lower: &str) -> String {
    const KNOWN: [&str; 10] = [
        "Platform",
        "Engine",
        "Header",
        "WebDriver",
        "RunSetting",
        "Agent",
        "Web",
        "Secrets",
        "Metrics",
        "Lifecycle",
    ];
    KNOWN
        .iter()
        .find(|k| k.eq_ignore_ascii_case(lower))
        .map(|k| k.to_string())
        .unwrap_or_else(|| lower.to_string())
}

/// The `[Secrets]` section of a config file, read without the rest of it (for
/// `liuma-engine secret encrypt`, which must work before the file is complete).
pub fn secrets_of_file(file: &Path) -> Result<SecretsConfig, ConfigError> {
    let text = std::fs::read_to_string(file).map_err(|e| ConfigError::Read {
        file: file.to_path_buf(),
        reason: e.to_string(),
    })?;
    let ini = IniFile::parse(file, &text)?;
    Ok(SecretsConfig::from_ini(&ini))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passphrase_matches_the_seed_derivation() {
        // python3 -c "import hashlib,base64;print(base64.urlsafe_b64encode(hashlib.sha256(b'correct horse').digest()).decode())"
        assert_eq!(
            passphrase_key("correct horse"),
            "QQTTb42iwlQ0n4WDZ5Pr4CngyVcGOjTJHC6SAxh7VjE="
        );
        assert!(fernet::Fernet::new(&passphrase_key("x")).is_some());
    }

    #[test]
    fn round_trip_key_and_passphrase() {
        for material in [fernet::Fernet::generate_key(), "a passphrase".to_string()] {
            let f = fernet_from_material(&material);
            let enc = encrypt_value(&f, "s3cret%v");
            let token = enc.strip_prefix(PREFIX).expect("prefix");
            assert_eq!(decrypt_token(&f, token).as_deref(), Ok("s3cret%v"));
        }
    }

    #[test]
    fn seed_double_encoded_tokens_are_accepted() {
        let f = fernet_from_material("pp");
        let token = f.encrypt(b"v");
        let wrapped = URL_SAFE.encode(token.as_bytes());
        assert_eq!(decrypt_token(&f, &wrapped).as_deref(), Ok("v"));
    }

    #[test]
    fn wrong_key_and_damaged_token_are_errors_without_the_value() {
        let f = fernet_from_material("right");
        let token = f.encrypt(b"hidden-value");
        let wrong = fernet_from_material("wrong");
        let e = decrypt_token(&wrong, &token).expect_err("wrong key");
        assert!(e.contains("wrong key"), "{e}");
        let mut damaged = token.clone();
        damaged.truncate(token.len() - 7);
        assert!(decrypt_token(&f, &damaged).is_err());
        let flipped: String = token
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i == 30 {
                    if c == 'A' { 'B' } else { 'A' }
                } else {
                    c
                }
            })
            .collect();
        assert!(decrypt_token(&f, &flipped).is_err());
        assert!(decrypt_token(&f, "garbage!").is_err());
    }
}
