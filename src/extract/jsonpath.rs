//! jsonpath 0.82 compatibility layer over `serde_json_path` (RFC 9535).
//!
//! How a 0.82 expression is evaluated:
//!
//! 1. **Normalisation** — [`normalize`] is a literal port of 0.82's
//!    `normalize()` (the same four regex substitutions, filters/scripts
//!    protected first), followed by the `$;` prefix strip.  The result is a
//!    `;`-separated list of segments; `$.a[0].b`, `$['a'][0]['b']`, `a.0.b` and
//!    `a[0].b` all become `a;0;b`.
//! 2. **Translation** — maximal runs of segments whose 0.82 meaning RFC 9535
//!    expresses exactly are translated into one RFC query and evaluated by
//!    `serde_json_path`:
//!    * a plain name `k` → `['k']` (member of an object, nothing otherwise);
//!    * an all-digit segment `07` → `['07',7]` (0.82 tries the object key
//!      first and the array index second; a node is never both, so the union
//!      yields exactly what 0.82 yields; a negative index is not all-digit,
//!      so `[-1]` stays unsupported as in 0.82);
//!    * `*` → `[*]` (array order / object insertion order). 0.82 actually
//!      re-feeds each object key as a segment, which differs only for keys
//!      `*`, `..`, `!` or containing `;`; data holding such a key (checked
//!      when the document is prepared) gets a hand-evaluated `*` instead;
//!    * `..` followed by one of the above → `..[sel]`: 0.82 applies the rest
//!      of the path at the node and then at every descendant, pre-order;
//!      `serde_json_path` visits descendants pre-order too, and applying the
//!      remaining segments to that ordered node list gives the same sequence.
//! 3. **Hand evaluation** — what RFC 9535 cannot express is evaluated here,
//!    per node, between crate queries:
//!    * `?(expr)` filters and `(expr)` scripts: Python expressions (0.82
//!      rewrites `@.x`, `@.length`, `&&`/`||`, `!@.x` textually and calls
//!      `eval`, every exception counting as `False`) — see `pyexpr`; the
//!      filter's selected object keys and the script's result are re-fed as
//!      path segments exactly like 0.82's `trace(s(key, rest))`;
//!    * `start:end:step` slices: 0.82 clamps both bounds to `[0, len]` and
//!      uses `range()`, so `[::-1]` matches nothing, `[::0]` and `[-:]` raise
//!      `ValueError` (RFC slices differ for negative steps and bounds);
//!      on objects the indexes are looked up as keys `"0"`, `"1"`…;
//!    * `a,b` unions: each piece is a full segment of its own;
//!    * `!` (object keys, a Perl extension);
//!    * `..` at the end of the path or before a hand-evaluated segment
//!      (`$..` yields every node including the root, pre-order);
//!    * the order of 0.82's checks: `*`, `..`, `!` first, then an existing
//!      object key wins over script/filter/slice/union forms;
//!    * "empty root never matches" (`if expr and obj`), and `$` alone being a
//!      lookup of the key `"$"` (so it never matches ordinary data).
//!
//! Why hand-evaluated: RFC 9535 filters are not Python (no arithmetic, no
//! truthiness, missing members are "nothing" rather than an exception, no
//! `in`), it has no dynamic selectors, its slices differ for negative steps
//! and bounds, and its unions are flat selector lists rather than re-fed
//! segments with key precedence.
//!
//! Values are mirrored once into `serde_json::Value` (tuples, bytes and
//! non-finite floats become opaque `null` leaves, which 0.82 does not walk
//! either); matches are mapped back to the original values. Callers holding
//! the parsed `serde_json::Value` use [`JsonDoc::from_json`] and skip the
//! mirror entirely; plans (normalised + translated expressions) are cached.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use fancy_regex::{Captures, Regex};
use serde_json::Value as J;
use serde_json_path::JsonPath;

use super::ExtractError;
use super::pyexpr::{PV, PyExpr};
use crate::value::Value;

// ---------------------------------------------------------------------------
// Normalisation (port of jsonpath 0.82 `normalize`)
// ---------------------------------------------------------------------------

