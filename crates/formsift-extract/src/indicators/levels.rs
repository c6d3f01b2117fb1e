//! Levels of the indicator table: merged cells filled down, level 1 inferred
//! from the vocabulary, OCR-garbled labels corrected, and rows whose level a
//! page break leaves open marked ambiguous.

use super::Draft;
use crate::consumed::Consumed;
use formsift_config::Config;
use formsift_model::{Alternative, Indicator};
use formsift_values::{is_cjk, parse_measure, split_ordinal};

/// Removes white space between CJK characters (wrapped-cell artefacts). A
/// name with no white space is returned as it came (an owned one uncopied).
pub(crate) fn clean_name(name: impl Into<String>, cjk_digits: bool) -> String {
    let name: String = name.into();
    if !formsift_model::has_space(&name) {
        return name;
    }
    let s = formsift_model::trim(&name);
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if c.is_whitespace() {
            let prev = out.chars().next_back();
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if prev.is_some_and(is_cjk) && next.is_some_and(|n| is_cjk(*n)) {
                continue;
            }
            // `13 号文`: a gap the converter printed ([notation] cjk-spacing).
            let digit_cjk = (prev.is_some_and(|p| p.is_ascii_digit())
                && next.is_some_and(|n| is_cjk(*n)))
                || (prev.is_some_and(is_cjk) && next.is_some_and(char::is_ascii_digit));
            if cjk_digits && digit_cjk {
                continue;
            }
            if prev.is_some_and(char::is_whitespace) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

fn head<'a>(s: &'a str, config: &Config) -> &'a str {
    for suf in &config.indicators.level_suffixes {
        if let Some(h) = s.strip_suffix(suf.as_str()) {
            return h;
        }
    }
    s
}

/// Share of the characters of the two heads (suffix removed) they have in common.
pub(crate) fn similarity(a: &str, b: &str, config: &Config) -> f64 {
    let (ha, hb): (Vec<char>, Vec<char>) = (
        head(a, config).chars().collect(),
        head(b, config).chars().collect(),
    );
    if ha.is_empty() || hb.is_empty() {
        return 0.0;
    }
    let mut pool = hb.clone();
    let mut common = 0;
    for c in &ha {
        if let Some(p) = pool.iter().position(|x| x == c) {
            pool.swap_remove(p);
            common += 1;
        }
    }
    common as f64 / ha.len().max(hb.len()) as f64
}

/// The candidates at the best similarity (at least the threshold), and
/// whether that similarity is high enough to be sure.
fn most_similar<'a>(text: &str, candidates: &[&'a str], config: &Config) -> (Vec<&'a str>, bool) {
    let scored: Vec<(&str, f64)> = candidates
        .iter()
        .map(|&c| (c, similarity(text, c, config)))
        .filter(|(_, s)| *s >= config.indicators.similarity)
        .collect();
    let best = scored.iter().map(|(_, s)| *s).fold(0.0, f64::max);
    let tied = scored
        .into_iter()
        .filter(|(_, s)| *s == best)
        .map(|(c, _)| c)
        .collect();
    (tied, best >= config.indicators.sure_similarity)
}

/// The levels in force, and whether each was guessed rather than printed or
/// corrected with certainty (rows filled from a guess share its doubt).
#[derive(Default)]
struct State {
    l1: Option<String>,
    l2: Option<String>,
    l1_guessed: bool,
    l2_guessed: bool,
}

/// Resolved levels of one row: the values and whether the row printed them.
struct Levels {
    l1: Option<String>,
    l2: Option<String>,
    printed_l1: bool,
    printed_l2: bool,
}

/// How a garbled label was resolved.
enum Fix {
    /// One vocabulary entry fits (similarity or hierarchy).
    Sure(String),
    /// Several fit, or only the context suggests one: the first is kept, the
    /// others are alternatives.
    Guess(String, Vec<String>),
    /// Nothing fits.
    Unknown,
}

