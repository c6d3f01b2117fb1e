//! Numbers, dates and years.

use crate::fold;
use regex::Regex;
use std::sync::LazyLock;

static DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{4})\s*[年/\-.]\s*(\d{1,2})\s*[月/\-.]\s*(\d{1,2})").unwrap());
static YEAR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(\d{4})\s*年").unwrap());
static INT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"-?\d+").unwrap());

/// An amount such as `2,323,000.00`, `709630` or `0`; placeholders give None.
pub fn parse_amount(text: &str) -> Option<f64> {
    let first = formsift_model::trim_start(text).chars().next()?;
    if !(first.is_ascii_digit() || ('０'..='９').contains(&first) || matches!(first, '-' | '－'))
    {
        return None;
    }
    let f = fold(text);
    // Most amounts are plain ASCII without spaces: no copy for them.
    let squeezed: String;
    let t: &str = if f.bytes().any(|b| b.is_ascii_whitespace() || !b.is_ascii()) {
        squeezed = formsift_model::squeeze(&f);
        &squeezed
    } else {
        &f
    };
    // (`trim_end_matches` with a text pattern builds a substring searcher
    // on every call; the suffix is compared in place.)
    let mut t = t;
    while let Some(rest) = t.strip_suffix("万元") {
        t = rest;
    }
    let t = t.trim_end_matches('元');
    if !is_amount(t) {
        return None;
    }
    if t.contains(',') {
        t.replace(',', "").parse().ok()
    } else {
        t.parse().ok()
    }
}

/// True for `-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?` over the whole text, in ASCII
/// digits: grouped thousands or a plain run, then an optional fraction. A
/// scan by hand: this runs for every cell that starts with a digit.
fn is_amount(t: &str) -> bool {
    let b = t.as_bytes();
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let lead = digits(i);
    if lead == 0 {
        return false;
    }
    i += lead;
    if b.get(i) == Some(&b',') {
        if lead > 3 {
            return false;
        }
        while b.get(i) == Some(&b',') {
            if digits(i + 1) != 3 {
                return false;
            }
            i += 4;
        }
    }
    if b.get(i) == Some(&b'.') {
        let frac = digits(i + 1);
        if frac == 0 {
            return false;
        }
        i += 1 + frac;
    }
    i == b.len()
}

/// A percentage such as `98.98%` → 98.98 (a bare number is taken as percent).
pub fn parse_percent(text: &str) -> Option<f64> {
    let f = fold(text);
    let t = f.trim().trim_end_matches('%').trim();
    parse_amount(t)
}

