//! The HTTP API as a plain function from a request to an answer.
//!
//! Routes:
//! - `GET /`, `/app.js`, `/app.css`: the page.
//! - `GET /api/meta`: counts for the filters, flag and check explanations,
//!   editable fields, the reviewer's default name.
//! - `GET /api/items?file=&form_type=&flag=&status=&offset=&limit=`: the
//!   queue, lowest confidence first, a page at a time (500 by default);
//!   `count` is the number of matching items.
//! - `GET /api/items/{key}`: one item with its record and source lines.
//! - `POST /api/items/{key}`: a decision, `{"action": "accept" | "correct" |
//!   "not_a_row", "changes": {"level2": "数量指标", …}, "reviewer": "…"}`.
//! - `GET /files/{name}`: a file of the output folder (records.jsonl, …).
//!
//! Bad input gets a 4xx with `{"error": "…"}` and changes nothing.

use crate::queue::{Item, Queue};
use formsift_config::Config;
use formsift_corrections::fields::{self, OPS, RECORD_FIELDS, ROW_FIELDS};
use formsift_corrections::{Action, Correction};
use serde_json::{Value, json};

/// Lines shown above and below a row.
const CONTEXT_ROW: usize = 8;
/// Lines of a form shown for a record item.
const CONTEXT_RECORD: usize = 400;

/// Items in one page of the queue, unless `limit` says otherwise.
const PAGE: usize = 500;
/// The largest `limit`.
const PAGE_MAX: usize = 5000;

/// Largest request body accepted, in bytes.
pub const MAX_BODY: usize = 64 * 1024;

const INDEX: &str = include_str!("../assets/index.html");
const APP_JS: &str = include_str!("../assets/app.js");
const APP_CSS: &str = include_str!("../assets/app.css");

/// A request, as the server read it.
pub struct Request<'a> {
    /// `GET`, `POST`, …
    pub method: &'a str,
    /// Path and query, as sent.
    pub url: &'a str,
    /// The body (at most [`MAX_BODY`] bytes; the server answers 413 beyond).
    pub body: &'a [u8],
}

/// An answer to send.
#[derive(Debug)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Content type.
    pub content_type: &'static str,
    /// Body.
    pub body: Vec<u8>,
}

impl Answer {
    fn json(status: u16, v: &Value) -> Answer {
        Answer {
            status,
            content_type: "application/json; charset=utf-8",
            body: serde_json::to_vec(v).expect("json serialises"),
        }
    }

    /// An error answer with a message.
    pub fn error(status: u16, message: impl Into<String>) -> Answer {
        Answer::json(status, &json!({"error": message.into()}))
    }

    fn text(content_type: &'static str, body: &str) -> Answer {
        Answer {
            status: 200,
            content_type,
            body: body.as_bytes().to_vec(),
        }
    }

    /// The body as JSON (for tests).
    pub fn value(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// The review application: the queue, the rules (for explanations) and the
/// default reviewer name.
pub struct App {
    /// The queue.
    pub queue: Queue,
    /// The rules the run used (flag and check explanations).
    pub config: Config,
    /// Name used when a request names no reviewer.
    pub reviewer: String,
}

/// Decodes `%XX` escapes and `+` of a URL component.
fn decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

fn query(q: &str) -> Option<Vec<(String, String)>> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Some((decode(k)?, decode(v)?))
        })
        .collect()
}

impl App {
    /// Answers one request.
    pub fn handle(&mut self, req: &Request) -> Answer {
        let (path, q) = req.url.split_once('?').unwrap_or((req.url, ""));
        let Some(params) = query(q) else {
            return Answer::error(400, "the query string is not valid percent-encoded UTF-8");
        };
        let Some(path) = decode(path) else {
            return Answer::error(400, "the path is not valid percent-encoded UTF-8");
        };
        let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match (req.method, segs.as_slice()) {
            ("GET", [""] | ["index.html"]) => Answer::text("text/html; charset=utf-8", INDEX),
            ("GET", ["app.js"]) => Answer::text("text/javascript; charset=utf-8", APP_JS),
            ("GET", ["app.css"]) => Answer::text("text/css; charset=utf-8", APP_CSS),
            ("GET", ["api", "meta"]) => Answer::json(200, &self.meta()),
            ("GET", ["api", "items"]) => self.list(&params),
            ("GET", ["api", "items", key]) => match self.item(key) {
                Ok(item) => Answer::json(200, &self.detail(item)),
                Err(a) => a,
            },
            ("POST", ["api", "items", key]) => self.decide(key, req.body),
            ("GET", ["files", rest @ ..]) => self.file(rest),
            (_, ["" | "index.html" | "app.js" | "app.css"])
            | (_, ["api", "meta" | "items"])
            | (_, ["api", "items", _])
            | (_, ["files", ..]) => {
                Answer::error(405, format!("{} is not allowed here", req.method))
            }
            _ => Answer::error(404, format!("no such page: {path}")),
        }
    }

