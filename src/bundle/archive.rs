//! The task bundle, verified and read in place (platform-protocol §6.2: "do not extract at all
//! and read entries by name"). Entry names start with `/`, so the leading slash is stripped;
//! `..`, absolute or drive paths and symlinks are refused; every entry is read once at
//! verification, so CRCs are checked and total size, entry count and compression ratio are capped
//! on the bytes actually produced, not on what the headers claim. Cases are then read from the zip
//! when they run: no file per case is ever written, and removing the task's data is one unlink.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

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

/// A verified bundle: the zip on disk and where each case file is inside it.
pub struct Bundle {
    path: PathBuf,
    archive: Mutex<zip::ZipArchive<std::io::BufReader<std::fs::File>>>,
    /// Relative path (`<collectionId>/<caseId>.json`) → (entry index, uncompressed size).
    index: HashMap<String, (usize, u64)>,
    /// Small files as verification inflated them, up to [`KEPT_BYTES`] in all: a case is
    /// then parsed without inflating its entry a second time.
    kept: HashMap<String, Box<[u8]>>,
    /// Files and uncompressed bytes, for the log.
    pub files: usize,
    pub bytes: u64,
}

impl std::fmt::Debug for Bundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bundle")
            .field("path", &self.path)
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
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

/// Largest file kept in memory after verification, and the most kept in all (typical case
/// files are a few KB; beyond the cap they are inflated again when their case runs).
const KEPT_FILE_BYTES: u64 = 64 * 1024;
const KEPT_BYTES: u64 = 4 * 1024 * 1024;

impl Bundle {
    /// Opens `zip_path` and verifies every entry (names, kinds, CRCs, caps). Blocking.
    pub fn open_verified(
        zip_path: &Path,
        task_id: &str,
        limits: Limits,
    ) -> Result<Bundle, ExtractError> {
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
        let mut index = HashMap::new();
        let mut kept = HashMap::new();
        let mut kept_bytes: u64 = 0;
        let mut total: u64 = 0;
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
            if entry.is_dir() || name.ends_with('/') {
                continue;
            }
            let compressed = entry.compressed_size().max(1);
            let mut produced: u64 = 0;
            let mut keep = (entry.size() <= KEPT_FILE_BYTES
                && kept_bytes + entry.size() <= KEPT_BYTES)
                .then(|| Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0)));
            loop {
                let n = entry
                    .read(&mut buf)
                    .map_err(|e| ExtractError::Corrupt(format!("entry {name:?}: {e}")))?;
                if n == 0 {
                    break;
                }
                if let Some(k) = keep.as_mut() {
                    // The declared size may lie; what is kept stays within the caps anyway.
                    if (k.len() + n) as u64 <= KEPT_FILE_BYTES {
                        k.extend_from_slice(&buf[..n]);
                    } else {
                        keep = None;
                    }
                }
                produced += n as u64;
                total += n as u64;
                if total > limits.max_total_bytes {
                    return Err(ExtractError::Refused(format!(
                        "more than {} bytes uncompressed ([Agent] max-bundle-mb)",
                        limits.max_total_bytes
                    )));
                }
                if produced > 1024 * 1024 && produced / compressed > limits.max_ratio {
                    return Err(ExtractError::Refused(format!(
                        "entry {name:?} expands more than {}-fold (a zip bomb?)",
                        limits.max_ratio
                    )));
                }
            }
            let key = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            if let Some(k) = keep {
                kept_bytes += k.len() as u64;
                kept.insert(key.clone(), k.into_boxed_slice());
            }
            index.insert(key, (i, produced));
        }
        Ok(Bundle {
            path: zip_path.to_path_buf(),
            files: index.len(),
            bytes: total,
            archive: Mutex::new(archive),
            index,
            kept,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The uncompressed size of `rel`, when the bundle holds it.
    pub fn size_of(&self, rel: &str) -> Option<u64> {
        self.index.get(rel).map(|(_, size)| *size)
    }

    /// Whether the bundle holds `rel` (`<collectionId>/<caseId>.json`).
    pub fn contains(&self, rel: &str) -> bool {
        self.index.contains_key(rel)
    }

    /// Writes every file of the bundle under `dest` (local runs of a zip read it as a folder).
    /// The names were checked at verification, so nothing lands outside `dest`. Blocking.
    pub fn extract_to(&self, dest: &Path) -> Result<usize, ExtractError> {
        std::fs::create_dir_all(dest).map_err(|e| disk(dest, e))?;
        let mut names: Vec<&String> = self.index.keys().collect();
        names.sort();
        for rel in &names {
            let target = dest.join(rel.as_str());
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|e| disk(parent, e))?;
            }
            let bytes = self.read(rel).map_err(ExtractError::Corrupt)?;
            std::fs::write(&target, bytes).map_err(|e| disk(&target, e))?;
        }
        Ok(names.len())
    }

    /// The bytes of `rel`: a copy of the kept bytes, or inflated again (blocking); the error
    /// says what is wrong.
    pub fn read(&self, rel: &str) -> Result<Vec<u8>, String> {
        if let Some(bytes) = self.kept.get(rel) {
            return Ok(bytes.to_vec());
        }
        let Some(&(i, _)) = self.index.get(rel) else {
            return Err(format!(
                "用例数据文件不存在: {rel} is not in the bundle {}",
                self.path.display()
            ));
        };
        let mut archive = self.archive.lock().unwrap_or_else(|p| p.into_inner());
        let mut entry = archive.by_index(i).map_err(|e| {
            format!(
                "用例数据文件读取失败: {rel} in {}: {e}",
                self.path.display()
            )
        })?;
        let mut out = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0).min(64 << 20));
        entry.read_to_end(&mut out).map_err(|e| {
            format!(
                "用例数据文件读取失败: {rel} in {}: {e}",
                self.path.display()
            )
        })?;
        Ok(out)
    }
}

/// Verifies `zip_path` and writes its files into `dest`. Blocking.
pub fn extract_bundle(
    zip_path: &Path,
    task_id: &str,
    dest: &Path,
    limits: Limits,
) -> Result<usize, ExtractError> {
    Bundle::open_verified(zip_path, task_id, limits)?.extract_to(dest)
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

    /// Small files come from what verification kept, large ones are inflated again; both
    /// read back exactly, and the kept bytes stay within their caps.
    #[test]
    fn kept_and_inflated_files_read_back_the_same() {
        use std::io::Write;
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("bundle.zip");
        let small = br#"{"caseId":"k1"}"#.to_vec();
        let large: Vec<u8> = (0..200_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        {
            let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).expect("zip"));
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            zip.start_file("/t1/c1/k1.json", opts).expect("entry");
            zip.write_all(&small).expect("write");
            zip.start_file("/t1/c1/big.bin", opts).expect("entry");
            zip.write_all(&large).expect("write");
            zip.finish().expect("finish");
        }
        let limits = Limits {
            max_entries: 10,
            max_total_bytes: 10 << 20,
            max_ratio: 1000,
        };
        let b = Bundle::open_verified(&path, "t1", limits).expect("verified");
        assert!(b.kept.contains_key("c1/k1.json"));
        assert!(!b.kept.contains_key("c1/big.bin"));
        assert_eq!(b.read("c1/k1.json").expect("small"), small);
        assert_eq!(b.read("c1/big.bin").expect("large"), large);
        assert!(b.read("c1/none.json").is_err());
    }
}
