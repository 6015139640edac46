//! Rendering the request parts of an API step (§2.7, `render_content`), with
//! quirks A3 (the caller passes copies: nothing is rendered in place in the
//! case), A10 (leaf order by parsed references), A11 (write-back by tree
//! position) and A12 (header values are `str()`-converted).

use crate::value::Value;

use super::leaves::{Section, Seg, get, has_pair, has_placeholder, render_order, set};
use super::{RenderError, RequestRefs, Scope, render};

/// How the body is rendered (the step's `body.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// `json`: leaf-wise.
    Json,
    /// `form-urlencoded` / `form-data` (the non-file fields): leaf-wise.
    Form,
    /// `text` / `xml` / `html` (and anything else): the body string is
    /// rendered as one value.
    Raw,
}

impl BodyKind {
    /// From the case's `body.type`.
    pub fn from_body_type(body_type: &str) -> BodyKind {
        match body_type {
            "json" => BodyKind::Json,
            "form-urlencoded" | "form-data" => BodyKind::Form,
            _ => BodyKind::Raw,
        }
    }
}

/// The unrendered request parts of one step execution, after the collect phase
/// (rest substitution, form/file preparation). Pass **copies** of the case data
/// on every execution (A3): loops re-render from the pristine text.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestParts {
    /// The step `url` (environment domain); never rendered, read by `#{_request_url}`.
    pub url: Value,
    /// The path after rest substitution.
    pub path: Value,
    /// Every other request option rendered as one object (proxies, files with
    /// their `{{@loadfile(id)}}` placeholders, verify, stream, timeout); `None`
    /// to skip.
    pub others: Option<Value>,
    /// The headers object; `None` when the step has none.
    pub headers: Option<Value>,
    /// The query object; `None` when the step has none.
    pub query: Option<Value>,
    /// The body (`json` object/list, form fields object, or raw text); `None`
    /// when the step has none.
    pub body: Option<Value>,
    pub body_kind: BodyKind,
}

/// The rendered parts. Absent parts stay `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedRequest {
    pub url: Value,
    pub path: Value,
    pub others: Option<Value>,
    pub headers: Option<Value>,
    pub query: Option<Value>,
    pub body: Option<Value>,
    /// Console lines of all renders, in order.
    pub console: Vec<String>,
    /// A4 Debug notes (see [`super::Rendered::unresolved`]).
    pub unresolved: Vec<String>,
    /// Warnings (see [`super::Rendered::warnings`]).
    pub warnings: Vec<String>,
}

impl RenderedRequest {
    /// The final request state, for rendering the step's assertions and
    /// relations afterwards (Python renders them with the same template state).
    pub fn refs(&self) -> RequestRefs {
        RequestRefs {
            url: self.url.clone(),
            path: self.path.clone(),
            headers: self.headers.clone().unwrap_or(Value::None),
            query: self.query.clone().unwrap_or(Value::None),
            body: self.body.clone().unwrap_or(Value::None),
        }
    }
}

