//! Prints the space-aligned text the reader lays out for a PDF without
//! ruled tables (for looking at what the layout reader is given).
fn main() {
    let path = std::env::args().nth(1).expect("usage: spaced FILE.pdf");
    let bytes = std::fs::read(&path).expect("readable file");
    match formsift_pdf::read(&bytes, &path) {
        Ok(formsift_pdf::Pdf::Spaced { text, .. }) => print!("{text}"),
        Ok(_) => eprintln!("{path}: ruled tables, not laid out by spaces"),
        Err(e) => eprintln!("{e}"),
    }
}
