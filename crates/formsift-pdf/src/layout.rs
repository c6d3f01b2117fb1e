//! Pages to rows: each page's tables (from `table`) and the lines of text
//! around them, top to bottom, as rows of cells and lines of text with
//! their page and box; a table that goes on at the top of the next page
//! with the same columns joins the one before, its repeated header row
//! dropped. Text with no ruled table is laid out by spaces the way
//! `pdftotext -layout` prints it, for the space-aligned reader.

use crate::content::{Drawn, Glyph};
use crate::table::{TOL, Table, tables};
use formsift_model::{Area, GridRow, Merge, Place};

/// One row as read from a page.
pub(crate) struct Row {
    pub(crate) row: GridRow,
    pub(crate) place: Place,
}

/// What a page gives: its rows, and whether it ends in a table (and with
/// which columns and header) for the next page to continue.
pub(crate) struct PageRows {
    pub(crate) rows: Vec<Row>,
    /// The columns and first-row texts of the first and last tables.
    pub(crate) first_table: Option<(Vec<f32>, Vec<String>)>,
    pub(crate) last_table: Option<(Vec<f32>, Vec<String>)>,
    /// Whether the page starts with a table (no text above it).
    pub(crate) starts_with_table: bool,
    pub(crate) ends_with_table: bool,
}

/// Glyphs on one baseline, left to right.
struct TextLine {
    glyphs: Vec<Glyph>,
    y: f32,
    size: f32,
}

/// Glyphs grouped into lines by baseline, top to bottom. Runs of text on
/// one baseline that overlap (a spreadsheet cell's text running on under
/// its clipped neighbour, which a reader does not see overlap) go on lines
/// of their own, the later-drawn one below, as `pdftotext` prints them.
fn lines(mut glyphs: Vec<Glyph>) -> Vec<TextLine> {
    glyphs.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x0.total_cmp(&b.x0)));
    let mut bands: Vec<TextLine> = Vec::new();
    for g in glyphs {
        match bands.last_mut() {
            Some(l) if (l.y - g.y).abs() <= l.size.min(g.size) * 0.5 => {
                l.size = l.size.max(g.size);
                l.glyphs.push(g);
            }
            _ => bands.push(TextLine {
                y: g.y,
                size: g.size,
                glyphs: vec![g],
            }),
        }
    }
    let mut out = Vec::with_capacity(bands.len());
    for band in bands {
        out.extend(unoverlap(band));
    }
    out
}

/// How far into the page, as a share of its height, a running header or
/// footer stands.
const MARGIN: f32 = 0.1;

/// Drops running page numbers: a line in the top or bottom tenth of a page
/// whose text, digits aside, recurs in the same margin on at least half the
/// pages (two at least) with a number that changes, stays below 1000 and
/// never goes down from page to page — a spreadsheet's `表1` / `Page 1`, a
/// report's `第 3 页` — so it does not join the last row of a form or the
/// title of the next. A line that recurs unchanged (each page's form title)
/// or with a year (`（2022年度）`) stays.
pub(crate) fn drop_running_lines(pages: &mut [(u32, f32, Drawn)]) {
    if pages.len() < 2 {
        return;
    }
    type Key = (bool, String);
    let key = |top: bool, text: &str| -> Key {
        let shape = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| if c.is_ascii_digit() { '#' } else { c })
            .collect();
        (top, shape)
    };
    let number = |text: &str| -> Option<u32> {
        let digits: String = text
            .chars()
            .skip_while(|c| !c.is_ascii_digit())
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    };
    // Per page, each margin line's key and baseline; per key, its numbers
    // in page order.
    let mut margins: Vec<Vec<(Key, f32)>> = Vec::new();
    let mut numbers: std::collections::HashMap<Key, Vec<Option<u32>>> = Default::default();
    for (_, height, d) in pages.iter() {
        let mut here: Vec<(Key, f32)> = Vec::new();
        for l in lines(d.glyphs.clone()) {
            let top = l.y + l.size > height * (1.0 - MARGIN);
            if !top && l.y >= height * MARGIN {
                continue;
            }
            let text: String = l.glyphs.iter().map(|g| g.text.as_str()).collect();
            let k = key(top, &text);
            if k.1.contains('#') && !here.iter().any(|(h, _)| *h == k) {
                numbers.entry(k.clone()).or_default().push(number(&text));
            }
            here.push((k, l.y));
        }
        margins.push(here);
    }
    let need = pages.len().div_ceil(2).max(2);
    let running = |k: &Key| {
        numbers.get(k).is_some_and(|ns| {
            ns.len() >= need
                && ns.iter().all(|n| n.is_some_and(|n| n < 1000))
                && ns.windows(2).all(|w| w[0] <= w[1])
                && ns.first() != ns.last()
        })
    };
    for ((_, _, d), here) in pages.iter_mut().zip(margins) {
        let drop: Vec<f32> = here
            .into_iter()
            .filter(|(k, _)| running(k))
            .map(|(_, y)| y)
            .collect();
        if !drop.is_empty() {
            d.glyphs
                .retain(|g| !drop.iter().any(|y| (g.y - y).abs() <= g.size * 0.5));
        }
    }
}

