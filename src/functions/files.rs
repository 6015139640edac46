//! `loadfile`, `savefile`, `b64encode_file` (lm_provider.py): test files downloaded from
//! the platform through the agent's [`FileSource`].

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::args::Args;
use super::b64;
use crate::value::Value;

/// Test files from the platform (loadfile/savefile/b64encode_file); implemented by the agent.
pub trait FileSource: Send + Sync {
    /// (file name from Content-Disposition, bytes)
    fn fetch(&self, file_id: &str) -> Result<(String, Vec<u8>), String>;
}

/// The engine's message for any download failure.
pub const FETCH_FAILED: &str = "拉取测试文件失败";

fn fetch(files: Option<&Arc<dyn FileSource>>, id: &str) -> Result<(String, Vec<u8>), String> {
    let source =
        files.ok_or_else(|| format!("{FETCH_FAILED}: no platform to download test files from"))?;
    source.fetch(id).map_err(|e| {
        if e.starts_with(FETCH_FAILED) {
            e
        } else {
            format!("{FETCH_FAILED}: {e}")
        }
    })
}

/// `loadfile(uuid)`: the file's bytes.
pub fn loadfile(files: Option<&Arc<dyn FileSource>>, a: &Args) -> Result<Value, String> {
    let id = a.req_str(0, "uuid")?;
    fetch(files, id).map(|(_, bytes)| Value::Bytes(bytes))
}

/// `b64encode_file(uuid)`: base64 of the file's bytes.
pub fn b64encode_file(files: Option<&Arc<dyn FileSource>>, a: &Args) -> Result<Value, String> {
    let id = a.req_str(0, "uuid")?;
    fetch(files, id).map(|(_, bytes)| Value::Str(b64::encode(&bytes)))
}

/// `savefile(uuid)`: downloads, writes `<file_dir>/<uuid>/<name>` only when the folder
/// `<file_dir>/<uuid>` does not exist yet, and returns that path as a string either way.
///
/// Divergence (safety): a `uuid` that is not a single plain path component (`..`, `/`) is
/// rejected, and only the last component of the platform's file name is used, so nothing
/// is written outside `<file_dir>`.
pub fn savefile(
    files: Option<&Arc<dyn FileSource>>,
    file_dir: &Path,
    a: &Args,
) -> Result<Value, String> {
    let id = a.req_str(0, "uuid")?;
    let (name, bytes) = fetch(files, id)?;
    if !is_plain_component(id) {
        return Err(format!("非法的测试文件ID: {id}"));
    }
    let name = name
        .rsplit(['/', '\\'])
        .next()
        .filter(|n| is_plain_component(n))
        .ok_or_else(|| format!("非法的测试文件名: {name}"))?;
    let dir = file_dir.join(id);
    let path: PathBuf = dir.join(name);
    if !dir.exists() {
        std::fs::create_dir_all(&dir).map_err(|e| format!("保存测试文件失败: {e}"))?;
        std::fs::write(&path, bytes).map_err(|e| format!("保存测试文件失败: {e}"))?;
    }
    Ok(Value::Str(path.to_string_lossy().into_owned()))
}

fn is_plain_component(s: &str) -> bool {
    !s.is_empty() && s != "." && s != ".." && !s.contains(['/', '\\', '\0'])
}