    fn meta(&self) -> Value {
        let flags: Value = self
            .config
            .flags
            .iter()
            .map(|(k, f)| (k.clone(), json!(f.about)))
            .collect::<serde_json::Map<_, _>>()
            .into();
        json!({
            "out": self.queue.out.display().to_string(),
            "corrections": self.queue.corrections.display().to_string(),
            "reviewer": self.reviewer,
            "total": self.queue.items.len(),
            "facets": self.queue.facets(),
            "flags": flags,
            "checks": self.config.checks.about,
            "fields": {"row": ROW_FIELDS, "record": RECORD_FIELDS},
            "ops": OPS,
            "threshold": self.config.review.threshold,
        })
    }

    fn summary(&self, i: &Item) -> Value {
        let info = self.queue.info(i);
        json!({
            "key": i.key, "id": i.id, "path": i.path, "confidence": i.confidence,
            "flags": i.flags, "status": i.status.as_str(),
            "name": if i.is_record() { info.map(|r| json!(r.title)).unwrap_or(Value::Null) } else { i.value["name"].clone() },
            "file": info.map(|r| r.file.as_str()),
            "form_type": info.map(|r| r.form_type.as_str()),
        })
    }

    fn list(&self, params: &[(String, String)]) -> Answer {
        let want = |k: &str| {
            params
                .iter()
                .find(|(p, _)| p == k)
                .map(|(_, v)| v.as_str())
                .filter(|v| !v.is_empty())
        };
        const KNOWN: &[&str] = &["file", "form_type", "flag", "status", "offset", "limit"];
        if let Some((k, _)) = params.iter().find(|(k, _)| !KNOWN.contains(&k.as_str())) {
            return Answer::error(
                400,
                format!("unknown parameter `{k}` ({})", KNOWN.join(", ")),
            );
        }
        let number = |k: &str, default: usize| match want(k) {
            None => Ok(default),
            Some(v) => v.parse::<usize>().map_err(|_| {
                Answer::error(400, format!("`{k}` must be a whole number, not `{v}`"))
            }),
        };
        let (offset, limit) = match (number("offset", 0), number("limit", PAGE)) {
            (Ok(o), Ok(l)) => (o, l.min(PAGE_MAX)),
            (Err(a), _) | (_, Err(a)) => return a,
        };
        let (file, ftype, flag, status) = (
            want("file"),
            want("form_type"),
            want("flag"),
            want("status"),
        );
        let matching: Vec<&Item> = self
            .queue
            .items
            .iter()
            .filter(|i| {
                let info = self.queue.info(i);
                file.is_none_or(|f| info.is_some_and(|r| r.file == f))
                    && ftype.is_none_or(|t| info.is_some_and(|r| r.form_type == t))
                    && flag.is_none_or(|f| i.flags.iter().any(|x| x == f))
                    && status.is_none_or(|s| i.status.as_str() == s)
            })
            .collect();
        let items: Vec<Value> = matching
            .iter()
            .skip(offset)
            .take(limit)
            .map(|i| self.summary(i))
            .collect();
        Answer::json(
            200,
            &json!({"count": matching.len(), "offset": offset, "items": items}),
        )
    }

    fn item(&self, key: &str) -> Result<&Item, Answer> {
        let k: usize = key
            .parse()
            .map_err(|_| Answer::error(400, format!("`{key}` is not an item key (a number)")))?;
        self.queue
            .get(k)
            .ok_or_else(|| Answer::error(404, format!("no review item {k}")))
    }

