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
pub fn parse_measure(raw: &str, rules: &ValueRules) -> Measure {
    let raw = raw.trim().to_string();
    if !crate::has_digit(&raw) {
        return Measure {
            raw,
            op: None,
            value: None,
            unit: None,
        };
    }
    let folded = fold(&raw);
    let norm: std::borrow::Cow<'_, str> = if folded.contains(['≧', '≦']) {
        folded.replace('≧', "≥").replace('≦', "≤").into()
    } else {
        folded
    };
    let Some(m) = NUMBER.find(&norm) else {
        return Measure {
            raw,
            op: None,
            value: None,
            unit: None,
        };
    };
    let digits = m.as_str();
    let value: Option<f64> = if digits.contains(',') {
        digits.replace(',', "").parse().ok()
    } else {
        digits.parse().ok()
    };
    let before = norm[..m.start()].trim_end();
    let after = &norm[m.end()..];
    let mut op = rules
        .prefix_ops
        .iter()
        .find(|(word, _)| before.ends_with(word.as_str()))
        .map(|(_, op)| op.clone());
    let mut unit_text: String = after
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '(' | ')' | '[' | ']'))
        .collect();
    for (word, sop) in &rules.suffix_ops {
        if let Some(pos) = unit_text.find(word.as_str()) {
            if op.is_none() {
                op = Some(sop.clone());
            }
            unit_text.replace_range(pos..pos + word.len(), "");
            break;
        }
    }
    let unit: String = unit_text
        .chars()
        .take_while(|c| {
            !c.is_ascii_digit()
                && !matches!(
                    c,
                    '-' | '~' | '—' | ',' | '，' | ';' | '；' | '。' | '、' | ':' | '：'
                )
        })
        .collect();
    let unit = if unit.is_empty() || unit.chars().count() > rules.max_unit_chars {
        None
    } else {
        Some(unit)
    };
    Measure {
        raw,
        op,
        value,
        unit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
    }

    #[test]
    fn prose_after_a_number_is_not_a_unit() {
        assert_eq!(m("3个工作日内完成全部审核工作"), t(None, Some(3.0), None));
    }
}
