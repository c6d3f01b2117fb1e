//! OCR engine output: Tesseract TSV, hOCR and ALTO XML word boxes. Lines are
//! rebuilt from the boxes' vertical positions on each page (table cells are
//! often separate blocks, so the engine's own line ids do not hold a table
//! row together); inside a line, words closer than [`GAP`] × the page's
//! median word height form one cell, wider gaps separate cells. CJK words
//! join without spaces, Latin words with one.

use crate::Row;
use formsift_model::{Layout, Merge, Notation, Notations};
use regex::Regex;
use std::sync::LazyLock;

/// A gap wider than this many median word heights separates two cells.
const GAP: f64 = 0.9;

/// Which engine format a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    TesseractTsv,
    Hocr,
    Alto,
}

/// The format, when the text is OCR engine output.
pub(crate) fn detect(text: &str) -> Option<Kind> {
    let mut cut = text.len().min(4096);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let head = &text[..cut];
    if head.starts_with("level\tpage_num\tblock_num") {
        Some(Kind::TesseractTsv)
    } else if memchr::memmem::find(text.as_bytes(), b"ocrx_word").is_some() {
        Some(Kind::Hocr)
    } else if head.contains("<alto") && text.contains("<String") {
        Some(Kind::Alto)
    } else {
        None
    }
}

/// One recognised word.
#[derive(Debug, Clone)]
struct Word {
    page: usize,
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
    text: String,
    line: usize,
}

/// The rows of an OCR document.
pub(crate) fn read(kind: Kind, raw: &[&str]) -> Vec<Row> {
    let words = match kind {
        Kind::TesseractTsv => tsv_words(raw),
        Kind::Hocr | Kind::Alto => {
            let text = raw.join("\n");
            let starts: Vec<usize> = std::iter::once(0)
                .chain(text.match_indices('\n').map(|(p, _)| p + 1))
                .collect();
            let line_of = |offset: usize| starts.partition_point(|&s| s <= offset);
            if kind == Kind::Hocr {
                hocr_words(&text, line_of)
            } else {
                alto_words(&text, line_of)
            }
        }
    };
    rows(words)
}

fn tsv_words(raw: &[&str]) -> Vec<Word> {
    let mut out = Vec::new();
    for (i, l) in raw.iter().enumerate().skip(1) {
        let f: Vec<&str> = l.split('\t').collect();
        if f.len() < 12 || f[0].trim() != "5" {
            continue;
        }
        let n = |k: usize| f[k].trim().parse::<f64>().ok();
        let (Some(page), Some(x), Some(y), Some(w), Some(h)) = (n(1), n(6), n(7), n(8), n(9))
        else {
            continue;
        };
        let text = f[11..].join(" ");
        if text.trim().is_empty() {
            continue;
        }
        out.push(Word {
            page: page as usize,
            x0: x,
            y0: y,
            x1: x + w,
            y1: y + h,
            text: text.trim().to_string(),
            line: i + 1,
        });
    }
    out
}

static HOCR_PAGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"class=['"]ocr_page['"]"#).expect("regex"));
static HOCR_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?s)<span\s+class=['"]ocrx_word['"][^>]*?title=['"][^'"]*?bbox\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)[^'"]*['"][^>]*>(.*?)</span>"#)
        .expect("regex")
});
static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<[^>]*>").expect("regex"));

fn hocr_words(text: &str, line_of: impl Fn(usize) -> usize) -> Vec<Word> {
    let pages: Vec<usize> = HOCR_PAGE.find_iter(text).map(|m| m.start()).collect();
    HOCR_WORD
        .captures_iter(text)
        .filter_map(|c| {
            let at = c.get(0)?.start();
            let n = |k: usize| c.get(k)?.as_str().parse::<f64>().ok();
            let inner = TAG.replace_all(c.get(5)?.as_str(), "");
            let text = decode_entities(inner.trim());
            (!text.is_empty()).then(|| Word {
                page: pages.partition_point(|&p| p <= at),
                x0: n(1).unwrap_or(0.0),
                y0: n(2).unwrap_or(0.0),
                x1: n(3).unwrap_or(0.0),
                y1: n(4).unwrap_or(0.0),
                text,
                line: line_of(at),
            })
        })
        .collect()
}

