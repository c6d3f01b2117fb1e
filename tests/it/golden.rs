//! Golden tests: the records of every sample, compared with the reviewed
//! files in tests/golden/. After a deliberate change, regenerate with
//! `FORMSIFT_BLESS=1 cargo test --test it golden` and review the diff by eye
//! against the source lines before committing it.

use crate::support::{formsift, jsonl, root, samples};

#[test]
fn every_sample_matches_its_reviewed_golden_records() {
    let bless = std::env::var_os("FORMSIFT_BLESS").is_some();
    let mut failures = Vec::new();
    for sample in samples() {
        let stem = sample.file_stem().unwrap().to_string_lossy().into_owned();
        let rel = format!("samples/{stem}.txt");
        let out = formsift(&["extract", &rel]);
        assert!(
            out.status.success(),
            "extract {rel}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let got = String::from_utf8(out.stdout).unwrap();
        let path = root().join("tests/golden").join(format!("{stem}.jsonl"));
        if bless {
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_else(|_| {
            panic!(
                "{} missing: run with FORMSIFT_BLESS=1 and review it",
                path.display()
            )
        });
        let (g, w) = (jsonl(&got), jsonl(&want));
        if g.len() != w.len() {
            failures.push(format!(
                "{stem}: {} records, golden has {}",
                g.len(),
                w.len()
            ));
            continue;
        }
        for (a, b) in g.iter().zip(&w) {
            if a != b {
                let id = a["id"].as_str().unwrap_or("?");
                let keys: Vec<String> = a
                    .as_object()
                    .unwrap()
                    .iter()
                    .filter(|(k, v)| b.get(k.as_str()) != Some(v))
                    .map(|(k, _)| k.clone())
                    .collect();
                failures.push(format!("{id}: differs in {keys:?}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "golden mismatches:\n{}",
        failures.join("\n")
    );
}

#[test]
fn the_samples_give_29_forms_with_ids_in_document_order() {
    let mut ids = Vec::new();
    for sample in samples() {
        let out = formsift(&["extract", sample.to_str().unwrap()]);
        for (k, r) in jsonl(&String::from_utf8(out.stdout).unwrap())
            .iter()
            .enumerate()
        {
            let id = r["id"].as_str().unwrap().to_string();
            assert!(id.ends_with(&format!("#{}", k + 1)), "{id}");
            ids.push(id);
        }
    }
    assert_eq!(ids.len(), 29);
}
