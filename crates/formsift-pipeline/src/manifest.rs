//! The manifest: one line per input saying what it was (content hash) and
//! where its output lies (byte ranges in records.jsonl and review.jsonl).
//!
//! A run appends to a journal (`manifest.jsonl.partial`) after each file's
//! records are written, so the journal of an interrupted run says exactly
//! which files are done. When the run completes, the journal becomes
//! `manifest.jsonl`. Both are read back as [`Source`]s: a later run copies the
//! output of unchanged files instead of processing them again.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::cmp::Ordering;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::emit::Summary;
use crate::spool::Spool;
use crate::writeback::Writeback;

/// What invalidates earlier output: the formsift version and the rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// formsift version that wrote the output.
    pub formsift: String,
    /// Hash of the pipeline.toml text in force.
    pub config: String,
}

/// The manifest's hash of an input's bytes: `xxh3:` and the 128-bit XXH3
/// in hex. It only has to tell a changed file from an unchanged one, not
/// resist an attacker; XXH3 does that several times faster than blake3
/// (which hashed files before: such a manifest's hashes never match, so its
/// files are processed again once).
pub fn content_hash(bytes: &[u8]) -> String {
    format!("xxh3:{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}

/// What stands for an input's hash when the input was given up on before
/// its bytes were read (a read that hung past `--file-limit`): `stat:`, its
/// length and the nanoseconds of its last change. A re-run skips such a
/// file, without reading it, while both stay the same. `None` where the
/// file system gives no time.
pub fn stat_identity(len: u64, modified: Option<std::time::SystemTime>) -> Option<String> {
    let since = modified?.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some(format!("stat:{len}:{}", since.as_nanos()))
}

/// One input's line in the manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    /// The input path as walked.
    pub path: String,
    /// Path relative to its root (the shard key).
    pub relative: String,
    /// [`content_hash`] of the input bytes (plus `+` and the digest of its
    /// corrections when it has some).
    pub hash: String,
    /// Byte range `[offset, length]` of its records in records.jsonl.
    pub records: [u64; 2],
    /// Byte range of its items in review.jsonl.
    pub review: [u64; 2],
    /// [`output_digest`] of those records and items, to tell whether they
    /// are still what was written before they are reused (empty in
    /// manifests written before it was kept: such output is trusted).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub output: String,
    /// Counts for the summary: records, indicator rows, review items, forms
    /// sent to review.
    pub counts: Counts,
    /// The file's entry in report.json (status, encoding, preamble, error…),
    /// as JSON text: written and read without a value tree of it (a file
    /// without forms keeps all its text in its preamble).
    pub report: Box<RawValue>,
}

impl PartialEq for Entry {
    fn eq(&self, o: &Entry) -> bool {
        (
            &self.path,
            &self.relative,
            &self.hash,
            self.records,
            self.review,
            &self.output,
            self.counts,
            self.report.get(),
        ) == (
            &o.path,
            &o.relative,
            &o.hash,
            o.records,
            o.review,
            &o.output,
            o.counts,
            o.report.get(),
        )
    }
}

/// The key a reused file's report gains (see [`mark_reused`]).
const REUSED: &str = ",\"reused\":true";

/// A report (an object [`crate::emit::render`] wrote) that says its
/// output was reused: `"reused":true` where sorted keys put it, before
/// `rows_for_review` or else `status`. (A quote inside a string is
/// escaped, so those keys' text is found only as keys; the last is the
/// report's own, after any object nested in it.)
pub fn mark_reused(report: &RawValue) -> Box<RawValue> {
    let text = report.get();
    if is_reused(report) {
        return report.to_owned();
    }
    let at = text
        .rfind(",\"rows_for_review\":")
        .or_else(|| text.rfind(",\"status\":"))
        .unwrap_or(text.len() - 1);
    let marked = format!("{}{REUSED}{}", &text[..at], &text[at..]);
    RawValue::from_string(marked).expect("a key added to an object")
}

/// Whether a report says its output was reused ([`mark_reused`]).
pub fn is_reused(report: &RawValue) -> bool {
    report.get().contains(REUSED)
}

/// What [`Entry::output`] holds for an input's records and review items:
/// `xxh3:` and the 64-bit XXH3 of each, in hex.
pub fn output_digest(records: &[u8], review: &[u8]) -> String {
    use xxhash_rust::xxh3::xxh3_64;
    format!("xxh3:{:016x}{:016x}", xxh3_64(records), xxh3_64(review))
}

/// Per-file counts kept in the manifest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Input bytes.
    pub bytes: u64,
    /// Records (forms) written.
    pub records: u64,
    /// Indicator rows written.
    pub rows: u64,
    /// Review items written.
    pub review_items: u64,
    /// 1 when the file could not be read.
    pub failed: u64,
    /// Corrections applied to the file's records.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub corrections_applied: u64,
    /// Corrections of the file that found no row or record.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub corrections_unmatched: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Counts {
    /// Adds another file's counts.
    pub fn add(&mut self, o: &Counts) {
        self.bytes += o.bytes;
        self.records += o.records;
        self.rows += o.rows;
        self.review_items += o.review_items;
        self.failed += o.failed;
        self.corrections_applied += o.corrections_applied;
        self.corrections_unmatched += o.corrections_unmatched;
    }
}

