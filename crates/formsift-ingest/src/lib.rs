//! Ingest: bytes of one input file → Unicode text, or a clear reason why not.
//!
//! This crate owns reading a file (or standard input), recognising binary
//! content, and decoding text: UTF-8 with or without BOM (checked with
//! `simdutf8`), UTF-16 with BOM, and
//! GB18030/GBK (the common encoding of Chinese archives) or Big5, guessed
//! with `chardetng` and decoded with `encoding_rs`.
//! Line ends are normalised to `\n`. It does not look at what the text says;
//! that is the normalise stage's work.

use encoding_rs::{BIG5, Encoding, GB18030, UTF_8, UTF_16BE, UTF_16LE};
use std::borrow::Cow;
use std::path::Path;

/// Text decoded from one input.
#[derive(Debug, Clone, PartialEq)]
pub struct Text<'a> {
    /// The decoded text, `\n` line ends: the input itself when it is UTF-8
    /// already (no copy), else a decoded copy.
    pub text: Cow<'a, str>,
    /// The encoding used (`UTF-8`, `UTF-16LE`, `GB18030`, …).
    pub encoding: &'static str,
    /// Size of the input in bytes.
    pub bytes: usize,
}

/// Why an input could not be read as text.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The path does not exist or cannot be opened.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The content is binary (NUL bytes or control characters).
    #[error(
        "{path}: binary file (byte {offset} is {byte:#04x}); formsift reads text exports of forms (.txt, .md, .html)"
    )]
    Binary {
        /// The path.
        path: String,
        /// Offset of the first offending byte.
        offset: usize,
        /// The byte.
        byte: u8,
    },
    /// Neither UTF-8 nor a known Chinese encoding.
    #[error(
        "{path}: not valid UTF-8 (first bad byte at offset {offset}) and not GB18030/GBK or Big5 either; convert it to UTF-8 (e.g. with iconv) and retry"
    )]
    Encoding {
        /// The path.
        path: String,
        /// Offset of the first byte that is not UTF-8.
        offset: usize,
    },
    /// The file is empty or holds only white space.
    #[error("{path}: empty input (no text)")]
    Empty {
        /// The path.
        path: String,
    },
}

/// Reads and decodes a file.
pub fn read_file(path: &Path) -> Result<Text<'static>, IngestError> {
    let bytes = std::fs::read(path).map_err(|source| IngestError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let t = decode(&bytes, &path.display().to_string())?;
    Ok(Text {
        text: Cow::Owned(t.text.into_owned()),
        encoding: t.encoding,
        bytes: t.bytes,
    })
}

/// Decodes bytes; `name` is used in errors.
pub fn decode<'a>(bytes: &'a [u8], name: &str) -> Result<Text<'a>, IngestError> {
    let (encoding, body): (&'static Encoding, &[u8]) = match Encoding::for_bom(bytes) {
        Some((enc, bom_len)) => (enc, &bytes[bom_len..]),
        None => (UTF_8, bytes),
    };
    let text = if encoding == UTF_16LE || encoding == UTF_16BE {
        let (t, had_errors) = encoding.decode_without_bom_handling(body);
        if had_errors {
            return Err(IngestError::Encoding {
                path: name.to_string(),
                offset: 0,
            });
        }
        (Cow::Owned(t.into_owned()), encoding.name())
    } else {
        // (The memchr crate's search reads 32 bytes a step; the standard
        // one a word.)
        if let Some(offset) = memchr::memchr(0, body) {
            return Err(IngestError::Binary {
                path: name.to_string(),
                offset,
                byte: 0,
            });
        }
        // simdutf8 checks UTF-8 several bytes at a time (CJK text makes the
        // standard check go character by character); the standard check
        // runs only on failure, for the offset.
        match simdutf8::basic::from_utf8(body) {
            Ok(t) => (Cow::Borrowed(t), "UTF-8"),
            Err(_) => {
                let offset = std::str::from_utf8(body).map_or_else(|e| e.valid_up_to(), |_| 0);
                match legacy_chinese(body) {
                    Some((t, enc)) => (Cow::Owned(t), enc),
                    None => {
                        return Err(IngestError::Encoding {
                            path: name.to_string(),
                            offset,
                        });
                    }
                }
            }
        }
    };
    let (text, encoding) = text;
    if let Some((offset, c)) = first_control(&text) {
        return Err(IngestError::Binary {
            path: name.to_string(),
            offset,
            byte: c as u32 as u8,
        });
    }
    if text.trim().is_empty() {
        return Err(IngestError::Empty {
            path: name.to_string(),
        });
    }
    let text = match memchr::memchr(b'\r', text.as_bytes()) {
        Some(first) => Cow::Owned(newline_ends(&text, first)),
        None => text,
    };
    Ok(Text {
        text,
        encoding,
        bytes: bytes.len(),
    })
}

