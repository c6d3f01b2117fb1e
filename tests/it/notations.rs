//! The same forms through the converters archives' documents went through
//! (tests/fixtures, made by scripts/make-fixtures with pandoc, LibreOffice,
//! pdftotext and tesseract): each notation is read and compared with the
//! forms' expectations (tests/fixtures/expected) on what it preserves.

use crate::support::{formsift, jsonl, root, tempdir};
use serde_json::Value;
use std::collections::BTreeMap;

/// Runs formsift over one notation's folder: records by id, and report.json.
pub(crate) fn run(notation: &str) -> (BTreeMap<String, Value>, Value) {
    // Tests run at once and may read the same notation: a folder each.
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let k = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let out = tempdir(&format!("notation-{notation}-{k}"));
    run_dir(&format!("tests/fixtures/{notation}"), &out)
}

/// Runs formsift over a folder into `out`: records by id, and report.json.
fn run_dir(dir: &str, out: &std::path::Path) -> (BTreeMap<String, Value>, Value) {
    let o = formsift(&["run", dir, "--out", out.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let records = jsonl(&std::fs::read_to_string(out.join("records.jsonl")).unwrap())
        .into_iter()
        .map(|r| (r["id"].as_str().unwrap().to_string(), r))
        .collect();
    let report =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    (records, report)
}

/// The records of the HTML fixtures rewritten by `rewrite` (each page's
/// text in, the text to read out), by id.
fn rewritten_html(name: &str, rewrite: impl Fn(&str) -> String) -> BTreeMap<String, Value> {
    rewritten("html", name, rewrite)
}

/// The records of one notation's fixtures rewritten by `rewrite` (each
/// file's text in, the text to read out) into a folder called `name`, by id.
fn rewritten(
    notation: &str,
    name: &str,
    rewrite: impl Fn(&str) -> String,
) -> BTreeMap<String, Value> {
    let dir = tempdir(name);
    for e in std::fs::read_dir(root().join("tests/fixtures").join(notation)).unwrap() {
        let path = e.unwrap().path();
        let text = rewrite(&std::fs::read_to_string(&path).unwrap());
        std::fs::write(dir.join(path.file_name().unwrap()), text).unwrap();
    }
    run_dir(dir.to_str().unwrap(), &dir.join("out")).0
}

/// The expected records of every fixture form, by id.
pub(crate) fn expected() -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(root().join("tests/fixtures/expected")).unwrap() {
        let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
        let list: Vec<Value> = serde_json::from_str(&text).unwrap();
        for r in list {
            out.insert(r["id"].as_str().unwrap().to_string(), r);
        }
    }
    assert!(out.len() >= 29, "the fixtures hold every sample form");
    out
}

const ROW_KEYS: [&str; 4] = ["level1", "level2", "name", "ordinal"];

/// Where `found` differs from `want` on what `want` holds: fields, funds,
/// title, year, form type, and each row's levels, name, ordinal and measures.
pub(crate) fn differences(want: &Value, found: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["form_type", "title", "year"] {
        if want[key] != found[key] {
            out.push(format!("{key}: {} ≠ {}", want[key], found[key]));
        }
    }
    for group in ["fields", "funds"] {
        for (k, v) in want[group].as_object().unwrap() {
            let f = &found[group][k];
            let same = match (v.as_f64(), f.as_f64()) {
                (Some(a), Some(b)) => (a - b).abs() < 0.005,
                _ => v == f,
            };
            if !same {
                out.push(format!("{group}.{k}: {v} ≠ {f}"));
            }
        }
    }
    let (w, f) = (
        want["indicators"].as_array().unwrap(),
        found["indicators"].as_array().unwrap(),
    );
    if w.len() != f.len() {
        out.push(format!("{} rows ≠ {}", w.len(), f.len()));
    }
    for (k, (a, b)) in w.iter().zip(f).enumerate() {
        for key in ROW_KEYS {
            if a[key] != b[key] {
                out.push(format!("row {k} {key}: {} ≠ {}", a[key], b[key]));
            }
        }
        for m in ["target", "actual"] {
            for part in ["op", "value", "unit"] {
                let (x, y) = (&a[m][part], &b[m][part]);
                let same = match (x.as_f64(), y.as_f64()) {
                    (Some(p), Some(q)) => (p - q).abs() < 0.005,
                    _ => x == y,
                };
                if !same {
                    out.push(format!("row {k} {m}.{part}: {x} ≠ {y}"));
                }
            }
        }
        for key in ["weight", "score"] {
            if a[key].as_f64() != b[key].as_f64() {
                out.push(format!("row {k} {key}: {} ≠ {}", a[key], b[key]));
            }
        }
    }
    out
}

#[test]
fn markup_notations_give_every_field_and_row_of_the_forms() {
    // HTML tables with rowspan/colspan, pandoc's pipe, grid and simple or
    // multiline tables (spans left blank; columns from borders or dash runs),
    // reStructuredText (grid tables, simple tables ruled with `=`, titles in
    // directives), the pipe tables of Textile, Jira and Org (no delimiter
    // row; escaped `&gt;`, cells with line breaks, property drawers),
    // AsciiDoc tables between `|===` fences, MediaWiki tables (`{|`, a cell
    // per line), pandoc's JATS and DocBook XML (titles in `<title>`; DocBook's
    // `<entry>` cells, one per line, read as one cell per line) and LaTeX
    // longtables with
    // \multirow/\multicolumn keep the whole form: the records must equal
    // the expectations.
    let want = expected();
    for notation in [
        "html",
        "gfm",
        "grid",
        "simple",
        "rst",
        "textile",
        "jira",
        "org",
        "asciidoc",
        "mediawiki",
        "jats",
        "docbook",
        "latex",
    ] {
        let (found, _) = run(notation);
        records_equal_expected(notation, &want, &found);
    }
}

#[test]
fn html_written_on_one_line_gives_the_records_of_the_pretty_printed_page() {
    // Minified pages (and converters that write no line breaks) hold every
    // table of a document on one line, with the next form's title between
    // two tables. Each form must still be read, and read whole.
    let found = rewritten_html("html-one-line", |text| {
        assert!(text.matches("<table").count() > 1);
        text.split('\n').collect()
    });
    let want: BTreeMap<String, Value> = expected()
        .into_iter()
        .filter(|(id, _)| {
            found
                .keys()
                .any(|f| f.split('#').next() == id.split('#').next())
        })
        .collect();
    assert!(want.len() >= 29, "every fixture form has a one-line page");
    for r in records_equal_expected("html on one line", &want, &found) {
        assert_eq!(r["source"]["lines"], serde_json::json!([1, 1]));
    }
}

#[test]
fn html_with_start_tags_wrapped_over_lines_gives_the_records() {
    // Word writes HTML with long start tags wrapped between attributes: the
    // title's `<h2 class=…` on one line, `style=…>` and the text on the
    // next, and every cell's `<td …` the same.
    let found = rewritten_html("html-wrapped-tags", |text| {
        text.replace("<h2>", "<h2 class=MsoTitle\nstyle='text-align:center'>")
            .replace("<p>", "<p class=MsoNormal\nstyle='text-align:center'>")
            .replace("<td>", "<td valign=top\nstyle='width:63.8pt'>")
            .replace("<td ", "<td valign=top\nstyle='width:63.8pt' ")
    });
    records_equal_expected("html with wrapped tags", &expected(), &found);
}

#[test]
fn html_with_titles_in_table_captions_gives_the_records() {
    // Some exporters put a form's title and year in its first table's
    // `<caption>`: the text must be read before the table's rows.
    let found = rewritten_html("html-captions", |text| {
        let mut out = String::new();
        let mut rest = text;
        while let Some(h) = rest.find("<h2>") {
            let end = rest.find("</h2>").unwrap();
            let p_start = end + rest[end..].find("<p>").unwrap();
            let p_end = end + rest[end..].find("</p>").unwrap();
            let title = &rest[h + 4..end];
            let year = &rest[p_start + 3..p_end];
            let table = rest[p_end..].find("<table>").unwrap() + p_end + "<table>".len();
            out.push_str(&rest[..h]);
            out.push_str(&format!("<table>\n<caption>{title}<br/>{year}</caption>"));
            rest = &rest[table..];
        }
        out.push_str(rest);
        assert!(out.contains("<caption>") && !out.contains("<h2>"));
        out
    });
    records_equal_expected("html with captions", &expected(), &found);
}

#[test]
fn html_with_a_grouped_header_over_two_rows_gives_the_records() {
    // Forms often print `绩效指标` over the three level columns and merge
    // each value column's name over both header rows.
    let levels = "<tr><th>一级指标</th><th>二级指标</th><th>三级指标</th>";
    let found = rewritten_html("html-grouped-header", |text| {
        let mut out = String::new();
        let mut rest = text;
        while let Some(at) = rest.find(levels) {
            let end = at + rest[at..].find("</tr>").unwrap();
            let values = rest[at + levels.len()..end].replace("<th>", "<th rowspan=\"2\">");
            out.push_str(&rest[..at]);
            out.push_str(&format!(
                "<tr><th colspan=\"3\">绩效指标</th>{values}</tr>\n{levels}</tr>"
            ));
            rest = &rest[end + "</tr>".len()..];
        }
        out.push_str(rest);
        assert!(out.contains("绩效指标"));
        out
    });
    records_equal_expected("html with grouped headers", &expected(), &found);
}

#[test]
fn tables_printed_one_cell_per_line_give_the_records() {
    // Text taken out of a Word document or a web page without its table
    // layout: each cell on a line of its own, merged and empty cells left
    // out, the header on four to seven lines.
    let (found, _) = run("cells");
    let rows = records_equal_expected("one cell per line", &expected(), &found);
    assert!(rows.iter().all(|r| {
        r["indicators"].as_array().unwrap().iter().all(|i| {
            i["flags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == "cells_streamed")
        }) && !r["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "table_unread")
    }));
    // With a blank line between cells (as docx2txt writes them), the same.
    let blank = rewritten("cells", "cells-blank", |t| t.replace('\n', "\n\n"));
    records_equal_expected(
        "one cell per line, blank lines between",
        &expected(),
        &blank,
    );
}

#[test]
fn rows_copied_out_of_a_pdf_viewer_give_the_self_evaluations_and_flag_the_rest() {
    // A row per line, cells one space apart, merged cells left out: the
    // self-evaluations' actual, weight and score are read by cell kind, a
    // row per line, and every row read wrong goes to review.
    let (found, _) = run("copied");
    let want = expected();
    let evaluations: BTreeMap<String, Value> = want
        .iter()
        .filter(|(_, r)| r["form_type"] == "project_self_evaluation")
        .map(|(id, r)| (id.clone(), r.clone()))
        .collect();
    assert!(evaluations.len() >= 7);
    let found_evaluations = found
        .iter()
        .filter(|(id, _)| evaluations.contains_key(*id))
        .map(|(id, r)| (id.clone(), r.clone()))
        .collect();
    records_equal_expected("copied self-evaluations", &evaluations, &found_evaluations);
    misread_rows_go_to_review("copied", &want, &found);
}

#[test]
fn pipe_tables_printed_by_pandas_give_the_records() {
    // Converters built on pandas print a sheet's first row as the header and
    // every merged or empty cell as `NaN`.
    let (found, _) = run("pandas");
    records_equal_expected("pandas", &expected(), &found);
    // The same rows, flags and review as the HTML page (lines aside).
    let rows = |r: &Value| {
        let mut rows = r["indicators"].clone();
        for row in rows.as_array_mut().unwrap() {
            row.as_object_mut().unwrap().remove("lines");
        }
        rows
    };
    let (html, _) = run("html");
    for (id, r) in &html {
        assert_eq!(rows(&found[id]), rows(r), "{id}");
    }
}

#[test]
fn html2text_markdown_gives_the_records() {
    // html2text (PyPI) writes tables back to back without a blank line and
    // without outer pipes, and breaks a row whose first cell holds a line
    // break with a hard break (`项目资金  ` over `（万元）| 年度资金申请总额|
    // …`): the row is read whole, its funds with it.
    let (found, _) = run("html2text");
    records_equal_expected("html2text", &expected(), &found);
}

#[test]
fn sheets_exported_as_csv_give_the_records() {
    // Quoted fields hold the amounts' commas and the funds label's line
    // break; merged cells are blank past their first row.
    let (found, _) = run("csv");
    let rows = records_equal_expected("csv", &expected(), &found);
    assert!(
        rows.iter()
            .all(|r| r["source"]["formats"] == serde_json::json!(["csv"]))
    );
    // Exported on Windows: CRLF line ends, inside quoted fields too.
    let crlf = rewritten("csv", "csv-crlf", |t| t.replace('\n', "\r\n"));
    records_equal_expected("csv with CRLF", &expected(), &crlf);
}

#[test]
fn misread_rows_of_tables_printed_one_cell_per_line_with_wrapped_names_go_to_review() {
    // A narrow column wraps a long name over two lines, which the stream of
    // cells cannot always tell from a name and its value: rows come out
    // wrong, and each wrong one must be marked for review.
    let headers = ["年度指标值", "实际完成值", "分值", "得分"];
    let found = rewritten("cells", "cells-wrapped", |text| {
        let mut out = String::new();
        let mut in_table = false;
        for line in text.lines() {
            in_table &= !(line.contains("申报表") || line.contains("自评表"));
            let chars: Vec<char> = line.chars().collect();
            let value = chars
                .iter()
                .take(3)
                .any(|c| c.is_ascii_digit() || "<>=≥≤".contains(*c));
            if in_table && chars.len() > 14 && !value {
                let (a, b) = chars.split_at(14);
                out += &format!(
                    "{}\n{}\n",
                    a.iter().collect::<String>(),
                    b.iter().collect::<String>()
                );
            } else {
                out += &format!("{line}\n");
            }
            in_table |= headers.contains(&line);
        }
        out
    });
    misread_rows_go_to_review("one cell per line, names wrapped", &expected(), &found);
}

/// Every record of `found` equals its expectation in `want`, one per form;
/// returns the found records in `want`'s order.
pub(crate) fn records_equal_expected<'f>(
    label: &str,
    want: &BTreeMap<String, Value>,
    found: &'f BTreeMap<String, Value>,
) -> Vec<&'f Value> {
    assert_eq!(found.len(), want.len(), "{label}: one record per form");
    want.iter()
        .map(|(id, w)| {
            let f = found
                .get(id)
                .unwrap_or_else(|| panic!("{label}: no record {id}"));
            let d = differences(w, f);
            assert!(d.is_empty(), "{label} {id}:\n{}", d.join("\n"));
            f
        })
        .collect()
}

#[test]
fn every_notation_finds_every_form() {
    let want = expected();
    for notation in ["grid", "simple", "layout", "tesseract", "hocr", "alto"] {
        let (found, _) = run(notation);
        for (id, w) in &want {
            let f = found
                .get(id)
                .unwrap_or_else(|| panic!("{notation}: no record {id}"));
            assert_eq!(f["form_type"], w["form_type"], "{notation} {id}");
            assert_eq!(f["year"], w["year"], "{notation} {id}");
        }
    }
}

#[test]
fn encodings_give_the_same_records_and_are_reported() {
    let (utf8, _) = run("layout");
    for (notation, encoding) in [("gb18030", "GB18030"), ("utf16", "UTF-16LE")] {
        let (found, report) = run(notation);
        for f in report["files"].as_array().unwrap() {
            assert_eq!(f["encoding"], encoding, "{notation}: {}", f["path"]);
        }
        assert_eq!(found.len(), utf8.len());
        for (id, r) in &utf8 {
            let mut a = r.clone();
            let mut b = found[id].clone();
            a["source"]["path"] = Value::Null;
            b["source"]["path"] = Value::Null;
            assert_eq!(a, b, "{notation} {id}");
        }
    }
}

#[test]
fn text_lined_up_with_ideographic_spaces_reads_as_with_spaces() {
    // Chinese text is often lined up with full-width spaces (U+3000), each
    // as wide as two spaces: the same rows as the layout text.
    let (spaced, _) = run("layout");
    let found = rewritten("layout", "layout-ideographic", |t| {
        let text = t.replace("  ", "\u{3000}");
        assert!(text.contains('\u{3000}'));
        text
    });
    assert_eq!(found.len(), spaced.len());
    for (id, r) in &spaced {
        let row = |r: &Value| -> Vec<Value> {
            r["indicators"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| {
                    serde_json::json!([
                        i["level1"],
                        i["level2"],
                        i["name"],
                        i["target"]["raw"],
                        i["review"]
                    ])
                })
                .collect()
        };
        assert_eq!(row(&found[id]), row(r), "{id}");
        assert_eq!(found[id]["fields"], r["fields"], "{id}");
    }
}

#[test]
fn ocr_formats_agree_and_send_every_doubtful_row_to_review() {
    // Tesseract's TSV, hOCR and ALTO carry the same words: the same rows.
    // Where the OCR misread, the row must be marked for review.
    let want = expected();
    let (tsv, _) = run("tesseract");
    for notation in ["hocr", "alto"] {
        let (found, _) = run(notation);
        for (id, r) in &tsv {
            let strip = |v: &Value| {
                let mut v = v.clone();
                v["source"] = Value::Null;
                for i in v["indicators"].as_array_mut().unwrap() {
                    i["lines"] = Value::Null;
                }
                for i in v["residue"].as_array_mut().unwrap() {
                    i["lines"] = Value::Null;
                }
                v
            };
            assert_eq!(strip(r), strip(&found[id]), "{notation} {id}");
        }
    }
    for (id, w) in &want {
        let f = &tsv[id];
        if !differences(w, f).is_empty() {
            assert_eq!(
                f["review"], true,
                "{id}: a misread record is marked for review"
            );
        }
    }
    misread_rows_go_to_review("tesseract", &want, &tsv);
}

#[test]
fn misread_rows_of_text_laid_out_by_spaces_go_to_review() {
    // `pdftotext -layout` hides where merged cells end: rows come out wrong,
    // and each wrong one must be marked for review (flag table_doubt).
    let (found, _) = run("layout");
    misread_rows_go_to_review("layout", &expected(), &found);
}

#[test]
fn a_text_browsers_dump_gives_the_fields_and_sends_misread_rows_to_review() {
    // w3m prints a merged level cell in the middle of its rows, rounded up
    // (an even group's label stands on its upper middle row, where a group
    // one row shorter would centre it too), wraps a long field value in its
    // cell (`上海市青浦区总工` / `会`) and repeats a name on rows of its own.
    let want = expected();
    let (found, _) = run("w3m");
    for (id, w) in &want {
        let f = &found[id];
        let fields = serde_json::json!({
            "form_type": f["form_type"], "title": f["title"], "year": f["year"],
            "fields": w["fields"], "funds": w["funds"], "indicators": f["indicators"],
        });
        let d = differences(&fields, f);
        assert!(d.is_empty(), "w3m {id}:\n{}", d.join("\n"));
        assert_eq!(f["year"], w["year"], "{id}");
        assert_eq!(
            f["indicators"].as_array().unwrap().len(),
            w["indicators"].as_array().unwrap().len(),
            "w3m {id}: one row per indicator"
        );
    }
    misread_rows_go_to_review("w3m", &want, &found);
}

/// Every extracted indicator row that differs from the expected row at its
/// position is marked for review.
pub(crate) fn misread_rows_go_to_review(
    notation: &str,
    want: &BTreeMap<String, Value>,
    found: &BTreeMap<String, Value>,
) {
    let mut wrong = 0;
    for (id, w) in want {
        let f = &found[id];
        for (k, row) in f["indicators"].as_array().unwrap().iter().enumerate() {
            let right = w["indicators"]
                .get(k)
                .is_some_and(|g| ROW_KEYS.iter().all(|key| g[key] == row[key]));
            if !right {
                wrong += 1;
                assert_eq!(
                    row["review"], true,
                    "{notation} {id} row {k}: a misread row is marked for review"
                );
            }
        }
    }
    assert!(
        wrong > 0,
        "{notation}: the fixture has misread rows to check"
    );
}