/// A line of a manifest: the header, a file, or a path that gave no input.
/// Written untagged; read through [`AnyLine`] (an untagged enum buffers
/// a line before trying each kind, and a report's text cannot be read
/// from such a buffer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged, try_from = "AnyLine")]
pub enum ManifestLine {
    /// First line.
    Header(Header),
    /// An input file.
    File(Box<Entry>),
    /// A command-line path that yielded nothing.
    InputError {
        /// The message.
        input_error: String,
    },
}

/// Every field of every kind of [`ManifestLine`]; which are there says the
/// kind.
#[derive(Deserialize)]
struct AnyLine {
    formsift: Option<String>,
    config: Option<String>,
    input_error: Option<String>,
    path: Option<String>,
    relative: Option<String>,
    hash: Option<String>,
    records: Option<[u64; 2]>,
    review: Option<[u64; 2]>,
    #[serde(default)]
    output: String,
    counts: Option<Counts>,
    report: Option<Box<RawValue>>,
}

impl TryFrom<AnyLine> for ManifestLine {
    type Error = &'static str;

    fn try_from(l: AnyLine) -> Result<ManifestLine, &'static str> {
        if let (Some(formsift), Some(config)) = (l.formsift, l.config) {
            return Ok(ManifestLine::Header(Header { formsift, config }));
        }
        if let Some(input_error) = l.input_error {
            return Ok(ManifestLine::InputError { input_error });
        }
        match (
            l.path, l.relative, l.hash, l.records, l.review, l.counts, l.report,
        ) {
            (
                Some(path),
                Some(relative),
                Some(hash),
                Some(records),
                Some(review),
                Some(counts),
                Some(report),
            ) => Ok(ManifestLine::File(Box::new(Entry {
                path,
                relative,
                hash,
                records,
                review,
                output: l.output,
                counts,
                report,
            }))),
            _ => Err("not a manifest line: no header, file or input error"),
        }
    }
}

/// Compares two walked paths in walk order (component-wise).
pub fn path_order(a: &str, b: &str) -> Ordering {
    Path::new(a).cmp(Path::new(b))
}

/// Earlier output that can be reused: a manifest or journal and the records
/// and review files its ranges point into. Entries are read forward only, in
/// walk order, so a source holds one entry in memory, whatever its size.
pub struct Source {
    lines: std::io::Lines<BufReader<File>>,
    next: Option<Entry>,
    records: File,
    review: File,
    limits: [u64; 2],
}

impl Source {
    /// Opens a manifest and its data files; `None` when any is missing or the
    /// header differs from `want` (other version or rules: nothing reusable).
    pub fn open(manifest: &Path, records: &Path, review: &Path, want: &Header) -> Option<Source> {
        let mut lines = BufReader::new(File::open(manifest).ok()?).lines();
        let header: Header = serde_json::from_str(&lines.next()?.ok()?).ok()?;
        if header != *want {
            return None;
        }
        let records = File::open(records).ok()?;
        let review = File::open(review).ok()?;
        let limits = [
            records.metadata().ok()?.len(),
            review.metadata().ok()?.len(),
        ];
        let mut s = Source {
            lines,
            next: None,
            records,
            review,
            limits,
        };
        s.advance();
        Some(s)
    }

    fn advance(&mut self) {
        self.next = None;
        for line in self.lines.by_ref() {
            let Ok(line) = line else { return };
            match serde_json::from_str::<ManifestLine>(&line) {
                Ok(ManifestLine::File(e)) => {
                    // A journal cut by a kill may point past the data written.
                    let fits = |r: [u64; 2], lim: u64| r[0].saturating_add(r[1]) <= lim;
                    if fits(e.records, self.limits[0]) && fits(e.review, self.limits[1]) {
                        self.next = Some(*e);
                    }
                    return;
                }
                Ok(_) => continue,
                // A torn last line: the rest of the journal is unusable.
                Err(_) => return,
            }
        }
    }

