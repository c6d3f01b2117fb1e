//! Property tests: invariants that hold for any input.

use formsift_config::Config;
use proptest::prelude::*;
use std::sync::LazyLock;

static CONFIG: LazyLock<Config> = LazyLock::new(Config::embedded);
static LINES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut v = Vec::new();
    for s in crate::support::samples() {
        v.extend(
            std::fs::read_to_string(s)
                .unwrap()
                .lines()
                .map(String::from),
        );
    }
    v
});

/// Documents made of sample lines (titles, rows, wrapped text, blank lines)
/// in random order, mixed with arbitrary text.
fn documents() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        4 => (0..LINES.len()).prop_map(|i| LINES[i].clone()),
        1 => "[^\n]{0,40}",
        1 => Just(String::new()),
    ];
    prop::collection::vec(line, 0..120).prop_map(|v| v.join("\n"))
}

fn check_no_line_lost(text: &str) -> Result<(), TestCaseError> {
    let (records, preamble, doc) = formsift_pipeline::process_text(text, "p.txt", &CONFIG);
    // Spans are input lines; a row may come from several (a quoted cell
    // over lines), so rows are counted by the input line they start on.
    let inputs = doc.lines.iter().map(|l| l.source[1]).max().unwrap_or(0);
    let mut owner = vec![0usize; inputs + 1];
    for r in &records {
        let [a, b] = r.source.lines;
        prop_assert!(a <= b && b <= inputs);
        for count in &mut owner[a..=b] {
            *count += 1;
        }
        for res in &r.residue {
            prop_assert!(
                res.lines[0] >= a && res.lines[1] <= b,
                "residue outside its form"
            );
        }
        for i in &r.indicators {
            prop_assert!(i.lines[0] >= a && i.lines[1] <= b, "row outside its form");
            prop_assert!((0.0..=1.0).contains(&i.confidence));
        }
        prop_assert!((0.0..=1.0).contains(&r.confidence));
    }
    for p in &preamble {
        owner[p.lines[0]] += 1;
    }
    for l in &doc.lines {
        if !l.is_blank() {
            let first = l.source[0];
            prop_assert_eq!(
                owner[first],
                1,
                "line {} is in {} spans",
                first,
                owner[first]
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn every_non_blank_line_lies_in_exactly_one_span(text in documents()) {
        check_no_line_lost(&text)?;
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        check_no_line_lost(&text)?;
    }
}

#[test]
fn the_samples_lose_no_line() {
    for s in crate::support::samples() {
        check_no_line_lost(&std::fs::read_to_string(s).unwrap()).unwrap();
    }
}
