//! The record model: one record per form, as `RECORD.md` specifies.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

/// Where a record came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Source {
    /// The input path as given (relative paths stay relative).
    pub path: String,
    /// Form number within the file, from 1 in document order.
    pub form: usize,
    /// First and last 1-based input line of the form.
    pub lines: [usize; 2],
    /// Notations seen in the form's lines, in order of first appearance.
    pub formats: Vec<String>,
    /// For spreadsheets and Word files, where the form stands: one range per
    /// sheet, table or run of paragraphs (`Sheet1!A1:H40`, `table1!A1:D30`,
    /// `body!P1:P2`); absent for text inputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cells: Option<Vec<String>>,
    /// For PDFs, the pages the form stands on (from 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages: Option<Vec<u32>>,
    /// For PDFs, the form's box on each page it stands on
    /// (`p1:57,64,538,780`: page, then left, top, right, bottom in points
    /// from the page's top left).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boxes: Option<Vec<String>>,
}

/// A value of `fields`: text, an integer, or null.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// Text as printed, cleaned.
    Text(String),
    /// An integer such as `sub_units`.
    Int(i64),
    /// The document has the label but no value.
    Null,
}

impl Serialize for FieldValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            FieldValue::Text(t) => s.serialize_str(t),
            FieldValue::Int(i) => s.serialize_i64(*i),
            FieldValue::Null => s.serialize_none(),
        }
    }
}

/// An ordered map of canonical field keys to values (first value wins).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fields(pub Vec<(String, FieldValue)>);

impl Fields {
    /// Sets `key` unless it already holds a non-null value. Returns true when set.
    pub fn set(&mut self, key: &str, value: FieldValue) -> bool {
        if let Some(slot) = self.0.iter_mut().find(|(k, _)| k == key) {
            if slot.1 == FieldValue::Null && value != FieldValue::Null {
                slot.1 = value;
                return true;
            }
            return false;
        }
        self.0.push((key.to_string(), value));
        true
    }

    /// The value of `key`, if the key is present.
    pub fn get(&self, key: &str) -> Option<&FieldValue> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The text of `key`, if present and text.
    pub fn text(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(FieldValue::Text(t)) => Some(t),
            _ => None,
        }
    }
}

impl Serialize for Fields {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// One part of a 2019 资金构成 table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    /// 子项目名称.
    pub name: String,
    /// 预算金额.
    pub amount: Option<f64>,
}

/// A sub-row of a self-evaluation budget table (当年财政拨款, 上年结转资金, …).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetRow {
    /// Row label without the `其中：` prefix.
    pub item: String,
    /// 年初预算数.
    pub initial_budget: Option<f64>,
    /// 全年预算数.
    pub full_year_budget: Option<f64>,
    /// 全年执行数.
    pub executed: Option<f64>,
}

/// The funds of a form: a declared unit, named amounts, and optional tables.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Funds {
    /// The unit the form declares (`元`, `万元`), if any.
    pub unit: Option<String>,
    /// Named amounts in the order the form gives them (null when blank).
    pub amounts: Vec<(String, Option<f64>)>,
    /// 资金构成 parts (2019 layout), when the form has the table.
    pub parts: Option<Vec<Part>>,
    /// Budget sub-rows (self-evaluation), when the form has them.
    pub rows: Option<Vec<BudgetRow>>,
}

impl Funds {
    /// Sets an amount unless it already holds a number.
    pub fn set(&mut self, key: &str, value: Option<f64>) {
        if let Some(slot) = self.amounts.iter_mut().find(|(k, _)| k == key) {
            if slot.1.is_none() {
                slot.1 = value;
            }
            return;
        }
        self.amounts.push((key.to_string(), value));
    }

    /// The amount named `key`, if present and not null.
    pub fn get(&self, key: &str) -> Option<f64> {
        self.amounts
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| *v)
    }

    /// True when the form declared nothing about funds.
    pub fn is_empty(&self) -> bool {
        self.unit.is_none()
            && self.amounts.is_empty()
            && self.parts.is_none()
            && self.rows.is_none()
    }
}

impl Serialize for Funds {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("unit", &self.unit)?;
        for (k, v) in &self.amounts {
            m.serialize_entry(k, v)?;
        }
        if let Some(p) = &self.parts {
            m.serialize_entry("parts", p)?;
        }
        if let Some(r) = &self.rows {
            m.serialize_entry("rows", r)?;
        }
        m.end()
    }
}

