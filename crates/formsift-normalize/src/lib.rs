//! Normalise: decoded text in any notation → the document model.
//!
//! This crate owns turning input into rows of cells with clean text: tab
//! splitting; space-aligned OCR text and `pdftotext -layout` output (cells at
//! runs of spaces, `layout`); HTML fragments and whole `<table>`s with
//! `rowspan`/`colspan` as cell merges (parsed with `scraper`, `html`; the
//! plain markup converters put inside cells is read without a tree; a page
//! written on one line is cut where pretty-printed HTML breaks its lines);
//! a tab-separated cell quoted over several lines as spreadsheets save one
//! (`quoted`); comma-separated values of a `.csv` file (`csv`, through
//! [`normalize_csv`]); markdown pipe tables (`pulldown-cmark`; plain ones, with no inline markup,
//! are split directly; rows broken by a hard break joined) and pipe tables
//! without a delimiter row (Textile, Jira, Org), pandoc grid tables
//! (`grid`) and simple/multiline tables with columns from their dash runs,
//! reStructuredText's simple tables ruled with `=` among them (`dashed`);
//! AsciiDoc tables between `|===` fences, spans from cell specs
//! (`asciidoc`); MediaWiki tables, spans from `rowspan`/`colspan`
//! (`mediawiki`); markup lines without content around tables: reStructuredText directives
//! and Org property drawers (`markup_lines`); character references left in
//! text that is not HTML (`entities`);
//! LaTeX `tabular`/`longtable` with `\multirow`/`\multicolumn` (`tabular`)
//! and LaTeX math (replaced by the table in `pipeline.toml`); Tesseract TSV,
//! hOCR and ALTO word boxes rebuilt into lines and cells from their
//! positions (`ocr`). Each row keeps the input lines it came from and the
//! notations it used. It never fails on content and must not interpret what
//! cells mean; no parser type leaves this crate.

mod asciidoc;
mod classes;
mod csv;
mod dashed;
mod entities;
mod grid;
mod html;
mod latex;
mod layout;
mod markdown;
mod markup_lines;
mod mediawiki;
mod ocr;
mod quoted;
#[doc(hidden)]
pub mod readers;
mod spans;
mod tabular;

use formsift_config::Config;
use formsift_model::{
    Cell, Document, Grid, GridRow, Layout, Line, Merge, Notation, Notations, own_key, squeeze,
};

/// One row of cells as a reader found it, before cell text is cleaned.
pub(crate) struct Row {
    /// First and last input line.
    pub source: [usize; 2],
    pub layout: Layout,
    /// Cell texts (raw: LaTeX math and paragraphs still to tidy) and merges.
    pub cells: Vec<(String, Merge)>,
    pub notations: Notations,
    /// Where each cell stood, in display columns, when the reader knows (one
    /// per cell, else empty).
    pub spans: Vec<[u32; 2]>,
}

impl Row {
    /// A line of markup without content (a rule of the page).
    pub(crate) fn markup(number: usize) -> Row {
        Row {
            source: [number, number],
            spans: Vec::new(),
            layout: Layout::Rule,
            cells: Vec::new(),
            notations: Notations::new(),
        }
    }

    /// A line of text outside any table, read the line-based way (tabs,
    /// markup, spaces).
    pub(crate) fn text_line(number: usize, text: &str) -> Row {
        let mut notations = Notations::new();
        let cell = |t: &str| (t.to_string(), Merge::None);
        let (layout, cells) = if is_blank(text) {
            (Layout::Blank, Vec::new())
        } else if text.contains('\t') {
            notations.push(Notation::Tsv);
            (Layout::Columns, split_tabs(text, cell))
        } else if let Some(inner) = html::spaced_paragraph(text) {
            // A line of text laid out by spaces that a converter wrapped in
            // a paragraph: read like the line itself.
            notations.push(Notation::Html);
            notations.push(Notation::Spaced);
            (Layout::Spaced, split_spaces(inner, cell))
        } else if html::has_markup(text) {
            (Layout::Columns, vec![cell(text)])
        } else {
            notations.push(Notation::Spaced);
            (Layout::Spaced, split_spaces(text, cell))
        };
        Row {
            source: [number, number],
            spans: Vec::new(),
            layout,
            cells,
            notations,
        }
    }
}

/// The cell texts of each row (for the readers' tests).
#[cfg(test)]
pub(crate) fn texts(rows: &[Row]) -> Vec<Vec<&str>> {
    rows.iter()
        .map(|r| r.cells.iter().map(|(t, _)| t.as_str()).collect())
        .collect()
}

/// Normalises decoded comma-separated values (a sheet exported as `.csv`)
/// into a document: a line per record, numbered by the input line it
/// starts on, its source all the lines a quoted field ran over.
pub fn normalize_csv(text: &str, config: &Config) -> Document {
    let text = text.strip_suffix('\n').unwrap_or(text);
    let raw: Vec<&str> = text.split('\n').collect();
    let rows = csv::rows(&raw);
    let mut doc = Builder::with_capacity(rows.len(), config);
    doc.extend(rows);
    doc.finish()
}