fn resolve_label((tied, sure): (Vec<&str>, bool), context: Option<String>) -> Fix {
    match (tied.len(), context) {
        (1, _) if sure => Fix::Sure(tied[0].to_string()),
        (1, _) => Fix::Guess(tied[0].to_string(), Vec::new()),
        (0, Some(c)) => Fix::Guess(c, Vec::new()),
        (0, None) => Fix::Unknown,
        (_, ctx) => {
            let pick = ctx
                .filter(|c| tied.contains(&c.as_str()))
                .unwrap_or_else(|| tied[0].to_string());
            let others = tied
                .iter()
                .filter(|t| **t != pick)
                .map(|t| t.to_string())
                .collect();
            Fix::Guess(pick, others)
        }
    }
}

/// Applies a fix to a level slot; returns true when it was a guess.
fn apply_fix(d: &mut Draft, field: &str, fix: Fix) -> bool {
    let slot = if field == "level1" {
        &mut d.l1
    } else {
        &mut d.l2
    };
    match fix {
        Fix::Sure(v) => {
            *slot = Some(v);
            d.flag("level_ocr_corrected");
            false
        }
        Fix::Guess(v, others) => {
            *slot = Some(v);
            d.flag("level_guessed");
            for o in others {
                d.alternatives.push((field.to_string(), o));
            }
            true
        }
        Fix::Unknown => {
            // Rows filled from an unknown label share its doubt.
            d.flag("level_unknown");
            true
        }
    }
}

/// Corrects labels not in the vocabulary; returns (level 1 guessed, level 2 guessed).
fn correct(d: &mut Draft, state: &State, config: &Config) -> (bool, bool) {
    // A vocabulary level 2 that ended up as level 1 (forced by the row) moves.
    if d.l2.is_none()
        && let Some(l1) = d.l1.as_deref()
        && !config.is_level1(l1)
        && config.is_level2(l1)
    {
        d.l2 = d.l1.take();
        d.flag("cells_realigned");
    }
    let mut guessed = (false, false);
    // (Labels are tested before they are copied: most are in the vocabulary.)
    if let Some(l2) = d.l2.as_deref().filter(|l| !config.is_level2(l)) {
        let l2 = l2.to_string();
        let l1_hint =
            d.l1.as_deref()
                .filter(|l| config.is_level1(l))
                .or(state.l1.as_deref());
        let children: Vec<&str> = match &l1_hint {
            Some(l1) if !config.children_of(l1).is_empty() => config.children_of(l1),
            _ => config.level2_names(),
        };
        let context = state
            .l2
            .as_deref()
            .filter(|s| children.contains(s))
            .map(str::to_string);
        guessed.1 = apply_fix(
            d,
            "level2",
            resolve_label(most_similar(&l2, &children, config), context),
        );
    }
    if let Some(l1) = d.l1.as_deref().filter(|l| !config.is_level1(l)) {
        let l1 = l1.to_string();
        let level2 =
            d.l2.as_deref()
                .or(state.l2.as_deref())
                .filter(|l| config.is_level2(l));
        let parents: Vec<&str> = level2
            .map(|l2| config.parents_of(l2).iter().map(String::as_str).collect())
            .unwrap_or_default();
        // Only a level 2 the row printed makes its parent a sure correction;
        // one filled from above is a guess (the garbled label may be a new
        // level 2 in the wrong column).
        let printed_l2 = d.l2.as_deref().is_some_and(|l| config.is_level2(l));
        let fix = if parents.len() == 1 && printed_l2 {
            Fix::Sure(parents[0].to_string())
        } else {
            let candidates = if parents.is_empty() {
                config.level1_names()
            } else {
                parents.clone()
            };
            let context = state
                .l1
                .as_deref()
                .filter(|c| parents.is_empty() || parents.contains(c))
                .map(str::to_string);
            resolve_label(
                most_similar(&l1, &candidates, config),
                context.or(parents.first().map(|p| p.to_string())),
            )
        };
        guessed.0 = apply_fix(d, "level1", fix);
    }
    guessed
}

