//! The index against `serde_json`: the same documents accepted, the same `str()`, the same
//! values and the same JSONPath answers.

use super::*;
use crate::extract::JsonDoc;

/// Documents `serde_json` accepts, with the shapes and spellings an answer may have.
const VALID: &[&str] = &[
    r#"{"long plain key name":"a long plain ascii value of some length","it's":"a value with it's quote","x":"0123456789abcdef\u0041"}"#,
    r#"{"code":0,"message":"ok","data":{"id":"a3f1c2","name":"widget","price":12.5,"stock":40,"tags":["new","sale"],"owner":{"id":7,"name":"tester01"}}}"#,
    "{}",
    "[]",
    " \n\t\r{ \"a\" : [ 1 , 2 , { } , [ ] ] } \n",
    r#"{"a":1,"a":2,"b":{"a":3,"a":[4]}}"#,
    r#"{"z":1,"y":2,"x":3,"z":4}"#,
    r#"{"*":1,"a;b":2,"..":3,"!":4,"ok":5}"#,
    r#"{"\u002a":1,"x":{"\u0061":2,"a":3}}"#,
    r#"{"s":"line\nbreak \"quoted\" \\ \/ \b\f\r\t \u00e9 \ud83d\ude00 é 中文 'single'"}"#,
    r#"{"q":"it's","d":"say \"hi\"","both":"it's \"x\"","ctl":"\u0001\u007f\u0080\u00a0\u2028"}"#,
    // One-character escapes only (read without `serde_json`), in keys and values; and an
    // escaped backslash before a `u`, which is no `\u` escape.
    r#"{"s":"line\nbreak \"quoted\" \\ \/ \b\f\r\t é 中文 'single'","k\"ey":"a\\\\b","\/":[ "x\\", "\\\\" ]}"#,
    r#"{"p":"C:\\users\\u0041","q":"\\u00e9 \u00e9"}"#,
    r#"[0,-0,1,-1,10,0.5,-0.5,1e5,1E5,1e+5,1e-5,1.5e300,-1.5e-300,123456789012345678,1234567890123456789,12345678901234567890,123456789012345678901234567890,9007199254740993,0.1,100.0,1e16,1e15]"#,
    r#"[true,false,null,"",[[]],[{}],{"":""}]"#,
    "\"just a string\"",
    "\"esc\\u0041ped\"",
    "42",
    "-3.25",
    "null",
    "true",
    r#"{"data":{"list":[{"id":1},{"id":2},{"id":3}],"07":"key","7":"seven"},"0":[["n"]]}"#,
    r#"{"k":[1,[2,[3,[4,[5]]]]],"e":{},"l":[]}"#,
];

/// Texts `serde_json` refuses.
const INVALID: &[&str] = &[
    "",
    " ",
    "nul",
    "nulll",
    "[",
    "]",
    "{",
    "[1,]",
    "[,1]",
    "{\"a\":1,}",
    "{\"a\" 1}",
    "{1:2}",
    "{'a':1}",
    "[1 2]",
    "01",
    "[01]",
    "-",
    "1.",
    ".5",
    "+1",
    "1e",
    "1e+",
    "--1",
    "1.2.3",
    "[1-2]",
    "1e400",
    "[-1e400]",
    "\"abc",
    "\"a\u{1}b\"",
    "\"tab\there\"",
    "\"bad \\x escape\"",
    "\"\\u12\"",
    "\"\\ud800\"",
    "\"\\udc00\"",
    "\"\\ud800\\u0041\"",
    "{} x",
    "[] []",
    "truex",
    "[truex]",
    "\u{feff}{}",
    "{\"a\":1}}",
    "NaN",
    "Infinity",
    "[1,2",
    "\"\\",
];

fn tree_of(text: &str) -> Option<serde_json::Value> {
    serde_json::from_str(text).ok()
}

fn py_str_of_tree(j: &serde_json::Value) -> String {
    let mut out = String::new();
    crate::value::write_json_py_str(j, &mut out);
    out
}

fn py_str_of_index(doc: &IndexedJson) -> String {
    let mut out = String::new();
    doc.write_py_str(&mut out);
    out
}

/// Every way the index answers, against the tree's answers.
fn assert_same(text: &str) {
    let tree = tree_of(text);
    let doc = IndexedJson::parse(text.to_string());
    assert_eq!(
        doc.is_ok(),
        tree.is_some(),
        "accepted differently: {text:?}"
    );
    let (Some(tree), Ok(doc)) = (tree, doc) else {
        return;
    };
    assert_eq!(doc.text(), text);
    assert_eq!(
        py_str_of_index(&doc),
        py_str_of_tree(&tree),
        "str() of {text}"
    );
    assert_eq!(
        doc.to_value(doc.root()),
        Value::from_json(&tree),
        "value of {text}"
    );
    assert_eq!(
        doc.has_special_keys(),
        crate::extract::json_has_special_keys(&tree),
        "special keys of {text}"
    );
    assert_eq!(doc.tree(), &tree);
    let by_index = JsonDoc::from_indexed(&doc);
    let by_tree = JsonDoc::from_json(&tree);
    for expr in paths_of(&tree) {
        assert_eq!(
            format!("{:?}", by_index.jsonpath(&expr)),
            format!("{:?}", by_tree.jsonpath(&expr)),
            "jsonpath {expr} on {text}"
        );
        assert_eq!(
            format!("{:?}", by_index.list_len(&expr)),
            format!("{:?}", by_tree.list_len(&expr)),
            "list_len {expr} on {text}"
        );
        assert_eq!(
            format!("{:?}", by_index.matches(&expr)),
            format!("{:?}", by_tree.matches(&expr)),
            "matches {expr} on {text}"
        );
    }
}

