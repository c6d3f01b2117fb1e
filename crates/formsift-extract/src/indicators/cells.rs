//! Indicator rows of tables printed one cell per line.
//!
//! Text taken out of a Word document or a web page without its table layout
//! (and text copied out of a PDF viewer) prints each cell on a line of its
//! own, in reading order, and leaves the empty and merged cells out: the
//! header stands on consecutive lines, one column name each
//! ([`vertical_header`]), and the rows follow as a stream of cells. A level
//! label starts a row, and the levels apply to the rows after it. Between
//! labels, a small dynamic programme cuts the stream into rows and gives each
//! cell a column, maximising how well each cell's kind fits its column
//! ([`fit`], as for rows of tables with columns) less what a row without a
//! name or a target costs. The stream cannot tell a name wrapped over two
//! lines from a row whose value cells are empty: a row of a name alone
//! followed by a row with a name is joined to it, flagged `wrap_guessed`.

use super::align::{Kind, SKIP, fit, kind_of, put};
use super::{Draft, Header};
use crate::consumed::Consumed;
use formsift_config::{Column, Config};
use formsift_model::{Cell, Layout, Line, Record, TotalScore, squeeze, trim};
use formsift_values::{join_wrapped, parse_amount, push_wrapped};

/// What a row without a name costs.
const NO_NAME: i32 = -8;
/// What a row without a target costs.
const NO_TARGET: i32 = -4;
/// What going on with the name costs (a line that continues the name
/// takes no column).
const JOIN: i32 = 0;
/// What a name of [`SHORT_NAME`] characters or fewer costs on top of its
/// fit: such a name is most often the wrapped end of a longer one (`础`).
const SHORT_NAME_COST: i32 = -6;
const SHORT_NAME: usize = 2;
/// What starting a row costs: of two cuts that fit as well, the one with
/// fewer rows (a short value is as good a name as a target).
const NEW_ROW: i32 = -2;

/// A cell of the stream: a filled cell of a line, or words of a line laid
/// out by spaces that stand one space apart (`1000元 / 人`).
#[derive(Debug, Clone)]
struct Tok {
    line: usize,
    /// The line's cells it holds.
    cells: Vec<usize>,
    /// The first cell's column in its line.
    at: usize,
    text: String,
    kind: Kind,
    /// Length in characters.
    len: usize,
    /// The text starts with an indicator ordinal (`指标1：`).
    numbered: bool,
}

fn is_level(k: Kind) -> bool {
    matches!(
        k,
        Kind::Level1 | Kind::Level2 | Kind::Level12 | Kind::LevelLike
    )
}

/// The one filled cell of a line: `None` when it has none or several.
fn only_cell(line: &Line) -> Option<(usize, &Cell)> {
    let mut filled = line.filled();
    let first = filled.next()?;
    filled.next().is_none().then_some(first)
}

/// The header of a table printed one cell per line, when `lines` start with
/// one: how many lines it takes and its columns in order. Three or more
/// distinct column names, each alone on its line, with blank lines and
/// row-section headings (`绩效指标`) among them; the names and a value
/// column among them (a PDF's text in reading order can put the levels'
/// names apart from the rest, and rows cut without a value column would be
/// all name). A column's position is its
/// place in the header: the cells of such a table have no column.
pub(crate) fn vertical_header(lines: &[&Line], config: &Config) -> Option<(usize, Header)> {
    let headers = &config.indicators;
    // Most lines fail here: not one cell, or not a column name.
    let (_, first) = only_cell(lines.first()?)?;
    headers.header(first.key())?;
    let mut header = Header::new();
    let mut used = 0;
    for (k, line) in lines.iter().enumerate() {
        if line.is_blank() {
            continue;
        }
        let Some((_, c)) = only_cell(line) else {
            break;
        };
        match headers.header(c.key()) {
            Some(col) if header.iter().any(|(h, _)| *h == col) => break,
            Some(col) => header.push((col, header.len())),
            None if config.indicators.is_row_section(c.key()) => {}
            None => break,
        }
        used = k + 1;
    }
    let has = |col: Column| header.iter().any(|(c, _)| *c == col);
    let usable = has(Column::Name) && (has(Column::Target) || has(Column::Actual));
    (header.len() >= 3 && usable).then_some((used, header))
}

