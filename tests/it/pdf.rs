//! PDFs of the fixture forms (tests/fixtures/pdf-ruled: tables drawn with
//! rules; tests/fixtures/pdf: the same pages without rules), printed by
//! LibreOffice from the fixture HTML by scripts/make-fixtures, and the same
//! HTML printed by headless Chromium (tests/fixtures/pdf-chrome). Ruled PDFs
//! must give the records the HTML of the same forms gives, every record and
//! row must say on which page and in which box it stands, and encrypted,
//! damaged and scanned files must fail clearly without stopping the batch.

use crate::notations::{expected, misread_rows_go_to_review, records_equal_expected, run};
use crate::support::damaged_batch;

/// `p2:57,402,538,418`: a page, then left, top, right, bottom.
fn is_box(s: &str) -> bool {
    let Some((page, b)) = s.split_once(':') else {
        return false;
    };
    let v: Vec<i64> = b.split(',').filter_map(|n| n.parse().ok()).collect();
    page.strip_prefix('p')
        .and_then(|p| p.parse::<u32>().ok())
        .is_some_and(|p| p >= 1)
        && v.len() == 4
        && v[0] <= v[2]
        && v[1] <= v[3]
}

#[test]
fn ruled_pdfs_give_every_field_and_row_of_the_forms() {
    // LibreOffice strokes long rules; Chromium fills a thin rectangle per
    // cell border, flips its y axis, and gives CJK text as ActualText over
    // glyphs whose ToUnicode says Kangxi radicals.
    let want = expected();
    for folder in ["pdf-ruled", "pdf-chrome"] {
        let (found, report) = run(folder);
        for f in records_equal_expected(folder, &want, &found) {
            assert_eq!(f["source"]["formats"], serde_json::json!(["pdf"]));
        }
        for f in report["files"].as_array().unwrap() {
            assert_eq!(f["encoding"], "pdf", "{}", f["path"]);
        }
    }
}

#[test]
fn every_record_and_row_says_on_which_page_and_in_which_box_it_stands() {
    for notation in ["pdf-ruled", "pdf-chrome", "pdf"] {
        let (found, _) = run(notation);
        for (id, r) in &found {
            let pages = r["source"]["pages"].as_array().unwrap();
            let boxes = r["source"]["boxes"].as_array().unwrap();
            assert_eq!(pages.len(), boxes.len(), "{notation} {id}");
            for b in boxes {
                assert!(is_box(b.as_str().unwrap()), "{notation} {id}: {b}");
            }
            for i in r["indicators"].as_array().unwrap() {
                for b in i["boxes"].as_str().unwrap().split(", ") {
                    assert!(is_box(b), "{notation} {id}: {b}");
                }
            }
        }
    }
    // A form that runs over a page break: its table goes on on the next
    // page (the header row printed again there is dropped), and the row the
    // break cut in two is whole again.
    let (found, _) = run("pdf-ruled");
    let r = &found["001_d79adc1114a4c2de#6"];
    assert_eq!(r["source"]["pages"], serde_json::json!([4, 5]));
    let cut = &r["indicators"][1];
    assert_eq!(cut["name"], "家计记账户数量");
    assert_eq!(cut["target"]["raw"], "=250.00(户)");
    let names: Vec<&str> = r["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert!(!names.contains(&"三级指标"), "{names:?}");
}

#[test]
fn pdfs_without_rules_keep_every_field_and_send_misread_rows_to_review() {
    // Without rules, columns come from the alignment of glyphs (the page is
    // laid out by spaces for the space-aligned reader): every field is read,
    // and each row read wrong is marked for review.
    let want = expected();
    let (found, _) = run("pdf");
    for (id, w) in &want {
        for group in ["fields", "funds"] {
            for (k, v) in w[group].as_object().unwrap() {
                assert_eq!(v, &found[id][group][k], "{id} {group}.{k}");
            }
        }
    }
    misread_rows_go_to_review("pdf", &want, &found);
}

#[test]
fn encrypted_damaged_and_scanned_pdfs_fail_clearly_and_the_batch_goes_on() {
    let e = damaged_batch(
        "pdf-damaged",
        "tests/fixtures/pdf-ruled/002_fb1d3b598b348482.pdf",
        &["encrypted.pdf", "truncated.pdf", "scanned.pdf"],
    );
    assert!(e["encrypted.pdf"].contains("encrypted"));
    assert!(e["truncated.pdf"].contains("damaged"));
    assert!(e["scanned.pdf"].contains("no text layer"));
}
