//! The records of samples 001 and 003 equal the typed gold (tests/gold, a copy
//! of shared/gold) on every compared key, and the other samples equal their
//! reviewed expectations (tests/expected).

use crate::support::{formsift, root, tempdir};

#[test]
fn gold_samples_reach_full_field_and_row_accuracy() {
    let out = tempdir("gold");
    let run = formsift(&["run", "samples", "--out", out.to_str().unwrap(), "--quiet"]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut gold = formsift_eval::load_gold_dir(&root().join("tests/gold")).unwrap();
    // The reviewed expectations for the samples without typed gold.
    gold.extend(formsift_eval::load_gold_dir(&root().join("tests/expected")).unwrap());
    let records = formsift_eval::load_records(&out.join("records.jsonl")).unwrap();
    let rep = formsift_eval::evaluate(&gold, &records);
    let listed: Vec<String> = rep
        .mismatches
        .iter()
        .map(|m| format!("{} {}: gold {} found {}", m.id, m.at, m.gold, m.found))
        .collect();
    assert!(
        rep.fields_total > 200 && rep.rows_total > 150,
        "gold was read"
    );
    assert_eq!(rep.fields_right, rep.fields_total, "{listed:#?}");
    assert_eq!(rep.rows_right, rep.rows_total, "{listed:#?}");
    assert!(rep.missing_records.is_empty());
}

#[test]
fn eval_prints_the_four_figures_and_lists_mismatches() {
    let dir = tempdir("eval");
    let run = formsift(&[
        "run",
        "samples/003_e82864895a36c2f5.txt",
        "--out",
        dir.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(run.status.success());
    // Damage one record: the eval must notice it and say where.
    let path = dir.join("records.jsonl");
    let text = std::fs::read_to_string(&path).unwrap().replacen(
        "市劳模低收入生活困难补助金",
        "错误的名称",
        1,
    );
    std::fs::write(&path, text).unwrap();
    let gold = dir.join("gold");
    std::fs::create_dir_all(&gold).unwrap();
    std::fs::copy(
        root().join("tests/gold/003_e82864895a36c2f5.json"),
        gold.join("g.json"),
    )
    .unwrap();
    let out = formsift(&[
        "eval",
        "--gold",
        gold.to_str().unwrap(),
        path.to_str().unwrap(),
    ]);
    let s = String::from_utf8(out.stdout).unwrap();
    for word in [
        "fields:",
        "rows:",
        "catch rate:",
        "review rate:",
        "fields.project_name",
        "UNFLAGGED",
    ] {
        assert!(s.contains(word), "{word} missing in:\n{s}");
    }
}
