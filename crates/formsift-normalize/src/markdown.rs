//! Markdown tables (plain ones read directly, the rest parsed with
//! `pulldown-cmark`) and stray delimiter rows.

use formsift_model::Cell;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use std::collections::HashMap;

/// True when every non-empty cell is a markdown delimiter such as `---` or `:--:`.
pub(crate) fn is_delimiter_row(cells: &[Cell]) -> bool {
    let mut any = false;
    for c in cells {
        let t = formsift_model::trim(&c.text);
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
    let t = formsift_model::trim_start(line);
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
    drop_escapes(piece.strip_suffix('\\').unwrap_or(piece))
}

/// `\` before ASCII punctuation dropped (a markdown backslash escape).
fn drop_escapes(piece: &str) -> String {
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
        let start = i;
        // A row followed by a delimiter row heads the next table: converters
        // (html2text) write tables back to back without a blank line.
        let next_table = |k: usize| k > start + 1 && is_delimiter_line(lines.get(k + 1));
        let mut broken = false;
        if is_pipe_line(lines[i]) {
            while i < lines.len() && is_pipe_line(lines[i]) && !next_table(i) {
                i = runs_on(lines, i).map_or(i, |end| end) + 1;
            }
        } else if starts_bare_table(lines, i) {
            // A table without outer pipes (`a | b` over `--- | ---`), as
            // GitHub and pandoc allow: its rows are the lines with a pipe.
            while i < lines.len()
                && (lines[i].contains('|') || {
                    broken |= broken_row(lines, i, start);
                    broken
                })
                && !lines[i].trim().is_empty()
                && !next_table(i)
            {
                i += 1;
            }
        } else {
            i += 1;
            continue;
        }
        // A row broken by a hard break is one line for the parser, its
        // first cell's two lines kept as two paragraphs; `first[k]` is
        // where line `k` of the block starts.
        let joined = broken.then(|| join_broken_rows(&lines[start..i], start));
        let owned: Option<Vec<&str>> = joined
            .as_ref()
            .map(|(b, _)| b.iter().map(|l| &**l).collect());
        let block: &[&str] = owned.as_deref().unwrap_or(&lines[start..i]);
        let first = |k: usize| joined.as_ref().map_or(start + k, |(_, f)| f[k]);
        let rows = (block.len() >= 2)
            .then(|| simple_table(block).unwrap_or_else(|| parse_table(&block.join("\n"))))
            // pulldown-cmark reports header and body rows; the delimiter
            // line (block line 1) has none.
            .filter(|rows| rows.len() + 1 == block.len());
        if let Some(rows) = rows {
            for (k, mut row) in rows.into_iter().enumerate() {
                let at = if k == 0 { 0 } else { k + 1 };
                keep_extra_cells(block[at], &mut row);
                out.insert(first(at), Some(row));
            }
            out.insert(first(1), None);
            // The lines a broken row's first line was joined to.
            if broken {
                for line in start..i {
                    out.entry(line).or_insert(None);
                }
            }
        } else if let Some(rows) = bare_rows(&lines[start..i]) {
            for (k, row) in rows.into_iter().enumerate() {
                out.insert(start + k, row);
            }
        }
    }
    out
}

/// Whether line `i` of a table without outer pipes (from line `start`) is
/// the first line of a row a hard break broke: no pipe, two spaces at its
/// end, and a row with a pipe next (html2text writes a cell's line break
/// so: `项目资金  ` over `（万元）| 项目资金总额| …`).
fn broken_row(lines: &[&str], i: usize, start: usize) -> bool {
    i > start + 1
        && lines[i].ends_with("  ")
        && !lines[i].contains('|')
        && lines
            .get(i + 1)
            .is_some_and(|n| n.contains('|') && !n.trim().is_empty())
}

/// The block's lines with each broken row (see [`broken_row`]) joined to
/// the next line by a `<br>` (read as a line break in the cell), and the
/// first input line of each.
fn join_broken_rows<'a>(
    block: &[&'a str],
    start: usize,
) -> (Vec<std::borrow::Cow<'a, str>>, Vec<usize>) {
    let mut out = Vec::with_capacity(block.len());
    let mut first = Vec::with_capacity(block.len());
    let mut k = 0;
    while k < block.len() {
        if k + 1 < block.len() && broken_row(block, k, 0) {
            out.push(format!("{}<br>{}", block[k].trim_end(), block[k + 1]).into());
            first.push(start + k);
            k += 2;
        } else {
            out.push(block[k].into());
            first.push(start + k);
            k += 1;
        }
    }
    (out, first)
}

