//! Assertions (api-cases §4.1) and relations (§5) of one step, on their rendered lists.

use super::request::CapturedResponse;
use crate::assertion::{self, Outcome};
use crate::extract;
use crate::value::Value;
use indexmap::IndexMap;

fn field<'a>(item: &'a Value, key: &str) -> Option<&'a Value> {
    match item {
        Value::Dict(d) => d.get(key),
        _ => None,
    }
}

/// The response header map as a dict of strings (server spelling).
pub fn header_dict(headers: &IndexMap<String, String>) -> Value {
    Value::Dict(
        headers
            .iter()
            .map(|(k, v)| (k.clone(), Value::Str(v.clone())))
            .collect(),
    )
}

/// The assertion list used when a step has none: status code equals 200.
pub fn default_assertions() -> Value {
    let mut item = IndexMap::new();
    item.insert("from".to_string(), Value::Str("resCode".into()));
    item.insert("method".to_string(), Value::Str(String::new()));
    item.insert("expression".to_string(), Value::Str(String::new()));
    item.insert("assertion".to_string(), Value::Str("相等".into()));
    item.insert("expect".to_string(), Value::Str("200".into()));
    Value::List(vec![Value::Dict(item)])
}

/// Extraction from the response body; JSONPath reads the parsed JSON directly (no conversion).
fn extract_body(
    method: &str,
    expression: &str,
    resp: &CapturedResponse,
) -> Result<Value, extract::ExtractError> {
    match (resp.json_doc(), method) {
        (Some(doc), "jsonpath") => doc.jsonpath(expression),
        _ => extract::extract(method, expression, resp.body()),
    }
}

/// One assertion (api-cases §4.1), its fields read once. A field that is missing or `None`
/// reads as empty text, any other non-text value as its `str()`.
#[derive(Debug, Clone)]
pub struct Assertion {
    from: String,
    method: String,
    expression: String,
    /// The comparator as written, for the error when it is unknown.
    comparator: String,
    resolved: Option<assertion::Comparator>,
    expected: Value,
}

/// One relation (api-cases §5): where a value comes from, and the variable it goes into.
#[derive(Debug, Clone)]
pub struct Relation {
    name: String,
    from: String,
    method: String,
    /// As written; trimmed when used.
    expression: String,
}

/// An item of a step's `assertions` or `relations` list.
pub trait CheckItem: Sized + Clone {
    /// The item as a case file holds it, read without building a dict.
    type Doc: serde::de::DeserializeOwned;
    /// The item an element of the (rendered) list stands for.
    fn of(item: &Value) -> Self;
    /// The same item from its document ([`Self::of`] reads the element's fields into one).
    fn from_doc(doc: Self::Doc) -> Self;
}

/// A text field of an item: missing or `None` is empty, other values their `str()`.
fn text_of(v: Option<Value>) -> String {
    match v {
        None | Some(Value::None) => String::new(),
        Some(Value::Str(s)) => s,
        Some(other) => other.py_str(),
    }
}

/// An assertion object of a case file (unknown keys are ignored, a repeated key is an error
/// and sends the list down the general path).
#[derive(serde::Deserialize)]
pub struct AssertionDoc {
    #[serde(default)]
    from: Option<Value>,
    #[serde(default)]
    method: Option<Value>,
    #[serde(default)]
    expression: Option<Value>,
    #[serde(default)]
    assertion: Option<Value>,
    #[serde(default)]
    expect: Option<Value>,
}

/// A relation object of a case file.
#[derive(serde::Deserialize)]
pub struct RelationDoc {
    #[serde(default)]
    name: Option<Value>,
    #[serde(default)]
    from: Option<Value>,
    #[serde(default)]
    method: Option<Value>,
    #[serde(default)]
    expression: Option<Value>,
}

impl CheckItem for Assertion {
    type Doc = AssertionDoc;

    fn of(a: &Value) -> Assertion {
        let get = |key: &str| field(a, key).cloned();
        Assertion::from_doc(AssertionDoc {
            from: get("from"),
            method: get("method"),
            expression: get("expression"),
            assertion: get("assertion"),
            expect: get("expect"),
        })
    }

    fn from_doc(d: AssertionDoc) -> Assertion {
        let comparator = text_of(d.assertion);
        Assertion {
            from: text_of(d.from),
            method: text_of(d.method),
            expression: text_of(d.expression),
            resolved: assertion::Comparator::resolve(&comparator),
            comparator,
            expected: d.expect.unwrap_or(Value::None),
        }
    }
}

impl CheckItem for Relation {
    type Doc = RelationDoc;

    fn of(r: &Value) -> Relation {
        let get = |key: &str| field(r, key).cloned();
        Relation::from_doc(RelationDoc {
            name: get("name"),
            from: get("from"),
            method: get("method"),
            expression: get("expression"),
        })
    }

    fn from_doc(d: RelationDoc) -> Relation {
        Relation {
            name: text_of(d.name),
            from: text_of(d.from),
            method: text_of(d.method),
            expression: text_of(d.expression),
        }
    }
}

/// The items of a list (anything but a list has none).
pub fn list_of<T: CheckItem>(v: &Value) -> Vec<T> {
    match v {
        Value::List(items) => items.iter().map(T::of).collect(),
        _ => Vec::new(),
    }
}

/// A step's assertions or relations. Without a placeholder, the items are read once, with the
/// case; with one, the list as written is rendered at every execution and read then.
#[derive(Debug, Clone)]
pub enum Checks<T> {
    Read(Vec<T>),
    Templated(Value),
}