/// A date in any printed form (`2024-01-01`, `2023/1/1`, `2019 年 1 月 1 日`)
/// as ISO `YYYY-MM-DD`, when it is a valid calendar date.
pub fn parse_date(text: &str) -> Option<String> {
    let f = fold(text);
    let [y, m, d] = find_date(&f)?;
    let (y, m, d): (u32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d == 0 || d > days[m as usize - 1] {
        return None;
    }
    // (Written by hand: `format!` cost more than the rest of the parse.)
    let mut out = String::with_capacity(10);
    push_padded(&mut out, y, 4);
    out.push('-');
    push_padded(&mut out, m, 2);
    out.push('-');
    push_padded(&mut out, d, 2);
    Some(out)
}

/// Appends `n` in decimal, zero-padded to `width` digits (more when it
/// needs them), as `{n:0width$}` writes it.
fn push_padded(out: &mut String, n: u32, width: usize) {
    let digits = n.checked_ilog10().map_or(1, |l| l as usize + 1);
    out.extend(std::iter::repeat_n('0', width.saturating_sub(digits)));
    let start = out.len();
    let mut n = n;
    loop {
        out.insert(start, char::from(b'0' + (n % 10) as u8));
        n /= 10;
        if n == 0 {
            break;
        }
    }
}

/// Year, month and day as `DATE` captures them, scanned by hand (a regex
/// with captures costs more than the rest of a field's reading); text
/// holding non-ASCII numerals goes to the regex.
fn find_date(s: &str) -> Option<[&str; 3]> {
    let numeral = |c: char| !c.is_ascii() && !crate::measure::is_ideograph(c) && c.is_numeric();
    if s.chars().any(numeral) {
        let c = DATE.captures(s)?;
        return Some([1, 2, 3].map(|k| c.get(k).map_or("", |m| m.as_str())));
    }
    let b = s.as_bytes();
    let digits = |at: usize, most: usize| {
        b.get(at..).map_or(0, |r| {
            r.iter()
                .take(most)
                .take_while(|c| c.is_ascii_digit())
                .count()
        })
    };
    // White space from `at` on (by character: `\s` is Unicode's).
    let spaces = |at: usize| {
        s[at..]
            .char_indices()
            .find(|(_, c)| !c.is_whitespace())
            .map_or(s.len(), |(k, _)| at + k)
    };
    let sep = |at: usize, word: char| {
        let c = s[at..].chars().next()?;
        matches!(c, '/' | '-' | '.')
            .then_some(())
            .or((c == word).then_some(()))?;
        Some(at + c.len_utf8())
    };
    let part = |at: usize, word: char| -> Option<(usize, usize)> {
        let at = spaces(at);
        let at = spaces(sep(at, word)?);
        let n = digits(at, 2);
        (n > 0).then_some((at, at + n))
    };
    for start in 0..b.len() {
        if digits(start, 4) < 4 {
            continue;
        }
        let Some((m0, m1)) = part(start + 4, '年') else {
            continue;
        };
        let Some((d0, d1)) = part(m1, '月') else {
            continue;
        };
        return Some([&s[start..start + 4], &s[m0..m1], &s[d0..d1]]);
    }
    None
}

/// The year of `(2024年度)`, `( 2023年度)`, `(2019年)`.
pub fn parse_year(text: &str) -> Option<i64> {
    let f = fold(text);
    match year_before_nian(&f) {
        Some(found) => found,
        None => YEAR.captures(&f)?[1].parse().ok(),
    }
}

/// What `YEAR` (`(\d{4})\s*年`) and a parse find in the text, scanned by
/// hand: the first `年` that four ASCII digits and white space stand
/// before. `Some(None)` when no `年` has them; `None` (ask the regex) when a
/// digit of another script stands where the digits would, which `\d`
/// takes and the parse does not.
fn year_before_nian(text: &str) -> Option<Option<i64>> {
    for (at, _) in text.match_indices('年') {
        let before = text[..at].trim_end_matches(char::is_whitespace);
        let mut digits = before.chars().rev().take(4);
        let mut n = 0usize;
        for c in digits.by_ref() {
            if c.is_ascii_digit() {
                n += 1;
            } else if c.is_numeric() {
                return None;
            } else {
                break;
            }
        }
        if n == 4 {
            return Some(before[before.len() - 4..].parse().ok());
        }
    }
    Some(None)
}

/// The first integer in the text.
pub fn parse_int(text: &str) -> Option<i64> {
    let f = fold(text);
    INT.find(&f)?.as_str().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts() {
        assert_eq!(parse_amount("2,323,000.00"), Some(2323000.0));
        assert_eq!(parse_amount(" 709,630 "), Some(709630.0));
        assert_eq!(parse_amount("１２３"), Some(123.0));
        assert_eq!(parse_amount("—"), None);
        assert_eq!(parse_amount("12,34"), None);
        assert_eq!(parse_amount("上海"), None);
    }

    #[test]
    fn amounts_lose_their_unit_suffixes() {
        assert_eq!(parse_amount("12万元"), Some(12.0));
        assert_eq!(parse_amount("12 万元"), Some(12.0));
        assert_eq!(parse_amount("12元"), Some(12.0));
        // As trim_end_matches: every trailing 万元, then every 元.
        assert_eq!(parse_amount("12万元万元"), Some(12.0));
        assert_eq!(parse_amount("12元元"), Some(12.0));
        assert_eq!(parse_amount("12万元元"), None);
        assert_eq!(parse_amount("12万"), None);
    }

    #[test]
    fn amount_shape_is_the_grouped_or_plain_number_pattern() {
        let re = Regex::new(r"^-?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?$").unwrap();
        let cases = [
            "0",
            "-0",
            "12",
            "1,234",
            "12,345,678.90",
            "1234,567",
            "1,23",
            "1,2345",
            ",123",
            "1,",
            "1.",
            ".5",
            "-",
            "",
            "1.2.3",
            "1,234.",
            "--1",
            "1-",
            "123,456,789",
            "1,000.5x",
            "١٢",
            "0012",
            "9.99",
        ];
        for t in cases {
            assert_eq!(is_amount(t), re.is_match(t), "{t:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn amount_shape_agrees_with_the_pattern(t in "-?[0-9,.]{0,12}") {
            let re = Regex::new(r"^-?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?$").unwrap();
            proptest::prop_assert_eq!(is_amount(&t), re.is_match(&t));
        }
    }

    proptest::proptest! {
        #[test]
        fn the_date_scanner_agrees_with_the_pattern(s in "[0-9年月日/.\\- \u{3000}a٣]{0,18}") {
            let want = DATE.captures(&s).map(|c| [1, 2, 3].map(|k| c[k].to_string()));
            let got = find_date(&s).map(|p| p.map(str::to_string));
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn the_date_scanner_agrees_with_the_pattern_on_printed_dates() {
        for s in [
            "2024-01-01",
            "2023/12/31",
            "2019 年 1 月 1 日",
            "12024/1/1",
            "2024年1月",
            "2024.1.123",
            "自2024年01月01日至2024年12月31日",
            "2024 - 1 - 5",
            "20241/1",
            "2024年1/2",
        ] {
            let want = DATE
                .captures(s)
                .map(|c| [1, 2, 3].map(|k| c[k].to_string()));
            assert_eq!(find_date(s).map(|p| p.map(str::to_string)), want, "{s}");
        }
    }

    proptest::proptest! {
        /// The scan for a year finds what the regex and a parse find.
        #[test]
        fn years_are_found_as_the_regex_finds_them(
            text in "[0-9年度 \u{3000}\t()（）a甲٣१２]{0,16}"
        ) {
            let f = fold(&text);
            let want: Option<i64> = YEAR.captures(&f).and_then(|c| c[1].parse().ok());
            proptest::prop_assert_eq!(parse_year(&text), want);
        }
    }

    #[test]
    fn a_year_is_the_first_four_digits_before_nian() {
        for (text, want) in [
            ("(2024年度)", Some(2024)),
            ("（ 2023 年度）", Some(2023)),
            ("12024年", Some(2024)),
            ("２０２２\u{3000}年", Some(2022)),
            ("202年 2021年", Some(2021)),
            ("年度 2019", None),
            // Digits of another script: the regex takes them and the parse
            // fails, so no year, though one follows.
            ("٢٠٢٤年 2021年", None),
        ] {
            assert_eq!(parse_year(text), want, "{text}");
        }
    }

    #[test]
    fn padded_numbers_are_written_as_format_pads_them() {
        for n in [
            0,
            1,
            9,
            10,
            99,
            100,
            999,
            1000,
            2024,
            9999,
            10000,
            123_456,
            u32::MAX,
        ] {
            for width in [2, 4] {
                let mut out = String::from("x");
                push_padded(&mut out, n, width);
                assert_eq!(out, format!("x{n:0width$}"));
            }
        }
    }

    #[test]
    fn dates_in_every_printed_form() {
        assert_eq!(parse_date("2024-01-01").as_deref(), Some("2024-01-01"));
        assert_eq!(parse_date("2023/12/31").as_deref(), Some("2023-12-31"));
        assert_eq!(
            parse_date("2019 年 1 月 1 日").as_deref(),
            Some("2019-01-01")
        );
        assert_eq!(parse_date("2019年12月31日").as_deref(), Some("2019-12-31"));
        assert_eq!(parse_date("2023/2/30"), None);
        assert_eq!(parse_date("全年"), None);
    }

    #[test]
    fn years_percent_ints() {
        assert_eq!(parse_year("( 2023年度)"), Some(2023));
        assert_eq!(parse_year("(2019年)"), Some(2019));
        assert_eq!(parse_year("(2023 年度)"), Some(2023));
        assert_eq!(parse_percent("98.98%"), Some(98.98));
        assert_eq!(parse_int("下属预算单位个数 2"), Some(2));
    }
}
