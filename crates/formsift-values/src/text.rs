//! Text helpers: wrapped-line joining and the `指标N：` ordinal.

use regex::Regex;

/// True for CJK ideographs and full-width or CJK punctuation.
pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{2E80}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{FF00}'..='\u{FFEF}' | '\u{201C}' | '\u{201D}')
}

/// Joins a line-wrapped text: no space between CJK text, one space otherwise.
pub fn join_wrapped(a: &str, b: &str) -> String {
    let mut out = String::with_capacity(a.len() + 1 + b.len());
    out.push_str(a);
    push_wrapped(&mut out, b);
    out
}

/// [`join_wrapped`] in place: `b` joined onto the end of `a`. A text that
/// grows a line at a time this way costs its length, where joining into a
/// new string each time cost its square (100,000 wrapped lines of one name
/// took 5 s).
pub fn push_wrapped(a: &mut String, b: &str) {
    let b = b.trim_start();
    a.truncate(a.trim_end().len());
    let (Some(last), Some(first)) = (a.chars().next_back(), b.chars().next()) else {
        a.push_str(b);
        return;
    };
    if !(is_cjk(last) || is_cjk(first) || last == ',' || first == ',') {
        a.push(' ');
    }
    a.push_str(b);
}

/// Splits a leading `指标N：` off a name: (N, rest).
pub fn split_ordinal(name: impl Into<String>, pattern: &Regex) -> (Option<i64>, String) {
    let name: String = name.into();
    // Most names carry no ordinal: a match test costs less than captures,
    // and a name that needs no trim is returned as it came (no copy).
    if !pattern.is_match(&name) {
        let trimmed = formsift_model::trim(&name);
        if trimmed.len() == name.len() {
            return (None, name);
        }
        return (None, trimmed.to_string());
    }
    match pattern.captures(&name) {
        Some(c) => {
            // (Folded: the pattern may take full-width digits.)
            let n = c.get(1).and_then(|m| crate::fold(m.as_str()).parse().ok());
            let rest = name[c.get(0).unwrap().end()..].trim().to_string();
            if rest.is_empty() {
                (None, name.trim().to_string())
            } else {
                (n, rest)
            }
        }
        None => (None, name.trim().to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_cjk_without_space() {
        assert_eq!(join_wrapped("帮困人", "数"), "帮困人数");
        assert_eq!(join_wrapped("abc", "def"), "abc def");
        assert_eq!(join_wrapped("关心", "爱护,切实"), "关心爱护,切实");
    }

    /// What joining into a new string did: trim, then a space unless CJK
    /// or a comma meets the join.
    fn joined_as_before(a: &str, b: &str) -> String {
        let (a, b) = (a.trim_end(), b.trim_start());
        if a.is_empty() || b.is_empty() {
            return format!("{a}{b}");
        }
        let (last, first) = (a.chars().next_back().unwrap(), b.chars().next().unwrap());
        let space = !(is_cjk(last) || is_cjk(first) || last == ',' || first == ',');
        format!("{a}{}{b}", if space { " " } else { "" })
    }

    proptest::proptest! {
        /// A text grown in place line by line reads as each line joined
        /// into a new string.
        #[test]
        fn pushing_lines_joins_them_as_joining_did(
            lines in proptest::collection::vec("[a,甲 \t]{0,4}", 0..6)
        ) {
            let mut grown = String::new();
            let mut joined = String::new();
            for l in &lines {
                push_wrapped(&mut grown, l);
                joined = joined_as_before(&joined, l);
                proptest::prop_assert_eq!(&grown, &joined);
                proptest::prop_assert_eq!(join_wrapped(&joined, l), joined_as_before(&joined, l));
            }
        }
    }

    #[test]
    fn ordinals() {
        let re = Regex::new(r"^\s*指标\s*([0-9]+)\s*[：:.、]\s*").unwrap();
        assert_eq!(
            split_ordinal("指标3：岗位配置到位率", &re),
            (Some(3), "岗位配置到位率".into())
        );
        assert_eq!(
            split_ordinal("服务对象人数", &re),
            (None, "服务对象人数".into())
        );
        assert_eq!(split_ordinal("指标1：", &re), (None, "指标1：".into()));
        // Full-width digits, where the pattern takes them, are the number.
        let wide = Regex::new(r"^\s*指标\s*([0-9０-９]+)\s*[：:.．、]\s*").unwrap();
        assert_eq!(
            split_ordinal("指标１２：岗位配置到位率", &wide),
            (Some(12), "岗位配置到位率".into())
        );
        // An owned name is trimmed too.
        assert_eq!(
            split_ordinal(String::from(" 服务对象人数\n"), &re),
            (None, "服务对象人数".into())
        );
    }
}
