//! Positional-argument access with Python-like count checks and defaults.

use crate::value::Value;

/// The arguments of one call. `max` is the number of parameters the function declares.
pub(crate) struct Args<'a> {
    name: &'a str,
    vals: Vec<Value>,
}

impl<'a> Args<'a> {
    /// Fails like Python when more arguments are given than the function takes.
    pub fn new(name: &'a str, vals: Vec<Value>, max: usize) -> Result<Self, String> {
        if vals.len() > max {
            return Err(match max {
                0 => format!("{name}() takes no arguments ({} given)", vals.len()),
                _ => format!(
                    "{name}() takes at most {max} argument{} ({} given)",
                    if max == 1 { "" } else { "s" },
                    vals.len()
                ),
            });
        }
        Ok(Args { name, vals })
    }

    pub fn get(&self, i: usize) -> Option<&Value> {
        self.vals.get(i)
    }

    fn type_err(&self, i: usize, want: &str, got: &Value) -> String {
        format!(
            "{}() argument {}: expected {want}, got {}",
            self.name,
            i + 1,
            got.type_name()
        )
    }

    /// Required argument.
    pub fn req(&self, i: usize, pname: &str) -> Result<&Value, String> {
        self.vals.get(i).ok_or_else(|| {
            format!(
                "{}() missing required positional argument: '{pname}'",
                self.name
            )
        })
    }

    pub fn str_opt(&self, i: usize) -> Result<Option<&str>, String> {
        match self.vals.get(i) {
            None => Ok(None),
            Some(Value::Str(s)) => Ok(Some(s)),
            Some(v) => Err(self.type_err(i, "str", v)),
        }
    }

    pub fn str_or(&self, i: usize, default: &'a str) -> Result<&str, String> {
        Ok(self.str_opt(i)?.unwrap_or(default))
    }

    pub fn req_str(&self, i: usize, pname: &str) -> Result<&str, String> {
        match self.req(i, pname)? {
            Value::Str(s) => Ok(s),
            v => Err(self.type_err(i, "str", v)),
        }
    }

    pub fn int_opt(&self, i: usize) -> Result<Option<i64>, String> {
        match self.vals.get(i) {
            None => Ok(None),
            Some(Value::Int(n)) => Ok(Some(*n)),
            Some(Value::Bool(b)) => Ok(Some(i64::from(*b))),
            Some(v) => Err(self.type_err(i, "int", v)),
        }
    }

    pub fn int_or(&self, i: usize, default: i64) -> Result<i64, String> {
        Ok(self.int_opt(i)?.unwrap_or(default))
    }

    pub fn req_float(&self, i: usize, pname: &str) -> Result<f64, String> {
        match self.req(i, pname)? {
            Value::Float(f) => Ok(*f),
            Value::Int(n) => Ok(*n as f64),
            Value::Bool(b) => Ok(f64::from(u8::from(*b))),
            v => Err(self.type_err(i, "float", v)),
        }
    }

    pub fn bool_opt(&self, i: usize) -> Result<Option<bool>, String> {
        match self.vals.get(i) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::Int(n)) => Ok(Some(*n != 0)),
            Some(v) => Err(self.type_err(i, "bool", v)),
        }
    }

    pub fn bool_or(&self, i: usize, default: bool) -> Result<bool, String> {
        Ok(self.bool_opt(i)?.unwrap_or(default))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_types() {
        assert!(Args::new("f", vec![Value::Int(1)], 0).is_err());
        let a = Args::new("f", vec![Value::Int(1), Value::Str("x".into())], 3).unwrap();
        assert_eq!(a.int_or(0, 5), Ok(1));
        assert_eq!(a.int_or(2, 5), Ok(5));
        assert!(a.int_opt(1).is_err());
        assert_eq!(a.str_or(1, "d"), Ok("x"));
        assert!(a.req(2, "p").is_err());
    }
}
