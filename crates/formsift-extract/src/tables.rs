//! Regions of a form that are tables: the indicator table, the
//! self-evaluation budget matrix and list tables (资金构成 parts, 重点任务).

use crate::consumed::Consumed;
use crate::indicators;
use formsift_config::{Config, Template};
use formsift_model::{BudgetRow, Line, Part, Record, Task, squeeze};
use formsift_values::{parse_amount, parse_percent};

/// What a region holds.
#[derive(Debug, Clone)]
pub(crate) enum RegionKind {
    /// The indicator table.
    Indicators,
    /// The self-evaluation budget table.
    Matrix,
    /// A list table: index into `config.list_tables`.
    List(usize),
}

/// A table region: body line indices `start..end` (the header is `start`).
#[derive(Debug, Clone)]
pub(crate) struct Region {
    pub kind: RegionKind,
    pub start: usize,
    pub end: usize,
}

/// Keys of a header line: (cell index, column, key) for cells that name a column.
fn header_keys<'a>(
    line: &Line,
    columns: &'a rustc_hash::FxHashMap<String, String>,
    config: &Config,
) -> Vec<(usize, usize, &'a str)> {
    line.filled()
        .filter_map(|(i, c)| {
            let (s, _) = config.split_unit_key(c.key());
            columns.get(s).map(|k| (i, c.col, k.as_str()))
        })
        .collect()
}

/// How many of a line's cell names (keys with the unit suffix cut, as
/// [`header_keys`] reads them) name a column: every body line is tried as
/// the header of each table kind, so the names are cut once per line.
fn header_count(names: &[&str], columns: &rustc_hash::FxHashMap<String, String>) -> usize {
    names.iter().filter(|n| columns.contains_key(**n)).count()
}

fn first_text(line: &Line) -> Option<String> {
    line.filled().next().map(|(_, c)| c.key().to_string())
}

fn is_number_or_placeholder(text: &str, config: &Config) -> bool {
    let t = text.trim();
    config.matrix_table.placeholders.iter().any(|p| p == t)
        || parse_amount(t).is_some()
        || (t.ends_with('%') && parse_percent(t).is_some())
}

/// Finds the table regions among the body lines of a form.
pub(crate) fn find_regions(body: &[&Line], template: &Template, config: &Config) -> Vec<Region> {
    let mut regions = Vec::new();
    // The current line's cell names for the column probes (one buffer).
    let mut names: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < body.len() {
        let line = body[i];
        let (header, lone_name) = indicators::header_probe(line, config);
        let vertical = lone_name
            .then(|| indicators::vertical_header(&body[i..], config))
            .flatten();
        if header || vertical.is_some() {
            let mut j = i + vertical.map_or(1, |(n, _)| n);
            while j < body.len() {
                let l = body[j];
                if let Some(first) = indicators::first_cell_after_sections(l, config) {
                    if config.indicators.is_total(&first) {
                        j += 1;
                        break;
                    }
                    if config.indicators.end.contains(&first) {
                        break;
                    }
                }
                j += 1;
            }
            regions.push(Region {
                kind: RegionKind::Indicators,
                start: i,
                end: j,
            });
            i = j;
            continue;
        }
        names.clear();
        names.extend(line.filled().map(|(_, c)| config.split_unit_key(c.key()).0));
        if header_count(&names, &config.matrix_table.columns) >= 3 {
            let mut j = i + 1;
            while j < body.len() {
                let l = body[j];
                let mut cells = l.filled().map(|(_, c)| c.text.as_str());
                let is_row =
                    cells.next().is_some() && cells.any(|t| is_number_or_placeholder(t, config));
                if !is_row {
                    break;
                }
                j += 1;
            }
            regions.push(Region {
                kind: RegionKind::Matrix,
                start: i,
                end: j,
            });
            i = j;
            continue;
        }
        if let Some(t) = config
            .list_tables
            .iter()
            .position(|t| header_count(&names, &t.columns) >= 2)
        {
            let table = &config.list_tables[t];
            let mut j = i + 1;
            while j < body.len() {
                let l = body[j];
                if let Some(first) = first_text(l) {
                    let is_row_label = table.row_labels.iter().any(|r| squeeze(r) == first);
                    let first_cell = &l.filled().next().unwrap().1.text;
                    if !is_row_label
                        && (config.match_label(template, first_cell).is_some()
                            || indicators::is_header(l, config))
                    {
                        break;
                    }
                }
                j += 1;
            }
            regions.push(Region {
                kind: RegionKind::List(t),
                start: i,
                end: j,
            });
            i = j;
            continue;
        }
        i += 1;
    }
    regions
}

/// The runs of body lines outside every region, in order.
pub(crate) fn outside_regions<'b, 'a>(
    body: &'b [&'a Line],
    regions: &[Region],
) -> Vec<&'b [&'a Line]> {
    // Each run is a slice of the body between regions (no copy of its
    // lines).
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < body.len() {
        if let Some(r) = regions.iter().find(|r| r.start == i) {
            if start < i {
                out.push(&body[start..i]);
            }
            i = r.end.max(i + 1);
            start = i;
            continue;
        }
        i += 1;
    }
    if start < body.len() {
        out.push(&body[start..]);
    }
    out
}