/// A band's glyphs as one line, or as several when runs overlap.
fn unoverlap(mut band: TextLine) -> Vec<TextLine> {
    band.glyphs.sort_by(|a, b| a.x0.total_cmp(&b.x0));
    // Each run's extent, in drawing order.
    let mut runs: Vec<(u32, f32, f32)> = Vec::new();
    let mut index: std::collections::HashMap<u32, usize> = Default::default();
    for g in &band.glyphs {
        match index.get(&g.run) {
            Some(&k) => {
                runs[k].1 = runs[k].1.min(g.x0);
                runs[k].2 = runs[k].2.max(g.x1);
            }
            None => {
                index.insert(g.run, runs.len());
                runs.push((g.run, g.x0, g.x1));
            }
        }
    }
    // (The comparisons below are quadratic in runs: a line drawn glyph by
    // glyph in thousands of runs is taken as it is.)
    if runs.len() > 512 {
        return vec![band];
    }
    let slack = band.size * 0.2;
    let overlaps =
        |a: &(u32, f32, f32), b: &(u32, f32, f32)| a.1 < b.2 - slack && b.1 < a.2 - slack;
    if !runs
        .iter()
        .enumerate()
        .any(|(k, a)| runs[k + 1..].iter().any(|b| overlaps(a, b)))
    {
        return vec![band];
    }
    runs.sort_by_key(|r| r.0);
    // Runs drawn one after another end to end are one text (a producer
    // switching fonts between `指标1` and `：名称`): chains of runs.
    let mut chains: Vec<(Vec<u32>, f32, f32)> = Vec::new();
    for r in &runs {
        match chains
            .iter_mut()
            .find(|c| (r.1 - c.2).abs() <= band.size * 0.3)
        {
            Some(c) => {
                c.0.push(r.0);
                c.2 = c.2.max(r.2);
            }
            None => chains.push((vec![r.0], r.1, r.2)),
        }
    }
    // Each chain, from the left, to the first line where it overlaps
    // nothing: the text that runs on stays on top, what it runs over goes
    // below.
    chains.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut levels: Vec<Vec<(u32, f32, f32)>> = Vec::new();
    let mut level_of = std::collections::HashMap::new();
    for (ids, x0, x1) in chains {
        let r = (ids[0], x0, x1);
        let k = levels
            .iter()
            .position(|l| !l.iter().any(|o| overlaps(o, &r)))
            .unwrap_or(levels.len());
        if k == levels.len() {
            levels.push(Vec::new());
        }
        levels[k].push(r);
        for id in ids {
            level_of.insert(id, k);
        }
    }
    let mut out: Vec<TextLine> = (0..levels.len())
        .map(|k| TextLine {
            // Just below the one before, so the order stays.
            y: band.y - k as f32 * 0.01,
            size: band.size,
            glyphs: Vec::new(),
        })
        .collect();
    for g in band.glyphs {
        out[level_of[&g.run]].glyphs.push(g);
    }
    out
}

