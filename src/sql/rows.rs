//! The rows of one entry, bounded by `[Sql] max-rows` (they are all kept in memory to be
//! turned into columns).

use crate::value::Value;

/// Why running a statement failed (the connection is not reused afterwards).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("{0}")]
    Tds(#[from] tiberius::error::Error),
    #[error("查询结果超过 {0} 行 ([Sql] max-rows)")]
    TooManyRows(usize),
}

#[derive(Debug)]
pub struct Rows {
    rows: Vec<Vec<Value>>,
    max: usize,
}

impl Rows {
    pub fn new(max: usize) -> Self {
        Self {
            rows: Vec::new(),
            max,
        }
    }

    pub fn push(&mut self, row: Vec<Value>) -> Result<(), RunError> {
        if self.rows.len() >= self.max {
            return Err(RunError::TooManyRows(self.max));
        }
        self.rows.push(row);
        Ok(())
    }

    pub fn clear(&mut self) {
        self.rows.clear();
    }

    pub fn into_inner(self) -> Vec<Vec<Value>> {
        self.rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_row_limit_is_an_error() {
        let mut r = Rows::new(2);
        assert!(r.push(vec![Value::Int(1)]).is_ok());
        assert!(r.push(vec![Value::Int(2)]).is_ok());
        let e = r.push(vec![Value::Int(3)]).err().map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("查询结果超过 2 行 ([Sql] max-rows)"));
    }
}