/// Renders a step's request parts in the order of §2.7:
///
/// 1. `path` (a string in, any value out);
/// 2. `others` as one value;
/// 3. headers, query and body in the order decided by Python's substring tests
///    on their `repr` (lower-cased): headers mentioning `#{_request_query` or
///    `#{_request_body` go last, a query mentioning `#{_request_body` goes
///    after the body;
/// 4. within headers/query/json/form bodies, every string leaf containing a
///    `{{…}}` (on one line) is rendered alone as a whole string, in the order
///    of A10 (see `leaves::render_order`), and written back at its tree position
///    (A11); header results become `str()` text (A12). A raw body is rendered as
///    one value.
///
/// `#{_request_*}` references see the current state: parts and leaves rendered
/// earlier are rendered, later ones still raw. `scope.request` is ignored. Path
/// and `others` see the step's raw state too (Python: the previous step's
/// state). Any render error stops here; its `console` then holds every line
/// printed so far.
pub fn render_request(parts: RequestParts, scope: &Scope) -> Result<RenderedRequest, RenderError> {
    let mut run = Run {
        scope,
        console: Vec::new(),
        unresolved: Vec::new(),
        warnings: Vec::new(),
        refs: RequestRefs {
            url: parts.url,
            path: parts.path,
            headers: Value::None,
            query: Value::None,
            body: Value::None,
        },
    };
    let (has_headers, has_query, has_body) = (
        parts.headers.is_some(),
        parts.query.is_some(),
        parts.body.is_some(),
    );
    run.refs.headers = parts.headers.unwrap_or(Value::None);
    run.refs.query = parts.query.unwrap_or(Value::None);
    run.refs.body = parts.body.unwrap_or(Value::None);

    let raw_path = run.refs.path.clone();
    run.refs.path = run.render_value(&raw_path)?;
    let others = match &parts.others {
        Some(o) => Some(run.render_value(o)?),
        None => None,
    };

    // A needle is plain ASCII that `repr` never escapes, so it is in the lower-cased repr
    // exactly when it is in one of the value's strings (any case). Headers and query are
    // still as written here (an absent part is `None`, which mentions nothing).
    let headers_last = mentions(&run.refs.headers, "#{_request_query")
        || mentions(&run.refs.headers, "#{_request_body");
    let query_after_body = mentions(&run.refs.query, "#{_request_body");
    let order = match (headers_last, query_after_body) {
        (true, true) => [Section::Body, Section::Query, Section::Headers],
        (true, false) => [Section::Query, Section::Body, Section::Headers],
        (false, true) => [Section::Headers, Section::Body, Section::Query],
        (false, false) => [Section::Headers, Section::Query, Section::Body],
    };
    for section in order {
        let present = match section {
            Section::Headers => has_headers,
            Section::Query => has_query,
            Section::Body => has_body,
        };
        if !present {
            continue;
        }
        if section == Section::Body && parts.body_kind == BodyKind::Raw {
            let raw = run.refs.body.clone();
            run.refs.body = run.render_value(&raw)?;
        } else {
            run.render_leaves(section)?;
        }
    }

    let present = |p: bool, v: Value| p.then_some(v);
    Ok(RenderedRequest {
        headers: present(has_headers, run.refs.headers),
        query: present(has_query, run.refs.query),
        body: present(has_body, run.refs.body),
        url: run.refs.url,
        path: run.refs.path,
        others,
        console: run.console,
        unresolved: run.unresolved,
        warnings: run.warnings,
    })
}

struct Run<'s, 'a> {
    scope: &'s Scope<'a>,
    refs: RequestRefs,
    console: Vec<String>,
    unresolved: Vec<String>,
    warnings: Vec<String>,
}

impl Run<'_, '_> {
    /// One `render` with the current reference state; diagnostics accumulate.
    fn render_value(&mut self, input: &Value) -> Result<Value, RenderError> {
        let scope = Scope {
            context: self.scope.context,
            params: self.scope.params,
            functions: self.scope.functions,
            request: Some(&self.refs),
        };
        match render(input, &scope) {
            Ok(r) => {
                self.console.extend(r.console);
                self.unresolved.extend(r.unresolved);
                self.warnings.extend(r.warnings);
                Ok(r.value)
            }
            Err(mut e) => {
                let mut console = std::mem::take(&mut self.console);
                console.append(&mut e.console);
                e.console = console;
                Err(e)
            }
        }
    }

    fn part(&self, section: Section) -> &Value {
        match section {
            Section::Headers => &self.refs.headers,
            Section::Query => &self.refs.query,
            Section::Body => &self.refs.body,
        }
    }

    fn part_mut(&mut self, section: Section) -> &mut Value {
        match section {
            Section::Headers => &mut self.refs.headers,
            Section::Query => &mut self.refs.query,
            Section::Body => &mut self.refs.body,
        }
    }

