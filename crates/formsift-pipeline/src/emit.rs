//! The emit step: records, review items and the report as JSON.
//!
//! Each file's output is rendered to bytes as soon as it is processed
//! ([`render`]); the report is written at the end by streaming the manifest,
//! so neither holds the archive in memory.

use crate::FileOutput;
use crate::manifest::{self, Counts};
use formsift_model::{LineIndex, Record};
use serde::Serialize;
use serde_json::value::RawValue;
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
    /// The output folder cannot be made or used (a path under a file, a
    /// read-only place), before anything is written: the `--out` given is
    /// at fault, not the run.
    #[error(
        "cannot use {path} for the output (give --out a folder that can be made and written): {source}"
    )]
    OutFolder {
        /// The folder, or the file in it that could not be made.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

impl EmitError {
    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> EmitError + '_ {
        move |source| EmitError::Io {
            path: path.display().to_string(),
            source,
        }
    }

    /// [`EmitError::OutFolder`] for `path`.
    pub(crate) fn out_folder(path: &Path) -> impl FnOnce(std::io::Error) -> EmitError + '_ {
        move |source| EmitError::OutFolder {
            path: path.display().to_string(),
            source,
        }
    }

    /// Whether the run had begun writing when it failed (a full disk):
    /// the same command may work again, where an [`EmitError::OutFolder`]
    /// needs another `--out`.
    pub fn while_writing(&self) -> bool {
        matches!(self, EmitError::Io { .. })
    }
}

/// One record as a JSON line.
pub fn record_line(r: &Record) -> String {
    let mut out = Vec::new();
    crate::record_json::write_record(&mut out, r).expect("records serialise");
    String::from_utf8(out).expect("JSON of UTF-8 text is UTF-8")
}

/// The non-blank lines of a span as `input line: cells`, one a line.
fn source_text(index: &LineIndex, lines: [usize; 2]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(256);
    for l in index.rows_in(lines).filter(|l| !l.is_blank()) {
        if !out.is_empty() {
            out.push('\n');
        }
        write!(out, "{}: ", l.source[0]).expect("writing to a String");
        for (k, (_, c)) in l.filled().enumerate() {
            if k > 0 {
                out.push(' ');
            }
            out.push_str(c.text.trim());
        }
    }
    out
}

/// One review item (see [`write_review_items`]); `path` is the JSON
/// pointer of the item's value in the record.
#[derive(serde::Serialize)]
struct ReviewItem<'a, V> {
    id: &'a str,
    path: &'a str,
    fingerprint: String,
    confidence: f64,
    flags: &'a [String],
    source_text: String,
    value: V,
}

/// What a reviewer corrects of a record as a whole.
#[derive(serde::Serialize)]
struct RecordValue<'a> {
    form_type: &'a str,
    title: &'a str,
    year: Option<i64>,
    fields: &'a formsift_model::Fields,
    funds: &'a formsift_model::Funds,
    checks: &'a [formsift_model::Check],
}

/// Writes the review items of a record as JSON lines to `out`: the record
/// itself when it needs review, and each indicator that does; returns how
/// many. `fingerprint` ties a reviewer's correction to the item's source
/// text (see `formsift-corrections`). Keys come in sorted order, as a JSON
/// value tree holds them ([`crate::json::write_sorted`]); building that
/// tree for each item cost more than writing the item.
pub fn write_review_items(r: &Record, index: &LineIndex, out: &mut Vec<u8>) -> u64 {
    let mut n = 0;
    if r.review {
        let item = ReviewItem {
            id: &r.id,
            path: "",
            fingerprint: formsift_corrections::fingerprint_in(index, r.source.lines),
            confidence: r.confidence,
            flags: &r.flags,
            source_text: source_text(index, r.source.lines),
            value: RecordValue {
                form_type: &r.form_type,
                title: &r.title,
                year: r.year,
                fields: &r.fields,
                funds: &r.funds,
                checks: &r.checks,
            },
        };
        write_line(out, &item);
        n += 1;
    }
    for (k, ind) in r.indicators.iter().enumerate() {
        if ind.review {
            write_row_item(out, r, k, index);
            n += 1;
        }
    }
    n
}

