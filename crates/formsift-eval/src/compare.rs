//! Comparing records with gold.

use crate::{Mismatch, Report};
use serde_json::Value;

fn show(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "null".into(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    }
}

/// Equal after trimming strings; numbers within 0.005; absent equals null.
fn same(g: Option<&Value>, f: Option<&Value>) -> bool {
    match (g.unwrap_or(&Value::Null), f.unwrap_or(&Value::Null)) {
        (Value::Number(a), Value::Number(b)) => {
            (a.as_f64().unwrap_or(f64::NAN) - b.as_f64().unwrap_or(f64::NAN)).abs() <= 0.005
        }
        (Value::String(a), Value::String(b)) => a.trim() == b.trim(),
        (a, b) => a == b,
    }
}

/// Every scalar leaf under `v` with its path.
fn leaves(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                leaves(&format!("{prefix}.{k}"), x, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                leaves(&format!("{prefix}[{i}]"), x, out);
            }
        }
        _ => out.push((prefix.to_string(), v.clone())),
    }
}

fn lookup<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    for part in path.split('.') {
        let (key, idx) = match part.find('[') {
            Some(p) => (&part[..p], Some(&part[p..])),
            None => (part, None),
        };
        cur = cur.get(key)?;
        if let Some(idx) = idx {
            for i in idx.split(']').filter(|s| !s.is_empty()) {
                cur = cur.get(i.trim_start_matches('[').parse::<usize>().ok()?)?;
            }
        }
    }
    Some(cur)
}

fn review(v: &Value) -> bool {
    v.get("review").and_then(Value::as_bool).unwrap_or(false)
}

const ROW_KEYS: [&str; 7] = [
    "level1",
    "level2",
    "name",
    "ordinal",
    "target.op",
    "target.value",
    "target.unit",
];

/// Differences of one aligned row pair, as (key, gold, found).
fn row_diff(g: &Value, f: &Value) -> Vec<(String, String, String)> {
    let mut keys: Vec<String> = ROW_KEYS.iter().map(|s| s.to_string()).collect();
    if g.get("actual").is_some_and(|a| !a.is_null()) {
        keys.extend(["actual.op", "actual.value", "actual.unit"].map(String::from));
    }
    for k in ["weight", "score"] {
        if g.get(k).is_some_and(|a| !a.is_null()) {
            keys.push(k.to_string());
        }
    }
    keys.into_iter()
        .filter_map(|k| {
            let (gv, fv) = (lookup(g, &k), lookup(f, &k));
            (!same(gv, fv)).then(|| (k, show(gv), show(fv)))
        })
        .collect()
}

fn name(v: &Value) -> &str {
    v.get("name").and_then(Value::as_str).unwrap_or("").trim()
}

/// Aligns gold rows with extracted rows: the longest common run of equal names
/// anchors the alignment; rows between anchors pair up in order.
fn align(gold: &[Value], found: &[Value]) -> Vec<(Option<usize>, Option<usize>)> {
    let (n, m) = (gold.len(), found.len());
    let mut l = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            l[i][j] = if name(&gold[i]) == name(&found[j]) {
                l[i + 1][j + 1] + 1
            } else {
                l[i + 1][j].max(l[i][j + 1])
            };
        }
    }
    let mut anchors = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if name(&gold[i]) == name(&found[j]) {
            anchors.push((i, j));
            i += 1;
            j += 1;
        } else if l[i + 1][j] >= l[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    anchors.push((n, m));
    let mut out = Vec::new();
    let (mut gi, mut fj) = (0, 0);
    for (ai, aj) in anchors {
        let (gs, fs) = (ai - gi, aj - fj);
        for k in 0..gs.max(fs) {
            out.push(((k < gs).then_some(gi + k), (k < fs).then_some(fj + k)));
        }
        if ai < n {
            out.push((Some(ai), Some(aj)));
        }
        gi = ai + 1;
        fj = aj + 1;
    }
    out
}