static ALTO_PAGE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<Page\b").expect("regex"));
static ALTO_STRING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)<String\b([^>]*)>").expect("regex"));
static ATTR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"([A-Za-z]+)\s*=\s*"([^"]*)""#).expect("regex"));

fn alto_words(text: &str, line_of: impl Fn(usize) -> usize) -> Vec<Word> {
    let pages: Vec<usize> = ALTO_PAGE.find_iter(text).map(|m| m.start()).collect();
    ALTO_STRING
        .captures_iter(text)
        .filter_map(|c| {
            let at = c.get(0)?.start();
            let (mut x, mut y, mut w, mut h, mut content) = (None, None, None, None, None);
            for a in ATTR.captures_iter(c.get(1)?.as_str()) {
                let v = &a[2];
                match &a[1] {
                    "HPOS" => x = v.parse::<f64>().ok(),
                    "VPOS" => y = v.parse::<f64>().ok(),
                    "WIDTH" => w = v.parse::<f64>().ok(),
                    "HEIGHT" => h = v.parse::<f64>().ok(),
                    "CONTENT" => content = Some(decode_entities(v)),
                    _ => {}
                }
            }
            let (x, y, w, h, text) = (x?, y?, w?, h?, content?);
            (!text.trim().is_empty()).then(|| Word {
                page: pages.partition_point(|&p| p <= at),
                x0: x,
                y0: y,
                x1: x + w,
                y1: y + h,
                text: text.trim().to_string(),
                line: line_of(at),
            })
        })
        .collect()
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Lines of words on each page, top to bottom, each split into cells.
fn rows(mut words: Vec<Word>) -> Vec<Row> {
    words.retain(|w| w.x0.is_finite() && w.y0.is_finite() && w.x1 >= w.x0 && w.y1 >= w.y0);
    let mut out = Vec::new();
    words.sort_by(|a, b| a.page.cmp(&b.page).then(a.y0.total_cmp(&b.y0)));
    let mut start = 0;
    while start < words.len() {
        let page = words[start].page;
        let end = start + words[start..].iter().take_while(|w| w.page == page).count();
        out.extend(page_rows(&words[start..end]));
        start = end;
    }
    out
}

fn page_rows(words: &[Word]) -> Vec<Row> {
    let mut heights: Vec<f64> = words.iter().map(|w| w.y1 - w.y0).collect();
    heights.sort_by(f64::total_cmp);
    let h = heights
        .get(heights.len() / 2)
        .copied()
        .unwrap_or(1.0)
        .max(1.0);
    // Lines: a word joins the line when its middle lies within the line's band.
    let mut lines: Vec<(f64, f64, Vec<&Word>)> = Vec::new();
    for w in words {
        let mid = (w.y0 + w.y1) / 2.0;
        match lines.last_mut() {
            Some((top, bottom, ws)) if mid >= *top && mid <= *bottom => {
                ws.push(w);
                *top = top.min(w.y0);
                *bottom = bottom.max(w.y1).min(*top + 1.5 * h);
            }
            _ => lines.push((w.y0, w.y1.min(w.y0 + 1.5 * h), vec![w])),
        }
    }
    lines
        .into_iter()
        .map(|(_, _, mut ws)| {
            ws.sort_by(|a, b| a.x0.total_cmp(&b.x0));
            let mut cells: Vec<String> = Vec::new();
            // Display columns: a CJK glyph is about as wide as the median
            // word is tall, and counts two columns.
            let col = |x: f64| (x / (h / 2.0)).clamp(0.0, u32::MAX as f64) as u32;
            let mut spans: Vec<[u32; 2]> = Vec::new();
            let mut last_x1 = f64::NEG_INFINITY;
            for w in &ws {
                if w.x0 - last_x1 > GAP * h || cells.is_empty() {
                    cells.push(String::new());
                    spans.push([col(w.x0), col(w.x1)]);
                }
                if let Some(s) = spans.last_mut() {
                    s[1] = s[1].max(col(w.x1));
                }
                let cell = cells.last_mut().expect("a cell");
                if let (Some(a), Some(b)) = (cell.chars().last(), w.text.chars().next())
                    && a.is_ascii_alphanumeric()
                    && b.is_ascii_alphanumeric()
                {
                    cell.push(' ');
                }
                cell.push_str(&w.text);
                last_x1 = last_x1.max(w.x1);
            }
            let first = ws.iter().map(|w| w.line).min().unwrap_or(1);
            let last = ws.iter().map(|w| w.line).max().unwrap_or(first);
            Row {
                source: [first, last],
                spans,
                layout: Layout::Spaced,
                cells: cells.into_iter().map(|c| (c, Merge::None)).collect(),
                notations: Notations::of(Notation::Hocr),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::texts;

    const TSV: &str = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
5\t1\t1\t1\t1\t1\t100\t100\t20\t20\t95\t项目\n\
5\t1\t1\t1\t1\t2\t122\t101\t40\t20\t95\t名称\n\
5\t1\t2\t1\t1\t1\t300\t99\t40\t20\t90\t帮困\n\
5\t1\t2\t1\t1\t2\t345\t100\t40\t20\t90\t慰问\n\
5\t1\t3\t1\t1\t1\t100\t200\t30\t20\t91\t>=608\n\
5\t1\t3\t1\t1\t2\t132\t200\t20\t20\t91\t人\n";

    #[test]
    fn tesseract_tsv_rows_and_cells() {
        let text = TSV.to_string();
        assert_eq!(detect(&text), Some(Kind::TesseractTsv));
        let raw: Vec<&str> = text.lines().collect();
        let rows = read(Kind::TesseractTsv, &raw);
        assert_eq!(
            texts(&rows),
            [vec!["项目名称", "帮困慰问"], vec![">=608人"]]
        );
        assert_eq!(rows[0].source, [2, 5]);
    }

    #[test]
    fn hocr_and_alto_words() {
        let hocr = "<div class='ocr_page' title='bbox 0 0 800 600'>\n<span class='ocrx_word' id='w1' title='bbox 100 100 140 120; x_wconf 96'>项目</span>\n<span class='ocrx_word' id='w2' title='bbox 142 100 180 120; x_wconf 96'>名称</span>\n<span class='ocrx_word' id='w3' title='bbox 300 100 340 120; x_wconf 90'>&gt;=5</span></div>";
        assert_eq!(detect(hocr), Some(Kind::Hocr));
        let raw: Vec<&str> = hocr.lines().collect();
        assert_eq!(texts(&read(Kind::Hocr, &raw)), [vec!["项目名称", ">=5"]]);
        let alto = "<alto xmlns=\"http://www.loc.gov/standards/alto/ns-v3#\"><Layout><Page ID=\"p1\">\n<String ID=\"s1\" HPOS=\"100\" VPOS=\"100\" WIDTH=\"40\" HEIGHT=\"20\" WC=\"0.96\" CONTENT=\"项目\"/>\n<String ID=\"s2\" HPOS=\"300\" VPOS=\"102\" WIDTH=\"40\" HEIGHT=\"20\" WC=\"0.9\" CONTENT=\"甲\"/>\n</Page></Layout></alto>";
        assert_eq!(detect(alto), Some(Kind::Alto));
        let raw: Vec<&str> = alto.lines().collect();
        let rows = read(Kind::Alto, &raw);
        assert_eq!(texts(&rows), [vec!["项目", "甲"]]);
        assert_eq!(rows[0].source, [2, 3]);
    }
}