    fn detail(&self, i: &Item) -> Value {
        let info = self.queue.info(i);
        let explain = |f: &String| json!({"flag": f, "about": self.config.flags.get(f).map(|x| x.about.as_str())});
        let mut v = self.summary(i);
        v["fingerprint"] = json!(i.fingerprint);
        v["source_text"] = json!(i.source_text);
        v["value"] = i.value.clone();
        v["explained"] = i.flags.iter().map(explain).collect();
        v["decisions"] = json!(i.decisions);
        let editable: Vec<String> = if i.is_record() {
            let mut f: Vec<String> = RECORD_FIELDS.iter().map(|s| s.to_string()).collect();
            if let Some(m) = i.value["fields"].as_object() {
                f.extend(m.keys().map(|k| format!("fields.{k}")));
            }
            f
        } else {
            ROW_FIELDS.iter().map(|s| s.to_string()).collect()
        };
        // In editor order: a list of [field, value].
        v["current"] = editable.iter().map(|f| json!([f, i.current(f)])).collect();
        if let Some(r) = info {
            v["record"] = json!({
                "title": r.title, "flags": r.flags, "lines": r.lines,
                "project_name": r.project_name,
                "failed_checks": r.failed_checks.iter().map(|c| {
                    let mut c = c.clone();
                    let name = c["name"].as_str().unwrap_or_default().to_string();
                    c["about"] = json!(self.config.checks.about.get(&name));
                    c
                }).collect::<Vec<_>>(),
            });
            v["context"] = self.context(r, i);
        }
        v
    }

    /// The form's source lines, read from the input file, with the item's
    /// lines marked.
    fn context(&self, r: &crate::queue::RecordInfo, i: &Item) -> Value {
        let mut candidates = vec![std::path::PathBuf::from(&r.file)];
        if let Some(parent) = self.queue.out.parent() {
            candidates.push(parent.join(&r.file));
        }
        let Some(bytes) = candidates.iter().find_map(|p| std::fs::read(p).ok()) else {
            return json!({"error": format!("the input {} is not readable from here; the item's own lines are shown", r.file)});
        };
        let text = match formsift_ingest::decode(&bytes, &r.file) {
            Ok(t) => t.text,
            Err(e) => return json!({"error": e.to_string()}),
        };
        let mark = i.value["lines"]
            .as_array()
            .map(|l| [l[0].as_u64().unwrap_or(0), l[1].as_u64().unwrap_or(0)])
            .unwrap_or([r.lines[0] as u64, r.lines[1] as u64]);
        // A row is shown with the form's lines around it; a record with its
        // whole form (up to a screenful of lines).
        let (from, to) = if i.is_record() {
            (r.lines[0], r.lines[1].min(r.lines[0] + CONTEXT_RECORD))
        } else {
            let (a, b) = (mark[0] as usize, mark[1] as usize);
            (
                a.saturating_sub(CONTEXT_ROW).max(r.lines[0]),
                (b + CONTEXT_ROW).min(r.lines[1]),
            )
        };
        let lines: Vec<Value> = text
            .lines()
            .enumerate()
            .map(|(k, l)| (k + 1, l))
            .skip(from.saturating_sub(1))
            .take_while(|(n, _)| *n <= to)
            .map(|(n, l)| json!([n, l]))
            .collect();
        json!({"file": r.file, "lines": lines, "mark": mark})
    }

