//! Pipeline: runs the stages over files and writes the outputs.
//!
//! This crate owns the order of the stages (ingest → normalise → extract →
//! validate), the lazy sorted walk over inputs and sharding ([`walk`]), batch
//! runs that stream an archive through the rayon pool in bounded memory and
//! resume after an interruption ([`batch`]), the manifest of content hashes
//! that lets re-runs skip unchanged files ([`manifest`]), merging shard outputs
//! ([`merge`]) and the emit step ([`emit`]): records.jsonl, review.jsonl and
//! report.json (the only place that writes JSON; record and review lines go
//! through [`json`], serde_json's format with a faster string escape). It is the only crate that
//! knows about threads. A bad input becomes an error entry for that file; it
//! never stops the batch.

pub mod batch;
pub mod emit;
mod handoff;
pub mod json;
pub mod manifest;
pub mod merge;
pub mod readahead;
mod record_json;
mod spool;
pub mod walk;
mod writeback;

use formsift_config::Config;
use formsift_corrections::{Applied, FileCorrections};
use formsift_model::{Document, Record, Residue};
use std::path::Path;

pub use batch::{Batch, BatchError, Observer, Outcome, Silent};
pub use formsift_office::panic_is_contained;
pub use walk::{Input, InputError, Shard, Walk, collect_inputs, count_inputs};

/// What one input gave.
#[derive(Debug, Clone)]
pub struct FileOutput {
    /// Records in document order.
    pub records: Vec<Record>,
    /// Non-blank lines before the first form.
    pub preamble: Vec<Residue>,
    /// The normalised document (for review source text).
    pub document: Document,
    /// Encoding used (for spreadsheets, Word files and PDFs, their format:
    /// `xlsx`, `xls`, `docx`, `pdf`).
    pub encoding: &'static str,
    /// Input size in bytes.
    pub bytes: usize,
    /// What the file's corrections did, when it has any.
    pub corrections: Option<Applied>,
}

/// The file stem that starts the ids of an input's records.
pub fn file_stem(path: &str) -> String {
    Path::new(path)
        .file_stem()
        .map_or_else(|| path.to_string(), |s| s.to_string_lossy().into_owned())
}

/// Runs the stages on decoded text.
pub fn process_text(
    text: &str,
    path: &str,
    config: &Config,
) -> (Vec<Record>, Vec<Residue>, Document) {
    let (records, preamble, doc, _) = process_text_corrected(text, path, config, None);
    (records, preamble, doc)
}

/// Runs the stages on decoded text, applying a reviewer's corrections after
/// extraction, so that checks and scores see the corrected values.
pub fn process_text_corrected(
    text: &str,
    path: &str,
    config: &Config,
    corrections: Option<&FileCorrections>,
) -> (Vec<Record>, Vec<Residue>, Document, Option<Applied>) {
    process_document(
        normalize_text(text, path, config),
        path,
        config,
        corrections,
    )
}

/// Normalises decoded text: as comma-separated values for a `.csv` path,
/// else as any other text.
fn normalize_text(text: &str, path: &str, config: &Config) -> Document {
    if is_csv(path) {
        formsift_normalize::normalize_csv(text, config)
    } else {
        formsift_normalize::normalize(text, config)
    }
}

