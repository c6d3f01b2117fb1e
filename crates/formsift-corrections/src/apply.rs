//! Applying a file's corrections to its records.
//!
//! A correction finds its row by the record id and the fingerprint of the
//! row's source text, so it survives re-runs in which row indexes change. If
//! the record no longer has such a row (forms renumbered in a new version),
//! a row of another form of the same file with that fingerprint takes it when
//! there is exactly one such form. Anything else is reported as unmatched,
//! with the reason; nothing is dropped silently.

use crate::correction::{Action, Correction};
use crate::fields;
use crate::fingerprint::fingerprint_in;
use crate::store::FileCorrections;
use formsift_model::{Document, LineIndex, Record, Residue};
use serde::Serialize;

/// A correction that found nothing to change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unmatched {
    /// Line of the corrections file.
    pub line: usize,
    /// The record id the correction names.
    pub id: String,
    /// The item path it was made on.
    pub path: String,
    /// The field, for `correct`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Why it did not apply.
    pub reason: String,
}

/// What applying a file's corrections did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Applied {
    /// Corrections that changed or settled a row or record.
    pub applied: usize,
    /// Of those, how many found their row in another form of the file.
    pub moved: usize,
    /// Corrections whose row or record is gone.
    pub unmatched: Vec<Unmatched>,
}

/// Where a correction lands: a record, or one of its rows.
#[derive(Clone, Copy, PartialEq)]
enum Target {
    Record(usize),
    Row(usize, usize),
}

/// Applies `fc` to `records` (the records of one file, whose text is `doc`).
/// Rows marked `not_a_row` move to their record's residue.
pub fn apply(records: &mut [Record], doc: &Document, fc: &FileCorrections) -> Applied {
    // (One index for every row's lookup: a lookup of its own looks at the
    // whole document.)
    let index = doc.index();
    let rec_fps: Vec<String> = records
        .iter()
        .map(|r| fingerprint_in(&index, r.source.lines))
        .collect();
    let row_fps: Vec<Vec<String>> = records
        .iter()
        .map(|r| {
            r.indicators
                .iter()
                .map(|i| fingerprint_in(&index, i.lines))
                .collect()
        })
        .collect();
    let mut removed: Vec<Vec<bool>> = records
        .iter()
        .map(|r| vec![false; r.indicators.len()])
        .collect();
    let mut out = Applied::default();

    for (line, c) in &fc.items {
        let (targets, moved) = find(records, &rec_fps, &row_fps, c);
        if targets.is_empty() {
            out.unmatched.push(Unmatched {
                line: *line,
                id: c.id.clone(),
                path: c.path.clone(),
                field: c.field.clone(),
                reason: reason(records, &rec_fps, &row_fps, c),
            });
            continue;
        }
        out.applied += 1;
        out.moved += usize::from(moved);
        for t in targets {
            match t {
                Target::Record(r) => settle_record(&mut records[r], c),
                Target::Row(r, k) => {
                    removed[r][k] = c.action == Action::NotARow;
                    settle_row(&mut records[r].indicators[k], c);
                }
            }
        }
    }

    for (r, marks) in removed.into_iter().enumerate() {
        if !marks.contains(&true) {
            continue;
        }
        let rec = &mut records[r];
        let mut k = 0;
        rec.indicators.retain(|ind| {
            let keep = !marks[k];
            k += 1;
            if !keep {
                rec.residue.push(Residue {
                    lines: ind.lines,
                    cells: None,
                    boxes: None,
                    text: source_text(&index, ind.lines),
                });
            }
            keep
        });
        rec.residue.sort_by_key(|x| x.lines);
        rec.flag(Action::NotARow.flag());
    }
    out
}

fn find(
    records: &[Record],
    rec_fps: &[String],
    row_fps: &[Vec<String>],
    c: &Correction,
) -> (Vec<Target>, bool) {
    if c.is_record() {
        let exact: Vec<Target> = (0..records.len())
            .filter(|&r| records[r].id == c.id && rec_fps[r] == c.fingerprint)
            .map(Target::Record)
            .collect();
        if !exact.is_empty() {
            return (exact, false);
        }
        let any: Vec<Target> = (0..records.len())
            .filter(|&r| rec_fps[r] == c.fingerprint)
            .map(Target::Record)
            .collect();
        return if any.len() == 1 {
            (any, true)
        } else {
            (Vec::new(), false)
        };
    }
    let rows_of = |r: usize| {
        row_fps[r]
            .iter()
            .enumerate()
            .filter(|(_, f)| **f == c.fingerprint)
            .map(move |(k, _)| Target::Row(r, k))
    };
    let exact: Vec<Target> = (0..records.len())
        .filter(|&r| records[r].id == c.id)
        .flat_map(rows_of)
        .collect();
    if !exact.is_empty() {
        return (one_row(exact, c), false);
    }
    let holders: Vec<usize> = (0..records.len())
        .filter(|&r| row_fps[r].contains(&c.fingerprint))
        .collect();
    if holders.len() == 1 {
        (one_row(rows_of(holders[0]).collect(), c), true)
    } else {
        (Vec::new(), false)
    }
}

