//! Generates the `i18n` module from the translations in `locales/` (one folder per
//! language, one file per area of the console, as in `src/routes.rs`). A key that one
//! language lacks fails `language::tests`, not only a build warning.

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::error::Error;
use std::path::PathBuf;

/// The files of each language: what every page shares, then one per area.
pub const NAMESPACES: [&str; 6] = [
    "common",
    "plans",
    "executions",
    "surroundings",
    "administration",
    "errors",
];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?).join("i18n");
    let config = Config::new("en")?
        .add_locale("zh-CN")?
        .add_namespaces(NAMESPACES)?
        // Strings with values in them are needed outside views too (titles, attributes,
        // error messages built on the server).
        .parse_options(ParseOptions::default().interpolate_display(true));
    let translations = TranslationsInfos::parse(config)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    translations.generate_i18n_module(out)?;
    Ok(())
}
