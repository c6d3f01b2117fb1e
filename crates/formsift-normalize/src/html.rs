//! HTML fragments inside cells, parsed with `scraper`.

use formsift_model::Merge;
use scraper::{Html, Node};

/// Separates cells produced by block headings inside one source cell.
const CELL_BREAK: char = '\u{1f}';

/// True when the text holds an HTML tag.
pub(crate) fn has_markup(text: &str) -> bool {
    let b = text.as_bytes();
    // A branch-free OR over the bytes (vectorised) first: most cells and
    // lines hold no `<` at all.
    if !b.iter().fold(false, |any, &c| any | (c == b'<')) {
        return false;
    }
    b.windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
        && text.contains('>')
}

/// The text of a line that is one `<p>` paragraph of plain text holding
/// white space (`<p>一级指标 二级指标 三级指标</p>`, as converters print a
/// line of space-aligned text), `None` for any other line.
pub(crate) fn spaced_paragraph(line: &str) -> Option<&str> {
    let inner = formsift_model::trim(line)
        .strip_prefix("<p>")?
        .strip_suffix("</p>")?;
    let plain = !inner.contains(['<', '>', '&']);
    (plain && formsift_model::has_space(formsift_model::trim(inner))).then_some(inner)
}

/// Parses one cell's HTML into one or more cell texts: paragraphs joined with
/// `\n`, headings as separate cells, check boxes as ☑/☐, entities decoded.
pub(crate) fn clean_cell(fragment: &str) -> Vec<String> {
    let out = simple_markup(fragment).unwrap_or_else(|| parsed_markup(fragment));
    // Each cell's paragraphs, white space collapsed, written into one
    // string (no list of words or paragraphs built on the way).
    out.split(CELL_BREAK)
        .filter_map(|cell| {
            let mut text = String::with_capacity(cell.len());
            for p in cell.split('\n') {
                let mut words = formsift_model::words(p);
                let Some(first) = words.next() else { continue };
                if !text.is_empty() {
                    text.push('\n');
                }
                text.push_str(first);
                for w in words {
                    text.push(' ');
                    text.push_str(w);
                }
            }
            (!text.is_empty()).then_some(text)
        })
        .collect()
}

/// The text [`walk`] gives for a fragment parsed as HTML.
fn parsed_markup(fragment: &str) -> String {
    let doc = Html::parse_fragment(fragment);
    let mut out = String::new();
    walk(doc.tree.root(), &mut out);
    out
}

/// What [`parsed_markup`] gives, read without building a tree, for the
/// markup converters put in cells: text without entities, `br` and `input`,
/// and `p`, `div`, `span` and `h1`–`h6` properly nested (each closed by its
/// own end tag, no block inside a `p`, no heading inside a heading), where
/// the parser has nothing to repair. `None` for anything else (entities,
/// comments, other tags, misnested tags, a `<` that opens no tag), which
/// goes to the HTML parser.
fn simple_markup(fragment: &str) -> Option<String> {
    const HEADINGS: [&str; 6] = ["h1", "h2", "h3", "h4", "h5", "h6"];
    if fragment.bytes().any(|b| b == b'&' || b == 0) {
        return None;
    }
    let mut out = String::with_capacity(fragment.len());
    let mut open: Vec<String> = Vec::new();
    // How many of `open` are `p`, and how many headings (counted, not
    // looked for in `open` at each tag: that took time in the square of
    // the depth, 4 s for a cell of 100,000 nested `div`s).
    let (mut open_p, mut open_headings) = (0usize, 0usize);
    let mut rest = fragment;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let (tag, after) = read_tag(&rest[lt + 1..])?;
        let name = tag.name.as_str();
        let heading = HEADINGS.contains(&name);
        match name {
            "br" | "input" if tag.closing => return None,
            "br" => out.push('\n'),
            "input" => {
                let box_like = tag.attr("type").is_none_or(|t| {
                    t.eq_ignore_ascii_case("checkbox") || t.eq_ignore_ascii_case("radio")
                });
                if box_like {
                    out.push_str(if tag.attr("checked").is_some() {
                        " ☑ "
                    } else {
                        " ☐ "
                    });
                }
            }
            "p" | "div" | "span" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                if tag.closing {
                    if open.last().map(String::as_str) != Some(name) {
                        return None;
                    }
                    open.pop();
                    open_p -= usize::from(name == "p");
                    open_headings -= usize::from(heading);
                } else {
                    if (open_p > 0 && name != "span") || (heading && open_headings > 0) {
                        return None;
                    }
                    open.push(tag.name.clone());
                    open_p += usize::from(name == "p");
                    open_headings += usize::from(heading);
                }
                match name {
                    "span" => {}
                    _ if heading => out.push(CELL_BREAK),
                    _ => out.push('\n'),
                }
            }
            _ => return None,
        }
        rest = after;
    }
    out.push_str(rest);
    Some(out)
}

