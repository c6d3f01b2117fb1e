//! Comma-separated values, as spreadsheets export a sheet (RFC 4180): a
//! record per line, fields split at commas; a field in double quotes may
//! hold commas (`"2,323,000.00"`), line breaks (`"项目资金` / `（元）"`) and
//! quotes, doubled. A record whose quoted field runs over several lines is
//! one row whose source is all of them.
//!
//! Exports are not always clean: a quote that opens a field but is not
//! closed within [`MAX_LINES`] lines is read as a character, and text after
//! a closing quote stays in its field, so no byte of the input is lost.

use crate::Row;
use formsift_model::{Layout, Merge, Notation, Notations};

/// Lines a quoted field may run over at most.
const MAX_LINES: usize = 64;

/// The rows of a comma-separated document (`raw`: its lines).
pub(crate) fn rows(raw: &[&str]) -> Vec<Row> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let (fields, last) = record(raw, i);
        let blank = fields.iter().all(|f| f.trim().is_empty());
        out.push(Row {
            source: [i + 1, last + 1],
            spans: Vec::new(),
            layout: if blank {
                Layout::Blank
            } else {
                Layout::Columns
            },
            cells: if blank {
                Vec::new()
            } else {
                fields.into_iter().map(|f| (f, Merge::None)).collect()
            },
            notations: Notations::of(Notation::Csv),
        });
        i = last + 1;
    }
    out
}

/// The fields of the record that starts on line `i`, and the index of the
/// line it ends on.
fn record(raw: &[&str], i: usize) -> (Vec<String>, usize) {
    let line = |k: usize| raw[k].strip_suffix('\r').unwrap_or(raw[k]);
    let mut fields = Vec::new();
    let mut k = i;
    let mut rest = line(k);
    loop {
        let mut field = String::new();
        if let Some(after) = rest.strip_prefix('"')
            && let Some((text, end, tail)) = quoted(raw, k, after, &line)
        {
            // The quoted part; text after the closing quote stays in the
            // field (read below, up to the comma).
            field = text;
            k = end;
            rest = tail;
        }
        let (text, next) = split_comma(rest);
        field.push_str(text);
        fields.push(field);
        match next {
            Some(r) => rest = r,
            None => break,
        }
    }
    (fields, k)
}

/// A field's text up to the next comma, and what follows the comma (`None`
/// at the line's end).
fn split_comma(s: &str) -> (&str, Option<&str>) {
    match s.find(',') {
        Some(p) => (&s[..p], Some(&s[p + 1..])),
        None => (s, None),
    }
}

/// A quoted field that starts with `after` (the text after its opening
/// quote) on line `k`: its text, the line its closing quote stands on and
/// what follows that quote there; `None` when no closing quote comes within
/// [`MAX_LINES`] lines.
fn quoted<'a>(
    raw: &[&'a str],
    k: usize,
    after: &'a str,
    line: &impl Fn(usize) -> &'a str,
) -> Option<(String, usize, &'a str)> {
    let mut text = String::new();
    let mut rest = after;
    let mut at = k;
    loop {
        let mut chars = rest.char_indices().peekable();
        while let Some((p, c)) = chars.next() {
            if c != '"' {
                text.push(c);
                continue;
            }
            if matches!(chars.peek(), Some((_, '"'))) {
                chars.next();
                text.push('"');
                continue;
            }
            return Some((text, at, &rest[p + 1..]));
        }
        at += 1;
        if at >= raw.len() || at >= k + MAX_LINES {
            return None;
        }
        text.push('\n');
        rest = line(at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::texts;

    fn read(text: &str) -> Vec<Row> {
        let raw: Vec<&str> = text.split('\n').collect();
        rows(&raw)
    }

    #[test]
    fn quoted_fields_keep_commas_quotes_and_line_breaks() {
        let rows = read(
            "项目名称,帮困慰问,,\n\"项目资金\n（元）\",年度资金申请总额,\"420,000.00\",\n说\"\"明,\"他说\"\"好\"\"\"\n",
        );
        assert_eq!(
            texts(&rows),
            [
                vec!["项目名称", "帮困慰问", "", ""],
                vec!["项目资金\n（元）", "年度资金申请总额", "420,000.00", ""],
                vec!["说\"\"明", "他说\"好\""],
                vec![],
            ]
        );
        assert_eq!(rows[1].source, [2, 3]);
        assert_eq!(rows[2].source, [4, 4]);
        assert_eq!(rows[3].layout, Layout::Blank);
    }

    proptest::proptest! {
        /// Every input line belongs to exactly one row, in order, and each
        /// row's fields hold its lines' text less the syntax: quotes,
        /// commas and white space aside (a blank record keeps no field),
        /// the same characters in the same order.
        #[test]
        fn rows_cover_every_line_and_keep_every_character(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "甲", "a", "1", ",", "\"", "\"\"", "\n", "\r\n", " ", "\"x,y\"",
            ]), 0..40)
        ) {
            let text = parts.concat();
            let raw: Vec<&str> = text.split('\n').collect();
            let rows = rows(&raw);
            let mut next = 1;
            for r in &rows {
                proptest::prop_assert_eq!(r.source[0], next);
                proptest::prop_assert!(r.source[1] >= r.source[0]);
                next = r.source[1] + 1;
                let plain = |s: &str| {
                    s.chars().filter(|c| !matches!(c, '"' | ',') && !c.is_whitespace()).collect::<String>()
                };
                let fields: String = r.cells.iter().map(|(t, _)| plain(t)).collect();
                let lines = raw[r.source[0] - 1..r.source[1]].concat();
                proptest::prop_assert_eq!(fields, plain(&lines));
            }
            proptest::prop_assert_eq!(next, raw.len() + 1);
        }
    }

    #[test]
    fn a_quote_never_closed_is_a_character_and_nothing_is_lost() {
        let rows = read("\"未闭合,甲\r\n乙,丙\n");
        assert_eq!(
            texts(&rows),
            [vec!["\"未闭合", "甲"], vec!["乙", "丙"], vec![]]
        );
        // Text after a closing quote stays in its field.
        let rows = read("\"≥90\"%,x");
        assert_eq!(texts(&rows), [vec!["≥90%", "x"]]);
    }
}
