//! The document model: numbered lines of cells, whatever notation they came in.

use serde::Serialize;

/// A notation seen in the input, as named in `source.formats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Notation {
    /// Cells separated by tab characters.
    Tsv,
    /// OCR text whose cells are separated by runs of spaces.
    Spaced,
    /// HTML fragments or tables.
    Html,
    /// Markdown table rows or delimiter rows.
    Markdown,
    /// LaTeX math such as `$\geq 90\%$`.
    Latex,
    /// A PDF text layer.
    Pdf,
    /// hOCR word boxes.
    Hocr,
    /// An Excel 2007+ workbook.
    Xlsx,
    /// An Excel 97–2003 workbook.
    Xls,
    /// A Word 2007+ document.
    Docx,
    /// Comma-separated values (a sheet exported as `.csv`).
    Csv,
}

impl Notation {
    /// The name used in records and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Notation::Tsv => "tsv",
            Notation::Spaced => "spaced",
            Notation::Html => "html",
            Notation::Markdown => "markdown",
            Notation::Latex => "latex",
            Notation::Pdf => "pdf",
            Notation::Hocr => "hocr",
            Notation::Xlsx => "xlsx",
            Notation::Xls => "xls",
            Notation::Docx => "docx",
            Notation::Csv => "csv",
        }
    }
}

/// How the cells of a line were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// An empty or whitespace-only line (often a page break inside a table).
    Blank,
    /// Cells with reliable column positions (tabs, HTML or markdown cells).
    Columns,
    /// Cells split at runs of spaces: positions are token indices, not columns.
    Spaced,
    /// A table rule without content (a markdown delimiter row such as `--|---`).
    Rule,
}

/// One cell of a line: its column (or token index) and its cleaned text.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Column index in the source line (0-based); token index for spaced lines.
    pub col: usize,
    /// Clean text: no markup, LaTeX replaced, paragraphs joined with `\n`.
    pub text: String,
    /// The text without any white space, when that differs from the text
    /// (most cells hold none, and share the text): read through
    /// [`Cell::key`].
    key: Option<String>,
    /// How the cell is merged, when the notation says so (HTML
    /// `rowspan`/`colspan`, LaTeX `\multirow`/`\multicolumn`, grid tables).
    pub merge: Merge,
    /// Where the text stood on the page, in display columns (a CJK
    /// character counts two): first column and the column after the last.
    /// Known for text laid out by spaces and for OCR word boxes, where it is
    /// all that tells a wrapped name from a value; `None` where the notation
    /// has real columns.
    pub span: Option<[u32; 2]>,
}

/// A cell's part in a merged cell, as the notation declared it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Merge {
    /// Not merged, or the notation cannot say (tabs, spaced text).
    #[default]
    None,
    /// The top-left cell of a merged block of `rows` × `cols` grid cells.
    Origin {
        /// Rows spanned (1 or more).
        rows: u32,
        /// Columns spanned (1 or more).
        cols: u32,
    },
    /// A grid position covered by the merged cell `rows_up` rows above and
    /// `cols_left` columns to the left; it holds no text of its own.
    Covered {
        /// Rows between this position and the origin's row.
        rows_up: u32,
        /// Columns between this position and the origin's column.
        cols_left: u32,
    },
}

impl Cell {
    /// A cell at `col` holding `text`.
    pub fn new(col: usize, text: impl Into<String>) -> Cell {
        let text = text.into();
        let key = own_key(&text);
        Cell::with_key(col, text, key)
    }

    /// A cell whose key is known: `None` when the text holds no white space
    /// (the text is its own key), else the text squeezed.
    pub fn with_key(col: usize, text: String, key: Option<String>) -> Cell {
        debug_assert_eq!(
            key.as_deref().unwrap_or(&text),
            squeeze(&text),
            "a cell's key is its text without white space"
        );
        Cell {
            col,
            text,
            key,
            merge: Merge::None,
            span: None,
        }
    }

