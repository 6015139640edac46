//! The template renderer on arbitrary text, as a string and, when it parses, as a JSON value.
#![no_main]

use indexmap::IndexMap;
use libfuzzer_sys::fuzz_target;
use liuma_engine::cases::api::scope::CaseFunctions;
use liuma_engine::functions::Library;
use liuma_engine::template::{Scope, render};
use liuma_engine::value::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let library = Library::new(None, std::env::temp_dir().join("liuma-fuzz-files"));
    let functions = CaseFunctions::new(&library, None);
    let mut context = IndexMap::new();
    context.insert("a".to_string(), Value::Int(1));
    context.insert("s".to_string(), Value::Str("x\"y".into()));
    context.insert(
        "l".to_string(),
        Value::List(vec![Value::Int(1), Value::Str("z".into())]),
    );
    let params = IndexMap::new();
    let scope = Scope {
        context: &context,
        params: &params,
        functions: &functions,
        request: None,
    };
    let _ = render(&Value::Str(text.to_string()), &scope);
    if let Ok(v) = liuma_engine::value::parse_json(text) {
        let _ = render(&v, &scope);
    }
});
