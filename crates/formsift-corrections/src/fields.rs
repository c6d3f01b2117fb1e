//! The fields a reviewer may edit, their JSON types, and reading and writing
//! them on rows and records.

use formsift_model::{FieldValue, Indicator, Measure, Record};
use serde_json::{Value, json};

/// Editable fields of an indicator row, in the order an editor shows them.
pub const ROW_FIELDS: &[&str] = &[
    "level1",
    "level2",
    "name",
    "ordinal",
    "target.raw",
    "target.op",
    "target.value",
    "target.unit",
    "actual.raw",
    "actual.op",
    "actual.value",
    "actual.unit",
    "weight",
    "score",
    "remark",
];

/// Editable fields of a record besides `fields.<key>`.
pub const RECORD_FIELDS: &[&str] = &["form_type", "title", "year"];

/// The comparison operators a measure may carry.
pub const OPS: &[&str] = &[">=", "<=", ">", "<", "="];

/// A field that cannot be edited, or a value of the wrong type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// Not an editable field of this kind of item.
    #[error("`{field}` is not an editable field of {kind} (editable: {allowed})")]
    Unknown {
        /// The field named.
        field: String,
        /// `a row` or `a record`.
        kind: &'static str,
        /// The editable fields.
        allowed: String,
    },
    /// The value has the wrong JSON type.
    #[error("`{field}` takes {expected}, not {found}")]
    Type {
        /// The field.
        field: String,
        /// What it takes.
        expected: &'static str,
        /// The value given.
        found: String,
    },
}

#[derive(Clone, Copy)]
enum Kind {
    Text,
    OptText,
    OptInt,
    OptNum,
    Op,
}

fn row_kind(field: &str) -> Option<Kind> {
    Some(match field {
        "name" => Kind::Text,
        "level1" | "level2" | "remark" | "target.raw" | "actual.raw" | "target.unit"
        | "actual.unit" => Kind::OptText,
        "ordinal" => Kind::OptInt,
        "target.value" | "actual.value" | "weight" | "score" => Kind::OptNum,
        "target.op" | "actual.op" => Kind::Op,
        _ => return None,
    })
}

fn record_kind(field: &str) -> Option<Kind> {
    Some(match field {
        "form_type" | "title" => Kind::Text,
        "year" => Kind::OptInt,
        f if f.starts_with("fields.") && f.len() > 7 => Kind::OptText,
        _ => return None,
    })
}

