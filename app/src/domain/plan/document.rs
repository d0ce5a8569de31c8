//! Plans as code: the JSON document a plan version exports to and a new draft imports
//! from. Steps name product groups and clusters by name, never by database id, so a
//! document moves between installations. The README documents the format.

use super::{PlanContent, PlanStep};
use crate::error::FieldError;
use serde::{Deserialize, Serialize};

/// The value of the document's `format` field; a later, incompatible format gets `/2`.
pub const FORMAT: &str = "switchyard.plan/1";

/// The exported document, field for field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanDocument {
    pub format: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The recovery-time target in minutes; absent when the plan sets none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rto_minutes: Option<u32>,
    pub switchover: Vec<PlanStep>,
    #[serde(default)]
    pub recovery: Vec<PlanStep>,
}

impl PlanDocument {
    pub fn of(content: &PlanContent) -> Self {
        Self {
            format: FORMAT.to_owned(),
            name: content.name.clone(),
            description: content.description.clone(),
            rto_minutes: content.rto_minutes,
            switchover: content.switchover.clone(),
            recovery: content.recovery.clone(),
        }
    }

    pub fn into_content(self) -> PlanContent {
        PlanContent {
            name: self.name,
            description: self.description,
            rto_minutes: self.rto_minutes,
            switchover: self.switchover,
            recovery: self.recovery,
        }
    }
}

/// The document for a version's content, pretty-printed (two-space indent, one field a line).
pub fn export(content: &PlanContent) -> String {
    serde_json::to_string_pretty(&PlanDocument::of(content))
        .expect("a plan document always serialises")
}

/// Reads a document's shape: JSON syntax, fields and their types, the format. What the
/// steps say is checked afterwards, against the catalog and the Environment.
pub fn read(text: &str) -> Result<PlanContent, Vec<FieldError>> {
    let document: PlanDocument = serde_json::from_str(text).map_err(|e| {
        vec![FieldError::new(
            "document",
            format!(
                "line {}, column {}: {}",
                e.line(),
                e.column(),
                without_position(&e)
            ),
        )]
    })?;
    if document.format != FORMAT {
        let (line, column) = locate(text, "format");
        return Err(vec![FieldError::new(
            "format",
            format!(
                "line {line}, column {column}: the format is {:?}; this version of Switchyard reads {FORMAT:?}",
                document.format
            ),
        )]);
    }
    Ok(document.into_content())
}

/// serde_json's message without its own " at line L column C" (we say it first).
fn without_position(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message,
    }
}

/// The line and column (1-based) in `text` of the value a field path such as
/// `switchover[2].params.cluster` names; where that value is absent (a missing
/// parameter), the nearest enclosing value that is there.
pub fn locate(text: &str, path: &str) -> (usize, usize) {
    Locator::new(text).locate(path)
}

/// Finds many field paths in one document: it is parsed once and its line starts
/// indexed once, so placing every problem of a large document stays linear.
struct Locator<'a> {
    text: &'a str,
    #[cfg(feature = "ssr")]
    tree: Option<jsonc_parser::ast::Value<'a>>,
    line_starts: Vec<usize>,
}

impl<'a> Locator<'a> {
    fn new(text: &'a str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Self {
            text,
            #[cfg(feature = "ssr")]
            tree: jsonc_parser::parse_to_ast(text, &Default::default(), &Default::default())
                .ok()
                .and_then(|parsed| parsed.value),
            line_starts,
        }
    }

    fn locate(&self, path: &str) -> (usize, usize) {
        let offset = self.offset_of(path).unwrap_or(0);
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let line_start = self.line_starts[line - 1];
        let column = self.text[line_start..offset].chars().count() + 1;
        (line, column)
    }

    #[cfg(feature = "ssr")]
    fn offset_of(&self, path: &str) -> Option<usize> {
        use jsonc_parser::ast::Value;
        use jsonc_parser::common::Ranged;
        let mut node = self.tree.as_ref()?;
        for segment in path_segments(path) {
            let next = match (node, segment) {
                (Value::Object(object), Segment::Field(name)) => {
                    object.get(name).map(|prop| &prop.value)
                }
                (Value::Array(array), Segment::Index(index)) => array.elements.get(index),
                _ => None,
            };
            match next {
                Some(value) => node = value,
                None => break,
            }
        }
        Some(node.start())
    }

    /// Without the parser (in the browser) everything is placed at the start.
    #[cfg(not(feature = "ssr"))]
    fn offset_of(&self, _path: &str) -> Option<usize> {
        None
    }
}

