//! How much of a table its merged cells may cover.
//!
//! A span is written as a number (`rowspan="3"`, `.3+|`, `\multicolumn{3}`),
//! and a converter can write any number. A form's spans cover a few
//! positions a cell (a level name over the rows of its indicators, a
//! heading over the columns); a file that asks for more would have the
//! reader build a grid far larger than itself: `rowspan="1000"` on each of
//! 20,000 rows covers twenty million positions of a 1 MB HTML file (3.2 s
//! and 1.9 GB), and `100000+|` on each cell of a 220 KB AsciiDoc table
//! made 24 GB. The readers that place spans ask a [`Budget`] first.

/// Most rows or columns one cell may span.
pub(crate) const MAX_SPAN: usize = 1000;

/// Positions a table's spans may cover: [`COVER_FREE`], and
/// [`COVER_PER_CELL`] for each of its cells.
const COVER_FREE: usize = 4096;
/// See [`COVER_FREE`].
const COVER_PER_CELL: usize = 8;

/// What a table's spans have covered so far.
#[derive(Debug, Default)]
pub(crate) struct Budget {
    /// Cells placed (written in the source).
    cells: usize,
    /// Positions the spans admitted cover (or would, had the table gone
    /// on).
    covered: usize,
}

impl Budget {
    /// The spans the next cell is placed with: each at most [`MAX_SPAN`],
    /// and a single position when the cell's would take the table past its
    /// budget.
    pub(crate) fn admit(&mut self, rows: usize, cols: usize) -> (usize, usize) {
        let (rows, cols) = (rows.clamp(1, MAX_SPAN), cols.clamp(1, MAX_SPAN));
        self.cells += 1;
        let covers = rows * cols - 1;
        if self.covered + covers > COVER_FREE + COVER_PER_CELL * self.cells {
            return (1, 1);
        }
        self.covered += covers;
        (rows, cols)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forms_spans_stand_and_a_flood_of_them_is_cut() {
        let mut b = Budget::default();
        assert_eq!(b.admit(3, 1), (3, 1));
        assert_eq!(b.admit(1, 4), (1, 4));
        assert_eq!(b.admit(0, 0), (1, 1));
        assert_eq!(b.admit(5000, 1), (MAX_SPAN, 1));
        let mut b = Budget::default();
        let admitted = (0..20_000)
            .filter(|_| b.admit(MAX_SPAN, 1) != (1, 1))
            .count();
        assert!(b.covered <= COVER_FREE + COVER_PER_CELL * b.cells);
        assert!((4..200).contains(&admitted), "{admitted} spans admitted");
    }
}
