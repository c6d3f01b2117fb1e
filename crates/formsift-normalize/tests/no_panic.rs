//! No input makes a notation reader panic: malformed markup, unbalanced
//! LaTeX, truncated tables, stray word boxes and long lines are built from
//! the pieces real converters print, shuffled and cut anywhere.

use formsift_config::Config;
use formsift_normalize::normalize;
use proptest::prelude::*;

const PIECES: &[&str] = &[
    "<table>",
    "</table>",
    "<tr>",
    "</tr>",
    "<td rowspan=\"3\">",
    "<td colspan=\"99999\">",
    "<th>",
    "</td>",
    "<br/>",
    "&amp;",
    "<head>",
    "<style>",
    "</head>",
    "\\begin{longtable}",
    "\\begin{tabular}{",
    "\\end{tabular}",
    "\\end{longtable}",
    "\\multirow{2}{*}{",
    "\\multicolumn{",
    "}",
    "{",
    "&",
    "\\\\",
    "\\hline",
    "$\\geq 90\\%$",
    "+----+----+",
    "+====+",
    "  ------ -------- ----\n",
    "  -------------------\n",
    "::: form\n",
    "## ",
    "\\",
    "| a | b |",
    "|",
    "---",
    "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n",
    "5\t1\t1\t1\t1\t1\t10\t10\t5\t5\t90\t项目\n",
    "5\t1\tx\t\t",
    "<span class='ocrx_word' title='bbox 1 2 3 4'>",
    "</span>",
    "<alto>",
    "<String HPOS=\"1\" VPOS=\"-5\" WIDTH=\"nan\" HEIGHT=\"2\" CONTENT=\"甲\"/>",
    "<Page>",
    "项目名称",
    "产出指标",
    "   ",
    "\t",
    "\n",
    "\r\n",
    "财政项目支出绩效目标申报表",
    "指标 1：",
    ">=608 人",
    "\\textgreater",
    "``",
    "''",
    "%",
    "~",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn readers_never_panic(picks in prop::collection::vec(0..PIECES.len(), 0..120), cut in 0usize..4000) {
        let text: String = picks.iter().map(|&i| PIECES[i]).collect();
        let mut end = cut.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let doc = normalize(&text[..end], &Config::embedded());
        // Rows are numbered 1.. in order, each with input lines in the text.
        let lines = text[..end].split('\n').count().max(1);
        for (k, l) in doc.lines.iter().enumerate() {
            prop_assert_eq!(l.number, k + 1);
            prop_assert!(l.source[0] >= 1 && l.source[0] <= l.source[1] && l.source[1] <= lines);
        }
    }

    #[test]
    fn long_lines_and_random_text_never_panic(s in "\\PC{0,3000}") {
        let _ = normalize(&s, &Config::embedded());
    }
}
