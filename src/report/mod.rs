//! Getting results to the platform: the outbox and the per-task uploader.

pub mod outbox;
pub mod uploader;

pub use outbox::Outbox;
pub use uploader::{UploadEnd, UploadSettings, Uploader};
