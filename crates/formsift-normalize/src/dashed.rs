//! Pandoc simple and multiline tables: columns given by a line of dash runs
//! (`----- ------ ----`) under the header, or above and below a headless
//! table. Each column runs from the start of its dashes to the start of the
//! next; text is cut into columns by display position (CJK characters are two
//! wide). In a simple table each line is a row and the table ends at a blank
//! line; in a multiline table rows are separated by blank lines and the lines
//! of a row join per column.

use crate::Row;
use crate::grid::{columns, join_wrapped};
use crate::markdown::unescape;
use formsift_model::{Layout, Merge, Notation, Notations};

/// The start columns of a line of two or more dash runs, else `None`. Runs
/// of `=` count too: reStructuredText's simple tables are ruled so (see
/// [`rst_rule`]).
fn dash_runs(line: &str) -> Option<Vec<usize>> {
    let t = line.trim_end();
    let rule = if rst_rule(t) { '=' } else { '-' };
    if t.trim().is_empty() || !t.chars().all(|c| c == rule || c == ' ') {
        return None;
    }
    let mut starts = Vec::new();
    let mut prev = ' ';
    for (x, c) in t.chars().enumerate() {
        if c == rule && prev == ' ' {
            starts.push(x);
        }
        prev = c;
    }
    (starts.len() >= 2 && t.matches(rule).count() >= 6).then_some(starts)
}

/// Whether a rule is drawn with `=` (a reStructuredText simple table),
/// whose rows run on in lines with an empty first column and whose `\`
/// stands for an empty cell.
fn rst_rule(line: &str) -> bool {
    line.trim_start().starts_with('=')
}

/// A single run of dashes over the whole width (a multiline table's border).
fn is_border(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 6 && t.chars().all(|c| c == '-')
}

/// A blank line, or a pandoc fence (`:::`), which also ends a table.
fn blank(line: &str) -> bool {
    line.trim().is_empty() || crate::markdown::is_fence(line)
}

/// The text of each column in one line.
fn cut(line: &str, starts: &[usize]) -> Vec<String> {
    let mut out = vec![String::new(); starts.len()];
    for (x, c) in columns(line) {
        let k = starts.partition_point(|&s| s <= x).saturating_sub(1);
        out[k].push(c);
    }
    out.iter().map(|t| unescape(t.trim())).collect()
}

/// Whether a line's first column holds reStructuredText's `\` (an empty
/// cell that starts a row of its own).
fn first_column_escaped(line: &str, starts: &[usize]) -> bool {
    let end = starts.get(1).copied().unwrap_or(usize::MAX);
    columns(line)
        .into_iter()
        .find(|&(x, c)| x >= starts[0] && c != ' ')
        .is_some_and(|(x, c)| c == '\\' && x < end)
}

fn row(lines: &[(usize, &str)], starts: &[usize]) -> Option<Row> {
    let (first, last) = (lines.first()?.0, lines.last()?.0);
    let mut parts: Vec<Vec<String>> = vec![Vec::new(); starts.len()];
    for (_, l) in lines {
        for (k, t) in cut(l, starts).into_iter().enumerate() {
            parts[k].push(t);
        }
    }
    Some(Row {
        source: [first + 1, last + 1],
        spans: Vec::new(),
        layout: Layout::Columns,
        cells: parts
            .iter()
            .map(|p| (join_wrapped(p), Merge::None))
            .collect(),
        notations: Notations::of(Notation::Markdown),
    })
}

/// When line `i` starts a simple or multiline table (its header line, its
/// top border or its dash line), the index of its last line and its rows.
pub(crate) fn block(raw: &[&str], i: usize) -> Option<(usize, Vec<Row>)> {
    if rst_rule(raw[i]) {
        return rst_block(raw, i);
    }
    let at = |j: usize| raw.get(j).copied();
    // Where the dash line is, and the header lines above it.
    let (rule, header): (usize, Vec<usize>) = if dash_runs(raw[i]).is_some() {
        (i, Vec::new())
    } else if !blank(raw[i]) && at(i + 1).and_then(dash_runs).is_some() {
        (i + 1, vec![i])
    } else if is_border(raw[i]) {
        // Multiline with a header: border, header lines, dash line.
        let mut j = i + 1;
        while at(j).is_some_and(|l| !blank(l) && dash_runs(l).is_none() && !is_border(l)) {
            j += 1;
        }
        at(j).and_then(dash_runs)?;
        (j, (i + 1..j).collect())
    } else {
        return None;
    };
    let starts = dash_runs(raw[rule])?;
    let headless = header.is_empty();
    let bordered = header.first().is_some_and(|&h| h > i);
    // The body: up to a closing dash line, or (simple tables) a blank line.
    let closing = (rule + 1..raw.len())
        .find(|&j| dash_runs(raw[j]).is_some() || is_border(raw[j]))
        .filter(|&j| headless || bordered || !raw[rule + 1..j].iter().any(|l| blank(l)));
    let multiline = (headless || bordered)
        && closing.is_some_and(|c| raw[rule + 1..c].iter().any(|l| blank(l)));
    if headless && closing.is_none() {
        return None;
    }
    let end_body = match closing {
        Some(c) => c,
        None => (rule + 1..raw.len())
            .find(|&j| blank(raw[j]))
            .unwrap_or(raw.len()),
    };
    let mut rows = Vec::new();
    if !header.is_empty() {
        let lines: Vec<(usize, &str)> = header.iter().map(|&h| (h, raw[h])).collect();
        rows.extend(row(&lines, &starts));
    }
    let body: Vec<(usize, &str)> = (rule + 1..end_body).map(|j| (j, raw[j])).collect();
    if multiline {
        for group in body.split(|(_, l)| blank(l)) {
            rows.extend(row(group, &starts));
        }
    } else {
        for line in body.iter().filter(|(_, l)| !blank(l)) {
            rows.extend(row(std::slice::from_ref(line), &starts));
        }
    }
    let end = closing.unwrap_or(end_body.saturating_sub(1)).max(rule);
    Some((end, rows))
}

