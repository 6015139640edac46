//! Gives back the pages of the engine's own code that only start-up and past tasks used.
//!
//! An idle agent's resident set is mostly its executable: start-up (TLS roots, the store, the
//! runtime) and every task touch code all over the binary, and the kernel maps each page a
//! fault asks for together with its cached neighbours. The agent's own memory is a fifth of it.
//! Once the agent is idle its code mappings are dropped from the page tables (`MADV_DONTNEED`);
//! the pages stay in the page cache, and the few the idle loop runs fault back in at once.
//! Only read-and-execute mappings of the executable are touched: they are never written (no
//! text relocations), so dropping them loses nothing. Data and RELRO mappings are left alone.

/// Drops the executable's code pages from the page tables; the bytes of mappings advised.
pub fn release_code_pages() -> Result<usize, String> {
    let exe = std::env::current_exe().map_err(|e| format!("the executable's path: {e}"))?;
    let exe = exe.to_string_lossy().into_owned();
    let maps =
        std::fs::read_to_string("/proc/self/maps").map_err(|e| format!("/proc/self/maps: {e}"))?;
    let mut released = 0usize;
    for (start, end) in code_mappings(&maps, &exe) {
        let len = end - start;
        // SAFETY: the range is a whole private, read-and-execute mapping of our executable,
        // as the kernel lists it. Its pages are never written, so MADV_DONTNEED only unmaps
        // them; the next access faults the same bytes back in from the file. No memory that
        // Rust code owns or borrows is affected.
        let rc = unsafe { libc::madvise(start as *mut libc::c_void, len, libc::MADV_DONTNEED) };
        if rc != 0 {
            return Err(format!(
                "madvise of {start:#x}-{end:#x}: {}",
                std::io::Error::last_os_error()
            ));
        }
        released += len;
    }
    Ok(released)
}

/// `(start, end)` of the private read-and-execute mappings of `exe` in a `/proc/<pid>/maps`
/// text.
fn code_mappings(maps: &str, exe: &str) -> Vec<(usize, usize)> {
    maps.lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let range = fields.next()?;
            let perms = fields.next()?;
            // offset, device, inode, then the path (which may hold spaces).
            let path = fields.skip(3).collect::<Vec<_>>().join(" ");
            if perms != "r-xp" || path.trim_end_matches(" (deleted)") != exe {
                return None;
            }
            let (a, b) = range.split_once('-')?;
            let start = usize::from_str_radix(a, 16).ok()?;
            let end = usize::from_str_radix(b, 16).ok()?;
            (end > start).then_some((start, end))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rss_file_kb() -> u64 {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("RssFile:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|v| v.parse().ok())
            })
            .unwrap_or(0)
    }

    #[test]
    fn only_the_executables_code_mappings_are_chosen() {
        let maps = "\
55d0a0000000-55d0a0100000 r--p 00000000 fd:01 42 /opt/liuma engine/bin
55d0a0100000-55d0a0900000 r-xp 00100000 fd:01 42 /opt/liuma engine/bin
55d0a0900000-55d0a0a00000 r--p 00900000 fd:01 42 /opt/liuma engine/bin
55d0a0a00000-55d0a0a10000 rw-p 00a00000 fd:01 42 /opt/liuma engine/bin
7f0000000000-7f0000100000 r-xp 00000000 fd:01 77 /usr/lib/x86_64-linux-gnu/libc.so.6
7f0000200000-7f0000300000 rw-p 00000000 00:00 0
7f0000400000-7f0000500000 r-xp 00000000 fd:01 43 /opt/liuma engine/bin-old
";
        assert_eq!(
            code_mappings(maps, "/opt/liuma engine/bin"),
            vec![(0x55d0a0100000, 0x55d0a0900000)]
        );
        let replaced = "55d0a0100000-55d0a0900000 r-xp 00100000 fd:01 42 /opt/bin (deleted)\n";
        assert_eq!(code_mappings(replaced, "/opt/bin").len(), 1);
    }

    #[test]
    fn releasing_code_pages_shrinks_the_resident_set_and_code_still_runs() {
        let before = rss_file_kb();
        let released = release_code_pages().expect("madvise");
        let after = rss_file_kb();
        assert!(released > 0, "the test binary has a code mapping");
        assert!(after < before, "RssFile {before} kB -> {after} kB");
        // Code that ran before the release runs again, faulted back in.
        assert_eq!(code_mappings("", "x"), Vec::new());
        assert!(!format!("{:?}", std::env::current_exe()).is_empty());
    }
}
