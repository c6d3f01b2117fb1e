//! Tables from ruling lines: the horizontal and vertical rules of a page
//! grouped into tables (rules that cross), each table's row and column
//! edges, and its merged cells (neighbouring cells with no rule between
//! them). Glyphs are then put in the cell under their centre.

use crate::content::{Glyph, Rule};

/// How far apart two coordinates may be and still be one edge, in points.
pub(crate) const TOL: f32 = 2.0;

/// A table on one page.
#[derive(Debug)]
pub(crate) struct Table {
    /// Column edges, left to right.
    pub(crate) xs: Vec<f32>,
    /// Row edges, top to bottom (PDF y grows upwards, so descending).
    pub(crate) ys: Vec<f32>,
    /// For each grid cell (row-major), the cell it belongs to: its top-left
    /// grid position and its extent in rows and columns.
    pub(crate) owner: Vec<(usize, usize, usize, usize)>,
}

impl Table {
    pub(crate) fn rows(&self) -> usize {
        self.ys.len() - 1
    }
    pub(crate) fn cols(&self) -> usize {
        self.xs.len() - 1
    }
    pub(crate) fn top(&self) -> f32 {
        self.ys[0]
    }

    /// The grid cell (row, column) holding a point, if inside the table.
    pub(crate) fn locate(&self, x: f32, y: f32) -> Option<(usize, usize)> {
        let c = self.xs.windows(2).position(|w| w[0] <= x && x < w[1])?;
        let r = self.ys.windows(2).position(|w| w[1] <= y && y < w[0])?;
        Some((r, c))
    }

    /// The cell a glyph belongs to: the owner of the grid cell under its
    /// centre.
    pub(crate) fn cell_of(&self, g: &Glyph) -> Option<(usize, usize)> {
        let (r, c) = self.locate((g.x0 + g.x1) / 2.0, g.y + g.size * 0.35)?;
        let (r0, c0, _, _) = self.owner[r * self.cols() + c];
        Some((r0, c0))
    }
}

/// Values within `TOL` of each other, grouped; each group's mean, sorted.
fn cluster(mut v: Vec<f32>) -> Vec<f32> {
    v.sort_by(f32::total_cmp);
    let mut out: Vec<(f32, usize)> = Vec::new();
    for x in v {
        match out.last_mut() {
            Some((sum, n)) if x - *sum / *n as f32 <= TOL => {
                *sum += x;
                *n += 1;
            }
            _ => out.push((x, 1)),
        }
    }
    out.into_iter().map(|(s, n)| s / n as f32).collect()
}

/// Most rules a page may have for tables to be looked for (the crossing
/// test is quadratic).
const MAX_RULES: usize = 4000;

