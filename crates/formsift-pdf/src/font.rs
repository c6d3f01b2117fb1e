//! Fonts as far as placing and reading glyphs needs: how the bytes of a
//! shown string split into codes (one byte, or two for Type0 fonts), the
//! text of each code (ToUnicode CMap first; then the font's encoding through
//! lopdf — standard, WinAnsi, MacRoman, `Differences`; then the predefined
//! Chinese CMaps: UCS-2/UTF-16 codes, and GBK or Big5 byte codes through
//! `encoding_rs`), and each code's advance width.

use crate::cmap::CMap;
use lopdf::{Dictionary, Document, Encoding, Object};
use std::collections::HashMap;

/// Most bytes a font's ToUnicode stream may inflate to.
const MAX_CMAP_BYTES: usize = 8 << 20;

/// One font of a page's resources.
pub(crate) struct Font<'a> {
    /// Codes are two bytes (Type0 fonts).
    pub(crate) two_byte: bool,
    to_unicode: Option<CMap>,
    encoding: Option<Encoding<'a>>,
    /// Text of the code as UTF-16BE (UniGB-UCS2-H and similar CMaps).
    ucs2: bool,
    /// Codes are legacy multi-byte text (GBK-EUC-H, B5pc-H and the like):
    /// one byte below 0x80, else two, decoded with this encoding.
    legacy: Option<&'static encoding_rs::Encoding>,
    widths: HashMap<u32, f32>,
    default_width: f32,
}

