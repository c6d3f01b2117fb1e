//! LaTeX math in cell text: `$…$` delimiters and a table of commands.

/// Replaces LaTeX commands of `table` (longest first, as the configuration
/// keeps them) and removes `$` delimiters. Returns the text and whether
/// anything was replaced.
pub(crate) fn replace<'t>(
    text: &'t str,
    table: &[[String; 2]],
) -> (std::borrow::Cow<'t, str>, bool) {
    if !text.bytes().any(|b| b == b'\\' || b == b'$') {
        return (text.into(), false);
    }
    let dollars_pair = text.matches('$').count().is_multiple_of(2);
    let mut out = String::with_capacity(text.len());
    let mut replaced = false;
    let mut rest = text;
    'outer: while let Some(c) = rest.chars().next() {
        if c == '\\' {
            for [cmd, rep] in table {
                if let Some(after) = rest.strip_prefix(cmd.as_str()) {
                    let ends_word = cmd.ends_with(|c: char| c.is_ascii_alphabetic());
                    if ends_word && after.starts_with(|c: char| c.is_ascii_alphabetic()) {
                        continue;
                    }
                    out.push_str(rep);
                    replaced = true;
                    rest = if ends_word {
                        after.trim_start_matches(' ')
                    } else {
                        after
                    };
                    continue 'outer;
                }
            }
        }
        if c == '$' && dollars_pair {
            replaced = true;
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    (out.into(), replaced)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Vec<[String; 2]> {
        vec![
            ["\\geq".into(), "≥".into()],
            ["\\ge".into(), "≥".into()],
            ["\\%".into(), "%".into()],
        ]
    }

    #[test]
    fn commands_and_delimiters() {
        assert_eq!(replace("$\\geq 90\\%$", &table()), ("≥90%".into(), true));
        assert_eq!(replace("满意率 \\geq 80%。", &table()).0, "满意率 ≥80%。");
        assert_eq!(replace("\\gequal", &table()).0, "\\gequal");
        assert_eq!(replace("普通文本", &table()), ("普通文本".into(), false));
    }

    #[test]
    fn a_lone_dollar_is_kept() {
        assert_eq!(replace("US$5", &table()).0, "US$5");
    }
}
