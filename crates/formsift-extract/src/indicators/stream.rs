//! Indicator rows of space-aligned OCR text, rebuilt from the token stream.
//!
//! Such text has no usable columns: a level label stands alone, a long name
//! wraps onto the next line (`…帮困人` / `数`), and a value follows on the same
//! line after a space or on a later line after a blank one. Labels split over
//! two lines (`服务对象满意` / `度指标`) are joined when together they form a
//! vocabulary name.

use super::Draft;
use super::align::{Kind, kind_of};
use crate::consumed::Consumed;
use formsift_config::Config;
use formsift_model::{Layout, Line};
use formsift_values::push_wrapped;

#[derive(Debug, Clone)]
struct Tok<'a> {
    line: usize,
    cell: usize,
    text: String,
    /// The cell's key: its text without white space.
    key: &'a str,
    blank_before: bool,
    alone: bool,
    last_on_line: bool,
}

fn tokens<'a>(rows: &[&'a Line]) -> Vec<Tok<'a>> {
    let mut out = Vec::new();
    let mut blank = false;
    for line in rows {
        if line.layout == Layout::Blank || line.is_blank() {
            blank = true;
            continue;
        }
        let filled: Vec<_> = line.filled().collect();
        let n = filled.len();
        for (k, (i, c)) in filled.into_iter().enumerate() {
            out.push(Tok {
                line: line.number,
                cell: i,
                text: c.text.trim().to_string(),
                key: c.key(),
                blank_before: blank && k == 0,
                alone: n == 1,
                last_on_line: k + 1 == n,
            });
        }
        blank = false;
    }
    out
}

fn is_level(k: Kind) -> bool {
    matches!(k, Kind::Level1 | Kind::Level2 | Kind::Level12)
}

/// Reads rows from spaced text.
pub(crate) fn read(rows: &[&Line], consumed: &mut Consumed, config: &Config) -> Vec<Draft> {
    let toks = tokens(rows);
    let mut drafts: Vec<Draft> = Vec::new();
    let mut current: Option<Draft> = None;
    let mut name_open = false;
    // Two tokens' keys joined (one buffer for every try).
    let mut both = String::new();
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        // (The keys are the cells' own: the texts are not squeezed again.)
        let mut k = kind_of(&t.text, t.key, config);
        let mut text = t.text.clone();
        let mut key = t.key;
        let mut cells = vec![(t.line, t.cell)];
        let mut joined = false;
        // A label wrapped over two lines.
        if !is_level(k)
            && let Some(n) = toks.get(i + 1)
        {
            both.clear();
            both.push_str(t.key);
            both.push_str(n.key);
            if config.is_level1(&both) || config.is_level2(&both) {
                text = both.clone();
                key = &both;
                k = kind_of(key, key, config);
                cells.push((n.line, n.cell));
                joined = true;
                i += 1;
            }
        }
        let starts_row = config.indicators.ordinal.is_match(&text);
        if is_level(k) {
            if let Some(d) = current.take() {
                drafts.push(d);
            }
            let mut d = Draft {
                lines: [t.line, toks[i].line],
                cells,
                ..Draft::default()
            };
            if matches!(k, Kind::Level2) {
                d.l2 = Some(key.to_string());
            } else {
                d.l1 = Some(key.to_string());
            }
            if joined {
                d.flag("row_joined");
            }
            drafts.push(d);
            name_open = false;
        } else if starts_row || current.as_ref().is_none_or(|c| c.target.is_some()) {
            if let Some(d) = current.take() {
                drafts.push(d);
            }
            current = Some(Draft {
                name: Some(text),
                lines: [t.line, t.line],
                cells,
                ..Draft::default()
            });
            name_open = t.last_on_line;
        } else if let Some(d) = current.as_mut() {
            let prev_last = i > 0 && toks[i - 1].last_on_line;
            let wraps = name_open
                && !t.blank_before
                && t.alone
                && prev_last
                && !matches!(k, Kind::Value | Kind::Number(_));
            if wraps {
                push_wrapped(d.name.get_or_insert_default(), &text);
                d.flag("row_joined");
            } else {
                d.target = Some(text);
                name_open = false;
            }
            d.lines[1] = t.line;
            d.cells.extend(cells);
        }
        i += 1;
    }
    if let Some(d) = current.take() {
        drafts.push(d);
    }
    for d in &drafts {
        for (l, c) in &d.cells {
            consumed.take(*l, *c);
        }
    }
    drafts
}