/// Normalises decoded text into a document of numbered lines of cells.
pub fn normalize(text: &str, config: &Config) -> Document {
    // The lines, split at every newline the memchr crate finds (`split`
    // restarts a search per line).
    let mut raw: Vec<&str> = Vec::with_capacity(text.len() / 32);
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', text.as_bytes()) {
        raw.push(&text[start..end]);
        start = end + 1;
    }
    raw.push(&text[start..]);
    let raw = if raw.last() == Some(&"") && raw.len() > 1 {
        &raw[..raw.len() - 1]
    } else {
        &raw[..]
    };
    if let Some(kind) = ocr::detect(text) {
        let rows = ocr::read(kind, raw);
        let mut doc = Builder::with_capacity(rows.len(), config);
        doc.extend(rows);
        return doc.finish();
    }
    // The bytes that steer how each line is read, found in one pass per
    // line (a memchr per question cost more).
    let marks: Vec<u8> = raw.iter().map(|l| line_marks(l)).collect();
    // Markup written without line breaks is read as if pretty printed (the
    // pieces keep the number of the input line they were cut from).
    let (pieces, numbers) = html::rebreak(raw, &marks, LT).unzip();
    let (raw, marks) = match &pieces {
        Some(p) => (&p[..], p.iter().map(|l| line_marks(l)).collect()),
        None => (raw, marks),
    };
    let non_blank = raw.iter().filter(|l| !is_blank(l)).count().max(1);
    let with_tabs = marks.iter().filter(|m| *m & TAB != 0).count();
    let tsv_doc = with_tabs as f64 / non_blank as f64 >= config.notation.tsv_share;
    let tab_context = tsv_doc.then(|| tab_context(raw, &marks, config.notation.tsv_reach));
    let mut pipe_rows = markdown::pipe_tables(raw);
    // (One memchr over the text first: most documents hold no backslash.)
    let latex_doc =
        memchr::memchr(b'\\', text.as_bytes()).is_some() && tabular::is_latex_document(raw);
    let layout_doc = !tsv_doc && layout::is_layout_document(raw);

    // Each row becomes a line as soon as it is read, while its cells are
    // still in cache (a list of every row first, cleaned at the end, went
    // over all of them again).
    let mut rows = Builder::with_capacity(raw.len(), config);
    rows.numbers = numbers;
    let mut i = 0;
    while i < raw.len() {
        let line = raw[i];
        if marks[i] & LT != 0 {
            if let Some(end) = html::hidden_block(raw, i) {
                i = end + 1;
                continue;
            }
            if let Some((end, block)) = html::table_block(raw, i) {
                rows.extend(block);
                i = end + 1;
                continue;
            }
            if let Some(end) = html::wrapped_tag(raw, i) {
                // A start tag wrapped over lines: the lines are one line of
                // markup, read from all of them.
                let mut row = Row::text_line(i + 1, &raw[i..=end].join("\n"));
                row.source = [i + 1, end + 1];
                rows.push(row);
                i = end + 1;
                continue;
            }
        }
        if latex_doc && let Some((end, block)) = tabular::block(raw, i) {
            rows.extend(block);
            i = end + 1;
            continue;
        }
        // The first byte past the indent steers the table readers below.
        let lead = first_after_space(line);
        if lead == Some(b'{')
            && let Some((end, block)) = mediawiki::block(raw, i)
        {
            rows.extend(block);
            i = end + 1;
            continue;
        }
        if (lead == Some(b'[') || lead == Some(b'|') && line.trim_start().starts_with("|==="))
            && let Some((end, block)) = asciidoc::block(raw, i)
        {
            rows.extend(block);
            i = end + 1;
            continue;
        }
        if lead == Some(b'+')
            && let Some((end, block)) = grid::block(raw, i)
        {
            rows.extend(block);
            i = end + 1;
            continue;
        }
        if marks[i] & COLON != 0 && markdown::is_fence(line) {
            rows.push(Row {
                source: [i + 1, i + 1],
                spans: Vec::new(),
                layout: Layout::Rule,
                cells: Vec::new(),
                notations: Notations::of(Notation::Markdown),
            });
            i += 1;
            continue;
        }
        if marks[i] & COLON != 0
            && lead == Some(b':')
            && let Some(end) = markup_lines::drawer_end(raw, i)
        {
            // An Org property drawer: markup to its `:END:`.
            rows.extend((i..=end).map(|j| Row::markup(j + 1)));
            i = end + 1;
            continue;
        }
        if marks[i] & COLON != 0
            && lead == Some(b'.')
            && let Some(title) = markup_lines::directive(line)
        {
            // reStructuredText markup: a title it prints is a line of text,
            // the rest (and the options under it) is no content.
            let indent = markup_lines::indent(line);
            rows.push(match title {
                Some(text) => Row::text_line(i + 1, text),
                None => Row::markup(i + 1),
            });
            i += 1;
            while i < raw.len() && markup_lines::is_option(raw[i], indent) {
                rows.push(Row::markup(i + 1));
                i += 1;
            }
            continue;
        }
        if let Some(text) = (marks[i] & HASH != 0)
            .then(|| markdown::heading(line))
            .flatten()
        {
            let mut row = Row::text_line(i + 1, text);
            row.notations.push(Notation::Markdown);
            rows.push(row);
            i += 1;
            continue;
        }
        if (marks[i] & DASH != 0)
            | (lead == Some(b'='))
            | raw
                .get(i + 1)
                .is_some_and(|l| starts_with_after_space(l, b'-'))
            && let Some((end, block)) = dashed::block(raw, i)
        {
            rows.extend(block);
            i = end + 1;
            continue;
        }
        if layout_doc
            && !pipe_rows.contains_key(&i)
            && !is_blank(line)
            && marks[i] & TAB == 0
            && !html::has_markup(line)
        {
            let end = layout::block_end(raw, i);
            rows.extend(layout::block(raw, i, end, config));
            i = end + 1;
            continue;
        }
        if tsv_doc
            && marks[i] & DQUOTE != 0
            && let Some((end, row)) = quoted::row(raw, i)
        {
            // A cell with line breaks, quoted as spreadsheets save it.
            rows.push(row);
            i = end + 1;
            continue;
        }
        let number = i + 1;
        let row = if is_blank(line) {
            Row::text_line(number, "")
        } else if let Some(cells) = (!pipe_rows.is_empty())
            .then(|| pipe_rows.remove(&i))
            .flatten()
        {
            // (Taken, not copied: each line is read once. A document without
            // pipe tables is not hashed line by line.)
            Row {
                source: [number, number],
                spans: Vec::new(),
                layout: if cells.is_some() {
                    Layout::Columns
                } else {
                    Layout::Rule
                },
                cells: match cells {
                    Some(cells) => cells.into_iter().map(|c| (c, Merge::None)).collect(),
                    None => Vec::new(),
                },
                notations: Notations::of(Notation::Markdown),
            }
        } else if latex_doc {
            tabular::text_line(number, line)
        } else if tab_context.as_ref().is_some_and(|c| c[i]) && marks[i] & TAB == 0 {
            Row {
                source: [number, number],
                spans: Vec::new(),
                layout: Layout::Columns,
                cells: vec![(line.to_string(), Merge::None)],
                notations: Notations::new(),
            }
        } else {
            // (A line without a classed byte holds cells without one.)
            let row = Row::text_line(number, line);
            rows.push_classed(row, marks[i] & CLASSED != 0);
            i += 1;
            continue;
        };
        rows.push(row);
        i += 1;
    }
    rows.finish()
}

