//! The review queue: a run's review items, the records they belong to, and
//! each item's state from the corrections file.

use crate::ReviewError;
use formsift_corrections::{Action, Correction, CorrectionSet};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Nobody has decided yet.
    Open,
    /// Confirmed as extracted.
    Accepted,
    /// Corrected (applies on the next `formsift run --corrections`).
    Corrected,
    /// Marked as not an indicator row.
    NotARow,
}

impl Status {
    fn of(action: Action) -> Status {
        match action {
            Action::Accept => Status::Accepted,
            Action::Correct => Status::Corrected,
            Action::NotARow => Status::NotARow,
        }
    }

    /// The name used in URLs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Accepted => "accepted",
            Status::Corrected => "corrected",
            Status::NotARow => "not_a_row",
        }
    }
}

/// What the queue keeps of an item's record.
#[derive(Debug, Clone, Serialize)]
pub struct RecordInfo {
    /// Form type.
    pub form_type: String,
    /// Title as printed.
    pub title: String,
    /// The input path as the run was given it.
    pub file: String,
    /// The form's lines.
    pub lines: [usize; 2],
    /// Record flags.
    pub flags: Vec<String>,
    /// Checks that failed.
    pub failed_checks: Vec<Value>,
    /// The project name, when the form has one (to tell forms apart).
    pub project_name: Option<String>,
}

/// One review item.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// Position in review.jsonl: the item's key in the API.
    pub key: usize,
    /// Record id.
    pub id: String,
    /// The input the item's record came from, as manifest.jsonl places the
    /// item (`None` without a manifest). Ids are the file name and form
    /// number, so two inputs of one name in different folders give the
    /// same ids: the file tells their records apart.
    #[serde(skip)]
    pub file: Option<String>,
    /// `/indicators/N`, or `` for the record.
    pub path: String,
    /// Fingerprint of the item's source text.
    pub fingerprint: String,
    /// Confidence.
    pub confidence: f64,
    /// Flags.
    pub flags: Vec<String>,
    /// The source lines, `N: text` each.
    pub source_text: String,
    /// What was extracted.
    pub value: Value,
    /// State from the corrections file.
    pub status: Status,
    /// Decisions recorded for the item, oldest first.
    pub decisions: Vec<Correction>,
}

impl Item {
    /// The key of the item's record in [`Queue::records`].
    fn record_key(&self) -> (&str, &str) {
        (self.file.as_deref().unwrap_or_default(), &self.id)
    }

    /// True for a record-level item.
    pub fn is_record(&self) -> bool {
        self.path.is_empty()
    }

    /// The value of a field as the reviewer sees it now: extracted, with
    /// recorded corrections applied.
    pub fn current(&self, field: &str) -> Value {
        if let Some(c) = self
            .decisions
            .iter()
            .rev()
            .find(|c| c.field.as_deref() == Some(field))
        {
            return c.new.clone();
        }
        let path = field.replace("fields.", "fields/").replace('.', "/");
        self.value
            .pointer(&format!("/{path}"))
            .cloned()
            .unwrap_or(Value::Null)
    }
}

/// A run's review queue.
pub struct Queue {
    /// The run's output folder.
    pub out: PathBuf,
    /// Where decisions are appended.
    pub corrections: PathBuf,
    /// Items ordered by confidence (lowest first), then by position.
    pub items: Vec<Item>,
    /// (input, record id) → what the page shows of the record; the input
    /// is empty when the run has no manifest (see [`Item::file`]).
    pub records: HashMap<(String, String), RecordInfo>,
    /// Item key → position in `items`.
    positions: Vec<usize>,
    /// (record id, fingerprint) → position in `items`.
    by_source: HashMap<(String, String), usize>,
}

/// Which input each byte range of review.jsonl came from, as the run's
/// manifest.jsonl says (`review`: offset and length of an input's items):
/// (start, end, input) in order.
struct ReviewFiles(Vec<(u64, u64, String)>);

impl ReviewFiles {
    /// The input whose review items hold byte `at`.
    fn at(&self, at: u64) -> Option<&str> {
        let i = self.0.partition_point(|(_, end, _)| *end <= at);
        self.0
            .get(i)
            .filter(|(start, _, _)| *start <= at)
            .map(|(_, _, p)| p.as_str())
    }
}

/// The review ranges of a manifest; `None` when there is none to read (a
/// folder not written by `formsift run` or `merge`): items are then
/// matched to records by id alone.
fn review_files(manifest: &Path) -> Option<ReviewFiles> {
    #[derive(serde::Deserialize)]
    struct Line {
        path: Option<String>,
        review: Option<[u64; 2]>,
    }
    let f = std::fs::File::open(manifest).ok()?;
    let mut ranges: Vec<(u64, u64, String)> = std::io::BufReader::new(f)
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| serde_json::from_str::<Line>(&l).ok())
        .filter_map(|l| Some((l.review?, l.path?)))
        .filter(|([_, len], _)| *len > 0)
        .map(|([offset, len], p)| (offset, offset.saturating_add(len), p))
        .collect();
    ranges.sort();
    Some(ReviewFiles(ranges))
}

