//! Tab-separated rows with a quoted cell over several lines, as Excel and
//! LibreOffice write a cell that holds a line break when they save a sheet
//! as tab-separated text: `"项目资金` on one line, `（万元）"<TAB>项目资金总额`
//! on the next. The quote opens the cell, a doubled quote inside stands for
//! one, and the quote before a tab or the line's end closes it.
//!
//! Only a quote left open at a line's end is read so: it cannot be anything
//! but such a cell. A cell quoted whole on its line (`"优秀"`) is left as
//! written, since text may quote a word.

use crate::Row;
use formsift_model::{Layout, Merge, Notation, Notations};

/// Lines a quoted cell may run over at most.
const MAX_LINES: usize = 8;

/// What a line leaves of a quoted cell.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Quote {
    /// No quoted cell is open at the line's end.
    Closed,
    /// A quoted cell goes on past the line's end.
    Open,
    /// A lone quote inside a quoted cell that does not end it (`"好"评`):
    /// not a spreadsheet's quoting, which doubles every quote inside.
    NotQuoting,
}

/// When line `i` of a tab-separated document opens a quoted cell that it
/// does not close, the index of the line that closes it and the row read
/// from the lines between (the cell's line breaks kept). The lines between
/// hold no tab, and every quote inside the cell is doubled, as spreadsheets
/// write them: anything else is left to the line reader.
pub(crate) fn row(raw: &[&str], i: usize) -> Option<(usize, Row)> {
    if scan(raw[i], false) != Quote::Open {
        return None;
    }
    let last = raw.len().min(i + MAX_LINES);
    for j in i + 1..last {
        match scan(raw[j], true) {
            Quote::NotQuoting => return None,
            Quote::Open if raw[j].contains('\t') => return None,
            Quote::Open => continue,
            Quote::Closed => {}
        }
        let text = raw[i..=j].join("\n");
        let mut notations = Notations::new();
        notations.push(Notation::Tsv);
        let row = Row {
            source: [i + 1, j + 1],
            spans: Vec::new(),
            layout: Layout::Columns,
            cells: cells(&text).into_iter().map(|c| (c, Merge::None)).collect(),
            notations,
        };
        return Some((j, row));
    }
    None
}

/// What `line` leaves of a quoted cell, given whether one was open at its
/// start. Only the first quoted cell that runs past the line matters: a
/// line that closes one cell and opens another is read as open.
fn scan(line: &str, mut open: bool) -> Quote {
    let b = line.as_bytes();
    let mut k = 0;
    // At a cell's start (the line's start when no cell is open, or after a
    // tab): a quote there opens a cell.
    let mut at_start = !open;
    while k < b.len() {
        match b[k] {
            b'"' if open => {
                if b.get(k + 1) == Some(&b'"') {
                    k += 1;
                } else if matches!(b.get(k + 1), None | Some(b'\t' | b'\r')) {
                    open = false;
                } else {
                    return Quote::NotQuoting;
                }
            }
            b'"' if at_start => open = true,
            b'\t' if !open => {
                at_start = true;
                k += 1;
                continue;
            }
            _ => {}
        }
        at_start = false;
        k += 1;
    }
    if open { Quote::Open } else { Quote::Closed }
}

/// The cells of a row's text: split at tabs outside quotes; a quoted cell
/// loses its quotes and its doubled quotes become one.
fn cells(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cell = String::new();
    let mut chars = text.chars().peekable();
    let mut at_start = true;
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '"' if at_start => quoted = true,
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            '"' if quoted && matches!(chars.peek(), None | Some('\t' | '\r')) => quoted = false,
            '\t' if !quoted => {
                out.push(std::mem::take(&mut cell));
                at_start = true;
                continue;
            }
            c => cell.push(c),
        }
        at_start = false;
    }
    out.push(cell);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quoted_cell_over_lines_is_one_cell_of_one_row() {
        let raw = [
            "甲\t乙",
            "\"项目资金",
            "（万元）\"\t项目资金总额\t2,323,000.00\t",
            "丙",
        ];
        assert!(row(&raw, 0).is_none());
        let (end, r) = row(&raw, 1).expect("a row");
        assert_eq!(end, 2);
        assert_eq!(r.source, [2, 3]);
        assert_eq!(
            crate::texts(&[r]),
            [["项目资金\n（万元）", "项目资金总额", "2,323,000.00", ""]]
        );
    }

    #[test]
    fn doubled_quotes_and_later_cells_and_limits() {
        // A quoted cell after a tab, with a doubled quote inside.
        let raw = ["名称\t\"他说\"\"好", "\"\"\"\t值"];
        let (end, r) = row(&raw, 0).expect("a row");
        assert_eq!(end, 1);
        assert_eq!(crate::texts(&[r]), [["名称", "他说\"好\n\"", "值"]]);
        // A cell quoted whole on its line, and a quote inside text, open
        // nothing.
        for line in ["\"优秀\"\t好", "他说\"好\t甲", "\"甲\"\"乙\"\t丙"] {
            assert_eq!(scan(line, false), Quote::Closed, "{line}");
        }
        // A quoted word at a cell's start with more text after it is no
        // spreadsheet quoting: nothing is joined, whatever follows.
        assert_eq!(scan("\"好\"评\t甲", false), Quote::NotQuoting);
        assert!(row(&["\"好\"评", "乙\"\t丙"], 0).is_none());
        // Nor are lines with tabs inside the cell.
        assert!(row(&["\"甲", "乙\t丙", "丁\"\t戊"], 0).is_none());
        // A quote never closed within reach reads nothing.
        let mut far = vec!["\"甲"];
        far.extend(std::iter::repeat_n("乙", MAX_LINES));
        far.push("丙\"");
        assert!(row(&far, 0).is_none());
    }
}