/// Normalises rows read from a file that stores cells (a workbook or a Word
/// document): each row becomes one line, numbered in reading order, with its
/// merges as read; paragraphs of running text are read like lines of text.
/// The grid's places become the document's.
pub fn normalize_grid(grid: Grid, config: &Config) -> Document {
    let notation = grid.notation;
    let mut doc = Builder::with_capacity(grid.rows.len(), config);
    let rows = grid.rows.into_iter().enumerate().map(|(k, row)| {
        let number = k + 1;
        let mut row = match row {
            GridRow::Text(text) => Row::text_line(number, &text.replace('\n', " ")),
            GridRow::Cells(cells) => Row {
                source: [number, number],
                layout: if cells.iter().all(|(t, _)| t.trim().is_empty()) {
                    Layout::Blank
                } else {
                    Layout::Columns
                },
                cells,
                notations: Notations::new(),
                spans: Vec::new(),
            },
        };
        // The file's notation replaces what a paragraph's text looked
        // like (a paragraph split at spaces is not OCR text).
        row.notations = notation.into_iter().collect();
        row
    });
    doc.extend(rows);
    let mut doc = doc.finish();
    doc.places = grid.places;
    doc
}

/// For each line of a tab-separated document, whether it stands among tab
/// lines: a tab line or the document's edge within `reach` non-blank lines
/// on both sides. Such a line without tabs is one cell (a title, a
/// paragraph between rows); a line outside (a form laid out by spaces that
/// the file joins to tab-separated ones) is split at spaces like any
/// space-aligned text.
fn tab_context(raw: &[&str], marks: &[u8], reach: usize) -> Vec<bool> {
    // Non-blank lines since the last tab line (or the start), each way.
    let mut since = vec![0usize; raw.len()];
    let mut n = 0;
    for (i, l) in raw.iter().enumerate() {
        if marks[i] & TAB != 0 {
            n = 0;
        } else if !is_blank(l) {
            n += 1;
        }
        since[i] = n;
    }
    let mut out = vec![false; raw.len()];
    let mut n = 0;
    for i in (0..raw.len()).rev() {
        if marks[i] & TAB != 0 {
            n = 0;
        } else if !is_blank(raw[i]) {
            n += 1;
        }
        out[i] = since[i] <= reach && n <= reach;
    }
    out
}

