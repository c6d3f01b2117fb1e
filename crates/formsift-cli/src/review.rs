//! `formsift review`: the review page over a run's outputs.

use anyhow::{Context, Result};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Serves the review page until Ctrl-C.
pub fn review(
    out: PathBuf,
    port: u16,
    corrections: Option<PathBuf>,
    reviewer: Option<String>,
    config: Option<PathBuf>,
) -> Result<ExitCode> {
    let (config, _, _) = crate::load_config(&config)?;
    let corrections = corrections.unwrap_or_else(|| out.join("corrections.jsonl"));
    let queue = formsift_review::Queue::load(&out, &corrections)
        .with_context(|| format!("reading the run in {}", out.display()))?;
    let reviewer = reviewer
        .or_else(|| std::env::var("USER").ok())
        .filter(|r| !r.trim().is_empty())
        .unwrap_or_else(|| "reviewer".to_string());
    let open = queue
        .items
        .iter()
        .filter(|i| i.status == formsift_review::Status::Open)
        .count();
    let total = queue.items.len();
    let mut app = formsift_review::api::App {
        queue,
        config,
        reviewer,
    };
    formsift_review::serve(&mut app, port, |url| {
        println!("{url}");
        let _ = std::io::stdout().flush();
        eprintln!(
            "formsift review: {total} item(s), {open} open, from {}; decisions go to {}\n  open {url} in a browser; Ctrl-C stops. Apply the decisions with: formsift run … --out {} --corrections {}",
            out.display(),
            corrections.display(),
            out.display(),
            corrections.display(),
        );
    })?;
    Ok(ExitCode::SUCCESS)
}
