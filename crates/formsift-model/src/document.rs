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
    /// The text without any white space: the form labels, headers and
    /// vocabulary are matched against (computed once, read by every stage).
    pub key: String,
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
        let key = squeeze(&text);
        Cell {
            col,
            text,
            key,
            merge: Merge::None,
            span: None,
        }
    }

    /// The same cell with its merge.
    pub fn with_merge(mut self, merge: Merge) -> Cell {
        self.merge = merge;
        self
    }
}

/// The text without white space (labels are compared this way).
pub fn squeeze(s: &str) -> String {
    if !may_hold_space(s) || !s.chars().any(char::is_whitespace) {
        return s.to_string();
    }
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// False when no byte of the text can start a white-space character: ASCII
/// space and controls 9–13, and the lead bytes of U+0085, U+00A0 (0xC2),
/// U+1680 (0xE1), U+2000–U+205F (0xE2) and U+3000 (0xE3). A branch-free scan
/// that lets most CJK cells skip decoding characters.
pub fn may_hold_space(s: &str) -> bool {
    s.bytes().fold(false, |any, b| {
        any | matches!(b, 9..=13 | b' ' | 0xC2 | 0xE1 | 0xE2 | 0xE3)
    })
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
    pub notations: Vec<Notation>,
}

impl Line {
    /// The non-empty cells of the line, in order.
    pub fn filled(&self) -> impl Iterator<Item = (usize, &Cell)> {
        self.cells
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.key.is_empty())
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

    /// The rows read from input lines `lines[0]..=lines[1]`, in order.
    pub fn rows_in(&self, lines: [usize; 2]) -> impl Iterator<Item = &Line> {
        // Rows are in input order for every notation but OCR word boxes;
        // where they are, the rows before the range are skipped by search.
        let ordered = self.lines.is_sorted_by_key(|l| l.source);
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