/// A row's review item and its newline: [`ReviewItem`]'s keys in sorted
/// order, written by hand as the row itself is (see
/// [`crate::record_json::write_indicator_sorted`]).
fn write_row_item(out: &mut Vec<u8>, r: &Record, k: usize, index: &LineIndex) {
    use crate::json::{write_f64, write_int, write_str};
    let ind = &r.indicators[k];
    out.extend_from_slice(b"{\"confidence\":");
    write_f64(out, ind.confidence);
    out.extend_from_slice(b",\"fingerprint\":");
    write_str(out, &formsift_corrections::fingerprint_in(index, ind.lines));
    out.extend_from_slice(b",\"flags\":");
    crate::record_json::write_strs(out, &ind.flags);
    out.extend_from_slice(b",\"id\":");
    write_str(out, &r.id);
    out.extend_from_slice(b",\"path\":\"/indicators/");
    write_int(out, k);
    out.extend_from_slice(b"\",\"source_text\":");
    write_str(out, &source_text(index, ind.lines));
    out.extend_from_slice(b",\"value\":");
    crate::record_json::write_indicator_sorted(out, ind);
    out.extend_from_slice(b"}\n");
}

/// Writes one review item and its newline.
fn write_line<V: serde::Serialize>(out: &mut Vec<u8>, item: &ReviewItem<'_, V>) {
    crate::json::write_sorted(out, item).expect("review items serialise");
    out.push(b'\n');
}

/// One file's output as bytes: records.jsonl lines, review.jsonl lines, its
/// report entry and its counts.
pub struct Rendered {
    /// Record lines.
    pub records: Vec<u8>,
    /// Review lines.
    pub review: Vec<u8>,
    /// The file's entry in report.json, as JSON text (see [`FileReport`]).
    pub report: Box<RawValue>,
    /// Why the file could not be read or processed, when it could not.
    pub error: Option<String>,
    /// Counts for the summary.
    pub counts: Counts,
}

/// A file's entry in report.json, written straight to JSON text with its
/// keys sorted (the bytes a `serde_json::Value` of it would give). A file
/// without forms keeps its text as the preamble; as a value tree, a 22 MB
/// such file's preamble took 355 MB more memory and half a second more
/// than as text.
#[derive(Serialize)]
struct FileReport<'a> {
    path: &'a str,
    status: &'static str,
    encoding: &'a str,
    bytes: usize,
    lines: usize,
    forms: usize,
    records_for_review: usize,
    rows_for_review: usize,
    preamble: &'a [formsift_model::Residue],
    /// How long the file took, in milliseconds: read and processed, and in
    /// a batch run (which renders each form as it is made) rendered too.
    millis: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    corrections: Option<&'a formsift_corrections::Applied>,
}

/// The entry of a file that could not be read or processed.
#[derive(Serialize)]
struct ErrorReport<'a> {
    path: &'a str,
    status: &'static str,
    error: &'a str,
}

/// `report` as JSON text, keys sorted.
fn raw_report(report: &impl Serialize) -> Box<RawValue> {
    let mut out = Vec::new();
    crate::json::write_sorted(&mut out, report).expect("reports serialise");
    let text = String::from_utf8(out).expect("JSON is UTF-8");
    RawValue::from_string(text).expect("the writer writes JSON")
}

/// Renders what one file gave. Each record is dropped once its lines are
/// written, so a large file does not hold its records and their rendered
/// bytes at once.
pub fn render(path: &str, outcome: Result<FileOutput, String>, millis: f64) -> Rendered {
    match outcome {
        Ok(mut o) => {
            let mut out = Renderer::new(o.bytes);
            // (One index for every review item's lookup: a lookup of its
            // own looks at the whole document, which made review items cost
            // as the square of a large file's size.)
            let index = o.document.index();
            for rec in std::mem::take(&mut o.records) {
                out.push(&rec, &index);
            }
            out.finish(&Finished {
                path,
                encoding: o.encoding,
                bytes: o.bytes,
                lines: o.document.lines.len(),
                preamble: &o.preamble,
                corrections: o.corrections.as_ref(),
                millis,
            })
        }
        Err(e) => render_error(path, e),
    }
}