/// Every member chain of `tree` (each key and index along the way), some that select
/// nothing, and expressions that are not chains.
fn paths_of(tree: &serde_json::Value) -> Vec<String> {
    fn walk(j: &serde_json::Value, path: String, out: &mut Vec<String>) {
        out.push(path.clone());
        match j {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    let seg = if k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                        format!("{path}.{k}")
                    } else {
                        format!("{path}['{k}']")
                    };
                    walk(v, seg, out);
                }
                out.push(format!("{path}.missing"));
                out.push(format!("{path}[0]"));
            }
            serde_json::Value::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    walk(v, format!("{path}[{i}]"), out);
                }
                out.push(format!("{path}[{}]", a.len()));
                out.push(format!("{path}.0"));
                out.push(format!("{path}.name"));
            }
            _ => out.push(format!("{path}.x")),
        }
    }
    let mut out = Vec::new();
    walk(tree, "$".into(), &mut out);
    out.extend(
        [
            "", "$", "$.", "$..id", "$.*", "$.data.*", "$[*]", "$.a[0:1]", "$[", "$.07", "$.7",
        ]
        .map(String::from),
    );
    out
}

#[test]
fn valid_documents_read_as_serde_json_reads_them() {
    for text in VALID {
        assert!(tree_of(text).is_some(), "not valid JSON: {text}");
        assert_same(text);
    }
}

#[test]
fn invalid_documents_are_refused_as_serde_json_refuses_them() {
    for text in INVALID {
        assert!(tree_of(text).is_none(), "valid JSON: {text:?}");
        assert!(IndexedJson::parse(text.to_string()).is_err(), "{text:?}");
    }
}

#[test]
fn nesting_is_limited_where_serde_json_limits_it() {
    for depth in [1, 100, 126, 127, 128, 129, 200] {
        for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
            let text = format!("{}1{}", open.repeat(depth), close.repeat(depth));
            assert_same(&text);
        }
    }
}

#[test]
fn every_damaged_copy_of_a_document_is_judged_as_serde_json_judges_it() {
    // Each byte removed, and each of a few bytes put in its place: every prefix and most
    // single mistakes of a typical answer.
    for text in VALID.iter().take(12) {
        for i in 0..text.len() {
            if !text.is_char_boundary(i) {
                continue;
            }
            let end = text[i..].chars().next().map_or(i, |c| i + c.len_utf8());
            assert_same(&text[..i]);
            assert_same(&format!("{}{}", &text[..i], &text[end..]));
            for put in ["\"", "\\", ",", "]", "}", "0", "-", "e", " ", "\u{1}", "x"] {
                assert_same(&format!("{}{put}{}", &text[..i], &text[end..]));
            }
        }
    }
}

#[test]
fn generated_documents_read_as_serde_json_reads_them() {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let words = [
        "a",
        "b",
        "id",
        "*",
        "a;b",
        "é",
        "say \"x\"",
        "it's",
        "",
        "0",
        "7",
        "\n",
    ];
    fn random_json(rng: &mut rand::rngs::StdRng, words: &[&str], depth: u32) -> serde_json::Value {
        use serde_json::Value as J;
        match rng.random_range(0..if depth > 3 { 6 } else { 8 }) {
            0 => J::Null,
            1 => J::Bool(rng.random()),
            2 => J::from(rng.random_range(-1000i64..1_000_000_000_000_000_000)),
            3 => J::from(rng.random_range(-1e6..1e6f64)),
            4 | 5 => J::from(words[rng.random_range(0..words.len())]),
            6 => J::Array(
                (0..rng.random_range(0..4))
                    .map(|_| random_json(rng, words, depth + 1))
                    .collect(),
            ),
            _ => J::Object(
                (0..rng.random_range(0..4))
                    .map(|_| {
                        let k = words[rng.random_range(0..words.len())].to_string();
                        (k, random_json(rng, words, depth + 1))
                    })
                    .collect(),
            ),
        }
    }
    for _ in 0..300 {
        let j = random_json(&mut rng, &words, 0);
        assert_same(&serde_json::to_string(&j).expect("json"));
        assert_same(&serde_json::to_string_pretty(&j).expect("json"));
    }
}
