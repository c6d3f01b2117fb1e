//! Labelled fields and funds: a label, then its value beside it (the next
//! cells), under it (stacked headers), or on the following lines.

use crate::consumed::Consumed;
use formsift_config::{Config, FieldKind, LabelMatch, MAX_LABEL_BYTES, Template};
use formsift_model::{FieldValue, Layout, Line, Record, trim};
use formsift_values::{Choice, parse_amount, parse_choice, parse_date, parse_int, push_wrapped};

/// One cell (or the label or value part of a split cell) in reading order.
#[derive(Debug, Clone)]
struct Tok<'a> {
    line: usize,
    cell: usize,
    /// A slice of the cell's text (no copy).
    text: &'a str,
    label: Option<LabelMatch<'a>>,
    layout: Layout,
    /// The only filled cell of its line.
    alone: bool,
    /// Where the token starts on the page (display column), for a whole
    /// cell of text laid out by spaces.
    x: Option<u32>,
}

/// Reads the fields of every run of lines outside the table regions.
pub(crate) fn read_fields(
    runs: &[&[&Line]],
    record: &mut Record,
    consumed: &mut Consumed,
    template: &Template,
    config: &Config,
) {
    let before = record.fields.0.len();
    // Where each field's label first stands (the keys borrowed from the
    // template).
    // (Room for a form's usual fields at once.)
    let mut position: Vec<(&str, (usize, usize))> = Vec::with_capacity(16);
    for run in runs {
        let labels = labels_of(run, template, config);
        let all = tokens(run, &labels, consumed, template, config);
        for t in &all {
            for target in t.label.iter().flat_map(|m| m.targets) {
                if let Some(k) = target.strip_prefix("fields.")
                    && !position.iter().any(|(p, _)| *p == k)
                {
                    position.push((k, (t.line, t.cell)));
                }
            }
        }
        read_stacked(run, &labels, record, consumed, config);
        // The same tokens, less the cells the stacked headers took.
        let toks: Vec<Tok> = all
            .into_iter()
            .filter(|t| !consumed.has(t.line, t.cell))
            .collect();
        read_tokens(&toks, record, consumed, config);
    }
    // Fields in the order their labels stand in the form.
    let at = |k: &str| {
        position
            .iter()
            .find(|(p, _)| *p == k)
            .map_or((usize::MAX, 0), |(_, at)| *at)
    };
    // (Each field's place looked up once, not at every comparison.)
    record.fields.0[before..].sort_by_cached_key(|(k, _)| at(k));
}

/// Splits a cell that starts with a label and goes on with a value.
fn split_label<'a>(
    text: &'a str,
    template: &'a Template,
    config: &Config,
) -> Option<(LabelMatch<'a>, &'a str)> {
    for (k, sep) in config.value_separators.iter().enumerate() {
        // A label is at most MAX_LABEL_BYTES long, so a separator further in
        // cannot end one: long paragraphs are searched only that far.
        // (`floor_char_boundary` is newer than the crate's MSRV.)
        let mut end = (MAX_LABEL_BYTES + sep.len()).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        // (A searcher built once per separator: str::find went a word at a
        // time, and a CJK separator's last byte is common in CJK text.)
        if let Some(pos) = config.find_separator(k, &text[..end]) {
            let (head, rest) = (&text[..pos], trim(&text[pos + sep.len()..]));
            if rest.is_empty() || head.trim_start().is_empty() {
                continue;
            }
            if let Some(m) = config.match_label(template, head) {
                return Some((m, rest));
            }
        }
    }
    None
}

/// The label each filled cell of a run holds (`None` for the rest), by
/// line of the run and cell: matched once, read by the token and the
/// stacked-header passes. One list for the run, cut by line.
struct Labels<'t> {
    all: Vec<Option<LabelMatch<'t>>>,
    /// Where each line's cells start in `all` (and where the last ends).
    starts: Vec<usize>,
}