    /// The entry for `path`, if this source has one. Calls must come in walk
    /// order; entries before `path` are skipped for good.
    pub fn find(&mut self, path: &str) -> Option<Entry> {
        while let Some(e) = &self.next {
            match path_order(&e.path, path) {
                Ordering::Less => self.advance(),
                Ordering::Equal => {
                    let e = self.next.take();
                    self.advance();
                    return e;
                }
                Ordering::Greater => return None,
            }
        }
        None
    }

    /// The next entry, in walk order.
    pub fn peek(&self) -> Option<&Entry> {
        self.next.as_ref()
    }

    /// Takes the next entry.
    pub fn take(&mut self) -> Option<Entry> {
        let e = self.next.take();
        self.advance();
        e
    }

    /// Copies an entry's records and review items out of this source.
    pub fn read(&mut self, e: &Entry) -> std::io::Result<(Vec<u8>, Vec<u8>)> {
        Ok((
            read_range(&mut self.records, e.records)?,
            read_range(&mut self.review, e.review)?,
        ))
    }
}

fn read_range(f: &mut File, [offset, len]: [u64; 2]) -> std::io::Result<Vec<u8>> {
    let mut buf = vec![0; len as usize];
    f.seek(SeekFrom::Start(offset))?;
    f.read_exact(&mut buf)?;
    Ok(buf)
}

/// The set of files a run writes into, before they become the outputs.
#[derive(Debug, Clone)]
pub struct Set {
    /// Journal / manifest.
    pub manifest: PathBuf,
    /// Records.
    pub records: PathBuf,
    /// Review items.
    pub review: PathBuf,
}

impl Set {
    /// The outputs of a completed run in `out`.
    pub fn done(out: &Path) -> Set {
        Set {
            manifest: out.join("manifest.jsonl"),
            records: out.join("records.jsonl"),
            review: out.join("review.jsonl"),
        }
    }

    /// The files of the run in progress in `out`.
    pub fn partial(out: &Path) -> Set {
        Set::suffixed(out, "partial")
    }

    /// A set with a suffix (`partial`, `resume-1`, …).
    pub fn suffixed(out: &Path, suffix: &str) -> Set {
        let d = Set::done(out);
        let add = |p: PathBuf| PathBuf::from(format!("{}.{suffix}", p.display()));
        Set {
            manifest: add(d.manifest),
            records: add(d.records),
            review: add(d.review),
        }
    }

    /// Opens the set as a source of reusable output.
    pub fn source(&self, want: &Header) -> Option<Source> {
        Source::open(&self.manifest, &self.records, &self.review, want)
    }

    /// The three paths.
    pub fn paths(&self) -> [&Path; 3] {
        [&self.manifest, &self.records, &self.review]
    }
}

/// Appends files' output and their manifest lines, in order.
///
/// Manifest lines wait in memory and are committed in groups (every
/// [`Journal::COMMIT_FILES`] files): records and review are flushed first,
/// then the lines are written, so a line never reaches the disk before the
/// bytes it points to. A kill loses at most the uncommitted group, whose
/// files are processed again on resume.
pub struct Journal {
    records: Spool,
    review: Spool,
    manifest: File,
    pending: Vec<u8>,
    pending_files: usize,
    committed: std::time::Instant,
    offsets: [u64; 2],
    writeback: Writeback,
    /// The run's totals so far (what report.json heads with).
    totals: Summary,
    /// The file names of the inputs with records so far, hashed (8 bytes
    /// an input: see [`Summary::files_sharing_ids`]).
    names: std::collections::HashSet<u64>,
}

/// How many of the names of inputs whose ids repeat are kept for the
/// report (the count has them all).
const SHARED_NAMES_KEPT: usize = 10;

impl Journal {
    /// Creates the set's files (truncating) and writes the header.
    pub fn create(set: &Set, header: &Header) -> std::io::Result<Journal> {
        let open = |p: &Path| File::create(p).map(Spool::new);
        let mut j = Journal {
            records: open(&set.records)?,
            review: open(&set.review)?,
            manifest: File::create(&set.manifest)?,
            pending: Vec::new(),
            pending_files: 0,
            committed: std::time::Instant::now(),
            offsets: [0, 0],
            writeback: Writeback::new(),
            totals: Summary::default(),
            names: Default::default(),
        };
        j.writeback.watch([j.records.file(), j.review.file()]);
        serde_json::to_writer(&mut j.pending, header)?;
        j.pending.push(b'\n');
        j.commit()?;
        Ok(j)
    }

    /// Files per commit of the journal (or [`Journal::COMMIT_AFTER`],
    /// whichever comes first).
    pub const COMMIT_FILES: usize = 32;