/// Whether a path names comma-separated values (`.csv`, any case): such
/// text is read as a sheet's records, commas and quotes its syntax.
fn is_csv(path: &str) -> bool {
    std::path::Path::new(path)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

/// Runs the stages after normalisation. For files that store cells, every
/// record, row and residue also says which cells it came from.
fn process_document(
    doc: Document,
    path: &str,
    config: &Config,
    corrections: Option<&FileCorrections>,
) -> (Vec<Record>, Vec<Residue>, Document, Option<Applied>) {
    let mut ex = formsift_extract::extract(&doc, path, &file_stem(path), config);
    let applied = corrections.map(|c| formsift_corrections::apply(&mut ex.records, &doc, c));
    for r in &mut ex.records {
        formsift_validate::validate(r, config);
    }
    if !doc.places.is_empty() {
        attach_cells(&mut ex.records, &mut ex.preamble, &doc);
    }
    (ex.records, ex.preamble, doc, applied)
}

/// Fills `cells` (spreadsheets, Word files) or `pages` and `boxes` (PDFs)
/// beside `lines` from the document's places.
fn attach_cells(records: &mut [Record], preamble: &mut [Residue], doc: &Document) {
    let some = |v: Vec<String>| Some(v).filter(|v| !v.is_empty());
    let cells = |lines: [usize; 2]| some(doc.cells_of(lines)).map(|c| c.join(", "));
    let boxes = |lines: [usize; 2]| some(doc.boxes_of(lines)).map(|c| c.join(", "));
    for r in records {
        r.source.cells = some(doc.cells_of(r.source.lines));
        r.source.pages = Some(doc.pages_of(r.source.lines)).filter(|p| !p.is_empty());
        r.source.boxes = some(doc.boxes_of(r.source.lines));
        for i in &mut r.indicators {
            i.cells = cells(i.lines);
            i.boxes = boxes(i.lines);
        }
        for x in &mut r.residue {
            x.cells = cells(x.lines);
            x.boxes = boxes(x.lines);
        }
    }
    for x in preamble {
        x.cells = cells(x.lines);
        x.boxes = boxes(x.lines);
    }
}

/// Decodes and processes one input's bytes with its corrections, if any; a
/// panic inside becomes an error naming the file.
pub fn process_bytes(
    bytes: &[u8],
    path: &str,
    config: &Config,
    corrections: Option<&FileCorrections>,
) -> Result<FileOutput, String> {
    process_input(std::borrow::Cow::Borrowed(bytes), path, config, corrections)
}

/// [`process_bytes`] on bytes it owns: they (and their decoded text) are
/// freed as soon as the document is read from them, so a large input does
/// not hold its bytes while its records are made and rendered.
pub fn process_owned(
    bytes: Vec<u8>,
    path: &str,
    config: &Config,
    corrections: Option<&FileCorrections>,
) -> Result<FileOutput, String> {
    process_input(std::borrow::Cow::Owned(bytes), path, config, corrections)
}

fn process_input(
    bytes: std::borrow::Cow<'_, [u8]>,
    path: &str,
    config: &Config,
    corrections: Option<&FileCorrections>,
) -> Result<FileOutput, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        let (doc, encoding, size) = read_document(bytes, path, config)?;
        let (records, preamble, document, corrections) =
            process_document(doc, path, config, corrections);
        Ok(FileOutput {
            records,
            preamble,
            document,
            encoding,
            bytes: size,
            corrections,
        })
    }))
    .unwrap_or_else(|p| Err(panic_message(path, p.as_ref())))
}

/// An input's document, the name of its encoding (or, for files that
/// store cells or places, its format) and its size in bytes. Workbooks,
/// Word files and PDFs come as a document already; text is decoded and
/// normalised. The bytes, and the decoded text, are freed on return.
fn read_document(
    bytes: std::borrow::Cow<'_, [u8]>,
    path: &str,
    config: &Config,
) -> Result<(Document, &'static str, usize), String> {
    if let Some((doc, encoding)) = read_structured(&bytes, path, config)? {
        return Ok((doc, encoding, bytes.len()));
    }
    let text = formsift_ingest::decode(&bytes, path).map_err(|e| e.to_string())?;
    Ok((
        normalize_text(&text.text, path, config),
        text.encoding,
        text.bytes,
    ))
}

