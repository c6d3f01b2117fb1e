//! HTML character references left in text that is not HTML: converters
//! that escape `<`, `>` and `&` in what they write (pandoc's Textile, pages
//! saved as text, CSV exported from a web table) leave `&gt;=608人` in a
//! cell. HTML itself is decoded by its parser ([`crate::html`]).

use std::borrow::Cow;

/// The named references converters write, and what they stand for.
const NAMED: [(&str, char); 9] = [
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", '\u{a0}'),
    ("ge", '≥'),
    ("le", '≤'),
    ("times", '×'),
];

/// The text with every `&name;` of [`NAMED`] and every numeric reference
/// (`&#8805;`, `&#x2265;`) replaced by its character; anything else that
/// starts with `&` stays as written.
pub(crate) fn decode(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 1..];
        match reference(tail) {
            Some((c, len)) => {
                out.push(c);
                rest = &tail[len..];
                changed = true;
            }
            None => {
                out.push('&');
                rest = tail;
            }
        }
    }
    if !changed {
        return Cow::Borrowed(text);
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The character a reference after `&` stands for, and the bytes it took
/// (its `;` included).
fn reference(tail: &str) -> Option<(char, usize)> {
    // (`;` is ASCII: its index is a character boundary.)
    let end = tail.bytes().take(12).position(|b| b == b';')?;
    let name = &tail[..end];
    let c = if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        char::from_u32(code).filter(|c| !c.is_control() || c.is_whitespace())?
    } else {
        NAMED.iter().find(|(n, _)| *n == name)?.1
    };
    Some((c, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_decoded_and_the_rest_kept() {
        assert_eq!(decode("&gt;=608人"), ">=608人");
        assert_eq!(decode("&#8805;90%"), "≥90%");
        assert_eq!(decode("&#x2265;90&#37;"), "≥90%");
        assert_eq!(decode("A&amp;B &lt;5"), "A&B <5");
        for kept in [
            "R&D",
            "&",
            "&;",
            "&unknown;",
            "&#xZZ;",
            "&#0;",
            "a & b;",
            "&gt",
        ] {
            assert_eq!(decode(kept), kept);
            assert!(matches!(decode(kept), Cow::Borrowed(_)), "{kept}");
        }
    }

    #[test]
    fn a_cut_reference_is_kept() {
        // Multi-byte characters within the look-ahead, and a reference
        // followed by them.
        assert_eq!(decode("&指标；"), "&指标；");
        assert_eq!(decode("&指标;"), "&指标;");
        assert_eq!(decode("&gt;=6080人人人"), ">=6080人人人");
    }
}
