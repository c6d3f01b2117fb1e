//! Segmentation: where each form starts and ends.

use formsift_config::Config;
use formsift_model::{Document, Layout, Residue};
use formsift_values::parse_year;

/// One form's span in the document.
#[derive(Debug, Clone, PartialEq)]
pub struct FormSpan {
    /// Index of the form's template in the configuration.
    pub template: usize,
    /// Title as printed.
    pub title: String,
    /// Line of the title.
    pub title_line: usize,
    /// Year from the lines after the title.
    pub year: Option<i64>,
    /// First line of the form (the title line).
    pub start: usize,
    /// Last non-blank line of the form.
    pub end: usize,
    /// Cells taken by segmentation (title, year), as (line, cell index).
    pub consumed: Vec<(usize, usize)>,
}

/// Forms and the file's preamble.
#[derive(Debug, Clone, PartialEq)]
pub struct Segmentation {
    /// Forms in document order.
    pub forms: Vec<FormSpan>,
    /// Non-blank lines before the first form.
    pub preamble: Vec<Residue>,
}

/// Finds the forms of a document: a form starts at a title line and runs to the
/// last non-blank line before the next title.
pub fn segment(doc: &Document, config: &Config) -> Segmentation {
    let mut forms: Vec<FormSpan> = Vec::new();
    // The characters titles end with: a cell ending otherwise is no title
    // (one compare instead of an `ends_with` per title of every template).
    let mut title_ends: Vec<char> = config
        .templates
        .iter()
        .flat_map(|t| &t.titles)
        .filter_map(|title| title.chars().next_back())
        .collect();
    title_ends.sort_unstable();
    title_ends.dedup();
    let empty_title = config
        .templates
        .iter()
        .any(|t| t.titles.iter().any(String::is_empty));
    let may_be_title = |s: &str| {
        empty_title
            || s.chars()
                .next_back()
                .is_some_and(|c| title_ends.contains(&c))
    };
    // A bit per low six bits of the last byte a title ends with, and of the
    // closing brackets `strip_note` looks behind: a key ending in any other
    // byte is no title, told without decoding its last character (most
    // cells of a document).
    let end_bits = |c: char| {
        let mut buf = [0u8; 4];
        let last = c
            .encode_utf8(&mut buf)
            .as_bytes()
            .last()
            .copied()
            .unwrap_or(0);
        1u64 << (last & 63)
    };
    let title_end_bytes = title_ends
        .iter()
        .chain(&[')', '）'])
        .fold(0u64, |m, &c| m | end_bits(c));
    let may_end_title = |key: &str| {
        empty_title
            || key
                .as_bytes()
                .last()
                .is_some_and(|&b| title_end_bytes >> (b & 63) & 1 == 1)
    };
    for line in &doc.lines {
        let mut found = None;
        for (i, cell) in line.filled() {
            // (A `{…}` macro before the title or a note after it leave the
            // key's last byte or a closing bracket at its end.)
            if !may_end_title(cell.key()) {
                continue;
            }
            let s = strip_note(strip_macro(cell.key()));
            if !may_be_title(s) || longer_than(s, config.forms.max_title_chars) {
                continue;
            }
            if let Some(t) = config
                .templates
                .iter()
                .position(|t| t.titles.iter().any(|title| s.ends_with(title.as_str())))
            {
                found = Some((t, i, bare_title(strip_macro(&cell.text)).to_string()));
                break;
            }
        }
        let mut consumed = found.as_ref().map(|f| vec![(line.number, f.1)]);
        // OCR often letter-spaces a title into several cells (`财政 项目
        // 支出 绩效 目标 申报表`): the cells of a short spaced line together.
        if found.is_none() && line.layout == Layout::Spaced {
            let n = line.filled().take(9).count();
            if (2..=8).contains(&n) {
                let cells: Vec<(usize, &formsift_model::Cell)> = line.filled().collect();
                // (The keys joined into a string made with room for them.)
                let mut key = String::with_capacity(cells.iter().map(|(_, c)| c.key().len()).sum());
                key.extend(cells.iter().map(|(_, c)| c.key()));
                let s = strip_note(&key);
                if s.chars().count() <= config.forms.max_title_chars
                    && let Some(t) = config
                        .templates
                        .iter()
                        .position(|t| t.titles.iter().any(|title| s.ends_with(title.as_str())))
                {
                    found = Some((t, cells[0].0, key.clone()));
                    consumed = Some(cells.iter().map(|(i, _)| (line.number, *i)).collect());
                }
            }
        }
        if let (Some((template, _, title)), Some(consumed)) = (found, consumed) {
            if let Some(last) = forms.last_mut()
                && repeats_title(doc, last, template, &title, line.number)
            {
                // The form keeps the barer of the two titles (the other
                // wears the converter's markup).
                if title.chars().count() < last.title.chars().count() {
                    last.title = title;
                }
                last.consumed.extend(consumed);
                continue;
            }
            forms.push(FormSpan {
                template,
                title,
                title_line: line.number,
                year: None,
                start: line.number,
                end: line.number,
                consumed,
            });
        }
    }
    let last_non_blank = |from: usize, to: usize| -> usize {
        (from..=to)
            .rev()
            .find(|n| doc.line(*n).is_some_and(|l| !l.is_blank()))
            .unwrap_or(from)
    };
    let n = forms.len();
    for k in 0..n {
        let next = if k + 1 < n {
            forms[k + 1].start - 1
        } else {
            doc.lines.len()
        };
        forms[k].end = last_non_blank(forms[k].start, next);
        find_year(doc, &mut forms[k], config);
        if forms[k].year.is_none() {
            // `2024年度财政项目支出绩效自评表`: the year is in the title.
            forms[k].year = parse_year(&forms[k].title);
        }
    }
    let first = forms.first().map_or(doc.lines.len() + 1, |f| f.start);
    let preamble = doc.lines[..first - 1]
        .iter()
        .filter(|l| !l.is_blank())
        .map(|l| Residue {
            lines: [l.number, l.number],
            cells: None,
            boxes: None,
            text: l.text(),
        })
        .collect();
    Segmentation { forms, preamble }
}

