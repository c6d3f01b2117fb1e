//! Decoding any bytes: text or a typed error, never a panic; decoded text has
//! no carriage returns.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    if let Ok(t) = formsift_ingest::decode(bytes, "fuzz") {
        assert!(!t.text.contains('\r'));
    }
});
