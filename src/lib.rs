//! liuma-engine: a test-execution agent for the LiuMa platform, a drop-in replacement for its
//! Python engine. Data flows one way: config → platform → agent → bundle → runner → cases →
//! report (see `shared/design/architecture.md`).

pub mod agent;
pub mod assertion;
pub mod background;
pub mod backoff;
pub mod bundle;
pub mod cases;
pub mod cli;
pub mod config;
pub mod demo;
pub mod extract;
pub mod functions;
pub mod ids;
pub mod lifecycle;
pub mod local;
pub mod net;
pub mod ops;
pub mod platform;
pub mod report;
pub mod runner;
pub mod sidecar;
pub mod sql;
pub mod store;
pub mod template;
pub mod value;
