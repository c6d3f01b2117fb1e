//! Pipeline: runs the stages over files and writes the outputs.
//!
//! This crate owns the order of the stages (ingest → normalise → extract →
//! validate), walking directories, processing files in parallel with rayon
//! (the only crate that knows about threads), the per-file status of a batch,
//! and the emit step ([`emit`]): records.jsonl, review.jsonl and report.json
//! (the only place that writes JSON). A bad input becomes an error entry for
//! that file; it never stops the batch.

pub mod emit;
mod inputs;

use formsift_config::Config;
use formsift_model::{Document, Record, Residue};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub use inputs::{InputError, collect_inputs};

/// What one input gave.
#[derive(Debug, Clone)]
pub struct FileOutput {
    /// The input path as given or walked.
    pub path: String,
    /// Records in document order.
    pub records: Vec<Record>,
    /// Non-blank lines before the first form.
    pub preamble: Vec<Residue>,
    /// The normalised document (for review source text).
    pub document: Document,
    /// Encoding used.
    pub encoding: &'static str,
    /// Input size in bytes.
    pub bytes: usize,
}

/// The outcome of one input.
#[derive(Debug)]
pub struct FileResult {
    /// The input path.
    pub path: String,
    /// Output, or why the file could not be read.
    pub outcome: Result<FileOutput, String>,
    /// Processing time in milliseconds.
    pub millis: f64,
}

/// Runs the stages on decoded text.
pub fn process_text(
    text: &str,
    path: &str,
    config: &Config,
) -> (Vec<Record>, Vec<Residue>, Document) {
    let doc = formsift_normalize::normalize(text, config);
    let stem = Path::new(path)
        .file_stem()
        .map_or_else(|| path.to_string(), |s| s.to_string_lossy().into_owned());
    let mut ex = formsift_extract::extract(&doc, path, &stem, config);
    for r in &mut ex.records {
        formsift_validate::validate(r, config);
    }
    (ex.records, ex.preamble, doc)
}

/// Reads and processes one file; a panic inside becomes an error for the file.
pub fn process_file(path: &Path, config: &Config) -> FileResult {
    let start = Instant::now();
    let name = path.display().to_string();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let text = formsift_ingest::read_file(path).map_err(|e| e.to_string())?;
        let (records, preamble, document) = process_text(&text.text, &name, config);
        Ok(FileOutput {
            path: name.clone(),
            records,
            preamble,
            document,
            encoding: text.encoding,
            bytes: text.bytes,
        })
    }))
    .unwrap_or_else(|p| {
        let msg = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        Err(format!(
            "{name}: internal error while processing ({msg}); please report it with this file"
        ))
    });
    FileResult {
        path: name,
        outcome,
        millis: start.elapsed().as_secs_f64() * 1000.0,
    }
}

/// Processes files in parallel; results come back in input order.
pub fn process_all(files: &[PathBuf], config: &Config) -> Vec<FileResult> {
    files.par_iter().map(|f| process_file(f, config)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("formsift-pipeline-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn directories_are_walked_sorted_and_filtered() {
        let d = tmp("walk");
        std::fs::create_dir_all(d.join("2024")).unwrap();
        for f in ["b.txt", "a.md", "2024/c.html", "notes.pdf"] {
            std::fs::write(d.join(f), "x").unwrap();
        }
        let (files, errors) = collect_inputs(&[d.clone(), d.join("missing")], &Config::embedded());
        let names: Vec<String> = files
            .iter()
            .map(|p| p.strip_prefix(&d).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["2024/c.html", "a.md", "b.txt"]);
        assert!(matches!(errors[..], [InputError::Missing(_)]));
    }

    #[test]
    fn a_failing_file_is_an_error_entry_not_an_abort() {
        let d = tmp("fail");
        std::fs::write(d.join("bin.txt"), b"\0\0").unwrap();
        let r = process_file(&d.join("bin.txt"), &Config::embedded());
        assert!(r.outcome.unwrap_err().contains("bin.txt"));
    }

    #[test]
    fn outputs_are_written_with_a_report() {
        let d = tmp("emit");
        let text = "财政项目支出绩效目标申报表\n(2024年度)\n项目名称\t甲\n";
        std::fs::write(d.join("in.txt"), text).unwrap();
        let results = process_all(&[d.join("in.txt")], &Config::embedded());
        let s = emit::write_outputs(&d.join("out"), &results, &[], "<embedded>", 1.0).unwrap();
        assert_eq!((s.files_ok, s.records), (1, 1));
        let report = std::fs::read_to_string(d.join("out/report.json")).unwrap();
        assert!(report.contains("\"status\": \"ok\""));
        assert!(!d.join("out/records.tmp").exists());
    }
}
