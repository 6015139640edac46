//! Test doubles for the liuma-engine integration tests.
//!
//! * [`platform::PlatformDouble`] speaks the LiuMa platform's engine protocol
//!   (`shared/spec/platform-protocol.md`, sections 1–8), quirks included, and
//!   records everything the engine does so tests can assert on it.
//! * [`target::Target`] is a small local HTTP server that API test cases can
//!   be pointed at.
//! * [`bundle`] builds task bundles the way the platform's Java
//!   `ZipOutputStream` does, plus hostile archives.
//!
//! These files are copied verbatim into the engine repository as
//! `tests/support/`, so every module refers to its siblings through
//! `super::` only and nothing here depends on the engine crate.
// Each integration-test binary uses only part of this support code.
#![allow(dead_code, unused_imports)]

pub mod bundle;
pub mod cases;
pub mod db;
pub mod engine;
mod envelope;
mod json_node;
mod jwt;
mod listener;
pub mod platform;
mod platform_http;
mod platform_state;
mod platform_ws;
pub mod raw;
pub mod site;
pub mod target;
pub mod tls;
mod validate;
pub mod webcase;

pub use bundle::{
    debug_task, make_bundle, normal_task, symlink_zip, truncated_zip, zip_bomb, zip_with_entries,
    zip_with_entry,
};
pub use platform::{PlatformDouble, RequestRecord, UploadRecord};
pub use target::{Target, TargetRequest};