    /// Longest time appended files wait for a commit.
    pub const COMMIT_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

    /// Makes every appended file durable against a process kill: data first,
    /// then the manifest lines that point into it.
    pub fn commit(&mut self) -> std::io::Result<()> {
        self.records.flush()?;
        self.review.flush()?;
        self.manifest.write_all(&self.pending)?;
        self.pending.clear();
        self.pending_files = 0;
        self.committed = std::time::Instant::now();
        self.writeback.written(self.offsets);
        Ok(())
    }

    /// Appends one file's records and review lines, then its manifest entry
    /// (ranges filled in). Data is flushed before the entry, so an entry in
    /// the journal always points at bytes that were written. The buffers
    /// are kept until the commit writes them (no copy).
    pub fn append(
        &mut self,
        mut e: Entry,
        records: Vec<u8>,
        review: Vec<u8>,
    ) -> std::io::Result<()> {
        e.records = [self.offsets[0], records.len() as u64];
        e.review = [self.offsets[1], review.len() as u64];
        if e.output.is_empty() {
            e.output = output_digest(&records, &review);
        }
        self.offsets[0] += records.len() as u64;
        self.offsets[1] += review.len() as u64;
        self.records.push(records)?;
        self.review.push(review)?;
        self.totals.add(&e.counts, is_reused(&e.report));
        if e.counts.records > 0 {
            let stem = crate::file_stem(&e.path);
            if !self
                .names
                .insert(xxhash_rust::xxh3::xxh3_64(stem.as_bytes()))
            {
                self.totals.files_sharing_ids += 1;
                if self.totals.shared_names.len() < SHARED_NAMES_KEPT
                    && !self.totals.shared_names.contains(&stem)
                {
                    self.totals.shared_names.push(stem);
                }
            }
        }
        // (The writer of the output lines: the bytes serde_json writes, with
        // its faster escape; this runs on the thread that writes the output.)
        // (serde_json's writer: the report goes in as the text it is.)
        serde_json::to_writer(&mut self.pending, &ManifestLine::File(Box::new(e)))?;
        self.pending.push(b'\n');
        self.pending_files += 1;
        if self.pending_files >= Self::COMMIT_FILES
            || self.committed.elapsed() >= Self::COMMIT_AFTER
        {
            self.commit()?;
        }
        Ok(())
    }

    /// Records a command-line path that gave no input.
    pub fn input_error(&mut self, message: &str) -> std::io::Result<()> {
        self.totals.files_failed += 1;
        serde_json::to_writer(
            &mut self.pending,
            &ManifestLine::InputError {
                input_error: message.to_string(),
            },
        )?;
        self.pending.push(b'\n');
        Ok(())
    }

    /// Commits and flushes everything to disk; returns the totals of what
    /// was appended.
    pub fn sync(mut self) -> std::io::Result<Summary> {
        self.commit()?;
        self.writeback.stop();
        for w in [self.records, self.review] {
            w.into_file()?.sync_all()?;
        }
        self.manifest.sync_all()?;
        Ok(self.totals)
    }
}

/// Reads every line of a manifest (for the report and for merge).
pub fn read_lines(path: &Path) -> std::io::Result<impl Iterator<Item = ManifestLine>> {
    read_lines_as(path)
}

/// The lines of a manifest read as `T`, a part of each line: cheaper than a
/// whole [`ManifestLine`] (an untagged enum buffers every line and tries each
/// kind in turn). Stops where [`read_lines`] stops, at the first line that is
/// not JSON.
pub fn read_lines_as<T: serde::de::DeserializeOwned>(
    path: &Path,
) -> std::io::Result<impl Iterator<Item = T>> {
    let lines = BufReader::new(File::open(path)?).lines();
    Ok(lines
        .map_while(Result::ok)
        .map_while(|l| serde_json::from_str(&l).ok()))
}

