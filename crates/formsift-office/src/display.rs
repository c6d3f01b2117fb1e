//! Cell values as a spreadsheet displays them: numbers with the cell's
//! number format where it changes what a reader sees (percentages, fixed
//! decimals, thousands separators), dates as ISO dates, a formula that
//! failed as the formula typed.

use calamine::Data;

/// The text a cell shows. `format` is its number format code, when known;
/// `formula` the formula behind it, when it has one.
pub(crate) fn display(value: &Data, format: Option<&str>, formula: Option<&str>) -> String {
    match value {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::Int(i) => number(*i as f64, format),
        Data::Float(f) => number(*f, format),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        Data::DateTime(dt) => general(dt.as_f64()),
        // A typed entry the sheet took for a formula (`=100(%)`) keeps what
        // was typed; a real error shows as the sheet shows it.
        Data::Error(e) => match formula.map(str::trim).filter(|f| !f.is_empty()) {
            Some(f) => format!("={f}"),
            None => e.to_string(),
        },
    }
}

/// A number under a format code: `0%`/`0.00%` as a percentage, `0.00` and
/// `#,##0.00` with their decimals and separators, literal text around the
/// digits kept (`0"人"` shows `5人`); General, text and codes without digit
/// placeholders show the number the way General does.
fn number(v: f64, format: Option<&str>) -> String {
    let Some(code) = format
        .map(first_section)
        .filter(|c| !c.eq_ignore_ascii_case("general"))
    else {
        return general(v);
    };
    let (prefix, pattern, suffix) = split_pattern(code);
    if !pattern.contains(['0', '#', '?']) {
        return general(v);
    }
    let decimals = pattern.split_once('.').map_or(0, |(_, d)| {
        d.chars().filter(|&c| matches!(c, '0' | '#' | '?')).count()
    });
    let percent = prefix.contains('%') || suffix.contains('%');
    let shown = if percent { v * 100.0 } else { v };
    let mut text = format!("{shown:.decimals$}");
    if pattern.contains(',') {
        text = thousands(&text);
    }
    format!("{prefix}{text}{suffix}")
}

/// The format's section for positive numbers (`0.00;[Red]-0.00` → `0.00`).
fn first_section(code: &str) -> &str {
    code.split(';').next().unwrap_or(code).trim()
}

/// A format code cut into the literal text before the digit placeholders,
/// the placeholders (`#,##0.00`), and the literal text after them; quotes
/// and escapes are removed, bracketed colours and locales and padding
/// (`_x`, `*x`) dropped.
fn split_pattern(code: &str) -> (String, String, String) {
    let (mut prefix, mut pattern, mut suffix) = (String::new(), String::new(), String::new());
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        let literal = |prefix: &mut String, suffix: &mut String, pattern: &String, t: char| {
            if pattern.is_empty() {
                prefix.push(t)
            } else {
                suffix.push(t)
            }
        };
        match c {
            '"' => {
                for q in chars.by_ref() {
                    if q == '"' {
                        break;
                    }
                    literal(&mut prefix, &mut suffix, &pattern, q);
                }
            }
            '[' => {
                for q in chars.by_ref() {
                    if q == ']' {
                        break;
                    }
                }
            }
            '\\' => {
                if let Some(q) = chars.next() {
                    literal(&mut prefix, &mut suffix, &pattern, q);
                }
            }
            '_' | '*' => {
                chars.next();
            }
            '0' | '#' | '?' if suffix.is_empty() => pattern.push(c),
            ',' | '.'
                if suffix.is_empty()
                    && chars
                        .peek()
                        .is_some_and(|n| matches!(n, '0' | '#' | '?' | ',')) =>
            {
                pattern.push(c)
            }
            _ => literal(&mut prefix, &mut suffix, &pattern, c),
        }
    }
    (prefix, pattern, suffix)
}

/// `1234567.5` → `1,234,567.5`.
fn thousands(text: &str) -> String {
    let (sign, rest) = text.strip_prefix('-').map_or(("", text), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (k, c) in int.chars().enumerate() {
        if k > 0 && (int.len() - k) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// A number as the General format shows it: integers without a decimal
/// point, others rounded to 15 significant digits (what a spreadsheet keeps)
/// and written in the shortest form, so binary noise such as
/// `0.30000000000000004` shows as `0.3`.
pub(crate) fn general(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    let rounded: f64 = format!("{v:.14e}").parse().unwrap_or(v);
    format!("{rounded}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{CellErrorType, ExcelDateTime, ExcelDateTimeType};

    #[test]
    fn numbers_show_as_their_format_says() {
        let f = |v: f64, code: &str| display(&Data::Float(v), Some(code), None);
        assert_eq!(f(420000.0, "General"), "420000");
        assert_eq!(f(0.1 + 0.2, "General"), "0.3");
        assert_eq!(f(12258443.93, "General"), "12258443.93");
        assert_eq!(f(0.95, "0%"), "95%");
        assert_eq!(f(0.9876, "0.00%"), "98.76%");
        assert_eq!(f(420000.0, "#,##0.00"), "420,000.00");
        assert_eq!(f(-1234.5, "#,##0.00;[Red]-#,##0.00"), "-1,234.50");
        assert_eq!(f(3.0, "0.00"), "3.00");
        assert_eq!(f(7.0, "@"), "7");
        assert_eq!(f(5.0, "0\"人\""), "5人");
        assert_eq!(f(0.5, "[Red]0.0%"), "50.0%");
        assert_eq!(f(1200.0, "#,##0"), "1,200");
        assert_eq!(display(&Data::Int(42), None, None), "42");
    }

    #[test]
    fn dates_are_iso_and_failed_formulas_keep_what_was_typed() {
        // 45292 is 2024-01-01 in the 1900 system.
        let d = ExcelDateTime::new(45292.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(display(&Data::DateTime(d), None, None), "2024-01-01");
        let e = Data::Error(CellErrorType::Value);
        assert_eq!(display(&e, None, Some("100(%)")), "=100(%)");
        assert_eq!(display(&e, None, None), "#VALUE!");
    }
}
