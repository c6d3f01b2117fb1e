//! Extract: the document model → one draft record per form.
//!
//! This crate owns segmentation (where each form starts and ends, the file's
//! preamble), reading labelled fields and funds (labels beside or above their
//! values, check boxes, stacked headers), the side tables (资金构成 parts,
//! 重点任务 tasks, the self-evaluation budget table), and the reconstruction
//! of the indicator table: header columns (on one line, or one name per line
//! with the rows a stream of cells), assignment of each row's cells to
//! columns by what they contain, merged-cell fill-down, continuation rows,
//! OCR-garbled level names and page-break ambiguity. Every repair is recorded
//! as a flag on the row or record; every cell no field took is kept in
//! `residue`. Checks and confidence are the validate stage's work, not this
//! crate's; it never fails on content.

mod consumed;
mod fields;
mod indicators;
mod segment;
mod tables;

use consumed::Consumed;
use formsift_config::Config;
use formsift_model::{Document, Notation, Notations, Record, Residue, Source};

pub use segment::{FormSpan, Segmentation, segment};

/// What extraction found in one document.
#[derive(Debug, Clone, PartialEq)]
pub struct Extraction {
    /// One draft record per form, in document order (confidence not yet scored).
    pub records: Vec<Record>,
    /// Non-blank lines before the first form (a collection title, say).
    pub preamble: Vec<Residue>,
}

/// Extracts every form of a document. `path` is the input path as given and
/// `stem` the file name without extension (the record id prefix).
pub fn extract(doc: &Document, path: &str, stem: &str, config: &Config) -> Extraction {
    let (forms, preamble) = Forms::new(doc, config);
    let records = (0..forms.len())
        .map(|k| forms.extract(doc, k, path, stem, config))
        .collect();
    Extraction { records, preamble }
}

/// A document's forms, to be extracted one at a time ([`extract`] takes
/// them all at once). It holds no borrow of the document, so a caller may
/// change the document between forms (free the rows of forms done with) as
/// long as a form's own rows stay as they were.
#[derive(Debug, Clone)]
pub struct Forms {
    spans: Vec<FormSpan>,
    /// Whether rows must be mapped to input lines (rows rebuilt from markup
    /// or word boxes do not stand one to an input line).
    remap: bool,
}

impl Forms {
    /// Finds the forms of `doc`; also gives the file's preamble, its lines
    /// as input lines.
    pub fn new(doc: &Document, config: &Config) -> (Forms, Vec<Residue>) {
        let seg = segment(doc, config);
        let remap = doc.lines.iter().any(|l| l.source != [l.number, l.number]);
        let mut preamble = seg.preamble;
        // Stages address rows; records and reports speak of input lines.
        if remap {
            for p in &mut preamble {
                p.lines = doc.source_lines(p.lines);
            }
        }
        let forms = Forms {
            spans: seg.forms,
            remap,
        };
        (forms, preamble)
    }

    /// How many forms the document holds.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether the document holds no form.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The first row (1-based) of form `k` (from 0).
    pub fn first_row(&self, k: usize) -> usize {
        self.spans[k].start
    }

    /// The record of form `k` (from 0), its lines input lines. It reads
    /// only the form's own rows of `doc`, which must be the document the
    /// forms were found in.
    pub fn extract(
        &self,
        doc: &Document,
        k: usize,
        path: &str,
        stem: &str,
        config: &Config,
    ) -> Record {
        let mut record = extract_form(doc, &self.spans[k], path, stem, k + 1, config);
        if self.remap {
            record.map_lines(|rows| doc.source_lines(rows));
        }
        record
    }
}