    /// The text without any white space: what the form labels, headers and
    /// vocabulary are matched against (computed once, read by every stage).
    pub fn key(&self) -> &str {
        self.key.as_deref().unwrap_or(&self.text)
    }

    /// The same cell with its merge.
    pub fn with_merge(mut self, merge: Merge) -> Cell {
        self.merge = merge;
        self
    }
}

/// A cell text's key when it is not the text itself: the text squeezed
/// when it holds white space, else `None` (see [`Cell::with_key`]).
pub fn own_key(text: &str) -> Option<String> {
    let first = first_space(text)?;
    Some(squeeze_from(text, first))
}

/// The text without white space (labels are compared this way).
pub fn squeeze(s: &str) -> String {
    match first_space(s) {
        None => s.to_string(),
        Some(first) => squeeze_from(s, first),
    }
}

/// Whether the text holds a white-space character (`char::is_whitespace`).
pub fn has_space(s: &str) -> bool {
    first_space(s).is_some()
}

/// `s` squeezed, knowing its first white space is at byte `first`: the runs
/// between white space are copied whole.
fn squeeze_from(s: &str, first: usize) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    out.push_str(&s[..first]);
    let mut i = first + space_len(b, first);
    let mut start = i;
    // (From character to character: a byte that cannot start white space
    // is passed over with the rest of its character, by the length its
    // lead byte gives.)
    while i < b.len() {
        let c = b[i];
        let n = if may_start_space(c) {
            space_len(b, i)
        } else {
            0
        };
        if n > 0 {
            out.push_str(&s[start..i]);
            i += n;
            start = i;
        } else {
            i += utf8_len(c);
        }
    }
    out.push_str(&s[start..]);
    out
}

/// The length of a UTF-8 character from its lead byte (1 for ASCII; a
/// continuation byte also gives 1).
pub fn utf8_len(lead: u8) -> usize {
    match lead {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    }
}

/// The byte offset of the first white-space character. Bytes, not
/// characters: a byte that cannot start white space (every CJK ideograph's
/// lead byte, every continuation byte) is passed over without decoding.
fn first_space(s: &str) -> Option<usize> {
    if !may_hold_space(s) {
        return None;
    }
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if may_start_space(b[i]) && space_len(b, i) > 0 {
            return Some(i);
        }
        i += utf8_len(b[i]);
    }
    None
}

/// The length in bytes of the white-space character at byte `i` (a
/// character boundary or a continuation byte), 0 when there is none. The
/// UTF-8 forms of `char::is_whitespace`: 9–13 and the space; U+0085 and
/// U+00A0 (C2 85, C2 A0); U+1680 (E1 9A 80); U+2000–U+200A, U+2028,
/// U+2029, U+202F (E2 80 xx) and U+205F (E2 81 9F); U+3000 (E3 80 80).
fn space_len(b: &[u8], i: usize) -> usize {
    let next = |k: usize| b.get(i + k).copied();
    match b[i] {
        9..=13 | b' ' => 1,
        0xC2 if matches!(next(1), Some(0x85 | 0xA0)) => 2,
        0xE1 if (next(1), next(2)) == (Some(0x9A), Some(0x80)) => 3,
        0xE2 => match (next(1), next(2)) {
            (Some(0x80), Some(0x80..=0x8A | 0xA8 | 0xA9 | 0xAF)) | (Some(0x81), Some(0x9F)) => 3,
            _ => 0,
        },
        0xE3 if (next(1), next(2)) == (Some(0x80), Some(0x80)) => 3,
        _ => 0,
    }
}

