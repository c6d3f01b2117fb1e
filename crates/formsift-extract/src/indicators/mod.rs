//! The indicator table: from header and rows to one clean indicator per leaf
//! row.
//!
//! Rows of tables with columns are aligned cell by cell against the header's
//! column types ([`align`]); rows of space-aligned OCR text are rebuilt from
//! the token stream ([`stream`]). Both give [`Draft`] rows that [`levels`]
//! completes: merged cells filled, garbled levels corrected, ambiguity noted.

mod align;
mod cells;
mod draft;
mod levels;
mod placed;
mod stream;
mod wrapped;

use crate::consumed::Consumed;
use formsift_config::{Column, Config};
use formsift_model::{Indicator, Layout, Line, Notation, Record, TotalScore};
use formsift_values::parse_amount;

pub(crate) use cells::vertical_header;
pub(crate) use draft::Draft;

/// The header's columns: (column type, column index), in order.
pub(crate) type Header = Vec<(Column, usize)>;

fn header_of(line: &Line, config: &Config) -> Header {
    let mut h: Header = Vec::new();
    for (_, c) in line.filled() {
        if let Some(col) = config.indicators.header(c.key())
            && !h.iter().any(|(k, _)| *k == col)
        {
            h.push((col, c.col));
        }
    }
    h
}

/// Adds to `header` the column names that a grouped header's other row
/// (`other`, above or below the header row) gives in columns where the
/// header row names no column: `绩效指标` spans the three levels named in
/// the row below it, and `年度指标值`, merged over both rows, leaves the
/// cell under it empty. At least `least` names must come from `other`. Its
/// names and sections are consumed when they give columns; returns whether
/// they did.
fn grouped_header(
    other: &Line,
    header_line: &Line,
    header: &mut Header,
    least: usize,
    consumed: &mut Consumed,
    config: &Config,
) -> bool {
    if other.layout != Layout::Columns || header_line.layout != Layout::Columns {
        return false;
    }
    let names_no_column = |col: usize| {
        !header_line
            .cells
            .iter()
            .any(|c| c.col == col && config.indicators.header(c.key()).is_some())
    };
    let found: Vec<(usize, Column, usize)> = other
        .filled()
        .filter_map(|(i, c)| {
            let col = config.indicators.header(c.key())?;
            (!header.iter().any(|(k, _)| *k == col) && names_no_column(c.col))
                .then_some((i, col, c.col))
        })
        .collect();
    if found.len() < least {
        return false;
    }
    for &(i, col, at) in &found {
        header.push((col, at));
        consumed.take(other.number, i);
    }
    header.sort_by_key(|(_, at)| *at);
    for (i, c) in other.filled() {
        if config.indicators.is_row_section(c.key()) {
            consumed.take(other.number, i);
        }
    }
    true
}

/// True when the line is an indicator table header (three or more column names).
pub(crate) fn is_header(line: &Line, config: &Config) -> bool {
    header_probe(line, config).0
}

/// Whether the line is an indicator table header (three or more column
/// names), and whether it holds one cell alone that names a column (the
/// first line of a header printed one name per line, see
/// [`vertical_header`]). One pass: every body line is tried.
pub(crate) fn header_probe(line: &Line, config: &Config) -> (bool, bool) {
    // [`header_of`] counted up to three, nothing collected.
    let mut seen: [Option<Column>; 3] = [None; 3];
    let mut n = 0;
    let mut filled = 0;
    for (_, c) in line.filled() {
        filled += 1;
        if let Some(col) = config.indicators.header(c.key())
            && !seen[..n].contains(&Some(col))
        {
            seen[n] = Some(col);
            n += 1;
            if n == 3 {
                return (true, false);
            }
        }
    }
    (false, filled == 1 && n == 1)
}

/// The first cell of a line that is not a row section heading (`绩效 指标`).
pub(crate) fn first_cell_after_sections(line: &Line, config: &Config) -> Option<String> {
    line.filled()
        .map(|(_, c)| c.key())
        .find(|s| !config.indicators.is_row_section(s))
        .map(str::to_string)
}

/// Reads the indicator table (`lines[0]` is the header; `above` the line
/// before it) into the record.
pub(crate) fn read_table(
    lines: &[&Line],
    above: Option<&Line>,
    record: &mut Record,
    consumed: &mut Consumed,
    config: &Config,
) {
    if let Some((n, header)) = vertical_header(lines, config) {
        for line in &lines[..n] {
            for (i, _) in line.filled() {
                consumed.take(line.number, i);
            }
        }
        let drafts = cells::read(&lines[n..], &header, record, consumed, config);
        let mut indicators = levels::resolve(drafts, consumed, config);
        mark_doubt(&mut indicators, &config.indicators.streamed_doubt);
        if indicators.is_empty() {
            record.flag("no_indicators");
        }
        record.indicators = indicators;
        return;
    }
    let header_line = lines[0];
    for (i, c) in header_line.filled() {
        if config.indicators.header(c.key()).is_some() || config.indicators.is_row_section(c.key())
        {
            consumed.take(header_line.number, i);
        }
    }
    let mut rows = &lines[1..];
    let spaced = rows.iter().filter(|l| l.layout == Layout::Spaced).count()
        > rows.iter().filter(|l| l.layout == Layout::Columns).count();
    let wrapped = spaced
        .then(|| wrapped::join(above, header_line, rows.first().copied(), consumed, config))
        .flatten();
    let header_line = match &wrapped {
        Some(w) => {
            if w.below_used {
                rows = &rows[1..];
            }
            &w.header
        }
        None => header_line,
    };
    let mut header = header_of(header_line, config);
    if !spaced {
        if let Some(above) = above {
            grouped_header(above, header_line, &mut header, 1, consumed, config);
        }
        // The header's names may go on in the row below, under a group's
        // cell (`绩效指标` over 一级/二级/三级指标): that row is header too.
        if let Some(&below) = rows.first()
            && grouped_header(below, header_line, &mut header, 2, consumed, config)
        {
            rows = &rows[1..];
        }
    }
    let drafts = if spaced {
        placed::read(header_line, &header, rows, record, consumed, config).unwrap_or_else(|| {
            // Without places, the token stream reads names and targets; a
            // header with more value columns (a self-evaluation's actual,
            // weight and score) is read a row per line, by cell kinds.
            let more = |c: &(Column, usize)| {
                matches!(c.0, Column::Actual | Column::Weight | Column::Score)
            };
            if header.iter().any(more) {
                read_columns(rows, &header, record, consumed, config)
            } else {
                stream::read(rows, consumed, config)
            }
        })
    } else {
        read_columns(rows, &header, record, consumed, config)
    };
    let mut indicators = levels::resolve(drafts, consumed, config);
    if spaced {
        mark_doubt(&mut indicators, &config.indicators.spaced_doubt);
    }
    if indicators.is_empty() {
        record.flag("no_indicators");
    }
    record.indicators = indicators;
}

