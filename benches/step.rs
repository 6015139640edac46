//! Template rendering at 1/10/100 KB, and one realistic API step's pure work: render headers,
//! query and a JSON body with 20 placeholders, check 3 assertions and extract 2 relations from a
//! 5 KB JSON response; and reading a 5-step case file into the model, directly and through a
//! JSON tree. `cargo bench --bench step`.

use criterion::{Criterion, criterion_group, criterion_main};
use liuma_engine::value::Dict;

use liuma_engine::cases::api::check;
use liuma_engine::cases::api::request::CapturedResponse;
use liuma_engine::cases::api::scope::CaseFunctions;
use liuma_engine::functions::Library;
use liuma_engine::template::{self, BodyKind, RequestParts, Scope};
use liuma_engine::value::Value;
use std::hint::black_box;

/// The engine's allocator (`src/main.rs`), so that the figures are the engine's: with glibc's
/// malloc, reading a case file into the model took 16.3 µs instead of 13.1 (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn vars() -> Dict {
    let mut m = Dict::default();
    for i in 0..20 {
        m.insert(format!("v{i}"), Value::Str(format!("value-{i}")));
    }
    m.insert("n".into(), Value::Int(42));
    m
}

/// A JSON text of about `size` bytes with one placeholder every ~50 bytes.
fn input(size: usize) -> Value {
    let mut m = Dict::default();
    let mut i = 0;
    let mut total = 0;
    while total < size {
        let v = format!("prefix {{{{v{}}}}} and some text to pad the field", i % 20);
        total += v.len() + 12;
        m.insert(format!("k{i}"), Value::Str(v));
        i += 1;
    }
    Value::Dict(m)
}

fn response_5k() -> CapturedResponse {
    let items: Vec<serde_json::Value> = (0..60)
        .map(|i| serde_json::json!({"id": i, "name": format!("item-{i}"), "price": i as f64 * 1.5, "tags": ["a", "b"]}))
        .collect();
    let doc = serde_json::json!({"code": 0, "msg": "ok", "data": {"token": "t-123", "userId": 7, "list": items}});
    let text = serde_json::to_string(&doc).expect("json");
    CapturedResponse::json(
        200,
        liuma_engine::cases::api::request::Headers::from_iter([(
            "Content-Type".to_string(),
            "application/json".to_string(),
        )]),
        liuma_engine::value::IndexedJson::parse(text).expect("json"),
        String::new(),
    )
}

fn bench(c: &mut Criterion) {
    let library = Library::new(None, std::env::temp_dir());
    let functions = CaseFunctions::new(&library, None);
    let context = vars();
    let params = Dict::default();
    let scope = Scope {
        context: &context,
        params: &params,
        functions: &functions,
        request: None,
    };

    let mut g = c.benchmark_group("render");
    for kb in [1usize, 10, 100] {
        let v = input(kb * 1024);
        g.bench_function(format!("{kb}KB"), |b| {
            b.iter(|| template::render(black_box(&v), &scope).expect("renders"))
        });
    }
    g.finish();

    let headers = Value::Dict(Dict::from_iter([
        (
            "Authorization".to_string(),
            Value::Str("Bearer {{v1}}".into()),
        ),
        ("X-Trace".to_string(), Value::Str("{{v2}}-{{n}}".into())),
    ]));
    let query = Value::Dict(Dict::from_iter([
        ("page".to_string(), Value::Str("{{n}}".into())),
        ("q".to_string(), Value::Str("{{v3}}".into())),
    ]));
    let mut body = Dict::default();
    for i in 0..16 {
        body.insert(format!("f{i}"), Value::Str(format!("{{{{v{i}}}}}")));
    }
    let body = Value::Dict(body);
    let assertions = liuma_engine::value::parse_json(
        r#"[{"from":"resCode","method":"","expression":"","assertion":"equals","expect":"200"},
            {"from":"resBody","method":"jsonpath","expression":"$.code","assertion":"equalsNumber","expect":"0"},
            {"from":"resBody","method":"jsonpath","expression":"$.data.list","assertion":"listLenGreaterThan","expect":"10"}]"#,
    )
    .expect("assertions");
    let relations = liuma_engine::value::parse_json(
        r#"[{"from":"resBody","method":"jsonpath","expression":"$.data.token","name":"token"},
            {"from":"resBody","method":"regular","expression":"\"userId\": (\\d+)","name":"uid"}]"#,
    )
    .expect("relations");
    // Read once with the case, as the engine does.
    let assertion_items: Vec<check::Assertion> = check::list_of(&assertions);
    let relations: Vec<check::Relation> = check::list_of(&relations);
    let resp = response_5k();
    c.bench_function("part/assertions", |b| {
        b.iter(|| check::assertions(&assertion_items, &resp).expect("checks"))
    });
    for (i, a) in assertion_items.iter().enumerate() {
        let one = [a.clone()];
        c.bench_function(&format!("part/assertion{i}"), |b| {
            b.iter(|| check::assertions(&one, &resp).expect("checks"))
        });
    }
    c.bench_function("part/relations", |b| {
        b.iter(|| {
            let mut out = Dict::default();
            let view = check::RequestView {
                headers: &liuma_engine::cases::api::request::Headers::default(),
                query: &Value::None,
                body: &Value::None,
            };
            check::relations(&relations, &resp, &view, &mut out).expect("extracts");
            out
        })
    });
    c.bench_function("step/render+assert+extract", |b| {
        b.iter(|| {
            let parts = RequestParts {
                url: Value::Str("http://127.0.0.1:1".into()),
                path: Value::Str("/api/{{v0}}".into()),
                others: None,
                headers: Some(headers.clone()),
                query: Some(query.clone()),
                body: Some(body.clone()),
                body_kind: BodyKind::Json,
            };
            let rendered = template::render_request(parts, &scope).expect("renders");
            let (msgs, failed) = check::assertions(&assertion_items, &resp).expect("checks");
            assert!(!failed, "{msgs:?}");
            let mut out = Dict::default();
            let view = check::RequestView {
                headers: &liuma_engine::cases::api::request::Headers::default(),
                query: &Value::None,
                body: &Value::None,
            };
            check::relations(&relations, &resp, &view, &mut out).expect("extracts");
            black_box((rendered, out))
        })
    });
}

