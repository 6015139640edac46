//! Report files of a local run, each built from the same plain results: `junit.xml`,
//! `results.json` and `report.html` in the report folder.

pub mod html;
pub mod json;
pub mod junit;
pub mod text;

use super::error::InputError;
use super::outcome::Outcome;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Junit,
    Json,
    Html,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Junit, Format::Json, Format::Html];

    pub fn file_name(self) -> &'static str {
        match self {
            Format::Junit => "junit.xml",
            Format::Json => "results.json",
            Format::Html => "report.html",
        }
    }

    /// `junit,json,html` (any order, any subset; repeated options add up).
    pub fn parse_list(text: &str) -> Result<Vec<Format>, InputError> {
        let mut out = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let f = match part.to_ascii_lowercase().as_str() {
                "junit" | "xml" => Format::Junit,
                "json" => Format::Json,
                "html" => Format::Html,
                _ => {
                    return Err(InputError::Option {
                        option: "format",
                        value: part.to_string(),
                        reason: "expected junit, json or html (comma separated)".into(),
                    });
                }
            };
            if !out.contains(&f) {
                out.push(f);
            }
        }
        Ok(out)
    }
}

/// Writes the reports; returns the files written. The error names the file.
pub fn write_all(
    outcome: &Outcome,
    dir: &Path,
    formats: &[Format],
    html_opts: &html::HtmlOptions,
) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut written = Vec::new();
    for f in formats {
        let text = match f {
            Format::Junit => junit::render(outcome),
            Format::Json => json::render(outcome),
            Format::Html => html::render(outcome, html_opts),
        };
        let path = dir.join(f.file_name());
        let tmp = dir.join(format!(".{}.part", f.file_name()));
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
