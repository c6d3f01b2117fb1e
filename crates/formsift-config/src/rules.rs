//! The configuration types and their lookups.

use regex::Regex;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Deserialize;
use std::collections::BTreeMap;

/// A compiled pattern of the rules (a `Regex` to its readers).
///
/// A clone compiles the pattern again instead of sharing the compiled one:
/// a batch's worker threads each work on a clone of the rules, and a shared
/// `Regex` keeps state every search touches from every thread (its cache
/// pool, and the reference count each `captures` call takes on its group
/// table), so two workers took turns at the same cache lines.
#[derive(Debug)]
pub struct Pattern(Regex);

impl Pattern {
    /// Compiles `pattern`.
    pub fn new(pattern: &str) -> Result<Pattern, regex::Error> {
        Regex::new(pattern).map(Pattern)
    }
}

impl Clone for Pattern {
    fn clone(&self) -> Pattern {
        Pattern::new(self.0.as_str()).expect("a pattern that compiled compiles again")
    }
}

impl std::ops::Deref for Pattern {
    type Target = Regex;
    fn deref(&self) -> &Regex {
        &self.0
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct RawConfig {
    review: Review,
    inputs: Inputs,
    notation: NotationRules,
    #[serde(rename = "template")]
    templates: Vec<RawTemplate>,
    forms: FormRules,
    labels: BTreeMap<String, Vec<String>>,
    label_rules: RawLabelRules,
    field_kinds: BTreeMap<String, FieldKind>,
    #[serde(rename = "list-table")]
    list_tables: Vec<ListTable>,
    matrix_table: MatrixTable,
    funds: FundsRules,
    indicators: RawIndicatorRules,
    values: RawValueRules,
    flags: BTreeMap<String, FlagRule>,
    checks: CheckRules,
}

/// When a row or record goes to review.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Review {
    /// Confidence below this means review.
    pub threshold: f64,
    /// Flags a reviewer's decision adds; a row or record carrying one has
    /// confidence 1 and leaves the review queue.
    pub settled_by: Vec<String>,
}

/// Which files a directory walk reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Inputs {
    /// Extensions without the dot.
    pub extensions: Vec<String>,
}

/// Rules of the notation readers.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct NotationRules {
    /// LaTeX command → replacement, longest command first once compiled.
    pub latex: Vec<[String; 2]>,
    /// Glyphs of a ticked box.
    pub ticked: Vec<String>,
    /// Glyphs of an empty box.
    pub unticked: Vec<String>,
    /// Share of tab lines above which a document is tab-separated.
    pub tsv_share: f64,
    /// In a tab-separated document, how many non-blank lines a line without
    /// tabs may stand from tab lines (or the edge), on each side, and still
    /// be one cell.
    #[serde(default = "default_tsv_reach")]
    pub tsv_reach: usize,
    /// Straight double quotes next to CJK text become `“ ”`.
    #[serde(default)]
    pub cjk_quotes: bool,
    /// In indicator names, a single space between a CJK character and a
    /// digit is dropped.
    #[serde(default)]
    pub cjk_spacing: bool,
    /// Cell texts that stand for an empty cell (what data tools print for a
    /// missing value).
    #[serde(default)]
    pub empty_cells: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawTemplate {
    form_type: String,
    titles: Vec<String>,
    #[serde(default)]
    labels: BTreeMap<String, Vec<String>>,
}

/// One form type: how its title reads and its label table.
#[derive(Debug, Clone)]
pub struct Template {
    /// The `form_type` of its records.
    pub form_type: String,
    /// Title endings.
    pub titles: Vec<String>,
    /// Label (normalised) → targets, common labels merged with the template's
    /// (hashed: looked up for every cell of every form).
    pub labels: FxHashMap<String, Vec<String>>,
    /// The last character of every label: a text that ends otherwise cannot
    /// become a label by stripping prefixes (a cheap exact reject).
    label_ends: FxHashSet<char>,
}

/// Segmentation rules.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct FormRules {
    /// Longest title cell.
    pub max_title_chars: usize,
    /// How many non-blank lines after the title may hold the year.
    pub year_lines: usize,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawLabelRules {
    strip_prefixes: Vec<String>,
    unit_suffix: String,
    value_separators: Vec<String>,
}

/// How a field's value is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FieldKind {
    /// Plain text.
    Text,
    /// An ISO date.
    Date,
    /// An integer.
    Int,
    /// Check-box options.
    Choice,
    /// Long text, possibly under its label.
    Block,
}