/// The rows of a table whose lines all start and end with a pipe but which
/// has no markdown delimiter row: the tables of Textile (`|_. 表头|`),
/// Jira (`||表头||`) and Org (`|---+---|` rules), and pipe tables a
/// converter wrote without the delimiter. Each line is cut at its pipes;
/// a rule (dashes, `+`, `:`) is `None`. `None` for the block unless two or
/// more lines hold two or more cells, or one holds two cells of text.
fn bare_rows(lines: &[&str]) -> Option<Vec<Option<Vec<String>>>> {
    let mut rows: Vec<Option<Vec<String>>> = Vec::with_capacity(lines.len());
    let mut k = 0;
    while k < lines.len() {
        // A row whose cell holds a line break runs on to a line ending in a
        // pipe; its other lines are no rows of their own.
        let end = runs_on(lines, k).unwrap_or(k);
        let text = lines[k..=end].join("\n");
        let t = text.trim();
        // Jira's header cells are set off by doubled pipes, and only by
        // them (`||甲|乙||` is Textile's empty first and last cells).
        let jira = t.starts_with("||") && t.split("||").all(|c| !c.contains('|'));
        let t = if jira {
            t.replace("||", "|")
        } else {
            t.to_string()
        };
        let inner = t.strip_prefix('|')?.strip_suffix('|')?;
        if inner
            .bytes()
            .all(|b| matches!(b, b'-' | b'+' | b':' | b'|' | b' '))
        {
            rows.push(None);
        } else {
            rows.push(Some(
                inner
                    .split('|')
                    .map(|c| drop_escapes(bare_cell(c)))
                    .collect(),
            ));
        }
        rows.extend((k..end).map(|_| None));
        k = end + 1;
    }
    // Two rows of cells, or one with two cells of text (a table of one
    // row, as a form's fields are written).
    let filled = rows.iter().flatten().filter(|r| r.len() >= 2).count();
    let texts = |r: &Vec<String>| r.iter().filter(|c| !c.is_empty()).count();
    (filled >= 2 || filled == 1 && rows.iter().flatten().any(|r| texts(r) >= 2)).then_some(rows)
}

/// When line `k` starts a table row with a pipe and does not end with one,
/// and the next lines (at most [`RUN_ON`], none blank or starting with a
/// pipe) reach a line that does: that line's index. Jira and html2text
/// write a cell's line break as it stands.
fn runs_on(lines: &[&str], k: usize) -> Option<usize> {
    const RUN_ON: usize = 4;
    if lines[k].trim_end().ends_with('|') {
        return None;
    }
    (k + 1..lines.len().min(k + 1 + RUN_ON))
        .take_while(|&j| !lines[j].trim().is_empty() && !is_pipe_line(lines[j]))
        .find(|&j| lines[j].trim_end().ends_with('|'))
}

/// A cell of a bare pipe table without Textile's cell modifiers: `_.` (a
/// header cell), alignment (`<.`, `>.`, `=.`, `^.`, `~.`) and spans (`\2.`,
/// `/3.`), each ending in a dot before the text.
fn bare_cell(cell: &str) -> &str {
    let t = cell.trim();
    let Some((mods, rest)) = t.split_once(". ") else {
        return t;
    };
    let is_modifier = !mods.is_empty()
        && mods.bytes().all(|b| {
            matches!(b, b'_' | b'<' | b'>' | b'=' | b'^' | b'~' | b'\\' | b'/')
                || b.is_ascii_digit()
        })
        && !mods.bytes().all(|b| b.is_ascii_digit());
    if is_modifier { rest.trim() } else { t }
}

/// Markdown cuts a body row to its header's cells; a converter that left
/// merged cells out of the header, or shifted a row, wrote the rest of the
/// row's text there all the same. The cells past the header's are added
/// back, read by splitting the line at its pipes (not for a line with code
/// spans or escaped pipes, whose pipes the split cannot tell).
fn keep_extra_cells(line: &str, row: &mut Vec<String>) {
    let t = line.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let t = t.strip_suffix('|').unwrap_or(t);
    // (Most rows have as many pipes as cells less one: passed over on a
    // count.)
    if memchr::memchr_iter(b'|', t.as_bytes()).count() < row.len() || t.contains(['`', '\\']) {
        return;
    }
    let extra: Vec<String> = t
        .split('|')
        .skip(row.len())
        .map(|c| c.trim().to_string())
        .collect();
    row.extend(extra);
}