fn extract_form(
    doc: &Document,
    span: &FormSpan,
    path: &str,
    stem: &str,
    number: usize,
    config: &Config,
) -> Record {
    let template = &config.templates[span.template];
    let mut consumed = Consumed::spanning(span.start, span.end);
    for &(line, cell) in &span.consumed {
        consumed.take(line, cell);
    }
    let mut record = Record::new(
        format!("{stem}#{number}"),
        Source {
            path: path.to_string(),
            form: number,
            lines: [span.start, span.end],
            formats: Vec::new(),
            cells: None,
            pages: None,
            boxes: None,
        },
        template.form_type.clone(),
        span.title.clone(),
    );
    record.year = span.year;
    if record.year.is_none() {
        record.flag("year_missing");
    }
    let lines = &doc.lines[span.start - 1..span.end];
    // The form's notations in order of first appearance, gathered as
    // values (not by comparing their names line after line).
    let notations: Notations = lines.iter().flat_map(|l| &l.notations).copied().collect();
    record.source.formats = notations.iter().map(|n| n.as_str().to_string()).collect();
    if notations.contains(&Notation::Latex) {
        record.flag("latex_normalized");
    }
    if notations.contains(&Notation::Html) {
        record.flag("html_normalized");
    }
    // (Room for every line at once: a collect from a filter grows.)
    let mut body: Vec<&formsift_model::Line> = Vec::with_capacity(lines.len());
    body.extend(lines.iter().filter(|l| l.number > span.title_line));
    let regions = tables::find_regions(&body, template, config);
    for region in &regions {
        tables::read_region(region, &body, &mut record, &mut consumed, template, config);
    }
    let kv_lines = tables::outside_regions(&body, &regions);
    fields::read_fields(&kv_lines, &mut record, &mut consumed, template, config);
    // Text rebuilt from OCR word boxes has not been read by a person: every
    // row and the record itself carry `ocr_words` (pipeline.toml sets the
    // penalty that sends them to review).
    if notations.contains(&Notation::Hocr) {
        record.flag("ocr_words");
        for i in &mut record.indicators {
            i.flags.push("ocr_words".to_string());
        }
    }
    record.residue = consumed.residue(lines);
    if !record.residue.is_empty() {
        record.flag("residue");
    }
    if record.indicators.is_empty() && table_in_residue(&record.residue, config) {
        record.flag("table_unread");
    }
    if label_in_residue(&record, template, config) {
        record.flag("label_unread");
    }
    record
}

/// Whether the residue holds, as a word of its own, a label of the form
/// whose field or fund has no value: the value was there and was not read
/// (a row a converter broke over lines, a table no reader took).
fn label_in_residue(
    record: &Record,
    template: &formsift_config::Template,
    config: &Config,
) -> bool {
    let lost = |target: &String| {
        if let Some(key) = target.strip_prefix("fields.") {
            record
                .fields
                .get(key)
                .is_none_or(|v| *v == formsift_model::FieldValue::Null)
        } else if let Some(key) = target.strip_prefix("funds.") {
            record.funds.get(key).is_none()
        } else {
            false
        }
    };
    record.residue.iter().any(|r| {
        r.text
            .split(|c: char| c.is_whitespace() || c == '|')
            .filter(|w| !w.is_empty())
            .filter_map(|w| config.match_label(template, w))
            .any(|m| m.targets.iter().any(lost))
    })
}