impl<'t> Labels<'t> {
    /// The labels of the cells of the run's `k`th line.
    fn line(&self, k: usize) -> &[Option<LabelMatch<'t>>] {
        &self.all[self.starts[k]..self.starts[k + 1]]
    }
}

fn labels_of<'t>(run: &[&Line], template: &'t Template, config: &Config) -> Labels<'t> {
    let mut starts = Vec::with_capacity(run.len() + 1);
    let mut all = Vec::with_capacity(run.iter().map(|l| l.cells.len()).sum());
    for line in run {
        starts.push(all.len());
        all.extend(line.cells.iter().map(|c| {
            let key = c.key();
            (!key.is_empty())
                .then(|| config.match_label_key(template, key))
                .flatten()
        }));
    }
    starts.push(all.len());
    Labels { all, starts }
}

fn tokens<'a>(
    run: &[&'a Line],
    labels: &Labels<'a>,
    consumed: &Consumed,
    template: &'a Template,
    config: &Config,
) -> Vec<Tok<'a>> {
    // About one token a cell (a split cell gives two).
    let mut out = Vec::with_capacity(labels.all.len());
    for (k, line) in run.iter().enumerate() {
        let alone = line.filled().nth(1).is_none();
        for (i, c) in line.filled() {
            if consumed.has(line.number, i) {
                continue;
            }
            let text = trim(&c.text);
            let x = c.span.map(|s| s[0]);
            let tok = |text: &'a str, label, x| Tok {
                line: line.number,
                cell: i,
                text,
                label,
                layout: line.layout,
                alone,
                x,
            };
            if let Some(m) = &labels.line(k)[i] {
                out.push(tok(text, Some(m.clone()), x));
            } else if let Some((m, rest)) = split_label(text, template, config) {
                out.push(tok(text, Some(m), x));
                out.push(tok(rest, None, None));
            } else {
                out.push(tok(text, None, x));
            }
        }
    }
    out
}

fn field_target<'a>(m: &'a LabelMatch, record: &Record) -> Option<&'a str> {
    let free = |t: &&String| {
        if let Some(k) = t.strip_prefix("fields.") {
            record.fields.get(k).is_none()
        } else if let Some(k) = t.strip_prefix("funds.") {
            !record.funds.amounts.iter().any(|(key, _)| key == k)
        } else {
            true
        }
    };
    m.targets
        .iter()
        .find(free)
        .or(m.targets.last())
        .map(String::as_str)
}

/// Stacked headers: a line of labels with no value beside them whose values
/// stand in the same columns of the next non-blank line.
fn read_stacked(
    run: &[&Line],
    run_labels: &Labels,
    record: &mut Record,
    consumed: &mut Consumed,
    config: &Config,
) {
    for (k, line) in run.iter().enumerate() {
        if line.layout != Layout::Columns {
            continue;
        }
        let Some(n) = run[k + 1..].iter().position(|l| !l.is_blank()) else {
            continue;
        };
        let (next, next_labels) = (run[k + 1 + n], run_labels.line(k + 1 + n));
        // (A line without labels has nothing to read: passed over before
        // anything is collected.)
        if next.layout != Layout::Columns || run_labels.line(k).iter().all(Option::is_none) {
            continue;
        }
        // A heading beside the values (`年度总体目标` before 预期目标's text)
        // does not stop the reading; a label with a value of its own does.
        let next_has_label = next.filled().any(|(j, _)| {
            next_labels[j]
                .as_ref()
                .is_some_and(|m| m.targets.iter().any(|t| t != "section" && t != "ignore"))
        });
        if next_has_label {
            continue;
        }
        let filled: Vec<(usize, &formsift_model::Cell)> = line.filled().collect();
        let labels: Vec<&Option<LabelMatch>> = filled
            .iter()
            .map(|(i, _)| &run_labels.line(k)[*i])
            .collect();
        let all_labels = labels.iter().all(|l| l.is_some());
        for (p, (i, cell)) in filled.iter().enumerate() {
            let Some(m) = &labels[p] else { continue };
            let Some(target) = field_target(m, record) else {
                continue;
            };
            let key = target
                .strip_prefix("fields.")
                .or(target.strip_prefix("funds."));
            let Some(key) = key else { continue };
            let is_block =
                target.starts_with("fields.") && config.field_kind(key) == FieldKind::Block;
            if !(is_block || all_labels) {
                continue;
            }
            if p + 1 < filled.len() && labels[p + 1].is_none() {
                continue;
            }
            let below = next
                .filled()
                .find(|(j, c)| c.col == cell.col && !consumed.has(next.number, *j));
            if let Some((j, c)) = below {
                let tok = Tok {
                    line: next.number,
                    cell: j,
                    text: trim(&c.text),
                    label: None,
                    layout: next.layout,
                    alone: false,
                    x: c.span.map(|s| s[0]),
                };
                consumed.take(line.number, *i);
                consumed.take(next.number, j);
                assign(m, target, &[tok], record, config);
            }
        }
    }
}