/// The first control character other than line ends, tab and form feed (a
/// byte scan: C0 and DEL are single bytes, C1 is 0xC2 0x80..=0x9F in UTF-8).
fn first_control(text: &str) -> Option<(usize, char)> {
    let b = text.as_bytes();
    let suspect = |x: u8| {
        (x < 0x20 && !matches!(x, b'\n' | b'\r' | b'\t' | 0x0c)) | (x == 0x7f) | (x == 0xC2)
    };
    // Whole chunks are screened without branches (the loop vectorises);
    // only a chunk with a suspect byte is looked at closely.
    for (k, chunk) in b.chunks(64).enumerate() {
        if !chunk.iter().fold(false, |any, &x| any | suspect(x)) {
            continue;
        }
        let base = k * 64;
        for (j, &x) in chunk.iter().enumerate() {
            let i = base + j;
            let c0 = (x < 0x20 && !matches!(x, b'\n' | b'\r' | b'\t' | 0x0c)) || x == 0x7f;
            let c1 = x == 0xC2 && matches!(b.get(i + 1), Some(0x80..=0x9f));
            if c0 || c1 {
                return Some((i, text[i..].chars().next().unwrap_or('\0')));
            }
        }
    }
    None
}

/// How many bytes of a file the encoding guess reads.
const DETECT_BYTES: usize = 2 * 1024;

/// Text in a legacy Chinese encoding: the one `chardetng` guesses when it is
/// GBK/GB18030 or Big5, else GB18030 (a superset of GBK and GB2312, the
/// common case of mainland archives); only a decoding without errors that
/// reads as Chinese is taken.
fn legacy_chinese(body: &[u8]) -> Option<(String, &'static str)> {
    // A few kilobytes tell the encoding as well as the whole file and keep
    // the guess cheap on large inputs; the sample ends at a line end, which is
    // never a trail byte in GBK or Big5, so no character is cut in half.
    let sample = match body.get(..DETECT_BYTES) {
        Some(head) => head
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(head, |i| &head[..=i]),
        None => body,
    };
    // Bytes Big5 cannot decode (GBK's trail bytes 0x80–0xA0 are not Big5's)
    // settle it without the detector, which costs more than the rest of
    // reading a file.
    let big5 = BIG5
        .decode_without_bom_handling_and_without_replacement(sample)
        .is_some()
        && {
            let mut detector = chardetng::EncodingDetector::new();
            detector.feed(sample, true);
            detector.guess(None, true) == BIG5
        };
    let tries: [(&'static Encoding, &'static str); 2] = if big5 {
        [(BIG5, "Big5"), (GB18030, "GB18030")]
    } else {
        [(GB18030, "GB18030"), (BIG5, "Big5")]
    };
    tries.into_iter().find_map(|(enc, name)| {
        enc.decode_without_bom_handling_and_without_replacement(body)
            .filter(|t| looks_chinese(t))
            .map(|t| (t.into_owned(), name))
    })
}

/// `text` with `\r\n` and lone `\r` made `\n`, in one pass; `first` is
/// the offset of its first `\r`.
fn newline_ends(text: &str, first: usize) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(b.len());
    let (mut from, mut at) = (0, Some(first));
    while let Some(i) = at {
        out.push_str(&text[from..i]);
        out.push('\n');
        from = if b.get(i + 1) == Some(&b'\n') {
            i + 2
        } else {
            i + 1
        };
        at = memchr::memchr(b'\r', &b[from..]).map(|k| from + k);
    }
    out.push_str(&text[from..]);
    out
}

