//! temp
fn main() {
    let p = std::env::args().nth(1).unwrap();
    let b = std::fs::read(&p).unwrap();
    if let formsift_pdf::Pdf::Grid(g) = formsift_pdf::read(&b, &p).unwrap() {
        for (r, pl) in g.rows.iter().zip(&g.places) {
            println!("{:?} {:?} {:?}", pl.area, pl.bbox, r);
        }
    }
}
