//! Which files a run reads: a lazy walk in sorted path order.
//!
//! Directories are listed one at a time (each listing sorted by name), so a
//! walk over an archive of any size holds only the listings on the current
//! path. A depth-first walk of name-sorted listings yields paths in
//! component-wise sorted order, the order records are written in.
//!
//! Symbolic links are followed, and every file is read once: a link to a
//! file or folder inside the roots is passed over (what it leads to is read
//! at its own path), a link that leads back to a folder the walk is inside
//! is passed over (a loop), and a file reached through links to the same
//! place outside the roots is read the first time only. Where a link leads
//! is resolved (`canonicalize`) for links and what lies behind them only,
//! so a walk without links makes no more system calls for them.
//!
//! A folder below a root that holds `.formsift.lock` is the output of a
//! formsift run (`--out` inside the archive, a shard's results, a table
//! `formsift export` wrote there): it is passed over, so that a run never
//! reads outputs as inputs, and [`Walk::passed_over`] names it. A root
//! given on the command line is walked whatever it holds.

use formsift_config::Config;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// A path given on the command line that yields no input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InputError {
    /// The path does not exist.
    #[error("{0}: no such file or directory")]
    Missing(String),
    /// A directory with no readable input inside.
    #[error("{0}: directory holds no readable input (looked for .{1})")]
    EmptyDir(String, String),
    /// A directory could not be listed.
    #[error("{0}: cannot list directory: {1}")]
    Unlistable(String, String),
}

/// One input file found by the walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The path to open (as given or walked).
    pub path: PathBuf,
    /// The path relative to the root it was found under (the file name for a
    /// file given directly): the same on every machine, used for sharding.
    pub relative: String,
}

/// Walks the given files and directories lazily, in sorted path order.
///
/// Roots are sorted; a root inside another root, or the same as one
/// before it, is dropped (its files come with the other), compared where
/// they really are (`canonicalize`), so no file is yielded twice.
pub struct Walk<'c> {
    roots: std::vec::IntoIter<PathBuf>,
    /// The roots as `canonicalize` gives them (those that resolve).
    canonical_roots: HashSet<PathBuf>,
    /// Directory listings still to visit, the innermost last.
    stack: Vec<Level>,
    /// Files outside the roots already yielded through links (canonical).
    seen: HashSet<PathBuf>,
    root: PathBuf,
    found_under_root: usize,
    config: &'c Config,
    pending_error: Option<InputError>,
    passed_over: Vec<PathBuf>,
    /// Files below the roots not read for their kind: count by extension.
    not_read: std::collections::BTreeMap<String, u64>,
}

/// Distinct extensions [`Walk::not_read`] counts apart; the rest are
/// counted together under `…`.
const NOT_READ_KINDS: usize = 32;

/// The file that marks a folder as a formsift run's output (the run's lock,
/// left in place after the run).
pub const OUTPUT_MARK: &str = ".formsift.lock";