impl<T: CheckItem> Checks<T> {
    pub fn new(written: Value) -> Checks<T> {
        if crate::template::needs_render(&written) {
            Checks::Templated(written)
        } else {
            Checks::Read(list_of(&written))
        }
    }

    /// From the list's JSON text in a case file. A text that holds `{{` (or a `\u` escape,
    /// which might spell one) or does not fit the item documents is read as values, like
    /// [`Self::new`]; `None` when it is not a list at all. `empty`: what an empty list means.
    pub fn from_json_text(text: &str, empty: impl FnOnce() -> Value) -> Option<Checks<T>> {
        if !text.contains("{{")
            && !text.contains("\\u")
            && let Ok(docs) = serde_json::from_str::<Vec<T::Doc>>(text)
        {
            if docs.is_empty() {
                return Some(Checks::new(empty()));
            }
            return Some(Checks::Read(docs.into_iter().map(T::from_doc).collect()));
        }
        let list = serde_json::from_str::<Vec<Value>>(text).ok()?;
        Some(Checks::new(if list.is_empty() {
            empty()
        } else {
            Value::List(list)
        }))
    }

    /// The list as written, when it must be rendered.
    pub fn written(&self) -> Option<&Value> {
        match self {
            Checks::Templated(v) => Some(v),
            Checks::Read(_) => None,
        }
    }

    /// The items, when rendering would not change the list.
    pub fn items(&self) -> Option<&[T]> {
        match self {
            Checks::Read(items) => Some(items),
            Checks::Templated(_) => None,
        }
    }
}

/// Evaluates assertions in order, stopping at the first failure (A46).
/// `Ok((messages, failed))`; `Err` is a step error (unknown comparator, type error).
pub fn assertions(
    items: &[Assertion],
    resp: &CapturedResponse,
) -> Result<(Vec<String>, bool), String> {
    let mut messages = Vec::new();
    for a in items {
        let actual = match a.from.as_str() {
            "resCode" => Ok(Value::Int(i64::from(resp.status))),
            "resHeader" => extract::extract(&a.method, &a.expression, &header_dict(&resp.headers))
                .map_err(|e| e.to_string()),
            "resBody" => extract_body(&a.method, &a.expression, resp).map_err(|e| e.to_string()),
            other => Err(format!("无法在{other}位置进行断言")),
        };
        let actual = match actual {
            Ok(v) => v,
            Err(e) => {
                messages.push(format!("接口响应失败或{e}"));
                return Ok((messages, true));
            }
        };
        let Some(cmp) = a.resolved else {
            return Err(
                assertion::AssertionError::UnknownComparator(a.comparator.clone()).to_string(),
            );
        };
        match assertion::compare_with(cmp, &actual, &a.expected).map_err(|e| e.to_string())? {
            Outcome::Pass => messages.push("success".into()),
            Outcome::Fail(m) => {
                messages.push(m);
                return Ok((messages, true));
            }
        }
    }
    Ok((messages, false))
}

/// What relations can read besides the response (api-cases §5).
pub struct RequestView<'a> {
    pub headers: &'a IndexMap<String, String>,
    pub query: &'a Value,
    /// json body value, form object, the encoded string (form-urlencoded) or bytes (raw).
    pub body: &'a Value,
}

/// Runs the relations in order; each value goes into `vars`. The error is a step error.
pub fn relations(
    items: &[Relation],
    resp: &CapturedResponse,
    req: &RequestView,
    vars: &mut IndexMap<String, Value>,
) -> Result<(), String> {
    for r in items {
        let expression = r.expression.trim();
        let value = if expression == "$" {
            Value::Bytes(resp.bytes().to_vec())
        } else if matches!(
            expression.to_ascii_lowercase().as_str(),
            "cookie" | "cookies"
        ) {
            Value::Str(resp.cookies.clone())
        } else {
            let data = match r.from.as_str() {
                "resHeader" => header_dict(&resp.headers),
                "resBody" => {
                    vars.insert(
                        r.name.clone(),
                        extract_body(&r.method, expression, resp).map_err(|e| e.to_string())?,
                    );
                    continue;
                }
                "reqHeader" => header_dict(req.headers),
                "reqQuery" => req.query.clone(),
                "reqBody" => req.body.clone(),
                other => return Err(format!("无法从{other}位置提取依赖参数")),
            };
            extract::extract(&r.method, expression, &data).map_err(|e| e.to_string())?
        };
        vars.insert(r.name.clone(), value);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_without_placeholders_is_read_once_and_one_with_them_is_kept_to_render() {
        let plain = Checks::<Assertion>::from_json_text(
            r#"[{"from":"resCode","expect":"200"},{"from":"resBody","assertion":"equals"}]"#,
            || Value::None,
        );
        assert!(matches!(plain, Some(Checks::Read(ref items)) if items.len() == 2));
        let templated = Checks::<Relation>::from_json_text(r#"[{"name":"{{n}}"}]"#, || Value::None);
        assert!(matches!(templated, Some(Checks::Templated(_))));
        let empty = Checks::<Assertion>::from_json_text("[]", default_assertions);
        assert!(matches!(empty, Some(Checks::Read(ref items)) if items.len() == 1));
        assert!(Checks::<Assertion>::from_json_text("{}", || Value::None).is_none());
    }
}
