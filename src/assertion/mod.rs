//! TEMPORARY: replaced by the full comparator set (helper work in progress).
use crate::value::Value;

pub enum Outcome {
    Pass,
    Fail(String),
}

#[derive(Debug, thiserror::Error)]
pub enum AssertionError {
    #[error("不支持的断言方式: {0}")]
    UnknownComparator(String),
}

pub fn compare(comparator: &str, actual: &Value, expected: &Value) -> Result<Outcome, AssertionError> {
    match comparator {
        "equals" | "相等" => {
            if actual.py_str() == expected.py_str() {
                Ok(Outcome::Pass)
            } else {
                Ok(Outcome::Fail(format!("实际值({})与预期值({}) 字符相等，条件为否：Expected ({}) to be equal to ({}), but was not.", actual.py_str(), expected.py_str(), actual.py_str(), expected.py_str())))
            }
        }
        other => Err(AssertionError::UnknownComparator(other.into())),
    }
}
