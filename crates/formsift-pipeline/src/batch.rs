//! A batch run over an archive: streaming, parallel, ordered, resumable.
//!
//! The main thread walks the inputs lazily and hands each file to the rayon
//! pool; at most `window` files are in flight, and no more are started
//! while the results waiting to be written hold `hold` bytes. Results come
//! back in any order, half a window (or half `hold`) at a time (see
//! [`crate::handoff`]), and are written in walk order through a small
//! reorder buffer, so memory holds a few files' output whatever the
//! archive's size. Each file is queued for reading ahead as it enters the
//! window, and workers open and advise the queued files a step ahead of
//! their own (see `readahead.rs`), so workers on a cold archive seldom wait
//! for the disk; a worker reads its file from that open file, or opens it
//! itself if no one got to it first.
//!
//! Output goes to `*.partial` files plus a journal (see [`crate::manifest`]).
//! A completed run renames them to records.jsonl, review.jsonl,
//! manifest.jsonl and writes report.json, each atomically. An interrupted
//! run (Ctrl-C, kill, power cut) leaves its partial set; the next run renames
//! it to `*.resume-N` and copies the output of every file whose content hash
//! matches instead of processing it again, as it does with the manifest of a
//! completed run. Files whose content changed are processed again.

use crate::FileOutput;
use crate::emit::{self, EmitError, RunInfo, Summary};
use crate::handoff::Handoff;
use crate::manifest::{Counts, Entry, Header, Journal, Set, Source};
use crate::readahead::Opened;
use crate::walk::{Input, Shard, Walk};
use formsift_config::Config;
use formsift_corrections::CorrectionSet;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Files in flight per worker thread by default. The writer is woken once
/// per half window; with four per thread, on a virtual machine, a worker
/// often ran out of work while the writer woke (32 per thread: 7% less
/// time at one thread, 3% at two).
pub const WINDOW_PER_THREAD: usize = 32;

/// Bytes of results waiting to be written past which the writer is woken
/// early and no more files are started, so a window of large files does
/// not hold all their output at once.
pub const HOLD: usize = 32 << 20;

/// How long one file may take by default ([`Batch::file_limit`]). At the
/// speeds measured here that is gigabytes of text: a file still going
/// after it is caught in something formsift does not foresee.
pub const FILE_LIMIT: Duration = Duration::from_secs(600);

/// How often the writer, while it waits, looks for a file past the limit.
const LIMIT_POLL: Duration = Duration::from_secs(1);

/// The files workers are on, by walk position: when each was started and,
/// once read, its content hash.
#[derive(Default)]
struct OnFiles(Mutex<HashMap<usize, (Instant, Option<String>)>>);

impl OnFiles {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<usize, (Instant, Option<String>)>> {
        // (Nothing that holds the lock can panic.)
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A worker starts on the file at `idx`.
    fn start(&self, idx: usize) {
        self.lock().insert(idx, (Instant::now(), None));
    }

    /// It has read and hashed the file.
    fn hashed(&self, idx: usize, hash: &str) {
        if let Some(e) = self.lock().get_mut(&idx) {
            e.1 = Some(hash.to_string());
        }
    }

