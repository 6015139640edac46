//! TEMPORARY minimal Python value model; replaced by the full one (helper work in progress).

use indexmap::IndexMap;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    List(Vec<Value>),
    Tuple(Vec<Value>),
    Dict(IndexMap<String, Value>),
}

impl Value {
    pub fn from_json(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::None,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Value::Str(s.clone()),
            serde_json::Value::Array(a) => Value::List(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => {
                Value::Dict(o.iter().map(|(k, v)| (k.clone(), Value::from_json(v))).collect())
            }
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::None => serde_json::Value::Null,
            Value::Bool(b) => (*b).into(),
            Value::Int(i) => (*i).into(),
            Value::Float(f) => serde_json::Number::from_f64(*f).map(serde_json::Value::Number).unwrap_or(serde_json::Value::Null),
            Value::Str(s) => s.clone().into(),
            Value::Bytes(b) => String::from_utf8_lossy(b).into_owned().into(),
            Value::List(l) | Value::Tuple(l) => l.iter().map(|v| v.to_json()).collect(),
            Value::Dict(d) => serde_json::Value::Object(d.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
        }
    }

    pub fn to_json_text(&self) -> Result<String, String> {
        Ok(self.to_json().to_string())
    }

    pub fn py_str(&self) -> String {
        match self {
            Value::Str(s) => s.clone(),
            other => other.py_repr(),
        }
    }

    pub fn py_repr(&self) -> String {
        match self {
            Value::None => "None".into(),
            Value::Bool(true) => "True".into(),
            Value::Bool(false) => "False".into(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => format!("{f:?}"),
            Value::Str(s) => format!("'{s}'"),
            Value::Bytes(b) => format!("b'{}'", String::from_utf8_lossy(b)),
            Value::List(l) => format!("[{}]", l.iter().map(|v| v.py_repr()).collect::<Vec<_>>().join(", ")),
            Value::Tuple(l) => format!("({})", l.iter().map(|v| v.py_repr()).collect::<Vec<_>>().join(", ")),
            Value::Dict(d) => format!(
                "{{{}}}",
                d.iter().map(|(k, v)| format!("'{k}': {}", v.py_repr())).collect::<Vec<_>>().join(", ")
            ),
        }
    }
}
