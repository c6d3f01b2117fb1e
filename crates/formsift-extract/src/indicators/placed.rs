//! Indicator rows of a table laid out by spaces whose cells know where they
//! stood on the page (`pdftotext -layout` text, OCR word boxes).
//!
//! Such a converter prints every cell where it stood: a long name wraps onto
//! the lines below it, a value one line tall is printed halfway down its row
//! (between the halves of a wrapped name), and the label of a merged level
//! cell halfway down its group of rows. The table is rebuilt in three
//! passes. Each line is aligned against the header's columns
//! ([`columns_of`], positions helping content). A line that starts no row
//! gives each piece to the cell whose left edge it shares (a wrapped tail),
//! else to the empty cell it fits (a value printed mid-row); pieces printed
//! above the row they belong to wait for it. Last, each level label is given
//! to the group of rows it is centred on, fitted by dynamic programming over
//! the group boundaries, unless the labels fit better standing at the top of
//! their groups.

use super::align::{Kind, columns_of, kind_of};
use super::{Draft, Header, is_header, read_total};
use crate::consumed::Consumed;
use formsift_config::{Column, Config};
use formsift_model::{Cell, Layout, Line, Record};
use formsift_values::{join_wrapped, parse_amount, push_wrapped};

/// Pieces whose left edges are this many columns apart or less are one
/// cell's lines.
const EDGE: u32 = 4;
/// A short piece this many columns right of the row's name is not its tail.
const AWAY: u32 = 8;
/// A text value at least this wide (display columns) that fills its column
/// has wrapped, when the line below goes on at its edge.
const WORDS: u32 = 12;
/// Cost of a row that no label of a level covers (text lines).
const UNLABELLED: f64 = 2.0;
/// A label farther than this (text lines) from where its group would print
/// it puts the group's rows in doubt.
const OFFCENTRE: f64 = 0.5;
/// Cost (text lines) of each row a grouping puts against the table's
/// numbering (see [`Numbering`]): more than a label half a line off its
/// group's centre, as the labels of even groups stand.
const NUMBERING: f64 = 1.0;
/// A grouping that costs at most this much more (text lines) than the one
/// taken fits about as well: the rows it would give elsewhere are in
/// doubt. Two labels of even groups, each half a line off their middles.
const NEAR_TIE: f64 = 1.0;
/// How much better (text lines per label) reading labels at their groups'
/// tops must fit than reading them at their centres to be taken.
const TOP_MARGIN: f64 = 0.25;

/// One cell of a line and the column it was aligned to.
#[derive(Debug, Clone)]
struct Part {
    col: Column,
    text: String,
    x: u32,
    /// The column after the piece's last character.
    x1: u32,
    kind: Kind,
    /// (line number, cell index).
    at: (usize, usize),
}

/// The parts of one table line.
struct LineParts {
    line: usize,
    page: usize,
    parts: Vec<Part>,
    labels: Vec<Part>,
}

/// A row being rebuilt: its draft and the left edge of each cell.
struct Acc {
    d: Draft,
    xs: Vec<(Column, u32)>,
    page: usize,
    /// Pieces per text cell: the row's height in text lines is the most.
    pieces: Vec<(Column, usize)>,
    /// Width of each text cell's last piece.
    widths: Vec<(Column, u32)>,
}

/// Reads the rows under `header_line`, or `None` when a cell's position is
/// unknown (the token-stream reader takes over).
pub(crate) fn read(
    header_line: &Line,
    header: &Header,
    rows: &[&Line],
    record: &mut Record,
    consumed: &mut Consumed,
    config: &Config,
) -> Option<Vec<Draft>> {
    let mut anchors = Vec::with_capacity(header.len());
    for &(col, at) in header {
        let span = header_line.cells.get(at)?.span?;
        anchors.push((col, at, span[0] + span[1]));
    }
    if rows
        .iter()
        .flat_map(|l| l.filled())
        .any(|(_, c)| c.span.is_none())
    {
        return None;
    }
    // Where the header's 三级指标 starts: the names' edge when no name is long.
    let name_header = header
        .iter()
        .find(|(col, _)| *col == Column::Name)
        .and_then(|&(_, at)| header_line.cells.get(at)?.span)
        .map(|s| s[0]);
    let lines = parts_of(
        rows,
        header,
        name_header,
        &anchors,
        record,
        consumed,
        config,
    );
    let labels = join_labels(&lines, consumed, config);
    let mut acc = assemble(&lines, header, config);
    let numbers: Vec<Option<i64>> = acc
        .iter()
        .map(|a| a.d.name.as_deref().and_then(|n| ordinal_of(n, config)))
        .collect();
    place_labels(&labels, &lines, &mut acc, &Numbering::of(numbers));
    let drafts: Vec<Draft> = acc.into_iter().map(|a| a.d).collect();
    // A line joined to a row by its edge alone may have been a row of its
    // own: the record says so, as a row it lost carries no flag.
    if drafts
        .iter()
        .any(|d| d.flags.iter().any(|f| f == "wrap_guessed"))
    {
        record.flag("lines_joined");
    }
    for d in &drafts {
        for &(l, c) in &d.cells {
            consumed.take(l, c);
        }
    }
    Some(drafts)
}

/// The left edges of the columns of names and of level labels: where most
/// long texts start (or, in a table whose names are all short, where the
/// header's 三级指标 starts), and where most level names start (labels of
/// merged cells stand left of the names; a squeezed line may shift a cell,
/// so the most common edge is taken, not the leftmost).
fn edges(rows: &[&Line], name_header: Option<u32>, config: &Config) -> (u32, Vec<u32>) {
    let mode = |xs: Vec<u32>| -> Option<u32> {
        xs.iter().copied().max_by_key(|x| {
            (
                xs.iter().filter(|y| y.abs_diff(*x) <= 2).count(),
                u32::MAX - x,
            )
        })
    };
    let of = |want: fn(Kind, usize) -> bool| {
        rows.iter()
            .flat_map(|l| l.filled())
            .filter(|(_, c)| want(kind_of(&c.text, c.key(), config), c.key().chars().count()))
            .filter_map(|(_, c)| c.span.map(|s| s[0]))
            .collect::<Vec<u32>>()
    };
    let names = mode(of(|k, n| k == Kind::Text && n > 6))
        .or(name_header)
        .unwrap_or(u32::MAX);
    let mut levels = Vec::new();
    levels.extend(mode(of(|k, _| k == Kind::Level1)));
    levels.extend(mode(of(|k, _| matches!(k, Kind::Level2 | Kind::Level12))));
    (names, levels)
}

/// True when the cell is (part of) a level label: it starts nearer a level
/// label's edge than the names' edge, and is a level name or text a wrapped
/// or garbled label could be.
fn is_label(c: &Cell, k: Kind, names: u32, levels: &[u32]) -> bool {
    let x0 = c.span.unwrap_or_default()[0];
    let nearer = levels
        .iter()
        .any(|l| l.abs_diff(x0) < names.abs_diff(x0) && x0 < names);
    nearer
        && match k {
            Kind::Level1 | Kind::Level2 | Kind::Level12 | Kind::LevelLike | Kind::Short => true,
            Kind::Text => c.key().chars().count() <= 9,
            _ => false,
        }
}

/// Aligns each line; page breaks (blank lines, repeated headers) counted.
#[allow(clippy::too_many_arguments)]
fn parts_of(
    rows: &[&Line],
    header: &Header,
    name_header: Option<u32>,
    anchors: &[(Column, usize, u32)],
    record: &mut Record,
    consumed: &mut Consumed,
    config: &Config,
) -> Vec<LineParts> {
    let (names, level_edges) = edges(rows, name_header, config);
    let levels: Vec<&(Column, usize, u32)> = anchors
        .iter()
        .filter(|a| matches!(a.0, Column::Level1 | Column::Level2))
        .collect();
    let data: Header = header
        .iter()
        .filter(|(c, _)| !matches!(c, Column::Level1 | Column::Level2))
        .copied()
        .collect();
    let mut out = Vec::new();
    let mut page = 0;
    let mut content_on_page = false;
    for line in rows {
        let header_again = is_header(line, config);
        if line.layout == Layout::Blank || line.is_blank() || header_again {
            if header_again {
                for (i, _) in line.filled() {
                    consumed.take(line.number, i);
                }
            }
            if content_on_page {
                page += 1;
                content_on_page = false;
            }
            continue;
        }
        if line.layout == Layout::Rule {
            continue;
        }
        let mut lp = LineParts {
            line: line.number,
            page,
            parts: Vec::new(),
            labels: Vec::new(),
        };
        let mut cells: Vec<(usize, Cell, Kind)> = Vec::new();
        for (i, c) in line.filled() {
            if cells.is_empty() && lp.labels.is_empty() && config.indicators.is_row_section(c.key())
            {
                consumed.take(line.number, i);
                continue;
            }
            let span = c.span.unwrap_or_default();
            let mid = span[0] + span[1];
            let k = kind_of(&c.text, c.key(), config);
            let part = |col: Column| Part {
                col,
                text: c.text.trim().to_string(),
                x: span[0],
                x1: span[1],
                kind: k,
                at: (line.number, i),
            };
            if !levels.is_empty()
                && cells.is_empty()
                && (is_label(c, k, names, &level_edges) || heads_a_name(line, i, k, config))
                && !names_its_row(line, i, k, config)
            {
                let col = match config.levels_of(c.key()) {
                    (true, false) => Column::Level1,
                    (false, true) => Column::Level2,
                    _ => levels
                        .iter()
                        .min_by_key(|a| a.2.abs_diff(mid))
                        .map_or(Column::Level1, |a| a.0),
                };
                lp.labels.push(part(col));
                continue;
            }
            let nearest = anchors
                .iter()
                .filter(|a| !matches!(a.0, Column::Level1 | Column::Level2) || levels.is_empty())
                .min_by_key(|a| a.2.abs_diff(mid))
                .map_or(c.col, |a| a.1);
            let mut v = c.clone();
            v.col = nearest;
            cells.push((i, v, k));
        }
        if let Some((_, first, _)) = cells.first()
            && config.indicators.is_total(first.key())
        {
            let refs: Vec<(usize, &Cell)> = line.filled().collect();
            read_total(line, &refs, header, record, consumed);
            break;
        }
        let used = if levels.is_empty() { header } else { &data };
        let refs: Vec<(usize, &Cell)> = cells.iter().map(|(i, c, _)| (*i, c)).collect();
        let (_, assigned) = columns_of(&refs, used, config);
        for (k, (i, c, kind)) in cells.iter().enumerate() {
            // A cell the alignment left out keeps the column it stands under.
            let col = match assigned[k] {
                Some(j) => used[j].0,
                None => used
                    .iter()
                    .find(|(_, hc)| *hc == c.col)
                    .map_or(Column::Remark, |(t, _)| *t),
            };
            let part = Part {
                col,
                text: c.text.trim().to_string(),
                x: c.span.map_or(0, |s| s[0]),
                x1: c.span.map_or(0, |s| s[1]),
                kind: *kind,
                at: (line.number, *i),
            };
            if matches!(col, Column::Level1 | Column::Level2) {
                lp.labels.push(part);
            } else {
                lp.parts.push(part);
            }
        }
        content_on_page = true;
        out.push(lp);
    }
    out
}

