//! The `formsift` command line: the only place that prints.
//!
//! Subcommands: `run` (a batch of files and directories into records.jsonl,
//! review.jsonl and report.json, with progress, resume and shards), `merge`
//! (shard outputs into one), `extract` (inputs to JSONL on stdout) and `eval`
//! (records against gold). Exit status: 0 every input was read, 1 some inputs
//! failed (the rest are still written), 2 usage error, 3 stopped because an
//! output could not be written (run again once there is room: a run
//! resumes), 130 interrupted (run again to resume).

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use formsift_config::Config;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

mod export;
mod progress;
mod review;

// The stages allocate many small strings per cell; mimalloc handles that
// pattern markedly faster than the system allocator (measured with
// scripts/bench) and keeps per-thread caches for the rayon workers. See
// formsift-alloc for how it is entered.
#[global_allocator]
static GLOBAL: formsift_alloc::Mimalloc = formsift_alloc::Mimalloc;

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
    /// Directories are walked lazily for text exports (.txt, .md, .html, … as
    /// listed in pipeline.toml). Files are processed in parallel and written in
    /// sorted path order, forms in document order, in bounded memory. A bad
    /// input is reported in report.json and on stderr and never stops the
    /// batch.
    ///
    /// Re-running into the same --out reuses the output of every unchanged
    /// file (content hashes in manifest.jsonl) and redoes changed ones; a run
    /// stopped by Ctrl-C or a kill resumes where it stopped.
    ///
    /// Examples:
    ///   formsift run archive/ --out out
    ///   formsift run archive/ --shard 3/8 --out out/shard-3    (then: formsift merge)
    #[command(verbatim_doc_comment)]
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
        /// Take only the inputs of shard K of N (K from 0): inputs are assigned
        /// by a hash of their path relative to the input folder, so every
        /// machine agrees. Combine the shard folders with `formsift merge`.
        #[arg(long, value_name = "K/N")]
        shard: Option<formsift_pipeline::Shard>,
        /// Process every file again, ignoring output of earlier runs in --out.
        #[arg(long)]
        fresh: bool,
        /// Worker threads (default: one per core; also RAYON_NUM_THREADS).
        #[arg(long, short = 'j', value_name = "N")]
        threads: Option<usize>,
        /// Seconds between progress lines when stderr is not a terminal.
        #[arg(long, value_name = "SECS", default_value_t = 10.0)]
        progress_every: f64,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
        /// Apply reviewers' corrections from this JSONL file (written by
        /// `formsift review`): corrected rows get confidence 1 and the flag
        /// `corrected`; corrections that find no row are listed in report.json.
        #[arg(long, value_name = "FILE")]
        corrections: Option<PathBuf>,
        /// The longest one file may take, in seconds (0: no limit). A file
        /// still being processed then is recorded as failed and the batch
        /// goes on; a re-run skips it (--fresh tries it again).
        #[arg(long, value_name = "SECS", default_value_t = formsift_pipeline::batch::FILE_LIMIT.as_secs_f64())]
        file_limit: f64,
    },
    /// Combine the outputs of `run --shard` folders into one output folder.
    ///
    /// Records come out in the order one unsharded run writes them. Every
    /// shard must have finished and used the same formsift and rules.
    Merge {
        /// Folders written by `formsift run --shard K/N --out DIR`.
        #[arg(required = true, value_name = "SHARD_DIR")]
        shards: Vec<PathBuf>,
        /// Output directory (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Print the records of inputs as JSONL on stdout (`-` reads stdin).
    ///
    /// For pipes and engines that feed work on stdin: `--files-from -`
    /// reads one path per line (GNU parallel --pipe, Spark RDD.pipe).
    Extract {
        /// Input files, or `-` for standard input (the text of one form file).
        #[arg(value_name = "FILE|-")]
        inputs: Vec<String>,
        /// Also read input paths, one per line, from this file (`-`: stdin).
        #[arg(long, value_name = "FILE|-")]
        files_from: Option<String>,
        /// Rules file to use instead of the embedded pipeline.toml.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Apply reviewers' corrections from this JSONL file.
        #[arg(long, value_name = "FILE")]
        corrections: Option<PathBuf>,
        /// The name standard input's file had: its extension chooses the
        /// reader (`.csv`, `.xlsx`, `.pdf`…), and records are named after
        /// it (default `stdin`: text, or a format known by its first bytes).
        #[arg(long, value_name = "NAME", default_value = "stdin")]
        stdin_name: String,
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
    /// Serve the review page for a run's outputs on 127.0.0.1.
    ///
    /// Lists the items of review.jsonl, lowest confidence first, with their
    /// source lines, flags and failed checks explained, and an editor for
    /// every field. Accept, correct and "not a row" decisions are appended to
    /// the corrections file; `formsift run --corrections FILE` applies them.
    /// The address is printed on stdout (a free port unless --port is given).
    ///
    /// Example:
    ///   formsift review --out out            (then open the printed address)
    #[command(verbatim_doc_comment)]
    Review {
        /// Output folder of a finished `formsift run`.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Port on 127.0.0.1 (0: any free port).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Corrections file to append decisions to [default: DIR/corrections.jsonl].
        #[arg(long, value_name = "FILE")]
        corrections: Option<PathBuf>,
        /// Reviewer name recorded with each decision [default: $USER]; the page can change it.
        #[arg(long, value_name = "NAME")]
        reviewer: Option<String>,
        /// Rules file the run used (flag and check explanations).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Write a run's records as a flat indicator table (CSV and/or XLSX).
    ///
    /// One row per indicator with its form's id, file, type, title, year,
    /// fields and fund amounts, and the row's review state (needs_review,
    /// corrected, accepted, ok); a form without indicators gets one row.
    /// Run with --corrections first so that decisions are in the records.
    ///
    /// Example:
    ///   formsift export --out out --csv indicators.csv --xlsx indicators.xlsx
    #[command(verbatim_doc_comment)]
    Export {
        /// Output folder of a finished `formsift run`.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Write CSV (UTF-8 with BOM, for Excel) to FILE, or `-` for stdout.
        #[arg(long, value_name = "FILE|-")]
        csv: Option<String>,
        /// Write an XLSX workbook to FILE.
        #[arg(long, value_name = "FILE")]
        xlsx: Option<PathBuf>,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Print the embedded default pipeline.toml (a start for --config).
    Config,
}

/// The rules, where they came from, and their text (hashed to tell whether
/// earlier output was made under the same rules).
pub(crate) fn load_config(path: &Option<PathBuf>) -> Result<(Config, String, String)> {
    match path {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("reading rules file {}", p.display()))?;
            Ok((Config::load(p)?, p.display().to_string(), text))
        }
        None => Ok((
            Config::embedded(),
            "<embedded>".to_string(),
            formsift_config::DEFAULT_TOML.to_string(),
        )),
    }
}

fn main() -> ExitCode {
    // A damaged workbook can make the workbook reader panic; that panic is
    // contained and the file reported damaged with a clear message, so the
    // reader's own message ("panicked at …/cfb.rs") is left out. Any other
    // panic is printed as Rust prints it.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !formsift_pipeline::panic_is_contained() {
            default_hook(info);
        }
    }));
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("formsift: error: {}", message(&e));
            ExitCode::from(if e.is::<Stopped>() { STOPPED } else { USAGE })
        }
    }
}