/// True when the text is empty or all white space. Most lines start with a
/// character that cannot be white space (a CJK ideograph, a letter, a pipe);
/// those are answered from the first byte, without decoding from both ends.
fn is_blank(text: &str) -> bool {
    match text.as_bytes().first() {
        None => true,
        Some(&b) if formsift_model::may_start_space(b) => {
            formsift_model::trim_start(text).is_empty()
        }
        Some(_) => false,
    }
}

/// True when the text, past leading white space, starts with `byte` (ASCII).
fn starts_with_after_space(text: &str, byte: u8) -> bool {
    first_after_space(text) == Some(byte)
}

/// The first byte past leading white space (trimming only when the first
/// byte may start a space).
fn first_after_space(text: &str) -> Option<u8> {
    match text.as_bytes().first() {
        Some(&b) if formsift_model::may_start_space(b) => {
            formsift_model::trim_start(text).as_bytes().first().copied()
        }
        first => first.copied(),
    }
}

/// Marks [`line_marks`] reports: a tab, a `<`, a `#`, a `-`, a `:`, a `"`,
/// and any byte of the [`byte_classes`] but the tab (a line without one
/// holds cells of no class: their scans are skipped).
const TAB: u8 = 1;
const LT: u8 = 2;
const HASH: u8 = 4;
const DASH: u8 = 8;
const COLON: u8 = 16;
const DQUOTE: u8 = 32;
const CLASSED: u8 = 64;

/// Which of the marks a line holds.
fn line_marks(line: &str) -> u8 {
    static MARKS: [u8; 256] = classes::table(&[
        (b'\t', TAB),
        (b'<', LT | CLASSED),
        (b'#', HASH),
        (b'-', DASH),
        (b':', COLON),
        (b'"', DQUOTE | CLASSED),
        (b'\\', CLASSED),
        (b'$', CLASSED),
        (b'\n', CLASSED),
        (0x0B, CLASSED),
        (0x0C, CLASSED),
        (b'\r', CLASSED),
        (b' ', CLASSED),
        (0xC2, CLASSED),
        (0xE1, CLASSED),
        (0xE2, CLASSED),
        (0xE3, CLASSED),
        (b'&', CLASSED),
    ]);
    classes::of(line, &MARKS)
}

/// Numbers rows as they come and cleans their cells: the document being
/// built.
struct Builder<'c> {
    lines: Vec<Line>,
    config: &'c Config,
    /// When the readers read pieces of input lines (see
    /// [`html::rebreak`]), the input line of each piece: rows' sources are
    /// numbered by piece and given the input's numbers here.
    numbers: Option<Vec<usize>>,
}