/// Reads the rows of a table printed one cell per line (`rows`: the lines
/// after its header) into drafts; a total row gives the record's total
/// score.
pub(crate) fn read(
    rows: &[&Line],
    header: &Header,
    record: &mut Record,
    consumed: &mut Consumed,
    config: &Config,
) -> Vec<Draft> {
    let cols: Vec<Column> = header
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| !matches!(c, Column::Level1 | Column::Level2))
        .collect();
    let toks = tokens(rows, record, consumed, config);
    let mut drafts = Vec::new();
    // Levels read since the last row, for the next one.
    let mut pending = Draft::default();
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        if is_level(t.kind) {
            let next = toks.get(i + 1).map(|n| n.kind);
            let slot = match t.kind {
                Kind::Level2 => Column::Level2,
                Kind::LevelLike
                    if (pending.l1.is_some() && pending.l2.is_none())
                        || !matches!(next, Some(Kind::Level2)) =>
                {
                    Column::Level2
                }
                _ => Column::Level1,
            };
            let taken = match slot {
                Column::Level1 => pending.l1.is_some() || pending.l2.is_some(),
                _ => pending.l2.is_some(),
            };
            if taken {
                drafts.push(std::mem::take(&mut pending));
            }
            if pending.cells.is_empty() {
                pending.lines = [t.line, t.line];
            }
            pending.lines[1] = t.line;
            pending.cells.extend(t.cells.iter().map(|&c| (t.line, c)));
            put(&mut pending, slot, &t.text, t.at);
            i += 1;
            continue;
        }
        let end = toks[i..]
            .iter()
            .position(|t| is_level(t.kind))
            .map_or(toks.len(), |k| i + k);
        let run = &toks[i..end];
        let mut rows = cut_rows(run, &cols);
        if let Some(first) = rows.first_mut() {
            let levels = std::mem::take(&mut pending);
            first.l1 = levels.l1;
            first.l2 = levels.l2;
            if !levels.cells.is_empty() {
                first.lines[0] = levels.lines[0];
                let mut cells = levels.cells;
                cells.append(&mut first.cells);
                first.cells = cells;
            }
        }
        drafts.extend(join_wrapped_names(rows, config));
        i = end;
    }
    if !pending.cells.is_empty() {
        drafts.push(pending);
    }
    // Rows joined or cells left out may have taken rows with them: the
    // record says so, as rows it lost carry no flag.
    let lossy = ["wrap_guessed", "cell_dropped"];
    if drafts
        .iter()
        .any(|d| d.flags.iter().any(|f| lossy.contains(&f.as_str())))
    {
        record.flag("cells_guessed");
    }
    for d in &mut drafts {
        d.flag("cells_streamed");
        for &(l, c) in &d.cells {
            consumed.take(l, c);
        }
    }
    drafts
}

/// The filled cells of the rows, in order, up to a total row (read into
/// the record); a header repeated after a page break is consumed and
/// skipped.
fn tokens(
    rows: &[&Line],
    record: &mut Record,
    consumed: &mut Consumed,
    config: &Config,
) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::new();
    let mut k = 0;
    while k < rows.len() {
        if let Some((n, _)) = vertical_header(&rows[k..], config) {
            for line in &rows[k..k + n] {
                for (i, _) in line.filled() {
                    consumed.take(line.number, i);
                }
            }
            k += n;
            continue;
        }
        let line = rows[k];
        k += 1;
        for (cells, text) in words(line, config) {
            let key = squeeze(&text);
            if config.indicators.is_row_section(&key) {
                cells.iter().for_each(|&i| consumed.take(line.number, i));
                continue;
            }
            if config.indicators.is_total(&key) {
                cells.iter().for_each(|&i| consumed.take(line.number, i));
                read_total(&rows[k - 1..], cells[cells.len() - 1], record, consumed);
                return out;
            }
            out.push(Tok {
                line: line.number,
                at: line.cells[cells[0]].col,
                cells,
                kind: kind_of(&text, &key, config),
                len: text.chars().count(),
                numbered: config.indicators.ordinal.is_match(&text),
                text,
            });
        }
    }
    out
}

