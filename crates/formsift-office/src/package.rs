//! The zip package of OOXML files: which file it is, and its parts read
//! with a bound on their size.

use crate::{Kind, OfficeError};
use std::io::{Cursor, Read};

/// The most bytes read from one part of a package (a zip bomb's declared
/// and actual sizes are both held to it).
pub(crate) const PART_LIMIT: u64 = 256 * 1024 * 1024;

/// What the package's main part says it is.
pub(crate) fn main_part(bytes: &[u8]) -> Option<Kind> {
    let zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut names = zip.file_names();
    names.find_map(|n| match n.ok()?.as_ref() {
        "xl/workbook.xml" | "xl/workbook.bin" => Some(Kind::Xlsx),
        "word/document.xml" => Some(Kind::Docx),
        _ => None,
    })
}

/// One part of a package as text.
pub(crate) fn read_part(
    bytes: &[u8],
    part: &str,
    path: &str,
    what: &'static str,
) -> Result<String, OfficeError> {
    let damaged = |detail: String| OfficeError::Damaged {
        path: path.to_string(),
        what,
        detail,
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| damaged(e.to_string()))?;
    let file = zip
        .by_name(part)
        .map_err(|e| damaged(format!("{part}: {e}")))?;
    if file.size() > PART_LIMIT {
        return Err(OfficeError::TooLarge {
            path: path.to_string(),
            part: part.to_string(),
            size: file.size(),
            limit: PART_LIMIT,
        });
    }
    let mut out = Vec::with_capacity(file.size() as usize);
    file.take(PART_LIMIT + 1)
        .read_to_end(&mut out)
        .map_err(|e| damaged(format!("{part}: {e}")))?;
    if out.len() as u64 > PART_LIMIT {
        return Err(OfficeError::TooLarge {
            path: path.to_string(),
            part: part.to_string(),
            size: out.len() as u64,
            limit: PART_LIMIT,
        });
    }
    String::from_utf8(out).map_err(|e| damaged(format!("{part} is not UTF-8: {e}")))
}
