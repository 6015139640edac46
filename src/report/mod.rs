//! Getting results to the platform: the outbox and the per-task uploader; screenshots.

pub mod outbox;
pub mod screenshots;
pub mod uploader;

pub use outbox::Outbox;
pub use screenshots::ScreenshotUploader;
pub use uploader::{UploadEnd, UploadSettings, Uploader};
