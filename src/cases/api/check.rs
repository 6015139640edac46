//! Assertions (api-cases §4.1) and relations (§5) of one step, on their rendered lists.

use super::request::CapturedResponse;
use crate::assertion::{self, Outcome};
use crate::cases::api::request::Headers;
use crate::extract;
use crate::value::Dict;
use crate::value::{Value, ValueVisitor};

fn field<'a>(item: &'a Value, key: &str) -> Option<&'a Value> {
    match item {
        Value::Dict(d) => d.get(key),
        _ => None,
    }
}

/// The response header map as a dict of strings (server spelling).
pub fn header_dict(headers: &Headers) -> Value {
    Value::Dict(
        headers
            .iter()
            .map(|(k, v)| (k.clone(), Value::Str(v.clone())))
            .collect(),
    )
}

/// The assertion list used when a step has none: status code equals 200.
pub fn default_assertions() -> Value {
    let mut item = Dict::default();
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
    /// The item an element of the (rendered) list stands for.
    fn of(item: &Value) -> Self;
    /// The same item from an object's fields as a case file holds them, in order (a repeated
    /// key's last value wins, as in the dict [`Self::of`] reads).
    fn from_fields(fields: Vec<(std::borrow::Cow<'_, str>, Value)>) -> Self;
}

/// A text field of an item: missing or `None` is empty, other values their `str()`.
fn text_of(v: Option<Value>) -> String {
    match v {
        None | Some(Value::None) => String::new(),
        Some(Value::Str(s)) => s,
        Some(other) => other.py_str(),
    }
}

impl Assertion {
    fn from_parts(
        from: Option<Value>,
        method: Option<Value>,
        expression: Option<Value>,
        assertion: Option<Value>,
        expect: Option<Value>,
    ) -> Assertion {
        let comparator = text_of(assertion);
        Assertion {
            from: text_of(from),
            method: text_of(method),
            expression: text_of(expression),
            resolved: assertion::Comparator::resolve(&comparator),
            comparator,
            expected: expect.unwrap_or(Value::None),
        }
    }
}

impl CheckItem for Assertion {
    fn of(a: &Value) -> Assertion {
        let get = |key: &str| field(a, key).cloned();
        Assertion::from_parts(
            get("from"),
            get("method"),
            get("expression"),
            get("assertion"),
            get("expect"),
        )
    }

    fn from_fields(fields: Vec<(std::borrow::Cow<'_, str>, Value)>) -> Assertion {
        let (mut from, mut method, mut expression, mut comparator, mut expect) =
            (None, None, None, None, None);
        for (key, value) in fields {
            match key.as_ref() {
                "from" => from = Some(value),
                "method" => method = Some(value),
                "expression" => expression = Some(value),
                "assertion" => comparator = Some(value),
                "expect" => expect = Some(value),
                _ => {}
            }
        }
        Assertion::from_parts(from, method, expression, comparator, expect)
    }
}

impl CheckItem for Relation {
    fn of(r: &Value) -> Relation {
        let get = |key: &str| text_of(field(r, key).cloned());
        Relation {
            name: get("name"),
            from: get("from"),
            method: get("method"),
            expression: get("expression"),
        }
    }

    fn from_fields(fields: Vec<(std::borrow::Cow<'_, str>, Value)>) -> Relation {
        let (mut name, mut from, mut method, mut expression) = (None, None, None, None);
        for (key, value) in fields {
            match key.as_ref() {
                "name" => name = Some(value),
                "from" => from = Some(value),
                "method" => method = Some(value),
                "expression" => expression = Some(value),
                _ => {}
            }
        }
        Relation {
            name: text_of(name),
            from: text_of(from),
            method: text_of(method),
            expression: text_of(expression),
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

/// A step's `assertions` or `relations` as a case file holds them, read in one pass: each
/// object's fields are read once, straight into items, unless some key or value holds a
/// placeholder (then the list is kept as written, to be rendered at every execution).
///
/// Anything but a list fails to read, which sends the case file to the lenient tree reading.
pub enum ListDoc<T> {
    /// A list without placeholders, read into its items (possibly none).
    Items(Vec<T>),
    /// A list with a placeholder somewhere, as written.
    Written(Value),
}

impl<T: CheckItem> ListDoc<T> {
    /// The checks, with `empty()` standing for an empty list.
    pub fn into_checks(self, empty: impl FnOnce() -> Value) -> Checks<T> {
        match self {
            ListDoc::Items(items) if items.is_empty() => Checks::new(empty()),
            ListDoc::Items(items) => Checks::Read(items),
            ListDoc::Written(list) => Checks::new(list),
        }
    }
}

/// One element of a list: an object's fields in order, or any other value.
enum Element<'de> {
    Fields(Vec<(std::borrow::Cow<'de, str>, Value)>),
    Other(Value),
}

impl Element<'_> {
    fn holds_placeholder(&self) -> bool {
        match self {
            Element::Fields(fields) => fields
                .iter()
                .any(|(k, v)| k.contains("{{") || crate::template::needs_render(v)),
            Element::Other(v) => crate::template::needs_render(v),
        }
    }

    fn into_value(self) -> Value {
        match self {
            Element::Fields(fields) => Value::Dict(
                fields
                    .into_iter()
                    .map(|(k, v)| (k.into_owned(), v))
                    .collect(),
            ),
            Element::Other(v) => v,
        }
    }
}

/// A key, borrowed from the file's text when it has no escape.
struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> serde::de::Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(s.to_owned())))
            }
            fn visit_string<E>(self, s: String) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(s)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

impl<'de> serde::Deserialize<'de> for Element<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ElementVisitor;
        impl<'de> serde::de::Visitor<'de> for ElementVisitor {
            type Value = Element<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list element")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Element<'de>, A::Error> {
                let mut fields = Vec::with_capacity(map.size_hint().unwrap_or(5).min(64));
                while let Some(Key(key)) = map.next_key()? {
                    fields.push((key, map.next_value::<Value>()?));
                }
                Ok(Element::Fields(fields))
            }
            // Anything but an object is the `Value` it reads as.
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<Element<'de>, A::Error> {
                ValueVisitor.visit_seq(seq).map(Element::Other)
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Element<'de>, E> {
                ValueVisitor.visit_unit().map(Element::Other)
            }
            fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<Element<'de>, E> {
                ValueVisitor.visit_bool(b).map(Element::Other)
            }
            fn visit_i64<E: serde::de::Error>(self, i: i64) -> Result<Element<'de>, E> {
                ValueVisitor.visit_i64(i).map(Element::Other)
            }
            fn visit_u64<E: serde::de::Error>(self, u: u64) -> Result<Element<'de>, E> {
                ValueVisitor.visit_u64(u).map(Element::Other)
            }
            fn visit_f64<E: serde::de::Error>(self, f: f64) -> Result<Element<'de>, E> {
                ValueVisitor.visit_f64(f).map(Element::Other)
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Element<'de>, E> {
                ValueVisitor.visit_str(s).map(Element::Other)
            }
        }
        d.deserialize_any(ElementVisitor)
    }
}

