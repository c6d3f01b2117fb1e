//! A record's JSON line, its indicator rows written by hand.
//!
//! Rows are most of a record's bytes and most of its keys. Through serde,
//! each key and value of a row is a generic call that reserves, tests the
//! key for escapes and copies it by length; written here, a key with its
//! quotes, colon and comma is one constant copy. The source, fields, funds'
//! amounts, checks and residue are written here too; the rarer parts (funds'
//! parts and rows, tasks, field flags, the total score, PDF pages) still go
//! through [`crate::json::write`]. A row in
//! review is written here too, its keys sorted as review items hold them.
//!
//! The bytes are those serde gives, key for key: a test holds the two
//! together over every sample and several fixture folders, and a proptest
//! over rows with every field set or not. A field added to [`Indicator`],
//! [`Measure`] or [`Record`] makes them fail until it is written here too.

use crate::json::{JsonError, write, write_f64, write_int, write_str};
use formsift_model::{Alternative, FieldValue, Indicator, Measure, Record, Scalar, Source};

/// Writes a record as one JSON object (no line end).
pub(crate) fn write_record(out: &mut Vec<u8>, r: &Record) -> Result<(), JsonError> {
    out.extend_from_slice(b"{\"id\":");
    write_str(out, &r.id);
    out.extend_from_slice(b",\"source\":");
    write_source(out, &r.source)?;
    out.extend_from_slice(b",\"form_type\":");
    write_str(out, &r.form_type);
    out.extend_from_slice(b",\"title\":");
    write_str(out, &r.title);
    out.extend_from_slice(b",\"year\":");
    write_opt_int(out, r.year);
    out.extend_from_slice(b",\"fields\":{");
    for (k, (key, value)) in r.fields.0.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        write_str(out, key);
        out.push(b':');
        match value {
            FieldValue::Text(t) => write_str(out, t),
            FieldValue::Int(n) => write_int(out, *n),
            FieldValue::Null => out.extend_from_slice(b"null"),
        }
    }
    out.push(b'}');
    if !r.field_flags.is_empty() {
        out.extend_from_slice(b",\"field_flags\":");
        write(out, &r.field_flags)?;
    }
    out.extend_from_slice(b",\"funds\":{\"unit\":");
    write_opt_str(out, r.funds.unit.as_deref());
    for (key, amount) in &r.funds.amounts {
        out.push(b',');
        write_str(out, key);
        out.push(b':');
        write_opt_f64(out, *amount);
    }
    if let Some(parts) = &r.funds.parts {
        out.extend_from_slice(b",\"parts\":");
        write(out, parts)?;
    }
    if let Some(rows) = &r.funds.rows {
        out.extend_from_slice(b",\"rows\":");
        write(out, rows)?;
    }
    out.push(b'}');
    if let Some(tasks) = &r.tasks {
        out.extend_from_slice(b",\"tasks\":");
        write(out, tasks)?;
    }
    out.extend_from_slice(b",\"indicators\":[");
    for (k, ind) in r.indicators.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        write_indicator(out, ind);
    }
    out.extend_from_slice(b"],\"total_score\":");
    write(out, &r.total_score)?;
    out.extend_from_slice(b",\"checks\":[");
    for (k, c) in r.checks.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"name\":");
        write_str(out, &c.name);
        out.extend_from_slice(b",\"ok\":");
        write_bool(out, c.ok);
        out.extend_from_slice(b",\"expected\":");
        write_scalar(out, &c.expected);
        out.extend_from_slice(b",\"found\":");
        write_scalar(out, &c.found);
        out.push(b'}');
    }
    out.extend_from_slice(b"],\"residue\":[");
    for (k, x) in r.residue.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"lines\":");
        write_pair(out, x.lines);
        if let Some(cells) = &x.cells {
            out.extend_from_slice(b",\"cells\":");
            write_str(out, cells);
        }
        if let Some(boxes) = &x.boxes {
            out.extend_from_slice(b",\"boxes\":");
            write_str(out, boxes);
        }
        out.extend_from_slice(b",\"text\":");
        write_str(out, &x.text);
        out.push(b'}');
    }
    out.push(b']');
    out.extend_from_slice(b",\"confidence\":");
    write_f64(out, r.confidence);
    out.extend_from_slice(b",\"flags\":");
    write_strs(out, &r.flags);
    out.extend_from_slice(b",\"review\":");
    write_bool(out, r.review);
    out.push(b'}');
    Ok(())
}

