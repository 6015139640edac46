//! Safe extraction of a task bundle (platform-protocol §6.2): entry names start with `/`, so the
//! leading slash is stripped; `..`, absolute or drive paths, symlinks and anything that would land
//! outside the task folder are refused; total size, entry count and compression ratio are capped
//! on the bytes actually written, not on what the headers claim. CRCs are checked by reading.

use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_total_bytes: u64,
    pub max_entries: usize,
    /// Largest uncompressed/compressed ratio of one entry beyond 1 MiB (zip bombs).
    pub max_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_total_bytes: 1024 * 1024 * 1024,
            max_entries: 100_000,
            max_ratio: 200,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The archive itself is damaged (truncated, bad CRC): downloading again may help.
    #[error("the bundle is not a readable zip: {0}")]
    Corrupt(String),
    /// The archive is hostile or too big: downloading again will not help.
    #[error("the bundle was refused: {0}")]
    Refused(String),
    #[error("cannot write {path}: {reason}")]
    Disk { path: String, reason: String },
}

impl ExtractError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, ExtractError::Corrupt(_))
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Extracted {
    pub files: usize,
    pub bytes: u64,
}

/// Maps an entry name to a path inside the task folder, or refuses it.
fn safe_relative(name: &str, task_id: &str) -> Result<Option<PathBuf>, String> {
    if name.contains('\\') || name.contains('\0') {
        return Err(format!("entry {name:?} has a backslash or NUL in its name"));
    }
    let stripped = name.trim_start_matches('/');
    let mut out = PathBuf::new();
    let mut first = true;
    for comp in Path::new(stripped).components() {
        match comp {
            Component::Normal(c) => {
                let text = c.to_string_lossy();
                if text.contains(':') {
                    return Err(format!("entry {name:?} has a drive or stream prefix"));
                }
                if first && text == task_id {
                    first = false;
                    continue;
                }
                first = false;
                out.push(c);
            }
            Component::CurDir => {}
            Component::ParentDir => return Err(format!("entry {name:?} climbs out with '..'")),
            Component::RootDir | Component::Prefix(_) => {
                return Err(format!("entry {name:?} is an absolute path"));
            }
        }
    }
    if out.as_os_str().is_empty() {
        Ok(None)
    } else {
        Ok(Some(out))
    }
}

fn disk(path: &Path, e: std::io::Error) -> ExtractError {
    ExtractError::Disk {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Extracts `zip_path` into `dest` (which must not exist yet or be empty). Blocking.
pub fn extract_bundle(
    zip_path: &Path,
    task_id: &str,
    dest: &Path,
    limits: Limits,
) -> Result<Extracted, ExtractError> {
    let file = std::fs::File::open(zip_path).map_err(|e| disk(zip_path, e))?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| ExtractError::Corrupt(e.to_string()))?;
    if archive.len() > limits.max_entries {
        return Err(ExtractError::Refused(format!(
            "{} entries, more than the limit of {} ([Agent] max-bundle-entries)",
            archive.len(),
            limits.max_entries
        )));
    }
    std::fs::create_dir_all(dest).map_err(|e| disk(dest, e))?;
    let mut done = Extracted::default();
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| ExtractError::Corrupt(e.to_string()))?;
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        const S_IFMT: u32 = 0o170000;
        const S_IFLNK: u32 = 0o120000;
        if entry.unix_mode().is_some_and(|m| m & S_IFMT == S_IFLNK) {
            return Err(ExtractError::Refused(format!(
                "entry {name:?} is a symbolic link"
            )));
        }
        let Some(rel) = safe_relative(&name, task_id).map_err(ExtractError::Refused)? else {
            continue;
        };
        let target = dest.join(&rel);
        if entry.is_dir() || name.ends_with('/') {
            std::fs::create_dir_all(&target).map_err(|e| disk(&target, e))?;
            continue;
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| disk(parent, e))?;
        }
        let compressed = entry.compressed_size().max(1);
        let mut out = std::fs::File::create(&target).map_err(|e| disk(&target, e))?;
        let mut written: u64 = 0;
        loop {
            let n = entry
                .read(&mut buf)
                .map_err(|e| ExtractError::Corrupt(format!("entry {name:?}: {e}")))?;
            if n == 0 {
                break;
            }
            written += n as u64;
            done.bytes += n as u64;
            if done.bytes > limits.max_total_bytes {
                return Err(ExtractError::Refused(format!(
                    "more than {} bytes uncompressed ([Agent] max-bundle-mb)",
                    limits.max_total_bytes
                )));
            }
            if written > 1024 * 1024 && written / compressed > limits.max_ratio {
                return Err(ExtractError::Refused(format!(
                    "entry {name:?} expands more than {}-fold (a zip bomb?)",
                    limits.max_ratio
                )));
            }
            out.write_all(&buf[..n]).map_err(|e| disk(&target, e))?;
        }
        out.flush().map_err(|e| disk(&target, e))?;
        done.files += 1;
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_leading_slash_and_task_folder() {
        assert_eq!(
            safe_relative("/t1/c1/k1.json", "t1"),
            Ok(Some(PathBuf::from("c1/k1.json")))
        );
        assert_eq!(safe_relative("/t1/", "t1"), Ok(None));
        assert_eq!(
            safe_relative("c1/k1.json", "t1"),
            Ok(Some(PathBuf::from("c1/k1.json")))
        );
    }

    #[test]
    fn refuses_escapes() {
        assert!(safe_relative("/../evil", "t").is_err());
        assert!(safe_relative("/t/../../evil", "t").is_err());
        assert!(safe_relative("C:/evil", "t").is_err());
        assert!(safe_relative("a\\..\\b", "t").is_err());
    }
}
