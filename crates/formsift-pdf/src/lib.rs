//! PDF files with a text layer, read into rows of cells.
//!
//! This crate owns recognising a PDF by its bytes, parsing it with `lopdf`,
//! interpreting each page's content streams far enough to place every glyph
//! and ruling line (`content`: text matrices and state, the graphics state
//! stack, form XObjects, paths), decoding fonts to Unicode (`font`,
//! `cmap`: ToUnicode CMaps, Type0/CID fonts with Identity-H, the standard
//! encodings as fallback), rebuilding tables from their rules with merged
//! cells (`table`), and ordering tables and text lines into rows, joining
//! tables that run onto the next page (`layout`). Pages with no ruled table
//! are laid out by spaces the way `pdftotext -layout` prints them, for the
//! space-aligned reader. Every row says on which page and in which box it
//! stands. Encrypted, damaged and image-only files are typed errors, never
//! panics.

mod cmap;
mod content;
mod font;
mod layout;
mod table;

use formsift_model::{Area, Grid, GridRow, Notation, Place};

/// Why a PDF could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The file is encrypted.
    #[error(
        "{path}: the PDF is encrypted; save an unencrypted copy (for example `qpdf --decrypt IN OUT`) and read that"
    )]
    Encrypted {
        /// The input.
        path: String,
    },
    /// lopdf could not parse the file.
    #[error(
        "{path}: the PDF is damaged ({detail}); repair it (for example `qpdf IN OUT`) or export it again"
    )]
    Damaged {
        /// The input.
        path: String,
        /// What the parser said.
        detail: String,
    },
    /// Most glyphs cannot be mapped to text: fonts without a ToUnicode map
    /// and with codes only the embedded font program knows.
    #[error(
        "{path}: the PDF's fonts do not say which characters they draw ({unknown} of {glyphs} glyphs unmapped: no ToUnicode map); OCR the pages instead, e.g. `pdftoppm -r 300 -png IN page && tesseract page-1.png out -l chi_sim hocr`, and read the hOCR"
    )]
    NoUnicode {
        /// The input.
        path: String,
        /// Glyphs without text.
        unknown: usize,
        /// Glyphs drawn.
        glyphs: usize,
    },
    /// No page has text: a scan without OCR.
    #[error(
        "{path}: the PDF has no text layer ({pages} page(s) of images); OCR it first, e.g. `pdftoppm -r 300 -png IN page && tesseract page-1.png out -l chi_sim hocr`, and read the hOCR"
    )]
    NoText {
        /// The input.
        path: String,
        /// Pages in the file.
        pages: usize,
    },
}

/// What a PDF gives.
#[derive(Debug)]
pub enum Pdf {
    /// Ruled tables found: rows of cells with merges, and lines of text,
    /// each with its place (page and box).
    Grid(Grid),
    /// No ruled table: the text laid out by spaces, with a place per line.
    Spaced {
        /// The lines, `\n`-terminated.
        text: String,
        /// One place per line.
        places: Vec<Place>,
    },
}

/// Whether the bytes are a PDF (`%PDF-` in the first kilobyte).
pub fn sniff(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(1024)]
        .windows(5)
        .any(|w| w == b"%PDF-")
}

