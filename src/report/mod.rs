//! Getting results to the platform: the outbox, the per-task uploader, reconciliation of calls
//! whose answer was lost, and screenshots.

pub mod outbox;
pub mod reconcile;
pub mod screenshots;
pub mod uploader;

pub use outbox::Outbox;
pub use reconcile::PlatformRecord;
pub use screenshots::ScreenshotUploader;
pub use uploader::{UploadEnd, UploadSettings, Uploader};