/// `s.split_whitespace()`, stepping over bytes instead of decoding each
/// character: a byte that cannot start white space (see
/// [`may_start_space`]) is passed over with the rest of its character.
/// Words of CJK text are cut several times faster than by the standard
/// split, which decodes every character and looks it up in the Unicode
/// tables.
pub fn words(s: &str) -> impl Iterator<Item = &str> {
    let b = s.as_bytes();
    let space_at = move |i: usize| {
        if may_start_space(b[i]) {
            space_len(b, i)
        } else {
            0
        }
    };
    let mut i = 0;
    std::iter::from_fn(move || {
        // Past the white space before the word.
        while i < b.len() {
            match space_at(i) {
                0 => break,
                n => i += n,
            }
        }
        if i == b.len() {
            return None;
        }
        let start = i;
        while i < b.len() && space_at(i) == 0 {
            i += utf8_len(b[i]);
        }
        Some(&s[start..i])
    })
}

/// `s.trim()`, answered from the first and last bytes when they cannot be
/// white space: cell texts are trimmed when read, and trimming them again
/// decoded a character at each end and looked it up in the Unicode tables
/// (CJK text has no ASCII to stop at).
#[inline]
pub fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    // Inline, the usual cell: a first byte that cannot start white space
    // and an ASCII last byte that cannot either, or a CJK ideograph last
    // (lead bytes E4-E9 start no white space).
    match (b.first(), b.last()) {
        (Some(&first), Some(&last))
            if !may_start_space(first)
                && if last < 0x80 {
                    !may_start_space(last)
                } else {
                    b.len() >= 3 && matches!(b[b.len() - 3], 0xE4..=0xE9)
                } =>
        {
            s
        }
        _ => trim_ends(s),
    }
}

/// [`trim`] past its inline test.
fn trim_ends(s: &str) -> &str {
    let b = s.as_bytes();
    let start_clean = b.first().is_none_or(|&x| !may_start_space(x));
    // The last character's first byte: one to four bytes from the end.
    let end_clean = match b.last() {
        None => true,
        Some(&x) if x < 0x80 => !may_start_space(x),
        Some(_) => b[b.len().saturating_sub(4)..]
            .iter()
            .rev()
            .find(|&&x| x & 0xC0 != 0x80)
            .is_some_and(|&lead| !may_start_space(lead)),
    };
    if start_clean && end_clean {
        s
    } else {
        s.trim()
    }
}

/// `s.trim_start()`: spaces and tabs passed over byte by byte, and the
/// standard trim (which decodes each character and looks it up) called only
/// when what follows them may start another white-space character. Most
/// texts start with a CJK ideograph, a digit or a run of spaces.
#[inline]
pub fn trim_start(s: &str) -> &str {
    match s.as_bytes().first() {
        Some(&x) if may_start_space(x) => trim_start_spaced(s),
        _ => s,
    }
}

/// [`trim_start`] of a text whose first byte may start white space.
fn trim_start_spaced(s: &str) -> &str {
    let b = s.as_bytes();
    let k = b
        .iter()
        .position(|&x| x != b' ' && x != b'\t')
        .unwrap_or(b.len());
    let rest = &s[k..];
    match rest.as_bytes().first() {
        Some(&x) if may_start_space(x) => rest.trim_start(),
        _ => rest,
    }
}

/// False when no byte of the text can start a white-space character (see
/// [`may_start_space`]). A branch-free scan that lets most CJK cells skip
/// decoding characters.
pub fn may_hold_space(s: &str) -> bool {
    s.bytes().fold(false, |any, b| any | in_space_net(b))
}

/// [`may_start_space`] with a wider net and fewer tests a byte: every
/// control byte and the space, 0xC2, and the lead bytes 0xE0 to 0xE3
/// (where `may_start_space` takes 0xE1 to 0xE3). Text holding such a byte
/// without white space is only looked at more closely; the scan over every
/// byte costs less. (On the bench slice: 0.47% fewer instructions.)
#[inline(always)]
fn in_space_net(b: u8) -> bool {
    (b <= b' ') | (b == 0xC2) | (b & 0xFC == 0xE0)
}

