//! Measures the lossless screenshot recompression on real PNG files:
//! `cargo run --example screenshot_ratio -- a.png b.png …` prints each file's size before and
//! after and the total ratio.

fn main() {
    let (mut before, mut after) = (0usize, 0usize);
    for path in std::env::args().skip(1) {
        let Ok(bytes) = std::fs::read(&path) else {
            eprintln!("cannot read {path}");
            continue;
        };
        let small = liuma_engine::cases::web::screenshot::compress(&bytes);
        println!(
            "{path}: {} -> {} bytes ({:.1}%)",
            bytes.len(),
            small.len(),
            100.0 * small.len() as f64 / bytes.len() as f64
        );
        before += bytes.len();
        after += small.len();
    }
    if before > 0 {
        println!(
            "total: {before} -> {after} bytes, {:.1}% of the original ({:.2}x smaller)",
            100.0 * after as f64 / before as f64,
            before as f64 / after.max(1) as f64
        );
    }
}
