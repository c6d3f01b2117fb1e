//! Merging the outputs of shards (`formsift run --shard K/N`) into one
//! records.jsonl, review.jsonl, manifest.jsonl and report.json, in the same
//! order one unsharded run writes: a k-way merge of the shards' manifests by
//! path, copying each file's byte ranges. Memory holds one entry per shard.

use crate::batch::finish;
use crate::emit::{Coverage, EmitError, Summary};
use crate::manifest::{self, Header, Journal, ManifestLine, Set, Source, path_order};
use crate::walk::Shard;
use std::path::{Path, PathBuf};

/// Why shard outputs cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// A folder holds no completed run.
    #[error(
        "{0}: no completed run here (manifest.jsonl missing or unreadable); finish that shard first (re-running it resumes)"
    )]
    NotARun(String),
    /// Shards made by different versions or rules.
    #[error(
        "{dir} was made with {found}, unlike {first} ({expected}); run every shard with the same binary and --config"
    )]
    Mismatch {
        /// The shard that differs.
        dir: String,
        /// Its version and rules.
        found: String,
        /// The first shard.
        first: String,
        /// The first shard's version and rules.
        expected: String,
    },
    /// Shards of an archive cut in different numbers of parts.
    #[error(
        "{dir} holds shard {found}, unlike {first} ({expected}); merge the shards of one --shard K/N series"
    )]
    ShardCount {
        /// The shard folder that differs.
        dir: String,
        /// Its `--shard`.
        found: String,
        /// The first sharded folder.
        first: String,
        /// That folder's `--shard`.
        expected: String,
    },
    /// The output folder is one of the inputs.
    #[error("--out {0} is one of the shard folders; merge into a new folder")]
    OutIsInput(String),
    /// Writing failed.
    #[error(transparent)]
    Emit(#[from] EmitError),
    /// A shard's records or review items were changed after its run wrote
    /// them (they no longer match its manifest).
    #[error(
        "{dir}: the records or review items of {path} were changed after the shard's run wrote them; run that shard again (it processes what changed), then merge"
    )]
    Changed {
        /// The shard folder.
        dir: String,
        /// The input whose output changed.
        path: String,
    },
    /// Another formsift run or merge holds the output folder.
    #[error(
        "{0} is in use by another formsift run or merge (lock file .formsift.lock); wait for it or choose another --out"
    )]
    Busy(String),
}

/// What a merge did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    /// Totals of the merged output.
    pub summary: Summary,
    /// Paths found in more than one shard (the first shard's output is kept).
    pub duplicates: Vec<String>,
    /// Which shards of their series the folders hold, when they were made
    /// with `--shard` (report.json's `shard`).
    pub coverage: Option<Coverage>,
}

/// The `--shard` a finished run took, from the head of its report.json;
/// `None` for a run over a whole archive (or a report that says nothing).
fn shard_of(dir: &Path) -> Option<Shard> {
    #[derive(serde::Deserialize)]
    struct Head {
        #[serde(default)]
        shard: Option<String>,
    }
    let file = std::fs::File::open(dir.join("report.json")).ok()?;
    let head: Head = serde_json::from_reader(std::io::BufReader::new(file)).ok()?;
    head.shard?.parse().ok()
}

/// Which shards of one series `dirs` hold: an error when they come from
/// series of different sizes, `None` when none was made with `--shard`.
fn coverage(dirs: &[PathBuf]) -> Result<Option<Coverage>, MergeError> {
    let mut first: Option<(Shard, &Path)> = None;
    let mut merged = Vec::new();
    for dir in dirs {
        let Some(shard) = shard_of(dir) else { continue };
        match first {
            Some((f, f_dir)) if f.count != shard.count => {
                return Err(MergeError::ShardCount {
                    dir: dir.display().to_string(),
                    found: shard.to_string(),
                    first: f_dir.display().to_string(),
                    expected: f.to_string(),
                });
            }
            None => first = Some((shard, dir)),
            _ => {}
        }
        merged.push(shard.index);
    }
    Ok(first.map(|(f, _)| {
        merged.sort_unstable();
        merged.dedup();
        let missing = (0..f.count)
            .filter(|k| merged.binary_search(k).is_err())
            .collect();
        Coverage {
            count: f.count,
            merged,
            missing,
        }
    }))
}

