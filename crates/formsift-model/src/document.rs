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
}

impl Cell {
    /// A cell at `col` holding `text`.
    pub fn new(col: usize, text: impl Into<String>) -> Cell {
        let text = text.into();
        let key = squeeze(&text);
        Cell { col, text, key }
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
    /// 1-based input line number.
    pub number: usize,
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
    /// The line with the given 1-based number.
    pub fn line(&self, number: usize) -> Option<&Line> {
        self.lines.get(number.checked_sub(1)?)
    }
}
