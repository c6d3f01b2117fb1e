//! Per-stage benchmarks over the samples: `cargo bench -p formsift-bench`.
//! Throughput is in bytes of input text, so each line reads as MB/s.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use formsift_bench::{samples, total_bytes};
use formsift_config::Config;
use std::hint::black_box;

fn stages(c: &mut Criterion) {
    let config = Config::embedded();
    let samples = samples();
    let bytes = total_bytes(&samples);
    let docs: Vec<_> = samples
        .iter()
        .map(|s| formsift_normalize::normalize(&s.text, &config))
        .collect();
    let extracted: Vec<_> = samples
        .iter()
        .zip(&docs)
        .map(|(s, d)| formsift_extract::extract(d, &s.name, &s.name, &config))
        .collect();
    let outputs: Vec<_> = samples
        .iter()
        .map(|s| formsift_pipeline::process_bytes(&s.bytes, &s.name, &config, None).unwrap())
        .collect();

    let mut g = c.benchmark_group("stage");
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("decode utf-8", |b| {
        b.iter(|| {
            for s in &samples {
                black_box(formsift_ingest::decode(&s.bytes, &s.name).unwrap());
            }
        })
    });
    g.bench_function("decode gb18030", |b| {
        b.iter(|| {
            for s in &samples {
                black_box(formsift_ingest::decode(&s.gb18030, &s.name).unwrap());
            }
        })
    });
    g.bench_function("normalize", |b| {
        b.iter(|| {
            for s in &samples {
                black_box(formsift_normalize::normalize(&s.text, &config));
            }
        })
    });
    g.bench_function("extract", |b| {
        b.iter(|| {
            for (s, d) in samples.iter().zip(&docs) {
                black_box(formsift_extract::extract(d, &s.name, &s.name, &config));
            }
        })
    });
    g.bench_function("validate", |b| {
        b.iter(|| {
            for ex in &extracted {
                for r in &ex.records {
                    let mut r = r.clone();
                    formsift_validate::validate(&mut r, &config);
                    black_box(r);
                }
            }
        })
    });
    g.bench_function("render json", |b| {
        b.iter(|| {
            for (s, o) in samples.iter().zip(&outputs) {
                let out = Ok(o.clone());
                black_box(formsift_pipeline::emit::render(&s.name, out, 0.0));
            }
        })
    });
    g.bench_function("whole file", |b| {
        b.iter(|| {
            for s in &samples {
                black_box(
                    formsift_pipeline::process_bytes(&s.bytes, &s.name, &config, None).unwrap(),
                );
            }
        })
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
