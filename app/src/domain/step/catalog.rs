//! The built-in step catalog: every step type the engine knows how to run, built once.
//!
//! This list is the source of truth; the server writes it into `step_types` at every
//! start, so plans can reference step types by opcode with a foreign key.

use super::opcode::{HttpMethod, Opcode};
use super::step_type::{Layer, ParamDef, ParamKind, StepType};
use serde_json::json;
use std::sync::LazyLock;

static CATALOG: LazyLock<Vec<StepType>> = LazyLock::new(build);

/// Every built-in step type, in the order the catalog shows them.
pub fn builtin_step_types() -> &'static [StepType] {
    &CATALOG
}

fn param(name: &str, label: &str, kind: ParamKind, help: &str) -> ParamDef {
    ParamDef {
        name: name.to_owned(),
        label: label.to_owned(),
        kind,
        required: true,
        default: None,
        help: help.to_owned(),
    }
}

fn optional(mut def: ParamDef, default: serde_json::Value) -> ParamDef {
    def.required = false;
    def.default = Some(default);
    def
}

fn step(opcode: Opcode, layer: Layer, description: &str, params: Vec<ParamDef>) -> StepType {
    StepType {
        opcode: opcode.as_str().to_owned(),
        name: opcode.label().to_owned(),
        description: description.to_owned(),
        layer,
        params,
    }
}

fn product_group() -> ParamDef {
    param(
        "product_group",
        "Product group",
        ParamKind::ProductGroup,
        "The product group whose applications this step acts on.",
    )
}

fn cluster() -> ParamDef {
    param(
        "cluster",
        "Database cluster",
        ParamKind::DatabaseCluster,
        "The replicated database to move.",
    )
}

fn site(help: &str) -> ParamDef {
    param("site", "Data center", ParamKind::Site, help)
}

fn build() -> Vec<StepType> {
    vec![
        step(
            Opcode::TrafficCut,
            Layer::Network,
            "Tells the traffic gateway to stop sending the product group's traffic to the \
             failed data center; the emergency data center takes all of it.",
            vec![
                product_group(),
                optional(
                    param(
                        "drain_seconds",
                        "Drain time (s)",
                        ParamKind::Integer { min: 0, max: 600 },
                        "How long open connections may finish before they are cut.",
                    ),
                    json!(30),
                ),
            ],
        ),
        step(
            Opcode::TrafficRestore,
            Layer::Network,
            "Tells the traffic gateway to send the product group's traffic to the recovered \
             data center again.",
            vec![
                product_group(),
                optional(
                    param(
                        "weight_percent",
                        "Traffic share (%)",
                        ParamKind::Integer { min: 1, max: 100 },
                        "The share of traffic the recovered data center receives.",
                    ),
                    json!(100),
                ),
            ],
        ),
        step(
            Opcode::AppRestart,
            Layer::Application,
            "Restarts the product group's applications in one data center through the \
             application platform: dependencies first, independent applications in parallel.",
            vec![
                product_group(),
                site(
                    "Where to restart: the emergency data center during switchover, the failed one during recovery.",
                ),
                optional(
                    param(
                        "timeout_seconds",
                        "Timeout per application (s)",
                        ParamKind::Integer { min: 5, max: 3600 },
                        "How long one application may take to report healthy.",
                    ),
                    json!(300),
                ),
            ],
        ),
        step(
            Opcode::DbSwitchover,
            Layer::Data,
            "Promotes the cluster's copy in the emergency data center to primary.",
            vec![cluster()],
        ),
        step(
            Opcode::DbSwitchback,
            Layer::Data,
            "Returns the cluster's primary to the recovered data center once its copy has \
             caught up.",
            vec![cluster()],
        ),
        step(
            Opcode::Wait,
            Layer::Control,
            "Pauses the execution for a fixed time, for caches to drain or replicas to settle.",
            vec![param(
                "seconds",
                "Seconds",
                ParamKind::Integer {
                    min: 1,
                    max: 86_400,
                },
                "How long to wait.",
            )],
        ),
        step(
            Opcode::ManualConfirm,
            Layer::Control,
            "Stops until an operator confirms that a manual task is done, such as a phone \
             call to a partner or a check on a dashboard.",
            vec![param(
                "instruction",
                "Instruction",
                ParamKind::Text { max_len: 1000 },
                "What the operator must do or check before confirming.",
            )],
        ),
        step(
            Opcode::HttpCall,
            Layer::Control,
            "Calls any HTTP endpoint and checks the status of the answer, for systems that \
             have no built-in step.",
            vec![
                optional(
                    param(
                        "method",
                        "Method",
                        ParamKind::Choice {
                            options: HttpMethod::ALL.map(|m| m.as_str().to_owned()).to_vec(),
                        },
                        "The HTTP method.",
                    ),
                    json!(HttpMethod::Post.as_str()),
                ),
                param("url", "URL", ParamKind::Url, "The endpoint to call."),
                optional(
                    param(
                        "body",
                        "Body (JSON)",
                        ParamKind::Text { max_len: 10_000 },
                        "Sent as the request body with POST and PUT.",
                    ),
                    json!(""),
                ),
                optional(
                    param(
                        "expect_status",
                        "Expected status",
                        ParamKind::Integer { min: 100, max: 599 },
                        "The step fails on any other status.",
                    ),
                    json!(200),
                ),
                optional(
                    param(
                        "timeout_seconds",
                        "Timeout (s)",
                        ParamKind::Integer { min: 1, max: 300 },
                        "How long to wait for the answer.",
                    ),
                    json!(30),
                ),
            ],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_catalog_has_every_step_the_engine_needs() {
        let opcodes: HashSet<&str> = builtin_step_types()
            .iter()
            .map(|s| s.opcode.as_str())
            .collect();
        for needed in [
            "traffic.cut",
            "traffic.restore",
            "app.restart",
            "db.switchover",
            "db.switchback",
            "wait",
            "manual.confirm",
            "http.call",
        ] {
            assert!(opcodes.contains(needed), "{needed} is missing");
        }
    }

    #[test]
    fn opcodes_and_parameter_names_are_unique() {
        let steps = builtin_step_types();
        let opcodes: HashSet<&str> = steps.iter().map(|s| s.opcode.as_str()).collect();
        assert_eq!(opcodes.len(), steps.len());
        for step in steps {
            let names: HashSet<&str> = step.params.iter().map(|p| p.name.as_str()).collect();
            assert_eq!(names.len(), step.params.len(), "{}", step.opcode);
        }
    }

    #[test]
    fn only_optional_parameters_have_defaults() {
        for step in builtin_step_types() {
            for p in &step.params {
                assert_eq!(
                    p.required,
                    p.default.is_none(),
                    "{}.{}",
                    step.opcode,
                    p.name
                );
            }
        }
    }
}