    fn decide(&mut self, key: &str, body: &[u8]) -> Answer {
        if body.len() > MAX_BODY {
            return Answer::error(413, format!("the body is over {MAX_BODY} bytes"));
        }
        let item = match self.item(key) {
            Ok(i) => i.clone(),
            Err(a) => return a,
        };
        let v: Value = match serde_json::from_slice(body) {
            Ok(v @ Value::Object(_)) => v,
            Ok(_) => return Answer::error(400, "the body must be a JSON object"),
            Err(e) => return Answer::error(400, format!("malformed JSON: {e}")),
        };
        if let Some(k) = v.as_object().and_then(|o| {
            o.keys()
                .find(|k| !["action", "changes", "reviewer"].contains(&k.as_str()))
        }) {
            return Answer::error(
                400,
                format!("unknown key `{k}` (action, changes, reviewer)"),
            );
        }
        let action = match v["action"].as_str() {
            Some("accept") => Action::Accept,
            Some("correct") => Action::Correct,
            Some("not_a_row") => Action::NotARow,
            _ => return Answer::error(400, "`action` must be accept, correct or not_a_row"),
        };
        let reviewer = match &v["reviewer"] {
            Value::Null => self.reviewer.clone(),
            Value::String(s) if !s.trim().is_empty() && s.len() <= 100 => s.trim().to_string(),
            _ => return Answer::error(400, "`reviewer` must be a name of 1 to 100 bytes"),
        };
        if action == Action::NotARow && item.is_record() {
            return Answer::error(400, "not_a_row applies to indicator rows, not records");
        }
        let base = Correction {
            id: item.id.clone(),
            fingerprint: item.fingerprint.clone(),
            path: item.path.clone(),
            action,
            field: None,
            old: Value::Null,
            new: Value::Null,
            reviewer,
            time: formsift_corrections::correction::now(),
        };
        let mut written = Vec::new();
        match (action, &v["changes"]) {
            (Action::Correct, Value::Object(changes)) if !changes.is_empty() => {
                for (field, value) in changes {
                    let new = match fields::check(field, value, item.is_record()) {
                        Ok(n) => n,
                        Err(e) => return Answer::error(400, e.to_string()),
                    };
                    let old = item.current(field);
                    if same(&old, &new) {
                        continue;
                    }
                    written.push(Correction {
                        field: Some(field.clone()),
                        old,
                        new,
                        ..base.clone()
                    });
                }
                if written.is_empty() {
                    return Answer::error(
                        400,
                        "no field changed; to confirm the item as it is, accept it",
                    );
                }
            }
            (Action::Correct, _) => {
                return Answer::error(
                    400,
                    "`correct` needs `changes`: an object of field → new value",
                );
            }
            (_, Value::Null) => written.push(base),
            (_, _) => return Answer::error(400, "only `correct` takes `changes`"),
        }
        if let Err(e) = formsift_corrections::append(&self.queue.corrections, &written) {
            return Answer::error(500, format!("could not save the decision: {e}"));
        }
        for c in &written {
            self.queue.record(c.clone());
        }
        let item = self.queue.get(item.key).expect("item exists");
        Answer::json(200, &json!({"written": written, "item": self.detail(item)}))
    }

    fn file(&self, rest: &[&str]) -> Answer {
        let name = rest.join("/");
        let plain = rest.len() == 1
            && !name.is_empty()
            && !name.starts_with('.')
            && !name.contains('\\')
            && !name.contains('\0');
        if !plain {
            return Answer::error(403, format!("`{name}` is outside the output folder"));
        }
        let out = match self.queue.out.canonicalize() {
            Ok(o) => o,
            Err(e) => return Answer::error(500, e.to_string()),
        };
        let path = match out.join(&name).canonicalize() {
            Ok(p) => p,
            Err(_) => return Answer::error(404, format!("no file {name} in the output folder")),
        };
        if !path.starts_with(&out) || !path.is_file() {
            return Answer::error(403, format!("`{name}` is outside the output folder"));
        }
        let content_type = match path.extension().and_then(|e| e.to_str()) {
            Some("json") => "application/json; charset=utf-8",
            Some("jsonl") => "application/x-ndjson; charset=utf-8",
            _ => "text/plain; charset=utf-8",
        };
        match std::fs::read(&path) {
            Ok(body) => Answer {
                status: 200,
                content_type,
                body,
            },
            Err(e) => Answer::error(500, e.to_string()),
        }
    }
}

