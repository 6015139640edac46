//! Command implementations behind the binary's subcommands.

pub mod backup;
pub mod check;
pub mod secret;
pub mod status;
