//! The AsciiDoc table reader on any text: no panic, rows on real input lines.
#![no_main]

use formsift_normalize::readers::{Reader, read};

libfuzzer_sys::fuzz_target!(|text: &str| {
    read(Reader::Asciidoc, text, formsift_fuzz::config());
});
