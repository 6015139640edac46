//! Local runs without a platform (`liuma-engine run`): input loading, the command, progress and
//! reports. The cases run through the agent's own runner and case code; only the input (files
//! instead of a download) and the output (terminal and report files instead of uploads) differ.

pub mod adjust;
pub mod error;
pub mod files;
pub mod input;
pub mod outcome;
pub mod progress;
pub mod report;
pub mod run;

pub use error::InputError;
pub use outcome::{Outcome, exit};
pub use run::RunArgs;
