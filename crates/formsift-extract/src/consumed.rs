//! Which cells a field took; the rest becomes residue.

use formsift_model::{Layout, Line, Residue};
use rustc_hash::FxHashSet;

/// The set of (line number, cell index) pairs some field took.
#[derive(Debug, Default, Clone)]
pub(crate) struct Consumed(FxHashSet<(usize, usize)>);

impl Consumed {
    /// Marks a cell as taken.
    pub(crate) fn take(&mut self, line: usize, cell: usize) {
        self.0.insert((line, cell));
    }

    /// True when the cell was taken.
    pub(crate) fn has(&self, line: usize, cell: usize) -> bool {
        self.0.contains(&(line, cell))
    }

    /// Every non-empty cell of `lines` that nothing took, one item per line.
    pub(crate) fn residue(&self, lines: &[Line]) -> Vec<Residue> {
        let mut out = Vec::new();
        for l in lines {
            if l.layout == Layout::Rule {
                continue;
            }
            let left: Vec<&str> = l
                .filled()
                .filter(|(i, _)| !self.has(l.number, *i))
                .map(|(_, c)| c.text.trim())
                .collect();
            if !left.is_empty() {
                out.push(Residue {
                    lines: [l.number, l.number],
                    cells: None,
                    boxes: None,
                    text: left.join(" "),
                });
            }
        }
        out
    }
}
