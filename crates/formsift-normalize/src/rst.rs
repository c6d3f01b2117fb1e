//! reStructuredText's explicit markup around tables (pandoc's `-t rst`,
//! Sphinx sources): a directive line `.. name:: argument` and the option
//! lines under it (`:name: anchor`). The markup is no content: the line
//! keeps only an argument that is text of the page (a rubric's or a table's
//! title). The tables themselves are grid tables ([`crate::grid`]) and
//! simple tables ruled with `=` ([`crate::dashed`]).

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
    fn options_are_fields_indented_under_the_directive() {
        assert!(is_option("      :name: 财政项目支出绩效目标申报表", 3));
        assert!(is_option("    :widths: 10 20", 0));
        assert!(is_option("   :header-rows:", 0));
        assert!(!is_option(":name: x", 0), "not indented under it");
        assert!(!is_option("   备注：无", 0));
        assert!(!is_option("   :>=90%", 0));
    }
}
