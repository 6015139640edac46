//! Typed identifiers. Ids travel as data from the task object to the result; they are never
//! recovered by parsing names (the Python engine's weakness 15).

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_string())
            }
        }
    };
}

id_type!(
    /// A platform task (one run request, one report).
    TaskId
);
id_type!(
    /// A collection of a task; its cases share one context and session.
    CollectionId
);
id_type!(
    /// A case; the same case may occur several times in a collection (see `index`).
    CaseId
);

/// The kind of a case as the task object names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CaseType {
    #[serde(rename = "API")]
    Api,
    #[serde(rename = "WEB")]
    Web,
    #[serde(rename = "APP")]
    App,
}

impl CaseType {
    pub fn as_str(&self) -> &'static str {
        match self {
            CaseType::Api => "API",
            CaseType::Web => "WEB",
            CaseType::App => "APP",
        }
    }
}

/// A file or folder name is safe when it cannot leave the folder it is joined to.
/// Ids from the platform are used as folder names (`data/<taskId>`), so they are checked once.
pub fn is_safe_path_component(s: &str) -> bool {
    !s.is_empty()
        && s != "."
        && s != ".."
        && s.len() <= 200
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
}