impl<'c> Walk<'c> {
    /// A walk over `paths` keeping files with the configured extensions.
    pub fn new(paths: &[PathBuf], config: &'c Config) -> Walk<'c> {
        let mut roots: Vec<PathBuf> = paths.to_vec();
        roots.sort();
        roots.dedup();
        // Each root where it really is (`./a`, `a` and `/home/x/a` are one
        // folder); a root that does not resolve stays, to be reported.
        let canonical: Vec<Option<PathBuf>> = roots
            .iter()
            .map(|r| std::fs::canonicalize(r).ok())
            .collect();
        // (Looked up by each root's ancestors, not compared with every
        // other root: a shell glob can give tens of thousands.)
        let dirs: HashSet<&Path> = canonical
            .iter()
            .flatten()
            .filter(|c| c.is_dir())
            .map(PathBuf::as_path)
            .collect();
        let mut kept: Vec<PathBuf> = Vec::new();
        let mut canonical_roots: HashSet<PathBuf> = HashSet::new();
        for (r, c) in roots.into_iter().zip(&canonical) {
            if let Some(c) = c {
                // Inside a folder given as well (its files come with that
                // one), or the same as a root kept already.
                let inside = c.ancestors().skip(1).any(|a| dirs.contains(a));
                if inside || !canonical_roots.insert(c.clone()) {
                    continue;
                }
            }
            kept.push(r);
        }
        Walk {
            roots: kept.into_iter(),
            canonical_roots,
            stack: Vec::new(),
            seen: HashSet::new(),
            root: PathBuf::new(),
            found_under_root: 0,
            config,
            pending_error: None,
            passed_over: Vec::new(),
            not_read: Default::default(),
        }
    }

    /// Files below the roots passed over because formsift does not read
    /// their kind, so far: (extension as `.doc`, or `(none)`; count), by
    /// extension. Hidden files (`.DS_Store`) are not counted.
    pub fn not_read(&self) -> Vec<(String, u64)> {
        self.not_read.iter().map(|(k, n)| (k.clone(), *n)).collect()
    }

    /// Counts a file not read for its kind.
    fn pass_over(&mut self, p: &Path) {
        let Some(name) = p.file_name().map(|n| n.to_string_lossy()) else {
            return;
        };
        if name.starts_with('.') {
            return;
        }
        let kind = match p.extension() {
            Some(e) => format!(".{}", e.to_string_lossy().to_lowercase()),
            None => "(none)".to_string(),
        };
        let kind = if self.not_read.len() < NOT_READ_KINDS || self.not_read.contains_key(&kind) {
            kind
        } else {
            "…".to_string()
        };
        *self.not_read.entry(kind).or_insert(0) += 1;
    }

    /// The output folders of formsift runs passed over so far (see the
    /// module documentation), in walk order.
    pub fn passed_over(&self) -> &[PathBuf] {
        &self.passed_over
    }

    fn wanted(&self, p: &Path) -> bool {
        p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            self.config
                .inputs
                .extensions
                .iter()
                .any(|x| x.eq_ignore_ascii_case(e))
        })
    }

    /// Whether a canonical path lies inside one of the roots (and so is
    /// walked at its own path).
    fn inside_roots(&self, canonical: &Path) -> bool {
        canonical
            .ancestors()
            .any(|a| self.canonical_roots.contains(a))
    }

    /// Whether the walk is inside the folder at a canonical path already
    /// (a link to it would loop).
    fn inside(&self, canonical: &Path) -> bool {
        self.stack
            .iter()
            .any(|l| l.canonical.as_deref() == Some(canonical))
    }

    fn input(&self, path: PathBuf) -> Input {
        let relative = path
            .strip_prefix(&self.root)
            .ok()
            .filter(|r| !r.as_os_str().is_empty())
            .map(|r| r.to_string_lossy().replace('\\', "/"))
            .unwrap_or_else(|| {
                path.file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
            });
        Input { path, relative }
    }
}

/// What a directory entry is, from the listing itself (no stat per file).
enum Kind {
    Dir,
    File,
    /// A symbolic link: where it leads (canonical; `None` when it leads
    /// nowhere) and whether that is a folder.
    Link(Option<PathBuf>, bool),
}

/// One directory being walked.
struct Level {
    /// Its entries still to visit, sorted, reversed (popped from the end).
    entries: Vec<(PathBuf, Kind)>,
    /// Its canonical path when it was reached through a link (the paths
    /// behind a link are not where they seem).
    canonical: Option<PathBuf>,
    /// Whether it holds [`OUTPUT_MARK`]: a formsift run's output folder.
    output: bool,
}

/// A directory's entries, sorted, reversed. The entry type comes from the
/// listing; a symbolic link is resolved to see where it leads.
fn listing(dir: &Path, canonical: Option<PathBuf>) -> std::io::Result<Level> {
    let mut output = false;
    let mut entries: Vec<(PathBuf, Kind)> = std::fs::read_dir(dir)?
        .filter_map(|e| {
            let e = e.ok()?;
            output |= e.file_name() == OUTPUT_MARK;
            let t = e.file_type().ok()?;
            let p = e.path();
            let kind = if t.is_symlink() {
                let target = std::fs::canonicalize(&p).ok();
                let is_dir = target.as_ref().is_some_and(|t| t.is_dir());
                Kind::Link(target, is_dir)
            } else if t.is_dir() {
                Kind::Dir
            } else {
                Kind::File
            };
            Some((p, kind))
        })
        .collect();
    // All share `dir`: their order is their names' (as bytes), which a
    // comparison of the whole paths' bytes gives without splitting each
    // path into components, as `Path`'s ordering does at every compare.
    entries.sort_unstable_by(|a, b| a.0.as_os_str().cmp(b.0.as_os_str()));
    entries.reverse();
    Ok(Level {
        entries,
        canonical,
        output,
    })
}

