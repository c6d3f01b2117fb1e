//! Compact JSON for the output lines: the bytes `serde_json::to_writer`
//! writes, from any `Serialize` value, with a faster string escape.
//!
//! Records are mostly text, and serde_json looks up every byte of every
//! string in its escape table. Here a string is scanned sixteen bytes at a
//! time for the few bytes JSON escapes (`"`, `\`, controls below U+0020) and
//! clean runs are copied whole. Everything else — numbers (zmij, itoa, as serde_json uses), the
//! order of keys, `null` for a non-finite float, the escape forms — follows
//! serde_json, and a property test holds the two to the same bytes.

use serde::ser::{self, Serialize};
use std::fmt::Display;

/// Why a value could not be written: a map key that is not a string, a
/// number, a bool or a char (or is a float that is not finite), or a
/// `Serialize` impl that reports an error.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct JsonError(String);

impl ser::Error for JsonError {
    fn custom<T: Display>(msg: T) -> Self {
        JsonError(msg.to_string())
    }
}

/// Appends `value` as compact JSON to `out`.
pub fn write<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result<(), JsonError> {
    value.serialize(&mut Writer::<false> { out })
}

/// Appends `value` as compact JSON to `out` with the keys of every object
/// in sorted order: the bytes `serde_json::to_value` and then `to_writer`
/// give (its maps are sorted; a key given twice keeps the last value; an
/// `f32` is widened to an `f64`), without building the value tree. Review items are written this way.
pub fn write_sorted<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result<(), JsonError> {
    value.serialize(&mut Writer::<true> { out })
}

/// The ten integer methods of a serializer, each with the same body
/// (`w` is the serializer, `v` the number).
macro_rules! integers {
    ($w:ident, $v:ident => $body:expr) => {
        integers!(@each $w $v $body;
            serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
            serialize_i64: i64, serialize_i128: i128, serialize_u8: u8,
            serialize_u16: u16, serialize_u32: u32, serialize_u64: u64,
            serialize_u128: u128);
    };
    (@each $w:ident $v:ident $body:expr; $($m:ident: $t:ty),*) => {$(
        fn $m(self, $v: $t) -> Result<(), JsonError> {
            let $w = self;
            $body
        }
    )*};
}

/// The writer; `&mut Writer` is the serde `Serializer`. With `SORTED`,
/// objects are written with their keys sorted ([`write_sorted`]); a
/// parameter of the type, so that the plain writer carries no test for it.
struct Writer<'a, const SORTED: bool> {
    out: &'a mut Vec<u8>,
}

/// Bytes JSON must escape: controls below U+0020, `"` and `\`.
fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Whether a block of sixteen bytes holds one JSON must escape. A fixed-size
/// OR over the block: the compiler makes it a few vector compares, where a
/// search that stops at the first hit would go byte by byte.
fn block_needs_escape(block: &[u8; 16]) -> bool {
    let mut hit = false;
    for &b in block {
        hit |= needs_escape(b);
    }
    hit
}

/// Whether eight bytes (read as one word) hold one JSON must escape: the
/// bit tricks for "a byte below n" and "a zero byte", exact for the
/// question whether any byte matches.
fn word_needs_escape(word: [u8; 8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let x = u64::from_le_bytes(word);
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let control = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
    control | zero(x ^ (ONES * u64::from(b'"'))) | zero(x ^ (ONES * u64::from(b'\\'))) != 0
}

/// Whether any byte of `bytes` must be escaped. Long texts go by blocks of
/// sixteen and a last block that overlaps the one before; 4 to 15 bytes by
/// two overlapping words or half-words; shorter ones byte by byte. Nothing is copied.
///
/// Always inlined: called out of line from every string and key, it cost
/// 1% more instructions than inlined (callgrind, 300-file slice).
#[inline(always)]
fn any_escape(bytes: &[u8]) -> bool {
    let n = bytes.len();
    let word = |at: usize| word_needs_escape(bytes[at..at + 8].try_into().expect("8 bytes"));
    if n >= 16 {
        let block =
            |at: usize| block_needs_escape(bytes[at..at + 16].try_into().expect("16 bytes"));
        (0..n / 16).any(|k| block(16 * k)) || block(n - 16)
    } else if n >= 8 {
        word(0) || word(n - 8)
    } else if n >= 4 {
        // Two overlapping halves, widened to a word by repeating them.
        let half = |at: usize| -> [u8; 4] { bytes[at..at + 4].try_into().expect("4 bytes") };
        let (a, b) = (half(0), half(n - 4));
        word_needs_escape([a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3]])
    } else {
        bytes.iter().any(|&b| needs_escape(b))
    }
}

pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    if any_escape(bytes) {
        write_escaped(out, bytes);
    } else {
        out.extend_from_slice(bytes);
    }
    out.push(b'"');
}

/// The slow path, for the rare text with a quote, a backslash or a control:
/// serde_json's escapes (`\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`,
/// otherwise `\u00XX` in lower-case hex).
fn write_escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut start = 0;
    let mut i = 0;
    // Blocks of sixteen with nothing to escape are passed over whole (a
    // paragraph with a line break is mostly clean text); a block that holds
    // an escape, and the tail, are looked at byte by byte.
    while i < bytes.len() {
        if let Some(block) = bytes.get(i..i + 16)
            && !block_needs_escape(block.try_into().expect("16 bytes"))
        {
            i += 16;
            continue;
        }
        let end = (i + 16).min(bytes.len());
        for (j, &b) in bytes.iter().enumerate().take(end).skip(i) {
            if needs_escape(b) {
                out.extend_from_slice(&bytes[start..j]);
                write_escape(out, b);
                start = j + 1;
            }
        }
        i = end;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// serde_json's escape of one byte.
fn write_escape(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match b {
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        b'\n' => out.extend_from_slice(b"\\n"),
        b'\r' => out.extend_from_slice(b"\\r"),
        b'\t' => out.extend_from_slice(b"\\t"),
        0x08 => out.extend_from_slice(b"\\b"),
        0x0C => out.extend_from_slice(b"\\f"),
        _ => out.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[(b >> 4) as usize],
            HEX[(b & 0xF) as usize],
        ]),
    }
}