/// True when a decoding yields mostly CJK or ASCII text (a GB18030 guess that
/// produced rare symbols everywhere is wrong): of its characters other than
/// ASCII, at least four in five are CJK ideographs (U+4E00–U+9FFF), CJK
/// punctuation (U+3000–U+303F) or full-width forms (U+FF00–U+FFEF).
///
/// Counted on the UTF-8 bytes, a character by its lead byte (and the byte
/// after it where a range starts or ends inside a lead byte's block), not by
/// decoding characters: this runs over every legacy-encoded file.
fn looks_chinese(t: &str) -> bool {
    let b = t.as_bytes();
    let (mut cjk, mut other) = (0usize, 0usize);
    for (i, &lead) in b.iter().enumerate() {
        // Continuation bytes (10xxxxxx) and ASCII start no character that counts.
        if lead < 0xC0 {
            continue;
        }
        let second = b.get(i + 1).copied().unwrap_or(0);
        let is_cjk = match lead {
            // U+4E00–U+9FFF: E4 B8 80 to E9 BF BF.
            0xE4 => second >= 0xB8,
            0xE5..=0xE9 => true,
            // U+3000–U+303F: E3 80 xx.
            0xE3 => second == 0x80,
            // U+FF00–U+FFEF: EF BC 80 to EF BF AF.
            0xEF => match second {
                0xBC..=0xBE => true,
                0xBF => b.get(i + 2).is_some_and(|&third| third <= 0xAF),
                _ => false,
            },
            _ => false,
        };
        if is_cjk {
            cjk += 1;
        } else {
            other += 1;
        }
    }
    cjk > 0 && cjk >= other * 4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_text_is_borrowed_and_only_repairs_copy() {
        let bytes = "\u{feff}项目名称\t甲\n".as_bytes();
        let t = decode(bytes, "a").unwrap();
        assert!(matches!(t.text, Cow::Borrowed(_)), "clean UTF-8 was copied");
        assert_eq!(
            t.text.as_ptr(),
            bytes[3..].as_ptr(),
            "not the input after the BOM"
        );
        let t = decode("项目\r\n".as_bytes(), "a").unwrap();
        assert!(matches!(t.text, Cow::Owned(_)));
        assert_eq!(&*t.text, "项目\n");
    }

    #[test]
    fn utf8_with_and_without_bom() {
        let t = decode("项目名称\t甲\r\n".as_bytes(), "a").unwrap();
        assert_eq!((&*t.text, t.encoding), ("项目名称\t甲\n", "UTF-8"));
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice("项目".as_bytes());
        assert_eq!(decode(&b, "a").unwrap().text, "项目");
    }

    #[test]
    fn gb18030_is_detected() {
        let (bytes, _, _) = GB18030.encode("财政项目支出绩效目标申报表\n项目名称\t帮困慰问");
        let t = decode(&bytes, "a").unwrap();
        assert_eq!(t.encoding, "GB18030");
        assert!(t.text.starts_with("财政项目支出"));
    }

    #[test]
    fn big5_is_told_from_gbk() {
        let text = "財政項目支出績效目標申報表\n項目名稱\t幫困慰問\n主管部門\t上海市總工會\n";
        let (bytes, _, _) = BIG5.encode(text);
        let t = decode(&bytes, "a").unwrap();
        assert_eq!((&*t.text, t.encoding), (text, "Big5"));
    }

    #[test]
    fn utf16_with_bom() {
        let mut b = vec![0xFF, 0xFE];
        for u in "绩效".encode_utf16() {
            b.extend_from_slice(&u.to_le_bytes());
        }
        let t = decode(&b, "a").unwrap();
        assert_eq!((&*t.text, t.encoding), ("绩效", "UTF-16LE"));
    }

    #[test]
    fn control_characters_are_found_wherever_they_stand() {
        for at in [0, 5, 63, 64, 65, 200] {
            let mut t = "甲".repeat(70) + "°é\t\r\n\u{c}";
            assert_eq!(first_control(&t), None);
            let pos = t.char_indices().nth(at).map_or(t.len(), |(i, _)| i);
            t.insert(pos, '\u{1b}');
            assert_eq!(first_control(&t), Some((pos, '\u{1b}')), "at {at}");
            t.insert(pos, '\u{85}');
            assert_eq!(first_control(&t), Some((pos, '\u{85}')), "C1 at {at}");
        }
    }

    #[test]
    fn a_nul_byte_is_reported_at_its_offset_and_line_ends_become_newlines() {
        for at in [0, 1, 31, 32, 33, 100] {
            let mut b = vec![b'a'; 120];
            b[at] = 0;
            match decode(&b, "n") {
                Err(IngestError::Binary { offset, byte, .. }) => {
                    assert_eq!((offset, byte), (at, 0), "{at}");
                }
                other => panic!("{at}: {other:?}"),
            }
        }
        let long = format!("{}\r\n甲\r乙\n", "项目".repeat(40));
        let t = decode(long.as_bytes(), "r").unwrap();
        assert_eq!(t.text, format!("{}\n甲\n乙\n", "项目".repeat(40)));
    }

    /// What [`looks_chinese`] counts, by characters.
    fn looks_chinese_by_chars(t: &str) -> bool {
        let (mut cjk, mut other) = (0usize, 0usize);
        for c in t.chars().filter(|c| !c.is_ascii()) {
            if ('\u{4e00}'..='\u{9fff}').contains(&c)
                || ('\u{3000}'..='\u{303f}').contains(&c)
                || ('\u{ff00}'..='\u{ffef}').contains(&c)
            {
                cjk += 1;
            } else {
                other += 1;
            }
        }
        cjk > 0 && cjk >= other * 4
    }

    /// Characters at and around the edges of the ranges looks_chinese
    /// counts, and ones that share their lead bytes.
    fn edge_char() -> impl proptest::strategy::Strategy<Value = char> {
        use proptest::prelude::*;
        let edges: Vec<char> = [
            0x4DFF, 0x4E00, 0x4E01, 0x9FFF, 0xA000, 0x2FFF, 0x3000, 0x303F, 0x3040, 0x30FF, 0xFEFF,
            0xFF00, 0xFFEF, 0xFFF0, 0xFFFD, 0xE000, 0x4000, 0x00E9, 0x0100, 0x1F600,
        ]
        .into_iter()
        .filter_map(char::from_u32)
        .collect();
        prop_oneof![
            proptest::sample::select(edges),
            any::<char>(),
            proptest::char::range('\u{3000}', '\u{a000}'),
            proptest::char::range('\u{fe00}', '\u{ffff}'),
            Just('a'),
        ]
    }

    proptest::proptest! {
        #[test]
        fn looks_chinese_counts_as_the_characters_do(
            chars in proptest::collection::vec(edge_char(), 0..40),
        ) {
            let t: String = chars.into_iter().collect();
            proptest::prop_assert_eq!(looks_chinese(&t), looks_chinese_by_chars(&t), "{:?}", t);
        }

        #[test]
        fn line_ends_become_newlines_as_two_replaces_make_them(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec!["\r", "\n", "\r\n", "甲", "a", "\r\r", "\n\r"]),
                0..30,
            ),
        ) {
            let t: String = pieces.concat();
            if let Some(first) = t.find('\r') {
                let want = t.replace("\r\n", "\n").replace('\r', "\n");
                proptest::prop_assert_eq!(newline_ends(&t, first), want);
            }
        }
    }

    #[test]
    fn binary_and_garbage_are_refused_with_the_name() {
        let e = decode(b"%PDF\x00\x01", "x.bin").unwrap_err().to_string();
        assert!(e.contains("x.bin") && e.contains("binary"), "{e}");
        let e = decode(&[0x80, 0x80, 0xff, 0xfe, 0x41], "y.txt")
            .unwrap_err()
            .to_string();
        assert!(e.contains("y.txt") && e.contains("UTF-8"), "{e}");
        assert!(matches!(
            decode(b"  \n", "z"),
            Err(IngestError::Empty { .. })
        ));
    }
}
