//! Stable fingerprints of source text.
//!
//! A fingerprint is the first 16 hex digits of the blake3 hash of the
//! source lines' cell text with all white space removed, lines joined by
//! `\n`. Line numbers are not part of it, so a row keeps its fingerprint when
//! lines are added above it, when its index among the indicators changes and
//! when OCR spacing differs between runs.

use formsift_model::{Document, LineIndex, Record};

/// Fingerprint of the non-blank lines `lines[0]..=lines[1]` of `doc`.
pub fn fingerprint(doc: &Document, lines: [usize; 2]) -> String {
    fingerprint_in(&doc.index(), lines)
}

/// [`fingerprint`] through a document's index: what the fingerprints of
/// many rows of one document use (each [`fingerprint`] looks at every row of
/// the document once).
pub fn fingerprint_in(index: &LineIndex, lines: [usize; 2]) -> String {
    // The text gathered and hashed at once (a hasher update per cell cost
    // more than the hashing).
    let mut text = Vec::with_capacity(256);
    for line in index.rows_in(lines) {
        if line.is_blank() {
            continue;
        }
        if !text.is_empty() {
            text.push(b'\n');
        }
        for c in &line.cells {
            text.extend_from_slice(c.key().as_bytes());
        }
    }
    blake3::hash(&text).to_hex()[..16].to_string()
}

/// Fingerprint of indicator `k` of `record`.
pub fn row_fingerprint(doc: &Document, record: &Record, k: usize) -> String {
    fingerprint(doc, record.indicators[k].lines)
}

/// Fingerprint of the record's whole form.
pub fn record_fingerprint(doc: &Document, record: &Record) -> String {
    fingerprint(doc, record.source.lines)
}

/// A document of tab-separated lines, for tests.
#[cfg(test)]
pub(crate) fn test_doc(lines: &[&str]) -> Document {
    use formsift_model::{Cell, Layout, Line};
    Document {
        lines: lines
            .iter()
            .enumerate()
            .map(|(i, t)| Line {
                number: i + 1,
                source: [i + 1, i + 1],
                layout: Layout::Columns,
                cells: t
                    .split('\t')
                    .enumerate()
                    .filter(|(_, c)| !c.trim().is_empty())
                    .map(|(k, c)| Cell::new(k, c.trim()))
                    .collect(),
                notations: formsift_model::Notations::new(),
            })
            .collect(),
        places: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(lines: &[&str]) -> Document {
        test_doc(lines)
    }

    #[test]
    fn spacing_and_line_numbers_do_not_change_it() {
        let a = doc(&["x", "产出指标\t数量 指标\t班级数"]);
        let b = doc(&["", "", "产出指标\t数量指标\t班级 数"]);
        assert_eq!(fingerprint(&a, [2, 2]), fingerprint(&b, [3, 3]));
    }

    #[test]
    fn different_text_differs() {
        let a = doc(&["产出指标\t数量指标\t班级数\t≥100"]);
        let b = doc(&["产出指标\t数量指标\t班级数\t≥101"]);
        assert_ne!(fingerprint(&a, [1, 1]), fingerprint(&b, [1, 1]));
        assert_eq!(fingerprint(&a, [1, 1]).len(), 16);
    }

    #[test]
    fn blank_lines_inside_the_span_are_skipped() {
        let a = doc(&["名称", "", "续行"]);
        let b = doc(&["名称", "续行"]);
        assert_eq!(fingerprint(&a, [1, 3]), fingerprint(&b, [1, 2]));
    }
}
