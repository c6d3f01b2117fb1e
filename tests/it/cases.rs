//! Spec-style cases of table reconstruction: tests/cases/*.txt (see its README).

use crate::support::root;
use formsift_config::Config;

struct Case {
    file: String,
    title: String,
    input: String,
    rows: Vec<(String, Vec<String>)>,
    residue: Vec<String>,
}

fn parse(file: &str, text: &str) -> Vec<Case> {
    text.split("\n===\n")
        .map(|block| {
            let (head, expected) = block
                .split_once("\n---\n")
                .unwrap_or_else(|| panic!("{file}: a case lacks ---"));
            let mut lines = head.lines();
            let title = lines
                .next()
                .unwrap_or("")
                .trim_start_matches('#')
                .trim()
                .to_string();
            let input = lines
                .map(|l| l.replace("\\t", "\t"))
                .collect::<Vec<_>>()
                .join("\n");
            let mut rows = Vec::new();
            let mut residue = Vec::new();
            for l in expected.lines().filter(|l| !l.trim().is_empty()) {
                if let Some(r) = l.strip_prefix("residue: ") {
                    residue.push(r.trim().to_string());
                    continue;
                }
                let (row, flags) = match l.split_once(" [") {
                    Some((r, f)) => (
                        r.trim().to_string(),
                        f.trim_end_matches(']')
                            .split_whitespace()
                            .map(String::from)
                            .collect(),
                    ),
                    None => (l.trim().to_string(), Vec::new()),
                };
                rows.push((row, flags));
            }
            Case {
                file: file.to_string(),
                title,
                input,
                rows,
                residue,
            }
        })
        .collect()
}

#[test]
fn reconstruction_cases() {
    let config = Config::embedded();
    let mut dir: Vec<_> = std::fs::read_dir(root().join("tests/cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dir.sort();
    let mut failures = Vec::new();
    let mut count = 0;
    for path in dir
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
    {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for case in parse(&name, &std::fs::read_to_string(path).unwrap()) {
            count += 1;
            let text = format!("财政项目支出绩效目标申报表\n(2024年度)\n{}\n", case.input);
            let (records, _, _) = formsift_pipeline::process_text(&text, "case.txt", &config);
            let Some(r) = records.first() else {
                failures.push(format!("{} / {}: no record", case.file, case.title));
                continue;
            };
            let got: Vec<String> = r
                .indicators
                .iter()
                .map(|i| {
                    format!(
                        "{} / {} / {} / {}",
                        i.level1.as_deref().unwrap_or("-"),
                        i.level2.as_deref().unwrap_or("-"),
                        i.name,
                        i.target.as_ref().map_or("-", |t| t.raw.as_str())
                    )
                })
                .collect();
            let want: Vec<&String> = case.rows.iter().map(|(r, _)| r).collect();
            if got.iter().collect::<Vec<_>>() != want {
                failures.push(format!(
                    "{} / {}:\n  want {want:#?}\n  got  {got:#?}",
                    case.file, case.title
                ));
                continue;
            }
            for (i, (_, flags)) in case.rows.iter().enumerate() {
                let have = &r.indicators[i].flags;
                for f in flags {
                    let ok = match f.strip_prefix('-') {
                        Some(neg) => !have.iter().any(|h| h == neg),
                        None => have.iter().any(|h| h == f),
                    };
                    if !ok {
                        failures.push(format!(
                            "{} / {}: row {} flag {f} (has {have:?})",
                            case.file,
                            case.title,
                            i + 1
                        ));
                    }
                }
            }
            for want in &case.residue {
                if !r.residue.iter().any(|x| &x.text == want) {
                    failures.push(format!(
                        "{} / {}: residue {want:?} missing in {:?}",
                        case.file, case.title, r.residue
                    ));
                }
            }
        }
    }
    assert!(count >= 15, "cases were read ({count})");
    assert!(
        failures.is_empty(),
        "{} failing:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_label_quoted_over_two_lines_declares_its_unit() {
    // A spreadsheet saved as tab-separated text quotes a cell that holds a
    // line break: the label `项目资金（万元）` over two lines still gives the
    // funds' unit, and nothing of it is left over.
    let text = "财政项目支出绩效目标申报表\n(2023年度)\n项目名称\t帮困慰问\t\t\n\
                \"项目资金\n（万元）\"\t项目资金总额\t2,323,000.00\t\n\
                \t年度资金申请总额\t2,323,000.00\t\n";
    let (records, _, _) = formsift_pipeline::process_text(text, "q.txt", &Config::embedded());
    let r = &records[0];
    assert_eq!(r.funds.unit.as_deref(), Some("万元"));
    assert_eq!(
        r.funds.amounts.first().and_then(|(_, v)| *v),
        Some(2_323_000.0)
    );
    assert!(r.residue.is_empty(), "{:?}", r.residue);
}
