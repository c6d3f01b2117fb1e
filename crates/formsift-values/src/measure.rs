//! Targets and actuals: raw text → op, value, unit.

use crate::fold;
use formsift_config::ValueRules;
use formsift_model::Measure;
use regex::Regex;
use std::sync::LazyLock;

static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?").unwrap());

/// Reads a printed target or actual. `raw` keeps the text as printed (trimmed);
/// the comparator comes from a sign or word right before the number or a word
/// such as 以上 after it; the unit is what follows the number, brackets and
/// white space removed. Qualitative text gives value, op and unit null.
///
/// An owned text is kept as `raw` when it needs no trim (no copy).
pub fn parse_measure(raw: impl Into<String>, rules: &ValueRules) -> Measure {
    let mut raw: String = raw.into();
    let trimmed = formsift_model::trim(&raw);
    if trimmed.len() != raw.len() {
        raw = trimmed.to_string();
    }
    let parts = parts(&raw, rules, true);
    Measure {
        raw,
        op: parts.op.map(str::to_string),
        value: parts.value,
        unit: parts.unit,
    }
}

/// True when the text reads as a quantity: a value with a comparator or a
/// unit ([`parse_measure`]'s reading, without building the measure).
pub fn is_quantity(raw: &str, rules: &ValueRules) -> bool {
    let p = parts(formsift_model::trim(raw), rules, false);
    p.has_value && (p.op.is_some() || p.has_unit)
}

/// What [`parse_measure`] reads from a trimmed text; the comparator borrowed
/// from the rules.
#[derive(Default)]
struct Parts<'r> {
    op: Option<&'r str>,
    /// The value, when the unit is asked for.
    value: Option<f64>,
    /// Whether there is one (asked for or not).
    has_value: bool,
    /// The unit, when asked for.
    unit: Option<String>,
    /// Whether there is one (asked for or not).
    has_unit: bool,
}

/// With `want_unit` false the unit and the value are not returned, the
/// unit looked for only when the answer to "a value with a comparator or a
/// unit?" still depends on it, and ASCII figures not parsed (their syntax
/// always parses).
/// `s.ends_with(word)`, with the last bytes compared first: the text before
/// a number ends in none of most comparator words, and a word whose last
/// byte differs is passed over without a call to compare the two.
fn ends_with(s: &str, word: &str) -> bool {
    match word.as_bytes().last() {
        None => true,
        Some(last) => s.as_bytes().last() == Some(last) && s.ends_with(word),
    }
}

fn parts<'r>(raw: &str, rules: &'r ValueRules, want_unit: bool) -> Parts<'r> {
    if !crate::has_digit(raw) {
        return Parts::default();
    }
    let folded = fold(raw);
    let norm: std::borrow::Cow<'_, str> = if folded.contains(['≧', '≦']) {
        folded.replace('≧', "≥").replace('≦', "≤").into()
    } else {
        folded
    };
    let Some((start, end)) = find_number(&norm) else {
        return Parts::default();
    };
    let digits = &norm[start..end];
    let value: Option<f64> = if !want_unit && digits.is_ascii() {
        // (Grouped or plain ASCII digits with a fraction, as find_number
        // cuts them: a number whatever its value.)
        None
    } else if digits.contains(',') {
        digits.replace(',', "").parse().ok()
    } else {
        digits.parse().ok()
    };
    let has_value = value.is_some() || (!want_unit && digits.is_ascii());
    let before = norm[..start].trim_end();
    let after = &norm[end..];
    let mut op = rules
        .prefix_ops
        .iter()
        .find(|(word, _)| ends_with(before, word))
        .map(|(_, op)| op.as_str());
    if !want_unit && (!has_value || op.is_some()) {
        return Parts {
            op,
            value,
            has_value,
            unit: None,
            has_unit: false,
        };
    }
    // What follows the number, white space and brackets removed: borrowed
    // when there are none (most units), copied only to remove them.
    let dropped = |c: char| c.is_whitespace() || matches!(c, '(' | ')' | '[' | ']');
    let mut unit: std::borrow::Cow<'_, str> = if after.contains(dropped) {
        after
            .chars()
            .filter(|&c| !dropped(c))
            .collect::<String>()
            .into()
    } else {
        after.into()
    };
    for (word, sop) in &rules.suffix_ops {
        // (A searcher costs more to set up than most units are long: a
        // unit too short, or without the word's first character, is passed
        // over first.)
        if unit.len() < word.len() || word.chars().next().is_some_and(|c| !unit.contains(c)) {
            continue;
        }
        if let Some(pos) = unit.find(word.as_str()) {
            if op.is_none() {
                op = Some(sop.as_str());
            }
            unit.to_mut().replace_range(pos..pos + word.len(), "");
            break;
        }
    }
    // The unit ends at a digit or a separator (cut in place).
    let stop = unit.find(|c: char| {
        c.is_ascii_digit()
            || matches!(
                c,
                '-' | '~' | '—' | ',' | '，' | ';' | '；' | '。' | '、' | ':' | '：'
            )
    });
    if let Some(stop) = stop {
        match &mut unit {
            std::borrow::Cow::Borrowed(u) => *u = &u[..stop],
            std::borrow::Cow::Owned(u) => u.truncate(stop),
        }
    }
    let has_unit = !unit.is_empty() && unit.chars().count() <= rules.max_unit_chars;
    Parts {
        op,
        value,
        has_value,
        unit: (want_unit && has_unit).then(|| unit.into_owned()),
        has_unit,
    }
}

