//! The review page: a local web server over one run's outputs.
//!
//! This crate owns the reviewer's side of formsift. [`queue`] reads a run's
//! review.jsonl and the records the items belong to, orders the items by
//! confidence and keeps each item's state from the corrections file; [`api`]
//! answers HTTP requests as plain values (routing, filters, input checks, the
//! 4xx answers to bad input), so it is tested without sockets; [`server`]
//! binds 127.0.0.1 with `tiny_http`, limits request bodies and serves the
//! page embedded from `assets/`. Every decision is appended to the
//! corrections file through `formsift-corrections`; the server changes no
//! other file.

pub mod api;
pub mod queue;
pub mod server;

pub use api::{Answer, Request};
pub use queue::{Item, Queue, Status};
pub use server::{Server, serve};

/// Why the review server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// An output file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The folder holds no finished run.
    #[error(
        "{0} has no review.jsonl and records.jsonl: give the --out folder of a finished `formsift run`"
    )]
    NotARun(String),
    /// A line of review.jsonl or records.jsonl is not what formsift writes.
    #[error("{path} line {line}: {message}")]
    Line {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The corrections file is unreadable.
    #[error(transparent)]
    Corrections(#[from] formsift_corrections::CorrectionError),
    /// The port could not be bound.
    #[error("cannot listen on 127.0.0.1:{port}: {message}")]
    Bind {
        /// The port asked for.
        port: u16,
        /// Why.
        message: String,
    },
}
