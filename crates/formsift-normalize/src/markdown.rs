//! Markdown tables, parsed with `pulldown-cmark`, and stray delimiter rows.

use formsift_model::Cell;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use std::collections::HashMap;

/// True when every non-empty cell is a markdown delimiter such as `---` or `:--:`.
pub(crate) fn is_delimiter_row(cells: &[Cell]) -> bool {
    let mut any = false;
    for c in cells {
        let t = c.text.trim();
        if t.is_empty() {
            continue;
        }
        let core = t.trim_start_matches(':').trim_end_matches(':');
        if core.len() < 2 || !core.chars().all(|c| c == '-') {
            return false;
        }
        any = true;
    }
    any
}

/// A pandoc fenced-div fence (`::: form`, `:::`): structure, not text.
pub(crate) fn is_fence(line: &str) -> bool {
    let t = line.trim();
    let colons = t.chars().take_while(|&c| c == ':').count();
    colons >= 3 && t[colons..].chars().next().is_none_or(char::is_whitespace)
}

/// The text of an ATX heading line (`## 标题` → `标题`), else `None`.
pub(crate) fn heading(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let hashes = t.chars().take_while(|&c| c == '#').count();
    let rest = &t[hashes..];
    ((1..=6).contains(&hashes) && rest.starts_with([' ', '\t']) && !rest.trim().is_empty())
        .then(|| rest.trim().trim_end_matches('#').trim_end())
}

/// Markdown escapes removed from one line of a cell: `\>` → `>` (a backslash
/// before ASCII punctuation), and a backslash that ends the line (a hard line
/// break) dropped.
pub(crate) fn unescape(piece: &str) -> String {
    let piece = piece.trim_end();
    let piece = piece.strip_suffix('\\').unwrap_or(piece);
    if !piece.contains('\\') {
        return piece.to_string();
    }
    let mut out = String::with_capacity(piece.len());
    let mut chars = piece.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&n) = chars.peek()
            && n.is_ascii_punctuation()
        {
            out.push(n);
            chars.next();
            continue;
        }
        out.push(c);
    }
    out
}

/// Finds blocks of pipe-table lines and parses them. Returns, per 0-based line
/// index, `Some(cells)` for a table row and `None` for its delimiter row.
pub(crate) fn pipe_tables(lines: &[&str]) -> HashMap<usize, Option<Vec<String>>> {
    let mut out = HashMap::new();
    let mut i = 0;
    while i < lines.len() {
        if !is_pipe_line(lines[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && is_pipe_line(lines[i]) {
            i += 1;
        }
        if i - start >= 2 {
            let block = lines[start..i].join("\n");
            let rows = parse_table(&block);
            // pulldown-cmark reports header and body rows; the delimiter line
            // (block line 1) has none.
            if rows.len() + 1 == i - start {
                for (k, row) in rows.into_iter().enumerate() {
                    let line = if k == 0 { start } else { start + k + 1 };
                    out.insert(line, Some(row));
                }
                out.insert(start + 1, None);
            }
        }
    }
    out
}

fn is_pipe_line(l: &str) -> bool {
    let t = l.trim();
    t.starts_with('|') && t.len() > 1
}

fn parse_table(block: &str) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut in_cell = false;
    for event in Parser::new_ext(block, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => rows.push(Vec::new()),
            Event::Start(Tag::TableCell) => {
                in_cell = true;
                if let Some(r) = rows.last_mut() {
                    r.push(String::new());
                }
            }
            Event::End(TagEnd::TableCell) => in_cell = false,
            Event::Text(t) | Event::Code(t) if in_cell => {
                if let Some(c) = rows.last_mut().and_then(|r| r.last_mut()) {
                    c.push_str(&t);
                }
            }
            Event::InlineHtml(h) | Event::Html(h) if in_cell => {
                if let Some(c) = rows.last_mut().and_then(|r| r.last_mut()) {
                    c.push_str(&h);
                }
            }
            Event::SoftBreak | Event::HardBreak if in_cell => {
                if let Some(c) = rows.last_mut().and_then(|r| r.last_mut()) {
                    c.push('\n');
                }
            }
            _ => {}
        }
    }
    rows
}

#[cfg(test)]
mod escape_tests {
    use super::*;

    #[test]
    fn escapes_and_fences() {
        assert_eq!(unescape("\\>=608人"), ">=608人");
        assert_eq!(unescape("项目资金\\   "), "项目资金");
        assert_eq!(unescape("a\\b"), "a\\b");
        assert!(is_fence("::: form") && is_fence(":::") && is_fence("  ::::"));
        assert!(!is_fence("::a") && !is_fence(":::form") && !is_fence("项目"));
        assert_eq!(
            heading("## 财政项目支出绩效目标申报表"),
            Some("财政项目支出绩效目标申报表")
        );
        assert_eq!(heading("# 标题 #"), Some("标题"));
        assert_eq!(heading("#1 甲"), None);
        assert_eq!(heading("####### 七"), None);
    }
}