/// True when the cell at `i` is a level name of the vocabulary followed on
/// its line by text: a label printed just left of the row's name, wherever
/// the layout put it.
fn heads_a_name(line: &Line, i: usize, k: Kind, config: &Config) -> bool {
    matches!(k, Kind::Level1 | Kind::Level2 | Kind::Level12)
        && line
            .filled()
            .find(|(j, _)| *j > i)
            .is_some_and(|(_, c)| kind_of(&c.text, c.key(), config) == Kind::Text)
}

/// True when the cell at `i`, short text that is no piece of a level name,
/// is the only text of a line that goes on to a value: the row's name
/// printed left of its edge (a squeezed line), not a label.
fn names_its_row(line: &Line, i: usize, k: Kind, config: &Config) -> bool {
    if !matches!(k, Kind::Short | Kind::Text) {
        return false;
    }
    let key = line.cells[i].key();
    let piece = config
        .level1_names()
        .into_iter()
        .chain(config.level2_names())
        .any(|n| n.contains(key));
    if piece {
        return false;
    }
    let rest: Vec<Kind> = line
        .filled()
        .filter(|(j, _)| *j > i)
        .map(|(_, c)| kind_of(&c.text, c.key(), config))
        .collect();
    rest.iter()
        .any(|k| matches!(k, Kind::Value | Kind::Number(_)))
        && !rest.iter().any(|k| matches!(k, Kind::Text))
}

/// A level label, joined from its pieces when it wrapped.
struct Label {
    col: Column,
    text: String,
    /// The line it stands on (the middle one when it wrapped).
    y: f64,
    cells: Vec<(usize, usize)>,
}

/// The labels of the lines, pieces of a label wrapped in its narrow column
/// (`产出指` / `标`) joined when together they name a level; pieces that
/// together name a header column (a header wrapped around a page break) are
/// taken and dropped.
fn join_labels(lines: &[LineParts], consumed: &mut Consumed, config: &Config) -> Vec<Label> {
    let pieces: Vec<Part> = lines
        .iter()
        .flat_map(|l| l.labels.iter().cloned())
        .collect();
    let mut used = vec![false; pieces.len()];
    let mut out = Vec::new();
    for i in 0..pieces.len() {
        if used[i] {
            continue;
        }
        let p = &pieces[i];
        let key = formsift_model::squeeze(&p.text);
        let mut label = Label {
            col: p.col,
            text: key.clone(),
            y: p.at.0 as f64,
            cells: vec![p.at],
        };
        if config.levels_of(&key) == (false, false) {
            // The next pieces below, under the same edge.
            let mut joined = key.clone();
            let mut ys = vec![p.at.0];
            let mut taken = vec![i];
            for (j, q) in pieces.iter().enumerate().skip(i + 1) {
                if used[j] || q.at.0 == *ys.last().unwrap_or(&0) || q.x.abs_diff(p.x) > EDGE + 2 {
                    continue;
                }
                if q.at.0 > ys.last().unwrap_or(&0) + 3 || ys.len() >= 3 {
                    break;
                }
                joined.push_str(&formsift_model::squeeze(&q.text));
                ys.push(q.at.0);
                taken.push(j);
                let level = config.is_level1(&joined) || config.is_level2(&joined);
                if level || config.indicators.header(&joined).is_some() {
                    for &t in &taken {
                        used[t] = true;
                    }
                    if !level {
                        for &t in &taken {
                            consumed.take(pieces[t].at.0, pieces[t].at.1);
                        }
                        label.cells.clear();
                        break;
                    }
                    label.text = joined.clone();
                    label.col = match config.levels_of(&joined) {
                        (true, false) => Column::Level1,
                        (false, true) => Column::Level2,
                        _ => p.col,
                    };
                    label.y = ys.iter().sum::<usize>() as f64 / ys.len() as f64;
                    label.cells = taken.iter().map(|&t| pieces[t].at).collect();
                    break;
                }
            }
        }
        used[i] = true;
        if !label.cells.is_empty() {
            out.push(label);
        }
    }
    out
}

/// How the table tells a new row from a wrapped one.
struct Rows {
    /// The table numbers its names (`指标 1：`).
    ordinals: bool,
    /// The widest name piece (display columns): a piece about as wide filled
    /// its cell, so the name may go on below.
    widest: u32,
    /// The widest piece of each column.
    widest_of: Vec<(Column, u32)>,
    /// Where most names start: a name's first line printed after level
    /// labels may be pushed right of it, its tail is not.
    edge: u32,
}

impl Rows {
    /// True when the line goes on from full cells of the row above: a name
    /// and a text value (words, no figures) whose last pieces filled their
    /// columns, and on this line a piece at the edge of each (a name pushed
    /// right by level labels on the line may stand a little right of its
    /// edge). Both the name and its value wrapped. A name alone may fill its
    /// column without wrapping (a column as wide as its longest name), so a
    /// text value must have filled its own too.
    fn goes_on(&self, lp: &LineParts, cur: &Acc) -> bool {
        let widest = |col: Column| {
            self.widest_of
                .iter()
                .find(|(c, _)| *c == col)
                .map_or(0, |(_, w)| *w)
        };
        let full = |col: Column| cur.has(col) && cur.width_of(col) + EDGE >= widest(col);
        let words = |col: Column| {
            cur.text_of(col).is_some_and(|t| {
                !t.chars().any(|c| c.is_ascii_digit()) && cur.width_of(col) >= WORDS
            })
        };
        // A value whose bracket is still open (`≥500.00(人`) goes on below.
        let unclosed = |col: Column| {
            cur.text_of(col).is_some_and(|t| {
                let open = t.chars().filter(|c| matches!(c, '(' | '（')).count();
                open > t.chars().filter(|c| matches!(c, ')' | '）')).count()
            })
        };
        // The rest of a name shorter than its column lets a layout pull the
        // rest of the value left towards it.
        let narrow_name = lp
            .parts
            .iter()
            .find(|p| p.col == Column::Name)
            .filter(|n| n.width() + EDGE < self.widest)
            .map(|n| n.x1);
        full(Column::Name)
            && lp.parts.iter().any(|p| p.col != Column::Name)
            && lp.parts.iter().all(|p| {
                let Some(x) = cur.x_of(p.col) else {
                    return false;
                };
                // A name's rest moves with the labels before it on its
                // line: right of the edge when they reach it, left of it when
                // they are narrower than those before the name's first line.
                let pushed = p.col == Column::Name
                    && (pushed_right(lp, p, x) || (p.x < x && !lp.labels.is_empty()));
                let pulled =
                    p.col != Column::Name && p.x < x && narrow_name.is_some_and(|end| p.x > end);
                // The same words again are the next row's value.
                let again = cur.text_of(p.col) == Some(p.text.as_str());
                // Words wrap into words: a quantity (`≥90.00%`) under a
                // value in words is the next row's.
                let quantity = p.kind == Kind::Value;
                (x.abs_diff(p.x) <= EDGE || pushed || pulled)
                    && !again
                    && (p.col == Column::Name && full(p.col)
                        || full(p.col) && words(p.col) && !quantity
                        || unclosed(p.col))
            })
    }

    /// True when the line's name starts a row: a name with an ordinal where
    /// the table numbers its names; else (and below a row whose name has no
    /// ordinal, in a table that numbers only some) a name that neither
    /// continues the open name of the row above (same edge, below a full
    /// line) nor is a short tail or a value printed mid-row.
    fn starts(&self, lp: &LineParts, cur: Option<&Acc>, config: &Config) -> bool {
        let Some(name) = lp.parts.iter().find(|p| p.col == Column::Name) else {
            return false;
        };
        let numbered = |t: &str| config.indicators.ordinal.is_match(t);
        if self.ordinals {
            if numbered(&name.text) {
                return true;
            }
            if cur.is_some_and(|c| c.d.name.as_deref().is_some_and(numbered)) {
                return false;
            }
        }
        let Some(cur) = cur else {
            return true;
        };
        if fragment(lp, cur) || self.goes_on(lp, cur) {
            return false;
        }
        // The row's whole name again: a row of the same name (a name does
        // not wrap into itself).
        if cur.text_of(Column::Name) == Some(name.text.as_str()) {
            return true;
        }
        // A value for a cell the row above has filled, not as its next
        // line: a row of its own.
        if lp
            .parts
            .iter()
            .any(|p| p.col != Column::Name && cur.has(p.col))
        {
            return true;
        }
        let open = cur.width_of(Column::Name) + EDGE >= self.widest;
        let cur_x = cur.x_of(Column::Name).unwrap_or(0);
        let alone = lp.parts.len() == 1;
        // Below a full line, at its edge: the rest of the name; a long rest
        // only while the row's value is still to come (a value printed on
        // the name's first line leaves short tails at most).
        let short = name.text.chars().count() <= 6;
        // A line on its own that does not fill the column ends the name
        // above, even when the row's value came on the name's first line.
        let ends = alone && name.width() + EDGE < self.widest;
        let pushed = ends && cur_x > name.x && name.x.abs_diff(self.edge) <= EDGE;
        let below = name.x.abs_diff(cur_x) <= EDGE || pushed || pushed_right(lp, name, cur_x);
        if open && below && (short || ends || !cur.has(Column::Target)) {
            return false;
        }
        if alone && short {
            return false;
        }
        // Well right of the row's open name, with no level label pushing it
        // there: the row's values, printed centred on its wrapped name (the
        // alignment may have shifted them a column).
        let values = alone
            || lp.labels.is_empty()
            || valueish(name.kind)
            || !lp.parts.iter().any(|p| p.col == Column::Target);
        !(open && values && name.x >= cur_x + AWAY && !cur.has(Column::Target))
    }
}

