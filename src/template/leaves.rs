//! Leaf-wise rendering support for headers, query and json/form bodies (§2.7):
//! leaf enumeration in the Python order, tree positions (A11 Fix) and the
//! ordering of leaves that use `#{…}` references (A10 Fix).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::value::Value;

use super::refs::all_references;

/// Whether the two ASCII bytes `a` `b` follow each other in `s` (`contains` without a
/// substring searcher to set up, for a case's short strings).
pub(crate) fn has_pair(s: &str, a: u8, b: u8) -> bool {
    s.as_bytes().windows(2).any(|w| w[0] == a && w[1] == b)
}

/// Python's `re.search(r"\{\{.*?\}\}", s)`: a `{{` followed by `}}` on the same line.
pub(crate) fn has_placeholder(s: &str) -> bool {
    let b = s.as_bytes();
    let (mut i, mut open) = (0, false);
    while let (Some(&x), Some(&y)) = (b.get(i), b.get(i + 1)) {
        match (x, y) {
            (b'\n', _) => open = false,
            (b'{', b'{') if !open => {
                open = true;
                i += 2;
                continue;
            }
            (b'}', b'}') if open => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

/// One step of a tree position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

/// The request part a leaf belongs to or a reference points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Headers,
    Query,
    Body,
}

/// Positions of the string leaves of `root`, in the Python engine's
/// `json_to_path` order: at each container its scalar children in order, its
/// container children afterwards, last-pushed first. A scalar root has none.
fn string_leaves(root: &Value, keep: impl Fn(&str) -> bool) -> Vec<Vec<Seg>> {
    let mut out = Vec::new();
    let mut stack: Vec<(Vec<Seg>, &Value)> = vec![(Vec::new(), root)];
    while let Some((path, node)) = stack.pop() {
        match node {
            Value::Dict(m) => {
                for (k, v) in m {
                    visit(
                        &path,
                        || Seg::Key(k.clone()),
                        v,
                        &keep,
                        &mut stack,
                        &mut out,
                    );
                }
            }
            Value::List(items) => {
                for (i, v) in items.iter().enumerate() {
                    visit(&path, || Seg::Index(i), v, &keep, &mut stack, &mut out);
                }
            }
            _ => {}
        }
    }
    out
}

/// One child of [`string_leaves`]: a container goes on the stack, a kept string to `out`; its
/// position is made only then.
fn visit<'v>(
    path: &[Seg],
    seg: impl FnOnce() -> Seg,
    child: &'v Value,
    keep: &impl Fn(&str) -> bool,
    stack: &mut Vec<(Vec<Seg>, &'v Value)>,
    out: &mut Vec<Vec<Seg>>,
) {
    let wanted = match child {
        Value::Dict(_) | Value::List(_) => true,
        Value::Str(s) => keep(s),
        _ => false,
    };
    if !wanted {
        return;
    }
    let mut child_path = Vec::with_capacity(path.len() + 1);
    child_path.extend_from_slice(path);
    child_path.push(seg());
    match child {
        Value::Str(_) => out.push(child_path),
        _ => stack.push((child_path, child)),
    }
}

pub(crate) fn get<'v>(root: &'v Value, path: &[Seg]) -> Option<&'v Value> {
    path.iter().try_fold(root, |node, seg| match (node, seg) {
        (Value::Dict(m), Seg::Key(k)) => m.get(k),
        (Value::List(items), Seg::Index(i)) => items.get(*i),
        _ => None,
    })
}

/// A11 Fix: writes `value` at `path` (any key works: spaces, dots, `$`, …).
pub(crate) fn set(root: &mut Value, path: &[Seg], value: Value) -> bool {
    let target = path.iter().try_fold(root, |node, seg| match (node, seg) {
        (Value::Dict(m), Seg::Key(k)) => m.get_mut(k),
        (Value::List(items), Seg::Index(i)) => items.get_mut(*i),
        _ => None,
    });
    match target {
        Some(slot) => {
            *slot = value;
            true
        }
        None => false,
    }
}

