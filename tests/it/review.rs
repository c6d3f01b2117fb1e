//! The review server's HTTP API: the queue, decisions written to the
//! corrections file, the 4xx answers to bad input, and the round trip into
//! `formsift run --corrections`.

use crate::support::{
    ReviewServer, formsift, jsonl, rerun_with_corrections, row_at, run_samples, tempdir,
};
use serde_json::{Value, json};

fn lines(path: &std::path::Path) -> usize {
    std::fs::read_to_string(path).map_or(0, |t| t.lines().count())
}

#[test]
fn review_api_decisions_reach_the_next_run() {
    let (_dir, out, out_s) = run_samples("review-api");
    let review_lines = lines(&out.join("review.jsonl"));
    let server = ReviewServer::start(&["--out", &out_s, "--reviewer", "tester"]);

    let (s, meta) = server.get("/api/meta");
    assert_eq!(s, 200);
    assert_eq!(meta["total"], review_lines);
    assert_eq!(meta["reviewer"], "tester");
    assert!(
        meta["flags"]["level_guessed"]
            .as_str()
            .unwrap()
            .contains("guess")
    );
    let (s, page) = server.request("GET", "/", &[], b"");
    assert_eq!(s, 200);
    assert!(page.contains("formsift review") && page.contains("/app.js"));

    // The queue: lowest confidence first; filters narrow it.
    let (_, list) = server.get("/api/items");
    let items = list["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), review_lines);
    let conf: Vec<f64> = items
        .iter()
        .map(|i| i["confidence"].as_f64().unwrap())
        .collect();
    assert!(conf.windows(2).all(|w| w[0] <= w[1]), "{conf:?}");
    let file = items[0]["file"].as_str().unwrap();
    let (_, by_file) = server.get(&format!("/api/items?file={}", file.replace('/', "%2F")));
    assert!(
        by_file["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["file"] == file)
    );
    let (_, by_flag) = server.get("/api/items?flag=level_guessed&status=open");
    assert!(by_flag["count"].as_u64().unwrap() >= 1);
    assert!(by_flag["items"].as_array().unwrap().iter().all(|i| {
        i["flags"]
            .as_array()
            .unwrap()
            .contains(&json!("level_guessed"))
    }));

    // One item: source lines around the row, flags in words, the editor's values.
    let rows: Vec<&Value> = items.iter().filter(|i| i["path"] != "").collect();
    let (a, b, c) = (rows[0], rows[1], rows[2]);
    let (s, detail) = server.get(&format!("/api/items/{}", a["key"]));
    assert_eq!(s, 200);
    let mark = detail["context"]["mark"].clone();
    assert!(
        detail["context"]["lines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l[0] == mark[0])
    );
    assert!(detail["explained"][0]["about"].is_string());
    let current = |d: &Value, f: &str| {
        d["current"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p[0] == f)
            .map(|p| p[1].clone())
            .unwrap()
    };
    assert_eq!(current(&detail, "name"), detail["value"]["name"]);
    assert_eq!(detail["current"][0][0], "level1", "editor order");

    // Bad input: a clear 4xx, and nothing written.
    let corrections = out.join("corrections.jsonl");
    let key_a = format!("/api/items/{}", a["key"]);
    let big = format!(
        "{{\"action\":\"accept\",\"reviewer\":\"{}\"}}",
        "x".repeat(70_000)
    );
    for (status, answer) in [
        (400, server.post(&key_a, "{not json")),
        (400, server.post(&key_a, "[1,2]")),
        (400, server.post(&key_a, r#"{"action":"delete"}"#)),
        (
            400,
            server.post(&key_a, r#"{"action":"correct","changes":{"colour":"red"}}"#),
        ),
        (
            400,
            server.post(&key_a, r#"{"action":"correct","changes":{"weight":"ten"}}"#),
        ),
        (
            400,
            server.post(&key_a, r#"{"action":"correct","changes":{}}"#),
        ),
        (
            400,
            server.post(&key_a, r#"{"action":"accept","sneaky":1}"#),
        ),
        (
            404,
            server.post("/api/items/99999", r#"{"action":"accept"}"#),
        ),
        (400, server.post("/api/items/-1", r#"{"action":"accept"}"#)),
        (413, server.post(&key_a, &big)),
        (403, server.get("/files/..%2Fcorrections-elsewhere")),
        (403, server.get("/files/%2e%2e%2f%2e%2e%2fCargo.toml")),
        (403, server.get("/files/.formsift.lock")),
        (404, server.get("/files/nothing.json")),
        (404, server.get("/etc/passwd")),
    ] {
        assert_eq!(answer.0, status, "{answer:?}");
        assert!(
            answer.1["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{answer:?}"
        );
    }
    let (s, _) = server.request("DELETE", &key_a, &[], b"");
    assert_eq!(s, 405);
    let (s, _) = server.request(
        "POST",
        &key_a,
        &[("Content-Type", "text/plain")],
        br#"{"action":"accept"}"#,
    );
    assert_eq!(s, 415);
    let (s, _) = server.request("GET", "/api/meta", &[("Host", "evil.example")], b"");
    assert_eq!(s, 403);
    assert!(!corrections.exists(), "bad requests wrote nothing");
    let (s, report) = server.get("/files/report.json");
    assert_eq!((s, report["records"].clone()), (200, json!(29)));

    // Decisions.
    let (s, r) = server.post(
        &key_a,
        r#"{"action":"correct","changes":{"level2":"数量指标","target.value":"3.5","name":null}}"#,
    );
    assert_eq!(s, 400, "a row needs a name: {r}");
    let (s, r) = server.post(
        &key_a,
        r#"{"action":"correct","changes":{"level2":"数量指标","target.value":"3.5"}}"#,
    );
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["written"].as_array().unwrap().len(), 2);
    assert_eq!(r["item"]["status"], "corrected");
    assert_eq!(current(&r["item"], "level2"), "数量指标");
    let (s, _) = server.post(
        &format!("/api/items/{}", b["key"]),
        r#"{"action":"accept","reviewer":"second"}"#,
    );
    assert_eq!(s, 200);
    let (s, _) = server.post(
        &format!("/api/items/{}", c["key"]),
        r#"{"action":"not_a_row"}"#,
    );
    assert_eq!(s, 200);
    let written = jsonl(&std::fs::read_to_string(&corrections).unwrap());
    assert_eq!(written.len(), 4);
    assert_eq!(written[0]["reviewer"], "tester");
    assert_eq!(written[2]["reviewer"], "second");
    assert_eq!(written[0]["old"], detail["value"]["level2"]);
    let (_, open) = server.get("/api/items?status=open");
    assert_eq!(open["count"].as_u64().unwrap() as usize, review_lines - 3);
    drop(server);

    // A restarted server knows the decisions.
    let server = ReviewServer::start(&["--out", &out_s]);
    let (_, done) = server.get("/api/items?status=corrected");
    assert_eq!(done["count"], 1);
    drop(server);

    // The next run applies them.
    let records = rerun_with_corrections(&out, &corrections);
    let row = row_at(&records, &a["id"], &detail["value"]["lines"]);
    assert_eq!(row["level2"], "数量指标");
    assert_eq!(row["target"]["value"], 3.5);
    assert_eq!(row["confidence"], 1.0);
    assert!(
        row["flags"]
            .as_array()
            .unwrap()
            .contains(&json!("corrected"))
    );
    assert_eq!(lines(&out.join("review.jsonl")), review_lines - 3);
}

#[test]
fn review_refuses_a_folder_without_a_run() {
    let dir = tempdir("review-empty");
    let r = formsift(&["review", "--out", &dir.display().to_string(), "--port", "0"]);
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("finished `formsift run`"));
}
