//! Bundle extraction on arbitrary bytes: never a panic, never a file outside the task folder.
#![no_main]

use libfuzzer_sys::fuzz_target;
use liuma_engine::bundle::extract::{Limits, extract_bundle};

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let zip = dir.path().join("b.zip");
    if std::fs::write(&zip, data).is_err() {
        return;
    }
    let dest = dir.path().join("out").join("task");
    let limits = Limits {
        max_total_bytes: 4 * 1024 * 1024,
        max_entries: 1000,
        max_ratio: 200,
    };
    let _ = extract_bundle(&zip, "task", &dest, limits);
    // Nothing may appear beside the task folder except the zip itself.
    if let Ok(entries) = std::fs::read_dir(dir.path().join("out")) {
        for e in entries.flatten() {
            assert_eq!(e.file_name(), "task", "an entry escaped the task folder");
        }
    }
    if let Ok(entries) = std::fs::read_dir(dir.path()) {
        for e in entries.flatten() {
            let name = e.file_name();
            assert!(
                name == "b.zip" || name == "out",
                "an entry escaped: {name:?}"
            );
        }
    }
});
