//! Misc provider's archive builders `zip()` and `tar()`: real archives of random files,
//! returned as bytes like Python.
//!
//! Faker 6.0.0 checks `isinstance(x, int)` for the three sizes, so the text a template
//! passes always fails with Faker's `ValueError`; only the defaults (one file, 64 KiB) or
//! ints from a typed path get through. Entry names are `pystr() + file_number` and the data
//! is random bytes, as in Faker.
//!
//! `zip` uses the `zip` crate (stored or deflated). `tar` is written by hand in the ustar
//! layout Python's `tarfile` produces for a bare `TarInfo` (mode 0644, uid/gid 0, mtime 0,
//! 10240-byte records); `gz` wraps it in a gzip member made of stored deflate blocks, which
//! any reader accepts (random data does not compress anyway). bzip2/lzma are not available
//! to the engine and fail clearly.

use std::io::Write;

use rand::RngExt;

use super::base::{Rng, randint};
use super::misc::pystr;
use crate::value::Value;

/// Memory guard: Python would build any size; the engine refuses beyond this.
const MAX_TOTAL: i64 = 64 * 1024 * 1024;
/// Guard against pathological entry counts (each entry costs a header and a name).
const MAX_FILES: i64 = 10_000;

/// A Python `int` argument (`bool` is an int in Python); anything else is `None`.
fn py_int(v: Option<&Value>, default: i64) -> Option<i64> {
    match v {
        None => Some(default),
        Some(Value::Int(n)) => Some(*n),
        Some(Value::Bool(b)) => Some(i64::from(*b)),
        Some(_) => None,
    }
}

/// The sizes of the files Faker would write: each at least `min`, summing to `total`.
fn file_sizes(r: &mut Rng, args: &[Value]) -> Result<Vec<usize>, String> {
    let total = py_int(args.first(), 65_536);
    let num = py_int(args.get(1), 1);
    let min = py_int(args.get(2), 4096);
    let (Some(total), Some(num), Some(min)) = (total, num, min) else {
        return Err(positive_error());
    };
    if num <= 0 || min <= 0 || total <= 0 {
        return Err(positive_error());
    }
    if i128::from(min) * i128::from(num) > i128::from(total) {
        return Err(
            "`uncompressed_size` is smaller than the calculated minimum required size".to_string(),
        );
    }
    if total > MAX_TOTAL || num > MAX_FILES {
        return Err(format!(
            "archive too large for the engine (at most {MAX_TOTAL} bytes in {MAX_FILES} files)"
        ));
    }
    let mut remaining = total;
    let mut sizes = Vec::with_capacity(num as usize);
    for n in 1..=num {
        let size = if n < num {
            let max_allowed = remaining - (num - n) * min;
            let s = randint(r, min, max_allowed)?;
            remaining -= s;
            s
        } else {
            remaining
        };
        sizes.push(usize::try_from(size).map_err(|_| positive_error())?);
    }
    Ok(sizes)
}

fn positive_error() -> String {
    "`num_files`, `min_file_size`, and `uncompressed_size` must be positive integers".to_string()
}

fn random_bytes(r: &mut Rng, n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    r.fill(&mut v[..]);
    v
}

fn compression_name(v: Option<&Value>) -> Option<&str> {
    match v {
        Some(Value::Str(s)) => Some(s.as_str()),
        _ => None,
    }
}

fn unavailable(kind: &str) -> String {
    format!("compression '{kind}' is not available in the engine (only gzip/deflate)")
}

/// `zip(uncompressed_size=65536, num_files=1, min_file_size=4096, compression=None)`.
pub fn zip(r: &mut Rng, args: &[Value]) -> Result<Value, String> {
    let sizes = file_sizes(r, args)?;
    let method = match compression_name(args.get(3)) {
        Some(k @ ("bzip2" | "bz2" | "lzma" | "xz")) => return Err(unavailable(k)),
        Some("deflate" | "gzip" | "gz") => zip::CompressionMethod::Deflated,
        _ => zip::CompressionMethod::Stored,
    };
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(method)
        .unix_permissions(0o600);
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let err = |e: &dyn std::fmt::Display| format!("zip: {e}");
    for (i, size) in sizes.into_iter().enumerate() {
        let name = format!("{}{}", pystr(r), i + 1);
        w.start_file(name, options).map_err(|e| err(&e))?;
        w.write_all(&random_bytes(r, size)).map_err(|e| err(&e))?;
    }
    let cursor = w.finish().map_err(|e| err(&e))?;
    Ok(Value::Bytes(cursor.into_inner()))
}

