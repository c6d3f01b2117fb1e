//! ToUnicode CMaps: the table a PDF font carries from its character codes to
//! the Unicode text they stand for (`beginbfchar` and `beginbfrange`
//! sections, ISO 32000-1 §9.10.3), and the code lengths its
//! `begincodespacerange` declares.

use std::collections::HashMap;

/// Codes to text, with the byte lengths codes come in.
#[derive(Debug, Default)]
pub(crate) struct CMap {
    map: HashMap<u32, String>,
    /// Whether codes are two bytes (Type0 fonts with an Identity CMap) —
    /// from the codespace ranges when the CMap declares them.
    pub(crate) two_byte: Option<bool>,
}

/// Most entries a CMap may declare: a range like `<0000> <FFFF> <0000>`
/// is 65,536 codes, and nothing legitimate needs more.
const MAX_ENTRIES: usize = 1 << 17;

impl CMap {
    /// The text of one code.
    pub(crate) fn get(&self, code: u32) -> Option<&str> {
        self.map.get(&code).map(String::as_str)
    }

    /// Reads a CMap program; unreadable parts are skipped.
    pub(crate) fn parse(program: &[u8]) -> CMap {
        let tokens = tokenize(program);
        let mut cmap = CMap::default();
        let mut i = 0;
        while i < tokens.len() {
            match &tokens[i] {
                Token::Word(w) if w == "begincodespacerange" => {
                    if let Some(Token::Hex(lo)) = tokens.get(i + 1) {
                        cmap.two_byte = Some(lo.len() >= 2);
                    }
                }
                Token::Word(w) if w == "beginbfchar" => {
                    i += 1;
                    while let (Some(Token::Hex(src)), Some(dst)) =
                        (tokens.get(i), tokens.get(i + 1))
                    {
                        if let Token::Hex(dst) = dst {
                            cmap.put(code(src), utf16(dst));
                        }
                        i += 2;
                    }
                    continue;
                }
                Token::Word(w) if w == "beginbfrange" => {
                    i += 1;
                    while let (Some(Token::Hex(lo)), Some(Token::Hex(hi)), Some(dst)) =
                        (tokens.get(i), tokens.get(i + 1), tokens.get(i + 2))
                    {
                        let (lo, hi) = (code(lo), code(hi));
                        match dst {
                            Token::Hex(first) => {
                                // Consecutive codes: the last UTF-16 unit counts up.
                                let base: Vec<u16> = units(first);
                                for (k, c) in (lo..=hi).enumerate() {
                                    if cmap.map.len() >= MAX_ENTRIES {
                                        break;
                                    }
                                    let mut u = base.clone();
                                    if let Some(last) = u.last_mut() {
                                        *last = last.wrapping_add(k as u16);
                                    }
                                    cmap.put(c, String::from_utf16_lossy(&u));
                                }
                            }
                            Token::Array(items) => {
                                for (c, item) in (lo..=hi).zip(items) {
                                    cmap.put(c, utf16(item));
                                }
                            }
                            _ => {}
                        }
                        i += 3;
                    }
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        cmap
    }

    fn put(&mut self, code: u32, text: String) {
        if self.map.len() < MAX_ENTRIES {
            self.map.insert(code, text);
        }
    }
}

#[derive(Debug)]
enum Token {
    /// A hex string's bytes.
    Hex(Vec<u8>),
    /// An array of hex strings (a bfrange destination list).
    Array(Vec<Vec<u8>>),
    /// An operator or name.
    Word(String),
}

fn tokenize(p: &[u8]) -> Vec<Token> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut array: Option<Vec<Vec<u8>>> = None;
    while i < p.len() {
        match p[i] {
            b'%' => {
                while i < p.len() && p[i] != b'\n' && p[i] != b'\r' {
                    i += 1;
                }
            }
            b'<' if p.get(i + 1) == Some(&b'<') => i += 2,
            b'>' if p.get(i + 1) == Some(&b'>') => i += 2,
            b'<' => {
                let end = p[i..]
                    .iter()
                    .position(|&b| b == b'>')
                    .map_or(p.len(), |e| i + e);
                let bytes = hex(&p[i + 1..end]);
                match &mut array {
                    Some(a) => a.push(bytes),
                    None => out.push(Token::Hex(bytes)),
                }
                i = end + 1;
            }
            b'[' => {
                array = Some(Vec::new());
                i += 1;
            }
            b']' => {
                if let Some(a) = array.take() {
                    out.push(Token::Array(a));
                }
                i += 1;
            }
            b if b.is_ascii_whitespace() => i += 1,
            _ => {
                let start = i;
                while i < p.len() && !p[i].is_ascii_whitespace() && !b"<>[]%".contains(&p[i]) {
                    i += 1;
                }
                if i == start {
                    i += 1;
                }
                out.push(Token::Word(
                    String::from_utf8_lossy(&p[start..i]).into_owned(),
                ));
            }
        }
    }
    out
}

/// The bytes of a hex string's digits (odd count: a final 0 is implied).
fn hex(digits: &[u8]) -> Vec<u8> {
    let d: Vec<u8> = digits
        .iter()
        .filter_map(|&c| (c as char).to_digit(16).map(|v| v as u8))
        .collect();
    d.chunks(2)
        .map(|c| c[0] << 4 | c.get(1).copied().unwrap_or(0))
        .collect()
}

/// A code from its bytes, big-endian (at most four bytes count).
fn code(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .rev()
        .take(4)
        .rev()
        .fold(0, |a, &b| a << 8 | b as u32)
}

fn units(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], c.get(1).copied().unwrap_or(0)]))
        .collect()
}

fn utf16(bytes: &[u8]) -> String {
    String::from_utf16_lossy(&units(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bfchar_and_bfrange_map_codes_to_text() {
        let cmap = CMap::parse(
            b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
              1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
              2 beginbfchar <0003> <0020> <0011> <987976EE> endbfchar\n\
              2 beginbfrange <0020> <0022> <4E00> <0030> <0031> [<6307> <D83DDE00>] endbfrange\n\
              endcmap",
        );
        assert_eq!(cmap.two_byte, Some(true));
        assert_eq!(cmap.get(3), Some(" "));
        assert_eq!(cmap.get(0x11), Some("项目"));
        assert_eq!(cmap.get(0x21), Some("\u{4E01}"));
        assert_eq!(cmap.get(0x22), Some("\u{4E02}"));
        assert_eq!(cmap.get(0x30), Some("指"));
        assert_eq!(cmap.get(0x31), Some("😀"));
        assert_eq!(cmap.get(0x40), None);
    }

    #[test]
    fn one_byte_codespaces_and_garbage_are_survived() {
        let cmap = CMap::parse(
            b"1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfchar <41> <0041",
        );
        assert_eq!(cmap.two_byte, Some(false));
        assert_eq!(cmap.get(0x41), Some("A"));
        let huge = CMap::parse(b"1 beginbfrange <00000000> <FFFFFFFF> <0041> endbfrange");
        assert!(huge.map.len() <= MAX_ENTRIES);
        CMap::parse(b"<<<>>>[[]] ] < beginbfrange <01>");
    }
}
