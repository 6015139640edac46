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
    archive: Mutex<Archive>,
    /// Relative path (`<collectionId>/<caseId>.json`) → where its entry is.
    index: HashMap<String, Located>,
    /// Small files as verification inflated them, up to [`KEPT_BYTES`] in all, for a bundle
    /// read from its file: a case is then parsed without reading and inflating its entry
    /// again under the archive's lock, and from these very bytes (a read shares them). A
    /// bundle in memory keeps none: each case is inflated again from the download when its
    /// collection reads it ahead, off the task's start; the copies were about 1 ms of the
    /// start of a 500-case task (2 MB of fresh pages written while nothing else ran).
    kept: HashMap<String, bytes::Bytes>,
    /// The bundle's bytes, when it was downloaded into memory.
    memory: Option<std::sync::Arc<Vec<u8>>>,
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

/// Largest file kept in memory after verifying a bundle read from its file, and the most kept
/// in all (typical case files are a few KB; beyond the cap they are inflated again when their
/// case runs).
const KEPT_FILE_BYTES: u64 = 64 * 1024;
const KEPT_BYTES: u64 = 4 * 1024 * 1024;

/// Entries per verifying thread below which one thread does it all.
const ENTRIES_PER_THREAD: usize = 64;
/// Most threads verifying one bundle.
const MAX_THREADS: usize = 4;

/// Where the bundle's bytes are read from.
#[derive(Clone)]
enum Backing {
    File(std::sync::Arc<std::fs::File>),
    /// The download itself, when it was small enough to keep in memory.
    Memory(std::sync::Arc<Vec<u8>>),
}

/// The bundle read with `pread` through a small buffer of its own, or from memory. Unlike a
/// `BufReader` it can be cloned, so verifying threads share the parsed central directory (a
/// cloned `ZipArchive`) and each reads at its own position.
struct SharedFile {
    backing: Backing,
    pos: u64,
    buf: Vec<u8>,
    /// File offset of `buf[0]`.
    buf_at: u64,
}

const SHARED_FILE_BUF: usize = 64 * 1024;

impl SharedFile {
    fn new(backing: Backing) -> SharedFile {
        SharedFile {
            backing,
            pos: 0,
            buf: Vec::new(),
            buf_at: 0,
        }
    }
}

impl Clone for SharedFile {
    fn clone(&self) -> SharedFile {
        SharedFile {
            backing: self.backing.clone(),
            pos: self.pos,
            buf: Vec::new(),
            buf_at: 0,
        }
    }
}

impl Read for SharedFile {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        use std::os::unix::fs::FileExt;
        let file = match &self.backing {
            Backing::File(file) => file,
            Backing::Memory(data) => {
                let from = usize::try_from(self.pos).map_or(data.len(), |p| p.min(data.len()));
                let n = (data.len() - from).min(out.len());
                out[..n].copy_from_slice(&data[from..from + n]);
                self.pos += n as u64;
                return Ok(n);
            }
        };
        let in_buf = self.pos >= self.buf_at && self.pos < self.buf_at + self.buf.len() as u64;
        if !in_buf {
            if out.len() >= SHARED_FILE_BUF {
                let n = file.read_at(out, self.pos)?;
                self.pos += n as u64;
                return Ok(n);
            }
            self.buf.resize(SHARED_FILE_BUF, 0);
            let n = file.read_at(&mut self.buf, self.pos)?;
            self.buf.truncate(n);
            self.buf_at = self.pos;
            if n == 0 {
                return Ok(0);
            }
        }
        let from = usize::try_from(self.pos - self.buf_at).unwrap_or(usize::MAX);
        let available = &self.buf[from.min(self.buf.len())..];
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl std::io::Seek for SharedFile {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        let target = match to {
            std::io::SeekFrom::Start(n) => Some(n),
            std::io::SeekFrom::Current(d) => self.pos.checked_add_signed(d),
            std::io::SeekFrom::End(d) => {
                let len = match &self.backing {
                    Backing::File(file) => file.metadata()?.len(),
                    Backing::Memory(data) => data.len() as u64,
                };
                len.checked_add_signed(d)
            }
        };
        self.pos = target.ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek before the start")
        })?;
        Ok(self.pos)
    }
}