/// The output of a file that could not be read or processed: no lines,
/// and an error entry for the report.
pub fn render_error(path: &str, error: String) -> Rendered {
    Rendered {
        records: Vec::new(),
        review: Vec::new(),
        report: raw_report(&ErrorReport {
            path,
            status: "error",
            error: &error,
        }),
        error: Some(error),
        counts: Counts {
            failed: 1,
            ..Counts::default()
        },
    }
}

/// One file's output rendered a record at a time, as each is made or
/// taken: its lines and review items, and the counts for its report.
pub(crate) struct Renderer {
    records: Vec<u8>,
    review: Vec<u8>,
    counts: Counts,
    records_for_review: usize,
    rows_for_review: usize,
}

/// What a file's report says besides what its records count.
pub(crate) struct Finished<'a> {
    pub(crate) path: &'a str,
    pub(crate) encoding: &'a str,
    pub(crate) bytes: usize,
    pub(crate) lines: usize,
    pub(crate) preamble: &'a [formsift_model::Residue],
    pub(crate) corrections: Option<&'a formsift_corrections::Applied>,
    pub(crate) millis: f64,
}

impl Renderer {
    /// Ready for the records of a file of `bytes` input bytes.
    pub(crate) fn new(bytes: usize) -> Renderer {
        // Room for the usual record bytes at once (about 2.3 per input
        // byte on the samples, more for files of short lines, whose
        // buffers at 2.5 still grew): growing by doubling copied each
        // buffer several times over.
        Renderer {
            records: Vec::with_capacity(bytes * 3),
            review: Vec::new(),
            counts: Counts {
                bytes: bytes as u64,
                ..Counts::default()
            },
            records_for_review: 0,
            rows_for_review: 0,
        }
    }

    /// Writes a record's line and its review items (their source text
    /// looked up in `index`, the file's document).
    pub(crate) fn push(&mut self, rec: &Record, index: &LineIndex) {
        crate::record_json::write_record(&mut self.records, rec).expect("records serialise");
        self.records.push(b'\n');
        self.counts.records += 1;
        self.counts.rows += rec.indicators.len() as u64;
        self.counts.review_items += write_review_items(rec, index, &mut self.review);
        self.records_for_review += usize::from(rec.review);
        self.rows_for_review += rec.indicators.iter().filter(|i| i.review).count();
    }

    /// The rendered file, with its report.
    pub(crate) fn finish(mut self, f: &Finished) -> Rendered {
        if let Some(a) = f.corrections {
            self.counts.corrections_applied = a.applied as u64;
            self.counts.corrections_unmatched = a.unmatched.len() as u64;
        }
        let report = FileReport {
            path: f.path,
            status: "ok",
            encoding: f.encoding,
            bytes: f.bytes,
            lines: f.lines,
            forms: self.counts.records as usize,
            records_for_review: self.records_for_review,
            rows_for_review: self.rows_for_review,
            preamble: f.preamble,
            millis: (f.millis * 1000.0).round() / 1000.0,
            corrections: f.corrections,
        };
        Rendered {
            records: self.records,
            review: self.review,
            report: raw_report(&report),
            error: None,
            counts: self.counts,
        }
    }
}

/// Totals of a run, for the report and the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Inputs read.
    pub files_ok: u64,
    /// Inputs that failed (including paths that gave no input).
    pub files_failed: u64,
    /// Inputs whose output was reused from an earlier run.
    pub files_reused: u64,
    /// Input bytes.
    pub bytes: u64,
    /// Records written.
    pub records: u64,
    /// Indicator rows written.
    pub rows: u64,
    /// Review items written.
    pub review_items: u64,
    /// Corrections applied.
    pub corrections_applied: u64,
    /// Corrections of files in the run that found no row or record.
    pub corrections_unmatched: u64,
    /// Inputs with records whose file name (without extension) an earlier
    /// input with records had, in another folder: RECORD.md's ids are the
    /// file name and form number, so their ids repeat that input's.
    pub files_sharing_ids: u64,
    /// The first few such file names.
    pub shared_names: Vec<String>,
    /// Inputs read without a failure in which no form was found.
    pub files_without_forms: u64,
}