/// A table of rows under a header of column labels.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ListTable {
    /// `funds.parts` or `tasks`.
    pub target: String,
    /// Header label → key (hashed: every body line is tried as a header).
    pub columns: FxHashMap<String, String>,
    /// Row headings consumed without a value.
    pub row_labels: Vec<String>,
}

/// The self-evaluation budget table.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct MatrixTable {
    /// Header label → key (hashed: every body line is tried as a header).
    pub columns: FxHashMap<String, String>,
    /// Rows that fill funds directly.
    pub total_rows: Vec<String>,
    /// Cells read as null.
    pub placeholders: Vec<String>,
}

/// Funds plausibility.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct FundsRules {
    /// Largest plausible amount in 万元.
    pub suspect_wan_above: f64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawIndicatorRules {
    level1: Vec<String>,
    level2: Vec<String>,
    name: Vec<String>,
    target: Vec<String>,
    actual: Vec<String>,
    weight: Vec<String>,
    score: Vec<String>,
    remark: Vec<String>,
    total: Vec<String>,
    end: Vec<String>,
    row_sections: Vec<String>,
    level_suffixes: Vec<String>,
    similarity: f64,
    sure_similarity: f64,
    ordinal: String,
    #[serde(default)]
    spaced_doubt: Vec<String>,
    #[serde(default)]
    streamed_doubt: Vec<String>,
    #[serde(default = "default_unread_table_lines")]
    unread_table_lines: usize,
    vocabulary: Vec<VocabularyEntry>,
}

fn default_tsv_reach() -> usize {
    12
}

fn default_unread_table_lines() -> usize {
    1
}

/// A level-1 name and its level-2 children.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct VocabularyEntry {
    /// Level 1.
    pub level1: String,
    /// Its level-2 names.
    pub level2: Vec<String>,
}

/// A column of the indicator table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    /// 一级指标.
    Level1,
    /// 二级指标.
    Level2,
    /// 三级指标.
    Name,
    /// 年度指标值.
    Target,
    /// 实际完成值.
    Actual,
    /// 分值.
    Weight,
    /// 得分.
    Score,
    /// 偏差原因分析及改进措施.
    Remark,
}

/// Rules of the indicator table.
#[derive(Debug, Clone)]
pub struct IndicatorRules {
    /// Header word → column (hashed: looked up for every cell of every
    /// line; see [`IndicatorRules::header`]).
    pub(crate) headers: FxHashMap<String, Column>,
    /// A bit per byte length below 64 of a header word (bit 63 also for
    /// every longer one), and one per low six bits of a header word's last
    /// byte: most cells fail one of the two and are not hashed.
    header_lens: u64,
    header_ends: u64,
    /// First cells that give total_score.
    pub total: Vec<String>,
    /// First cells that end the table.
    pub end: Vec<String>,
    /// Section headings in the first column of rows.
    pub row_sections: Vec<String>,
    /// Endings of level names.
    pub level_suffixes: Vec<String>,
    /// Least similarity for an OCR correction.
    pub similarity: f64,
    /// Least similarity for a correction that is not a guess.
    pub sure_similarity: f64,
    /// `指标N：` prefix.
    pub ordinal: Pattern,
    /// Row flags that put a whole space-aligned table in doubt.
    pub spaced_doubt: Vec<String>,
    /// Row flags that put a whole table printed one cell per line in doubt.
    pub streamed_doubt: Vec<String>,
    /// Residue lines with table words that make a form without indicator
    /// rows an unread table (`table_unread`).
    pub unread_table_lines: usize,
    /// The vocabulary.
    pub vocabulary: Vec<VocabularyEntry>,
}

impl IndicatorRules {
    /// The column a header word (a cell key) names. The filters inline, the
    /// lookup not.
    #[inline]
    pub fn header(&self, key: &str) -> Option<Column> {
        let (n, last) = (key.len(), key.as_bytes().last().copied().unwrap_or(0));
        if self.header_lens >> n.min(63) & 1 == 0 || self.header_ends >> (last & 63) & 1 == 0 {
            return None;
        }
        self.header_lookup(key)
    }

    fn header_lookup(&self, key: &str) -> Option<Column> {
        self.headers.get(key).copied()
    }

    /// True when a cell key is a row section heading (`绩效指标`).
    pub fn is_row_section(&self, key: &str) -> bool {
        self.row_sections.iter().any(|s| s == key)
    }

