//! Case JSON parsing and the collect phase of every step on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use liuma_engine::cases::api::collect::collect;
use liuma_engine::cases::api::model::ApiCase;

fuzz_target!(|data: &[u8]| {
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if let Ok(case) = ApiCase::parse(&json) {
        for step in &case.steps {
            let proxies = step.proxies.clone().unwrap_or(serde_json::Value::Null);
            let _ = collect(step, &proxies);
        }
    }
});