fn read_tokens(toks: &[Tok], record: &mut Record, consumed: &mut Consumed, config: &Config) {
    // Group into (label, values) runs.
    // Each label's index and how many value tokens follow it.
    let mut groups: Vec<(usize, usize)> = Vec::with_capacity(toks.len());
    for (i, t) in toks.iter().enumerate() {
        if t.label.is_some() {
            groups.push((i, 0));
        } else if let Some(g) = groups.last_mut() {
            g.1 += 1;
        }
    }
    let mut stack: Vec<usize> = Vec::new();
    for (g, &(li, values)) in groups.iter().enumerate() {
        let lt = &toks[li];
        let m = lt.label.as_ref().unwrap();
        consumed.take(lt.line, lt.cell);
        let Some(target) = field_target(m, record).map(str::to_string) else {
            continue;
        };
        if target == "unit" {
            if record.funds.unit.is_none() {
                record.funds.unit = m.unit.clone();
            }
            continue;
        }
        if target == "section" || target == "ignore" {
            continue;
        }
        let is_block = target
            .strip_prefix("fields.")
            .is_some_and(|k| config.field_kind(k) == FieldKind::Block);
        let next_is_block = groups.get(g + 1).is_some_and(|(n, _)| {
            let nm = toks[*n].label.as_ref().unwrap();
            field_target(nm, record)
                .and_then(|t| t.strip_prefix("fields."))
                .is_some_and(|k| config.field_kind(k) == FieldKind::Block)
        });
        if is_block && values == 0 && next_is_block && lt.layout == Layout::Spaced {
            // A stacked label of spaced text: its value follows the next label's.
            stack.push(li);
            continue;
        }
        // The values are the tokens that follow the label, up to the next.
        let vals = &toks[li + 1..li + 1 + values];
        if is_block && !stack.is_empty() {
            let mut labels: Vec<usize> = std::mem::take(&mut stack);
            labels.push(li);
            split_stacked(&labels, vals, toks, record, consumed, config);
            continue;
        }
        for s in std::mem::take(&mut stack) {
            let sm = toks[s].label.as_ref().unwrap();
            if let Some(t) = field_target(sm, record).map(str::to_string) {
                assign(sm, &t, &[], record, config);
            }
        }
        let used = assign(m, &target, vals, record, config);
        for v in &vals[..used] {
            consumed.take(v.line, v.cell);
        }
    }
    for s in stack {
        let sm = toks[s].label.as_ref().unwrap();
        if let Some(t) = field_target(sm, record).map(str::to_string) {
            assign(sm, &t, &[], record, config);
        }
    }
}

