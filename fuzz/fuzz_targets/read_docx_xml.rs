//! Any text read as a Word document's `word/document.xml`: rows with a place
//! each and merges that point inside their row, or an error; never a panic.
#![no_main]

use formsift_model::{GridRow, Merge};

libfuzzer_sys::fuzz_target!(|xml: &str| {
    if let Ok(g) = formsift_office::fuzzing::docx_xml(xml) {
        assert_eq!(g.rows.len(), g.places.len());
        for row in &g.rows {
            if let GridRow::Cells(cells) = row {
                for (k, (_, m)) in cells.iter().enumerate() {
                    if let Merge::Covered { cols_left, .. } = m {
                        assert!(*cols_left as usize <= k);
                    }
                }
            }
        }
    }
});
