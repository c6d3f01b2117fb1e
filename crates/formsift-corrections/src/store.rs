//! The corrections file: reading it whole, grouped by input file, and
//! appending to it under an exclusive lock.

use crate::correction::Correction;
use crate::{CorrectionError, fields};
use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// The corrections of one input file (all records whose id has its stem).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileCorrections {
    /// Corrections with their 1-based line in the corrections file, in file
    /// order (a later correction of the same field wins).
    pub items: Vec<(usize, Correction)>,
    /// Hash of these corrections: a file's earlier output is reused only when
    /// both its content and this digest are unchanged.
    pub digest: String,
}

/// Every correction of a corrections file.
#[derive(Debug, Clone, Default)]
pub struct CorrectionSet {
    /// The file the corrections came from.
    pub path: String,
    /// File stem → its corrections.
    pub by_stem: HashMap<String, FileCorrections>,
    /// Number of corrections.
    pub len: usize,
}

impl CorrectionSet {
    /// Reads a corrections file; every line must be a valid correction.
    pub fn load(path: &Path) -> Result<CorrectionSet, CorrectionError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| CorrectionError::Io {
            path: name.clone(),
            source,
        })?;
        Self::parse(&text, &name)
    }

    /// Like [`CorrectionSet::load`], but a missing file is an empty set.
    pub fn load_or_empty(path: &Path) -> Result<CorrectionSet, CorrectionError> {
        if path.exists() {
            Self::load(path)
        } else {
            Ok(CorrectionSet {
                path: path.display().to_string(),
                ..CorrectionSet::default()
            })
        }
    }

    /// Parses corrections text; `name` is used in error messages.
    pub fn parse(text: &str, name: &str) -> Result<CorrectionSet, CorrectionError> {
        let mut set = CorrectionSet {
            path: name.to_string(),
            ..CorrectionSet::default()
        };
        let mut hashers: HashMap<String, blake3::Hasher> = HashMap::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let bad = |message: String| CorrectionError::Line {
                path: name.to_string(),
                line: i + 1,
                message,
            };
            let c: Correction = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
            validate(&c).map_err(bad)?;
            let stem = c.stem().to_string();
            hashers
                .entry(stem.clone())
                .or_default()
                .update(line.as_bytes())
                .update(b"\n");
            set.by_stem.entry(stem).or_default().items.push((i + 1, c));
            set.len += 1;
        }
        for (stem, h) in hashers {
            if let Some(fc) = set.by_stem.get_mut(&stem) {
                fc.digest = h.finalize().to_hex()[..16].to_string();
            }
        }
        Ok(set)
    }

    /// The corrections of the input whose file stem is `stem`.
    pub fn for_stem(&self, stem: &str) -> Option<&FileCorrections> {
        self.by_stem.get(stem)
    }

    /// True when there are no corrections.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// What makes a parsed line a usable correction.
fn validate(c: &Correction) -> Result<(), String> {
    use crate::Action;
    if c.id.is_empty() || !c.id.contains('#') {
        return Err(format!(
            "`id` must be a record id such as `001_x#2`, not {:?}",
            c.id
        ));
    }
    if c.fingerprint.len() != 16 || !c.fingerprint.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("`fingerprint` must be 16 hex digits".into());
    }
    match (c.action, &c.field) {
        (Action::Correct, None) => Err("a `correct` line needs `field`".into()),
        (Action::Correct, Some(f)) => fields::check(f, &c.new, c.is_record())
            .map(|_| ())
            .map_err(|e| e.to_string()),
        (Action::NotARow, _) if c.is_record() => {
            Err("`not_a_row` applies to rows (`path` /indicators/N), not records".into())
        }
        (_, Some(_)) => Err("only `correct` lines name a `field`".into()),
        _ => Ok(()),
    }
}

