//! The checks of RECORD.md, each separate.

use formsift_config::Config;
use formsift_model::{Check, FieldValue, Record, Scalar};

fn check(name: &str, ok: bool, expected: Scalar, found: Scalar) -> Check {
    Check {
        name: name.to_string(),
        ok,
        expected,
        found,
    }
}

fn round(x: f64) -> f64 {
    (x * 10000.0).round() / 10000.0
}

/// Runs every check the record's numbers allow.
pub fn run_checks(r: &Record, config: &Config) -> Vec<Check> {
    let t = &config.checks;
    let mut out = Vec::with_capacity(8);
    let f = &r.funds;
    // (Summed in row order straight from the rows: no list of them.)
    let scores = || r.indicators.iter().filter_map(|i| i.score);
    let weights = || r.indicators.iter().filter_map(|i| i.weight);
    if let Some(total) = &r.total_score
        && let Some(printed) = total.score
    {
        let sum = scores().sum::<f64>() + f.get("score").unwrap_or(0.0);
        out.push(check(
            "score_sum",
            (sum - printed).abs() <= t.sum_tolerance,
            Scalar::Num(round(sum)),
            Scalar::Num(printed),
        ));
    }
    if weights().next().is_some() {
        let sum = weights().sum::<f64>() + f.get("weight").unwrap_or(0.0);
        let printed = r
            .total_score
            .as_ref()
            .and_then(|t| t.weight)
            .unwrap_or(100.0);
        out.push(check(
            "weight_sum",
            (sum - printed).abs() <= t.sum_tolerance,
            Scalar::Num(round(sum)),
            Scalar::Num(printed),
        ));
    }
    if let (Some(exec), Some(full), Some(rate)) = (
        f.get("executed"),
        f.get("full_year_budget"),
        f.get("execution_rate"),
    ) && full > 0.0
    {
        let computed = exec / full * 100.0;
        out.push(check(
            "execution_rate",
            (computed - rate).abs() <= t.rate_tolerance,
            Scalar::Num(round(computed)),
            Scalar::Num(rate),
        ));
    }
    if let (Some(w), Some(rate), Some(score)) =
        (f.get("weight"), f.get("execution_rate"), f.get("score"))
    {
        let computed = w * rate / 100.0;
        out.push(check(
            "budget_score",
            (computed - score).abs() <= t.score_tolerance,
            Scalar::Num(round(computed)),
            Scalar::Num(score),
        ));
    }
    if let Some(parts) = &f.parts {
        let amounts: Vec<f64> = parts.iter().filter_map(|p| p.amount).collect();
        if let (false, Some(total)) = (amounts.is_empty(), f.get("annual").or(f.get("total"))) {
            let sum: f64 = amounts.iter().sum();
            out.push(check(
                "parts_sum",
                (sum - total).abs() <= t.sum_tolerance,
                Scalar::Num(round(sum)),
                Scalar::Num(total),
            ));
        }
    }
    for rule in &t.funds_sum {
        let Some(total) = f.get(&rule.total) else {
            continue;
        };
        if !rule
            .parts
            .iter()
            .all(|p| f.amounts.iter().any(|(k, _)| k == p))
        {
            continue;
        }
        let parts: Vec<f64> = rule.parts.iter().filter_map(|p| f.get(p)).collect();
        if parts.is_empty() {
            continue;
        }
        let sum: f64 = parts.iter().sum();
        out.push(check(
            &rule.name,
            (sum - total).abs() <= t.sum_tolerance,
            Scalar::Num(round(sum)),
            Scalar::Num(total),
        ));
    }
    let date = |k: &str| match r.fields.get(k) {
        Some(FieldValue::Text(s)) if s.len() == 10 && s.as_bytes()[4] == b'-' => Some(s.clone()),
        _ => None,
    };
    let (start, end) = (date("start_date"), date("end_date"));
    if let (Some(s), Some(e)) = (&start, &end) {
        out.push(check(
            "date_order",
            s <= e,
            Scalar::Text(s.clone()),
            Scalar::Text(e.clone()),
        ));
    }
    if let (Some(y), Some(s)) = (r.year, &start) {
        let sy: i64 = s[..4].parse().unwrap_or(0);
        out.push(check(
            "year_match",
            sy == y,
            Scalar::Num(y as f64),
            Scalar::Num(sy as f64),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::record;

    #[test]
    fn execution_rate_and_budget_score_with_rounding() {
        let c = Config::embedded();
        let mut r = record();
        for (k, v) in [
            ("full_year_budget", 535000.0),
            ("executed", 532700.0),
            ("weight", 10.0),
            ("execution_rate", 99.57),
            ("score", 9.6),
        ] {
            r.funds.set(k, Some(v));
        }
        let checks = run_checks(&r, &c);
        let get = |n: &str| checks.iter().find(|c| c.name == n).unwrap().ok;
        assert!(get("execution_rate"));
        assert!(!get("budget_score"));
    }

    #[test]
    fn dates_and_year() {
        let c = Config::embedded();
        let mut r = record();
        r.fields
            .set("start_date", FieldValue::Text("2024-01-01".into()));
        r.fields
            .set("end_date", FieldValue::Text("2023-12-31".into()));
        let checks = run_checks(&r, &c);
        assert!(!checks.iter().find(|c| c.name == "date_order").unwrap().ok);
        assert!(!checks.iter().find(|c| c.name == "year_match").unwrap().ok);
    }
}