type Archive = zip::ZipArchive<SharedFile>;

/// One verified file.
struct Verified {
    key: String,
    at: Located,
    kept: Option<bytes::Bytes>,
}

/// A verified entry: its index in the archive, its size, and for a stored or deflated entry
/// where its raw data lies (read directly from a bundle in memory).
#[derive(Debug, Clone, Copy)]
struct Located {
    index: usize,
    size: u64,
    raw: Option<RawData>,
}

#[derive(Debug, Clone, Copy)]
struct RawData {
    start: u64,
    len: u64,
    deflated: bool,
    crc: u32,
}

/// What the verifying threads share: the bytes produced so far (the total cap holds across
/// threads), the bytes kept (at most about `kept_cap`: two threads may each take the last
/// room) and whether one of them has failed (the others stop).
struct Progress {
    total: std::sync::atomic::AtomicU64,
    kept: std::sync::atomic::AtomicU64,
    /// [`KEPT_BYTES`] for a bundle read from its file, 0 for one in memory.
    kept_cap: u64,
    failed: std::sync::atomic::AtomicBool,
}

/// Reads one entry's data as stored, inflating it with `inflater` (reset per entry, so a
/// bundle of many small files does not set one up per file), checking its CRC and size and
/// the caps, and keeping its bytes when `keep` allows.
struct EntryCheck<'a> {
    name: &'a str,
    limits: &'a Limits,
    progress: &'a Progress,
    compressed: u64,
    produced: u64,
    crc: crc32fast::Hasher,
    keep: Option<Vec<u8>>,
}

impl EntryCheck<'_> {
    fn take(&mut self, bytes: &[u8]) -> Result<(), ExtractError> {
        use std::sync::atomic::Ordering;
        self.crc.update(bytes);
        if let Some(k) = self.keep.as_mut() {
            // The declared size may lie; what is kept stays within the caps anyway.
            if (k.len() + bytes.len()) as u64 <= KEPT_FILE_BYTES {
                k.extend_from_slice(bytes);
            } else {
                self.keep = None;
            }
        }
        let n = bytes.len() as u64;
        self.produced += n;
        let total = self.progress.total.fetch_add(n, Ordering::Relaxed) + n;
        if total > self.limits.max_total_bytes {
            return Err(ExtractError::Refused(format!(
                "more than {} bytes uncompressed ([Agent] max-bundle-mb)",
                self.limits.max_total_bytes
            )));
        }
        if self.produced > 1024 * 1024 && self.produced / self.compressed > self.limits.max_ratio {
            return Err(ExtractError::Refused(format!(
                "entry {:?} expands more than {}-fold (a zip bomb?)",
                self.name, self.limits.max_ratio
            )));
        }
        Ok(())
    }

    fn corrupt(&self, what: impl std::fmt::Display) -> ExtractError {
        ExtractError::Corrupt(format!("entry {:?}: {what}", self.name))
    }
}

/// Buffers of one verifying thread, reused for every entry.
struct Scratch {
    input: Vec<u8>,
    output: Vec<u8>,
    inflater: flate2::Decompress,
}

impl Scratch {
    fn new() -> Scratch {
        Scratch {
            input: vec![0; 64 * 1024],
            output: vec![0; 64 * 1024],
            inflater: flate2::Decompress::new(false),
        }
    }
}

