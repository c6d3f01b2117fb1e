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
