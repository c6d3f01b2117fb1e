//! MediaWiki tables (pandoc's `-t mediawiki`, pages of a wiki): `{|` to
//! `|}`, `|-` between rows, a cell per line after `|` (`!` for a header
//! cell) or several on one line between `||` (`!!`), attributes before a
//! single `|` inside a cell (`rowspan="2" | 产出指标`), a cell's further
//! lines going on with it, `|+` a caption. `rowspan` and `colspan` become
//! merges, the positions they cover filled in the rows below.

use crate::Row;
#[cfg(test)]
use formsift_model::Merge;
use formsift_model::{Layout, Notation, Notations};

/// When line `i` opens a table (`{|`), the index of its `|}` and its rows:
/// the opening, row separators and closing as markup rows, each table row
/// as a row of cells.
pub(crate) fn block(raw: &[&str], i: usize) -> Option<(usize, Vec<Row>)> {
    if !raw[i].trim_start().starts_with("{|") {
        return None;
    }
    let close = (i + 1..raw.len()).find(|&j| raw[j].trim_start().starts_with("|}"))?;
    let mut out: Vec<Row> = vec![Row::markup(i + 1)];
    // The cells of the row being read: (text, rows, cols), and its lines.
    let mut cells: Vec<Spanned> = Vec::new();
    let mut lines: Option<[usize; 2]> = None;
    let mut rows: Vec<([usize; 2], Vec<Spanned>)> = Vec::new();
    let flush = |rows: &mut Vec<_>, cells: &mut Vec<Spanned>, lines: &mut Option<[usize; 2]>| {
        if let Some(span) = lines.take() {
            rows.push((span, std::mem::take(cells)));
        }
    };
    for (j, line) in raw.iter().enumerate().take(close).skip(i + 1) {
        let t = line.trim();
        if t.starts_with("|-") {
            flush(&mut rows, &mut cells, &mut lines);
            continue;
        }
        if let Some(caption) = t.strip_prefix("|+") {
            flush(&mut rows, &mut cells, &mut lines);
            let text = after_attributes(caption).trim().to_string();
            rows.push(([j, j], vec![(text, 1, 1)]));
            continue;
        }
        let (body, sep) = match t.as_bytes().first() {
            Some(b'|') => (&t[1..], "||"),
            Some(b'!') => (&t[1..], "!!"),
            _ => {
                // A cell's further lines.
                if let Some(last) = cells.last_mut()
                    && !t.is_empty()
                {
                    last.0.push('\n');
                    last.0.push_str(t);
                    if let Some(span) = &mut lines {
                        span[1] = j;
                    }
                }
                continue;
            }
        };
        let span = lines.get_or_insert([j, j]);
        span[1] = j;
        for cell in body.split(sep) {
            let attrs = attributes(cell);
            let span = |name: &str| {
                attrs
                    .and_then(|a| span_of(a, name))
                    .filter(|n| (1..=1000).contains(n))
                    .unwrap_or(1)
            };
            cells.push((
                after_attributes(cell).trim().to_string(),
                span("rowspan"),
                span("colspan"),
            ));
        }
    }
    flush(&mut rows, &mut cells, &mut lines);
    out.extend(place(rows));
    out.push(Row::markup(close + 1));
    Some((close, out))
}

/// A cell's text and the rows and columns it spans.
type Spanned = (String, usize, usize);

/// The attribute part of a cell (`rowspan="2" ` of `rowspan="2" | 甲`):
/// text before a single `|` that holds an `=`.
fn attributes(cell: &str) -> Option<&str> {
    let (attrs, _) = cell.split_once('|')?;
    attrs.contains('=').then_some(attrs)
}

/// A cell's text without its attributes.
fn after_attributes(cell: &str) -> &str {
    match attributes(cell) {
        Some(a) => &cell[a.len() + 1..],
        None => cell,
    }
}

/// The number an attribute gives (`rowspan="2"`, `rowspan=2`).
fn span_of(attrs: &str, name: &str) -> Option<usize> {
    let at = attrs.find(name)?;
    let rest = attrs[at + name.len()..].trim_start().strip_prefix('=')?;
    let rest = rest.trim_start().trim_start_matches(['"', '\'']);
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The table's rows (their lines, cells with their spans) as rows of the
/// grid: a merged cell's other positions, in its row and in the rows
/// below, covered (the HTML reader's grid).
fn place(rows: Vec<([usize; 2], Vec<Spanned>)>) -> Vec<Row> {
    let mut grid = crate::html::Grid::default();
    rows.into_iter()
        .map(|(lines, cells)| Row {
            source: [lines[0] + 1, lines[1] + 1],
            spans: Vec::new(),
            layout: Layout::Columns,
            cells: grid.place_with(cells),
            notations: Notations::of(Notation::Markdown),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::texts;

    fn body(src: &str) -> Vec<Vec<String>> {
        let raw: Vec<&str> = src.lines().collect();
        let (_, rows) = block(&raw, 0).unwrap();
        texts(&rows)
            .into_iter()
            .filter(|r| !r.is_empty())
            .map(|r| r.into_iter().map(str::to_string).collect())
            .collect()
    }

    #[test]
    fn cells_per_line_and_between_double_pipes() {
        let rows = body(
            "{|\n! 一级指标 !! 三级指标\n|-\n|width=\"25%\"| 产出指标\n| 指标1：人数\n|-\n| || 指标2：率\n|}",
        );
        assert_eq!(
            rows,
            [
                vec!["一级指标", "三级指标"],
                vec!["产出指标", "指标1：人数"],
                vec!["", "指标2：率"],
            ]
        );
    }

    #[test]
    fn spans_cover_the_positions_below_and_beside() {
        let raw: Vec<&str> =
            "{|\n|-\n| rowspan=\"2\" | 产出指标\n| 甲\n|-\n| 乙\n|-\n| colspan=2 | 合计\n|}"
                .lines()
                .collect();
        let (end, rows) = block(&raw, 0).unwrap();
        assert_eq!(end, 8);
        let body: Vec<&Row> = rows.iter().filter(|r| !r.cells.is_empty()).collect();
        assert_eq!(
            body[0].cells[0],
            ("产出指标".into(), Merge::Origin { rows: 2, cols: 1 })
        );
        assert_eq!(
            body[1].cells[0].1,
            Merge::Covered {
                rows_up: 1,
                cols_left: 0
            }
        );
        assert_eq!(body[1].cells[1].0, "乙");
        assert_eq!(
            body[2].cells[1].1,
            Merge::Covered {
                rows_up: 0,
                cols_left: 1
            }
        );
        assert_eq!(body[0].source, [3, 4]);
    }

    #[test]
    fn a_cells_further_lines_and_what_is_no_table() {
        let rows = body("{|\n| 项目资金\n（万元）\n| 总额\n|}");
        assert_eq!(rows, [vec!["项目资金\n（万元）", "总额"]]);
        assert!(block(&["{|", "| 甲"], 0).is_none(), "no closing line");
        assert!(block(&["甲 {| 乙"], 0).is_none());
    }
}