/// Exit status of a usage or configuration error (RECORD.md's 2): the
/// command as given cannot work.
const USAGE: u8 = 2;

/// Exit status of a command stopped because an output could not be
/// written (a full disk, a folder removed or made read-only): the command
/// was right, and the same command works again once the cause is gone. A
/// batch job retries it, where a usage error needs a person.
const STOPPED: u8 = 3;

/// An error that stopped a command while it wrote its outputs (exit status
/// [`STOPPED`]); its text is the cause's, with what to do.
#[derive(Debug)]
struct Stopped(String);

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Stopped {}

/// Marks an error met while writing outputs as [`Stopped`], its message
/// ending with `then` (what to do once the cause is gone).
fn stopped(e: anyhow::Error, then: &str) -> anyhow::Error {
    Stopped(format!("{}; {then}", message(&e))).into()
}

/// Writes text to standard output; a reader that closed the pipe early
/// (`formsift eval … | head`) has what it wanted, so that is not an error.
fn print_stdout(text: &str) -> Result<()> {
    use std::io::Write;
    pipe_closed(std::io::stdout().lock().write_all(text.as_bytes())).map(drop)
}

/// Whether a write to standard output found the pipe closed (the reader
/// has what it wanted: `formsift extract … | head`); any other error (a
/// full disk under a redirection) stops the command ([`Stopped`]).
fn pipe_closed(written: std::io::Result<()>) -> Result<bool> {
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(true),
        Err(e) => Err(stopped(
            anyhow::Error::new(e).context("writing standard output"),
            "what was written is incomplete: run the command again",
        )),
        Ok(()) => Ok(false),
    }
}