/// Splits the text under stacked block labels into one block per label, at the
/// ends of sentences. A bracketed aside line (`（2023 年-2023 年）`) is left over.
fn split_stacked(
    labels: &[usize],
    vals: &[Tok],
    toks: &[Tok],
    record: &mut Record,
    consumed: &mut Consumed,
    config: &Config,
) {
    let mut lines: Vec<Vec<&Tok>> = Vec::new();
    for v in vals {
        match lines.last_mut() {
            Some(l) if l[0].line == v.line => l.push(v),
            _ => lines.push(vec![v]),
        }
    }
    let line_text = |l: &Vec<&Tok>| l.iter().map(|t| t.text).collect::<Vec<_>>().join(" ");
    let mut start = 0;
    while start < lines.len() {
        let t = line_text(&lines[start]);
        let squeezed: String = t.chars().filter(|c| !c.is_whitespace()).collect();
        let aside = (squeezed.starts_with('（') || squeezed.starts_with('('))
            && (squeezed.ends_with('）') || squeezed.ends_with(')'))
            && squeezed.chars().count() <= 24;
        if !aside {
            break;
        }
        start += 1;
    }
    let mut blocks: Vec<Vec<&Vec<&Tok>>> = vec![Vec::new(); labels.len()];
    let mut b = 0;
    for l in &lines[start..] {
        blocks[b].push(l);
        let ends = line_text(l)
            .trim_end()
            .ends_with(['。', '！', '？', '.', '；']);
        if ends && b + 1 < labels.len() {
            b += 1;
        }
    }
    // When fewer sentence ends than labels, the text belongs to the last label.
    if b + 1 < labels.len() {
        let all: Vec<&Vec<&Tok>> = blocks.concat();
        blocks = vec![Vec::new(); labels.len()];
        *blocks.last_mut().unwrap() = all;
    }
    for (k, &li) in labels.iter().enumerate() {
        let m = toks[li].label.as_ref().unwrap();
        let Some(target) = field_target(m, record).map(str::to_string) else {
            continue;
        };
        let vals: Vec<Tok> = blocks[k]
            .iter()
            .flat_map(|l| l.iter().map(|t| (*t).clone()))
            .collect();
        for v in &vals {
            consumed.take(v.line, v.cell);
        }
        assign(m, &target, &vals, record, config);
    }
}

/// Joins value tokens: cells of one line with a space; lines of spaced text as
/// wrapped lines; lines of table text as paragraphs.
fn join_values(vals: &[Tok]) -> String {
    let mut out = String::new();
    let mut last_line = None;
    for (k, v) in vals.iter().enumerate() {
        if out.is_empty() {
            out = v.text.to_string();
        } else if repeats(vals, k) {
            continue;
        } else if last_line == Some(v.line) {
            out.push(' ');
            out.push_str(v.text);
        } else if v.layout == Layout::Spaced {
            push_wrapped(&mut out, v.text);
        } else {
            out.push('\n');
            out.push_str(v.text);
        }
        last_line = Some(v.line);
    }
    out
}

/// True when value `k` repeats the one before it on its line: a merged
/// cell that a converter wrote into every column it spans (pandas, docling),
/// which is one value.
fn repeats(vals: &[Tok], k: usize) -> bool {
    k > 0 && vals[k - 1].line == vals[k].line && vals[k - 1].text == vals[k].text
}