impl<'c> Builder<'c> {
    fn with_capacity(rows: usize, config: &'c Config) -> Builder<'c> {
        Builder {
            lines: Vec::with_capacity(rows),
            config,
            numbers: None,
        }
    }

    /// Adds the rows of a block, in order.
    fn extend(&mut self, rows: impl IntoIterator<Item = Row>) {
        for row in rows {
            self.push(row);
        }
    }

    /// Adds one row as the next line.
    fn push(&mut self, row: Row) {
        self.push_classed(row, true);
    }

    /// [`Builder::push`] of a row whose cells hold no byte of the
    /// [`byte_classes`] when `classed` is false (known from its line).
    fn push_classed(&mut self, row: Row, classed: bool) {
        let config = self.config;
        let mut notations = row.notations;
        let mut cells = Vec::with_capacity(row.cells.len());
        let spans = (row.spans.len() == row.cells.len()).then_some(row.spans);
        for (k, (t, merge)) in row.cells.into_iter().enumerate() {
            let first = cells.len();
            // (One scan of the bytes says both whether a tag may stand in
            // the cell and which repairs its text may need.)
            let found = if classed { byte_classes(&t) } else { 0 };
            debug_assert_eq!(found, byte_classes(&t), "{t:?}");
            if found & LT != 0 && html::has_markup(&t) {
                notations.push(Notation::Html);
                for p in html::clean_cell(&t) {
                    let found = byte_classes(&p);
                    push_cell(&mut cells, p, found, &mut notations, config);
                }
            } else {
                push_cell(&mut cells, t, found, &mut notations, config);
            }
            if let Some(c) = cells.last_mut() {
                c.merge = merge;
            }
            if let Some(span) = spans.as_ref().map(|s| s[k]) {
                for c in &mut cells[first..] {
                    c.span = Some(span);
                }
            }
        }
        let layout = if row.layout == Layout::Columns && markdown::is_delimiter_row(&cells) {
            notations.push(Notation::Markdown);
            Layout::Rule
        } else {
            row.layout
        };
        let source = match &self.numbers {
            Some(n) => row
                .source
                .map(|s| n.get(s.wrapping_sub(1)).copied().unwrap_or(s)),
            None => row.source,
        };
        self.lines.push(Line {
            number: self.lines.len() + 1,
            source,
            layout,
            cells,
            notations,
        });
    }

    fn finish(self) -> Document {
        Document {
            lines: self.lines,
            places: Vec::new(),
        }
    }
}

/// A line split at runs of white space, each piece made into a cell by `f`
/// (no list of pieces in between). A comparator standing alone before a
/// figure (`> 80人`, `≥ 90%`) is not a cell of its own: it stays with the
/// figure.
fn split_spaces<'a, T>(line: &'a str, f: impl Fn(&'a str) -> T) -> Vec<T> {
    // Room for a typical line's pieces at once (a collect from a filter
    // starts small and grows).
    let mut out = Vec::with_capacity(8);
    let mut pieces = space_pieces(line).peekable();
    while let Some(piece) = pieces.next() {
        if is_comparator(piece)
            && let Some(next) = pieces.next_if(|n| n.starts_with(|c: char| c.is_ascii_digit()))
        {
            // Both are slices of `line`: the cell runs from one to the other.
            let start = piece.as_ptr() as usize - line.as_ptr() as usize;
            let end = next.as_ptr() as usize - line.as_ptr() as usize + next.len();
            out.push(f(&line[start..end]));
            continue;
        }
        out.push(f(piece));
    }
    out
}

/// The pieces of a line between runs of white space (`char::is_whitespace`),
/// none empty. Bytes that cannot start a white-space character (most of a
/// line: ideographs, letters, figures) are passed over without decoding.
fn space_pieces(line: &str) -> impl Iterator<Item = &str> {
    let b = line.as_bytes();
    // The character at `i` (a char boundary): its length in bytes, and
    // whether it is white space.
    let char_at = move |i: usize| -> (usize, bool) {
        let c = b[i];
        if c < 0x80 {
            (1, matches!(c, 9..=13 | b' '))
        } else if formsift_model::may_start_space(c) {
            let ch = line[i..].chars().next().expect("a char boundary");
            (ch.len_utf8(), ch.is_whitespace())
        } else {
            (formsift_model::utf8_len(c), false)
        }
    };
    let mut i = 0;
    std::iter::from_fn(move || {
        // Past the white space, then to the next.
        let mut start = None;
        while i < b.len() {
            let (n, space) = char_at(i);
            match (space, start) {
                (false, None) => start = Some(i),
                (true, Some(s)) => return Some(&line[s..i]),
                _ => {}
            }
            i += n;
        }
        start.map(|s| &line[s..])
    })
}

/// True when a piece of text is only a comparator (`>`, `>=`, `≥`, `＝`).
fn is_comparator(piece: &str) -> bool {
    piece.len() <= 6
        && piece.chars().all(|c| {
            matches!(
                c,
                '<' | '>' | '=' | '≥' | '≤' | '≧' | '≦' | '＜' | '＞' | '＝'
            )
        })
}

/// The tab-separated cells of a line. Tabs are ASCII, so splitting the bytes
/// keeps every piece valid UTF-8; the tabs are found with memchr (many bytes
/// a step), not byte by byte. Each piece is made into a cell by `f`.
fn split_tabs<'a, T>(line: &'a str, f: impl Fn(&'a str) -> T) -> Vec<T> {
    // (Room for a table line of an indicator table, up to twelve columns.)
    let mut out = Vec::with_capacity(12);
    let mut start = 0;
    for i in memchr::memchr_iter(b'\t', line.as_bytes()) {
        out.push(f(&line[start..i]));
        start = i + 1;
    }
    out.push(f(&line[start..]));
    out
}

/// Adds one cell: LaTeX replaced, paragraphs tidied. A cell that needs
/// none of it keeps its string (no copy). `found`, its [`byte_classes`],
/// says which repairs can apply; the rest are skipped.
fn push_cell(
    cells: &mut Vec<Cell>,
    raw: String,
    found: u8,
    notations: &mut Notations,
    config: &Config,
) {
    use std::borrow::Cow;
    let col = cells.len();
    // Any white space at all, looked for past the byte classes only when a
    // lead byte of a wide space was seen.
    let spaced = found & SPACE != 0 || (found & WIDE != 0 && formsift_model::has_space(&raw));
    // (A cell with white space is trimmed once; it is looked up as a
    // placeholder only when short enough to be one.)
    let trimmed: &str = if spaced {
        formsift_model::trim(&raw)
    } else {
        &raw
    };
    let placeholder = || {
        if spaced {
            raw.len() < 64 && config.is_empty_cell(trimmed)
        } else {
            config.is_empty_cell(&raw)
        }
    };
    if trimmed.is_empty() || placeholder() {
        cells.push(Cell::new(col, String::new()));
        return;
    }
    let (text, replaced) = if found & LATEX != 0 {
        latex::replace(&raw, &config.notation.latex)
    } else {
        (Cow::Borrowed(raw.as_str()), false)
    };
    if replaced {
        notations.push(Notation::Latex);
    }
    // Character references a converter escaped text with (`&gt;=608人`).
    let decoded = if found & AMP != 0 {
        match entities::decode(&text) {
            Cow::Owned(s) => Some(s),
            Cow::Borrowed(_) => None,
        }
    } else {
        None
    };
    let text = decoded.map_or(text, Cow::Owned);
    let quoted = if config.notation.cjk_quotes && found & QUOTE != 0 {
        cjk_quotes(&text)
    } else {
        Cow::Borrowed(&*text)
    };
    let (key, text) = match (&text, quoted) {
        // Nothing replaced and no white space: the text is its own key.
        (Cow::Borrowed(_), Cow::Borrowed(_)) if !spaced => (None, raw),
        (Cow::Borrowed(_), Cow::Borrowed(_)) if is_tidy(&raw) => (Some(squeeze(&raw)), raw),
        (_, quoted) => {
            let t = tidy(&quoted);
            (own_key(&t), t)
        }
    };
    cells.push(Cell::with_key(col, text, key));
}

/// Byte classes [`byte_classes`] reports: a LaTeX command or math sign, a
/// straight double quote, ASCII white space, a lead byte of a wide space
/// (U+0085, U+00A0, U+1680, U+2000–U+205F, U+3000), an `&` (a character
/// reference, perhaps), a `<` (a tag, perhaps: the same bit as
/// [`line_marks`]' `<`).
const LATEX: u8 = 1;
const QUOTE: u8 = 4;
const SPACE: u8 = 8;
const WIDE: u8 = 16;
const AMP: u8 = 32;
const _: () = assert!(LT == 2);

/// Which byte classes a text holds.
fn byte_classes(text: &str) -> u8 {
    static CLASSES: [u8; 256] = classes::table(&[
        (b'\\', LATEX),
        (b'$', LATEX),
        (b'"', QUOTE),
        (b'\t', SPACE),
        (b'\n', SPACE),
        (0x0B, SPACE),
        (0x0C, SPACE),
        (b'\r', SPACE),
        (b' ', SPACE),
        (0xC2, WIDE),
        (0xE1, WIDE),
        (0xE2, WIDE),
        (0xE3, WIDE),
        (b'&', AMP),
        (b'<', LT),
    ]);
    classes::of(text, &CLASSES)
}

/// True when [`tidy`] would return the text unchanged: one paragraph, no
/// white space at either end.
fn is_tidy(text: &str) -> bool {
    !text.contains('\n') && formsift_model::trim(text).len() == text.len()
}

/// Straight double quotes around CJK text made `“ ”`: only when they pair up
/// and each one touches a CJK character or CJK punctuation.
fn cjk_quotes(text: &str) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    if !text.contains('"') {
        return Cow::Borrowed(text);
    }
    let chars: Vec<char> = text.chars().collect();
    let cjk = |c: Option<&char>| {
        c.is_some_and(|&c| {
            ('\u{3400}'..='\u{9fff}').contains(&c)
                || ('\u{3000}'..='\u{303f}').contains(&c)
                || ('\u{ff00}'..='\u{ffef}').contains(&c)
        })
    };
    let quotes: Vec<usize> = (0..chars.len()).filter(|&i| chars[i] == '"').collect();
    let touches =
        |i: usize| cjk(i.checked_sub(1).and_then(|p| chars.get(p))) || cjk(chars.get(i + 1));
    if !quotes.len().is_multiple_of(2) || !quotes.iter().all(|&i| touches(i)) {
        return Cow::Borrowed(text);
    }
    let mut open = true;
    let out = chars
        .iter()
        .map(|&c| {
            if c == '"' {
                open = !open;
                if open { '”' } else { '“' }
            } else {
                c
            }
        })
        .collect();
    Cow::Owned(out)
}