/// A line's text: a gap wider than a third of the font size is a space,
/// one wider than `cell_gap` font sizes a tab (a new cell).
fn line_text(l: &TextLine, cell_gap: Option<f32>) -> String {
    let mut s = String::new();
    let mut right: Option<f32> = None;
    for g in &l.glyphs {
        if let Some(r) = right {
            let gap = g.x0 - r;
            if cell_gap.is_some_and(|k| gap > k * l.size) {
                s.push('\t');
            } else if gap > l.size * 0.3 && !s.ends_with(' ') {
                s.push(' ');
            }
        }
        s.push_str(&g.text);
        right = Some(right.map_or(g.x1, |r: f32| r.max(g.x1)));
    }
    s
}

/// A cell's lines joined: wrapped CJK text runs on, Latin words get a space.
fn join_wrapped(parts: &[String]) -> String {
    let mut out = String::new();
    for p in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        let ascii_join = out
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric())
            && p.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
        if ascii_join {
            out.push(' ');
        }
        out.push_str(p);
    }
    out
}

pub(crate) fn bbox(x0: f32, top: f32, x1: f32, bottom: f32, height: f32) -> [i32; 4] {
    [
        x0.round() as i32,
        (height - top).round() as i32,
        x1.round() as i32,
        (height - bottom).round() as i32,
    ]
}

/// The rows of one page.
pub(crate) fn page_rows(drawn: Drawn, number: u32, height: f32) -> PageRows {
    let tables = tables(&drawn.rules);
    let mut cells: Vec<Vec<Vec<Glyph>>> = tables
        .iter()
        .map(|t| vec![Vec::new(); t.rows() * t.cols()])
        .collect();
    let mut free = Vec::new();
    'glyph: for g in drawn.glyphs {
        for (k, t) in tables.iter().enumerate() {
            if let Some((r, c)) = t.cell_of(&g) {
                cells[k][r * t.cols() + c].push(g);
                continue 'glyph;
            }
        }
        free.push(g);
    }
    // Items top to bottom: a table by its top edge, a line by its top.
    enum Item {
        Table(usize),
        Line(TextLine),
    }
    let mut items: Vec<(f32, Item)> = tables
        .iter()
        .enumerate()
        .map(|(k, t)| (t.top(), Item::Table(k)))
        .collect();
    items.extend(
        lines(free)
            .into_iter()
            .map(|l| (l.y + l.size, Item::Line(l))),
    );
    items.sort_by(|a, b| b.0.total_cmp(&a.0));
    let area = Area::Page(number);
    let mut out = PageRows {
        rows: Vec::new(),
        first_table: None,
        last_table: None,
        starts_with_table: matches!(items.first(), Some((_, Item::Table(_)))),
        ends_with_table: matches!(items.last(), Some((_, Item::Table(_)))),
    };
    let mut row_no = 0;
    for (_, item) in items {
        match item {
            Item::Line(l) => {
                row_no += 1;
                let (x0, x1) = (
                    l.glyphs[0].x0,
                    l.glyphs.iter().map(|g| g.x1).fold(0.0, f32::max),
                );
                out.rows.push(Row {
                    row: GridRow::Text(line_text(&l, Some(1.5))),
                    place: Place {
                        area: area.clone(),
                        row: row_no,
                        cols: None,
                        bbox: Some(bbox(x0, l.y + l.size, x1, l.y, height)),
                    },
                });
            }
            Item::Table(k) => {
                let t = &tables[k];
                let texts = table_texts(t, std::mem::take(&mut cells[k]));
                let header: Vec<String> = texts[..t.cols()].to_vec();
                out.first_table
                    .get_or_insert((t.xs.clone(), header.clone()));
                out.last_table = Some((t.xs.clone(), header));
                for r in 0..t.rows() {
                    row_no += 1;
                    let mut row = Vec::with_capacity(t.cols());
                    let mut used: Option<[u32; 2]> = None;
                    for c in 0..t.cols() {
                        let (r0, c0, rows, cols) = t.owner[r * t.cols() + c];
                        let merge = if (rows, cols) == (1, 1) {
                            Merge::None
                        } else if (r0, c0) == (r, c) {
                            Merge::Origin {
                                rows: rows as u32,
                                cols: cols as u32,
                            }
                        } else {
                            Merge::Covered {
                                rows_up: (r - r0) as u32,
                                cols_left: (c - c0) as u32,
                            }
                        };
                        let text = if (r0, c0) == (r, c) {
                            texts[r * t.cols() + c].clone()
                        } else {
                            String::new()
                        };
                        if !text.is_empty() || merge != Merge::None {
                            let n = c as u32 + 1;
                            used = Some(used.map_or([n, n], |[a, _]| [a, n]));
                        }
                        row.push((text, merge));
                    }
                    out.rows.push(Row {
                        row: GridRow::Cells(row),
                        place: Place {
                            area: area.clone(),
                            row: row_no,
                            cols: used,
                            bbox: Some(bbox(t.xs[0], t.ys[r], t.xs[t.cols()], t.ys[r + 1], height)),
                        },
                    });
                }
            }
        }
    }
    out
}