/// Where a record came from, as its derived `Serialize` writes it.
fn write_source(out: &mut Vec<u8>, src: &Source) -> Result<(), JsonError> {
    out.extend_from_slice(b"{\"path\":");
    write_str(out, &src.path);
    out.extend_from_slice(b",\"form\":");
    write_int(out, src.form);
    out.extend_from_slice(b",\"lines\":");
    write_pair(out, src.lines);
    out.extend_from_slice(b",\"formats\":");
    write_strs(out, &src.formats);
    if let Some(cells) = &src.cells {
        out.extend_from_slice(b",\"cells\":");
        write_strs(out, cells);
    }
    if let Some(pages) = &src.pages {
        out.extend_from_slice(b",\"pages\":");
        write(out, pages)?;
    }
    if let Some(boxes) = &src.boxes {
        out.extend_from_slice(b",\"boxes\":");
        write_strs(out, boxes);
    }
    out.push(b'}');
    Ok(())
}

/// A check's number, text or nothing.
fn write_scalar(out: &mut Vec<u8>, v: &Scalar) {
    match v {
        Scalar::Num(n) => write_f64(out, *n),
        Scalar::Text(t) => write_str(out, t),
        Scalar::Null => out.extend_from_slice(b"null"),
    }
}

/// One indicator row, as its derived `Serialize` writes it.
fn write_indicator(out: &mut Vec<u8>, i: &Indicator) {
    out.extend_from_slice(b"{\"level1\":");
    write_opt_str(out, i.level1.as_deref());
    out.extend_from_slice(b",\"level2\":");
    write_opt_str(out, i.level2.as_deref());
    out.extend_from_slice(b",\"name\":");
    write_str(out, &i.name);
    out.extend_from_slice(b",\"ordinal\":");
    write_opt_int(out, i.ordinal);
    out.extend_from_slice(b",\"target\":");
    write_opt_measure(out, i.target.as_ref());
    out.extend_from_slice(b",\"actual\":");
    write_opt_measure(out, i.actual.as_ref());
    out.extend_from_slice(b",\"weight\":");
    write_opt_f64(out, i.weight);
    out.extend_from_slice(b",\"score\":");
    write_opt_f64(out, i.score);
    out.extend_from_slice(b",\"remark\":");
    write_opt_str(out, i.remark.as_deref());
    out.extend_from_slice(b",\"lines\":");
    write_pair(out, i.lines);
    if let Some(cells) = &i.cells {
        out.extend_from_slice(b",\"cells\":");
        write_str(out, cells);
    }
    if let Some(boxes) = &i.boxes {
        out.extend_from_slice(b",\"boxes\":");
        write_str(out, boxes);
    }
    out.extend_from_slice(b",\"confidence\":");
    write_f64(out, i.confidence);
    out.extend_from_slice(b",\"flags\":");
    write_strs(out, &i.flags);
    out.extend_from_slice(b",\"review\":");
    write_bool(out, i.review);
    if !i.alternatives.is_empty() {
        out.extend_from_slice(b",\"alternatives\":");
        write_alternatives(out, &i.alternatives);
    }
    out.push(b'}');
}

/// One indicator row with its keys in sorted order, as a review item's
/// value holds it (see [`crate::json::write_sorted`]).
pub(crate) fn write_indicator_sorted(out: &mut Vec<u8>, i: &Indicator) {
    out.extend_from_slice(b"{\"actual\":");
    write_opt_measure_sorted(out, i.actual.as_ref());
    if !i.alternatives.is_empty() {
        out.extend_from_slice(b",\"alternatives\":");
        write_alternatives(out, &i.alternatives);
    }
    if let Some(boxes) = &i.boxes {
        out.extend_from_slice(b",\"boxes\":");
        write_str(out, boxes);
    }
    if let Some(cells) = &i.cells {
        out.extend_from_slice(b",\"cells\":");
        write_str(out, cells);
    }
    out.extend_from_slice(b",\"confidence\":");
    write_f64(out, i.confidence);
    out.extend_from_slice(b",\"flags\":");
    write_strs(out, &i.flags);
    out.extend_from_slice(b",\"level1\":");
    write_opt_str(out, i.level1.as_deref());
    out.extend_from_slice(b",\"level2\":");
    write_opt_str(out, i.level2.as_deref());
    out.extend_from_slice(b",\"lines\":");
    write_pair(out, i.lines);
    out.extend_from_slice(b",\"name\":");
    write_str(out, &i.name);
    out.extend_from_slice(b",\"ordinal\":");
    write_opt_int(out, i.ordinal);
    out.extend_from_slice(b",\"remark\":");
    write_opt_str(out, i.remark.as_deref());
    out.extend_from_slice(b",\"review\":");
    write_bool(out, i.review);
    out.extend_from_slice(b",\"score\":");
    write_opt_f64(out, i.score);
    out.extend_from_slice(b",\"target\":");
    write_opt_measure_sorted(out, i.target.as_ref());
    out.extend_from_slice(b",\"weight\":");
    write_opt_f64(out, i.weight);
    out.push(b'}');
}

