//! A row of the indicator table before its levels are resolved.

use super::Header;
use formsift_config::{Column, Config};
use formsift_values::push_wrapped;

/// One table row as read: texts by column, provenance and repairs so far.
#[derive(Debug, Clone, Default)]
pub(crate) struct Draft {
    /// Level-1 text as printed (white space removed), if the row printed one.
    pub l1: Option<String>,
    /// Level-2 text as printed (white space removed), if the row printed one.
    pub l2: Option<String>,
    /// Name as printed.
    pub name: Option<String>,
    /// Target as printed.
    pub target: Option<String>,
    /// Actual as printed.
    pub actual: Option<String>,
    /// 分值.
    pub weight: Option<f64>,
    /// 得分.
    pub score: Option<f64>,
    /// Remark.
    pub remark: Option<String>,
    /// First and last line.
    pub lines: [usize; 2],
    /// Repairs and doubts.
    pub flags: Vec<String>,
    /// The row follows a blank line (a page break inside the table).
    pub after_break: bool,
    /// Cells the row took, as (line, cell index).
    pub cells: Vec<(usize, usize)>,
    /// Column of the name cell (for continuation rows).
    pub name_col: Option<usize>,
    /// Column of the lone cell of a continuation row.
    pub lone_col: Option<usize>,
    /// Other readings of a guessed level: (field, value).
    pub alternatives: Vec<(String, String)>,
}

impl Draft {
    /// Adds a flag once.
    pub fn flag(&mut self, f: &str) {
        if !self.flags.iter().any(|x| x == f) {
            self.flags.push(f.to_string());
        }
    }

    /// True when the row has no target, actual, weight or score.
    pub fn has_no_value(&self) -> bool {
        self.target.is_none()
            && self.actual.is_none()
            && self.weight.is_none()
            && self.score.is_none()
    }

    /// True when the row has only level labels.
    pub fn is_label_only(&self) -> bool {
        (self.l1.is_some() || self.l2.is_some())
            && self.name.is_none()
            && self.has_no_value()
            && self.remark.is_none()
    }

    /// True when the row is a lone text that continues the row above.
    pub fn is_continuation(&self) -> bool {
        self.l1.is_none()
            && self.l2.is_none()
            && self.has_no_value()
            && (self.name.is_some() ^ self.remark.is_some())
    }

    /// Joins a continuation row into this one. A continuation that repeats the
    /// end of the name (an OCR-duplicated wrapped tail) is dropped. Returns false
    /// when the continuation cannot belong here.
    pub fn absorb(&mut self, next: &Draft, header: &Header, _config: &Config) -> bool {
        let text = next
            .name
            .clone()
            .or(next.remark.clone())
            .unwrap_or_default();
        if self.name.is_none() {
            return false;
        }
        let remark_col = header
            .iter()
            .find(|(k, _)| *k == Column::Remark)
            .map(|(_, c)| *c);
        let to_remark = self.remark.is_some()
            && matches!((next.lone_col, remark_col), (Some(c), Some(r)) if c >= r);
        let slot = if to_remark {
            &mut self.remark
        } else {
            &mut self.name
        };
        let current = slot.get_or_insert_default();
        if !(text.chars().count() >= 2 && current.ends_with(&text)) {
            push_wrapped(current, &text);
        }
        self.flag("row_joined");
        self.lines[1] = self.lines[1].max(next.lines[1]);
        self.cells.extend(next.cells.iter().copied());
        true
    }
}
