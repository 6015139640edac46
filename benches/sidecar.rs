//! The overhead of users' Python code through the sidecar (issue 9): one script round trip
//! (request with the collection context out, answer with it back), a custom-function call that
//! calls back into a built-in, and a worker start. Reports median and p99 of many runs.
//! `cargo bench --bench sidecar` (needs `python3`).

use liuma_engine::config::SidecarConfig;
use liuma_engine::functions::Library;
use liuma_engine::sidecar::function::{self, CustomFunction};
use liuma_engine::sidecar::script::ScriptRequest;
use liuma_engine::sidecar::{Ending, Reply, SidecarSlot};
use liuma_engine::value::Dict;
use liuma_engine::value::Value;
use serde_json::Value as Json;
use std::time::{Duration, Instant};

fn context() -> Dict {
    let mut m = Dict::default();
    for i in 0..20 {
        m.insert(format!("v{i}"), Value::Str(format!("value-{i}")));
    }
    m.insert("n".into(), Value::Int(42));
    m
}

fn summary(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{name:<48} n={:<5} median {:>8.3} ms   p99 {:>8.3} ms",
        times.len(),
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3
    );
}

fn no_callbacks(_: &Json) -> Json {
    serde_json::json!({"error": "no callbacks"})
}

fn main() {
    let settings = SidecarConfig::default();
    let ctx = context();
    let params = Dict::default();
    let n: usize = std::env::args()
        .skip_while(|a| a != "--n")
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);

    let slot = SidecarSlot::default();
    let script = |code: &str| {
        ScriptRequest {
            label: "preScript",
            code,
            collector: serde_json::json!({"apiName": "bench", "others": {}}),
            response: None,
        }
        .to_json(&ctx, &params)
    };
    let trivial = script("x = 1");
    let typical = script(
        "import hashlib\nsign = hashlib.md5((sys_get('v1') + str(sys_get('n'))).encode()).hexdigest()\nsys_put('sign', sign)\nprint('signed', sign)",
    );
    for _ in 0..50 {
        slot.call_blocking(&settings, &trivial, &mut no_callbacks)
            .expect("warm-up call");
    }
    let run = |req: &Json| {
        let mut times = Vec::with_capacity(n);
        for _ in 0..n {
            let t = Instant::now();
            let answer = slot
                .call_blocking(&settings, req, &mut no_callbacks)
                .expect("script call");
            times.push(t.elapsed());
            assert_eq!(Reply::read(&answer).ending, Ending::Ok);
        }
        times
    };
    summary("script `x = 1` (21 context vars each way)", run(&trivial));
    summary("script md5 sign + sys_put + print", run(&typical));

    let library = Library::new(None, std::env::temp_dir());
    let mut table = indexmap::IndexMap::new();
    table.insert(
        "sign".to_string(),
        CustomFunction {
            code: "sys_return(self.b64encode_str(a) + str(b))".into(),
            names: vec!["a".into(), "b".into()],
        },
    );
    let req = function::request(
        "sign",
        &[Value::Str("abc".into()), Value::Int(7)],
        &table,
        &ctx,
        &params,
    );
    let mut builtin =
        |msg: &Json| function::answer_builtin(msg, |name, args| library.call(name, args));
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let answer = slot
            .call_blocking(&settings, &req, &mut builtin)
            .expect("function call");
        times.push(t.elapsed());
        assert_eq!(Reply::read(&answer).value, Some(Value::Str("YWJj7".into())));
    }
    summary("custom function with one built-in callback", times);
    slot.close();

    let mut starts = Vec::new();
    for _ in 0..30 {
        let fresh = SidecarSlot::default();
        let t = Instant::now();
        fresh
            .call_blocking(&settings, &trivial, &mut no_callbacks)
            .expect("first call");
        starts.push(t.elapsed());
        fresh.close();
    }
    summary("worker start + first script", starts);
}
