//! Word documents (`.docx`): `word/document.xml` read with `quick-xml`.
//! Paragraphs of the body become text rows; each top-level table becomes
//! rows of cells on its grid, `gridSpan` and `vMerge` as merges (a table
//! nested in a cell is read into that cell's text). Check-box content
//! controls and legacy check-box fields become ☑/☐; symbol-font glyphs
//! (`w:sym`, a Wingdings tick) keep their private-use code points, which the
//! check-box rules know.

use crate::OfficeError;
use crate::package::read_part;
use formsift_model::{Area, Grid, GridRow, Merge, Notation, Place};
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

const WHAT: &str = "Word document";

/// A vertical merge mark of a table cell.
#[derive(Debug, Clone, Copy, PartialEq)]
enum VMerge {
    None,
    Restart,
    Continue,
}

/// Most grid columns a cell spans or a row skips before its first cell
/// (Word's tables have at most 63 columns). A number past it is read as
/// it: `gridBefore` of four billion made a row of as many empty cells.
const MOST_GRID_COLUMNS: u32 = 64;

/// A table cell as read, before merges are resolved.
#[derive(Debug)]
struct Slot {
    text: String,
    span: u32,
    vmerge: VMerge,
}

/// A table row as read: grid columns skipped before the first cell, cells.
#[derive(Debug, Default)]
struct TableRow {
    before: u32,
    cells: Vec<Slot>,
}

/// A content control or legacy field that is a check box, while it is read.
#[derive(Debug, Default)]
struct CheckBox {
    is_box: bool,
    checked: bool,
    /// Inside the control's content: its own glyph is replaced by ours.
    in_content: bool,
    emitted: bool,
}

#[derive(Default)]
struct State {
    grid: Grid,
    paragraphs: u32,
    tables: u32,
    /// Depth of `w:tbl` elements open.
    tbl_depth: u32,
    rows: Vec<TableRow>,
    /// Text of the current body paragraph, or of the current cell.
    text: String,
    in_t: bool,
    /// Depth of runs (`w:r`) open: tabs, breaks and symbols count only there
    /// (a paragraph's tab stops are also `w:tab`).
    in_run: u32,
    /// Depth inside an element whose content is skipped (`mc:Fallback`).
    skip: u32,
    sdts: Vec<CheckBox>,
    /// A legacy form check box (`w:ffData/w:checkBox`) being read.
    legacy: Option<CheckBox>,
}

pub(crate) fn read(bytes: &[u8], path: &str) -> Result<Grid, OfficeError> {
    let xml = read_part(bytes, "word/document.xml", path, WHAT)?;
    parse(&xml).map_err(|detail| OfficeError::Damaged {
        path: path.to_string(),
        what: WHAT,
        detail: format!("word/document.xml: {detail}"),
    })
}

pub(crate) fn parse(xml: &str) -> Result<Grid, String> {
    let mut reader = Reader::from_str(xml);
    let mut st = State {
        grid: Grid {
            notation: Some(Notation::Docx),
            ..Grid::default()
        },
        ..State::default()
    };
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("{e} at byte {}", reader.error_position()))?;
        match event {
            Event::Eof => break,
            _ if st.skip > 0 => match event {
                Event::Start(_) => st.skip += 1,
                Event::End(_) => st.skip -= 1,
                _ => {}
            },
            Event::Start(e) => st.start(&e, false),
            Event::Empty(e) => {
                st.start(&e, true);
                st.end(e.local_name().as_ref());
            }
            Event::End(e) => st.end(e.local_name().as_ref()),
            Event::Text(t) if st.in_t => {
                let text = t.xml10_content();
                st.push_text(&text);
            }
            Event::GeneralRef(r) if st.in_t => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match r.xml10_content().as_ref() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    },
                };
                if let Some(c) = c {
                    st.push_text(c.encode_utf8(&mut [0; 4]));
                }
            }
            _ => {}
        }
    }
    if st.tbl_depth > 0 {
        return Err("the document ends inside a table".to_string());
    }
    Ok(st.grid)
}