/// Appends corrections to `path` (created if missing) under an exclusive
/// lock, so that reviewers writing at the same time lose nothing; the lines
/// are on disk when this returns.
pub fn append(path: &Path, corrections: &[Correction]) -> Result<(), CorrectionError> {
    let io = |source| CorrectionError::Io {
        path: path.display().to_string(),
        source,
    };
    for c in corrections {
        validate(c).map_err(|message| CorrectionError::Line {
            path: path.display().to_string(),
            line: 0,
            message,
        })?;
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(path)
        .map_err(io)?;
    f.lock().map_err(io)?;
    let mut buf = Vec::new();
    // A line left without its end (a crash of an older writer) must not
    // swallow the first new line.
    let len = f.seek(SeekFrom::End(0)).map_err(io)?;
    if len > 0 {
        let mut last = [0u8];
        f.seek(SeekFrom::Start(len - 1)).map_err(io)?;
        f.read_exact(&mut last).map_err(io)?;
        if last[0] != b'\n' {
            buf.push(b'\n');
        }
    }
    for c in corrections {
        serde_json::to_writer(&mut buf, c).expect("corrections serialise");
        buf.push(b'\n');
    }
    f.write_all(&buf).map_err(io)?;
    f.sync_data().map_err(io)?;
    f.unlock().map_err(io)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Action;
    use serde_json::json;

    fn c(id: &str, field: Option<&str>, new: serde_json::Value) -> Correction {
        Correction {
            id: id.into(),
            fingerprint: "0123456789abcdef".into(),
            path: "/indicators/0".into(),
            action: if field.is_some() {
                Action::Correct
            } else {
                Action::Accept
            },
            field: field.map(str::to_string),
            old: serde_json::Value::Null,
            new,
            reviewer: "t".into(),
            time: crate::correction::now(),
        }
    }

    #[test]
    fn groups_by_file_stem_with_a_digest() {
        let text = [
            serde_json::to_string(&c("a#1", Some("level2"), json!("数量指标"))).unwrap(),
            String::new(),
            serde_json::to_string(&c("b#2", None, json!(null))).unwrap(),
            serde_json::to_string(&c("a#3", Some("weight"), json!(5))).unwrap(),
        ]
        .join("\n");
        let set = CorrectionSet::parse(&text, "c.jsonl").unwrap();
        assert_eq!(set.len, 3);
        let a = set.for_stem("a").unwrap();
        assert_eq!(a.items.iter().map(|(l, _)| *l).collect::<Vec<_>>(), [1, 4]);
        assert_ne!(a.digest, set.for_stem("b").unwrap().digest);
    }

    #[test]
    fn bad_lines_are_named() {
        let good = serde_json::to_string(&c("a#1", Some("level2"), json!("x"))).unwrap();
        let wrong_type = serde_json::to_string(&c("a#1", Some("weight"), json!("ten"))).unwrap();
        for (text, needle) in [
            (format!("{good}\n{{oops"), "line 2"),
            (format!("{good}\n{wrong_type}"), "`weight` takes a number"),
            (good.replace("level2", "colour"), "not an editable field"),
            (good.replace("0123456789abcdef", "xyz"), "16 hex digits"),
            (good.replace("\"reviewer\"", "\"who\""), "line 1"),
        ] {
            let e = CorrectionSet::parse(&text, "c.jsonl")
                .unwrap_err()
                .to_string();
            assert!(e.contains(needle), "{e}");
            assert!(e.contains("c.jsonl"), "{e}");
        }
    }

    #[test]
    fn concurrent_appends_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("corrections.jsonl");
        std::thread::scope(|s| {
            for t in 0..8 {
                let path = &path;
                s.spawn(move || {
                    for k in 0..25 {
                        let one = c(
                            &format!("f{t}#{k}"),
                            Some("name"),
                            json!("名称".repeat(200)),
                        );
                        append(path, &[one]).unwrap();
                    }
                });
            }
        });
        let set = CorrectionSet::load(&path).unwrap();
        assert_eq!(set.len, 200);
        assert_eq!(set.by_stem.len(), 8);
    }

    #[test]
    fn an_unterminated_last_line_is_not_joined() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.jsonl");
        let first = serde_json::to_string(&c("a#1", None, json!(null))).unwrap();
        std::fs::write(&path, first).unwrap();
        append(&path, &[c("a#2", None, json!(null))]).unwrap();
        assert_eq!(CorrectionSet::load(&path).unwrap().len, 2);
    }
}