/// True when a line is a delimiter row (`---|---`, `| :--- | ---: |`): two
/// or more cells of three or more dashes, colons at their ends, between
/// pipes.
fn is_delimiter_line(line: Option<&&str>) -> bool {
    let Some(line) = line else {
        return false;
    };
    // Most lines are passed over on their first cell's first byte.
    let t = line.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    if !matches!(
        t.trim_start_matches(' ').as_bytes().first(),
        Some(b'-' | b':')
    ) {
        return false;
    }
    let t = t.strip_suffix('|').unwrap_or(t);
    let mut n = 0;
    for c in t.split('|') {
        let c = c.trim();
        let core = c.strip_prefix(':').unwrap_or(c);
        let core = core.strip_suffix(':').unwrap_or(core);
        if core.len() < 3 || !core.bytes().all(|b| b == b'-') {
            return false;
        }
        n += 1;
    }
    n >= 2
}

/// True when line `i` is the header of a pipe table written without outer
/// pipes: it holds a pipe, and the next line is a delimiter row (`---`,
/// `:---:` cells between pipes) with as many cells.
fn starts_bare_table(lines: &[&str], i: usize) -> bool {
    let Some(next) = lines.get(i + 1) else {
        return false;
    };
    // A delimiter row starts with `-`, `:` or `|`: most lines are passed
    // over on the next one's first byte, the rest before anything is split.
    let first = next.bytes().find(|b| !matches!(b, b' ' | b'\t'));
    if !matches!(first, Some(b'-' | b':' | b'|'))
        || !next.contains("---")
        || !next.contains('|')
        || !lines[i].contains('|')
    {
        return false;
    }
    fn cells(l: &str) -> Vec<&str> {
        let t = l.trim();
        let t = t.strip_prefix('|').unwrap_or(t);
        let t = t.strip_suffix('|').unwrap_or(t);
        t.split('|').map(str::trim).collect()
    }
    let delimiter = cells(next);
    let is_delimiter = |c: &&str| {
        let core = c.strip_prefix(':').unwrap_or(c);
        let core = core.strip_suffix(':').unwrap_or(core);
        core.len() >= 3 && core.bytes().all(|b| b == b'-')
    };
    delimiter.len() >= 2
        && delimiter.iter().all(is_delimiter)
        && cells(lines[i]).len() == delimiter.len()
}

fn is_pipe_line(l: &str) -> bool {
    // Most lines start with text: the first byte answers without a trim.
    match l.as_bytes().first() {
        Some(b'|') => l.trim_end().len() > 1,
        Some(&b) if formsift_model::may_start_space(b) => {
            // (The end is trimmed only for a line that starts with a pipe.)
            let t = formsift_model::trim_start(l);
            t.starts_with('|') && t.trim_end().len() > 1
        }
        _ => false,
    }
}

/// The rows of a plain pipe table, read without the markdown parser, or
/// `None` when the block needs the parser. Plain means: every line starts and
/// ends with `|`; the second is a delimiter row (`---`, `:---:`) with as many
/// cells as the first; no tab or other white space than the ASCII space; and
/// none of the characters inline markdown gives meaning to (`` ` `` `*` `_`
/// `&` `<` `[` `]` `!`, or an escaped pipe). A backslash before other ASCII
/// punctuation is dropped, as the parser drops it. Body rows are cut or
/// padded to the header's cells, as the parser does. A proptest holds this
/// to [`parse_table`] on plain and other blocks.
fn simple_table(lines: &[&str]) -> Option<Vec<Vec<String>>> {
    let header = simple_cells(lines[0])?;
    let delimiter = simple_cells(lines.get(1)?)?;
    let is_delimiter = |c: &&str| {
        let core = c.strip_prefix(':').unwrap_or(c);
        let core = core.strip_suffix(':').unwrap_or(core);
        core.len() >= 3 && core.bytes().all(|b| b == b'-')
    };
    if delimiter.len() != header.len() || !delimiter.iter().all(is_delimiter) {
        return None;
    }
    let width = header.len();
    let mut rows = Vec::with_capacity(lines.len() - 1);
    rows.push(header.iter().map(|c| drop_escapes(c)).collect::<Vec<_>>());
    for line in &lines[2..] {
        let cells = simple_cells(line)?;
        let mut row: Vec<String> = cells.iter().take(width).map(|c| drop_escapes(c)).collect();
        row.resize(width, String::new());
        rows.push(row);
    }
    Some(rows)
}

