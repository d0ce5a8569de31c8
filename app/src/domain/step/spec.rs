//! What a step does, typed: the `StepSpec` a checked plan step becomes, with every
//! parameter typed and every default written in (from the catalog). The engine
//! dispatches on these; nobody reads a step's JSON by hand.

use super::catalog::builtin_step_types;
use super::opcode::{HttpMethod, Opcode, Site};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A step with typed parameters, defaults filled in. Product groups and clusters are
/// still names here; an execution resolves them to ids when it is created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "opcode", deny_unknown_fields)]
pub enum StepSpec {
    #[serde(rename = "traffic.cut")]
    TrafficCut {
        product_group: String,
        drain_seconds: u32,
    },
    #[serde(rename = "traffic.restore")]
    TrafficRestore {
        product_group: String,
        weight_percent: u8,
    },
    #[serde(rename = "app.restart")]
    AppRestart {
        product_group: String,
        site: Site,
        timeout_seconds: u32,
    },
    #[serde(rename = "db.switchover")]
    DbSwitchover { cluster: String },
    #[serde(rename = "db.switchback")]
    DbSwitchback { cluster: String },
    #[serde(rename = "wait")]
    Wait { seconds: u32 },
    #[serde(rename = "manual.confirm")]
    ManualConfirm { instruction: String },
    #[serde(rename = "http.call")]
    HttpCall {
        method: HttpMethod,
        url: String,
        body: String,
        expect_status: u16,
        timeout_seconds: u32,
    },
}

impl StepSpec {
    /// The typed step for `opcode` with `params` (already checked against the catalog,
    /// see `PlanContent::validate`); catalog defaults fill what is left out. `Err` says
    /// what does not fit: only a catalog that disagrees with this type can cause it.
    pub fn parse(opcode: &str, params: &Map<String, Value>) -> Result<Self, String> {
        let mut object = with_defaults(opcode, params)?;
        object.insert("opcode".to_owned(), Value::String(opcode.to_owned()));
        serde_json::from_value(Value::Object(object)).map_err(|e| e.to_string())
    }

    pub fn opcode(&self) -> Opcode {
        match self {
            Self::TrafficCut { .. } => Opcode::TrafficCut,
            Self::TrafficRestore { .. } => Opcode::TrafficRestore,
            Self::AppRestart { .. } => Opcode::AppRestart,
            Self::DbSwitchover { .. } => Opcode::DbSwitchover,
            Self::DbSwitchback { .. } => Opcode::DbSwitchback,
            Self::Wait { .. } => Opcode::Wait,
            Self::ManualConfirm { .. } => Opcode::ManualConfirm,
            Self::HttpCall { .. } => Opcode::HttpCall,
        }
    }
}

/// `params` with the catalog's default written in for every optional parameter left
/// out: what an approved version stores, so a default changed in code later never
/// changes what an approved plan does.
pub fn with_defaults(
    opcode: &str,
    params: &Map<String, Value>,
) -> Result<Map<String, Value>, String> {
    let catalog = builtin_step_types();
    let step_type = catalog
        .iter()
        .find(|t| t.opcode == opcode)
        .ok_or_else(|| format!("there is no step type {opcode:?}"))?;
    let mut filled = params.clone();
    for def in &step_type.params {
        if let Some(default) = &def.default {
            filled
                .entry(def.name.clone())
                .or_insert_with(|| default.clone());
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::step::ParamKind;
    use serde_json::json;

    /// A value that fits each kind of parameter.
    fn sample(kind: &ParamKind) -> Value {
        match kind {
            ParamKind::Text { .. } => json!("text"),
            ParamKind::Integer { min, .. } => json!(min),
            ParamKind::ProductGroup => json!("Trading"),
            ParamKind::DatabaseCluster => json!("orders-db"),
            ParamKind::Site => json!("emergency"),
            ParamKind::Choice { options } => json!(options[0]),
            ParamKind::Url => json!("https://example.com/hook"),
        }
    }

    #[test]
    fn every_catalog_step_type_has_an_opcode_and_a_typed_spec() {
        for step_type in builtin_step_types() {
            let opcode = Opcode::parse(&step_type.opcode).expect(&step_type.opcode);
            let required: Map<String, Value> = step_type
                .params
                .iter()
                .filter(|p| p.required)
                .map(|p| (p.name.clone(), sample(&p.kind)))
                .collect();
            let spec = StepSpec::parse(&step_type.opcode, &required)
                .unwrap_or_else(|e| panic!("{}: {e}", step_type.opcode));
            assert_eq!(spec.opcode(), opcode);
        }
        assert_eq!(builtin_step_types().len(), Opcode::ALL.len());
    }

    #[test]
    fn defaults_fill_what_was_left_out_and_given_values_win() {
        let given = json!({"product_group": "Trading"});
        let spec = StepSpec::parse("traffic.cut", given.as_object().unwrap()).unwrap();
        assert_eq!(
            spec,
            StepSpec::TrafficCut {
                product_group: "Trading".into(),
                drain_seconds: 30
            }
        );
        let given = json!({"product_group": "Trading", "drain_seconds": 5});
        let spec = StepSpec::parse("traffic.cut", given.as_object().unwrap()).unwrap();
        assert!(matches!(
            spec,
            StepSpec::TrafficCut {
                drain_seconds: 5,
                ..
            }
        ));
    }

    #[test]
    fn a_step_that_does_not_fit_is_refused() {
        let missing = json!({});
        assert!(StepSpec::parse("db.switchover", missing.as_object().unwrap()).is_err());
        let stranger = json!({"cluster": "x", "force": true});
        assert!(StepSpec::parse("db.switchover", stranger.as_object().unwrap()).is_err());
        assert!(StepSpec::parse("rm.rf", &Map::new()).is_err());
    }
}
