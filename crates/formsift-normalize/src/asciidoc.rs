//! AsciiDoc tables (pandoc's `-t asciidoc`, Asciidoctor sources): an
//! optional attribute line (`[cols="25%,25%,25%,25%",options="header"]`),
//! then the cells between two `|===` lines. Every `|` starts a cell, which
//! runs to the next `|` over as many lines as it takes (` +` at a line's
//! end is a line break); the row width comes from `cols`, else from the
//! cells on the first line. A cell's spec before its `|` gives its span:
//! `2+|` two columns, `.3+|` three rows, `2.3+|` both.

use crate::Row;
use crate::spans::{Budget, MAX_SPAN};
use formsift_model::{Layout, Merge, Notation, Notations};

/// When line `i` starts an AsciiDoc table (its attribute line or its first
/// `|===`), the index of its closing `|===` and its rows.
pub(crate) fn block(raw: &[&str], i: usize) -> Option<(usize, Vec<Row>)> {
    let (cols, open) = match attribute_cols(raw[i]) {
        Some(cols) if raw.get(i + 1).is_some_and(|l| is_fence(l)) => (cols, i + 1),
        _ if is_fence(raw[i]) => (None, i),
        _ => return None,
    };
    let close = (open + 1..raw.len()).find(|&j| is_fence(raw[j]))?;
    let cells = cells(raw, open + 1, close);
    let width = cols
        .or_else(|| {
            let first = cells.first()?.line;
            Some(
                cells
                    .iter()
                    .take_while(|c| c.line == first)
                    .map(|c| c.cols)
                    .sum(),
            )
        })
        .filter(|w| *w > 0)?;
    let mut rows = grid(cells, width);
    // The attribute line and the fences are markup: rules of the page.
    let rule = |n: usize| Row::markup(n + 1);
    let mut out: Vec<Row> = (i..=open).map(rule).collect();
    out.append(&mut rows);
    out.push(rule(close));
    Some((close, out))
}

/// A table's fence line.
fn is_fence(line: &str) -> bool {
    line.trim_end() == "|==="
}

/// The number of columns an attribute line gives (`cols="25%,25%"` or
/// `cols=3`), `Some(None)` for an attribute line without them, `None` for
/// any other line.
fn attribute_cols(line: &str) -> Option<Option<usize>> {
    let t = line.trim();
    let inner = t.strip_prefix('[')?.strip_suffix(']')?;
    let Some(at) = inner.find("cols=") else {
        return Some(None);
    };
    let rest = &inner[at + 5..];
    let spec = match rest.strip_prefix('"') {
        Some(q) => q.split('"').next().unwrap_or(""),
        None => rest.split(',').next().unwrap_or(""),
    };
    if let Ok(n) = spec.trim().parse::<usize>() {
        return Some(Some(n));
    }
    // `3*` repeats a column spec three times.
    let n = spec
        .split(',')
        .map(|c| {
            c.split_once('*')
                .and_then(|(k, _)| k.trim().parse().ok())
                .unwrap_or(1)
        })
        .sum();
    Some(Some(n))
}

/// One cell: its text, the input line (0-based) it starts on and its spans.
struct Cell {
    text: String,
    line: usize,
    cols: usize,
    rows: usize,
}

/// The cells of lines `from..to`, in order.
fn cells(raw: &[&str], from: usize, to: usize) -> Vec<Cell> {
    let mut out: Vec<Cell> = Vec::new();
    // The span written before the next `|`.
    let mut spec: Option<(usize, usize)> = None;
    for (j, line) in raw.iter().enumerate().take(to).skip(from) {
        let line = line.trim_end();
        let (line, hard_break) = match line.strip_suffix(" +") {
            Some(l) => (l, true),
            None => (line, false),
        };
        let mut pieces = line.split('|');
        // Before the line's first `|`: the next cell's spec, or text that
        // goes on with the open cell.
        let lead = pieces.next().unwrap_or("");
        match parse_spec(lead.trim()) {
            Some(s) => spec = Some(s),
            None => {
                if let Some(open) = out.last_mut() {
                    push_text(&mut open.text, lead);
                }
            }
        }
        for piece in pieces {
            let (text, next) = split_spec(piece);
            let (cols, rows) = spec.take().unwrap_or((1, 1));
            out.push(Cell {
                text: text.trim().to_string(),
                line: j,
                cols,
                rows,
            });
            spec = next;
        }
        if hard_break && let Some(open) = out.last_mut() {
            open.text.push('\n');
        }
    }
    out
}

