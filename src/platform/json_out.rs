//! Writing a case result's JSON directly. Every result is serialised once (sealed) and its
//! logs make up most of it; serde_json escapes strings byte by byte, which was most of the
//! sealing's cost. This writer produces exactly serde_json's bytes (a test compares both on
//! generated results) and skips runs of plain text eight bytes at a time.

use super::wire::{WireCaseResult, WireTransaction};

/// serde_json's escape of each byte below 0x20 (its `ESCAPE` table): a short form or `u`.
fn control_escape(b: u8) -> Option<&'static str> {
    match b {
        0x08 => Some("\\b"),
        0x09 => Some("\\t"),
        0x0a => Some("\\n"),
        0x0c => Some("\\f"),
        0x0d => Some("\\r"),
        _ => None,
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each of the eight bytes that is below 0x20, a `"` or a `\` (the bytes JSON
/// escapes). A higher byte may be flagged falsely after a true one (a borrow runs upward), so
/// only the lowest flag is exact; that is the one the writer uses.
fn escape_flags(w: u64) -> u64 {
    let below_space = w.wrapping_sub(ONES * 0x20) & !w;
    let q = w ^ (ONES * u64::from(b'"'));
    let quote = q.wrapping_sub(ONES) & !q;
    let s = w ^ (ONES * u64::from(b'\\'));
    let slash = s.wrapping_sub(ONES) & !s;
    (below_space | quote | slash) & HIGHS
}

/// How many leading bytes of `b`, in whole blocks of 32, JSON writes as they are: each block is
/// checked in a form the compiler turns into vector compares (a result's logs are long runs of
/// such text; eight bytes at a time cost about 2.5 instructions a byte).
fn plain_run(b: &[u8]) -> usize {
    let mut n = 0;
    for block in b.chunks_exact(32) {
        let special = block.iter().fold(false, |acc, &c| {
            acc | (c < 0x20) | (c == b'"') | (c == b'\\')
        });
        if special {
            break;
        }
        n += 32;
    }
    n
}

/// `s` as a JSON string, as serde_json writes it.
pub fn write_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let bytes = s.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        i += plain_run(bytes.get(i..).unwrap_or_default());
        if i == bytes.len() {
            break;
        }
        if let Some(word) = bytes.get(i..i + 8) {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            let flags = escape_flags(u64::from_le_bytes(w));
            if flags == 0 {
                i += 8;
                continue;
            }
            // The plain bytes before the first one to escape are skipped at once.
            i += (flags.trailing_zeros() / 8) as usize;
        }
        let b = bytes[i];
        if b >= 0x20 && b != b'"' && b != b'\\' {
            i += 1;
            continue;
        }
        // An escaped byte is ASCII, so `start..i` lies on character boundaries.
        out.push_str(&s[start..i]);
        match (b, control_escape(b)) {
            (b'"', _) => out.push_str("\\\""),
            (b'\\', _) => out.push_str("\\\\"),
            (_, Some(short)) => out.push_str(short),
            (_, None) => {
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
        }
        i += 1;
        start = i;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

fn write_int(out: &mut String, n: impl itoa::Integer) {
    out.push_str(itoa::Buffer::new().format(n));
}

fn write_opt_str(out: &mut String, s: Option<&str>) {
    match s {
        Some(s) => write_str(out, s),
        None => out.push_str("null"),
    }
}

fn write_transaction(out: &mut String, t: &WireTransaction) {
    out.push_str("{\"id\":");
    write_str(out, &t.id);
    out.push_str(",\"name\":");
    write_str(out, &t.name);
    out.push_str(",\"content\":");
    write_str(out, &t.content);
    out.push_str(",\"description\":");
    write_opt_str(out, t.description.as_deref());
    out.push_str(",\"log\":");
    write_str(out, &t.log);
    out.push_str(",\"during\":");
    write_int(out, t.during);
    out.push_str(",\"status\":");
    write_int(out, t.status);
    out.push_str(",\"screenShotList\":[");
    for (n, shot) in t.screenshots.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        write_str(out, shot);
    }
    out.push_str("]}");
}

/// The JSON of `r`, byte for byte what `serde_json::to_string(r)` gives.
pub fn case_result(r: &WireCaseResult) -> String {
    let texts: usize = r
        .transactions
        .iter()
        .map(|t| t.log.len() + t.content.len() + t.name.len() + 160)
        .sum();
    let mut out = String::with_capacity(texts + r.case_name.len() + 256);
    out.push_str("{\"status\":");
    write_int(&mut out, r.status);
    out.push_str(",\"startTime\":");
    write_int(&mut out, r.start_time);
    out.push_str(",\"endTime\":");
    write_int(&mut out, r.end_time);
    out.push_str(",\"collectionId\":");
    write_str(&mut out, r.collection_id.as_str());
    out.push_str(",\"caseId\":");
    write_str(&mut out, r.case_id.as_str());
    out.push_str(",\"caseType\":");
    write_str(&mut out, &r.case_type);
    out.push_str(",\"caseName\":");
    write_str(&mut out, &r.case_name);
    out.push_str(",\"caseDesc\":");
    write_opt_str(&mut out, r.case_desc.as_deref());
    out.push_str(",\"index\":");
    write_int(&mut out, r.index);
    out.push_str(",\"runTimes\":");
    write_int(&mut out, r.run_times);
    out.push_str(",\"transactionList\":[");
    for (n, t) in r.transactions.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        write_transaction(&mut out, t);
    }
    out.push_str("]}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{CaseId, CollectionId};

    /// Text with every byte class JSON cares about, at every offset within a word.
    fn awkward_text(seed: u64, len: usize) -> String {
        const PIECES: &[&str] = &[
            "a",
            "plain text ",
            "\"",
            "\\",
            "\n",
            "\r",
            "\t",
            "\u{8}",
            "\u{c}",
            "\u{0}",
            "\u{1f}",
            "\u{7f}",
            "\u{1b}",
            "中文",
            "é",
            "😀",
            "<br>",
            "{{x}}",
            "/",
            "'",
            " ",
            "\u{2028}",
        ];
        let mut x = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut s = String::new();
        while s.len() < len {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let piece = PIECES[usize::try_from(x >> 33).unwrap_or(0) % PIECES.len()];
            s.push_str(piece);
        }
        s
    }

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        for seed in 0..3000u64 {
            let text = awkward_text(seed, usize::try_from(seed % 97).unwrap_or(0));
            let mut out = String::new();
            write_str(&mut out, &text);
            assert_eq!(out, serde_json::to_string(&text).expect("json"), "{text:?}");
        }
        for b in 0u8..=127 {
            let text = format!("abcdefg{}hijklmnop", char::from(b));
            let mut out = String::new();
            write_str(&mut out, &text);
            assert_eq!(out, serde_json::to_string(&text).expect("json"), "byte {b}");
        }
    }

    #[test]
    fn results_are_written_as_serde_json_writes_them() {
        for seed in 0..300u64 {
            let t = |k: u64| WireTransaction {
                id: awkward_text(seed * 7 + k, 10).into(),
                name: awkward_text(seed * 11 + k, 20).into(),
                content: awkward_text(seed * 13 + k, 30).into(),
                description: k
                    .is_multiple_of(2)
                    .then(|| awkward_text(seed + k, 15).into()),
                log: awkward_text(seed * 17 + k, 2000).into(),
                during: i64::try_from(seed).unwrap_or(0) * 1000 - 5,
                status: i32::try_from(k % 4).unwrap_or(0),
                screenshots: (0..k % 3).map(|n| awkward_text(seed + n, 12)).collect(),
            };
            let r = WireCaseResult {
                status: i32::try_from(seed % 4).unwrap_or(0) - 1,
                start_time: i64::MIN + i64::try_from(seed).unwrap_or(0),
                end_time: i64::MAX,
                collection_id: CollectionId(awkward_text(seed, 8)),
                case_id: CaseId(awkward_text(seed + 1, 8)),
                case_type: "API".into(),
                case_name: awkward_text(seed + 2, 40).into(),
                case_desc: seed
                    .is_multiple_of(3)
                    .then(|| awkward_text(seed + 3, 9).into()),
                index: i64::try_from(seed).unwrap_or(0),
                run_times: u32::MAX - u32::try_from(seed).unwrap_or(0),
                transactions: (0..seed % 6).map(t).collect(),
            };
            assert_eq!(case_result(&r), serde_json::to_string(&r).expect("json"));
        }
    }
}