/// `tar(uncompressed_size=65536, num_files=1, min_file_size=4096, compression=None)`.
pub fn tar(r: &mut Rng, args: &[Value]) -> Result<Value, String> {
    let sizes = file_sizes(r, args)?;
    let gzip = match compression_name(args.get(3)) {
        Some("gzip" | "gz") => true,
        Some(k @ ("bzip2" | "bz2" | "lzma" | "xz")) => return Err(unavailable(k)),
        _ => false,
    };
    let mut out = Vec::new();
    for (i, size) in sizes.into_iter().enumerate() {
        let name = format!("{}{}", pystr(r), i + 1);
        out.extend_from_slice(&ustar_header(&name, size));
        out.extend_from_slice(&random_bytes(r, size));
        out.resize(out.len().next_multiple_of(BLOCK), 0);
    }
    // End of archive: two zero blocks, then padding to a whole record (tarfile.close).
    out.resize(out.len() + 2 * BLOCK, 0);
    out.resize(out.len().next_multiple_of(RECORD), 0);
    Ok(Value::Bytes(if gzip { gzip_stored(&out) } else { out }))
}

const BLOCK: usize = 512;
const RECORD: usize = 20 * BLOCK;

/// Writes `value` as zero-padded octal filling `field` except its final NUL (`itn`).
fn octal(field: &mut [u8], value: u64) {
    let digits = field.len() - 1;
    let text = format!("{value:0digits$o}");
    let bytes = text.as_bytes();
    // A value too wide for the field keeps its low digits (cannot happen below 64 MiB).
    let start = bytes.len().saturating_sub(digits);
    field[..digits].copy_from_slice(&bytes[start..]);
    field[digits] = 0;
}

/// The 512-byte ustar header `tarfile` writes for `TarInfo(name)` with `size`.
fn ustar_header(name: &str, size: usize) -> [u8; BLOCK] {
    let mut h = [0u8; BLOCK];
    let n = name.as_bytes();
    let len = n.len().min(100);
    h[..len].copy_from_slice(&n[..len]);
    octal(&mut h[100..108], 0o644);
    octal(&mut h[108..116], 0);
    octal(&mut h[116..124], 0);
    octal(&mut h[124..136], size as u64);
    octal(&mut h[136..148], 0);
    h[156] = b'0';
    h[257..265].copy_from_slice(b"ustar\x0000");
    octal(&mut h[329..337], 0);
    octal(&mut h[337..345], 0);
    // Checksum: computed with its own field as spaces, stored as `%06o\0 `.
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|b| u32::from(*b)).sum();
    let text = format!("{sum:06o}");
    let t = text.as_bytes();
    let start = t.len().saturating_sub(6);
    h[148..154].copy_from_slice(&t[start..]);
    h[154] = 0;
    h[155] = b' ';
    h
}