/// Stores a label's value. Returns how many value tokens it used.
fn assign(
    m: &LabelMatch,
    target: &str,
    vals: &[Tok],
    record: &mut Record,
    config: &Config,
) -> usize {
    if let Some(unit) = &m.unit
        && record.funds.unit.is_none()
        && target.starts_with("funds.")
    {
        record.funds.unit = Some(unit.clone());
    }
    let same_line: &[Tok] = match vals.first() {
        Some(f) => &vals[..vals.iter().take_while(|v| v.line == f.line).count()],
        None => &[],
    };
    if let Some(key) = target.strip_prefix("funds.") {
        let value = vals.first().and_then(|v| parse_amount(v.text));
        record.funds.set(key, value);
        return usize::from(value.is_some());
    }
    let Some(key) = target.strip_prefix("fields.") else {
        return 0;
    };
    if vals.is_empty() {
        record.fields.set(key, FieldValue::Null);
        return 0;
    }
    match config.field_kind(key) {
        FieldKind::Block => {
            record.fields.set(key, FieldValue::Text(join_values(vals)));
            vals.len()
        }
        FieldKind::Choice => {
            // The options on the value's line, and on lines after it that
            // go on with boxes: a line of other text is not an option (a
            // ticked box would leave it out of the value unseen).
            let boxed = |t: &str| {
                let n = &config.notation;
                n.ticked
                    .iter()
                    .chain(&n.unticked)
                    .any(|b| t.contains(b.as_str()))
            };
            let vals = &vals[..same_line.len()
                + vals[same_line.len()..]
                    .iter()
                    .take_while(|v| boxed(v.text))
                    .count()];
            let text = (0..vals.len())
                .filter(|&k| !repeats(vals, k))
                .map(|k| vals[k].text)
                .collect::<Vec<_>>()
                .join(" ");
            let value =
                match parse_choice(&text, &config.notation.ticked, &config.notation.unticked) {
                    Choice::Plain(t) => FieldValue::Text(t),
                    Choice::Ticked(v) => FieldValue::Text(v.join("、")),
                    Choice::Inferred(t) => {
                        record.flag_field(key, "checkbox_inferred");
                        FieldValue::Text(t)
                    }
                    Choice::NoneTicked => {
                        record.flag_field(key, "checkbox_none");
                        FieldValue::Null
                    }
                };
            record.fields.set(key, value);
            vals.len()
        }
        FieldKind::Date => {
            let text = join_values(same_line);
            match parse_date(&text) {
                Some(d) => record.fields.set(key, FieldValue::Text(d)),
                None => {
                    record.flag_field(key, "date_unparsed");
                    record.fields.set(key, FieldValue::Text(text))
                }
            };
            same_line.len()
        }
        FieldKind::Int => match parse_int(same_line[0].text) {
            Some(n) => {
                record.fields.set(key, FieldValue::Int(n));
                1
            }
            None => {
                record.fields.set(key, FieldValue::Null);
                0
            }
        },
        FieldKind::Text => {
            // One cell: a further cell on the line is another (unknown) label's
            // business and stays in residue. A table converter that wraps a
            // long value prints its rest alone on the next row, in the same
            // column (a text browser's dump, in the same place on the
            // page): that is joined (`value_joined`).
            let first = &vals[0];
            let mut text = first.text.to_string();
            let mut used = 1;
            let same_column = |v: &Tok| match (first.layout, v.layout) {
                (Layout::Columns, Layout::Columns) => v.cell == first.cell,
                (Layout::Spaced, Layout::Spaced) => {
                    matches!((first.x, v.x), (Some(a), Some(b)) if a == b)
                }
                _ => false,
            };
            while let Some(v) = vals.get(used)
                && same_column(v)
                && v.alone
                && v.line == vals[used - 1].line + 1
            {
                push_wrapped(&mut text, v.text);
                used += 1;
            }
            if used > 1 {
                record.flag_field(key, "value_joined");
            }
            // A value without a letter, figure or ideograph (`|`, `--`) is
            // a table's markup or a stray mark that stood where the value
            // should: kept as read, and doubted.
            if !text.chars().any(char::is_alphanumeric) {
                record.flag_field(key, "value_unreadable");
            }
            record.fields.set(key, FieldValue::Text(text));
            used
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_and_its_value_split_at_the_separator_within_label_reach() {
        let config = Config::embedded();
        let t = config.template("project_target").unwrap();
        let (m, rest) = split_label("项目名称：工会帮困", t, &config).expect("a label");
        assert_eq!(
            (m.targets, rest),
            (&["fields.project_name".to_string()][..], "工会帮困")
        );
        // A label as long as a label may be, then the separator: still read.
        let pad = "　".repeat((MAX_LABEL_BYTES - "项目名称".len()) / 3);
        let long = format!("{pad}项目名称：甲");
        assert!(split_label(&long, t, &config).is_some());
        // One character more and no label can end at the separator.
        let longer = format!("甲{long}");
        assert!(split_label(&longer, t, &config).is_none());
    }
}
