//! Screenshots (web-cases §5): the id the platform expects (`<yyyyMMdd>_<uuid>`, exactly one
//! underscore), lossless recompression, and an atomic write to `image/<taskId>/<id>.png`
//! (Q19: the uploader never sees a half-written file). The agent is told about every saved
//! file through a [`ScreenshotSink`] and uploads it from there.

use std::io::Cursor;
use std::path::{Path, PathBuf};

/// Who hears about saved screenshots (the agent: engine store + uploader).
pub trait ScreenshotSink: Send + Sync {
    /// `id.png` was written to `path` for `task_id`.
    fn saved(&self, task_id: &str, id: &str, path: &Path);
}

/// A new screenshot id: the engine host's local date, one `_`, a UUID (hyphens, no `_`).
pub fn new_id() -> String {
    format!(
        "{}_{}",
        chrono::Local::now().format("%Y%m%d"),
        uuid::Uuid::new_v4().hyphenated()
    )
}

/// Whether `name` (without `.png`) looks like a screenshot id this engine wrote.
pub fn is_id(name: &str) -> bool {
    let mut parts = name.splitn(2, '_');
    matches!((parts.next(), parts.next()), (Some(d), Some(u))
        if d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()) && uuid::Uuid::parse_str(u).is_ok() && !u.contains('_'))
}

/// Re-encodes a PNG losslessly and as small as practical: opaque RGBA becomes RGB, images of
/// at most 256 colours become indexed, then maximum deflate with adaptive filtering. The
/// original is kept when it is smaller or cannot be decoded (it is still a valid upload).
pub fn compress(png_bytes: &[u8]) -> Vec<u8> {
    match recompress(png_bytes) {
        Some(out) if out.len() < png_bytes.len() => out,
        _ => png_bytes.to_vec(),
    }
}

fn recompress(input: &[u8]) -> Option<Vec<u8>> {
    let mut decoder = png::Decoder::new(Cursor::new(input));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().ok()?;
    let mut buf = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut buf).ok()?;
    buf.truncate(info.buffer_size());
    let (w, h) = (info.width, info.height);
    let channels = match info.color_type {
        png::ColorType::Rgba => 4,
        png::ColorType::Rgb => 3,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Grayscale => 1,
        png::ColorType::Indexed => return None,
    };
    // RGBA/RGB pixels as RGBA quadruples for the colour analysis.
    let rgba: Vec<[u8; 4]> = buf
        .chunks_exact(channels)
        .map(|p| match channels {
            4 => [p[0], p[1], p[2], p[3]],
            3 => [p[0], p[1], p[2], 255],
            2 => [p[0], p[0], p[0], p[1]],
            _ => [p[0], p[0], p[0], 255],
        })
        .collect();
    let opaque = rgba.iter().all(|p| p[3] == 255);
    let mut palette: Vec<[u8; 4]> = Vec::new();
    let mut index = std::collections::HashMap::new();
    let mut indexed = Vec::with_capacity(rgba.len());
    for p in &rgba {
        let next = palette.len();
        let i = *index.entry(*p).or_insert(next);
        if i == next {
            if next == 256 {
                palette.clear();
                break;
            }
            palette.push(*p);
        }
        indexed.push(i as u8);
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::High);
        let data: Vec<u8> = if !palette.is_empty() && indexed.len() == rgba.len() {
            enc.set_color(png::ColorType::Indexed);
            enc.set_palette(
                palette
                    .iter()
                    .flat_map(|p| [p[0], p[1], p[2]])
                    .collect::<Vec<u8>>(),
            );
            if !opaque {
                enc.set_trns(palette.iter().map(|p| p[3]).collect::<Vec<u8>>());
            }
            // Indexed images compress best unfiltered.
            enc.set_filter(png::Filter::NoFilter);
            indexed
        } else if opaque {
            enc.set_color(png::ColorType::Rgb);
            enc.set_filter(png::Filter::Adaptive);
            rgba.iter().flat_map(|p| [p[0], p[1], p[2]]).collect()
        } else {
            enc.set_color(png::ColorType::Rgba);
            enc.set_filter(png::Filter::Adaptive);
            rgba.iter().flat_map(|p| *p).collect()
        };
        let mut writer = enc.write_header().ok()?;
        writer.write_image_data(&data).ok()?;
        writer.finish().ok()?;
    }
    Some(out)
}

/// Writes `bytes` to `dir/<id>.png` through a temporary file and a rename.
pub fn write_atomic(dir: &Path, id: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{id}.png.tmp"));
    let path = dir.join(format!("{id}.png"));
    {
        use std::io::Write as _;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, &path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })?;
    Ok(path)
}

/// Compresses and stores a screenshot for `task_id`; returns its id. Runs the CPU work off the
/// async threads.
pub async fn save(
    image_dir: &Path,
    task_id: &str,
    png_bytes: Vec<u8>,
    sink: Option<&dyn ScreenshotSink>,
) -> Result<String, String> {
    if !crate::ids::is_safe_path_component(task_id) {
        return Err(format!("task id {task_id:?} cannot name a folder"));
    }
    let dir = image_dir.join(task_id);
    let id = new_id();
    let id2 = id.clone();
    let path = tokio::task::spawn_blocking(move || {
        let small = compress(&png_bytes);
        write_atomic(&dir, &id2, &small)
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())?;
    if let Some(s) = sink {
        s.saved(task_id, &id, &path);
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_png(w: u32, h: u32, colours: u8) -> Vec<u8> {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgba);
        enc.set_compression(png::Compression::Fast);
        let mut data = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let c = ((x / 7 + y / 5) % u32::from(colours)) as u8;
                data.extend_from_slice(&[c.wrapping_mul(40), 200, 255 - c, 255]);
            }
        }
        let mut wr = enc.write_header().expect("header");
        wr.write_image_data(&data).expect("data");
        wr.finish().expect("finish");
        out
    }

    fn pixels(png_bytes: &[u8]) -> Vec<u8> {
        let mut d = png::Decoder::new(Cursor::new(png_bytes));
        d.set_transformations(png::Transformations::EXPAND);
        let mut r = d.read_info().expect("info");
        let mut buf = vec![0; r.output_buffer_size().expect("size")];
        let info = r.next_frame(&mut buf).expect("frame");
        buf.truncate(info.buffer_size());
        // Normalise to RGB for comparison.
        match info.color_type {
            png::ColorType::Rgba => buf
                .chunks_exact(4)
                .flat_map(|p| [p[0], p[1], p[2]])
                .collect(),
            _ => buf,
        }
    }

    #[test]
    fn recompression_is_lossless_and_smaller() {
        let original = sample_png(300, 200, 9);
        let small = compress(&original);
        assert!(
            small.len() < original.len(),
            "{} vs {}",
            small.len(),
            original.len()
        );
        assert_eq!(pixels(&original), pixels(&small));
    }

    #[test]
    fn ids_have_one_underscore() {
        let id = new_id();
        assert_eq!(id.matches('_').count(), 1);
        assert!(is_id(&id));
        assert!(!is_id("2024_x"));
    }

    #[test]
    fn undecodable_input_is_kept() {
        assert_eq!(compress(b"not a png"), b"not a png".to_vec());
    }
}