/// Compares extracted records with gold records by id.
pub fn evaluate(gold: &[Value], records: &[Value]) -> Report {
    let mut rep = Report::default();
    for g in gold {
        let id = g
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let found = records
            .iter()
            .find(|r| r.get("id").and_then(Value::as_str) == Some(&id));
        let empty = Value::Null;
        let f = found.unwrap_or(&empty);
        if found.is_none() {
            rep.missing_records.push(id.clone());
        }
        let rec_review = review(f);
        let mut gl = Vec::new();
        for key in ["form_type", "year", "fields", "funds", "total_score"] {
            if let Some(v) = g.get(key) {
                leaves(key, v, &mut gl);
            }
        }
        for (path, gv) in gl {
            rep.fields_total += 1;
            let fv = lookup(f, &path);
            if same(Some(&gv), fv) {
                rep.fields_right += 1;
            } else {
                rep.wrong += 1;
                rep.wrong_flagged += usize::from(rec_review);
                rep.mismatches.push(Mismatch {
                    id: id.clone(),
                    at: path,
                    gold: show(Some(&gv)),
                    found: show(fv),
                    flagged: rec_review,
                });
            }
        }
        let grows: Vec<Value> = g
            .get("indicators")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let frows: Vec<Value> = f
            .get("indicators")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        rep.rows_extracted += frows.len();
        rep.rows_review += frows.iter().filter(|r| review(r)).count();
        for (gi, fj) in align(&grows, &frows) {
            let ambiguous = gi
                .is_some_and(|i| grows[i].get("ambiguous").and_then(Value::as_bool) == Some(true));
            if ambiguous {
                continue;
            }
            rep.rows_total += 1;
            let (wrong, flagged, at, gold_s, found_s) = match (gi, fj) {
                (Some(i), Some(j)) => {
                    let d = row_diff(&grows[i], &frows[j]);
                    let desc = |f: fn(&(String, String, String)) -> String| {
                        d.iter().map(f).collect::<Vec<_>>().join("; ")
                    };
                    (
                        !d.is_empty(),
                        review(&frows[j]),
                        format!("indicators[{j}] {}", name(&grows[i])),
                        desc(|x| format!("{}={}", x.0, x.1)),
                        desc(|x| format!("{}={}", x.0, x.2)),
                    )
                }
                (Some(i), None) => (
                    true,
                    rec_review,
                    format!("indicators (missing) {}", name(&grows[i])),
                    name(&grows[i]).to_string(),
                    "missing".into(),
                ),
                (None, Some(j)) => (
                    true,
                    review(&frows[j]),
                    format!("indicators[{j}] (extra)"),
                    "none".into(),
                    name(&frows[j]).to_string(),
                ),
                (None, None) => continue,
            };
            if let Some(j) = fj {
                let flags: Vec<String> = frows[j]
                    .get("flags")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default();
                let keys = if flags.is_empty() {
                    vec!["(none)".to_string()]
                } else {
                    flags
                };
                for k in keys {
                    let e = rep.by_flag.entry(k).or_default();
                    e.0 += 1;
                    e.1 += usize::from(wrong);
                }
            }
            if wrong {
                rep.wrong += 1;
                rep.wrong_flagged += usize::from(flagged);
                rep.mismatches.push(Mismatch {
                    id: id.clone(),
                    at,
                    gold: gold_s,
                    found: found_s,
                    flagged,
                });
            } else {
                rep.rows_right += 1;
            }
        }
    }
    rep
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(name: &str, op: &str, review: bool) -> Value {
        json!({"level1": "产出指标", "level2": "数量指标", "name": name, "ordinal": null,
               "target": {"op": op, "value": 1.0, "unit": "个"}, "review": review})
    }

    #[test]
    fn fields_rows_catch_and_review_rates() {
        let gold = vec![
            json!({"id": "a#1", "form_type": "project_target", "year": 2024,
            "fields": {"project_name": "甲"}, "funds": {"unit": "元", "annual": 1.0},
            "indicators": [row("x", ">=", false), row("y", "=", false), row("z", "=", false)]}),
        ];
        let found = vec![
            json!({"id": "a#1", "form_type": "project_target", "year": 2024, "review": false,
            "fields": {"project_name": "甲 "}, "funds": {"unit": "元", "annual": 1.001},
            "indicators": [row("x", ">=", false), row("y", ">", true), row("w", "=", false)]}),
        ];
        let r = evaluate(&gold, &found);
        assert_eq!((r.fields_right, r.fields_total), (5, 5));
        assert_eq!((r.rows_right, r.rows_total), (1, 3));
        assert_eq!((r.wrong, r.wrong_flagged), (2, 1));
        assert_eq!((r.rows_review, r.rows_extracted), (1, 3));
    }

    #[test]
    fn ambiguous_gold_rows_are_skipped_and_missing_rows_count() {
        let mut amb = row("y", "=", false);
        amb["ambiguous"] = json!(true);
        let gold = vec![
            json!({"id": "a#1", "indicators": [row("x", ">=", false), amb, row("z", "=", false)]}),
        ];
        let found =
            vec![json!({"id": "a#1", "indicators": [row("x", ">=", false), row("y", "<", false)]})];
        let r = evaluate(&gold, &found);
        assert_eq!((r.rows_right, r.rows_total), (1, 2));
        assert!(r.mismatches.iter().any(|m| m.found == "missing"));
    }
}