static RE_PROTECT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[\['](\??\(.*?\))[\]']").expect("static regex"));
static RE_SEP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"'?(?<!@)\.'?|\['?").expect("static regex"));
static RE_DOUBLE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r";;;|;;").expect("static regex"));
// Python's `$` also matches before a trailing newline.
static RE_TRAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r";(?=\n?\z)|'?\]|'(?=\n?\z)").expect("static regex"));
static RE_RESTORE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"#([0-9]+)").expect("static regex"));
static RE_SLICE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(-?[0-9]*):(-?[0-9]*):?(-?[0-9]*)\n?$").expect("static regex"));
static RE_UNION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"'?,'?").expect("static regex"));

/// Compiles the normalisation's patterns now (see [`super::warm_up`]).
pub(super) fn warm_up() {
    for re in [
        &RE_PROTECT,
        &RE_SEP,
        &RE_DOUBLE,
        &RE_TRAIL,
        &RE_RESTORE,
        &RE_SLICE,
        &RE_UNION,
    ] {
        LazyLock::force(re);
    }
}

fn regex_failure(e: fancy_regex::Error) -> ExtractError {
    ExtractError::Python(format!("re.error: {e}"))
}

fn sub(re: &Regex, text: &str, rep: impl fancy_regex::Replacer) -> Result<String, ExtractError> {
    re.try_replacen(text, 0, rep)
        .map(|c| c.into_owned())
        .map_err(regex_failure)
}

/// 0.82 `normalize(expr)`. Errors like Python's `IndexError` when the
/// expression contains `#<n>` with no protected expression number `n`.
pub(crate) fn normalize(expr: &str) -> Result<String, ExtractError> {
    let mut subx: Vec<String> = Vec::new();
    let x = sub(&RE_PROTECT, expr, |c: &Captures<'_, str>| {
        subx.push(c[1].to_string());
        format!("[#{}]", subx.len() - 1)
    })?;
    let x = sub(&RE_SEP, &x, ";")?;
    let x = sub(&RE_DOUBLE, &x, ";..;")?;
    let x = sub(&RE_TRAIL, &x, "")?;
    let mut bad = false;
    let x = sub(&RE_RESTORE, &x, |c: &Captures<'_, str>| {
        match c[1].parse::<usize>().ok().and_then(|i| subx.get(i)) {
            Some(s) => s.clone(),
            None => {
                bad = true;
                String::new()
            }
        }
    })?;
    if bad {
        return Err(ExtractError::Python(
            "IndexError: list index out of range".into(),
        ));
    }
    Ok(x)
}

// ---------------------------------------------------------------------------
// Plans
// ---------------------------------------------------------------------------

#[derive(Debug)]
pub(crate) struct Plan {
    steps: Vec<Step>,
}

#[derive(Debug)]
enum Step {
    /// Evaluated by `serde_json_path`.
    Crate(JsonPath),
    /// A run of names and all-digit segments, the common `$.data.id` or `$.list[0].id`: the
    /// same selection as its RFC query, looked up directly (a query cost ten times as much).
    Members(Vec<Member>),
    /// `..` not followed by a crate-expressible segment: node + descendants.
    Descend,
    /// `!`: the keys of an object.
    Keys,
    /// `*` by hand (only for data with keys 0.82 would misread, see [`is_special_key`]).
    Wild,
    /// Existing object key `loc` first, else the special meaning.
    Special(String, Special),
}

/// One segment of a [`Step::Members`] run.
#[derive(Debug)]
enum Member {
    /// `['k']`: the member of an object, nothing otherwise.
    Name(String),
    /// `['07',7]`: the key of an object, else the index of an array (`None` beyond what RFC
    /// 9535 can index, which matches no element).
    Digits(String, Option<usize>),
}

impl Member {
    fn select<'a>(&self, j: &'a J) -> Option<&'a J> {
        match (self, j) {
            (Member::Name(k), J::Object(m)) | (Member::Digits(k, _), J::Object(m)) => m.get(k),
            (Member::Digits(_, Some(i)), J::Array(a)) => a.get(*i),
            _ => None,
        }
    }

    /// [`Self::select`] on an indexed document.
    fn select_indexed(
        &self,
        doc: &crate::value::IndexedJson,
        n: crate::value::JsonNode,
    ) -> Option<crate::value::JsonNode> {
        match self {
            Member::Name(k) => doc.member(n, k),
            Member::Digits(k, i) => doc.member(n, k).or_else(|| i.and_then(|i| doc.item(n, i))),
        }
    }
}

#[derive(Debug)]
enum Special {
    Script(PyExpr),
    Filter(PyExpr),
    Slice(String, String, String),
    Union(Vec<Plan>),
}