/// Processes and renders one input, as [`process_owned`] and then
/// [`emit::render`] do, a form at a time: each form's record is rendered
/// as soon as it is made and then dropped, and the rows of the forms done
/// with are freed, so a large file holds neither all its records nor all
/// its rows beside its rendered output. A file with corrections is
/// processed whole, as a correction may move to another form of the file.
/// `start` is when work on the file began: the report's `millis` runs to
/// the end of rendering. A failure or panic is an error entry.
pub fn process_rendered(
    bytes: Vec<u8>,
    path: &str,
    config: &Config,
    corrections: Option<&FileCorrections>,
    start: std::time::Instant,
) -> emit::Rendered {
    let millis = || start.elapsed().as_secs_f64() * 1000.0;
    if corrections.is_some() {
        let outcome = process_owned(bytes, path, config, corrections);
        return emit::render(path, outcome, millis());
    }
    let streamed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        let (doc, encoding, size) = read_document(std::borrow::Cow::Owned(bytes), path, config)?;
        Ok(stream(doc, encoding, size, path, config, millis))
    }));
    match streamed.unwrap_or_else(|p| Err(panic_message(path, p.as_ref()))) {
        Ok(rendered) => rendered,
        Err(e) => emit::render_error(path, e),
    }
}

/// Extracts, checks and renders a document's forms one at a time (see
/// [`process_rendered`]).
fn stream(
    mut doc: Document,
    encoding: &'static str,
    size: usize,
    path: &str,
    config: &Config,
    millis: impl Fn() -> f64,
) -> emit::Rendered {
    let stem = file_stem(path);
    let (forms, mut preamble) = formsift_extract::Forms::new(&doc, config);
    let stores_cells = !doc.places.is_empty();
    if stores_cells {
        attach_cells(&mut [], &mut preamble, &doc);
    }
    let ordered = doc.index().is_ordered();
    let mut out = emit::Renderer::new(size);
    // Rows before this one have had their cells freed.
    let mut freed = 0;
    for k in 0..forms.len() {
        let mut record = forms.extract(&doc, k, path, &stem, config);
        formsift_validate::validate(&mut record, config);
        if stores_cells {
            attach_cells(std::slice::from_mut(&mut record), &mut [], &doc);
        }
        out.push(&record, &doc.index_known(ordered));
        drop(record);
        // A later form reads only its own rows, and a later review item
        // the rows of its input lines, which start at the next form's
        // first. Rows that end before that line are done with. (Rows out
        // of input order, from word boxes, are all kept.)
        if ordered && k + 1 < forms.len() {
            let next = forms.first_row(k + 1) - 1;
            let first_line = doc.lines[next].source[0];
            let done = doc.lines[..next].partition_point(|l| l.source[1] < first_line);
            for line in doc.lines.get_mut(freed..done).into_iter().flatten() {
                line.cells = Vec::new();
            }
            freed = freed.max(done);
        }
    }
    out.finish(&emit::Finished {
        path,
        encoding,
        bytes: size,
        lines: doc.lines.len(),
        preamble: &preamble,
        corrections: None,
        millis: millis(),
    })
}

/// Reads and processes one file: from `opened` when it was opened ahead
/// ([`readahead::open_ahead`]), else from its path.
pub fn process_file(
    path: &Path,
    opened: Option<readahead::Opened>,
    config: &Config,
    corrections: Option<&FileCorrections>,
) -> Result<FileOutput, String> {
    let name = path.display().to_string();
    let bytes = readahead::read(path, opened).map_err(|e| format!("cannot read {name}: {e}"))?;
    process_owned(bytes, &name, config, corrections)
}

/// An office file or a PDF as a normalised Document and the name of its
/// format; `None` for anything else (text).
fn read_structured(
    bytes: &[u8],
    path: &str,
    config: &Config,
) -> Result<Option<(Document, &'static str)>, String> {
    if let Some(kind) = formsift_office::sniff(bytes, path) {
        let grid = formsift_office::read(bytes, kind, path).map_err(|e| e.to_string())?;
        return Ok(Some((
            formsift_normalize::normalize_grid(grid, config),
            kind.as_str(),
        )));
    }
    if formsift_pdf::sniff(bytes) {
        let doc = match formsift_pdf::read(bytes, path).map_err(|e| e.to_string())? {
            formsift_pdf::Pdf::Grid(grid) => formsift_normalize::normalize_grid(grid, config),
            formsift_pdf::Pdf::Spaced { text, places } => {
                let mut doc = formsift_normalize::normalize(&text, config);
                doc.places = places;
                doc
            }
        };
        return Ok(Some((doc, "pdf")));
    }
    Ok(None)
}

