//! A header wrapped in its narrow cells, as text laid out by spaces prints
//! it: `实际完成` on the line above the header line, `值` on the line below.

use crate::consumed::Consumed;
use formsift_config::Config;
use formsift_model::{Cell, Layout, Line};

/// Display columns a wrapped header's pieces may stand apart and still be
/// over one another.
const SLACK: u32 = 2;

/// The header line with its wrapped columns made whole.
pub(crate) struct Wrapped {
    pub header: Line,
    /// Every piece of the line below the header went into the header.
    pub below_used: bool,
}

/// Joins pieces of the lines above and below the header (and the header's
/// own pieces that name no column) that stand over one another and together
/// name a header column the header lacks. `None` when there are none.
pub(crate) fn join(
    above: Option<&Line>,
    header: &Line,
    below: Option<&Line>,
    consumed: &mut Consumed,
    config: &Config,
) -> Option<Wrapped> {
    let headers = &config.indicators;
    let spaced = |l: &&Line| l.layout == Layout::Spaced;
    let pieces = |l: Option<&Line>| -> Vec<(usize, usize, Cell)> {
        l.filter(spaced)
            .map(|l| {
                l.filled()
                    .filter(|(i, c)| !consumed.has(l.number, *i) && c.span.is_some())
                    .map(|(i, c)| (l.number, i, c.clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (top, bottom) = (pieces(above), pieces(below));
    // The header's own cells that name no column may be a wrapped column's
    // middle.
    let mid: Vec<(usize, usize, Cell)> = header
        .filled()
        .filter(|(_, c)| headers.header(c.key()).is_none() && c.span.is_some())
        .map(|(i, c)| (header.number, i, c.clone()))
        .collect();
    let mut have: Vec<_> = header
        .filled()
        .filter_map(|(_, c)| headers.header(c.key()))
        .collect();
    // Pieces over one another, give or take a column or two: a layout
    // shifts a cell's lines a little.
    let over = |a: &Cell, b: &Cell| {
        let (a, b) = (a.span.unwrap_or_default(), b.span.unwrap_or_default());
        a[0] < b[1] + SLACK && b[0] < a[1] + SLACK
    };
    let mut cells: Vec<Cell> = header
        .cells
        .iter()
        .filter(|c| !mid.iter().any(|m| m.2.col == c.col))
        .cloned()
        .collect();
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut joined_any = false;
    let mut taken_keys: Vec<String> = Vec::new();
    let free = |p: &(usize, usize, Cell), taken: &[(usize, usize)]| !taken.contains(&(p.0, p.1));
    // Each stack of a piece from the line above (or none), the header's
    // (or none) and the line below (or none), of two pieces or more.
    let pick = |line: &Vec<(usize, usize, Cell)>| -> Vec<Option<usize>> {
        std::iter::once(None)
            .chain((0..line.len()).map(Some))
            .collect()
    };
    for t in pick(&top) {
        for m in pick(&mid) {
            for b in pick(&bottom) {
                let stack: Vec<&(usize, usize, Cell)> = [
                    t.map(|k| &top[k]),
                    m.map(|k| &mid[k]),
                    b.map(|k| &bottom[k]),
                ]
                .into_iter()
                .flatten()
                .collect();
                if stack.len() < 2
                    || !stack.iter().all(|p| free(p, &taken))
                    || !stack.windows(2).all(|w| over(&w[0].2, &w[1].2))
                {
                    continue;
                }
                let key: String = stack.iter().map(|p| p.2.key()).collect();
                let Some(col) = headers.header(&key) else {
                    continue;
                };
                if have.contains(&col) {
                    continue;
                }
                have.push(col);
                let span = stack.iter().fold([u32::MAX, 0], |s, p| {
                    let q = p.2.span.unwrap_or_default();
                    [s[0].min(q[0]), s[1].max(q[1])]
                });
                taken_keys.push(key.clone());
                let mut cell = Cell::new(0, key);
                cell.span = Some(span);
                cells.push(cell);
                taken.extend(stack.iter().map(|p| (p.0, p.1)));
                joined_any = true;
            }
        }
    }
    if !joined_any {
        return None;
    }
    // Mid pieces not joined stay as they were.
    cells.extend(
        mid.iter()
            .filter(|m| !taken.contains(&(m.0, m.1)))
            .map(|m| m.2.clone()),
    );
    cells.retain(|c| !c.text.is_empty() || c.span.is_some());
    cells.sort_by_key(|c| c.span.map_or(u32::MAX, |s| s[0]));
    // A joined column printed over a column of the header line stood in
    // the gap after it (a narrow layout squeezed it left): it takes that
    // gap, and its place after the column.
    let joined: Vec<String> = taken_keys;
    for k in 0..cells.len() {
        if !joined.iter().any(|j| j == cells[k].key()) {
            continue;
        }
        let Some(at) = cells[k].span else { continue };
        let Some(o) = cells.iter().position(|c| {
            !joined.iter().any(|j| j == c.key())
                && c.span.is_some_and(|s| s[0] < at[1] && at[0] < s[1])
        }) else {
            continue;
        };
        let end = cells[o].span.map_or(0, |s| s[1]);
        let next = cells
            .iter()
            .filter_map(|c| c.span.map(|s| s[0]))
            .filter(|&x| x > end)
            .min()
            .unwrap_or(end + at[1] - at[0] + 2);
        if next > end + 2 {
            cells[k].span = Some([end + 1, next - 1]);
        }
    }
    cells.sort_by_key(|c| c.span.map_or(u32::MAX, |s| s[0]));
    for (i, c) in cells.iter_mut().enumerate() {
        c.col = i;
    }
    for &(line, i) in &taken {
        consumed.take(line, i);
    }
    let below_used = below.is_some_and(|b| {
        b.filled()
            .all(|(i, _)| taken.contains(&(b.number, i)) || consumed.has(b.number, i))
    });
    let mut header = header.clone();
    header.cells = cells;
    Some(Wrapped { header, below_used })
}

#[cfg(test)]
mod tests {
    use formsift_config::Config;
    use formsift_model::{Measure, Record};

    fn record_of(form: &str) -> Record {
        let config = Config::embedded();
        let doc = formsift_normalize::normalize(form, &config);
        let out = crate::extract(&doc, "f.txt", "f", &config);
        out.records.into_iter().next().expect("a record")
    }

    /// A value as printed.
    fn raw(m: &Option<Measure>) -> Option<String> {
        m.as_ref().map(|m| m.raw.clone())
    }

    /// A self-assessment table whose `实际完成值` header wrapped in its
    /// narrow cell: `实际完成` above the header line, `值` below it.
    const FORM: &str = "财政项目支出绩效自评表
项目名称 青浦区劳模创新工作室创建
                                                               实际完成
一级指标        二级指标                  三级指标          年度指标值               分值 得分
                                                                 值
       数量指标          采购碎纸机                          =14 台           =12 台   20   18
产出指标
       质量指标          敬老月活动参与人数达标率              =100%           =100%    20   20
";

    /// Three header cells wrapped over three lines, their pieces a column
    /// or two apart.
    const THREE: &str = "财政项目支出绩效自评表
项目名称 青浦区劳模创新工作室创建
一级指                                             年度指标 实际完
        二级指标                      三级指标                   分值 得分
 标                                                值   成值
标      质量指标     会员符合注册资格                        >=100%   =100      20    20
       时效指标     劳模慰问完成及时率                       =100%    =100      10    10
";

    /// `实际完成值` wrapped, and squeezed left over `年度指标值`.
    const OVER: &str = "财政项目支出绩效自评表
项目名称 灵活就业工作经费
                                                                    实际完成
一级指标         二级指标                三级指标                     年度指标值          分值 得分
                                                                      值
产出指标    质量指标          支内回沪医疗费补助金额计算准确率                    >=95%    100     15   15
效益指标    社会效益指标       群众知晓度                               ≥80(%)   增强      8    7
";

    #[test]
    fn a_wrapped_column_printed_over_another_takes_the_gap_after_it() {
        let record = record_of(OVER);
        let rows = &record.indicators;
        assert_eq!(raw(&rows[0].target).as_deref(), Some(">=95%"));
        assert_eq!(raw(&rows[0].actual).as_deref(), Some("100"));
        assert_eq!(raw(&rows[1].target).as_deref(), Some("≥80(%)"));
        assert_eq!(raw(&rows[1].actual).as_deref(), Some("增强"));
    }

    #[test]
    fn a_header_wrapped_over_three_lines_is_made_whole() {
        let record = record_of(THREE);
        let rows = &record.indicators;
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["会员符合注册资格", "劳模慰问完成及时率"]);
        assert_eq!(raw(&rows[0].target).as_deref(), Some(">=100%"));
        assert_eq!(raw(&rows[0].actual).as_deref(), Some("=100"));
        assert_eq!((rows[1].weight, rows[1].score), (Some(10.0), Some(10.0)));
    }

    #[test]
    fn a_header_wrapped_around_its_line_is_made_whole() {
        let record = record_of(FORM);
        let rows = &record.indicators;
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["采购碎纸机", "敬老月活动参与人数达标率"]);
        assert_eq!(raw(&rows[0].target).as_deref(), Some("=14 台"));
        assert_eq!(raw(&rows[0].actual).as_deref(), Some("=12 台"));
        assert_eq!((rows[0].weight, rows[0].score), (Some(20.0), Some(18.0)));
        // The header's pieces are read, not left over.
        assert!(
            !record
                .residue
                .iter()
                .any(|r| r.text == "实际完成" || r.text == "值"),
            "{:?}",
            record.residue
        );
    }
}