/// Checks that `value` suits `field` of a row (`record == false`) or a
/// record, and returns it in canonical form (blank text → null).
pub fn check(field: &str, value: &Value, record: bool) -> Result<Value, FieldError> {
    let kind = if record {
        record_kind(field)
    } else {
        row_kind(field)
    };
    let Some(kind) = kind else {
        return Err(FieldError::Unknown {
            field: field.to_string(),
            kind: if record { "a record" } else { "a row" },
            allowed: if record {
                format!("{}, fields.<key>", RECORD_FIELDS.join(", "))
            } else {
                ROW_FIELDS.join(", ")
            },
        });
    };
    let wrong = |expected| FieldError::Type {
        field: field.to_string(),
        expected,
        found: value.to_string(),
    };
    // A field of `fields` may hold an integer (sub_units, staff).
    if record && field.starts_with("fields.") && value.is_i64() {
        return Ok(value.clone());
    }
    match (kind, value) {
        (Kind::Text, Value::String(s)) => Ok(Value::String(s.trim().to_string())),
        (Kind::Text, _) => Err(wrong("text")),
        (Kind::OptText, Value::Null) => Ok(Value::Null),
        (Kind::OptText, Value::String(s)) if s.trim().is_empty() => Ok(Value::Null),
        (Kind::OptText, Value::String(s)) => Ok(Value::String(s.trim().to_string())),
        (Kind::OptText, _) => Err(wrong("text or null")),
        (Kind::OptInt, Value::Null) => Ok(Value::Null),
        (Kind::OptInt, Value::Number(n)) if n.is_i64() => Ok(value.clone()),
        (Kind::OptInt, Value::String(s)) if s.trim().is_empty() => Ok(Value::Null),
        (Kind::OptInt, Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .map(|n| json!(n))
            .map_err(|_| wrong("an integer or null")),
        (Kind::OptInt, _) => Err(wrong("an integer or null")),
        (Kind::OptNum, Value::Null) => Ok(Value::Null),
        (Kind::OptNum, Value::Number(n)) => Ok(json!(n.as_f64())),
        (Kind::OptNum, Value::String(s)) if s.trim().is_empty() => Ok(Value::Null),
        (Kind::OptNum, Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(|f| json!(f))
            .ok_or_else(|| wrong("a number or null")),
        (Kind::OptNum, _) => Err(wrong("a number or null")),
        (Kind::Op, Value::Null) => Ok(Value::Null),
        (Kind::Op, Value::String(s)) if s.trim().is_empty() => Ok(Value::Null),
        (Kind::Op, Value::String(s)) if OPS.contains(&s.trim()) => {
            Ok(Value::String(s.trim().to_string()))
        }
        (Kind::Op, _) => Err(wrong("one of >=, <=, >, <, = or null")),
    }
}

fn measure_get(m: &Option<Measure>, part: &str) -> Value {
    let Some(m) = m else { return Value::Null };
    match part {
        "raw" => json!(m.raw),
        "op" => json!(m.op),
        "value" => json!(m.value),
        "unit" => json!(m.unit),
        _ => Value::Null,
    }
}

/// Sets one part of a measure, creating it; a measure left with nothing in it
/// becomes null.
fn measure_set(slot: &mut Option<Measure>, part: &str, v: &Value) {
    let m = slot.get_or_insert_with(|| Measure {
        raw: String::new(),
        op: None,
        value: None,
        unit: None,
    });
    let text = || v.as_str().map(str::to_string);
    match part {
        "raw" => m.raw = text().unwrap_or_default(),
        "op" => m.op = text(),
        "value" => m.value = v.as_f64(),
        "unit" => m.unit = text(),
        _ => {}
    }
    if m.raw.is_empty() && m.op.is_none() && m.value.is_none() && m.unit.is_none() {
        *slot = None;
    }
}

/// The current value of a row field (null for an unknown field).
pub fn row_get(ind: &Indicator, field: &str) -> Value {
    match field {
        "level1" => json!(ind.level1),
        "level2" => json!(ind.level2),
        "name" => json!(ind.name),
        "ordinal" => json!(ind.ordinal),
        "weight" => json!(ind.weight),
        "score" => json!(ind.score),
        "remark" => json!(ind.remark),
        f => match f.split_once('.') {
            Some(("target", p)) => measure_get(&ind.target, p),
            Some(("actual", p)) => measure_get(&ind.actual, p),
            _ => Value::Null,
        },
    }
}

/// Sets a row field; `value` must have passed [`check`].
pub fn row_set(ind: &mut Indicator, field: &str, value: &Value) {
    let text = || value.as_str().map(str::to_string);
    match field {
        "level1" => ind.level1 = text(),
        "level2" => ind.level2 = text(),
        "name" => ind.name = text().unwrap_or_default(),
        "ordinal" => ind.ordinal = value.as_i64(),
        "weight" => ind.weight = value.as_f64(),
        "score" => ind.score = value.as_f64(),
        "remark" => ind.remark = text(),
        f => match f.split_once('.') {
            Some(("target", p)) => measure_set(&mut ind.target, p, value),
            Some(("actual", p)) => measure_set(&mut ind.actual, p, value),
            _ => {}
        },
    }
}

/// The current value of a record field (null for an unknown field).
pub fn record_get(r: &Record, field: &str) -> Value {
    match field {
        "form_type" => json!(r.form_type),
        "title" => json!(r.title),
        "year" => json!(r.year),
        f => match f.strip_prefix("fields.").and_then(|k| r.fields.get(k)) {
            Some(FieldValue::Text(t)) => json!(t),
            Some(FieldValue::Int(i)) => json!(i),
            _ => Value::Null,
        },
    }
}

/// Sets a record field; `value` must have passed [`check`].
pub fn record_set(r: &mut Record, field: &str, value: &Value) {
    match field {
        "form_type" => r.form_type = value.as_str().unwrap_or_default().to_string(),
        "title" => r.title = value.as_str().unwrap_or_default().to_string(),
        "year" => r.year = value.as_i64(),
        f => {
            if let Some(key) = f.strip_prefix("fields.") {
                let v = match value {
                    Value::String(s) => FieldValue::Text(s.clone()),
                    Value::Number(n) if n.is_i64() => FieldValue::Int(n.as_i64().unwrap_or(0)),
                    _ => FieldValue::Null,
                };
                match r.fields.0.iter_mut().find(|(k, _)| k == key) {
                    Some(slot) => slot.1 = v,
                    None => r.fields.0.push((key.to_string(), v)),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_and_canonical() {
        assert_eq!(check("weight", &json!("12.5"), false), Ok(json!(12.5)));
        assert_eq!(check("weight", &json!(""), false), Ok(Value::Null));
        assert!(check("weight", &json!("十"), false).is_err());
        assert_eq!(check("target.op", &json!(" >= "), false), Ok(json!(">=")));
        assert!(check("target.op", &json!("≥"), false).is_err());
        assert_eq!(check("level2", &json!("  "), false), Ok(Value::Null));
        assert_eq!(check("ordinal", &json!("3"), false), Ok(json!(3)));
        assert!(check("name", &Value::Null, false).is_err());
        assert!(matches!(
            check("colour", &json!("x"), false),
            Err(FieldError::Unknown { .. })
        ));
        assert_eq!(check("fields.sub_units", &json!(4), true), Ok(json!(4)));
        assert!(check("fields.", &json!("x"), true).is_err());
        assert!(check("level1", &json!("x"), true).is_err());
    }

    #[test]
    fn a_missing_measure_is_created_when_set() {
        let mut ind = Indicator::new("班级数", [3, 3]);
        assert_eq!(row_get(&ind, "target.value"), Value::Null);
        row_set(&mut ind, "target.value", &json!(100.0));
        row_set(&mut ind, "target.op", &json!(">="));
        assert_eq!(row_get(&ind, "target.value"), json!(100.0));
        assert_eq!(ind.target.as_ref().unwrap().op.as_deref(), Some(">="));
        for f in ROW_FIELDS {
            let v = row_get(&ind, f);
            let c = check(f, &v, false);
            assert!(c.is_ok() || *f == "name", "{f}: {c:?}");
        }
    }
}
