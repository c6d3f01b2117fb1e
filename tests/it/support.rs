//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Runs the formsift binary from the workspace root.
pub fn formsift(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_formsift"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("formsift runs")
}

/// The sample files, sorted.
pub fn samples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("samples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    v.sort();
    v
}

/// A fresh temporary directory under target/.
pub fn tempdir(name: &str) -> PathBuf {
    let d = root()
        .join("target")
        .join("it-tmp")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Parses JSONL.
pub fn jsonl(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A `formsift review` server on a free port, stopped when dropped.
pub struct ReviewServer {
    child: std::process::Child,
    /// The port it listens on.
    pub port: u16,
}

impl ReviewServer {
    /// Starts `formsift review` with `args` and waits for its address.
    pub fn start(args: &[&str]) -> ReviewServer {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_formsift"))
            .arg("review")
            .args(args)
            .args(["--port", "0"])
            .current_dir(root())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("formsift review starts");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .trim_end_matches('/')
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no address printed: {line:?}"));
        ReviewServer { child, port }
    }

    /// Sends one HTTP/1.1 request; returns the status and the body.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, String) {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
            head.push_str(&format!("Host: 127.0.0.1:{}\r\n", self.port));
        }
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let _ = s.write_all(head.as_bytes());
        let _ = s.write_all(body);
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        let text = String::from_utf8_lossy(&out).into_owned();
        let status = text
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("no HTTP answer: {text:?}"));
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        (status, body)
    }

    /// GET, expecting JSON.
    pub fn get(&self, path: &str) -> (u16, serde_json::Value) {
        let (s, b) = self.request("GET", path, &[], b"");
        (
            s,
            serde_json::from_str(&b).unwrap_or(serde_json::Value::Null),
        )
    }

    /// POST of a JSON body.
    pub fn post(&self, path: &str, body: &str) -> (u16, serde_json::Value) {
        let (s, b) = self.request(
            "POST",
            path,
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        );
        (
            s,
            serde_json::from_str(&b).unwrap_or(serde_json::Value::Null),
        )
    }
}

impl Drop for ReviewServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs formsift over the samples into a fresh folder: (folder, output
/// folder, the output folder as text).
pub fn run_samples(name: &str) -> (PathBuf, PathBuf, String) {
    let dir = tempdir(name);
    let out = dir.join("out");
    let out_s = out.display().to_string();
    let r = formsift(&["run", "samples", "--out", &out_s, "-q"]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    (dir, out, out_s)
}

/// Runs the samples again into `out` with a corrections file; returns the records.
pub fn rerun_with_corrections(out: &Path, corrections: &Path) -> Vec<serde_json::Value> {
    let (out_s, corr) = (out.display().to_string(), corrections.display().to_string());
    let r = formsift(&[
        "run",
        "samples",
        "--out",
        &out_s,
        "-q",
        "--corrections",
        &corr,
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    jsonl(&std::fs::read_to_string(out.join("records.jsonl")).unwrap())
}

/// The row of record `id` read from input lines `lines`.
pub fn row_at<'a>(
    records: &'a [serde_json::Value],
    id: &serde_json::Value,
    lines: &serde_json::Value,
) -> &'a serde_json::Value {
    records
        .iter()
        .find(|r| r["id"] == *id)
        .and_then(|r| {
            r["indicators"]
                .as_array()?
                .iter()
                .find(|i| i["lines"] == *lines)
        })
        .unwrap_or_else(|| panic!("no row of {id} at lines {lines}"))
}

/// Runs a batch over one good fixture (a path under the repo) and files of
/// tests/fixtures/damaged, checks that the run exits 1, that each damaged file
/// is an error naming it (never an internal error) and that the good file's
/// one form is kept; returns each damaged file's message.
pub(crate) fn damaged_batch(
    label: &str,
    good: &str,
    damaged: &[&str],
) -> std::collections::BTreeMap<String, String> {
    let out = tempdir(label);
    let d = root().join("tests/fixtures/damaged");
    let mut args = vec!["run".to_string(), root().join(good).display().to_string()];
    args.extend(damaged.iter().map(|f| d.join(f).display().to_string()));
    args.extend(["--out".into(), out.display().to_string(), "--quiet".into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = formsift(&args);
    assert_eq!(o.status.code(), Some(1), "some inputs failed");
    // Each failure is said once, clearly: no reader's panic message.
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["records"], 1, "the good file's form is kept");
    let files = report["files"].as_array().unwrap();
    damaged
        .iter()
        .map(|name| {
            let f = files
                .iter()
                .find(|f| f["path"].as_str().unwrap().ends_with(name))
                .unwrap();
            assert_eq!(f["status"], "error", "{name}");
            let e = f["error"].as_str().unwrap().to_string();
            assert!(e.contains(name) && !e.contains("internal error"), "{e}");
            (name.to_string(), e)
        })
        .collect()
}