fn read_lines(
    path: &Path,
) -> Result<impl Iterator<Item = (usize, std::io::Result<String>)>, ReviewError> {
    let f = std::fs::File::open(path).map_err(|source| ReviewError::Io {
        path: path.display().to_string(),
        source,
    })?;
    Ok(std::io::BufReader::new(f)
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l)))
}

impl Queue {
    /// Reads `out`/review.jsonl, the records the items belong to, and the
    /// decisions already in `corrections` (a missing file is empty).
    pub fn load(out: &Path, corrections: &Path) -> Result<Queue, ReviewError> {
        let review = out.join("review.jsonl");
        let records = out.join("records.jsonl");
        if !review.is_file() || !records.is_file() {
            return Err(ReviewError::NotARun(out.display().to_string()));
        }
        let bad = |path: &Path, line: usize, message: String| ReviewError::Line {
            path: path.display().to_string(),
            line,
            message,
        };
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| ReviewError::Io { path, source }
        };
        let files = review_files(&out.join("manifest.jsonl"));
        let mut items = Vec::new();
        // (The byte where each line starts: the manifest places items by
        // their bytes.)
        let mut at = 0u64;
        for (n, line) in read_lines(&review)? {
            let line = line.map_err(io(&review))?;
            let start = at;
            at += line.len() as u64 + 1;
            if line.trim().is_empty() {
                continue;
            }
            let v: Value =
                serde_json::from_str(&line).map_err(|e| bad(&review, n, e.to_string()))?;
            let text = |k: &str| v[k].as_str().map(str::to_string);
            let (Some(id), Some(path), Some(fingerprint)) =
                (text("id"), text("path"), text("fingerprint"))
            else {
                return Err(bad(
                    &review,
                    n,
                    "not a review item of this formsift version (id, path and fingerprint are needed); run `formsift run` again".into(),
                ));
            };
            items.push(Item {
                key: items.len(),
                file: files
                    .as_ref()
                    .map(|f| f.at(start).unwrap_or_default().to_string()),
                id,
                path,
                fingerprint,
                confidence: v["confidence"].as_f64().unwrap_or(0.0),
                flags: serde_json::from_value(v["flags"].clone()).unwrap_or_default(),
                source_text: text("source_text").unwrap_or_default(),
                value: v["value"].clone(),
                status: Status::Open,
                decisions: Vec::new(),
            });
        }
        let wanted_ids: HashSet<&str> = items.iter().map(|i| i.id.as_str()).collect();
        let wanted: HashSet<(&str, &str)> = items.iter().map(|i| i.record_key()).collect();
        let mut infos = HashMap::new();
        for (n, line) in read_lines(&records)? {
            let line = line.map_err(io(&records))?;
            if infos.len() == wanted.len() {
                break;
            }
            // formsift writes the id first: skip the parse of records without
            // items. Lines written otherwise are parsed whole.
            let quick = line
                .strip_prefix("{\"id\":\"")
                .and_then(|s| s.split_once('"'))
                .map(|(id, _)| id);
            if quick.is_some_and(|id| !wanted_ids.contains(id)) || line.trim().is_empty() {
                continue;
            }
            let r: Value =
                serde_json::from_str(&line).map_err(|e| bad(&records, n, e.to_string()))?;
            let file = r["source"]["path"].as_str().unwrap_or_default();
            let key = (
                if files.is_some() { file } else { "" },
                r["id"].as_str().unwrap_or_default(),
            );
            if !wanted.contains(&key) {
                continue;
            }
            let lines = &r["source"]["lines"];
            let info = RecordInfo {
                form_type: r["form_type"].as_str().unwrap_or_default().to_string(),
                title: r["title"].as_str().unwrap_or_default().to_string(),
                file: file.to_string(),
                lines: [
                    lines[0].as_u64().unwrap_or(0) as usize,
                    lines[1].as_u64().unwrap_or(0) as usize,
                ],
                flags: serde_json::from_value(r["flags"].clone()).unwrap_or_default(),
                failed_checks: r["checks"]
                    .as_array()
                    .map(|c| c.iter().filter(|c| c["ok"] == false).cloned().collect())
                    .unwrap_or_default(),
                project_name: r["fields"]["project_name"].as_str().map(str::to_string),
            };
            infos.insert((key.0.to_string(), key.1.to_string()), info);
        }
        items.sort_by(|a, b| {
            a.confidence
                .total_cmp(&b.confidence)
                .then(a.key.cmp(&b.key))
        });
        let mut positions = vec![0; items.len()];
        let mut by_source = HashMap::new();
        for (pos, i) in items.iter().enumerate() {
            positions[i.key] = pos;
            by_source
                .entry((i.id.clone(), i.fingerprint.clone()))
                .or_insert(pos);
        }
        let mut q = Queue {
            out: out.to_path_buf(),
            corrections: corrections.to_path_buf(),
            items,
            records: infos,
            positions,
            by_source,
        };
        let set = CorrectionSet::load_or_empty(corrections)?;
        for fc in set.by_stem.values() {
            for (_, c) in &fc.items {
                q.record(c.clone());
            }
        }
        Ok(q)
    }

    /// Notes a decision on the item it concerns (by record id and fingerprint).
    pub fn record(&mut self, c: Correction) {
        let pos = self.by_source.get(&(c.id.clone(), c.fingerprint.clone()));
        if let Some(item) = pos.and_then(|&p| self.items.get_mut(p)) {
            item.status = Status::of(c.action);
            item.decisions.push(c);
        }
    }

    /// The item with the given key.
    pub fn get(&self, key: usize) -> Option<&Item> {
        self.items.get(*self.positions.get(key)?)
    }

    /// The record info of an item.
    pub fn info(&self, item: &Item) -> Option<&RecordInfo> {
        let (file, id) = item.record_key();
        self.records.get(&(file.to_string(), id.to_string()))
    }

    /// Counts for the filters: files, form types, flags and states.
    pub fn facets(&self) -> Value {
        let mut files = BTreeMap::<&str, usize>::new();
        let mut types = BTreeMap::<&str, usize>::new();
        let mut flags = BTreeMap::<&str, usize>::new();
        let mut status = BTreeMap::<&str, usize>::new();
        for i in &self.items {
            if let Some(r) = self.info(i) {
                *files.entry(&r.file).or_default() += 1;
                *types.entry(&r.form_type).or_default() += 1;
            }
            for f in &i.flags {
                *flags.entry(f).or_default() += 1;
            }
            *status.entry(i.status.as_str()).or_default() += 1;
        }
        json!({"files": files, "form_types": types, "flags": flags, "status": status})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run over `a/x.txt` and `b/x.txt`: one form each, so both records
    /// have the id `x#1`, and a review item each. With `manifest`, the
    /// run's manifest.jsonl places the items.
    fn same_named_inputs(dir: &Path, manifest: bool) {
        let record = |file: &str, name: &str| {
            json!({"id": "x#1", "source": {"path": file, "form": 1, "lines": [1, 9]},
                   "form_type": "project_target", "title": "申报表",
                   "fields": {"project_name": name}, "checks": [], "flags": []})
        };
        let item = |name: &str, fingerprint: &str| {
            json!({"id": "x#1", "path": "/indicators/0", "fingerprint": fingerprint,
                   "confidence": 0.5, "flags": [], "source_text": format!("3: {name}"),
                   "value": {"name": name}})
            .to_string()
                + "\n"
        };
        let records = format!("{}\n{}\n", record("a/x.txt", "甲"), record("b/x.txt", "乙"));
        let (first, second) = (
            item("甲", "00000000000000aa"),
            item("乙", "00000000000000bb"),
        );
        std::fs::write(dir.join("records.jsonl"), records).unwrap();
        std::fs::write(dir.join("review.jsonl"), format!("{first}{second}")).unwrap();
        if manifest {
            let line = |path: &str, review: [usize; 2]| {
                json!({"path": path, "relative": "x.txt", "hash": "h", "records": [0, 0],
                       "review": review, "counts": {}, "report": {}})
            };
            let lines = [
                json!({"formsift": "test", "config": "c"}),
                line("a/x.txt", [0, first.len()]),
                line("b/x.txt", [first.len(), second.len()]),
            ];
            let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
            std::fs::write(dir.join("manifest.jsonl"), text).unwrap();
        }
    }

    #[test]
    fn items_of_two_inputs_with_one_name_show_their_own_record() {
        let dir = tempfile::tempdir().unwrap();
        same_named_inputs(dir.path(), true);
        let q = Queue::load(dir.path(), &dir.path().join("corrections.jsonl")).unwrap();
        let shown: Vec<(String, String)> = q
            .items
            .iter()
            .map(|i| {
                let r = q.info(i).expect("the item's record");
                (i.value["name"].to_string(), r.file.clone())
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("\"甲\"".to_string(), "a/x.txt".to_string()),
                ("\"乙\"".to_string(), "b/x.txt".to_string())
            ]
        );
    }

    #[test]
    fn without_a_manifest_items_find_their_record_by_id() {
        let dir = tempfile::tempdir().unwrap();
        same_named_inputs(dir.path(), false);
        let q = Queue::load(dir.path(), &dir.path().join("corrections.jsonl")).unwrap();
        assert!(q.items.iter().all(|i| q.info(i).is_some()));
    }
}
