//! Exports: a run's records as one flat indicator table, for spreadsheets.
//!
//! This crate owns the flat table people open in Excel or load into a
//! database: one row per indicator, each with its form's identity, fields and
//! fund amounts, and the row's review state (`needs_review`, `corrected`,
//! `accepted`, `ok`). A form without indicator rows still gets one row, so
//! no form is missing from the table. It reads records.jsonl twice (once to
//! learn which field and fund columns exist, once to write), so memory stays
//! flat whatever the archive's size; XLSX is written in constant-memory mode
//! and continues on a new sheet past Excel's row limit.

use serde_json::Value;
use std::io::{BufRead, Write};
use std::path::Path;

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Reading records or writing the table failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// A records line is not JSON.
    #[error("{path} line {line}: {message}")]
    Line {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// Writing CSV failed.
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
    /// Writing XLSX failed.
    #[error("writing XLSX: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// A cell of the table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing.
    Empty,
    /// Text.
    Text(String),
    /// A number.
    Num(f64),
}

impl Cell {
    fn of(v: &Value) -> Cell {
        match v {
            Value::Null => Cell::Empty,
            Value::Number(n) => n.as_f64().map_or(Cell::Empty, Cell::Num),
            Value::String(s) => Cell::Text(s.clone()),
            Value::Bool(b) => Cell::Text(b.to_string()),
            other => Cell::Text(other.to_string()),
        }
    }

    fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Num(n) => n.to_string(),
        }
    }
}

/// Columns before the form's fields.
const HEAD: &[&str] = &["record_id", "file", "form", "form_type", "title", "year"];
/// Indicator columns: (column, JSON pointer into the indicator).
const ROW: &[(&str, &str)] = &[
    ("level1", "/level1"),
    ("level2", "/level2"),
    ("name", "/name"),
    ("ordinal", "/ordinal"),
    ("target_raw", "/target/raw"),
    ("target_op", "/target/op"),
    ("target_value", "/target/value"),
    ("target_unit", "/target/unit"),
    ("actual_raw", "/actual/raw"),
    ("actual_op", "/actual/op"),
    ("actual_value", "/actual/value"),
    ("actual_unit", "/actual/unit"),
    ("weight", "/weight"),
    ("score", "/score"),
    ("remark", "/remark"),
];

/// The table's columns, learned from the records.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Columns {
    /// Keys of `fields`, in order of first appearance.
    pub fields: Vec<String>,
    /// Scalar keys of `funds`, in order of first appearance.
    pub funds: Vec<String>,
}

impl Columns {
    /// Header names.
    pub fn header(&self) -> Vec<String> {
        let mut h: Vec<String> = HEAD.iter().map(|s| s.to_string()).collect();
        h.extend(self.fields.iter().cloned());
        h.push("funds_unit".into());
        h.extend(self.funds.iter().map(|k| format!("funds_{k}")));
        h.push("row".into());
        h.extend(ROW.iter().map(|(c, _)| c.to_string()));
        h.extend(
            [
                "lines",
                "confidence",
                "flags",
                "review_state",
                "record_confidence",
                "record_review",
            ]
            .map(String::from),
        );
        h
    }

    fn learn(&mut self, r: &Value) {
        if let Some(f) = r["fields"].as_object() {
            for k in f.keys() {
                if !self.fields.contains(k) {
                    self.fields.push(k.clone());
                }
            }
        }
        if let Some(f) = r["funds"].as_object() {
            for (k, v) in f {
                if k != "unit" && (v.is_number() || v.is_null()) && !self.funds.contains(k) {
                    self.funds.push(k.clone());
                }
            }
        }
    }

