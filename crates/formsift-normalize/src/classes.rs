//! Byte classes: which of a few bytes a text holds, found in one
//! table-driven scan (cheaper than a search per byte asked about).

/// A table giving each listed byte its class bits (the others none).
pub(crate) const fn table(entries: &[(u8, u8)]) -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < entries.len() {
        t[entries[i].0 as usize] |= entries[i].1;
        i += 1;
    }
    t
}

/// The class bits of every byte of the text, or-ed together.
pub(crate) fn of(text: &str, table: &[u8; 256]) -> u8 {
    text.bytes().fold(0, |m, b| m | table[b as usize])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_the_union_over_the_bytes() {
        static T: [u8; 256] = table(&[(b'a', 1), (b'b', 2), (b'a', 4)]);
        assert_eq!(of("", &T), 0);
        assert_eq!(of("xyz", &T), 0);
        assert_eq!(of("xa", &T), 5);
        assert_eq!(of("ba", &T), 7);
    }
}