enum Seg<'s> {
    Wild,
    Descend,
    Keys,
    Name(&'s str),
    Digits(&'s str),
    Hand(&'s str),
}

fn classify(loc: &str) -> Seg<'_> {
    match loc {
        "*" => Seg::Wild,
        ".." => Seg::Descend,
        "!" => Seg::Keys,
        _ if !loc.is_empty() && loc.bytes().all(|b| b.is_ascii_digit()) => Seg::Digits(loc),
        _ if (loc.starts_with('(') && loc.ends_with(')'))
            || (loc.starts_with("?(") && loc.ends_with(')'))
            || RE_SLICE.is_match(loc).unwrap_or(false)
            || loc.contains(',') =>
        {
            Seg::Hand(loc)
        }
        _ => Seg::Name(loc),
    }
}

/// RFC 9535 single-quoted string literal.
fn rfc_quote(s: &str, out: &mut String) {
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
}

/// 0.82's `*` re-feeds every object key as a path segment
/// (`trace(s(key, rest))`): keys that are themselves special segments or
/// contain the separator then mean something else (`*` even recurses
/// forever). Data with such keys is evaluated with a hand-made `*`.
pub(crate) fn is_special_key(k: &str) -> bool {
    is_special_key_bytes(k.as_bytes())
}

/// [`is_special_key`] of a key's UTF-8 bytes.
pub(crate) fn is_special_key_bytes(k: &[u8]) -> bool {
    matches!(k, b"*" | b".." | b"!") || k.contains(&b';')
}

/// An all-digit segment as an RFC index: RFC indexes are limited to ±(2^53-1), and larger ones
/// match nothing in 0.82 either.
fn rfc_index(digits: &str) -> Option<u64> {
    digits.parse::<u64>().ok().filter(|i| *i < (1u64 << 53))
}

/// The RFC bracketed selector for a crate-expressible segment.
fn rfc_selector(seg: &Seg, out: &mut String, hand_wild: bool) -> bool {
    match seg {
        Seg::Wild if hand_wild => return false,
        Seg::Wild => out.push_str("[*]"),
        Seg::Name(k) => {
            out.push('[');
            rfc_quote(k, out);
            out.push(']');
        }
        Seg::Digits(d) => {
            out.push('[');
            rfc_quote(d, out);
            if let Some(i) = rfc_index(d) {
                out.push_str(&format!(",{i}"));
            }
            out.push(']');
        }
        _ => return false,
    }
    true
}

fn compile_special(loc: &str, hand_wild: bool) -> Result<Special, ExtractError> {
    Ok(if loc.starts_with('(') && loc.ends_with(')') {
        Special::Script(PyExpr::compile(loc))
    } else if loc.starts_with("?(") && loc.ends_with(')') {
        Special::Filter(PyExpr::compile(&loc[2..loc.len() - 1]))
    } else if let Some(c) = RE_SLICE.captures(loc).map_err(regex_failure)? {
        Special::Slice(c[1].to_string(), c[2].to_string(), c[3].to_string())
    } else {
        let mut pieces = Vec::new();
        for p in RE_UNION.split(loc) {
            pieces.push(compile_segments(
                std::iter::once(p.map_err(regex_failure)?),
                hand_wild,
            )?);
        }
        Special::Union(pieces)
    })
}

/// The run's [`Member`] form, when every segment has one.
fn member_of(seg: &Seg) -> Option<Member> {
    match seg {
        Seg::Name(k) => Some(Member::Name((*k).to_string())),
        Seg::Digits(d) => Some(Member::Digits(
            (*d).to_string(),
            rfc_index(d).and_then(|i| usize::try_from(i).ok()),
        )),
        _ => None,
    }
}

/// Ends the run of crate-expressible segments in `query`: as [`Step::Members`] when `members`
/// holds every one of them, else as one RFC query.
fn flush(
    query: &mut String,
    members: &mut Option<Vec<Member>>,
    steps: &mut Vec<Step>,
) -> Result<(), ExtractError> {
    let run = members.replace(Vec::new());
    if query.len() > 1 {
        steps.push(match run {
            Some(run) => Step::Members(run),
            None => Step::Crate(JsonPath::parse(query).map_err(|e| {
                ExtractError::Python(format!("internal jsonpath translation error: {e}"))
            })?),
        });
    }
    query.truncate(1);
    Ok(())
}

fn compile_segments<'s>(
    segs: impl Iterator<Item = &'s str>,
    hand_wild: bool,
) -> Result<Plan, ExtractError> {
    let segs: Vec<Seg> = segs.map(classify).collect();
    let mut steps = Vec::new();
    let mut query = String::from("$");
    let mut members = Some(Vec::new());
    let mut i = 0;
    while i < segs.len() {
        match &segs[i] {
            Seg::Descend => {
                let mut sel = String::new();
                if i + 1 < segs.len() && rfc_selector(&segs[i + 1], &mut sel, hand_wild) {
                    query.push_str("..");
                    query.push_str(&sel);
                    members = None;
                    i += 2;
                    continue;
                }
                flush(&mut query, &mut members, &mut steps)?;
                steps.push(Step::Descend);
            }
            Seg::Keys => {
                flush(&mut query, &mut members, &mut steps)?;
                steps.push(Step::Keys);
            }
            Seg::Wild if hand_wild => {
                flush(&mut query, &mut members, &mut steps)?;
                steps.push(Step::Wild);
            }
            Seg::Hand(loc) => {
                flush(&mut query, &mut members, &mut steps)?;
                steps.push(Step::Special(
                    loc.to_string(),
                    compile_special(loc, hand_wild)?,
                ));
            }
            seg => {
                rfc_selector(seg, &mut query, hand_wild);
                match (member_of(seg), members.as_mut()) {
                    (Some(m), Some(run)) => run.push(m),
                    _ => members = None,
                }
            }
        }
        i += 1;
    }
    flush(&mut query, &mut members, &mut steps)?;
    Ok(Plan { steps })
}