/// Reads one region into the record.
pub(crate) fn read_region(
    region: &Region,
    body: &[&Line],
    record: &mut Record,
    consumed: &mut Consumed,
    template: &Template,
    config: &Config,
) {
    let lines = &body[region.start..region.end];
    match region.kind {
        RegionKind::Indicators => {
            let above = region.start.checked_sub(1).map(|i| body[i]);
            indicators::read_table(lines, above, record, consumed, config)
        }
        RegionKind::Matrix => read_matrix(lines, record, consumed, template, config),
        RegionKind::List(t) => read_list(lines, t, record, consumed, config),
    }
}

/// Value of a row cell: the key of the header column at the same position, or
/// failing that the next header key in order.
fn assign_by_header<'h>(
    header: &[(usize, usize, &'h str)],
    cells: &[(usize, usize, String)],
) -> Vec<(usize, &'h str, String)> {
    let exact = cells
        .iter()
        .all(|(_, col, _)| header.iter().any(|(_, hc, _)| hc == col));
    let mut out = Vec::new();
    for (k, (i, col, text)) in cells.iter().enumerate() {
        let key = if exact {
            header.iter().find(|(_, hc, _)| hc == col).map(|h| h.2)
        } else {
            header.get(k).map(|h| h.2)
        };
        if let Some(key) = key {
            out.push((*i, key, text.clone()));
        }
    }
    out
}

fn read_matrix(
    lines: &[&Line],
    record: &mut Record,
    consumed: &mut Consumed,
    template: &Template,
    config: &Config,
) {
    let header_line = lines[0];
    let header = header_keys(header_line, &config.matrix_table.columns, config);
    for (i, _, _) in &header {
        consumed.take(header_line.number, *i);
    }
    for (i, c) in header_line.filled() {
        if let Some(m) = config.match_label(template, &c.text)
            && m.targets.iter().any(|t| t == "unit")
        {
            if record.funds.unit.is_none() {
                record.funds.unit = m.unit.clone();
            }
            consumed.take(header_line.number, i);
        }
    }
    let totals: Vec<String> = config
        .matrix_table
        .total_rows
        .iter()
        .map(|s| squeeze(s))
        .collect();
    let mut rows = Vec::new();
    for line in &lines[1..] {
        let mut filled = line.filled();
        let Some((li, label_cell)) = filled.next() else {
            continue;
        };
        consumed.take(line.number, li);
        let mut item = label_cell.key().to_string();
        for p in &config.strip_prefixes {
            if let Some(m) = p.find(&item)
                && m.end() < item.len()
            {
                item = item[m.end()..].to_string();
                break;
            }
        }
        let cells: Vec<(usize, usize, String)> = filled
            .map(|(i, c)| (i, c.col, c.text.trim().to_string()))
            .collect();
        let mut row = BudgetRow {
            item: item.clone(),
            initial_budget: None,
            full_year_budget: None,
            executed: None,
        };
        let is_total = totals.contains(&item);
        for (i, key, text) in assign_by_header(&header, &cells) {
            consumed.take(line.number, i);
            if config.matrix_table.placeholders.contains(&text) {
                continue;
            }
            let value = if key == "execution_rate" {
                parse_percent(&text)
            } else {
                parse_amount(&text)
            };
            if is_total {
                record.funds.set(key, value);
            } else {
                match key {
                    "initial_budget" => row.initial_budget = value,
                    "full_year_budget" => row.full_year_budget = value,
                    "executed" => row.executed = value,
                    _ => {}
                }
            }
        }
        if !is_total {
            rows.push(row);
        }
    }
    record.funds.rows = Some(rows);
}

fn read_list(
    lines: &[&Line],
    t: usize,
    record: &mut Record,
    consumed: &mut Consumed,
    config: &Config,
) {
    let table = &config.list_tables[t];
    let header_line = lines[0];
    let header = header_keys(header_line, &table.columns, config);
    for (i, _, _) in &header {
        consumed.take(header_line.number, *i);
    }
    let row_labels: Vec<String> = table.row_labels.iter().map(|s| squeeze(s)).collect();
    let mut items: Vec<Vec<(&str, String)>> = Vec::new();
    for line in &lines[1..] {
        let mut cells = Vec::new();
        for (i, c) in line.filled() {
            if row_labels.iter().any(|l| l == c.key()) {
                consumed.take(line.number, i);
                continue;
            }
            cells.push((i, c.col, c.text.trim().to_string()));
        }
        if cells.is_empty() {
            continue;
        }
        let assigned = assign_by_header(&header, &cells);
        for (i, _, _) in &assigned {
            consumed.take(line.number, *i);
        }
        items.push(assigned.into_iter().map(|(_, k, v)| (k, v)).collect());
    }
    let get = |item: &Vec<(&str, String)>, key: &str| {
        item.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone())
    };
    match table.target.as_str() {
        "funds.parts" => {
            let parts = items
                .iter()
                .map(|it| Part {
                    name: get(it, "name").unwrap_or_default(),
                    amount: get(it, "amount").and_then(|a| parse_amount(&a)),
                })
                .collect();
            record.funds.parts = Some(parts);
        }
        _ => {
            let tasks = items
                .iter()
                .map(|it| Task {
                    name: get(it, "name").unwrap_or_default(),
                    content: get(it, "content"),
                })
                .collect();
            record.tasks = Some(tasks);
        }
    }
}
