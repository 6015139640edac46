//! Link options of the `liuma-engine` binary.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        // Relative relocations packed (DT_RELR, glibc ≥ 2.36, binutils ≥ 2.38: Debian 12 and
        // later): the loader no longer reads a 0.9 MB relocation table at start-up, which
        // stayed in the idle engine's resident memory.
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}