/// The first number of the text as `NUMBER` finds it (thousands groups,
/// then digits, then a fraction), scanned by hand on the common path; text
/// holding non-ASCII numerals goes to the regex.
fn find_number(s: &str) -> Option<(usize, usize)> {
    // No CJK unified ideograph is numeric (a test checks): the common
    // characters skip the Unicode table lookup.
    let numeral = |c: char| !c.is_ascii() && !is_ideograph(c) && c.is_numeric();
    if s.chars().any(numeral) {
        return NUMBER.find(s).map(|m| (m.start(), m.end()));
    }
    let b = s.as_bytes();
    let digits_from = |i: usize| b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    let start = b.iter().position(u8::is_ascii_digit)?;
    let run = digits_from(start);
    let mut end = start + run;
    // `\d{1,3}(,\d{3})+` is tried first: a run of at most three digits
    // followed by groups of a comma and exactly three digits.
    let group = |at: usize| {
        b.get(at) == Some(&b',')
            && at + 4 <= b.len()
            && b[at + 1..at + 4].iter().all(u8::is_ascii_digit)
    };
    if run <= 3 && group(end) {
        while group(end) {
            end += 4;
        }
    }
    if b.get(end) == Some(&b'.') && b.get(end + 1).is_some_and(u8::is_ascii_digit) {
        end += 1 + digits_from(end + 1);
    }
    Some((start, end))
}