    /// It is done with the file.
    fn end(&self, idx: usize) {
        self.lock().remove(&idx);
    }
}

/// How a batch runs.
#[derive(Clone)]
pub struct Batch {
    /// The rules.
    pub config: Arc<Config>,
    /// Where the rules came from (for the report).
    pub config_origin: String,
    /// Hash of the rules' text; output made under other rules is not reused.
    pub config_hash: String,
    /// Only inputs of this shard.
    pub shard: Option<Shard>,
    /// Reuse output of unchanged files from earlier runs in the same folder.
    pub reuse: bool,
    /// Files in flight at once (0: [`WINDOW_PER_THREAD`] per worker thread).
    pub window: usize,
    /// Bytes of results waiting to be written past which no more files are
    /// started ([`HOLD`] by default).
    pub hold: usize,
    /// Reviewers' corrections to apply; a file whose corrections changed is
    /// processed again even when its content did not.
    pub corrections: Option<Arc<CorrectionSet>>,
    /// The longest one file may take ([`FILE_LIMIT`] by default; `None`:
    /// no limit). A file past it is written as failed (with its content
    /// hash, so that a re-run skips it) and the batch goes on; its worker
    /// cannot be stopped and stays busy. When such files hold every worker,
    /// the run stops ([`Outcome::stalled`]).
    pub file_limit: Option<Duration>,
}

impl Batch {
    /// A batch with the given rules, reusing earlier output, no shard.
    pub fn new(config: Config, config_origin: &str, config_text: &str) -> Batch {
        Batch {
            config: Arc::new(config),
            config_origin: config_origin.to_string(),
            config_hash: blake3::hash(config_text.as_bytes()).to_hex()[..16].to_string(),
            shard: None,
            reuse: true,
            window: 0,
            hold: HOLD,
            corrections: None,
            file_limit: Some(FILE_LIMIT),
        }
    }

    fn header(&self) -> Header {
        Header {
            formsift: env!("CARGO_PKG_VERSION").to_string(),
            config: self.config_hash.clone(),
        }
    }
}

/// What a batch reports as it goes (called on the thread that writes).
pub trait Observer {
    /// A file was written (processed or reused).
    fn file_done(&self, path: &str, counts: &Counts, reused: bool, error: Option<&str>);
    /// A command-line path gave no input.
    fn input_error(&self, message: &str);
    /// True when the run should stop after the files in flight (Ctrl-C).
    fn stop_requested(&self) -> bool {
        false
    }
}

/// An observer that ignores everything.
pub struct Silent;

impl Observer for Silent {
    fn file_done(&self, _: &str, _: &Counts, _: bool, _: Option<&str>) {}
    fn input_error(&self, _: &str) {}
}

/// Why a batch stopped.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// Making or writing an output failed.
    #[error(transparent)]
    Emit(#[from] EmitError),
    /// Another formsift run holds the output folder.
    #[error(
        "{0} is in use by another formsift run (lock file .formsift.lock); wait for it or choose another --out"
    )]
    Busy(String),
}

/// How a batch ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Totals over every file in the outputs.
    pub summary: Summary,
    /// Files processed in this run (not reused).
    pub processed: u64,
    /// True when stopped early: outputs are not final; run again to resume.
    pub interrupted: bool,
    /// Corrections for inputs that are not in this run: (file stem, count).
    pub corrections_not_in_run: Vec<(String, usize)>,
    /// Output folders of formsift runs found among the inputs and passed
    /// over ([`Walk::passed_over`]).
    pub passed_over: Vec<String>,
    /// Files of kinds formsift does not read, by extension
    /// ([`Walk::not_read`]).
    pub not_read: Vec<(String, u64)>,
    /// Files whose earlier output in the output folder had been changed
    /// since it was written (its records or review items no longer match
    /// the manifest's digest): processed again.
    pub changed_outputs: u64,
    /// Files given up on past [`Batch::file_limit`] (written as failed).
    pub given_up: Vec<String>,
    /// True when the run stopped because files past the limit held every
    /// worker (`interrupted` is then true as well).
    pub stalled: bool,
}

enum Done {
    /// An earlier run's output for the input, in source `usize`.
    Reused(usize, Box<Entry>, Box<Input>),
    Fresh(Box<Entry>, emit::Rendered),
}

impl Done {
    /// The bytes a result holds until it is written (a reused file's
    /// output is read when it is written).
    fn size(&self) -> usize {
        match self {
            Done::Reused(..) => 0,
            Done::Fresh(_, r) => r.records.capacity() + r.review.capacity(),
        }
    }
}

