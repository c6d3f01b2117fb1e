//! Validate: the checks a form lets us verify, and confidence from flags.
//!
//! This crate owns the arithmetic and consistency checks of `RECORD.md`
//! (scores sum to 总分, weights sum to 100, 执行率, budget score, parts and
//! funds sums, date order, year), the `unit_suspect` and `unit_missing` rules, and the
//! confidence model: every flag and every failed check carries a penalty in
//! `pipeline.toml`; a row's or record's confidence is the product of
//! `1 - penalty` over what touches it, and `review` is confidence below the
//! threshold. Printed numbers are never rewritten; a failed check only lowers
//! confidence and shows in `checks`.

mod checks;

use formsift_config::Config;
use formsift_model::Record;

pub use checks::run_checks;

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// True when a reviewer's decision (a `settled-by` flag) covers the item.
fn settled(flags: &[String], config: &Config) -> bool {
    flags
        .iter()
        .any(|f| config.review.settled_by.iter().any(|s| s == f))
}

/// Runs the checks and scores the record and each indicator.
pub fn validate(record: &mut Record, config: &Config) {
    if record.funds.unit.as_deref() == Some("万元")
        && record
            .funds
            .amounts
            .iter()
            .any(|(_, v)| v.is_some_and(|v| v > config.funds.suspect_wan_above))
    {
        record.flag("unit_suspect");
    }
    // Amounts without a unit: 元 or 万元 is a factor of ten thousand.
    if record.funds.unit.is_none() && record.funds.amounts.iter().any(|(_, v)| v.is_some()) {
        record.flag("unit_missing");
    }
    record.checks = run_checks(record, config);
    let failed: Vec<&str> = record
        .checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| c.name.as_str())
        .collect();
    let mut conf: f64 = record
        .flags
        .iter()
        .map(|f| 1.0 - config.penalty(f))
        .product();
    for name in &failed {
        conf *= 1.0 - config.check_penalty(name);
    }
    record.confidence = if settled(&record.flags, config) {
        1.0
    } else {
        round3(conf)
    };
    record.review = record.confidence < config.review.threshold;
    let score_failed = failed.contains(&"score_sum");
    let weight_failed = failed.contains(&"weight_sum");
    for ind in &mut record.indicators {
        let mut c: f64 = ind.flags.iter().map(|f| 1.0 - config.penalty(f)).product();
        if score_failed && ind.score.is_some() {
            c *= 1.0 - config.check_penalty("score_sum");
        }
        if weight_failed && ind.weight.is_some() {
            c *= 1.0 - config.check_penalty("weight_sum");
        }
        ind.confidence = if settled(&ind.flags, config) {
            1.0
        } else {
            round3(c)
        };
        ind.review = ind.confidence < config.review.threshold;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use formsift_model::{Indicator, Source, TotalScore};

    pub(crate) fn record() -> Record {
        let mut r = Record::new(
            "x#1".into(),
            Source {
                path: "x".into(),
                form: 1,
                lines: [1, 2],
                formats: vec![],
                cells: None,
                pages: None,
                boxes: None,
            },
            "project_self_evaluation".into(),
            "t".into(),
        );
        r.year = Some(2023);
        r
    }

    pub(crate) fn row(weight: f64, score: f64, flags: &[&str]) -> Indicator {
        Indicator {
            level1: Some("产出指标".into()),
            level2: Some("数量指标".into()),
            name: "n".into(),
            ordinal: None,
            target: None,
            actual: None,
            weight: Some(weight),
            score: Some(score),
            remark: None,
            lines: [1, 1],
            cells: None,
            boxes: None,
            confidence: 1.0,
            flags: flags.iter().map(|s| s.to_string()).collect(),
            review: false,
            alternatives: vec![],
        }
    }

    #[test]
    fn flags_lower_confidence_and_send_rows_to_review() {
        let c = Config::embedded();
        let mut r = record();
        r.indicators = vec![row(50.0, 50.0, &[]), row(50.0, 40.0, &["level_ambiguous"])];
        validate(&mut r, &c);
        assert_eq!(r.indicators[0].confidence, 1.0);
        assert!(!r.indicators[0].review);
        assert!(r.indicators[1].review);
    }

    #[test]
    fn a_failed_score_sum_lowers_rows_with_scores() {
        let c = Config::embedded();
        let mut r = record();
        r.indicators = vec![row(50.0, 50.0, &[]), row(50.0, 40.0, &[])];
        r.total_score = Some(TotalScore {
            weight: Some(100.0),
            score: Some(95.0),
        });
        validate(&mut r, &c);
        let s = r.checks.iter().find(|c| c.name == "score_sum").unwrap();
        assert!(!s.ok);
        assert!(r.checks.iter().find(|c| c.name == "weight_sum").unwrap().ok);
        assert!(r.indicators[0].confidence < 1.0 && r.confidence < 1.0);
    }

    #[test]
    fn wan_yuan_amounts_of_billions_are_suspect() {
        let c = Config::embedded();
        let mut r = record();
        r.funds.unit = Some("万元".into());
        r.funds.set("total", Some(2_323_000.0));
        validate(&mut r, &c);
        assert!(r.flags.contains(&"unit_suspect".to_string()));
    }

    #[test]
    fn amounts_without_a_unit_go_to_review() {
        let c = Config::embedded();
        let mut r = record();
        r.funds.set("total", Some(2_323_000.0));
        validate(&mut r, &c);
        assert!(r.flags.contains(&"unit_missing".to_string()));
        assert!(r.review);
        let mut r = record();
        r.funds.unit = Some("元".into());
        r.funds.set("total", Some(2_323_000.0));
        validate(&mut r, &c);
        assert!(!r.flags.contains(&"unit_missing".to_string()));
        let mut r = record();
        validate(&mut r, &c);
        assert!(!r.flags.contains(&"unit_missing".to_string()), "no amounts");
    }
}
