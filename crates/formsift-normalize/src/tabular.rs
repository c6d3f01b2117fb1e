//! LaTeX tables: `tabular`, `tabular*`, `tabularx` and `longtable`, with
//! `\multirow`, `\multicolumn`, rules, `\\` row ends, `&` cell separators,
//! escaped characters and math inside cells (left for [`crate::latex`]).

use crate::Row;
use crate::html::Grid;
use formsift_model::{Layout, Merge, Notation, Notations};

const ENVIRONMENTS: [&str; 5] = ["longtable", "tabularx", "tabular*", "tabulary", "tabular"];

/// Commands that draw rules or mark table parts: dropped with their arguments.
const RULES: [(&str, usize); 12] = [
    ("\\toprule", 0),
    ("\\midrule", 0),
    ("\\bottomrule", 0),
    ("\\hline", 0),
    ("\\cline", 1),
    ("\\cmidrule", 1),
    ("\\endhead", 0),
    ("\\endfirsthead", 0),
    ("\\endfoot", 0),
    ("\\endlastfoot", 0),
    ("\\noalign", 1),
    ("\\caption", 1),
];

/// True when the document holds a LaTeX table or is a LaTeX document.
pub(crate) fn is_latex_document(raw: &[&str]) -> bool {
    // (A memchr for the backslash first: most lines have none.)
    raw.iter().any(|l| {
        l.contains('\\')
            && (l.contains("\\begin{tabular")
                || l.contains("\\begin{longtable")
                || l.contains("\\documentclass"))
    })
}

/// When line `i` begins a table environment, the index of the line that ends
/// it and its rows.
pub(crate) fn block(raw: &[&str], i: usize) -> Option<(usize, Vec<Row>)> {
    let line = raw[i];
    if !line.contains("\\begin{") {
        return None;
    }
    let (env, at) = ENVIRONMENTS
        .iter()
        .find_map(|env| line.find(&format!("\\begin{{{env}}}")).map(|p| (*env, p)))?;
    let close = format!("\\end{{{env}}}");
    let end = (i..raw.len()).find(|&j| raw[j].contains(&close))?;
    let mut rows = Vec::new();
    if !line[..at].trim().is_empty() {
        rows.push(text_line(i + 1, &line[..at]));
    }
    // The body with its input line for each byte: after the environment's
    // arguments ([pos], {width} for tabular*/x, {column spec}).
    let mut text = String::new();
    let mut line_of = Vec::new();
    for (j, l) in raw.iter().enumerate().take(end + 1).skip(i) {
        let from = if j == i {
            at + env.len() + "\\begin{}".len()
        } else {
            0
        };
        let to = if j == end {
            l.find(&close).unwrap_or(l.len())
        } else {
            l.len()
        };
        let piece = if from <= to { &l[from..to] } else { "" };
        text.push_str(piece);
        text.push('\n');
        line_of.extend(std::iter::repeat_n(j + 1, piece.len() + 1));
    }
    let mut pos = skip_space(&text, 0);
    if text[pos..].starts_with('[') {
        pos = skip_group(&text, pos, '[', ']');
    }
    let args = if matches!(env, "tabular*" | "tabularx" | "tabulary") {
        2
    } else {
        1
    };
    for _ in 0..args {
        pos = skip_space(&text, pos);
        if text[pos..].starts_with('{') {
            pos = skip_group(&text, pos, '{', '}');
        }
    }
    let mut grid = Grid::default();
    // Per column: (rows still covered, the origin's column, rows down).
    let mut below: Vec<Option<(usize, usize, u32)>> = Vec::new();
    for (start, row) in split_top(&text[pos..], RowEnd) {
        let cells = split_top(row, CellSep);
        let cleaned: Vec<String> = cells.iter().map(|(_, c)| strip_rules(c)).collect();
        if cleaned.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        // The row's line: the first of its text lines that is not a rule.
        let mut offset = 0;
        for piece in row.split_inclusive('\n') {
            if !strip_rules(piece).trim().is_empty() {
                break;
            }
            offset += piece.len();
        }
        let lead =
            row[offset.min(row.len())..].len() - row[offset.min(row.len())..].trim_start().len();
        let first = pos + start + offset + lead;
        let source = line_of.get(first).copied().unwrap_or(i + 1);
        // LaTeX writes the positions under a \multirow as empty cells (a
        // \multicolumn's columns are not written): place with column spans
        // only, then mark the positions rows cover.
        let spans: Vec<(String, usize, usize)> = cleaned.iter().map(|c| cell(c)).collect();
        let row_spans: Vec<usize> = spans.iter().map(|c| c.1).collect();
        let mut placed = grid.place_with(spans.into_iter().map(|(t, _, cols)| (t, 1, cols)));
        let mut k = 0;
        for (c, (text, merge)) in placed.iter_mut().enumerate() {
            if let Some((left, origin, up)) = below.get(c).copied().flatten()
                && text.trim().is_empty()
            {
                *merge = Merge::Covered {
                    rows_up: up,
                    cols_left: (c - origin) as u32,
                };
                below[c] = (left > 1).then_some((left - 1, origin, up + 1));
            } else if let Some(slot) = below.get_mut(c) {
                *slot = None;
            }
            if matches!(merge, Merge::Covered { rows_up: 0, .. }) {
                continue;
            }
            let rows = row_spans.get(k).copied().unwrap_or(1);
            k += 1;
            if !matches!(merge, Merge::Covered { .. }) && rows > 1 {
                let cols = match *merge {
                    Merge::Origin { cols, .. } => cols as usize,
                    _ => 1,
                };
                *merge = Merge::Origin {
                    rows: rows as u32,
                    cols: cols as u32,
                };
                if below.len() < c + cols {
                    below.resize(c + cols, None);
                }
                for slot in below.iter_mut().skip(c).take(cols) {
                    *slot = Some((rows - 1, c, 1));
                }
            }
        }
        rows.push(Row {
            source: [source, source],
            spans: Vec::new(),
            layout: Layout::Columns,
            cells: placed,
            notations: Notations::of(Notation::Latex),
        });
    }
    let after = raw[end].find(&close).map(|p| p + close.len());
    if let Some(p) = after
        && end > i
        && !raw[end][p..].trim().is_empty()
    {
        rows.push(text_line(end + 1, &raw[end][p..]));
    }
    if rows.iter().all(|r| r.cells.is_empty()) {
        rows.clear();
    }
    Some((end, rows))
}

