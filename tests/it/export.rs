//! `formsift export`: the flat indicator table of a run, with review states.

use crate::support::{formsift, jsonl, run_samples};

#[test]
fn export_writes_one_row_per_indicator_with_review_state() {
    let (dir, out, out_s) = run_samples("export");
    let records = jsonl(&std::fs::read_to_string(out.join("records.jsonl")).unwrap());
    let expected: usize = records
        .iter()
        .map(|r| r["indicators"].as_array().unwrap().len().max(1))
        .sum();
    let needs_review = records
        .iter()
        .flat_map(|r| r["indicators"].as_array().unwrap())
        .filter(|i| i["review"] == true)
        .count();

    let csv_path = dir.join("t.csv");
    let xlsx_path = dir.join("t.xlsx");
    let r = formsift(&[
        "export",
        "--out",
        &out_s,
        "--csv",
        &csv_path.display().to_string(),
        "--xlsx",
        &xlsx_path.display().to_string(),
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let text = std::fs::read_to_string(&csv_path).unwrap();
    assert!(text.starts_with('\u{feff}'), "a BOM for Excel");
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    for col in [
        "record_id",
        "form_type",
        "project_name",
        "level1",
        "level2",
        "name",
        "target_value",
        "review_state",
    ] {
        assert!(header.iter().any(|h| h == col), "{col} in {header:?}");
    }
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), expected);
    let flagged_forms = records
        .iter()
        .filter(|r| r["indicators"].as_array().unwrap().is_empty() && r["review"] == true)
        .count();
    let state = col("review_state");
    assert_eq!(
        rows.iter().filter(|r| &r[state] == "needs_review").count(),
        needs_review + flagged_forms
    );
    assert_eq!(
        rows.iter().filter(|r| &r[state] == "ok").count(),
        expected - needs_review - flagged_forms
    );
    // Multi-paragraph fields stay in one cell.
    assert!(rows.iter().any(|r| r.iter().any(|c| c.contains('\n'))));
    let stdout = formsift(&["export", "--out", &out_s, "--csv", "-"]);
    assert_eq!(String::from_utf8(stdout.stdout).unwrap(), text);
    let xlsx = std::fs::read(&xlsx_path).unwrap();
    assert_eq!(&xlsx[..2], b"PK", "a zip container");
    assert!(String::from_utf8_lossy(&xlsx).contains("xl/worksheets/sheet1.xml"));

    let none = formsift(&["export", "--out", &out_s]);
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("--csv"));
    let empty = formsift(&[
        "export",
        "--out",
        &dir.join("nothing").display().to_string(),
        "--csv",
        "-",
    ]);
    assert_eq!(empty.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&empty.stderr).contains("finished `formsift run`"));
}
