//! Which cells a field took; the rest becomes residue.

use formsift_model::{Layout, Line, Residue};
use rustc_hash::FxHashSet;

/// The set of (line number, cell index) pairs some field took: a bit mask
/// per line from the form's first line on, for the first 64 cells of a line
/// (a form takes a few hundred cells; a hash set cost more than the rest of
/// the bookkeeping), and a set for anything else.
#[derive(Debug, Default, Clone)]
pub(crate) struct Consumed {
    /// Line number of `masks[0]`.
    first: usize,
    /// Bit `c` of `masks[k]`: cell `c` of line `first + k` was taken.
    masks: Vec<u64>,
    /// Taken cells outside the masks: lines before `first`, cells from 64 on.
    more: FxHashSet<(usize, usize)>,
}

impl Consumed {
    /// An empty set for a form that starts at line `first`, its masks
    /// made as cells are taken (the tests').
    #[cfg(test)]
    pub(crate) fn starting_at(first: usize) -> Self {
        Consumed {
            first,
            ..Consumed::default()
        }
    }

    /// An empty set for a form over lines `first..=last`: the masks made
    /// at once (growing them as cells were taken cost an allocation a
    /// doubling).
    pub(crate) fn spanning(first: usize, last: usize) -> Self {
        Consumed {
            first,
            masks: vec![0; last.saturating_sub(first) + 1],
            ..Consumed::default()
        }
    }

    /// Where a cell's bit is: (index into `masks`, bit), `None` outside.
    fn slot(&self, line: usize, cell: usize) -> Option<(usize, u64)> {
        let k = line.checked_sub(self.first)?;
        (cell < 64).then(|| (k, 1u64 << cell))
    }

    /// Marks a cell as taken.
    pub(crate) fn take(&mut self, line: usize, cell: usize) {
        match self.slot(line, cell) {
            Some((k, bit)) => {
                if k >= self.masks.len() {
                    self.masks.resize(k + 1, 0);
                }
                self.masks[k] |= bit;
            }
            None => {
                self.more.insert((line, cell));
            }
        }
    }

    /// True when the cell was taken.
    pub(crate) fn has(&self, line: usize, cell: usize) -> bool {
        match self.slot(line, cell) {
            Some((k, bit)) => self.masks.get(k).is_some_and(|m| m & bit != 0),
            None => self.more.contains(&(line, cell)),
        }
    }

    /// Every non-empty cell of `lines` that nothing took, one item per line.
    pub(crate) fn residue(&self, lines: &[Line]) -> Vec<Residue> {
        let mut out = Vec::new();
        for l in lines {
            if l.layout == Layout::Rule {
                continue;
            }
            // The cells left, joined with a space as they are found.
            let mut text: Option<String> = None;
            for (_, c) in l.filled().filter(|(i, _)| !self.has(l.number, *i)) {
                match &mut text {
                    Some(t) => {
                        t.push(' ');
                        t.push_str(formsift_model::trim(&c.text));
                    }
                    None => text = Some(formsift_model::trim(&c.text).to_string()),
                }
            }
            if let Some(text) = text {
                out.push(Residue {
                    lines: [l.number, l.number],
                    cells: None,
                    boxes: None,
                    text,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use formsift_config::Config;
    use formsift_normalize::normalize;

    #[test]
    fn residue_is_what_nothing_took_one_item_per_line() {
        let doc = normalize("甲\t 乙 \t丙\n\t\t\n丁\n", &Config::embedded());
        let mut taken = Consumed::default();
        taken.take(1, 1);
        taken.take(3, 0);
        let r = taken.residue(&doc.lines);
        let got: Vec<(usize, &str)> = r.iter().map(|r| (r.lines[0], r.text.as_str())).collect();
        assert_eq!(got, [(1, "甲 丙")]);
        let r = Consumed::default().residue(&doc.lines);
        let got: Vec<&str> = r.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(got, ["甲 乙 丙", "丁"]);
    }

    #[test]
    fn cells_past_the_masks_are_kept_too() {
        // Masks made as cells are taken, or all at once for the form's
        // lines (10 to 12): cells outside those are kept all the same.
        for mut taken in [Consumed::starting_at(10), Consumed::spanning(10, 12)] {
            check_cells_past_the_masks(&mut taken);
        }
    }

    fn check_cells_past_the_masks(taken: &mut Consumed) {
        for (line, cell) in [(10, 0), (12, 63), (12, 64), (9, 1), (200, 5), (11, 1000)] {
            assert!(!taken.has(line, cell));
            taken.take(line, cell);
            assert!(taken.has(line, cell), "{line}:{cell}");
        }
        for (line, cell) in [
            (10, 1),
            (12, 62),
            (12, 65),
            (9, 0),
            (199, 5),
            (11, 999),
            (13, 0),
        ] {
            assert!(!taken.has(line, cell), "{line}:{cell}");
        }
    }
}
