//! Eval: records compared with gold files a person typed.
//!
//! This crate owns the measures of `RECORD.md`: field accuracy (each gold
//! scalar of `form_type`, `year`, `fields`, `funds`, `total_score`), row
//! accuracy (gold rows aligned to extracted rows in order by name), catch rate
//! (the share of wrong rows and fields marked for review) and review rate, plus
//! per-flag figures (how often a flagged row was wrong) used to set penalties.
//! It reads JSON it is given and knows nothing of how records were made.

mod compare;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

pub use compare::evaluate;

/// Why gold or records could not be read.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A file or directory could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// A file is not the JSON expected.
    #[error("{path}:{line}: {message}")]
    Json {
        /// The file.
        path: String,
        /// 1-based line (of the JSONL file, or of the JSON error).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The gold directory holds no gold file.
    #[error("{0}: no gold files (*.json, each an array of records)")]
    NoGold(String),
}

/// One difference between gold and extraction.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// Record id.
    pub id: String,
    /// Where: a field path such as `fields.project_name` or `indicators[3]`.
    pub at: String,
    /// What gold says.
    pub gold: String,
    /// What was extracted.
    pub found: String,
    /// Whether the wrong item was marked for review.
    pub flagged: bool,
}

/// The figures of one evaluation.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Gold scalars compared.
    pub fields_total: usize,
    /// Of them, equal.
    pub fields_right: usize,
    /// Gold rows (not ambiguous) plus extra extracted rows.
    pub rows_total: usize,
    /// Right rows.
    pub rows_right: usize,
    /// Wrong fields and rows.
    pub wrong: usize,
    /// Of them, marked for review.
    pub wrong_flagged: usize,
    /// Extracted rows of the gold records.
    pub rows_extracted: usize,
    /// Of them, marked for review.
    pub rows_review: usize,
    /// Every difference.
    pub mismatches: Vec<Mismatch>,
    /// Flag → (rows carrying it, of them wrong).
    pub by_flag: BTreeMap<String, (usize, usize)>,
    /// Gold records with no extracted record.
    pub missing_records: Vec<String>,
}

impl Report {
    /// Field accuracy.
    pub fn field_accuracy(&self) -> f64 {
        ratio(self.fields_right, self.fields_total)
    }
    /// Row accuracy.
    pub fn row_accuracy(&self) -> f64 {
        ratio(self.rows_right, self.rows_total)
    }
    /// Share of wrong items marked for review (1 when nothing is wrong).
    pub fn catch_rate(&self) -> f64 {
        ratio(self.wrong_flagged, self.wrong)
    }
    /// Share of extracted rows marked for review.
    pub fn review_rate(&self) -> f64 {
        if self.rows_extracted == 0 {
            0.0
        } else {
            self.rows_review as f64 / self.rows_extracted as f64
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// Reads every `*.json` gold file of a directory (each an array of records).
pub fn load_gold_dir(dir: &Path) -> Result<Vec<Value>, EvalError> {
    let io = |source| EvalError::Io {
        path: dir.display().to_string(),
        source,
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(EvalError::NoGold(dir.display().to_string()));
    }
    let mut out = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(&p).map_err(|source| EvalError::Io {
            path: p.display().to_string(),
            source,
        })?;
        let v: Value = serde_json::from_str(&text).map_err(|e| EvalError::Json {
            path: p.display().to_string(),
            line: e.line(),
            message: e.to_string(),
        })?;
        match v {
            Value::Array(items) => out.extend(items),
            _ => {
                return Err(EvalError::Json {
                    path: p.display().to_string(),
                    line: 1,
                    message: "a gold file is a JSON array of records".into(),
                });
            }
        }
    }
    Ok(out)
}

/// Reads records.jsonl.
pub fn load_records(path: &Path) -> Result<Vec<Value>, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|source| EvalError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        out.push(serde_json::from_str(line).map_err(|e| EvalError::Json {
            path: path.display().to_string(),
            line: i + 1,
            message: e.to_string(),
        })?);
    }
    Ok(out)
}