fn apply(d: &mut Draft, state: &mut State, guessed: (bool, bool), config: &Config) -> Levels {
    let printed_l1 = d.l1.is_some();
    let printed_l2 = d.l2.is_some();
    if let Some(l1) = &d.l1 {
        if state.l1.as_ref() != Some(l1) {
            state.l2 = None;
            state.l2_guessed = false;
            state.l1 = Some(l1.clone());
        }
        state.l1_guessed = guessed.0;
    }
    if let Some(l2) = &d.l2 {
        if state.l2.as_ref() != Some(l2) {
            state.l2 = Some(l2.clone());
        }
        state.l2_guessed = guessed.1;
        let parents = config.parents_of(l2);
        if !guessed.1 && parents.len() == 1 && state.l1.as_ref() == Some(&parents[0]) {
            // A printed level 2 whose only parent is the level 1 in force
            // confirms it, even if that level 1 was a guess.
            state.l1_guessed = false;
        }
        if !parents.is_empty() {
            match &d.l1 {
                Some(l1) if !parents.contains(l1) => d.flag("level_mismatch"),
                None if !state.l1.as_ref().is_some_and(|c| parents.contains(c)) => {
                    state.l1 = Some(parents[0].clone());
                    state.l1_guessed = guessed.1 || parents.len() > 1;
                    d.flag("level_inferred");
                }
                _ => {}
            }
        }
    }
    if (!printed_l1 && state.l1.is_some()) || (!printed_l2 && state.l2.is_some()) {
        d.flag("level_filled");
    }
    if (!printed_l1 && state.l1_guessed) || (!printed_l2 && state.l2_guessed) {
        d.flag("level_guess_filled");
    }
    // A printed level is the one in force: the draft's own string is moved
    // out rather than the state's copied (the draft's levels are not read
    // after this).
    Levels {
        l1: d.l1.take().or_else(|| state.l1.clone()),
        l2: d.l2.take().or_else(|| state.l2.clone()),
        printed_l1,
        printed_l2,
    }
}

/// Completes the drafts into indicators. Label-only rows update the levels;
/// those spilled over a page break are released to residue.
pub(crate) fn resolve(
    mut drafts: Vec<Draft>,
    consumed: &mut Consumed,
    config: &Config,
) -> Vec<Indicator> {
    let mut state = State::default();
    // (At most one indicator per draft: room for all at once.)
    let mut out: Vec<Indicator> = Vec::with_capacity(drafts.len());
    // Per indicator: (printed l1, printed l2, break before it).
    let mut meta: Vec<(bool, bool, bool)> = Vec::with_capacity(drafts.len());
    let mut break_pending = false;
    // (Each draft read in place: moved out, it was copied a row at a time.)
    for d in &mut drafts {
        break_pending |= d.after_break;
        let guessed = correct(d, &state, config);
        if d.is_label_only() {
            // A label spilled over a page break repeats the group in force; a
            // new label starts a group even after a break.
            let repeats = d.l1.as_ref().is_none_or(|l| state.l1.as_ref() == Some(l))
                && d.l2.as_ref().is_none_or(|l| state.l2.as_ref() == Some(l));
            let spill = d.after_break && repeats;
            let merged_name = out
                .last()
                .filter(|p| p.target.is_none() && !spill && d.l2.is_some());
            if let Some(prev) = merged_name {
                let name = prev.name.clone();
                let ordinal = prev.ordinal;
                d.flag("name_filled");
                let lv = apply(d, &mut state, guessed, config);
                d.name = Some(name);
                for (l, i) in &d.cells {
                    consumed.take(*l, *i);
                }
                meta.push((lv.printed_l1, lv.printed_l2, break_pending));
                break_pending = false;
                let mut ind = build(d, lv, config);
                ind.ordinal = ordinal;
                out.push(ind);
                continue;
            }
            apply(d, &mut state, guessed, config);
            if !spill {
                for (l, i) in &d.cells {
                    consumed.take(*l, *i);
                }
            }
            continue;
        }
        let lv = apply(d, &mut state, guessed, config);
        for (l, i) in &d.cells {
            consumed.take(*l, *i);
        }
        meta.push((lv.printed_l1, lv.printed_l2, break_pending));
        break_pending = false;
        out.push(build(d, lv, config));
    }
    mark_ambiguous(&mut out, &meta, config);
    out
}