/// A measure with its keys in sorted order.
fn write_opt_measure_sorted(out: &mut Vec<u8>, m: Option<&Measure>) {
    let Some(m) = m else {
        out.extend_from_slice(b"null");
        return;
    };
    out.extend_from_slice(b"{\"op\":");
    write_opt_str(out, m.op.as_deref());
    out.extend_from_slice(b",\"raw\":");
    write_str(out, &m.raw);
    out.extend_from_slice(b",\"unit\":");
    write_opt_str(out, m.unit.as_deref());
    out.extend_from_slice(b",\"value\":");
    write_opt_f64(out, m.value);
    out.push(b'}');
}

fn write_opt_measure(out: &mut Vec<u8>, m: Option<&Measure>) {
    let Some(m) = m else {
        out.extend_from_slice(b"null");
        return;
    };
    out.extend_from_slice(b"{\"raw\":");
    write_str(out, &m.raw);
    out.extend_from_slice(b",\"op\":");
    write_opt_str(out, m.op.as_deref());
    out.extend_from_slice(b",\"value\":");
    write_opt_f64(out, m.value);
    out.extend_from_slice(b",\"unit\":");
    write_opt_str(out, m.unit.as_deref());
    out.push(b'}');
}

/// A line range or any pair as `[a,b]`.
fn write_pair(out: &mut Vec<u8>, pair: [usize; 2]) {
    out.push(b'[');
    write_int(out, pair[0]);
    out.push(b',');
    write_int(out, pair[1]);
    out.push(b']');
}

fn write_opt_int(out: &mut Vec<u8>, v: Option<i64>) {
    match v {
        Some(n) => write_int(out, n),
        None => out.extend_from_slice(b"null"),
    }
}

/// A row's other readings: `[{"field":…,"value":…},…]`.
fn write_alternatives(out: &mut Vec<u8>, alternatives: &[Alternative]) {
    out.push(b'[');
    for (k, a) in alternatives.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"field\":");
        write_str(out, &a.field);
        out.extend_from_slice(b",\"value\":");
        write_str(out, &a.value);
        out.push(b'}');
    }
    out.push(b']');
}

fn write_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => write_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

fn write_opt_f64(out: &mut Vec<u8>, v: Option<f64>) {
    match v {
        Some(v) => write_f64(out, v),
        None => out.extend_from_slice(b"null"),
    }
}

pub(crate) fn write_strs(out: &mut Vec<u8>, v: &[String]) {
    out.push(b'[');
    for (k, s) in v.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        write_str(out, s);
    }
    out.push(b']');
}

