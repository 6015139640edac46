//! Behaviour pinned against the Python engine (reference runs of
//! `core/template.py`), and the deliberate fixes, named after their quirks.

use crate::value::Dict;

use super::support::{UNKNOWN, context, j, params, r, refs, render_with, rs, s};
use crate::template::RenderErrorKind;
use crate::value::Value;

fn strs(items: &[&str]) -> Value {
    Value::List(items.iter().map(|i| s(i)).collect())
}

/// Renders with the reference request state; returns (value, console).
fn rc(template: &str) -> (Value, Vec<String>) {
    let out = render_with(&s(template), &context(), &params(), Some(&refs()))
        .unwrap_or_else(|e| panic!("{template:?}: {e}"));
    (out.value, out.console)
}

/// The template stays unchanged and the console names `key`.
fn kept_with_line(template: &str, key: &str) {
    let (v, console) = rc(template);
    assert_eq!(v, s(template), "{template:?}");
    assert_eq!(console, [format!("{UNKNOWN}{key}")], "{template:?}");
}

#[test]
fn tokenisation_overlapping_and_stray_markers() {
    assert_eq!(rs("{{{n}}}"), s("{5}"));
    assert_eq!(rs("{{{x}}}"), s("{{{x}}}"));
    assert_eq!(rs("a}}b{{n}}"), s("a}}b5"));
    assert_eq!(rs("{{x}}}"), s("{{x}}}"));
    assert_eq!(rs("}}{{"), s("}}{{"));
    assert_eq!(rs("{{"), s("{{"));
    assert_eq!(rs("{{{{n}}}}"), s("{{5}}"));
}

#[test]
fn tokenisation_key_is_trimmed_and_adjacent_placeholders_are_embedded() {
    assert_eq!(rs("{{ n }}"), Value::Int(5));
    assert_eq!(rs("{{n}}{{n}}"), s("55"));
}

#[test]
fn tokenisation_whole_detection_uses_the_output_text() {
    // The escaped quote before `{{n}}` makes it "whole" (Python: Invalid \escape).
    let err = r(&s("{{q}}{{n}}")).unwrap_err();
    assert!(
        matches!(err.kind, RenderErrorKind::InvalidJson(_)),
        "{err:?}"
    );
}