const CACHE_CAP: usize = 512;

/// Plans by expression, one map per value of `hand_wild` (looked up by `&str`, no key built).
type Cache =
    [Mutex<HashMap<String, Arc<Result<Plan, ExtractError>>, foldhash::fast::RandomState>>; 2];
static EXPR_CACHE: LazyLock<Cache> = LazyLock::new(Default::default);
static DYN_CACHE: LazyLock<Cache> = LazyLock::new(Default::default);

fn cached(
    cache: &Cache,
    key: &str,
    hand_wild: bool,
    build: impl FnOnce() -> Result<Plan, ExtractError>,
) -> Arc<Result<Plan, ExtractError>> {
    let cache = &cache[usize::from(hand_wild)];
    if let Some(p) = cache.lock().ok().and_then(|c| c.get(key).cloned()) {
        return p;
    }
    let plan = Arc::new(build());
    if let Ok(mut c) = cache.lock() {
        if c.len() >= CACHE_CAP {
            c.clear();
        }
        c.insert(key.to_string(), plan.clone());
    }
    plan
}

/// Plan for a user expression (normalised like 0.82, `$;` stripped).
fn expr_plan(expr: &str, hand_wild: bool) -> Arc<Result<Plan, ExtractError>> {
    cached(&EXPR_CACHE, expr, hand_wild, || {
        let norm = normalize(expr)?;
        let cleaned = norm.strip_prefix("$;").unwrap_or(&norm);
        if cleaned.is_empty() {
            return Ok(Plan { steps: vec![] });
        }
        // trace(): an empty remainder stores, so one trailing empty piece is dropped
        let mut pieces: Vec<&str> = cleaned.split(';').collect();
        if pieces.len() > 1 && pieces.last() == Some(&"") {
            pieces.pop();
        }
        compile_segments(pieces.into_iter(), hand_wild)
    })
}

/// Plan for a string re-fed as segments (`trace(s(key, rest))`).
fn dyn_plan(s: &str, hand_wild: bool) -> Arc<Result<Plan, ExtractError>> {
    cached(&DYN_CACHE, s, hand_wild, || {
        compile_segments(s.split(';'), hand_wild)
    })
}