/// Reads a PDF.
pub fn read(bytes: &[u8], path: &str) -> Result<Pdf, PdfError> {
    let doc = match lopdf::Document::load_mem(bytes) {
        Ok(d) => d,
        Err(e)
            if e.to_string().to_lowercase().contains("decrypt")
                || e.to_string().to_lowercase().contains("encrypt")
                || e.to_string().to_lowercase().contains("password") =>
        {
            return Err(PdfError::Encrypted {
                path: path.to_string(),
            });
        }
        Err(e) => {
            return Err(PdfError::Damaged {
                path: path.to_string(),
                detail: e.to_string(),
            });
        }
    };
    if doc.is_encrypted() {
        return Err(PdfError::Encrypted {
            path: path.to_string(),
        });
    }
    let pages: Vec<(u32, lopdf::ObjectId)> = doc.get_pages().into_iter().collect();
    let mut drawn = Vec::with_capacity(pages.len());
    for &(n, id) in &pages {
        let (view, height) = page_geometry(&doc, id);
        drawn.push((n, height, content::page(&doc, id, view)));
    }
    if drawn.iter().all(|(_, _, d)| d.glyphs.is_empty()) {
        return Err(PdfError::NoText {
            path: path.to_string(),
            pages: pages.len(),
        });
    }
    let glyphs: usize = drawn.iter().map(|(_, _, d)| d.glyphs.len()).sum();
    let unknown = drawn
        .iter()
        .flat_map(|(_, _, d)| &d.glyphs)
        .filter(|g| g.text.contains('\u{FFFD}'))
        .count();
    if unknown * 2 > glyphs {
        return Err(PdfError::NoUnicode {
            path: path.to_string(),
            unknown,
            glyphs,
        });
    }
    layout::drop_running_lines(&mut drawn);
    let ruled = drawn
        .iter()
        .any(|(_, _, d)| !table::tables(&d.rules).is_empty());
    if !ruled {
        let mut text = String::new();
        let mut places = Vec::new();
        for (n, height, d) in drawn {
            for (k, (line, b)) in layout::spaced_text(d.glyphs).into_iter().enumerate() {
                text.push_str(&line);
                text.push('\n');
                places.push(Place {
                    area: Area::Page(n),
                    row: k as u32 + 1,
                    cols: None,
                    bbox: Some(layout::bbox(b[0], b[1], b[2], b[3], height)),
                });
            }
            // A blank line between pages, as `pdftotext` prints a form feed.
            text.push('\n');
            places.push(Place {
                area: Area::Page(n),
                row: 0,
                cols: None,
                bbox: None,
            });
        }
        return Ok(Pdf::Spaced { text, places });
    }
    let mut grid = Grid {
        notation: Some(Notation::Pdf),
        ..Grid::default()
    };
    let mut open: Option<(Vec<f32>, Vec<String>)> = None;
    for (n, height, d) in drawn {
        let page = layout::page_rows(d, n, height);
        let mut rows = page.rows.into_iter().peekable();
        let continued = page.starts_with_table
            && open
                .as_ref()
                .zip(page.first_table.as_ref())
                .is_some_and(|(prev, next)| layout::continues(&prev.0, &next.0));
        if continued {
            // The header row again at the top of the page is dropped.
            let (_, header) = open.as_ref().expect("checked above");
            let repeated = page
                .first_table
                .as_ref()
                .is_some_and(|(_, h)| h == header && h.iter().any(|t| !t.is_empty()));
            if repeated {
                rows.next();
            }
            // A row the page break cut in two: its rest joins it.
            if let (Some(GridRow::Cells(prev)), Some(next)) = (grid.rows.last_mut(), rows.peek())
                && let GridRow::Cells(rest) = &next.row
                && layout::is_rest_of(prev, rest)
            {
                layout::join_rest(prev, rest);
                rows.next();
            }
        } else if !grid.rows.is_empty() {
            grid.rows.push(GridRow::Cells(Vec::new()));
            grid.places.push(Place {
                area: Area::Page(n),
                row: 0,
                cols: None,
                bbox: None,
            });
        }
        for r in rows {
            grid.rows.push(r.row);
            grid.places.push(r.place);
        }
        open = page.ends_with_table.then_some(page.last_table).flatten();
    }
    Ok(Pdf::Grid(grid))
}

/// A page's geometry as displayed: the matrix from its user space to a
/// space with the origin at the displayed page's bottom left (its MediaBox
/// corner moved to the origin, its `/Rotate` applied), and the displayed
/// height. Both are inherited from parent page nodes when the page lacks
/// them; an unreadable box is A4.
fn page_geometry(doc: &lopdf::Document, page: lopdf::ObjectId) -> ([f32; 6], f32) {
    let inherited = |key: &[u8]| {
        let mut id = Some(page);
        for _ in 0..32 {
            let dict = id.and_then(|i| doc.get_dictionary(i).ok())?;
            if let Ok(v) = dict.get_deref(key, doc) {
                return Some(v);
            }
            id = dict
                .get(b"Parent")
                .and_then(lopdf::Object::as_reference)
                .ok();
        }
        None
    };
    let b: Vec<f32> = inherited(b"MediaBox")
        .and_then(|o| o.as_array().ok())
        .map(|a| a.iter().filter_map(|o| font::number(doc, o)).collect())
        .filter(|v: &Vec<f32>| v.len() == 4 && v.iter().all(|x| x.is_finite()))
        .unwrap_or_else(|| vec![0.0, 0.0, 595.0, 842.0]);
    let (x0, y0, x1, y1) = (
        b[0].min(b[2]),
        b[1].min(b[3]),
        b[0].max(b[2]),
        b[1].max(b[3]),
    );
    let rotate = inherited(b"Rotate")
        .and_then(|o| o.as_i64().ok())
        .unwrap_or(0)
        .rem_euclid(360);
    match rotate {
        90 => ([0.0, -1.0, 1.0, 0.0, -y0, x1], x1 - x0),
        180 => ([-1.0, 0.0, 0.0, -1.0, x1, y1], y1 - y0),
        270 => ([0.0, 1.0, -1.0, 0.0, y1, -x0], x1 - x0),
        _ => ([1.0, 0.0, 0.0, 1.0, -x0, -y0], y1 - y0),
    }
}