    /// True when a first cell's key starts the total row.
    pub fn is_total(&self, key: &str) -> bool {
        self.total.iter().any(|s| s == key)
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawValueRules {
    prefix_ops: Vec<[String; 2]>,
    suffix_ops: Vec<[String; 2]>,
    max_unit_chars: usize,
}

/// Rules of value parsing.
#[derive(Debug, Clone)]
pub struct ValueRules {
    /// Comparator before a number → op, longest first.
    pub prefix_ops: Vec<(String, String)>,
    /// Word after a number → op, longest first.
    pub suffix_ops: Vec<(String, String)>,
    /// Longest unit.
    pub max_unit_chars: usize,
}

/// A flag and its penalty.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct FlagRule {
    /// Confidence penalty in [0, 1].
    pub penalty: f64,
    /// What the flag means.
    pub about: String,
}

/// Check tolerances and penalties.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct CheckRules {
    /// Percentage points a printed rate may be off.
    pub rate_tolerance: f64,
    /// How far a printed budget score may be from weight × rate.
    pub score_tolerance: f64,
    /// How far printed sums may be off.
    pub sum_tolerance: f64,
    /// Check name → penalty when it fails.
    pub penalties: BTreeMap<String, f64>,
    /// Check name → what it verifies, in words (for reviewers).
    pub about: BTreeMap<String, String>,
    /// Funds sums.
    pub funds_sum: Vec<FundsSum>,
}

/// A funds sum check.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct FundsSum {
    /// Check name.
    pub name: String,
    /// Funds key of the total.
    pub total: String,
    /// Funds keys of the parts.
    pub parts: Vec<String>,
}

/// The whole configuration, checked and compiled.
#[derive(Debug, Clone)]
pub struct Config {
    /// Review threshold.
    pub review: Review,
    /// Input selection.
    pub inputs: Inputs,
    /// Notation rules.
    pub notation: NotationRules,
    /// Form types.
    pub templates: Vec<Template>,
    /// Segmentation.
    pub forms: FormRules,
    /// Prefixes stripped from labels.
    pub strip_prefixes: Vec<Pattern>,
    /// Unit suffix of labels.
    pub unit_suffix: Pattern,
    /// The unit suffix pattern ends in a closing bracket, so a text that
    /// does not can skip the regex.
    unit_suffix_needs_paren: bool,
    /// The byte lengths (below 64) and first bytes of `notation.empty_cells`,
    /// as bit sets: most cells are passed over on them.
    empty_cell_lens: u64,
    empty_cell_firsts: [u64; 4],
    /// Separators between a label and its value inside one cell.
    pub value_separators: Vec<String>,
    /// A searcher for each of `value_separators`, built once (a search
    /// runs for every cell that is not a label).
    separator_finders: Vec<memchr::memmem::Finder<'static>>,
    /// Field kinds (hashed: looked up for every field a form fills).
    pub field_kinds: FxHashMap<String, FieldKind>,
    /// List tables.
    pub list_tables: Vec<ListTable>,
    /// The budget matrix.
    pub matrix_table: MatrixTable,
    /// Funds plausibility.
    pub funds: FundsRules,
    /// Indicator table rules.
    pub indicators: IndicatorRules,
    /// Value parsing.
    pub values: ValueRules,
    /// Flags (hashed: looked up for every flag of every row).
    pub flags: FxHashMap<String, FlagRule>,
    /// Checks.
    pub checks: CheckRules,
    /// The vocabulary's names, each with the levels it stands at (bit 1:
    /// level 1, bit 2: level 2): one lookup answers both questions.
    level_names: FxHashMap<String, u8>,
    /// The longest of `level_names`, in bytes: a longer text (a paragraph)
    /// is no level without being hashed.
    level_name_max: usize,
    /// A bit per low six bits of a vocabulary name's last byte.
    level_name_ends: u64,
    /// Each level-2 name's level-1 parents, in vocabulary order (asked for
    /// every row that prints a level 2).
    parents: FxHashMap<String, Vec<String>>,
}

/// A label found in a cell.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelMatch<'t> {
    /// The normalised label (the template's key, not a copy).
    pub label: &'t str,
    /// Where its value goes (the template's list, not a copy).
    pub targets: &'t [String],
    /// Unit declared by a suffix such as `（元）`.
    pub unit: Option<String>,
}

/// Bits of [`Config::levels_of`]'s map.
const LEVEL1: u8 = 1;
const LEVEL2: u8 = 2;

