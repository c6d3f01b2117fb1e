//! Assigning a row's cells to the table's columns by what they contain.
//!
//! Converters shift cells left or right (a missing section cell, a page break,
//! an extra empty column), so a cell's position is only a hint. Each cell gets
//! a kind (a vocabulary level, a level-like label, a value, a number, short or
//! long text); a small dynamic programme assigns the cells, in order, to
//! increasing columns, maximising how well each kind fits its column plus a
//! bonus where the position agrees with the header. A cell no column fits
//! is left out (and kept as residue).

use super::{Draft, Header};
use formsift_config::{Column, Config};
use formsift_model::Cell;
use formsift_model::{squeeze, trim};
use formsift_values::{is_quantity, parse_amount};

/// What a cell looks like.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Kind {
    /// A level-1 name of the vocabulary.
    Level1,
    /// A level-2 name of the vocabulary.
    Level2,
    /// Both a level-1 and a level-2 name (成本指标).
    Level12,
    /// Short text ending like a level name (`双基指标`): maybe a garbled level.
    LevelLike,
    /// A comparator, a number with a unit, a percentage.
    Value,
    /// A bare number.
    Number(f64),
    /// Short text (a qualitative value, a short name, a garbled label).
    Short,
    /// Text.
    Text,
}

/// What leaving a cell out of every column costs in an alignment.
pub(crate) const SKIP: i32 = -9;

/// [`kind_of`] of a text, squeezed for its key (for the tests).
#[cfg(test)]
pub(crate) fn kind(text: &str, config: &Config) -> Kind {
    kind_of(text, &squeeze(text), config)
}

/// The kind of a cell from its text and its key `s` (the text without
/// white space, as [`formsift_model::Cell::key`] gives it).
pub(crate) fn kind_of(text: &str, s: &str, config: &Config) -> Kind {
    let (l1, l2) = config.levels_of(s);
    if l1 && l2 {
        return Kind::Level12;
    }
    if l1 {
        return Kind::Level1;
    }
    if l2 {
        return Kind::Level2;
    }
    if let Some(n) = parse_amount(s) {
        return Kind::Number(n);
    }
    // (Only lengths up to 24 characters tell kinds apart: a text of more
    // than 96 bytes has more, and is not counted.)
    let len = if s.len() > 96 { 25 } else { s.chars().count() };
    if len <= 8
        && config
            .indicators
            .level_suffixes
            .iter()
            .any(|suf| s.ends_with(suf.as_str()))
    {
        return Kind::LevelLike;
    }
    // A short value with a comparator or a unit (`≥95%`, `10 人`).
    if len <= 24 && is_quantity(text, &config.values) {
        return Kind::Value;
    }
    if len <= 6 && !s.chars().any(|c| c.is_ascii_digit()) {
        return Kind::Short;
    }
    Kind::Text
}

/// How well a cell of a kind (and length in characters) fits a column:
/// positive where it belongs, negative where it does not ([`FIT`], by the
/// cell's [`class`]).
#[inline(always)]
pub(crate) fn fit(kind: Kind, col: Column, len: usize) -> i32 {
    i32::from(FIT[class(kind, len)][col as usize])
}

/// What of a cell [`fit`] looks at: its kind, whether a number could be a
/// weight or score (0 to 100) and whether a text is short enough for a
/// value (15 characters). An index into [`FIT`].
#[inline(always)]
fn class(kind: Kind, len: usize) -> usize {
    match kind {
        Kind::Level1 => 0,
        Kind::Level2 => 1,
        Kind::Level12 => 2,
        Kind::LevelLike => 3,
        Kind::Value => 4,
        Kind::Number(n) if (0.0..=100.0).contains(&n) => 5,
        Kind::Number(_) => 6,
        Kind::Short => 7,
        Kind::Text if len <= 15 => 8,
        Kind::Text => 9,
    }
}

/// The fit of each cell class (rows, as [`class`] numbers them) to each
/// column (in [`Column`]'s order: level 1, level 2, name, target, actual,
/// weight, score, remark). The alignment asks for a fit per cell and
/// column; a table answers with one lookup where rules took a chain of
/// tests. `fit_rules` in the tests states the rules and checks the table
/// against them.
const FIT: [[i8; 8]; 10] = [
    [10, -4, -8, -8, -8, -12, -12, -8], // level 1
    [-4, 10, -8, -8, -8, -12, -12, -8], // level 2
    [10, 10, -8, -8, -8, -12, -12, -8], // level 1 and 2
    [3, 3, -2, -4, -4, -12, -12, -8],   // level-like
    [-12, -12, -4, 8, 8, -12, -12, -2], // value
    [-12, -12, -6, 6, 6, 8, 8, -8],     // number 0..=100
    [-12, -12, -6, 6, 6, -12, -12, -8], // other number
    [-3, -3, 5, 3, 3, -12, -12, 2],     // short
    [-12, -12, 5, 1, 1, -12, -12, 4],   // text of 15 characters or fewer
    [-12, -12, 5, 0, 0, -12, -12, 4],   // longer text
];