/// What report.json says of a run besides its files.
#[derive(Debug, Clone, Default)]
pub struct RunInfo {
    /// Where the rules came from.
    pub config_origin: String,
    /// The corrections file, when the run applied one.
    pub corrections_file: Option<String>,
    /// Corrections for inputs that are not in this run: (file stem, count).
    pub corrections_not_in_run: Vec<(String, usize)>,
    /// The part of the archive the run took (`--shard K/N`), if it took one.
    pub shard: Option<crate::walk::Shard>,
    /// For a merge of shards: which shards it holds.
    pub coverage: Option<Coverage>,
    /// Output folders of formsift runs among the inputs, passed over.
    pub passed_over: Vec<String>,
    /// Files among the inputs of kinds formsift does not read: (extension,
    /// count).
    pub not_read: Vec<(String, u64)>,
}

/// Which shards of an archive cut into `count` a merge holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Coverage {
    /// How many shards the archive was cut into (the `N` of `--shard K/N`).
    pub count: u64,
    /// The shards merged (each `K` once, in order).
    pub merged: Vec<u64>,
    /// The shards of `0..count` not merged: their files are not in the
    /// output.
    pub missing: Vec<u64>,
}

impl Summary {
    /// Adds one file.
    pub fn add(&mut self, c: &Counts, reused: bool) {
        if c.failed > 0 {
            self.files_failed += 1;
        } else {
            self.files_ok += 1;
        }
        self.files_reused += u64::from(reused);
        self.bytes += c.bytes;
        self.records += c.records;
        self.rows += c.rows;
        self.review_items += c.review_items;
        self.corrections_applied += c.corrections_applied;
        self.corrections_unmatched += c.corrections_unmatched;
        self.files_without_forms += u64::from(c.failed == 0 && c.records == 0);
    }
}

/// What report.json's file list needs of a manifest line: a file's report
/// (a file line is the one with counts) or a path's input error. The report
/// is kept as the JSON text the journal wrote (compact, by serde_json), and
/// copied as it is: parsing it into a tree and writing it again gave the
/// same bytes at several times the cost.
#[derive(serde::Deserialize)]
struct ReportLine {
    #[serde(default)]
    counts: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    report: Option<Box<serde_json::value::RawValue>>,
    #[serde(default)]
    input_error: Option<String>,
}