/// One tag: its lower-cased name, whether it closes, its attributes.
struct Tag<'a> {
    name: String,
    closing: bool,
    attrs: Vec<(String, &'a str)>,
}

impl Tag<'_> {
    /// The first attribute of that name (as HTML keeps the first).
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }
}

/// Reads a tag after its `<`: the tag and the text after its `>`. `None`
/// when the text there is no plain tag.
fn read_tag(s: &str) -> Option<(Tag<'_>, &str)> {
    let (closing, s) = match s.strip_prefix('/') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let end = |c: char| c.is_ascii_whitespace() || c == '/' || c == '>';
    let name_len = s.find(end)?;
    let name = &s[..name_len];
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    if !name.as_bytes()[0].is_ascii_alphabetic() {
        return None;
    }
    let mut tag = Tag {
        name: name.to_ascii_lowercase(),
        closing,
        attrs: Vec::new(),
    };
    let mut s = &s[name_len..];
    loop {
        s = s.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        if let Some(after) = s.strip_prefix('>') {
            return Some((tag, after));
        }
        let n = s.find(|c: char| end(c) || c == '=')?;
        if n == 0 {
            return None;
        }
        let attr = s[..n].to_ascii_lowercase();
        if attr.contains(['"', '\'', '<']) {
            return None;
        }
        s = s[n..].trim_start_matches(|c: char| c.is_ascii_whitespace());
        let value = if let Some(v) = s.strip_prefix('=') {
            let v = v.trim_start_matches(|c: char| c.is_ascii_whitespace());
            match v.chars().next()? {
                q @ ('"' | '\'') => {
                    let close = v[1..].find(q)?;
                    s = &v[close + 2..];
                    &v[1..close + 1]
                }
                _ => {
                    let len = v.find(|c: char| c.is_ascii_whitespace() || c == '>')?;
                    let value = &v[..len];
                    if value.contains(['"', '\'', '<', '=', '`']) {
                        return None;
                    }
                    s = &v[len..];
                    value
                }
            }
        } else {
            ""
        };
        tag.attrs.push((attr, value));
    }
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

/// Element names whose content is not text of the page.
const HIDDEN: [&str; 4] = ["head", "style", "script", "title"];

/// When line `i` opens an element whose content is not text (`<head>`,
/// `<style>`, `<script>`), the index of the line that closes it.
pub(crate) fn hidden_block(raw: &[&str], i: usize) -> Option<usize> {
    // `<name` at the start, in any case, compared in place (no lower-case
    // copy of every line that holds a `<`).
    let head = formsift_model::trim_start(raw[i]).as_bytes();
    let name = HIDDEN.iter().find(|n| {
        head.first() == Some(&b'<')
            && head
                .get(1..1 + n.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(n.as_bytes()))
    })?;
    // A `<title>` outside an HTML page (DocBook and JATS sections, pandoc's
    // XML) heads text of the page.
    if *name == "title" && !is_html_page(raw) {
        return None;
    }
    let close = format!("</{name}");
    (i..raw.len()).find(|&j| raw[j].to_ascii_lowercase().contains(&close))
}

/// Whether the document is an HTML page (`<html>`, `<head>` or an HTML
/// doctype), whose `<title>` names the page rather than heading its text.
fn is_html_page(raw: &[&str]) -> bool {
    raw.iter().any(|l| {
        let l = l.to_ascii_lowercase();
        l.contains("<html") || l.contains("<head") || l.contains("<!doctype html")
    })
}

/// Elements whose start tag a converter may wrap over lines (Word's HTML
/// wraps long tags between attributes); a name with a `:` (Office's `o:p`,
/// `v:shape`) counts too.
const WRAPPED_TAGS: [&str; 30] = [
    "a", "b", "body", "br", "col", "colgroup", "div", "em", "font", "h1", "h2", "h3", "h4", "h5",
    "h6", "i", "img", "input", "li", "ol", "p", "span", "strong", "sub", "sup", "table", "tbody",
    "td", "th", "tr",
];

/// Lines a wrapped start tag may run over at most.
const WRAPPED_TAG_LINES: usize = 8;

/// When line `i` ends inside a start tag (`<p class=MsoNormal` with the
/// rest of its attributes and its text on the next line, as Word writes
/// HTML), the index of the line where the tag, and any tag wrapped after
/// it, ends: the lines between are one line of markup. Read one by one,
/// the second line's attributes were taken for text and a form's title
/// was not found.
pub(crate) fn wrapped_tag(raw: &[&str], i: usize) -> Option<usize> {
    if !ends_inside_tag(raw[i]) || !raw.get(i + 1).is_some_and(|l| goes_on_with_attributes(l)) {
        return None;
    }
    let last = raw.len().min(i + WRAPPED_TAG_LINES);
    let mut j = i + 1;
    while j < last {
        if raw[j].contains('>') && !ends_inside_tag(raw[j]) {
            // A table among the lines is the table reader's to read.
            let table = raw[i..=j]
                .iter()
                .any(|l| find_ignore_case(l.as_bytes(), b"<table").is_some());
            return (!table).then_some(j);
        }
        j += 1;
    }
    None
}

/// True when a line starts the way the rest of a wrapped start tag does:
/// with an attribute (`style=`, `lang=EN-US>`, `nowrap `) or the tag's end.
fn goes_on_with_attributes(line: &str) -> bool {
    let b = formsift_model::trim_start(line).as_bytes();
    if b.starts_with(b">") || b.starts_with(b"/>") {
        return true;
    }
    let name = b
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b':' | b'.'))
        .count();
    name > 0
        && b[0].is_ascii_alphabetic()
        && matches!(
            b.get(name),
            None | Some(b'=' | b'>' | b' ' | b'\t' | b'\r' | b'/')
        )
}