/// A line of a LaTeX document outside tables: sectioning and text commands
/// give their text, markup-only commands nothing.
pub(crate) fn text_line(number: usize, line: &str) -> Row {
    let text = text_of(line);
    let mut row = Row::text_line(number, &text);
    if text != line && !row.notations.contains(&Notation::Latex) {
        row.notations.push(Notation::Latex);
    }
    row
}

#[derive(Clone, Copy)]
struct RowEnd;
#[derive(Clone, Copy)]
struct CellSep;

trait Separator: Copy {
    /// Length of the separator at the start of `s`, if one is there.
    fn at(self, s: &str) -> Option<usize>;
}

impl Separator for RowEnd {
    fn at(self, s: &str) -> Option<usize> {
        for end in ["\\\\", "\\tabularnewline"] {
            if let Some(rest) = s.strip_prefix(end) {
                // `\\[2pt]`: the optional space argument goes with it.
                let extra = if rest.starts_with('[') {
                    rest.find(']').map_or(0, |p| p + 1)
                } else {
                    0
                };
                return Some(end.len() + extra);
            }
        }
        None
    }
}

impl Separator for CellSep {
    fn at(self, s: &str) -> Option<usize> {
        s.starts_with('&').then_some(1)
    }
}

/// Splits at separators outside braces and minipages; escaped `\&` and
/// `\\` inside groups stay. Returns (offset, piece) pairs.
fn split_top<S: Separator>(s: &str, sep: S) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let (mut depth, mut start, mut i) = (0i32, 0, 0);
    let b = s.as_bytes();
    while i < b.len() {
        match b[i] {
            b'\\' => {
                if depth == 0
                    && let Some(n) = sep.at(&s[i..])
                {
                    out.push((start, &s[start..i]));
                    i += n;
                    start = i;
                    continue;
                }
                let rest = &s[i..];
                if rest.starts_with("\\begin{minipage}") {
                    depth += 1;
                } else if rest.starts_with("\\end{minipage}") {
                    depth -= 1;
                }
                // Skip the escaped character (`\&`, `\\` inside groups, `\{`).
                i += 1 + s[i + 1..].chars().next().map_or(0, char::len_utf8);
                continue;
            }
            b'{' => depth += 1,
            b'}' => depth -= 1,
            c => {
                if depth == 0
                    && c.is_ascii()
                    && let Some(n) = sep.at(&s[i..])
                {
                    out.push((start, &s[start..i]));
                    i += n;
                    start = i;
                    continue;
                }
            }
        }
        i += 1;
    }
    if !s[start..].trim().is_empty() {
        out.push((start, &s[start..]));
    }
    out
}

fn skip_space(s: &str, pos: usize) -> usize {
    pos + s[pos..].len() - s[pos..].trim_start().len()
}

/// The position after the group opened at `pos` (nested groups counted).
fn skip_group(s: &str, pos: usize, open: char, close: char) -> usize {
    let mut depth = 0;
    for (k, c) in s[pos..].char_indices() {
        if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                return pos + k + c.len_utf8();
            }
        }
    }
    s.len()
}

