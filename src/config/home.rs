//! The working folders the Python engine's users know: `data/ image/ log/ browser/`.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Home {
    pub root: PathBuf,
    pub data: PathBuf,
    pub image: PathBuf,
    pub log: PathBuf,
    pub browser: PathBuf,
}

impl Home {
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
            data: root.join("data"),
            image: root.join("image"),
            log: root.join("log"),
            browser: root.join("browser"),
        }
    }

    /// Creates the folders that are missing; the error names the folder.
    pub fn ensure(&self) -> Result<(), String> {
        for dir in [&self.data, &self.image, &self.log, &self.browser] {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        Ok(())
    }
}