/// Adds a line's text to an open cell, on a line of its own.
fn push_text(cell: &mut String, text: &str) {
    let t = text.trim();
    if t.is_empty() {
        return;
    }
    if !cell.is_empty() && !cell.ends_with('\n') {
        cell.push('\n');
    }
    cell.push_str(t);
}

/// A cell's text and the spec of the next cell at its end (`2+`, `.3+`,
/// `2.3+`, after white space or alone).
fn split_spec(piece: &str) -> (&str, Option<(usize, usize)>) {
    let t = piece.trim_end();
    // (Past the white space, whatever its width in bytes.)
    let start = t
        .char_indices()
        .rfind(|(_, c)| c.is_whitespace())
        .map_or(0, |(p, c)| p + c.len_utf8());
    match parse_spec(&t[start..]) {
        Some(span) => (&t[..start], Some(span)),
        None => (piece, None),
    }
}

/// `2+` → (2 columns, 1 row); `.3+` → (1, 3); `2.3+` → (2, 3). Each at
/// most [`MAX_SPAN`].
fn parse_spec(s: &str) -> Option<(usize, usize)> {
    let body = s.strip_suffix('+')?;
    let (c, r) = match body.split_once('.') {
        Some((c, r)) => (c, r),
        None => (body, ""),
    };
    // (Digits only: a number too long for a usize is still a span.)
    let number = |t: &str| -> Option<usize> {
        if t.is_empty() {
            return Some(1);
        }
        t.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| t.parse().unwrap_or(MAX_SPAN).min(MAX_SPAN))
    };
    let (cols, rows) = (number(c)?, number(r)?);
    (cols >= 1 && rows >= 1 && !body.is_empty()).then_some((cols, rows))
}