/// An attribute's value by local name (`w:val` → `val`).
fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| {
            a.normalized_value(XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

/// `w:val` read as an on/off switch: absent, `1`, `true` or `on` mean on.
fn on(e: &BytesStart) -> bool {
    attr(e, "val").is_none_or(|v| matches!(v.as_str(), "1" | "true" | "on"))
}

impl State {
    fn in_cell(&self) -> bool {
        self.tbl_depth > 0
    }

    fn push_text(&mut self, t: &str) {
        // A check-box control's own glyph (☒, ☐) is replaced by ours.
        if self.sdts.iter().any(|b| b.is_box && b.in_content) {
            return;
        }
        self.text.push_str(t);
    }

    fn start(&mut self, e: &BytesStart, empty: bool) {
        let name = e.local_name();
        match name.as_ref() {
            "Fallback" if !empty => self.skip = 1,
            "tbl" => {
                if self.tbl_depth == 0 {
                    self.flush_paragraph_if_open();
                    self.tables += 1;
                    self.rows.clear();
                }
                self.tbl_depth += 1;
            }
            "tr" if self.tbl_depth == 1 => self.rows.push(TableRow::default()),
            "gridBefore" if self.tbl_depth == 1 => {
                if let Some(r) = self.rows.last_mut() {
                    r.before = attr(e, "val")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0)
                        .min(MOST_GRID_COLUMNS);
                }
            }
            "tc" if self.tbl_depth == 1 => {
                self.text.clear();
                if let Some(r) = self.rows.last_mut() {
                    r.cells.push(Slot {
                        text: String::new(),
                        span: 1,
                        vmerge: VMerge::None,
                    });
                }
            }
            "gridSpan" if self.tbl_depth == 1 => {
                if let Some(s) = self.slot() {
                    s.span = attr(e, "val")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(1)
                        .clamp(1, MOST_GRID_COLUMNS);
                }
            }
            "vMerge" if self.tbl_depth == 1 => {
                let restart = attr(e, "val").as_deref() == Some("restart");
                if let Some(s) = self.slot() {
                    s.vmerge = if restart {
                        VMerge::Restart
                    } else {
                        VMerge::Continue
                    };
                }
            }
            "r" if !empty => self.in_run += 1,
            "t" => self.in_t = !empty,
            "tab" if self.in_run > 0 && !self.in_t => {
                self.text.push(if self.in_cell() { ' ' } else { '\t' })
            }
            "br" | "cr" if self.in_run > 0 => {
                self.text.push(if self.in_cell() { '\n' } else { ' ' })
            }
            "sym" if self.in_run > 0 => {
                if let Some(c) = attr(e, "char")
                    .and_then(|v| u32::from_str_radix(&v, 16).ok())
                    // Symbol fonts' codes may be written without the F000
                    // private-use offset.
                    .map(|c| if c < 0x100 { c + 0xF000 } else { c })
                    .and_then(char::from_u32)
                {
                    self.push_text(c.encode_utf8(&mut [0; 4]));
                }
            }
            "sdt" => self.sdts.push(CheckBox::default()),
            "checkbox" => {
                if let Some(b) = self.sdts.last_mut() {
                    b.is_box = true;
                }
            }
            "checked" => {
                if let Some(b) = self.legacy.as_mut() {
                    b.checked = on(e);
                } else if let Some(b) = self.sdts.last_mut() {
                    b.checked = on(e);
                }
            }
            "sdtContent" => {
                if let Some(b) = self.sdts.last_mut()
                    && b.is_box
                    && !b.emitted
                {
                    b.emitted = true;
                    let glyph = if b.checked { "☑" } else { "☐" };
                    self.text.push_str(glyph);
                    b.in_content = true;
                }
            }
            "checkBox" => {
                self.legacy = Some(CheckBox {
                    is_box: true,
                    ..CheckBox::default()
                })
            }
            "default" => {
                if let Some(b) = self.legacy.as_mut() {
                    b.checked = attr(e, "val").is_some_and(|v| v == "1" || v == "true");
                }
            }
            _ => {}
        }
    }

    fn end(&mut self, name: &str) {
        match name {
            "t" => self.in_t = false,
            "r" => self.in_run = self.in_run.saturating_sub(1),
            "p" => {
                if self.in_cell() {
                    self.text.push('\n');
                } else {
                    self.flush_paragraph();
                }
            }
            "tc" if self.tbl_depth == 1 => {
                let text = self.text.trim_end_matches('\n').to_string();
                self.text.clear();
                if let Some(s) = self.slot() {
                    s.text = text;
                }
            }
            "tbl" => {
                self.tbl_depth = self.tbl_depth.saturating_sub(1);
                if self.tbl_depth == 0 {
                    self.flush_table();
                }
            }
            "sdt" => {
                self.sdts.pop();
            }
            "checkBox" => {
                if let Some(b) = self.legacy.take() {
                    self.text.push_str(if b.checked { "☑" } else { "☐" });
                }
            }
            _ => {}
        }
    }

    fn slot(&mut self) -> Option<&mut Slot> {
        self.rows.last_mut()?.cells.last_mut()
    }

    fn flush_paragraph_if_open(&mut self) {
        if !self.text.is_empty() {
            self.flush_paragraph();
        }
    }

    fn flush_paragraph(&mut self) {
        self.paragraphs += 1;
        let text = std::mem::take(&mut self.text);
        let cols = (!text.trim().is_empty()).then_some([1, 1]);
        self.grid.rows.push(GridRow::Text(text));
        self.grid.places.push(Place {
            area: Area::Body,
            row: self.paragraphs,
            cols,
            bbox: None,
        });
    }

    /// Resolves the table's merges onto its grid and appends its rows.
    fn flush_table(&mut self) {
        let rows = std::mem::take(&mut self.rows);
        // Grid column of each cell.
        let placed: Vec<Vec<(u32, &Slot)>> = rows
            .iter()
            .map(|r| {
                let mut col = r.before;
                r.cells
                    .iter()
                    .map(|s| {
                        let at = col;
                        col += s.span;
                        (at, s)
                    })
                    .collect()
            })
            .collect();
        let continues = |r: usize, col: u32| {
            placed.get(r).is_some_and(|row| {
                row.iter()
                    .any(|(c, s)| *c == col && s.vmerge == VMerge::Continue)
            })
        };
        // The row of the merge each continuing cell belongs to, per column.
        let mut origin_row: Vec<Option<usize>> = Vec::new();
        for (r, row) in placed.iter().enumerate() {
            let width = row.last().map_or(0, |(c, s)| c + s.span) as usize;
            let mut cells: Vec<(String, Merge)> = Vec::with_capacity(width);
            let mut used: Option<[u32; 2]> = None;
            let mark = |col: u32, used: &mut Option<[u32; 2]>| {
                let c = col + 1;
                *used = Some(used.map_or([c, c], |[a, _]| [a, c]));
            };
            for _ in 0..row.first().map_or(0, |(c, _)| *c) {
                cells.push((String::new(), Merge::None));
            }
            for &(col, slot) in row {
                let merge_rows = match slot.vmerge {
                    VMerge::Restart => {
                        let mut n = 1;
                        while continues(r + n, col) {
                            n += 1;
                        }
                        n as u32
                    }
                    _ => 1,
                };
                if origin_row.len() < (col + slot.span) as usize {
                    origin_row.resize((col + slot.span) as usize, None);
                }
                let covered_from = match slot.vmerge {
                    VMerge::Continue => origin_row[col as usize],
                    _ => None,
                };
                if slot.vmerge != VMerge::Continue {
                    origin_row[col as usize] = (slot.vmerge == VMerge::Restart).then_some(r);
                }
                match covered_from {
                    Some(o) => {
                        let up = (r - o) as u32;
                        for k in 0..slot.span {
                            cells.push((
                                if k == 0 {
                                    slot.text.clone()
                                } else {
                                    String::new()
                                },
                                Merge::Covered {
                                    rows_up: up,
                                    cols_left: k,
                                },
                            ));
                            mark(col + k, &mut used);
                        }
                    }
                    None => {
                        let merge = if merge_rows > 1 || slot.span > 1 {
                            Merge::Origin {
                                rows: merge_rows,
                                cols: slot.span,
                            }
                        } else {
                            Merge::None
                        };
                        cells.push((slot.text.clone(), merge));
                        for k in 1..slot.span {
                            cells.push((
                                String::new(),
                                Merge::Covered {
                                    rows_up: 0,
                                    cols_left: k,
                                },
                            ));
                        }
                        if !slot.text.trim().is_empty() || merge != Merge::None {
                            mark(col, &mut used);
                            mark(col + slot.span - 1, &mut used);
                        }
                    }
                }
            }
            self.grid.rows.push(GridRow::Cells(cells));
            self.grid.places.push(Place {
                area: Area::Table(self.tables),
                row: r as u32 + 1,
                cols: used,
                bbox: None,
            });
        }
        // A table ends its block: the next paragraph starts a new one.
        self.grid.rows.push(GridRow::Cells(Vec::new()));
        self.grid.places.push(Place {
            area: Area::Table(self.tables),
            row: rows.len() as u32 + 1,
            cols: None,
            bbox: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006""#;

    fn doc(body: &str) -> Grid {
        parse(&format!(
            r#"<w:document {NS}><w:body>{body}</w:body></w:document>"#
        ))
        .unwrap()
    }

    fn p(text: &str) -> String {
        format!("<w:p><w:r><w:t>{text}</w:t></w:r></w:p>")
    }

    fn tc(props: &str, text: &str) -> String {
        format!("<w:tc><w:tcPr>{props}</w:tcPr>{}</w:tc>", p(text))
    }

    fn cells(row: &GridRow) -> Vec<(&str, Merge)> {
        match row {
            GridRow::Cells(c) => c.iter().map(|(t, m)| (t.as_str(), *m)).collect(),
            GridRow::Text(t) => panic!("a paragraph: {t}"),
        }
    }

    #[test]
    fn table_cells_merged_across_and_down_are_merges() {
        let span = r#"<w:gridSpan w:val="2"/>"#;
        let restart = r#"<w:vMerge w:val="restart"/>"#;
        let cont = "<w:vMerge/>";
        let g = doc(&format!(
            "{}<w:tbl><w:tr>{}{}</w:tr><w:tr>{}{}{}</w:tr><w:tr>{}{}{}</w:tr></w:tbl>",
            p("财政项目支出绩效目标申报表"),
            tc("", "项目名称"),
            tc(span, "帮困慰问"),
            tc(restart, "产出指标"),
            tc("", "数量指标"),
            tc("", "≥608人"),
            tc(cont, ""),
            tc("", "质量指标"),
            tc("", "100%"),
        ));
        assert_eq!(
            g.rows[0],
            GridRow::Text("财政项目支出绩效目标申报表".into())
        );
        let origin = |rows, cols| Merge::Origin { rows, cols };
        let covered = |rows_up, cols_left| Merge::Covered { rows_up, cols_left };
        assert_eq!(
            cells(&g.rows[1]),
            [
                ("项目名称", Merge::None),
                ("帮困慰问", origin(1, 2)),
                ("", covered(0, 1))
            ]
        );
        assert_eq!(cells(&g.rows[2])[0], ("产出指标", origin(2, 1)));
        assert_eq!(cells(&g.rows[3])[0], ("", covered(1, 0)));
        assert_eq!(cells(&g.rows[3])[2], ("100%", Merge::None));
        // A blank row ends the table.
        assert_eq!(g.rows[4], GridRow::Cells(Vec::new()));
        let place = |k: usize| (g.places[k].area.clone(), g.places[k].row, g.places[k].cols);
        assert_eq!(place(0), (Area::Body, 1, Some([1, 1])));
        assert_eq!(place(1), (Area::Table(1), 1, Some([1, 3])));
        assert_eq!(place(3), (Area::Table(1), 3, Some([1, 3])));
        assert_eq!(g.places.len(), g.rows.len());
    }

    #[test]
    fn skipped_and_spanned_columns_stay_within_a_tables_grid() {
        let before = |n: &str| format!(r#"<w:trPr><w:gridBefore w:val="{n}"/></w:trPr>"#);
        let span = r#"<w:gridSpan w:val="4000000000"/>"#;
        let g = doc(&format!(
            "<w:tbl><w:tr>{}{}</w:tr><w:tr>{}{}</w:tr></w:tbl>",
            before("4000000000"),
            tc("", "项目名称"),
            before("1"),
            tc(span, "帮困慰问"),
        ));
        let first = cells(&g.rows[0]);
        assert_eq!(first.len(), MOST_GRID_COLUMNS as usize + 1);
        assert_eq!(first.last().unwrap().0, "项目名称");
        let second = cells(&g.rows[1]);
        assert_eq!(second.len(), 1 + MOST_GRID_COLUMNS as usize);
        assert_eq!(
            second[1],
            (
                "帮困慰问",
                Merge::Origin {
                    rows: 1,
                    cols: MOST_GRID_COLUMNS
                }
            )
        );
    }

    #[test]
    fn check_boxes_become_ticks() {
        let control = |checked: &str, glyph: &str| {
            format!(
                r#"<w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="{checked}"/></w14:checkbox></w:sdtPr><w:sdtContent><w:r><w:t>{glyph}</w:t></w:r></w:sdtContent></w:sdt>"#
            )
        };
        let legacy = r#"<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:checkBox><w:default w:val="0"/><w:checked/></w:checkBox></w:ffData></w:fldChar></w:r>"#;
        let sym = r#"<w:r><w:sym w:font="Wingdings" w:char="F0FE"/></w:r>"#;
        let sym_short = r#"<w:r><w:sym w:font="Wingdings 2" w:char="52"/></w:r>"#;
        let g = doc(&format!(
            "<w:p><w:r><w:t>项目性质：</w:t></w:r>{}<w:r><w:t>经常性项目 </w:t></w:r>{}<w:r><w:t>一次性项目</w:t></w:r></w:p><w:p>{legacy}<w:r><w:t>是</w:t></w:r>{sym}{sym_short}</w:p>",
            control("1", "☒"),
            control("0", "☐"),
        ));
        assert_eq!(
            g.rows,
            [
                GridRow::Text("项目性质：☑经常性项目 ☐一次性项目".into()),
                GridRow::Text("☑是\u{F0FE}\u{F052}".into()),
            ]
        );
    }

    #[test]
    fn only_the_text_of_runs_is_read() {
        // Tab stops are `w:tab` too; a deleted run's text is `w:delText`;
        // a drawing's fallback repeats its text; entities are resolved.
        let g = doc(concat!(
            r#"<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>"#,
            r#"<w:r><w:t>项目名称</w:t></w:r><w:r><w:tab/><w:t>A&amp;B &#x4E00;</w:t></w:r>"#,
            r#"<w:del><w:r><w:delText>删去</w:delText></w:r></w:del>"#,
            r#"<mc:AlternateContent><mc:Choice><w:r><w:t>框</w:t></w:r></mc:Choice>"#,
            r#"<mc:Fallback><w:r><w:t>框</w:t></w:r></mc:Fallback></mc:AlternateContent></w:p>"#,
        ));
        assert_eq!(g.rows, [GridRow::Text("项目名称\tA&B 一框".into())]);
    }

    #[test]
    fn broken_xml_is_an_error_not_a_panic() {
        for xml in [
            "<w:document><w:body><w:tbl><w:tr>",
            "<w:document><w:body><w:p></w:tc>",
            "",
        ] {
            let _ = parse(xml);
        }
        assert!(parse("<w:document><w:body><w:tbl><w:tr><w:tc>").is_err());
    }
}
