//! The module order the architecture promises, checked against the source: each layer
//! uses only the layers below it (`domain ← crypto ← store ← auth ← services ← api ←
//! components ← pages`), and only `store` speaks diesel.

use std::collections::BTreeSet;
use std::path::Path;

/// Each top-level module and the modules it may use.
const ALLOWED: &[(&str, &[&str])] = &[
    ("error", &[]),
    // Generated from `locales/` by the build script.
    ("i18n", &[]),
    ("domain", &["error", "i18n"]),
    ("language", &["domain", "i18n"]),
    ("local_time", &["domain", "i18n", "language"]),
    ("crypto", &[]),
    ("networks", &[]),
    ("redact", &[]),
    ("platform_answer", &["domain"]),
    ("mode", &["domain"]),
    ("store", &["domain", "error", "crypto", "mode"]),
    (
        "auth",
        &[
            "domain",
            "error",
            "crypto",
            "store",
            "networks",
            "language",
            "local_time",
        ],
    ),
    (
        "probe",
        &[
            "domain",
            "error",
            "store",
            "auth",
            "redact",
            "platform_answer",
        ],
    ),
    ("readiness", &["domain", "store", "probe"]),
    ("simulator_link", &["domain"]),
    ("bus", &["domain"]),
    (
        "services",
        &["domain", "error", "store", "auth", "simulator_link", "bus"],
    ),
    (
        "api",
        &[
            "domain",
            "error",
            "store",
            "auth",
            "services",
            "probe",
            "readiness",
            "simulator_link",
            "bus",
            "mode",
        ],
    ),
    ("live_client", &["domain"]),
    (
        "components",
        &["domain", "error", "api", "i18n", "language", "local_time"],
    ),
    (
        "pages",
        &[
            "domain",
            "error",
            "api",
            "components",
            "live_client",
            "i18n",
            "language",
            "local_time",
        ],
    ),
    ("routes", &["pages", "components"]),
    ("security_headers", &[]),
    ("lib", &[]),
];

/// The `crate::x` modules that `source` (test modules cut off) names.
fn uses(source: &str) -> BTreeSet<String> {
    let code = source.split("#[cfg(test)]").next().unwrap_or_default();
    code.match_indices("crate::")
        .map(|(at, _)| {
            code[at + 7..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

fn files(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    files(&src, &mut found);
    let mut wrong = Vec::new();
    for path in found {
        let relative = path.strip_prefix(&src).unwrap();
        let top = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let top = top.trim_end_matches(".rs").to_owned();
        if top == "layering" {
            continue;
        }
        let allowed = ALLOWED
            .iter()
            .find(|(module, _)| *module == top)
            .unwrap_or_else(|| panic!("{top} is not placed in the layer table"))
            .1;
        let source = std::fs::read_to_string(&path).unwrap();
        for used in uses(&source) {
            if used != top && !allowed.contains(&used.as_str()) {
                wrong.push(format!("{} uses crate::{used}", relative.display()));
            }
        }
        let code = source.split("#[cfg(test)]").next().unwrap_or_default();
        if top != "store" && (code.contains("diesel") || code.contains(".conn()")) {
            wrong.push(format!(
                "{} touches the database outside store/",
                relative.display()
            ));
        }
    }
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
}