/// True when the piece stands right of the names' edge `x` because labels
/// on its line reach that edge and pushed it there.
fn pushed_right(lp: &LineParts, p: &Part, x: u32) -> bool {
    p.x > x && p.x < x + 2 * AWAY && lp.labels.iter().any(|l| l.x1 + EDGE >= x)
}

/// True when the line's name, below the row's name (not a value printed
/// mid-row), is two characters or fewer: no indicator is named so briefly,
/// so it is the rest of the row's name that wrapped.
fn fragment(lp: &LineParts, cur: &Acc) -> bool {
    let Some(name_x) = cur.x_of(Column::Name) else {
        return false;
    };
    lp.parts
        .iter()
        .find(|p| p.col == Column::Name)
        .is_some_and(|p| {
            p.x < name_x + AWAY && p.text.chars().filter(|c| !c.is_whitespace()).count() <= 2
        })
}

fn valueish(k: Kind) -> bool {
    matches!(k, Kind::Value | Kind::Number(_) | Kind::Short)
}

/// Groups the lines' parts into rows.
fn assemble(lines: &[LineParts], header: &Header, config: &Config) -> Vec<Acc> {
    let names = || {
        lines
            .iter()
            .flat_map(|l| &l.parts)
            .filter(|p| p.col == Column::Name)
    };
    let table = Rows {
        ordinals: names()
            .filter(|p| config.indicators.ordinal.is_match(&p.text))
            .count()
            >= 2,
        widest: names().map(Part::width).max().unwrap_or(0),
        widest_of: {
            let mut w: Vec<(Column, u32)> = Vec::new();
            for p in lines.iter().flat_map(|l| &l.parts) {
                match w.iter_mut().find(|(c, _)| *c == p.col) {
                    Some((_, m)) => *m = (*m).max(p.width()),
                    None => w.push((p.col, p.width())),
                }
            }
            w
        },
        edge: {
            let xs: Vec<u32> = names().map(|p| p.x).collect();
            let near = |x: u32| xs.iter().filter(|y| y.abs_diff(x) <= 2).count();
            xs.iter()
                .copied()
                .max_by_key(|&x| (near(x), u32::MAX - x))
                .unwrap_or(0)
        },
    };
    let has_col = |c: Column| header.iter().any(|(k, _)| *k == c);
    let mut rows: Vec<Acc> = Vec::new();
    let mut pending: Vec<Part> = Vec::new();
    for (idx, lp) in lines.iter().enumerate() {
        if lp.parts.is_empty() {
            continue;
        }
        if table.starts(lp, rows.last(), config) {
            let after_break = rows.last().is_some_and(|r| r.page != lp.page);
            let mut acc = Acc {
                d: Draft {
                    lines: [lp.line, lp.line],
                    after_break,
                    ..Draft::default()
                },
                xs: Vec::new(),
                page: lp.page,
                pieces: Vec::new(),
                widths: Vec::new(),
            };
            for p in &lp.parts {
                if !acc.put(p) {
                    acc.append(p.col, p);
                }
            }
            // Pieces printed above the line (a value centred on a row whose
            // other cells wrap) belong to it; one well right of its name that
            // the alignment took for a name is its value.
            let name_x = acc.x_of(Column::Name);
            for p in pending.drain(..) {
                let far = name_x.is_some_and(|x| p.col == Column::Name && p.x >= x + AWAY);
                if far && acc.put_value(&p, &has_col) {
                    continue;
                }
                if !acc.put(&p) {
                    acc.prepend(&p);
                }
            }
            rows.push(acc);
            continue;
        }
        let next = lines[idx + 1..].iter().find(|l| !l.parts.is_empty());
        let next_lacks = |c: Column, cur: &Acc| {
            next.is_some_and(|n| {
                table.starts(n, Some(cur), config) && !n.parts.iter().any(|p| p.col == c)
            })
        };
        // A line whose name is a fragment, or whose pieces go on from the
        // row's full cells: the next line of a row whose cells wrapped.
        if let Some(cur) = rows.last_mut()
            && (fragment(lp, cur) || table.goes_on(lp, cur))
        {
            for p in &lp.parts {
                let col = if cur.slot(p.col).is_some() {
                    p.col
                } else {
                    Column::Remark
                };
                if !cur.append(col, p) {
                    pending.push(p.clone());
                }
            }
            cur.d.flag("wrap_guessed");
            continue;
        }
        for p in &lp.parts {
            let Some(cur) = rows.last_mut() else {
                pending.push(p.clone());
                continue;
            };
            // The tail of a cell wrapped onto this line shares its left edge;
            // unless the next row lacks that cell and this is its head (a
            // unit in brackets heads no value: it ends the one above).
            let unit = p.text.starts_with(['(', '（']);
            // A value the row already holds whole (its brackets closed),
            // given more that is no unit: a value of its own, perhaps.
            let more_value = |cur: &Acc, col: Column| {
                col != Column::Name
                    && col != Column::Remark
                    && !unit
                    && cur.text_of(col).is_some_and(|t| {
                        let open = t.chars().filter(|c| matches!(c, '(' | '（')).count();
                        open == t.chars().filter(|c| matches!(c, ')' | '）')).count()
                    })
            };
            if let Some(col) = cur.edge_of(p.x)
                && !(col != Column::Name && next_lacks(col, cur) && !unit)
                && let more = more_value(cur, col)
                && cur.append(col, p)
            {
                // A numbered table's rows start at their numbers: a tail
                // joined to a numbered row is one; to a row without a
                // number, or as more of a whole value, the edge alone
                // judged it.
                let numbered = cur
                    .d
                    .name
                    .as_deref()
                    .is_some_and(|n| config.indicators.ordinal.is_match(n));
                if !(table.ordinals && numbered) || more {
                    cur.d.flag("wrap_guessed");
                }
                continue;
            }
            let name_x = cur.x_of(Column::Name).unwrap_or(0);
            // The tail of a name whose first line was pushed right, or that
            // labels on its own line pushed right.
            let left = p.x < name_x && p.x.abs_diff(table.edge) <= EDGE;
            if p.col == Column::Name
                && lp.parts.len() == 1
                && (left || pushed_right(lp, p, name_x))
                && cur.append(Column::Name, p)
            {
                cur.d.flag("wrap_guessed");
                continue;
            }
            if (p.col != Column::Name || p.x < name_x + AWAY) && cur.put(p) {
                continue;
            }
            // A value printed mid-row, well right of the row's name, that
            // the alignment took for a name: the value of a wrapped row.
            if p.x >= name_x + AWAY && cur.put_value(p, &has_col) {
                continue;
            }
            pending.push(p.clone());
        }
    }
    if let Some(last) = rows.last_mut() {
        for p in pending.drain(..) {
            if !last.put(&p) {
                last.append(p.col, &p);
            }
        }
    }
    rows
}

impl Part {
    /// Display columns the piece covers, as the reader measured them.
    fn width(&self) -> u32 {
        self.x1.saturating_sub(self.x)
    }
}

impl Acc {
    /// Puts a piece the alignment took for a name into the first value
    /// cell (of the header's, `has_col`) still empty that it can fill.
    fn put_value(&mut self, p: &Part, has_col: &impl Fn(Column) -> bool) -> bool {
        let spare = [
            Column::Target,
            Column::Actual,
            Column::Weight,
            Column::Score,
        ]
        .into_iter()
        .filter(|c| has_col(*c) && !self.has(*c))
        .find(|c| {
            !matches!(c, Column::Weight | Column::Score) || matches!(p.kind, Kind::Number(_))
        });
        let Some(col) = spare.filter(|c| valueish(p.kind) || *c == Column::Target) else {
            return false;
        };
        let mut q = p.clone();
        q.col = col;
        self.put(&q)
    }

    fn has(&self, col: Column) -> bool {
        let d = &self.d;
        match col {
            Column::Level1 => d.l1.is_some(),
            Column::Level2 => d.l2.is_some(),
            Column::Name => d.name.is_some(),
            Column::Target => d.target.is_some(),
            Column::Actual => d.actual.is_some(),
            Column::Weight => d.weight.is_some(),
            Column::Score => d.score.is_some(),
            Column::Remark => d.remark.is_some(),
        }
    }

    /// Width of the cell's last piece (0 when empty).
    fn width_of(&self, col: Column) -> u32 {
        self.widths
            .iter()
            .find(|(c, _)| *c == col)
            .map_or(0, |(_, w)| *w)
    }

    /// The text of a text cell.
    fn text_of(&self, col: Column) -> Option<&str> {
        let d = &self.d;
        match col {
            Column::Name => d.name.as_deref(),
            Column::Target => d.target.as_deref(),
            Column::Actual => d.actual.as_deref(),
            Column::Remark => d.remark.as_deref(),
            _ => None,
        }
    }

    fn x_of(&self, col: Column) -> Option<u32> {
        self.xs.iter().find(|(c, _)| *c == col).map(|(_, x)| *x)
    }

    /// The text cell whose left edge is nearest `x`, within [`EDGE`].
    fn edge_of(&self, x: u32) -> Option<Column> {
        self.xs
            .iter()
            .filter(|(c, _)| !matches!(c, Column::Weight | Column::Score))
            .map(|(c, cx)| (*c, cx.abs_diff(x)))
            .filter(|(_, d)| *d <= EDGE)
            .min_by_key(|(_, d)| *d)
            .map(|(c, _)| c)
    }

