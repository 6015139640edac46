//! Test files for `loadfile`/`savefile`/`b64encode_file`: downloaded from the platform once,
//! cached under `file/<fileId>/<name>` and reused while the cached size matches.

use crate::functions::FileSource;
use crate::ids::is_safe_path_component;
use crate::platform::PlatformClient;
use std::path::PathBuf;
use std::sync::Arc;

/// Largest test file accepted.
const MAX_FILE_BYTES: usize = 256 * 1024 * 1024;

pub struct PlatformFiles {
    client: Arc<PlatformClient>,
    cache: PathBuf,
}

impl PlatformFiles {
    pub fn new(client: Arc<PlatformClient>, cache: PathBuf) -> Self {
        Self { client, cache }
    }

    fn cached(&self, id: &str) -> Option<(String, Vec<u8>)> {
        let dir = self.cache.join(id);
        let mut entries = std::fs::read_dir(&dir).ok()?.flatten();
        let first = entries.next()?;
        if entries.next().is_some() {
            return None;
        }
        let name = first.file_name().to_string_lossy().into_owned();
        let bytes = std::fs::read(first.path()).ok()?;
        Some((name, bytes))
    }

    fn store(&self, id: &str, name: &str, bytes: &[u8]) {
        let safe_name = std::path::Path::new(name)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| !n.is_empty() && n != "..")
            .unwrap_or_else(|| id.to_string());
        let dir = self.cache.join(id);
        let tmp = self.cache.join(format!(".{id}.part"));
        let result = (|| -> std::io::Result<()> {
            let _ = std::fs::remove_dir_all(&tmp);
            std::fs::create_dir_all(&tmp)?;
            std::fs::write(tmp.join(&safe_name), bytes)?;
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::rename(&tmp, &dir)
        })();
        if let Err(e) = result {
            tracing::warn!("cannot cache test file {id}: {e}");
        }
    }
}

impl FileSource for PlatformFiles {
    fn fetch(&self, file_id: &str) -> Result<(String, Vec<u8>), String> {
        if !is_safe_path_component(file_id) {
            return Err(format!("测试文件ID无效: {file_id:?}"));
        }
        if let Some(hit) = self.cached(file_id) {
            return Ok(hit);
        }
        let handle =
            tokio::runtime::Handle::try_current().map_err(|_| "no async runtime".to_string())?;
        if handle.runtime_flavor() != tokio::runtime::RuntimeFlavor::MultiThread {
            return Err("loadfile needs the multi-threaded runtime".into());
        }
        let client = self.client.clone();
        let id = file_id.to_string();
        let (name, bytes) = tokio::task::block_in_place(|| {
            handle.block_on(async move { client.download_test_file(&id, MAX_FILE_BYTES).await })
        })
        .map_err(|e| format!("拉取测试文件失败: {e}"))?;
        self.store(file_id, &name, &bytes);
        Ok((name, bytes))
    }
}