/// The cells placed row by row in a grid `width` wide, a spanned cell's
/// other positions covered.
fn grid(cells: Vec<Cell>, width: usize) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    // Rows still covered at each column by a cell above, and by which.
    let mut below: Vec<(usize, usize, usize)> = vec![(0, 0, 0); width];
    let mut row: Vec<(String, Merge)> = Vec::new();
    let mut first_line = None;
    let mut last_line = 0;
    let mut cells = cells.into_iter().peekable();
    let mut budget = Budget::default();
    loop {
        // Positions covered from above come first.
        while row.len() < width && below[row.len()].0 > 0 {
            let col = row.len();
            let (left, up_from, cols_left) = below[col];
            below[col].0 = left - 1;
            row.push((
                String::new(),
                Merge::Covered {
                    rows_up: (up_from + 1) as u32 - left as u32,
                    cols_left: cols_left as u32,
                },
            ));
        }
        if row.len() >= width {
            rows.push(Row {
                source: [first_line.unwrap_or(last_line) + 1, last_line + 1],
                spans: Vec::new(),
                layout: Layout::Columns,
                cells: std::mem::take(&mut row),
                notations: Notations::of(Notation::Markdown),
            });
            first_line = None;
            if cells.peek().is_none() {
                break;
            }
            continue;
        }
        let Some(c) = cells.next() else {
            if !row.is_empty() {
                rows.push(Row {
                    source: [first_line.unwrap_or(last_line) + 1, last_line + 1],
                    spans: Vec::new(),
                    layout: Layout::Columns,
                    cells: std::mem::take(&mut row),
                    notations: Notations::of(Notation::Markdown),
                });
            }
            break;
        };
        first_line.get_or_insert(c.line);
        last_line = last_line.max(c.line);
        let (rows, span) = budget.admit(c.rows, c.cols.min(width - row.len()));
        let merge = if span > 1 || rows > 1 {
            Merge::Origin {
                rows: rows as u32,
                cols: span as u32,
            }
        } else {
            Merge::None
        };
        let at = row.len();
        row.push((c.text, merge));
        for k in 1..span {
            row.push((
                String::new(),
                Merge::Covered {
                    rows_up: 0,
                    cols_left: k as u32,
                },
            ));
        }
        if rows > 1 {
            for (k, slot) in below.iter_mut().enumerate().skip(at).take(span) {
                *slot = (rows - 1, rows - 1, k - at);
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::texts;

    fn read(src: &str) -> (usize, Vec<Row>) {
        let raw: Vec<&str> = src.lines().collect();
        block(&raw, 0).unwrap()
    }

    #[test]
    fn cells_run_to_the_next_pipe_and_rows_to_the_width() {
        let (end, rows) = read(
            "[cols=\",,,\",options=\"header\",]\n|===\n|一级指标 |二级指标 |三级指标 |年度指标值\n|产出指标 |数量指标 |指标1：人数 |>=608人\n| | |指标2：率 |=100%\n|===\n后文",
        );
        assert_eq!(end, 5);
        let body: Vec<Vec<&str>> = texts(&rows).into_iter().filter(|r| !r.is_empty()).collect();
        assert_eq!(
            body,
            [
                vec!["一级指标", "二级指标", "三级指标", "年度指标值"],
                vec!["产出指标", "数量指标", "指标1：人数", ">=608人"],
                vec!["", "", "指标2：率", "=100%"],
            ]
        );
    }

    #[test]
    fn spans_written_on_every_cell_stay_within_the_table() {
        // `.100000+` on each of 20,000 rows and `100000+` on each of 20,000
        // cells: read as written, billions of positions.
        for spec in [".100000+| a | b", "100000+| a"] {
            let src = format!("|===\n{}|===", format!("{spec}\n").repeat(20_000));
            let (_, rows) = read(&src);
            let positions: usize = rows.iter().map(|r| r.cells.len()).sum();
            assert!(positions < 1_000_000, "{spec}: {positions} positions");
            let texts: usize = rows
                .iter()
                .flat_map(|r| &r.cells)
                .filter(|(t, _)| t == "a")
                .count();
            assert_eq!(texts, 20_000, "{spec}: a cell lost");
        }
        assert_eq!(parse_spec("99999999999999999999+"), Some((MAX_SPAN, 1)));
    }

    #[test]
    fn a_cell_over_lines_and_spans() {
        // ` +` breaks a line inside a cell; `.2+` spans two rows, `2+` two
        // columns.
        let (_, rows) = read(
            "[cols=3]\n|===\n|项目资金 +\n（万元） |总额 |100\n.2+|产出指标 |数量 |5\n2+|合计\n|===",
        );
        let body: Vec<&Row> = rows.iter().filter(|r| !r.cells.is_empty()).collect();
        assert_eq!(body[0].cells[0].0, "项目资金\n（万元）");
        assert_eq!(body[0].source, [3, 4]);
        assert_eq!(
            body[1].cells[0],
            ("产出指标".to_string(), Merge::Origin { rows: 2, cols: 1 })
        );
        assert_eq!(
            body[2].cells[0].1,
            Merge::Covered {
                rows_up: 1,
                cols_left: 0
            }
        );
        assert_eq!(
            body[2].cells[1],
            ("合计".to_string(), Merge::Origin { rows: 1, cols: 2 })
        );
        assert_eq!(
            body[2].cells[2].1,
            Merge::Covered {
                rows_up: 0,
                cols_left: 1
            }
        );
    }

    #[test]
    fn without_cols_the_first_line_gives_the_width() {
        let (_, rows) = read("|===\n|甲 |乙\n|1 |2\n|===");
        let body: Vec<Vec<&str>> = texts(&rows).into_iter().filter(|r| !r.is_empty()).collect();
        assert_eq!(body, [vec!["甲", "乙"], vec!["1", "2"]]);
    }

    #[test]
    fn a_wide_space_before_a_spec_is_passed_whole() {
        // Found by the read_asciidoc fuzz target: a spec after U+2001.
        let (_, rows) = read("|===\n|甲\u{2001}2+|乙\n|===");
        assert!(rows.iter().any(|r| r.cells.iter().any(|c| c.0 == "乙")));
    }

    #[test]
    fn other_lines_are_no_table() {
        let raw = ["[NOTE]", "甲"];
        assert!(block(&raw, 0).is_none());
        assert!(block(&["|===", "|甲 |乙"], 0).is_none(), "no closing fence");
    }
}