#[cfg_attr(
    not(feature = "ssr"),
    expect(dead_code, reason = "the browser never locates")
)]
enum Segment<'a> {
    Field(&'a str),
    Index(usize),
}

/// `switchover[2].params.cluster` as `switchover`, `2`, `params`, `cluster`.
#[cfg_attr(
    not(feature = "ssr"),
    expect(dead_code, reason = "the browser never locates")
)]
fn path_segments(path: &str) -> Vec<Segment<'_>> {
    let mut segments = Vec::new();
    for part in path.split('.') {
        let mut pieces = part.split('[');
        if let Some(name) = pieces.next().filter(|name| !name.is_empty()) {
            segments.push(Segment::Field(name));
        }
        for index in pieces {
            if let Ok(index) = index.trim_end_matches(']').parse() {
                segments.push(Segment::Index(index));
            }
        }
    }
    segments
}

/// Puts the line and column of each problem in front of its message, so a person can
/// find it in the document they sent.
pub fn with_lines(text: &str, errors: Vec<FieldError>) -> Vec<FieldError> {
    let locator = Locator::new(text);
    errors
        .into_iter()
        .map(|error| {
            let (line, column) = locator.locate(&error.field);
            FieldError::new(
                error.field,
                format!("line {line}, column {column}: {}", error.message),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn content() -> PlanContent {
        PlanContent {
            name: "Power loss".into(),
            description: "When a site goes dark".into(),
            rto_minutes: Some(30),
            switchover: vec![PlanStep {
                key: "s1".into(),
                opcode: "wait".into(),
                title: "Let caches drain".into(),
                params: json!({"seconds": 30}).as_object().unwrap().clone(),
            }],
            recovery: Vec::new(),
        }
    }

    #[test]
    fn an_export_reads_back_as_the_same_content() {
        let text = export(&content());
        assert!(text.contains("\"format\": \"switchyard.plan/1\""));
        assert!(text.contains("\"rto_minutes\": 30"));
        assert_eq!(read(&text).unwrap(), content());
    }

    #[test]
    fn a_plan_without_a_target_exports_without_the_field_and_reads_back() {
        let plan = PlanContent {
            rto_minutes: None,
            ..content()
        };
        let text = export(&plan);
        assert!(!text.contains("rto_minutes"), "{text}");
        assert_eq!(read(&text).unwrap(), plan);
    }

    #[test]
    fn syntax_and_shape_errors_carry_their_line() {
        let broken =
            "{\n  \"format\": \"switchyard.plan/1\",\n  \"name\": \"x\",\n  \"switchover\": [,]\n}";
        let errors = read(broken).unwrap_err();
        assert_eq!(errors[0].field, "document");
        assert!(
            errors[0].message.starts_with("line 4, column 18: "),
            "{errors:?}"
        );

        let unknown = "{\"format\": \"switchyard.plan/1\", \"name\": \"x\", \"switchover\": [], \"colour\": 1}";
        assert!(
            read(unknown).unwrap_err()[0]
                .message
                .contains("unknown field `colour`")
        );
    }

    #[test]
    fn another_format_is_refused_where_it_is_named() {
        let text = export(&content()).replace("switchyard.plan/1", "switchyard.plan/9");
        let errors = read(&text).unwrap_err();
        assert_eq!(errors[0].field, "format");
        assert!(
            errors[0].message.starts_with("line 2, column 13: "),
            "{errors:?}"
        );
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_field_path_is_found_in_the_text() {
        let text = export(&content());
        let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
        assert_eq!(
            locate(&text, "switchover[0].params.seconds").0,
            line_of("\"seconds\"")
        );
        assert_eq!(locate(&text, "switchover[0].opcode").0, line_of("\"wait\""));
        // A parameter that is not there points at the parameters of its step.
        assert_eq!(
            locate(&text, "switchover[0].params.missing").0,
            line_of("\"params\"")
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::domain::plan::PlanRefs;
    use crate::domain::plan::diff::diff;
    use crate::domain::step::builtin_step_types;
    use proptest::prelude::*;
    use serde_json::json;

    const GROUPS: [&str; 3] = ["Payments", "Ledger \"core\"", "会员"];
    const CLUSTERS: [&str; 2] = ["orders-db", "ledger-db"];

    fn refs() -> PlanRefs {
        PlanRefs {
            product_groups: GROUPS.iter().map(|g| g.to_string()).collect(),
            database_clusters: CLUSTERS.iter().map(|c| c.to_string()).collect(),
        }
    }

    /// Any step the catalog allows, with parameters that fit it.
    fn any_step() -> impl Strategy<Value = PlanStep> {
        let group = prop::sample::select(GROUPS.to_vec());
        let cluster = prop::sample::select(CLUSTERS.to_vec());
        let title = "[a-zA-Z 容灾]{0,20}".prop_map(|t| t.trim().to_owned());
        let params = prop_oneof![
            (group.clone(), 0..=600i64).prop_map(|(g, s)| (
                "traffic.cut",
                json!({"product_group": g, "drain_seconds": s})
            )),
            group
                .clone()
                .prop_map(|g| ("traffic.restore", json!({"product_group": g}))),
            (group, prop::bool::ANY).prop_map(|(g, failed)| (
                "app.restart",
                json!({"product_group": g, "site": if failed { "failed" } else { "emergency" }})
            )),
            cluster.prop_map(|c| ("db.switchover", json!({"cluster": c}))),
            (1..=86_400i64).prop_map(|s| ("wait", json!({"seconds": s}))),
            "[a-z ]{1,40}".prop_map(|i| (
                "manual.confirm",
                json!({"instruction": i.trim().to_owned() + "."})
            )),
        ];
        (params, title).prop_map(|((opcode, params), title)| PlanStep {
            key: String::new(),
            opcode: opcode.to_owned(),
            title,
            params: params.as_object().unwrap().clone(),
        })
    }

    fn any_plan() -> impl Strategy<Value = PlanContent> {
        (
            "[A-Za-z0-9 ]{1,40}",
            "[^\u{0}]{0,60}",
            prop::option::of(1..=super::super::MAX_RTO_MINUTES),
            prop::collection::vec(any_step(), 1..12),
            prop::collection::vec(any_step(), 0..8),
        )
            .prop_filter_map(
                "the name needs a letter",
                |(name, description, rto, s, r)| {
                    PlanContent {
                        name,
                        description,
                        rto_minutes: rto,
                        switchover: s,
                        recovery: r,
                    }
                    .validate(builtin_step_types(), &refs())
                    .ok()
                    .map(|valid| valid.into_inner())
                },
            )
    }

    proptest! {
        #[test]
        fn export_then_import_yields_an_equal_plan(plan in any_plan()) {
            let imported = read(&export(&plan)).unwrap();
            let imported = imported.validate(builtin_step_types(), &refs()).unwrap();
            prop_assert_eq!(imported.into_inner(), plan);
        }

        #[test]
        fn a_plan_compared_with_itself_differs_in_nothing(plan in any_plan()) {
            prop_assert!(diff(Some((1, &plan)), Some((2, &plan))).is_empty());
        }

        #[test]
        fn a_shuffled_plan_shows_only_moves(plan in any_plan(), seed in any::<u64>()) {
            let mut shuffled = plan.clone();
            let len = shuffled.switchover.len();
            shuffled.switchover.rotate_left(seed as usize % len);
            let result = diff(Some((1, &plan)), Some((2, &shuffled)));
            let rows = &result.phases[0].rows;
            prop_assert_eq!(rows.len(), len);
            prop_assert!(rows.iter().all(|r| r.change == crate::domain::plan::diff::StepChange::Unchanged));
        }
    }
}
