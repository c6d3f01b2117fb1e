//! The pipeline's rules as data: `pipeline.toml`, parsed and checked.
//!
//! This crate owns the [`Config`] type, the embedded default configuration
//! (the repository's `pipeline.toml`) and loading an override from a file. It
//! compiles the regular expressions once and offers small lookups (label
//! table per form type, vocabulary, flag penalties) so that stages never parse
//! strings of the configuration themselves. It knows nothing about documents
//! or records.

mod rules;

pub use rules::*;

use std::path::Path;

/// The default configuration, embedded at build time.
pub const DEFAULT_TOML: &str = include_str!("../../../pipeline.toml");

/// Why a configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config {path}: {source}")]
    Io {
        /// The path given.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The TOML is malformed or has unknown keys.
    #[error("invalid config {path}: {message}")]
    Parse {
        /// The path given (or `<embedded>`).
        path: String,
        /// What the parser said, with line and column.
        message: String,
    },
    /// A value is out of range or a pattern does not compile.
    #[error("invalid config {path}: {message}")]
    Invalid {
        /// The path given (or `<embedded>`).
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl Config {
    /// The embedded default configuration.
    pub fn embedded() -> Config {
        Config::from_toml(DEFAULT_TOML, "<embedded>").expect("embedded pipeline.toml is valid")
    }

    /// Loads a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Config::from_toml(&text, &path.display().to_string())
    }

    /// Parses and checks a configuration from TOML text.
    pub fn from_toml(text: &str, origin: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: origin.to_string(),
            message: e.to_string(),
        })?;
        Config::compile(raw).map_err(|message| ConfigError::Invalid {
            path: origin.to_string(),
            message,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cloned_config_has_the_same_patterns() {
        let c = Config::embedded();
        let copy = c.clone();
        let pairs = [
            (&c.unit_suffix, &copy.unit_suffix),
            (&c.indicators.ordinal, &copy.indicators.ordinal),
        ];
        for (a, b) in pairs
            .into_iter()
            .chain(c.strip_prefixes.iter().zip(&copy.strip_prefixes))
        {
            assert_eq!(a.as_str(), b.as_str());
        }
        assert_eq!(c.strip_prefixes.len(), copy.strip_prefixes.len());
        for key in [
            "年度资金总额（万元）",
            "满意度(%)",
            "数量指标",
            "指标1：完成率",
        ] {
            assert_eq!(c.split_unit_key(key), copy.split_unit_key(key), "{key}");
            assert_eq!(
                c.indicators
                    .ordinal
                    .captures(key)
                    .map(|m| m.get(0).map(|g| g.range())),
                copy.indicators
                    .ordinal
                    .captures(key)
                    .map(|m| m.get(0).map(|g| g.range())),
            );
        }
        assert_eq!(
            copy.split_unit_key("年度资金总额（万元）"),
            ("年度资金总额", Some("万元"))
        );
    }

    #[test]
    fn embedded_config_loads_and_has_three_form_types() {
        let c = Config::embedded();
        let types: Vec<_> = c.templates.iter().map(|t| t.form_type.as_str()).collect();
        assert_eq!(
            types,
            [
                "project_target",
                "department_target",
                "project_self_evaluation"
            ]
        );
        assert!(c.review.threshold > 0.0 && c.review.threshold < 1.0);
    }

    #[test]
    fn every_vocabulary_name_is_a_level_and_longer_text_is_not() {
        let c = Config::embedded();
        for v in &c.indicators.vocabulary {
            assert!(c.levels_of(&v.level1).0, "{}", v.level1);
            for l2 in &v.level2 {
                assert!(c.levels_of(l2).1, "{l2}");
                assert_eq!(c.levels_of(&format!("{l2}{l2}")), (false, false));
            }
        }
        // A vocabulary of a long name finds it too.
        let long = "很长很长很长很长很长很长很长的一级指标";
        let text =
            DEFAULT_TOML.replacen("level1 = \"产出指标\"", &format!("level1 = \"{long}\""), 1);
        let c = Config::from_toml(&text, "x.toml").expect("loads");
        assert!(c.levels_of(long).0);
    }

    #[test]
    fn every_header_word_names_its_column_and_no_other_text_does() {
        let c = Config::embedded();
        assert!(c.indicators.headers.len() > 20);
        for (word, col) in &c.indicators.headers {
            assert_eq!(c.indicators.header(word), Some(*col), "{word}");
            // Same length, other last character; longer; shorter.
            let mut other = word.clone();
            other.pop();
            assert_eq!(
                c.indicators.header(&format!("{other}量")),
                None,
                "{other}量"
            );
            assert_eq!(c.indicators.header(&format!("{word}值")), None, "{word}值");
            assert_eq!(
                c.indicators.header(&other),
                c.indicators.headers.get(&other).copied()
            );
        }
        assert_eq!(c.indicators.header(""), None);
        // A header word of 64 bytes or more is found too.
        let long = "很长很长很长很长很长很长很长很长很长很长很长的偏差原因";
        assert!(long.len() >= 64);
        let text = DEFAULT_TOML.replacen("\"偏差原因分析及改进措施\"", &format!("\"{long}\""), 1);
        let c = Config::from_toml(&text, "x.toml").expect("loads");
        assert_eq!(c.indicators.header(long), Some(rules::Column::Remark));
        assert_eq!(c.indicators.header(&format!("{long}因")), None);
    }

    #[test]
    fn latex_commands_are_kept_longest_first_whatever_the_file_order() {
        let text = DEFAULT_TOML.replacen("latex = [", "latex = [\n  [\"\\\\g\", \"g\"],", 1);
        let c = Config::from_toml(&text, "x.toml").expect("loads");
        let lens: Vec<usize> = c.notation.latex.iter().map(|[cmd, _]| cmd.len()).collect();
        assert!(lens.windows(2).all(|w| w[0] >= w[1]), "{lens:?}");
        let at = |want: &str| c.notation.latex.iter().position(|[cmd, _]| cmd == want);
        assert!(
            at("\\g") > at("\\geq"),
            "a short command listed first moves after"
        );
    }

    #[test]
    fn unknown_keys_are_refused_with_a_location() {
        let text = DEFAULT_TOML.replace("[review]", "[review]\nthreshhold = 0.5");
        let err = Config::from_toml(&text, "x.toml").unwrap_err().to_string();
        assert!(
            err.contains("x.toml") && err.contains("threshhold"),
            "{err}"
        );
    }

    #[test]
    fn labels_are_normalised_before_lookup() {
        let c = Config::embedded();
        let t = c.template("project_target").unwrap();
        let m = c.match_label(t, "其中：财政资金").unwrap();
        assert_eq!(m.targets, ["funds.total_fiscal"]);
        let m = c.match_label(t, "项目资金 (元)").unwrap();
        assert_eq!(m.unit.as_deref(), Some("元"));
        let d = c.template("department_target").unwrap();
        let m = c.match_label(d, "1、资金来源：（1）财政拨款").unwrap();
        assert_eq!(m.targets, ["funds.fiscal"]);
        assert!(c.match_label(t, "指标1：服务对象人数").is_none());
        let m = c.match_label(t, "（万元）").unwrap();
        assert_eq!(m.targets, ["unit"]);
        assert_eq!(m.unit.as_deref(), Some("万元"));
        assert!(c.match_label(t, "（人）").is_none());
    }

    #[test]
    fn separators_are_found_where_str_find_finds_them() {
        let c = Config::embedded();
        assert!(!c.value_separators.is_empty());
        let texts = [
            "申报单位名称：上海市总工会",
            "项目名称: 工会帮困 甲",
            "下属预算单位个数 2",
            "年度目标\u{3000}完成",
            "质量指标达到≥95%\u{3000}：",
            "没有分隔",
            "",
            "：",
            // Lead bytes shared with other characters: `（` and `：`, `、`
            // and U+3000.
            "（万元）：12",
            "甲、乙\u{3000}丙",
        ];
        for t in texts {
            for (k, sep) in c.value_separators.iter().enumerate() {
                assert_eq!(
                    c.find_separator(k, t),
                    t.find(sep.as_str()),
                    "{t:?} {sep:?}"
                );
            }
        }
        assert_eq!(c.find_separator(c.value_separators.len(), "a b"), None);
    }

    #[test]
    fn vocabulary_knows_parents() {
        let c = Config::embedded();
        assert_eq!(c.parents_of("社会效益指标"), ["效益指标"]);
        assert!(c.is_level1("产出目标"));
        assert!(c.is_level2("可持续目标"));
        assert_eq!(c.parents_of("可持续目标").len(), 2);
        assert!(c.parents_of("不在词表").is_empty());
        // Every vocabulary entry lists its level 2s' parents, in order.
        for l2 in c.level2_names() {
            let scanned: Vec<&str> = c
                .indicators
                .vocabulary
                .iter()
                .filter(|v| v.level2.iter().any(|x| x == l2))
                .map(|v| v.level1.as_str())
                .collect();
            assert_eq!(c.parents_of(l2), scanned, "{l2}");
        }
    }

    #[test]
    fn one_lookup_says_both_levels() {
        let c = Config::embedded();
        for v in &c.indicators.vocabulary {
            assert!(c.levels_of(&v.level1).0, "{}", v.level1);
            for l2 in &v.level2 {
                assert!(c.levels_of(l2).1, "{l2}");
                assert_eq!(c.levels_of(l2).0, c.level1_names().contains(&l2.as_str()));
            }
        }
        assert_eq!(c.levels_of("产出目标"), (true, false));
        assert_eq!(c.levels_of("不在词表里"), (false, false));
    }

    #[test]
    fn out_of_range_threshold_is_refused() {
        let text = DEFAULT_TOML.replace("threshold = 0.8", "threshold = 1.8");
        assert!(Config::from_toml(&text, "x").is_err());
    }
}
