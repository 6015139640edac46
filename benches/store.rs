//! The engine store's cost per result: one result per transaction versus a batch of 50, and the
//! acknowledgement; and the serialization of a result for upload. `cargo bench --bench store`.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use liuma_engine::ids::{CaseId, CollectionId, TaskId};
use liuma_engine::platform::wire::{SealedResult, WireCaseResult, WireTransaction};
use liuma_engine::store::Store;

fn result(i: i64) -> SealedResult {
    SealedResult::seal(&wire(i)).expect("serialise")
}

fn wire(i: i64) -> WireCaseResult<'static> {
    WireCaseResult {
        status: 0,
        start_time: 1_700_000_000_000,
        end_time: 1_700_000_000_123,
        collection_id: CollectionId("3d6f0a8e-1b2c-4d5e-8f90-a1b2c3d4e5f6".into()),
        case_id: CaseId("2f0c7d4e-6a51-4a8e-9c6e-0d8b7f1e2a10".into()),
        case_type: "API".into(),
        case_name: "用户登录".into(),
        case_desc: None,
        index: i,
        run_times: 1,
        transactions: (0..5)
            .map(|k| WireTransaction {
                id: format!("api-{k}").into(),
                name: "登录".into(),
                content: "/user/login".into(),
                description: None,
                log: "2024-03-14 15:06:40.123456 - Debug - 【请求信息】:<br>POST http://h/x<br>"
                    .repeat(4)
                    .into(),
                during: 12,
                status: 0,
                screenshots: Vec::new(),
            })
            .collect(),
    }
}

fn bench(c: &mut Criterion) {
    let one = wire(1);
    c.bench_function("result/serialize (5 transactions)", |b| {
        b.iter(|| SealedResult::seal(std::hint::black_box(&one)).expect("json"))
    });
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::open(&dir.path().join("engine.db")).expect("store");
    let task = TaskId("t".into());
    store.accept_task(&task, "{}").expect("accept");
    let mut i = 0i64;
    c.bench_function("store/record 1 result", |b| {
        b.iter(|| {
            i += 1;
            store.record_results(&task, &[result(i)]).expect("record")
        })
    });
    c.bench_function("store/record 50 results (per batch)", |b| {
        b.iter_batched(
            || {
                i += 50;
                (0..50).map(|k| result(i + k)).collect::<Vec<_>>()
            },
            |batch| store.record_results(&task, &batch).expect("record"),
            BatchSize::SmallInput,
        )
    });
    c.bench_function("store/ack 1 result", |b| {
        b.iter_batched(
            || {
                i += 1;
                let r = result(i);
                let seqs = store
                    .record_results(&task, std::slice::from_ref(&r))
                    .expect("record");
                seqs[0]
            },
            |seq| store.ack(&task, &[seq]).expect("ack"),
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
