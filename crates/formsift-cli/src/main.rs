//! The `formsift` command line: the only place that prints.
//!
//! Subcommands: `run` (a batch of files and directories into records.jsonl,
//! review.jsonl and report.json), `extract` (one input to JSONL on stdout) and
//! `eval` (records against gold). Exit status: 0 every input was read, 1 some
//! inputs failed (the rest are still written), 2 usage error.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use formsift_config::Config;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

// The stages allocate many small strings per cell; mimalloc handles that
// pattern markedly faster than the system allocator (measured with
// scripts/bench) and keeps per-thread caches for the rayon workers.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Turns converted and OCR'd Chinese performance forms (绩效目标申报表, 绩效自评表,
/// 部门整体支出绩效目标申报表) into one JSON record per form.
#[derive(Parser)]
#[command(name = "formsift", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Process files and directories into records.jsonl, review.jsonl and report.json.
    ///
    /// Directories are walked for text exports (.txt, .md, .html, … as listed in
    /// pipeline.toml). Inputs are processed in parallel and written in sorted
    /// path order, forms in document order. A bad input is reported in
    /// report.json and on stderr and never stops the batch.
    Run {
        /// Input files or directories.
        #[arg(required = true, value_name = "FILE|DIR")]
        inputs: Vec<PathBuf>,
        /// Output directory (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Rules file to use instead of the embedded pipeline.toml.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Print the records of one input as JSONL on stdout (`-` reads stdin).
    Extract {
        /// Input file, or `-` for standard input.
        #[arg(value_name = "FILE|-")]
        input: String,
        /// Rules file to use instead of the embedded pipeline.toml.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Compare records.jsonl with gold files and print accuracy figures.
    ///
    /// Prints field accuracy, row accuracy, catch rate (share of wrong rows and
    /// fields marked for review) and review rate, then every mismatch.
    Eval {
        /// Directory of gold files (*.json, each an array of records); repeatable.
        #[arg(long, value_name = "DIR", required = true)]
        gold: Vec<PathBuf>,
        /// The records to judge.
        #[arg(value_name = "records.jsonl")]
        records: PathBuf,
        /// Also print, per flag, how many rows carried it and how many were wrong.
        #[arg(long)]
        by_flag: bool,
        /// Print the figures only, not each mismatch.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Print the embedded default pipeline.toml (a start for --config).
    Config,
}

fn load_config(path: &Option<PathBuf>) -> Result<(Config, String)> {
    match path {
        Some(p) => Ok((Config::load(p)?, p.display().to_string())),
        None => Ok((Config::embedded(), "<embedded>".to_string())),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("formsift: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn dispatch(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run {
            inputs,
            out,
            config,
            quiet,
        } => run(inputs, out, config, quiet),
        Command::Extract { input, config } => extract(input, config),
        Command::Eval {
            gold,
            records,
            by_flag,
            quiet,
        } => eval(gold, records, by_flag, quiet),
        Command::Config => {
            print!("{}", formsift_config::DEFAULT_TOML);
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run(
    inputs: Vec<PathBuf>,
    out: PathBuf,
    config: Option<PathBuf>,
    quiet: bool,
) -> Result<ExitCode> {
    let (config, origin) = load_config(&config)?;
    let start = Instant::now();
    let (files, input_errors) = formsift_pipeline::collect_inputs(&inputs, &config);
    for e in &input_errors {
        eprintln!("formsift: {e}");
    }
    let results = formsift_pipeline::process_all(&files, &config);
    for r in &results {
        if let Err(e) = &r.outcome {
            eprintln!("formsift: {e}");
        }
    }
    let elapsed = start.elapsed().as_secs_f64() * 1000.0;
    let s = formsift_pipeline::emit::write_outputs(&out, &results, &input_errors, &origin, elapsed)
        .with_context(|| format!("writing outputs to {}", out.display()))?;
    if !quiet {
        eprintln!(
            "formsift: {} file(s) read, {} failed; {} record(s), {} indicator row(s), {} item(s) for review → {} ({:.0} ms)",
            s.files_ok,
            s.files_failed,
            s.records,
            s.rows,
            s.review_items,
            out.display(),
            elapsed
        );
    }
    Ok(if s.files_failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn extract(input: String, config: Option<PathBuf>) -> Result<ExitCode> {
    let (config, _) = load_config(&config)?;
    let (text, name) = if input == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("reading standard input")?;
        (
            formsift_ingest::decode(&bytes, "<stdin>"),
            "stdin".to_string(),
        )
    } else {
        (
            formsift_ingest::read_file(std::path::Path::new(&input)),
            input.clone(),
        )
    };
    let text = match text {
        Ok(t) => t,
        Err(e) => {
            eprintln!("formsift: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    let (records, _, _) = formsift_pipeline::process_text(&text.text, &name, &config);
    let mut out = std::io::stdout().lock();
    for r in &records {
        writeln!(out, "{}", formsift_pipeline::emit::record_line(r))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn eval(gold: Vec<PathBuf>, records: PathBuf, by_flag: bool, quiet: bool) -> Result<ExitCode> {
    let mut g = Vec::new();
    for dir in &gold {
        g.extend(formsift_eval::load_gold_dir(dir)?);
    }
    let r = formsift_eval::load_records(&records)?;
    let rep = formsift_eval::evaluate(&g, &r);
    println!(
        "gold records:  {} ({} without an extracted record)",
        g.len(),
        rep.missing_records.len()
    );
    println!(
        "fields:        {:.4}  ({}/{})",
        rep.field_accuracy(),
        rep.fields_right,
        rep.fields_total
    );
    println!(
        "rows:          {:.4}  ({}/{})",
        rep.row_accuracy(),
        rep.rows_right,
        rep.rows_total
    );
    println!(
        "catch rate:    {:.4}  ({}/{} wrong items marked for review)",
        rep.catch_rate(),
        rep.wrong_flagged,
        rep.wrong
    );
    println!(
        "review rate:   {:.4}  ({}/{} extracted rows marked for review)",
        rep.review_rate(),
        rep.rows_review,
        rep.rows_extracted
    );
    if by_flag {
        println!("\nper flag: rows carrying it, of them wrong");
        for (flag, (n, wrong)) in &rep.by_flag {
            println!(
                "  {flag:<22} {n:>5} {wrong:>5}  ({:.2})",
                *wrong as f64 / *n as f64
            );
        }
    }
    if !quiet && !rep.mismatches.is_empty() {
        println!("\nmismatches:");
        for m in &rep.mismatches {
            let mark = if m.flagged { "review" } else { "UNFLAGGED" };
            println!(
                "  {} {} [{mark}]\n    gold:  {}\n    found: {}",
                m.id, m.at, m.gold, m.found
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
