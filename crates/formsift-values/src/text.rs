//! Text helpers: wrapped-line joining and the `指标N：` ordinal.

use regex::Regex;

/// True for CJK ideographs and full-width or CJK punctuation.
pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{2E80}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{FF00}'..='\u{FFEF}' | '\u{201C}' | '\u{201D}')
}

/// Joins a line-wrapped text: no space between CJK text, one space otherwise.
pub fn join_wrapped(a: &str, b: &str) -> String {
    let (a, b) = (a.trim_end(), b.trim_start());
    if a.is_empty() {
        return b.to_string();
    }
    if b.is_empty() {
        return a.to_string();
    }
    let last = a.chars().next_back().unwrap();
    let first = b.chars().next().unwrap();
    let mut out = String::with_capacity(a.len() + 1 + b.len());
    out.push_str(a);
    if !(is_cjk(last) || is_cjk(first) || last == ',' || first == ',') {
        out.push(' ');
    }
    out.push_str(b);
    out
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
