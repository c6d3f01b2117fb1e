//! Office files: Excel workbooks (`.xlsx`, `.xls`) and Word documents
//! (`.docx`) read into rows of cells.
//!
//! This crate owns recognising these files by their bytes (a zip package
//! holding `xl/workbook.xml` or `word/document.xml`, or an OLE compound file),
//! reading them — workbooks through `calamine`, every sheet, values as the
//! sheet displays them and merged ranges as cell merges (`sheet`,
//! `display`, and `biff` for the `.xls` number formats calamine keeps to
//! itself); Word documents as a zip package whose `word/document.xml` is
//! read with `quick-xml`, paragraphs and tables with `gridSpan`/`vMerge` as
//! merges and check boxes as ticks (`docx`) — and saying where each row
//! stands (sheet and cells, table and cells, paragraph). The result is a
//! [`Grid`] for the normalise stage; nothing here interprets what cells
//! mean. Damaged, encrypted or oversized files are typed errors, never panics
//! or unbounded work.

mod biff;
mod display;
mod docx;
mod package;
mod sheet;

use formsift_model::Grid;
use std::path::Path;

/// The kinds of office file read here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Excel 2007+ workbook (a zip package with `xl/workbook.xml`).
    Xlsx,
    /// Excel 97–2003 workbook (an OLE compound file).
    Xls,
    /// Word 2007+ document (a zip package with `word/document.xml`).
    Docx,
}

impl Kind {
    /// The name used in reports (`xlsx`, `xls`, `docx`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Xlsx => "xlsx",
            Kind::Xls => "xls",
            Kind::Docx => "docx",
        }
    }
}

/// Why an office file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OfficeError {
    /// The file is encrypted with a password.
    #[error(
        "{path}: the {what} is password-protected (encrypted); open it with its password and save a copy without one"
    )]
    Protected {
        /// The input.
        path: String,
        /// What kind of file.
        what: &'static str,
    },
    /// The package or workbook is damaged or not what its bytes promised.
    #[error(
        "{path}: cannot read this {what}: {detail}; if it opens in an office program, save a fresh copy"
    )]
    Damaged {
        /// The input.
        path: String,
        /// What kind of file.
        what: &'static str,
        /// What the reader said.
        detail: String,
    },
    /// A Word 97–2003 document, which is not read.
    #[error(
        "{path}: a Word 97-2003 (.doc) or other OLE file that is not a workbook; convert it first, e.g. `libreoffice --headless --convert-to docx {path}`"
    )]
    Unsupported {
        /// The input.
        path: String,
    },
    /// A sheet's values spread over more cells than formsift reads.
    #[error(
        "{path}: sheet {sheet} spreads its {values} value(s) over {rows} rows and {cols} columns, more than the {limit} cells formsift reads from one sheet; delete the stray values far from the form (or copy the form to a sheet of its own) and run again"
    )]
    TooSpread {
        /// The input.
        path: String,
        /// The sheet's name.
        sheet: String,
        /// Values in the sheet.
        values: u64,
        /// Rows from the first value's to the last's.
        rows: u64,
        /// Columns from the first value's to the last's.
        cols: u64,
        /// The most cells read.
        limit: u64,
    },
    /// A part of the package is larger than formsift reads.
    #[error(
        "{path}: {part} is {size} bytes uncompressed, more than the {limit} bytes formsift reads from one part"
    )]
    TooLarge {
        /// The input.
        path: String,
        /// The part of the package.
        part: String,
        /// Its declared size.
        size: u64,
        /// The limit.
        limit: u64,
    },
}

/// The first bytes of an OLE compound file (`.xls`, `.doc`, encrypted
/// OOXML packages).
const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Whether a panic on this thread happens inside a call into a
/// dependency's reader that this crate contains: the file is then
/// reported as damaged, with a message that says so, and a panic hook
/// (the command line's) need not print the reader's own message.
pub fn panic_is_contained() -> bool {
    sheet::CONTAINED.get()
}

/// Which office file the bytes hold, if any: decided by content, not by the
/// name (archives hold `.xls` files that are HTML, and `.xls` files that are
/// really `.xlsx`). `None` for anything else, which is read as text.
pub fn sniff(bytes: &[u8], path: &str) -> Option<Kind> {
    if bytes.starts_with(&OLE_MAGIC) {
        return Some(Kind::Xls);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Some(match package::main_part(bytes) {
            Some(kind) => kind,
            // A damaged package: its name says what it was meant to be.
            None => match extension(path).as_deref() {
                Some("docx" | "docm" | "dotx") => Kind::Docx,
                _ => Kind::Xlsx,
            },
        });
    }
    None
}

fn extension(path: &str) -> Option<String> {
    Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// Reads an office file of the given kind into rows of cells.
pub fn read(bytes: &[u8], kind: Kind, path: &str) -> Result<Grid, OfficeError> {
    match kind {
        Kind::Xlsx | Kind::Xls => sheet::read(bytes, kind, path),
        Kind::Docx => docx::read(bytes, path),
    }
}

/// Entry points for the fuzz targets (not a stable API).
#[doc(hidden)]
pub mod fuzzing {
    /// Reads the text of a `word/document.xml` part.
    pub fn docx_xml(xml: &str) -> Result<formsift_model::Grid, String> {
        crate::docx::parse(xml)
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Small packages built in memory for the readers' tests.
    use std::io::Write;

    /// A zip package holding the given parts.
    pub fn package(parts: &[(&str, &str)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, text) in parts {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(text.as_bytes()).unwrap();
        }
        w.finish().unwrap().into_inner()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_known_by_their_bytes_not_their_names() {
        let docx = testing::package(&[("word/document.xml", "<w:document/>")]);
        let xlsx = testing::package(&[("xl/workbook.xml", "<workbook/>")]);
        assert_eq!(sniff(&docx, "a.xls"), Some(Kind::Docx));
        assert_eq!(sniff(&xlsx, "a.docx"), Some(Kind::Xlsx));
        assert_eq!(sniff(&OLE_MAGIC, "a.bin"), Some(Kind::Xls));
        assert_eq!(sniff(b"<table><tr><td>a</td></tr></table>", "a.xls"), None);
        // A cut package: the name decides what it was meant to be.
        assert_eq!(sniff(&docx[..20], "a.docx"), Some(Kind::Docx));
        assert_eq!(sniff(&docx[..20], "a.xlsx"), Some(Kind::Xlsx));
    }

    #[test]
    fn damaged_files_are_errors_that_name_the_file() {
        let docx = testing::package(&[("word/document.xml", "<w:document/>")]);
        let cut = &docx[..docx.len() / 2];
        for (bytes, kind) in [
            (cut, Kind::Docx),
            (cut, Kind::Xlsx),
            (&OLE_MAGIC[..], Kind::Xls),
        ] {
            let e = read(bytes, kind, "dir/f.x").unwrap_err().to_string();
            assert!(e.starts_with("dir/f.x: "), "{e}");
        }
    }
}