/// True when the line's last `<` opens a tag of [`WRAPPED_TAGS`] that the
/// line does not close.
fn ends_inside_tag(line: &str) -> bool {
    let b = line.as_bytes();
    let Some(p) = memchr::memrchr(b'<', b) else {
        return false;
    };
    if memchr::memchr(b'>', &b[p..]).is_some() {
        return false;
    }
    let start = p + 1 + usize::from(b.get(p + 1) == Some(&b'/'));
    let end = b[start..]
        .iter()
        .position(|c| !(c.is_ascii_alphanumeric() || *c == b':'))
        .map_or(b.len(), |k| start + k);
    let name = &line[start..end];
    end > start
        && matches!(b.get(end), None | Some(b' ' | b'\t' | b'\r'))
        && (name.contains(':') || WRAPPED_TAGS.iter().any(|t| t.eq_ignore_ascii_case(name)))
}

/// Markup written without line breaks (a minified page, a converter that
/// writes a document on one line) read as if it were broken where pretty
/// printed HTML breaks: before and after each table that stands outside
/// any other, and around `<head>`, `<style>`, `<script>` and `<title>`
/// elements there. The line readers take one table or one hidden element
/// per line; before, a line holding several tables was read as one block,
/// the text between them (the next form's title) was lost, and the forms
/// ran together.
///
/// Returns the pieces, in order, and the 1-based input line of each; `None`
/// when no line holds more than one such piece (pretty-printed HTML and
/// every other notation), so nothing is copied. `lt` marks the lines that
/// hold a `<` in `marks`.
pub(crate) fn rebreak<'a>(
    raw: &[&'a str],
    marks: &[u8],
    lt: u8,
) -> Option<(Vec<&'a str>, Vec<usize>)> {
    let mut depth = 0usize;
    let mut out: Option<(Vec<&'a str>, Vec<usize>)> = None;
    let mut cuts = Vec::new();
    for (i, &line) in raw.iter().enumerate() {
        cuts.clear();
        if marks[i] & lt != 0 {
            cut_points(line, &mut depth, &mut cuts);
        }
        // A cut that leaves only white space on one side splits nothing.
        let mut pieces = Vec::new();
        if !cuts.is_empty() {
            let mut start = 0;
            for &c in cuts.iter().chain(std::iter::once(&line.len())) {
                let piece = &line[start..c];
                if !piece.trim().is_empty() {
                    pieces.push(piece);
                }
                start = c;
            }
        }
        if pieces.len() > 1 && out.is_none() {
            out = Some((raw[..i].to_vec(), (1..=i).collect()));
        }
        if let Some((lines, numbers)) = &mut out {
            if pieces.len() > 1 {
                numbers.extend(std::iter::repeat_n(i + 1, pieces.len()));
                lines.extend(pieces);
            } else {
                lines.push(line);
                numbers.push(i + 1);
            }
        }
    }
    out
}

/// Where [`rebreak`] cuts one line: before a table opened outside any
/// table and after the tag that closes it; before a hidden element outside
/// tables and after its end tag. `depth` is the table nesting carried from
/// line to line.
fn cut_points(line: &str, depth: &mut usize, cuts: &mut Vec<usize>) {
    let bytes = line.as_bytes();
    let tag_end = |from: usize| memchr::memchr(b'>', &bytes[from..]).map(|k| from + k + 1);
    let mut from = 0;
    while let Some(k) = memchr::memchr(b'<', &bytes[from..]) {
        let p = from + k;
        from = p + 1;
        // Most tags are none of these: passed over on their first letter.
        if !matches!(
            bytes.get(p + 1).map(u8::to_ascii_lowercase),
            Some(b't' | b'/' | b'h' | b's')
        ) {
            continue;
        }
        if names_tag(bytes, p + 1, "table") {
            if *depth == 0 {
                cuts.push(p);
            }
            *depth += 1;
        } else if names_tag(bytes, p + 1, "/table") {
            *depth = depth.saturating_sub(1);
            if *depth == 0
                && let Some(e) = tag_end(p)
            {
                cuts.push(e);
                from = e;
            }
        } else if *depth == 0
            && let Some(name) = HIDDEN.iter().find(|n| names_tag(bytes, p + 1, n))
        {
            cuts.push(p);
            // The element's content is not markup to read (a style sheet
            // may hold `<`): the next cut is after its end tag, or nowhere
            // on this line.
            let close = format!("</{name}");
            let Some(c) = find_ignore_case(&bytes[p..], close.as_bytes()).map(|c| p + c) else {
                return;
            };
            match tag_end(c) {
                Some(e) => {
                    cuts.push(e);
                    from = e;
                }
                None => return,
            }
        } else if *depth == 0
            && bytes.get(p + 1) == Some(&b'/')
            && let Some(e) = HIDDEN
                .iter()
                .any(|n| names_tag(bytes, p + 2, n))
                .then(|| tag_end(p))
                .flatten()
        {
            // The end of a hidden element opened on an earlier line.
            cuts.push(e);
            from = e;
        }
    }
}

/// True when `bytes[at..]` starts with the tag name `name` (any case)
/// followed by the end of the name.
fn names_tag(bytes: &[u8], at: usize, name: &str) -> bool {
    let n = name.len();
    bytes
        .get(at..at + n)
        .is_some_and(|w| w.eq_ignore_ascii_case(name.as_bytes()))
        && matches!(
            bytes.get(at + n),
            None | Some(b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r')
        )
}

/// Byte offset of the first `needle` (ASCII, any case) in `hay`.
fn find_ignore_case(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// When line `i` opens a `<table>`, the index of the line that closes it (the
/// matching `</table>`, nested tables counted) and the table's rows.
pub(crate) fn table_block(raw: &[&str], i: usize) -> Option<(usize, Vec<crate::Row>)> {
    // Most lines with a `<` open no table: `<table` in any case is looked
    // for in place before the line is lower-cased.
    let bytes = raw[i].as_bytes();
    let opens = memchr::memchr_iter(b'<', bytes).any(|p| {
        bytes
            .get(p + 1..p + 6)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"table"))
    });
    if !opens {
        return None;
    }
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
        // A caption (a form's title and year, as some exporters write them)
        // is text before the table's rows: a line per paragraph, on the
        // line the rows so far reached.
        if let Some(caption) = table.children().find(|c| element_named(c, &["caption"])) {
            let mut out = String::new();
            walk(caption, &mut out);
            for p in clean_text(&out.replace(CELL_BREAK, "\n")).split('\n') {
                if !p.is_empty() {
                    rows.push(crate::Row {
                        source: [prev, prev],
                        spans: Vec::new(),
                        layout: formsift_model::Layout::Columns,
                        cells: vec![(p.to_string(), Merge::None)],
                        notations: formsift_model::Notations::of(formsift_model::Notation::Html),
                    });
                }
            }
        }
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
                notations: formsift_model::Notations::of(formsift_model::Notation::Html),
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
                    .unwrap_or(1)
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
    /// What the spans placed so far cover.
    budget: crate::spans::Budget,
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
        for (text, mut rows, mut cols) in cells {
            while let Some((_, origin, up)) = covered_here(self, col) {
                push_covered(&mut out, col, origin, up);
                col += 1;
            }
            (rows, cols) = self.budget.admit(rows, cols);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_is_hidden_in_an_html_page_only() {
        let page = ["<html><head>", "<title>申报表</title>", "</head>", "<body>"];
        assert_eq!(hidden_block(&page, 1), Some(1));
        // DocBook and JATS: a section's title is its heading.
        let xml = [
            "<sec>",
            "  <title>财政项目支出绩效目标申报表</title>",
            "  <p>（2023年度）</p>",
        ];
        assert_eq!(hidden_block(&xml, 1), None);
        assert_eq!(hidden_block(&["<style>", "p {}", "</style>"], 0), Some(2));
    }

    /// The cells the fast reading gives equal the parser's, when it reads
    /// the fragment at all.
    fn agrees(fragment: &str) -> bool {
        let Some(fast) = simple_markup(fragment) else {
            return false;
        };
        let split = |out: &str| -> Vec<String> {
            out.split(CELL_BREAK)
                .map(|c| c.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|c| !c.is_empty())
                .collect()
        };
        let parsed = parsed_markup(fragment);
        assert_eq!(split(&fast), split(&parsed), "{fragment:?}");
        assert_eq!(
            fast.split(CELL_BREAK)
                .map(|c| c.lines().filter(|l| !l.trim().is_empty()).count())
                .sum::<usize>(),
            parsed
                .split(CELL_BREAK)
                .map(|c| c.lines().filter(|l| !l.trim().is_empty()).count())
                .sum::<usize>(),
            "paragraphs of {fragment:?}"
        );
        true
    }

    #[test]
    fn hidden_elements_and_tables_are_found_in_any_case() {
        let raw = [" <STYLE type=\"x\">", "td {}", "</Style>", "<headline>"];
        assert_eq!(hidden_block(&raw, 0), Some(2));
        assert_eq!(hidden_block(&raw, 1), None);
        // `<head` opens `<header>` too, as it always has; no close, no block.
        assert_eq!(hidden_block(&raw, 3), None);
        assert_eq!(hidden_block(&["<titl"], 0), None);
        let raw = ["甲 <Table border=1><tr><td>乙</td></tr>", "</TABLE> 丙"];
        let (end, rows) = table_block(&raw, 0).expect("a table");
        assert_eq!(end, 1);
        assert!(rows.iter().any(|r| r.cells.iter().any(|(t, _)| t == "乙")));
        assert!(table_block(&["a <tab b", "<tables>"], 0).is_none());
        assert!(table_block(&["<tables>"], 0).is_none());
    }

    #[test]
    fn converter_markup_is_read_without_the_parser() {
        for f in [
            "<p>项目名称</p>",
            "<p>甲</p><p>乙</p>",
            "<input type=\"checkbox\"/>新增 <input checked=\"\" type=\"checkbox\"/>延续",
            "<INPUT TYPE='Radio' CHECKED>是",
            "<input type=text>否",
            "<h2 style=\"text-align: center;\">申报表</h2><p>(2024年度)</p>",
            "<div><p>a<br/>b</p><span>c</span></div>",
            "<p>≥ 90% > 80</p>",
            "<input type=\"checkbox\"checked>x",
        ] {
            assert!(agrees(f), "{f:?} went to the parser");
        }
    }

    #[test]
    fn spans_cover_what_they_say_within_the_table_budget() {
        use crate::spans::MAX_SPAN;
        let mut grid = Grid::default();
        let cell = |t: &str, rows, cols| (t.to_string(), rows, cols);
        // A level name over three rows and a heading over two columns.
        let first = grid.place_with([cell("产出指标", 3, 1), cell("指标值", 1, 2)]);
        assert_eq!(first.len(), 3);
        assert_eq!(first[0].1, Merge::Origin { rows: 3, cols: 1 });
        let second = grid.place_with([cell("甲", 1, 1)]);
        assert_eq!(
            second[0].1,
            Merge::Covered {
                rows_up: 1,
                cols_left: 0
            }
        );
        assert_eq!(second[1].0, "甲");

        // Each of 20,000 rows spanning a thousand rows down: the grid would
        // grow to a thousand columns over twenty million positions. Spans
        // past the table's budget are read as single cells.
        let mut grid = Grid::default();
        let rows = 20_000;
        let positions: usize = (0..rows)
            .map(|_| grid.place_with([cell("a", 5000, 1), cell("b", 1, 1)]).len())
            .sum();
        assert!(positions < 10 * 2 * rows, "{positions} positions");
        // Within the budget, the spans stand (at most a thousand rows each).
        assert!(positions > 2 * rows + MAX_SPAN, "{positions} positions");
    }

    #[test]
    fn deeply_nested_blocks_are_read_without_the_parser() {
        // (What is open is counted, not searched at each tag.)
        let depth = 50_000;
        let cell = format!(
            "{}项目名称{}",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        let text = simple_markup(&cell).expect("read without the parser");
        assert_eq!(text.trim(), "项目名称");
        let misnested = format!("<p>{}甲</p>", "<span>".repeat(depth));
        assert_eq!(simple_markup(&misnested), None);
        assert_eq!(
            simple_markup("<p><span>甲</span></p><div>乙</div>").as_deref(),
            Some("\n甲\n\n乙\n")
        );
        assert_eq!(
            simple_markup("<h2>甲</h2><h3>乙</h3>").map(|t| t.matches(CELL_BREAK).count()),
            Some(4)
        );
        assert_eq!(simple_markup("<h2><h3>乙</h3></h2>"), None);
    }

    #[test]
    fn markup_the_parser_would_repair_goes_to_the_parser() {
        for f in [
            "a</h2>b",
            "a</div>b",
            "<p>a<p>b",
            "<p>a<div>b</div></p>",
            "<h3>a<h2>b</h2>c</h2>d",
            "<p>a &amp; b</p>",
            "<b>a</b>",
            "<!-- x --><p>a</p>",
            "<p>1 <2</p>",
            "a</br>b",
        ] {
            assert_eq!(simple_markup(f), None, "{f:?}");
        }
    }

    /// [`rebreak`] over lines (every line marked as holding a `<`).
    fn pieces(raw: &[&str]) -> Option<(Vec<String>, Vec<usize>)> {
        let marks = vec![1u8; raw.len()];
        rebreak(raw, &marks, 1).map(|(p, n)| (p.iter().map(|s| s.to_string()).collect(), n))
    }

    #[test]
    fn a_line_of_several_tables_is_cut_between_them_and_keeps_its_text() {
        let line = "<h2>甲表</h2><table><tr><td>a</td></tr></table>\
                    <h2>乙表</h2><TABLE><tr><td><table><tr><td>b</td></tr></table></td></tr></TABLE>尾";
        let (p, n) = pieces(&["前", line, "后"]).expect("cut");
        assert_eq!(
            p,
            [
                "前",
                "<h2>甲表</h2>",
                "<table><tr><td>a</td></tr></table>",
                "<h2>乙表</h2>",
                "<TABLE><tr><td><table><tr><td>b</td></tr></table></td></tr></TABLE>",
                "尾",
                "后"
            ]
        );
        // Every piece keeps its input line; nothing is lost.
        assert_eq!(n, [1, 2, 2, 2, 2, 2, 3]);
        assert_eq!(p[1..6].concat(), line);
    }

    #[test]
    fn hidden_elements_are_cut_whole_and_tables_across_lines_are_not_cut() {
        // A style sheet's `<` is not a tag; a table over several lines (as
        // pretty-printed pages write one) gives no cut inside it.
        let head = "<head><style>a<table{}</style></head><p>甲</p>";
        let (p, n) = pieces(&[head]).expect("cut");
        assert_eq!(p, ["<head><style>a<table{}</style></head>", "<p>甲</p>"]);
        assert_eq!(n, [1, 1]);
        let pretty = [
            "<html><body>",
            "<table>",
            "<tr><td>a</td><td>b</td></tr></table>",
            "<p>后</p>",
        ];
        assert!(pieces(&pretty).is_none(), "{:?}", pieces(&pretty));
        // A style sheet closed on a later line: cut after its end tag.
        let (p, _) = pieces(&["<style>", "b{}</style><p>乙</p>"]).expect("cut");
        assert_eq!(p, ["<style>", "b{}</style>", "<p>乙</p>"]);
    }

    #[test]
    fn a_start_tag_wrapped_over_lines_joins_them_and_text_does_not() {
        let title = [
            "<h2 class=MsoTitle",
            "style='a'>财政项目支出绩效目标申报表</h2>",
            "x",
        ];
        assert_eq!(wrapped_tag(&title, 0), Some(1));
        // A tag wrapped twice over: to the line where the last one ends.
        let twice = [
            "<p class=MsoNormal",
            "style='a'><span",
            "lang=EN-US>甲</span></p>",
        ];
        assert_eq!(wrapped_tag(&twice, 0), Some(2));
        let office = ["<o:p", "></o:p>"];
        assert_eq!(wrapped_tag(&office, 0), Some(1));
        // Comparators and text are no tags; a tag closed on its line needs
        // nothing; a tag with no end in reach is left alone.
        for line in ["指标值\t<5%", "a <b", "<p>甲</p>", "甲<乙"] {
            assert_eq!(wrapped_tag(&[line, "≥90%>"], 0), None, "{line}");
        }
        let far: Vec<&str> = std::iter::once("<p class=x")
            .chain(std::iter::repeat_n("style='a'", WRAPPED_TAG_LINES))
            .chain(std::iter::once("y>乙</p>"))
            .collect();
        assert_eq!(wrapped_tag(&far, 0), None);
        // A table among the lines is left to the table reader.
        let table = ["<p class=x", "y>甲</p><table><tr><td>a</td></tr></table>"];
        assert_eq!(wrapped_tag(&table, 0), None);
    }

    proptest::proptest! {
        /// Cutting loses nothing: each input line is its pieces joined,
        /// less white space between them, and pieces keep line order.
        #[test]
        fn rebreak_keeps_every_byte_of_every_line(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "<table>", "</table>", "<TABLE border=1>", "<tr><td>", "</td></tr>",
                "<style>", "</style>", "<head>", "</head>", "<title>", "</title>",
                "<script>", "</script>", "<p>甲</p>", "<h2>", "</h2>", "表", " ", "\n",
                "<", ">", "</", "<t", "a<table{}",
            ]), 0..30)
        ) {
            let text = parts.concat();
            let raw: Vec<&str> = text.split('\n').collect();
            if let Some((p, n)) = pieces(&raw) {
                proptest::prop_assert_eq!(p.len(), n.len());
                proptest::prop_assert!(n.windows(2).all(|w| w[0] <= w[1]));
                for (k, line) in raw.iter().enumerate() {
                    let mine: Vec<&str> = p
                        .iter()
                        .zip(&n)
                        .filter(|(_, m)| **m == k + 1)
                        .map(|(s, _)| s.as_str())
                        .collect();
                    proptest::prop_assert!(!mine.is_empty(), "line {} lost", k + 1);
                    let squeezed = |s: &str| s.split_whitespace().collect::<String>();
                    proptest::prop_assert_eq!(squeezed(&mine.concat()), squeezed(line));
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn the_fast_reading_never_disagrees_with_the_parser(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "<p>", "</p>", "<br>", "<br/>", "</br>", "<div>", "</div>", "<span>", "</span>",
                "<h2 style=\"a\">", "</h2>", "<h3>", "</h3>", "<input type=\"checkbox\"/>",
                "<input checked type=checkbox>", "<input type='text'>", "<i>", "</i>",
                "甲", "乙 丙", " ", "\n", "a", "☑", ">", "<", "&amp;",
            ]), 0..14)
        ) {
            agrees(&parts.concat());
        }
    }
}