// ---------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
enum Node<'a> {
    J(&'a J),
    /// An object key produced by `!`.
    Key(&'a str),
}

/// Python raises `RecursionError` when script results keep re-feeding themselves.
const MAX_REINJECT: usize = 100;

fn recursion_error() -> ExtractError {
    ExtractError::Python("RecursionError: maximum recursion depth exceeded".into())
}

#[derive(Clone, Copy)]
struct Ctx {
    depth: usize,
    hand_wild: bool,
}

impl Ctx {
    fn deeper(self) -> Result<Ctx, ExtractError> {
        if self.depth >= MAX_REINJECT {
            return Err(recursion_error());
        }
        Ok(Ctx {
            depth: self.depth + 1,
            ..self
        })
    }
}

fn run<'a>(plan: &Plan, mut nodes: Vec<Node<'a>>, cx: Ctx) -> Result<Vec<Node<'a>>, ExtractError> {
    for step in &plan.steps {
        if nodes.is_empty() {
            break;
        }
        let mut out = Vec::new();
        for n in nodes {
            apply(step, n, &mut out, cx)?;
        }
        nodes = out;
    }
    Ok(nodes)
}

fn reinject<'a>(
    s: &str,
    node: Node<'a>,
    out: &mut Vec<Node<'a>>,
    cx: Ctx,
) -> Result<(), ExtractError> {
    let cx = cx.deeper()?;
    let plan = dyn_plan(s, cx.hand_wild);
    let plan = plan.as_ref().as_ref().map_err(Clone::clone)?;
    out.extend(run(plan, vec![node], cx)?);
    Ok(())
}

fn pre_order<'a>(j: &'a J, out: &mut Vec<Node<'a>>) {
    out.push(Node::J(j));
    match j {
        J::Array(a) => a.iter().for_each(|c| pre_order(c, out)),
        J::Object(m) => m.values().for_each(|c| pre_order(c, out)),
        _ => {}
    }
}

fn apply<'a>(
    step: &Step,
    n: Node<'a>,
    out: &mut Vec<Node<'a>>,
    cx: Ctx,
) -> Result<(), ExtractError> {
    match step {
        Step::Crate(path) => {
            if let Node::J(j) = n {
                out.extend(path.query(j).all().into_iter().map(Node::J));
            }
        }
        Step::Members(run) => {
            if let Node::J(j) = n
                && let Some(found) = run.iter().try_fold(j, |j, m| m.select(j))
            {
                out.push(Node::J(found));
            }
        }
        Step::Descend => match n {
            Node::J(j) => pre_order(j, out),
            Node::Key(_) => out.push(n),
        },
        Step::Keys => {
            if let Node::J(J::Object(m)) = n {
                out.extend(m.keys().map(|k| Node::Key(k.as_str())));
            }
        }
        Step::Wild => match n {
            Node::J(J::Array(a)) => out.extend(a.iter().map(Node::J)),
            Node::J(J::Object(m)) => {
                for (k, v) in m {
                    if is_special_key(k) {
                        reinject(k, n, out, cx)?;
                    } else {
                        out.push(Node::J(v));
                    }
                }
            }
            _ => {}
        },
        Step::Special(loc, special) => {
            if let Node::J(J::Object(m)) = n
                && let Some(v) = m.get(loc)
            {
                out.push(Node::J(v));
                return Ok(());
            }
            apply_special(special, n, out, cx)?;
        }
    }
    Ok(())
}