    /// The rows of one record: one per indicator, or one for a record
    /// without indicators.
    pub fn rows(&self, r: &Value) -> Vec<Vec<Cell>> {
        let mut form: Vec<Cell> = vec![
            Cell::of(&r["id"]),
            Cell::of(&r["source"]["path"]),
            Cell::of(&r["source"]["form"]),
            Cell::of(&r["form_type"]),
            Cell::of(&r["title"]),
            Cell::of(&r["year"]),
        ];
        form.extend(self.fields.iter().map(|k| Cell::of(&r["fields"][k])));
        form.push(Cell::of(&r["funds"]["unit"]));
        form.extend(self.funds.iter().map(|k| Cell::of(&r["funds"][k])));
        let tail = [Cell::of(&r["confidence"]), Cell::of(&r["review"])];
        let empty = Vec::new();
        let inds = r["indicators"].as_array().unwrap_or(&empty);
        if inds.is_empty() {
            let mut row = form.clone();
            row.push(Cell::Empty);
            row.extend(ROW.iter().map(|_| Cell::Empty));
            row.extend([
                Cell::Empty,
                Cell::of(&r["confidence"]),
                Cell::Text(join(&r["flags"])),
                Cell::Text(state(&r["flags"], &r["review"]).into()),
            ]);
            row.extend(tail);
            return vec![row];
        }
        inds.iter()
            .enumerate()
            .map(|(k, ind)| {
                let mut row = form.clone();
                row.push(Cell::Num(k as f64));
                row.extend(
                    ROW.iter()
                        .map(|(_, p)| Cell::of(ind.pointer(p).unwrap_or(&Value::Null))),
                );
                let lines = &ind["lines"];
                row.extend([
                    Cell::Text(format!("{}-{}", lines[0], lines[1])),
                    Cell::of(&ind["confidence"]),
                    Cell::Text(join(&ind["flags"])),
                    Cell::Text(state(&ind["flags"], &ind["review"]).into()),
                ]);
                row.extend(tail.clone());
                row
            })
            .collect()
    }
}

fn join(flags: &Value) -> String {
    flags
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

/// The review state of a row or record.
fn state(flags: &Value, review: &Value) -> &'static str {
    let has = |f: &str| flags.as_array().is_some_and(|a| a.iter().any(|x| x == f));
    if has("corrected") {
        "corrected"
    } else if has("accepted") {
        "accepted"
    } else if review == true {
        "needs_review"
    } else {
        "ok"
    }
}

/// Calls `each` with every record of a records.jsonl file.
fn for_each_record(
    path: &Path,
    mut each: impl FnMut(&Value) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    let name = path.display().to_string();
    let io = |source| ExportError::Io {
        path: name.clone(),
        source,
    };
    let f = std::fs::File::open(path).map_err(io)?;
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line.map_err(io)?;
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(&line).map_err(|e| ExportError::Line {
            path: name.clone(),
            line: i + 1,
            message: e.to_string(),
        })?;
        each(&v)?;
    }
    Ok(())
}

/// Reads the records once to learn the columns.
pub fn columns(records: &Path) -> Result<Columns, ExportError> {
    let mut c = Columns::default();
    for_each_record(records, |r| {
        c.learn(r);
        Ok(())
    })?;
    Ok(c)
}

/// Writes the table as CSV (UTF-8 with a byte-order mark, which Excel needs
/// to read Chinese text); returns the number of data rows.
pub fn write_csv(records: &Path, out: impl Write) -> Result<u64, ExportError> {
    let cols = columns(records)?;
    let mut out = out;
    out.write_all("\u{feff}".as_bytes())
        .map_err(|source| ExportError::Io {
            path: "output".into(),
            source,
        })?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(cols.header())?;
    let mut n = 0;
    for_each_record(records, |r| {
        for row in cols.rows(r) {
            w.write_record(row.iter().map(Cell::text))?;
            n += 1;
        }
        Ok(())
    })?;
    w.flush().map_err(|source| ExportError::Io {
        path: "output".into(),
        source,
    })?;
    Ok(n)
}

/// Rows per sheet, header included (Excel's limit).
pub const SHEET_ROWS: u32 = 1_048_576;

/// Writes the table as an XLSX workbook; returns the number of data rows.
pub fn write_xlsx(records: &Path, dest: &Path) -> Result<u64, ExportError> {
    write_xlsx_rows(records, dest, SHEET_ROWS)
}