/// Inflates (or copies, when stored) the raw data of an entry through `check`.
fn read_raw(
    raw: &mut impl Read,
    deflated: bool,
    check: &mut EntryCheck<'_>,
    s: &mut Scratch,
) -> Result<(), ExtractError> {
    if !deflated {
        loop {
            let n = raw.read(&mut s.input).map_err(|e| check.corrupt(e))?;
            if n == 0 {
                return Ok(());
            }
            check.take(&s.input[..n])?;
        }
    }
    s.inflater.reset(false);
    let (mut start, mut end, mut eof) = (0, 0, false);
    loop {
        if start == end && !eof {
            end = raw.read(&mut s.input).map_err(|e| check.corrupt(e))?;
            start = 0;
            eof = end == 0;
        }
        let (before_in, before_out) = (s.inflater.total_in(), s.inflater.total_out());
        let flush = if eof {
            flate2::FlushDecompress::Finish
        } else {
            flate2::FlushDecompress::None
        };
        let status = s
            .inflater
            .decompress(&s.input[start..end], &mut s.output, flush)
            .map_err(|e| check.corrupt(format!("invalid deflate data ({e})")))?;
        let consumed = usize::try_from(s.inflater.total_in() - before_in).unwrap_or(usize::MAX);
        let made = usize::try_from(s.inflater.total_out() - before_out).unwrap_or(usize::MAX);
        start = (start + consumed).min(end);
        check.take(&s.output[..made])?;
        match status {
            flate2::Status::StreamEnd => return Ok(()),
            _ if eof && consumed == 0 && made == 0 => {
                return Err(check.corrupt("the deflate data ends early"));
            }
            _ => {}
        }
    }
}

/// Entries a verifying thread claims at a time: few enough that the threads finish together
/// whatever the entries' sizes (fixed halves left one thread with all of a bundle's large
/// files), enough that claiming costs nothing.
const CLAIM: usize = 16;

/// Verifies entries of `archive`, claiming [`CLAIM`] at a time from `next` until all
/// `entries` are taken or a thread has failed; `Err` carries the index of the failing entry.
fn verify_claimed(
    mut archive: Archive,
    next: &std::sync::atomic::AtomicUsize,
    entries: usize,
    task_id: &str,
    limits: &Limits,
    progress: &Progress,
) -> Result<Vec<Verified>, (usize, ExtractError)> {
    use std::sync::atomic::Ordering;
    let mut out = Vec::new();
    let mut scratch = Scratch::new();
    loop {
        let start = next.fetch_add(CLAIM, Ordering::Relaxed);
        if start >= entries {
            return Ok(out);
        }
        for i in start..(start + CLAIM).min(entries) {
            if progress.failed.load(Ordering::Relaxed) {
                return Ok(out);
            }
            let room = progress
                .kept_cap
                .saturating_sub(progress.kept.load(Ordering::Relaxed));
            let verified = verify_entry(
                &mut archive,
                i,
                task_id,
                limits,
                &mut scratch,
                progress,
                room,
            )
            .map_err(|e| {
                progress.failed.store(true, Ordering::Relaxed);
                (i, e)
            })?;
            if let Some(v) = verified {
                let kept = v.kept.as_ref().map_or(0, |k| k.len() as u64);
                progress.kept.fetch_add(kept, Ordering::Relaxed);
                out.push(v);
            }
        }
    }
}

/// Verifies entry `i`: `None` for a directory or the task's own folder.
fn verify_entry(
    archive: &mut Archive,
    i: usize,
    task_id: &str,
    limits: &Limits,
    scratch: &mut Scratch,
    progress: &Progress,
    kept_room: u64,
) -> Result<Option<Verified>, ExtractError> {
    let mut entry = archive
        .by_index_raw(i)
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
        return Ok(None);
    };
    if entry.is_dir() || name.ends_with('/') {
        return Ok(None);
    }
    let size = entry.size();
    let keep = (size <= KEPT_FILE_BYTES && size <= kept_room)
        .then(|| Vec::with_capacity(usize::try_from(size).unwrap_or(0)));
    let mut check = EntryCheck {
        name: &name,
        limits,
        progress,
        compressed: entry.compressed_size().max(1),
        produced: 0,
        crc: crc32fast::Hasher::new(),
        keep,
    };
    let expected_crc = entry.crc32();
    let mut raw = None;
    use zip::CompressionMethod::{Deflated, Stored};
    match (entry.encrypted(), entry.compression()) {
        (false, method @ (Stored | Deflated)) => {
            raw = entry.data_start().map(|start| RawData {
                start,
                len: entry.compressed_size(),
                deflated: method == Deflated,
                crc: expected_crc,
            });
            read_raw(&mut entry, method == Deflated, &mut check, scratch)?;
        }
        _ => {
            // Anything else (encrypted, another method) through the zip crate, which names
            // what it cannot read; its output is read like a stored entry.
            drop(entry);
            let mut entry = archive
                .by_index(i)
                .map_err(|e| ExtractError::Corrupt(e.to_string()))?;
            read_raw(&mut entry, false, &mut check, scratch)?;
        }
    }
    if check.produced != size {
        return Err(check.corrupt(format!(
            "{} bytes, the directory says {size}",
            check.produced
        )));
    }
    if check.crc.clone().finalize() != expected_crc {
        return Err(check.corrupt("Invalid checksum"));
    }
    let key = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    Ok(Some(Verified {
        key,
        at: Located {
            index: i,
            size: check.produced,
            raw,
        },
        kept: check.keep.map(bytes::Bytes::from),
    }))
}