/// A 重点任务 row of the department form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Task {
    /// 任务名称.
    pub name: String,
    /// 主要内容.
    pub content: Option<String>,
}

/// A parsed target or actual value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measure {
    /// The cleaned text as printed.
    pub raw: String,
    /// `>=`, `<=`, `>`, `<`, `=` or null.
    pub op: Option<String>,
    /// The number, or null for qualitative values.
    pub value: Option<f64>,
    /// What follows the number, brackets removed, or null.
    pub unit: Option<String>,
}

/// The other reading of an ambiguous level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alternative {
    /// `level1` or `level2`.
    pub field: String,
    /// The other possible value.
    pub value: String,
}

/// One leaf row of the indicator table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    /// 一级指标.
    pub level1: Option<String>,
    /// 二级指标.
    pub level2: Option<String>,
    /// 三级指标, without a leading `指标N：`.
    pub name: String,
    /// N of a leading `指标N：`.
    pub ordinal: Option<i64>,
    /// 年度指标值 / 指标目标值.
    pub target: Option<Measure>,
    /// 实际完成值 (self-evaluation).
    pub actual: Option<Measure>,
    /// 分值.
    pub weight: Option<f64>,
    /// 得分.
    pub score: Option<f64>,
    /// 偏差原因分析及改进措施.
    pub remark: Option<String>,
    /// First and last input line the row came from.
    pub lines: [usize; 2],
    /// For spreadsheets and Word files, the cells the row came from
    /// (`Sheet1!B12:H12`); absent for text inputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cells: Option<String>,
    /// For PDFs, the row's box (`p2:57,402,538,418`: page, then left, top,
    /// right, bottom in points from the page's top left); rows from two
    /// pages give two boxes, comma and space apart.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boxes: Option<String>,
    /// Confidence in [0, 1].
    pub confidence: f64,
    /// Repairs and doubts, as snake_case words.
    pub flags: Vec<String>,
    /// True when confidence is below the review threshold.
    pub review: bool,
    /// Other readings of an ambiguous level.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<Alternative>,
}

/// The 总分 row of a self-evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TotalScore {
    /// 分值 column of the 总分 row.
    pub weight: Option<f64>,
    /// 得分 column of the 总分 row.
    pub score: Option<f64>,
}

/// A number, a text or nothing: what a check expected or found.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    /// A number.
    Num(f64),
    /// A text such as a date.
    Text(String),
    /// Nothing.
    Null,
}

impl Serialize for Scalar {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Scalar::Num(n) => s.serialize_f64(*n),
            Scalar::Text(t) => s.serialize_str(t),
            Scalar::Null => s.serialize_none(),
        }
    }
}

/// One arithmetic or consistency check the form allows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// Check name, as documented in pipeline.toml.
    pub name: String,
    /// Whether the form agrees with itself.
    pub ok: bool,
    /// What the check computed from the other numbers.
    pub expected: Scalar,
    /// What the form printed.
    pub found: Scalar,
}

/// Text inside a form's span that no field took.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Residue {
    /// First and last input line of the text.
    pub lines: [usize; 2],
    /// For spreadsheets and Word files, the cells the text came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cells: Option<String>,
    /// For PDFs, the text's box on its page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boxes: Option<String>,
    /// The text.
    pub text: String,
}

/// One form, extracted, checked and scored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// `<file stem>#<form number>`.
    pub id: String,
    /// Provenance.
    pub source: Source,
    /// `project_target`, `department_target` or `project_self_evaluation`.
    pub form_type: String,
    /// The title as printed.
    pub title: String,
    /// The year of `(2024年度)`.
    pub year: Option<i64>,
    /// Canonical fields.
    pub fields: Fields,
    /// Flags attached to single fields (for example `checkbox_inferred`).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub field_flags: std::collections::BTreeMap<String, Vec<String>>,
    /// Funds.
    pub funds: Funds,
    /// 重点任务 (department form only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tasks: Option<Vec<Task>>,
    /// The indicator table, one entry per leaf row.
    pub indicators: Vec<Indicator>,
    /// The 总分 row (self-evaluation).
    pub total_score: Option<TotalScore>,
    /// Checks the form allows.
    pub checks: Vec<Check>,
    /// Text no field took.
    pub residue: Vec<Residue>,
    /// Confidence in the record's fields, in [0, 1].
    pub confidence: f64,
    /// Record-level repairs and doubts.
    pub flags: Vec<String>,
    /// True when confidence is below the review threshold.
    pub review: bool,
}

