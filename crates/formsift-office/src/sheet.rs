//! Workbooks (`.xlsx`, `.xls`) through `calamine`: every sheet in workbook
//! order, each row of the sheet's used area one row of cells, merged ranges
//! as merges, values as displayed.

use crate::biff::Formats;
use crate::display::display;
use crate::{Kind, OfficeError};
use calamine::{Data, Dimensions, Range, Reader, StyleRange, Xls, Xlsx, XlsxError};
use formsift_model::{Area, Grid, GridRow, Merge, Notation, Place};
use std::collections::HashMap;
use std::io::Cursor;

type Source<'a> = Cursor<&'a [u8]>;

/// How many rows or columns past the last value a merged range may widen a
/// sheet's area.
const MERGE_REACH: u32 = 256;

/// An open workbook of either kind.
enum Book<'a> {
    Xlsx(Box<Xlsx<Source<'a>>>),
    Xls(Box<Xls<Source<'a>>>),
}

/// One sheet as read: values, formulas, merged ranges and, for `.xlsx`,
/// number formats.
struct Sheet {
    values: Range<Data>,
    formulas: Option<Range<String>>,
    merges: Vec<Dimensions>,
    styles: Option<StyleRange>,
}

pub(crate) fn read(bytes: &[u8], kind: Kind, path: &str) -> Result<Grid, OfficeError> {
    let what = match kind {
        Kind::Xls => "Excel 97-2003 workbook",
        _ => "Excel workbook",
    };
    let damaged = |detail: String| OfficeError::Damaged {
        path: path.to_string(),
        what,
        detail,
    };
    // calamine reads every sheet of an `.xls` as it opens it, each into a
    // range of every position between its values: their spread is checked
    // first, from the workbook stream (which also gives the cells' number
    // formats: calamine keeps them to itself).
    let xls =
        (kind == Kind::Xls).then(|| contained(|| crate::biff::read(bytes)).unwrap_or_default());
    if let Some((sheet, spread)) = xls.iter().flat_map(|f| &f.spreads).find(|(_, s)| {
        let (rows, cols) = s.size();
        rows * cols > MOST_CELLS
    }) {
        let (rows, cols) = spread.size();
        return Err(OfficeError::TooSpread {
            path: path.to_string(),
            sheet: sheet.clone(),
            values: spread.values,
            rows,
            cols,
            limit: MOST_CELLS,
        });
    }
    let mut book = contained(|| open(bytes, kind, path, what)).map_err(damaged)??;
    let names = match &book {
        Book::Xlsx(b) => b.sheet_names(),
        Book::Xls(b) => b.sheet_names(),
    };
    let mut grid = Grid {
        notation: Some(match kind {
            Kind::Xls => Notation::Xls,
            _ => Notation::Xlsx,
        }),
        ..Grid::default()
    };
    for name in names {
        let sheet = match contained(|| load(&mut book, &name)) {
            Ok(Ok(sheet)) => sheet,
            Ok(Err(Unread::Wide(w))) => {
                return Err(OfficeError::TooSpread {
                    path: path.to_string(),
                    sheet: name,
                    values: w.values,
                    rows: w.rows,
                    cols: w.cols,
                    limit: MOST_CELLS,
                });
            }
            Ok(Err(Unread::Reader(e))) | Err(e) => {
                return Err(damaged(format!("sheet {name}: {e}")));
            }
        };
        add_sheet(&mut grid, &name, &sheet, xls.as_ref());
    }
    Ok(grid)
}

/// Runs a call into the workbook reader, a dependency: should malformed
/// content make it panic, the file is reported damaged like any other bad
/// input instead of taking the batch's worker down with it. Meanwhile
/// [`crate::panic_is_contained`] is true on this thread, so that a panic
/// hook can leave the reader's panic message out: the file's error says
/// what happened.
fn contained<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    /// Restores the flag however the call ends.
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            CONTAINED.set(self.0);
        }
    }
    let _reset = Reset(CONTAINED.replace(true));
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .map_err(|_| "its content is malformed (the workbook reader gave up on it)".to_string())
}