impl<'a> Font<'a> {
    /// Reads a font dictionary; whatever cannot be read falls back to
    /// one-byte codes of the standard encoding and a default width.
    pub(crate) fn load(dict: &'a Dictionary, doc: &'a Document) -> Font<'a> {
        let subtype = dict
            .get(b"Subtype")
            .and_then(Object::as_name)
            .unwrap_or(b"");
        let two_byte = subtype == b"Type0";
        let to_unicode = dict
            .get_deref(b"ToUnicode", doc)
            .and_then(Object::as_stream)
            .ok()
            .and_then(|s| s.get_plain_content_with_limit(MAX_CMAP_BYTES).ok())
            .map(|p| CMap::parse(&p));
        let encoding_name = dict
            .get_deref(b"Encoding", doc)
            .and_then(Object::as_name)
            .unwrap_or(b"");
        let has = |part: &[u8]| encoding_name.windows(part.len()).any(|w| w == part);
        let ucs2 = two_byte && encoding_name.starts_with(b"Uni") && (has(b"UCS2") || has(b"UTF16"));
        let legacy = two_byte.then(|| legacy_cmap(encoding_name)).flatten();
        let encoding = if two_byte {
            None
        } else {
            dict.get_font_encoding_with_limit(doc, MAX_CMAP_BYTES).ok()
        };
        let mut font = Font {
            two_byte,
            to_unicode,
            encoding,
            ucs2,
            legacy,
            widths: HashMap::new(),
            default_width: if two_byte { 1000.0 } else { 500.0 },
        };
        if two_byte {
            font.cid_widths(dict, doc);
        } else {
            font.simple_widths(dict, doc);
        }
        font
    }

    /// `FirstChar` and `Widths` of a simple font.
    fn simple_widths(&mut self, dict: &Dictionary, doc: &Document) {
        let first = dict
            .get_deref(b"FirstChar", doc)
            .and_then(Object::as_i64)
            .unwrap_or(0);
        if let Ok(widths) = dict.get_deref(b"Widths", doc).and_then(Object::as_array) {
            for (k, w) in widths.iter().enumerate().take(256) {
                if let Some(w) = number(doc, w) {
                    self.widths.insert((first + k as i64) as u32, w);
                }
            }
        }
        if let Some(w) = dict
            .get_deref(b"FontDescriptor", doc)
            .and_then(Object::as_dict)
            .ok()
            .and_then(|d| d.get(b"MissingWidth").ok())
            .and_then(|w| number(doc, w))
        {
            self.default_width = w;
        }
    }

    /// `DW` and `W` of a Type0 font's descendant: `c [w1 w2 …]` gives
    /// consecutive codes from c, `c1 c2 w` one width for a range.
    fn cid_widths(&mut self, dict: &Dictionary, doc: &Document) {
        let Some(cid) = dict
            .get_deref(b"DescendantFonts", doc)
            .and_then(Object::as_array)
            .ok()
            .and_then(|a| a.first())
            .and_then(|f| doc.dereference(f).ok())
            .and_then(|(_, f)| f.as_dict().ok())
        else {
            return;
        };
        if let Some(dw) = cid.get(b"DW").ok().and_then(|w| number(doc, w)) {
            self.default_width = dw;
        }
        let Ok(w) = cid.get_deref(b"W", doc).and_then(Object::as_array) else {
            return;
        };
        let mut i = 0;
        while i < w.len() && self.widths.len() < 1 << 16 {
            let Some(start) = number(doc, &w[i]) else {
                break;
            };
            match w.get(i + 1).map(|o| doc.dereference(o).map(|(_, o)| o)) {
                Some(Ok(Object::Array(list))) => {
                    for (k, v) in list.iter().enumerate() {
                        if let Some(v) = number(doc, v) {
                            self.widths.insert(start as u32 + k as u32, v);
                        }
                    }
                    i += 2;
                }
                Some(Ok(end)) => {
                    let (Some(end), Some(v)) =
                        (number(doc, end), w.get(i + 2).and_then(|v| number(doc, v)))
                    else {
                        break;
                    };
                    for c in (start as u32)..=(end as u32).min(start as u32 + (1 << 16)) {
                        self.widths.insert(c, v);
                    }
                    i += 3;
                }
                _ => break,
            }
        }
    }

    /// The codes of a shown string.
    pub(crate) fn codes<'s>(&self, bytes: &'s [u8]) -> impl Iterator<Item = u32> + 's {
        let (two_byte, legacy) = (self.two_byte, self.legacy.is_some());
        let mut at = 0;
        std::iter::from_fn(move || {
            let first = *bytes.get(at)?;
            let len = if legacy && first < 0x80 {
                1
            } else if two_byte {
                2
            } else {
                1
            };
            let code = bytes[at..(at + len).min(bytes.len())]
                .iter()
                .fold(0u32, |a, &b| a << 8 | b as u32);
            at += len;
            Some(code)
        })
    }

    /// The text of a code; a code the font cannot say becomes U+FFFD. CJK
    /// radicals and compatibility ideographs that some producers' CMaps
    /// give for ordinary characters (⼯ U+2F2F for 工) are folded to the
    /// unified ideographs.
    pub(crate) fn text(&self, code: u32) -> String {
        fold_radicals(self.raw_text(code))
    }

    fn raw_text(&self, code: u32) -> String {
        if let Some(t) = self.to_unicode.as_ref().and_then(|m| m.get(code)) {
            return t.to_string();
        }
        if let Some(enc) = self.legacy {
            let bytes = if code < 0x100 {
                vec![code as u8]
            } else {
                vec![(code >> 8) as u8, code as u8]
            };
            let (text, _, bad) = enc.decode(&bytes);
            if !bad {
                return text.into_owned();
            }
        }
        if self.ucs2 {
            return char::from_u32(code).map_or_else(|| "\u{FFFD}".into(), String::from);
        }
        if let Some(enc) = &self.encoding
            && let Ok(t) = enc.bytes_to_string(&[code as u8])
        {
            return t;
        }
        if !self.two_byte && (0x20..0x7f).contains(&code) {
            return (code as u8 as char).to_string();
        }
        "\u{FFFD}".into()
    }

    /// A code's advance in thousandths of the font size.
    pub(crate) fn width(&self, code: u32) -> f32 {
        self.widths
            .get(&code)
            .copied()
            .unwrap_or(self.default_width)
    }
}

/// Kangxi radicals, CJK radical supplements and compatibility ideographs
/// as the unified ideographs they are compatibility-equivalent to.
pub(crate) fn fold_radicals(text: String) -> String {
    let odd = |c: char| matches!(c, '\u{2E80}'..='\u{2FDF}' | '\u{F900}'..='\u{FAFF}');
    if !text.chars().any(odd) {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if odd(c) {
            unicode_normalization::char::decompose_compatible(c, |d| out.push(d));
        } else {
            out.push(c);
        }
    }
    out
}

/// The encoding of a predefined CMap whose codes are legacy Chinese text.
fn legacy_cmap(name: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    if name.starts_with(b"Uni") {
        return None;
    }
    if name.starts_with(b"GB") {
        Some(encoding_rs::GBK)
    } else if name.starts_with(b"B5") || name.starts_with(b"ETen") || name.starts_with(b"HKscs") {
        Some(encoding_rs::BIG5)
    } else {
        None
    }
}

/// A number, following a reference.
pub(crate) fn number(doc: &Document, o: &Object) -> Option<f32> {
    match doc.dereference(o).ok()?.1 {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) => Some(*r),
        _ => None,
    }
}
