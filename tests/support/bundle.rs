//! Task bundles as the platform zips them (spec §6), hostile archives, and
//! builders for the task objects that reference them (spec §5).
//!
//! Java's `ZipOutputStream` writes to a stream, so every entry carries a
//! data descriptor (flag 0x08); `ZipWriter::new_stream` does the same.
//! Entry names start with `/`, which is exactly what trips
//! `enclosed_name()` in the zip crate.

use std::io::Write;

use serde_json::{Value, json};
use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Deflated)
}

/// Writes entries in order; a name ending in `/` becomes a (deflated, empty)
/// directory entry as Java writes them.
fn write_zip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = ZipWriter::new_stream(Vec::new());
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), deflated())
            .expect("zip entry header");
        zip.write_all(bytes).expect("zip entry data");
    }
    zip.finish().expect("zip central directory").into_inner()
}

/// A bundle for `task_id` holding `(collection_id, case_id, case_json_text)`
/// files, laid out as `/{taskId}/{collectionId}/{caseId}.json` with the
/// directory entries included. A case listed twice in one collection is one
/// file, as on the platform's disk (the second write overwrites the first).
pub fn make_bundle(task_id: &str, cases: &[(&str, &str, &str)]) -> Vec<u8> {
    let mut entries: Vec<(String, Vec<u8>)> = vec![(format!("/{task_id}/"), Vec::new())];
    for (collection, case, text) in cases {
        let dir = format!("/{task_id}/{collection}/");
        if !entries.iter().any(|(n, _)| *n == dir) {
            entries.push((dir.clone(), Vec::new()));
        }
        let file = format!("{dir}{case}.json");
        match entries.iter_mut().find(|(n, _)| *n == file) {
            Some(e) => e.1 = text.as_bytes().to_vec(),
            None => entries.push((file, text.as_bytes().to_vec())),
        }
    }
    write_zip(&entries)
}

/// A zip with exactly the given entries, names unchecked (e.g. `/../evil.txt`,
/// `../../x`, `C:\\x`).
pub fn zip_with_entries(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let owned: Vec<(String, Vec<u8>)> = entries
        .iter()
        .map(|(n, b)| (n.to_string(), b.to_vec()))
        .collect();
    write_zip(&owned)
}

/// A zip with one entry named `name`.
pub fn zip_with_entry(name: &str, bytes: &[u8]) -> Vec<u8> {
    zip_with_entries(&[(name, bytes)])
}

/// The first half of `zip`: no central directory, a cut entry.
pub fn truncated_zip(zip: &[u8]) -> Vec<u8> {
    zip[..zip.len() / 2].to_vec()
}

/// One entry of `megabytes` MiB of zeros (a few KiB compressed).
pub fn zip_bomb(name: &str, megabytes: usize) -> Vec<u8> {
    let mut zip = ZipWriter::new_stream(Vec::new());
    let opts = deflated().large_file(megabytes >= 4096);
    zip.start_file(name, opts).expect("zip entry header");
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..megabytes {
        zip.write_all(&chunk).expect("zip entry data");
    }
    zip.finish().expect("zip central directory").into_inner()
}

/// One symlink entry `name` → `target` (e.g. `/{taskId}/c/k.json` → `/etc/passwd`).
pub fn symlink_zip(name: &str, target: &str) -> Vec<u8> {
    let mut zip = ZipWriter::new_stream(Vec::new());
    zip.add_symlink(name, target, deflated())
        .expect("zip symlink");
    zip.finish().expect("zip central directory").into_inner()
}