/// [`write_xlsx`] with a given sheet size (tests use a small one).
pub fn write_xlsx_rows(records: &Path, dest: &Path, sheet_rows: u32) -> Result<u64, ExportError> {
    use rust_xlsxwriter::{Format, Workbook};
    let cols = columns(records)?;
    let header = cols.header();
    let bold = Format::new().set_bold();
    let mut wb = Workbook::new();
    let mut n: u64 = 0;
    let mut sheets = 0;
    let mut row_in_sheet = sheet_rows; // forces the first sheet
    let mut ws_index = 0;
    for_each_record(records, |r| {
        for row in cols.rows(r) {
            if row_in_sheet >= sheet_rows {
                sheets += 1;
                let ws = wb.add_worksheet_with_constant_memory();
                ws.set_name(if sheets == 1 {
                    "indicators".to_string()
                } else {
                    format!("indicators {sheets}")
                })?;
                for (c, h) in header.iter().enumerate() {
                    ws.write_string_with_format(0, c as u16, h, &bold)?;
                }
                ws.set_freeze_panes(1, 0)?;
                ws_index = sheets - 1;
                row_in_sheet = 1;
            }
            let ws = wb.worksheet_from_index(ws_index)?;
            for (c, cell) in row.iter().enumerate() {
                match cell {
                    Cell::Empty => {}
                    Cell::Text(t) => {
                        ws.write_string(row_in_sheet, c as u16, t)?;
                    }
                    Cell::Num(x) => {
                        ws.write_number(row_in_sheet, c as u16, *x)?;
                    }
                }
            }
            row_in_sheet += 1;
            n += 1;
        }
        Ok(())
    })?;
    if sheets == 0 {
        let ws = wb.add_worksheet();
        ws.set_name("indicators")?;
        for (c, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)?;
        }
    }
    let tmp = dest.with_extension("xlsx.partial");
    wb.save(&tmp)?;
    std::fs::rename(&tmp, dest).map_err(|source| ExportError::Io {
        path: dest.display().to_string(),
        source,
    })?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn records(dir: &Path) -> std::path::PathBuf {
        let a = json!({"id": "a#1", "source": {"path": "a.txt", "form": 1, "lines": [1, 9]},
            "form_type": "project_target", "title": "T", "year": 2024,
            "fields": {"project_name": "甲, \"乙\""}, "funds": {"unit": "元", "total": 10.0},
            "indicators": [
                {"level1": "产出指标", "level2": "数量指标", "name": "班级数", "ordinal": null,
                 "target": {"raw": "≥100", "op": ">=", "value": 100.0, "unit": "个"}, "actual": null,
                 "weight": null, "score": null, "remark": null, "lines": [3, 3],
                 "confidence": 1.0, "flags": ["corrected"], "review": false},
                {"level1": "产出指标", "level2": null, "name": "x", "ordinal": 2, "target": null,
                 "actual": null, "weight": 5.0, "score": null, "remark": null, "lines": [4, 5],
                 "confidence": 0.5, "flags": ["level_missing"], "review": true}],
            "confidence": 0.9, "flags": [], "review": false});
        let b = json!({"id": "b#1", "source": {"path": "b.txt", "form": 1, "lines": [1, 2]},
            "form_type": "department_target", "title": "U", "year": null,
            "fields": {"department": "丙"}, "funds": {"unit": null, "fiscal": 3.0},
            "indicators": [], "confidence": 0.7, "flags": ["no_indicators"], "review": true});
        let p = dir.join("records.jsonl");
        std::fs::write(&p, format!("{a}\n{b}\n")).unwrap();
        p
    }

    #[test]
    fn one_row_per_indicator_and_one_for_a_form_without() {
        let dir = tempfile::tempdir().unwrap();
        let p = records(dir.path());
        let mut out = Vec::new();
        assert_eq!(write_csv(&p, &mut out).unwrap(), 3);
        let text = String::from_utf8(out).unwrap();
        let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        let col = |name: &str| head.iter().position(|h| h == name).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(&rows[0][col("project_name")], "甲, \"乙\"");
        assert_eq!(&rows[0][col("department")], "");
        assert_eq!(&rows[2][col("department")], "丙");
        assert_eq!(&rows[0][col("funds_total")], "10");
        assert_eq!(&rows[0][col("target_value")], "100");
        assert_eq!(&rows[0][col("review_state")], "corrected");
        assert_eq!(&rows[1][col("review_state")], "needs_review");
        assert_eq!(&rows[1][col("lines")], "4-5");
        assert_eq!(&rows[2][col("review_state")], "needs_review");
        assert_eq!(&rows[2][col("name")], "");
        assert!(rows.iter().all(|r| r.len() == head.len()));
    }

    #[test]
    fn xlsx_continues_on_a_new_sheet_past_the_row_limit() {
        let dir = tempfile::tempdir().unwrap();
        let p = records(dir.path());
        let dest = dir.path().join("t.xlsx");
        assert_eq!(write_xlsx_rows(&p, &dest, 3).unwrap(), 3);
        let bytes = std::fs::read(&dest).unwrap();
        assert_eq!(&bytes[..2], b"PK");
        // Sheet names sit uncompressed in the zip's directory.
        let dir_text = String::from_utf8_lossy(&bytes);
        assert!(dir_text.contains("xl/worksheets/sheet2.xml"));
        assert!(!dest.with_extension("xlsx.partial").exists());
    }

    #[test]
    fn a_bad_line_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("records.jsonl");
        std::fs::write(&p, "{}\nnot json\n").unwrap();
        let e = write_csv(&p, Vec::new()).unwrap_err().to_string();
        assert!(e.contains("line 2"), "{e}");
    }
}