fn write_bool(out: &mut Vec<u8>, v: bool) {
    out.extend_from_slice(if v { b"true" } else { b"false" });
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The record as serde writes it through the generic writer.
    fn by_serde(r: &Record) -> String {
        let mut out = Vec::new();
        write(&mut out, r).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn by_hand(r: &Record) -> String {
        let mut out = Vec::new();
        write_record(&mut out, r).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn records_are_the_bytes_serde_gives() {
        // Every sample and every fixture file (the ones that read): rows
        // with measures, alternatives, cells, boxes, field flags, tasks,
        // total scores.
        let (mut records, mut rows, mut cells, mut boxes) = (0, 0, 0, 0);
        for (path, o) in crate::every_test_input() {
            for r in &o.records {
                assert_eq!(by_hand(r), by_serde(r), "{}", path.display());
                records += 1;
                rows += r.indicators.len();
                cells += r.indicators.iter().filter(|i| i.cells.is_some()).count();
                boxes += r.indicators.iter().filter(|i| i.boxes.is_some()).count();
            }
        }
        assert!(
            records > 100 && rows > 1000 && cells > 0 && boxes > 0,
            "{records} records, {rows} rows, {cells} with cells, {boxes} with boxes"
        );
    }

    fn text() -> impl Strategy<Value = String> {
        "[a-c质量\"\\\\\n\t\u{1}≥% ]{0,12}"
    }

    fn number() -> impl Strategy<Value = f64> {
        prop_oneof![
            Just(0.0),
            Just(-0.0),
            Just(f64::NAN),
            Just(f64::INFINITY),
            (-1000i64..1000).prop_map(|n| n as f64),
            any::<f64>(),
        ]
    }

    fn field_value() -> impl Strategy<Value = FieldValue> {
        prop_oneof![
            text().prop_map(FieldValue::Text),
            any::<i64>().prop_map(FieldValue::Int),
            Just(FieldValue::Null),
        ]
    }

    fn scalar() -> impl Strategy<Value = Scalar> {
        prop_oneof![
            number().prop_map(Scalar::Num),
            text().prop_map(Scalar::Text),
            Just(Scalar::Null),
        ]
    }

    fn measure() -> impl Strategy<Value = Measure> {
        (
            text(),
            proptest::option::of(text()),
            proptest::option::of(number()),
            proptest::option::of(text()),
        )
            .prop_map(|(raw, op, value, unit)| Measure {
                raw,
                op,
                value,
                unit,
            })
    }

    prop_compose! {
        fn indicator()(
            (level1, level2, name, remark) in (
                proptest::option::of(text()),
                proptest::option::of(text()),
                text(),
                proptest::option::of(text()),
            ),
            (ordinal, target, actual) in (
                proptest::option::of(any::<i64>()),
                proptest::option::of(measure()),
                proptest::option::of(measure()),
            ),
            (weight, score, confidence) in (
                proptest::option::of(number()),
                proptest::option::of(number()),
                number(),
            ),
            (lines, cells, boxes) in (
                (any::<usize>(), any::<usize>()),
                proptest::option::of(text()),
                proptest::option::of(text()),
            ),
            (flags, review, alternatives) in (
                proptest::collection::vec(text(), 0..3),
                any::<bool>(),
                proptest::collection::vec((text(), text()), 0..3),
            ),
        ) -> Indicator {
            Indicator {
                level1,
                level2,
                name,
                ordinal,
                target,
                actual,
                weight,
                score,
                remark,
                lines: [lines.0, lines.1],
                cells,
                boxes,
                confidence,
                flags,
                review,
                alternatives: alternatives
                    .into_iter()
                    .map(|(field, value)| Alternative { field, value })
                    .collect(),
            }
        }
    }

    proptest! {
        /// Rows with any field set or not, texts that need escapes and
        /// numbers of every kind: the bytes serde gives.
        #[test]
        fn records_of_any_content_are_the_bytes_serde_gives(
            rows in proptest::collection::vec(indicator(), 0..4),
            (year, confidence, review, flags) in (
                proptest::option::of(any::<i64>()),
                number(),
                any::<bool>(),
                proptest::collection::vec(text(), 0..3),
            ),
            (path, form, formats, cells, pages, boxes) in (
                text(),
                any::<usize>(),
                proptest::collection::vec(text(), 0..3),
                proptest::option::of(proptest::collection::vec(text(), 0..3)),
                proptest::option::of(proptest::collection::vec(any::<u32>(), 0..3)),
                proptest::option::of(proptest::collection::vec(text(), 0..3)),
            ),
            fields in proptest::collection::vec((text(), field_value()), 0..4),
            (unit, amounts) in (
                proptest::option::of(text()),
                proptest::collection::vec((text(), proptest::option::of(number())), 0..4),
            ),
            checks in proptest::collection::vec((text(), any::<bool>(), scalar(), scalar()), 0..3),
            residue in proptest::collection::vec(
                ((any::<usize>(), any::<usize>()), proptest::option::of(text()), proptest::option::of(text()), text()),
                0..3,
            ),
        ) {
            let source = formsift_model::Source {
                path,
                form,
                lines: [1, 9],
                formats,
                cells,
                pages,
                boxes,
            };
            let mut r = Record::new("a#1".into(), source, "project_target".into(), "表".into());
            r.year = year;
            r.indicators = rows;
            r.confidence = confidence;
            r.review = review;
            r.flags = flags;
            r.fields = formsift_model::Fields(fields);
            r.funds.unit = unit;
            r.funds.amounts = amounts;
            r.checks = checks
                .into_iter()
                .map(|(name, ok, expected, found)| formsift_model::Check { name, ok, expected, found })
                .collect();
            r.residue = residue
                .into_iter()
                .map(|(lines, cells, boxes, text)| formsift_model::Residue {
                    lines: [lines.0, lines.1],
                    cells,
                    boxes,
                    text,
                })
                .collect();
            prop_assert_eq!(by_hand(&r), by_serde(&r));
        }

        /// A row with sorted keys: the bytes write_sorted gives.
        #[test]
        fn sorted_rows_are_the_bytes_write_sorted_gives(row in indicator()) {
            let (mut hand, mut sorted) = (Vec::new(), Vec::new());
            write_indicator_sorted(&mut hand, &row);
            crate::json::write_sorted(&mut sorted, &row).unwrap();
            prop_assert_eq!(String::from_utf8(hand).unwrap(), String::from_utf8(sorted).unwrap());
        }
    }
}
