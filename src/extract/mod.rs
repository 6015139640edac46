//! TEMPORARY: replaced by the jsonpath 0.82 compatibility layer (helper work in progress).
use crate::value::Value;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExtractError {
    #[error("jsonpath表达式错误: {0}")]
    NoMatch(String),
}

pub fn extract(_method: &str, expression: &str, data: &Value) -> Result<Value, ExtractError> {
    let mut cur = data;
    for seg in expression
        .trim_start_matches('$')
        .split('.')
        .filter(|s| !s.is_empty())
    {
        cur = match cur {
            Value::Dict(d) => d
                .get(seg)
                .ok_or_else(|| ExtractError::NoMatch(expression.into()))?,
            _ => return Err(ExtractError::NoMatch(expression.into())),
        };
    }
    Ok(cur.clone())
}