/// Moves the results that came back into the reorder buffer, counting
/// their bytes.
fn receive(
    arrived: &mut Vec<(usize, Done)>,
    pending: &mut BTreeMap<usize, Done>,
    held: &mut usize,
) {
    for (idx, done) in arrived.drain(..) {
        *held += done.size();
        pending.insert(idx, done);
    }
}

/// Holds the output folder for one run at a time (released on exit, even a
/// killed one, since the OS drops the lock with the process).
pub(crate) fn lock(out: &Path) -> Result<std::fs::File, BatchError> {
    let p = out.join(crate::walk::OUTPUT_MARK);
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&p)
        .map_err(EmitError::out_folder(&p))?;
    match f.try_lock() {
        Ok(()) => Ok(f),
        Err(std::fs::TryLockError::WouldBlock) => Err(BatchError::Busy(out.display().to_string())),
        Err(std::fs::TryLockError::Error(e)) => Err(EmitError::out_folder(&p)(e).into()),
    }
}

/// Earlier output in `out` that a run can reuse: the completed run's set and
/// the sets of interrupted runs. A partial set left by a killed run is
/// renamed to the next `resume-N` first.
fn sources(out: &Path, header: &Header) -> Result<(Vec<Source>, Vec<Set>), EmitError> {
    let resume_sets = |out: &Path| -> Vec<(u32, Set)> {
        let mut v: Vec<(u32, Set)> = std::fs::read_dir(out)
            .into_iter()
            .flatten()
            .filter_map(|e| {
                let name = e.ok()?.file_name().to_string_lossy().into_owned();
                let n = name.strip_prefix("manifest.jsonl.resume-")?.parse().ok()?;
                Some((n, Set::suffixed(out, &format!("resume-{n}"))))
            })
            .collect();
        v.sort_by_key(|(n, _)| std::cmp::Reverse(*n));
        v
    };
    let partial = Set::partial(out);
    if partial.manifest.exists() {
        let n = resume_sets(out).first().map_or(1, |(n, _)| n + 1);
        let to = Set::suffixed(out, &format!("resume-{n}"));
        for (a, b) in partial.paths().into_iter().zip(to.paths()) {
            if a.exists() {
                std::fs::rename(a, b).map_err(EmitError::io(a))?;
            }
        }
    }
    let resumes: Vec<Set> = resume_sets(out).into_iter().map(|(_, s)| s).collect();
    let mut found: Vec<Source> = resumes.iter().filter_map(|s| s.source(header)).collect();
    found.extend(Set::done(out).source(header));
    Ok((found, resumes))
}

/// A processed file's output and its manifest entry (ranges filled in when
/// it is written).
fn fresh(input: &Input, hash: String, outcome: Result<FileOutput, String>, millis: f64) -> Done {
    let path = input.path.display().to_string();
    rendered(input, hash, emit::render(&path, outcome, millis))
}

/// A file's result from its rendered output.
fn rendered(input: &Input, hash: String, mut rendered: emit::Rendered) -> Done {
    // (Hashed here, on the worker, not on the thread that writes.)
    let output = crate::manifest::output_digest(&rendered.records, &rendered.review);
    let entry = Entry {
        path: input.path.display().to_string(),
        relative: input.relative.clone(),
        hash,
        records: [0, 0],
        review: [0, 0],
        output,
        counts: rendered.counts,
        // The entry is the report's only reader: moved, not copied.
        report: std::mem::take(&mut rendered.report),
    };
    Done::Fresh(Box::new(entry), rendered)
}

