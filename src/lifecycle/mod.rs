//! Jobs beside the data flow: logging now; rotation, purge and backups later.

pub mod logging;