/// An error and its causes, joined by `: `, leaving out a cause whose text
/// the message already ends with (library errors print their source, and
/// carry it as their cause too).
fn message(e: &anyhow::Error) -> String {
    let mut text = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !text.ends_with(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}

fn dispatch(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run {
            inputs,
            out,
            config,
            shard,
            fresh,
            threads,
            progress_every,
            quiet,
            corrections,
            file_limit,
        } => {
            if !(file_limit >= 0.0 && file_limit.is_finite()) {
                anyhow::bail!(
                    "--file-limit {file_limit}: give the seconds one file may take, 0 for no limit"
                );
            }
            if let Some(n) = threads {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .build_global()
                    .context("starting worker threads")?;
            }
            let opts = RunOptions {
                shard,
                fresh,
                progress_every,
                quiet,
                corrections,
                file_limit: (file_limit > 0.0).then(|| Duration::from_secs_f64(file_limit)),
            };
            run(inputs, out, config, opts)
        }
        Command::Merge { shards, out } => merge(shards, out),
        Command::Extract {
            inputs,
            files_from,
            config,
            corrections,
            stdin_name,
        } => extract(inputs, files_from, config, corrections, &stdin_name),
        Command::Eval {
            gold,
            records,
            by_flag,
            quiet,
        } => eval(gold, records, by_flag, quiet),
        Command::Review {
            out,
            port,
            corrections,
            reviewer,
            config,
        } => review::review(out, port, corrections, reviewer, config),
        Command::Export {
            out,
            csv,
            xlsx,
            quiet,
        } => export::export(out, csv, xlsx, quiet),
        Command::Config => {
            print_stdout(formsift_config::DEFAULT_TOML)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

struct RunOptions {
    shard: Option<formsift_pipeline::Shard>,
    fresh: bool,
    progress_every: f64,
    quiet: bool,
    corrections: Option<PathBuf>,
    file_limit: Option<Duration>,
}

/// Reads a corrections file; a bad line stops the command before any work.
fn load_corrections(path: &Option<PathBuf>) -> Result<Option<formsift_corrections::CorrectionSet>> {
    path.as_ref()
        .map(|p| formsift_corrections::CorrectionSet::load(p))
        .transpose()
        .context("reading corrections")
}

fn run(
    inputs: Vec<PathBuf>,
    out: PathBuf,
    config: Option<PathBuf>,
    opts: RunOptions,
) -> Result<ExitCode> {
    let (config, origin, text) = load_config(&config)?;
    let mut batch = formsift_pipeline::Batch::new(config, &origin, &text);
    batch.shard = opts.shard;
    batch.reuse = !opts.fresh;
    batch.corrections = load_corrections(&opts.corrections)?.map(Arc::new);
    batch.file_limit = opts.file_limit;

    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = Arc::clone(&stop);
        // First Ctrl-C (or SIGTERM, SIGHUP: ctrlc's `termination`): finish
        // the files in flight and keep what is done; second: leave at once
        // (the journal still allows a resume).
        let _ = ctrlc::set_handler(move || {
            if stop.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
        });
    }
    let totals = Arc::new(progress::Totals::default());
    if !opts.quiet {
        let (totals, inputs, config, shard) = (
            Arc::clone(&totals),
            inputs.clone(),
            Arc::clone(&batch.config),
            batch.shard,
        );
        std::thread::spawn(move || {
            let (files, bytes) = formsift_pipeline::count_inputs(&inputs, &config, shard);
            totals.files.store(files, Ordering::Relaxed);
            totals.bytes.store(bytes, Ordering::Relaxed);
            totals.known.store(true, Ordering::Relaxed);
        });
    }
    let every = Duration::from_secs_f64(opts.progress_every.max(0.1));
    let progress = progress::Progress::new(opts.quiet, every, totals, Arc::clone(&stop));
    let outcome = formsift_pipeline::batch::run(&inputs, &out, &batch, &progress).map_err(|e| {
        if matches!(&e, formsift_pipeline::BatchError::Emit(e) if e.while_writing()) {
            stopped(
                anyhow::Error::new(e).context(format!("writing outputs to {}", out.display())),
                "nothing done is lost: run the same command again to resume",
            )
        } else {
            e.into()
        }
    })?;
    progress.finish();
    let s = &outcome.summary;
    if !outcome.given_up.is_empty() {
        // Said even with --quiet: a worker is still on each.
        eprintln!(
            "formsift: warning: {} file(s) ran past --file-limit and were recorded as failed (report.json says which); their workers could not be stopped",
            outcome.given_up.len()
        );
    }
    if outcome.stalled {
        eprintln!(
            "formsift: stopped after {} file(s): files past --file-limit hold every worker. What was done is kept; run the same command again to go on (those files are skipped; --fresh tries them again)",
            s.files_ok + s.files_failed
        );
        return Ok(ExitCode::from(STOPPED));
    }
    if outcome.interrupted {
        eprintln!(
            "formsift: interrupted after {} file(s); nothing is lost: run the same command again to resume",
            s.files_ok + s.files_failed
        );
        return Ok(ExitCode::from(130));
    }
    if !opts.quiet {
        eprintln!(
            "formsift: {} file(s) read ({} reused, {} processed), {} failed; {} record(s), {} indicator row(s), {} item(s) for review → {}",
            s.files_ok,
            s.files_reused,
            outcome.processed,
            s.files_failed,
            s.records,
            s.rows,
            s.review_items,
            out.display(),
        );
    }
    if s.files_without_forms > 0 {
        // Said even with --quiet: their text is nowhere but in report.json.
        eprintln!(
            "formsift: warning: {} file(s) read held no form: report.json gives each file's forms and keeps the text of one without any as its preamble",
            s.files_without_forms
        );
    }
    warn_shared_ids(s);
    if outcome.changed_outputs > 0 {
        // Said even with --quiet: an edit someone made is gone.
        eprintln!(
            "formsift: warning: the output of {} file(s) in {} had been changed since it was written (by hand or another tool), so they were processed again: edits to records.jsonl or review.jsonl do not last; make corrections with `formsift review`, which do",
            outcome.changed_outputs,
            out.display()
        );
    }
    if !opts.quiet && !outcome.passed_over.is_empty() {
        eprintln!(
            "formsift: passed over {} folder(s) holding a formsift run's output ({}): outputs are not read as inputs (report.json passed_over)",
            outcome.passed_over.len(),
            outcome.passed_over[0]
        );
    }
    if !opts.quiet && !outcome.not_read.is_empty() {
        let n: u64 = outcome.not_read.iter().map(|(_, n)| n).sum();
        let mut kinds = outcome.not_read.clone();
        kinds.sort_by_key(|(kind, n)| (std::cmp::Reverse(*n), kind.clone()));
        let kinds: Vec<String> = kinds
            .iter()
            .take(5)
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        eprintln!(
            "formsift: passed over {n} file(s) of kinds it does not read ({}{}): report.json not_read",
            kinds.join(", "),
            if outcome.not_read.len() > 5 {
                ", …"
            } else {
                ""
            }
        );
    }
    if let Some(c) = &batch.corrections {
        report_corrections(c, s, &outcome.corrections_not_in_run, opts.quiet);
    }
    Ok(if s.files_failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Says (even with --quiet) that inputs of one name in different folders
/// gave records with the same ids: a tool that keys records by id would
/// mix them up.
fn warn_shared_ids(s: &formsift_pipeline::emit::Summary) {
    if s.files_sharing_ids > 0 {
        eprintln!(
            "formsift: warning: {} file(s) have the name of an input in another folder ({}), so their records have the same ids ({}#1, …: an id is the file name and the form number); source.path tells them apart (report.json ids_shared)",
            s.files_sharing_ids,
            s.shared_names.join(", "),
            s.shared_names[0]
        );
    }
}

/// Says what the corrections did; what did not apply is always said.
fn report_corrections(
    c: &formsift_corrections::CorrectionSet,
    s: &formsift_pipeline::emit::Summary,
    not_in_run: &[(String, usize)],
    quiet: bool,
) {
    if !quiet {
        eprintln!(
            "formsift: {} of {} correction(s) from {} applied",
            s.corrections_applied, c.len, c.path
        );
    }
    if s.corrections_unmatched > 0 {
        eprintln!(
            "formsift: warning: {} correction(s) found no row or record; report.json lists each with the reason (files[].corrections.unmatched)",
            s.corrections_unmatched
        );
    }
    let n: usize = not_in_run.iter().map(|(_, n)| n).sum();
    if n > 0 {
        eprintln!(
            "formsift: warning: {n} correction(s) are for {} file(s) not in this run (report.json corrections.not_in_run), e.g. {}",
            not_in_run.len(),
            not_in_run[0].0
        );
    }
}

fn merge(shards: Vec<PathBuf>, out: PathBuf) -> Result<ExitCode> {
    let m = formsift_pipeline::merge::merge(&shards, &out, "<from shards>").map_err(|e| {
        if matches!(&e, formsift_pipeline::merge::MergeError::Emit(e) if e.while_writing()) {
            stopped(e.into(), "run the same merge again")
        } else {
            e.into()
        }
    })?;
    // (A shard folder given twice repeats every one of its paths: the first
    // few say what happened.)
    const SHOWN: usize = 10;
    for d in m.duplicates.iter().take(SHOWN) {
        eprintln!("formsift: {d}: present in more than one shard; kept the first");
    }
    if m.duplicates.len() > SHOWN {
        eprintln!(
            "formsift: … and {} more path(s) present in more than one shard (was a folder given twice?)",
            m.duplicates.len() - SHOWN
        );
    }
    warn_shared_ids(&m.summary);
    let missing = m.coverage.as_ref().map_or(&[][..], |c| &c.missing[..]);
    if let Some(c) = m.coverage.as_ref().filter(|c| !c.missing.is_empty()) {
        let names: Vec<String> = c
            .missing
            .iter()
            .map(|k| format!("{k}/{}", c.count))
            .collect();
        eprintln!(
            "formsift: warning: shard(s) {} not given: their files are not in {} (report.json shards.missing); merge again with every shard's folder",
            names.join(", "),
            out.display()
        );
    }
    let s = &m.summary;
    eprintln!(
        "formsift: merged {} shard(s): {} file(s), {} failed; {} record(s), {} item(s) for review → {}",
        shards.len(),
        s.files_ok,
        s.files_failed,
        s.records,
        s.review_items,
        out.display()
    );
    Ok(if s.files_failed > 0 || !missing.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn extract(
    mut inputs: Vec<String>,
    files_from: Option<String>,
    config: Option<PathBuf>,
    corrections: Option<PathBuf>,
    stdin_name: &str,
) -> Result<ExitCode> {
    use formsift_pipeline::readahead::{AHEAD, open_ahead};
    let (config, _, _) = load_config(&config)?;
    let corrections = load_corrections(&corrections)?;
    let fc = |name: &str| {
        corrections
            .as_ref()
            .and_then(|c| c.for_stem(&formsift_pipeline::file_stem(name)))
    };
    if let Some(list) = files_from {
        let text = if list == "-" {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .context("reading paths from standard input")?;
            s
        } else {
            std::fs::read_to_string(&list).with_context(|| format!("reading paths from {list}"))?
        };
        inputs.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string),
        );
    }
    if inputs.is_empty() {
        anyhow::bail!("nothing to extract: give FILE, `-` (stdin) or --files-from FILE|-");
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut failed = false;
    // Files are read one after another: the next few are open and the
    // kernel reads them ahead meanwhile (the first AHEAD before the first is
    // read).
    let open = |i: usize| {
        inputs
            .get(i)
            .filter(|p| *p != "-")
            .and_then(|p| open_ahead(std::path::Path::new(p)))
    };
    let mut window: std::collections::VecDeque<_> = (0..AHEAD).map(open).collect();
    for (i, input) in inputs.iter().enumerate() {
        window.push_back(open(i + AHEAD));
        let opened = window.pop_front().flatten();
        let outcome = if input == "-" {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .context("reading standard input")?;
            formsift_pipeline::process_owned(bytes, stdin_name, &config, fc(stdin_name))
        } else {
            formsift_pipeline::process_file(std::path::Path::new(input), opened, &config, fc(input))
        };
        match outcome {
            Ok(o) => {
                if o.records.is_empty() {
                    eprintln!(
                        "formsift: warning: {input}: no form found (no title of pipeline.toml's templates)"
                    );
                }
                for r in &o.records {
                    let written = writeln!(out, "{}", formsift_pipeline::emit::record_line(r));
                    if pipe_closed(written)? {
                        return Ok(ExitCode::SUCCESS);
                    }
                }
                for u in o.corrections.iter().flat_map(|a| &a.unmatched) {
                    eprintln!(
                        "formsift: warning: {input}: correction on line {} ({} {}) found nothing: {}",
                        u.line, u.id, u.path, u.reason
                    );
                }
            }
            Err(e) => {
                eprintln!("formsift: {e}");
                failed = true;
            }
        }
    }
    if pipe_closed(out.flush())? {
        return Ok(ExitCode::SUCCESS);
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn eval(gold: Vec<PathBuf>, records: PathBuf, by_flag: bool, quiet: bool) -> Result<ExitCode> {
    use std::fmt::Write as _;
    let mut g = Vec::new();
    for dir in &gold {
        g.extend(formsift_eval::load_gold_dir(dir)?);
    }
    let r = formsift_eval::load_records(&records)?;
    let rep = formsift_eval::evaluate(&g, &r);
    // The report is made whole, then written: a reader that stops early
    // (`| head`) ends the output, not the run with a panic.
    let mut out = String::new();
    writeln!(
        out,
        "gold records:  {} ({} without an extracted record)",
        g.len(),
        rep.missing_records.len()
    )?;
    writeln!(
        out,
        "fields:        {:.4}  ({}/{})",
        rep.field_accuracy(),
        rep.fields_right,
        rep.fields_total
    )?;
    writeln!(
        out,
        "rows:          {:.4}  ({}/{})",
        rep.row_accuracy(),
        rep.rows_right,
        rep.rows_total
    )?;
    writeln!(
        out,
        "catch rate:    {:.4}  ({}/{} wrong items marked for review)",
        rep.catch_rate(),
        rep.wrong_flagged,
        rep.wrong
    )?;
    writeln!(
        out,
        "review rate:   {:.4}  ({}/{} extracted rows marked for review)",
        rep.review_rate(),
        rep.rows_review,
        rep.rows_extracted
    )?;
    if by_flag {
        writeln!(out, "\nper flag: rows carrying it, of them wrong")?;
        for (flag, (n, wrong)) in &rep.by_flag {
            writeln!(
                out,
                "  {flag:<22} {n:>5} {wrong:>5}  ({:.2})",
                *wrong as f64 / *n as f64
            )?;
        }
    }
    if !quiet && !rep.mismatches.is_empty() {
        writeln!(out, "\nmismatches:")?;
        for m in &rep.mismatches {
            let mark = if m.flagged { "review" } else { "UNFLAGGED" };
            writeln!(
                out,
                "  {} {} [{mark}]\n    gold:  {}\n    found: {}",
                m.id, m.at, m.gold, m.found
            )?;
        }
    }
    print_stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}