/// The `data` of task/fetch for a normal (bundle) task: `taskType` `run`,
/// relative `downloadUrl`, `maxThread` 1, `reRun` false, one collection entry
/// per distinct collection id (first-seen order), `index` numbered from 1
/// within each collection, every null member present.
pub fn normal_task(task_id: &str, cases: &[(&str, &str, &str)]) -> Value {
    let mut collections: Vec<(String, Vec<Value>)> = Vec::new();
    for (collection, case, case_type) in cases {
        let pos = match collections.iter().position(|(c, _)| c == collection) {
            Some(p) => p,
            None => {
                collections.push((collection.to_string(), Vec::new()));
                collections.len() - 1
            }
        };
        let list = &mut collections[pos].1;
        let index = list.len() + 1;
        list.push(json!({"index": index, "caseId": case, "caseType": case_type}));
    }
    let list: Vec<Value> = collections
        .into_iter()
        .map(|(id, cases)| json!({"collectionId": id, "deviceId": null, "testCaseList": cases}))
        .collect();
    json!({
        "taskId": task_id,
        "taskType": "run",
        "downloadUrl": format!("/openapi/task/file/download/{task_id}"),
        "maxThread": 1,
        "reRun": false,
        "testCollectionList": list,
        "debugData": null,
    })
}

/// The `data` of task/fetch for a debug task carrying `case` inline;
/// `collectionId` = `caseId` = the case's own `caseId`.
pub fn debug_task(task_id: &str, case_type: &str, case: Value) -> Value {
    let case_id = case.get("caseId").cloned().unwrap_or(Value::Null);
    json!({
        "taskId": task_id,
        "taskType": "debug",
        "downloadUrl": null,
        "maxThread": 1,
        "reRun": false,
        "testCollectionList": [{
            "collectionId": case_id,
            "deviceId": null,
            "testCaseList": [{"index": 1, "caseId": case_id, "caseType": case_type}],
        }],
        "debugData": case,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Read};
    use zip::ZipArchive;

    #[test]
    fn bundle_layout_like_java() {
        let z = make_bundle(
            "t",
            &[
                ("c1", "k1", "{\"a\":1}"),
                ("c1", "k1", "{\"a\":1}"),
                ("c2", "k2", "{}"),
            ],
        );
        let mut a = ZipArchive::new(Cursor::new(z)).unwrap();
        let names: Vec<String> = a.file_names().map(|n| n.unwrap().into_owned()).collect();
        assert_eq!(
            names,
            ["/t/", "/t/c1/", "/t/c1/k1.json", "/t/c2/", "/t/c2/k2.json"]
        );
        let mut f = a.by_name("/t/c1/k1.json").unwrap();
        // zip 9 strips the leading `/` (zip 2.x answered None, spec §6.2).
        let enclosed = f.enclosed_name().map(|p| p.to_string_lossy().into_owned());
        assert_eq!(enclosed.as_deref(), Some("t/c1/k1.json"));
        assert_eq!(f.compression(), CompressionMethod::Deflated);
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        assert_eq!(s, "{\"a\":1}");
    }

    #[test]
    fn hostile_archives() {
        let evil = zip_with_entry("/../evil.txt", b"x");
        let mut a = ZipArchive::new(Cursor::new(evil)).unwrap();
        let first = a.by_index(0).unwrap();
        assert_eq!(first.name().unwrap(), "/../evil.txt");
        assert!(first.enclosed_name().is_none());
        drop(first);
        let good = make_bundle("t", &[("c", "k", "{}")]);
        assert!(ZipArchive::new(Cursor::new(truncated_zip(&good))).is_err());
        let bomb = zip_bomb("/t/c/k.json", 4);
        assert!(bomb.len() < 64 * 1024, "{}", bomb.len());
        let mut a = ZipArchive::new(Cursor::new(bomb)).unwrap();
        assert_eq!(a.by_index(0).unwrap().size(), 4 << 20);
        let mut a =
            ZipArchive::new(Cursor::new(symlink_zip("/t/c/k.json", "/etc/passwd"))).unwrap();
        assert!(a.by_index(0).unwrap().is_symlink());
    }

    #[test]
    fn task_builders() {
        let t = normal_task(
            "t",
            &[("c", "k", "API"), ("c", "k", "API"), ("d", "w", "WEB")],
        );
        assert_eq!(t["testCollectionList"][0]["testCaseList"][1]["index"], 2);
        assert_eq!(t["testCollectionList"][1]["collectionId"], "d");
        let d = debug_task("t", "API", json!({"caseId": "k", "caseName": "n"}));
        assert_eq!(d["testCollectionList"][0]["collectionId"], "k");
        assert!(d["downloadUrl"].is_null());
    }
}
