//! Every stage on any text (normalise, segment, extract, validate): no panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|text: &str| {
    formsift_pipeline::process_text(text, "fuzz.txt", formsift_fuzz::config());
});
