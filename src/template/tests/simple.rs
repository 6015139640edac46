//! The direct render of `{{name}}` strings (`template::simple`) against the general scan: the
//! same value wherever the direct one answers, and an answer for the everyday shapes.

use super::support::{Double, context, j, params, s};
use crate::template::{Scope, scan, simple};
use crate::value::Value;

/// The general render's value, which must have printed and noted nothing.
fn general(text: &str, scope: &Scope) -> Value {
    let r = scan::Renderer::new(scope)
        .render(&Value::Str(text.to_owned()))
        .unwrap_or_else(|e| panic!("{text:?}: {e}"));
    assert!(
        r.console.is_empty() && r.unresolved.is_empty() && r.warnings.is_empty(),
        "{text:?}: {r:?}"
    );
    r.value
}

/// Runs `check` with the tests' scope: Appendix B's context and params and a few more.
fn in_scope(check: impl FnOnce(&Scope)) {
    let mut c = context();
    c.insert("neg".into(), Value::Int(-42));
    c.insert("braced".into(), s("a{b"));
    c.insert("same".into(), s("{{same}}"));
    c.insert("quoted".into(), s(r#"x"y\z"#));
    c.insert("empty".into(), s(""));
    let mut p = params();
    p.insert("tok".into(), s("T-1"));
    p.insert("n".into(), s("shadowed by the context"));
    p.insert("num".into(), Value::Int(7));
    p.insert("obj".into(), j(r#"{"k": [1, 2]}"#));
    check(&Scope {
        context: &c,
        params: &p,
        functions: &Double,
        request: None,
    });
}

#[test]
fn the_everyday_shapes_are_rendered_directly_as_the_scan_renders_them() {
    in_scope(|scope| {
        for (text, want) in [
            ("{{s}}", s("abc")),
            ("{{ n }}", Value::Int(5)),
            ("{{b}}", Value::Bool(true)),
            ("{{none}}", Value::None),
            ("{{$tok}}", s("T-1")),
            ("{{p}}", s("P")),
            ("{{quoted}}", s(r#"x"y\z"#)),
            ("{{same}}", s("{{same}}")),
            ("{{braced}}", s("a{b")),
            ("/api/items/{{n}}", s("/api/items/5")),
            ("{{s}}-{{neg}}/{{b}}{{none}}", s("abc--42/truenull")),
            ("中{{u}}文 {{empty}}.", s("中中文文 .")),
            ("Bearer {{tok}}", s("Bearer T-1")),
        ] {
            let direct = simple::render(text, scope);
            assert_eq!(direct.as_ref(), Some(&want), "{text:?}");
            assert_eq!(general(text, scope), want, "{text:?}");
        }
    });
}

#[test]
fn what_the_direct_render_leaves_alone_goes_to_the_scan() {
    in_scope(|scope| {
        for text in [
            "{{missing}}",
            "{{f}}",
            "{{d}}",
            "{{obj}}",
            "{{bs}}",
            "{{d.a}}",
            "{{li[0]}}",
            "{{@echo(1)}}",
            "a{{braced}}",
            "a{{same}}",
            "a{{quoted}}",
            "{{quoted}}{{n}}",
            "{{n}}{{quoted}}",
            "a{{d}}",
            "{{{n}}}",
            "{{n}}}",
            "{n}",
            "x}",
            "{{n",
            "\"{{n}}\"",
            "{{n}}\\",
            "#{_request_path}{{n}}",
            "{{n}}\n",
        ] {
            assert_eq!(simple::render(text, scope), None, "{text:?}");
        }
    });
}

/// Random strings of placeholders, names, braces and text: wherever the direct render answers,
/// the scan gives the same value (deterministic xorshift, as in `fuzz`).
#[test]
fn random_templates_render_the_same_both_ways() {
    const PARTS: &[&str] = &[
        "{{",
        "}}",
        "{",
        "}",
        " ",
        "/",
        "-",
        "n",
        "s",
        "b",
        "u",
        "none",
        "neg",
        "tok",
        "$tok",
        "p",
        "num",
        "braced",
        "same",
        "quoted",
        "empty",
        "missing",
        "f",
        "d",
        "{{n}}",
        "{{s}}",
        "{{ tok }}",
        "{{$tok}}",
        "{{neg}}",
        "{{none}}",
        "{{b}}",
        "{{u}}",
        "{{braced}}",
        "{{same}}",
        "{{quoted}}",
        "{{q}}",
        "中",
        "\"",
        "\\",
        "@",
        ".",
        "[0]",
    ];
    in_scope(|scope| {
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut answered = 0;
        for _ in 0..20_000 {
            let len = 1 + (next() % 6) as usize;
            let text: String = (0..len)
                .map(|_| PARTS[(next() % PARTS.len() as u64) as usize])
                .collect();
            if let Some(direct) = simple::render(&text, scope) {
                answered += 1;
                assert_eq!(direct, general(&text, scope), "{text:?}");
            }
        }
        assert!(answered > 1_000, "only {answered} answered directly");
    });
}
