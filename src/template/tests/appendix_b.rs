//! Every vector of api-cases Appendix B, table-driven. Where a deliberate Fix
//! changes the Python result, the row says so and expects the fixed result.

use super::support::{UNKNOWN, j, r, s};
use crate::value::Value;

enum Want {
    /// The rendered value.
    Val(Value),
    /// The placeholder text is kept unchanged.
    Same,
}

struct Row {
    input: Value,
    want: Want,
    /// Expected console lines.
    console: Vec<String>,
}

fn row(input: Value, want: Want) -> Row {
    Row {
        input,
        want,
        console: Vec::new(),
    }
}

fn with_line(input: Value, want: Want, key: &str) -> Row {
    Row {
        input,
        want,
        console: vec![format!("{UNKNOWN}{key}")],
    }
}

fn rows() -> Vec<Row> {
    use Want::*;
    vec![
        row(s("{{n}}"), Val(Value::Int(5))),
        row(s("a{{n}}b"), Val(s("a5b"))),
        row(s("{{s}}"), Val(s("abc"))),
        row(s("a{{s}}"), Val(s("aabc"))),
        row(s("{{d}}"), Val(j(r#"{"a": 1, "b": [1, 2]}"#))),
        // A5 Fix (Python: render error): the object is embedded as JSON text.
        row(s("x{{d}}"), Val(s(r#"x{"a": 1, "b": [1, 2]}"#))),
        row(s("{{l}}"), Val(j(r#"[1, "x"]"#))),
        // A5 Fix (Python: render error).
        row(s("x{{l}}"), Val(s(r#"x[1, "x"]"#))),
        row(s("{{q}}"), Val(s(r#"he said "hi""#))),
        row(s("x{{q}}"), Val(s(r#"xhe said "hi""#))),
        row(s("{{u}}"), Val(s("中文"))),
        row(s("x{{u}}"), Val(s("x中文"))),
        row(s("{{b}}"), Val(Value::Bool(true))),
        row(s("x{{b}}"), Val(s("xtrue"))),
        row(s("{{none}}"), Val(Value::None)),
        row(s("x{{none}}"), Val(s("xnull"))),
        row(s("{{unknown}}"), Same),
        row(s("x{{unknown}}y"), Same),
        row(s("{{$p}}"), Val(s("P"))),
        row(s("{{p}}"), Val(s("P"))),
        row(s("{{$pd.k}}"), Val(s("v"))),
        row(s("{{d.a}}"), Val(Value::Int(1))),
        row(s("{{d.b[1]}}"), Val(Value::Int(2))),
        row(s("{{li[0].id}}"), Val(Value::Int(7))),
        with_line(s("{{d.zz}}"), Same, "d"),
        row(s("{{bs}}"), Val(Value::Bytes(vec![0, 1]))),
        row(s("x{{bs}}y"), Val(Value::Bytes(vec![0, 1]))),
        row(
            j(r#"{"a":"{{bs}}"}"#),
            Val(Value::Dict(
                [("a".to_owned(), Value::Bytes(vec![0, 1]))]
                    .into_iter()
                    .collect(),
            )),
        ),
        row(s("{{@lenof({{l}})}}"), Val(Value::Int(2))),
        row(s("{{@indexof([1,2,3],1)}}"), Val(Value::Int(2))),
        row(s(r#"{{@keyof({"a": 1, "b": 2}, b)}}"#), Val(Value::Int(2))),
        row(
            s("{{@map_dumps({{d}})}}"),
            Val(s(r#"{"a": 1, "b": [1, 2]}"#)),
        ),
        row(s("{{@extract({{d}})}}"), Val(s(r#"{"a": 1"#))),
        row(
            s("{{@current_time(None)}}"),
            Val(Value::Int(1_709_251_200_000)),
        ),
        row(s("{{@current_time}}"), Val(s("2024-03-01"))),
        row(s("{{@date_shift(-1)}}"), Val(s("2024-02-29"))),
        with_line(s("{{@month_shift(1.5)}}"), Same, "@month_shift(1.5)"),
        row(
            s("{{@b64decode_toBytes(YWJj)}}"),
            Val(Value::Bytes(b"abc".to_vec())),
        ),
        with_line(
            s("{{@b64encode_bytes(abc)}}"),
            Same,
            "@b64encode_bytes(abc)",
        ),
        row(s("{{@arithmetic({{n}}*2)}}"), Val(Value::Int(10))),
        // A47 Fix (Python: unchanged + message): the empty piece is "".
        row(s("{{@replace(abc, b, )}}"), Val(s("ac"))),
        row(s(r#"{{@replace(abc, b, "")}}"#), Val(s("ac"))),
        row(s("{{@name}}"), Val(s("文磊"))),
        row(s("{{@phone_number}}"), Val(s("15504850807"))),
        row(s("{{@ssn}}"), Val(s("440233194801286386"))),
    ]
}

#[test]
fn appendix_b_vectors() {
    for Row {
        input,
        want,
        console,
    } in rows()
    {
        let got = r(&input);
        match want {
            Want::Val(v) => {
                let got = got.unwrap_or_else(|e| panic!("{input:?}: {e}"));
                assert_eq!(got.value, v, "{input:?}");
                assert_eq!(got.console, console, "{input:?}");
            }
            Want::Same => {
                let got = got.unwrap_or_else(|e| panic!("{input:?}: {e}"));
                assert_eq!(got.value, input, "{input:?}");
                assert_eq!(got.console, console, "{input:?}");
            }
        }
    }
}

#[test]
fn appendix_b_unknown_names_are_silent_but_noted() {
    let out = r(&s("x{{unknown}}y")).unwrap();
    assert!(out.console.is_empty());
    assert_eq!(out.unresolved, ["unknown"]);
}

#[test]
fn appendix_b_python_render_errors_without_fixes() {
    // Embedded objects nested inside an outer placeholder keep Python's text,
    // so an unresolved outer key still breaks the JSON like Python (A5 applies
    // only to top-level placeholders).
    assert!(r(&s("{{x{{d}}}}")).is_err());
}
