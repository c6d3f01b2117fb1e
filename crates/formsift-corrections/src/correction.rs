//! One reviewer decision, as stored in the corrections file.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What the reviewer did with an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The field `field` should hold `new` instead of `old`.
    Correct,
    /// The row or record is right as extracted.
    Accept,
    /// The row is not an indicator: it goes to the record's residue.
    NotARow,
}

impl Action {
    /// The flag a settled item carries after this action.
    pub fn flag(self) -> &'static str {
        match self {
            Action::Correct => "corrected",
            Action::Accept => "accepted",
            Action::NotARow => "row_removed",
        }
    }
}

/// One line of the corrections file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    /// The record id (`<file stem>#<form number>`).
    pub id: String,
    /// Fingerprint of the row's (or, for a record, the form's) source text.
    pub fingerprint: String,
    /// Where the item was when reviewed: `/indicators/N`, or `` for the record.
    /// Informational: matching uses the fingerprint, since row indexes move.
    pub path: String,
    /// What the reviewer did.
    pub action: Action,
    /// The corrected field (`level2`, `target.value`, `fields.project_name`…);
    /// only for `correct`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The value the reviewer saw.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub old: Value,
    /// The value the reviewer set.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub new: Value,
    /// Who decided.
    pub reviewer: String,
    /// When, RFC 3339 UTC.
    pub time: String,
}

impl Correction {
    /// True when the correction is about the record rather than one row.
    pub fn is_record(&self) -> bool {
        !self.path.starts_with("/indicators/")
    }

    /// The file stem part of the record id.
    pub fn stem(&self) -> &str {
        self.id.rsplit_once('#').map_or(&self.id, |(s, _)| s)
    }
}

/// The current time as RFC 3339 UTC, to the second.
pub fn now() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}
