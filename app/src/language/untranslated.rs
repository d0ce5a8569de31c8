//! No visible text is written into a view: every `view!` in `pages/` and `components/` is
//! parsed (with `syn` and `rstml`, the parser Leptos itself uses), and a string literal
//! with words in it — a text node, or an attribute a person reads or hears (`aria-label`,
//! `title`, `placeholder`, a component's `label`, ...) — fails the test. Text goes through
//! the translations (`tr!`, `trv!`, `t!`). Text built with `format!` inside a block is
//! not seen here; the browser journeys in Chinese see what is left of it.

use proc_macro2::TokenStream;
use rstml::node::{KVAttributeValue, KeyedAttributeValue, Node, NodeAttribute};
use std::path::{Path, PathBuf};
use syn::visit::Visit;

/// Attributes (and component props) whose value a person reads or hears.
const READ: &[&str] = &[
    "aria-label",
    "aria-description",
    "title",
    "placeholder",
    "alt",
    "label",
    "question",
    "dialog",
    "create_title",
    "edit_title",
    "create_label",
    "plural",
    "empty",
    "refusal",
    "what",
    "text",
];

/// Words that are the same in every language.
const NAMES: &[&str] = &["Switchyard", "HTTP", "JSON", "CSV", "URL"];

/// Files whose views are not translated yet; the list may only shrink (a file that has
/// become clean fails the test until it leaves the list).
const PENDING: &[&str] = &[
    "pages/execution_report/mod.rs",
    "pages/execution_report/sections.rs",
    "pages/execution_report/timeline.rs",
    "pages/plan_editor/mod.rs",
    "pages/plan_editor/param_field.rs",
    "pages/plan_editor/palette.rs",
    "pages/plan_editor/plan_form.rs",
    "pages/plan_editor/step_editor.rs",
    "pages/plan_editor/step_list.rs",
    "pages/simulator/calls.rs",
    "pages/simulator/faults.rs",
    "pages/simulator/mod.rs",
    "pages/simulator/timing.rs",
    "pages/simulator/world.rs",
    "pages/webhooks.rs",
    "components/param_list.rs",
    "components/plan_diff_view.rs",
    "components/role_gate.rs",
    "components/step_view.rs",
];

fn is_words(text: &str) -> bool {
    let mut run = 0;
    let mut found = false;
    for c in text.chars() {
        if c.is_ascii_alphabetic() {
            run += 1;
            found |= run >= 2;
        } else {
            run = 0;
        }
        found |= ('\u{4e00}'..='\u{9fff}').contains(&c);
    }
    found && !NAMES.contains(&text.trim())
}

/// The visible literals of one file's views.
#[derive(Default)]
struct Finder {
    found: Vec<String>,
}

impl Finder {
    fn view(&mut self, tokens: TokenStream) {
        let parser = rstml::Parser::new(rstml::ParserConfig::default().recover_block(true));
        let (nodes, _) = parser.parse_recoverable(tokens).split_vec();
        self.nodes(&nodes);
    }

    fn nodes(&mut self, nodes: &[Node]) {
        for node in nodes {
            match node {
                Node::Text(text) => self.check(text.value_string()),
                Node::Element(element) => {
                    for attribute in element.attributes() {
                        self.attribute(attribute);
                    }
                    self.nodes(&element.children);
                }
                Node::Fragment(fragment) => self.nodes(&fragment.children),
                Node::Block(block) => {
                    if let Some(block) = block.try_block() {
                        self.visit_block(block);
                    }
                }
                _ => {}
            }
        }
    }

    fn attribute(&mut self, attribute: &NodeAttribute) {
        let NodeAttribute::Attribute(keyed) = attribute else {
            return;
        };
        let KeyedAttributeValue::Value(value) = &keyed.possible_value else {
            return;
        };
        match &value.value {
            KVAttributeValue::Expr(expr) => {
                let key = keyed.key.to_string().replace(' ', "");
                if let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(text),
                    ..
                }) = expr
                {
                    if READ.contains(&key.as_str()) {
                        self.check(text.value());
                    }
                } else {
                    self.visit_expr(expr);
                }
            }
            KVAttributeValue::InvalidBraced(_) => {}
        }
    }

    fn check(&mut self, text: String) {
        if is_words(&text) {
            self.found.push(text);
        }
    }
}

impl<'ast> Visit<'ast> for Finder {
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if mac.path.segments.last().is_some_and(|s| s.ident == "view") {
            self.view(mac.tokens.clone());
        }
    }
}

fn files(dir: &Path, found: &mut Vec<PathBuf>) {
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
fn views_hold_no_visible_text_of_their_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    for dir in ["pages", "components"] {
        files(&src.join(dir), &mut paths);
    }
    paths.sort();
    let mut wrong = Vec::new();
    for path in paths {
        let relative = path
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let source = std::fs::read_to_string(&path).unwrap();
        // Test modules render nothing a person reads.
        let code = source.split("#[cfg(test)]").next().unwrap_or_default();
        let file = syn::parse_file(code).unwrap_or_else(|e| panic!("{relative}: {e}"));
        let mut finder = Finder::default();
        finder.visit_file(&file);
        let pending = PENDING.contains(&relative.as_str());
        match (pending, finder.found.is_empty()) {
            (false, false) => wrong.push(format!("{relative}: {:?}", finder.found)),
            (true, true) => wrong.push(format!("{relative} is translated: take it off PENDING")),
            _ => {}
        }
    }
    assert!(
        wrong.is_empty(),
        "text written into views:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn words_are_told_from_punctuation_and_names() {
    assert!(is_words("Sign in"));
    assert!(is_words("中文"));
    assert!(!is_words(" · "));
    assert!(!is_words(" (#"));
    assert!(!is_words("Switchyard"));
    assert!(!is_words("a"));
}