/// This worker thread's own copy of `shared`, made on its first file.
///
/// A `Regex` keeps its search caches in a pool that serves the first thread
/// to use it without a lock and every other thread through a mutex, twice a
/// search: with two workers on one config, one of them took that path on
/// every label and unit match (about 1% of a two-thread run's CPU). A copy
/// per thread gives each worker regexes of its own (a config's patterns
/// compile again when cloned, see `formsift_config::Pattern`). The copy is
/// made once per thread and config; the `Weak` keeps the shared config's
/// address from being reused by another config while it is held.
fn local_config(shared: &Arc<Config>) -> Arc<Config> {
    use std::cell::RefCell;
    use std::sync::Weak;
    thread_local! {
        static LOCAL: RefCell<Option<(Weak<Config>, Arc<Config>)>> = const { RefCell::new(None) };
    }
    LOCAL.with(|local| {
        let mut local = local.borrow_mut();
        match &*local {
            Some((of, copy)) if std::ptr::eq(of.as_ptr(), Arc::as_ptr(shared)) => Arc::clone(copy),
            _ => {
                let copy = Arc::new(Config::clone(shared));
                *local = Some((Arc::downgrade(shared), Arc::clone(&copy)));
                copy
            }
        }
    })
}

/// Reads, hashes and (unless an earlier output matches) processes one input.
/// The hash covers the content and, when the file has corrections, their
/// digest, so that a new correction makes the file be processed again.
/// Until its bytes are read, the file is known by its length and time
/// ([`crate::manifest::stat_identity`]), so that one given up on while it
/// was read (a read that hung) is skipped by a re-run, not read again.
fn work(
    input: &Input,
    opened: Option<Opened>,
    mut candidates: Vec<(usize, Entry)>,
    config: &Config,
    corrections: Option<&CorrectionSet>,
    hashed: &dyn Fn(&str),
) -> Done {
    let start = Instant::now();
    let path = input.path.display().to_string();
    let fresh = |hash, outcome| fresh(input, hash, outcome, start.elapsed().as_secs_f64() * 1000.0);
    let cannot_read = |e| fresh(String::new(), Err(format!("cannot read {path}: {e}")));
    let opened = match opened.map_or_else(|| crate::readahead::open(&input.path), Ok) {
        Ok(o) => o,
        Err(e) => return cannot_read(e),
    };
    let fc = corrections.and_then(|c| c.for_stem(&crate::file_stem(&path)));
    let with_corrections = |hash: String| match fc {
        Some(fc) => format!("{hash}+{}", fc.digest),
        None => hash,
    };
    let mut reuse = |hash: &str| {
        let k = candidates.iter().position(|(_, e)| e.hash == hash)?;
        let (src, mut e) = candidates.swap_remove(k);
        e.report = crate::manifest::mark_reused(&e.report);
        Some(Done::Reused(src, Box::new(e), Box::new(input.clone())))
    };
    if let Some(id) = crate::manifest::stat_identity(opened.len, opened.modified) {
        let id = with_corrections(id);
        if let Some(done) = reuse(&id) {
            return done;
        }
        hashed(&id);
    }
    #[cfg(test)]
    slow_reads::wait(&input.path);
    let bytes = match opened.read() {
        Ok(b) => b,
        Err(e) => return cannot_read(e),
    };
    let hash = with_corrections(crate::manifest::content_hash(&bytes));
    hashed(&hash);
    if let Some(done) = reuse(&hash) {
        return done;
    }
    let output = crate::process_rendered(bytes, &path, config, fc, start);
    rendered(input, hash, output)
}

/// Reads made to hang for a while, for the tests of files given up on
/// while they are read.
#[cfg(test)]
pub(crate) mod slow_reads {
    use std::path::{Path, PathBuf};
    use std::sync::Mutex;
    use std::time::Duration;

    static SLOW: Mutex<Vec<(PathBuf, Duration)>> = Mutex::new(Vec::new());

    /// Reads of `path` wait `wait` first (until [`clear`]).
    pub(crate) fn set(path: &Path, wait: Duration) {
        SLOW.lock().unwrap().push((path.to_path_buf(), wait));
    }

    /// Reads of `path` no longer wait.
    pub(crate) fn clear(path: &Path) {
        SLOW.lock().unwrap().retain(|(p, _)| p != path);
    }