/// The text of each grid cell of a table (at the cell's owner position).
fn table_texts(t: &Table, cells: Vec<Vec<Glyph>>) -> Vec<String> {
    cells
        .into_iter()
        .map(|glyphs| {
            let parts: Vec<String> = lines(glyphs).iter().map(|l| line_text(l, None)).collect();
            join_wrapped(&parts)
        })
        .collect::<Vec<_>>()
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            if t.owner[i].0 * t.cols() + t.owner[i].1 == i {
                s
            } else {
                String::new()
            }
        })
        .collect()
}

/// Whether the first row of a table continued from the previous page is
/// the rest of that page's last row, cut by the page break: it has text
/// only in columns where the row above has text, and in fewer than half of
/// them (a new row has its own name, level or value cells).
pub(crate) fn is_rest_of(prev: &[(String, Merge)], rest: &[(String, Merge)]) -> bool {
    if prev.len() != rest.len() {
        return false;
    }
    let filled = |r: &[(String, Merge)]| -> Vec<usize> {
        r.iter()
            .enumerate()
            .filter(|(_, (t, _))| !t.trim().is_empty())
            .map(|(k, _)| k)
            .collect()
    };
    let (above, here) = (filled(prev), filled(rest));
    !here.is_empty() && here.iter().all(|k| above.contains(k)) && here.len() * 2 < above.len()
}

/// Adds the rest of a cut row to the row.
pub(crate) fn join_rest(prev: &mut [(String, Merge)], rest: &[(String, Merge)]) {
    for ((text, _), (more, _)) in prev.iter_mut().zip(rest) {
        if !more.trim().is_empty() {
            *text = join_wrapped(&[std::mem::take(text), more.clone()]);
        }
    }
}

/// Whether a page's first table continues the previous page's last one:
/// the same column edges.
pub(crate) fn continues(prev: &[f32], next: &[f32]) -> bool {
    prev.len() == next.len() && prev.iter().zip(next).all(|(a, b)| (a - b).abs() <= TOL)
}

