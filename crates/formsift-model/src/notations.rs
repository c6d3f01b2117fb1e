//! The notations seen on one line: a short list kept inline.

use crate::Notation;

/// How many notations there are: a line can show each at most once.
const ALL: usize = 11;

/// The notations seen on a line, each once, in order of first appearance.
/// Kept inline (there are only eleven notations), so reading a line allocates
/// nothing for them; it reads like a slice.
#[derive(Clone, Copy)]
pub struct Notations {
    items: [Notation; ALL],
    len: u8,
}

impl Notations {
    /// No notation.
    pub const fn new() -> Self {
        Notations {
            items: [Notation::Tsv; ALL],
            len: 0,
        }
    }

    /// Just `n`.
    pub fn of(n: Notation) -> Self {
        let mut s = Notations::new();
        s.push(n);
        s
    }

    /// Adds `n` unless it is already there.
    pub fn push(&mut self, n: Notation) {
        if !self.contains(&n) {
            // Every notation fits: a line holds each at most once.
            self.items[usize::from(self.len)] = n;
            self.len += 1;
        }
    }

    /// The notations in order of first appearance.
    pub fn as_slice(&self) -> &[Notation] {
        &self.items[..usize::from(self.len)]
    }
}

impl Default for Notations {
    fn default() -> Self {
        Notations::new()
    }
}

impl std::ops::Deref for Notations {
    type Target = [Notation];
    fn deref(&self) -> &[Notation] {
        self.as_slice()
    }
}

impl<'a> IntoIterator for &'a Notations {
    type Item = &'a Notation;
    type IntoIter = std::slice::Iter<'a, Notation>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl FromIterator<Notation> for Notations {
    fn from_iter<I: IntoIterator<Item = Notation>>(iter: I) -> Self {
        let mut s = Notations::new();
        for n in iter {
            s.push(n);
        }
        s
    }
}

impl PartialEq for Notations {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Notations {}

impl<const N: usize> PartialEq<[Notation; N]> for Notations {
    fn eq(&self, other: &[Notation; N]) -> bool {
        self.as_slice() == other
    }
}

impl std::fmt::Debug for Notations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVERY: [Notation; ALL] = [
        Notation::Tsv,
        Notation::Spaced,
        Notation::Html,
        Notation::Markdown,
        Notation::Latex,
        Notation::Pdf,
        Notation::Hocr,
        Notation::Xlsx,
        Notation::Xls,
        Notation::Docx,
        Notation::Csv,
    ];

    #[test]
    fn each_notation_once_in_order_of_first_appearance() {
        let mut s = Notations::new();
        assert!(s.is_empty());
        for n in [
            Notation::Html,
            Notation::Tsv,
            Notation::Html,
            Notation::Latex,
        ] {
            s.push(n);
        }
        assert_eq!(s, [Notation::Html, Notation::Tsv, Notation::Latex]);
        assert!(s.contains(&Notation::Tsv) && !s.contains(&Notation::Pdf));
        let names: Vec<&str> = (&s).into_iter().map(|n| n.as_str()).collect();
        assert_eq!(names, ["html", "tsv", "latex"]);
        assert_eq!(format!("{s:?}"), "[Html, Tsv, Latex]");
    }

    #[test]
    fn every_notation_fits_in_any_order() {
        // Every notation, pushed twice in reverse: all kept, each once.
        let s: Notations = EVERY.iter().rev().chain(EVERY.iter()).copied().collect();
        let mut want = EVERY;
        want.reverse();
        assert_eq!(s, want);
        // The list's room matches the enum: a new notation must grow it.
        let covered = |n: Notation| match n {
            Notation::Tsv
            | Notation::Spaced
            | Notation::Html
            | Notation::Markdown
            | Notation::Latex
            | Notation::Pdf
            | Notation::Hocr
            | Notation::Xlsx
            | Notation::Xls
            | Notation::Docx
            | Notation::Csv => true,
        };
        assert!(EVERY.iter().all(|n| covered(*n)));
    }

    #[test]
    fn equality_ignores_the_unused_room() {
        let a = Notations::of(Notation::Pdf);
        let mut b = Notations::new();
        b.push(Notation::Pdf);
        assert_eq!(a, b);
        assert_ne!(a, Notations::of(Notation::Docx));
        assert_eq!(Notations::default(), []);
    }
}
