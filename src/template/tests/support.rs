//! Test double for the functions library and the Appendix B variables.

use crate::value::Dict;

use crate::template::{
    FunctionCaller, ParamType, RenderError, Rendered, RequestRefs, Scope, render,
};
use crate::value::{Value, parse_json};

/// Parses JSON text (test data only).
pub fn j(text: &str) -> Value {
    parse_json(text).unwrap_or_else(|e| panic!("bad test JSON {text}: {e}"))
}

pub fn s(text: &str) -> Value {
    Value::Str(text.to_owned())
}

/// The functions the tests use, with the engine's type tables (§3.2) and
/// deterministic results.
pub struct Double;

impl FunctionCaller for Double {
    fn param_types(&self, name: &str) -> Option<Vec<ParamType>> {
        use ParamType::*;
        Some(match name {
            "lenof" => vec![List],
            "indexof" => vec![List, Int],
            "keyof" => vec![Dict, Str],
            "map_dumps" => vec![Dict],
            "extract" | "current_time" | "b64decode_toBytes" | "b64encode_str" | "arithmetic" => {
                vec![Str]
            }
            "date_shift" | "month_shift" => vec![Float, Str],
            "b64encode_bytes" => vec![Bytes],
            "replace" => vec![Str, Str, Str],
            "random_int" => vec![Int, Int, Int],
            "substing" => vec![Str, Int, Int],
            // Custom-function style tables (§3.5).
            "typed" => vec![Str, Int, Float, Bool, Dict, List, Bytes, Other],
            "other" => vec![Other],
            _ => return None,
        })
    }

    fn exists(&self, name: &str) -> bool {
        self.param_types(name).is_some()
            || matches!(name, "name" | "phone_number" | "ssn" | "echo" | "boom")
    }

    fn call(&self, name: &str, args: Vec<Value>) -> Result<Value, String> {
        let arg = |i: usize| {
            args.get(i)
                .cloned()
                .ok_or_else(|| format!("{name}: missing argument {i}"))
        };
        let text = |i: usize| match arg(i)? {
            Value::Str(t) => Ok(t),
            other => Err(format!("{name}: expected str, got {}", other.type_name())),
        };
        match name {
            "lenof" => arg(0)?
                .py_len()
                .map(|n| Value::Int(n as i64))
                .ok_or_else(|| "object has no len()".to_owned()),
            "indexof" => match (arg(0)?, arg(1)?) {
                (Value::List(items), Value::Int(i)) => {
                    let n = items.len() as i64;
                    let k = if i < 0 { i + n } else { i };
                    usize::try_from(k)
                        .ok()
                        .and_then(|k| items.get(k).cloned())
                        .ok_or_else(|| "list index out of range".to_owned())
                }
                _ => Err("bad indexof arguments".to_owned()),
            },
            "keyof" => match (arg(0)?, text(1)?) {
                (Value::Dict(m), k) => m.get(&k).cloned().ok_or(format!("KeyError: '{k}'")),
                _ => Err("bad keyof arguments".to_owned()),
            },
            "map_dumps" => arg(0)?
                .to_json_text()
                .map(Value::Str)
                .map_err(|e| e.to_string()),
            "extract" => arg(0),
            "current_time" => match args.first() {
                None => Ok(s("2024-03-01")),
                Some(Value::Str(f)) if f.eq_ignore_ascii_case("none") => {
                    Ok(Value::Int(1_709_251_200_000))
                }
                Some(_) => Ok(s("2024-03-01")),
            },
            "date_shift" => match arg(0)? {
                Value::Float(-1.0) => Ok(s("2024-02-29")),
                other => Ok(s(&format!("shift {}", other.py_repr()))),
            },
            "month_shift" => match arg(0)? {
                Value::Float(f) if f.fract() == 0.0 => Ok(s("2024-04-01")),
                _ => Err("month_shift: fractional shift".to_owned()),
            },
            "b64decode_toBytes" => match text(0)?.as_str() {
                "YWJj" => Ok(Value::Bytes(b"abc".to_vec())),
                other => Err(format!("cannot decode {other}")),
            },
            "b64encode_bytes" => match arg(0)? {
                Value::Bytes(b) if b == b"abc" => Ok(s("YWJj")),
                Value::Bytes(b) => Ok(s(&format!("b64({} bytes)", b.len()))),
                other => Err(format!(
                    "a bytes-like object is required, not '{}'",
                    other.type_name()
                )),
            },
            "b64encode_str" => Ok(s(&format!("b64[{}]", text(0)?))),
            "arithmetic" => {
                let e = text(0)?;
                let mut product: i64 = 1;
                for f in e.split('*') {
                    product *= f
                        .trim()
                        .parse::<i64>()
                        .map_err(|_| format!("四则运算表达式错误:{e}"))?;
                }
                Ok(Value::Int(product))
            }
            "replace" => Ok(s(&text(0)?.replace(&text(1)?, &text(2)?))),
            "random_int" => arg(0).or(Ok(Value::Int(0))),
            "substing" => {
                let t: Vec<char> = text(0)?.chars().collect();
                let get = |i: usize, d: i64| match args.get(i) {
                    Some(Value::Int(v)) => *v,
                    _ => d,
                };
                let n = t.len() as i64;
                let clamp = |v: i64| (if v < 0 { v + n } else { v }).clamp(0, n) as usize;
                let (a, b) = (clamp(get(1, 0)), clamp(get(2, -1)));
                Ok(s(&t
                    .get(a..b.max(a))
                    .unwrap_or_default()
                    .iter()
                    .collect::<String>()))
            }
            "typed" | "other" | "echo" => Ok(Value::List(args)),
            "name" if args.is_empty() => Ok(s("文磊")),
            "phone_number" if args.is_empty() => Ok(s("15504850807")),
            "ssn" if args.is_empty() => Ok(s("440233194801286386")),
            "boom" => Err("boom".to_owned()),
            _ => Err(format!(
                "{name}() takes 0 positional arguments but {} were given",
                args.len()
            )),
        }
    }
}