pub(crate) fn panic_message(path: &str, p: &(dyn std::any::Any + Send)) -> String {
    let msg = p
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    format!("{path}: internal error while processing ({msg}); please report it with this file")
}

/// What every sample and every fixture file that reads gives (for tests
/// that hold output writers to their references over all of them).
#[cfg(test)]
pub(crate) fn every_test_input() -> Vec<(std::path::PathBuf, FileOutput)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut dirs = vec![root.join("samples")];
    for d in std::fs::read_dir(root.join("tests/fixtures")).unwrap() {
        let dir = d.unwrap().path();
        if dir.is_dir() {
            dirs.push(dir);
        }
    }
    let config = formsift_config::Config::embedded();
    let mut out = Vec::new();
    for dir in dirs {
        for f in std::fs::read_dir(&dir).unwrap() {
            let path = f.unwrap().path();
            if let Some(o) = path
                .is_file()
                .then(|| process_file(&path, None, &config, None).ok())
                .flatten()
            {
                out.push((path, o));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::path::PathBuf;

    fn tmp(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("formsift-pipeline-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn form(n: usize) -> String {
        format!(
            "财政项目支出绩效目标申报表\n(2024年度)\n项目名称\t项目{n}\n一级指标\t二级指标\t三级指标\t指标值\n产出指标\t数量指标\t人数{n}\t≥{n}人\n"
        )
    }

    /// An archive of `n` files in year folders, one of them binary.
    fn archive(d: &Path, n: usize) -> PathBuf {
        let a = d.join("archive");
        for k in 0..n {
            let p = a.join(format!("{}/f{k:03}.txt", 2019 + k % 3));
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, form(k).repeat(1 + k % 2)).unwrap();
        }
        std::fs::write(a.join("2019/bad.txt"), b"\0\0").unwrap();
        a
    }

    fn batch() -> Batch {
        Batch::new(
            Config::embedded(),
            "<embedded>",
            formsift_config::DEFAULT_TOML,
        )
    }

    fn read(p: &Path) -> String {
        std::fs::read_to_string(p).unwrap()
    }

    /// Stops the run after `after` files.
    struct StopAfter {
        after: usize,
        seen: Cell<usize>,
    }

    impl Observer for StopAfter {
        fn file_done(&self, _: &str, _: &manifest::Counts, _: bool, _: Option<&str>) {
            self.seen.set(self.seen.get() + 1);
        }
        fn input_error(&self, _: &str) {}
        fn stop_requested(&self) -> bool {
            self.seen.get() >= self.after
        }
    }

    /// A report entry without its timing.
    fn untimed(report: &serde_json::value::RawValue) -> serde_json::Value {
        let mut v: serde_json::Value = serde_json::from_str(report.get()).unwrap();
        v.as_object_mut().unwrap().remove("millis");
        v
    }

    /// Every way a file is processed gives the same output: borrowed bytes,
    /// owned bytes (freed early) and a form at a time (`process_rendered`,
    /// which frees the rows of forms done with). Checked on every fixture
    /// (each notation, encoding, office format and PDF); on files holding
    /// the first two fixtures of a notation, so that rows are freed between
    /// the forms of two files; on HTML forms side by side on one input
    /// line, where two forms share a line; and on bytes that fail.
    #[test]
    fn every_way_of_processing_a_file_gives_the_same_output() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
        let config = Config::embedded();
        let mut folders: Vec<PathBuf> = std::fs::read_dir(&root)
            .unwrap()
            .map(|d| d.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        folders.sort();
        let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
        let mut one_line = String::new();
        for folder in &folders {
            let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
                .unwrap()
                .map(|f| f.unwrap().path())
                .filter(|p| p.is_file())
                .collect();
            files.sort();
            let mut joined = String::new();
            for (k, f) in files.iter().enumerate() {
                let bytes = std::fs::read(f).unwrap();
                if let Ok(text) = std::str::from_utf8(&bytes) {
                    if k < 2 {
                        joined.push_str(text);
                        joined.push('\n');
                    }
                    if f.extension().is_some_and(|e| e == "html") && folder.ends_with("html") {
                        one_line.push_str(&text.replace('\n', " "));
                    }
                }
                inputs.push((f.display().to_string(), bytes));
            }
            if let Some(first) = files.first().filter(|_| !joined.is_empty()) {
                let name = folder.join(format!(
                    "all.{}",
                    first.extension().unwrap().to_string_lossy()
                ));
                inputs.push((name.display().to_string(), joined.into_bytes()));
            }
        }
        assert!(!one_line.is_empty(), "the HTML fixtures are there");
        inputs.push(("one-line.html".into(), one_line.repeat(3).into_bytes()));
        inputs.push(("bad.txt".into(), b"\0\0".to_vec()));
        let (mut records, mut many) = (0, 0);
        for (name, bytes) in inputs {
            let render = |o| emit::render(&name, o, 0.0);
            let borrowed = render(process_bytes(&bytes, &name, &config, None));
            let owned = render(process_owned(bytes.clone(), &name, &config, None));
            let streamed = process_rendered(bytes, &name, &config, None, std::time::Instant::now());
            for other in [&owned, &streamed] {
                // (Compared as bytes, named on failure: a file's output is long.)
                assert!(other.records == borrowed.records, "{name}: records differ");
                assert!(other.review == borrowed.review, "{name}: review differs");
                assert_eq!(untimed(&other.report), untimed(&borrowed.report), "{name}");
                assert_eq!(other.counts, borrowed.counts, "{name}");
                assert_eq!(other.error, borrowed.error, "{name}");
            }
            records += borrowed.counts.records;
            many += usize::from(borrowed.counts.records > 10);
        }
        assert!(
            records > 500 && many > 10,
            "{records} records, {many} files of many forms"
        );
    }

    #[test]
    fn a_failing_file_is_an_error_entry_not_an_abort() {
        let d = tmp("fail");
        std::fs::write(d.join("bin.txt"), b"\0\0").unwrap();
        let r = process_file(&d.join("bin.txt"), None, &Config::embedded(), None);
        assert!(r.unwrap_err().contains("bin.txt"));
    }

    /// A FIFO named like an input, in a folder or given by name, is an
    /// error for that input: the run neither waits for a writer nor stops.
    #[cfg(unix)]
    #[test]
    fn a_fifo_among_the_inputs_is_an_error_entry_not_a_hang() {
        let d = tmp("fifo");
        let a = archive(&d, 3);
        let fifo = a.join("2020/pipe.txt");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        for (k, root) in [a.clone(), fifo.clone()].into_iter().enumerate() {
            let out = d.join(format!("out{k}"));
            // (On a thread, so that a run that waited fails the test
            // instead of hanging it.)
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let _ = tx.send(batch::run(&[root], &out, &batch(), &Silent).unwrap());
            });
            let o = rx.recv_timeout(std::time::Duration::from_secs(60)).unwrap();
            let failed = 1 + u64::from(k == 0);
            assert_eq!(o.summary.files_failed, failed);
            let report = read(&d.join(format!("out{k}/report.json")));
            assert!(report.contains("pipe.txt: not a regular file"), "{report}");
        }
    }

    #[test]
    fn a_batch_writes_sorted_records_and_a_report() {
        let d = tmp("batch");
        let a = archive(&d, 12);
        let o = run_batch(&a, &d.join("out"), &batch(), &Silent);
        assert_eq!((o.summary.files_ok, o.summary.files_failed), (12, 1));
        assert_eq!(o.summary.records, 18);
        let ids: Vec<String> = read(&d.join("out/records.jsonl"))
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["source"]["path"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        let mut sorted = ids.clone();
        sorted.sort_by(|a, b| manifest::path_order(a, b));
        assert_eq!(ids, sorted);
        let report: serde_json::Value =
            serde_json::from_str(&read(&d.join("out/report.json"))).unwrap();
        assert_eq!(report["inputs"]["ok"], 12);
        assert_eq!(report["files"].as_array().unwrap().len(), 13);
        assert!(!d.join("out/records.jsonl.partial").exists());
    }

    /// Runs an archive of `files` forms' files with the default batch and
    /// with `b`, checks that both write the same records and review, and
    /// returns the outcome of the run with `b`.
    fn same_outputs_with(name: &str, files: usize, b: &Batch) -> Outcome {
        let d = tmp(name);
        let a = archive(&d, files);
        let whole = d.join("whole");
        run_batch(&a, &whole, &batch(), &Silent);
        let out = d.join("out");
        let o = run_batch(&a, &out, b, &Silent);
        for f in ["records.jsonl", "review.jsonl"] {
            assert_eq!(read(&out.join(f)), read(&whole.join(f)), "{f}");
        }
        o
    }

    #[test]
    fn a_small_hold_gives_the_same_outputs() {
        // Every result is past the hold: once the window is full the writer
        // takes each one as it comes, and no file starts while one waits to
        // be written.
        let mut b = batch();
        b.window = 8;
        b.hold = 1;
        assert_eq!(same_outputs_with("hold", 40, &b).processed, 41);
    }

    #[test]
    fn a_window_too_large_to_hold_its_files_open_gives_the_same_outputs() {
        let mut b = batch();
        b.window = readahead::MOST_HELD_OPEN + 1;
        assert_eq!(same_outputs_with("wide", 20, &b).processed, 21);
    }

    #[test]
    fn a_file_past_the_limit_is_recorded_failed_and_the_batch_goes_on() {
        let d = tmp("limit");
        let a = archive(&d, 6);
        // A file of 20,000 forms takes seconds, the others milliseconds.
        let big = a.join("2020/big.txt");
        std::fs::write(&big, form(7).repeat(20_000)).unwrap();
        let whole = d.join("whole");
        run_batch(&a, &whole, &batch(), &Silent);
        let mut b = batch();
        b.file_limit = Some(std::time::Duration::from_millis(300));
        let out = d.join("out");
        let o = run_batch(&a, &out, &b, &Silent);
        let big_path = big.display().to_string();
        assert!(o.given_up.contains(&big_path), "{:?}", o.given_up);
        assert!(!o.stalled && !o.interrupted);
        let report = read(&out.join("report.json"));
        assert!(
            report.contains("the most one file may take (--file-limit)"),
            "{report}"
        );
        // Every other file is written as without a limit (or, had it also
        // run past the millisecond, recorded failed), and nothing of the
        // big file's is.
        let lines = |dir: &Path| -> Vec<String> {
            read(&dir.join("records.jsonl"))
                .lines()
                .map(String::from)
                .collect()
        };
        let written = lines(&out);
        assert!(written.iter().all(|l| lines(&whole).contains(l)));
        assert!(!written.iter().any(|l| l.contains("big.txt")));
        // (The binary file fails on its own, unless given up on first.)
        let bad = a.join("2019/bad.txt").display().to_string();
        let failed = o.given_up.len() + usize::from(!o.given_up.contains(&bad));
        assert_eq!(o.summary.files_failed, failed as u64);
        // A re-run without a limit skips it: its failure is reused.
        let again = run_batch(&a, &out, &batch(), &Silent);
        assert!(again.given_up.is_empty());
        assert!(read(&out.join("report.json")).contains("--file-limit"));
        // Tried again (no earlier output), it is read whole.
        let mut fresh = batch();
        fresh.reuse = false;
        run_batch(&a, &out, &fresh, &Silent);
        assert_eq!(
            read(&out.join("records.jsonl")),
            read(&whole.join("records.jsonl"))
        );
    }

    /// A file given up on while it is read (a read that hangs past the
    /// limit) is known by its length and time: a re-run skips it without
    /// reading it (a read would hang again and be given up again), and
    /// reads it once it has changed.
    #[test]
    fn a_file_given_up_on_while_it_is_read_is_skipped_by_a_rerun() {
        use std::time::Duration;
        let d = tmp("hung");
        let a = archive(&d, 4);
        let hung = a.join("2020/f001.txt");
        let hung_path = hung.display().to_string();
        batch::slow_reads::set(&hung, Duration::from_secs(3));
        let mut b = batch();
        b.file_limit = Some(Duration::from_millis(300));
        let out = d.join("out");
        let first = run_batch(&a, &out, &b, &Silent);
        assert_eq!(first.given_up, vec![hung_path.clone()]);
        let manifest = read(&out.join("manifest.jsonl"));
        let line = manifest.lines().find(|l| l.contains("f001.txt")).unwrap();
        assert!(line.contains("\"hash\":\"stat:"), "{line}");
        // Read again, it would hang past the limit again.
        let again = run_batch(&a, &out, &b, &Silent);
        assert!(again.given_up.is_empty(), "{:?}", again.given_up);
        assert_eq!(again.processed, 0, "every file reused");
        assert!(read(&out.join("report.json")).contains("--file-limit"));
        // Changed (here, longer), it is read, and now its read does not hang.
        batch::slow_reads::clear(&hung);
        std::fs::write(&hung, form(1).repeat(3)).unwrap();
        let changed = run_batch(&a, &out, &b, &Silent);
        assert!(changed.given_up.is_empty() && changed.processed == 1);
        let records = read(&out.join("records.jsonl"));
        assert_eq!(records.matches("f001#").count(), 3, "its three forms");
    }

    fn run_batch(a: &Path, out: &Path, b: &Batch, o: &dyn Observer) -> Outcome {
        batch::run(&[a.to_path_buf()], out, b, o).unwrap()
    }

    #[test]
    fn a_rerun_reuses_unchanged_files_and_redoes_changed_ones() {
        let d = tmp("rerun");
        let a = archive(&d, 10);
        let out = d.join("out");
        let first = run_batch(&a, &out, &batch(), &Silent);
        assert_eq!(first.processed, 11);
        let again = run_batch(&a, &out, &batch(), &Silent);
        assert_eq!((again.processed, again.summary.files_reused), (0, 11));
        assert_eq!(again.summary.records, first.summary.records);
        let before = read(&out.join("records.jsonl"));
        std::fs::write(a.join("2020/f001.txt"), form(99)).unwrap();
        let changed = run_batch(&a, &out, &batch(), &Silent);
        assert_eq!(changed.processed, 1);
        let after = read(&out.join("records.jsonl"));
        assert_ne!(before, after);
        assert!(after.contains("项目99"));
        let fresh = tmp("rerun-fresh");
        run_batch(&a, &fresh, &batch(), &Silent);
        assert_eq!(after, read(&fresh.join("records.jsonl")));
        // Other rules: nothing is reused.
        let mut other = batch();
        other.config_hash = "other".into();
        assert_eq!(run_batch(&a, &out, &other, &Silent).processed, 11);
    }

    #[test]
    fn an_interrupted_run_resumes_to_the_same_outputs() {
        let d = tmp("resume");
        let a = archive(&d, 30);
        let whole = d.join("whole");
        run_batch(&a, &whole, &batch(), &Silent);
        let out = d.join("out");
        let mut b = batch();
        b.window = 2;
        for after in [5, 9] {
            let stop = StopAfter {
                after,
                seen: Cell::new(0),
            };
            let o = run_batch(&a, &out, &b, &stop);
            assert!(o.interrupted);
            assert!(!out.join("records.jsonl").exists());
        }
        let o = run_batch(&a, &out, &b, &Silent);
        assert!(!o.interrupted);
        // At least the 9 files reported done before the second stop were
        // kept; files in flight at a stop may or may not have been.
        assert!(o.processed <= 31 - 9, "{o:?}");
        for f in ["records.jsonl", "review.jsonl"] {
            assert_eq!(read(&out.join(f)), read(&whole.join(f)), "{f}");
        }
        let leftovers: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("resume") || n.contains("partial"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn a_journal_cut_mid_line_is_trusted_up_to_the_cut() {
        let d = tmp("torn");
        let a = archive(&d, 8);
        let whole = d.join("whole");
        run_batch(&a, &whole, &batch(), &Silent);
        let out = d.join("out");
        let stop = StopAfter {
            after: 6,
            seen: Cell::new(0),
        };
        let mut b = batch();
        b.window = 1;
        run_batch(&a, &out, &b, &stop);
        // A kill while writing: the journal's last line is torn and the
        // records file holds bytes no entry points to.
        let j = out.join("manifest.jsonl.partial");
        let text = read(&j);
        std::fs::write(&j, &text[..text.len() - 40]).unwrap();
        let r = out.join("records.jsonl.partial");
        let mut rec = std::fs::read(&r).unwrap();
        rec.extend_from_slice(b"{\"half\": ");
        std::fs::write(&r, rec).unwrap();
        let o = run_batch(&a, &out, &batch(), &Silent);
        assert_eq!(
            read(&out.join("records.jsonl")),
            read(&whole.join("records.jsonl"))
        );
        assert!(o.processed >= 1 && o.processed < 9, "{o:?}");
    }

    #[test]
    fn shards_merge_into_the_unsharded_output() {
        let d = tmp("shards");
        let a = archive(&d, 25);
        let whole = d.join("whole");
        run_batch(&a, &whole, &batch(), &Silent);
        let mut dirs = Vec::new();
        let mut total = 0;
        for k in 0..3 {
            let mut b = batch();
            b.shard = Some(format!("{k}/3").parse().unwrap());
            let dir = d.join(format!("shard-{k}"));
            total += run_batch(&a, &dir, &b, &Silent).processed;
            dirs.push(dir);
        }
        assert_eq!(total, 26);
        let m = merge::merge(&dirs, &d.join("merged"), "<embedded>").unwrap();
        assert!(m.duplicates.is_empty());
        for f in ["records.jsonl", "review.jsonl"] {
            assert_eq!(read(&d.join("merged").join(f)), read(&whole.join(f)), "{f}");
        }
        assert_eq!(m.summary.files_ok, 25);
        let all = emit::Coverage {
            count: 3,
            merged: vec![0, 1, 2],
            missing: vec![],
        };
        assert_eq!(m.coverage, Some(all));
        let report = read(&d.join("shard-1/report.json"));
        assert!(report.contains("\"shard\": \"1/3\""), "{report}");
        // A shard left out is named, in the merge and its report.
        let two = [dirs[0].clone(), dirs[2].clone(), dirs[2].clone()];
        let m = merge::merge(&two, &d.join("part"), "<embedded>").unwrap();
        let c = m.coverage.unwrap();
        assert_eq!((c.merged, c.missing), (vec![0, 2], vec![1]));
        let report: serde_json::Value =
            serde_json::from_str(&read(&d.join("part/report.json"))).unwrap();
        assert_eq!(report["shards"]["missing"], serde_json::json!([1]));
        // A run over the whole archive says nothing of shards; shards of
        // another series are refused.
        assert_eq!(
            merge::merge(&[whole.clone()], &d.join("w"), "")
                .unwrap()
                .coverage,
            None
        );
        let mut b = batch();
        b.shard = Some("0/2".parse().unwrap());
        run_batch(&a, &d.join("half"), &b, &Silent);
        let mixed = [dirs[1].clone(), d.join("half")];
        assert!(matches!(
            merge::merge(&mixed, &d.join("m3"), "<embedded>"),
            Err(merge::MergeError::ShardCount { .. })
        ));
        // Shards of other rules are refused.
        let mut b = batch();
        b.config_hash = "other".into();
        run_batch(&a, &d.join("odd"), &b, &Silent);
        dirs.push(d.join("odd"));
        assert!(matches!(
            merge::merge(&dirs, &d.join("m2"), "<embedded>"),
            Err(merge::MergeError::Mismatch { .. })
        ));
    }
}
