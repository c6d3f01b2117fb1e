//! Each notation reader on its own, without the dispatch of [`normalize`]
//! deciding which one runs: the entry of the fuzz targets (`fuzz/`), so a
//! fuzzer's input always reaches the reader it is aimed at. Not a stable API.
//!
//! [`normalize`]: crate::normalize

use crate::{Row, asciidoc, csv, dashed, grid, html, layout, markdown, mediawiki, ocr, tabular};
use formsift_config::Config;

/// A notation reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// Whole HTML `<table>`s.
    Html,
    /// LaTeX `tabular`/`longtable`.
    Latex,
    /// Pandoc grid tables.
    Grid,
    /// Pandoc simple and multiline tables (columns from dash runs).
    Dashed,
    /// Markdown pipe tables.
    Markdown,
    /// Text laid out by spaces (`pdftotext -layout`).
    Layout,
    /// Tesseract TSV, hOCR and ALTO word boxes.
    Ocr,
    /// Comma-separated values (a `.csv` file).
    Csv,
    /// AsciiDoc tables between `|===` fences.
    Asciidoc,
    /// MediaWiki tables (`{|` … `|}`).
    Mediawiki,
}

/// The rows `reader` reads from `text`, as cell texts, after checking that
/// every row names input lines that exist, in input order. Panics when that
/// invariant breaks, so that a fuzzer reports it.
pub fn read(reader: Reader, text: &str, config: &Config) -> Vec<Vec<String>> {
    let raw: Vec<&str> = text.split('\n').collect();
    let rows = match reader {
        Reader::Html => blocks(&raw, html::table_block),
        Reader::Latex => blocks(&raw, tabular::block),
        Reader::Grid => blocks(&raw, grid::block),
        Reader::Dashed => blocks(&raw, dashed::block),
        Reader::Markdown => {
            let tables = markdown::pipe_tables(&raw);
            let mut found: Vec<_> = tables.into_iter().collect();
            found.sort_by_key(|(i, _)| *i);
            found
                .into_iter()
                .map(|(i, cells)| Row {
                    source: [i + 1, i + 1],
                    spans: Vec::new(),
                    layout: formsift_model::Layout::Columns,
                    cells: cells
                        .into_iter()
                        .flatten()
                        .map(|c| (c, formsift_model::Merge::None))
                        .collect(),
                    notations: formsift_model::Notations::new(),
                })
                .collect()
        }
        Reader::Layout => {
            let mut rows = Vec::new();
            let mut i = 0;
            while i < raw.len() {
                let end = layout::block_end(&raw, i);
                rows.extend(layout::block(&raw, i, end, config));
                i = end + 1;
            }
            rows
        }
        Reader::Ocr => match ocr::detect(text) {
            Some(kind) => ocr::read(kind, &raw),
            None => Vec::new(),
        },
        Reader::Csv => csv::rows(&raw),
        Reader::Asciidoc => blocks(&raw, asciidoc::block),
        Reader::Mediawiki => blocks(&raw, mediawiki::block),
    };
    let mut last = 0;
    for r in &rows {
        let [first, end] = r.source;
        assert!(
            first >= 1 && first <= end && end <= raw.len().max(1),
            "{reader:?}: row source {first}..{end} outside 1..{}",
            raw.len()
        );
        // Rows of one line (a one-line HTML table) share it; none goes back.
        if reader != Reader::Ocr {
            assert!(first >= last, "{reader:?}: rows out of input order");
            last = first;
        }
    }
    rows.into_iter()
        .map(|r| r.cells.into_iter().map(|(t, _)| t).collect())
        .collect()
}

/// Every block a block reader finds, trying it at each line.
fn blocks(raw: &[&str], block: impl Fn(&[&str], usize) -> Option<(usize, Vec<Row>)>) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        match block(raw, i) {
            Some((end, found)) => {
                assert!(
                    end >= i && end < raw.len(),
                    "block end {end} outside {i}..{}",
                    raw.len()
                );
                rows.extend(found);
                i = end + 1;
            }
            None => i += 1,
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reader_reads_its_own_notation_only() {
        let c = Config::embedded();
        let html = "<table><tr><td rowspan=\"2\">a</td><td>b</td></tr><tr><td>c</td></tr></table>";
        assert_eq!(
            read(Reader::Html, html, &c),
            vec![vec!["a", "b"], vec!["", "c"]]
        );
        assert!(read(Reader::Latex, html, &c).is_empty());
        let latex = "\\begin{tabular}{ll}\na & b \\\\\n\\end{tabular}";
        assert_eq!(read(Reader::Latex, latex, &c), vec![vec!["a", "b"]]);
        let grid = "+---+---+\n| a | b |\n+---+---+";
        assert_eq!(read(Reader::Grid, grid, &c), vec![vec!["a", "b"]]);
        let dashed = "  a     b\n  ----- -----\n  c     d\n";
        assert_eq!(
            read(Reader::Dashed, dashed, &c),
            vec![vec!["a", "b"], vec!["c", "d"]]
        );
        let pipe = "| a | b |\n|---|---|\n| c | d |";
        assert_eq!(read(Reader::Markdown, pipe, &c).len(), 3);
        assert_eq!(
            read(Reader::Layout, "项目名称    甲    乙", &c),
            vec![vec!["项目名称", "甲", "乙"]]
        );
        assert!(read(Reader::Ocr, "项目名称", &c).is_empty());
        let adoc = "|===\n|a |b\n|c |d\n|===";
        let rows: Vec<_> = read(Reader::Asciidoc, adoc, &c)
            .into_iter()
            .filter(|r| !r.is_empty())
            .collect();
        assert_eq!(rows, vec![vec!["a", "b"], vec!["c", "d"]]);
        assert!(read(Reader::Asciidoc, pipe, &c).is_empty());
        let wiki = "{|\n| a || b\n|-\n| c || d\n|}";
        let rows: Vec<_> = read(Reader::Mediawiki, wiki, &c)
            .into_iter()
            .filter(|r| !r.is_empty())
            .collect();
        assert_eq!(rows, vec![vec!["a", "b"], vec!["c", "d"]]);
        assert!(read(Reader::Mediawiki, pipe, &c).is_empty());
    }

    #[test]
    fn malformed_rows_keep_input_order() {
        // Found by the read_html fuzz target: a broken `<tr` tag makes the
        // parser's rows and the tags disagree.
        let c = Config::embedded();
        let html = "<table>\n<tr><td>a</td></tr>\n<tr><td>b</td></tr>\n<tr</tr>><td>c</td></tr>\n<tr><td>d</td></tr>\n</table>";
        assert!(!read(Reader::Html, html, &c).is_empty());
    }
}