/// Whether the residue of a form without indicator rows shows an indicator
/// table nobody read: `[indicators] unread-table-lines` lines holding a
/// column header or a level name as a word of its own (set off by white
/// space or pipes).
fn table_in_residue(residue: &[formsift_model::Residue], config: &Config) -> bool {
    let with_words = residue
        .iter()
        .filter(|r| {
            r.text
                .split(|c: char| c.is_whitespace() || c == '|')
                .any(|w| config.is_table_word(w))
        })
        .count();
    with_words >= config.indicators.unread_table_lines.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use formsift_model::FieldValue;

    fn records(text: &str) -> Vec<Record> {
        let config = Config::embedded();
        let doc = formsift_normalize::normalize(text, &config);
        extract(&doc, "t.txt", "t", &config).records
    }

    fn form(table: &str) -> String {
        format!(
            "财政项目支出绩效目标申报表\n(2023年度)\n项目名称\t工会帮困\t项目类别\t专项\n\
             主管部门\t上海市总工会\t实施单位\t上海市总工会\n{table}"
        )
    }

    /// A tab-separated document whose table is laid out by spaces: each
    /// table line stays one cell, no row is read, and the record says so.
    #[test]
    fn a_table_left_in_residue_marks_the_record() {
        let r = &records(&form(
            "一级指标 二级指标 三级指标 年度指标值\n产出指标 数量指标 帮困人数 ≥100人\n",
        ))[0];
        assert!(r.indicators.is_empty());
        assert!(r.flags.iter().any(|f| f == "table_unread"), "{:?}", r.flags);
        // A header alone, its table without rows, counts as well.
        let r = &records(&form("一级指标 二级指标 三级指标 年度指标值\n"))[0];
        assert!(r.flags.iter().any(|f| f == "table_unread"), "{:?}", r.flags);
        // So do words set off by pipes in a markup no reader took.
        let r = &records(&form(
            "一级指标|二级指标|三级指标|年度指标值\n产出指标|数量指标|人数|≥100人\n",
        ))[0];
        assert!(r.indicators.is_empty());
        assert!(r.flags.iter().any(|f| f == "table_unread"), "{:?}", r.flags);
    }

    /// A form whose year line is missing or cut in two is flagged; one
    /// with its year is not.
    #[test]
    fn a_form_without_a_year_is_flagged() {
        let has = |text: &str| {
            let r = records(text).remove(0);
            (r.year, r.flags.iter().any(|f| f == "year_missing"))
        };
        let body = "项目名称\t工会帮困\t项目类别\t专项\n主管部门\t上海市总工会\t实施单位\t甲\n";
        let t = "财政项目支出绩效目标申报表\n";
        assert_eq!(has(&format!("{t}(2023年度)\n{body}")), (Some(2023), false));
        assert_eq!(has(&format!("{t}{body}")), (None, true));
        assert_eq!(has(&format!("{t}(202\n3 年度)\n{body}")), (None, true));
    }

    /// A value a table converter wrapped onto the next row, alone in its
    /// column, is joined; a cell in another column, or on a row with other
    /// cells, is not.
    #[test]
    fn a_value_wrapped_onto_the_next_row_is_joined() {
        let form = |rest: &str| {
            records(&format!(
                "财政项目支出绩效自评表\t\t\t\n(2023年度)\t\t\t\n\
                 项目名称\t灵活就业\t\t\n{rest}主管部门\t上海市总工会\t实施单位\t甲\n"
            ))
            .remove(0)
        };
        let name = |r: &Record| r.fields.get("project_name").cloned();
        let r = form("\t工作经费\t\t\n");
        assert_eq!(name(&r), Some(FieldValue::Text("灵活就业工作经费".into())));
        assert!(r.flags.iter().any(|f| f == "value_joined"), "{:?}", r.flags);
        for rest in [
            "\t\t工作经费\t\n",
            "\t工作经费\t其他\t\n",
            "\n\t工作经费\t\t\n",
        ] {
            let r = form(rest);
            assert_eq!(
                name(&r),
                Some(FieldValue::Text("灵活就业".into())),
                "{rest:?}"
            );
            assert!(!r.flags.iter().any(|f| f == "value_joined"), "{rest:?}");
        }
    }

    /// A line of prose after a blank line under a table of cells continues
    /// none of its cells: it stays in the residue; a line of the table's
    /// own layout still continues a name.
    #[test]
    fn prose_after_a_table_is_not_a_wrapped_name() {
        let table = "| 一级指标 | 二级指标 | 三级指标 | 年度指标值 |\n|---|---|---|---|\n\
                     | 产出指标 | 数量指标 | 帮困人数 | ≥100人 |\n";
        let r = records(&form(&format!("{table}\n填表说明见附件\n"))).remove(0);
        assert_eq!(r.indicators.len(), 1);
        assert_eq!(r.indicators[0].name, "帮困人数");
        assert!(
            r.residue.iter().any(|x| x.text == "填表说明见附件"),
            "{:?}",
            r.residue
        );
        let r = records(&form(&format!("{table}| | | （困难职工） | |\n"))).remove(0);
        assert_eq!(r.indicators[0].name, "帮困人数（困难职工）");
    }

    /// A choice field takes the options on its line and on lines that go on
    /// with boxes; a next line of other text is not an option and stays in
    /// the residue (a ticked box would have left it out of the value).
    #[test]
    fn a_choice_takes_its_options_not_the_next_line() {
        let form = |rest: &str| {
            records(&format!(
                "财政项目支出绩效目标申报表\n(2023年度)\n项目名称\t工会帮困\n{rest}主管部门\t上海市总工会\n"
            ))
            .remove(0)
        };
        let category = |r: &Record| r.fields.get("project_category").cloned();
        let r = form("项目类别\t☑经常性项目 ☐一次性项目\n说明文字\n");
        assert_eq!(category(&r), Some(FieldValue::Text("经常性项目".into())));
        assert!(
            r.residue.iter().any(|x| x.text == "说明文字"),
            "{:?}",
            r.residue
        );
        let r = form("项目类别\t☐经常性项目\n\t☑一次性项目\n");
        assert_eq!(category(&r), Some(FieldValue::Text("一次性项目".into())));
        assert!(r.residue.is_empty(), "{:?}", r.residue);
    }

    /// A field whose value holds no letter, figure or ideograph (a table's
    /// pipe read as text) is kept and doubted.
    #[test]
    fn a_value_of_marks_only_is_doubted() {
        let r = records(
            "财政项目支出绩效目标申报表\n(2023年度)\n项目名称\t|\n主管部门\t上海市总工会\n",
        )
        .remove(0);
        assert_eq!(
            r.fields.get("project_name"),
            Some(&FieldValue::Text("|".into()))
        );
        assert_eq!(
            r.field_flags.get("project_name"),
            Some(&vec!["value_unreadable".to_string()])
        );
        assert!(!r.field_flags.contains_key("department"));
    }

    /// A label left in the residue with its field empty marks the record;
    /// one whose field was read elsewhere does not.
    #[test]
    fn a_label_in_the_residue_with_its_value_lost_marks_the_record() {
        let flagged = |rest: &str| {
            let r = records(&format!(
                "财政项目支出绩效目标申报表\n(2023年度)\n项目名称\t工会帮困\n{rest}\
                 主管部门\t上海市总工会\t实施单位\t甲\n"
            ))
            .remove(0);
            assert!(!r.residue.is_empty(), "{rest:?}");
            r.flags.iter().any(|f| f == "label_unread")
        };
        assert!(flagged("（元）| 年度资金申请总额| 420,000.00\n"));
        assert!(!flagged("项目名称| 工会帮困\n"));
        assert!(!flagged("另附说明一份\n"));
    }

    /// A merged cell that a converter wrote into every column it spans
    /// (pandas, docling), and its `NaN` placeholders, give one value.
    #[test]
    fn a_merged_value_written_into_every_column_is_one_value() {
        let get = |text: &str, key: &str| records(text).remove(0).fields.get(key).cloned();
        let t = "财政项目支出绩效目标申报表\n(2023年度)\n项目名称\t工会帮困\n";
        let text = |v: &str| Some(FieldValue::Text(v.into()));
        assert_eq!(
            get(
                &format!("{t}项目类别\t经常性项目\t经常性项目\t经常性项目\n"),
                "project_category"
            ),
            text("经常性项目")
        );
        assert_eq!(
            get(
                &format!("{t}项目类别\t经常性项目\tNaN\tNaN\n"),
                "project_category"
            ),
            text("经常性项目")
        );
        // Options that differ stay whole.
        assert_eq!(
            get(
                &format!("{t}项目类别\t☑经常性项目\t□一次性项目\n"),
                "project_category"
            ),
            text("经常性项目")
        );
    }

    #[test]
    fn a_read_table_or_a_form_without_table_words_is_not_marked() {
        let r = &records(&form(
            "一级指标\t二级指标\t三级指标\t年度指标值\n产出指标\t数量指标\t帮困人数\t≥100人\n",
        ))[0];
        assert_eq!(r.indicators.len(), 1);
        assert!(!r.flags.iter().any(|f| f == "table_unread"));
        let r = &records(&form("备考 说明文字 在此\n"))[0];
        assert!(r.indicators.is_empty());
        assert!(
            !r.flags.iter().any(|f| f == "table_unread"),
            "{:?}",
            r.flags
        );
    }
}