/// Trims a cell and each of its paragraphs.
pub(crate) fn tidy(text: &str) -> String {
    if !text.contains('\n') {
        return text.trim().to_string();
    }
    let paragraphs: Vec<&str> = text
        .split('\n')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    paragraphs.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Document {
        normalize(text, &Config::embedded())
    }

    #[test]
    fn a_comparator_alone_before_a_figure_stays_with_it() {
        let texts = |line: &str| {
            let row = Row::text_line(1, line);
            row.cells.into_iter().map(|(t, _)| t).collect::<Vec<_>>()
        };
        assert_eq!(
            texts("慰问困难职工次数 > 80人 =80人 5"),
            ["慰问困难职工次数", "> 80人", "=80人", "5"]
        );
        assert_eq!(texts("≥ 90% 得分"), ["≥ 90%", "得分"]);
        // Not before a figure, or not alone: cells as split.
        assert_eq!(texts("> 优秀 a>= 1"), [">", "优秀", "a>=", "1"]);
    }

    /// The rules, parsed once for the property tests.
    static EMBEDDED: std::sync::LazyLock<Config> = std::sync::LazyLock::new(Config::embedded);

    proptest::proptest! {
        /// The pieces between white space are those `str::split` finds.
        #[test]
        fn space_pieces_are_the_split_at_white_space(
            line in "[a甲、１\u{3000}\u{a0}\u{85}\u{2003}\u{2028}\u{205f}\u{1680}\u{1681}\u{2060}\u{e3}é😀 \t\n\r\x0b\x0c]{0,16}"
        ) {
            let want: Vec<&str> = line.split(char::is_whitespace).filter(|t| !t.is_empty()).collect();
            proptest::prop_assert_eq!(space_pieces(&line).collect::<Vec<_>>(), want);
        }
    }

    proptest::proptest! {
        /// The shortcuts of `push_cell` give what the full repair gives:
        /// LaTeX replaced, quotes made Chinese, paragraphs tidied, and the
        /// key without white space.
        #[test]
        fn a_cell_is_its_full_repair(raw in "[甲乙、。“ \u{3000}\u{a0}\n\t$\\\\geq90%\"a]{0,12}") {
            let config = &*EMBEDDED;
            let (latex, _) = latex::replace(&raw, &config.notation.latex);
            let want = tidy(&cjk_quotes(&latex));
            let mut cells = Vec::new();
            push_cell(
                &mut cells,
                raw.clone(),
                byte_classes(&raw),
                &mut Notations::new(),
                config,
            );
            let want_text = if raw.trim().is_empty() { String::new() } else { want };
            proptest::prop_assert_eq!(&cells[0].text, &want_text);
            proptest::prop_assert_eq!(cells[0].key(), &squeeze(&want_text));
        }

        /// The first-byte shortcuts answer what trimming answers, for every
        /// kind of white space and first character.
        #[test]
        fn blank_and_leading_byte_tests_agree_with_trim(
            s in "[ \t\r\u{b}\u{c}\u{85}\u{a0}\u{1680}\u{2003}\u{205f}\u{3000}\u{2028}+\\-a甲|é—]{0,6}"
        ) {
            proptest::prop_assert_eq!(is_blank(&s), s.trim().is_empty());
            for b in [b'+', b'-'] {
                proptest::prop_assert_eq!(
                    starts_with_after_space(&s, b),
                    s.trim_start().starts_with(b as char)
                );
            }
        }
    }

    #[test]
    fn a_text_taken_as_tidy_is_one_tidy_returns_unchanged() {
        for t in [
            "甲",
            " 甲",
            "甲 ",
            "甲\n乙",
            "a b",
            "\u{3000}甲",
            "甲\t",
            "x\n",
            "\n",
        ] {
            if is_tidy(t) {
                assert_eq!(tidy(t), t, "{t:?}");
            }
        }
        assert!(is_tidy("甲") && is_tidy("a b"));
        assert!(!is_tidy(" 甲") && !is_tidy("甲\n乙") && !is_tidy("\u{3000}甲"));
    }

    #[test]
    fn straight_quotes_around_cjk_become_chinese_quotes() {
        assert_eq!(cjk_quotes("退休职工\"三定\"帮困"), "退休职工“三定”帮困");
        assert_eq!(cjk_quotes("\"五一\"专项"), "“五一”专项");
        assert_eq!(cjk_quotes("12\" 屏幕"), "12\" 屏幕", "unpaired");
        assert_eq!(cjk_quotes("say \"hi\" 好"), "say \"hi\" 好", "Latin");
    }

    #[test]
    fn tabs_split_like_str_split() {
        for line in ["", "\t", "a\tb", "甲\t\t乙\t", "\t项目名称\t甲"] {
            assert_eq!(
                split_tabs(line, |t| t),
                line.split('\t').collect::<Vec<_>>(),
                "{line:?}"
            );
        }
    }

    #[test]
    fn tab_lines_keep_columns_and_blank_lines_stay() {
        let d = doc("标题\n\n项目名称\t甲\t\t项目性质\t乙\n\t\t\n");
        assert_eq!(d.lines.len(), 4);
        assert_eq!(d.lines[1].layout, Layout::Blank);
        let l = &d.lines[2];
        assert_eq!(l.cells.len(), 5);
        assert_eq!((l.cells[3].col, l.cells[3].text.as_str()), (3, "项目性质"));
        assert_eq!(l.notations, [Notation::Tsv]);
        assert_eq!(d.lines[3].layout, Layout::Blank);
    }

    /// In a tab-separated document a line without tabs among tab lines is
    /// one cell; a block laid out by spaces, further than `tsv-reach`
    /// non-blank lines from any tab line, is split at spaces.
    #[test]
    fn a_spaced_block_in_a_tab_document_is_split_at_spaces() {
        let reach = Config::embedded().notation.tsv_reach;
        let spaced: Vec<String> = (0..reach + 3).map(|k| format!("甲{k} 乙 丙")).collect();
        let tabbed = (0..3 * reach)
            .map(|k| format!("甲{k}\t乙\t丙"))
            .collect::<Vec<_>>();
        let text = format!("{}\n题 目 一\n{}\n", spaced.join("\n"), tabbed.join("\n"));
        let d = doc(&text);
        // The spaced block's first line: far from every tab line.
        assert_eq!(d.lines[0].cells.len(), 3);
        assert_eq!(d.lines[0].layout, Layout::Spaced);
        // Its last line is near tab lines after it, but not before it.
        assert_eq!(d.lines[reach + 2].cells.len(), 3);
        // So is the line right before the tab block: a tab line follows,
        // but neither a tab line nor the edge is within reach before it.
        let l = &d.lines[reach + 3];
        assert_eq!(l.cells.len(), 3, "{:?}", l.cells);
        // … while a line without tabs inside the tab block is one cell.
        let inner = format!(
            "{}\n说明 文字 一段\n{}\n",
            tabbed.join("\n"),
            tabbed.join("\n")
        );
        let d = doc(&inner);
        let l = &d.lines[3 * reach];
        assert_eq!(l.cells.len(), 1, "{:?}", l.cells);
        assert_eq!(l.cells[0].text, "说明 文字 一段");
    }

    /// A line of space-aligned text wrapped in one `<p>` is read like the
    /// line; a paragraph without white space, or with other markup, is one
    /// cell as before.
    #[test]
    fn a_spaced_line_in_a_paragraph_is_split_at_spaces() {
        let d =
            doc("<p>一级指标 二级指标  三级指标</p>\n<p>（2019年度）</p>\n<p>甲 <b>乙</b></p>\n");
        let l = &d.lines[0];
        assert_eq!(l.layout, Layout::Spaced);
        let texts: Vec<&str> = l.cells.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["一级指标", "二级指标", "三级指标"]);
        assert_eq!(l.notations, [Notation::Html, Notation::Spaced]);
        for l in &d.lines[1..] {
            assert_eq!((l.layout, l.cells.len()), (Layout::Columns, 1), "{l:?}");
        }
    }

    #[test]
    fn spaced_documents_split_at_space_runs() {
        let d =
            doc("项目名称 帮困慰问 项目类别 专项资金□  经常性项目\n指标3：送清凉人数 >=855人\n");
        let t: Vec<_> = d.lines[0].cells.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            t,
            [
                "项目名称",
                "帮困慰问",
                "项目类别",
                "专项资金□",
                "经常性项目"
            ]
        );
        assert_eq!(d.lines[1].layout, Layout::Spaced);
    }

    #[test]
    fn latex_and_markdown_rows_are_normalised() {
        let d = doc("a\t$\\geq 90.00\\%$\n--\t-------\t---\nb\t\\leq 10.00(%)\n");
        assert_eq!(d.lines[0].cells[1].text, "≥90.00%");
        assert!(d.lines[0].notations.contains(&Notation::Latex));
        assert_eq!(d.lines[1].layout, Layout::Rule);
        assert_eq!(d.lines[1].notations, [Notation::Tsv, Notation::Markdown]);
        assert_eq!(d.lines[2].cells[1].text, "≤10.00(%)");
    }

    #[test]
    fn html_cells_become_paragraphs_and_boxes() {
        let d = doc(
            "项目类型\t新增项目 <input type=\"checkbox\"/> 经常性 <input checked=\"\" type=\"checkbox\"/>\n计划\t<p>(1) 甲。</p> <p>(2) 乙&amp;丙</p>\n",
        );
        assert_eq!(d.lines[0].cells[1].text, "新增项目 ☐ 经常性 ☑");
        assert_eq!(d.lines[1].cells[1].text, "(1) 甲。\n(2) 乙&丙");
        assert!(d.lines[1].notations.contains(&Notation::Html));
    }

    #[test]
    fn html_headings_split_cells() {
        let d = doc(
            "<h2 style=\"x\">财政项目支出绩效自评表</h2> <h3>(2023年度)</h3>\t\t\n项目名称\t甲\n",
        );
        let t: Vec<_> = d.lines[0].filled().map(|(_, c)| c.text.as_str()).collect();
        assert_eq!(t, ["财政项目支出绩效自评表", "(2023年度)"]);
    }

    #[test]
    fn markdown_pipe_tables_are_parsed() {
        let d = doc("标题\n| 一级指标 | 二级指标 |\n| --- | --- |\n| 产出指标 | 数量指标 |\n");
        assert_eq!(d.lines[1].cells[1].text, "二级指标");
        assert_eq!(d.lines[2].layout, Layout::Rule);
        assert_eq!(d.lines[3].cells[0].text, "产出指标");
        assert_eq!(d.lines[3].notations, [Notation::Markdown]);
    }

    #[test]
    fn fences_are_rules_and_latex_documents_read_their_tables() {
        let d = doc("::: form\n项目名称\t甲\n:::\n10:30\n");
        let layouts: Vec<Layout> = d.lines.iter().map(|l| l.layout).collect();
        assert_eq!(layouts[0], Layout::Rule);
        assert_eq!(layouts[2], Layout::Rule);
        assert_ne!(layouts[3], Layout::Rule);
        let d = doc("\\begin{tabular}{ll}\n一级指标 & 产出指标 \\\\\n\\end{tabular}\n");
        let cells: Vec<&str> = d
            .lines
            .iter()
            .flat_map(|l| l.filled())
            .map(|(_, c)| c.text.as_str())
            .collect();
        assert_eq!(cells, ["一级指标", "产出指标"]);
    }
}