impl Iterator for Walk<'_> {
    type Item = Result<Input, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(e) = self.pending_error.take() {
                return Some(Err(e));
            }
            if let Some(top) = self.stack.last_mut() {
                let Some((p, kind)) = top.entries.pop() else {
                    self.stack.pop();
                    if self.stack.is_empty() && self.found_under_root == 0 {
                        return Some(Err(InputError::EmptyDir(
                            self.root.display().to_string(),
                            self.config.inputs.extensions.join(", ."),
                        )));
                    }
                    continue;
                };
                // Where the entry really is, when the walk went through a
                // link to get here.
                let behind_link = |p: &Path| {
                    let parent = top.canonical.as_ref()?;
                    Some(parent.join(p.file_name()?))
                };
                let (dir, canonical) = match kind {
                    Kind::Dir => (true, behind_link(&p)),
                    Kind::File => (false, behind_link(&p)),
                    Kind::Link(Some(target), is_dir) => (is_dir, Some(target)),
                    // (A link that leads nowhere is read, to say so.)
                    Kind::Link(None, _) => (false, None),
                };
                if dir {
                    if let Some(c) = &canonical
                        && (self.inside_roots(c) || self.inside(c))
                    {
                        continue;
                    }
                    match listing(&p, canonical) {
                        Ok(l) if l.output => self.passed_over.push(p),
                        Ok(l) => self.stack.push(l),
                        Err(e) => {
                            return Some(Err(InputError::Unlistable(
                                p.display().to_string(),
                                e.to_string(),
                            )));
                        }
                    }
                } else if self.wanted(&p) {
                    if let Some(c) = canonical
                        && ((self.inside_roots(&c) && self.wanted(&c)) || !self.seen.insert(c))
                    {
                        continue;
                    }
                    self.found_under_root += 1;
                    return Some(Ok(self.input(p)));
                } else {
                    self.pass_over(&p);
                }
                continue;
            }
            let root = self.roots.next()?;
            self.root = root.clone();
            self.found_under_root = 0;
            // (Anything there that is not a directory is an input: a FIFO or
            // device given by name is refused when read, with the reason.)
            if root.exists() && !root.is_dir() {
                return Some(Ok(self.input(root)));
            } else if root.is_dir() {
                match listing(&root, None) {
                    Ok(l) => self.stack.push(l),
                    Err(e) => {
                        return Some(Err(InputError::Unlistable(
                            root.display().to_string(),
                            e.to_string(),
                        )));
                    }
                }
            } else {
                return Some(Err(InputError::Missing(root.display().to_string())));
            }
        }
    }
}

/// Expands the paths given into the sorted list of input files (the whole
/// list; [`Walk`] is the lazy form).
pub fn collect_inputs(paths: &[PathBuf], config: &Config) -> (Vec<PathBuf>, Vec<InputError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for item in Walk::new(paths, config) {
        match item {
            Ok(i) => files.push(i.path),
            Err(e) => errors.push(e),
        }
    }
    (files, errors)
}

/// Which part of an archive this machine takes: inputs whose relative path
/// hashes to `index` modulo `count` (`--shard K/N`, K from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, 0-based.
    pub index: u64,
    /// Number of shards.
    pub count: u64,
}

/// Why a `--shard` value is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "bad shard {0:?}: write K/N with 0 <= K < N, e.g. --shard 0/4 … --shard 3/4 (Slurm: $SLURM_ARRAY_TASK_ID/N)"
)]
pub struct ShardError(String);

impl std::str::FromStr for Shard {
    type Err = ShardError;

    fn from_str(s: &str) -> Result<Shard, ShardError> {
        let bad = || ShardError(s.to_string());
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count): (u64, u64) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    /// `K/N`, as `--shard` takes it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// True when the input belongs to this shard. The assignment depends only
    /// on the path relative to its root, so every machine agrees on it.
    pub fn takes(&self, input: &Input) -> bool {
        let h = blake3::hash(input.relative.as_bytes());
        let n = u64::from_le_bytes(h.as_bytes()[..8].try_into().expect("8 bytes"));
        n % self.count == self.index
    }
}