/// The one row a row correction lands on among the rows of one record that
/// hold its source text: the only one, or the one still at the
/// correction's path. Rows read from one input line (a page written on one
/// line) share their source text; a correction of one of them must not
/// change them all, so when none stands at the path, none is changed.
fn one_row(targets: Vec<Target>, c: &Correction) -> Vec<Target> {
    if targets.len() <= 1 {
        return targets;
    }
    let at = row_index(&c.path);
    targets
        .into_iter()
        .filter(|t| matches!(t, Target::Row(_, k) if Some(*k) == at))
        .collect()
}

/// `k` of a row's path `/indicators/k`.
fn row_index(path: &str) -> Option<usize> {
    path.strip_prefix("/indicators/")?.parse().ok()
}

fn reason(
    records: &[Record],
    rec_fps: &[String],
    row_fps: &[Vec<String>],
    c: &Correction,
) -> String {
    let here = records.iter().any(|r| r.id == c.id);
    if c.is_record() {
        let n = rec_fps.iter().filter(|f| **f == c.fingerprint).count();
        return match (here, n) {
            (_, n) if n > 1 => "the form's text appears in several forms of the file".into(),
            (true, _) => "the form's source text changed since the review".into(),
            (false, _) => format!("no record {} in this run of the file", c.id),
        };
    }
    let n = row_fps
        .iter()
        .filter(|f| f.contains(&c.fingerprint))
        .count();
    // The record the row would land in (its own, or the only one holding
    // the text), and how many of its rows hold the text.
    let holder = records
        .iter()
        .zip(row_fps)
        .find(|(r, f)| r.id == c.id || (!here && n == 1 && f.contains(&c.fingerprint)));
    if let Some((r, f)) = holder {
        let rows = f.iter().filter(|f| **f == c.fingerprint).count();
        if rows > 1 {
            return format!(
                "{rows} rows of {} hold the reviewed source text (rows read from one input line share it) and none is at {}; which one is meant is unclear",
                r.id, c.path
            );
        }
    }
    match (here, n) {
        (_, n) if n > 1 => {
            "the row's text appears in several other forms of the file; which one is meant is unclear".into()
        }
        (true, _) => format!(
            "record {} has no row with the reviewed source text (the text changed, or the row is now read from other lines)",
            c.id
        ),
        (false, _) => format!("no record {} in this run of the file", c.id),
    }
}

fn settle_row(ind: &mut formsift_model::Indicator, c: &Correction) {
    if let (Action::Correct, Some(field)) = (c.action, &c.field) {
        // Validated when the file was read.
        if let Ok(v) = fields::check(field, &c.new, false) {
            fields::row_set(ind, field, &v);
            if field == "level1" || field == "level2" {
                ind.alternatives.retain(|a| a.field != *field);
            }
        }
    }
    if c.action != Action::NotARow {
        ind.flag(c.action.flag());
    }
}

fn settle_record(rec: &mut Record, c: &Correction) {
    if let (Action::Correct, Some(field)) = (c.action, &c.field)
        && let Ok(v) = fields::check(field, &c.new, true)
    {
        fields::record_set(rec, field, &v);
    }
    rec.flag(c.action.flag());
}

