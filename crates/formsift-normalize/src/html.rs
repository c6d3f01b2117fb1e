//! HTML fragments inside cells, parsed with `scraper`.

use formsift_model::Merge;
use scraper::{Html, Node};

/// Separates cells produced by block headings inside one source cell.
const CELL_BREAK: char = '\u{1f}';

/// True when the text holds an HTML tag.
pub(crate) fn has_markup(text: &str) -> bool {
    let b = text.as_bytes();
    b.windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
        && text.contains('>')
}

/// Parses one cell's HTML into one or more cell texts: paragraphs joined with
/// `\n`, headings as separate cells, check boxes as ☑/☐, entities decoded.
pub(crate) fn clean_cell(fragment: &str) -> Vec<String> {
    let doc = Html::parse_fragment(fragment);
    let mut out = String::new();
    walk(doc.tree.root(), &mut out);
    out.split(CELL_BREAK)
        .map(|cell| {
            cell.split('\n')
                .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .filter(|c| !c.is_empty())
        .collect()
}

fn walk(node: ego_tree::NodeRef<'_, Node>, out: &mut String) {
    for child in node.children() {
        match child.value() {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) => {
                let name = e.name();
                match name {
                    "input" => {
                        if e.attr("type").is_none_or(|t| {
                            t.eq_ignore_ascii_case("checkbox") || t.eq_ignore_ascii_case("radio")
                        }) {
                            out.push_str(if e.attr("checked").is_some() {
                                " ☑ "
                            } else {
                                " ☐ "
                            });
                        }
                    }
                    "br" => out.push('\n'),
                    "script" | "style" => {}
                    "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "td" | "th" => {
                        out.push(CELL_BREAK);
                        walk(child, out);
                        out.push(CELL_BREAK);
                    }
                    "p" | "div" | "li" | "tr" | "ul" | "ol" | "table" => {
                        out.push('\n');
                        walk(child, out);
                        out.push('\n');
                    }
                    _ => walk(child, out),
                }
            }
            _ => walk(child, out),
        }
    }
}

/// Most rows or columns one cell may span (guards against `rowspan=99999`).
const MAX_SPAN: usize = 1000;

/// Element names whose content is not text of the page.
const HIDDEN: [&str; 4] = ["head", "style", "script", "title"];

/// When line `i` opens an element whose content is not text (`<head>`,
/// `<style>`, `<script>`), the index of the line that closes it.
pub(crate) fn hidden_block(raw: &[&str], i: usize) -> Option<usize> {
    let lower = raw[i].to_ascii_lowercase();
    let name = HIDDEN
        .iter()
        .find(|n| lower.trim_start().starts_with(&format!("<{n}")))?;
    let close = format!("</{name}");
    (i..raw.len()).find(|&j| raw[j].to_ascii_lowercase().contains(&close))
}

/// When line `i` opens a `<table>`, the index of the line that closes it (the
/// matching `</table>`, nested tables counted) and the table's rows.
pub(crate) fn table_block(raw: &[&str], i: usize) -> Option<(usize, Vec<crate::Row>)> {
    let lower = raw[i].to_ascii_lowercase();
    let open = find_tag(&lower, "table")?;
    let mut depth = 0i64;
    let mut end = None;
    for (j, line) in raw.iter().enumerate().skip(i) {
        let l = line.to_ascii_lowercase();
        let from = if j == i { open } else { 0 };
        depth += count_tag(&l[from..], "table") as i64;
        depth -= l[from..].matches("</table").count() as i64;
        if depth <= 0 {
            end = Some(j);
            break;
        }
    }
    let end = end?;
    let mut rows = Vec::new();
    // Text before the table on its first line is a line of its own.
    let before = &raw[i][..open];
    if !before.trim().is_empty() {
        rows.push(crate::Row::text_line(i + 1, before));
    }
    let block = raw[i..=end].join("\n");
    let block = &block[open..];
    // Where each `<tr` starts: the k-th row element is the k-th tag.
    let mut tr_lines = Vec::new();
    let lower_block = block.to_ascii_lowercase();
    let mut line = i + 1;
    let mut last = 0;
    for pos in tag_positions(&lower_block, "tr") {
        line += lower_block[last..pos].matches('\n').count();
        last = pos;
        tr_lines.push(line);
    }
    let doc = Html::parse_fragment(block);
    // Malformed markup can make the parser's rows and the tags disagree in
    // number; sources then never go back, so rows stay in input order.
    let mut k = 0;
    let mut prev = i + 1;
    for table in top_tables(doc.tree.root()) {
        let mut grid = Grid::default();
        for tr in rows_of(table) {
            let source = tr_lines.get(k).copied().unwrap_or(prev).max(prev);
            prev = source;
            k += 1;
            let cells = grid.place(cells_of(tr));
            rows.push(crate::Row {
                source: [source, source],
                spans: Vec::new(),
                layout: formsift_model::Layout::Columns,
                cells,
                notations: vec![formsift_model::Notation::Html],
            });
        }
    }
    let after_close = raw[end]
        .to_ascii_lowercase()
        .rfind("</table>")
        .map(|p| p + "</table>".len());
    if let Some(p) = after_close
        && end > i
        && !raw[end][p..].trim().is_empty()
    {
        rows.push(crate::Row::text_line(end + 1, &raw[end][p..]));
    }
    Some((end, rows))
}

/// Byte offset of the first `<name` tag (followed by `>`, `/` or space).
fn find_tag(lower: &str, name: &str) -> Option<usize> {
    tag_positions(lower, name).next()
}

