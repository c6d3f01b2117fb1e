//! Any bytes read as each kind of office file (.xlsx, .xls, .docx): rows of
//! cells with a place each, or a typed error naming the file; never a panic.
#![no_main]

use formsift_office::{Kind, read, sniff};

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    let _ = sniff(bytes, "fuzz.xlsx");
    for kind in [Kind::Xlsx, Kind::Xls, Kind::Docx] {
        match read(bytes, kind, "fuzz") {
            Ok(g) => assert_eq!(g.rows.len(), g.places.len()),
            Err(e) => assert!(e.to_string().starts_with("fuzz: ")),
        }
    }
});
