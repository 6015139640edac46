//! `render_request` (§2.7) and quirks A3, A10, A11, A12.

use crate::value::Dict;

use super::support::{Double, UNKNOWN, context, j, params, s};
use crate::template::{
    BodyKind, RenderError, RenderedRequest, RequestParts, Scope, mentions, render, render_request,
};
use crate::value::Value;

fn parts(
    headers: Option<&str>,
    query: Option<&str>,
    body: Option<Value>,
    kind: BodyKind,
) -> RequestParts {
    RequestParts {
        url: s("http://host"),
        path: s("/api/{{n}}"),
        others: None,
        headers: headers.map(j),
        query: query.map(j),
        body,
        body_kind: kind,
    }
}

fn go_with(p: RequestParts, ctx: &Dict) -> Result<RenderedRequest, RenderError> {
    let params = params();
    let scope = Scope {
        context: ctx,
        params: &params,
        functions: &Double,
        request: None,
    };
    render_request(p, &scope)
}

fn go(p: RequestParts) -> RenderedRequest {
    go_with(p, &context()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn path_is_rendered_first_and_visible_to_references() {
    let out = go(parts(
        Some(r#"{"P": "{{@extract(#{_request_path})}}", "U": "{{@extract(#{_request_url})}}"}"#),
        None,
        None,
        BodyKind::Json,
    ));
    assert_eq!(out.path, s("/api/5"));
    assert_eq!(
        out.headers,
        Some(j(r#"{"P": "/api/5", "U": "http://host"}"#))
    );
    assert_eq!(out.query, None);
    assert_eq!(out.body, None);
}

#[test]
fn quirk_a12_header_values_are_str_converted() {
    let out = go(parts(
        Some(r#"{"n": "{{n}}", "b": "{{b}}", "d": "{{pd}}", "x": "a{{s}}", "k": 7}"#),
        None,
        None,
        BodyKind::Json,
    ));
    assert_eq!(
        out.headers,
        Some(j(
            r#"{"n": "5", "b": "True", "d": "{'k': 'v'}", "x": "aabc", "k": 7}"#
        ))
    );
}

#[test]
fn section_order_follows_references() {
    // Headers mention the body → body first; query mentions the body → after it.
    let out = go(parts(
        Some(
            r#"{"T": "{{@extract(#{_request_body.token})}}", "Q": "{{@extract(#{_request_query.sig})}}"}"#,
        ),
        Some(r#"{"sig": "{{@extract(#{_request_body.token})}}"}"#),
        Some(j(r#"{"token": "{{s}}"}"#)),
        BodyKind::Json,
    ));
    assert_eq!(out.body, Some(j(r#"{"token": "abc"}"#)));
    assert_eq!(out.query, Some(j(r#"{"sig": "abc"}"#)));
    assert_eq!(out.headers, Some(j(r#"{"T": "abc", "Q": "abc"}"#)));
}

#[test]
fn default_order_headers_query_body() {
    // The body reads the rendered query and headers.
    let out = go(parts(
        Some(r#"{"h": "{{n}}"}"#),
        Some(r#"{"q": "{{s}}"}"#),
        Some(j(
            r#"{"a": "{{@extract(#{_request_query.q})}}", "b": "{{@extract(#{_request_header.h})}}"}"#,
        )),
        BodyKind::Form,
    ));
    assert_eq!(out.body, Some(j(r#"{"a": "abc", "b": "5"}"#)));
    assert_eq!(out.query, Some(j(r#"{"q": "abc"}"#)));
}

#[test]
fn quirk_a10_leaves_ordered_by_parsed_references_never_dropped() {
    // Python dropped both `t` and `e` (their names occur in `extract`/`_request_query`).
    let out = go(parts(
        None,
        Some(r#"{"q": "{{n}}"}"#),
        Some(j(
            r#"{"t": "{{@extract(#{e})}}", "e": "{{@extract(#{_request_query.q})}}"}"#,
        )),
        BodyKind::Json,
    ));
    assert_eq!(out.body, Some(j(r#"{"t": "5", "e": "5"}"#)));
}

#[test]
fn quirk_a10_cycles_render_in_document_order() {
    let out = go(parts(
        None,
        None,
        Some(j(
            r#"{"a": "{{@extract(#{b})}}", "b": "{{@extract(#{a})}}"}"#,
        )),
        BodyKind::Json,
    ));
    // `a` first (reads raw `b`), then `b` (reads rendered `a`): both rendered.
    let want = j(r#"{"a": "{{@extract(#{a})}}", "b": "{{@extract(#{a})}}"}"#);
    assert_eq!(out.body, Some(want));
}

#[test]
fn quirk_a10_whole_section_reference_goes_last() {
    let out = go(parts(
        None,
        None,
        Some(j(
            r#"{"all": "{{@extract(#{_request_body})}}", "x": "{{n}}", "y": "{{@extract(#{x})}}"}"#,
        )),
        BodyKind::Json,
    ));
    let want = j(
        r#"{"all": "{'all': '{{@extract(#{_request_body})}}', 'x': 5, 'y': '5'}", "x": 5, "y": "5"}"#,
    );
    assert_eq!(out.body, Some(want));
}

#[test]
fn quirk_a11_write_back_by_tree_position() {
    let body = j(
        r#"{"a b": "{{n}}", "a.b": "{{n}}", "中": "{{n}}", "$x": "{{n}}", "where": "{{n}}", "1a": "{{n}}", "123": "{{n}}",
            "l": [{"x": "{{s}}"}, "{{b}}", [], {}], "deep": {"k": {"m": ["{{none}}"]}}}"#,
    );
    let out = go(parts(None, None, Some(body), BodyKind::Json));
    let want = j(
        r#"{"a b": 5, "a.b": 5, "中": 5, "$x": 5, "where": 5, "1a": 5, "123": 5,
            "l": [{"x": "abc"}, true, [], {}], "deep": {"k": {"m": [null]}}}"#,
    );
    assert_eq!(out.body, Some(want));
}

#[test]
fn quirk_a3_every_execution_renders_the_pristine_parts() {
    let p = parts(
        Some(r#"{"i": "{{i}}"}"#),
        Some(r#"{"i": "{{i}}"}"#),
        None,
        BodyKind::Json,
    );
    for i in 0..3 {
        let mut ctx = context();
        ctx.insert("i".to_owned(), Value::Int(i));
        let out = go_with(p.clone(), &ctx).unwrap();
        assert_eq!(out.headers, Some(j(&format!(r#"{{"i": "{i}"}}"#))));
        assert_eq!(out.query, Some(j(&format!(r#"{{"i": {i}}}"#))));
    }
    assert_eq!(p.headers, Some(j(r#"{"i": "{{i}}"}"#)));
}

#[test]
fn raw_bodies_render_as_one_value() {
    let out = go(parts(
        Some(r#"{"len": "{{@lenof(#{_request_body})}}"}"#),
        None,
        Some(s("id={{n}}&name={{u}}")),
        BodyKind::Raw,
    ));
    assert_eq!(out.body, Some(s("id=5&name=中文")));
    assert_eq!(out.headers, Some(j(r#"{"len": "12"}"#)));
    // A whole placeholder may turn the raw body into bytes.
    let out = go(parts(None, None, Some(s("{{bs}}")), BodyKind::Raw));
    assert_eq!(out.body, Some(Value::Bytes(vec![0, 1])));
}

#[test]
fn only_leaves_with_a_placeholder_on_one_line_are_rendered() {
    let out = go(parts(
        None,
        None,
        Some(j(r#"{"a": "{{n\n}}", "b": "x{{n}}", "c": 1.5, "d": null}"#)),
        BodyKind::Json,
    ));
    assert_eq!(
        out.body,
        Some(j(r#"{"a": "{{n\n}}", "b": "x5", "c": 1.5, "d": null}"#))
    );
    // A scalar json body is not rendered (Python iterated its characters).
    let out = go(parts(None, None, Some(s("{{n}}")), BodyKind::Json));
    assert_eq!(out.body, Some(s("{{n}}")));
}

#[test]
fn others_are_rendered_as_one_value() {
    let mut p = parts(None, None, None, BodyKind::Json);
    p.others = Some(j(
        r#"{"files": [["file", ["a.txt", "{{@b64decode_toBytes(YWJj)}}"]]], "timeout": "{{n}}"}"#,
    ));
    let out = go(p);
    let want = Value::Dict(
        [
            (
                "files".to_owned(),
                Value::List(vec![Value::List(vec![
                    s("file"),
                    Value::List(vec![s("a.txt"), Value::Bytes(b"abc".to_vec())]),
                ])]),
            ),
            ("timeout".to_owned(), Value::Int(5)),
        ]
        .into_iter()
        .collect(),
    );
    assert_eq!(out.others, Some(want));
}

#[test]
fn errors_carry_all_console_lines_so_far() {
    let mut p = parts(
        None,
        None,
        Some(j(r#"{"a": "{{q}}{{n}}"}"#)),
        BodyKind::Json,
    );
    p.path = s("/{{d.zz}}");
    let err = go_with(p, &context()).unwrap_err();
    assert_eq!(err.console, [format!("{UNKNOWN}d")]);
}

#[test]
fn diagnostics_accumulate_and_refs_give_the_final_state() {
    let out = go(parts(
        Some(r#"{"h": "{{zz}}"}"#),
        None,
        Some(j(r#"{"a": "{{d.zz}}", "b": "{{n}}"}"#)),
        BodyKind::Json,
    ));
    assert_eq!(out.unresolved, ["zz"]);
    assert_eq!(out.console, [format!("{UNKNOWN}d")]);
    // Assertions are rendered afterwards with the final state.
    let refs = out.refs();
    let (ctx, params) = (context(), params());
    let scope = Scope {
        context: &ctx,
        params: &params,
        functions: &Double,
        request: Some(&refs),
    };
    let rendered = render(&s("{{@extract(#{b})}}"), &scope).unwrap();
    assert_eq!(rendered.value, s("5"));
    assert_eq!(BodyKind::from_body_type("form-data"), BodyKind::Form);
    assert_eq!(BodyKind::from_body_type("xml"), BodyKind::Raw);
}

/// The walk finds a needle where the lower-cased repr would: in any string, key or bytes,
/// in any case, at any depth; never across two strings.
#[test]
fn mentions_agrees_with_the_lowercased_repr() {
    let needle = "#{_request_body";
    let samples = [
        Value::Str("x #{_REQUEST_Body.a}".into()),
        Value::Dict(
            [("#{_request_body}".to_string(), Value::Int(1))]
                .into_iter()
                .collect(),
        ),
        Value::List(vec![Value::Bytes(b"a#{_request_body".to_vec())]),
        Value::List(vec![
            Value::Str("#{_request".into()),
            Value::Str("_body".into()),
        ]),
        Value::Str("it's #{_request_body".into()),
        Value::Dict(
            [(
                "k".to_string(),
                Value::Tuple(vec![Value::Str("#{_request_query".into())]),
            )]
            .into_iter()
            .collect(),
        ),
        Value::Int(5),
    ];
    for v in &samples {
        assert_eq!(
            mentions(v, needle),
            v.py_repr().to_ascii_lowercase().contains(needle),
            "{v:?}"
        );
    }
    assert!(mentions(&samples[0], needle) && !mentions(&samples[3], needle));
}

/// Leaves without `#{…}` are rendered where they are, in the order `render_order` gives the
/// positions in (each failing lookup's warning names its leaf, so the warnings show the order).
#[test]
fn leaves_without_references_render_in_the_enumeration_order() {
    use crate::template::leaves::{Section, get, render_order};
    let body = j(r#"{
        "a": "{{d.k1}}", "x": {"p": "{{d.k2}}", "q": ["{{d.k3}}", {"r": "{{d.k4}}"}, "{{d.k5}}"],
        "s": "{{d.k6}}"}, "b": "plain", "y": [["{{d.k7}}"], "{{d.k8}}"], "c": "{{d.k9}}"
    }"#);
    let want: Vec<String> = render_order(&body, Section::Body)
        .iter()
        .map(|path| match get(&body, path) {
            Some(Value::Str(t)) => format!("d: jsonpath表达式错误: $.{}", &t[4..t.len() - 2]),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(want.len(), 9);
    let r = go(parts(None, None, Some(body.clone()), BodyKind::Json));
    assert_eq!(r.warnings, want);
    assert_eq!(
        r.body,
        Some(body),
        "failed lookups keep every leaf as written"
    );
}

/// A leaf that renders to an object is not entered: the leaves were the part's as written.
#[test]
fn a_leaf_rendered_to_an_object_is_not_rendered_again() {
    let mut ctx = context();
    ctx.insert("tpl".into(), j(r#"{"x": "{{n}}", "y": ["{{n}}"]}"#));
    let body = j(r#"{"a": "{{tpl}}", "b": ["{{tpl}}", "{{n}}"]}"#);
    let r = go_with(
        parts(
            Some(r#"{"h": "{{tpl}}"}"#),
            None,
            Some(body),
            BodyKind::Json,
        ),
        &ctx,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        r.body,
        Some(j(
            r#"{"a": {"x": "{{n}}", "y": ["{{n}}"]}, "b": [{"x": "{{n}}", "y": ["{{n}}"]}, 5]}"#
        ))
    );
    assert_eq!(
        r.headers,
        Some(j(r#"{"h": "{'x': '{{n}}', 'y': ['{{n}}']}"}"#))
    );
}