/// The cells of a line as the stream reads them, (cell indices, text):
/// each filled cell, except that the words of a line split at spaces are
/// one cell (`1000元 / 人`, `指标 1：…`), or where their place on the line
/// is known, the words that stand one column apart. A level name of the
/// vocabulary stays a cell of its own (`满意度指标 服务对象满意度指标 …`).
fn words(line: &Line, config: &Config) -> Vec<(Vec<usize>, String)> {
    let mut out: Vec<(Vec<usize>, String)> = Vec::new();
    let mut end: Option<u32> = None;
    let mut level_before = false;
    for (i, c) in line.filled() {
        let text = trim(&c.text);
        let near = match (c.span, end) {
            (Some([from, _]), Some(e)) => from <= e + 1,
            (None, _) => true,
            (Some(_), None) => false,
        };
        let level = line.layout == Layout::Spaced && {
            let (l1, l2) = config.levels_of(c.key());
            l1 || l2
        };
        let joins = near && !level && !level_before;
        level_before = level;
        match out.last_mut() {
            Some((cells, t)) if line.layout == Layout::Spaced && joins => {
                cells.push(i);
                t.push(' ');
                t.push_str(text);
            }
            _ => out.push((vec![i], text.to_string())),
        }
        end = c.span.map(|[_, to]| to);
    }
    out
}

/// The total row's numbers, the cells after its label (`cell` of
/// `lines[0]`) on the following lines: weight and score, or the score alone.
fn read_total(lines: &[&Line], cell: usize, record: &mut Record, consumed: &mut Consumed) {
    let mut nums = Vec::new();
    'lines: for (k, line) in lines.iter().enumerate() {
        for (i, c) in line.filled() {
            if k == 0 && i <= cell {
                continue;
            }
            let Some(v) = parse_amount(&c.text) else {
                break 'lines;
            };
            nums.push(v);
            consumed.take(line.number, i);
            if nums.len() == 2 {
                break 'lines;
            }
        }
    }
    let (weight, score) = match nums[..] {
        [w, s] => (Some(w), Some(s)),
        [s] => (None, Some(s)),
        _ => (None, None),
    };
    record.total_score = Some(TotalScore { weight, score });
}

/// A state of the row cutter: the current row has taken no cell yet
/// (`OPEN` clear), or its cells reach up to column `next - 1` and it has a
/// name and a target or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct State {
    next: usize,
    name: bool,
    target: bool,
    open: bool,
}

impl State {
    const FRESH: State = State {
        next: 0,
        name: false,
        target: false,
        open: false,
    };

    fn index(self) -> usize {
        if !self.open {
            return 0;
        }
        1 + (self.next - 1) * 4 + usize::from(self.name) * 2 + usize::from(self.target)
    }

    /// What ending the row costs: a row without a name or a target is
    /// unlikely.
    fn close(self, cols: &[Column]) -> i32 {
        if !self.open {
            return 0;
        }
        let mut cost = 0;
        if !self.name && cols.contains(&Column::Name) {
            cost += NO_NAME;
        }
        if !self.target && cols.contains(&Column::Target) {
            cost += NO_TARGET;
        }
        cost
    }

    /// The state after the row takes a cell at column `c`.
    fn take(self, c: usize, cols: &[Column]) -> State {
        State {
            next: c + 1,
            name: self.name || cols[c] == Column::Name,
            target: self.target || cols[c] == Column::Target,
            open: true,
        }
    }
}

/// What the cutter did with a cell: left it out, or put it at a column of
/// the current row or of a new one.
#[derive(Debug, Clone, Copy)]
enum Step {
    Skip,
    /// The cell goes on with the row's name (wrapped over two lines).
    Join,
    Put {
        col: usize,
        new_row: bool,
    },
}