    fn took(&mut self, col: Column, p: &Part) {
        match self.widths.iter_mut().find(|(c, _)| *c == col) {
            Some((_, w)) => *w = p.width(),
            None => self.widths.push((col, p.width())),
        }
        match self.pieces.iter_mut().find(|(c, _)| *c == col) {
            Some((_, n)) => *n += 1,
            None => self.pieces.push((col, 1)),
        }
        self.d.cells.push(p.at);
        self.d.lines[0] = self.d.lines[0].min(p.at.0);
        self.d.lines[1] = self.d.lines[1].max(p.at.0);
    }

    /// Puts the part into its empty cell; false when the cell is taken.
    fn put(&mut self, p: &Part) -> bool {
        if self.has(p.col) {
            return false;
        }
        let d = &mut self.d;
        let text = p.text.clone();
        match p.col {
            Column::Level1 | Column::Level2 => return false,
            Column::Name => d.name = Some(text),
            Column::Target => d.target = Some(text),
            Column::Actual => d.actual = Some(text),
            Column::Weight => match parse_amount(&text) {
                Some(v) => d.weight = Some(v),
                None => return false,
            },
            Column::Score => match parse_amount(&text) {
                Some(v) => d.score = Some(v),
                None => return false,
            },
            Column::Remark => d.remark = Some(text),
        }
        self.xs.push((p.col, p.x));
        self.took(p.col, p);
        true
    }

    fn slot(&mut self, col: Column) -> Option<&mut Option<String>> {
        let d = &mut self.d;
        match col {
            Column::Name => Some(&mut d.name),
            Column::Target => Some(&mut d.target),
            Column::Actual => Some(&mut d.actual),
            Column::Remark => Some(&mut d.remark),
            _ => None,
        }
    }

    /// Joins the part as the next line of the text cell `col`.
    fn append(&mut self, col: Column, p: &Part) -> bool {
        let Some(slot) = self.slot(col) else {
            return false;
        };
        push_wrapped(slot.get_or_insert_default(), &p.text);
        self.d.flag("row_joined");
        self.took(col, p);
        true
    }

    /// Joins the part as the line before the text cell of its column.
    fn prepend(&mut self, p: &Part) -> bool {
        let Some(slot) = self.slot(p.col) else {
            return false;
        };
        let joined = join_wrapped(&p.text, slot.as_deref().unwrap_or(""));
        *slot = Some(joined);
        self.d.flag("row_joined");
        self.took(p.col, p);
        true
    }

    /// Height in text lines.
    fn height(&self) -> usize {
        self.pieces.iter().map(|(_, n)| *n).max().unwrap_or(1)
    }
}

/// A row's place: its lines, page, and its extent in text lines (`u0`,
/// `h`): a converter gives a value centred on a wrapped row a line of its
/// own, so lines overstate how tall a row stood.
struct Geom {
    a: usize,
    b: usize,
    page: usize,
    u0: f64,
    h: f64,
    /// The rows of its page, `[first, past last]`, when pages come in
    /// order down the rows (else `[usize::MAX, 0]`): set by [`page_runs`].
    run: [usize; 2],
}

/// Sets each row's [`Geom::run`]: where pages go down in order, the rows
/// of a page are one run, found at once instead of looked for row by row.
fn page_runs(mut rows: Vec<Geom>) -> Vec<Geom> {
    let ordered = rows.windows(2).all(|w| w[0].page <= w[1].page);
    let mut start = 0;
    for r in 0..rows.len() {
        if r + 1 == rows.len() || rows[r + 1].page != rows[r].page {
            for g in &mut rows[start..=r] {
                g.run = if ordered {
                    [start, r + 1]
                } else {
                    [usize::MAX, 0]
                };
            }
            start = r + 1;
        }
    }
    rows
}

/// The rows `s..e` of page `page`, `[first, past last]`, when there are
/// any (rows' runs set, [`page_runs`]).
fn rows_of_page(rows: &[Geom], page: usize, s: usize, e: usize) -> Option<[usize; 2]> {
    let mut r = s;
    while r < e {
        let end = rows[r].run[1].min(e);
        match rows[r].page.cmp(&page) {
            std::cmp::Ordering::Equal => return Some([r, end]),
            std::cmp::Ordering::Greater => return None,
            std::cmp::Ordering::Less => r = end,
        }
    }
    None
}

/// Where line `y` stands in text lines: inside a row, in proportion; between
/// rows, at the border.
#[cfg(test)]
fn position(y: f64, rows: &[Geom]) -> f64 {
    position_in(y, rows, lines_in_order(rows))
}

/// Whether rows go down the lines in order, each after the one before.
fn lines_in_order(rows: &[Geom]) -> bool {
    rows.windows(2).all(|w| w[0].a <= w[0].b && w[0].b < w[1].a)
}

/// [`position`], told whether the rows are [`lines_in_order`]: the first
/// row that ends at or below the line is then found by halving (a table of
/// thousands of rows has thousands of labels), else row by row.
fn position_in(y: f64, rows: &[Geom], ordered: bool) -> f64 {
    let at = if ordered {
        Some(rows.partition_point(|r| (r.b as f64) < y)).filter(|&k| k < rows.len())
    } else {
        rows.iter().position(|r| y < r.a as f64 || y <= r.b as f64)
    };
    match at.map(|k| &rows[k]) {
        Some(r) if y < r.a as f64 => r.u0,
        Some(r) => {
            let lines = (r.b - r.a + 1) as f64;
            r.u0 + r.h * (y - r.a as f64 + 0.5) / lines
        }
        None => rows.last().map_or(0.0, |r| r.u0 + r.h),
    }
}

/// The `指标N` ordinal a name starts with.
fn ordinal_of(name: &str, config: &Config) -> Option<i64> {
    let c = config.indicators.ordinal.captures(name)?;
    formsift_values::fold(c.get(1)?.as_str()).parse().ok()
}

/// How a table numbers its rows, when its numbering starts again at 1
/// (`指标1`, `指标2`, `指标1`…): then it starts again with each group of
/// level 2, and a group that starts at a row numbered past 1, or holds a
/// row numbered 1 after its first, is unlikely. Tables numbered once
/// through, or not at all, say nothing.
struct Numbering {
    /// Each row's ordinal; empty when the numbering does not start again.
    numbers: Vec<Option<i64>>,
    /// How many of the rows before each are numbered 1 (one more entry
    /// than `numbers`).
    ones: Vec<usize>,
}

impl Numbering {
    /// The rows' ordinals count only when every numbered row goes on from
    /// the one before or starts again at 1, and some start again (a
    /// department's form that lists projects' rows under their own
    /// numbers, `3, 4, 2, 1, 1`, says nothing).
    fn of(numbers: Vec<Option<i64>>) -> Numbering {
        let mut prev = 0;
        let mut restarts = 0;
        for &n in numbers.iter().flatten() {
            if n == 1 && prev > 0 {
                restarts += 1;
            } else if n != prev + 1 {
                return Numbering {
                    numbers: Vec::new(),
                    ones: vec![0],
                };
            }
            prev = n;
        }
        let numbers = if restarts > 0 { numbers } else { Vec::new() };
        let ones = std::iter::once(0)
            .chain(numbers.iter().scan(0, |c, n| {
                *c += usize::from(*n == Some(1));
                Some(*c)
            }))
            .collect();
        Numbering { numbers, ones }
    }

    /// Rows numbered against a group of rows `s..e` starting there (text
    /// lines of cost each): its first past 1, and (`inner`) rows numbered
    /// 1 after it.
    fn misfits(&self, s: usize, e: usize, inner: bool) -> f64 {
        let at = |r: usize| self.numbers.get(r).copied().flatten();
        let start = f64::from(at(s).is_some_and(|n| n > 1));
        let restarts = if inner {
            // Rows `s + 1..e` numbered 1, counted in [`Numbering::ones`].
            let len = self.numbers.len();
            let (from, to) = ((s + 1).min(len), e.min(len));
            self.ones[to.max(from)] - self.ones[from]
        } else {
            0
        } as f64;
        NUMBERING * (start + restarts)
    }
}

/// Gives each level label to the first row of its group.
fn place_labels(labels: &[Label], lines: &[LineParts], rows: &mut [Acc], numbering: &Numbering) {
    // (Lines come in order: the last at or above `y` is found by halving.)
    let lines_ordered = lines.windows(2).all(|w| w[0].line <= w[1].line);
    let page_of = |y: f64| {
        let at = if lines_ordered {
            lines.partition_point(|l| l.line as f64 <= y).checked_sub(1)
        } else {
            lines.iter().rposition(|l| l.line as f64 <= y)
        };
        at.map(|k| &lines[k])
            .or(lines.first())
            .map_or(0, |l| l.page)
    };
    let mut u = 0.0;
    let geom: Vec<Geom> = rows
        .iter()
        .map(|r| {
            let h = r.height() as f64;
            let g = Geom {
                a: r.d.lines[0],
                b: r.d.lines[1],
                page: r.page,
                u0: u,
                h,
                run: [0, 0],
            };
            u += h;
            g
        })
        .collect();
    let geom = page_runs(geom);
    let ordered = lines_in_order(&geom);
    let of = |col: Column| -> Vec<(f64, usize)> {
        labels
            .iter()
            .filter(|l| l.col == col)
            .map(|l| (position_in(l.y, &geom, ordered), page_of(l.y)))
            .collect()
    };
    let (l2, l1) = (of(Column::Level2), of(Column::Level1));
    let all_cuts = vec![true; rows.len() + 1];
    let fit2 = fit(&l2, &geom, &all_cuts, &|s, e| numbering.misfits(s, e, true));
    let mut cuts2 = vec![l2.is_empty(); rows.len() + 1];
    cuts2[0] = true;
    cuts2[rows.len()] = true;
    for s in fit2.groups.iter().filter_map(|g| g.0) {
        cuts2[s] = true;
    }
    let fit1 = fit(&l1, &geom, &cuts2, &|s, e| numbering.misfits(s, e, false));
    // A row a neighbouring group fits about as well: its levels are a guess.
    for &r in fit2.doubtful.iter().chain(&fit1.doubtful) {
        rows[r].d.flag("level_offcentre");
    }
    let (starts2, starts1) = (fit2.groups, fit1.groups);
    let by_col = |col: Column| labels.iter().filter(move |l| l.col == col);
    let n = rows.len();
    for (labels, starts) in [
        (by_col(Column::Level2), starts2),
        (by_col(Column::Level1), starts1),
    ] {
        let next: Vec<usize> = starts
            .iter()
            .skip(1)
            .map(|g| g.0.unwrap_or(n))
            .chain([n])
            .collect();
        for ((l, (s, cost)), e) in labels.zip(starts).zip(next) {
            let Some(s) = s.filter(|s| *s < n) else {
                continue;
            };
            // A label far from where its group would print it: the group's
            // bounds are a guess.
            if cost > OFFCENTRE {
                for r in &mut rows[s..e.max(s + 1).min(n)] {
                    r.d.flag("level_offcentre");
                }
            }
            let row = &mut rows[s];
            let slot = if l.col == Column::Level1 {
                &mut row.d.l1
            } else {
                &mut row.d.l2
            };
            if slot.is_none() {
                *slot = Some(l.text.clone());
                row.d.cells.extend(l.cells.iter().copied());
            }
        }
    }
}