thread_local! {
    /// Whether this thread is inside [`contained`].
    pub(crate) static CONTAINED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Opens the workbook.
fn open<'a>(
    bytes: &'a [u8],
    kind: Kind,
    path: &str,
    what: &'static str,
) -> Result<Book<'a>, OfficeError> {
    let protected = |what| OfficeError::Protected {
        path: path.to_string(),
        what,
    };
    let damaged = |detail: String| OfficeError::Damaged {
        path: path.to_string(),
        what,
        detail,
    };
    match kind {
        Kind::Xls => match Xls::new(Cursor::new(bytes)) {
            Ok(b) => Ok(Book::Xls(Box::new(b))),
            Err(calamine::XlsError::Password) => Err(protected(what)),
            // An OLE file that is no workbook: an encrypted OOXML package
            // (its name may say .xlsx or .docx) or a Word 97 document.
            Err(e) => match Xlsx::new(Cursor::new(bytes)) {
                Err(XlsxError::Password) => Err(protected("Office file")),
                _ if looks_like_word(bytes) => Err(OfficeError::Unsupported {
                    path: path.to_string(),
                }),
                _ => Err(damaged(e.to_string())),
            },
        },
        _ => match Xlsx::new(Cursor::new(bytes)) {
            Ok(b) => Ok(Book::Xlsx(Box::new(b))),
            Err(XlsxError::Password) => Err(protected(what)),
            Err(e) => Err(damaged(e.to_string())),
        },
    }
}

/// Most cells of a sheet's used area (from its first value's row and
/// column to its last's) read: a sheet whose values spread wider is not
/// read. Every position of the area takes memory, and a stray value far
/// from a form (a few bytes at XFD1048576) spreads a sheet over seventeen
/// billion of them: calamine then asked for 24 GB. A form takes some
/// thousands; a sheet of 100,000 rows of 40 columns fits.
pub(crate) const MOST_CELLS: u64 = 4_000_000;

/// Why a sheet was not read.
enum Unread {
    /// Its values spread over more than [`MOST_CELLS`] positions.
    Wide(Spread),
    /// What the workbook reader said.
    Reader(String),
}

/// How far a sheet's values spread.
struct Spread {
    values: u64,
    rows: u64,
    cols: u64,
}

/// An `.xlsx` sheet's values, read cell by cell (as calamine's
/// `worksheet_range` reads them) so that their spread is known before the
/// range of every position between them is made.
fn xlsx_values(b: &mut Xlsx<Source<'_>>, name: &str) -> Result<Range<Data>, Unread> {
    let reader = |e: XlsxError| Unread::Reader(e.to_string());
    let mut cells = match b.worksheet_cells_reader(name) {
        Ok(cells) => cells,
        Err(XlsxError::NotAWorksheet(_)) => return Ok(Range::default()),
        Err(e) => return Err(reader(e)),
    };
    let mut values = Vec::new();
    let (mut first, mut last) = ((u32::MAX, u32::MAX), (0u32, 0u32));
    while let Some(cell) = cells.next_cell().map_err(reader)? {
        if matches!(cell.get_value(), calamine::DataRef::Empty) {
            continue;
        }
        let (r, c) = cell.get_position();
        first = (first.0.min(r), first.1.min(c));
        last = (last.0.max(r), last.1.max(c));
        values.push(calamine::Cell::new(
            (r, c),
            Data::from(cell.get_value().clone()),
        ));
    }
    if !values.is_empty() {
        let rows = u64::from(last.0 - first.0) + 1;
        let cols = u64::from(last.1 - first.1) + 1;
        if rows * cols > MOST_CELLS {
            return Err(Unread::Wide(Spread {
                values: values.len() as u64,
                rows,
                cols,
            }));
        }
    }
    Ok(Range::from_sparse(values))
}