/// Cuts a run of cells between level labels into rows, each cell at a
/// column of its row (columns ascend within a row), maximising the cells'
/// fit less [`SKIP`] per cell left out and the cost of rows without a name
/// or a target. A numbered cell (`指标1：…`) starts a row.
fn cut_rows(run: &[Tok], cols: &[Column]) -> Vec<Draft> {
    let m = cols.len();
    let n = run.len();
    if m == 0 || n == 0 {
        return Vec::new();
    }
    let states = 1 + 4 * m;
    let name_at = cols.iter().position(|c| *c == Column::Name);
    const NONE: i32 = i32::MIN / 2;
    // best[i][s]: best score of the first i cells ending in state s, with
    // the step that led there and the state before it.
    let mut best = vec![NONE; (n + 1) * states];
    let mut from: Vec<(State, Step)> = vec![(State::FRESH, Step::Skip); (n + 1) * states];
    let mut state_of = vec![State::FRESH; states];
    for next in 1..=m {
        for (name, target) in [(false, false), (false, true), (true, false), (true, true)] {
            let s = State {
                next,
                name,
                target,
                open: true,
            };
            state_of[s.index()] = s;
        }
    }
    best[0] = 0;
    for (i, t) in run.iter().enumerate() {
        for si in 0..states {
            let v = best[i * states + si];
            if v == NONE {
                continue;
            }
            let s = state_of[si];
            let mut offer = |to: State, gain: i32, step: Step| {
                let k = (i + 1) * states + to.index();
                if v + gain > best[k] {
                    best[k] = v + gain;
                    from[k] = (s, step);
                }
            };
            offer(s, SKIP, Step::Skip);
            if name_at.is_some_and(|c| s.open && s.next == c + 1)
                && !is_value(t.kind)
                && !t.numbered
            {
                offer(s, JOIN, Step::Join);
            }
            if !(s.open && t.numbered) {
                for c in s.next..m {
                    let gain = fit_cell(t, cols[c]);
                    offer(
                        s.take(c, cols),
                        gain,
                        Step::Put {
                            col: c,
                            new_row: false,
                        },
                    );
                }
            }
            if s.open {
                let close = s.close(cols) + NEW_ROW;
                for c in 0..m {
                    let gain = close + fit_cell(t, cols[c]);
                    offer(
                        State::FRESH.take(c, cols),
                        gain,
                        Step::Put {
                            col: c,
                            new_row: true,
                        },
                    );
                }
            }
        }
    }
    let (mut s, _) = state_of
        .iter()
        .map(|s| {
            (
                *s,
                best[n * states + s.index()].saturating_add(s.close(cols)),
            )
        })
        .filter(|(s, _)| best[n * states + s.index()] != NONE)
        .max_by_key(|(s, v)| (*v, std::cmp::Reverse(s.index())))
        .expect("the fresh state is always reachable by skipping");
    let mut steps = vec![Step::Skip; n];
    for i in (0..n).rev() {
        let (before, step) = from[(i + 1) * states + s.index()];
        steps[i] = step;
        s = before;
    }
    let mut rows: Vec<Draft> = Vec::new();
    for (t, step) in run.iter().zip(steps) {
        let new_row = match step {
            Step::Put { new_row, .. } => new_row || rows.is_empty(),
            // Left out before any row: residue.
            Step::Skip | Step::Join if rows.is_empty() => continue,
            Step::Skip | Step::Join => false,
        };
        if new_row {
            rows.push(Draft {
                lines: [t.line, t.line],
                ..Draft::default()
            });
        }
        let d = rows.last_mut().expect("a row was started");
        d.lines[1] = t.line;
        match step {
            Step::Put { col, .. } => {
                d.cells.extend(t.cells.iter().map(|&c| (t.line, c)));
                put(d, cols[col], &t.text, t.at);
                if cols[col] == Column::Name && t.len <= SHORT_NAME {
                    d.flag("cells_guessed");
                }
                let value_col = matches!(cols[col], Column::Target | Column::Actual);
                if value_col && t.kind == Kind::Text {
                    d.flag("cells_guessed");
                }
            }
            Step::Join => {
                d.cells.extend(t.cells.iter().map(|&c| (t.line, c)));
                push_wrapped(d.name.get_or_insert_default(), &t.text);
                d.flag("wrap_guessed");
            }
            Step::Skip => d.flag("cell_dropped"),
        }
    }
    for d in &mut rows {
        if has_gap(d, cols) {
            d.flag("cells_guessed");
        }
    }
    rows
}

/// How well a cell of the stream fits a column: [`fit`], less
/// [`SHORT_NAME_COST`] for a very short name.
fn fit_cell(t: &Tok, col: Column) -> i32 {
    let short = col == Column::Name && t.len <= SHORT_NAME;
    fit(t.kind, col, t.len) + if short { SHORT_NAME_COST } else { 0 }
}

/// True when a row leaves a value column of the header empty (the remark
/// aside, which most rows leave empty): the cell may have gone to a
/// neighbour or to another row.
fn has_gap(d: &Draft, cols: &[Column]) -> bool {
    cols.iter().any(|c| match c {
        Column::Target => d.target.is_none(),
        Column::Actual => d.actual.is_none(),
        Column::Weight => d.weight.is_none(),
        Column::Score => d.score.is_none(),
        _ => false,
    })
}