/// Counts the files and bytes a walk will yield (for progress and ETA).
pub fn count_inputs(paths: &[PathBuf], config: &Config, shard: Option<Shard>) -> (u64, u64) {
    let (mut files, mut bytes) = (0, 0);
    for input in Walk::new(paths, config).flatten() {
        if shard.is_none_or(|s| s.takes(&input)) {
            files += 1;
            bytes += std::fs::metadata(&input.path).map_or(0, |m| m.len());
        }
    }
    (files, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("formsift-walk-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    /// Writes a small file at each path under `d`, making its folders.
    fn write_files<P: AsRef<Path>>(d: &Path, paths: impl IntoIterator<Item = P>) {
        for f in paths {
            let p = d.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
    }

    /// The files' paths under `base`.
    fn under(files: &[PathBuf], base: &Path) -> Vec<String> {
        files
            .iter()
            .map(|p| p.strip_prefix(base).unwrap().display().to_string())
            .collect()
    }

    #[test]
    fn files_of_kinds_not_read_are_counted_by_extension() {
        let d = tmp("not-read");
        let mut names: Vec<String> = [
            "a.txt",
            "b.DOC",
            "2019/c.doc",
            "README",
            ".DS_Store",
            "x.txt.gz",
        ]
        .map(String::from)
        .to_vec();
        // More kinds than are counted apart (walked last: the first kinds
        // met are the ones counted apart).
        names.extend((0..40).map(|k| format!("zz/f.k{k:02}")));
        write_files(&d, &names);
        let config = Config::embedded();
        let mut walk = Walk::new(std::slice::from_ref(&d), &config);
        let files: Vec<PathBuf> = walk.by_ref().map(|i| i.unwrap().path).collect();
        assert_eq!(under(&files, &d), ["a.txt"]);
        let counted = walk.not_read();
        let get = |k: &str| counted.iter().find(|(kind, _)| kind == k).map(|(_, n)| *n);
        assert_eq!(get(".doc"), Some(2));
        assert_eq!(
            (get(".gz"), get("(none)"), get(".ds_store")),
            (Some(1), Some(1), None)
        );
        assert_eq!(counted.len(), NOT_READ_KINDS + 1);
        assert_eq!(get("…"), Some(40 + 3 - NOT_READ_KINDS as u64));
        assert_eq!(counted.iter().map(|(_, n)| n).sum::<u64>(), 44);
    }

    #[test]
    fn output_folders_below_a_root_are_passed_over_and_named() {
        let d = tmp("outputs");
        write_files(
            &d,
            [
                "2024/a.txt",
                // A run's --out inside the archive, with a table exported
                // there, and a shard's results further down.
                "out/.formsift.lock",
                "out/table.csv",
                "results/shard-0/.formsift.lock",
                "results/shard-0/t.xlsx",
                "results/notes.md",
            ],
        );
        let config = Config::embedded();
        let mut walk = Walk::new(std::slice::from_ref(&d), &config);
        let files: Vec<PathBuf> = walk.by_ref().map(|i| i.unwrap().path).collect();
        assert_eq!(under(&files, &d), ["2024/a.txt", "results/notes.md"]);
        assert_eq!(under(walk.passed_over(), &d), ["out", "results/shard-0"]);
        // Given as a root, an output folder is walked: it was asked for.
        let out = [d.join("out")];
        let (files, _) = collect_inputs(&out, &config);
        assert_eq!(under(&files, &d), ["out/table.csv"]);
    }

    #[test]
    fn walks_sorted_filtered_and_reports_bad_roots() {
        let d = tmp("walk");
        write_files(
            &d,
            [
                "2024/b/c.html",
                "2024/a.md",
                "b.txt",
                "a.txt",
                "notes.png",
                "2023/x.txt",
            ],
        );
        std::fs::create_dir_all(d.join("empty")).unwrap();
        let roots = [
            d.clone(),
            d.join("missing"),
            d.join("2024"),
            d.join("empty"),
        ];
        let (files, errors) = collect_inputs(&roots, &Config::embedded());
        assert_eq!(
            under(&files, &d),
            ["2023/x.txt", "2024/a.md", "2024/b/c.html", "a.txt", "b.txt"]
        );
        // The nested root 2024 is not walked twice; `empty` is inside `d`.
        assert_eq!(
            errors,
            [InputError::Missing(d.join("missing").display().to_string())]
        );
        let (f, _) = collect_inputs(&[d.join("empty")], &Config::embedded());
        assert!(f.is_empty());
        let (_, e) = collect_inputs(&[d.join("empty")], &Config::embedded());
        assert!(matches!(e[..], [InputError::EmptyDir(..)]));
    }

    /// Links are followed and every file is read once: links into the
    /// roots and links that loop are passed over, two links to one folder
    /// outside give its files once, a link that leads nowhere is read (to
    /// report it).
    #[cfg(unix)]
    #[test]
    fn links_are_followed_and_every_file_is_read_once() {
        use std::os::unix::fs::symlink;
        let d = tmp("links");
        let (arch, ext) = (d.join("archive"), d.join("outside"));
        for f in ["archive/2020/c.txt", "outside/x/a.txt", "outside/x/y/b.txt"] {
            let p = d.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        symlink("2020", arch.join("latest")).unwrap();
        symlink("2020/c.txt", arch.join("c-again.txt")).unwrap();
        symlink(ext.join("x"), arch.join("ext1")).unwrap();
        symlink(ext.join("x"), arch.join("ext2")).unwrap();
        symlink(ext.join("x/a.txt"), arch.join("link.txt")).unwrap();
        symlink(d.join("nowhere.txt"), arch.join("broken.txt")).unwrap();
        symlink(ext.join("x"), ext.join("x/y/up")).unwrap();
        symlink(&ext, ext.join("x/top")).unwrap();
        symlink(&arch, ext.join("x/back")).unwrap();
        let (files, errors) = collect_inputs(std::slice::from_ref(&arch), &Config::embedded());
        assert_eq!(
            under(&files, &arch),
            ["2020/c.txt", "broken.txt", "ext1/a.txt", "ext1/y/b.txt"]
        );
        assert_eq!(errors, []);
        // A root that is itself behind a link is walked.
        let (files, _) = collect_inputs(&[arch.join("latest")], &Config::embedded());
        assert_eq!(files, [arch.join("latest/c.txt")]);
    }

    #[test]
    fn a_root_given_twice_by_other_paths_is_walked_once() {
        let d = tmp("twice");
        for f in ["2024/a.md", "b.txt"] {
            let p = d.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        // The folder itself, through a folder and back, its file by another
        // path, and a folder inside it given after it in sorted order.
        let roots = [
            d.join("2024/.."),
            d.join("2024/../b.txt"),
            d.join("./2024"),
            d.clone(),
        ];
        let (files, errors) = collect_inputs(&roots, &Config::embedded());
        assert_eq!(errors, []);
        let names: Vec<&str> = files
            .iter()
            .map(|p| p.file_name().unwrap().to_str().unwrap())
            .collect();
        assert_eq!(names, ["a.md", "b.txt"]);
    }

    #[test]
    fn the_walk_order_is_the_sorted_order() {
        let d = tmp("order");
        for f in ["a-b/x.txt", "a/y.txt", "a/b/z.txt", "a.b/w.txt"] {
            let p = d.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        let (files, _) = collect_inputs(&[d], &Config::embedded());
        let mut sorted = files.clone();
        sorted.sort();
        assert_eq!(files, sorted);
    }

    #[test]
    fn shards_partition_the_inputs() {
        let inputs: Vec<Input> = (0..200)
            .map(|k| Input {
                path: PathBuf::from(format!("/x/{k}.txt")),
                relative: format!("{}/{k}.txt", 2019 + k % 5),
            })
            .collect();
        let shards: Vec<Shard> = (0..3).map(|k| format!("{k}/3").parse().unwrap()).collect();
        let mut sizes = [0; 3];
        for i in &inputs {
            let owners: Vec<usize> = (0..3).filter(|&k| shards[k].takes(i)).collect();
            assert_eq!(owners.len(), 1);
            sizes[owners[0]] += 1;
        }
        assert!(sizes.iter().all(|&n| n > 40), "{sizes:?}");
        assert!("3/3".parse::<Shard>().is_err());
        assert!("1".parse::<Shard>().is_err());
        assert!("0/0".parse::<Shard>().is_err());
    }
}