/// The trimmed cells of one plain table line (see [`simple_table`]).
fn simple_cells(line: &str) -> Option<Vec<&str>> {
    let t = line.trim_end_matches(' ');
    let inner = t.strip_prefix('|')?.strip_suffix('|')?;
    // One table scan: markup bytes and ASCII white space other than the
    // space stop it; a backslash or the lead byte of a wide space (U+0085,
    // U+00A0, U+1680, U+2000–U+205F, U+3000) asks for a closer look.
    const STOP: u8 = 1;
    const BACKSLASH: u8 = 2;
    const WIDE: u8 = 4;
    const TAG: u8 = 8;
    const BRACKET: u8 = 16;
    static CLASSES: [u8; 256] = crate::classes::table(&[
        (b'`', STOP),
        (b'*', STOP),
        (b'_', STOP),
        (b'&', STOP),
        (b'<', TAG),
        (b']', BRACKET),
        (b'!', STOP),
        (b'\t', STOP),
        (b'\n', STOP),
        (0x0B, STOP),
        (0x0C, STOP),
        (b'\r', STOP),
        (b'\\', BACKSLASH),
        (0xC2, WIDE),
        (0xE1, WIDE),
        (0xE2, WIDE),
        (0xE3, WIDE),
    ]);
    let found = crate::classes::of(t, &CLASSES);
    if found & STOP != 0
        || (found & BACKSLASH != 0 && t.contains("\\|"))
        || (found & WIDE != 0 && holds_wide_space(inner))
        // An inline link (`[text](url)`) is read as its text; brackets
        // without one are text (the block defines no references).
        || (found & BRACKET != 0 && inner.contains("]("))
        // Tags and comparators are kept as written; an autolink is not.
        || (found & TAG != 0 && !tags_read_as_written(inner))
    {
        return None;
    }
    // (Room for the cells at once: a table row has a dozen and more, and
    // a collect from a split grows.)
    // The pipes found by memchr, not `split` (a searcher set up per cell).
    let pipes = memchr::memchr_iter(b'|', inner.as_bytes());
    let mut cells = Vec::with_capacity(pipes.clone().count() + 1);
    let mut start = 0;
    for at in pipes {
        cells.push(trim_spaces(&inner[start..at]));
        start = at + 1;
    }
    cells.push(trim_spaces(&inner[start..]));
    Some(cells)
}

/// `s.trim_matches(' ')`, byte by byte: a space is one byte and no part of
/// another character (the standard trim decodes each character). An
/// all-space text gives the empty text at its start, as the standard one
/// does.
fn trim_spaces(s: &str) -> &str {
    let b = s.as_bytes();
    match b.iter().position(|&c| c != b' ') {
        None => &s[..0],
        Some(start) => {
            let end = b.iter().rposition(|&c| c != b' ').map_or(start, |e| e + 1);
            &s[start..end]
        }
    }
}

/// Whether the text holds white space other than ASCII (the only kind
/// whose lead bytes, 0xC2, 0xE1, 0xE2 and 0xE3, the table scan reports):
/// a character is decoded only where such a byte starts one.
fn holds_wide_space(s: &str) -> bool {
    let b = s.as_bytes();
    (0..b.len()).any(|i| {
        matches!(b[i], 0xC2 | 0xE1 | 0xE2 | 0xE3)
            && s[i..].chars().next().is_some_and(char::is_whitespace)
    })
}

