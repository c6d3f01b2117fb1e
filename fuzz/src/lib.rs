//! What the fuzz targets share: the embedded configuration, built once.

use formsift_config::Config;
use std::sync::OnceLock;

/// The embedded `pipeline.toml`, parsed on first use.
pub fn config() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(Config::embedded)
}