/// The indicator of a draft and its levels (their texts moved out, not
/// copied).
fn build(d: &mut Draft, lv: Levels, config: &Config) -> Indicator {
    let level_missing = lv.l1.is_none() || lv.l2.is_none();
    let (ordinal, name) = match d.name.take() {
        Some(n) => split_ordinal(
            clean_name(n, config.notation.cjk_spacing),
            &config.indicators.ordinal,
        ),
        None => (None, String::new()),
    };
    let mut ind = Indicator {
        level1: lv.l1,
        level2: lv.l2,
        name,
        ordinal,
        target: d.target.take().map(|t| parse_measure(t, &config.values)),
        actual: d.actual.take().map(|t| parse_measure(t, &config.values)),
        weight: d.weight,
        score: d.score,
        remark: d.remark.take(),
        lines: d.lines,
        cells: None,
        boxes: None,
        confidence: 1.0,
        flags: std::mem::take(&mut d.flags),
        review: false,
        alternatives: std::mem::take(&mut d.alternatives)
            .into_iter()
            .map(|(field, value)| Alternative { field, value })
            .collect(),
    };
    // A name without a letter, figure or ideograph (`/`, `—`) is a stray
    // piece of a split cell, not a name.
    // (The common ideographs are tested first: the Unicode tables cost more.)
    let word = |c: char| {
        c.is_ascii_alphanumeric()
            || ('\u{4E00}'..='\u{9FFF}').contains(&c)
            || (!c.is_ascii() && c.is_alphanumeric())
    };
    if !ind.name.chars().any(word) {
        ind.flag("name_missing");
    }
    if ind.target.is_none() {
        ind.flag("target_missing");
    }
    if level_missing {
        ind.flag("level_missing");
    }
    ind
}