fn header_of(dir: &Path) -> Result<Header, MergeError> {
    let not_a_run = || MergeError::NotARun(dir.display().to_string());
    match manifest::read_lines(&dir.join("manifest.jsonl"))
        .map_err(|_| not_a_run())?
        .next()
    {
        Some(ManifestLine::Header(h)) => Ok(h),
        _ => Err(not_a_run()),
    }
}

/// Merges the completed runs in `shards` into `out`.
pub fn merge(shards: &[PathBuf], out: &Path, config_origin: &str) -> Result<Merged, MergeError> {
    let start = std::time::Instant::now();
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let mut header: Option<(Header, &Path)> = None;
    for dir in shards {
        if out.exists() && canon(dir) == canon(out) {
            return Err(MergeError::OutIsInput(out.display().to_string()));
        }
        let h = header_of(dir)?;
        if let Some((first, first_dir)) = &header {
            if *first != h {
                let show = |h: &Header| format!("formsift {} and rules {}", h.formsift, h.config);
                return Err(MergeError::Mismatch {
                    dir: dir.display().to_string(),
                    found: show(&h),
                    first: first_dir.display().to_string(),
                    expected: show(first),
                });
            }
        } else {
            header = Some((h, dir));
        }
    }
    let Some((header, _)) = header else {
        return Err(MergeError::NotARun("(no shard folders given)".into()));
    };
    let coverage = coverage(shards)?;
    let mut sources: Vec<Source> = Vec::new();
    for dir in shards {
        let s = Set::done(dir)
            .source(&header)
            .ok_or_else(|| MergeError::NotARun(dir.display().to_string()))?;
        sources.push(s);
    }
    std::fs::create_dir_all(out).map_err(EmitError::out_folder(out))?;
    // (One merge or run at a time; the lock file also marks the folder as
    // output, which a run over a folder holding it passes over.)
    let _lock = crate::batch::lock(out).map_err(|e| match e {
        crate::BatchError::Emit(e) => MergeError::Emit(e),
        crate::BatchError::Busy(dir) => MergeError::Busy(dir),
    })?;
    let partial = Set::partial(out);
    let mut journal =
        Journal::create(&partial, &header).map_err(EmitError::io(&partial.records))?;
    // Every shard saw the same command-line paths: keep each message once.
    let mut input_errors: Vec<String> = Vec::new();
    for dir in shards {
        for line in manifest::read_lines(&dir.join("manifest.jsonl")).map_err(EmitError::io(dir))? {
            if let ManifestLine::InputError { input_error } = line
                && !input_errors.contains(&input_error)
            {
                input_errors.push(input_error);
            }
        }
    }
    for e in &input_errors {
        journal
            .input_error(e)
            .map_err(EmitError::io(&partial.manifest))?;
    }
    let mut duplicates = Vec::new();
    let mut last: Option<String> = None;
    loop {
        let next = (0..sources.len())
            .filter(|&i| sources[i].peek().is_some())
            .min_by(|&a, &b| {
                path_order(
                    &sources[a].peek().unwrap().path,
                    &sources[b].peek().unwrap().path,
                )
            });
        let Some(i) = next else { break };
        let e = sources[i].take().expect("peeked");
        if last.as_deref() == Some(e.path.as_str()) {
            duplicates.push(e.path);
            continue;
        }
        let (rec, rev) = sources[i].read(&e).map_err(EmitError::io(&shards[i]))?;
        if !e.output.is_empty() && manifest::output_digest(&rec, &rev) != e.output {
            return Err(MergeError::Changed {
                dir: shards[i].display().to_string(),
                path: e.path,
            });
        }
        last = Some(e.path.clone());
        journal
            .append(e, rec, rev)
            .map_err(EmitError::io(&partial.records))?;
    }
    let summary = journal.sync().map_err(EmitError::io(&partial.records))?;
    finish(
        out,
        &partial,
        &[],
        &summary,
        &crate::emit::RunInfo {
            config_origin: config_origin.to_string(),
            coverage: coverage.clone(),
            ..Default::default()
        },
        start.elapsed().as_secs_f64() * 1000.0,
    )?;
    Ok(Merged {
        summary,
        duplicates,
        coverage,
    })
}
