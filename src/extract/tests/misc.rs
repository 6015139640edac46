//! API-level tests: regex extraction, dispatch, error texts, quirks A25/A26,
//! value fidelity and robustness on odd input.

use super::testutil::*;
use crate::value::Dict;

fn s(x: &str) -> Value {
    Value::Str(x.into())
}

#[track_caller]
fn regex_ok(text: &str, pattern: &str, want: &str) {
    let want: serde_json::Value = serde_json::from_str(want).expect("expectation");
    let got = regex_findall(&s(text), pattern).map(|v| to_j(&v));
    assert_eq!(got, Ok(want), "pattern {pattern}");
}

#[track_caller]
fn regex_no_match(text: &str, pattern: &str) {
    assert_eq!(
        regex_findall(&s(text), pattern),
        Err(ExtractError::RegexNoMatch(pattern.to_string()))
    );
}

#[test]
fn regex_findall_like_python() {
    // expectations from CPython 3.11 re.findall, unwrapped like extract_by_regex
    regex_ok(
        r#"{"code": 0, "data": {"id": 7, "token": "abc123"}}"#,
        r#""token": "(\w+)""#,
        r#""abc123""#,
    );
    regex_ok(
        r#"{"code": 0, "data": {"id": 7, "token": "abc123"}}"#,
        r#""data": {"id": (\d+)"#,
        r#""7""#,
    );
    regex_ok(
        r#"{"code": 0, "data": {"id": 7, "token": "abc123"}}"#,
        r#""(\w+)": (\d+)"#,
        r#"[["code", "0"], ["id", "7"]]"#,
    );
    regex_ok(
        r#"{"code": 0, "data": {"id": 7, "token": "abc123"}}"#,
        r#"\d+"#,
        r#"["0", "7", "123"]"#,
    );
    regex_ok(
        r#"{"code": 0, "data": {"id": 7, "token": "abc123"}}"#,
        r#""id": \d+"#,
        r#""\"id\": 7""#,
    );
    regex_ok(
        r#"用户张三的订单号是２０２４和123"#,
        r#"\d+"#,
        r#"["２０２４", "123"]"#,
    );
    regex_ok(
        r#"用户张三的订单号是２０２４和123"#,
        r#"用户(\w+?)的"#,
        r#""张三""#,
    );
    regex_ok(
        r#"用户张三的订单号是２０２４和123"#,
        r#"订单号是(\d+)和(\d+)"#,
        r#"["２０２４", "123"]"#,
    );
    regex_ok(r#"name=张三&age=18"#, r#"name=([^&]+)"#, r#""张三""#);
    regex_ok(r#"name=张三&age=18"#, r#"(?<=age=)\d+"#, r#""18""#);
    regex_ok(r#"a1b2c3"#, r#"[a-z](\d)"#, r#"["1", "2", "3"]"#);
    regex_ok(
        r#"a1b2c3"#,
        r#"([a-z])(\d)"#,
        r#"[["a", "1"], ["b", "2"], ["c", "3"]]"#,
    );
    regex_ok(r#"a1b2c3"#, r#"(x)?\d"#, r#"["", "", ""]"#);
    regex_ok(
        r#"<p>one</p><p>two</p>"#,
        r#"<p>(.*?)</p>"#,
        r#"["one", "two"]"#,
    );
    regex_ok(
        r#"<p>one</p><p>two</p>"#,
        r#"<p>(.*)</p>"#,
        r#""one</p><p>two""#,
    );
    regex_ok(r#"HELLO world"#, r#"(?i)hello"#, r#""HELLO""#);
    regex_no_match(
        r#"line1
line2
"#,
        r#"^line\d$"#,
    );
    regex_ok(
        r#"line1
line2
"#,
        r#"(?m)^line(\d)$"#,
        r#"["1", "2"]"#,
    );
    regex_ok(
        r#"price: $12.50, tax: $1.05"#,
        r#"\$(\d+)\.(\d+)"#,
        r#"[["12", "50"], ["1", "05"]]"#,
    );
    regex_ok(r#"{"a": [1, 2]}"#, r#"\[(.*)\]"#, r#""1, 2""#);
}

#[test]
fn regex_group_shapes_and_unwrap() {
    let t = s("id=1;id=2");
    // 0 groups → whole matches; 1 group → group; ≥ 2 → tuples
    assert_eq!(
        regex_findall(&t, r"id=\d"),
        Ok(Value::List(vec![s("id=1"), s("id=2")]))
    );
    assert_eq!(
        regex_findall(&t, r"id=(\d)"),
        Ok(Value::List(vec![s("1"), s("2")]))
    );
    assert_eq!(
        regex_findall(&t, r"(id)=(\d)"),
        Ok(Value::List(vec![
            Value::Tuple(vec![s("id"), s("1")]),
            Value::Tuple(vec![s("id"), s("2")])
        ]))
    );
    // one match → unwrapped (a string, or a tuple)
    assert_eq!(regex_findall(&t, r"id=(2)"), Ok(s("2")));
    assert_eq!(
        regex_findall(&t, r"(i)d=(2)"),
        Ok(Value::Tuple(vec![s("i"), s("2")]))
    );
    // re.findall(r'订单号是(\d+)和(\d+)', '订单号是２０２４和123') == [('２０２４', '123')]
    assert_eq!(
        regex_findall(&s("订单号是２０２４和123"), r"订单号是(\d+)和(\d+)"),
        Ok(Value::Tuple(vec![s("２０２４"), s("123")]))
    );
    // a match of "" is still a match
    assert_eq!(regex_findall(&s("abc"), r"x*$"), Ok(s("")));
}

#[test]
fn regex_on_dict_uses_python_json_text() {
    // Python: re.findall('"name": "(.*?)"', json.dumps({"id": 7, "name": "张三"}, ensure_ascii=False))
    let mut m = Dict::default();
    m.insert("id".to_string(), Value::Int(7));
    m.insert("name".to_string(), s("张三"));
    let d = Value::Dict(m);
    assert_eq!(regex_findall(&d, r#""name": "(.*?)""#), Ok(s("张三")));
    assert_eq!(
        regex_findall(&d, r#""id": 7, "name""#),
        Ok(s(r#""id": 7, "name""#))
    );
    // a header map
    let mut h = Dict::default();
    h.insert(
        "Content-Type".to_string(),
        s("application/json; charset=utf-8"),
    );
    h.insert(
        "Set-Cookie".to_string(),
        s("sid=abc; Path=/, uid=u1; Path=/"),
    );
    let h = Value::Dict(h);
    assert_eq!(regex_findall(&h, r"sid=(\w+)"), Ok(s("abc")));
    assert_eq!(
        extract("jsonpath", "$.Content-Type", &h),
        Ok(s("application/json; charset=utf-8"))
    );
    assert_eq!(
        extract("jsonpath", "$.content-type", &h),
        Err(ExtractError::JsonPathNoMatch("$.content-type".into()))
    );
}

#[test]
fn quirk_a25_regex_on_any_value_is_serialised() {
    // Python raises TypeError for these; the Rust engine serialises them (Fix).
    let list = Value::List(vec![
        Value::Int(1),
        s("张三"),
        Value::None,
        Value::Float(2.0),
    ]);
    // text: [1, "张三", null, 2.0]
    assert_eq!(
        regex_findall(&list, r"\d+"),
        Ok(Value::List(vec![s("1"), s("2"), s("0")]))
    );
    assert_eq!(regex_findall(&list, r#""(.+?)""#), Ok(s("张三")));
    assert_eq!(regex_findall(&list, r"null"), Ok(s("null")));
    assert_eq!(
        regex_findall(&Value::Int(2024), r"\d\d"),
        Ok(Value::List(vec![s("20"), s("24")]))
    );
    assert_eq!(regex_findall(&Value::Float(1.5), r"\.(\d)"), Ok(s("5")));
    assert_eq!(regex_findall(&Value::Bool(true), r"t\w+"), Ok(s("true")));
    assert_eq!(regex_findall(&Value::None, r"null"), Ok(s("null")));
    let tuple = Value::Tuple(vec![s("a"), s("b")]);
    assert_eq!(regex_findall(&tuple, r"\[(.*)\]"), Ok(s(r#""a", "b""#)));
    // bytes (A43: raw reqBody) are decoded as UTF-8, invalid sequences replaced
    let bytes = Value::Bytes(b"token=abc&sig=\xff\xfe9".to_vec());
    assert_eq!(regex_findall(&bytes, r"token=(\w+)"), Ok(s("abc")));
    assert_eq!(
        regex_findall(&bytes, r"sig=(.*)"),
        Ok(s("\u{fffd}\u{fffd}9"))
    );
    assert_eq!(
        regex_findall(&Value::Bytes("中文=1".as_bytes().to_vec()), r"中文=(\d)"),
        Ok(s("1"))
    );
}

#[test]
fn quirk_a26_jsonpath_unwrap_negative_index_and_json_literals() {
    let d = data(r#"{"list": [{"id": 1, "ok": true}], "many": [1, 2, 3]}"#);
    // single match unwrapped even for a wildcard
    assert_eq!(
        jsonpath(&d, "$.list[*]").map(|v| to_j(&v)),
        Ok(serde_json::json!({"id": 1, "ok": true}))
    );
    assert_eq!(jsonpath(&d, "$.list[*].id"), Ok(Value::Int(1)));
    // several → list
    assert_eq!(
        jsonpath(&d, "$.many[*]"),
        Ok(Value::List(vec![
            Value::Int(1),
            Value::Int(2),
            Value::Int(3)
        ]))
    );
    // negative index unsupported, negative slice start supported
    assert_eq!(
        jsonpath(&d, "$.many[-1]"),
        Err(ExtractError::JsonPathNoMatch("$.many[-1]".into()))
    );
    assert_eq!(jsonpath(&d, "$.many[-1:]"), Ok(Value::Int(3)));
    // JSON literals are undefined names in Python filters → false
    assert_eq!(
        jsonpath(&d, "$.list[?(@.ok == true)]"),
        Err(ExtractError::JsonPathNoMatch(
            "$.list[?(@.ok == true)]".into()
        ))
    );
    assert_eq!(
        jsonpath(&d, "$.list[?(@.ok == True)].id"),
        Ok(Value::Int(1))
    );
    assert_eq!(
        jsonpath(&d, "$.list[?(@.x == null)]"),
        Err(ExtractError::JsonPathNoMatch(
            "$.list[?(@.x == null)]".into()
        ))
    );
}

#[test]
fn error_texts_are_the_engines() {
    assert_eq!(
        ExtractError::NotJson.to_string(),
        "被提取的值不是json, 不支持jsonpath"
    );
    assert_eq!(
        ExtractError::JsonPathNoMatch("$.a".into()).to_string(),
        "jsonpath表达式错误: $.a"
    );
    assert_eq!(
        ExtractError::RegexNoMatch("a(b)".into()).to_string(),
        "正则表达式匹配失败: a(b)"
    );
    assert_eq!(
        ExtractError::UnknownMethod("xpath".into()).to_string(),
        "未定义提取函数: xpath"
    );
    assert!(ExtractError::NotJson.is_extract_value_error());
    assert!(!ExtractError::Python("x".into()).is_extract_value_error());
    assert!(!ExtractError::InvalidRegex("x".into()).is_extract_value_error());
}

#[test]
fn extract_dispatch() {
    let d = data(r#"{"a": {"b": "x1"}}"#);
    assert_eq!(extract("jsonpath", "$.a.b", &d), Ok(s("x1")));
    assert_eq!(extract("regular", r"x(\d)", &d), Ok(s("1")));
    assert_eq!(
        extract("xpath", "//a", &d),
        Err(ExtractError::UnknownMethod("xpath".into()))
    );
    // jsonpath on text / bytes / numbers
    for v in [
        s("{\"a\": 1}"),
        Value::Bytes(b"{}".to_vec()),
        Value::Int(1),
        Value::None,
        Value::Tuple(vec![]),
    ] {
        assert_eq!(extract("jsonpath", "$.a", &v), Err(ExtractError::NotJson));
    }
    // empty root never matches, even with `$..`
    for v in [data("{}"), data("[]")] {
        assert_eq!(
            extract("jsonpath", "$..", &v),
            Err(ExtractError::JsonPathNoMatch("$..".into()))
        );
    }
    assert_eq!(
        extract("jsonpath", "", &d),
        Err(ExtractError::JsonPathNoMatch("".into()))
    );
    assert_eq!(
        extract("regular", "zzz", &d),
        Err(ExtractError::RegexNoMatch("zzz".into()))
    );
    assert!(matches!(
        extract("regular", "(", &d),
        Err(ExtractError::InvalidRegex(_))
    ));
}

#[test]
fn values_that_json_cannot_hold_come_back_unchanged() {
    let mut m = Dict::default();
    m.insert("t".to_string(), Value::Tuple(vec![s("a"), Value::Int(1)]));
    m.insert("b".to_string(), Value::Bytes(vec![0, 159, 1]));
    m.insert("nan".to_string(), Value::Float(f64::INFINITY));
    m.insert("l".to_string(), Value::List(vec![Value::Int(1)]));
    let d = Value::Dict(m);
    assert_eq!(
        jsonpath(&d, "$.t"),
        Ok(Value::Tuple(vec![s("a"), Value::Int(1)]))
    );
    assert_eq!(jsonpath(&d, "$.b"), Ok(Value::Bytes(vec![0, 159, 1])));
    assert_eq!(jsonpath(&d, "$.nan"), Ok(Value::Float(f64::INFINITY)));
    // 0.82 does not walk tuples (isinstance(obj, list) is false)
    assert_eq!(
        jsonpath(&d, "$.t[0]"),
        Err(ExtractError::JsonPathNoMatch("$.t[0]".into()))
    );
    assert_eq!(jsonpath(&d, "$.l[0]"), Ok(Value::Int(1)));
    assert_eq!(
        jsonpath(&d, "$.*"),
        Ok(Value::List(vec![
            Value::Tuple(vec![s("a"), Value::Int(1)]),
            Value::Bytes(vec![0, 159, 1]),
            Value::Float(f64::INFINITY),
            Value::List(vec![Value::Int(1)]),
        ]))
    );
}

#[test]
fn several_extractions_on_one_prepared_doc() {
    let d = data(r#"{"data": {"list": [{"id": 1, "name": "张三"}, {"id": 2, "name": "李四"}]}}"#);
    let doc = JsonDoc::from_value(&d);
    assert_eq!(doc.jsonpath("$.data.list[0].name"), Ok(s("张三")));
    assert_eq!(
        doc.jsonpath("$..id"),
        Ok(Value::List(vec![Value::Int(1), Value::Int(2)]))
    );
    assert_eq!(
        doc.jsonpath("$.data.list[?(@.name == '李四')].id"),
        Ok(Value::Int(2))
    );
    assert_eq!(
        doc.matches("$.data.list[(@.length-1)].id"),
        Ok(vec![Value::Int(2)])
    );
}

#[test]
fn no_panics_on_odd_input() {
    let d = data(
        r#"{"a": {"b": [1, {"c": "x"}, [2, 3]], "*": {"..": 1}, "k;y": 2}, "": [], "$": 0,
            "s": "str", "n": null, "deep": [[[[{"z": 1}]]]]}"#,
    );
    let frags = [
        "$",
        ".",
        "..",
        "[",
        "]",
        "'",
        "*",
        "!",
        "?(",
        "(",
        ")",
        "@",
        "@.",
        "@.length",
        "-1",
        "0",
        ":",
        "::",
        "-:",
        ",",
        ";",
        "#0",
        "#9",
        "a",
        "b",
        "c",
        "s",
        "$.a",
        "\\",
        "\"",
        "?(@.c)",
        "(@.length-1)",
        "[?(@ > 1)]",
        "[::-1]",
        "[0:99:0]",
        "[(@)]",
        "&&",
        "||",
        "!@.x",
        "张",
        "(@.length-1, 0)",
        "[*]",
        "..*",
        "['k;y']",
        "1e999",
        "(1/0)",
        "(9**99)",
        "('*')",
    ];
    let mut n = 0;
    for a in frags {
        for b in frags {
            for c in ["", "$", "]", ".b", "[0]", "..c"] {
                let e = format!("{a}{b}{c}");
                let _ = jsonpath(&d, &e);
                n += 1;
            }
        }
    }
    assert!(n > 10_000);
    for a in frags {
        let _ = regex_findall(&d, a);
        let _ = regex_findall(&d, &format!("{a}(x)?{a}"));
    }
    for e in [
        "$[",
        "$..",
        "[?(",
        "$.a[(@.length-1",
        "$[?(@.a ==",
        "$..[?()]",
        "[(",
        "?()",
        "$.a[?(@.b[)]",
    ] {
        let _ = jsonpath(&d, e);
    }
}

#[test]
fn special_keys_follow_082_wildcard_reinjection() {
    // 0.82 feeds the key back as a segment: the key "*" recurses forever
    let d = data(r#"{"k": {"*": 1, "a": 2}}"#);
    assert!(matches!(
        jsonpath(&d, "$.k.*"),
        Err(ExtractError::Python(_))
    ));
    // the key "x;y" is re-read as the path x → y
    let d = data(r#"{"x;y": 5, "x": {"y": 9}, "z": 1}"#);
    assert_eq!(
        jsonpath(&d, "$.*"),
        Ok(Value::List(vec![
            Value::Int(9),
            data(r#"{"y": 9}"#),
            Value::Int(1)
        ]))
    );
}

#[test]
fn chinese_keys_and_values() {
    let d = data(r#"{"数据": {"名字": "张三", "列表": [{"编号": 1}, {"编号": 2}]}}"#);
    assert_eq!(jsonpath(&d, "$.数据.名字"), Ok(s("张三")));
    assert_eq!(
        jsonpath(&d, "$['数据']['列表'][1]['编号']"),
        Ok(Value::Int(2))
    );
    // 0.82 rewrites only ASCII `@.name` to a subscript: `@.编号` stays an
    // attribute access (AttributeError → false); `@['编号']` works
    assert_eq!(
        jsonpath(&d, "$..列表[?(@.编号 > 1)].编号"),
        Err(ExtractError::JsonPathNoMatch(
            "$..列表[?(@.编号 > 1)].编号".into()
        ))
    );
    assert_eq!(
        jsonpath(&d, "$..列表[?(@['编号'] > 1)].编号"),
        Ok(Value::Int(2))
    );
    assert_eq!(regex_findall(&d, r#""名字": "(\w+)""#), Ok(s("张三")));
    assert_eq!(
        regex_findall(&d, r"编号"),
        Ok(Value::List(vec![s("编号"), s("编号")]))
    );
}

/// The agent compiles the fixed patterns when it starts (`warm_up`); every one of them must
/// compile, including the filter rewrite's, which few paths reach.
#[test]
fn every_fixed_pattern_compiles_at_warm_up() {
    crate::extract::warm_up();
    // And the layer works as before once they are compiled.
    assert_eq!(
        jsonpath(&data(r#"{"a":[{"b":1},{"b":2}]}"#), "$.a[?(@.b > 1)].b"),
        Ok(Value::Int(2))
    );
}

#[test]
fn list_len_is_the_length_of_the_list_jsonpath_gives_without_building_it() {
    let j: serde_json::Value = serde_json::from_str(LIST_DOC).expect("json");
    let doc = JsonDoc::from_json(&j);
    for expr in LIST_EXPRS {
        match (doc.list_len(expr), doc.jsonpath(expr)) {
            (Ok(Some(n)), Ok(Value::List(items))) => assert_eq!(n, items.len(), "{expr}"),
            (Ok(Some(n)), other) => panic!("{expr}: length {n}, but jsonpath gives {other:?}"),
            (Ok(None), Ok(v)) => assert!(!matches!(v, Value::List(_)), "{expr}: {v:?}"),
            (Err(a), Err(b)) => assert_eq!(a, b, "{expr}"),
            (a, b) => panic!("{expr}: list_len {a:?}, jsonpath {b:?}"),
        }
    }
    assert_eq!(doc.list_len("$.data.list"), Ok(Some(3)));
    assert_eq!(doc.list_len("$.empty"), Ok(Some(0)));
    assert_eq!(doc.list_len("$.nested[*]"), Ok(Some(2)), "two matches");
    assert_eq!(doc.list_len("$..id"), Ok(Some(2)), "two matches");
    assert_eq!(doc.list_len("$.obj"), Ok(None));
    assert_eq!(doc.list_len("$.s"), Ok(None), "a string may read as a list");
    // A lossy mirror (a tuple, bytes): only the value itself tells.
    let lossy = Value::Dict(Dict::from_iter([
        (
            "t".to_string(),
            Value::Tuple(vec![Value::Int(1), Value::Int(2)]),
        ),
        ("l".to_string(), Value::List(vec![Value::Int(1)])),
    ]));
    let doc = JsonDoc::from_value(&lossy);
    assert_eq!(doc.list_len("$.t"), Ok(None));
    assert_eq!(doc.list_len("$.l"), Ok(None));
}