/// A reStructuredText simple table from its top rule at line `i`: rows up
/// to a second rule, and when a third follows (with no blank line before
/// either), those rows are the header and the body runs to the third. In the body a line whose first column is
/// empty goes on with the row above (`\\` there starts a row with an empty
/// first cell).
fn rst_block(raw: &[&str], i: usize) -> Option<(usize, Vec<Row>)> {
    let starts = dash_runs(raw[i])?;
    // The next rule after `from`, with no blank line before it (a table
    // may hold blank lines, but a rule found past one may be another
    // table's).
    let next_rule = |from: usize| -> Option<usize> {
        (from + 1..raw.len())
            .take_while(|&j| !blank(raw[j]))
            .find(|&j| rst_rule(raw[j]) && dash_runs(raw[j]).is_some())
    };
    let second = next_rule(i)?;
    let (header, body, end) = match next_rule(second) {
        Some(third) => (i + 1..second, second + 1..third, third),
        None => (i + 1..i + 1, i + 1..second, second),
    };
    let mut rows: Vec<Row> = header
        .filter(|&j| !blank(raw[j]))
        .filter_map(|j| row(&[(j, raw[j])], &starts))
        .collect();
    let mut group: Vec<(usize, &str)> = Vec::new();
    for j in body.filter(|&j| !blank(raw[j])) {
        let first = cut(raw[j], &starts).swap_remove(0);
        if !first.is_empty() || first_column_escaped(raw[j], &starts) {
            rows.extend(row(&group, &starts));
            group.clear();
        }
        group.push((j, raw[j]));
    }
    rows.extend(row(&group, &starts));
    Some((end, rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::texts;

    fn read(src: &str) -> (usize, Vec<Row>) {
        let raw: Vec<&str> = src.split('\n').collect();
        block(&raw, 0).unwrap()
    }

    #[test]
    fn simple_table_with_header_and_blank_merged_cells() {
        let (end, rows) = read(
            "  一级指标     二级指标   三级指标              年度指标值\n  ------------ ---------- --------------------- ----------\n  产出指标     数量指标   指标1：退休职工人数   \\>=608人\n                          指标2：送清凉人数     \\>=855人\n:::\n后文",
        );
        assert_eq!(end, 3);
        assert_eq!(
            texts(&rows),
            [
                vec!["一级指标", "二级指标", "三级指标", "年度指标值"],
                vec!["产出指标", "数量指标", "指标1：退休职工人数", ">=608人"],
                vec!["", "", "指标2：送清凉人数", ">=855人"],
            ]
        );
        assert_eq!(rows[2].source, [4, 4]);
    }

    #[test]
    fn headless_multiline_rows_join_per_column() {
        let (end, rows) = read(
            "  ---------- ------------ ----------\n  项目名称   帮困慰问\n\n  项目资金\\  项目资金总额 2,323.00\n  （万元）\n  ---------- ------------ ----------\n",
        );
        assert_eq!(end, 5);
        assert_eq!(
            texts(&rows),
            [
                vec!["项目名称", "帮困慰问", ""],
                vec!["项目资金（万元）", "项目资金总额", "2,323.00"],
            ]
        );
        assert_eq!(rows[1].source, [4, 5]);
    }

    #[test]
    fn rst_simple_tables_join_rows_whose_first_column_is_empty() {
        // Header between the first two `=` rules; `\` is an empty first
        // cell starting a row; a line with an empty first column goes on
        // with the row above.
        let (end, rows) = read(
            "   ======== ======== ==========\n   一级指标 二级指标 三级指标\n   ======== ======== ==========\n   产出指标 数量指标 指标1：退休\n                     职工人数\n   \\        质量指标 指标2：合格率\n   ======== ======== ==========\n",
        );
        assert_eq!(end, 6);
        assert_eq!(
            texts(&rows),
            [
                vec!["一级指标", "二级指标", "三级指标"],
                vec!["产出指标", "数量指标", "指标1：退休职工人数"],
                vec!["", "质量指标", "指标2：合格率"],
            ]
        );
        assert_eq!(rows[1].source, [4, 5]);
    }

    #[test]
    fn an_rst_table_ends_at_its_rule_before_a_blank_line() {
        // Two rules, then a blank line and a grid table: the grid table's
        // `=` border is not this table's.
        let raw = [
            "======== ========",
            "项目名称 甲",
            "======== ========",
            "",
            "+------+------+",
            "| 指标 | 值   |",
            "+======+======+",
            "======== ========",
        ];
        let (end, rows) = block(&raw, 0).unwrap();
        assert_eq!(end, 2);
        assert_eq!(texts(&rows), [vec!["项目名称", "甲"]]);
    }

    #[test]
    fn prose_and_rules_are_not_tables() {
        let raw = ["一段文字", "--------", "下文"];
        assert!(block(&raw, 0).is_none());
        let raw = ["---- ----", "甲 乙"];
        assert!(block(&raw, 0).is_none(), "headless without a closing line");
    }
}