/// Whether a title found on line `at` repeats `form`'s with only blank
/// lines between: one form whose title a converter wrote twice (a
/// reStructuredText `.. rubric::` and its `:name:` anchor, a heading and a
/// caption), not a second form without a line of its own. The two
/// must be of one template and name no different years.
fn repeats_title(doc: &Document, form: &FormSpan, template: usize, title: &str, at: usize) -> bool {
    form.template == template
        && (form.title_line + 1..at).all(|n| doc.line(n).is_none_or(|l| l.is_blank()))
        && parse_year(&form.title) == parse_year(title)
}

/// A title without the markup a converter wrote before it in the same
/// cell: leading words of ASCII letters and punctuation only, each followed
/// by white space (reStructuredText's `.. rubric::`, a `Table:` caption).
/// Words with figures (`1.`, `2024`) are the title's own.
fn bare_title(text: &str) -> &str {
    let mut rest = text.trim();
    if !rest
        .as_bytes()
        .first()
        .is_some_and(u8::is_ascii_punctuation)
        && !rest.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
    {
        return rest;
    }
    while let Some((word, after)) = rest.split_once(char::is_whitespace) {
        if word.is_empty()
            || !word
                .bytes()
                .all(|b| b.is_ascii_alphabetic() || b.is_ascii_punctuation())
        {
            break;
        }
        rest = after.trim_start();
    }
    rest
}

/// Drops a leading wiki macro (`{anchor:…}` of Jira and Confluence) from a
/// title cell's text: markup, which would make the title look as long as
/// prose.
fn strip_macro(s: &str) -> &str {
    match s.strip_prefix('{').and_then(|r| r.split_once('}')) {
        Some((_, rest)) if !rest.is_empty() => rest,
        _ => s,
    }
}

/// Drops a trailing bracketed note from a title (`…申报表（部门填报）`).
fn strip_note(s: &str) -> &str {
    let t = s.trim_end_matches([')', '）']);
    if t.len() < s.len()
        && let Some(p) = t.rfind(['(', '（'])
    {
        return &s[..p];
    }
    s
}

/// True when the text is longer than `most` characters (counted only when
/// its length in bytes leaves a doubt).
fn longer_than(s: &str, most: usize) -> bool {
    s.len() > most && (s.len() > 4 * most || s.chars().count() > most)
}