/// Best assignment of cells to columns: `Some(column index into header)` or
/// `None` for a cell left out.
fn assign(kinds: &[(Kind, usize, usize)], header: &Header) -> Vec<Option<usize>> {
    let (n, m) = (kinds.len(), header.len());
    // best(i, j): best score for cells i.. using columns j.. (one table,
    // row by row).
    let w = m + 1;
    // (A usual row's table fits on the stack: one allocation less a row.)
    let mut stack = [0i32; 192];
    let mut heap = Vec::new();
    let table: &mut [i32] = if (n + 1) * w <= stack.len() {
        &mut stack[..(n + 1) * w]
    } else {
        heap.resize((n + 1) * w, 0);
        &mut heap
    };
    for i in (0..n).rev() {
        table[i * w + m] = table[(i + 1) * w + m] + SKIP;
        for j in (0..m).rev() {
            let (k, col, len) = kinds[i];
            let bonus = if header[j].1 == col { 2 } else { 0 };
            let take = fit(k, header[j].0, len) + bonus + table[(i + 1) * w + j + 1];
            table[i * w + j] = take
                .max(table[i * w + j + 1])
                .max(SKIP + table[(i + 1) * w + j]);
        }
    }
    let best = |i: usize, j: usize| table[i * w + j];
    let mut out = Vec::with_capacity(n);
    let (mut i, mut j) = (0, 0);
    while i < n {
        if j == m {
            out.push(None);
            i += 1;
            continue;
        }
        let (k, col, len) = kinds[i];
        let bonus = if header[j].1 == col { 2 } else { 0 };
        let take = fit(k, header[j].0, len) + bonus + best(i + 1, j + 1);
        if best(i, j) == take {
            out.push(Some(j));
            i += 1;
            j += 1;
        } else if best(i, j) == best(i, j + 1) {
            j += 1;
        } else {
            out.push(None);
            i += 1;
        }
    }
    out
}

/// A cell's kind, column and length in characters.
pub(crate) type Kinded = (Kind, usize, usize);

/// The kind of each cell and the header column (index into `header`) the
/// best alignment gives it, `None` for a cell left out.
pub(crate) fn columns_of(
    cells: &[(usize, &Cell)],
    header: &Header,
    config: &Config,
) -> (Vec<Kinded>, Vec<Option<usize>>) {
    let kinds: Vec<(Kind, usize, usize)> = cells
        .iter()
        .map(|(_, c)| {
            (
                kind_of(&c.text, c.key(), config),
                c.col,
                c.text.chars().count(),
            )
        })
        .collect();
    let assigned = assign(&kinds, header);
    (kinds, assigned)
}

/// Reads one table row into a draft.
pub(crate) fn align_row(
    line: usize,
    cells: &[(usize, &Cell)],
    header: &Header,
    after_break: bool,
    config: &Config,
) -> Draft {
    let (kinds, assigned) = columns_of(cells, header, config);
    let mut d = Draft {
        lines: [line, line],
        after_break,
        cells: Vec::with_capacity(cells.len()),
        ..Draft::default()
    };
    let header_type_at = |col: usize| header.iter().find(|(_, c)| *c == col).map(|(k, _)| *k);
    let text_at = |k: usize| cells.get(k).map(|(_, c)| trim(&c.text));
    for (k, ((i, cell), slot)) in cells.iter().zip(&assigned).enumerate() {
        let text = trim(&cell.text);
        let Some(j) = slot else {
            let repeated = (k > 0 && text_at(k - 1) == Some(text)) || text_at(k + 1) == Some(text);
            if repeated && matches!(kinds[k].0, Kind::Value | Kind::Number(_) | Kind::Short) {
                d.flag("value_deduplicated");
                d.cells.push((line, *i));
            } else {
                d.flag("cell_dropped");
            }
            continue;
        };
        let col = header[*j].0;
        if matches!(header_type_at(cell.col), Some(h) if h != col) {
            d.flag("cells_realigned");
        }
        d.cells.push((line, *i));
        match col {
            // (The cell's key is its text without white space: no squeeze.)
            Column::Level1 => d.l1 = Some(cell.key().to_string()),
            Column::Level2 => d.l2 = Some(cell.key().to_string()),
            _ => put(&mut d, col, text, cell.col),
        }
    }
    if d.is_continuation() {
        d.lone_col = cells.first().map(|(_, c)| c.col);
    }
    d
}