/// Every row of a table gets `table_doubt` when one of its rows carries a
/// flag of `doubt` (`[indicators] spaced-doubt` for space-aligned tables,
/// `streamed-doubt` for tables printed one cell per line): such text hides
/// where merged and wrapped cells end, and one misread row means its
/// neighbours may be misread too.
fn mark_doubt(rows: &mut [Indicator], doubt: &[String]) {
    if rows
        .iter()
        .any(|r| r.flags.iter().any(|f| doubt.contains(f)))
    {
        for r in rows {
            r.flag("table_doubt");
        }
    }
}

fn read_columns(
    rows: &[&Line],
    header: &Header,
    record: &mut Record,
    consumed: &mut Consumed,
    config: &Config,
) -> Vec<Draft> {
    let mut drafts: Vec<Draft> = Vec::with_capacity(rows.len());
    let mut after_break = false;
    // The line the last row came from.
    let mut last_row: Option<&Line> = None;
    for line in rows {
        match line.layout {
            Layout::Blank => {
                after_break = true;
                continue;
            }
            Layout::Rule => continue,
            _ => {}
        }
        if is_header(line, config) {
            for (i, _) in line.filled() {
                consumed.take(line.number, i);
            }
            continue;
        }
        let mut cells = Vec::with_capacity(line.cells.len());
        for (i, c) in line.filled() {
            if cells.is_empty() && config.indicators.is_row_section(c.key()) {
                consumed.take(line.number, i);
                continue;
            }
            cells.push((i, c));
        }
        let Some((_, first)) = cells.first() else {
            continue;
        };
        if config.indicators.is_total(first.key()) {
            read_total(line, &cells, header, record, consumed);
            break;
        }
        let draft = align::align_row(line.number, &cells, header, after_break, config);
        let broke = std::mem::take(&mut after_break);
        if draft.is_continuation() {
            // Text after a break in another layout than the table's rows,
            // or outside the markup that closed their cells (a line of
            // prose after a grid, pipe or HTML table), continues no cell:
            // it stays for the residue.
            if broke && last_row.is_some_and(|last| outside_table(last, line)) {
                continue;
            }
            if let Some(prev) = drafts.last_mut()
                && prev.absorb(&draft, header, config)
            {
                for &(l, i) in &draft.cells {
                    consumed.take(l, i);
                }
                continue;
            }
        }
        last_row = Some(*line);
        drafts.push(draft);
    }
    drafts
}

/// Whether `line` stands outside the table whose last row came from
/// `last`: laid out otherwise, or without the notation (markdown, HTML)
/// whose markup closed that row's cells (tabs closed them when the row
/// has tabs: markup there is inside the cells).
fn outside_table(last: &Line, line: &Line) -> bool {
    let closed_by = |n: &Notation| {
        !last.notations.contains(&Notation::Tsv)
            && last.notations.contains(n)
            && !line.notations.contains(n)
    };
    last.layout != line.layout || [Notation::Markdown, Notation::Html].iter().any(closed_by)
}

fn read_total(
    line: &Line,
    cells: &[(usize, &formsift_model::Cell)],
    header: &Header,
    record: &mut Record,
    consumed: &mut Consumed,
) {
    let nums: Vec<(usize, usize, f64)> = cells[1..]
        .iter()
        .filter_map(|(i, c)| parse_amount(&c.text).map(|v| (*i, c.col, v)))
        .collect();
    let at = |col: Column| header.iter().find(|(k, _)| *k == col).map(|(_, c)| *c);
    let by_pos = |col: Column| {
        at(col)
            .and_then(|c| nums.iter().find(|n| n.1 == c))
            .map(|n| n.2)
    };
    let (weight, score) = match (by_pos(Column::Weight), by_pos(Column::Score)) {
        (Some(w), Some(s)) => (Some(w), Some(s)),
        _ if nums.len() >= 2 => (Some(nums[nums.len() - 2].2), Some(nums[nums.len() - 1].2)),
        _ => (None, nums.first().map(|n| n.2)),
    };
    consumed.take(line.number, cells[0].0);
    for (i, _, _) in &nums {
        consumed.take(line.number, *i);
    }
    record.total_score = Some(TotalScore { weight, score });
}