/// Longer cells are never labels (40 characters of label, a unit and space).
pub const MAX_LABEL_BYTES: usize = 400;

fn squeeze(s: &str) -> String {
    if !s.chars().any(char::is_whitespace) {
        return s.to_string();
    }
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

impl Config {
    pub(crate) fn compile(raw: RawConfig) -> Result<Config, String> {
        let re = |p: &str| Pattern::new(p).map_err(|e| format!("bad pattern {p:?}: {e}"));
        if !(0.0..=1.0).contains(&raw.review.threshold) {
            return Err(format!(
                "review.threshold must be in [0, 1], found {}",
                raw.review.threshold
            ));
        }
        for (name, f) in &raw.flags {
            if !(0.0..=1.0).contains(&f.penalty) {
                return Err(format!("flags.{name}.penalty must be in [0, 1]"));
            }
        }
        let common: BTreeMap<String, Vec<String>> = raw
            .labels
            .iter()
            .map(|(k, v)| (squeeze(k), v.clone()))
            .collect();
        let valid_target = |t: &str| {
            t.starts_with("fields.")
                || t.starts_with("funds.")
                || ["unit", "section", "ignore"].contains(&t)
        };
        let mut templates = Vec::new();
        for t in raw.templates {
            let mut labels = common.clone();
            for (k, v) in t.labels {
                labels.insert(squeeze(&k), v);
            }
            if let Some((k, v)) = labels
                .iter()
                .find(|(_, v)| !v.iter().all(|t| valid_target(t)))
            {
                return Err(format!("label {k:?} has an unknown target in {v:?}"));
            }
            templates.push(Template {
                form_type: t.form_type,
                titles: t.titles.iter().map(|s| squeeze(s)).collect(),
                label_ends: labels
                    .keys()
                    .filter_map(|k| k.chars().next_back())
                    .collect(),
                labels: labels.into_iter().collect(),
            });
        }
        let ir = raw.indicators;
        let mut headers = FxHashMap::default();
        for (list, col) in [
            (&ir.level1, Column::Level1),
            (&ir.level2, Column::Level2),
            (&ir.name, Column::Name),
            (&ir.target, Column::Target),
            (&ir.actual, Column::Actual),
            (&ir.weight, Column::Weight),
            (&ir.score, Column::Score),
            (&ir.remark, Column::Remark),
        ] {
            for h in list {
                headers.insert(squeeze(h), col);
            }
        }
        let longest_first = |v: Vec<[String; 2]>| {
            let mut v: Vec<(String, String)> = v.into_iter().map(|[a, b]| (a, b)).collect();
            v.sort_by_key(|(a, _)| std::cmp::Reverse(a.chars().count()));
            v
        };
        let empty = &raw.notation.empty_cells;
        let empty_cell_lens = empty
            .iter()
            .filter(|e| e.len() < 64)
            .fold(0u64, |m, e| m | 1 << e.len());
        let empty_cell_firsts = empty.iter().fold([0u64; 4], |mut m, e| {
            if let Some(&b) = e.as_bytes().first() {
                m[usize::from(b >> 6)] |= 1 << (b & 63);
            }
            m
        });
        Ok(Config {
            review: raw.review,
            inputs: raw.inputs,
            notation: {
                // Longest command first, so `\geq` is tried before `\ge`
                // (sorted once here, not for every cell).
                let mut n = raw.notation;
                n.latex.sort_by_key(|[cmd, _]| std::cmp::Reverse(cmd.len()));
                n
            },
            templates,
            forms: raw.forms,
            strip_prefixes: raw
                .label_rules
                .strip_prefixes
                .iter()
                .map(|p| re(p))
                .collect::<Result<_, _>>()?,
            unit_suffix_needs_paren: raw.label_rules.unit_suffix.ends_with("[)）]$"),
            empty_cell_lens,
            empty_cell_firsts,
            unit_suffix: re(&raw.label_rules.unit_suffix)?,
            separator_finders: raw
                .label_rules
                .value_separators
                .iter()
                .map(|s| memchr::memmem::Finder::new(s.as_bytes()).into_owned())
                .collect(),
            value_separators: raw.label_rules.value_separators,
            field_kinds: raw.field_kinds.into_iter().collect(),
            list_tables: raw.list_tables,
            matrix_table: raw.matrix_table,
            funds: raw.funds,
            indicators: IndicatorRules {
                header_lens: headers.keys().fold(0, |m, h| m | 1 << h.len().min(63)),
                header_ends: headers.keys().fold(0, |m, h| {
                    m | 1 << (h.as_bytes().last().copied().unwrap_or(0) & 63)
                }),
                headers,
                total: ir.total,
                end: ir.end,
                row_sections: ir.row_sections.iter().map(|s| squeeze(s)).collect(),
                level_suffixes: ir.level_suffixes,
                similarity: ir.similarity,
                sure_similarity: ir.sure_similarity,
                ordinal: re(&ir.ordinal)?,
                spaced_doubt: ir.spaced_doubt.clone(),
                streamed_doubt: ir.streamed_doubt.clone(),
                unread_table_lines: ir.unread_table_lines,
                vocabulary: ir.vocabulary.clone(),
            },
            values: ValueRules {
                prefix_ops: longest_first(raw.values.prefix_ops),
                suffix_ops: longest_first(raw.values.suffix_ops),
                max_unit_chars: raw.values.max_unit_chars,
            },
            flags: raw.flags.into_iter().collect(),
            checks: raw.checks,
            level_names: {
                let mut names: FxHashMap<String, u8> = FxHashMap::default();
                for v in &ir.vocabulary {
                    *names.entry(v.level1.clone()).or_default() |= LEVEL1;
                    for c in &v.level2 {
                        *names.entry(c.clone()).or_default() |= LEVEL2;
                    }
                }
                names
            },
            level_name_max: ir
                .vocabulary
                .iter()
                .flat_map(|v| std::iter::once(&v.level1).chain(&v.level2))
                .map(String::len)
                .max()
                .unwrap_or(0),
            level_name_ends: ir
                .vocabulary
                .iter()
                .flat_map(|v| std::iter::once(&v.level1).chain(&v.level2))
                .fold(0, |m, name| {
                    m | 1 << (name.as_bytes().last().copied().unwrap_or(0) & 63)
                }),
            parents: {
                let mut parents: FxHashMap<String, Vec<String>> = FxHashMap::default();
                for v in &ir.vocabulary {
                    for c in &v.level2 {
                        parents.entry(c.clone()).or_default().push(v.level1.clone());
                    }
                }
                parents
            },
        })
    }

    /// The template of a form type.
    pub fn template(&self, form_type: &str) -> Option<&Template> {
        self.templates.iter().find(|t| t.form_type == form_type)
    }

    /// The kind of a field key (plain text when not listed).
    pub fn field_kind(&self, key: &str) -> FieldKind {
        self.field_kinds
            .get(key)
            .copied()
            .unwrap_or(FieldKind::Text)
    }

    /// The penalty of a flag (0 for unknown flags).
    pub fn penalty(&self, flag: &str) -> f64 {
        self.flags.get(flag).map_or(0.0, |f| f.penalty)
    }

    /// The penalty of a failed check.
    pub fn check_penalty(&self, check: &str) -> f64 {
        self.checks.penalties.get(check).copied().unwrap_or(0.2)
    }

    /// Removes white space and a unit suffix; returns the rest and the unit.
    pub fn split_unit(&self, text: &str) -> (String, Option<String>) {
        let s = squeeze(text);
        let (rest, unit) = self.split_unit_key(&s);
        (rest.to_string(), unit.map(str::to_string))
    }

    /// [`Config::split_unit`] of a text that holds no white space (a cell's
    /// key), borrowing instead of copying.
    pub fn split_unit_key<'a>(&self, key: &'a str) -> (&'a str, Option<&'a str>) {
        if !key.ends_with([')', '）']) && self.unit_suffix_needs_paren {
            return (key, None);
        }
        match self.unit_suffix.captures(key) {
            Some(c) => (
                &key[..c.get(0).unwrap().start()],
                c.get(1).map(|m| m.as_str()),
            ),
            None => (key, None),
        }
    }

    /// Whether a cell's text stands for an empty cell (`[notation]
    /// empty-cells`, such as pandas' `NaN`).
    #[inline]
    pub fn is_empty_cell(&self, text: &str) -> bool {
        let (len, first) = (text.len(), text.as_bytes().first().copied());
        let Some(b) = first else {
            return false;
        };
        len < 64
            && self.empty_cell_lens >> len & 1 == 1
            && self.empty_cell_firsts[usize::from(b >> 6)] >> (b & 63) & 1 == 1
            && self.notation.empty_cells.iter().any(|e| e == text)
    }

    /// The label a whole cell holds, if any, for the given form type.
    pub fn match_label<'t>(&self, template: &'t Template, text: &str) -> Option<LabelMatch<'t>> {
        if text.len() > MAX_LABEL_BYTES {
            return None;
        }
        let key: std::borrow::Cow<'_, str> = if text.chars().any(char::is_whitespace) {
            squeeze(text).into()
        } else {
            text.into()
        };
        self.match_label_key(template, &key)
    }

    /// [`Config::match_label`] of a text that holds no white space (a
    /// cell's key).
    pub fn match_label_key<'t>(&self, template: &'t Template, key: &str) -> Option<LabelMatch<'t>> {
        if key.len() > MAX_LABEL_BYTES {
            return None;
        }
        let (mut s, unit) = self.split_unit_key(key);
        // A cell that is only a unit (`（万元）` on a line of its own, as
        // position-based converters print a wrapped `项目资金（万元）`) is
        // looked up as the empty label.
        if s.is_empty() {
            return unit
                .zip(template.labels.get(""))
                .map(|(u, targets)| LabelMatch {
                    label: "",
                    targets,
                    unit: Some(u.to_string()),
                });
        }
        if !s
            .chars()
            .next_back()
            .is_some_and(|c| template.label_ends.contains(&c))
            || s.chars().count() > 40
        {
            return None;
        }
        for _ in 0..6 {
            if let Some((label, targets)) = template.labels.get_key_value(s) {
                return Some(LabelMatch {
                    label,
                    targets,
                    unit: unit.map(str::to_string),
                });
            }
            let before = s;
            for p in &self.strip_prefixes {
                if let Some(m) = p.find(s)
                    && m.end() < s.len()
                {
                    s = &s[m.end()..];
                    break;
                }
            }
            if s == before {
                return None;
            }
        }
        None
    }

    /// Where the `k`th of `value_separators` first stands in `text`.
    pub fn find_separator(&self, k: usize, text: &str) -> Option<usize> {
        self.separator_finders.get(k)?.find(text.as_bytes())
    }

    /// True when `name` is a level-1 name of the vocabulary.
    pub fn is_level1(&self, name: &str) -> bool {
        self.levels_of(name).0
    }

    /// True when `name` is a level-2 name of the vocabulary.
    pub fn is_level2(&self, name: &str) -> bool {
        self.levels_of(name).1
    }

    /// Whether `name` is a level-1 and whether a level-2 name of the
    /// vocabulary, in one lookup.
    ///
    /// Inline, a name longer than any of the vocabulary or ending in a byte
    /// none of them ends in (low six bits) is answered without hashing.
    #[inline]
    pub fn levels_of(&self, name: &str) -> (bool, bool) {
        let last = name.as_bytes().last().copied().unwrap_or(0);
        if name.len() > self.level_name_max || self.level_name_ends >> (last & 63) & 1 == 0 {
            return (false, false);
        }
        self.levels_lookup(name)
    }

    fn levels_lookup(&self, name: &str) -> (bool, bool) {
        let bits = self.level_names.get(name).copied().unwrap_or(0);
        (bits & LEVEL1 != 0, bits & LEVEL2 != 0)
    }

    /// True when a word (white space removed) belongs to an indicator table:
    /// a column header or a level name of the vocabulary.
    pub fn is_table_word(&self, key: &str) -> bool {
        let (l1, l2) = self.levels_of(key);
        l1 || l2 || self.indicators.header(key).is_some()
    }

    /// The level-1 names that have `level2` as a child, in vocabulary order.
    pub fn parents_of(&self, level2: &str) -> &[String] {
        self.parents.get(level2).map_or(&[], Vec::as_slice)
    }

    /// The level-2 children of `level1`.
    pub fn children_of(&self, level1: &str) -> Vec<&str> {
        self.indicators
            .vocabulary
            .iter()
            .filter(|v| v.level1 == level1)
            .flat_map(|v| v.level2.iter().map(String::as_str))
            .collect()
    }

    /// Every level-1 name.
    pub fn level1_names(&self) -> Vec<&str> {
        self.indicators
            .vocabulary
            .iter()
            .map(|v| v.level1.as_str())
            .collect()
    }

    /// Every level-2 name, once.
    pub fn level2_names(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for v in &self.indicators.vocabulary {
            for c in &v.level2 {
                if !out.contains(&c.as_str()) {
                    out.push(c);
                }
            }
        }
        out
    }
}