/// One sheet's values, formulas, merged ranges and number formats.
fn load(book: &mut Book, name: &str) -> Result<Sheet, Unread> {
    let reader = |e: &dyn std::fmt::Display| Unread::Reader(e.to_string());
    Ok(match book {
        Book::Xlsx(b) => Sheet {
            values: xlsx_values(b, name)?,
            formulas: b.worksheet_formula(name).ok(),
            merges: b.merge_cells_by_sheet_name(name).unwrap_or_default(),
            styles: b.worksheet_style(name).ok(),
        },
        Book::Xls(b) => Sheet {
            values: b.worksheet_range(name).map_err(|e| reader(&e))?,
            formulas: b.worksheet_formula(name).ok(),
            merges: b.merge_cells_by_sheet_name(name).unwrap_or_default(),
            styles: None,
        },
    })
}

/// True when an OLE file holds a `WordDocument` stream (its directory entry
/// name is stored as UTF-16).
fn looks_like_word(bytes: &[u8]) -> bool {
    let needle: Vec<u8> = "WordDocument"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    bytes.windows(needle.len()).any(|w| w == needle)
}

/// Appends a sheet's rows: the used area only (rows and columns that hold a
/// value, with the merged ranges that start there), a run of empty rows as
/// one blank row, and a blank row after the sheet so forms never run from one
/// sheet into the next.
fn add_sheet(grid: &mut Grid, name: &str, sheet: &Sheet, xls: Option<&Formats>) {
    let Some((top, left, bottom, right)) = extent(sheet) else {
        return;
    };
    let merges = merge_map(&sheet.merges, (top, left, bottom, right));
    let area = Area::Sheet(name.to_string());
    let mut blank_run = false;
    for row in top..=bottom {
        let mut cells = Vec::with_capacity((right - left + 1) as usize);
        let mut used: Option<[u32; 2]> = None;
        for col in left..=right {
            let xls_format = xls.and_then(|f| f.code(name, row, col));
            let text = cell_text(sheet, row, col, xls_format);
            let merge = merges.get(&(row, col)).copied().unwrap_or_default();
            if !text.trim().is_empty() || merge != Merge::None {
                let c = col + 1;
                used = Some(used.map_or([c, c], |[a, _]| [a, c]));
            }
            cells.push((text, merge));
        }
        if used.is_none() {
            if blank_run {
                continue;
            }
            blank_run = true;
        } else {
            blank_run = false;
        }
        grid.rows.push(GridRow::Cells(cells));
        grid.places.push(Place {
            area: area.clone(),
            row: row + 1,
            cols: used,
            bbox: None,
        });
    }
    grid.rows.push(GridRow::Cells(Vec::new()));
    grid.places.push(Place {
        area,
        row: bottom + 2,
        cols: None,
        bbox: None,
    });
}

/// Top, left, bottom and right (0-based, inclusive) of the cells holding a
/// value; `None` for an empty sheet. Formatted but empty cells (a sheet with
/// 100k styled rows) do not count.
fn extent(sheet: &Sheet) -> Option<(u32, u32, u32, u32)> {
    let (r0, c0) = sheet.values.start()?;
    let mut ext: Option<(u32, u32, u32, u32)> = None;
    for (r, c, v) in sheet.values.used_cells() {
        if matches!(v, Data::String(s) if s.trim().is_empty()) {
            continue;
        }
        let (r, c) = (r0 + r as u32, c0 + c as u32);
        ext = Some(match ext {
            None => (r, c, r, c),
            Some((t, l, b, rt)) => (t.min(r), l.min(c), b.max(r), rt.max(c)),
        });
    }
    // A merged range that starts inside the area widens it to its end (a
    // title merged across the table's width), by a bounded amount.
    let (t, l, b, rt) = ext?;
    let (mut b2, mut rt2) = (b, rt);
    for m in &sheet.merges {
        let (mr, mc) = m.start;
        if (t..=b).contains(&mr) && (l..=rt).contains(&mc) {
            b2 = b2.max(m.end.0.min(b.saturating_add(MERGE_REACH)));
            rt2 = rt2.max(m.end.1.min(rt.saturating_add(MERGE_REACH)));
        }
    }
    Some((t, l, b2, rt2))
}

