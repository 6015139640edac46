//! Getting results to the platform: the outbox, the per-task uploader, and reconciliation of
//! calls whose answer was lost.

pub mod outbox;
pub mod reconcile;
pub mod uploader;

pub use outbox::Outbox;
pub use reconcile::PlatformRecord;
pub use uploader::{UploadEnd, UploadSettings, Uploader};