impl<'de, T: CheckItem> serde::Deserialize<'de> for ListDoc<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ListVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: CheckItem> serde::de::Visitor<'de> for ListVisitor<T> {
            type Value = ListDoc<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of checks")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<ListDoc<T>, A::Error> {
                let mut elements = Vec::with_capacity(seq.size_hint().unwrap_or(4).min(256));
                while let Some(element) = seq.next_element::<Element<'de>>()? {
                    elements.push(element);
                }
                if elements.iter().any(Element::holds_placeholder) {
                    return Ok(ListDoc::Written(Value::List(
                        elements.into_iter().map(Element::into_value).collect(),
                    )));
                }
                Ok(ListDoc::Items(
                    elements
                        .into_iter()
                        .map(|e| match e {
                            Element::Fields(fields) => T::from_fields(fields),
                            Element::Other(v) => T::of(&v),
                        })
                        .collect(),
                ))
            }
        }
        d.deserialize_seq(ListVisitor(std::marker::PhantomData))
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
        let failure = if passes_on_length(a, resp) {
            None
        } else {
            evaluate(a, resp)?
        };
        match failure {
            None => messages.push("success".into()),
            Some(m) => {
                messages.push(m);
                return Ok((messages, true));
            }
        }
    }
    Ok((messages, false))
}

/// One assertion against the response: `Ok(None)` when it passes, `Ok(Some(message))` when it
/// fails (an extraction failure included), `Err` for a step error.
fn evaluate(a: &Assertion, resp: &CapturedResponse) -> Result<Option<String>, String> {
    let actual = match a.from.as_str() {
        "resCode" => Ok(Value::Int(i64::from(resp.status))),
        "resHeader" => extract::extract(&a.method, &a.expression, &header_dict(&resp.headers))
            .map_err(|e| e.to_string()),
        "resBody" => extract_body(&a.method, &a.expression, resp).map_err(|e| e.to_string()),
        other => Err(format!("无法在{other}位置进行断言")),
    };
    let actual = match actual {
        Ok(v) => v,
        Err(e) => return Ok(Some(format!("接口响应失败或{e}"))),
    };
    let Some(cmp) = a.resolved else {
        return Err(assertion::AssertionError::UnknownComparator(a.comparator.clone()).to_string());
    };
    match assertion::compare_with(cmp, &actual, &a.expected).map_err(|e| e.to_string())? {
        Outcome::Pass => Ok(None),
        Outcome::Fail(m) => Ok(Some(m)),
    }
}

