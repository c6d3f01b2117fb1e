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
            // The cells left, joined with a space as they are found.
            let mut text: Option<String> = None;
            for (_, c) in l.filled().filter(|(i, _)| !self.has(l.number, *i)) {
                match &mut text {
                    Some(t) => {
                        t.push(' ');
                        t.push_str(c.text.trim());
                    }
                    None => text = Some(c.text.trim().to_string()),
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
}
