//! Comparators of `LMAssert` (`core/assertion.py`), shared by API assertions and WEB/APP
//! assertion, condition and While-loop steps (web-cases §6.3 says they call the same
//! function, so there is one implementation for both case kinds).
//!
//! Deliberate divergences from the Python engine (api-cases §9): A16 (= WEB Q2) `equals`
//! stringifies the expected value too; A18 a non-`[…]` expected string is one item, not a
//! list of characters; A19/A20 `str2list`/`str2dict` parse JSON then Python literals;
//! A22 trimmed Chinese aliases and `不相等` are accepted. Kept: A17 raw `notEqual`,
//! A21 (= WEB Q24) `listLenLessThan` checks ≤, A23 type mismatches are errors.
//!
//! WEB differences (web-cases §6.3): WEB expects arrive typed (`Int`, `Boolean`), so the
//! A16/Q2 Fix matters most there (`equals` of an element height `20` now passes against
//! the Int expect `20`; this can flip condition branches that relied on the old
//! always-false result). WEB actuals are often dicts (`{'height': h, 'width': w}`): `equals`
//! compares their Python text (key order and spacing matter), `equalsDict` parses the
//! expect (JSON first under A20, where Python accepted only a Python literal).

mod comparators;
pub mod convert;
mod message;
mod pyops;
#[cfg(test)]
mod tests;

pub use comparators::{Comparator, compare, compare_with, list_len_passes};

/// Result of one comparison. `Fail` carries the exact message the Python engine produced
/// (prefix + assertpy text after its bracket replacements).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Fail(String),
}

impl Outcome {
    pub fn is_pass(&self) -> bool {
        matches!(self, Outcome::Pass)
    }

    /// The message list entry of the Python engine: `success` or the failure text.
    pub fn message(&self) -> &str {
        match self {
            Outcome::Pass => "success",
            Outcome::Fail(m) => m,
        }
    }
}

/// Exceptions other than `AssertionError` in Python: the step becomes an error (status 2)
/// rather than a failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssertionError {
    #[error("没有{0}该断言类型")]
    UnknownComparator(String),
    /// `list_len` on a non-list; carries py_str of the actual value.
    #[error("传入实际值({0}) 不是列表格式")]
    NotAList(String),
    /// Python `TypeError`/`AttributeError` inside a conversion or assertpy.
    #[error("{0}")]
    Type(String),
    /// Python `ValueError` inside a conversion or assertpy.
    #[error("{0}")]
    Value(String),
}
