//! Text laid out with spaces, as `pdftotext -layout` prints a table: cells
//! are separated by runs of two or more spaces; inside a run of text a single
//! space separates two cells when CJK text stands on both sides of it (a
//! narrow column left no room for more) or when the text before it is a form
//! label. A single space between CJK and Latin text or digits (`指标 1：`,
//! `608 人`) is how the converter spaces scripts, not a cell border.

use crate::Row;
use formsift_config::Config;
use formsift_model::{Layout, Merge, Notation, Notations};

/// Lines whose text holds a run of this many spaces are laid out by spaces.
const WIDE_GAP: usize = 3;

/// True when most text lines hold wide gaps between words, as a layout
/// converter prints tables (at least three such lines and a quarter of all).
pub(crate) fn is_layout_document(raw: &[&str]) -> bool {
    let mut text = 0;
    let mut wide = 0;
    for l in raw {
        let t = l.trim_matches(|c: char| c.is_whitespace());
        if t.is_empty() || l.contains('\t') || t.starts_with(['|', '+']) {
            continue;
        }
        text += 1;
        if ideographic_spaces(t).contains(&" ".repeat(WIDE_GAP)) {
            wide += 1;
        }
    }
    wide >= 3 && wide * 4 >= text
}

/// The last line of the block of text lines starting at `i`.
pub(crate) fn block_end(raw: &[&str], i: usize) -> usize {
    let mut j = i;
    while j + 1 < raw.len() && is_text(raw[j + 1]) {
        j += 1;
    }
    j
}

fn is_text(l: &str) -> bool {
    let t = l.trim();
    !t.is_empty()
        && !l.contains('\t')
        && !t.starts_with(['|', '+'])
        && !crate::html::has_markup(l)
        && crate::markdown::heading(l).is_none()
        && !crate::markdown::is_fence(l)
}

/// The rows of lines `i..=end`, each cell with its display columns.
pub(crate) fn block(raw: &[&str], i: usize, end: usize, config: &Config) -> Vec<Row> {
    (i..=end)
        .map(|j| {
            let (cells, spans) = cells(raw[j], config).into_iter().unzip::<_, _, Vec<_>, _>();
            Row {
                source: [j + 1, j + 1],
                spans,
                layout: Layout::Spaced,
                cells: cells
                    .into_iter()
                    .map(|t: String| (t, Merge::None))
                    .collect(),
                notations: Notations::of(Notation::Spaced),
            }
        })
        .collect()
}

/// The cells of one laid-out line, each with the display columns it covers
/// (a character outside Latin and its neighbours counts two, as a
/// monospaced layout prints CJK).
pub(crate) fn cells(line: &str, config: &Config) -> Vec<(String, [u32; 2])> {
    let line = &*ideographic_spaces(line);
    let mut out = Vec::new();
    let mut at = 0;
    for piece in line.split("  ") {
        let start = at;
        at += piece.len() + 2;
        let lead = piece.len() - piece.trim_start_matches(char::is_whitespace).len();
        let mut rest = piece.trim_matches(char::is_whitespace);
        let mut off = start + lead;
        while !rest.is_empty() {
            let (cell, next) = match split_point(rest, config) {
                Some(p) => (rest[..p].trim_end(), rest[p..].trim_start()),
                None => (rest, ""),
            };
            let x = width(&line[..off]);
            out.push((cell.to_string(), [x, x + width(cell)]));
            off += rest.len() - next.len();
            rest = next;
        }
    }
    out
}

/// The line with each ideographic space (U+3000, the full-width space
/// typed to line up Chinese text) made two spaces: the same display width,
/// so gaps of them part cells as gaps of spaces do.
fn ideographic_spaces(line: &str) -> std::borrow::Cow<'_, str> {
    if line.contains('\u{3000}') {
        line.replace('\u{3000}', "  ").into()
    } else {
        line.into()
    }
}

/// Display width: two columns for a wide (CJK) character, one otherwise.
fn width(s: &str) -> u32 {
    s.chars().map(|c| if c < '\u{1100}' { 1 } else { 2 }).sum()
}

