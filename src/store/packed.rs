//! A stored result's bytes: its JSON compressed with LZ4 (block format) behind a small header.
//!
//! A case result is mostly its steps' logs, which repeat one another, so it shrinks about
//! fourfold (a 5.3 KB result of five API steps to 1.2 KB in 2.5 µs). The outbox's row then fits
//! in one database page instead of a page and an overflow chain, and each commit writes a
//! quarter of the pages to the write-ahead log: writing the results was a tenth of the engine's
//! CPU in the benchmark's four-collection run, half of it `pwrite` calls.
//!
//! Rows written by an engine without this are TEXT and are read as they are; a packed row is a
//! BLOB, so the two never mix up.

/// What starts a packed row: a format name and version, then the JSON's length (u32, little
/// endian), then the LZ4 block.
const MAGIC: &[u8; 4] = b"LZ4\x01";

/// Results shorter than this are kept as text: compressing them saves no page.
pub(super) const PACK_FROM: usize = 512;

/// The largest JSON a packed row may claim: a corrupt length must not make the engine allocate
/// gigabytes. Far above any result (each transaction's log is capped well below it); a longer
/// one would be kept as text.
const MAX_UNPACKED: usize = 256 * 1024 * 1024;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum UnpackError {
    #[error("a packed result does not start with the LZ4 header")]
    NotPacked,
    #[error("a packed result claims {0} bytes, more than any result")]
    TooLarge(usize),
    #[error("a packed result does not decompress ({0})")]
    Lz4(String),
    #[error("a packed result decompresses to {got} bytes, its header says {claimed}")]
    WrongLength { got: usize, claimed: usize },
    #[error("a packed result is not UTF-8 text")]
    NotText,
}

/// Packs results one after another, reusing its buffers: LZ4's hash table (allocated and
/// zeroed by each plain call) and the output (zero-filled by each resize).
#[derive(Default)]
pub(super) struct Packer {
    table: Option<lz4_flex::block::CompressTable>,
    out: Vec<u8>,
}

impl Packer {
    /// `json` packed; `None` (the row is then written as text) for JSON longer than a packed
    /// row may claim, or if LZ4 failed (it cannot with a buffer of its maximum output).
    pub(super) fn pack(&mut self, json: &str) -> Option<&[u8]> {
        if json.len() > MAX_UNPACKED {
            return None;
        }
        let len = u32::try_from(json.len()).ok()?;
        let header = MAGIC.len() + 4;
        let need = header + lz4_flex::block::get_maximum_output_size(json.len());
        if self.out.len() < need {
            self.out.resize(need, 0);
        }
        self.out[..MAGIC.len()].copy_from_slice(MAGIC);
        self.out[MAGIC.len()..header].copy_from_slice(&len.to_le_bytes());
        let table = self
            .table
            .get_or_insert_with(lz4_flex::block::CompressTable::small);
        let n = lz4_flex::block::compress_into_with_table(
            json.as_bytes(),
            &mut self.out[header..need],
            table,
        )
        .ok()?;
        Some(&self.out[..header + n])
    }
}

/// The JSON of a packed row.
pub(super) fn unpack(blob: &[u8]) -> Result<String, UnpackError> {
    let rest = blob.strip_prefix(MAGIC).ok_or(UnpackError::NotPacked)?;
    let (len, block) = rest.split_at_checked(4).ok_or(UnpackError::NotPacked)?;
    let claimed = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
    if claimed > MAX_UNPACKED {
        return Err(UnpackError::TooLarge(claimed));
    }
    let mut json = vec![0u8; claimed];
    let got = lz4_flex::block::decompress_into(block, &mut json)
        .map_err(|e| UnpackError::Lz4(e.to_string()))?;
    if got != claimed {
        return Err(UnpackError::WrongLength { got, claimed });
    }
    String::from_utf8(json).map_err(|_| UnpackError::NotText)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_comes_back_as_it_went_in_and_smaller() {
        let step = r#"{"id":"api-1","name":"创建订单","log":"2026-11-24 05:18:56.104887 - Debug - 【请求信息】:<br>POST http://127.0.0.1:42273/api/items/5<br>请求头: {'content-type': 'application/json'}<br>","during":0,"status":0,"screenShotList":[]}"#;
        let json =
            format!(r#"{{"status":0,"transactionList":[{step},{step},{step},{step},{step}]}}"#);
        let mut packer = Packer::default();
        let packed = packer.pack(&json).expect("packed").to_vec();
        assert!(packed.starts_with(MAGIC));
        assert!(
            packed.len() * 2 < json.len(),
            "{} -> {}",
            json.len(),
            packed.len()
        );
        assert_eq!(unpack(&packed).as_deref(), Ok(json.as_str()));
        // Reused for a shorter and an empty one, then a longer one again.
        let short = packer.pack("{\"a\":1}").expect("packed").to_vec();
        assert_eq!(unpack(&short).as_deref(), Ok("{\"a\":1}"));
        let empty = packer.pack("").expect("packed").to_vec();
        assert_eq!(unpack(&empty).as_deref(), Ok(""));
        let again = packer.pack(&json).expect("packed").to_vec();
        assert_eq!(again, packed);
    }

    #[test]
    fn damaged_rows_are_errors_not_panics_or_huge_allocations() {
        let json = format!("{{\"log\":\"{}\"}}", "abc".repeat(400));
        let packed = Packer::default().pack(&json).expect("packed").to_vec();
        assert_eq!(unpack(b"{\"a\":1}"), Err(UnpackError::NotPacked));
        assert_eq!(unpack(b"LZ4\x01\x01"), Err(UnpackError::NotPacked));
        let mut huge = packed.clone();
        huge[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(unpack(&huge), Err(UnpackError::TooLarge(u32::MAX as usize)));
        let mut longer = packed.clone();
        longer[4..8].copy_from_slice(&(json.len() as u32 + 10).to_le_bytes());
        assert!(unpack(&longer).is_err());
        let truncated = &packed[..packed.len() - 5];
        assert!(unpack(truncated).is_err());
        // Every prefix and every single-byte change: an error or the text, never a panic.
        for cut in 0..packed.len() {
            let _ = unpack(&packed[..cut]);
        }
        for i in 8..packed.len() {
            let mut bad = packed.clone();
            bad[i] ^= 0x5a;
            let _ = unpack(&bad);
        }
    }
}