/// Whether a byte can start a white-space character: ASCII space and
/// controls 9–13, and the lead bytes of U+0085, U+00A0 (0xC2), U+1680
/// (0xE1), U+2000–U+205F (0xE2) and U+3000 (0xE3).
pub fn may_start_space(b: u8) -> bool {
    matches!(b, 9..=13 | b' ' | 0xC2 | 0xE1 | 0xE2 | 0xE3)
}

/// One input line after normalisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// 1-based row number in the document: the key stages use for a line.
    /// Equal to the input line for line-based notations; a table rebuilt from
    /// markup or word boxes may put several rows on one input line or one row
    /// over many, so `source` says where each row stands in the input.
    pub number: usize,
    /// First and last 1-based input line the row was read from.
    pub source: [usize; 2],
    /// How the cells were found.
    pub layout: Layout,
    /// All cells, including empty ones, in column order.
    pub cells: Vec<Cell>,
    /// Notations seen on this line, in order of first appearance.
    pub notations: crate::Notations,
}

impl Line {
    /// The non-empty cells of the line, in order.
    pub fn filled(&self) -> impl Iterator<Item = (usize, &Cell)> {
        self.cells
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.key().is_empty())
    }

    /// True when the line carries no text.
    pub fn is_blank(&self) -> bool {
        self.filled().next().is_none()
    }

    /// The non-empty cell texts joined by a space (for residue and review).
    pub fn text(&self) -> String {
        self.filled()
            .map(|(_, c)| c.text.trim())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A whole input after normalisation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// Every input line, blank ones included, in order.
    pub lines: Vec<Line>,
    /// For files that store cells (spreadsheets, Word documents), where each
    /// line stands in the file, one per line; empty for text, whose line
    /// numbers are the provenance.
    pub places: Vec<Place>,
}

/// A document's rows with what it takes to find the rows of a range of input
/// lines by binary search (see [`Document::index`]). It borrows the
/// document, so the rows cannot change while it is used.
#[derive(Debug, Clone, Copy)]
pub struct LineIndex<'d> {
    lines: &'d [Line],
    /// The rows are in input order: the first and the last lines of their
    /// sources both ascend.
    ordered: bool,
}

impl<'d> LineIndex<'d> {
    /// Whether the rows are in input order (both ends of their sources
    /// ascend), so that lookups are binary searches.
    pub fn is_ordered(&self) -> bool {
        self.ordered
    }

    /// The rows read from input lines `lines[0]..=lines[1]`, in order: found
    /// by binary search where the rows are in input order, else by a scan.
    pub fn rows_in(&self, lines: [usize; 2]) -> impl Iterator<Item = &'d Line> + use<'d> {
        let ordered = self.ordered;
        let start = if ordered {
            self.lines.partition_point(|l| l.source[1] < lines[0])
        } else {
            0
        };
        self.lines[start..]
            .iter()
            .take_while(move |l| !ordered || l.source[0] <= lines[1])
            .filter(move |l| l.source[0] <= lines[1] && l.source[1] >= lines[0])
    }
}

/// Where a row of a spreadsheet, Word document or PDF stands in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// What holds the row.
    pub area: Area,
    /// 1-based row in the sheet or table; paragraph number in the body.
    pub row: u32,
    /// First and last 1-based column holding text (or covered by a merged
    /// cell that does); `None` for a row with nothing in it.
    pub cols: Option<[u32; 2]>,
    /// On a PDF page, the row's box in points from the page's top left:
    /// left, top, right, bottom.
    pub bbox: Option<[i32; 4]>,
}

/// A sheet, a Word table or the paragraphs of a Word body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Area {
    /// A worksheet, by name.
    Sheet(String),
    /// The n-th (1-based) top-level table of a Word document.
    Table(u32),
    /// The paragraphs outside tables of a Word document.
    Body,
    /// The n-th (1-based) page of a PDF.
    Page(u32),
}