/// The content of the brace group at `pos` and the position after it.
fn group(s: &str, pos: usize) -> Option<(&str, usize)> {
    let pos = skip_space(s, pos);
    if !s[pos..].starts_with('{') {
        return None;
    }
    let end = skip_group(s, pos, '{', '}');
    let inner_end = if s[..end].ends_with('}') {
        end - 1
    } else {
        end
    };
    Some((&s[pos + 1..inner_end], end))
}

/// When `cmd` stands at `i` (not as the start of a longer command name), the
/// position after it, its optional `[…]` argument and `args` arguments in
/// braces (a `(…)` trim spec as in `\cmidrule(lr){2-3}` is skipped too).
fn skip_command(s: &str, i: usize, cmd: &str, args: usize) -> Option<usize> {
    let after = s[i..].strip_prefix(cmd)?;
    if after.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut p = i + cmd.len();
    if s[p..].trim_start().starts_with('[') {
        p = skip_group(s, skip_space(s, p), '[', ']');
    }
    for _ in 0..args {
        if s[p..].starts_with('(') {
            p = skip_group(s, p, '(', ')');
        }
        if let Some((_, next)) = group(s, p) {
            p = next;
        }
    }
    Some(p)
}

/// Removes rule commands (and their arguments) from a row's text.
fn strip_rules(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    'scan: while i < s.len() {
        let rest = &s[i..];
        if rest.starts_with('\\') {
            for (cmd, args) in RULES {
                if let Some(p) = skip_command(s, i, cmd, args) {
                    i = p;
                    continue 'scan;
                }
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// One cell: its text and spans from `\multicolumn{n}{spec}{…}` and
/// `\multirow[pos]{n}{width}{…}`.
fn cell(raw: &str) -> (String, usize, usize) {
    let t = raw.trim();
    let (mut rows, mut cols) = (1, 1);
    let mut body = t;
    if let Some(rest) = body.strip_prefix("\\multicolumn")
        && let Some((n, p)) = group(rest, 0)
        && let Some((_, p)) = group(rest, p)
        && let Some((inner, _)) = group(rest, p)
    {
        cols = n.trim().parse::<usize>().unwrap_or(1).clamp(1, 1000);
        body = inner.trim();
    }
    if let Some(rest) = body.strip_prefix("\\multirow") {
        let mut p = skip_space(rest, 0);
        if rest[p..].starts_with('[') {
            p = skip_group(rest, p, '[', ']');
        }
        if let Some((n, p)) = group(rest, p)
            && let Some((_, p)) = group(rest, p)
            && let Some((inner, _)) = group(rest, p)
        {
            rows = n.trim().parse::<usize>().unwrap_or(1).clamp(1, 1000);
            body = inner.trim();
        }
    }
    (crate::tidy(&text_of(body)), rows, cols)
}

/// Text commands with one argument whose text is kept.
const KEEP_ARG: [&str; 14] = [
    "\\textbf",
    "\\textit",
    "\\emph",
    "\\underline",
    "\\mbox",
    "\\text",
    "\\textrm",
    "\\section",
    "\\subsection",
    "\\subsubsection",
    "\\paragraph",
    "\\section*",
    "\\subsection*",
    "\\makecell",
];
/// Commands dropped with their brace arguments (count).
const DROP: [(&str, usize); 10] = [
    ("\\label", 1),
    ("\\hypertarget", 1),
    ("\\vspace", 1),
    ("\\hspace", 1),
    ("\\begin{minipage}", 1),
    ("\\end{minipage}", 0),
    ("\\def\\LTcaptype", 1),
    ("\\setlength", 2),
    ("\\addlinespace", 0),
    ("\\pagebreak", 0),
];
/// Escapes and text commands → characters.
const CHARS: [(&str, &str); 16] = [
    ("\\textgreater", ">"),
    ("\\textless", "<"),
    ("\\textasciitilde", "~"),
    ("\\textbackslash", "\\"),
    ("\\&", "&"),
    ("\\_", "_"),
    ("\\#", "#"),
    ("\\{", "{"),
    ("\\}", "}"),
    ("\\textasciicircum", "^"),
    ("``", "“"),
    ("''", "”"),
    ("\\ldots", "…"),
    ("~", " "),
    ("\\\\", "\n"),
    ("\\newline", "\n"),
];
/// Commands that only set layout: dropped alone.
const LAYOUT: [&str; 10] = [
    "\\raggedright",
    "\\raggedleft",
    "\\centering",
    "\\strut",
    "\\arraybackslash",
    "\\noindent",
    "\\par",
    "\\newpage",
    "\\clearpage",
    "\\tightlist",
];

/// Cell or line text with text markup removed; math (`$…$`, `\geq`, `\%`)
/// is left for the configured replacements.
pub(crate) fn text_of(s: &str) -> String {
    if !s.contains(['\\', '{', '}', '~', '`', '\'', '%']) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    'scan: while i < s.len() {
        let rest = &s[i..];
        // A comment to the end of the line (`%` not escaped).
        if rest.starts_with('%') && !out.ends_with('\\') {
            match rest.find('\n') {
                Some(p) => i += p + 1,
                None => break,
            }
            continue;
        }
        for (cmd, args) in DROP {
            if let Some(p) = skip_command(s, i, cmd, args) {
                i = p;
                continue 'scan;
            }
        }
        for cmd in KEEP_ARG {
            if let Some(after) = rest.strip_prefix(cmd)
                && after.trim_start().starts_with('{')
            {
                let p = i + cmd.len();
                if let Some((inner, next)) = group(s, p) {
                    out.push_str(&text_of(inner));
                    i = next;
                    continue 'scan;
                }
            }
        }
        for (cmd, rep) in CHARS {
            if let Some(after) = rest.strip_prefix(cmd) {
                let word = cmd.ends_with(|c: char| c.is_ascii_alphabetic());
                if word && after.starts_with(|c: char| c.is_ascii_alphabetic()) {
                    continue;
                }
                out.push_str(rep);
                i += cmd.len();
                if word && let Some(stripped) = s[i..].strip_prefix("{}") {
                    i = s.len() - stripped.len();
                }
                continue 'scan;
            }
        }
        for cmd in LAYOUT {
            if let Some(after) = rest.strip_prefix(cmd)
                && !after.starts_with(|c: char| c.is_ascii_alphabetic())
            {
                i += cmd.len();
                continue 'scan;
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        // Grouping braces carry no text.
        if c != '{' && c != '}' || out.ends_with('\\') {
            out.push(c);
        }
        i += c.len_utf8();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::texts;

    #[test]
    fn pandoc_longtable_with_spans() {
        let src = "\\begin{longtable}[]{@{}llll@{}}\n\\toprule\n一级指标 & 二级指标 & 三级指标 & 指标值 \\\\\n\\midrule\n\\endhead\n\\multirow{2}{*}{产出指标} & \\multirow{2}{*}{数量指标} & 指标1：甲 &\n\\textgreater=10人 \\\\\n& & 指标2：乙 & =100\\% \\\\\n\\multicolumn{2}{l}{效益指标} & 丙 & 好 \\\\\n\\bottomrule\n\\end{longtable}";
        let raw: Vec<&str> = src.split('\n').collect();
        let (end, rows) = block(&raw, 0).unwrap();
        assert_eq!(end, raw.len() - 1);
        assert_eq!(
            texts(&rows),
            [
                vec!["一级指标", "二级指标", "三级指标", "指标值"],
                vec!["产出指标", "数量指标", "指标1：甲", ">=10人"],
                vec!["", "", "指标2：乙", "=100\\%"],
                vec!["效益指标", "", "丙", "好"],
            ]
        );
        assert_eq!(rows[1].source, [6, 6]);
        assert_eq!(rows[1].cells[0].1, Merge::Origin { rows: 2, cols: 1 });
        assert_eq!(
            rows[2].cells[1].1,
            Merge::Covered {
                rows_up: 1,
                cols_left: 0
            }
        );
        assert_eq!(
            rows[3].cells[1].1,
            Merge::Covered {
                rows_up: 0,
                cols_left: 1
            }
        );
    }

    #[test]
    fn minipage_cells_keep_their_line_breaks() {
        let src = "\\begin{tabular}{ll}\n\\multirow{2}{*}{\\begin{minipage}[t]{\\linewidth}\\raggedright\n项目资金\\\\\n（万元）\\strut\n\\end{minipage}} & 总额 \\\\\n & 年度 \\\\ \\hline\n\\end{tabular}";
        let raw: Vec<&str> = src.split('\n').collect();
        let (_, rows) = block(&raw, 0).unwrap();
        assert_eq!(rows[0].cells[0].0.trim(), "项目资金\n（万元）");
        assert_eq!(rows.len(), 2);
    }

    #[test]
    fn unbalanced_input_does_not_panic() {
        for src in [
            "\\begin{tabular}{",
            "\\begin{tabular}{l}\n\\multirow{2}{\n\\end{tabular}",
            "\\begin{longtable}\n& & \\\\ \\multicolumn{x}{l}{a\n\\end{longtable}",
        ] {
            let raw: Vec<&str> = src.split('\n').collect();
            let _ = block(&raw, 0);
        }
        assert_eq!(text_of("\\subsection{财政项目}\\label{x}"), "财政项目");
    }
}