/// A row whose level was filled down as the last row before a page break,
/// when the first row after the break prints another label that could be the
/// same merged cell, could belong to either: keep the positional reading and
/// name the other.
fn mark_ambiguous(out: &mut [Indicator], meta: &[(bool, bool, bool)], config: &Config) {
    for k in 0..out.len().saturating_sub(1) {
        let (p1, p2, _) = meta[k];
        let (n1, n2, brk) = meta[k + 1];
        if !brk {
            continue;
        }
        let (cur, next) = (&out[k], &out[k + 1]);
        let mut alt = None;
        if !p2 && n2 && next.level2 != cur.level2 && next.level1 == cur.level1 {
            alt = next.level2.clone().map(|v| ("level2", v));
        } else if !p1 && n1 && next.level1 != cur.level1 {
            let fits = match (&next.level1, &cur.level2) {
                (Some(l1), Some(l2)) => config.children_of(l1).contains(&l2.as_str()),
                _ => false,
            };
            if fits {
                alt = next.level1.clone().map(|v| ("level1", v));
            }
        }
        if let Some((field, value)) = alt {
            out[k].flag("level_ambiguous");
            out[k].alternatives.push(Alternative {
                field: field.to_string(),
                value,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_spaces_inside_cjk() {
        assert_eq!(
            clean_name("服务对象满意度 指标", true),
            "服务对象满意度指标"
        );
        assert_eq!(clean_name("Wi-Fi 覆盖率", true), "Wi-Fi 覆盖率");
        assert_eq!(clean_name("【2022】13 号文", true), "【2022】13号文");
        assert_eq!(clean_name("指标 3：到位率", true), "指标3：到位率");
        assert_eq!(clean_name("【2022】13 号文", false), "【2022】13 号文");
    }

    #[test]
    fn similarity_ignores_the_common_suffix() {
        let c = Config::embedded();
        assert!(similarity("效果指标", "效益指标", &c) >= 0.5);
        assert_eq!(similarity("双星指标", "效益指标", &c), 0.0);
    }

    fn draft(l1: Option<&str>, l2: Option<&str>, name: &str, brk: bool) -> Draft {
        Draft {
            l1: l1.map(String::from),
            l2: l2.map(String::from),
            name: Some(name.to_string()),
            target: Some("是".into()),
            after_break: brk,
            ..Draft::default()
        }
    }

    #[test]
    fn fill_down_inference_and_garbled_labels() {
        let c = Config::embedded();
        let rows = vec![
            draft(Some("产出指标"), Some("质量指标"), "甲", false),
            draft(None, Some("贝里顶外"), "乙", true),
            draft(None, Some("社会效益指标"), "丙", false),
            draft(Some("双基指标"), Some("可持续影响指标"), "丁", false),
            draft(None, None, "戊", false),
        ];
        let out = resolve(rows, &mut Consumed::default(), &c);
        let levels: Vec<(Option<&str>, Option<&str>)> = out
            .iter()
            .map(|i| (i.level1.as_deref(), i.level2.as_deref()))
            .collect();
        assert_eq!(
            levels,
            [
                (Some("产出指标"), Some("质量指标")),
                (Some("产出指标"), Some("质量指标")),
                (Some("效益指标"), Some("社会效益指标")),
                (Some("效益指标"), Some("可持续影响指标")),
                (Some("效益指标"), Some("可持续影响指标")),
            ]
        );
        // Only the group above suggests 质量指标: a guess, sent to review.
        assert!(out[1].flags.contains(&"level_guessed".into()));
        assert!(out[2].flags.contains(&"level_inferred".into()));
        // The single parent of 可持续影响指标: a sure correction.
        assert!(out[3].flags.contains(&"level_ocr_corrected".into()));
        assert!(out[4].flags.contains(&"level_filled".into()));
        assert!(!out[4].flags.contains(&"level_guess_filled".into()));
    }

    #[test]
    fn a_page_break_under_a_merged_label_is_ambiguous() {
        let c = Config::embedded();
        let rows = vec![
            draft(Some("效益指标"), Some("社会效益指标"), "甲", false),
            draft(None, None, "乙", false),
            draft(None, Some("可持续影响指标"), "丙", true),
        ];
        let out = resolve(rows, &mut Consumed::default(), &c);
        assert_eq!(out[1].level2.as_deref(), Some("社会效益指标"));
        assert!(out[1].flags.contains(&"level_ambiguous".into()));
        assert_eq!(out[1].alternatives[0].value, "可持续影响指标");
        assert!(!out[0].flags.contains(&"level_ambiguous".into()));
    }
}

#[cfg(test)]
mod doubt_tests {
    use super::*;

    fn draft(l1: Option<&str>, l2: Option<&str>, name: &str) -> Draft {
        Draft {
            l1: l1.map(String::from),
            l2: l2.map(String::from),
            name: Some(name.to_string()),
            target: Some("是".into()),
            ..Draft::default()
        }
    }

    #[test]
    fn rows_filled_from_an_unknown_or_tied_label_share_its_doubt() {
        let c = Config::embedded();
        let rows = vec![
            draft(Some("产出指标"), Some("数量指标"), "甲"),
            draft(None, Some("基基指标"), "乙"),
            draft(None, None, "丙"),
            draft(None, Some("质量指标"), "丁"),
            draft(None, None, "戊"),
        ];
        let out = resolve(rows, &mut Consumed::default(), &c);
        assert!(
            out[1]
                .flags
                .iter()
                .any(|f| f == "level_guessed" || f == "level_unknown")
        );
        assert!(out[2].flags.contains(&"level_guess_filled".into()));
        assert!(
            !out[4].flags.contains(&"level_guess_filled".into()),
            "a printed label clears the doubt"
        );
    }

    #[test]
    fn a_printed_child_confirms_a_guessed_parent() {
        let c = Config::embedded();
        let rows = vec![
            draft(Some("效益指标"), Some("社会效益指标"), "甲"),
            draft(Some("双星指标"), None, "乙"),
            draft(None, Some("可持续影响指标"), "丙"),
            draft(None, None, "丁"),
        ];
        let out = resolve(rows, &mut Consumed::default(), &c);
        assert!(out[1].flags.contains(&"level_guessed".into()));
        assert_eq!(out[2].level1.as_deref(), Some("效益指标"));
        assert!(!out[2].flags.contains(&"level_guess_filled".into()));
        assert!(!out[3].flags.contains(&"level_guess_filled".into()));
    }

    #[test]
    fn a_new_level_after_a_page_break_is_not_a_spill() {
        let c = Config::embedded();
        let mut first = draft(Some("投入管理指标"), Some("预算编审管理"), "根据文件设置");
        first.target = None;
        let mut next = Draft {
            l2: Some("预算执行管理".into()),
            after_break: true,
            ..Draft::default()
        };
        next.lines = [3, 3];
        let out = resolve(vec![first, next], &mut Consumed::default(), &c);
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].level2.as_deref(), Some("预算执行管理"));
        assert!(out[1].flags.contains(&"name_filled".into()));
    }
}