/// A CJK unified ideograph of the basic block.
pub(crate) fn is_ideograph(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_ideograph_is_numeric() {
        let numeric: Vec<char> = ('\u{4E00}'..='\u{9FFF}')
            .filter(|c| c.is_numeric())
            .collect();
        assert_eq!(numeric, Vec::<char>::new());
        assert!(
            '〇'.is_numeric() && !is_ideograph('〇'),
            "U+3007 stays on the slow path"
        );
    }

    static RULES: LazyLock<ValueRules> = LazyLock::new(|| Config::embedded().values);

    proptest::proptest! {
        #[test]
        fn ends_with_agrees_with_the_standard_one(
            s in "[a=<>≥≤于于低不 ]{0,6}", word in "[=<>≥≤于低不]{0,3}"
        ) {
            proptest::prop_assert_eq!(ends_with(&s, &word), s.ends_with(word.as_str()));
        }

        #[test]
        fn the_number_scanner_agrees_with_the_pattern_on_any_text(s in "[0-9,.%元 ≥a٣①]{0,16}") {
            let want = NUMBER.find(&s).map(|m| (m.start(), m.end()));
            proptest::prop_assert_eq!(find_number(&s), want);
        }

        /// `is_quantity` (which builds no unit) says what `parse_measure`
        /// reads, on any text of numbers, units, brackets, white space and
        /// comparator words; a unit never keeps white space, brackets, or
        /// what follows a digit or a separator.
        #[test]
        fn is_quantity_is_what_parse_measure_reads(
            s in "[0-9,.%元人天 \u{3000}()\\[\\]（）≥≤以上下不低于约、;\\-١٣１]{0,14}"
        ) {
            let m = parse_measure(&s, &RULES);
            let want = m.value.is_some() && (m.op.is_some() || m.unit.is_some());
            proptest::prop_assert_eq!(is_quantity(&s, &RULES), want);
            if let Some(u) = &m.unit {
                proptest::prop_assert!(!u.is_empty());
                proptest::prop_assert!(!u.contains(|c: char| c.is_whitespace() || "()[]".contains(c)));
                // It ends at a digit or a separator.
                proptest::prop_assert!(!u.contains(|c: char| c.is_ascii_digit() || "-~—,，;；。、:：".contains(c)));
            }
        }
    }

    #[test]
    fn a_quantity_is_a_measure_with_a_value_and_an_op_or_unit() {
        let rules = &Config::embedded().values;
        for t in [
            "≥95%",
            "10 人",
            "100",
            "不低于90",
            "90以上",
            "是",
            "2024年",
            "第3季度完成",
            " ≤ 5 天 ",
            "1,234,567.89元",
            "约",
            "",
        ] {
            let m = parse_measure(t, rules);
            let want = m.value.is_some() && (m.op.is_some() || m.unit.is_some());
            assert_eq!(is_quantity(t, rules), want, "{t:?}");
        }
        assert!(is_quantity("≥95%", rules) && !is_quantity("100", rules));
    }

    #[test]
    fn the_number_scanner_agrees_with_the_pattern() {
        let cases = [
            "≥98.5%",
            "1,234,567.89元",
            "1,2345",
            "12,345",
            "1234,567",
            "共3,00人",
            "v1.",
            "a.5",
            "no digits",
            "0.5.6",
            "2,323,000.00",
            "９８％",
            "①23",
            "٣4",
            "1,234,5678",
            "9.",
        ];
        for c in cases {
            let want = NUMBER.find(c).map(|m| (m.start(), m.end()));
            assert_eq!(find_number(c), want, "{c}");
        }
    }
    use formsift_config::Config;

    fn m(s: &str) -> (Option<String>, Option<f64>, Option<String>) {
        let r = parse_measure(s, &Config::embedded().values);
        (r.op, r.value, r.unit)
    }

    fn t(
        op: Option<&str>,
        v: Option<f64>,
        u: Option<&str>,
    ) -> (Option<String>, Option<f64>, Option<String>) {
        (op.map(String::from), v, u.map(String::from))
    }

    #[test]
    fn comparators_numbers_units() {
        assert_eq!(m("≥100.00(个)"), t(Some(">="), Some(100.0), Some("个")));
        assert_eq!(m("=100(%)"), t(Some("="), Some(100.0), Some("%")));
        assert_eq!(m(">=608人"), t(Some(">="), Some(608.0), Some("人")));
        assert_eq!(m("> 80人"), t(Some(">"), Some(80.0), Some("人")));
        assert_eq!(m("<176000张"), t(Some("<"), Some(176000.0), Some("张")));
        assert_eq!(m("≤10.00(%)"), t(Some("<="), Some(10.0), Some("%")));
        assert_eq!(m("＞＝９０％"), t(Some(">="), Some(90.0), Some("%")));
        assert_eq!(m("不低于95%"), t(Some(">="), Some(95.0), Some("%")));
    }

    #[test]
    fn words_and_phrases() {
        assert_eq!(m("满意度85%以上"), t(Some(">="), Some(85.0), Some("%")));
        assert_eq!(m("预算执行率100%"), t(None, Some(100.0), Some("%")));
        assert_eq!(m("增长1%"), t(None, Some(1.0), Some("%")));
        assert_eq!(m("偏差率=0"), t(Some("="), Some(0.0), None));
        assert_eq!(m("1000元 / 人"), t(None, Some(1000.0), Some("元/人")));
        assert_eq!(m("100%"), t(None, Some(100.0), Some("%")));
        assert_eq!(m("=100"), t(Some("="), Some(100.0), None));
        assert_eq!(m("1,000.5万元"), t(None, Some(1000.5), Some("万元")));
    }

    #[test]
    fn qualitative_values_have_no_number() {
        assert_eq!(m("及时"), t(None, None, None));
        assert_eq!(m("件件有回音"), t(None, None, None));
        assert_eq!(parse_measure(" 是 ", &Config::embedded().values).raw, "是");
        // An owned text is trimmed too (kept whole only when it needs no trim).
        let owned = parse_measure(String::from(" ≥ 90% "), &Config::embedded().values);
        assert_eq!(owned.raw, "≥ 90%");
        assert_eq!(
            (owned.op, owned.value, owned.unit),
            t(Some(">="), Some(90.0), Some("%"))
        );
    }

    #[test]
    fn prose_after_a_number_is_not_a_unit() {
        assert_eq!(m("3个工作日内完成全部审核工作"), t(None, Some(3.0), None));
    }
}