/// Appendix B context.
pub fn context() -> Dict {
    let mut c = Dict::default();
    c.insert("n".into(), Value::Int(5));
    c.insert("s".into(), s("abc"));
    c.insert("d".into(), j(r#"{"a": 1, "b": [1, 2]}"#));
    c.insert("l".into(), j(r#"[1, "x"]"#));
    c.insert("q".into(), s(r#"he said "hi""#));
    c.insert("u".into(), s("中文"));
    c.insert("b".into(), Value::Bool(true));
    c.insert("none".into(), Value::None);
    c.insert("f".into(), Value::Float(1.5));
    c.insert("bs".into(), Value::Bytes(vec![0, 1]));
    c.insert("li".into(), j(r#"[{"id": 7}]"#));
    // Extras for the quirk tests.
    c.insert("nl".into(), s("line1\nline2"));
    c.insert("tab".into(), s("a\tb"));
    c.insert("bsl".into(), s("C:\\temp"));
    c.insert(
        "bd".into(),
        Value::Dict(
            [("x".to_owned(), Value::Bytes(vec![0]))]
                .into_iter()
                .collect(),
        ),
    );
    c.insert(
        "lb".into(),
        Value::List(vec![Value::Bytes(vec![0]), Value::Int(1)]),
    );
    c
}

/// The request state used by the reference runs of the Python engine.
pub fn refs() -> RequestRefs {
    RequestRefs {
        url: s("http://h"),
        path: s("/p"),
        headers: j(r#"{"h": 1}"#),
        query: j(r#"{"q": 2}"#),
        body: j(r#"{"a": {"b": 5}, "c": "x"}"#),
    }
}

/// Appendix B params.
pub fn params() -> Dict {
    let mut p = Dict::default();
    p.insert("p".into(), s("P"));
    p.insert("pd".into(), j(r#"{"k": "v"}"#));
    p
}

/// Renders with the Appendix B context/params and optional request state.
pub fn render_with(
    input: &Value,
    context: &Dict,
    params: &Dict,
    request: Option<&RequestRefs>,
) -> Result<Rendered, RenderError> {
    let scope = Scope {
        context,
        params,
        functions: &Double,
        request,
    };
    render(input, &scope)
}

/// Renders with the Appendix B context and params.
pub fn r(input: &Value) -> Result<Rendered, RenderError> {
    render_with(input, &context(), &params(), None)
}

/// Renders a template string with [`refs`] and returns the value (panics on
/// render errors).
pub fn rs(template: &str) -> Value {
    match render_with(&s(template), &context(), &params(), Some(&refs())) {
        Ok(out) => out.value,
        Err(e) => panic!("render of {template:?} failed: {e}"),
    }
}

pub const UNKNOWN: &str = "不存在的公共参数、关联变量或内置函数: ";
