//! Corrections: what reviewers decided, kept so that it survives re-runs.
//!
//! This crate owns the corrections file (JSONL, one [`Correction`] per line,
//! appended under an exclusive file lock so that concurrent reviewers lose
//! nothing), the stable [`fingerprint`] of a row's source text that ties a
//! correction to its row whatever the row's index or the pipeline version,
//! the editable [`fields`] of rows and records with their value types, and
//! [`apply`]: matching corrections to a file's records and changing them,
//! reporting every correction that no longer finds its row. It does not score:
//! the validate stage gives rows that carry a settling flag (`corrected`,
//! `accepted`) confidence 1.

pub mod apply;
pub mod correction;
pub mod fields;
pub mod fingerprint;
pub mod store;

pub use apply::{Applied, Unmatched, apply};
pub use correction::{Action, Correction};
pub use fingerprint::{fingerprint, fingerprint_in, record_fingerprint, row_fingerprint};
pub use store::{CorrectionSet, FileCorrections, append};

/// Why corrections could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum CorrectionError {
    /// The file could not be opened, read, locked or written.
    #[error("{path}: {source}")]
    Io {
        /// The corrections file.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// A line is not a valid correction.
    #[error(
        "{path} line {line}: {message} (fix or delete the line; each line is one JSON correction)"
    )]
    Line {
        /// The corrections file.
        path: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A correction names a field that cannot be edited, or a value of the wrong type.
    #[error("{0}")]
    Field(#[from] fields::FieldError),
}