/// Equal as the reviewer means it: numbers by value.
fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use formsift_corrections::CorrectionSet;

    /// A run folder with one record-level item and one row item.
    fn app(dir: &std::path::Path) -> App {
        let record = json!({"id": "f#1", "source": {"path": "f.txt", "form": 1, "lines": [1, 3], "formats": ["tsv"]},
            "form_type": "project_target", "title": "财政项目支出绩效目标申报表", "year": 2024,
            "fields": {"project_name": "甲项目"}, "funds": {"unit": null}, "indicators": [
              {"level1": "产出指标", "level2": null, "name": "班级数", "ordinal": null, "target": null,
               "actual": null, "weight": null, "score": null, "remark": null, "lines": [3, 3],
               "confidence": 0.5, "flags": ["level_missing"], "review": true}],
            "total_score": null, "checks": [{"name": "date_order", "ok": false, "expected": "x", "found": "y"}],
            "residue": [], "confidence": 0.6, "flags": ["checkbox_none"], "review": true});
        let items = [
            json!({"id": "f#1", "path": "", "fingerprint": "00000000000000aa", "confidence": 0.6,
                   "flags": ["checkbox_none"], "source_text": "1: 财政项目支出绩效目标申报表",
                   "value": {"form_type": "project_target", "title": "财政项目支出绩效目标申报表", "year": 2024,
                             "fields": {"project_name": "甲项目"}, "funds": {}, "checks": []}}),
            json!({"id": "f#1", "path": "/indicators/0", "fingerprint": "00000000000000bb", "confidence": 0.5,
                   "flags": ["level_missing"], "source_text": "3: 产出指标 班级数",
                   "value": record["indicators"][0]}),
        ];
        std::fs::write(dir.join("records.jsonl"), format!("{record}\n")).unwrap();
        std::fs::write(
            dir.join("review.jsonl"),
            format!("{}\n{}\n", items[0], items[1]),
        )
        .unwrap();
        let queue = Queue::load(dir, &dir.join("corrections.jsonl")).unwrap();
        App {
            queue,
            config: Config::embedded(),
            reviewer: "unit".into(),
        }
    }

    fn post(app: &mut App, url: &str, body: &str) -> Answer {
        app.handle(&Request {
            method: "POST",
            url,
            body: body.as_bytes(),
        })
    }

    #[test]
    fn a_record_item_edits_its_fields_and_refuses_row_actions() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = app(dir.path());
        let a = app.handle(&Request {
            method: "GET",
            url: "/api/items/0",
            body: b"",
        });
        assert_eq!(a.status, 200);
        let v = a.value();
        let fields: Vec<&str> = v["current"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p[0].as_str().unwrap())
            .collect();
        assert_eq!(
            fields,
            ["form_type", "title", "year", "fields.project_name"]
        );
        assert_eq!(
            v["record"]["failed_checks"][0]["about"],
            "the start date is not after the end date"
        );
        assert_eq!(
            post(&mut app, "/api/items/0", r#"{"action":"not_a_row"}"#).status,
            400
        );
        assert_eq!(
            post(
                &mut app,
                "/api/items/0",
                r#"{"action":"correct","changes":{"level1":"x"}}"#
            )
            .status,
            400
        );
        assert_eq!(
            post(
                &mut app,
                "/api/items/0",
                r#"{"action":"correct","changes":{"year":"二〇二四"}}"#
            )
            .status,
            400
        );
        assert_eq!(
            post(
                &mut app,
                "/api/items/0",
                r#"{"action":"correct","changes":{"year":2024}}"#
            )
            .status,
            400,
            "unchanged"
        );
        assert!(!dir.path().join("corrections.jsonl").exists());
        let ok = post(
            &mut app,
            "/api/items/0",
            r#"{"action":"correct","changes":{"fields.project_name":"乙项目","year":"2023"}}"#,
        );
        assert_eq!(ok.status, 200, "{:?}", ok.value());
        let set = CorrectionSet::load(&dir.path().join("corrections.jsonl")).unwrap();
        let lines = &set.for_stem("f").unwrap().items;
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].1.field.as_deref(), Some("fields.project_name"));
        assert_eq!(lines[0].1.old, json!("甲项目"));
        assert_eq!(lines[1].1.new, json!(2023));
        assert_eq!(lines[0].1.reviewer, "unit");
        // The row item stays open; the record item is corrected.
        let list = app
            .handle(&Request {
                method: "GET",
                url: "/api/items?status=open",
                body: b"",
            })
            .value();
        assert_eq!(list["count"], 1);
        assert_eq!(list["items"][0]["path"], "/indicators/0");
    }

    #[test]
    fn urls_are_decoded_before_they_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = app(dir.path());
        for (url, status) in [
            ("/files/%2e%2e%2fsecret", 403),
            ("/files/sub%2Fdir", 403),
            ("/files/records.jsonl", 200),
            ("/files/%ZZ", 400),
            ("/api/items?flag=%E2%9C%93", 200),
            ("/api/items?status=open&file=f.txt", 200),
        ] {
            let a = app.handle(&Request {
                method: "GET",
                url,
                body: b"",
            });
            assert_eq!(a.status, status, "{url}: {:?}", a.value());
        }
        let a = app.handle(&Request {
            method: "GET",
            url: "/api/items?file=f.txt",
            body: b"",
        });
        assert_eq!(a.value()["count"], 2);
        let get = |app: &mut App, url: &str| {
            app.handle(&Request {
                method: "GET",
                url,
                body: b"",
            })
        };
        let page = get(&mut app, "/api/items?offset=1&limit=1").value();
        assert_eq!(page["count"], 2);
        assert_eq!(page["items"].as_array().unwrap().len(), 1);
        assert_eq!(
            page["items"][0]["key"], 0,
            "lowest confidence first: the row (0.5), then the record (0.6)"
        );
        for url in [
            "/api/items?limit=-1",
            "/api/items?offset=x",
            "/api/items?colour=red",
        ] {
            assert_eq!(get(&mut app, url).status, 400, "{url}");
        }
    }
}
