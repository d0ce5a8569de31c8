//! What a catalog entry says of a step type: its layer, and which parameters it takes.

use crate::domain::choice::choice;
use serde::{Deserialize, Serialize};

choice! {
    /// Where in the stack a step acts. Plans usually move network, then data, then application.
    Layer {
        Network = "network", "Network";
        Application = "application", "Application";
        Data = "data", "Data";
        Control = "control", "Control";
    }
}

/// The kind of value a parameter takes; the plan editor draws its field from this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ParamKind {
    /// Free text up to `max_len` characters.
    Text { max_len: u32 },
    /// A whole number within bounds (inclusive).
    Integer { min: i64, max: i64 },
    /// A product group of the Environment, by name.
    ProductGroup,
    /// A database cluster of the Environment, by name.
    DatabaseCluster,
    /// Which of the execution's two data centers the step acts on.
    Site,
    /// One of a fixed set of values.
    Choice { options: Vec<String> },
    /// An absolute `http://` or `https://` URL.
    Url,
}

impl ParamKind {
    /// A short description of the accepted values, for the catalog and form hints.
    pub fn describe(&self) -> String {
        match self {
            Self::Text { max_len } => format!("text, up to {max_len} characters"),
            Self::Integer { min, max } => format!("whole number {min}–{max}"),
            Self::ProductGroup => "product group".to_owned(),
            Self::DatabaseCluster => "database cluster".to_owned(),
            Self::Site => "failed or emergency data center".to_owned(),
            Self::Choice { options } => format!("one of {}", options.join(", ")),
            Self::Url => "http(s) URL".to_owned(),
        }
    }
}

/// One parameter of a step type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamDef {
    /// The key in the step's parameter object.
    pub name: String,
    pub label: String,
    pub kind: ParamKind,
    pub required: bool,
    /// The value used when the parameter is left out.
    pub default: Option<serde_json::Value>,
    pub help: String,
}

/// A step type of the catalog (步骤信息).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepType {
    /// The stable machine name, such as `traffic.cut`.
    pub opcode: String,
    pub name: String,
    pub description: String,
    pub layer: Layer,
    pub params: Vec<ParamDef>,
}

impl StepType {
    /// Whether this step type matches a catalog search: `query` (case-insensitive, in the
    /// name or opcode; empty matches all) and, when given, the layer.
    pub fn matches(&self, query: &str, layer: Option<Layer>) -> bool {
        let query = query.trim().to_lowercase();
        layer.is_none_or(|layer| self.layer == layer)
            && (query.is_empty()
                || self.name.to_lowercase().contains(&query)
                || self.opcode.to_lowercase().contains(&query))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::step::builtin_step_types;

    fn find(opcode: &str) -> &'static StepType {
        builtin_step_types()
            .iter()
            .find(|s| s.opcode == opcode)
            .unwrap()
    }

    #[test]
    fn layer_names_round_trip() {
        for layer in Layer::ALL {
            assert_eq!(Layer::parse(layer.as_str()), Some(layer));
        }
        assert_eq!(Layer::parse("storage"), None);
    }

    #[test]
    fn search_looks_at_name_and_opcode_ignoring_case() {
        let cut = find("traffic.cut");
        assert!(cut.matches("TRAFFIC", None));
        assert!(cut.matches("cut traffic", None));
        assert!(cut.matches("  ", None));
        assert!(!cut.matches("database", None));
    }

    #[test]
    fn layer_filter_narrows_the_search() {
        let cut = find("traffic.cut");
        assert!(cut.matches("", Some(Layer::Network)));
        assert!(!cut.matches("", Some(Layer::Data)));
        assert!(!cut.matches("traffic", Some(Layer::Control)));
    }
}