#[test]
fn whole_and_embedded_in_objects_lists_and_keys() {
    let out = r(&j(
        r#"{"k": "{{n}}", "l": ["{{b}}", "x{{n}}"], "{{s}}": 1}"#,
    ))
    .unwrap();
    assert_eq!(out.value, j(r#"{"k": 5, "l": [true, "x5"], "abc": 1}"#));
    // A whole placeholder as a key must resolve to a string.
    assert!(r(&j(r#"{"{{n}}": 1}"#)).is_err());
}

#[test]
fn render_error_keeps_console_lines_printed_before() {
    let err = r(&j(r#"{"{{n}}": "{{d.zz}}"}"#)).unwrap_err();
    assert_eq!(err.console, [format!("{UNKNOWN}d")]);
    assert!(
        err.to_string()
            .contains("Expecting property name enclosed in double quotes")
    );
}

#[test]
fn function_argument_splitting() {
    assert_eq!(rs("{{@echo(a,{{s}},c)}}"), strs(&["a", "abc", "c"]));
    assert_eq!(rs("{{@echo}}"), strs(&[]));
    assert_eq!(rs("{{@echo()}}"), strs(&[]));
    assert_eq!(rs("{{@echo( )}}"), strs(&[]));
    assert_eq!(rs("{{@echo(,)}}"), strs(&["", ""]));
    // The first and last characters are dropped whatever they are.
    assert_eq!(rs("{{@echo x}}"), strs(&[]));
    // Every `@name` is removed from the argument text.
    assert_eq!(rs("{{@echo(x@echoy)}}"), strs(&["xy"]));
    assert_eq!(rs("{{@extract({{@extract(a,b)}})}}"), s("a"));
}

#[test]
fn function_defaults_and_surplus_arguments() {
    assert_eq!(rs("{{@substing(abcdef)}}"), s("abcde"));
    assert_eq!(rs("{{@substing(abcdef, 1, 3)}}"), s("bc"));
    assert_eq!(rs("{{@arithmetic(1,2)}}"), Value::Int(1));
}

#[test]
fn function_failures_keep_the_placeholder_with_a_console_line() {
    kept_with_line("{{@random_int(a)}}", "@random_int(a)");
    kept_with_line("{{@random_int(0x1)}}", "@random_int(0x1)");
    kept_with_line("{{@name(1)}}", "@name(1)");
    kept_with_line("{{@nope}}", "@nope");
    kept_with_line("{{@1x}}", "@1x");
    kept_with_line("{{@}}", "@");
    kept_with_line("{{@boom(x)}}", "@boom(x)");
    kept_with_line("{{@keyof({a: 1}, a)}}", "@keyof({a: 1}, a)");
    kept_with_line("{{@indexof((1,2),1)}}", "@indexof((1,2),1)");
    kept_with_line(
        "{{@extract(#{bytes_unknown_1})}}",
        "@extract(#{bytes_unknown_1})",
    );
    let out = r(&s("{{@boom(x)}}")).unwrap();
    assert_eq!(out.warnings, ["@boom(x): boom"]);
    assert!(out.unresolved.is_empty());
}

#[test]
fn typed_arguments() {
    let got = rs(r#"{{@typed('s', 1_0, 2, FALSE, {"a": 1}, [1, 2], raw, other)}}"#);
    let want = Value::List(vec![
        s("s"),
        Value::Int(10),
        Value::Float(2.0),
        Value::Bool(false),
        j(r#"{"a": 1}"#),
        j("[1, 2]"),
        s("raw"),
        s("other"),
    ]);
    assert_eq!(got, want);
    // Fewer pieces than parameters: the rest use the defaults (not passed).
    assert_eq!(
        rs("{{@typed(a, 1)}}"),
        Value::List(vec![s("a"), Value::Int(1)])
    );
    assert_eq!(rs("{{@random_int( 7 )}}"), Value::Int(7));
    assert_eq!(rs("{{@date_shift(1_0)}}"), s("shift 10.0"));
    assert_eq!(rs("{{@date_shift(inf)}}"), s("shift inf"));
    assert_eq!(rs("{{@month_shift(2)}}"), s("2024-04-01"));
}

#[test]
fn quirk_a48_bool_anything_but_false_is_true() {
    for (arg, want) in [
        ("false", false),
        ("False", false),
        ("0", true),
        ("no", true),
        ("", true),
    ] {
        let got = rs(&format!("{{{{@typed(x, 1, 1, {arg})}}}}"));
        let Value::List(items) = got else {
            panic!("{got:?}")
        };
        assert_eq!(items.get(3), Some(&Value::Bool(want)), "{arg:?}");
    }
}

#[test]
fn str_arguments_quote_stripping() {
    assert_eq!(rs("{{@replace(“a b”, ' ', ‘-’)}}"), s("a-b"));
    assert_eq!(rs(r#"{{@extract("x")}}"#), s("x"));
    assert_eq!(rs("{{@extract('x)}}"), s("'x"));
    assert_eq!(rs(r"{{@extract(\'x\')}}"), s(r"\\'x\\'"));
    assert_eq!(rs(r#"{{@extract(\"x\")}}"#), s(r#"\\\"x\\\""#));
    // Both ends quoted, even when they differ.
    assert_eq!(rs("{{@extract('x”)}}"), s("x"));
}

#[test]
fn dict_and_list_arguments_join_pieces() {
    assert_eq!(rs(r#"{{@lenof([1, 'a', "b"])}}"#), Value::Int(3));
    assert_eq!(rs("{{@lenof(abc)}}"), Value::Int(3));
    assert_eq!(rs("{{@lenof(a]b)}}"), Value::Int(3));
    assert_eq!(rs(r#"{{@map_dumps({'a': "b"})}}"#), s(r#"{"a": "b"}"#));
    assert_eq!(
        rs("{{@keyof({'k': [1, {'z': 'y'}]}, k)}}"),
        j(r#"[1, {"z": "y"}]"#)
    );
}

#[test]
fn quirk_a8_arguments_split_on_every_comma_and_keep_json_escapes() {
    assert_eq!(rs(r#"{{@replace(a b c, " ", -)}}"#), s("a-b-c"));
    assert_eq!(rs(r#"{{@extract(a"b)}}"#), s(r#"a\"b"#));
    assert_eq!(rs("{{@extract(line1\nline2)}}"), s(r"line1\nline2"));
    assert_eq!(
        rs("{{@echo({{d}})}}"),
        strs(&[r#"{"a": 1"#, r#""b": [1"#, "2]}"])
    );
    assert_eq!(rs("{{@echo({{q}})}}"), strs(&[r#"he said \"hi\""#]));
    assert_eq!(
        rs("{{@echo({{u}}{{q}})}}"),
        strs(&[r#"中文he said \"hi\""#])
    );
    // Nested strings without quotes are inserted raw (real newline, single backslash).
    assert_eq!(rs("{{@extract({{nl}})}}"), s("line1\nline2"));
    assert_eq!(rs("{{@extract({{bsl}})}}"), s(r"C:\temp"));
}

#[test]
fn quirk_a9_inner_braces_close_the_placeholder_early() {
    kept_with_line(
        r#"{{@keyof({"a": {"b": 1}}, a)}}"#,
        r#"@keyof({\"a\": {\"b\": 1"#,
    );
}

#[test]
fn quirk_a13_request_references_only_in_arguments() {
    assert_eq!(rs("#{_request_url}"), s("#{_request_url}"));
    assert_eq!(rs("{{@extract(x#{_request_url}y)}}"), s("http://h"));
    assert_eq!(rs("{{@extract(#{_request_path})}}"), s("/p"));
    assert_eq!(rs("{{@extract(#{_request_body.a.b})}}"), s("5"));
    assert_eq!(
        rs("{{@extract(#{ _REQUEST_BODY })}}"),
        s("{'a': {'b': 5}, 'c': 'x'}")
    );
    assert_eq!(rs("{{@extract(#{c})}}"), s("x"));
    assert_eq!(rs("{{@extract(#{$.c})}}"), s("x"));
    assert_eq!(rs("{{@extract(#{nope})}}"), s("#{nope}"));
    assert_eq!(rs("{{@extract(#{_request_header.h})}}"), s("1"));
    assert_eq!(rs("{{@extract(#{_request_query})}}"), s("{'q': 2}"));
    assert_eq!(rs("{{@extract(#{_request_query.q})}}"), s("2"));
    // A dict parameter receives the repr and parses it back.
    assert_eq!(rs("{{@keyof(#{_request_body}, c)}}"), s("x"));
}

#[test]
fn request_references_without_request_state_are_none() {
    let get = |t: &str| r(&s(t)).unwrap().value;
    assert_eq!(get("{{@extract(#{_request_url})}}"), s("None"));
    assert_eq!(
        get("{{@extract(#{_request_body.a})}}"),
        s("#{_request_body.a}")
    );
}

#[test]
fn lookup_order_and_paths() {
    let mut ctx = Dict::default();
    ctx.insert("p".to_owned(), s("C"));
    let out = render_with(&s("{{p}}/{{$p}}"), &ctx, &params(), None).unwrap();
    assert_eq!(out.value, s("C/P"));
    // The legacy `$` form reads params only.
    let out = r(&s("{{$n}}")).unwrap();
    assert_eq!((out.value, out.console), (s("{{$n}}"), vec![]));
    kept_with_line("{{s.a}}", "s");
    kept_with_line("{{d.}}", "d");
    kept_with_line("{{d[0][1]}}", "d");
}

#[test]
fn quirk_a4_unresolved_names_are_reported_for_debug() {
    let out = r(&s("{{a}} {{zz.c}} {{@name}}")).unwrap();
    assert_eq!(out.unresolved, ["a", "zz.c"]);
    assert!(out.console.is_empty());
}

#[test]
fn quirk_a5_embedded_backslashes_and_control_characters_are_escaped() {
    // Python: `\t` re-interpreted as a tab / invalid control character errors.
    assert_eq!(rs("path={{bsl}}"), s(r"path=C:\temp"));
    assert_eq!(rs("x{{nl}}"), s("xline1\nline2"));
    assert_eq!(rs("x{{tab}}"), s("xa\tb"));
    assert_eq!(rs("x{{f}}"), s("x1.5"));
}

#[test]
fn quirk_a5_embedded_containers_become_json_text() {
    assert_eq!(rs("x{{d}}"), s(r#"x{"a": 1, "b": [1, 2]}"#));
    assert_eq!(rs("x{{l}}y"), s(r#"x[1, "x"]y"#));
    assert_eq!(rs("x{{pd}}"), s(r#"x{"k": "v"}"#));
}

#[test]
fn quirk_a6_embedded_bytes_replace_the_whole_string_with_a_warning() {
    let out = r(&s("x{{bs}}y")).unwrap();
    assert_eq!(out.value, Value::Bytes(vec![0, 1]));
    assert_eq!(out.warnings.len(), 1);
    let out = r(&s("{{bs}}")).unwrap();
    assert!(out.warnings.is_empty());
}

#[test]
fn bytes_in_lists_and_unserialisable_values() {
    assert_eq!(
        rs("{{lb}}"),
        Value::List(vec![Value::Bytes(vec![0]), Value::Int(1)])
    );
    let err = r(&s("{{bd}}")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Object of type bytes is not JSON serializable"
    );
    let err = r(&Value::Bytes(vec![1])).unwrap_err();
    assert!(matches!(err.kind, RenderErrorKind::NotSerializable(_)));
}

#[test]
fn quirk_a7_bytes_reach_bytes_parameters() {
    // Python: `str` text `#{bytes_…}` → TypeError → the kept placeholder became the bytes.
    assert_eq!(rs("{{@b64encode_bytes({{bs}})}}"), s("b64(2 bytes)"));
    // Other parameter types still get the `b'…'` text.
    assert_eq!(rs("{{@extract({{bs}})}}"), s(r"b'\x00\x01'"));
    assert_eq!(rs("{{@other({{bs}})}}"), strs(&[r"b'\x00\x01'"]));
}

#[test]
fn quirk_a47_empty_str_argument_is_empty_string() {
    assert_eq!(rs("{{@replace(abc, b, )}}"), s("ac"));
    assert_eq!(
        rs("{{@typed(, 1)}}"),
        Value::List(vec![s(""), Value::Int(1)])
    );
}

#[test]
fn quirk_a53_closing_braces_at_the_end_are_text() {
    // Python: IndexError.
    let v = j(r#"{"a": {"b": "{{x"}}"#);
    assert_eq!(r(&v).unwrap().value, v);
    // Not preceded by a quote: Python processes it (unresolved here).
    let v = j(r#"{"a": {"b": "x{{n"}}"#);
    assert_eq!(r(&v).unwrap().value, v);
}

#[test]
fn non_string_inputs_render_their_json_text() {
    assert_eq!(r(&Value::Int(5)).unwrap().value, Value::Int(5));
    assert_eq!(
        r(&j(r#"[1, "{{n}}", null]"#)).unwrap().value,
        j("[1, 5, null]")
    );
    assert_eq!(
        r(&Value::Tuple(vec![s("{{s}}")])).unwrap().value,
        j(r#"["abc"]"#)
    );
}
