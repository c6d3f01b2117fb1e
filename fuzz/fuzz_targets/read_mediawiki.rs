//! The MediaWiki table reader on any text: no panic, rows on real input lines.
#![no_main]

use formsift_normalize::readers::{Reader, read};

libfuzzer_sys::fuzz_target!(|text: &str| {
    read(Reader::Mediawiki, text, formsift_fuzz::config());
});
