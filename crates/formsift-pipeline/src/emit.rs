//! The emit step: records, review items and the report as JSON.

use crate::{FileResult, InputError};
use formsift_model::{Document, Record};
use serde_json::{Value, json};
use std::io::Write;
use std::path::Path;

/// Why outputs could not be written.
#[derive(Debug, thiserror::Error)]
pub enum EmitError {
    /// Writing a file failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

/// One record as a JSON line.
pub fn record_line(r: &Record) -> String {
    serde_json::to_string(r).expect("records serialise")
}

fn source_text(doc: &Document, lines: [usize; 2]) -> String {
    (lines[0]..=lines[1])
        .filter_map(|n| doc.line(n))
        .filter(|l| !l.is_blank())
        .map(|l| format!("{}: {}", l.number, l.text()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Review items of a record: the record itself when it needs review, and each
/// indicator that does.
pub fn review_items(r: &Record, doc: &Document) -> Vec<Value> {
    let mut out = Vec::new();
    if r.review {
        out.push(json!({
            "id": r.id,
            "path": "",
            "confidence": r.confidence,
            "flags": r.flags,
            "source_text": source_text(doc, r.source.lines),
            "value": {"fields": r.fields, "funds": r.funds, "checks": r.checks},
        }));
    }
    for (k, ind) in r.indicators.iter().enumerate() {
        if ind.review {
            out.push(json!({
                "id": r.id,
                "path": format!("/indicators/{k}"),
                "confidence": ind.confidence,
                "flags": ind.flags,
                "source_text": source_text(doc, ind.lines),
                "value": ind,
            }));
        }
    }
    out
}

fn write_atomic(path: &Path, body: &[u8]) -> Result<(), EmitError> {
    let err = |source| EmitError::Io {
        path: path.display().to_string(),
        source,
    };
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp).map_err(err)?;
    f.write_all(body).map_err(err)?;
    f.sync_all().map_err(err)?;
    std::fs::rename(&tmp, path).map_err(err)
}

/// Totals of a run, for the report and the command line.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Inputs read.
    pub files_ok: usize,
    /// Inputs that failed (including paths that gave no input).
    pub files_failed: usize,
    /// Records written.
    pub records: usize,
    /// Indicator rows written.
    pub rows: usize,
    /// Review items written.
    pub review_items: usize,
}

/// Writes records.jsonl, review.jsonl and report.json into `out`.
pub fn write_outputs(
    out: &Path,
    results: &[FileResult],
    input_errors: &[InputError],
    config_origin: &str,
    elapsed_ms: f64,
) -> Result<Summary, EmitError> {
    std::fs::create_dir_all(out).map_err(|source| EmitError::Io {
        path: out.display().to_string(),
        source,
    })?;
    let mut records = String::new();
    let mut review = String::new();
    let mut files = Vec::new();
    let mut s = Summary {
        files_failed: input_errors.len(),
        ..Summary::default()
    };
    let mut bytes = 0usize;
    for r in results {
        match &r.outcome {
            Ok(o) => {
                s.files_ok += 1;
                bytes += o.bytes;
                for rec in &o.records {
                    records.push_str(&record_line(rec));
                    records.push('\n');
                    s.records += 1;
                    s.rows += rec.indicators.len();
                    for item in review_items(rec, &o.document) {
                        review.push_str(&item.to_string());
                        review.push('\n');
                        s.review_items += 1;
                    }
                }
                files.push(json!({
                    "path": r.path, "status": "ok", "encoding": o.encoding, "bytes": o.bytes,
                    "lines": o.document.lines.len(), "forms": o.records.len(),
                    "records_for_review": o.records.iter().filter(|r| r.review).count(),
                    "rows_for_review": o.records.iter().flat_map(|r| &r.indicators).filter(|i| i.review).count(),
                    "preamble": o.preamble, "millis": (r.millis * 1000.0).round() / 1000.0,
                }));
            }
            Err(e) => {
                s.files_failed += 1;
                files.push(json!({"path": r.path, "status": "error", "error": e}));
            }
        }
    }
    for e in input_errors {
        files.push(json!({"path": Value::Null, "status": "error", "error": e.to_string()}));
    }
    let report = json!({
        "formsift": env!("CARGO_PKG_VERSION"),
        "config": config_origin,
        "inputs": {"ok": s.files_ok, "failed": s.files_failed, "bytes": bytes},
        "records": s.records,
        "indicators": s.rows,
        "review_items": s.review_items,
        "timings": {"total_ms": (elapsed_ms * 1000.0).round() / 1000.0,
                    "mb_per_s": if elapsed_ms > 0.0 { (bytes as f64 / 1e6) / (elapsed_ms / 1000.0) } else { 0.0 }},
        "files": files,
    });
    write_atomic(&out.join("records.jsonl"), records.as_bytes())?;
    write_atomic(&out.join("review.jsonl"), review.as_bytes())?;
    write_atomic(
        &out.join("report.json"),
        serde_json::to_string_pretty(&report).unwrap().as_bytes(),
    )?;
    Ok(s)
}