/// Where a single space inside a segment separates two cells.
fn split_point(s: &str, config: &Config) -> Option<usize> {
    let wide = |c: char| !c.is_ascii() && !c.is_whitespace();
    let mut prev: Option<char> = None;
    for (p, c) in s.char_indices() {
        if c == ' ' {
            let next = s[p + 1..].chars().next();
            // A value that ends (a figure, `%`, a bracket) and one that
            // starts right after: two value cells squeezed together.
            let values = |a: char, b: char| {
                (a.is_ascii_digit() || matches!(a, '%' | ')' | '）'))
                    && (b.is_ascii_digit() || is_comparator(b))
            };
            if let (Some(a), Some(b)) = (prev, next)
                && ((wide(a) && (wide(b) || is_comparator(b)))
                    || values(a, b)
                    || is_label(&s[..p], config))
            {
                return Some(p);
            }
        }
        prev = Some(c);
    }
    None
}

/// A character a target value starts with (`>=95%`, `≥4.00(场)`): after CJK
/// text and one space it starts the next cell, as a narrow gap prints it.
fn is_comparator(c: char) -> bool {
    matches!(c, '>' | '<' | '=' | '≥' | '≤' | '＞' | '＜' | '＝')
}

fn is_label(text: &str, config: &Config) -> bool {
    let key: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    config
        .templates
        .iter()
        .any(|t| config.match_label_key(t, &key).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ideographic_spaces_part_cells_as_two_spaces_each() {
        let c = Config::embedded();
        let spaced = "产出指标    数量指标    年度开设班级数      ≥100(个)";
        let ideographic = "产出指标\u{3000}\u{3000}数量指标\u{3000}\u{3000}年度开设班级数\u{3000}\u{3000}\u{3000}≥100(个)";
        assert_eq!(cells(ideographic, &c), cells(spaced, &c));
        assert_eq!(cells(ideographic, &c).len(), 4);
        let lines = [ideographic; 3];
        assert!(is_layout_document(&lines));
    }

    #[test]
    fn gaps_scripts_and_labels() {
        let c = Config::embedded();
        assert_eq!(
            cells(
                "                       指标 1：退休职工元旦春节帮困人数       >=608 人",
                &c
            ),
            [
                ("指标 1：退休职工元旦春节帮困人数".to_string(), [23, 55]),
                (">=608 人".to_string(), [62, 70])
            ]
        );
        let texts = |l: &str| cells(l, &c).into_iter().map(|(t, _)| t).collect::<Vec<_>>();
        assert_eq!(
            texts("计划开始日期 2023-01-01"),
            ["计划开始日期", "2023-01-01"]
        );
        assert_eq!(
            texts("满意度指标 服务对象满意度指标 指标 1：满意度                >=85%"),
            [
                "满意度指标",
                "服务对象满意度指标",
                "指标 1：满意度",
                ">=85%"
            ]
        );
        assert_eq!(texts("（2023 年度）"), ["（2023 年度）"]);
        assert_eq!(
            texts("指标 3：补助金额计算准确率 >=95%"),
            ["指标 3：补助金额计算准确率", ">=95%"]
        );
        // Values squeezed together by a narrow layout; a comparator and its
        // figure stay one value.
        assert_eq!(
            texts("会员符合注册资格  >=100% =100      20    20"),
            ["会员符合注册资格", ">=100%", "=100", "20", "20"]
        );
        assert_eq!(texts("≥5.00 20 20"), ["≥5.00", "20", "20"]);
        assert_eq!(texts("≥ 90%"), ["≥ 90%"]);
        assert_eq!(
            cells("        数量指标           数", &c),
            [
                ("数量指标".to_string(), [8, 16]),
                ("数".to_string(), [27, 29])
            ]
        );
    }

    #[test]
    fn layout_documents_are_recognised() {
        assert!(is_layout_document(&[
            "a    b", "c    d", "", "e     f", "g"
        ]));
        assert!(!is_layout_document(&["项目名称 帮困慰问", "a\tb", "c d"]));
    }
}
