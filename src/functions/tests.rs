//! Library-level tests: every function of api-cases 3.2 with its defaults, the corner
//! cases of 3.4 and the quirks A7, A47, A48, A50, A51.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::value::Dict;
use chrono::{Duration, Local, NaiveDate, NaiveDateTime};

use super::*;

/// FileSource test double: a map of id → (name, bytes), counting fetches.
struct FakeFiles {
    files: HashMap<String, (String, Vec<u8>)>,
    fetches: AtomicUsize,
}

impl FakeFiles {
    fn new(entries: &[(&str, &str, &[u8])]) -> Arc<FakeFiles> {
        Arc::new(FakeFiles {
            files: entries
                .iter()
                .map(|(id, name, bytes)| (id.to_string(), (name.to_string(), bytes.to_vec())))
                .collect(),
            fetches: AtomicUsize::new(0),
        })
    }
}

impl FileSource for FakeFiles {
    fn fetch(&self, file_id: &str) -> Result<(String, Vec<u8>), String> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        self.files
            .get(file_id)
            .cloned()
            .ok_or_else(|| format!("HTTP 404 for {file_id}"))
    }
}

fn temp_dir(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "liuma-functions-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn lib() -> Library {
    Library::new(None, temp_dir("nofiles"))
}

fn st(s: &str) -> Value {
    Value::Str(s.to_string())
}

fn call(name: &str, args: Vec<Value>) -> Result<Value, String> {
    lib().call(name, args)
}

