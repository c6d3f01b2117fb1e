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
pub use text::{is_cjk, join_wrapped, split_ordinal};

/// NFKC-folds text for parsing (full-width digits, signs and brackets).
/// Text that is already in NFKC (all ASCII, most CJK) is borrowed, not copied.
pub fn fold(text: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};
    // ASCII and CJK unified ideographs are NFKC-stable: the common case
    // needs no normalisation tables.
    let stable = |c: char| c.is_ascii() || ('\u{4E00}'..='\u{9FFF}').contains(&c);
    if text.chars().all(stable) || is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(text.nfkc().collect())
}

/// True when the text holds a digit, ASCII or full-width: the cheap test
/// before the number parsers run.
pub fn has_digit(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
}