fn count_tag(lower: &str, name: &str) -> usize {
    tag_positions(lower, name).count()
}

fn tag_positions<'a>(lower: &'a str, name: &'a str) -> impl Iterator<Item = usize> + 'a {
    lower.match_indices('<').filter_map(move |(p, _)| {
        let rest = &lower[p + 1..];
        let next = rest.strip_prefix(name)?.bytes().next();
        matches!(next, Some(b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r')).then_some(p)
    })
}

type NodeRef<'a> = ego_tree::NodeRef<'a, Node>;

fn element_named(n: &NodeRef<'_>, names: &[&str]) -> bool {
    matches!(n.value(), Node::Element(e) if names.contains(&e.name()))
}

/// Tables not inside another table, in document order.
fn top_tables(root: NodeRef<'_>) -> Vec<NodeRef<'_>> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if element_named(&n, &["table"]) {
            out.push(n);
            continue;
        }
        let children: Vec<_> = n.children().collect();
        stack.extend(children.into_iter().rev());
    }
    out
}

/// The rows of a table (inside `thead`/`tbody`/`tfoot` or direct), not of
/// tables nested in its cells.
fn rows_of(table: NodeRef<'_>) -> Vec<NodeRef<'_>> {
    let mut out = Vec::new();
    for c in table.children() {
        if element_named(&c, &["tr"]) {
            out.push(c);
        } else if element_named(&c, &["thead", "tbody", "tfoot"]) {
            out.extend(c.children().filter(|r| element_named(r, &["tr"])));
        }
    }
    out
}

/// A cell of a row: its text and spans.
struct SpanCell {
    text: String,
    rows: usize,
    cols: usize,
}

fn cells_of(tr: NodeRef<'_>) -> Vec<SpanCell> {
    tr.children()
        .filter(|c| element_named(c, &["td", "th"]))
        .map(|c| {
            let Node::Element(e) = c.value() else {
                unreachable!()
            };
            let span = |name: &str| {
                e.attr(name)
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .filter(|&n| n > 0)
                    .unwrap_or(1)
                    .min(MAX_SPAN)
            };
            let mut out = String::new();
            walk(c, &mut out);
            let text = clean_text(&out.replace(CELL_BREAK, "\n"));
            SpanCell {
                text,
                rows: span("rowspan"),
                cols: span("colspan"),
            }
        })
        .collect()
}

/// Paragraphs trimmed and joined with `\n`, runs of white space as one space.
fn clean_text(s: &str) -> String {
    s.split('\n')
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Grid positions taken by cells spanning down from rows above.
#[derive(Default)]
pub(crate) struct Grid {
    /// Per column: (rows still covered below, the origin's column, rows down so far).
    pending: Vec<Option<(usize, usize, u32)>>,
}

impl Grid {
    /// Places one row's cells on the grid: cells skip positions covered from
    /// above, spans leave covered positions behind.
    fn place(&mut self, cells: Vec<SpanCell>) -> Vec<(String, Merge)> {
        self.place_with(cells.into_iter().map(|c| (c.text, c.rows, c.cols)))
    }

    /// [`Grid::place`] over (text, rowspan, colspan) triples.
    pub(crate) fn place_with(
        &mut self,
        cells: impl IntoIterator<Item = (String, usize, usize)>,
    ) -> Vec<(String, Merge)> {
        let mut out: Vec<(String, Merge)> = Vec::new();
        let mut fresh = Vec::new();
        let mut col = 0;
        let covered_here = |grid: &Grid, col: usize| grid.pending.get(col).copied().flatten();
        let push_covered = |out: &mut Vec<(String, Merge)>, col: usize, origin: usize, up: u32| {
            out.push((
                String::new(),
                Merge::Covered {
                    rows_up: up,
                    cols_left: (col - origin) as u32,
                },
            ));
        };
        for (text, rows, cols) in cells {
            while let Some((_, origin, up)) = covered_here(self, col) {
                push_covered(&mut out, col, origin, up);
                col += 1;
            }
            let merge = if rows > 1 || cols > 1 {
                Merge::Origin {
                    rows: rows as u32,
                    cols: cols as u32,
                }
            } else {
                Merge::None
            };
            out.push((text, merge));
            for c in col + 1..col + cols {
                out.push((
                    String::new(),
                    Merge::Covered {
                        rows_up: 0,
                        cols_left: (c - col) as u32,
                    },
                ));
            }
            if rows > 1 {
                if self.pending.len() < col + cols {
                    self.pending.resize(col + cols, None);
                }
                for c in col..col + cols {
                    self.pending[c] = Some((rows - 1, col, 1));
                    fresh.push(c);
                }
            }
            col += cols;
        }
        // Positions covered from above after the row's last cell.
        while col < self.pending.len() {
            if let Some((_, origin, up)) = covered_here(self, col) {
                push_covered(&mut out, col, origin, up);
            } else if self.pending[col..].iter().any(Option::is_some) {
                out.push((String::new(), Merge::None));
            }
            col += 1;
        }
        // One row down: spans placed on earlier rows shrink; spans placed on
        // this row start covering from the next.
        for (c, p) in self.pending.iter_mut().enumerate() {
            if fresh.contains(&c) {
                continue;
            }
            if let Some((left, origin, up)) = *p {
                *p = (left > 1).then_some((left - 1, origin, up + 1));
            }
        }
        out
    }
}