fn is_value(k: Kind) -> bool {
    matches!(k, Kind::Value | Kind::Number(_))
}

/// True when a row holds a name and nothing else.
fn name_only(d: &Draft) -> bool {
    d.name.is_some() && d.has_no_value() && d.remark.is_none()
}

/// Joins each row of a name alone to the row after it, when that row's name
/// is not numbered: the name was wrapped over two lines (flag
/// `wrap_guessed`).
fn join_wrapped_names(rows: Vec<Draft>, config: &Config) -> Vec<Draft> {
    let mut out: Vec<Draft> = Vec::with_capacity(rows.len());
    let mut held: Option<Draft> = None;
    for mut d in rows {
        if let Some(h) = held.take() {
            match d.name.as_deref() {
                Some(name) if !config.indicators.ordinal.is_match(name) => {
                    d.name = Some(join_wrapped(h.name.as_deref().unwrap_or(""), name));
                    d.l1 = h.l1.or(d.l1);
                    d.l2 = h.l2.or(d.l2);
                    d.lines[0] = h.lines[0];
                    let mut cells = h.cells;
                    cells.append(&mut d.cells);
                    d.cells = cells;
                    for f in h.flags {
                        d.flag(&f);
                    }
                    d.flag("wrap_guessed");
                }
                _ => out.push(h),
            }
        }
        if name_only(&d) {
            held = Some(d);
        } else {
            out.push(d);
        }
    }
    out.extend(held);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use formsift_normalize::normalize;

    /// The drafts of a table printed one cell per line (`text`: header
    /// and rows), with the header's line count.
    fn read_text(text: &str) -> (usize, Vec<Draft>, Record) {
        let config = Config::embedded();
        let doc = normalize(text, &config);
        let lines: Vec<&Line> = doc.lines.iter().collect();
        let (n, header) = vertical_header(&lines, &config).expect("a header on its lines");
        let source = formsift_model::Source {
            path: "t.txt".into(),
            form: 1,
            lines: [1, doc.lines.len()],
            formats: Vec::new(),
            cells: None,
            pages: None,
            boxes: None,
        };
        let mut record = Record::new("t#1".into(), source, "t".into(), "t".into());
        let mut consumed = Consumed::starting_at(1);
        let drafts = read(&lines[n..], &header, &mut record, &mut consumed, &config);
        (n, drafts, record)
    }

    fn names(drafts: &[Draft]) -> Vec<&str> {
        drafts.iter().filter_map(|d| d.name.as_deref()).collect()
    }

    #[test]
    fn a_header_takes_its_lines_with_blanks_and_sections_among_them() {
        let config = Config::embedded();
        let doc = normalize(
            "绩效指标\n一级指标\n\n二级指标\n三级指标\n年度指标值\n产出指标\n",
            &config,
        );
        let lines: Vec<&Line> = doc.lines.iter().collect();
        // A section heading does not start a header; a column name does.
        assert!(vertical_header(&lines, &config).is_none());
        let (n, header) = vertical_header(&lines[1..], &config).unwrap();
        assert_eq!(n, 5, "up to 年度指标值, the blank line included");
        let cols: Vec<Column> = header.iter().map(|(c, _)| *c).collect();
        use Column::*;
        assert_eq!(cols, [Level1, Level2, Name, Target]);
        // Two names are not a header, nor names on one line, nor names
        // without a value column.
        let levels = normalize("一级指标\n二级指标\n三级指标\n产出指标\n", &config);
        let levels: Vec<&Line> = levels.lines.iter().collect();
        assert!(vertical_header(&levels, &config).is_none());
        let two = normalize("一级指标\n二级指标\n产出指标\n", &config);
        let two: Vec<&Line> = two.lines.iter().collect();
        assert!(vertical_header(&two, &config).is_none());
        let tabs = normalize("一级指标\t二级指标\t三级指标\n", &config);
        let tabs: Vec<&Line> = tabs.lines.iter().collect();
        assert!(vertical_header(&tabs, &config).is_none());
    }

    #[test]
    fn rows_are_cut_where_levels_start_them_and_cells_fit_no_later_column() {
        let (_, drafts, _) = read_text(
            "一级指标\n二级指标\n三级指标\n年度指标值\n\
             产出指标\n数量指标\n年度开设班级数\n≥100.00(个)\n年度招收学员人次\n≥3000(人次)\n\
             效益指标\n社会效益指标\n发挥示范引领作用\n退休职工得益面广\n",
        );
        assert_eq!(
            names(&drafts),
            ["年度开设班级数", "年度招收学员人次", "发挥示范引领作用"]
        );
        assert_eq!(drafts[0].l1.as_deref(), Some("产出指标"));
        assert_eq!(drafts[0].l2.as_deref(), Some("数量指标"));
        assert_eq!(drafts[1].target.as_deref(), Some("≥3000(人次)"));
        assert_eq!(
            (drafts[1].l1.as_deref(), drafts[1].l2.as_deref()),
            (None, None)
        );
        assert_eq!(drafts[2].l2.as_deref(), Some("社会效益指标"));
        assert_eq!(drafts[2].target.as_deref(), Some("退休职工得益面广"));
        // A text target could be a wrapped name's rest: doubted; values not.
        assert!(drafts[2].flags.iter().any(|f| f == "cells_guessed"));
        assert!(!drafts[0].flags.iter().any(|f| f == "cells_guessed"));
        assert!(
            drafts
                .iter()
                .all(|d| d.flags.iter().any(|f| f == "cells_streamed"))
        );
    }

    #[test]
    fn self_evaluation_rows_give_each_number_its_column_and_the_total_its_score() {
        let (_, drafts, record) = read_text(
            "一级指标\n二级指标\n三级指标\n年度指标值\n实际完成值\n分值\n得分\n\
             产出指标\n数量指标\n办公家具购置率\n>95%\n95%\n20\n17\n\
             使用者满意度\n=100%\n10\n9\n\
             保持劳动关系稳定和谐\n保持\n保持\n6\n6\n总分\n100\n95\n",
        );
        assert_eq!(
            names(&drafts),
            ["办公家具购置率", "使用者满意度", "保持劳动关系稳定和谐"]
        );
        // A short value is as good a name as a target: of two cuts that
        // fit as well, the one with fewer rows.
        let d = &drafts[2];
        assert_eq!(
            (d.target.as_deref(), d.actual.as_deref()),
            (Some("保持"), Some("保持"))
        );
        assert_eq!((d.weight, d.score), (Some(6.0), Some(6.0)));
        let d = &drafts[0];
        assert_eq!(
            (d.target.as_deref(), d.actual.as_deref()),
            (Some(">95%"), Some("95%"))
        );
        assert_eq!((d.weight, d.score), (Some(20.0), Some(17.0)));
        // The second row printed no actual: its numbers are still the
        // weight and the score, and the gap is doubted.
        let d = &drafts[1];
        assert_eq!(
            (d.actual.as_deref(), d.weight, d.score),
            (None, Some(10.0), Some(9.0))
        );
        assert!(d.flags.iter().any(|f| f == "cells_guessed"));
        let total = record.total_score.expect("the total row is read");
        assert_eq!((total.weight, total.score), (Some(100.0), Some(95.0)));
    }

    #[test]
    fn a_name_wrapped_over_lines_is_joined_and_doubted() {
        let (_, drafts, record) = read_text(
            "一级指标\n二级指标\n三级指标\n年度指标值\n\
             效益指标\n社会效益指标\n扩大工会组织对灵活就业群体的\n覆盖面\n是\n\
             夯实党执政的阶级基础和群众基\n础\n是\n",
        );
        assert_eq!(
            names(&drafts),
            [
                "扩大工会组织对灵活就业群体的覆盖面",
                "夯实党执政的阶级基础和群众基础"
            ]
        );
        for d in &drafts {
            assert_eq!(d.target.as_deref(), Some("是"));
            assert!(d.flags.iter().any(|f| f == "wrap_guessed"), "{d:?}");
        }
        assert!(record.flags.iter().any(|f| f == "cells_guessed"));
    }

    #[test]
    fn a_value_of_words_one_space_apart_is_one_cell() {
        let (_, drafts, _) = read_text(
            "一级指标\n二级指标\n三级指标\n年度指标值\n\
             产出指标\n质量指标\n节日慰问金发放标准\n1000元 / 人\n指标 2：发放及时率\n= 100%\n",
        );
        assert_eq!(names(&drafts), ["节日慰问金发放标准", "指标 2：发放及时率"]);
        assert_eq!(drafts[0].target.as_deref(), Some("1000元 / 人"));
        assert_eq!(drafts[1].target.as_deref(), Some("= 100%"));
    }
}