/// How far (text lines) label `l` (position, page) stands from the middle
/// of rows `s..e` on its page.
fn centred(rows: &[Geom], (y, page): (f64, usize), s: usize, e: usize) -> f64 {
    let (lo, hi) = if rows[s].run[0] == usize::MAX {
        let on_page = rows[s..e].iter().filter(|r| r.page == page);
        let lo = on_page.clone().map(|r| r.u0).reduce(f64::min);
        (lo, on_page.map(|r| r.u0 + r.h).reduce(f64::max))
    } else {
        // (Rows stand one under the other: the run's first is the highest,
        // its last the lowest.)
        match rows_of_page(rows, page, s, e) {
            Some([a, b]) => (Some(rows[a].u0), Some(rows[b - 1].u0 + rows[b - 1].h)),
            None => (None, None),
        }
    };
    match (lo, hi) {
        (Some(lo), Some(hi)) => (y - (lo + hi) / 2.0).abs(),
        _ => 1e6,
    }
}

/// [`centred`], except that a converter prints the label of a group that
/// runs to a page break at the group's top, not its centre: such a group
/// may take either. (The cost reported stays the distance from the centre,
/// so a group fitted by its top there is still in doubt.)
fn centred_or_broken(rows: &[Geom], l: (f64, usize), s: usize, e: usize) -> f64 {
    let c = centred(rows, l, s, e);
    let at_break =
        rows[s].page != rows[e - 1].page || rows.get(e).is_some_and(|r| r.page != rows[e - 1].page);
    if at_break { c.min(top(rows, l, s)) } else { c }
}

/// How far label `l` stands from the top of row `s`: nothing just above
/// the row or on its (first) line.
fn top(rows: &[Geom], (y, _): (f64, usize), s: usize) -> f64 {
    let r = &rows[s];
    if y >= r.u0 - 1.0 && y < r.u0 + r.h.min(2.0) {
        0.0
    } else {
        (y - r.u0).abs() + 2.0
    }
}

/// A fitting of labels to groups of rows: each label's first row and how
/// far the label stands from where its group would print it, and the rows
/// that a group next to theirs would take at little more cost.
struct Fit {
    groups: Vec<(Option<usize>, f64)>,
    doubtful: Vec<usize>,
}

/// The first row of each label's group, and how far (text lines) the label
/// stands from where its group would print it: the contiguous grouping of rows
/// (cuts only where `cuts` allows) whose labels (position in text lines,
/// page) stand nearest their groups' centres on the label's page, or at
/// their tops, whichever fits better; `numbering` adds the cost of a group
/// against the rows' numbers. Rows before the first group keep the level in
/// force.
fn fit(
    labels: &[(f64, usize)],
    rows: &[Geom],
    cuts: &[bool],
    numbering: &dyn Fn(usize, usize) -> f64,
) -> Fit {
    if labels.is_empty() {
        return Fit {
            groups: Vec::new(),
            doubtful: Vec::new(),
        };
    }
    let (k, n) = (labels.len() as u64, rows.len() as u64);
    if k.saturating_mul(n).saturating_mul(n) / 2 > FIT_BUDGET {
        return heads(labels, rows);
    }
    let either = |l, s, e| centred_or_broken(rows, l, s, e) + numbering(s, e);
    let c = dp(labels, rows.len(), cuts, &either);
    let t = dp(labels, rows.len(), cuts, &|l, s, e| {
        top(rows, l, s) + numbering(s, e)
    });
    let best = match (c, t) {
        // A label centred on a group is also at the top of some row, so the
        // top reading fits every table well: it wins only by a clear margin.
        (Some(c), Some(t)) if t.0 + TOP_MARGIN * (labels.len() as f64) < c.0 => Some((t.1, true)),
        (Some(c), _) => Some((c.1, false)),
        (None, t) => t.map(|t| (t.1, true)),
    };
    match best {
        Some((starts, at_top)) => {
            let n = rows.len();
            let groups = (0..starts.len())
                .map(|j| {
                    let (s, e) = (starts[j], starts.get(j + 1).copied().unwrap_or(n));
                    let cost = if at_top {
                        top(rows, labels[j], s)
                    } else {
                        centred(rows, labels[j], s, e)
                    };
                    (Some(s), cost)
                })
                .collect();
            // Labels that all stand on rows' lines cannot show an even
            // group's middle, which lies between two rows: such a group
            // reads as well one row shorter. A label standing between rows
            // shows the converter prints middles where they fall.
            let between = labels.iter().any(|&(y, _)| between_rows(rows, y));
            let doubtful = if at_top || between {
                Vec::new()
            } else {
                near_ties(labels, n, cuts, &starts, &either)
            };
            Fit { groups, doubtful }
        }
        // More labels than rows.
        None => heads(labels, rows),
    }
}

/// The groupings [`fit`] weighs, `labels × rows² / 2` of them, that it
/// weighs at most (a few tenths of a second). A table of a thousand rows,
/// each with its labels, asks for ten times as many; it gets [`heads`].
const FIT_BUDGET: u64 = 50_000_000;

/// Each label heads the next row after it, at a cost past any
/// [`OFFCENTRE`] (its group's rows are flagged): the fitting when there are
/// more labels than rows, or when weighing the groupings would cost more
/// than [`FIT_BUDGET`].
fn heads(labels: &[(f64, usize)], rows: &[Geom]) -> Fit {
    Fit {
        groups: labels
            .iter()
            .map(|(y, _)| {
                // (Rows stand one under the other: their bottoms go down.)
                let r = rows.partition_point(|r| r.u0 + r.h <= *y);
                ((r < rows.len()).then_some(r), f64::INFINITY)
            })
            .collect(),
        doubtful: Vec::new(),
    }
}

/// Whether position `y` (text lines) is a border between two rows rather
/// than inside one.
fn between_rows(rows: &[Geom], y: f64) -> bool {
    rows.iter().skip(1).any(|r| (r.u0 - y).abs() < 1e-9)
}

/// The rows that would change group, at a cost of at most [`NEAR_TIE`]
/// more, if a border between two groups moved one row up or down. A label
/// a converter centred on an even group stands half a line off its middle:
/// it fits a group one row shorter as well, with the neighbouring group
/// taking the row.
fn near_ties(
    labels: &[(f64, usize)],
    n: usize,
    cuts: &[bool],
    starts: &[usize],
    cost: &impl Fn((f64, usize), usize, usize) -> f64,
) -> Vec<usize> {
    let mut out = Vec::new();
    for j in 1..starts.len() {
        let (prev, s) = (starts[j - 1], starts[j]);
        let end = starts.get(j + 1).copied().unwrap_or(n);
        let now = cost(labels[j - 1], prev, s) + cost(labels[j], s, end);
        for moved in [s - 1, s + 1] {
            if moved <= prev || moved >= end || !cuts[moved] {
                continue;
            }
            let then = cost(labels[j - 1], prev, moved) + cost(labels[j], moved, end);
            if then <= now + NEAR_TIE {
                out.push(s.min(moved));
            }
        }
    }
    out
}

