//! Randomized no-panic checks (deterministic xorshift; no extra dependencies).

use crate::value::Dict;

use super::support::{Double, context, params, refs};
use crate::template::{BodyKind, RequestParts, Scope, render, render_request};
use crate::value::Value;

const PARTS: &[&str] = &[
    "{{",
    "}}",
    "{",
    "}",
    "\"",
    "'",
    "\\",
    " ",
    ",",
    "(",
    ")",
    "[",
    "]",
    ".",
    "$",
    "@",
    "#{",
    "\n",
    "\t",
    "n",
    "s",
    "d",
    "l",
    "q",
    "u",
    "b",
    "bs",
    "lb",
    "bd",
    "li",
    "p",
    "pd",
    "none",
    "zz",
    "中",
    "😀",
    "\u{0}",
    "\u{7f}",
    "[0]",
    ".a",
    "@echo(",
    "@lenof(",
    "@keyof(",
    "@typed(",
    "@extract(",
    "@replace(",
    "@substing(",
    "@b64encode_bytes(",
    "@nope(",
    "@name",
    "@boom(",
    "#{_request_body}",
    "#{_request_body.a}",
    "#{_request_query.",
    "#{$..b}",
    "#{bytes_",
    "#{bytes_x_1}",
    "_1}",
    "1_0",
    "-1",
    "1e309",
    "nan",
    "None",
    "false",
    "“",
    "”",
    "{'a': [1]}",
    "{{n}}",
    "{{bs}}",
    "{{d}}",
    "{{q}}",
    "{{lb}}",
    "{{@echo(",
    "{{@typed(",
    ")}}",
    "'{{s}}'",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn text(&mut self) -> String {
        (0..self.below(12))
            .map(|_| PARTS[self.below(PARTS.len())])
            .collect()
    }

    fn value(&mut self, depth: usize) -> Value {
        match (self.below(6), depth) {
            (0, d) if d < 3 => Value::Dict(
                (0..self.below(4))
                    .map(|_| (self.text(), self.value(d + 1)))
                    .collect::<Dict>(),
            ),
            (1, d) if d < 3 => Value::List((0..self.below(4)).map(|_| self.value(d + 1)).collect()),
            (2, _) => Value::Int(self.next() as i64 % 100),
            _ => Value::Str(self.text()),
        }
    }
}

#[test]
fn render_never_panics() {
    let (ctx, params, refs) = (context(), params(), refs());
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for i in 0..20_000 {
        let scope = Scope {
            context: &ctx,
            params: &params,
            functions: &Double,
            request: if i % 2 == 0 { Some(&refs) } else { None },
        };
        let input = rng.value(0);
        let _ = render(&input, &scope);
    }
}

#[test]
fn render_request_never_panics() {
    let (ctx, params) = (context(), params());
    let scope = Scope {
        context: &ctx,
        params: &params,
        functions: &Double,
        request: None,
    };
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for i in 0..3_000 {
        let kind = [BodyKind::Json, BodyKind::Form, BodyKind::Raw][i % 3];
        let parts = RequestParts {
            url: Value::Str(rng.text()),
            path: Value::Str(rng.text()),
            others: Some(rng.value(1)),
            headers: Some(rng.value(0)),
            query: Some(rng.value(0)),
            body: Some(rng.value(0)),
            body_kind: kind,
        };
        let _ = render_request(parts, &scope);
    }
}

/// The fast path of `render` (plain JSON without `{{` is returned as is) gives exactly what
/// the full scan and JSON round trip give. (Inputs with placeholders take the full path in
/// both; bytes ids make their results differ from call to call, so they are not compared.)
#[test]
fn render_fast_path_matches_the_full_render() {
    let (ctx, params, refs) = (context(), params(), refs());
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut plain = 0;
    for i in 0..20_000 {
        let scope = Scope {
            context: &ctx,
            params: &params,
            functions: &Double,
            request: if i % 2 == 0 { Some(&refs) } else { None },
        };
        let input = rng.value(0);
        if format!("{input:?}").contains("{{") {
            continue;
        }
        plain += 1;
        let full = crate::template::scan::Renderer::new(&scope)
            .render(&input)
            .expect("plain JSON renders");
        for fast in [
            render(&input, &scope).expect("fast path"),
            crate::template::render_owned(input.clone(), &scope).expect("fast path, owned"),
        ] {
            assert_eq!(full.value, fast.value, "{input:?}");
            assert_eq!(full.console, fast.console, "{input:?}");
            assert_eq!(full.unresolved, fast.unresolved, "{input:?}");
            assert_eq!(full.warnings, fast.warnings, "{input:?}");
        }
    }
    assert!(plain > 1000, "too few inputs took the fast path: {plain}");
}

#[test]
fn a_string_renders_alone_as_it_does_in_a_list() {
    // A lone string takes a shorter way through `render` when nothing in it needs escaping (no
    // JSON writer, and no parser for a result that is again such a string); inside a list it
    // takes the general way. Both must give the same value and the same notes.
    let (ctx, params, refs) = (context(), params(), refs());
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let (mut both_ok, mut checked) = (0, 0);
    for i in 0..50_000 {
        let scope = Scope {
            context: &ctx,
            params: &params,
            functions: &Double,
            request: if i % 2 == 0 { Some(&refs) } else { None },
        };
        let text = rng.text();
        let alone = render(&Value::Str(text.clone()), &scope);
        let listed = render(&Value::List(vec![Value::Str(text.clone())]), &scope);
        checked += 1;
        match (alone, listed) {
            (Ok(a), Ok(l)) => {
                both_ok += 1;
                let a_value = masked(&format!("{:?}", Value::List(vec![a.value])));
                assert_eq!(a_value, masked(&format!("{:?}", l.value)), "{text:?}");
                let all = |w: &[String]| w.iter().map(|x| masked(x)).collect::<Vec<_>>();
                assert_eq!(all(&a.console), all(&l.console), "{text:?}");
                assert_eq!(all(&a.unresolved), all(&l.unresolved), "{text:?}");
                assert_eq!(all(&a.warnings), all(&l.warnings), "{text:?}");
            }
            (Err(a), Err(l)) => {
                let all = |w: &[String]| w.iter().map(|x| masked(x)).collect::<Vec<_>>();
                assert_eq!(all(&a.console), all(&l.console), "{text:?}");
            }
            (a, l) => panic!("{text:?}: alone {a:?}, in a list {l:?}"),
        }
    }
    assert!(both_ok > checked / 2, "{both_ok} of {checked}");
}

/// `text` with the unique part of each bytes reference (`bytes_<id>_<n>`) left out: every
/// render makes new ones.
fn masked(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("bytes_") {
        out.push_str(&rest[..i + 6]);
        rest = &rest[i + 6..];
        let end = rest
            .find(|c: char| !(c.is_ascii_hexdigit() || c == '_'))
            .unwrap_or(rest.len());
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}