fn node_pv(n: Node<'_>) -> PV<'_> {
    match n {
        Node::J(j) => PV::from_json(j),
        Node::Key(k) => PV::Str(std::borrow::Cow::Borrowed(k)),
    }
}

fn parse_py_int(s: &str) -> Result<Option<i64>, ExtractError> {
    if s.is_empty() {
        return Ok(None);
    }
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() {
        return Err(ExtractError::Python(format!(
            "ValueError: invalid literal for int() with base 10: '{s}'"
        )));
    }
    // beyond i64 the bounds are clamped anyway: saturate
    let v = digits.parse::<i64>().unwrap_or(i64::MAX / 4);
    Ok(Some(if s.starts_with('-') { -v } else { v }))
}

fn apply_special<'a>(
    special: &Special,
    n: Node<'a>,
    out: &mut Vec<Node<'a>>,
    cx: Ctx,
) -> Result<(), ExtractError> {
    match special {
        Special::Script(expr) => {
            let seg = expr.eval(node_pv(n)).py_str();
            reinject(&seg, n, out, cx)?;
        }
        Special::Filter(expr) => match n {
            Node::J(J::Array(a)) => {
                out.extend(
                    a.iter()
                        .filter(|c| expr.eval(PV::from_json(c)).truthy())
                        .map(Node::J),
                );
            }
            Node::J(J::Object(m)) => {
                for (k, c) in m {
                    if expr.eval(PV::from_json(c)).truthy() {
                        if is_special_key(k) {
                            reinject(k, n, out, cx)?;
                        } else {
                            out.push(Node::J(c));
                        }
                    }
                }
            }
            _ => {}
        },
        Special::Slice(s0, s1, s2) => {
            let len = match n {
                Node::J(J::Array(a)) => a.len(),
                Node::J(J::Object(m)) => m.len(),
                _ => return Ok(()),
            } as i64;
            let start = parse_py_int(s0)?.unwrap_or(0);
            let end = parse_py_int(s1)?.unwrap_or(len);
            let step = parse_py_int(s2)?.unwrap_or(1);
            if step == 0 {
                return Err(ExtractError::Python(
                    "ValueError: range() arg 3 must not be zero".into(),
                ));
            }
            let start = if start < 0 {
                (start + len).max(0)
            } else {
                start.min(len)
            };
            let end = if end < 0 {
                (end + len).max(0)
            } else {
                end.min(len)
            };
            let mut i = start;
            while (step > 0 && i < end) || (step < 0 && i > end) {
                match n {
                    Node::J(J::Array(a)) => {
                        if let Some(v) = a.get(i as usize) {
                            out.push(Node::J(v));
                        }
                    }
                    Node::J(J::Object(m)) => {
                        if let Some(v) = m.get(&i.to_string()) {
                            out.push(Node::J(v));
                        }
                    }
                    _ => {}
                }
                i = match i.checked_add(step) {
                    Some(v) => v,
                    None => break,
                };
            }
        }
        Special::Union(pieces) => {
            let cx = cx.deeper()?;
            for p in pieces {
                out.extend(run(p, vec![n], cx)?);
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------

enum Root<'a> {
    Borrowed(&'a J),
    Owned(Box<J>),
    /// A document read through its index: a chain of names and indexes is looked up in it,
    /// anything else in its tree (built on first need).
    Indexed(&'a crate::value::IndexedJson),
}

/// Data prepared for (possibly several) jsonpath extractions: the
/// `serde_json` mirror is built once.
pub struct JsonDoc<'a> {
    root: Option<Root<'a>>,
    /// Mirror node address → original value; only when the mirror is lossy.
    originals: Option<HashMap<usize, &'a Value>>,
    /// Some object key is one 0.82's `*` would misread ([`is_special_key`]).
    special_keys: bool,
}

fn mirror(v: &Value, lossy: &mut bool, special: &mut bool) -> J {
    match v {
        Value::None => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Float(f) => match serde_json::Number::from_f64(*f) {
            Some(n) => J::Number(n),
            None => {
                *lossy = true;
                J::Null
            }
        },
        Value::Str(s) => J::String(s.clone()),
        Value::Bytes(_) | Value::Tuple(_) => {
            *lossy = true;
            J::Null
        }
        Value::List(items) => J::Array(items.iter().map(|x| mirror(x, lossy, special)).collect()),
        Value::Dict(m) => J::Object(
            m.iter()
                .map(|(k, x)| {
                    *special |= is_special_key(k);
                    (k.clone(), mirror(x, lossy, special))
                })
                .collect(),
        ),
    }
}

/// Whether some object key of `j` is one 0.82's `*` would misread; see
/// [`JsonDoc::from_json_checked`].
pub fn json_has_special_keys(j: &J) -> bool {
    match j {
        J::Array(a) => a.iter().any(json_has_special_keys),
        J::Object(m) => m
            .iter()
            .any(|(k, v)| is_special_key(k) || json_has_special_keys(v)),
        _ => false,
    }
}

fn index_originals<'a>(j: &J, v: &'a Value, map: &mut HashMap<usize, &'a Value>) {
    map.insert(j as *const J as usize, v);
    match (j, v) {
        (J::Array(a), Value::List(b)) => a
            .iter()
            .zip(b)
            .for_each(|(x, y)| index_originals(x, y, map)),
        (J::Object(a), Value::Dict(b)) => a
            .values()
            .zip(b.values())
            .for_each(|(x, y)| index_originals(x, y, map)),
        _ => {}
    }
}

impl<'a> JsonDoc<'a> {
    /// Prepare a value. Anything but a dict or list gives
    /// `被提取的值不是json, 不支持jsonpath` on every query.
    pub fn from_value(v: &'a Value) -> JsonDoc<'a> {
        if !matches!(v, Value::Dict(_) | Value::List(_)) {
            return JsonDoc {
                root: None,
                originals: None,
                special_keys: false,
            };
        }
        let mut lossy = false;
        let mut special_keys = false;
        let m = Box::new(mirror(v, &mut lossy, &mut special_keys));
        let originals = lossy.then(|| {
            let mut map = HashMap::new();
            index_originals(&m, v, &mut map);
            map
        });
        JsonDoc {
            root: Some(Root::Owned(m)),
            originals,
            special_keys,
        }
    }

    /// Use a parsed JSON document directly (no conversion).
    pub fn from_json(j: &'a J) -> JsonDoc<'a> {
        Self::from_json_checked(j, json_has_special_keys(j))
    }

    /// [`Self::from_json`] with the document's key check ([`json_has_special_keys`]) done
    /// before: it walks the whole document, once per response rather than per extraction.
    pub fn from_json_checked(j: &'a J, special_keys: bool) -> JsonDoc<'a> {
        let root = matches!(j, J::Array(_) | J::Object(_)).then_some(Root::Borrowed(j));
        JsonDoc {
            root,
            originals: None,
            special_keys,
        }
    }

    /// An indexed document (a JSON response body); see [`crate::value::IndexedJson`].
    pub fn from_indexed(doc: &'a crate::value::IndexedJson) -> JsonDoc<'a> {
        let root = doc.is_container(doc.root()).then_some(Root::Indexed(doc));
        JsonDoc {
            root,
            originals: None,
            special_keys: doc.has_special_keys(),
        }
    }

    fn root(&self) -> Option<&J> {
        match self.root.as_ref()? {
            Root::Borrowed(j) => Some(j),
            Root::Owned(b) => Some(b),
            Root::Indexed(doc) => Some(doc.tree()),
        }
    }

    /// What `expr` selects when it is a chain of names and indexes on an indexed document:
    /// `Some(Ok(node))` for its one match, `Some(Err(_))` for no match, `None` when the
    /// expression is anything else (or the document is not indexed).
    fn indexed_member(
        &self,
        expr: &str,
    ) -> Option<Result<(&crate::value::IndexedJson, crate::value::JsonNode), ExtractError>> {
        let Some(Root::Indexed(doc)) = self.root.as_ref() else {
            return None;
        };
        let no_match = || ExtractError::JsonPathNoMatch(expr.to_string());
        if expr.is_empty() || !doc.is_nonempty_container(doc.root()) {
            return Some(Err(no_match()));
        }
        let plan = expr_plan(expr, self.special_keys);
        let Ok(Plan { steps }) = plan.as_ref() else {
            return None;
        };
        let [Step::Members(run)] = steps.as_slice() else {
            return None;
        };
        let found = run
            .iter()
            .try_fold(doc.root(), |n, m| m.select_indexed(doc, n));
        Some(found.map(|n| (*doc, n)).ok_or_else(no_match))
    }

    /// 0.82 `jsonpath(obj, expr)` as the engine uses it: one match → the
    /// value, several → a list in match order, none → error.
    pub fn jsonpath(&self, expr: &str) -> Result<Value, ExtractError> {
        if let Some(found) = self.indexed_member(expr) {
            return found.map(|(doc, n)| doc.to_value(n));
        }
        let mut matches = self.matches(expr)?;
        if matches.len() == 1 {
            Ok(matches.pop().unwrap_or(Value::None))
        } else {
            Ok(Value::List(matches))
        }
    }

    /// All matches (never empty on success).
    pub fn matches(&self, expr: &str) -> Result<Vec<Value>, ExtractError> {
        if let Some(found) = self.indexed_member(expr) {
            return found.map(|(doc, n)| vec![doc.to_value(n)]);
        }
        Ok(self
            .nodes(expr)?
            .into_iter()
            .map(|n| self.to_value(n))
            .collect())
    }

    /// The length of [`Self::jsonpath`]'s value when that value is a list, without building
    /// it: a list assertion on a large array then reads its length instead of converting every
    /// item. `None` when only the value itself can tell (one match that is not an array, or a
    /// document whose mirror is lossy); errors are [`Self::jsonpath`]'s.
    pub fn list_len(&self, expr: &str) -> Result<Option<usize>, ExtractError> {
        if let Some(found) = self.indexed_member(expr) {
            return found.map(|(doc, n)| doc.array_len(n));
        }
        let nodes = self.nodes(expr)?;
        Ok(match nodes.as_slice() {
            [Node::J(J::Array(items))] if self.originals.is_none() => Some(items.len()),
            [_] => None,
            several => Some(several.len()),
        })
    }

    /// The nodes `expr` selects (never none on success).
    fn nodes(&self, expr: &str) -> Result<Vec<Node<'_>>, ExtractError> {
        let root = self.root().ok_or(ExtractError::NotJson)?;
        let no_match = || ExtractError::JsonPathNoMatch(expr.to_string());
        let empty = match root {
            J::Array(a) => a.is_empty(),
            J::Object(m) => m.is_empty(),
            _ => true,
        };
        if expr.is_empty() || empty {
            return Err(no_match());
        }
        let plan = expr_plan(expr, self.special_keys);
        let plan = plan.as_ref().as_ref().map_err(Clone::clone)?;
        let cx = Ctx {
            depth: 0,
            hand_wild: self.special_keys,
        };
        let nodes = run(plan, vec![Node::J(root)], cx)?;
        if nodes.is_empty() {
            return Err(no_match());
        }
        Ok(nodes)
    }

    fn to_value(&self, n: Node<'_>) -> Value {
        match n {
            Node::Key(k) => Value::Str(k.to_string()),
            Node::J(j) => match &self.originals {
                Some(map) => match map.get(&(j as *const J as usize)) {
                    Some(v) => (*v).clone(),
                    None => Value::from_json(j),
                },
                None => Value::from_json(j),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_matches_082() {
        // expectations printed by jsonpath 0.82 normalize()
        let cases = [
            ("$.a[0].b", "$;a;0;b"),
            ("$['a'][0]['b']", "$;a;0;b"),
            ("a.0.b", "a;0;b"),
            ("a[0].b", "a;0;b"),
            ("$..c", "$;..;c"),
            ("$...a", "$;..;a"),
            ("$....a", "$;..;;a"),
            ("$", "$"),
            ("$.", "$"),
            ("$..", "$;.."),
            ("$[", "$"),
            ("[?(", ";?("),
            (
                "$.a[?(@.price < 10 && @.b.c == 'x')].d",
                "$;a;?(@.price < 10 && @.b.c == 'x');d",
            ),
            ("$.a[(@.length-1)]", "$;a;(@.length-1)"),
            ("$.k[a,b]", "$;k;a,b"),
            ("$['a','b']", "$;a','b"),
            ("$.a.b[-1:]", "$;a;b;-1:"),
            ("$.a.'b'.c", "$;a;b;c"),
        ];
        for (e, want) in cases {
            assert_eq!(normalize(e).unwrap(), want, "{e}");
        }
        assert!(normalize("$.a#1").is_err()); // IndexError in 0.82
    }

    /// A chain of names and digits selects, looked up directly, exactly what its RFC 9535
    /// query selects through `serde_json_path`.
    #[test]
    fn member_chains_select_what_their_query_selects() {
        let doc: J = serde_json::from_str(
            r#"{"a":{"b":[10,{"c":"x"},[1,2]],"07":"key","7":"seven"},"0":[["n"]],"s":"text",
                "big":[1],"e":{},"l":[]}"#,
        )
        .unwrap();
        let paths = [
            "a;b;0",
            "a;b;1;c",
            "a;b;2;1",
            "a;b;3",
            "a;07",
            "a;7",
            "a;b;07",
            "0;0;0",
            "s;0",
            "s;x",
            "a;missing;b",
            "big;9007199254740992",
            "big;18446744073709551616",
            "e;0",
            "l;0",
            "a;b;00",
        ];
        for path in paths {
            let plan = compile_segments(path.split(';'), false).unwrap();
            assert!(
                matches!(plan.steps.as_slice(), [Step::Members(_)]),
                "{path} is a member chain"
            );
            let mut query = String::from("$");
            for seg in path.split(';') {
                assert!(rfc_selector(&classify(seg), &mut query, false));
            }
            let rfc = JsonPath::parse(&query).unwrap();
            let cx = Ctx {
                depth: 0,
                hand_wild: false,
            };
            let direct: Vec<&J> = run(&plan, vec![Node::J(&doc)], cx)
                .unwrap()
                .into_iter()
                .filter_map(|n| match n {
                    Node::J(j) => Some(j),
                    Node::Key(_) => None,
                })
                .collect();
            assert_eq!(direct, rfc.query(&doc).all(), "{path} ({query})");
        }
    }
}