impl Area {
    /// The name written before `!` (a sheet name quoted the way spreadsheets
    /// quote it when it holds anything but letters, digits and `_`).
    fn label(&self) -> String {
        match self {
            Area::Sheet(name) if name.chars().all(|c| c.is_alphanumeric() || c == '_') => {
                name.clone()
            }
            Area::Sheet(name) => format!("'{}'", name.replace('\'', "''")),
            Area::Table(n) => format!("table{n}"),
            Area::Body => "body".to_string(),
            Area::Page(n) => format!("p{n}"),
        }
    }
}

/// Spreadsheet column letters of a 1-based column (1 → A, 27 → AA).
pub fn column_letters(mut col: u32) -> String {
    let mut out = Vec::new();
    while col > 0 {
        let d = (col - 1) % 26;
        out.push(b'A' + d as u8);
        col = (col - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A range of rows in one area, written `Sheet1!B12:H13` (`body!P3:P5` for
/// paragraphs); a single cell or paragraph is written once (`Sheet1!B12`).
fn range(area: &Area, rows: [u32; 2], cols: [u32; 2]) -> String {
    let (a, b) = match area {
        Area::Body => (format!("P{}", rows[0]), format!("P{}", rows[1])),
        _ => (
            format!("{}{}", column_letters(cols[0]), rows[0]),
            format!("{}{}", column_letters(cols[1]), rows[1]),
        ),
    };
    if a == b {
        format!("{}!{a}", area.label())
    } else {
        format!("{}!{a}:{b}", area.label())
    }
}

/// Rows of cells read from a file that stores cells (a workbook or a Word
/// document), ready for the normalise stage, with where each row stands.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Grid {
    /// The rows in reading order (sheets in workbook order).
    pub rows: Vec<GridRow>,
    /// Where each row stands, one per row.
    pub places: Vec<Place>,
    /// The file's notation.
    pub notation: Option<Notation>,
}

/// One row of a [`Grid`].
#[derive(Debug, Clone, PartialEq)]
pub enum GridRow {
    /// Cells at every grid position of the row (covered positions of merged
    /// cells included, as [`Merge::Covered`] with empty text).
    Cells(Vec<(String, Merge)>),
    /// A paragraph of running text, outside any table.
    Text(String),
}

impl Document {
    /// The line (row) with the given 1-based number.
    pub fn line(&self, number: usize) -> Option<&Line> {
        self.lines.get(number.checked_sub(1)?)
    }

    /// The input lines rows `rows[0]..=rows[1]` were read from.
    /// (Rows rebuilt from OCR word boxes may draw on input lines out of
    /// order, so every row of the range counts.)
    pub fn source_lines(&self, rows: [usize; 2]) -> [usize; 2] {
        let lo = rows[0].saturating_sub(1).min(self.lines.len());
        let hi = rows[1].min(self.lines.len()).max(lo);
        let range = &self.lines[lo..hi];
        match (
            range.iter().map(|l| l.source[0]).min(),
            range.iter().map(|l| l.source[1]).max(),
        ) {
            (Some(a), Some(b)) => [a, b],
            _ => rows,
        }
    }

    /// Where rows `rows[0]..=rows[1]` stand in a file that stores cells: one
    /// range per run of rows in the same area (`Sheet1!A3:D9`), rows without
    /// text left out; empty for text inputs.
    pub fn cells_of(&self, rows: [usize; 2]) -> Vec<String> {
        let lo = rows[0].saturating_sub(1).min(self.places.len());
        let hi = rows[1].min(self.places.len()).max(lo);
        let mut out = Vec::new();
        let mut run: Option<(&Area, [u32; 2], [u32; 2])> = None;
        for p in &self.places[lo..hi] {
            let Some(cols) = p.cols.filter(|_| !matches!(p.area, Area::Page(_))) else {
                continue;
            };
            match &mut run {
                Some((area, r, c)) if *area == &p.area => {
                    r[0] = r[0].min(p.row);
                    r[1] = r[1].max(p.row);
                    c[0] = c[0].min(cols[0]);
                    c[1] = c[1].max(cols[1]);
                }
                _ => {
                    if let Some((area, r, c)) = run.take() {
                        out.push(range(area, r, c));
                    }
                    run = Some((&p.area, [p.row, p.row], cols));
                }
            }
        }
        if let Some((area, r, c)) = run {
            out.push(range(area, r, c));
        }
        out
    }

    /// The PDF pages rows `rows[0]..=rows[1]` stand on, in order.
    pub fn pages_of(&self, rows: [usize; 2]) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        for p in self.places_in(rows) {
            if let Area::Page(n) = p.area
                && out.last() != Some(&n)
                && p.bbox.is_some()
            {
                out.push(n);
            }
        }
        out
    }

    /// The boxes rows `rows[0]..=rows[1]` cover on PDF pages, one per page
    /// run: `p2:57,402,538,418` (points from the page's top left: left,
    /// top, right, bottom).
    pub fn boxes_of(&self, rows: [usize; 2]) -> Vec<String> {
        let mut out: Vec<(u32, [i32; 4])> = Vec::new();
        for p in self.places_in(rows) {
            let (Area::Page(n), Some(b)) = (&p.area, p.bbox) else {
                continue;
            };
            match out.last_mut() {
                Some((m, u)) if m == n => {
                    *u = [
                        u[0].min(b[0]),
                        u[1].min(b[1]),
                        u[2].max(b[2]),
                        u[3].max(b[3]),
                    ];
                }
                _ => out.push((*n, b)),
            }
        }
        out.into_iter()
            .map(|(n, b)| format!("p{n}:{},{},{},{}", b[0], b[1], b[2], b[3]))
            .collect()
    }

    fn places_in(&self, rows: [usize; 2]) -> &[Place] {
        let lo = rows[0].saturating_sub(1).min(self.places.len());
        let hi = rows[1].min(self.places.len()).max(lo);
        &self.places[lo..hi]
    }

    /// The rows read from input lines `lines[0]..=lines[1]`, in order. Each
    /// call looks at every row once to learn whether they are in input
    /// order: for many ranges of one document, [`Document::index`] learns it
    /// once.
    pub fn rows_in(&self, lines: [usize; 2]) -> impl Iterator<Item = &Line> {
        self.index().rows_in(lines)
    }

    /// The document's rows by input line, for looking up many ranges.
    pub fn index(&self) -> LineIndex<'_> {
        LineIndex {
            lines: &self.lines,
            // Rows are in input order for every notation but OCR word boxes.
            // Both ends must ascend for the search: rows sorted by their
            // first line alone can hold a long row before shorter ones
            // (`[16, 18]` before `[17, 17]`), whose last lines do not.
            ordered: self
                .lines
                .is_sorted_by(|a, b| a.source[0] <= b.source[0] && a.source[1] <= b.source[1]),
        }
    }

    /// [`Document::index`] without the pass over the rows that finds
    /// whether they are in input order: `ordered` is what an earlier index
    /// of this document said ([`LineIndex::is_ordered`]); the rows' sources
    /// must not have changed since (their cells may).
    pub fn index_known(&self, ordered: bool) -> LineIndex<'_> {
        debug_assert_eq!(
            ordered,
            self.index().ordered,
            "the rows are in the order said"
        );
        LineIndex {
            lines: &self.lines,
            ordered,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_space_net_holds_every_byte_that_may_start_space() {
        for b in 0..=u8::MAX {
            assert!(!may_start_space(b) || in_space_net(b), "{b:#04x}");
        }
    }

    proptest! {
        /// A text with white space is never passed over as holding none.
        #[test]
        fn a_text_with_white_space_may_hold_space(
            s in "[ \t\n\u{b}\u{c}\r\u{85}\u{a0}\u{1680}\u{2000}-\u{200b}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}\u{3001}\u{2014}a-c质量指标≥%😀]{0,12}"
        ) {
            prop_assert_eq!(may_hold_space(&s) || !s.chars().any(char::is_whitespace), true);
        }

        /// The run-copying squeeze drops exactly the white-space characters,
        /// wide ones included, and keeps everything else in order.
        #[test]
        fn squeeze_drops_white_space_and_nothing_else(
            s in "[ \t\n\u{a0}\u{3000}\u{2003}\u{85}\u{1680}\u{1681}\u{205f}\u{2060}—“、é😀a-c质量指标≥%]{0,40}"
        ) {
            let want: String = s.chars().filter(|c| !c.is_whitespace()).collect();
            prop_assert_eq!(squeeze(&s), want);
        }

        /// The byte-tested trim_start is `str::trim_start` for any text.
        #[test]
        fn trim_start_is_str_trim_start(
            spaces in 0usize..20,
            s in "[ \t\n\u{b}\u{c}\r\u{85}\u{a0}\u{1680}\u{2000}-\u{200b}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}\u{3001}\u{2014}\u{00b7}\u{1681}a-c质量指标≥%😀]{0,12}"
        ) {
            // (A run of spaces in front, as laid-out lines have.)
            let s = " ".repeat(spaces) + &s;
            prop_assert_eq!(trim_start(&s), s.trim_start());
        }

        /// The byte-stepping split gives the words `split_whitespace`
        /// gives: every white-space character, and characters that share
        /// their lead bytes.
        #[test]
        fn words_are_split_whitespace(
            s in "[ \t\n\u{b}\u{c}\r\u{85}\u{a0}\u{1680}\u{2000}-\u{200b}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}\u{3001}\u{2014}\u{00b7}\u{1681}a-c质量指标≥%😀]{0,24}"
        ) {
            let want: Vec<&str> = s.split_whitespace().collect();
            prop_assert_eq!(words(&s).collect::<Vec<_>>(), want);
        }

        /// The byte-tested trim is `str::trim` for any text: every white
        /// space character, and characters that share their lead bytes.
        #[test]
        fn trim_is_str_trim(
            s in "[ \t\n\u{b}\u{c}\r\u{85}\u{a0}\u{1680}\u{2000}-\u{200b}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}\u{3001}\u{2014}\u{00b7}\u{1681}a-c质量指标≥%😀]{0,12}"
        ) {
            prop_assert_eq!(trim(&s), s.trim());
        }

        /// A cell's key is its text squeezed, whether the cell shares its
        /// text as key or holds a key of its own; only a text with white
        /// space holds one.
        #[test]
        fn a_cell_key_is_its_text_squeezed(
            s in "[ \t\n\u{a0}\u{3000}\u{85}a-c质量指标≥%\u{3001}\u{2014}]{0,20}"
        ) {
            let c = Cell::new(0, s.clone());
            prop_assert_eq!(c.key(), squeeze(&s));
            prop_assert_eq!(c.key.is_some(), s.chars().any(char::is_whitespace));
            let own = own_key(&s);
            prop_assert_eq!(own.as_deref().unwrap_or(&s), squeeze(&s));
        }
    }

    /// Rows whose sources are the given input-line ranges, in that order.
    fn doc_of(sources: &[[usize; 2]]) -> Document {
        let lines = sources
            .iter()
            .enumerate()
            .map(|(k, &source)| Line {
                number: k + 1,
                source,
                layout: Layout::Columns,
                cells: vec![Cell::new(0, format!("r{k}"))],
                notations: crate::Notations::new(),
            })
            .collect();
        Document {
            lines,
            places: Vec::new(),
        }
    }

    proptest! {
        /// The index finds exactly the rows a scan of every row finds, in
        /// document order, for rows in input order (binary search) and out
        /// of it (as OCR word boxes leave them), rows over several lines
        /// included.
        #[test]
        fn the_index_finds_the_rows_a_scan_finds(
            spans in proptest::collection::vec((1usize..40, 0usize..3), 0..30),
            shuffle in any::<bool>(),
            seed in any::<u64>(),
            range in (0usize..45, 0usize..8),
        ) {
            let mut sources: Vec<[usize; 2]> = spans.iter().map(|&(a, n)| [a, a + n]).collect();
            sources.sort();
            if shuffle && sources.len() > 1 {
                // A fixed permutation from the seed (no rand here).
                let n = sources.len();
                for i in (1..n).rev() {
                    let j = (seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64) % (i as u64 + 1)) as usize;
                    sources.swap(i, j);
                }
            }
            let doc = doc_of(&sources);
            let lines = [range.0, range.0 + range.1];
            let want: Vec<usize> = doc
                .lines
                .iter()
                .filter(|l| l.source[0] <= lines[1] && l.source[1] >= lines[0])
                .map(|l| l.number)
                .collect();
            let index = doc.index();
            let got: Vec<usize> = index.rows_in(lines).map(|l| l.number).collect();
            prop_assert_eq!(&got, &want);
            let once: Vec<usize> = doc.rows_in(lines).map(|l| l.number).collect();
            prop_assert_eq!(once, want);
        }
    }

    /// Every character that shares a lead byte with a white-space one, and
    /// the white space itself, alone and between letters.
    #[test]
    fn the_byte_scan_finds_exactly_the_white_space_characters() {
        let near = (0..0x80u32)
            .chain(0x80..0x800)
            .chain(0x1000..0x2000)
            .chain(0x2000..0x3100);
        for c in near.filter_map(char::from_u32) {
            let s = format!("质{c}a{c}");
            let want: String = s.chars().filter(|c| !c.is_whitespace()).collect();
            assert_eq!(squeeze(&s), want, "{c:?}");
            assert_eq!(has_space(&s), c.is_whitespace(), "{c:?}");
            assert_eq!(own_key(&s).is_some(), c.is_whitespace(), "{c:?}");
        }
    }

    #[test]
    fn trim_at_every_white_space_character() {
        let spaces = (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace());
        for w in spaces {
            for s in [
                format!("{w}质"),
                format!("质{w}"),
                format!("{w}"),
                format!("a{w}b"),
            ] {
                assert_eq!(trim(&s), s.trim(), "{s:?}");
            }
        }
        assert_eq!(trim("质量"), "质量");
        assert_eq!(trim(""), "");
    }

    fn place(area: Area, row: u32, cols: Option<[u32; 2]>) -> Place {
        Place {
            area,
            row,
            cols,
            bbox: None,
        }
    }

    fn doc(places: Vec<Place>) -> Document {
        Document {
            lines: Vec::new(),
            places,
        }
    }

    #[test]
    fn columns_are_lettered_like_a_spreadsheet() {
        let got: Vec<String> = [1, 2, 26, 27, 52, 703].map(column_letters).into();
        assert_eq!(got, ["A", "B", "Z", "AA", "AZ", "AAA"]);
    }

    #[test]
    fn rows_name_their_cells_one_range_per_area() {
        let s = |n: &str| Area::Sheet(n.to_string());
        let d = doc(vec![
            place(s("Sheet1"), 12, Some([2, 8])),
            place(s("Sheet1"), 13, Some([1, 4])),
            place(s("Sheet1"), 14, None),
            place(s("Sheet 2"), 1, Some([1, 1])),
            place(Area::Body, 3, Some([1, 1])),
            place(Area::Body, 5, Some([1, 1])),
            place(Area::Table(2), 7, Some([1, 7])),
        ]);
        assert_eq!(d.cells_of([1, 1]), ["Sheet1!B12:H12"]);
        assert_eq!(d.cells_of([1, 3]), ["Sheet1!A12:H13"]);
        assert_eq!(d.cells_of([3, 3]), Vec::<String>::new());
        assert_eq!(
            d.cells_of([2, 7]),
            [
                "Sheet1!A13:D13",
                "'Sheet 2'!A1",
                "body!P3:P5",
                "table2!A7:G7"
            ]
        );
        // Text inputs have no places.
        assert!(doc(Vec::new()).cells_of([1, 9]).is_empty());
    }
}