/// A journal in `dir` with a test header (for the tests here and in emit).
#[cfg(test)]
pub(crate) fn scratch_journal(dir: &Path) -> (Set, Journal) {
    let set = Set::partial(dir);
    let header = Header {
        formsift: "test".into(),
        config: "c".into(),
    };
    let j = Journal::create(&set, &header).unwrap();
    (set, j)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering;

    fn entry(path: &str) -> Entry {
        Entry {
            path: path.into(),
            relative: path.into(),
            hash: "h".into(),
            records: [0, 0],
            review: [0, 0],
            output: String::new(),
            counts: Counts::default(),
            report: raw("null"),
        }
    }

    /// Appends `files` files of `size` record bytes each, syncs, and returns
    /// how many background passes ran and the records written.
    fn run_journal(files: usize, size: usize) -> (usize, u64) {
        let dir = tempfile::tempdir().unwrap();
        let (set, mut j) = scratch_journal(dir.path());
        let data = vec![b'x'; size];
        for k in 0..files {
            j.append(entry(&format!("f{k:04}")), data.clone(), Vec::new())
                .unwrap();
        }
        let passes = std::sync::Arc::clone(&j.writeback.passes);
        j.sync().unwrap();
        let len = std::fs::metadata(&set.records).unwrap().len();
        (passes.load(Ordering::Relaxed), len)
    }

    #[test]
    fn the_journal_writes_out_in_the_background() {
        // 12 MiB in commits of 32 files (three times the bytes between two
        // syncs where syncs are made): at least one background pass (kicks
        // during a pass merge), and every byte written.
        let size = 64 << 10;
        let files = (12 << 20) / size;
        let (passes, len) = run_journal(files, size);
        assert!(passes >= 1, "no background pass after {len} bytes");
        assert_eq!(len, (files * size) as u64);
    }

    #[test]
    fn the_journal_totals_what_it_appended() {
        let dir = tempfile::tempdir().unwrap();
        let (_, mut j) = scratch_journal(dir.path());
        let counts = Counts {
            bytes: 10,
            records: 2,
            rows: 5,
            review_items: 1,
            ..Counts::default()
        };
        let mut a = entry("a");
        a.counts = counts;
        let mut b = entry("b");
        b.counts = counts;
        b.report = mark_reused(&raw(r#"{"path":"b","status":"ok"}"#));
        let mut c = entry("c");
        c.counts = Counts {
            failed: 1,
            ..Counts::default()
        };
        for e in [a, b, c] {
            j.append(e, Vec::new(), Vec::new()).unwrap();
        }
        j.input_error("missing.txt: no such file").unwrap();
        let s = j.sync().unwrap();
        assert_eq!((s.files_ok, s.files_reused, s.files_failed), (2, 1, 2));
        assert_eq!((s.records, s.rows, s.review_items, s.bytes), (4, 10, 2, 20));
    }

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_string()).unwrap()
    }

    #[test]
    fn a_reused_report_says_so_where_its_sorted_keys_put_it() {
        // As `Value`s, whose maps sort their keys, would write them.
        let sorted = |text: &str| {
            let v: serde_json::Value = serde_json::from_str(text).unwrap();
            serde_json::to_string(&v).unwrap()
        };
        for report in [
            r#"{"bytes":3,"corrections":{"applied":1,"status":"x"},"path":"a","preamble":[{"rows_for_review":"\",\"rows_for_review\":"}],"records_for_review":0,"rows_for_review":2,"status":"ok"}"#,
            r#"{"error":"cannot read \",\"status\": x","path":"a","status":"error"}"#,
        ] {
            assert!(!is_reused(&raw(report)));
            let marked = mark_reused(&raw(report));
            assert!(is_reused(&marked));
            let mut want: serde_json::Value = serde_json::from_str(report).unwrap();
            want["reused"] = serde_json::Value::Bool(true);
            assert_eq!(marked.get(), sorted(&want.to_string()));
            // Marked again, it stays as it is.
            assert_eq!(mark_reused(&marked).get(), marked.get());
        }
    }

    #[test]
    fn every_kind_of_line_reads_back_as_written() {
        let mut e = entry("年度/a.txt");
        e.report = raw(r#"{"path":"年度/a.txt","preamble":[{"text":"标题"}],"status":"ok"}"#);
        e.output = output_digest(b"r", b"");
        let lines = [
            ManifestLine::Header(Header {
                formsift: "0.1.0".into(),
                config: "c".into(),
            }),
            ManifestLine::File(Box::new(e)),
            ManifestLine::InputError {
                input_error: "missing.txt: no such file".into(),
            },
        ];
        for line in lines {
            let text = serde_json::to_string(&line).unwrap();
            let back: ManifestLine = serde_json::from_str(&text).unwrap();
            assert_eq!(back, line, "{text}");
        }
        assert!(serde_json::from_str::<ManifestLine>(r#"{"path":"torn"}"#).is_err());
    }

    #[test]
    fn the_content_hash_is_xxh3_128_and_tells_files_apart() {
        // The published XXH3-128 of no bytes: a manifest's hashes stay
        // comparable between builds.
        assert_eq!(content_hash(b""), "xxh3:99aa06d3014798d86001c324468d497f");
        let a = content_hash("年度绩效目标\t85%".as_bytes());
        let b = content_hash("年度绩效目标\t86%".as_bytes());
        assert_ne!(a, b);
        assert_eq!(a.len(), "xxh3:".len() + 32);
    }
}
