//! End to end in headless Chromium: the review page loads, a reviewer
//! corrects a row with the editor and accepts another with the keyboard, the
//! corrections file holds both, and the next run gives the corrected record.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them).
//! Without them the test says so and passes on a developer machine; under CI
//! (`CI` set) their absence fails it. Set `FORMSIFT_SCREENSHOTS=DIR` to keep
//! the screenshots (the README's come from here).

use crate::support::{ReviewServer, jsonl, rerun_with_corrections, row_at, run_samples};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Driver {
    child: Child,
    port: u16,
    session: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One read, taken again when a signal interrupted it (a read that waits
/// for chromedriver may be: `Interrupted system call`).
fn read_some(s: &mut std::net::TcpStream, buf: &mut [u8]) -> usize {
    use std::io::Read;
    loop {
        match s.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            r => return r.unwrap(),
        }
    }
}

fn http(port: u16, method: &str, path: &str, body: &Value) -> (u16, Value) {
    use std::io::Write;
    let body = if body.is_null() {
        String::new()
    } else {
        body.to_string()
    };
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    // Read the head, then exactly Content-Length bytes: chromedriver keeps
    // connections open.
    let mut buf = Vec::new();
    let mut byte = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = read_some(&mut s, &mut byte);
        assert!(n > 0, "connection closed before the answer's head");
        buf.extend_from_slice(&byte[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = read_some(&mut s, &mut byte);
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&byte[..n]);
    }
    let json = String::from_utf8_lossy(&buf[head_end..]).into_owned();
    (status, serde_json::from_str(&json).unwrap_or(Value::Null))
}

impl Driver {
    fn start(profile: &std::path::Path) -> Option<Driver> {
        let port = free_port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let start = Instant::now();
        while http_ready(port).is_none() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--window-size=1500,950",
                     format!("--user-data-dir={}", profile.display())]
        }}}});
        let (s, v) = http(port, "POST", "/session", &caps);
        assert_eq!(s, 200, "no browser session: {v}");
        let session = v["value"]["sessionId"].as_str().unwrap().to_string();
        Some(Driver {
            child,
            port,
            session,
        })
    }

    fn cmd(&self, method: &str, path: &str, body: Value) -> Value {
        let (s, v) = http(
            self.port,
            method,
            &format!("/session/{}{path}", self.session),
            &body,
        );
        assert_eq!(s, 200, "{method} {path}: {v}");
        v["value"].clone()
    }

    fn find(&self, css: &str) -> Option<String> {
        let v = self.cmd(
            "POST",
            "/elements",
            json!({"using": "css selector", "value": css}),
        );
        v.as_array()?.first().map(|e| {
            e[ELEMENT]
                .as_str()
                .unwrap_or_else(|| panic!("{css}: {v}"))
                .to_string()
        })
    }

    fn wait(&self, css: &str) -> String {
        let start = Instant::now();
        loop {
            if let Some(e) = self.find(css) {
                return e;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "{css} never appeared"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn text(&self, css: &str) -> String {
        let e = self.wait(css);
        self.cmd("GET", &format!("/element/{e}/text"), Value::Null)
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    fn script(&self, js: &str) -> Value {
        self.cmd("POST", "/execute/sync", json!({"script": js, "args": []}))
    }

    fn screenshot(&self, path: &std::path::Path) {
        let png = self.cmd("GET", "/screenshot", Value::Null);
        std::fs::write(path, base64_decode(png.as_str().unwrap())).unwrap();
    }
}

fn http_ready(port: u16) -> Option<()> {
    std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    let (s, v) = http(port, "GET", "/status", &Value::Null);
    (s == 200 && v["value"]["ready"] == true).then_some(())
}

/// Standard base64 (the screenshot's encoding), without a dependency.
fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let bytes: Vec<u8> = s
        .bytes()
        .filter(|c| *c != b'=' && !c.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, c)| n | (u32::from(val(*c)) << (18 - 6 * i)));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = http(
            self.port,
            "DELETE",
            &format!("/session/{}", self.session),
            &Value::Null,
        );
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_correction_made_in_the_browser_reaches_the_next_run() {
    let have = Command::new("chromedriver")
        .arg("--version")
        .output()
        .is_ok()
        && std::path::Path::new("/usr/bin/chromium").exists();
    if !have {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs chromium and chromium-driver (apt install chromium chromium-driver; .ci/run does)"
        );
        eprintln!("browser test skipped: chromium and chromium-driver are not installed");
        return;
    }
    let (dir, out, out_s) = run_samples("browser");
    let server = ReviewServer::start(&["--out", &out_s, "--reviewer", "browser-test"]);
    let driver = Driver::start(&dir.join("profile")).expect("chromedriver starts");
    let shots = std::env::var_os("FORMSIFT_SCREENSHOTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.clone());
    std::fs::create_dir_all(&shots).unwrap();

    driver.cmd(
        "POST",
        "/url",
        json!({"url": format!("http://127.0.0.1:{}/", server.port)}),
    );
    driver.wait("#queue li.current");
    driver.wait("#ed-level2");
    assert!(driver.text("#summary").contains("open"));
    assert!(!driver.text("#source").is_empty(), "source lines are shown");
    let first = driver.script("return state.detail");
    driver.screenshot(&shots.join("review-page.png"));

    // Correct level 2 and the target value with the editor, save with the button.
    let level2 = driver.wait("#ed-level2");
    driver.cmd("POST", &format!("/element/{level2}/clear"), json!({}));
    driver.cmd(
        "POST",
        &format!("/element/{level2}/value"),
        json!({"text": "数量指标"}),
    );
    let value = driver.wait("#ed-target\\.value");
    driver.cmd("POST", &format!("/element/{value}/clear"), json!({}));
    driver.cmd(
        "POST",
        &format!("/element/{value}/value"),
        json!({"text": "7"}),
    );
    driver.screenshot(&shots.join("review-editing.png"));
    let save = driver.wait("#save");
    driver.cmd("POST", &format!("/element/{save}/click"), json!({}));
    let start = Instant::now();
    while !driver.text("#toast").contains("saved") {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no confirmation: {}",
            driver.text("#toast")
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let corrections = out.join("corrections.jsonl");
    let written = jsonl(&std::fs::read_to_string(&corrections).unwrap());
    assert_eq!(written.len(), 2, "{written:?}");
    assert!(
        written
            .iter()
            .all(|c| c["id"] == first["id"] && c["reviewer"] == "browser-test")
    );
    assert!(
        written
            .iter()
            .any(|c| c["field"] == "level2" && c["new"] == "数量指标")
    );
    assert!(
        written
            .iter()
            .any(|c| c["field"] == "target.value" && c["new"] == 7.0)
    );

    // The page moved to the next open item; `a` accepts it.
    let start = Instant::now();
    while driver.script("return state.detail && state.detail.key") == first["key"] {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the page did not move on"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let second = driver.script("return state.detail");
    driver.cmd(
        "POST",
        "/actions",
        json!({"actions": [{"type": "key", "id": "kb", "actions": [
        {"type": "keyDown", "value": "a"}, {"type": "keyUp", "value": "a"}]}]}),
    );
    let start = Instant::now();
    while jsonl(&std::fs::read_to_string(&corrections).unwrap()).len() < 3 {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the a key saved nothing"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let written = jsonl(&std::fs::read_to_string(&corrections).unwrap());
    assert_eq!(written[2]["action"], "accept");
    assert_eq!(written[2]["fingerprint"], second["fingerprint"]);
    driver.cmd(
        "POST",
        "/url",
        json!({"url": format!("http://127.0.0.1:{}/", server.port)}),
    );
    driver.wait("#queue li.current");
    driver.script("document.querySelector('#f-status').value=''; document.querySelector('#f-status').dispatchEvent(new Event('change'));");
    driver.wait("#queue li .state.corrected");
    let start = Instant::now();
    // (The page loads the item's detail after the list: until it has, the
    // detail is null.)
    while driver.script(
        "return !!(state.detail && state.items[state.index]) \
         && state.detail.key === state.items[state.index].key",
    ) != true
    {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the list and the item disagree"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    driver.screenshot(&shots.join("review-queue.png"));
    drop(driver);
    drop(server);

    let records = rerun_with_corrections(&out, &corrections);
    let row = row_at(&records, &first["id"], &first["value"]["lines"]);
    assert_eq!(row["level2"], "数量指标");
    assert_eq!(row["target"]["value"], 7.0);
    assert_eq!(row["confidence"], 1.0);
    assert_eq!(row["review"], false);
    assert!(
        row["flags"]
            .as_array()
            .unwrap()
            .contains(&json!("corrected"))
    );
}
