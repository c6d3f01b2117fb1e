//! Workbooks and Word files of the fixture forms (tests/fixtures/xlsx, xls,
//! docx, made by scripts/make-fixtures with LibreOffice): they must give the
//! records the HTML of the same forms gives, say which cells each record and
//! row came from, and damaged files must fail clearly without stopping the
//! batch.

use crate::notations::{expected, records_equal_expected, run};
use crate::support::damaged_batch;
use serde_json::Value;

const OFFICE: [&str; 3] = ["xlsx", "xls", "docx"];

/// A sheet, table or body range: `Sheet1!A1:D25`, `表2!A15:D15`,
/// `table2!A3:D3`, `body!P1:P2`, `'Sheet 2'!B3`.
fn is_range(s: &str) -> bool {
    let Some((area, cells)) = s.rsplit_once('!') else {
        return false;
    };
    let cell = |c: &str| {
        let c = c.strip_prefix('P').unwrap_or(c);
        let letters = c.chars().take_while(char::is_ascii_uppercase).count();
        let digits = &c[letters..];
        !digits.is_empty() && digits.chars().all(|d| d.is_ascii_digit())
    };
    !area.is_empty() && cells.split(':').all(cell)
}

#[test]
fn workbooks_and_word_files_give_every_field_and_row_of_the_forms() {
    let want = expected();
    for notation in OFFICE {
        let (found, report) = run(notation);
        for f in records_equal_expected(notation, &want, &found) {
            assert_eq!(f["source"]["formats"], serde_json::json!([notation]));
        }
        for f in report["files"].as_array().unwrap() {
            assert_eq!(f["encoding"], notation, "{}", f["path"]);
        }
    }
}

#[test]
fn office_records_equal_the_html_records_of_the_same_forms() {
    // Everything but provenance and the notation's own record flag
    // (`html_normalized`) must agree, residue included.
    let (html, _) = run("html");
    let strip = |r: &Value| {
        let mut r = r.clone();
        r.as_object_mut().unwrap().remove("source");
        r["flags"] = Value::Null;
        r["confidence"] = Value::Null;
        for i in r["indicators"].as_array_mut().unwrap() {
            let i = i.as_object_mut().unwrap();
            i.remove("lines");
            i.remove("cells");
        }
        r
    };
    for notation in OFFICE {
        let (found, _) = run(notation);
        for (id, h) in &html {
            assert_eq!(strip(&found[id]), strip(h), "{notation} {id}");
        }
    }
}

#[test]
fn every_record_and_row_says_which_cells_it_came_from() {
    for notation in OFFICE {
        let (found, _) = run(notation);
        for (id, r) in &found {
            let ranges = r["source"]["cells"].as_array().unwrap();
            assert!(!ranges.is_empty(), "{notation} {id}");
            for c in ranges {
                assert!(is_range(c.as_str().unwrap()), "{notation} {id}: {c}");
            }
            for i in r["indicators"].as_array().unwrap() {
                let c = i["cells"].as_str().unwrap();
                assert!(is_range(c), "{notation} {id}: {c}");
            }
        }
    }
    // One form per sheet: each record is its own sheet, from A1; a row's
    // cells are one sheet row across the table.
    let (xls, _) = run("xls");
    let r = &xls["000_549c44c96e78e8d4#2"];
    assert_eq!(r["source"]["cells"], serde_json::json!(["表2!A1:D24"]));
    assert_eq!(r["indicators"][0]["cells"], "表2!A15:D15");
    // Forms stacked on one sheet: successive ranges of the same sheet.
    let (xlsx, _) = run("xlsx");
    let a = xlsx["000_549c44c96e78e8d4#1"]["source"]["cells"][0]
        .as_str()
        .unwrap();
    let b = xlsx["000_549c44c96e78e8d4#2"]["source"]["cells"][0]
        .as_str()
        .unwrap();
    assert!(
        a.starts_with("Sheet1!A1:") && b.starts_with("Sheet1!A"),
        "{a} {b}"
    );
    assert_ne!(a, b);
    // Word: the title paragraphs, then the form's tables.
    let (docx, _) = run("docx");
    let c = &docx["000_549c44c96e78e8d4#1"]["source"]["cells"];
    assert_eq!(c[0], "body!P1:P2");
    assert!(c[1].as_str().unwrap().starts_with("table1!A1:"), "{c}");
}

#[test]
fn damaged_office_files_fail_clearly_and_the_batch_goes_on() {
    let e = damaged_batch(
        "office-damaged",
        "tests/fixtures/docx/002_fb1d3b598b348482.docx",
        &[
            "protected.xlsx",
            "truncated.xlsx",
            "truncated.docx",
            "word97.doc",
            "malformed.xls",
        ],
    );
    assert!(e["protected.xlsx"].contains("password-protected"));
    assert!(e["truncated.xlsx"].contains("cannot read this Excel workbook"));
    assert!(e["truncated.docx"].contains("cannot read this Word document"));
    assert!(e["word97.doc"].contains("--convert-to docx"));
    // An OLE file found by fuzzing on which the workbook reader panics.
    assert!(e["malformed.xls"].contains("cannot read this Excel 97-2003 workbook"));
}