/// The positions of the string leaves of `root` in rendering order: leaves
/// without `#{` first (enumeration order), then leaves with `#{` ordered so that
/// a leaf comes after the leaves of the same section its references point to
/// (A10 Fix: parsed references instead of substring tests; a reference to the
/// whole section, e.g. `#{_request_body}` in the body, depends on every other
/// such leaf). Ties and cycles fall back to enumeration order; no leaf is
/// ever dropped.
pub(crate) fn render_order(root: &Value, section: Section) -> Vec<Vec<Seg>> {
    let mut plain = Vec::new();
    let mut related: Vec<(Vec<Seg>, Vec<Target>)> = Vec::new();
    // A leaf without a placeholder or a reference is never rendered: no position is made for it.
    let wanted = |s: &str| has_pair(s, b'#', b'{') || has_placeholder(s);
    for path in string_leaves(root, wanted) {
        let text = match get(root, &path) {
            Some(Value::Str(s)) => s.as_str(),
            _ => continue,
        };
        if has_pair(text, b'#', b'{') {
            let targets = all_references(text)
                .into_iter()
                .filter_map(|r| parse_reference(r, section))
                .collect();
            related.push((path, targets));
        } else {
            plain.push(path);
        }
    }
    let n = related.len();
    let deps: Vec<Vec<usize>> = (0..n)
        .map(|i| {
            (0..n)
                .filter(|&j| j != i && related[i].1.iter().any(|t| t.hits(&related[j].0)))
                .collect()
        })
        .collect();
    // Kahn's algorithm, smallest enumeration index first; on a cycle the first
    // remaining leaf is taken anyway.
    let mut waiting: Vec<usize> = deps.iter().map(Vec::len).collect();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, ds) in deps.iter().enumerate() {
        for &d in ds {
            dependents[d].push(i);
        }
    }
    let mut ready: BinaryHeap<Reverse<usize>> =
        (0..n).filter(|&i| waiting[i] == 0).map(Reverse).collect();
    let mut done = vec![false; n];
    let mut cursor = 0; // every index below is done
    let mut order = plain;
    for _ in 0..n {
        let mut pick = None;
        while let Some(Reverse(i)) = ready.pop() {
            if !done[i] {
                pick = Some(i);
                break;
            }
        }
        while cursor < n && done[cursor] {
            cursor += 1;
        }
        let Some(pick) = pick.or((cursor < n).then_some(cursor)) else {
            break;
        };
        done[pick] = true;
        order.push(related[pick].0.clone());
        for &i in &dependents[pick] {
            waiting[i] = waiting[i].saturating_sub(1);
            if waiting[i] == 0 && !done[i] {
                ready.push(Reverse(i));
            }
        }
    }
    order
}

/// Where a reference of the current section points.
#[derive(Debug, PartialEq)]
enum Target {
    /// The whole section object.
    Whole,
    /// A jsonpath, normalised to segments.
    Path(Vec<PathSeg>),
}

#[derive(Debug, PartialEq)]
enum PathSeg {
    Name(String),
    /// `*`, slices, unions, `!`: any one step.
    Wild,
    /// `..`, filters and scripts: anything below this point.
    AnyRest,
}

impl Target {
    /// Whether rendering the leaf at `leaf` can change what this reference reads.
    fn hits(&self, leaf: &[Seg]) -> bool {
        let Target::Path(segs) = self else {
            return true;
        };
        for (i, seg) in segs.iter().enumerate() {
            let Some(step) = leaf.get(i) else {
                return true; // the reference reads inside the leaf's future value
            };
            match seg {
                PathSeg::AnyRest => return true,
                PathSeg::Wild => {}
                PathSeg::Name(n) => {
                    let same = match step {
                        Seg::Key(k) => k == n,
                        Seg::Index(x) => n.parse::<usize>().is_ok_and(|v| v == *x),
                    };
                    if !same {
                        return false;
                    }
                }
            }
        }
        true // the reference reads an ancestor of the leaf, or the leaf itself
    }
}

/// The target of a `#{…}` reference (its trimmed content) if it points into
/// `section` (same dispatch as the reference resolution, §2.6).
fn parse_reference(raw: &str, section: Section) -> Option<Target> {
    let expr = raw.trim();
    let lower = expr.to_ascii_lowercase();
    let (sec, target) = match lower.as_str() {
        "_request_url" | "_request_path" => return None,
        "_request_header" => (Section::Headers, Target::Whole),
        "_request_query" => (Section::Query, Target::Whole),
        "_request_body" => (Section::Body, Target::Whole),
        _ if expr.starts_with("bytes_") => return None,
        _ => {
            let (sec, path) = if lower.starts_with("_request_header.") {
                (Section::Headers, expr.get(16..))
            } else if lower.starts_with("_request_query.") {
                (Section::Query, expr.get(15..))
            } else if lower.starts_with("_request_body.") {
                (Section::Body, expr.get(14..))
            } else {
                (Section::Body, Some(expr))
            };
            (sec, Target::Path(normalise_path(path.unwrap_or_default())))
        }
    };
    (sec == section).then_some(target)
}