/// A page's text laid out by spaces: each glyph at the column its x gives
/// (the page's narrowest advance a column), lines in order, for pages with
/// no ruled table. Each line comes with its box: left, top, right, bottom
/// (PDF coordinates).
pub(crate) fn spaced_text(glyphs: Vec<Glyph>) -> Vec<(String, [f32; 4])> {
    let ls = lines(glyphs);
    let unit = ls
        .iter()
        .flat_map(|l| l.glyphs.iter())
        .map(|g| {
            let w = g.x1 - g.x0;
            if !g.text.is_ascii() { w / 2.0 } else { w }
        })
        .filter(|w| *w > 1.0)
        .fold(f32::MAX, f32::min)
        .clamp(2.0, 20.0);
    ls.iter()
        .map(|l| {
            let mut s = String::new();
            let mut col = 0usize;
            let mut right: Option<f32> = None;
            for g in &l.glyphs {
                let want = (g.x0 / unit).round() as usize;
                let gap = right.map_or(f32::MAX, |r| g.x0 - r);
                if col < want && gap > l.size * 0.3 {
                    s.extend(std::iter::repeat_n(' ', want - col));
                    col = want;
                } else if right.is_some() && gap > l.size * 0.1 {
                    // A narrower gap, as between a cell's text that fills it
                    // and the next cell's: one space, as a word break.
                    s.push(' ');
                    col += 1;
                }
                s.push_str(&g.text);
                col += g
                    .text
                    .chars()
                    .map(|c| if c.is_ascii() { 1 } else { 2 })
                    .sum::<usize>();
                right = Some(g.x1);
            }
            let right = l.glyphs.iter().map(|g| g.x1).fold(0.0, f32::max);
            (s, [l.glyphs[0].x0, l.y + l.size, right, l.y])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run of glyphs one unit wide each, from `x`, on baseline `y`.
    fn run(text: &str, x: f32, y: f32, id: u32) -> Vec<Glyph> {
        text.chars()
            .enumerate()
            .map(|(k, c)| Glyph {
                text: c.to_string(),
                x0: x + k as f32 * 10.0,
                x1: x + k as f32 * 10.0 + 10.0,
                y,
                size: 10.0,
                run: id,
            })
            .collect()
    }

    fn texts(ls: &[TextLine]) -> Vec<String> {
        ls.iter().map(|l| line_text(l, Some(1.5))).collect()
    }

    #[test]
    fn a_narrow_gap_between_cells_is_one_space_a_wide_one_a_column() {
        // A name that fills its cell, its value 2 points on (a fifth of the
        // font size), and a remark far right.
        let mut glyphs = run("年度招生", 0.0, 100.0, 1);
        glyphs.extend(run("=1", 42.0, 100.0, 2));
        glyphs.extend(run("好", 200.0, 100.0, 3));
        let lines = spaced_text(glyphs);
        assert_eq!(lines.len(), 1);
        let text = &lines[0].0;
        assert!(text.starts_with("年度招生 =1 "), "{text:?}");
        assert!(text.ends_with(" 好") && text.contains("=1    "), "{text:?}");
    }

    #[test]
    fn text_running_on_under_a_neighbour_goes_on_a_line_of_its_own() {
        // A name that runs on over the next cell, whose value was drawn on
        // the same baseline; the name's rest came in another font (run 3).
        let mut glyphs = run("指标1", 0.0, 100.0, 1);
        glyphs.extend(run("=100%", 40.0, 100.0, 2));
        glyphs.extend(run("：帮困送温暖对象符合率", 30.0, 100.0, 3));
        assert_eq!(
            texts(&lines(glyphs)),
            ["指标1：帮困送温暖对象符合率", "=100%"]
        );
        // Runs side by side stay one line.
        let mut side = run("名称", 0.0, 50.0, 1);
        side.extend(run("值", 60.0, 50.0, 2));
        assert_eq!(texts(&lines(side)), ["名称\t值"]);
    }

    #[test]
    fn running_page_numbers_are_dropped_and_repeated_titles_kept() {
        let page = |n: u32| {
            let mut g = run(&format!("表{n}"), 280.0, 820.0, 1);
            g.extend(run("绩效目标申报表", 100.0, 800.0, 2));
            g.extend(run(&format!("（{}年度）", 2023 - n % 2), 100.0, 785.0, 5));
            g.extend(run("项目名称", 50.0, 400.0, 3));
            g.extend(run(&format!("Page{n}"), 280.0, 20.0, 4));
            (
                n,
                842.0,
                Drawn {
                    glyphs: g,
                    rules: Vec::new(),
                },
            )
        };
        let mut pages = vec![page(1), page(2), page(3)];
        drop_running_lines(&mut pages);
        for (_, _, d) in &pages {
            let t = texts(&lines(d.glyphs.clone()));
            assert_eq!(t[0], "绩效目标申报表");
            assert!(t[1].ends_with("年度）"), "a year is no page number: {t:?}");
            assert_eq!(t[2..], ["项目名称"]);
        }
    }
}
