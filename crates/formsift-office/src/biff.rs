//! Number formats of `.xls` cells, read from the workbook's BIFF stream.
//!
//! `calamine` reads an `.xls` sheet's values but keeps the cells' number
//! formats to itself, so a percentage stored as `0.95` under `0%` would show
//! as `0.95`. This module walks the `Workbook` stream's records just far
//! enough to know each numeric cell's format code: the global `Format` and
//! `XF` records, the `BoundSheet8` records that say where each sheet's
//! records start, and in each sheet the `Number`, `RK`, `MulRk` and `Formula`
//! cell records. Only cells whose format is not General are kept. Anything it
//! cannot read leaves the cells in General — never an error, never a panic:
//! calamine has already judged whether the file is readable.

use std::collections::HashMap;
use std::io::{Cursor, Read};

/// The number format code of each formatted numeric cell, per sheet.
#[derive(Debug, Default)]
pub(crate) struct Formats {
    /// Format codes by format id (custom `Format` records and the built-ins).
    codes: HashMap<u16, String>,
    /// Per sheet name, the format id of each cell (0-based row, column).
    cells: HashMap<String, HashMap<(u32, u32), u16>>,
    /// Per sheet name, where its values lie (the cells calamine reads: not
    /// blanks).
    pub(crate) spreads: HashMap<String, Spread>,
}

/// Where a sheet's values lie: how many, and the first and last row and
/// column that hold one (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Spread {
    pub(crate) values: u64,
    pub(crate) first: (u32, u32),
    pub(crate) last: (u32, u32),
}

impl Spread {
    fn add(s: &mut Option<Spread>, row: u16, col: u16) {
        let (r, c) = (u32::from(row), u32::from(col));
        let t = s.get_or_insert(Spread {
            values: 0,
            first: (r, c),
            last: (r, c),
        });
        t.values += 1;
        t.first = (t.first.0.min(r), t.first.1.min(c));
        t.last = (t.last.0.max(r), t.last.1.max(c));
    }

    /// Rows and columns from the first value's to the last's.
    pub(crate) fn size(&self) -> (u64, u64) {
        (
            u64::from(self.last.0 - self.first.0) + 1,
            u64::from(self.last.1 - self.first.1) + 1,
        )
    }
}

impl Formats {
    /// The format code of a sheet's cell, when it has one other than General.
    pub(crate) fn code(&self, sheet: &str, row: u32, col: u32) -> Option<&str> {
        let id = self.cells.get(sheet)?.get(&(row, col))?;
        self.codes.get(id).map(String::as_str)
    }
}

/// Record types (MS-XLS 2.3).
const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const FILEPASS: u16 = 0x002F;
const FORMAT: u16 = 0x041E;
const XF: u16 = 0x00E0;
const BOUNDSHEET: u16 = 0x0085;
const NUMBER: u16 = 0x0203;
const RK: u16 = 0x027E;
const MULRK: u16 = 0x00BD;
const FORMULA: u16 = 0x0006;
const LABEL: u16 = 0x0204;
const RSTRING: u16 = 0x00D6;
const BOOLERR: u16 = 0x0205;
const LABELSST: u16 = 0x00FD;

/// The formats of an `.xls` file's cells; empty when the file's stream
/// cannot be read this way (an encrypted or pre-BIFF8 workbook).
pub(crate) fn read(bytes: &[u8]) -> Formats {
    stream(bytes).map(|s| parse(&s)).unwrap_or_default()
}

/// The `Workbook` (or, from Excel 5, `Book`) stream of the compound file.
fn stream(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).ok()?;
    let mut s = file
        .open_stream("/Workbook")
        .or_else(|_| file.open_stream("/Book"))
        .ok()?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).ok()?;
    Some(out)
}

/// The records of a stream from `at`: type and data.
fn records(stream: &[u8], at: usize) -> impl Iterator<Item = (u16, &[u8])> {
    let mut pos = at;
    std::iter::from_fn(move || {
        let head = stream.get(pos..pos + 4)?;
        let typ = u16::from_le_bytes([head[0], head[1]]);
        let len = u16::from_le_bytes([head[2], head[3]]) as usize;
        let data = stream.get(pos + 4..pos + 4 + len)?;
        pos += 4 + len;
        Some((typ, data))
    })
}

fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(data.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

fn parse(stream: &[u8]) -> Formats {
    let mut formats = Formats {
        codes: builtin(),
        ..Formats::default()
    };
    let mut xfs: Vec<u16> = Vec::new();
    let mut sheets: Vec<(usize, String)> = Vec::new();
    for (n, (typ, data)) in records(stream, 0).enumerate() {
        match typ {
            // Only BIFF8 is read here (its strings and layouts).
            BOF if n == 0 && u16_at(data, 0) != Some(0x0600) => return Formats::default(),
            FILEPASS => return Formats::default(),
            FORMAT => {
                if let (Some(id), Some(code)) = (u16_at(data, 0), unicode_string(data, 2, true)) {
                    formats.codes.insert(id, code);
                }
            }
            XF => xfs.push(u16_at(data, 2).unwrap_or(0)),
            BOUNDSHEET => {
                if let (Some(pos), Some(name)) = (u32_at(data, 0), unicode_string(data, 6, false)) {
                    sheets.push((pos as usize, name));
                }
            }
            EOF => break,
            _ => {}
        }
    }
    for (pos, name) in sheets {
        let mut cells = HashMap::new();
        let mut spread = None;
        for (typ, data) in records(stream, pos).skip(1) {
            // Every record of a value (calamine's reading: no blanks).
            if let (true, Some(row), Some(col)) = (
                matches!(
                    typ,
                    NUMBER | RK | FORMULA | LABEL | RSTRING | BOOLERR | LABELSST | MULRK
                ),
                u16_at(data, 0),
                u16_at(data, 2),
            ) {
                Spread::add(&mut spread, row, col);
                if typ == MULRK {
                    let n = data.len().saturating_sub(6) / 6;
                    let last = col.saturating_add(n.saturating_sub(1) as u16);
                    Spread::add(&mut spread, row, last);
                }
            }
            let mut put = |row: Option<u16>, col: Option<u16>, xf: Option<u16>| {
                let fmt = xf.and_then(|x| xfs.get(x as usize)).copied();
                if let (Some(r), Some(c), Some(f)) = (row, col, fmt)
                    && f != 0
                    && formats.codes.contains_key(&f)
                {
                    cells.insert((r as u32, c as u32), f);
                }
            };
            match typ {
                NUMBER | RK | FORMULA => {
                    put(u16_at(data, 0), u16_at(data, 2), u16_at(data, 4));
                }
                MULRK => {
                    let (row, first) = (u16_at(data, 0), u16_at(data, 2).unwrap_or(0));
                    let n = data.len().saturating_sub(6) / 6;
                    for i in 0..n {
                        put(
                            row,
                            Some(first.saturating_add(i as u16)),
                            u16_at(data, 4 + 6 * i),
                        );
                    }
                }
                EOF | BOF => break,
                _ => {}
            }
        }
        if let Some(spread) = spread {
            formats.spreads.insert(name.clone(), spread);
        }
        if !cells.is_empty() {
            formats.cells.insert(name, cells);
        }
    }
    formats
}

/// A BIFF8 string at `at`: a character count (two bytes for
/// `XLUnicodeString`, one for `ShortXLUnicodeString`), an option byte whose
/// low bit says UTF-16 rather than one byte per character, then the text.
fn unicode_string(data: &[u8], at: usize, long: bool) -> Option<String> {
    let (count, flags_at) = if long {
        (u16_at(data, at)? as usize, at + 2)
    } else {
        (*data.get(at)? as usize, at + 1)
    };
    let wide = data.get(flags_at)? & 1 == 1;
    let text = data.get(flags_at + 1..)?;
    Some(if wide {
        let units: Vec<u16> = text
            .chunks_exact(2)
            .take(count)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        text.iter().take(count).map(|&b| b as char).collect()
    })
}

/// The built-in number formats that change how a number reads (MS-XLS
/// 2.4.126): fixed decimals, thousands separators, percentages. Dates are
/// recognised by calamine; the rest show as General.
fn builtin() -> HashMap<u16, String> {
    [
        (1, "0"),
        (2, "0.00"),
        (3, "#,##0"),
        (4, "#,##0.00"),
        (9, "0%"),
        (10, "0.00%"),
        (37, "#,##0 ;(#,##0)"),
        (38, "#,##0 ;[Red](#,##0)"),
        (39, "#,##0.00;(#,##0.00)"),
        (40, "#,##0.00;[Red](#,##0.00)"),
    ]
    .into_iter()
    .map(|(id, code)| (id, code.to_string()))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record: type, length, data.
    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut out = typ.to_le_bytes().to_vec();
        out.extend((data.len() as u16).to_le_bytes());
        out.extend(data);
        out
    }

    fn cell(row: u16, col: u16, xf: u16, rest: &[u8]) -> Vec<u8> {
        let mut d = [row.to_le_bytes(), col.to_le_bytes(), xf.to_le_bytes()].concat();
        d.extend(rest);
        d
    }

    /// A globals substream with a custom format 164 (`0.0"人"`), XFs
    /// 0 (General), 1 (format 9, `0%`), 2 (164) and 3 (4, `#,##0.00`), and
    /// one sheet named 表1 whose records follow.
    fn workbook() -> Vec<u8> {
        let mut globals = record(BOF, &[0x00, 0x06, 0x05, 0x00]);
        let code: Vec<u8> = "0.0\"人\""
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let mut fmt = 164u16.to_le_bytes().to_vec();
        fmt.extend(6u16.to_le_bytes());
        fmt.push(1);
        fmt.extend(code);
        globals.extend(record(FORMAT, &fmt));
        for id in [0u16, 9, 164, 4] {
            let mut xf = 0u16.to_le_bytes().to_vec();
            xf.extend(id.to_le_bytes());
            xf.extend([0; 16]);
            globals.extend(record(XF, &xf));
        }
        let name: Vec<u8> = "表1".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let sheet_header_len = 4 + 6 + 2 + name.len();
        let sheet_at = globals.len() + sheet_header_len + 4;
        let mut bs = (sheet_at as u32).to_le_bytes().to_vec();
        bs.extend([0, 0, 2, 1]);
        bs.extend(name);
        globals.extend(record(BOUNDSHEET, &bs));
        globals.extend(record(EOF, &[]));
        assert_eq!(globals.len(), sheet_at);
        globals.extend(record(BOF, &[0x00, 0x06, 0x10, 0x00]));
        globals.extend(record(NUMBER, &cell(3, 2, 3, &420000f64.to_le_bytes())));
        globals.extend(record(RK, &cell(4, 1, 0, &[0; 4])));
        let mut mulrk = [5u16.to_le_bytes(), 1u16.to_le_bytes()].concat();
        for xf in [1u16, 2] {
            mulrk.extend(xf.to_le_bytes());
            mulrk.extend([0; 4]);
        }
        mulrk.extend(2u16.to_le_bytes());
        globals.extend(record(MULRK, &mulrk));
        globals.extend(record(FORMULA, &cell(6, 0, 1, &[0; 14])));
        globals.extend(record(EOF, &[]));
        globals
    }

    #[test]
    fn formats_of_numeric_cells_come_from_their_xf() {
        let f = parse(&workbook());
        assert_eq!(f.code("表1", 3, 2), Some("#,##0.00"));
        assert_eq!(f.code("表1", 4, 1), None, "General is not kept");
        assert_eq!(f.code("表1", 5, 1), Some("0%"));
        assert_eq!(f.code("表1", 5, 2), Some("0.0\"人\""));
        assert_eq!(f.code("表1", 6, 0), Some("0%"));
        assert_eq!(f.code("表2", 3, 2), None);
    }

    #[test]
    fn cut_or_foreign_streams_read_as_general() {
        let whole = workbook();
        for cut in 0..whole.len() {
            let f = parse(&whole[..cut]);
            // Whatever survives the cut is a prefix of the truth.
            if let Some(code) = f.code("表1", 3, 2) {
                assert_eq!(code, "#,##0.00");
            }
        }
        let mut biff5 = whole.clone();
        biff5[5] = 0x05;
        assert!(parse(&biff5).cells.is_empty());
        assert!(read(b"not a compound file").cells.is_empty());
    }
}