/// The tables the rules of a page draw, top to bottom.
pub(crate) fn tables(rules: &[Rule]) -> Vec<Table> {
    if rules.len() > MAX_RULES {
        return Vec::new();
    }
    let (h, v): (Vec<Rule>, Vec<Rule>) = rules
        .iter()
        .filter(|r| (r.x1 - r.x0).max(r.y1 - r.y0) > TOL)
        .partition(|r| r.y1 - r.y0 <= r.x1 - r.x0);
    // Rules that cross or touch belong to one table.
    let n = h.len() + v.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    for (i, a) in h.iter().enumerate() {
        for (j, b) in v.iter().enumerate() {
            let x = (b.x0 + b.x1) / 2.0;
            let y = (a.y0 + a.y1) / 2.0;
            if x >= a.x0 - TOL && x <= a.x1 + TOL && y >= b.y0 - TOL && y <= b.y1 + TOL {
                let (ra, rb) = (find(&mut parent, i), find(&mut parent, h.len() + j));
                parent[ra] = rb;
            }
        }
    }
    // Pieces of one line (a converter drawing each cell's border on its
    // own) belong together even where nothing crosses them: the edge
    // between two merged cells.
    for (list, offset, vertical) in [(&h, 0, false), (&v, h.len(), true)] {
        // (position across the line, start, end) of each piece.
        let key = |r: &Rule| {
            if vertical {
                (r.x0, r.y0, r.y1)
            } else {
                (r.y0, r.x0, r.x1)
            }
        };
        let mut order: Vec<usize> = (0..list.len()).collect();
        order.sort_by(|&a, &b| key(&list[a]).0.total_cmp(&key(&list[b]).0));
        // Pieces on one line (positions within TOL of the line's first),
        // in order along it: each touching the reach of those before joins.
        let mut start = 0;
        while start < order.len() {
            let line = key(&list[order[start]]).0;
            let mut end = start;
            while end < order.len() && key(&list[order[end]]).0 - line <= TOL {
                end += 1;
            }
            let mut pieces = order[start..end].to_vec();
            pieces.sort_by(|&a, &b| key(&list[a]).1.total_cmp(&key(&list[b]).1));
            let mut reach = f32::MIN;
            for w in pieces.windows(2) {
                reach = reach.max(key(&list[w[0]]).2);
                if key(&list[w[1]]).1 <= reach + TOL {
                    let (ra, rb) = (
                        find(&mut parent, offset + w[0]),
                        find(&mut parent, offset + w[1]),
                    );
                    parent[ra] = rb;
                }
            }
            start = end;
        }
    }
    let mut groups: std::collections::BTreeMap<usize, (Vec<Rule>, Vec<Rule>)> = Default::default();
    for i in 0..n {
        let root = find(&mut parent, i);
        let g = groups.entry(root).or_default();
        if i < h.len() {
            g.0.push(h[i]);
        } else {
            g.1.push(v[i - h.len()]);
        }
    }
    let mut out: Vec<Table> = groups
        .into_values()
        .flat_map(|(h, v)| split(h, v))
        .filter_map(|(h, v)| build(&h, &v))
        .collect();
    out.sort_by(|a, b| b.top().total_cmp(&a.top()));
    out
}

/// Tables drawn edge to edge (a converter puts a form's tables one under
/// the other) are one group of crossing rules; they are told apart by their
/// columns. At a row edge where the column edges just above and just below
/// are not one a subset of the other (a merged cell only removes edges), a
/// new table starts.
fn split(h: Vec<Rule>, v: Vec<Rule>) -> Vec<(Vec<Rule>, Vec<Rule>)> {
    let mut ys = cluster(h.iter().map(|r| (r.y0 + r.y1) / 2.0).collect());
    ys.reverse();
    let edges_at = |y: f32| -> Vec<f32> {
        cluster(
            v.iter()
                .filter(|r| r.y0 - TOL <= y && y <= r.y1 + TOL)
                .map(|r| (r.x0 + r.x1) / 2.0)
                .collect(),
        )
    };
    let subset = |a: &[f32], b: &[f32]| a.iter().all(|x| b.iter().any(|y| (x - y).abs() <= TOL));
    let mut cuts = Vec::new();
    for w in ys.windows(3) {
        let (above, below) = (edges_at((w[0] + w[1]) / 2.0), edges_at((w[1] + w[2]) / 2.0));
        if !above.is_empty()
            && !below.is_empty()
            && !subset(&above, &below)
            && !subset(&below, &above)
        {
            cuts.push(w[1]);
        }
    }
    if cuts.is_empty() {
        return vec![(h, v)];
    }
    // Bands from top to bottom, each with its rules (a vertical rule
    // clipped to the band).
    let mut bounds = vec![f32::MAX];
    bounds.extend(cuts);
    bounds.push(f32::MIN);
    bounds
        .windows(2)
        .map(|b| {
            let (top, bottom) = (b[0], b[1]);
            let inside = |y: f32| y <= top + TOL && y >= bottom - TOL;
            let hh = h
                .iter()
                .filter(|r| inside((r.y0 + r.y1) / 2.0))
                .copied()
                .collect();
            let vv = v
                .iter()
                .filter(|r| r.y1 > bottom + TOL && r.y0 < top - TOL)
                .map(|r| Rule {
                    y0: r.y0.max(bottom),
                    y1: r.y1.min(top),
                    ..*r
                })
                .collect();
            (hh, vv)
        })
        .collect()
}

