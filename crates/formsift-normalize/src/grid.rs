//! Pandoc grid tables: `+---+---+` borders, `|` between cells, cells over
//! several text lines, and spans (a border or `|` missing where a cell
//! continues). Positions are display columns (CJK characters are two wide).

use crate::Row;
#[cfg(test)]
use formsift_model::Merge;
use formsift_model::{Layout, Notation, Notations};
use unicode_width::UnicodeWidthChar;

/// A border line: `+`, then runs of `-`, `=` or `:` each closed by `+`.
fn is_border(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 3
        && t.starts_with('+')
        && t.ends_with('+')
        && t.chars()
            .all(|c| matches!(c, '+' | '-' | '=' | ':' | '|' | ' '))
        && t.contains('-') | t.contains('=')
}

/// A line of the table: a border, or cell text between `|`/`+` marks.
fn is_table_line(line: &str) -> bool {
    let t = line.trim();
    is_border(line) || (t.starts_with('|') && (t.ends_with('|') || t.ends_with('+')))
}

/// (display column, char) of each character of a line.
pub(crate) fn columns(line: &str) -> Vec<(usize, char)> {
    let mut x = 0;
    line.chars()
        .map(|c| {
            let at = x;
            x += c.width().unwrap_or(0);
            (at, c)
        })
        .collect()
}

/// When line `i` starts a grid table, the index of its last line and its rows.
pub(crate) fn block(raw: &[&str], i: usize) -> Option<(usize, Vec<Row>)> {
    if !is_border(raw[i]) {
        return None;
    }
    let mut end = i;
    while end + 1 < raw.len() && is_table_line(raw[end + 1]) {
        end += 1;
    }
    if end == i || !is_border(raw[end]) {
        return None;
    }
    // Column boundaries: every `+` of any border line.
    let mut bounds: Vec<usize> = Vec::new();
    for l in &raw[i..=end] {
        if is_border(l) {
            bounds.extend(
                columns(l)
                    .into_iter()
                    .filter(|&(_, c)| c == '+')
                    .map(|(x, _)| x),
            );
        }
    }
    bounds.sort_unstable();
    bounds.dedup();
    if bounds.len() < 2 {
        return None;
    }
    let ncols = bounds.len() - 1;
    struct Open {
        text: Vec<String>,
        cols: usize,
        rows: usize,
    }
    let mut cells: Vec<Open> = Vec::new();
    // owner[c] = index into `cells` of the cell holding column c now.
    let mut owner: Vec<Option<usize>> = vec![None; ncols];
    // Visual rows: the (column, cell) of each cell starting in the row.
    let mut row_cells: Vec<Vec<(usize, usize)>> = Vec::new();
    let mut row_start_line: Vec<usize> = Vec::new();
    let mut new_row = true;
    for (j, line) in raw.iter().enumerate().take(end + 1).skip(i) {
        let chars = columns(line);
        // (Columns rise along the line: found by halving, and each
        // character given to its region in one pass.)
        let at = |x: usize| {
            let k = chars.partition_point(|&(cx, _)| cx < x);
            chars.get(k).filter(|&&(cx, _)| cx == x).map(|&(_, c)| c)
        };
        let mut regions: Vec<String> = vec![String::new(); ncols];
        let mut c = 0;
        for &(x, ch) in &chars {
            while c < ncols && x >= bounds[c + 1] {
                c += 1;
            }
            if c < ncols && x > bounds[c] {
                regions[c].push(ch);
            }
        }
        let rule = |t: &str| !t.is_empty() && t.chars().all(|ch| matches!(ch, '-' | '=' | ':'));
        // Dashes under a column close the cell holding it.
        let mut closed_any = false;
        for (c, t) in regions.iter().enumerate() {
            if rule(t) {
                owner[c] = None;
                closed_any = true;
            }
        }
        if closed_any {
            new_row = true;
        }
        let content: Vec<usize> = (0..ncols).filter(|&c| !rule(&regions[c])).collect();
        if content.is_empty()
            || regions.iter().all(|t| t.trim().is_empty() || rule(t)) && closed_any
        {
            continue;
        }
        if new_row {
            // Cells no border closed continue into this row.
            let mut open: Vec<usize> = owner.iter().flatten().copied().collect();
            open.sort_unstable();
            open.dedup();
            for k in open {
                cells[k].rows += 1;
            }
            row_cells.push(Vec::new());
            row_start_line.push(j + 1);
            new_row = false;
        }
        // Pieces: a `|` at a column's left boundary starts a cell there.
        let mut c = 0;
        while c < ncols {
            if rule(&regions[c]) {
                c += 1;
                continue;
            }
            let mut c1 = c + 1;
            while c1 < ncols && !rule(&regions[c1]) && !matches!(at(bounds[c1]), Some('|' | '+')) {
                c1 += 1;
            }
            let text: String = regions[c..c1].join(" ");
            let idx = match owner[c] {
                Some(k) => k,
                None => {
                    cells.push(Open {
                        text: Vec::new(),
                        cols: c1 - c,
                        rows: 1,
                    });
                    let k = cells.len() - 1;
                    for o in owner.iter_mut().take(c1).skip(c) {
                        *o = Some(k);
                    }
                    if let Some(r) = row_cells.last_mut() {
                        r.push((c, k));
                    }
                    k
                }
            };
            let t = text.trim();
            if !t.is_empty() {
                cells[idx].text.push(crate::markdown::unescape(t));
            }
            c = c1;
        }
    }
    let mut grid = crate::html::Grid::default();
    let mut rows = Vec::new();
    for (r, list) in row_cells.iter().enumerate() {
        let mut list = list.clone();
        list.sort_unstable();
        let placed = grid.place_with(list.iter().map(|&(_, k)| {
            let c = &cells[k];
            (join_wrapped(&c.text), c.rows.max(1), c.cols.max(1))
        }));
        rows.push(Row {
            source: [row_start_line[r], row_start_line[r]],
            spans: Vec::new(),
            layout: Layout::Columns,
            cells: placed,
            notations: Notations::of(Notation::Markdown),
        });
    }
    Some((end, rows))
}