    fn render_leaves(&mut self, section: Section) -> Result<(), RenderError> {
        if !holds_reference(self.part(section)) {
            // Without a `#{…}` reference no leaf reads another one, so the leaves are rendered
            // where they are, in the same order, without positions to look them up by.
            let mut part = std::mem::replace(self.part_mut(section), Value::None);
            let rendered = self.render_in_place(&mut part, section == Section::Headers);
            *self.part_mut(section) = part;
            return rendered;
        }
        let order: Vec<Vec<Seg>> = render_order(self.part(section), section);
        for path in order {
            let text = match get(self.part(section), &path) {
                Some(Value::Str(s)) if has_placeholder(s) => s.clone(),
                _ => continue,
            };
            let mut value = self.render_value(&Value::Str(text))?;
            if section == Section::Headers {
                value = Value::Str(value.py_str()); // A12 Compat
            }
            set(self.part_mut(section), &path, value);
        }
        Ok(())
    }
}

/// The values of a dict or the items of a list, in order (none for anything else).
fn children_mut(node: &mut Value) -> impl DoubleEndedIterator<Item = &mut Value> {
    let (dict, list) = match node {
        Value::Dict(m) => (Some(m.values_mut()), None),
        Value::List(items) => (None, Some(items.iter_mut())),
        _ => (None, None),
    };
    dict.into_iter().flatten().chain(list.into_iter().flatten())
}

impl Run<'_, '_> {
    /// Renders the string leaves of `node` that hold a placeholder, in `render_order`'s order
    /// (at each container its strings in order, then its containers last first). A leaf that
    /// renders to a container is not entered: the positions were the part's as written.
    fn render_in_place(&mut self, node: &mut Value, header: bool) -> Result<(), RenderError> {
        let mut grown: Vec<usize> = Vec::new();
        let mut count = 0;
        for (i, v) in children_mut(node).enumerate() {
            count = i + 1;
            if self.render_leaf(v, header)? {
                grown.push(i);
            }
        }
        for (back, v) in children_mut(node).rev().enumerate() {
            if !grown.contains(&(count - 1 - back)) {
                self.render_in_place(v, header)?;
            }
        }
        Ok(())
    }

    /// Renders `v` when it is a string with a placeholder; `true` when it became a container.
    fn render_leaf(&mut self, v: &mut Value, header: bool) -> Result<bool, RenderError> {
        let Value::Str(text) = v else {
            return Ok(false);
        };
        if !has_placeholder(text) {
            return Ok(false);
        }
        let mut value = self.render_value(v)?;
        if header {
            value = Value::Str(value.py_str()); // A12 Compat
        }
        *v = value;
        Ok(matches!(v, Value::Dict(_) | Value::List(_)))
    }
}

/// Whether a string leaf of `v` holds a `#{…}` reference (which reads the request's state).
fn holds_reference(v: &Value) -> bool {
    match v {
        Value::Str(s) => has_pair(s, b'#', b'{'),
        Value::Dict(m) => m.values().any(holds_reference),
        Value::List(items) => items.iter().any(holds_reference),
        _ => false,
    }
}

/// Whether a string (key or value) or bytes of `v` hold `needle`, ignoring ASCII case: for a
/// needle that `repr` never escapes, Python's `needle in repr(v).lower()` without the repr.
pub fn mentions(v: &Value, needle: &str) -> bool {
    let holds = |hay: &[u8]| {
        hay.windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
    };
    match v {
        Value::Str(s) => holds(s.as_bytes()),
        Value::Bytes(b) => holds(b),
        Value::List(items) | Value::Tuple(items) => items.iter().any(|i| mentions(i, needle)),
        Value::Dict(d) => d
            .iter()
            .any(|(k, v)| holds(k.as_bytes()) || mentions(v, needle)),
        Value::None | Value::Bool(_) | Value::Int(_) | Value::Float(_) => false,
    }
}