fn ok(name: &str, args: Vec<Value>) -> Value {
    call(name, args).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn ok_str(name: &str, args: Vec<Value>) -> String {
    match ok(name, args) {
        Value::Str(s) => s,
        v => panic!("{name} returned {v:?}"),
    }
}

fn today() -> NaiveDate {
    Local::now().date_naive()
}

fn list(items: &[Value]) -> Value {
    Value::List(items.to_vec())
}

// ---- files ------------------------------------------------------------------------------

#[test]
fn loadfile_returns_bytes_and_fails_with_engine_message() {
    let files = FakeFiles::new(&[("u1", "a.txt", b"\x00\x01hello")]);
    let l = Library::new(Some(files.clone()), temp_dir("load"));
    assert_eq!(
        l.call("loadfile", vec![st("u1")]),
        Ok(Value::Bytes(b"\x00\x01hello".to_vec()))
    );
    // The engine's message first, then the reason (the Python engine gave no reason).
    assert_eq!(
        l.call("loadfile", vec![st("nope")]),
        Err(format!("{FETCH_FAILED}: HTTP 404 for nope"))
    );
    assert_eq!(FETCH_FAILED, "拉取测试文件失败");
    assert_eq!(
        lib().call("loadfile", vec![st("u1")]),
        Err("拉取测试文件失败: no platform to download test files from".into())
    );
    assert!(l.call("loadfile", vec![]).is_err());
    assert_eq!(
        l.call("b64encode_file", vec![st("u1")]),
        Ok(st("AAFoZWxsbw=="))
    );
    assert_eq!(
        l.call("b64encode_file", vec![st("x")]),
        Err("拉取测试文件失败: HTTP 404 for x".into())
    );
}

#[test]
fn savefile_writes_once_per_folder() {
    let dir = temp_dir("save");
    let files = FakeFiles::new(&[("u1", "报告.xlsx", b"v1"), ("u2", "../evil.txt", b"x")]);
    let l = Library::new(Some(files.clone()), dir.clone());
    let expected = dir.join("u1").join("报告.xlsx");
    let path = ok_path(&l, "u1");
    assert_eq!(path, expected);
    assert_eq!(std::fs::read(&expected).unwrap(), b"v1");
    // The folder exists now: the file is not rewritten, the path is returned again.
    std::fs::write(&expected, b"changed").unwrap();
    assert_eq!(ok_path(&l, "u1"), expected);
    assert_eq!(std::fs::read(&expected).unwrap(), b"changed");
    // A folder that exists without the file: nothing is written (Python's rule).
    std::fs::create_dir_all(dir.join("u3")).unwrap();
    let files3 = FakeFiles::new(&[("u3", "c.bin", b"c")]);
    let l3 = Library::new(Some(files3), dir.clone());
    assert_eq!(ok_path(&l3, "u3"), dir.join("u3").join("c.bin"));
    assert!(!dir.join("u3").join("c.bin").exists());
    // Download failure.
    assert_eq!(
        l.call("savefile", vec![st("missing")]),
        Err("拉取测试文件失败: HTTP 404 for missing".into())
    );
    // Names are reduced to their last component; ids must be plain.
    assert_eq!(ok_path(&l, "u2"), dir.join("u2").join("evil.txt"));
    assert!(!dir.join("evil.txt").exists());
    let files4 = FakeFiles::new(&[("../x", "a", b"a")]);
    let l4 = Library::new(Some(files4), dir.clone());
    assert!(l4.call("savefile", vec![st("../x")]).is_err());
    assert_eq!(files.fetches.load(Ordering::SeqCst), 4);
    let _ = std::fs::remove_dir_all(&dir);
}

fn ok_path(l: &Library, id: &str) -> PathBuf {
    match l.call("savefile", vec![st(id)]) {
        Ok(Value::Str(p)) => Path::new(&p).to_path_buf(),
        other => panic!("savefile: {other:?}"),
    }
}

// ---- base64 ------------------------------------------------------------------------------

#[test]
fn base64_functions() {
    assert_eq!(ok("b64encode_str", vec![st("abc")]), st("YWJj"));
    assert_eq!(ok("b64encode_str", vec![st("中文")]), st("5Lit5paH"));
    assert_eq!(ok("b64decode_toStr", vec![st("5Lit5paH")]), st("中文"));
    assert_eq!(ok("b64decode_toStr", vec![st("YW Jj!")]), st("abc"));
    assert!(call("b64decode_toStr", vec![st("gA==")]).is_err()); // not UTF-8
    assert_eq!(
        ok("b64decode_toBytes", vec![st("YWJj")]),
        Value::Bytes(b"abc".to_vec())
    );
    assert_eq!(
        call("b64decode_toBytes", vec![st("YWJ")]),
        Err("Incorrect padding".into())
    );
}

#[test]
fn quirk_a7_bytes_reach_bytes_parameters() {
    assert_eq!(
        ok("b64encode_bytes", vec![Value::Bytes(vec![0, 255, 1])]),
        st("AP8B")
    );
    assert_eq!(ok("b64encode_bytes", vec![st("abc")]), st("YWJj"));
    assert_eq!(
        lib().param_types("b64encode_bytes"),
        Some(vec![ParamType::Bytes])
    );
    assert!(call("b64encode_bytes", vec![Value::Int(1)]).is_err());
}

// ---- arithmetic --------------------------------------------------------------------------

#[test]
fn quirk_a51_arithmetic_through_the_library() {
    assert_eq!(ok("arithmetic", vec![st("1+2*3")]), Value::Int(7));
    assert_eq!(ok("arithmetic", vec![st("10/4")]), Value::Float(2.5));
    assert_eq!(ok("arithmetic", vec![st("10/5")]), Value::Float(2.0));
    assert_eq!(ok("arithmetic", vec![st("7//2")]), Value::Int(3));
    assert_eq!(ok("arithmetic", vec![st("2**10")]), Value::Int(1024));
    assert_eq!(ok("arithmetic", vec![st("5*2")]), Value::Int(10));
    // {{@arithmetic(1,2)}}: the renderer passes only the first piece.
    assert_eq!(ok("arithmetic", vec![st("1")]), Value::Int(1));
    assert_eq!(
        call("arithmetic", vec![st("__import__('os').getcwd()")]),
        Err("四则运算表达式错误:__import__('os').getcwd()".into())
    );
    assert_eq!(
        call("arithmetic", vec![st("1/0")]),
        Err("四则运算表达式错误:1/0".into())
    );
    assert!(call("arithmetic", vec![]).is_err());
}

// ---- time --------------------------------------------------------------------------------

#[test]
fn current_time_defaults_and_none() {
    let s = ok_str("current_time", vec![]);
    assert_eq!(s, today().format("%Y-%m-%d").to_string());
    let s = ok_str("current_time", vec![st("%Y-%m-%d %H:%M:%S")]);
    assert!(NaiveDateTime::parse_from_str(&s, "%Y-%m-%d %H:%M:%S").is_ok());
    for none in ["None", "none", "NONE"] {
        let Value::Int(ms) = ok("current_time", vec![st(none)]) else {
            panic!("epoch ms must be an int")
        };
        let now = Local::now().timestamp_millis();
        assert!((now - ms).abs() < 5_000, "{ms} vs {now}");
    }
    assert_eq!(ok("current_time", vec![st("")]), st(""));
    assert_eq!(ok("current_time", vec![st("%%Y")]), st("%Y"));
}

#[test]
fn shift_functions_defaults_and_formats() {
    let day = |d: NaiveDate| st(&d.format("%Y-%m-%d").to_string());
    assert_eq!(
        ok("date_shift", vec![Value::Float(-1.0)]),
        day(today() - Duration::days(1))
    );
    assert_eq!(ok("date_shift", vec![Value::Int(0)]), day(today()));
    assert_eq!(
        ok("week_shift", vec![Value::Float(1.0)]),
        day(today() + Duration::days(7))
    );
    // A str piece (renderer not converting) goes through Python float().
    assert_eq!(
        ok("date_shift", vec![st("-1")]),
        day(today() - Duration::days(1))
    );
    for f in ["hour_shift", "minute_shift", "second_shift"] {
        let s = ok_str(f, vec![Value::Float(0.0)]);
        assert!(
            NaiveDateTime::parse_from_str(&s, "%Y-%m-%d %H:%M:%S").is_ok(),
            "{f}: {s}"
        );
    }
    for f in ["year_shift", "month_shift", "week_shift", "date_shift"] {
        let s = ok_str(f, vec![Value::Float(1.0)]);
        assert!(
            NaiveDate::parse_from_str(&s, "%Y-%m-%d").is_ok(),
            "{f}: {s}"
        );
        let Value::Int(ms) = ok(f, vec![Value::Float(0.0), st("None")]) else {
            panic!("{f}: epoch ms")
        };
        assert!((Local::now().timestamp_millis() - ms).abs() < 5_000);
    }
    let s = ok_str("year_shift", vec![Value::Float(-1.0), st("%Y")]);
    assert_eq!(
        s,
        (today().format("%Y").to_string().parse::<i32>().unwrap() - 1).to_string()
    );
    assert!(call("date_shift", vec![]).is_err());
    assert!(call("date_shift", vec![st("x")]).is_err());
    assert!(call("date_shift", vec![Value::Float(1.0), Value::Int(3)]).is_err());
}

#[test]
fn quirk_a50_month_shift_rejects_fractions() {
    let msg = "Non-integer years and months are ambiguous and not currently supported.";
    assert_eq!(
        call("month_shift", vec![Value::Float(1.5)]),
        Err(msg.into())
    );
    assert_eq!(call("year_shift", vec![Value::Float(0.1)]), Err(msg.into()));
    assert!(call("month_shift", vec![Value::Float(2.0)]).is_ok());
    assert!(call("date_shift", vec![Value::Float(1.5)]).is_ok());
}

// ---- collections and strings -------------------------------------------------------------

#[test]
fn lenof_indexof_keyof() {
    let l = list(&[Value::Int(1), st("x")]);
    assert_eq!(ok("lenof", vec![l.clone()]), Value::Int(2));
    assert_eq!(ok("lenof", vec![st("中文ab")]), Value::Int(4));
    assert_eq!(ok("lenof", vec![st("[1, 2, 3]")]), Value::Int(3));
    assert!(call("lenof", vec![]).is_err());
    let l3 = list(&[Value::Int(1), Value::Int(2), Value::Int(3)]);
    assert_eq!(
        ok("indexof", vec![l3.clone(), Value::Int(1)]),
        Value::Int(2)
    );
    assert_eq!(
        ok("indexof", vec![l3.clone(), Value::Int(-1)]),
        Value::Int(3)
    );
    assert_eq!(ok("indexof", vec![l3.clone(), st("0")]), Value::Int(1));
    assert_eq!(
        call("indexof", vec![l3.clone(), Value::Int(3)]),
        Err("list index out of range".into())
    );
    assert_eq!(ok("indexof", vec![st("abc"), Value::Int(-1)]), st("c"));
    assert!(call("indexof", vec![l3.clone()]).is_err());
    assert!(call("indexof", vec![l3, Value::Int(i64::MIN)]).is_err());
    let mut m = Dict::default();
    m.insert("a".to_string(), Value::Int(1));
    m.insert("b".to_string(), Value::Int(2));
    let d = Value::Dict(m);
    assert_eq!(ok("keyof", vec![d.clone(), st("b")]), Value::Int(2));
    assert_eq!(
        call("keyof", vec![d.clone(), st("z")]),
        Err("KeyError: 'z'".into())
    );
    let mut inner = Dict::default();
    inner.insert("b".to_string(), Value::Int(1));
    assert_eq!(
        ok("keyof", vec![st(r#"{"a": {"b": 1}}"#), st("a")]),
        Value::Dict(inner)
    );
    assert_eq!(
        call("keyof", vec![st("abc"), st("a")]),
        Err("string indices must be integers".into())
    );
}

#[test]
fn pinyin_substing_extract_replace() {
    assert_eq!(ok("pinyin", vec![st("中文")]), st("zhongwen"));
    assert_eq!(ok("pinyin", vec![st("张三abc")]), st("zhangsanabc"));
    assert_eq!(ok("substing", vec![st("abcdef")]), st("abcde"));
    assert_eq!(ok("substing", vec![st("abcdef"), Value::Int(2)]), st("cde"));
    assert_eq!(
        ok("substing", vec![st("abcdef"), Value::Int(1), Value::Int(3)]),
        st("bc")
    );
    assert_eq!(
        ok(
            "substing",
            vec![st("中文字符"), Value::Int(-3), Value::Int(100)]
        ),
        st("文字符")
    );
    assert_eq!(ok("substing", vec![st("abc"), Value::Int(5)]), st(""));
    assert_eq!(
        ok(
            "substing",
            vec![st("abc"), Value::Int(i64::MIN), Value::Int(i64::MAX)]
        ),
        st("abc")
    );
    assert!(call("substing", vec![st("abc"), st("x")]).is_err());
    assert_eq!(ok("extract", vec![st("a\\\"b")]), st("a\\\"b"));
    assert_eq!(
        ok("replace", vec![st("a b c"), st(" "), st("-")]),
        st("a-b-c")
    );
    assert_eq!(
        ok("replace", vec![st("abc"), st(""), st("-")]),
        st("-a-b-c-")
    );
    assert!(call("replace", vec![st("abc"), st("b")]).is_err());
}

#[test]
fn quirk_a47_empty_string_arguments() {
    // The renderer passes `""`-less empty pieces as empty strings (Fix).
    assert_eq!(ok("replace", vec![st("abc"), st("b"), st("")]), st("ac"));
    assert_eq!(ok("pinyin", vec![st("")]), st(""));
    assert_eq!(ok("b64encode_str", vec![st("")]), st(""));
    assert_eq!(ok("extract", vec![st("")]), st(""));
    assert_eq!(ok("bothify", vec![st("")]), st(""));
    assert_eq!(ok("substing", vec![st("")]), st(""));
    assert!(call("arithmetic", vec![st("")]).is_err());
    // Empty optional text parameters act like Python's falsy None.
    assert!(ok_str("file_name", vec![st(""), st("")]).contains('.'));
    assert!(ok_str("email", vec![st("")]).contains('@'));
}

#[test]
fn quirk_a48_bool_pieces() {
    for (flag, exact) in [
        ("false", false),
        ("False", false),
        ("no", true),
        ("0", true),
        ("", true),
    ] {
        for _ in 0..50 {
            let Value::Int(v) = ok("random_number", vec![st("2"), st(flag)]) else {
                panic!()
            };
            assert!((0..=99).contains(&v));
            if exact {
                assert!((10..=99).contains(&v), "{flag}: {v}");
            }
        }
    }
    // Typed bools work the same.
    let Value::Int(v) = ok("random_number", vec![Value::Int(3), Value::Bool(true)]) else {
        panic!()
    };
    assert!((100..=999).contains(&v));
}

#[test]
fn dumps_are_ascii_json() {
    let mut m = Dict::default();
    m.insert("a".to_string(), Value::Int(1));
    m.insert("b".to_string(), list(&[Value::Int(1), Value::Float(2.0)]));
    m.insert("c".to_string(), st("中\"x"));
    assert_eq!(
        ok("map_dumps", vec![Value::Dict(m)]),
        st(r#"{"a": 1, "b": [1, 2.0], "c": "\u4e2d\"x"}"#)
    );
    assert_eq!(
        ok("array_dumps", vec![list(&[Value::None, Value::Bool(true)])]),
        st("[null, true]")
    );
    assert_eq!(ok("array_dumps", vec![st("[1,2]")]), st("[1, 2]"));
    assert_eq!(ok("map_dumps", vec![st("abc")]), st("\"abc\""));
    assert!(call("map_dumps", vec![Value::Bytes(vec![1])]).is_err());
}

// ---- Faker-backed typed functions with their defaults -----------------------------------

#[test]
fn faker_typed_defaults() {
    let b = ok_str("bothify", vec![]);
    assert!(b.len() == 5 && b[..2].bytes().all(|c| c.is_ascii_digit()) && &b[2..3] == " ");
    assert!(ok_str("bothify", vec![st("??"), st("x")]) == "xx");
    assert!(
        ok_str("lexify", vec![])
            .chars()
            .all(|c| c.is_ascii_alphabetic())
    );
    assert_eq!(ok_str("numerify", vec![]).len(), 3);
    let Value::Int(v) = ok("random_int", vec![]) else {
        panic!()
    };
    assert!((0..=9999).contains(&v));
    let Value::Int(v) = ok("random_int", vec![Value::Int(5), Value::Int(5)]) else {
        panic!()
    };
    assert_eq!(v, 5);
    assert!(matches!(ok("random_number", vec![]), Value::Int(_)));
    assert_eq!(ok_str("country_code", vec![]).len(), 2);
    assert_eq!(ok_str("country_code", vec![st("alpha-3")]).len(), 3);
    assert_eq!(ok_str("ean", vec![]).len(), 13);
    assert_eq!(ok_str("ean", vec![Value::Int(8)]).len(), 8);
    assert_eq!(ok_str("localized_ean", vec![]).len(), 13);
    assert!(ok_str("color", vec![]).starts_with('#'));
    assert!(ok_str("credit_card_full", vec![]).ends_with('\n'));
    assert!(
        ok_str("credit_card_number", vec![])
            .bytes()
            .all(|c| c.is_ascii_digit())
    );
    assert!(!ok_str("credit_card_provider", vec![]).is_empty());
    assert!(ok_str("credit_card_security_code", vec![]).len() >= 3);
    assert!(NaiveDate::parse_from_str(&ok_str("date", vec![]), "%Y-%m-%d").is_ok());
    assert_eq!(ok_str("date", vec![st("%Y")]).len(), 4);
    assert_eq!(ok_str("time", vec![]).len(), 8);
    assert!(!ok_str("file_extension", vec![]).is_empty());
    assert!(["flac", "mp3", "wav"].contains(&ok_str("file_extension", vec![st("audio")]).as_str()));
    assert!(ok_str("file_name", vec![]).contains('.'));
    assert!(ok_str("file_name", vec![st("image"), st("xyz")]).ends_with(".xyz"));
    assert_eq!(ok_str("file_path", vec![]).matches('/').count(), 2);
    assert_eq!(
        ok_str("file_path", vec![Value::Int(3)])
            .matches('/')
            .count(),
        4
    );
    assert!(ok_str("mime_type", vec![]).contains('/'));
    assert!(ok_str("mime_type", vec![st("video")]).starts_with("video/"));
    assert!(ok_str("unix_device", vec![]).starts_with("/dev/"));
    assert!(ok_str("unix_partition", vec![st("sd")]).starts_with("/dev/sd"));
    assert_eq!(ok_str("domain_name", vec![]).matches('.').count(), 1);
    assert_eq!(
        ok_str("domain_name", vec![Value::Int(2)])
            .matches('.')
            .count(),
        2
    );
    assert!(ok_str("email", vec![]).contains('@'));
    assert!(ok_str("email", vec![st("liuma.com")]).ends_with("@liuma.com"));
    assert!(ok_str("hostname", vec![]).contains('.'));
    assert!(ok_str("image_url", vec![Value::Int(10), Value::Int(20)]).contains("10"));
    assert_eq!(ok_str("ipv4", vec![]).split('.').count(), 4);
    assert!(ok_str("ipv4", vec![Value::Bool(true)]).contains('/'));
    assert!(
        ok_str("ipv4_private", vec![])
            .parse::<std::net::Ipv4Addr>()
            .unwrap()
            .is_private()
    );
    assert!(
        !ok_str("ipv4_public", vec![])
            .parse::<std::net::Ipv4Addr>()
            .unwrap()
            .is_private()
    );
    assert!(ok_str("ipv6", vec![]).parse::<std::net::Ipv6Addr>().is_ok());
    assert!(!ok_str("uri_path", vec![]).is_empty());
    assert_eq!(ok_str("isbn10", vec![]).matches('-').count(), 3);
    assert_eq!(ok_str("isbn13", vec![st("")]).len(), 13);
    assert!(ok_str("paragraph", vec![]).ends_with('.'));
    assert!(matches!(ok("paragraphs", vec![]), Value::List(l) if l.len() == 3));
    assert!(ok_str("sentence", vec![]).ends_with('.'));
    assert_eq!(ok_str("sentence", vec![Value::Int(0)]), "");
    assert!(matches!(ok("sentences", vec![Value::Int(2)]), Value::List(l) if l.len() == 2));
    assert!(ok_str("text", vec![]).chars().count() <= 200);
    assert!(call("text", vec![Value::Int(4)]).is_err());
    assert!(matches!(ok("texts", vec![]), Value::List(l) if l.len() == 3));
    assert!(!ok_str("word", vec![]).is_empty());
    assert!(call("word", vec![Value::Int(5)]).is_err());
    assert!(matches!(ok("words", vec![]), Value::List(l) if l.len() == 3));
    assert_eq!(ok_str("password", vec![]).len(), 10);
    let p = ok_str(
        "password",
        vec![
            Value::Int(12),
            Value::Bool(false),
            Value::Bool(true),
            Value::Bool(false),
        ],
    );
    assert!(
        p.len() == 12
            && p.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
        "{p}"
    );
    assert!(call("password", vec![Value::Int(2)]).is_err());
    assert!(matches!(ok("pyfloat", vec![]), Value::Float(_)));
    let Value::Float(f) = ok(
        "pyfloat",
        vec![Value::Int(2), Value::Int(1), Value::Bool(true)],
    ) else {
        panic!()
    };
    assert!((0.0..100.0).contains(&f));
}

// ---- corner cases of 3.4 and validation --------------------------------------------------

#[test]
fn corner_cases_3_4() {
    // Wrong types keep the placeholder: the call fails.
    assert!(call("random_int", vec![st("a")]).is_err());
    assert!(call("random_int", vec![st("1"), st("3")]).is_ok());
    // Methods without a type table called with arguments fail.
    assert!(call("name", vec![st("1")]).is_err());
    assert!(call("phone_number", vec![st("x")]).is_err());
    // None results.
    let mut seen_none = false;
    for _ in 0..200 {
        seen_none |= ok("null_boolean", vec![]) == Value::None;
    }
    assert!(seen_none);
    // List results.
    assert!(matches!(ok("words", vec![Value::Int(2)]), Value::List(_)));
    // Too many arguments, wrong types.
    assert!(call("lenof", vec![list(&[]), list(&[])]).is_err());
    assert!(call("replace", vec![Value::Int(1), st("a"), st("b")]).is_err());
    assert!(call("pinyin", vec![list(&[])]).is_err());
    // Unknown functions.
    assert!(call("no_such_function", vec![]).is_err());
}

#[test]
fn library_metadata() {
    let l = lib();
    assert_eq!(
        l.param_types("substing"),
        Some(vec![ParamType::Str, ParamType::Int, ParamType::Int])
    );
    assert_eq!(
        l.param_types("ipv4"),
        Some(vec![ParamType::Bool, ParamType::Str, ParamType::Bool])
    );
    assert_eq!(l.param_types("name"), None);
    assert_eq!(l.param_types("nope"), None);
    assert!(l.exists("loadfile") && l.exists("name") && l.exists("ssn"));
    assert!(l.exists("pystruct") && l.is_supported("pystruct"));
    assert!(l.exists("seed") && !l.is_supported("seed"));
    assert!(!l.exists("nope"));
    for name in params::typed_builtin_names() {
        assert!(l.is_supported(name), "{name}");
    }
    assert_eq!(ParamType::from_custom_type("JSONObject"), ParamType::Dict);
    assert_eq!(ParamType::from_custom_type("String"), ParamType::Str);
}

/// No input panics: every built-in with a range of argument shapes.
#[test]
fn no_panics_on_any_input() {
    let files = FakeFiles::new(&[("u", "f.txt", b"data")]);
    let dir = temp_dir("fuzz");
    let l = Library::new(Some(files), dir.clone());
    let mut m = Dict::default();
    m.insert("k".to_string(), Value::Int(1));
    let samples = [
        st(""),
        st("abc"),
        st("-1"),
        st("None"),
        st("%Y-%%-%f-%"),
        st("😀中"),
        Value::Int(-1),
        Value::Int(0),
        Value::Int(3),
        Value::Int(i64::MAX),
        Value::Int(i64::MIN),
        Value::Float(f64::NAN),
        Value::Float(1e300),
        Value::Float(-2.5),
        Value::Bool(true),
        Value::None,
        Value::Bytes(vec![0, 159]),
        list(&[Value::Int(1)]),
        Value::Dict(m),
    ];
    let names: Vec<&str> = LM_FUNCTIONS
        .iter()
        .chain(faker::SUPPORTED.iter())
        .chain(faker::UNSUPPORTED.iter().map(|(n, _)| n))
        .chain(faker::INTERNAL.iter())
        .copied()
        .filter(|n| *n != "binary")
        .collect();
    for name in &names {
        let _ = l.call(name, vec![]);
        for a in &samples {
            let _ = l.call(name, vec![a.clone()]);
            for b in [&samples[0], &samples[2], &samples[8], &samples[14]] {
                let _ = l.call(name, vec![a.clone(), b.clone()]);
                let _ = l.call(name, vec![b.clone(), a.clone(), a.clone()]);
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
