//! Bundle verification and reading on arbitrary bytes: never a panic, nothing written beside the
//! zip, every indexed entry readable within the caps.
#![no_main]

use libfuzzer_sys::fuzz_target;
use liuma_engine::bundle::archive::{Bundle, Limits};

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let zip = dir.path().join("bundle.zip");
    if std::fs::write(&zip, data).is_err() {
        return;
    }
    let limits = Limits {
        max_total_bytes: 4 * 1024 * 1024,
        max_entries: 1000,
        max_ratio: 200,
    };
    if let Ok(bundle) = Bundle::open_verified(&zip, "task", limits) {
        assert!(bundle.bytes <= limits.max_total_bytes);
        for rel in ["c/k.json", "k.json", "task/c/k.json"] {
            if let Ok(bytes) = bundle.read(rel) {
                assert!(bundle.contains(rel));
                assert!(bytes.len() as u64 <= limits.max_total_bytes);
            }
        }
    }
    // Nothing may appear beside the zip.
    if let Ok(entries) = std::fs::read_dir(dir.path()) {
        for e in entries.flatten() {
            assert_eq!(e.file_name(), "bundle.zip", "something was written beside the bundle");
        }
    }
});