/// One table from its crossing rules.
fn build(h: &[Rule], v: &[Rule]) -> Option<Table> {
    let xs = cluster(v.iter().map(|r| (r.x0 + r.x1) / 2.0).collect());
    let mut ys = cluster(h.iter().map(|r| (r.y0 + r.y1) / 2.0).collect());
    ys.reverse();
    if xs.len() < 2 || ys.len() < 2 {
        return None;
    }
    let (rows, cols) = (ys.len() - 1, xs.len() - 1);
    // A rule at x covering height y, or at y covering x.
    let v_at = |x: f32, y: f32| {
        v.iter()
            .any(|r| ((r.x0 + r.x1) / 2.0 - x).abs() <= TOL && r.y0 - TOL <= y && y <= r.y1 + TOL)
    };
    let h_at = |y: f32, x: f32| {
        h.iter()
            .any(|r| ((r.y0 + r.y1) / 2.0 - y).abs() <= TOL && r.x0 - TOL <= x && x <= r.x1 + TOL)
    };
    let mut parent: Vec<usize> = (0..rows * cols).collect();
    fn find(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    for r in 0..rows {
        let ymid = (ys[r] + ys[r + 1]) / 2.0;
        for c in 0..cols {
            let xmid = (xs[c] + xs[c + 1]) / 2.0;
            if c + 1 < cols && !v_at(xs[c + 1], ymid) {
                let (a, b) = (
                    find(&mut parent, r * cols + c),
                    find(&mut parent, r * cols + c + 1),
                );
                parent[b] = a;
            }
            if r + 1 < rows && !h_at(ys[r + 1], xmid) {
                let (a, b) = (
                    find(&mut parent, r * cols + c),
                    find(&mut parent, (r + 1) * cols + c),
                );
                parent[b] = a;
            }
        }
    }
    // Each group's bounding box; a group that is not a rectangle stays as
    // separate cells.
    let mut boxes: std::collections::HashMap<usize, (usize, usize, usize, usize, usize)> =
        Default::default();
    for r in 0..rows {
        for c in 0..cols {
            let root = find(&mut parent, r * cols + c);
            let b = boxes.entry(root).or_insert((r, c, r, c, 0));
            b.0 = b.0.min(r);
            b.1 = b.1.min(c);
            b.2 = b.2.max(r);
            b.3 = b.3.max(c);
            b.4 += 1;
        }
    }
    let mut owner = Vec::with_capacity(rows * cols);
    for r in 0..rows {
        for c in 0..cols {
            let root = find(&mut parent, r * cols + c);
            let (r0, c0, r1, c1, count) = boxes[&root];
            owner.push(if (r1 - r0 + 1) * (c1 - c0 + 1) == count {
                (r0, c0, r1 - r0 + 1, c1 - c0 + 1)
            } else {
                (r, c, 1, 1)
            });
        }
    }
    Some(Table { xs, ys, owner })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(y: f32, x0: f32, x1: f32) -> Rule {
        Rule {
            x0,
            y0: y,
            x1,
            y1: y,
        }
    }
    fn v(x: f32, y0: f32, y1: f32) -> Rule {
        Rule {
            x0: x,
            y0,
            x1: x,
            y1,
        }
    }

    #[test]
    fn rules_give_the_grid_and_its_merged_cells() {
        // Three columns, three rows; the first column's lower two cells are
        // one (no rule between them), the top row's right two cells are one.
        let rules = vec![
            h(100.0, 0.0, 90.0),
            h(80.0, 0.0, 90.0),
            h(60.0, 30.0, 90.0),
            h(40.0, 0.0, 90.0),
            v(0.0, 40.0, 100.0),
            v(30.0, 40.0, 100.0),
            v(60.0, 40.0, 80.0),
            v(90.0, 40.0, 100.0),
            // A separate table far below.
            h(10.0, 0.0, 20.0),
            h(0.0, 0.0, 20.0),
            v(0.0, 0.0, 10.0),
            v(20.0, 0.0, 10.0),
        ];
        let t = tables(&rules);
        assert_eq!(t.len(), 2);
        let t0 = &t[0];
        assert_eq!((t0.rows(), t0.cols()), (3, 3));
        assert_eq!(t0.owner[1], (0, 1, 1, 2), "top right merged across");
        assert_eq!(t0.owner[2], (0, 1, 1, 2));
        assert_eq!(t0.owner[3], (1, 0, 2, 1), "first column merged down");
        assert_eq!(t0.owner[6], (1, 0, 2, 1));
        assert_eq!(t0.owner[4], (1, 1, 1, 1));
        assert_eq!(t0.locate(45.0, 50.0), Some((2, 1)));
        assert_eq!(t0.locate(95.0, 50.0), None);
        assert_eq!((t[1].rows(), t[1].cols()), (1, 1));
    }

    #[test]
    fn tables_drawn_edge_to_edge_are_told_apart_by_their_columns() {
        // A two-column table on top of a three-column one, sharing the rule
        // at y=50 and the left and right borders.
        let rules = vec![
            h(100.0, 0.0, 90.0),
            h(75.0, 0.0, 90.0),
            h(50.0, 0.0, 90.0),
            h(25.0, 0.0, 90.0),
            h(0.0, 0.0, 90.0),
            v(0.0, 0.0, 100.0),
            v(90.0, 0.0, 100.0),
            v(40.0, 50.0, 100.0),
            v(30.0, 0.0, 50.0),
            v(60.0, 25.0, 50.0),
        ];
        let t = tables(&rules);
        assert_eq!(t.len(), 2);
        assert_eq!((t[0].rows(), t[0].cols()), (2, 2));
        assert_eq!((t[1].rows(), t[1].cols()), (2, 3));
        // The bottom table's last row spans its right two columns.
        assert_eq!(t[1].owner[4], (1, 1, 1, 2));
    }

    #[test]
    fn cell_borders_drawn_piece_by_piece_make_one_table() {
        // Two merged columns beside a column of three rows, each cell's
        // border drawn on its own: the middle piece of the edge between the
        // merged columns crosses no horizontal rule.
        let rules = vec![
            h(60.0, 0.0, 90.0),
            h(40.0, 60.0, 90.0),
            h(20.0, 60.0, 90.0),
            h(0.0, 0.0, 90.0),
            v(0.0, 0.0, 60.0),
            v(30.0, 40.0, 60.0),
            v(30.0, 20.0, 40.0),
            v(30.0, 0.0, 20.0),
            v(60.0, 0.0, 60.0),
            v(90.0, 0.0, 60.0),
        ];
        let t = tables(&rules);
        assert_eq!(t.len(), 1);
        assert_eq!((t[0].rows(), t[0].cols()), (3, 3));
        assert_eq!(t[0].owner[0], (0, 0, 3, 1), "the first column is one cell");
        assert_eq!(t[0].owner[1], (0, 1, 3, 1), "so is the second");
        assert_eq!(t[0].owner[5], (1, 2, 1, 1), "the third is three");
    }

    #[test]
    fn pieces_of_one_line_with_a_gap_stay_apart() {
        // Two tables one above the other with a title between them: their
        // left borders are on one line but do not touch. Positions a hair
        // apart must not chain the lower table to the upper one.
        let rules = vec![
            h(100.0, 0.0, 90.0),
            h(80.0, 0.0, 90.0),
            v(0.01, 80.0, 100.0),
            v(90.0, 80.0, 100.0),
            h(40.0, 0.0, 90.0),
            h(0.0, 0.0, 90.0),
            v(0.0, 0.0, 40.0),
            v(90.0, 0.0, 40.0),
            v(0.02, 10.0, 20.0),
        ];
        assert_eq!(tables(&rules).len(), 2);
    }

    #[test]
    fn lone_lines_are_no_table() {
        assert!(tables(&[h(10.0, 0.0, 100.0), h(20.0, 0.0, 100.0)]).is_empty());
        assert!(tables(&[]).is_empty());
    }
}