impl Record {
    /// Rewrites every line range of the record (its span, rows, residue)
    /// with `f`: from document rows to input lines.
    pub fn map_lines(&mut self, f: impl Fn([usize; 2]) -> [usize; 2]) {
        self.source.lines = f(self.source.lines);
        for i in &mut self.indicators {
            i.lines = f(i.lines);
        }
        for r in &mut self.residue {
            r.lines = f(r.lines);
        }
    }

    /// A record with its identity and nothing extracted yet (confidence 1).
    pub fn new(id: String, source: Source, form_type: String, title: String) -> Record {
        Record {
            id,
            source,
            form_type,
            title,
            year: None,
            // (Room for a form's usual fields and amounts at once: they
            // grew a doubling at a time.)
            fields: Fields(Vec::with_capacity(12)),
            field_flags: Default::default(),
            funds: Funds {
                amounts: Vec::with_capacity(8),
                ..Funds::default()
            },
            tasks: None,
            indicators: Vec::new(),
            total_score: None,
            checks: Vec::new(),
            residue: Vec::new(),
            confidence: 1.0,
            flags: Vec::new(),
            review: false,
        }
    }

    /// Adds a record flag once.
    pub fn flag(&mut self, flag: &str) {
        if !self.flags.iter().any(|f| f == flag) {
            self.flags.push(flag.to_string());
        }
    }

    /// Adds a flag to a field (and to the record).
    pub fn flag_field(&mut self, field: &str, flag: &str) {
        let flags = self.field_flags.entry(field.to_string()).or_default();
        if !flags.iter().any(|f| f == flag) {
            flags.push(flag.to_string());
        }
        self.flag(flag);
    }
}

impl Indicator {
    /// A row with a name and its lines, nothing else read yet (confidence 1).
    pub fn new(name: impl Into<String>, lines: [usize; 2]) -> Indicator {
        Indicator {
            level1: None,
            level2: None,
            name: name.into(),
            ordinal: None,
            target: None,
            actual: None,
            weight: None,
            score: None,
            remark: None,
            lines,
            cells: None,
            boxes: None,
            confidence: 1.0,
            flags: Vec::new(),
            review: false,
            alternatives: Vec::new(),
        }
    }

    /// Adds a flag once.
    pub fn flag(&mut self, flag: &str) {
        if !self.flags.iter().any(|f| f == flag) {
            self.flags.push(flag.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_keep_order_and_the_first_value() {
        let mut f = Fields::default();
        assert!(f.set("project_name", FieldValue::Null));
        assert!(f.set("department", FieldValue::Text("甲".into())));
        assert!(f.set("project_name", FieldValue::Text("乙".into())));
        assert!(!f.set("project_name", FieldValue::Text("丙".into())));
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            r#"{"project_name":"乙","department":"甲"}"#
        );
    }

    #[test]
    fn funds_serialise_flat_with_optional_tables() {
        let mut funds = Funds {
            unit: Some("元".into()),
            ..Funds::default()
        };
        funds.set("annual", Some(1.5));
        funds.set("total", None);
        funds.set("annual", Some(9.0));
        assert_eq!(funds.get("annual"), Some(1.5));
        assert_eq!(
            serde_json::to_string(&funds).unwrap(),
            r#"{"unit":"元","annual":1.5,"total":null}"#
        );
        funds.parts = Some(vec![Part {
            name: "甲".into(),
            amount: Some(2.0),
        }]);
        assert!(
            serde_json::to_string(&funds)
                .unwrap()
                .ends_with(r#""parts":[{"name":"甲","amount":2.0}]}"#)
        );
    }

    #[test]
    fn field_flags_are_recorded_once_and_on_the_record() {
        let mut r = Record::new(
            "a#1".into(),
            Source {
                path: "a".into(),
                form: 1,
                lines: [1, 1],
                formats: vec![],
                cells: None,
                pages: None,
                boxes: None,
            },
            "project_target".into(),
            String::new(),
        );
        r.flag_field("project_category", "checkbox_inferred");
        r.flag_field("project_category", "checkbox_inferred");
        assert_eq!(r.field_flags["project_category"], ["checkbox_inferred"]);
        assert_eq!(r.flags, ["checkbox_inferred"]);
    }
}