fn source_text(index: &LineIndex, lines: [usize; 2]) -> String {
    index
        .rows_in(lines)
        .filter(|l| !l.is_blank())
        .map(|l| l.text())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::fingerprint;
    use formsift_model::{Indicator, Source};
    use serde_json::{Value, json};

    fn doc(lines: &[&str]) -> Document {
        crate::fingerprint::test_doc(lines)
    }

    fn row(name: &str, line: usize) -> Indicator {
        Indicator {
            level1: Some("产出指标".into()),
            confidence: 0.5,
            flags: vec!["level_missing".into()],
            review: true,
            ..Indicator::new(name, [line, line])
        }
    }

    fn record(id: &str, lines: [usize; 2], rows: Vec<Indicator>) -> Record {
        let source = Source {
            path: "f.txt".into(),
            form: 1,
            lines,
            formats: Vec::new(),
            cells: None,
            pages: None,
            boxes: None,
        };
        let mut r = Record::new(id.into(), source, "project_target".into(), "表".into());
        r.indicators = rows;
        r
    }

    fn c(
        id: &str,
        fp: &str,
        path: &str,
        action: Action,
        field: Option<(&str, Value)>,
    ) -> Correction {
        Correction {
            id: id.into(),
            fingerprint: fp.into(),
            path: path.into(),
            action,
            field: field.as_ref().map(|(f, _)| f.to_string()),
            old: Value::Null,
            new: field.map(|(_, v)| v).unwrap_or(Value::Null),
            reviewer: "t".into(),
            time: "2026-11-21T00:00:00Z".into(),
        }
    }

    #[test]
    fn rows_are_found_by_fingerprint_not_index() {
        let d = doc(&[
            "表",
            "产出指标\t班级数\t≥100",
            "产出指标\t人数\t≥5",
            "表",
            "产出指标\t时长\t≥2",
        ]);
        let mut recs = vec![
            record("f#1", [1, 3], vec![row("班级数", 2), row("人数", 3)]),
            record("f#2", [4, 5], vec![row("时长", 5)]),
        ];
        let fp = |n| fingerprint(&d, [n, n]);
        let items = vec![
            // Stale index: matched by fingerprint.
            (
                1,
                c(
                    "f#1",
                    &fp(3),
                    "/indicators/7",
                    Action::Correct,
                    Some(("level2", json!("数量指标"))),
                ),
            ),
            (2, c("f#1", &fp(2), "/indicators/0", Action::NotARow, None)),
            (
                3,
                c(
                    "f#1",
                    &fingerprint(&d, [1, 3]),
                    "",
                    Action::Correct,
                    Some(("fields.project_name", json!("乙"))),
                ),
            ),
            // Form renumbered: the only form holding the text takes it.
            (4, c("f#9", &fp(5), "/indicators/0", Action::Accept, None)),
            (
                5,
                c(
                    "f#1",
                    "00000000000000ff",
                    "/indicators/1",
                    Action::Accept,
                    None,
                ),
            ),
            (
                6,
                c(
                    "f#3",
                    "00000000000000ee",
                    "/indicators/0",
                    Action::Accept,
                    None,
                ),
            ),
        ];
        let fc = FileCorrections {
            items,
            digest: String::new(),
        };
        let a = apply(&mut recs, &d, &fc);
        assert_eq!(a.applied, 4);
        assert_eq!(a.moved, 1);
        assert_eq!(
            a.unmatched.iter().map(|u| u.line).collect::<Vec<_>>(),
            [5, 6]
        );
        assert!(
            a.unmatched[0]
                .reason
                .contains("no row with the reviewed source text")
        );
        assert!(
            a.unmatched[1].reason.contains("no record f#3"),
            "{}",
            a.unmatched[1].reason
        );
        let r1 = &recs[0];
        assert_eq!(r1.indicators.len(), 1);
        assert_eq!(r1.indicators[0].name, "人数");
        assert_eq!(r1.indicators[0].level2.as_deref(), Some("数量指标"));
        assert!(r1.indicators[0].flags.contains(&"corrected".to_string()));
        assert_eq!(
            r1.residue,
            vec![Residue {
                lines: [2, 2],
                cells: None,
                boxes: None,
                text: "产出指标 班级数 ≥100".into()
            }]
        );
        assert!(r1.flags.contains(&"row_removed".to_string()));
        assert!(r1.flags.contains(&"corrected".to_string()));
        assert_eq!(r1.fields.text("project_name"), Some("乙"));
        assert!(
            recs[1].indicators[0]
                .flags
                .contains(&"accepted".to_string())
        );
    }

    #[test]
    fn rows_sharing_an_input_line_take_a_correction_only_at_its_path() {
        // A page written on one line: every row comes from line 1 and has
        // the same fingerprint.
        let d = doc(&["表 产出指标 班级数 ≥100 人数 ≥5"]);
        let fp = fingerprint(&d, [1, 1]);
        let mut recs = vec![record(
            "f#1",
            [1, 1],
            vec![row("班级数", 1), row("人数", 1)],
        )];
        let set = |path: &str| {
            c(
                "f#1",
                &fp,
                path,
                Action::Correct,
                Some(("level2", json!("数量指标"))),
            )
        };
        let fc = FileCorrections {
            items: vec![(1, set("/indicators/1")), (2, set("/indicators/5"))],
            digest: String::new(),
        };
        let a = apply(&mut recs, &d, &fc);
        assert_eq!(a.applied, 1);
        let levels: Vec<Option<&str>> = recs[0]
            .indicators
            .iter()
            .map(|i| i.level2.as_deref())
            .collect();
        assert_eq!(levels, [None, Some("数量指标")]);
        // No row at the path: none is changed, and the reason says why.
        assert_eq!(a.unmatched.len(), 1);
        assert!(
            a.unmatched[0].reason.contains("2 rows of f#1"),
            "{}",
            a.unmatched[0].reason
        );
    }

    #[test]
    fn a_later_decision_on_the_same_row_wins() {
        let d = doc(&["表", "产出指标\t班级数\t≥100"]);
        let mut recs = vec![record("f#1", [1, 2], vec![row("班级数", 2)])];
        let fp = fingerprint(&d, [2, 2]);
        let items = vec![
            (1, c("f#1", &fp, "/indicators/0", Action::NotARow, None)),
            (
                2,
                c(
                    "f#1",
                    &fp,
                    "/indicators/0",
                    Action::Correct,
                    Some(("weight", json!(5))),
                ),
            ),
            (
                3,
                c(
                    "f#1",
                    &fp,
                    "/indicators/0",
                    Action::Correct,
                    Some(("weight", json!(6))),
                ),
            ),
        ];
        apply(
            &mut recs,
            &d,
            &FileCorrections {
                items,
                digest: String::new(),
            },
        );
        assert_eq!(
            recs[0].indicators.len(),
            1,
            "a correction after not_a_row keeps the row"
        );
        assert_eq!(recs[0].indicators[0].weight, Some(6.0));
    }
}
