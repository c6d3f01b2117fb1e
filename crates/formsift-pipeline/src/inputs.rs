//! Which files a run reads.

use formsift_config::Config;
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

/// Expands the paths given: files are kept, directories are walked for files
/// with the configured extensions. Inputs come back sorted by path.
pub fn collect_inputs(paths: &[PathBuf], config: &Config) -> (Vec<PathBuf>, Vec<InputError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if p.is_file() {
            files.push(p.clone());
        } else if p.is_dir() {
            let before = files.len();
            if let Err(e) = walk(p, config, &mut files) {
                errors.push(InputError::Unlistable(
                    p.display().to_string(),
                    e.to_string(),
                ));
            } else if files.len() == before {
                errors.push(InputError::EmptyDir(
                    p.display().to_string(),
                    config.inputs.extensions.join(", ."),
                ));
            }
        } else {
            errors.push(InputError::Missing(p.display().to_string()));
        }
    }
    files.sort();
    files.dedup();
    (files, errors)
}

fn walk(dir: &Path, config: &Config, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, config, out)?;
        } else if p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            config
                .inputs
                .extensions
                .iter()
                .any(|x| x.eq_ignore_ascii_case(e))
        }) {
            out.push(p);
        }
    }
    Ok(())
}
