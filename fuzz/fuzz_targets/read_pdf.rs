//! Any bytes read as a PDF: rows with a place each, spaced text with a place
//! per line, or a typed error naming the file; never a panic.
#![no_main]

use formsift_pdf::{Pdf, read};

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    match read(bytes, "fuzz.pdf") {
        Ok(Pdf::Grid(g)) => assert_eq!(g.rows.len(), g.places.len()),
        Ok(Pdf::Spaced { text, places }) => assert_eq!(text.lines().count(), places.len()),
        Err(e) => assert!(e.to_string().contains("fuzz.pdf")),
    }
});
