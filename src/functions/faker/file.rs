//! File provider: names from Chinese lorem words, Faker's extension and MIME tables.

use rand::RngExt;

use super::base::{LOWER, Rng, pick, pick_char};
use super::lorem::word;

const EXTENSIONS: &[(&str, &[&str])] = &[
    ("audio", &["flac", "mp3", "wav"]),
    ("image", &["bmp", "gif", "jpeg", "jpg", "png", "tiff"]),
    (
        "office",
        &[
            "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "pages", "numbers",
            "key", "pdf",
        ],
    ),
    ("text", &["css", "csv", "html", "js", "json", "txt"]),
    ("video", &["mp4", "avi", "mov", "webm"]),
];

const MIME_TYPES: &[(&str, &[&str])] = &[
    (
        "application",
        &[
            "application/atom+xml",
            "application/ecmascript",
            "application/EDI-X12",
            "application/EDIFACT",
            "application/json",
            "application/javascript",
            "application/octet-stream",
            "application/ogg",
            "application/pdf",
            "application/postscript",
            "application/rdf+xml",
            "application/rss+xml",
            "application/soap+xml",
            "application/font-woff",
            "application/xhtml+xml",
            "application/xml-dtd",
            "application/xop+xml",
            "application/zip",
            "application/gzip",
        ],
    ),
    (
        "audio",
        &[
            "audio/basic",
            "audio/L24",
            "audio/mp4",
            "audio/mpeg",
            "audio/ogg",
            "audio/vorbis",
            "audio/vnd.rn-realaudio",
            "audio/vnd.wave",
            "audio/webm",
        ],
    ),
    (
        "image",
        &[
            "image/gif",
            "image/jpeg",
            "image/pjpeg",
            "image/png",
            "image/svg+xml",
            "image/tiff",
            "image/vnd.microsoft.icon",
        ],
    ),
    (
        "message",
        &[
            "message/http",
            "message/imdn+xml",
            "message/partial",
            "message/rfc822",
        ],
    ),
    (
        "model",
        &[
            "model/example",
            "model/iges",
            "model/mesh",
            "model/vrml",
            "model/x3d+binary",
            "model/x3d+vrml",
            "model/x3d+xml",
        ],
    ),
    (
        "multipart",
        &[
            "multipart/mixed",
            "multipart/alternative",
            "multipart/related",
            "multipart/form-data",
            "multipart/signed",
            "multipart/encrypted",
        ],
    ),
    (
        "text",
        &[
            "text/cmd",
            "text/css",
            "text/csv",
            "text/html",
            "text/javascript",
            "text/plain",
            "text/vcard",
            "text/xml",
        ],
    ),
    (
        "video",
        &[
            "video/mpeg",
            "video/mp4",
            "video/ogg",
            "video/quicktime",
            "video/webm",
            "video/x-matroska",
            "video/x-ms-wmv",
            "video/x-flv",
        ],
    ),
];

/// A category's list, random category when missing/empty, `KeyError` when unknown.
fn from_table(
    r: &mut Rng,
    table: &'static [(&'static str, &'static [&'static str])],
    category: Option<&str>,
) -> Result<String, String> {
    let list = match category.filter(|c| !c.is_empty()) {
        None => table[r.random_range(0..table.len())].1,
        Some(c) => table
            .iter()
            .find(|(k, _)| *k == c)
            .map(|(_, l)| *l)
            .ok_or_else(|| format!("KeyError: '{c}'"))?,
    };
    Ok(pick(r, list).to_string())
}

pub fn mime_type(r: &mut Rng, category: Option<&str>) -> Result<String, String> {
    from_table(r, MIME_TYPES, category)
}

pub fn file_extension(r: &mut Rng, category: Option<&str>) -> Result<String, String> {
    from_table(r, EXTENSIONS, category)
}

/// `file_name(category=None, extension=None)`: `<word>.<ext>`.
pub fn file_name(
    r: &mut Rng,
    category: Option<&str>,
    extension: Option<&str>,
) -> Result<String, String> {
    let ext = match extension.filter(|e| !e.is_empty()) {
        Some(e) => e.to_string(),
        None => file_extension(r, category)?,
    };
    Ok(format!("{}.{ext}", word(r)))
}

/// `file_path(depth=1, category=None, extension=None)`: `/<word>/…/<file_name>`.
pub fn file_path(
    r: &mut Rng,
    depth: i64,
    category: Option<&str>,
    extension: Option<&str>,
) -> Result<String, String> {
    if depth > 10_000 {
        return Err("depth is too large".to_string());
    }
    let file = file_name(r, category, extension)?;
    // Faker prepends one word per level, so the last generated word is outermost.
    let mut dirs: Vec<String> = (0..depth.max(0)).map(|_| word(r)).collect();
    dirs.reverse();
    let mut path = String::new();
    for d in dirs {
        path.push('/');
        path.push_str(&d);
    }
    path.push('/');
    path.push_str(&file);
    Ok(path)
}

/// `unix_device(prefix=None)`: `/dev/<sd|vd|xvd><letter>`.
pub fn unix_device(r: &mut Rng, prefix: Option<&str>) -> String {
    let p = match prefix.filter(|p| !p.is_empty()) {
        Some(p) => p.to_string(),
        None => pick(r, &["sd", "vd", "xvd"]).to_string(),
    };
    format!("/dev/{p}{}", pick_char(r, LOWER).unwrap_or('a'))
}

pub fn unix_partition(r: &mut Rng, prefix: Option<&str>) -> String {
    let d = unix_device(r, prefix);
    format!("{d}{}", r.random_range(0..=9))
}
