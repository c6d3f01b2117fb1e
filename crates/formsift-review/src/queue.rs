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
    /// Record id → what the page shows of the record.
    pub records: HashMap<String, RecordInfo>,
    /// Item key → position in `items`.
    positions: Vec<usize>,
    /// (record id, fingerprint) → position in `items`.
    by_source: HashMap<(String, String), usize>,
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
        let mut items = Vec::new();
        for (n, line) in read_lines(&review)? {
            let line = line.map_err(io(&review))?;
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
        let wanted: HashSet<&str> = items.iter().map(|i| i.id.as_str()).collect();
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
            if quick.is_some_and(|id| !wanted.contains(id)) || line.trim().is_empty() {
                continue;
            }
            let r: Value =
                serde_json::from_str(&line).map_err(|e| bad(&records, n, e.to_string()))?;
            let Some(id) = r["id"].as_str().filter(|id| wanted.contains(id)) else {
                continue;
            };
            let lines = &r["source"]["lines"];
            let info = RecordInfo {
                form_type: r["form_type"].as_str().unwrap_or_default().to_string(),
                title: r["title"].as_str().unwrap_or_default().to_string(),
                file: r["source"]["path"].as_str().unwrap_or_default().to_string(),
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
            infos.insert(id.to_string(), info);
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
        self.records.get(&item.id)
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