/// A simplified jsonpath 0.82 normalisation: `.`/`[`/`['` separate segments,
/// `]`/`'` are dropped, a leading `$` is dropped, `..` and filter/script
/// brackets end the path with [`PathSeg::AnyRest`].
fn normalise_path(path: &str) -> Vec<PathSeg> {
    let (plain, rest) = match ["[?", "[(", "?("].iter().filter_map(|p| path.find(p)).min() {
        Some(i) => (path.get(..i).unwrap_or_default(), true),
        None => (path, false),
    };
    let text = plain.replace('[', ".").replace([']', '\''], "");
    let text = text.strip_prefix('$').unwrap_or(&text);
    let text = text.strip_prefix('.').unwrap_or(text);
    let mut segs = Vec::new();
    let pieces: Vec<&str> = text.split('.').collect();
    let last = pieces.len().saturating_sub(1);
    for (i, piece) in pieces.into_iter().enumerate() {
        if piece.is_empty() {
            if i == last {
                break; // trailing separator
            }
            segs.push(PathSeg::AnyRest); // `..`
            return segs;
        }
        segs.push(
            if piece == "*" || piece == "!" || piece.contains([':', ',']) {
                PathSeg::Wild
            } else {
                PathSeg::Name(piece.to_owned())
            },
        );
    }
    if rest {
        segs.push(PathSeg::AnyRest);
    }
    segs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Dict;
    use crate::value::parse_json;

    fn names(paths: &[Vec<Seg>]) -> Vec<String> {
        paths
            .iter()
            .map(|p| {
                p.iter()
                    .map(|s| match s {
                        Seg::Key(k) => k.clone(),
                        Seg::Index(i) => i.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(".")
            })
            .collect()
    }

    #[test]
    fn the_placeholder_test_is_the_line_wise_search_on_every_short_string() {
        // The line-wise reading of `\{\{.*?\}\}`, written plainly.
        let reference = |s: &str| {
            s.split('\n').any(|line| {
                line.find("{{")
                    .and_then(|i| line.get(i + 2..))
                    .is_some_and(|rest| rest.contains("}}"))
            })
        };
        let alphabet = ['{', '}', '\n', 'a', '#', 'é'];
        let mut checked = 0;
        for len in 0..=7u32 {
            for mut code in 0..alphabet.len().pow(len) {
                let mut s = String::new();
                for _ in 0..len {
                    s.push(alphabet[code % alphabet.len()]);
                    code /= alphabet.len();
                }
                assert_eq!(has_placeholder(&s), reference(&s), "{s:?}");
                assert_eq!(has_pair(&s, b'#', b'{'), s.contains("#{"), "{s:?}");
                checked += 1;
            }
        }
        assert!(checked > 300_000, "{checked}");
    }

    #[test]
    fn enumeration_order_is_pythons_stack_walk() {
        let v = parse_json(r#"{"a": {"x": "1"}, "b": {"y": "2", "z": ["3"]}, "c": "4"}"#).unwrap();
        assert_eq!(
            names(&string_leaves(&v, |_| true)),
            ["c", "b.y", "b.z.0", "a.x"]
        );
    }

    #[test]
    fn normalisation() {
        use PathSeg::*;
        assert_eq!(
            normalise_path("$.a[0]['b']"),
            vec![Name("a".into()), Name("0".into()), Name("b".into())]
        );
        assert_eq!(
            normalise_path("a.*.c"),
            vec![Name("a".into()), Wild, Name("c".into())]
        );
        assert_eq!(normalise_path("$..id"), vec![AnyRest]);
        assert_eq!(
            normalise_path("a[?(@.x==1)].y"),
            vec![Name("a".into()), AnyRest]
        );
        assert_eq!(normalise_path("a."), vec![Name("a".into())]);
    }

    #[test]
    fn quirk_a10_dependencies_and_cycles() {
        // Python's substring test saw `t` and `e` in `_request_query` and dropped
        // both leaves (accidental cycle); parsed, `t` depends on `e` only.
        let v = parse_json(
            r##"{"t": "{{@extract(#{e})}}", "e": "{{@extract(#{_request_query.a})}}", "x": "{{p}}", "y": "1"}"##,
        )
        .unwrap();
        // Leaves without references first; `y`, with nothing to render, has no position.
        assert_eq!(names(&render_order(&v, Section::Body)), ["x", "e", "t"]);
        // A real cycle: both kept, enumeration order.
        let v = parse_json(r##"{"a": "#{b}", "b": "#{a}"}"##).unwrap();
        assert_eq!(names(&render_order(&v, Section::Body)), ["a", "b"]);
        // A whole-section reference goes last; other sections do not count.
        let v = parse_json(
            r##"{"w": "#{_request_body}", "h": "#{_request_header.w}", "k": "#{k2}", "k2": "{{v}}"}"##,
        )
        .unwrap();
        assert_eq!(
            names(&render_order(&v, Section::Body)),
            ["k2", "h", "k", "w"]
        );
    }

    #[test]
    fn quirk_a10_many_whole_section_references_stay_fast() {
        let leaves: Dict = (0..1000)
            .map(|i| (format!("k{i}"), Value::Str("#{_request_body}".into())))
            .collect();
        let order = render_order(&Value::Dict(leaves), Section::Body);
        assert_eq!(order.len(), 1000);
        assert_eq!(order[0], [Seg::Key("k0".into())]);
        assert_eq!(order[999], [Seg::Key("k999".into())]);
    }
}