/// Builds PDFs for tests and fuzzing.
#[doc(hidden)]
pub mod fuzzing {
    use lopdf::{Document, Object, Stream, dictionary};

    /// A one-page A4 PDF whose page draws `content` (uncompressed) with
    /// three fonts: `F1`, a Type0 font with Identity-H codes whose ToUnicode
    /// CMap is `cmap`; `F2`, a simple font in WinAnsiEncoding; `F3`, a Type0
    /// font with GBK codes (`GBK-EUC-H`) and no ToUnicode.
    pub fn one_page(content: &[u8], cmap: &[u8]) -> Vec<u8> {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let to_unicode = doc.add_object(Stream::new(dictionary! {}, cmap.to_vec()));
        let cid = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "CIDFontType2", "BaseFont" => "Noto",
            "DW" => 1000, "W" => vec![Object::Integer(1), Object::Array(vec![500.into(), 500.into()])],
        });
        let f1 = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "Noto",
            "Encoding" => "Identity-H", "DescendantFonts" => vec![cid.into()],
            "ToUnicode" => to_unicode,
        });
        let f2 = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
            "Encoding" => "WinAnsiEncoding",
        });
        let cid3 = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "CIDFontType0", "BaseFont" => "STSong-Light",
        });
        let f3 = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "STSong-Light",
            "Encoding" => "GBK-EUC-H", "DescendantFonts" => vec![cid3.into()],
        });
        let resources = doc.add_object(dictionary! {
            "Font" => dictionary! { "F1" => f1, "F2" => f2, "F3" => f3 },
        });
        let contents = doc.add_object(Stream::new(dictionary! {}, content.to_vec()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => contents,
            "Resources" => resources, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
            }),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        let mut out = Vec::new();
        // Writing to memory cannot fail for a document built here.
        let _ = doc.save_to(&mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CMAP: &[u8] = b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
        4 beginbfchar <0001> <6307> <0002> <6807> <0003> <503C> <0004> <0025> endbfchar";

    fn cells(pdf: &Pdf) -> Vec<Vec<String>> {
        let Pdf::Grid(g) = pdf else {
            panic!("a ruled page gives rows of cells")
        };
        g.rows
            .iter()
            .filter_map(|r| match r {
                GridRow::Cells(c) => Some(c.iter().map(|(t, _)| t.clone()).collect()),
                GridRow::Text(_) => None,
            })
            .collect()
    }

    #[test]
    fn glyphs_are_placed_by_the_text_state_and_decoded_through_tounicode() {
        // A 2×2 table drawn with `re` strokes and a thin filled rule, text
        // shown by Tj and TJ (with a kerning gap), under q/cm and a Td.
        let content = b"q 1 0 0 1 50 0 cm \
            0 700 200 40 re S 100 700 m 100 740 l S 0 719.5 200 1 re f Q \
            BT /F1 10 Tf 1 0 0 1 55 725 Tm <00010002> Tj 100 0 Td [<0003> -500 <0004>] TJ ET \
            BT /F2 10 Tf 55 705 Td (Rate 95) Tj ET \
            BT /F1 18 Tf 60 780 Td <00010002> Tj ET";
        let pdf = read(&fuzzing::one_page(content, CMAP), "t.pdf").unwrap();
        let Pdf::Grid(g) = &pdf else { panic!() };
        assert_eq!(
            g.rows[0],
            GridRow::Text("指标".into()),
            "the title above the table"
        );
        assert_eq!(cells(&pdf), [["指标", "值 %"], ["Rate 95", ""]]);
        let p = &g.places[1];
        assert_eq!(p.area, Area::Page(1));
        assert_eq!(p.bbox, Some([50, 102, 250, 122]));
    }

    #[test]
    fn a_page_without_rules_is_laid_out_by_spaces() {
        let content = b"BT /F2 10 Tf 50 700 Td (Name) Tj 200 0 Td (Value) Tj ET \
            BT /F2 10 Tf 50 680 Td (Rate) Tj 200 0 Td (95%) Tj ET";
        let Pdf::Spaced { text, places } = read(&fuzzing::one_page(content, b""), "t.pdf").unwrap()
        else {
            panic!("no rules, no grid")
        };
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[0].trim_start().starts_with("Name   ")
                && lines[1].trim_start().starts_with("Rate   ")
        );
        let col = |l: &str, w: &str| l.find(w).unwrap();
        assert_eq!(
            col(lines[0], "Value"),
            col(lines[1], "95%"),
            "columns line up"
        );
        assert_eq!(places[0].bbox.map(|b| b[1]), Some(132));
    }

    #[test]
    fn actual_text_replaces_the_glyphs_it_marks_and_radicals_are_folded() {
        // ToUnicode maps code 5 to the Kangxi radical ⼯ (U+2F2F) and codes
        // 6, 7 to ⻔ (U+2ED4) and a private-use glyph; the marked sequence
        // says the latter two are 门口.
        let cmap = b"1 begincodespacerange <0000> <FFFF> endcodespacerange \
            3 beginbfchar <0005> <2F2F> <0006> <2ED4> <0007> <E000> endbfchar";
        let content = b"BT /F1 10 Tf 50 700 Td <0005> Tj \
            /Span <</ActualText <FEFF95E853E3>>> BDC <00060007> Tj EMC ET";
        let Pdf::Spaced { text, .. } = read(&fuzzing::one_page(content, cmap), "t.pdf").unwrap()
        else {
            panic!()
        };
        assert_eq!(text.trim(), "工门口");
    }

    #[test]
    fn predefined_chinese_cmaps_decode_without_tounicode() {
        let content = b"BT /F3 10 Tf 50 700 Td <D6B8B1EA41> Tj ET";
        let Pdf::Spaced { text, .. } = read(&fuzzing::one_page(content, b""), "t.pdf").unwrap()
        else {
            panic!()
        };
        assert_eq!(text.trim(), "指标A");
    }

    #[test]
    fn rotated_pages_are_read_as_displayed() {
        // The same two lines on a page turned a quarter clockwise: drawn
        // top to bottom in user space, they read left to right on screen.
        let content = b"BT /F2 10 Tf 0 1 -1 0 100 50 Tm (Name) Tj ET \
            BT /F2 10 Tf 0 1 -1 0 120 50 Tm (Rate) Tj ET";
        let mut bytes = fuzzing::one_page(content, b"");
        let at = bytes.windows(9).position(|w| w == b"/MediaBox").unwrap();
        bytes.splice(at..at, b"/Rotate 90 ".iter().copied());
        let Ok(Pdf::Spaced { text, .. }) = read(&bytes, "r.pdf") else {
            panic!("the rotated page reads")
        };
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(lines, ["Name", "Rate"]);
    }

    #[test]
    fn image_only_and_broken_files_are_errors() {
        // Identity-H codes with no map to text.
        let unmapped = fuzzing::one_page(b"BT /F1 10 Tf 50 700 Td <0009000A000B> Tj ET", b"");
        assert!(matches!(
            read(&unmapped, "u.pdf"),
            Err(PdfError::NoUnicode { unknown: 3, .. })
        ));
        let blank = fuzzing::one_page(b"0 0 100 100 re f", b"");
        assert!(matches!(
            read(&blank, "s.pdf"),
            Err(PdfError::NoText { pages: 1, .. })
        ));
        let cut = &blank[..blank.len() / 3];
        assert!(matches!(read(cut, "c.pdf"), Err(PdfError::Damaged { .. })));
        assert!(sniff(&blank) && !sniff(b"<html>"));
    }
}
