//! Corrections survive re-runs: a reviewer's decisions, written as the review
//! page writes them, give the corrected record on every later run, also when
//! the input's lines move; corrections that find nothing are reported.

use crate::support::{formsift, jsonl, root, tempdir};
use serde_json::{Value, json};
use std::path::Path;

fn correction(item: &Value, action: &str, field: Option<(&str, Value)>) -> Value {
    let mut c = json!({
        "id": item["id"], "fingerprint": item["fingerprint"], "path": item["path"],
        "action": action, "reviewer": "tester", "time": "2026-11-21T10:00:00Z",
    });
    if let Some((f, new)) = field {
        c["field"] = json!(f);
        c["new"] = new;
        let part = f.split('.').fold(&item["value"], |v, k| &v[k]);
        c["old"] = part.clone();
    }
    c
}

fn write_jsonl(path: &Path, values: &[Value]) {
    let text: String = values.iter().map(|v| format!("{v}\n")).collect();
    std::fs::write(path, text).unwrap();
}

fn run(
    input: &Path,
    out: &Path,
    corrections: Option<&Path>,
    extra: &[&str],
) -> std::process::Output {
    let mut args = vec![
        "run".to_string(),
        input.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "-q".into(),
    ];
    if let Some(c) = corrections {
        args.extend(["--corrections".into(), c.display().to_string()]);
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    formsift(&args)
}

fn row<'a>(records: &'a [Value], id: &str, name: &str) -> Option<&'a Value> {
    records
        .iter()
        .find(|r| r["id"] == id)?
        .get("indicators")?
        .as_array()?
        .iter()
        .find(|i| i["name"] == name)
}

#[test]
fn corrections_apply_on_every_later_run_and_follow_moved_lines() {
    let dir = tempdir("corrections");
    let input = dir.join("in");
    std::fs::create_dir_all(&input).unwrap();
    let sample = root().join("samples/001_d79adc1114a4c2de.txt");
    let text = std::fs::read_to_string(&sample).unwrap();
    std::fs::write(input.join("001_d79adc1114a4c2de.txt"), &text).unwrap();
    let out = dir.join("out");
    assert!(run(&input, &out, None, &[]).status.success());
    let items = jsonl(&std::fs::read_to_string(out.join("review.jsonl")).unwrap());
    let rows: Vec<&Value> = items.iter().filter(|i| i["path"] != "").collect();
    assert!(rows.len() >= 3, "the sample has rows for review");
    let (a, b, c) = (rows[0], rows[1], rows[2]);

    let corrections = dir.join("corrections.jsonl");
    write_jsonl(
        &corrections,
        &[
            correction(a, "correct", Some(("level2", json!("数量指标")))),
            correction(a, "correct", Some(("target.value", json!(3.5)))),
            correction(b, "accept", None),
            correction(c, "not_a_row", None),
            // A row that no longer exists: reported, not dropped.
            json!({"id": a["id"], "fingerprint": "00000000000000aa", "path": "/indicators/99",
                   "action": "accept", "reviewer": "tester", "time": "2026-11-21T10:00:00Z"}),
        ],
    );
    let r = run(&input, &out, Some(&corrections), &[]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert!(stderr.contains("1 correction(s) found no row"), "{stderr}");

    let check = |out: &Path| {
        let records = jsonl(&std::fs::read_to_string(out.join("records.jsonl")).unwrap());
        let name_a = a["value"]["name"].as_str().unwrap();
        let ra = row(&records, a["id"].as_str().unwrap(), name_a).expect("corrected row");
        assert_eq!(ra["level2"], "数量指标");
        assert_eq!(ra["target"]["value"], 3.5);
        assert_eq!(ra["confidence"], 1.0);
        assert_eq!(ra["review"], false);
        assert!(
            ra["flags"]
                .as_array()
                .unwrap()
                .contains(&json!("corrected"))
        );
        let rb = row(
            &records,
            b["id"].as_str().unwrap(),
            b["value"]["name"].as_str().unwrap(),
        )
        .expect("accepted row");
        assert_eq!(rb["confidence"], 1.0);
        assert!(rb["flags"].as_array().unwrap().contains(&json!("accepted")));
        // The removed row is gone from the indicators and kept in residue.
        let rc = records.iter().find(|r| r["id"] == c["id"]).unwrap();
        assert!(
            row(
                &records,
                c["id"].as_str().unwrap(),
                c["value"]["name"].as_str().unwrap()
            )
            .is_none()
        );
        assert!(rc["residue"].as_array().unwrap().iter().any(|x| {
            x["lines"] == c["value"]["lines"]
                || x["text"]
                    .as_str()
                    .unwrap()
                    .contains(c["value"]["name"].as_str().unwrap())
        }));
        let review = jsonl(&std::fs::read_to_string(out.join("review.jsonl")).unwrap());
        for it in [a, b, c] {
            assert!(
                !review
                    .iter()
                    .any(|x| x["fingerprint"] == it["fingerprint"] && x["id"] == it["id"])
            );
        }
        let report: Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap())
                .unwrap();
        assert_eq!(report["corrections"]["applied"], 4);
        assert_eq!(report["corrections"]["unmatched"], 1);
        let unmatched = &report["files"][0]["corrections"]["unmatched"][0];
        assert_eq!(unmatched["line"], 5);
        assert!(unmatched["reason"].as_str().unwrap().contains("no row"));
        records
    };
    let first = check(&out);
    // Re-run (outputs reused) and a fresh re-run give the same records.
    assert!(run(&input, &out, Some(&corrections), &[]).status.success());
    assert_eq!(check(&out), first);
    assert!(
        run(&input, &out, Some(&corrections), &["--fresh"])
            .status
            .success()
    );
    assert_eq!(check(&out), first);
    // Without the corrections the file is processed again, as extracted.
    assert!(run(&input, &out, None, &[]).status.success());
    let plain = jsonl(&std::fs::read_to_string(out.join("records.jsonl")).unwrap());
    assert_ne!(plain, first);

    // Lines added above the forms move every row: the corrections follow.
    std::fs::write(
        input.join("001_d79adc1114a4c2de.txt"),
        format!("扫描批次 2026-11\n\n\n{text}"),
    )
    .unwrap();
    let moved = dir.join("moved");
    assert!(
        run(&input, &moved, Some(&corrections), &[])
            .status
            .success()
    );
    check(&moved);
}

#[test]
fn a_bad_corrections_file_stops_the_run_and_names_the_line() {
    let dir = tempdir("corrections-bad");
    let c = dir.join("c.jsonl");
    std::fs::write(
        &c,
        "{\"id\":\"a#1\",\"fingerprint\":\"0123456789abcdef\",\"path\":\"/indicators/0\",\"action\":\"correct\",\"field\":\"weight\",\"new\":\"ten\",\"reviewer\":\"x\",\"time\":\"t\"}\n",
    )
    .unwrap();
    let r = run(&root().join("samples"), &dir.join("out"), Some(&c), &[]);
    assert_eq!(r.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert!(
        stderr.contains("c.jsonl line 1") && stderr.contains("`weight` takes a number"),
        "{stderr}"
    );
    assert!(!dir.join("out/records.jsonl").exists());
}