/// True when the parser gives every `<` of a cell's text back as written:
/// each opens a tag with a name and no attributes (`<p>`, `<br/>`,
/// `<br />`, `</p>`: inline HTML), or no `>` follows it before white space,
/// another `<` or the end (`<176000张`, `<h2 style="…">`: text, or a tag
/// the parser keeps as written). An autolink (`<http://a>`, `<a@b.c>`),
/// which the parser reads as its address alone, is neither.
fn tags_read_as_written(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memchr_iter(b'<', b).all(|at| {
        let rest = &b[at + 1..];
        let run = rest
            .iter()
            .position(|c| matches!(c, b' ' | b'\t' | b'<'))
            .map_or(rest, |end| &rest[..end]);
        if !run.contains(&b'>') {
            return true;
        }
        let (closing, rest) = match rest.first() {
            Some(b'/') => (true, &rest[1..]),
            _ => (false, rest),
        };
        if !rest.first().is_some_and(u8::is_ascii_alphabetic) {
            return false;
        }
        let name = rest
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-')
            .count();
        let end = &rest[name..];
        end.starts_with(b">") || (!closing && (end.starts_with(b"/>") || end.starts_with(b" />")))
    })
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
    use proptest::prelude::*;

    #[test]
    fn a_table_without_outer_pipes_needs_its_delimiter_row() {
        let t = ["甲 | 乙 | 丙", ":--- | --- | ---:", "1 | 2 | 3", "", "尾"];
        let rows = pipe_tables(&t);
        let cells = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(rows.get(&0), Some(&cells(&["甲", "乙", "丙"])));
        assert_eq!(rows.get(&1), Some(&None));
        assert_eq!(rows.get(&2), Some(&cells(&["1", "2", "3"])));
        assert!(!rows.contains_key(&3) && !rows.contains_key(&4));
        // A pipe in text over a rule, or a delimiter row of other width, is
        // no table.
        for (a, b) in [
            ("甲 | 乙", "----------"),
            ("甲 | 乙", "--- | --- | ---"),
            ("甲 | 乙", "-- | --"),
            ("甲", "--- | ---"),
        ] {
            assert!(pipe_tables(&[a, b, "1 | 2"]).is_empty(), "{a} / {b}");
        }
    }

    #[test]
    fn a_row_over_a_delimiter_row_heads_the_next_table() {
        // html2text writes tables back to back: the second header's seven
        // cells are kept, not cut to the first table's two.
        let t = [
            "项目名称| 甲  ",
            "---|---  ",
            "主管部门| 乙  ",
            "一级指标| 二级指标| 三级指标| 年度指标值| 实际完成值| 分值| 得分  ",
            "---|---|---|---|---|---|---  ",
            "产出指标| 数量指标| 丙| >95%| 95%| 20| 17  ",
        ];
        let rows = pipe_tables(&t);
        let width = |k: usize| rows.get(&k).and_then(|r| r.as_ref()).map(Vec::len);
        assert_eq!((width(0), width(2)), (Some(2), Some(2)));
        assert_eq!((width(3), width(5)), (Some(7), Some(7)));
        assert_eq!((rows.get(&1), rows.get(&4)), (Some(&None), Some(&None)));
        // The same with outer pipes.
        let piped: Vec<String> = t.iter().map(|l| format!("|{}|", l.trim_end())).collect();
        let piped: Vec<&str> = piped.iter().map(String::as_str).collect();
        let rows = pipe_tables(&piped);
        assert_eq!(rows.get(&5).and_then(|r| r.as_ref()).map(Vec::len), Some(7));
    }

    #[test]
    fn a_row_broken_by_a_hard_break_is_one_row() {
        // html2text: no outer pipes, a cell's line break written as a hard
        // break (two spaces) before the rest of the row.
        let t = [
            "项目名称| 帮困  ",
            "---|---  ",
            "项目资金  ",
            "（万元）| 总额| 100  ",
            "当年| 5  ",
            "",
            "后文  ",
        ];
        let rows = pipe_tables(&t);
        let cells = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            rows.get(&2),
            Some(&cells(&["项目资金<br>（万元）", "总额", "100"]))
        );
        assert_eq!(rows.get(&3), Some(&None));
        assert_eq!(rows.get(&4), Some(&cells(&["当年", "5"])));
        assert_eq!((rows.get(&5), rows.get(&6)), (None, None));
    }

    #[test]
    fn pipe_rows_without_a_delimiter_are_a_table() {
        let cells = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        // Textile: `_.` header cells, escaped-free cells, no delimiter.
        let t = [
            "|_. 一级指标|_. 三级指标|",
            "|产出指标|指标1：人数|",
            "||指标2：率|",
        ];
        let rows = pipe_tables(&t);
        assert_eq!(rows.get(&0), Some(&cells(&["一级指标", "三级指标"])));
        assert_eq!(rows.get(&2), Some(&cells(&["", "指标2：率"])));
        // Jira: header cells between doubled pipes; a cell's line break as
        // written, the row running on to the line that ends with a pipe.
        let t = [
            "|| 一级指标 || 年度指标值 ||",
            "| 项目资金",
            "（万元） | 100 |",
            "| 产出指标 | >=5人 |",
        ];
        let rows = pipe_tables(&t);
        assert_eq!(rows.get(&0), Some(&cells(&["一级指标", "年度指标值"])));
        assert_eq!(rows.get(&1), Some(&cells(&["项目资金\n（万元）", "100"])));
        assert_eq!(rows.get(&2), Some(&None), "the rest of the row above");
        assert_eq!(rows.get(&3), Some(&cells(&["产出指标", ">=5人"])));
        // Org: a `+` rule; a table of one row of two texts.
        let t = ["| 甲 | 乙 |", "|----+----|", "| 1  | 2  |"];
        let rows = pipe_tables(&t);
        assert_eq!(
            (rows.get(&1), rows.get(&2)),
            (Some(&None), Some(&cells(&["1", "2"])))
        );
        let rows = pipe_tables(&["|部门名称|上海市总工会|||"]);
        assert_eq!(
            rows.get(&0),
            Some(&cells(&["部门名称", "上海市总工会", "", ""]))
        );
        // Not tables: one line with one text, a line that does not end in a
        // pipe, a numbered list item kept whole.
        for t in [&["|备注||"][..], &["| 甲 | 乙"][..]] {
            assert!(pipe_tables(t).is_empty(), "{t:?}");
        }
        assert_eq!(bare_cell(" 1. 甲 "), "1. 甲");
        assert_eq!(bare_cell("\\2. 乙"), "乙");
    }

    #[test]
    fn cells_past_the_header_are_kept() {
        let t = [
            "| 项目资金 | 年度资金申请总额 |",
            "|---|---|",
            "| （元） | 当年财政拨款 | 420,000.00 |",
            "| a | `b|c` | d |",
        ];
        let rows = pipe_tables(&t);
        let row = |k: usize| rows.get(&k).cloned().flatten().unwrap();
        assert_eq!(row(2), ["（元）", "当年财政拨款", "420,000.00"]);
        // A code span's pipe is not a cell border: the row stays as read.
        assert_eq!(row(3).len(), 2);
        // Rows as wide as the header, or narrower, are as markdown reads them.
        let rows = pipe_tables(&["| a | b |", "|---|---|", "| 1 |", "| 1 | 2 |"]);
        assert_eq!(rows.get(&2).cloned().flatten().unwrap(), ["1", ""]);
        assert_eq!(rows.get(&3).cloned().flatten().unwrap(), ["1", "2"]);
    }

    fn line(cells: &[String]) -> String {
        format!("|{}|", cells.join("|"))
    }

    /// Tags and brackets converters leave in cells: some inline HTML the
    /// parser gives back as written, some autolinks and links it does not.
    const TAGS_AND_BRACKETS: [&str; 27] = [
        "<p>",
        "</p>",
        "<br>",
        "<br/>",
        "<br />",
        "</br/>",
        "<a b>",
        "<a\tb>",
        "<http://a>",
        "<a@b.c>",
        "<1@a.b>",
        "<http://a b>",
        "<!-- x -->",
        "<1>",
        "< p>",
        "</ p>",
        "<h-2>",
        "<H2 >",
        "<h2 style=\"x: y;\">",
        "<176000张",
        ">=80%",
        "[a]",
        "[a](b)",
        "[a] (b)",
        "[a][b]",
        "[]",
        "\\<p>",
    ];

    /// Table lines: mostly plain, sometimes with a character that makes
    /// the block go to the parser, and delimiter rows of several shapes and
    /// widths.
    fn block() -> impl Strategy<Value = Vec<String>> {
        // Single characters, and the tags and brackets converters leave in
        // cells (some that are inline HTML as written, some that are not).
        let piece = prop_oneof![
            "[ \\t质量指标a1>=%()$:.\\\\\\-\u{3000}*<&_`|\\[\\]/]",
            prop::sample::select(TAGS_AND_BRACKETS.to_vec()).prop_map(str::to_string),
        ];
        let cell = prop::collection::vec(piece, 0..5)
            .prop_map(|p| p.concat())
            .boxed();
        let delim =
            prop::sample::select(vec!["---", " --- ", ":---:", "-", ":-", "--", "-:-", "x"]);
        (
            1usize..5,
            prop::collection::vec(prop::collection::vec(cell.clone(), 0..6), 0..4),
        )
            .prop_flat_map(move |(width, body)| {
                (
                    prop::collection::vec(cell.clone(), width),
                    prop::collection::vec(delim.clone(), width..width + 2),
                    Just(body),
                )
            })
            .prop_map(|(head, delim, body)| {
                let delim: Vec<String> = delim.iter().map(|d| d.to_string()).collect();
                let mut lines = vec![line(&head), line(&delim)];
                lines.extend(body.iter().map(|r| line(r)));
                lines
            })
    }

    /// Tables whose cells hold tags and brackets among plain text, under a
    /// good delimiter row: most of them are plain, so the shortcuts for
    /// tags and brackets are compared with the parser.
    fn tagged_block() -> impl Strategy<Value = Vec<String>> {
        let mut pieces = vec!["质量", "a1", " ", "<", ">", "[", "]", "(", ")", "/"];
        pieces.extend(TAGS_AND_BRACKETS);
        let piece = prop::sample::select(pieces);
        let cell = prop::collection::vec(piece, 0..5).prop_map(|p| p.concat());
        (1usize..4)
            .prop_flat_map(move |width| {
                prop::collection::vec(prop::collection::vec(cell.clone(), width), 1..4)
            })
            .prop_map(|rows| {
                let delim = vec!["---".to_string(); rows[0].len()];
                let mut lines = vec![line(&rows[0]), line(&delim)];
                lines.extend(rows[1..].iter().map(|r| line(r)));
                lines
            })
    }

    proptest! {
        /// Where the plain reader reads a block, it reads what the parser
        /// reads.
        #[test]
        fn plain_tables_read_as_the_parser_reads_them(lines in block()) {
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            if let Some(rows) = simple_table(&refs) {
                prop_assert_eq!(rows, parse_table(&lines.join("\n")));
            }
        }

        /// The same for cells with tags and brackets.
        #[test]
        fn tags_and_brackets_read_as_the_parser_reads_them(lines in tagged_block()) {
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            if let Some(rows) = simple_table(&refs) {
                prop_assert_eq!(rows, parse_table(&lines.join("\n")));
            }
        }
    }

    proptest! {
        /// The byte trim gives the standard trim's slice, where it starts
        /// included.
        #[test]
        fn spaces_are_trimmed_as_the_standard_trim_does(s in "[ a甲\u{3000}\u{a0}]{0,6}") {
            let (ours, std) = (trim_spaces(&s), s.trim_matches(' '));
            prop_assert_eq!(ours, std);
            prop_assert_eq!(ours.as_ptr(), std.as_ptr());
        }

        /// Wide white space is found where decoding every character finds it.
        #[test]
        fn wide_space_is_found_as_decoding_finds_it(
            s in "[ a甲、。\u{3000}\u{a0}\u{85}\u{1680}\u{2003}\u{205f}\u{2060}\u{2010}]{0,6}"
        ) {
            let want = s.chars().any(|c| !c.is_ascii() && c.is_whitespace());
            prop_assert_eq!(holds_wide_space(&s), want);
        }
    }

    proptest! {
        /// The first-byte shortcut of `is_pipe_line` answers what trimming
        /// answers.
        #[test]
        fn pipe_lines_are_found_as_trimming_finds_them(
            l in "[ \t\u{b}\u{a0}\u{3000}\u{2003}|a甲]{0,5}"
        ) {
            let t = l.trim();
            prop_assert_eq!(is_pipe_line(&l), t.starts_with('|') && t.len() > 1);
        }
    }

    #[test]
    fn plain_tables_take_the_fast_path() {
        let lines = [
            "| 项目名称 | 甲 \\> 乙 |  |",
            "|---|:---:|---|",
            "| a | b |",
            "| 1 | 2 | 3 | 4 |",
        ];
        let rows = simple_table(&lines).expect("a plain table");
        assert_eq!(rows, parse_table(&lines.join("\n")));
        assert_eq!(rows[0], ["项目名称", "甲 > 乙", ""]);
        assert_eq!(rows[1], ["a", "b", ""]);
        assert_eq!(rows[2], ["1", "2", "3"]);
        assert!(simple_table(&["| **a** | b |", "|---|---|"]).is_none());
        assert!(simple_table(&["| a | b |", "|---|"]).is_none());
        // The last pipe escaped: one cell that runs to the end of the line.
        assert!(simple_table(&["|\\|", "|---|"]).is_none());
    }

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