pub(crate) fn write_int(out: &mut Vec<u8>, n: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// Below this, an integral float is written as its integer and `.0`, as
/// the shortest form (zmij, ryu) writes it; most floats of a record are
/// whole (a confidence of 1, a target of 85, an amount in yuan), and the
/// integer is cheaper to write. A test holds the two to the same bytes.
const WHOLE_BELOW: f64 = 1e15;

pub(crate) fn write_f64(out: &mut Vec<u8>, v: f64) {
    if v.fract() == 0.0 && v.abs() < WHOLE_BELOW && (v != 0.0 || v.is_sign_positive()) {
        write_int(out, v as i64);
        out.extend_from_slice(b".0");
    } else if v.is_finite() {
        out.extend_from_slice(zmij::Buffer::new().format_finite(v).as_bytes());
    } else {
        out.extend_from_slice(b"null");
    }
}

fn write_f32(out: &mut Vec<u8>, v: f32) {
    if v.is_finite() {
        out.extend_from_slice(zmij::Buffer::new().format_finite(v).as_bytes());
    } else {
        out.extend_from_slice(b"null");
    }
}

/// An array or object being written: whether a comma is due, and which
/// closing bracket (or brackets, for an enum variant's wrapper) end it.
struct Compound<'w, 'a, const SORTED: bool> {
    w: &'w mut Writer<'a, SORTED>,
    first: bool,
    close: &'static [u8],
    /// For an object whose keys are to be sorted: where its first entry
    /// starts in the output, and each entry's key and start.
    sort: Option<Sort>,
}

/// The entries of an object written in the order they came, to be put in
/// key order when it ends.
struct Sort {
    base: usize,
    entries: Vec<(std::borrow::Cow<'static, str>, usize)>,
}

impl<const SORTED: bool> Compound<'_, '_, SORTED> {
    fn comma(&mut self) {
        if !self.first {
            self.w.out.push(b',');
        }
        self.first = false;
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JsonError> {
        self.comma();
        value.serialize(&mut *self.w)
    }

    fn field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), JsonError> {
        // `,"key":` with one reservation: a struct's keys are short and
        // almost never need escaping.
        let out = &mut *self.w.out;
        out.reserve(key.len() + 4);
        if !self.first {
            out.push(b',');
        }
        self.first = false;
        if SORTED && let Some(s) = &mut self.sort {
            s.entries.push((std::borrow::Cow::Borrowed(key), out.len()));
        }
        out.push(b'"');
        if any_escape(key.as_bytes()) {
            write_escaped(out, key.as_bytes());
        } else {
            out.extend_from_slice(key.as_bytes());
        }
        out.extend_from_slice(b"\":");
        value.serialize(&mut *self.w)
    }

    fn end(self) -> Result<(), JsonError> {
        if SORTED && let Some(sort) = self.sort {
            sort_entries(self.w.out, sort);
        }
        // (One or two bytes: pushed, not copied by a call.)
        for &b in self.close {
            self.w.out.push(b);
        }
        Ok(())
    }
}

/// Puts the entries an object wrote (from `sort.base` to the end of `out`,
/// comma-separated, in the order they came) in key order, keeping the last
/// of entries with the same key, as a sorted map holds them.
fn sort_entries(out: &mut Vec<u8>, sort: Sort) {
    let Sort { base, mut entries } = sort;
    if entries.windows(2).all(|w| w[0].0 < w[1].0) {
        return;
    }
    let written = out.split_off(base);
    let ends: Vec<usize> = entries
        .iter()
        .skip(1)
        .map(|(_, start)| start - base - 1)
        .chain([written.len()])
        .collect();
    let mut pieces: Vec<(&str, &[u8])> = entries
        .iter_mut()
        .zip(ends)
        .map(|((key, start), end)| (&**key, &written[*start - base..end]))
        .collect();
    // (Stable: of equal keys the last written stays last.)
    pieces.sort_by(|a, b| a.0.cmp(b.0));
    let mut first = true;
    for (k, (key, bytes)) in pieces.iter().enumerate() {
        if pieces.get(k + 1).is_some_and(|(next, _)| next == key) {
            continue;
        }
        if !first {
            out.push(b',');
        }
        first = false;
        out.extend_from_slice(bytes);
    }
}

impl<'w, 'a, const SORTED: bool> Writer<'a, SORTED> {
    fn open(&'w mut self, open: &[u8], close: &'static [u8]) -> Compound<'w, 'a, SORTED> {
        self.out.extend_from_slice(open);
        Compound {
            w: self,
            first: true,
            close,
            sort: None,
        }
    }

    /// [`Writer::open`] for an object: its keys sorted when the writer
    /// sorts.
    fn open_object(&'w mut self, close: &'static [u8]) -> Compound<'w, 'a, SORTED> {
        let mut c = self.open(b"{", close);
        if SORTED {
            c.sort = Some(Sort {
                base: c.w.out.len(),
                entries: Vec::new(),
            });
        }
        c
    }

    /// `{"variant":` before an enum variant's content.
    fn variant_key(&mut self, variant: &str) {
        self.out.push(b'{');
        write_str(self.out, variant);
        self.out.push(b':');
    }
}

impl<'w, 'a, const SORTED: bool> ser::Serializer for &'w mut Writer<'a, SORTED> {
    type Ok = ();
    type Error = JsonError;
    type SerializeSeq = Compound<'w, 'a, SORTED>;
    type SerializeTuple = Compound<'w, 'a, SORTED>;
    type SerializeTupleStruct = Compound<'w, 'a, SORTED>;
    type SerializeTupleVariant = Compound<'w, 'a, SORTED>;
    type SerializeMap = Compound<'w, 'a, SORTED>;
    type SerializeStruct = Compound<'w, 'a, SORTED>;
    type SerializeStructVariant = Compound<'w, 'a, SORTED>;

    fn serialize_bool(self, v: bool) -> Result<(), JsonError> {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    integers!(w, v => {
        write_int(w.out, v);
        Ok(())
    });
    fn serialize_f32(self, v: f32) -> Result<(), JsonError> {
        // (A value tree holds every float as an f64.)
        if SORTED {
            write_f64(self.out, f64::from(v));
        } else {
            write_f32(self.out, v);
        }
        Ok(())
    }
    fn serialize_f64(self, v: f64) -> Result<(), JsonError> {
        write_f64(self.out, v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), JsonError> {
        write_str(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), JsonError> {
        write_str(self.out, v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), JsonError> {
        let mut seq = self.open(b"[", b"]");
        for b in v {
            seq.comma();
            write_int(seq.w.out, *b);
        }
        seq.end()
    }
    fn serialize_none(self) -> Result<(), JsonError> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), JsonError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), JsonError> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), JsonError> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), JsonError> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), JsonError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), JsonError> {
        self.variant_key(variant);
        value.serialize(&mut *self)?;
        self.out.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'w, 'a, SORTED>, JsonError> {
        Ok(self.open(b"[", b"]"))
    }
    fn serialize_tuple(self, _len: usize) -> Result<Compound<'w, 'a, SORTED>, JsonError> {
        Ok(self.open(b"[", b"]"))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Compound<'w, 'a, SORTED>, JsonError> {
        Ok(self.open(b"[", b"]"))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'w, 'a, SORTED>, JsonError> {
        self.variant_key(variant);
        Ok(self.open(b"[", b"]}"))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'w, 'a, SORTED>, JsonError> {
        Ok(self.open_object(b"}"))
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Compound<'w, 'a, SORTED>, JsonError> {
        Ok(self.open_object(b"}"))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'w, 'a, SORTED>, JsonError> {
        self.variant_key(variant);
        Ok(self.open_object(b"}}"))
    }
}

/// The array-like compounds: each element after a comma.
macro_rules! elements {
    ($($trait:ident :: $method:ident),*) => {$(
        impl<const SORTED: bool> ser::$trait for Compound<'_, '_, SORTED> {
            type Ok = ();
            type Error = JsonError;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JsonError> {
                self.element(value)
            }
            fn end(self) -> Result<(), JsonError> {
                Compound::end(self)
            }
        }
    )*};
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl<const SORTED: bool> ser::SerializeMap for Compound<'_, '_, SORTED> {
    type Ok = ();
    type Error = JsonError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), JsonError> {
        self.comma();
        let start = self.w.out.len();
        key.serialize(KeyWriter { out: self.w.out })?;
        if SORTED && let Some(s) = &mut self.sort {
            // The key as text, read back from the quoted form just written.
            let key: String = serde_json::from_slice(&self.w.out[start..])
                .map_err(|e| JsonError(e.to_string()))?;
            s.entries.push((std::borrow::Cow::Owned(key), start));
        }
        self.w.out.push(b':');
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JsonError> {
        value.serialize(&mut *self.w)
    }
    fn end(self) -> Result<(), JsonError> {
        Compound::end(self)
    }
}

/// The struct-like compounds: `"key":value` after a comma.
macro_rules! fields {
    ($($trait:ident),*) => {$(
        impl<const SORTED: bool> ser::$trait for Compound<'_, '_, SORTED> {
            type Ok = ();
            type Error = JsonError;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), JsonError> {
                self.field(key, value)
            }
            fn end(self) -> Result<(), JsonError> {
                Compound::end(self)
            }
        }
    )*};
}

fields!(SerializeStruct, SerializeStructVariant);

/// A map key: JSON keys are strings, so numbers, bools and chars are
/// written quoted (as serde_json does) and anything else is an error.
struct KeyWriter<'a> {
    out: &'a mut Vec<u8>,
}

impl KeyWriter<'_> {
    fn quoted(self, text: &[u8]) -> Result<(), JsonError> {
        self.out.push(b'"');
        self.out.extend_from_slice(text);
        self.out.push(b'"');
        Ok(())
    }
}

fn key_error() -> JsonError {
    JsonError("key must be a string".into())
}

impl ser::Serializer for KeyWriter<'_> {
    type Ok = ();
    type Error = JsonError;
    type SerializeSeq = ser::Impossible<(), JsonError>;
    type SerializeTuple = ser::Impossible<(), JsonError>;
    type SerializeTupleStruct = ser::Impossible<(), JsonError>;
    type SerializeTupleVariant = ser::Impossible<(), JsonError>;
    type SerializeMap = ser::Impossible<(), JsonError>;
    type SerializeStruct = ser::Impossible<(), JsonError>;
    type SerializeStructVariant = ser::Impossible<(), JsonError>;

    fn serialize_bool(self, v: bool) -> Result<(), JsonError> {
        self.quoted(if v { b"true" } else { b"false" })
    }
    integers!(w, v => w.quoted(itoa::Buffer::new().format(v).as_bytes()));
    fn serialize_f32(self, v: f32) -> Result<(), JsonError> {
        if !v.is_finite() {
            return Err(JsonError("float key must be finite".into()));
        }
        self.quoted(zmij::Buffer::new().format_finite(v).as_bytes())
    }
    fn serialize_f64(self, v: f64) -> Result<(), JsonError> {
        if !v.is_finite() {
            return Err(JsonError("float key must be finite".into()));
        }
        self.quoted(zmij::Buffer::new().format_finite(v).as_bytes())
    }
    fn serialize_char(self, v: char) -> Result<(), JsonError> {
        write_str(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), JsonError> {
        write_str(self.out, v);
        Ok(())
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<(), JsonError> {
        Err(key_error())
    }
    fn serialize_none(self) -> Result<(), JsonError> {
        Err(key_error())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), JsonError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), JsonError> {
        Err(key_error())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), JsonError> {
        Err(key_error())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), JsonError> {
        write_str(self.out, variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), JsonError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), JsonError> {
        Err(key_error())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, JsonError> {
        Err(key_error())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, JsonError> {
        Err(key_error())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, JsonError> {
        Err(key_error())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, JsonError> {
        Err(key_error())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, JsonError> {
        Err(key_error())
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, JsonError> {
        Err(key_error())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, JsonError> {
        Err(key_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::Serialize;
    use serde_json::Value;
    use std::collections::BTreeMap;

    fn ours<T: Serialize + ?Sized>(v: &T) -> String {
        let mut out = Vec::new();
        write(&mut out, v).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Text with every kind of byte the escape cares about, at every length
    /// around the word and block sizes.
    fn text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("\"".to_string()),
            Just("\\".to_string()),
            Just("\n".to_string()),
            Just("\u{1f}".to_string()),
            Just("\u{7f}".to_string()),
            Just("≥95%".to_string()),
            Just("质量指标".to_string()),
            "[ -~]{0,3}",
            any::<char>().prop_map(String::from),
        ];
        prop::collection::vec(piece, 0..24).prop_map(|p| p.concat())
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            text().prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((text(), inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn strings_are_escaped_as_serde_json_escapes_them(s in text()) {
            prop_assert_eq!(ours(&s), serde_json::to_string(&s).unwrap());
        }

        #[test]
        fn json_values_come_out_as_serde_json_writes_them(v in value()) {
            prop_assert_eq!(ours(&v), serde_json::to_string(&v).unwrap());
        }
    }

    #[test]
    fn whole_floats_are_written_as_the_shortest_form_writes_them() {
        let check = |v: f64| {
            let mut out = Vec::new();
            write_f64(&mut out, v);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(&v).unwrap()
            );
        };
        for v in -100_000..=100_000 {
            check(f64::from(v));
        }
        let mut x = 1.0f64;
        while x < 1e17 {
            for v in [x, x - 1.0, x + 1.0, -x, x * 7.0, 999_999_999_999_999.0] {
                check(v);
            }
            x *= 10.0;
        }
        for v in [
            0.0,
            -0.0,
            0.5,
            -2.5,
            1e-7,
            f64::NAN,
            f64::INFINITY,
            1e15,
            1e16,
            123_456_789.0,
        ] {
            check(v);
        }
    }

    #[test]
    fn every_escape_byte_is_found_at_every_offset() {
        // A single byte that needs escaping, at each place in texts of each
        // length up to three blocks: the word, half-word and block tests.
        for len in 1..48 {
            for at in 0..len {
                for b in (0u8..0x20).chain([b'"', b'\\']) {
                    let mut t = vec![b'a'; len];
                    t[at] = b;
                    let t = String::from_utf8(t).unwrap();
                    assert_eq!(ours(&t), serde_json::to_string(&t).unwrap(), "{t:?}");
                }
            }
        }
    }

    #[derive(Serialize)]
    enum Shape {
        Unit,
        Newtype(u8),
        Tuple(i32, f32),
        Struct { a: Option<char>, b: Vec<u8> },
    }

    #[derive(Serialize)]
    struct Unit;

    #[derive(Serialize)]
    struct Pair(u16, &'static str);

    #[derive(Serialize)]
    struct Wrap(i128);

    #[derive(Serialize)]
    struct Everything {
        shapes: Vec<Shape>,
        unit: Unit,
        pair: Pair,
        wrap: Wrap,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u32>,
        floats: [f64; 5],
        tuple: (bool, (), u128),
        by_int: BTreeMap<i32, &'static str>,
        by_bool: BTreeMap<bool, u8>,
        by_char: BTreeMap<char, u8>,
        #[serde(with = "serde_bytes_as_bytes")]
        bytes: Vec<u8>,
        #[serde(rename = "a \"quoted\"\tkey")]
        quoted: u8,
    }

    /// Writes a `Vec<u8>` through `serialize_bytes`.
    mod serde_bytes_as_bytes {
        pub fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(v)
        }
    }

    #[test]
    fn every_serde_shape_comes_out_as_serde_json_writes_it() {
        let v = Everything {
            shapes: vec![
                Shape::Unit,
                Shape::Newtype(7),
                Shape::Tuple(-3, 1.5),
                Shape::Struct {
                    a: Some('"'),
                    b: vec![1, 2],
                },
            ],
            unit: Unit,
            pair: Pair(9, "质量"),
            wrap: Wrap(-170141183460469231731687303715884105728),
            skipped: None,
            floats: [0.0, -0.0, 1e21, f64::NAN, 1.0 / 3.0],
            tuple: (true, (), u128::MAX),
            by_int: BTreeMap::from([(-1, "a"), (2, "b")]),
            by_bool: BTreeMap::from([(false, 0), (true, 1)]),
            by_char: BTreeMap::from([('\n', 0), ('指', 1)]),
            bytes: vec![0, 255],
            quoted: 1,
        };
        assert_eq!(ours(&v), serde_json::to_string(&v).unwrap());
    }

    fn sorted<T: Serialize + ?Sized>(v: &T) -> String {
        let mut out = Vec::new();
        write_sorted(&mut out, v).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// What `write_sorted` stands in for: a value tree, then its bytes.
    fn through_value<T: Serialize + ?Sized>(v: &T) -> String {
        serde_json::to_string(&serde_json::to_value(v).unwrap()).unwrap()
    }

    /// A map written in the order given, keys repeated as given.
    struct Entries(Vec<(String, Value)>);

    impl Serialize for Entries {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let mut m = s.serialize_map(Some(self.0.len()))?;
            for (k, v) in &self.0 {
                m.serialize_entry(k, v)?;
            }
            m.end()
        }
    }

    proptest! {
        #[test]
        fn sorted_maps_come_out_as_a_value_tree_writes_them(
            kv in prop::collection::vec((prop_oneof![text(), Just("a".to_string()), Just("b".to_string())], value()), 0..8)
        ) {
            let m = Entries(kv);
            prop_assert_eq!(sorted(&m), through_value(&m));
            // Nested under a struct field and in a list, too.
            let nested = vec![Entries(m.0.clone()), Entries(m.0.into_iter().rev().collect())];
            prop_assert_eq!(sorted(&nested), through_value(&nested));
        }
    }

    #[derive(Serialize)]
    struct Unsorted {
        zeta: u8,
        alpha: Option<&'static str>,
        shapes: Vec<Shape>,
        by_int: BTreeMap<i32, &'static str>,
        by_text: std::collections::HashMap<&'static str, f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u32>,
        mid: (bool, (), u64),
        #[serde(rename = "a \"quoted\"\tkey")]
        quoted: u8,
    }

    #[test]
    fn sorted_structs_come_out_as_a_value_tree_writes_them() {
        let v = Unsorted {
            zeta: 1,
            alpha: Some("质量"),
            shapes: vec![
                Shape::Unit,
                Shape::Newtype(7),
                Shape::Tuple(-3, 1.5),
                Shape::Tuple(0, 0.1),
                Shape::Struct {
                    b: vec![1, 2],
                    a: Some('"'),
                },
            ],
            by_int: BTreeMap::from([(-1, "a"), (10, "b"), (2, "c")]),
            by_text: [("指标", 1.0), ("b", f64::NAN), ("a", 0.1), ("", -0.0)]
                .into_iter()
                .collect(),
            skipped: None,
            mid: (true, (), u64::MAX),
            quoted: 3,
        };
        assert_eq!(sorted(&v), through_value(&v));
        // (Not what the plain writer gives: its keys keep their order.)
        assert_ne!(sorted(&v), ours(&v));
    }

    #[test]
    fn keys_that_json_cannot_hold_are_errors() {
        let by_list = BTreeMap::from([(vec![1u8], 1u8)]);
        assert!(write(&mut Vec::new(), &by_list).is_err());
        assert!(serde_json::to_string(&by_list).is_err());
        let by_unit = BTreeMap::from([((), 1u8)]);
        assert!(write(&mut Vec::new(), &by_unit).is_err());
    }
}