/// A list-length assertion on a JSONPath match that passes on the match's length alone: the
/// list is built only when the assertion fails (its message prints it) or the length cannot
/// tell (see [`crate::extract::JsonDoc::list_len`]).
fn passes_on_length(a: &Assertion, resp: &CapturedResponse) -> bool {
    let (Some(cmp), "resBody", "jsonpath") = (a.resolved, a.from.as_str(), a.method.as_str())
    else {
        return false;
    };
    if !cmp.is_list_len() {
        return false;
    }
    match resp.json_doc().map(|doc| doc.list_len(&a.expression)) {
        Some(Ok(Some(len))) => assertion::list_len_passes(cmp, len, &a.expected),
        _ => false,
    }
}

/// What relations can read besides the response (api-cases §5).
pub struct RequestView<'a> {
    pub headers: &'a Headers,
    pub query: &'a Value,
    /// json body value, form object, the encoded string (form-urlencoded) or bytes (raw).
    pub body: &'a Value,
}

/// Runs the relations in order; each value goes into `vars`. The error is a step error.
pub fn relations(
    items: &[Relation],
    resp: &CapturedResponse,
    req: &RequestView,
    vars: &mut Dict,
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
        fn read<T: CheckItem>(text: &str, empty: fn() -> Value) -> Option<Checks<T>> {
            serde_json::from_str::<ListDoc<T>>(text)
                .ok()
                .map(|list| list.into_checks(empty))
        }
        let plain = read::<Assertion>(
            r#"[{"from":"resCode","expect":"200"},{"from":"resBody","assertion":"equals"}]"#,
            || Value::None,
        );
        assert!(matches!(plain, Some(Checks::Read(ref items)) if items.len() == 2));
        let templated = read::<Relation>(r#"[{"name":"{{n}}"}]"#, || Value::None);
        assert!(matches!(templated, Some(Checks::Templated(_))));
        let escaped = read::<Relation>(r#"[{"name":"\u007b{n}}"}]"#, || Value::None);
        assert!(matches!(escaped, Some(Checks::Templated(_))));
        let in_key = read::<Relation>(r#"[{"{{k}}":"v"}]"#, || Value::None);
        assert!(matches!(in_key, Some(Checks::Templated(_))));
        let nested = read::<Assertion>(r#"[{"expect":{"a":["{{x}}"]}}]"#, || Value::None);
        assert!(matches!(nested, Some(Checks::Templated(_))));
        let empty = read::<Assertion>("[]", default_assertions);
        assert!(matches!(empty, Some(Checks::Read(ref items)) if items.len() == 1));
        assert!(read::<Assertion>(r#"{"a":[1]}"#, || Value::None).is_none());
        assert!(read::<Assertion>(r#""x""#, || Value::None).is_none());
    }

    #[test]
    fn a_list_length_assertion_passes_on_the_length_only_where_the_value_passes_too() {
        use crate::extract::tests::testutil::{LIST_DOC, LIST_EXPRS};
        let doc = crate::value::IndexedJson::parse(LIST_DOC.to_string()).expect("json");
        let resp = CapturedResponse::json(200, Headers::default(), doc, String::new());
        let comparators = [
            "listLenEqual",
            "listLenGreaterThan",
            "listLenLessThan",
            "equals",
        ];
        let expects = [
            serde_json::json!("3"),
            serde_json::json!("2"),
            serde_json::json!("0"),
            serde_json::json!("10"),
            serde_json::json!("3.0"),
            serde_json::json!(3),
            serde_json::json!("abc"),
            serde_json::json!(""),
            serde_json::json!(null),
            serde_json::json!("[1]"),
        ];
        let mut decided = 0;
        for expr in LIST_EXPRS {
            for cmp in comparators {
                for expect in &expects {
                    let a = Assertion::of(&Value::from_json(&serde_json::json!({
                        "from": "resBody", "method": "jsonpath", "expression": expr,
                        "assertion": cmp, "expect": expect
                    })));
                    let general = evaluate(&a, &resp);
                    if passes_on_length(&a, &resp) {
                        decided += 1;
                        assert_eq!(general, Ok(None), "{expr} {cmp} {expect}");
                    }
                    let expected = general.map(|failure| match failure {
                        None => (vec!["success".to_string()], false),
                        Some(m) => (vec![m], true),
                    });
                    assert_eq!(
                        assertions(std::slice::from_ref(&a), &resp),
                        expected,
                        "{expr} {cmp} {expect}"
                    );
                }
            }
        }
        assert!(
            decided >= 20,
            "the length alone decided {decided} assertions"
        );
    }
}