/// The machine's cores, read once: `available_parallelism` reads the cgroup's files on
/// every call, a dozen system calls at each task's start.
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from))
}

impl Bundle {
    /// Opens `zip_path` and verifies every entry (names, kinds, CRCs, caps), on up to
    /// [`MAX_THREADS`] threads for a bundle of many files: verification is all of a task's
    /// start-up and nothing else runs meanwhile. Blocking.
    pub fn open_verified(
        zip_path: &Path,
        task_id: &str,
        limits: Limits,
    ) -> Result<Bundle, ExtractError> {
        let file = std::fs::File::open(zip_path).map_err(|e| disk(zip_path, e))?;
        Self::verify(
            zip_path,
            Backing::File(std::sync::Arc::new(file)),
            task_id,
            limits,
        )
    }

    /// [`Bundle::open_verified`] for a bundle downloaded into memory: `data` is what
    /// `zip_path` holds (or will, once written), and the bundle reads its files from `data`.
    pub fn verified_in_memory(
        zip_path: &Path,
        data: std::sync::Arc<Vec<u8>>,
        task_id: &str,
        limits: Limits,
    ) -> Result<Bundle, ExtractError> {
        Self::verify(zip_path, Backing::Memory(data), task_id, limits)
    }

    fn verify(
        zip_path: &Path,
        backing: Backing,
        task_id: &str,
        limits: Limits,
    ) -> Result<Bundle, ExtractError> {
        let memory = match &backing {
            Backing::Memory(data) => Some(data.clone()),
            Backing::File(_) => None,
        };
        let archive = zip::ZipArchive::new(SharedFile::new(backing))
            .map_err(|e| ExtractError::Corrupt(e.to_string()))?;
        let entries = archive.len();
        if entries > limits.max_entries {
            return Err(ExtractError::Refused(format!(
                "{entries} entries, more than the limit of {} ([Agent] max-bundle-entries)",
                limits.max_entries
            )));
        }
        let threads = cores()
            .min(MAX_THREADS)
            .min(entries.div_ceil(ENTRIES_PER_THREAD))
            .max(1);
        let progress = Progress {
            total: std::sync::atomic::AtomicU64::new(0),
            kept: std::sync::atomic::AtomicU64::new(0),
            kept_cap: if memory.is_some() { 0 } else { KEPT_BYTES },
            failed: std::sync::atomic::AtomicBool::new(false),
        };
        let next = std::sync::atomic::AtomicUsize::new(0);
        let verify_some =
            |part: Archive| verify_claimed(part, &next, entries, task_id, &limits, &progress);
        let results: Vec<Result<Vec<Verified>, (usize, ExtractError)>> = if threads == 1 {
            vec![verify_some(archive.clone())]
        } else {
            // This thread verifies too: one thread fewer to start and wake.
            std::thread::scope(|scope| {
                let handles: Vec<_> = (1..threads)
                    .map(|_| {
                        let part = archive.clone();
                        scope.spawn(|| verify_some(part))
                    })
                    .collect();
                let first = verify_some(archive.clone());
                std::iter::once(first)
                    .chain(handles.into_iter().map(|h| {
                        h.join().unwrap_or_else(|_| {
                            Err((
                                0,
                                ExtractError::Corrupt("a verifying thread panicked".into()),
                            ))
                        })
                    }))
                    .collect()
            })
        };
        tracing::debug!(
            threads,
            entries_per_thread = ?results
                .iter()
                .map(|r| r.as_ref().map_or(0, Vec::len))
                .collect::<Vec<_>>(),
            "bundle entries verified"
        );
        // The first failing entry in the archive's order is the one reported.
        let mut first_error: Option<(usize, ExtractError)> = None;
        let mut verified = Vec::with_capacity(entries);
        for r in results {
            match r {
                Ok(part) => verified.extend(part),
                Err((i, e)) => {
                    if first_error.as_ref().is_none_or(|(j, _)| i < *j) {
                        first_error = Some((i, e));
                    }
                }
            }
        }
        if let Some((_, e)) = first_error {
            return Err(e);
        }
        // The threads took their entries in turns: back to the archive's order, which decides
        // which of two entries of one name is kept.
        verified.sort_unstable_by_key(|v| v.at.index);
        let mut index = HashMap::with_capacity(verified.len());
        let mut kept = HashMap::new();
        let mut total = 0;
        for v in verified {
            total += v.at.size;
            // A name repeated in the archive: the last entry wins, in both maps.
            match v.kept {
                Some(k) => kept.insert(v.key.clone(), k),
                None => kept.remove(&v.key),
            };
            index.insert(v.key, v.at);
        }
        Ok(Bundle {
            path: zip_path.to_path_buf(),
            files: index.len(),
            bytes: total,
            archive: Mutex::new(archive),
            index,
            kept,
            memory,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The uncompressed size of `rel`, when the bundle holds it.
    pub fn size_of(&self, rel: &str) -> Option<u64> {
        self.index.get(rel).map(|at| at.size)
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

    /// The bytes of `rel`: the kept bytes (shared), or inflated again (blocking); the error
    /// says what is wrong.
    pub fn read(&self, rel: &str) -> Result<bytes::Bytes, String> {
        if let Some(bytes) = self.kept.get(rel) {
            return Ok(bytes.clone());
        }
        let Some(&at) = self.index.get(rel) else {
            return Err(format!(
                "用例数据文件不存在: {rel} is not in the bundle {}",
                self.path.display()
            ));
        };
        if let (Some(data), Some(raw)) = (&self.memory, at.raw) {
            return read_from_memory(data, raw, at.size)
                .map(bytes::Bytes::from)
                .map_err(|e| {
                    format!(
                        "用例数据文件读取失败: {rel} in {}: {e}",
                        self.path.display()
                    )
                });
        }
        let mut archive = self.archive.lock().unwrap_or_else(|p| p.into_inner());
        let mut entry = archive.by_index(at.index).map_err(|e| {
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
        Ok(out.into())
    }
}

/// A verified entry that was not kept (a large file, or beyond the kept bytes' cap), inflated
/// again from the bundle in memory and checked against its CRC once more.
fn read_from_memory(data: &[u8], raw: RawData, size: u64) -> Result<Vec<u8>, String> {
    thread_local! {
        static INFLATER: std::cell::RefCell<flate2::Decompress> =
            std::cell::RefCell::new(flate2::Decompress::new(false));
    }
    let input = usize::try_from(raw.start)
        .ok()
        .zip(usize::try_from(raw.len).ok())
        .and_then(|(start, len)| data.get(start..start.checked_add(len)?))
        .ok_or("the entry lies outside the bundle")?;
    let size = usize::try_from(size).map_err(|_| "the entry is too large")?;
    let out = if raw.deflated {
        // One byte of room beyond the size: an entry that inflates to more fails below
        // instead of stopping at the size.
        let mut out = Vec::with_capacity(size.saturating_add(1));
        let status = INFLATER.with_borrow_mut(|inflater| {
            inflater.reset(false);
            inflater.decompress_vec(input, &mut out, flate2::FlushDecompress::Finish)
        });
        match status {
            Ok(flate2::Status::StreamEnd) if out.len() == size => out,
            Ok(_) => return Err(format!("the entry does not inflate to its {size} bytes")),
            Err(e) => return Err(format!("invalid deflate data ({e})")),
        }
    } else {
        input.to_vec()
    };
    if out.len() != size || crc32fast::hash(&out) != raw.crc {
        return Err("Invalid checksum".into());
    }
    Ok(out)
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

    /// From the file, small files come from what verification kept and large ones are
    /// inflated again; in memory every file is inflated again; all read back exactly, and the
    /// kept bytes stay within their caps.
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
        // In memory nothing is kept: both files are inflated again from the download.
        let data = std::sync::Arc::new(std::fs::read(&path).expect("bytes"));
        let m = Bundle::verified_in_memory(&path, data, "t1", limits).expect("verified");
        assert!(m.kept.is_empty());
        assert_eq!(m.read("c1/k1.json").expect("small"), small);
        assert_eq!(m.read("c1/big.bin").expect("large"), large);
        assert!(m.read("c1/none.json").is_err());
    }

    /// The bundle verified from its file and from its bytes in memory, in that order.
    fn both_ways(path: &Path, task_id: &str, limits: Limits) -> [Result<Bundle, ExtractError>; 2] {
        let data = std::sync::Arc::new(std::fs::read(path).expect("bytes"));
        [
            Bundle::open_verified(path, task_id, limits),
            Bundle::verified_in_memory(path, data, task_id, limits),
        ]
    }

    /// Reading from memory checks the entry again: other bytes where the entry was, or a
    /// size or CRC that does not match, are an error, never other content.
    #[test]
    fn an_entry_read_from_memory_is_checked_again() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("bundle.zip");
        let body = format!("{{\"caseId\":\"k\",\"pad\":\"{}\"}}", "xy".repeat(500)).into_bytes();
        for method in [
            zip::CompressionMethod::Stored,
            zip::CompressionMethod::Deflated,
        ] {
            write_zip(&path, &[("/t1/c/k.json".into(), body.clone(), method)]);
            let data = std::fs::read(&path).expect("bytes");
            let b =
                Bundle::verified_in_memory(&path, std::sync::Arc::new(data.clone()), "t1", roomy())
                    .expect("verified");
            let at = b.index["c/k.json"];
            let raw = at.raw.expect("raw data located");
            assert_eq!(read_from_memory(&data, raw, at.size).expect("read"), body);
            let mut damaged = data.clone();
            damaged[usize::try_from(raw.start + raw.len / 2).expect("offset")] ^= 0x55;
            assert!(
                read_from_memory(&damaged, raw, at.size).is_err(),
                "{method:?}"
            );
            assert!(
                read_from_memory(&data, raw, at.size - 1).is_err(),
                "{method:?}"
            );
            let wrong_crc = RawData {
                crc: raw.crc ^ 1,
                ..raw
            };
            assert!(
                read_from_memory(&data, wrong_crc, at.size).is_err(),
                "{method:?}"
            );
            let outside = RawData {
                start: data.len() as u64,
                ..raw
            };
            assert!(
                read_from_memory(&data, outside, at.size).is_err(),
                "{method:?}"
            );
        }
    }

    fn write_zip(path: &Path, files: &[(String, Vec<u8>, zip::CompressionMethod)]) {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::fs::File::create(path).expect("zip"));
        for (name, bytes, method) in files {
            let opts = zip::write::SimpleFileOptions::default().compression_method(*method);
            zip.start_file(name.as_str(), opts).expect("entry");
            zip.write_all(bytes).expect("write");
        }
        zip.finish().expect("finish");
    }

    fn roomy() -> Limits {
        Limits {
            max_entries: 10_000,
            max_total_bytes: 100 << 20,
            max_ratio: 1000,
        }
    }

    /// Enough files for several verifying threads: every one reads back exactly, stored or
    /// deflated, kept or not, and the totals add up.
    #[test]
    fn a_bundle_of_many_files_verifies_on_threads_and_reads_back() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("bundle.zip");
        let files: Vec<(String, Vec<u8>, zip::CompressionMethod)> = (0..300u32)
            .map(|i| {
                let body: Vec<u8> = (0..(i * 37 % 5000))
                    .map(|j| (j * 7 + i) as u8 % 64 + 32)
                    .collect();
                let method = if i % 3 == 0 {
                    zip::CompressionMethod::Stored
                } else {
                    zip::CompressionMethod::Deflated
                };
                (format!("/t1/c{}/k{i}.json", i % 4), body, method)
            })
            .collect();
        write_zip(&path, &files);
        for b in both_ways(&path, "t1", roomy()) {
            let b = b.expect("verified");
            assert_eq!(b.files, 300);
            let total: usize = files.iter().map(|(_, body, _)| body.len()).sum();
            assert_eq!(b.bytes, total as u64);
            for (name, body, _) in &files {
                let rel = name.trim_start_matches("/t1/");
                assert_eq!(&b.read(rel).expect("read"), body, "{rel}");
            }
        }
    }

    /// A damaged entry fails the bundle as corrupt (downloading again may help), whether it
    /// was stored (its CRC) or deflated (its data or CRC), and wherever it is in the archive.
    #[test]
    fn a_damaged_entry_fails_verification_as_corrupt() {
        for method in [
            zip::CompressionMethod::Stored,
            zip::CompressionMethod::Deflated,
        ] {
            for damaged in [0usize, 150, 299] {
                let dir = tempfile::tempdir().expect("dir");
                let path = dir.path().join("bundle.zip");
                let files: Vec<(String, Vec<u8>, zip::CompressionMethod)> = (0..300)
                    .map(|i| {
                        let body = format!("{{\"case\":{i},\"pad\":\"{}\"}}", "x".repeat(200))
                            .into_bytes();
                        (format!("/t1/c/k{i:03}.json"), body, method)
                    })
                    .collect();
                write_zip(&path, &files);
                // Flip a byte in the middle of the damaged entry's data.
                let mut bytes = std::fs::read(&path).expect("read");
                let name = format!("c/k{damaged:03}.json");
                let at = bytes
                    .windows(name.len())
                    .position(|w| w == name.as_bytes())
                    .expect("local header")
                    + name.len()
                    + 20;
                bytes[at] ^= 0x55;
                std::fs::write(&path, &bytes).expect("write");
                for verified in both_ways(&path, "t1", roomy()) {
                    match verified {
                        Err(e @ ExtractError::Corrupt(_)) => {
                            assert!(e.is_retryable());
                            assert!(e.to_string().contains(&name), "{e}");
                        }
                        other => panic!("{method:?} entry {damaged}: {other:?}"),
                    }
                }
            }
        }
    }

    /// The total cap holds across the verifying threads.
    #[test]
    fn the_total_cap_holds_across_threads() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("bundle.zip");
        let files: Vec<(String, Vec<u8>, zip::CompressionMethod)> = (0..256)
            .map(|i| {
                (
                    format!("/t1/c/k{i}.json"),
                    vec![b'a'; 10_000],
                    zip::CompressionMethod::Deflated,
                )
            })
            .collect();
        write_zip(&path, &files);
        let limits = Limits {
            max_total_bytes: 1_000_000,
            ..roomy()
        };
        for verified in both_ways(&path, "t1", limits) {
            match verified {
                Err(ExtractError::Refused(m)) => assert!(m.contains("max-bundle-mb"), "{m}"),
                other => panic!("{other:?}"),
            }
        }
    }

    /// A name repeated in the archive reads as its last entry, kept or not.
    #[test]
    fn a_repeated_name_reads_as_its_last_entry() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("bundle.zip");
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).expect("zip"));
        let opts = zip::write::SimpleFileOptions::default();
        use std::io::Write;
        zip.start_file("/t1/c/k.json", opts).expect("entry");
        zip.write_all(b"first").expect("write");
        // The writer refuses a duplicate name; a second spelling maps to the same file.
        zip.start_file("/t1/./c/k.json", opts).expect("entry");
        zip.write_all(&vec![b'z'; 100_000]).expect("write");
        zip.finish().expect("finish");
        for b in both_ways(&path, "t1", roomy()) {
            let b = b.expect("verified");
            assert_eq!(b.read("c/k.json").expect("read"), vec![b'z'; 100_000]);
        }
    }
}