/// The merge of each position covered by a merged range, clipped to the
/// sheet's used area (a range reaching row 1,048,576 costs no more than the
/// area).
fn merge_map(
    merges: &[Dimensions],
    (top, left, bottom, right): (u32, u32, u32, u32),
) -> HashMap<(u32, u32), Merge> {
    let mut out = HashMap::new();
    for m in merges {
        let (r0, c0) = m.start;
        let (r1, c1) = (m.end.0.min(bottom), m.end.1.min(right));
        if r0 > bottom || c0 > right || m.end.0 < top || m.end.1 < left || (r0, c0) == (r1, c1) {
            continue;
        }
        for r in r0.max(top)..=r1 {
            for c in c0.max(left)..=c1 {
                let merge = if (r, c) == (r0, c0) {
                    Merge::Origin {
                        rows: r1 - r0 + 1,
                        cols: c1 - c0 + 1,
                    }
                } else {
                    Merge::Covered {
                        rows_up: r - r0,
                        cols_left: c - c0,
                    }
                };
                out.insert((r, c), merge);
            }
        }
    }
    out
}

/// The text a cell displays; `xls_format` is the number format an `.xls`
/// cell was found to have (`.xlsx` formats come with the sheet's styles).
fn cell_text(sheet: &Sheet, row: u32, col: u32, xls_format: Option<&str>) -> String {
    let Some(value) = sheet.values.get_value((row, col)) else {
        return String::new();
    };
    let format = sheet
        .styles
        .as_ref()
        .and_then(|s| s.get((row, col)))
        .and_then(|s| s.number_format.as_ref())
        .map(|f| f.format_code.as_str())
        .or(xls_format);
    let formula = matches!(value, Data::Error(_))
        .then(|| sheet.formulas.as_ref()?.get_value((row, col)))
        .flatten()
        .map(String::as_str);
    display(value, format, formula)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

    fn cells(row: &GridRow) -> Vec<&str> {
        match row {
            GridRow::Cells(c) => c.iter().map(|(t, _)| t.as_str()).collect(),
            GridRow::Text(t) => vec![t.as_str()],
        }
    }

    /// Two sheets, a form each, placed off A1; merged level cells; a
    /// percentage, an amount and a date stored as numbers with formats.
    fn workbook() -> Vec<u8> {
        let mut wb = Workbook::new();
        let plain = Format::new();
        for (k, name) in ["表1", "Sheet 2"].into_iter().enumerate() {
            let ws = wb.add_worksheet();
            ws.set_name(name).unwrap();
            ws.merge_range(1, 1, 1, 4, "财政项目支出绩效目标申报表", &plain)
                .unwrap();
            ws.write_string(2, 1, "计划开始日期").unwrap();
            let date = Format::new().set_num_format("yyyy-mm-dd");
            ws.write_datetime_with_format(
                2,
                2,
                ExcelDateTime::from_ymd(2024, 1, 1).unwrap(),
                &date,
            )
            .unwrap();
            ws.write_string(3, 1, "年度资金申请总额").unwrap();
            let amount = Format::new().set_num_format("#,##0.00");
            ws.write_number_with_format(3, 2, 420000.0 + k as f64, &amount)
                .unwrap();
            ws.merge_range(5, 1, 6, 1, "产出指标", &plain).unwrap();
            ws.write_string(5, 2, "合格率").unwrap();
            let pct = Format::new().set_num_format("0%");
            ws.write_number_with_format(5, 3, 0.95, &pct).unwrap();
            ws.write_string(6, 2, "人数").unwrap();
            ws.write_number(6, 3, 12.0).unwrap();
        }
        wb.save_to_buffer().unwrap()
    }

    #[test]
    fn sheets_are_read_in_order_with_values_as_displayed_and_merges() {
        let g = read(&workbook(), Kind::Xlsx, "w.xlsx").unwrap();
        let texts: Vec<Vec<&str>> = g.rows.iter().map(cells).collect();
        assert_eq!(texts[0], ["财政项目支出绩效目标申报表", "", "", ""]);
        assert_eq!(texts[1][..2], ["计划开始日期", "2024-01-01"]);
        assert_eq!(texts[2][..2], ["年度资金申请总额", "420,000.00"]);
        // The empty sheet row 5 is a blank line; merged level cell below.
        assert!(texts[3].iter().all(|t| t.is_empty()));
        assert_eq!(texts[4][..3], ["产出指标", "合格率", "95%"]);
        assert_eq!(texts[5][..3], ["", "人数", "12"]);
        let GridRow::Cells(c) = &g.rows[5] else {
            panic!()
        };
        assert_eq!(
            c[0].1,
            Merge::Covered {
                rows_up: 1,
                cols_left: 0
            }
        );
        // A blank line ends each sheet; the second sheet follows.
        assert!(cells(&g.rows[6]).is_empty());
        assert_eq!(texts[9][..2], ["年度资金申请总额", "420,001.00"]);
        let p = &g.places[4];
        assert_eq!(
            (&p.area, p.row, p.cols),
            (&Area::Sheet("表1".into()), 6, Some([2, 4]))
        );
        assert_eq!(g.places[7].area, Area::Sheet("Sheet 2".into()));
        assert_eq!(g.rows.len(), g.places.len());
    }

    #[test]
    fn formatted_empty_rows_cost_nothing() {
        // A form, then 100,000 rows that are formatted but hold nothing.
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "项目名称").unwrap();
        ws.write_string(0, 1, "帮困慰问").unwrap();
        let fill = Format::new().set_background_color("#FFFF00");
        for r in 1..100_001 {
            ws.set_row_format(r, &fill).unwrap();
        }
        ws.write_blank(100_000, 20, &fill).unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let g = read(&bytes, Kind::Xlsx, "big.xlsx").unwrap();
        assert_eq!(g.rows.len(), 2, "the form's row and the sheet's end");
        assert_eq!(cells(&g.rows[0]), ["项目名称", "帮困慰问"]);
    }

    #[test]
    fn a_stray_value_far_from_the_form_is_reported_not_read() {
        let sheet = |far: (u32, u16)| {
            let mut wb = Workbook::new();
            let ws = wb.add_worksheet();
            ws.write_string(0, 0, "项目名称").unwrap();
            ws.write_string(far.0, far.1, "x").unwrap();
            read(&wb.save_to_buffer().unwrap(), Kind::Xlsx, "far.xlsx")
        };
        // The last cell of a sheet: seventeen billion positions between.
        match sheet((1_048_575, 16_383)) {
            Err(OfficeError::TooSpread {
                sheet,
                values,
                rows,
                cols,
                ..
            }) => {
                assert_eq!(sheet, "Sheet1");
                assert_eq!((values, rows, cols), (2, 1_048_576, 16_384));
            }
            other => panic!("{other:?}"),
        }
        // A value a thousand rows down and twenty columns over is read.
        let g = sheet((1000, 20)).unwrap();
        assert_eq!(cells(&g.rows[0])[0], "项目名称");
        assert!(g.rows.iter().any(|r| cells(r).contains(&"x")));
    }

    #[test]
    fn an_xls_value_moved_to_the_last_cell_is_reported_before_the_sheets_are_read() {
        let fixture = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/xls/000_549c44c96e78e8d4.xls"
        );
        let bytes = std::fs::read(fixture).unwrap();
        assert!(read(&bytes, Kind::Xls, "a.xls").is_ok());
        // The last shared-string cell record (type 0x00FD, 10 bytes) moved
        // to row 65536, column IV: calamine would make a range of 16.7
        // million positions (1 GB and a second for a 15 KB file).
        let mut far = bytes.clone();
        let at = far
            .windows(4)
            .rposition(|w| w == [0xFD, 0x00, 0x0A, 0x00])
            .expect("a LabelSst record");
        far[at + 4..at + 6].copy_from_slice(&u16::MAX.to_le_bytes());
        far[at + 6..at + 8].copy_from_slice(&255u16.to_le_bytes());
        match read(&far, Kind::Xls, "far.xls") {
            Err(OfficeError::TooSpread { rows, cols, .. }) => {
                assert_eq!(cols, 256);
                assert!(rows > 65_000, "{rows} rows");
            }
            other => panic!("{other:?}"),
        }
    }
}