/// Sets a draft's column `col` to a cell's trimmed text (`at`: the cell's
/// column in its line).
pub(crate) fn put(d: &mut Draft, col: Column, text: &str, at: usize) {
    match col {
        Column::Level1 => d.l1 = Some(squeeze(text)),
        Column::Level2 => d.l2 = Some(squeeze(text)),
        Column::Name => {
            d.name = Some(text.to_string());
            d.name_col = Some(at);
        }
        Column::Target => d.target = Some(text.to_string()),
        Column::Actual => d.actual = Some(text.to_string()),
        Column::Weight => d.weight = parse_amount(text),
        Column::Score => d.score = parse_amount(text),
        Column::Remark => d.remark = Some(text.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(cols: &[Column]) -> Header {
        cols.iter().enumerate().map(|(i, c)| (*c, i + 1)).collect()
    }

    fn row(texts: &[(usize, &str)], h: &Header) -> Draft {
        let cells: Vec<Cell> = texts.iter().map(|(c, t)| Cell::new(*c, *t)).collect();
        let refs: Vec<(usize, &Cell)> = cells.iter().enumerate().collect();
        align_row(1, &refs, h, false, &Config::embedded())
    }

    use Column::*;

    /// The fit rules as first written, a match over column and kind.
    fn fit_rules(kind: Kind, col: Column, len: usize) -> i32 {
        use Column as C;
        use Kind as K;
        match (col, kind) {
            (C::Level1, K::Level1 | K::Level12) => 10,
            (C::Level1, K::Level2) => -4,
            (C::Level2, K::Level2 | K::Level12) => 10,
            (C::Level2, K::Level1) => -4,
            (C::Level1 | C::Level2, K::LevelLike) => 3,
            (C::Level1 | C::Level2, K::Short) => -3,
            (C::Level1 | C::Level2, _) => -12,
            (C::Name, K::Text | K::Short) => 5,
            (C::Name, K::LevelLike) => -2,
            (C::Name, K::Value) => -4,
            (C::Name, K::Number(_)) => -6,
            (C::Name, _) => -8,
            (C::Target | C::Actual, K::Value) => 8,
            (C::Target | C::Actual, K::Number(_)) => 6,
            (C::Target | C::Actual, K::Short) => 3,
            (C::Target | C::Actual, K::Text) => i32::from(len <= 15),
            (C::Target | C::Actual, K::LevelLike) => -4,
            (C::Target | C::Actual, _) => -8,
            (C::Weight | C::Score, K::Number(n)) if (0.0..=100.0).contains(&n) => 8,
            (C::Weight | C::Score, _) => -12,
            (C::Remark, K::Text) => 4,
            (C::Remark, K::Short) => 2,
            (C::Remark, K::Value) => -2,
            (C::Remark, _) => -8,
        }
    }

    #[test]
    fn the_fit_table_states_the_rules() {
        let kinds = [
            Kind::Level1,
            Kind::Level2,
            Kind::Level12,
            Kind::LevelLike,
            Kind::Value,
            Kind::Short,
            Kind::Text,
        ];
        let numbers = [-1.0, -0.0, 0.0, 0.5, 15.0, 100.0, 100.01, 1e9, f64::NAN];
        let all = kinds.into_iter().chain(numbers.map(Kind::Number));
        let cols = [Level1, Level2, Name, Target, Actual, Weight, Score, Remark];
        for kind in all {
            for col in cols {
                for len in 0..40 {
                    assert_eq!(
                        fit(kind, col, len),
                        fit_rules(kind, col, len),
                        "{kind:?} {col:?} {len}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_level2_in_the_level1_column_moves_right() {
        let h = header(&[Level1, Level2, Name, Target]);
        let d = row(
            &[(1, "时效指标"), (3, "项目实施计划完成率"), (4, "=100(%)")],
            &h,
        );
        assert_eq!((d.l1, d.l2.as_deref()), (None, Some("时效指标")));
        assert_eq!(d.name.as_deref(), Some("项目实施计划完成率"));
        assert!(d.flags.contains(&"cells_realigned".to_string()));
    }

    #[test]
    fn a_row_too_long_for_the_stack_table_aligns_the_same() {
        // Eight columns: a row of 22 cells needs a table of 23 x 9
        // entries, past the 192 kept on the stack.
        let h = header(&[Level1, Level2, Name, Target, Actual, Weight, Score, Remark]);
        let kinds = |texts: &[&str]| -> Vec<Kinded> {
            let c = Config::embedded();
            texts
                .iter()
                .enumerate()
                .map(|(i, t)| (kind(t, &c), i + 1, t.chars().count()))
                .collect()
        };
        let short = [
            "产出指标",
            "数量指标",
            "慰问人数",
            "≥80人",
            "85人",
            "10",
            "10",
            "完成",
        ];
        let mut long = short.to_vec();
        long.extend(["10"; 14]);
        assert!((long.len() + 1) * (h.len() + 1) > 192);
        let (a, b) = (assign(&kinds(&short), &h), assign(&kinds(&long), &h));
        assert_eq!(a, (0..8).map(Some).collect::<Vec<_>>());
        assert_eq!(b[..8], a[..]);
        assert!(b[8..].iter().all(Option::is_none));
    }

    #[test]
    fn a_row_shifted_left_is_read_by_content() {
        let h = header(&[Level1, Level2, Name, Target]);
        let d = row(
            &[
                (0, "效益指标"),
                (1, "社会效益指标"),
                (2, "发挥示范引领作用"),
                (4, "师生反馈评价"),
            ],
            &h,
        );
        assert_eq!(d.l1.as_deref(), Some("效益指标"));
        assert_eq!(d.l2.as_deref(), Some("社会效益指标"));
        assert_eq!(d.target.as_deref(), Some("师生反馈评价"));
    }

    #[test]
    fn a_name_in_a_level_column_is_a_name() {
        let h = header(&[Level1, Level2, Name, Target]);
        let d = row(&[(1, "资金到位及时性"), (3, "及时")], &h);
        assert_eq!((d.l1, d.l2), (None, None));
        assert_eq!(d.name.as_deref(), Some("资金到位及时性"));
        assert_eq!(d.target.as_deref(), Some("及时"));
    }

    #[test]
    fn a_garbled_label_in_the_level2_position_stays_a_level() {
        let h = header(&[Level1, Level2, Name, Target]);
        let d = row(
            &[
                (2, "贝里顶外"),
                (3, "指导各级退管组织做好信访等维稳工作"),
                (4, "件件有回音"),
            ],
            &h,
        );
        assert_eq!(d.l2.as_deref(), Some("贝里顶外"));
        assert_eq!(
            d.name.as_deref(),
            Some("指导各级退管组织做好信访等维稳工作")
        );
    }

    #[test]
    fn self_evaluation_numbers_go_to_weight_and_score() {
        let h = header(&[Level1, Level2, Name, Target, Actual, Weight, Score, Remark]);
        let d = row(
            &[
                (3, "灵活就业人员满意率"),
                (4, ">=90%"),
                (5, "95"),
                (6, "10"),
                (7, "10"),
            ],
            &h,
        );
        assert_eq!(d.actual.as_deref(), Some("95"));
        assert_eq!((d.weight, d.score), (Some(10.0), Some(10.0)));
        let d = row(
            &[
                (3, "购置率"),
                (4, ">95%"),
                (6, "20"),
                (7, "17"),
                (8, "通过三方比价后，选取报价最优方案"),
            ],
            &h,
        );
        assert_eq!(d.actual, None);
        assert_eq!((d.weight, d.score), (Some(20.0), Some(17.0)));
        assert!(d.remark.is_some());
    }

    #[test]
    fn an_ocr_duplicated_value_is_collapsed() {
        let h = header(&[Level1, Level2, Name, Target, Actual, Weight, Score, Remark]);
        // As printed: the name one column left, the first copy under 三级指标.
        let d = row(
            &[
                (1, "劳模慰问完成及时率"),
                (3, "=100%"),
                (4, "=100%"),
                (5, "=100%"),
                (6, "8"),
                (7, "6"),
                (8, "本区劳模大部分身体健康"),
            ],
            &h,
        );
        assert_eq!(
            (d.target.as_deref(), d.actual.as_deref()),
            (Some("=100%"), Some("=100%"))
        );
        assert_eq!((d.weight, d.score), (Some(8.0), Some(6.0)));
        assert!(d.flags.contains(&"value_deduplicated".to_string()));
        assert!(!d.flags.contains(&"cell_dropped".to_string()));
    }
}