/// A 5-step case file as the platform writes it (the end-to-end benchmark's steps).
fn case_file() -> Vec<u8> {
    let step = |k: usize| {
        serde_json::json!({
            "apiId": format!("api-{k}"), "apiName": format!("step {k}"), "apiDesc": null,
            "url": "http://127.0.0.1:1", "path": "/api/items/{{n}}", "method": "POST", "protocol": "HTTP",
            "headers": {"content-type": "application/json"}, "proxies": {},
            "body": {"type": "json", "form": [], "json": r#"{"name":"{{name}}","n":"{{n}}","prev":"{{id}}","step":2}"#, "raw": "", "file": []},
            "query": {}, "rest": {},
            "assertions": [
                {"from": "resCode", "method": "", "expression": "", "assertion": "equals", "expect": "200"},
                {"from": "resBody", "method": "jsonpath", "expression": "$.code", "assertion": "equalsNumber", "expect": "0"},
                {"from": "resBody", "method": "jsonpath", "expression": "$.data.name", "assertion": "equals", "expect": "widget"}
            ],
            "relations": [{"from": "resBody", "method": "jsonpath", "expression": "$.data.id", "name": "id"}],
            "controller": {}
        })
    };
    let case = serde_json::json!({
        "comment": "bench", "caseId": "c1", "caseName": "bench c1", "functions": [],
        "params": {"name": {"type": "String", "value": "widget"}, "n": {"type": "Int", "value": "5"}},
        "apiList": (0..5).map(step).collect::<Vec<_>>()
    });
    serde_json::to_vec(&case).expect("json")
}

fn case_reading(c: &mut Criterion) {
    use liuma_engine::bundle::LoadedCase;
    use liuma_engine::cases::api::model::ApiCase;
    // Shared, as the bundle's kept copy is shared with each reading.
    let bytes = bytes::Bytes::from(case_file());
    c.bench_function("case/read 5 steps into the model", |b| {
        b.iter(|| {
            let loaded = LoadedCase::Bytes {
                bytes: bytes.clone(),
                label: "c.json".into(),
            };
            black_box(ApiCase::load(loaded).expect("reads"))
        })
    });
    c.bench_function("case/read 5 steps through a JSON tree", |b| {
        b.iter(|| {
            let tree: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
            black_box(ApiCase::parse(tree).expect("reads"))
        })
    });
}

/// What a step does with a JSON answer: read it, look up three members, write its `str()` for
/// the log; through the engine's index of the text, and through a `serde_json` tree as before.
fn answer_reading(c: &mut Criterion) {
    use liuma_engine::extract::JsonDoc;
    use liuma_engine::value::IndexedJson;
    let small = r#"{"code":0,"message":"ok","data":{"id":"a3f1c2","name":"widget","price":12.5,"stock":40,"tags":["new","sale"],"owner":{"id":7,"name":"tester01"}}}"#;
    let items: Vec<serde_json::Value> = (0..60)
        .map(|i| serde_json::json!({"id": i, "name": format!("item-{i}"), "price": i as f64 * 1.5, "tags": ["a", "b"]}))
        .collect();
    let large = serde_json::to_string(
        &serde_json::json!({"code": 0, "msg": "ok", "data": {"token": "t-123", "userId": 7, "list": items}}),
    )
    .expect("json");
    // Strings with escapes, as PHP's `json_encode` writes slashes (`\/`) and as any server
    // writes quotes and line breaks inside text.
    let escaped_items: Vec<String> = (0..20)
        .map(|i| {
            format!(
                r#"{{"id":{i},"url":"https:\/\/shop.example.com\/items\/{i}","note":"line one\nline \"two\"","name":"item-{i}"}}"#
            )
        })
        .collect();
    let escaped = format!(
        r#"{{"code":0,"msg":"ok","data":{{"name":"list","id":1,"list":[{}]}}}}"#,
        escaped_items.join(",")
    );
    let paths = ["$.code", "$.data.name", "$.data.id"];
    for (name, text) in [
        ("150 B", small.to_string()),
        ("5 KB", large),
        ("2 KB with escapes", escaped),
    ] {
        c.bench_function(&format!("answer/{name} through the index"), |b| {
            b.iter(|| {
                let doc = IndexedJson::parse(text.clone()).expect("json");
                let found: Vec<_> = paths
                    .iter()
                    .map(|p| JsonDoc::from_indexed(&doc).jsonpath(p).ok())
                    .collect();
                let mut log = String::new();
                doc.write_py_str(&mut log);
                black_box((found, log))
            })
        });
        c.bench_function(&format!("answer/{name} through a serde_json tree"), |b| {
            b.iter(|| {
                let owned = text.clone();
                let tree: serde_json::Value = serde_json::from_str(&owned).expect("json");
                // Checked once per answer, as the engine did.
                let special = liuma_engine::extract::json_has_special_keys(&tree);
                let found: Vec<_> = paths
                    .iter()
                    .map(|p| JsonDoc::from_json_checked(&tree, special).jsonpath(p).ok())
                    .collect();
                let mut log = String::new();
                liuma_engine::value::write_json_py_str(&tree, &mut log);
                black_box((found, log))
            })
        });
    }
}

criterion_group!(benches, bench, case_reading, answer_reading);
criterion_main!(benches);