/// The text lines of one cell: wrapped CJK text joins without a space,
/// words of Latin text with one.
pub(crate) fn join_wrapped(parts: &[String]) -> String {
    let mut out = String::new();
    for p in parts {
        let p = p.trim();
        if p.is_empty() {
            continue;
        }
        if let (Some(a), Some(b)) = (out.chars().last(), p.chars().next())
            && a.is_ascii_alphanumeric()
            && b.is_ascii_alphanumeric()
        {
            out.push(' ');
        }
        out.push_str(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::texts;

    #[test]
    fn plain_grid_with_wrapped_cells() {
        let src = "+----------+----------+\n| 项目名称 | 帮困慰问 |\n+==========+==========+\n| 年度总体 | 甲乙丙丁 |\n| 目标     | 戊己     |\n+----------+----------+";
        let raw: Vec<&str> = src.split('\n').collect();
        let (end, rows) = block(&raw, 0).unwrap();
        assert_eq!(end, 5);
        assert_eq!(
            texts(&rows),
            [
                vec!["项目名称", "帮困慰问"],
                vec!["年度总体目标", "甲乙丙丁戊己"]
            ]
        );
        assert_eq!(rows[1].source, [4, 4]);
    }

    #[test]
    fn a_wide_table_keeps_each_column_its_own_text() {
        // (Each character goes to its column in one pass over the line.)
        let n = 3000;
        let border = format!("+{}", "----+".repeat(n));
        let texts_line: String = (0..n).map(|k| format!("|{:>3} ", k % 1000)).collect();
        let src = format!("{border}\n{texts_line}|\n{border}\n{texts_line}|\n{border}");
        let raw: Vec<&str> = src.split('\n').collect();
        let (end, rows) = block(&raw, 0).unwrap();
        assert_eq!(end, 4);
        let want: Vec<String> = (0..n).map(|k| (k % 1000).to_string()).collect();
        for row in texts(&rows) {
            assert_eq!(row, want);
        }
    }

    #[test]
    fn spans_from_missing_borders() {
        let src = "+----------+-----------+---------+\n| 产出指标 | 指标1：甲 | >=10人  |\n|          +-----------+---------+\n|          | 指标2：乙 | =100%   |\n+----------+-----------+---------+\n| 效益指标             | 好      |\n+----------------------+---------+";
        let raw: Vec<&str> = src.split('\n').collect();
        let (_, rows) = block(&raw, 0).unwrap();
        assert_eq!(
            texts(&rows),
            [
                vec!["产出指标", "指标1：甲", ">=10人"],
                vec!["", "指标2：乙", "=100%"],
                vec!["效益指标", "", "好"]
            ]
        );
        assert_eq!(
            rows[1].cells[0].1,
            Merge::Covered {
                rows_up: 1,
                cols_left: 0
            }
        );
        assert_eq!(rows[2].cells[0].1, Merge::Origin { rows: 1, cols: 2 });
    }
}
