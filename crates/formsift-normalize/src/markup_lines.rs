//! Markup lines that lightweight markups write around tables, and that are
//! no content: reStructuredText's directives (pandoc's `-t rst`, Sphinx
//! sources), a line `.. name:: argument` and the option lines under it
//! (`:name: anchor`), of which a line keeps only an argument that is text
//! of the page (a rubric's or a table's title); and Org's property drawers
//! (`:PROPERTIES:` … `:END:`). The tables themselves are grid tables
//! ([`crate::grid`]), simple tables ruled with `=` ([`crate::dashed`]) and
//! pipe tables ([`crate::markdown`]).

/// Directives whose argument is a title printed on the page; any other
/// directive's argument names a class, a file or an option.
const TITLED: [&str; 8] = [
    "rubric",
    "title",
    "topic",
    "sidebar",
    "admonition",
    "table",
    "csv-table",
    "list-table",
];

/// When `line` is a directive, its argument if the page prints it (`None`
/// inside for a directive whose argument is markup, or that has none).
pub(crate) fn directive(line: &str) -> Option<Option<&str>> {
    let rest = line.trim_start().strip_prefix(".. ")?;
    let (name, arg) = rest.split_once("::")?;
    let is_name = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
    if !is_name || !arg.is_empty() && !arg.starts_with(char::is_whitespace) {
        return None;
    }
    let arg = arg.trim();
    Some((TITLED.contains(&name) && !arg.is_empty()).then_some(arg))
}

/// Whether `line` is an option of a directive indented `indent` columns: a
/// field `:name:` (with or without a value) indented further.
pub(crate) fn is_option(line: &str, indent: usize) -> bool {
    let t = line.trim_start();
    let Some(field) = t.strip_prefix(':') else {
        return false;
    };
    line.len() - t.len() > indent
        && field.split_once(':').is_some_and(|(name, value)| {
            !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
                && (value.is_empty() || value.starts_with(char::is_whitespace))
        })
}

/// When line `i` opens an Org drawer (`:PROPERTIES:`, `:LOGBOOK:`), the
/// index of its `:END:` line, at most [`DRAWER_LINES`] lines on.
pub(crate) fn drawer_end(raw: &[&str], i: usize) -> Option<usize> {
    const DRAWER_LINES: usize = 64;
    let name = raw[i].trim().strip_prefix(':')?.strip_suffix(':')?;
    if name.is_empty()
        || name == "END"
        || !name.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
    {
        return None;
    }
    (i + 1..raw.len().min(i + 1 + DRAWER_LINES)).find(|&j| raw[j].trim() == ":END:")
}

/// The columns of white space a line starts with.
pub(crate) fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_keep_only_printed_titles() {
        assert_eq!(
            directive("   .. rubric:: 财政项目支出绩效目标申报表"),
            Some(Some("财政项目支出绩效目标申报表"))
        );
        assert_eq!(directive(".. container:: form"), Some(None));
        assert_eq!(directive(".. table::"), Some(None));
        assert_eq!(
            directive(".. 说明：见附件"),
            None,
            "a comment, no directive"
        );
        assert_eq!(directive("..rubric:: x"), None);
        assert_eq!(directive(".. a::b"), None);
    }

    #[test]
    fn org_drawers_run_to_their_end() {
        let raw = [
            "   :PROPERTIES:",
            "   :CUSTOM_ID: 申报表",
            "   :END:",
            "（2023年度）",
        ];
        assert_eq!(drawer_end(&raw, 0), Some(2));
        assert_eq!(drawer_end(&raw, 1), None, "a property, no drawer");
        assert_eq!(drawer_end(&[":PROPERTIES:", "甲"], 0), None, "no end");
        assert_eq!(drawer_end(&[":备注:", ":END:"], 0), None);
    }

    #[test]
    fn options_are_fields_indented_under_the_directive() {
        assert!(is_option("      :name: 财政项目支出绩效目标申报表", 3));
        assert!(is_option("    :widths: 10 20", 0));
        assert!(is_option("   :header-rows:", 0));
        assert!(!is_option(":name: x", 0), "not indented under it");
        assert!(!is_option("   备注：无", 0));
        assert!(!is_option("   :>=90%", 0));
    }
}