/// Writes report.json to `dest`: the run's totals `s` (the journal's, see
/// [`manifest::Journal::sync`]) first, then one compact line per file of
/// the manifest at `manifest`, streamed.
pub fn write_report(
    dest: &Path,
    manifest: &Path,
    s: &Summary,
    info: &RunInfo,
    elapsed_ms: f64,
) -> Result<(), EmitError> {
    let secs = elapsed_ms / 1000.0;
    let mut head = json!({
        "formsift": env!("CARGO_PKG_VERSION"),
        "config": info.config_origin,
        "inputs": {"ok": s.files_ok, "failed": s.files_failed, "reused": s.files_reused, "bytes": s.bytes},
        "records": s.records,
        "indicators": s.rows,
        "review_items": s.review_items,
        "timings": {"total_ms": (elapsed_ms * 1000.0).round() / 1000.0,
                    "mb_per_s": if secs > 0.0 { (s.bytes as f64 / 1e6) / secs } else { 0.0 }},
    });
    if let Some(shard) = info.shard {
        head["shard"] = json!(shard.to_string());
    }
    if let Some(c) = &info.coverage {
        head["shards"] = json!({"count": c.count, "merged": c.merged, "missing": c.missing});
    }
    if !info.passed_over.is_empty() {
        head["passed_over"] = json!(info.passed_over);
    }
    if !info.not_read.is_empty() {
        let kinds: serde_json::Map<String, Value> = info
            .not_read
            .iter()
            .map(|(kind, n)| (kind.clone(), json!(n)))
            .collect();
        head["not_read"] = Value::Object(kinds);
    }
    if s.files_sharing_ids > 0 {
        head["ids_shared"] = json!({"files": s.files_sharing_ids, "names": s.shared_names});
    }
    if info.corrections_file.is_some() || s.corrections_applied + s.corrections_unmatched > 0 {
        let not_in_run: Vec<Value> = info
            .corrections_not_in_run
            .iter()
            .map(|(stem, n)| json!({"file_stem": stem, "corrections": n}))
            .collect();
        head["corrections"] = json!({
            "file": info.corrections_file,
            "applied": s.corrections_applied,
            "unmatched": s.corrections_unmatched,
            "not_in_run": not_in_run,
        });
    }
    let err = EmitError::io(dest);
    let mut w = std::io::BufWriter::new(std::fs::File::create(dest).map_err(EmitError::io(dest))?);
    let mut write = || -> std::io::Result<()> {
        let head = serde_json::to_string_pretty(&head)?;
        w.write_all(head.trim_end_matches('}').trim_end().as_bytes())?;
        w.write_all(b",\n  \"files\": [")?;
        let mut first = true;
        for line in manifest::read_lines_as::<ReportLine>(manifest)? {
            let error;
            let entry: &str = match &line {
                ReportLine {
                    counts: Some(_),
                    report,
                    ..
                } => report.as_deref().map_or("null", |r| r.get()),
                ReportLine {
                    input_error: Some(input_error),
                    ..
                } => {
                    error = serde_json::to_string(
                        &json!({"path": Value::Null, "status": "error", "error": input_error}),
                    )?;
                    &error
                }
                _ => continue,
            };
            w.write_all(if first { b"\n    " } else { b",\n    " })?;
            w.write_all(entry.as_bytes())?;
            first = false;
        }
        w.write_all(b"\n  ]\n}\n")?;
        w.flush()?;
        w.get_ref().sync_all()
    };
    write().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Review items built as JSON value trees, as they were before
    /// [`write_review_items`] wrote them directly.
    fn items_as_values(r: &Record, index: &LineIndex) -> Vec<u8> {
        let mut items = Vec::new();
        if r.review {
            items.push(json!({
                "id": r.id,
                "path": "",
                "fingerprint": formsift_corrections::fingerprint_in(index, r.source.lines),
                "confidence": r.confidence,
                "flags": r.flags,
                "source_text": source_text(index, r.source.lines),
                "value": {"form_type": r.form_type, "title": r.title, "year": r.year,
                          "fields": r.fields, "funds": r.funds, "checks": r.checks},
            }));
        }
        for (k, ind) in r.indicators.iter().enumerate() {
            if ind.review {
                items.push(json!({
                    "id": r.id,
                    "path": format!("/indicators/{k}"),
                    "fingerprint": formsift_corrections::fingerprint_in(index, ind.lines),
                    "confidence": ind.confidence,
                    "flags": ind.flags,
                    "source_text": source_text(index, ind.lines),
                    "value": ind,
                }));
            }
        }
        let mut out = Vec::new();
        for item in items {
            serde_json::to_writer(&mut out, &item).unwrap();
            out.push(b'\n');
        }
        out
    }

    #[test]
    fn review_items_are_the_bytes_of_their_value_trees() {
        // Every sample and every fixture file that reads: records and
        // indicators in review, with measures, alternatives, cells, boxes
        // and field flags.
        let (mut records, mut items) = (0, 0);
        for (path, o) in crate::every_test_input() {
            let index = o.document.index();
            for r in &o.records {
                let mut out = Vec::new();
                let n = write_review_items(r, &index, &mut out);
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    String::from_utf8(items_as_values(r, &index)).unwrap(),
                    "{}",
                    path.display()
                );
                records += 1;
                items += n;
            }
        }
        assert!(
            records > 100 && items > 100,
            "{records} records, {items} items"
        );
    }

    /// The report's counts (counted as each record is written and dropped)
    /// are the records' own, on every test input, and a file's record lines
    /// are its records' JSON in order.
    #[test]
    fn the_report_counts_what_the_records_hold() {
        let (mut files, mut in_review) = (0, 0);
        for (path, o) in crate::every_test_input() {
            let want_lines: Vec<String> = o
                .records
                .iter()
                .map(|r| serde_json::to_string(r).unwrap())
                .collect();
            let forms = o.records.len();
            let records_for_review = o.records.iter().filter(|r| r.review).count();
            let rows_for_review = o
                .records
                .iter()
                .flat_map(|r| &r.indicators)
                .filter(|i| i.review)
                .count();
            let rows: usize = o.records.iter().map(|r| r.indicators.len()).sum();
            let lines = o.document.lines.len();
            let name = path.display().to_string();
            let r = render(&name, Ok(o), 0.0);
            let report: Value = serde_json::from_str(r.report.get()).unwrap();
            assert_eq!(report["forms"], forms, "{name}");
            assert_eq!(report["records_for_review"], records_for_review, "{name}");
            assert_eq!(report["rows_for_review"], rows_for_review, "{name}");
            assert_eq!(report["lines"], lines, "{name}");
            assert_eq!(
                (r.counts.records, r.counts.rows),
                (forms as u64, rows as u64)
            );
            let text = String::from_utf8(r.records).unwrap();
            assert_eq!(text.lines().collect::<Vec<_>>(), want_lines, "{name}");
            files += 1;
            in_review += records_for_review + rows_for_review;
        }
        assert!(
            files > 50 && in_review > 50,
            "{files} files, {in_review} in review"
        );
    }

    #[test]
    fn the_report_heads_with_the_totals_and_lists_every_manifest_line() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join("manifest.jsonl");
        let file = |path: &str, counts: &str, report: &str| {
            format!(
                r#"{{"path":"{path}","relative":"{path}","hash":"h","records":[0,0],"review":[0,0],"counts":{counts},"report":{report}}}"#
            )
        };
        let counts = r#"{"bytes":10,"records":2,"rows":5,"review_items":1,"failed":0,"corrections_applied":0,"corrections_unmatched":0}"#;
        let lines = [
            r#"{"formsift":"0","config":"c"}"#.to_string(),
            file("a.txt", counts, r#"{"path":"a.txt","status":"ok"}"#),
            file(
                "b.txt",
                counts,
                r#"{"path":"b.txt","status":"ok","reused":null}"#,
            ),
            // A file line without a report (none is written so) lists null.
            r#"{"path":"c.txt","relative":"c.txt","hash":"h","records":[0,0],"review":[0,0],"counts":{}}"#.to_string(),
            r#"{"input_error":"missing.txt: no such file"}"#.to_string(),
            r#"{"path":"torn"#.to_string(),
            file("after-torn.txt", counts, "{}"),
        ];
        std::fs::write(&manifest, lines.join("\n")).unwrap();
        let dest = dir.path().join("report.json");
        let totals = Summary {
            files_ok: 2,
            files_reused: 1,
            files_failed: 1,
            records: 4,
            ..Summary::default()
        };
        write_report(&dest, &manifest, &totals, &RunInfo::default(), 1.0).unwrap();
        let report: Value = serde_json::from_str(&std::fs::read_to_string(&dest).unwrap()).unwrap();
        let files = report["files"].as_array().unwrap();
        assert_eq!(files.len(), 4, "reading stops at the torn line");
        assert_eq!(files[0]["path"], "a.txt");
        assert_eq!(files[1]["reused"], Value::Null);
        assert!(files[2].is_null());
        assert_eq!(files[3]["error"], "missing.txt: no such file");
        assert_eq!(files[3]["path"], Value::Null);
        assert_eq!(report["inputs"]["reused"], 1);
        assert_eq!(report["inputs"]["failed"], 1);
        assert_eq!(report["records"], 4);
    }

    /// A file's report is copied from the journal's text: the same bytes
    /// as writing its value, escapes, non-ASCII text and floats included.
    #[test]
    fn a_report_entry_is_the_value_the_journal_was_given() {
        let dir = tempfile::tempdir().unwrap();
        let (set, mut j) = manifest::scratch_journal(dir.path());
        let report = json!({
            "path": "年度/表\"一\".txt", "status": "ok", "millis": 0.1 + 0.2,
            "preamble": ["a\tb\u{1f}", "≥90%"], "forms": 3, "n": -7,
        });
        let entry = manifest::Entry {
            path: "a".into(),
            relative: "a".into(),
            hash: "h".into(),
            records: [0, 0],
            review: [0, 0],
            output: String::new(),
            counts: Counts::default(),
            report: serde_json::value::to_raw_value(&report).unwrap(),
        };
        j.append(entry, Vec::new(), Vec::new()).unwrap();
        let totals = j.sync().unwrap();
        let dest = dir.path().join("report.json");
        write_report(&dest, &set.manifest, &totals, &RunInfo::default(), 1.0).unwrap();
        let text = std::fs::read_to_string(&dest).unwrap();
        let want = serde_json::to_string(&report).unwrap();
        assert!(text.contains(&format!("\n    {want}\n  ]")), "{text}");
    }
}
