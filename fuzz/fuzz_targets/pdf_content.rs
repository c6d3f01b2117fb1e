//! Any content stream and ToUnicode CMap (the input split at its first NUL
//! byte) on a one-page PDF: content streams are compressed in real files, so
//! this reaches the interpreter, the fonts, the CMap parser and the table
//! rebuilding with bytes the fuzzer can shape.
#![no_main]

use formsift_pdf::{Pdf, fuzzing::one_page, read};

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    let (content, cmap) = match bytes.iter().position(|&b| b == 0) {
        Some(k) => (&bytes[..k], &bytes[k + 1..]),
        None => (bytes, &[][..]),
    };
    match read(&one_page(content, cmap), "fuzz.pdf") {
        Ok(Pdf::Grid(g)) => assert_eq!(g.rows.len(), g.places.len()),
        Ok(Pdf::Spaced { text, places }) => assert_eq!(text.lines().count(), places.len()),
        Err(e) => assert!(e.to_string().contains("fuzz.pdf")),
    }
});
