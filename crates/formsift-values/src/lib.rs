//! Values: the small parsers that read what one cell says.
//!
//! This crate owns reading targets and actuals into op/value/unit
//! ([`parse_measure`]), amounts with thousands separators, percentages, ISO
//! dates from every printed form, years, integers, check-box options
//! ([`parse_choice`]) and the `指标N：` ordinal. Parsers take text and the
//! rules of `pipeline.toml` and never fail: what cannot be read is `None`.
//! Full-width digits and comparators are folded with Unicode NFKC for parsing
//! only; the `raw` text stays as printed.

mod choice;
mod measure;
mod number;
mod text;

pub use choice::{Choice, parse_choice};
pub use measure::{is_quantity, parse_measure};
pub use number::{parse_amount, parse_date, parse_int, parse_percent, parse_year};
pub use text::{is_cjk, join_wrapped, push_wrapped, split_ordinal};

/// NFKC-folds text for parsing (full-width digits, signs and brackets).
/// Text that is already in NFKC (all ASCII, most CJK) is borrowed, not copied.
///
/// Most form text needs no normalisation tables: characters that are stable
/// on their own are kept, and the full-width ASCII forms and the ideographic
/// space fold one to one. Only text with other characters (a combining mark,
/// a compatibility ideograph, `℃`, `…`) goes through `unicode-normalization`.
/// A proptest holds the result to NFKC's.
pub fn fold(text: &str) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};
    if text.chars().all(nfkc_stable) {
        return Cow::Borrowed(text);
    }
    if text
        .chars()
        .all(|c| nfkc_stable(c) || wide_ascii(c).is_some())
    {
        // (Room for the whole text at once: collecting characters grew the
        // string a doubling at a time.)
        let mut out = String::with_capacity(text.len());
        out.extend(text.chars().map(|c| wide_ascii(c).unwrap_or(c)));
        return Cow::Owned(out);
    }
    if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.nfkc().collect())
}

/// Characters NFKC leaves alone wherever they stand: ASCII, the CJK unified
/// ideographs and the signs forms print (comparators, dashes, quotes, CJK
/// punctuation, boxes and ticks). Each has no decomposition, combining class
/// 0 and NFKC_QC=Yes (a unit test checks the list). ASCII and the
/// ideographs, most of any form's text, are answered inline; the signs out
/// of line.
#[inline(always)]
fn nfkc_stable(c: char) -> bool {
    c.is_ascii() || ('\u{4E00}'..='\u{9FFF}').contains(&c) || nfkc_stable_sign(c)
}

/// The signs of [`nfkc_stable`].
#[inline(never)]
fn nfkc_stable_sign(c: char) -> bool {
    matches!(
        c,
        '≥' | '≤'
            | '≠'
            | '±'
            | '×'
            | '÷'
            | '·'
            | '—'
            | '–'
            | '‘'
            | '’'
            | '“'
            | '”'
            | '、'
            | '。'
            | '《'
            | '》'
            | '「'
            | '」'
            | '【'
            | '】'
            | '〔'
            | '〕'
            | '√'
            | '□'
            | '■'
            | '☑'
            | '☒'
            | '●'
            | '○'
            | '→'
    )
}

/// The ASCII character a full-width form (U+FF01–U+FF5E) or the ideographic
/// space folds to under NFKC.
fn wide_ascii(c: char) -> Option<char> {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
        '\u{3000}' => Some(' '),
        _ => None,
    }
}

/// True when the text holds a digit, ASCII or full-width: the cheap test
/// before the number parsers run.
pub fn has_digit(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
}

#[cfg(test)]
mod fold_tests {
    use super::*;
    use proptest::prelude::*;
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::canonical_combining_class;

    fn nfkc(s: &str) -> String {
        s.nfkc().collect()
    }

    #[test]
    fn the_stable_list_is_stable() {
        let listed = "≥≤≠±×÷·—–‘’“”、。《》「」【】〔〕√□■☑☒●○→";
        for c in listed.chars() {
            assert!(nfkc_stable(c), "{c} is listed");
            assert_eq!(nfkc(&c.to_string()), c.to_string(), "{c}");
            assert_eq!(canonical_combining_class(c), 0, "{c}");
        }
        for c in ['℃', '…', '\u{301}', '（', '\u{3000}', '\u{F900}'] {
            assert!(!nfkc_stable(c), "{c:?} is not stable");
        }
    }

    #[test]
    fn wide_ascii_is_what_nfkc_makes_of_it() {
        for c in ('\u{FF01}'..='\u{FF5E}').chain(['\u{3000}']) {
            assert_eq!(wide_ascii(c).map(String::from), Some(nfkc(&c.to_string())));
        }
    }

    proptest! {
        /// Every path of `fold` gives NFKC's text: stable text, full-width
        /// forms, and characters (combining marks, `℃`, `…`, compatibility
        /// ideographs, half-width katakana) that need the tables.
        #[test]
        fn fold_is_nfkc(s in "[a-z0-9%.<>=\\- 质量指标≥≤—、。（）％：，０-９Ａ-Ｚ\u{3000}℃…\u{301}\u{F900}ｶﾞé]{0,16}") {
            prop_assert_eq!(fold(&s).into_owned(), nfkc(&s));
        }
    }
}
