//! Benchmark inputs: the bundled samples, as text and as GB18030 bytes.
//!
//! This crate owns the per-stage criterion benchmarks (`cargo bench -p
//! formsift-bench`): decode, normalise, extract, validate, render and the
//! whole file, each reporting time and throughput in bytes of input. The
//! end-to-end batch figures (MB/s, forms/s, peak RSS over archives of 1k to
//! 100k forms) come from `scripts/bench`.

use std::path::{Path, PathBuf};

/// One sample: its name, bytes and decoded text.
pub struct Sample {
    /// File name.
    pub name: String,
    /// The file as stored (UTF-8).
    pub bytes: Vec<u8>,
    /// The same text in GB18030, as many archives store it.
    pub gb18030: Vec<u8>,
    /// Decoded text.
    pub text: String,
}

/// The workspace's samples/ folder.
pub fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples")
}

/// Every sample, sorted by name.
pub fn samples() -> Vec<Sample> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(samples_dir())
        .expect("samples/ is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("sample is readable");
            let text = String::from_utf8(bytes.clone()).expect("samples are UTF-8");
            let (gb, _, _) = encoding_rs::GB18030.encode(&text);
            Sample {
                name: p.file_name().unwrap().to_string_lossy().into_owned(),
                gb18030: gb.into_owned(),
                bytes,
                text,
            }
        })
        .collect()
}

/// Total bytes of the samples.
pub fn total_bytes(samples: &[Sample]) -> u64 {
    samples.iter().map(|s| s.bytes.len() as u64).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_load_and_decode_the_same_in_both_encodings() {
        let s = samples();
        assert_eq!(s.len(), 5);
        for x in &s {
            let back = formsift_ingest::decode(&x.gb18030, &x.name).unwrap();
            assert_eq!(back.text, x.text);
            assert_eq!(back.encoding, "GB18030");
        }
    }
}