    pub(super) fn wait(path: &Path) {
        let wait = SLOW
            .lock()
            .unwrap()
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, w)| *w);
        if let Some(w) = wait {
            std::thread::sleep(w);
        }
    }
}

/// Runs the batch over `inputs`, writing into `out`.
pub fn run(
    inputs: &[PathBuf],
    out: &Path,
    batch: &Batch,
    observer: &dyn Observer,
) -> Result<Outcome, BatchError> {
    let start = Instant::now();
    std::fs::create_dir_all(out).map_err(EmitError::out_folder(out))?;
    let _lock = lock(out)?;
    let header = batch.header();
    let (mut sources, resume_sets) = if batch.reuse {
        sources(out, &header)?
    } else {
        (Vec::new(), Vec::new())
    };
    let partial = Set::partial(out);
    let mut journal =
        Journal::create(&partial, &header).map_err(EmitError::io(&partial.records))?;
    let window = if batch.window > 0 {
        batch.window
    } else {
        WINDOW_PER_THREAD * rayon::current_num_threads()
    };

    let ahead = Arc::new(crate::readahead::Ahead::new(crate::readahead::holds_open(
        window,
    )));

    // Results come back in groups of half the window (or half the bytes
    // held): the writer is woken once per group, while the other half keeps
    // the workers busy.
    let handoff = Arc::new(Handoff::<(usize, Done)>::new());
    let group = (window / 2).max(1);
    let mut arrived: Vec<(usize, Done)> = Vec::new();
    let mut pending: BTreeMap<usize, Done> = BTreeMap::new();
    // Bytes of the results in `pending`.
    let mut held = 0usize;
    let (mut next, mut written, mut processed) = (0usize, 0usize, 0u64);
    let mut interrupted = false;
    let mut stems_seen = BTreeSet::new();
    // Reused outputs found changed since they were written.
    let mut changed = 0u64;
    let started: Arc<OnFiles> = Arc::default();
    // The inputs in flight, by walk position (to write one given up on).
    let mut flying: BTreeMap<usize, Input> = BTreeMap::new();
    let mut given_up: Vec<String> = Vec::new();
    let mut stalled = false;
    // When a worker last handed a result back.
    let mut last_back = Instant::now();
    // Waits for results (every file in flight and not yet back will come
    // back, or is given up on past the file limit), then writes those now
    // in order. False when files past the limit hold every worker.
    let mut take_and_write = |pending: &mut BTreeMap<usize, Done>,
                              written: &mut usize,
                              sources: &mut Vec<Source>,
                              journal: &mut Journal,
                              held: &mut usize,
                              next: usize,
                              flying: &mut BTreeMap<usize, Input>,
                              given_up: &mut Vec<String>|
     -> Result<bool, EmitError> {
        let out_there = next - *written - pending.len();
        assert!(out_there > 0, "waiting for results with none out");
        let poll = batch.file_limit.map(|l| l.min(LIMIT_POLL));
        let full = handoff.take_within(out_there.min(group), batch.hold / 2, poll, &mut arrived);
        if !arrived.is_empty() {
            last_back = Instant::now();
        }
        // The results of files given up on, should they come: dropped.
        arrived.retain(|(idx, _)| *idx >= *written);
        receive(&mut arrived, pending, held);
        if let Some(limit) = batch.file_limit
            && !full
            && !pending.contains_key(written)
        {
            let on = started.lock();
            match on.get(written) {
                Some((at, hash)) if at.elapsed() >= limit => {
                    let input = &flying[written];
                    let path = input.path.display().to_string();
                    let message = format!(
                        "{path}: still being processed after {} s, the most one file may take (--file-limit); given up and recorded as failed (a re-run skips it; --fresh tries it again)",
                        limit.as_secs_f64()
                    );
                    let millis = at.elapsed().as_secs_f64() * 1000.0;
                    let done = fresh(
                        input,
                        hash.clone().unwrap_or_default(),
                        Err(message),
                        millis,
                    );
                    pending.insert(*written, done);
                    given_up.push(path);
                }
                // The next file waits for a worker, every worker is on a
                // file given up on, and none has come back for as long
                // again.
                None if on.keys().filter(|&&k| k < *written).count()
                    >= rayon::current_num_threads()
                    && last_back.elapsed() >= limit =>
                {
                    return Ok(false);
                }
                _ => {}
            }
        }
        while let Some(mut done) = pending.remove(written) {
            flying.remove(written);
            *written += 1;
            *held -= done.size();
            let err = EmitError::io(&partial.records);
            if let Done::Reused(src, e, input) = done {
                let (rec, rev) = sources[src].read(&e).map_err(EmitError::io(out))?;
                if e.output.is_empty() || crate::manifest::output_digest(&rec, &rev) == e.output {
                    observer.file_done(&e.path, &e.counts, true, None);
                    journal.append(*e, rec, rev).map_err(err)?;
                    continue;
                }
                // Changed since it was written (by hand, by another tool):
                // processed again here, a rare case, rather than copied.
                changed += 1;
                let config = local_config(&batch.config);
                done = work(
                    &input,
                    None,
                    Vec::new(),
                    &config,
                    batch.corrections.as_deref(),
                    &|_| {},
                );
            }
            let Done::Fresh(e, r) = done else {
                unreachable!("a reused file is written above, or processed again");
            };
            processed += 1;
            observer.file_done(&e.path, &e.counts, false, r.error.as_deref());
            journal.append(*e, r.records, r.review).map_err(err)?;
        }
        Ok(true)
    };

    let mut walk = Walk::new(inputs, &batch.config);
    'walk: for item in walk.by_ref() {
        if observer.stop_requested() {
            interrupted = true;
            break;
        }
        let input = match item {
            Ok(i) => i,
            Err(e) => {
                let msg = e.to_string();
                observer.input_error(&msg);
                journal
                    .input_error(&msg)
                    .map_err(EmitError::io(&partial.manifest))?;
                continue;
            }
        };
        if batch.shard.is_some_and(|s| !s.takes(&input)) {
            continue;
        }
        if let Some(c) = &batch.corrections {
            let stem = crate::file_stem(&input.path.display().to_string());
            if c.for_stem(&stem).is_some() {
                stems_seen.insert(stem);
            }
        }
        let key = input.path.display().to_string();
        let candidates: Vec<(usize, Entry)> = sources
            .iter_mut()
            .enumerate()
            .filter_map(|(i, s)| s.find(&key).map(|e| (i, e)))
            .collect();
        let (back, config, idx) = (Arc::clone(&handoff), Arc::clone(&batch.config), next);
        let corrections = batch.corrections.clone();
        // The file waits behind the window's others: a worker opens it and
        // the kernel reads it meanwhile, and its own worker reads it from
        // that open file (unless the window is too large to hold its files
        // open, or no one got to it first).
        let slot = ahead.send(&input.path);
        let ahead = Arc::clone(&ahead);
        let on = Arc::clone(&started);
        if batch.file_limit.is_some() {
            flying.insert(idx, input.clone());
        }
        next += 1;
        rayon::spawn(move || {
            on.start(idx);
            let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let config = local_config(&config);
                ahead.advance();
                let opened = slot.take();
                let hashed = |h: &str| on.hashed(idx, h);
                work(
                    &input,
                    opened,
                    candidates,
                    &config,
                    corrections.as_deref(),
                    &hashed,
                )
            }));
            on.end(idx);
            let done = done.unwrap_or_else(|p| {
                let path = input.path.display().to_string();
                let message = crate::panic_message(&path, p.as_ref());
                fresh(&input, String::new(), Err(message), 0.0)
            });
            let size = done.size();
            back.put((idx, done), size);
        });
        // Results held past `hold` wait for the file before them, which is
        // out there, so the wait ends.
        while next - written >= window || held >= batch.hold {
            let (p, w, h, j) = (&mut pending, &mut written, &mut held, &mut journal);
            if !take_and_write(p, w, &mut sources, j, h, next, &mut flying, &mut given_up)? {
                stalled = true;
                break 'walk;
            }
        }
    }
    while !stalled && written < next {
        let (p, w, h, j) = (&mut pending, &mut written, &mut held, &mut journal);
        stalled = !take_and_write(p, w, &mut sources, j, h, next, &mut flying, &mut given_up)?;
    }
    interrupted |= stalled;
    let summary = journal.sync().map_err(EmitError::io(&partial.records))?;
    drop(sources);

    let elapsed = start.elapsed().as_secs_f64() * 1000.0;
    let mut info = RunInfo {
        config_origin: batch.config_origin.clone(),
        shard: batch.shard,
        passed_over: walk
            .passed_over()
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        not_read: walk.not_read(),
        ..RunInfo::default()
    };
    if let Some(c) = &batch.corrections {
        info.corrections_file = Some(c.path.clone());
        let mut missing: Vec<(String, usize)> = c
            .by_stem
            .iter()
            .filter(|(stem, _)| !stems_seen.contains(*stem))
            .map(|(stem, fc)| (stem.clone(), fc.items.len()))
            .collect();
        missing.sort();
        info.corrections_not_in_run = missing;
    }
    if interrupted {
        let report = out.join("report.json.partial");
        emit::write_report(&report, &partial.manifest, &summary, &info, elapsed)?;
    } else {
        finish(out, &partial, &resume_sets, &summary, &info, elapsed)?;
    }
    Ok(Outcome {
        summary,
        processed,
        interrupted,
        corrections_not_in_run: info.corrections_not_in_run,
        passed_over: info.passed_over,
        not_read: info.not_read,
        changed_outputs: changed,
        given_up,
        stalled,
    })
}

