//! The translations are complete and use the manual's terms: every key of one language is
//! in the other with the same values to fill in, and the glossary's terms are kept.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const LANGUAGES: [&str; 2] = ["en", "zh-CN"];

fn locales_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("locales")
}

/// Every translation of `language`, by `area.key.subkey`.
fn translations(language: &str) -> BTreeMap<String, String> {
    fn flatten(prefix: &str, value: &Value, into: &mut BTreeMap<String, String>) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    flatten(&format!("{prefix}.{key}"), value, into);
                }
            }
            Value::String(text) => {
                into.insert(prefix.to_owned(), text.clone());
            }
            other => {
                into.insert(prefix.to_owned(), other.to_string());
            }
        }
    }
    let mut all = BTreeMap::new();
    let dir = locales_dir().join(language);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let area = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let json: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
        flatten(&area, &json, &mut all);
    }
    all
}

/// The values a translation fills in (`{{ name }}`) and the parts it wraps (`<a>`), but
/// not `<zh>`: the English text marks Chinese terms with it, the Chinese one need not.
fn holes(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(end) = rest[start..].find("}}") else {
            break;
        };
        found.insert(rest[start + 2..start + end].trim().to_owned());
        rest = &rest[start + end + 2..];
    }
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        let tag: String = rest[start + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !tag.is_empty() && tag != "zh" {
            found.insert(format!("<{tag}>"));
        }
        rest = &rest[start + 1..];
    }
    found
}

#[test]
fn every_key_is_in_every_language_with_the_same_values_to_fill_in() {
    let english = translations("en");
    assert!(!english.is_empty());
    for language in &LANGUAGES[1..] {
        let other = translations(language);
        let missing: Vec<_> = english.keys().filter(|k| !other.contains_key(*k)).collect();
        let extra: Vec<_> = other.keys().filter(|k| !english.contains_key(*k)).collect();
        assert!(missing.is_empty(), "{language} lacks {missing:?}");
        assert!(
            extra.is_empty(),
            "{language} has keys English lacks: {extra:?}"
        );
        for (key, text) in &english {
            assert_eq!(
                holes(text),
                holes(&other[key]),
                "{key}: English and {language} fill in different values"
            );
            assert!(
                !other[key].trim().is_empty(),
                "{key} is empty in {language}"
            );
        }
    }
}

/// `text` without the values it fills in.
fn without_holes(text: &str) -> String {
    let mut kept = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        kept.push_str(&rest[..start]);
        rest = rest[start..]
            .find("}}")
            .map_or("", |end| &rest[start + end + 2..]);
    }
    kept.push_str(rest);
    kept
}

/// Whether `text` has `term` as whole words, in any case ("disaster-recovery" is a word
/// of its own, not the recovery phase).
fn has_term(text: &str, term: &str) -> bool {
    let text = text.to_lowercase();
    text.match_indices(term).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + term.len()..].chars().next();
        let joined = |c: char| c.is_alphanumeric() || c == '-';
        !before.is_some_and(joined) && !after.is_some_and(joined)
    })
}

#[test]
fn the_chinese_translations_use_the_glossary_terms() {
    #[derive(serde::Deserialize)]
    struct Term {
        en: String,
        zh: Vec<String>,
        avoid: Vec<String>,
    }
    #[derive(serde::Deserialize)]
    struct Glossary {
        terms: Vec<Term>,
    }
    let glossary: Glossary = serde_json::from_str(
        &std::fs::read_to_string(locales_dir().join("glossary.json")).unwrap(),
    )
    .unwrap();
    let english = translations("en");
    let chinese = translations("zh-CN");
    let mut wrong = Vec::new();
    for term in &glossary.terms {
        for (key, text) in &english {
            // `{{ recovery }}` is a value filled in, not the word.
            if !has_term(&without_holes(text), &term.en) {
                continue;
            }
            let zh = &chinese[key];
            if !term.zh.iter().any(|form| zh.contains(form.as_str())) {
                wrong.push(format!(
                    "{key}: \"{}\" needs {:?} in \"{zh}\"",
                    term.en, term.zh
                ));
            }
            if let Some(avoided) = term.avoid.iter().find(|form| zh.contains(form.as_str())) {
                wrong.push(format!(
                    "{key}: \"{avoided}\" is not the manual's word for \"{}\"",
                    term.en
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_term_is_found_only_as_whole_words() {
    assert!(has_term("Switchover running", "switchover"));
    assert!(!has_term("Switchovers", "switchover"));
    assert!(has_term("the failed data center.", "data center"));
    assert!(!has_term("planned", "plan"));
    assert!(!has_term("Disaster-recovery orchestration", "recovery"));
}