/// Least total cost of giving label `j` the rows `s_j..s_{j+1}` (and the
/// rows before `s_0` none); the cost and the starts.
fn dp(
    labels: &[(f64, usize)],
    n: usize,
    cuts: &[bool],
    cost: &impl Fn((f64, usize), usize, usize) -> f64,
) -> Option<(f64, Vec<usize>)> {
    let k = labels.len();
    if k > n {
        return None;
    }
    const NONE: f64 = f64::INFINITY;
    // f[j][u]: labels 0..j placed, their groups ending at row u.
    let mut f = vec![vec![NONE; n + 1]; k + 1];
    let mut from = vec![vec![0usize; n + 1]; k + 1];
    for (u, slot) in f[0].iter_mut().enumerate() {
        if cuts[u] {
            *slot = UNLABELLED * u as f64;
        }
    }
    for j in 1..=k {
        for u in 1..=n {
            if !cuts[u] {
                continue;
            }
            for s in (j - 1)..u {
                if !cuts[s] || f[j - 1][s] == NONE {
                    continue;
                }
                let c = f[j - 1][s] + cost(labels[j - 1], s, u);
                if c < f[j][u] {
                    f[j][u] = c;
                    from[j][u] = s;
                }
            }
        }
    }
    if f[k][n] == NONE {
        return None;
    }
    let mut starts = vec![0; k];
    let mut u = n;
    for j in (1..=k).rev() {
        let s = from[j][u];
        starts[j - 1] = s;
        u = s;
    }
    Some((f[k][n], starts))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A made-up form as `pdftotext -layout` prints it: the level 2 label
    /// halfway down its four rows (on the line of a wrapped name's tail),
    /// the level 1 label between groups, a value centred between the two
    /// lines of a wrapped name, names not numbered.
    const FORM: &str = "财政项目支出绩效目标申报表
项目名称        河道保洁
 一级指标        二级指标                 三级指标          年度指标值
                       河道保洁覆盖公里数                   >=120 公里
                       保洁作业班组每日巡查河段并记录漂浮物清
                                             >=300 次
        数量指标           理次数
                       垃圾清运车次                     >=80 车次
                       保洁人员培训人次                   >=40 人次
产出指标
        质量指标           水面漂浮物清除率                    >=95%
效益指标    生态效益指标         河道水质改善                      改善
";

    /// A department form: the first group's names are not numbered and wrap
    /// around their level 2 labels, the next group's are.
    const MIXED: &str = "部门整体支出绩效目标申报表
部门名称 上海市某区总工会
 一级指标       二级指标                三级指标                   年度指标值
                   根据沪财绩【2022】13 号文的规定要求设置三级指标和
        预算编审管理
                   指标值
                   根据沪财绩【2022】13 号文的规定要求设置三级指标和
        预算执行管理
                   指标值
                   指标 1：岗位配置到位率                   =109.00(人)
产出指标    数量指标
                   指标 2：退休职工元旦春节送温暖人数             ≥280.00(人)
";

    /// Names no longer than level labels (a spreadsheet printed with its
    /// names cut at the cell's edge), labels at the bottom of their rows.
    const SHORT: &str = "财政项目支出绩效目标申报表
一级指标        二级指标        三级指标      年度指标值
成本指标        经济成本指标    教师课时费    按实发放
                                年度开设班级  ≥100.00(个)
                数量指标        年度招收学员  ≥3000.00(人次)
产出指标        质量指标        年度招生计划  =100(%)
";

    /// Long names whose value came on the first line, the rest of the name
    /// on the line below, names not numbered.
    const TAIL: &str = "财政项目支出绩效目标申报表
 一级指标       二级指标      三级指标                                       年度指标值
产出指标    数量指标     示范指导和组织区退管会社区为老服务活动的开展                   ≥4.00(场)
                示范引领和组织动员全市各级退管组织开展“冬送温暖夏送清凉 ≥500.00(人次)
                重阳送温情”系列帮困关爱工作
                组织开展千名老人免费体检实事项目                         ≥1000.00(人)
";

    /// A name printed after its row's level labels, so pushed right of the
    /// names' edge; its value centred on a line of its own and the rest of
    /// the name back at the edge.
    const PUSHED: &str = "财政项目支出绩效目标申报表
一级指标        二级指标                  三级指标                                 年度指标值
                    上报信息及时                              及时
       时效指标
                    资金到位及时                              及时
效益指标 社会效益指标         减轻本市支援外地建设退休(职)回沪定居特
                                         加大帮扶力度，减轻生活困难
                    困人员生活困难
                    保障中单厂支内退休职工养老和医疗待遇 及时足额发放
";

    /// The last two characters of a name on the next line, with the rest of
    /// its value and of its wrapped labels, all moved left by the squeeze.
    const FRAGMENT: &str = "财政项目支出绩效目标申报表
一级指标        二级指标                 三级指标                                   年度指标值
                     得益面广                                促进社会和谐稳定
       可持续影响指标
                     长效管理机制健全性                           健全
满意度指 服务对象满意度 提升对党和政府、工会组织的认可度和归 体现党和政府的关心和关爱，让支内回沪人
标    指标      属感                 员真正得到实惠
                     职工投诉处理满意度                           ≥90%
";

    /// A self-assessment form: a wrapped name's values printed on a line of
    /// their own between its lines, well right of the names.
    const CENTRED: &str = "财政项目支出绩效自评表
 一级指标       二级指标           三级指标             年度指标值 实际完成值 分值 得分
产出指标    时效指标       每季度保障及时率                 >=100%      100             15       15
                   增强灵活就业人群获得感和归属
                                            增强          增强              8        7
                   感
        社会效益指标
效益指标               保护灵活就业人群合法权益             保护          保护              8        7
                   设施日常维护管理制度健全
        可持续影响指标                   健全       健全     10   10
                   性
";

    /// A value wrapped in its cell and centred on a one-line name: its first
    /// line above the name, its second below.
    const ABOVE: &str = "财政项目支出绩效目标申报表
 一级指标       二级指标           三级指标                          年度指标值
       社会效益指标          扩大工会会员覆盖面                              扩大
                                                              预算执行率
                       专人负责项目实施监督，长效管理机制健全有效
效益指标                                                          100%
       可持续影响指标         长效管理机制健全性                              健全
";

    /// Two rows whose names fill the column and whose words values repeat;
    /// a name and its words value both wrapped onto a second line, at their
    /// edges; the last row's name printed left of its edge between the
    /// wrapped labels of its group.
    const BOTH: &str = "财政项目支出绩效目标申报表
 一级指标       二级指标      三级指标                                 年度指标值
         社会效益指标 传递对老年人的关心关爱，积极营造敬老爱老助老的 退休职工得益面广
                   传递对老年人的关心关爱，积极营造敬老爱老助老的 退休职工得益面广
                   丰富他们的精神文化生活                          退休职工得益面广
效益指标           每年固定开展示范活动，积极与各涉老组织、爱心助 示范活动有健全的长
         可持续影响指 老单位及区、局、集团公司退管会合作              效管理机制
         标        长效管理机制健全性                          健全有效
满意度指 服务对象满意度
             使用者满意度                                      =100%
标    指标
";

    /// The rest of a name and of its words value on the next line, the
    /// value's rest pulled left towards the shorter rest of the name.
    const PULLED: &str = "财政项目支出绩效目标申报表
 一级指标       二级指标      三级指标                                 年度指标值
                 采购及时性                        及时
                 基层工会组织覆盖，减轻本市支援外地建设退休(职)回沪定居特 完成区总工会年初指
效益指标 社会效益指标      困人员生活困难                       标
                 工会会员数量                       增长
";

    /// The rest of a name pushed right by the level label on its line.
    const LABELLED_TAIL: &str = "财政项目支出绩效目标申报表
一级指标     二级指标                  三级指标                年度指标值
                    政策知晓率                        >=85%
                    改善困难退休职工生活条件，信息化系统数据处
                                          改善
       社会效益指标       理能力需求满足度
效益指标
                    长效管理机制健全性                         健全
";

    /// The rest of a name and of its value, both moved left: the labels
    /// before them on their line are narrower than those before their first
    /// line.
    const SHIFTED: &str = "财政项目支出绩效目标申报表
一级指
       二级指标                         三级指标                    年度指标值
 标
产出指
    质量指标       预算资金到位率                                =100(%)
标
               家计记账户报表按时报送，续租协议                       按时报送
      时效指标
               工资发放及时性，资金到位及时性                        及时
               困难职工帮扶政策知晓率，提升工会组织的吸引力和影响力             ≥85(%)
效益指 社会效益指 保障中单厂支内退休职工养老和医疗待遇，信息化系统数据处理能 及时足额发放，保障养老
标   标     力需求满足度                        医疗待遇
               增强灵活就业人群的稳定性                           增强
";

    /// A value wrapped around its numbered name: the figure above the name,
    /// the unit in brackets below it, before the next row's name.
    const UNIT: &str = "财政项目支出绩效目标申报表
一级指标    二级指标                                 三级指标            年度指标值
                    指标 1：机关大楼房租支付，资金到位率                      =100.00(%)
                                                             ≥280.00
                    指标 2：退休职工元旦春节送温暖人数
       数量指标                                                  (人)
                    指标 3：开展退管业务培训提高退管工作人员业务水平，面向退休职工开展
                                                       ≥5.00(场)
                    养老政策、健康讲座、法律讲座等直播课程
产出指标
                    指标 1：帮困送温暖对象符合率                          =100.00(%)
       质量指标
";

    /// A level name printed right after the first level label, on a page
    /// of one row whose edges differ from the next page's: still a label.
    const CROWDED: &str = "财政项目支出绩效目标申报表
  一级指标        二级指标                       三级指标                   年度指标值
投入和管理目标 数量目标          符合条件生活困难补助对象比率                         100%
 一级指标    二级指标              三级指标         年度指标值
        质量目标    相关制度是否健全                是
        时效目标    预算执行率，预算执行率             100%
                退休市劳模生活困难月补助额偏差率，专项资金审核
        质量目标                            偏差率=0
产出目标            率
        时效目标    预算执行率                   100%
        社会效益目标 促进劳模宣传，弘扬劳模精神            是
效果目标
        可持续目标   项目资金可持续                 可持续
";

    /// A name and a value whose bracket the line left open, both going on
    /// below.
    const OPEN: &str = "财政项目支出绩效目标申报表
一级指
        二级指标                                 三级指标           年度指标值
 标
                                                            ≥3000.00
                  特困补助，演出类职工公共文化活动完成数
                                                            (人)
                  开展退管业务培训提高退管工作人员业务水平，面向退休职工开展养老政
产出指    数量指标                                                 ≥5.00(场)
                  策、健康讲座、法律讲座等直播课程，示范引领和组织动员全市
标
                  示范引领和组织动员全市各级退管组织开展“冬送温暖夏送清凉重阳送温          ≥500.00(人
                  情”系列帮困关爱工作                                次)
       质量指标       保障发放对象符合标准率                               >=100%
                  丰富退休职工文化生活                                丰富
";

    fn indicators() -> Vec<formsift_model::Indicator> {
        indicators_of(FORM)
    }

    /// Asserts the rows' names, in order, and row `k`'s target as printed.
    fn assert_rows(rows: &[formsift_model::Indicator], names: &[&str], (k, target): (usize, &str)) {
        let got: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(got, names);
        assert_eq!(
            rows[k].target.as_ref().map(|t| t.raw.as_str()),
            Some(target)
        );
    }

    fn record_of(form: &str) -> Record {
        let config = Config::embedded();
        let doc = formsift_normalize::normalize(form, &config);
        let out = crate::extract(&doc, "f.txt", "f", &config);
        out.records.into_iter().next().expect("a record")
    }

    fn indicators_of(form: &str) -> Vec<formsift_model::Indicator> {
        record_of(form).indicators
    }

    #[test]
    fn a_layout_table_is_rebuilt_from_positions() {
        let rows = indicators();
        let got: Vec<(&str, &str, &str, &str)> = rows
            .iter()
            .map(|r| {
                (
                    r.level1.as_deref().unwrap_or(""),
                    r.level2.as_deref().unwrap_or(""),
                    r.name.as_str(),
                    r.target.as_ref().map_or("", |t| t.raw.as_str()),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("产出指标", "数量指标", "河道保洁覆盖公里数", ">=120 公里"),
                (
                    "产出指标",
                    "数量指标",
                    "保洁作业班组每日巡查河段并记录漂浮物清理次数",
                    ">=300 次"
                ),
                ("产出指标", "数量指标", "垃圾清运车次", ">=80 车次"),
                ("产出指标", "数量指标", "保洁人员培训人次", ">=40 人次"),
                ("产出指标", "质量指标", "水面漂浮物清除率", ">=95%"),
                ("效益指标", "生态效益指标", "河道水质改善", "改善"),
            ]
        );
        // The tail was joined by its edge alone (names are not numbered).
        assert!(rows[1].flags.iter().any(|f| f == "wrap_guessed"));
    }

    #[test]
    fn unnumbered_rows_of_a_table_that_numbers_others_are_rows_of_their_own() {
        let rows = indicators_of(MIXED);
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        let rule = "根据沪财绩【2022】13号文的规定要求设置三级指标和指标值";
        assert_eq!(
            names,
            [rule, rule, "岗位配置到位率", "退休职工元旦春节送温暖人数"]
        );
        assert_eq!(rows[2].ordinal, Some(1));
        assert!(rows[0].target.is_none() && rows[2].target.is_some());
    }

    #[test]
    fn a_table_whose_names_are_all_short_still_has_rows() {
        let rows = indicators_of(SHORT);
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            ["教师课时费", "年度开设班级", "年度招收学员", "年度招生计划"]
        );
        assert_eq!(rows[3].level2.as_deref(), Some("质量指标"));
    }

    #[test]
    fn the_rest_of_a_name_below_its_value_joins_the_name() {
        let rows = indicators_of(TAIL);
        assert_rows(
            &rows,
            &[
                "示范指导和组织区退管会社区为老服务活动的开展",
                "示范引领和组织动员全市各级退管组织开展“冬送温暖夏送清凉重阳送温情”系列帮困关爱工作",
                "组织开展千名老人免费体检实事项目",
            ],
            (1, "≥500.00(人次)"),
        );
    }

    #[test]
    fn the_rest_of_a_name_pushed_right_by_its_labels_joins_the_name() {
        let rows = indicators_of(PUSHED);
        assert_rows(
            &rows,
            &[
                "上报信息及时",
                "资金到位及时",
                "减轻本市支援外地建设退休(职)回沪定居特困人员生活困难",
                "保障中单厂支内退休职工养老和医疗待遇",
            ],
            (2, "加大帮扶力度，减轻生活困难"),
        );
        assert!(rows[2].flags.iter().any(|f| f == "wrap_guessed"));
    }

    #[test]
    fn a_name_of_two_characters_is_the_rest_of_the_name_above() {
        let rows = indicators_of(FRAGMENT);
        assert_rows(
            &rows,
            &[
                "得益面广",
                "长效管理机制健全性",
                "提升对党和政府、工会组织的认可度和归属感",
                "职工投诉处理满意度",
            ],
            (2, "体现党和政府的关心和关爱，让支内回沪人员真正得到实惠"),
        );
        assert!(rows[2].flags.iter().any(|f| f == "wrap_guessed"));
    }

    #[test]
    fn values_centred_on_a_wrapped_name_are_the_rows_values() {
        let rows = indicators_of(CENTRED);
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "每季度保障及时率",
                "增强灵活就业人群获得感和归属感",
                "保护灵活就业人群合法权益",
                "设施日常维护管理制度健全性",
            ]
        );
        // Values on the line of a level label are still the row's.
        let r = &rows[3];
        assert_eq!(r.target.as_ref().map(|m| m.raw.as_str()), Some("健全"));
        assert_eq!((r.weight, r.score), (Some(10.0), Some(10.0)));
        let r = &rows[1];
        let raw = |v: &Option<formsift_model::Measure>| v.as_ref().map(|m| m.raw.clone());
        assert_eq!(raw(&r.target).as_deref(), Some("增强"));
        assert_eq!(raw(&r.actual).as_deref(), Some("增强"));
        assert_eq!((r.weight, r.score), (Some(8.0), Some(7.0)));
    }

    #[test]
    fn a_value_wrapped_around_its_rows_name_is_the_rows_value() {
        let rows = indicators_of(ABOVE);
        assert_rows(
            &rows,
            &[
                "扩大工会会员覆盖面",
                "专人负责项目实施监督，长效管理机制健全有效",
                "长效管理机制健全性",
            ],
            (1, "预算执行率100%"),
        );
    }

    #[test]
    fn a_name_and_its_words_value_wrapped_together_stay_one_row() {
        let rows = indicators_of(BOTH);
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "传递对老年人的关心关爱，积极营造敬老爱老助老的",
                "传递对老年人的关心关爱，积极营造敬老爱老助老的",
                "丰富他们的精神文化生活",
                "每年固定开展示范活动，积极与各涉老组织、爱心助老单位及区、局、集团公司退管会合作",
                "长效管理机制健全性",
                "使用者满意度",
            ]
        );
        let target = |k: usize| rows[k].target.as_ref().map(|t| t.raw.clone());
        assert_eq!(target(1).as_deref(), Some("退休职工得益面广"));
        assert_eq!(target(3).as_deref(), Some("示范活动有健全的长效管理机制"));
        assert_eq!(target(5).as_deref(), Some("=100%"));
        assert_eq!(rows[5].level2.as_deref(), Some("服务对象满意度指标"));
    }

    #[test]
    fn the_rest_of_a_value_pulled_left_stays_with_its_row() {
        let rows = indicators_of(PULLED);
        assert_rows(
            &rows,
            &[
                "采购及时性",
                "基层工会组织覆盖，减轻本市支援外地建设退休(职)回沪定居特困人员生活困难",
                "工会会员数量",
            ],
            (1, "完成区总工会年初指标"),
        );
    }

    #[test]
    fn the_rest_of_a_name_pushed_right_by_a_label_joins_the_name() {
        let rows = indicators_of(LABELLED_TAIL);
        assert_rows(
            &rows,
            &[
                "政策知晓率",
                "改善困难退休职工生活条件，信息化系统数据处理能力需求满足度",
                "长效管理机制健全性",
            ],
            (1, "改善"),
        );
    }

    #[test]
    fn the_rest_of_a_name_moved_left_by_narrower_labels_stays_with_its_row() {
        assert_rows(
            &indicators_of(SHIFTED),
            &[
                "预算资金到位率",
                "家计记账户报表按时报送，续租协议",
                "工资发放及时性，资金到位及时性",
                "困难职工帮扶政策知晓率，提升工会组织的吸引力和影响力",
                "保障中单厂支内退休职工养老和医疗待遇，信息化系统数据处理能力需求满足度",
                "增强灵活就业人群的稳定性",
            ],
            (4, "及时足额发放，保障养老医疗待遇"),
        );
    }

    #[test]
    fn a_unit_below_a_name_ends_the_value_above_it() {
        let rows = indicators_of(UNIT);
        let targets: Vec<Option<&str>> = rows
            .iter()
            .map(|r| r.target.as_ref().map(|t| t.raw.as_str()))
            .collect();
        assert_eq!(
            targets,
            [
                Some("=100.00(%)"),
                Some("≥280.00 (人)"),
                Some("≥5.00(场)"),
                Some("=100.00(%)")
            ]
        );
    }

    #[test]
    fn a_level_name_just_before_a_name_is_a_label() {
        let rows = indicators_of(CROWDED);
        assert_eq!(rows[0].name, "符合条件生活困难补助对象比率");
        assert_eq!(rows[0].level2.as_deref(), Some("数量目标"));
    }

    #[test]
    fn a_record_whose_lines_were_joined_by_their_edge_says_so() {
        // A row's lines joined by their left edge alone may hide a row of
        // their own: the record is marked, as a lost row carries no flag.
        let record = record_of;
        let r = record(OPEN);
        assert!(
            r.indicators
                .iter()
                .any(|i| i.flags.iter().any(|f| f == "wrap_guessed"))
        );
        assert!(r.flags.iter().any(|f| f == "lines_joined"), "{:?}", r.flags);
        let r = record(UNIT);
        assert!(
            !r.indicators
                .iter()
                .any(|i| i.flags.iter().any(|f| f == "wrap_guessed"))
        );
        assert!(
            !r.flags.iter().any(|f| f == "lines_joined"),
            "{:?}",
            r.flags
        );
    }

    #[test]
    fn a_line_joined_to_a_numbered_row_by_its_edge_alone_is_a_guess() {
        // The table numbers its names. A row printed without a number is
        // taken for the wrapped rest of the row above (its name and value
        // appended): a guess, so the row and the record say so.
        let form = "财政项目支出绩效目标申报表
一级指标   二级指标   三级指标                年度指标值
产出指标   数量指标   指标1：帮困人数         ≥100人
                      指标2：送清凉人数       ≥50人
           质量指标   资金使用规范性          规范
                      与合规性
";
        let record = record_of;
        let r = record(form);
        let last = r.indicators.last().unwrap();
        assert!(last.name.ends_with("与合规性"));
        assert!(
            last.flags.iter().any(|f| f == "wrap_guessed"),
            "{:?}",
            last.flags
        );
        assert!(r.flags.iter().any(|f| f == "lines_joined"), "{:?}", r.flags);
        // Numbered, the row is a row, and its name's rest joins it as such.
        let r = record(&form.replace("资金使用规范性", "指标3：资金使用规范性"));
        assert_eq!(r.indicators.len(), 3);
        assert_eq!(r.indicators[2].name, "资金使用规范性与合规性");
        assert!(!r.indicators[2].flags.iter().any(|f| f == "wrap_guessed"));
        assert!(
            !r.flags.iter().any(|f| f == "lines_joined"),
            "{:?}",
            r.flags
        );
    }

    #[test]
    fn a_value_with_its_bracket_open_goes_on_with_its_name() {
        let rows = indicators_of(OPEN);
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names.len(), 5, "{names:?}");
        assert_eq!(
            names[2],
            "示范引领和组织动员全市各级退管组织开展“冬送温暖夏送清凉重阳送温情”系列帮困关爱工作"
        );
        let t = rows[2].target.as_ref().expect("a target");
        assert_eq!((t.value, t.unit.as_deref()), (Some(500.0), Some("人次")));
    }

    fn geom(heights: &[(usize, usize, f64)]) -> Vec<Geom> {
        let mut u = 0.0;
        let rows = heights
            .iter()
            .map(|&(a, b, h)| {
                let g = Geom {
                    a,
                    b,
                    page: 0,
                    u0: u,
                    h,
                    run: [0, 0],
                };
                u += h;
                g
            })
            .collect();
        page_runs(rows)
    }

    #[test]
    fn a_label_goes_to_the_rows_it_is_centred_on() {
        // Rows on lines 1, 2 and 4–6 (a wrapped name around its value,
        // two text lines tall), a label alone on line 3: the middle of the
        // three rows, not of the last two.
        let rows = geom(&[(1, 1, 1.0), (2, 2, 1.0), (4, 6, 2.0)]);
        let y = position(3.0, &rows);
        assert_eq!(y, 2.0);
        let cuts = vec![true; 4];
        let got = fit(&[(y, 0)], &rows, &cuts, &|_, _| 0.0).groups;
        assert_eq!(got[0].0, Some(0));
        assert!(got[0].1 < OFFCENTRE);
        // Two labels: one on the first row's line, one centred on the rest.
        let rows = geom(&[(1, 1, 1.0), (2, 2, 1.0), (4, 4, 1.0)]);
        let got = fit(
            &[(position(1.0, &rows), 0), (position(3.0, &rows), 0)],
            &rows,
            &cuts,
            &|_, _| 0.0,
        )
        .groups;
        assert_eq!((got[0].0, got[1].0), (Some(0), Some(1)));
    }

    #[test]
    fn a_groups_middle_on_a_page_is_found_from_the_pages_run() {
        // Rows over pages 0, 0, 1, 1, 1, 2: each group and label page, from
        // the run and from a look at every row, agree.
        let pages = [0, 0, 1, 1, 1, 2];
        let mut rows = geom(&[
            (1, 1, 1.0),
            (2, 3, 2.0),
            (4, 4, 1.0),
            (5, 5, 1.0),
            (6, 8, 3.0),
            (9, 9, 1.0),
        ]);
        for (r, p) in rows.iter_mut().zip(pages) {
            r.page = p;
        }
        let rows = page_runs(rows);
        let scanned: Vec<Geom> = rows
            .iter()
            .map(|r| Geom {
                run: [usize::MAX, 0],
                ..*r
            })
            .collect();
        for s in 0..rows.len() {
            for e in s + 1..=rows.len() {
                for page in 0..4 {
                    let l = (4.5, page);
                    assert_eq!(
                        centred(&rows, l, s, e),
                        centred(&scanned, l, s, e),
                        "{s}..{e} page {page}"
                    );
                }
            }
        }
        // A label's place: found by halving as row by row.
        for k in 0..24 {
            let y = f64::from(k) / 2.0;
            assert_eq!(
                position_in(y, &rows, true),
                position_in(y, &rows, false),
                "line {y}"
            );
        }
        // Pages out of order down the rows: every row is looked at.
        let mut rows = geom(&[(1, 1, 1.0), (2, 2, 1.0), (3, 3, 1.0)]);
        rows[1].page = 1;
        assert!(page_runs(rows).iter().all(|r| r.run[0] == usize::MAX));
    }

    #[test]
    fn labels_of_a_table_past_the_budget_head_the_rows_after_them() {
        // 2,000 rows with a label on each: 4e9 groupings to weigh.
        let rows = geom(&vec![(1, 1, 1.0); 2000]);
        let labels: Vec<(f64, usize)> = (0..2000).map(|r| (r as f64 + 0.5, 0)).collect();
        let cuts = vec![true; 2001];
        let got = fit(&labels, &rows, &cuts, &|_, _| 0.0).groups;
        assert_eq!(got.len(), 2000);
        for (r, (start, cost)) in got.iter().enumerate() {
            assert_eq!(*start, Some(r));
            assert!(*cost > OFFCENTRE, "in doubt: its rows go to review");
        }
    }

    #[test]
    fn a_label_of_a_group_that_runs_to_a_page_break_may_stand_at_its_top() {
        // Page 0: rows on lines 1, 3, 4–6 (two text lines tall) and 7; page
        // 1: rows on lines 9 and 11. Labels: on line 2 (centred on the first
        // two rows), on line 4 (the top of the two rows before the break)
        // and on line 10 (centred on the rows of page 1).
        let mut rows = geom(&[
            (1, 1, 1.0),
            (3, 3, 1.0),
            (4, 6, 2.0),
            (7, 7, 1.0),
            (9, 9, 1.0),
            (11, 11, 1.0),
        ]);
        for r in &mut rows[4..] {
            r.page = 1;
        }
        let labels = [
            (position(2.0, &rows), 0),
            (position(4.0, &rows), 0),
            (position(10.0, &rows), 1),
        ];
        let got = fit(&labels, &rows, &[true; 7], &|_, _| 0.0).groups;
        let starts: Vec<Option<usize>> = got.iter().map(|g| g.0).collect();
        assert_eq!(starts, [Some(0), Some(2), Some(4)]);
        // Off its group's centre: the group is still in doubt.
        assert!(got[1].1 > OFFCENTRE);
    }

    #[test]
    fn labels_centred_on_their_groups_are_read_so_though_each_tops_some_row() {
        // Two rows of two text lines (lines 1–3, 4–6), each with a label
        // between its lines; then four one-line rows (7–10) and a label on
        // line 8, as near their middle as a line can be: one group of four
        // rows, not one row and then three headed by the label.
        let rows = geom(&[
            (1, 3, 2.0),
            (4, 6, 2.0),
            (7, 7, 1.0),
            (8, 8, 1.0),
            (9, 9, 1.0),
            (10, 10, 1.0),
        ]);
        let labels = [
            (position(2.0, &rows), 0),
            (position(5.0, &rows), 0),
            (position(8.0, &rows), 0),
        ];
        let got = fit(&labels, &rows, &[true; 7], &|_, _| 0.0).groups;
        let starts: Vec<Option<usize>> = got.iter().map(|g| g.0).collect();
        assert_eq!(starts, [Some(0), Some(1), Some(2)]);
    }

    #[test]
    fn a_numbering_that_starts_again_places_even_groups() {
        // Eight one-line rows, labels on rows 1 and 5 (a text browser puts
        // a label on the upper middle row of an even group): groups of
        // three and five centre them exactly, groups of four and four half
        // a line off. Names numbered 1–4, 1–4 say which.
        let rows = geom(&(1..=8).map(|l| (l, l, 1.0)).collect::<Vec<_>>());
        let labels = [(position(2.0, &rows), 0), (position(6.0, &rows), 0)];
        let starts = |f: Fit| f.groups.iter().map(|g| g.0).collect::<Vec<_>>();
        let bare = fit(&labels, &rows, &[true; 9], &|_, _| 0.0);
        assert_eq!(starts(bare), [Some(0), Some(3)]);
        let numbered = Numbering::of([1, 2, 3, 4, 1, 2, 3, 4].map(Some).to_vec());
        let got = fit(&labels, &rows, &[true; 9], &|s, e| {
            numbered.misfits(s, e, true)
        });
        assert_eq!(starts(got), [Some(0), Some(4)]);
        // Numbers that do not count on from each other, or never start
        // again, say nothing.
        for numbers in [vec![3, 4, 2, 1, 1], vec![1, 2, 3, 4, 5], vec![2, 3, 1]] {
            let n = Numbering::of(numbers.into_iter().map(Some).collect());
            assert_eq!(n.misfits(1, 4, true), 0.0);
        }
        assert_eq!(
            Numbering::of(vec![Some(1), None, Some(2), Some(1)]).misfits(2, 4, true),
            2.0
        );
    }

    #[test]
    fn a_group_border_that_fits_as_well_one_row_off_puts_the_row_in_doubt() {
        // The same rows and labels without numbers: groups [0, 3) and
        // [3, 8) are taken; with the border one row down (two groups of
        // four) or up, each label stands half a line off: rows 3 and 2
        // could be either group's. A label standing between two rows shows
        // the converter prints middles where they fall: no doubt then.
        let rows = geom(&(1..=8).map(|l| (l, l, 1.0)).collect::<Vec<_>>());
        let labels = [(position(2.0, &rows), 0), (position(6.0, &rows), 0)];
        let got = fit(&labels, &rows, &[true; 9], &|_, _| 0.0);
        assert_eq!(got.doubtful, [2, 3]);
        let labels = [(rows[2].u0, 0), (position(6.0, &rows), 0)];
        assert!(
            fit(&labels, &rows, &[true; 9], &|_, _| 0.0)
                .doubtful
                .is_empty()
        );
    }

    #[test]
    fn labels_above_their_groups_head_the_rows_below() {
        // Labels on lines 1 and 4, each above two rows: the top reading wins.
        let rows = geom(&[(2, 2, 1.0), (3, 3, 1.0), (5, 5, 1.0), (6, 6, 1.0)]);
        let labels = [(position(1.0, &rows), 0), (position(4.0, &rows), 0)];
        let got = fit(&labels, &rows, &[true; 5], &|_, _| 0.0).groups;
        assert_eq!((got[0].0, got[1].0), (Some(0), Some(2)));
    }
}