fn find_year(doc: &Document, form: &mut FormSpan, config: &Config) {
    let mut seen = 0;
    for n in form.title_line..=form.end {
        let Some(line) = doc.line(n) else { break };
        if line.is_blank() {
            continue;
        }
        // A short line such as `( 2023年度)`, split into tokens in spaced text.
        let rest: Vec<usize> = line
            .filled()
            .map(|(i, _)| i)
            .filter(|i| !form.consumed.contains(&(n, *i)))
            .collect();
        let joined: String = rest.iter().map(|i| line.cells[*i].text.trim()).collect();
        if rest.len() > 1
            && joined.chars().count() <= 16
            && joined.starts_with(['(', '（'])
            && let Some(y) = parse_year(&joined)
        {
            form.year = Some(y);
            form.consumed.extend(rest.iter().map(|i| (n, *i)));
            return;
        }
        for (i, cell) in line.filled() {
            if form.consumed.contains(&(n, i)) {
                continue;
            }
            let t = cell.text.trim();
            if t.chars().count() <= 16
                && (t.starts_with(['(', '（']) || t.ends_with(['年', '度']))
                && let Some(y) = parse_year(t)
            {
                form.year = Some(y);
                form.consumed.push((n, i));
                return;
            }
        }
        seen += 1;
        if seen > config.forms.year_lines {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use formsift_normalize::normalize;

    #[test]
    fn length_is_counted_in_characters() {
        for s in ["", "abc", "申报表", "申报表表", "ab申报", "😀😀😀", "abcd"] {
            for most in 0..6 {
                assert_eq!(
                    longer_than(s, most),
                    s.chars().count() > most,
                    "{s:?} {most}"
                );
            }
        }
        assert_eq!(strip_note("申报表（部门填报）"), "申报表");
        assert_eq!(strip_note("申报表"), "申报表");
    }

    fn seg(text: &str) -> Segmentation {
        let c = Config::embedded();
        segment(&normalize(text, &c), &c)
    }

    #[test]
    fn titles_years_and_preamble() {
        let s = seg(
            "上海市总工会2024年度项目绩效目标汇总表\n\n财政项目支出绩效目标申报表\n(2024年度)\n项目名称\t甲\n\n2023年度财政项目支出绩效自评表（区级）\n项目名称\t乙\n\n",
        );
        assert_eq!(s.forms.len(), 2);
        assert_eq!(
            (s.forms[0].start, s.forms[0].end, s.forms[0].year),
            (3, 5, Some(2024))
        );
        assert_eq!((s.forms[1].start, s.forms[1].year), (7, Some(2023)));
        assert_eq!(s.preamble.len(), 1);
        // A note in ASCII brackets after the title, too.
        let s = seg("财政项目支出绩效目标申报表(区级)
项目名称	甲
");
        assert_eq!(s.forms.len(), 1);
    }

    #[test]
    fn a_title_written_twice_starts_one_form() {
        // A heading and its caption, blank lines between: one form, under
        // the barer title.
        let s = seg(
            "Table: 财政项目支出绩效目标申报表\n\n财政项目支出绩效目标申报表\n（2024年度）\n项目名称\t甲\n",
        );
        assert_eq!(s.forms.len(), 1);
        assert_eq!(s.forms[0].title, "财政项目支出绩效目标申报表");
        assert_eq!((s.forms[0].start, s.forms[0].end), (1, 5));
        assert_eq!(s.forms[0].year, Some(2024));
        // With a line between, or another year, the second is a form of
        // its own.
        for text in [
            "财政项目支出绩效目标申报表\n项目名称\t甲\n财政项目支出绩效目标申报表\n项目名称\t乙\n",
            "2023年财政项目支出绩效目标申报表\n\n2024年财政项目支出绩效目标申报表\n",
        ] {
            assert_eq!(seg(text).forms.len(), 2, "{text}");
        }
    }

    #[test]
    fn a_title_after_a_wiki_macro_is_a_title() {
        let s = seg(
            "h2. {anchor:部门单位整体支出绩效目标申报表}部门（单位）整体支出绩效目标申报表\n（2026年度）\n",
        );
        assert_eq!(s.forms.len(), 1);
        assert_eq!(s.forms[0].title, "部门（单位）整体支出绩效目标申报表");
        assert_eq!(s.forms[0].year, Some(2026));
    }

    #[test]
    fn titles_lose_the_markup_before_them() {
        assert_eq!(
            bare_title(".. rubric:: 财政项目支出绩效自评表"),
            "财政项目支出绩效自评表"
        );
        assert_eq!(bare_title(" Table: 申报表 "), "申报表");
        // Figures and ideographs belong to the title.
        assert_eq!(bare_title("1. 申报表"), "1. 申报表");
        assert_eq!(bare_title("2024 年度申报表"), "2024 年度申报表");
        assert_eq!(bare_title("附件 申报表"), "附件 申报表");
    }

    #[test]
    fn prose_mentioning_a_title_is_not_a_title() {
        let s = seg(
            "请各单位按照财政项目支出绩效目标申报表的要求认真填写并于三月底前报送至市财政局绩效管理处审核\n",
        );
        assert!(s.forms.is_empty());
    }
}
