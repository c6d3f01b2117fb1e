//! Any bytes read as each kind of office file (.xlsx, .xls, .docx): rows of
//! cells with a place each, or a typed error naming the file; never a panic
//! of ours. The workbook reader (calamine) does panic on some malformed
//! files; formsift contains those and reports the file damaged, so they are
//! let through here and every other panic aborts.
#![no_main]

use formsift_office::{Kind, read, sniff};

fn contain_calamine_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let ours = info
                .location()
                .is_none_or(|l| !l.file().contains("/calamine-"));
            if ours {
                eprintln!("{info}");
                std::process::abort();
            }
        }));
    });
}

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    contain_calamine_panics();
    let _ = sniff(bytes, "fuzz.xlsx");
    for kind in [Kind::Xlsx, Kind::Xls, Kind::Docx] {
        match read(bytes, kind, "fuzz") {
            Ok(g) => assert_eq!(g.rows.len(), g.places.len()),
            Err(e) => assert!(e.to_string().starts_with("fuzz: ")),
        }
    }
});
