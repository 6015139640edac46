//! Test files for `loadfile`, `savefile` and `b64encode_file` in a local run (`--files DIR`):
//! no platform to download them from, so they are read from a folder, named by file id either
//! as `DIR/<fileId>` or as `DIR/<fileId>/<name>` (the agent's own cache layout, `file/`).

use crate::functions::FileSource;
use crate::ids::is_safe_path_component;
use std::path::PathBuf;

pub struct LocalFiles {
    dir: PathBuf,
}

impl LocalFiles {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }
}

impl FileSource for LocalFiles {
    fn fetch(&self, file_id: &str) -> Result<(String, Vec<u8>), String> {
        if !is_safe_path_component(file_id) {
            return Err(format!("测试文件ID无效: {file_id:?}"));
        }
        let path = self.dir.join(file_id);
        let read =
            |p: &std::path::Path| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
        if path.is_file() {
            return Ok((file_id.to_string(), read(&path)?));
        }
        if path.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&path)
                .map_err(|e| format!("{}: {e}", path.display()))?
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect();
            files.sort();
            if let Some(first) = files.first() {
                let name = first
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| file_id.to_string());
                return Ok((name, read(first)?));
            }
        }
        Err(format!(
            "test file {file_id} not found: expected {0}/{file_id} or {0}/{file_id}/<name> (--files)",
            self.dir.display()
        ))
    }
}

/// The stand-in when no `--files` folder was given: the error says how to give one.
pub struct NoFiles;

impl FileSource for NoFiles {
    fn fetch(&self, file_id: &str) -> Result<(String, Vec<u8>), String> {
        Err(format!(
            "test file {file_id}: a local run has no platform to download test files from; pass --files DIR holding DIR/{file_id} or DIR/{file_id}/<name>"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_both_layouts_and_refuses_escapes() {
        let dir = std::env::temp_dir().join(format!("liuma-files-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(dir.join("f2")).expect("mkdir");
        std::fs::write(dir.join("f1"), b"one").expect("write");
        std::fs::write(dir.join("f2").join("pic.png"), b"two").expect("write");
        let files = LocalFiles::new(dir.clone());
        assert_eq!(files.fetch("f1"), Ok(("f1".into(), b"one".to_vec())));
        assert_eq!(files.fetch("f2"), Ok(("pic.png".into(), b"two".to_vec())));
        assert!(files.fetch("f3").is_err_and(|e| e.contains("--files")));
        assert!(files.fetch("../etc").is_err());
        assert!(NoFiles.fetch("x").is_err_and(|e| e.contains("--files")));
        let _ = std::fs::remove_dir_all(dir);
    }
}