/// A gzip member (RFC 1952) whose deflate stream is stored blocks of at most 65535 bytes,
/// header as Python's `GzipFile` without a name: mtime now, XFL 2, OS 255.
fn gzip_stored(data: &[u8]) -> Vec<u8> {
    let mtime = u32::try_from(chrono::Utc::now().timestamp()).unwrap_or(0);
    let mut out = Vec::with_capacity(data.len() + data.len() / 65_535 * 5 + 32);
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0]);
    out.extend_from_slice(&mtime.to_le_bytes());
    out.extend_from_slice(&[2, 255]);
    let mut chunks = data.chunks(65_535).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        let last = chunks.peek().is_none();
        let len = chunk.len() as u16;
        out.push(u8::from(last));
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// CRC-32 (IEEE, reflected, polynomial 0xEDB88320) for the gzip trailer.
fn crc32(data: &[u8]) -> u32 {
    let mut table = [0u32; 256];
    for (i, slot) in table.iter_mut().enumerate() {
        let mut c = i as u32;
        for _ in 0..8 {
            c = if c & 1 == 1 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
        *slot = c;
    }
    let mut crc = !0u32;
    for b in data {
        crc = table[((crc ^ u32::from(*b)) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn bytes(v: Value) -> Vec<u8> {
        match v {
            Value::Bytes(b) => b,
            other => panic!("{other:?}"),
        }
    }

    /// Parses a plain tar: (name, size) per entry, checking checksums and padding.
    fn read_tar(data: &[u8]) -> Vec<(String, usize)> {
        assert_eq!(data.len() % RECORD, 0);
        let mut pos = 0;
        let mut entries = Vec::new();
        while data[pos..pos + BLOCK].iter().any(|b| *b != 0) {
            let h = &data[pos..pos + BLOCK];
            assert_eq!(&h[257..265], b"ustar\x0000");
            let field = |a: usize, b: usize| {
                let t = std::str::from_utf8(&h[a..b]).unwrap();
                u64::from_str_radix(t.trim_matches(|c| c == '\0' || c == ' '), 8).unwrap()
            };
            let mut copy = h.to_vec();
            copy[148..156].copy_from_slice(b"        ");
            let sum: u64 = copy.iter().map(|b| u64::from(*b)).sum();
            assert_eq!(field(148, 156), sum);
            assert_eq!(field(100, 108), 0o644);
            let size = field(124, 136) as usize;
            let name_end = h[..100].iter().position(|b| *b == 0).unwrap_or(100);
            entries.push((String::from_utf8(h[..name_end].to_vec()).unwrap(), size));
            pos += BLOCK + size.next_multiple_of(BLOCK);
        }
        entries
    }

    #[test]
    fn zip_opens_with_requested_files() {
        let r = &mut rand::rng();
        let z = bytes(zip(r, &[]).unwrap());
        let mut a = ::zip::ZipArchive::new(std::io::Cursor::new(z)).unwrap();
        assert_eq!(a.len(), 1);
        let mut f = a.by_index(0).unwrap();
        let name = f.name().unwrap().to_string();
        assert!(name.ends_with('1') && name.len() == 21, "{name}");
        let mut buf = Vec::new();
        f.read_to_end(&mut buf).unwrap();
        assert_eq!(buf.len(), 65_536);
        drop(f);

        let args = [Value::Int(256), Value::Int(4), Value::Int(32)];
        let z = bytes(zip(r, &args).unwrap());
        let mut a = ::zip::ZipArchive::new(std::io::Cursor::new(z)).unwrap();
        assert_eq!(a.len(), 4);
        let mut total = 0;
        for i in 0..4 {
            let f = a.by_index(i).unwrap();
            assert!(f.size() >= 32);
            assert!(f.name().unwrap().ends_with(&(i + 1).to_string()));
            total += f.size();
        }
        assert_eq!(total, 256);
        let deflated = [
            Value::Int(1000),
            Value::Int(2),
            Value::Int(10),
            Value::Str("gz".into()),
        ];
        let z = bytes(zip(r, &deflated).unwrap());
        let mut a = ::zip::ZipArchive::new(std::io::Cursor::new(z)).unwrap();
        let mut f = a.by_index(1).unwrap();
        assert_eq!(f.compression(), ::zip::CompressionMethod::Deflated);
        let mut buf = Vec::new();
        f.read_to_end(&mut buf).unwrap();
        assert!(buf.len() >= 10);
    }

    #[test]
    fn tar_is_ustar_with_requested_files() {
        let r = &mut rand::rng();
        let t = bytes(tar(r, &[]).unwrap());
        let e = read_tar(&t);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].1, 65_536);
        assert!(e[0].0.ends_with('1'));
        let args = [Value::Int(256), Value::Int(4), Value::Int(32)];
        let e = read_tar(&bytes(tar(r, &args).unwrap()));
        assert_eq!(e.len(), 4);
        assert_eq!(e.iter().map(|x| x.1).sum::<usize>(), 256);
        assert!(e.iter().all(|x| x.1 >= 32));
    }

    #[test]
    fn tar_gz_is_a_valid_gzip_member() {
        let r = &mut rand::rng();
        let args = [
            Value::Int(100_000),
            Value::Int(3),
            Value::Int(10),
            Value::Str("gz".into()),
        ];
        let g = bytes(tar(r, &args).unwrap());
        assert_eq!(&g[..3], &[0x1f, 0x8b, 8]);
        // Undo the stored blocks by hand and check the trailer.
        let mut pos = 10;
        let mut plain = Vec::new();
        loop {
            let last = g[pos] & 1 == 1;
            let len = u16::from_le_bytes([g[pos + 1], g[pos + 2]]) as usize;
            assert_eq!(!u16::from_le_bytes([g[pos + 3], g[pos + 4]]) as usize, len);
            plain.extend_from_slice(&g[pos + 5..pos + 5 + len]);
            pos += 5 + len;
            if last {
                break;
            }
        }
        let crc = u32::from_le_bytes(g[pos..pos + 4].try_into().unwrap());
        assert_eq!(crc, crc32(&plain));
        assert_eq!(read_tar(&plain).len(), 3);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn template_text_and_bad_sizes_fail_like_faker() {
        let r = &mut rand::rng();
        for f in [zip, tar] {
            assert_eq!(f(r, &[Value::Str("1024".into())]), Err(positive_error()));
            assert!(f(r, &[Value::Int(0)]).is_err());
            assert!(f(r, &[Value::Int(100), Value::Int(2)]).is_err());
            assert!(f(r, &[Value::Int(i64::MAX), Value::Int(1), Value::Int(1)]).is_err());
            let bz = [
                Value::Int(10),
                Value::Int(1),
                Value::Int(1),
                Value::Str("bz2".into()),
            ];
            assert!(f(r, &bz).unwrap_err().contains("not available"));
        }
    }
}