/// Turns a written partial set into the outputs: report.json from the
/// journal and its totals `summary`, then each file renamed into place. The old manifest goes first,
/// so a crash in between leaves no manifest pointing into the wrong files.
pub(crate) fn finish(
    out: &Path,
    partial: &Set,
    resume_sets: &[Set],
    summary: &Summary,
    info: &RunInfo,
    elapsed_ms: f64,
) -> Result<(), EmitError> {
    let report_tmp = out.join("report.json.partial");
    emit::write_report(&report_tmp, &partial.manifest, summary, info, elapsed_ms)?;
    let done = Set::done(out);
    match std::fs::remove_file(&done.manifest) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(EmitError::io(&done.manifest)(e));
        }
        _ => {}
    }
    let renames = [
        (&partial.records, &done.records),
        (&partial.review, &done.review),
        (&report_tmp, &out.join("report.json")),
        (&partial.manifest, &done.manifest),
    ];
    for (a, b) in renames {
        std::fs::rename(a, b).map_err(EmitError::io(b))?;
    }
    for set in resume_sets {
        for p in set.paths() {
            let _ = std::fs::remove_file(p);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_worker_thread_keeps_one_copy_per_config() {
        let a = Arc::new(Config::embedded());
        let b = Arc::new(Config::embedded());
        let a_here = local_config(&a);
        assert!(!Arc::ptr_eq(&a_here, &a), "a copy, not the shared config");
        assert!(
            Arc::ptr_eq(&a_here, &local_config(&a)),
            "made once per thread"
        );
        let b_here = local_config(&b);
        assert!(
            !Arc::ptr_eq(&b_here, &a_here),
            "another config, another copy"
        );
        assert!(Arc::ptr_eq(&b_here, &local_config(&b)));
        let b_there = std::thread::scope(|s| s.spawn(|| local_config(&b)).join().unwrap());
        assert!(
            !Arc::ptr_eq(&b_there, &b_here),
            "another thread, another copy"
        );
        assert_eq!(format!("{:?}", *b_there), format!("{:?}", *b));
    }
}
