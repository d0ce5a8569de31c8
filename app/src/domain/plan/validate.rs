//! The plan check the browser and the server both run: names, step keys, every step
//! against the catalog and the environment, each parameter against its kind, and the
//! typed `StepSpec` each step becomes. It returns the cleaned plan as a `ValidPlan`.

use super::{MAX_RTO_MINUTES, MAX_STEPS_PER_PHASE, Phase, PlanContent, PlanRefs, PlanStep};
use crate::domain::environment::{check_description, check_name};
use crate::domain::step::{ParamDef, ParamKind, StepType};
use crate::domain::step::{Site, StepSpec};
use crate::domain::valid::{Valid, ValidPlan};
use crate::error::FieldError;
use serde_json::{Map, Value};
use std::collections::HashSet;

impl PlanContent {
    /// The plan cleaned up (trimmed text, blank optional values dropped, missing keys
    /// assigned), or every problem next to its field (`name`, `switchover`,
    /// `recovery[2].params.seconds`). The browser and the server run the same check.
    pub fn validate(
        &self,
        catalog: &[StepType],
        refs: &PlanRefs,
    ) -> Result<ValidPlan, Vec<FieldError>> {
        let mut errors: Vec<FieldError> = [
            check_name("name", &self.name, 100),
            check_description(&self.description),
            check_rto(self.rto_minutes),
        ]
        .into_iter()
        .flatten()
        .collect();
        let mut clean = PlanContent {
            name: self.name.trim().to_owned(),
            description: self.description.trim().to_owned(),
            rto_minutes: self.rto_minutes,
            switchover: Vec::new(),
            recovery: Vec::new(),
        };
        // A phase over the limit is refused before any of its steps is looked at, so an
        // oversized document costs no more than a full one.
        let oversized: Vec<FieldError> = Phase::ALL
            .into_iter()
            .filter(|&phase| self.steps(phase).len() > MAX_STEPS_PER_PHASE)
            .map(|phase| {
                FieldError::new(
                    phase.as_str(),
                    format!("may hold at most {MAX_STEPS_PER_PHASE} steps"),
                )
            })
            .collect();
        if !oversized.is_empty() {
            errors.extend(oversized);
            return Err(errors);
        }
        let mut keys = HashSet::new();
        for phase in Phase::ALL {
            let steps = self.steps(phase);
            if phase == Phase::Switchover && steps.is_empty() {
                errors.push(FieldError::new(phase.as_str(), "needs at least one step"));
            }
            for (index, step) in steps.iter().enumerate() {
                let field = step_field(phase, index);
                let key = step.key.trim();
                if key.chars().count() > 36 {
                    errors.push(FieldError::new(
                        format!("{field}.key"),
                        "must be at most 36 characters",
                    ));
                } else if !key.is_empty() && !keys.insert(key.to_lowercase()) {
                    errors.push(FieldError::new(
                        format!("{field}.key"),
                        format!("{key} is the key of another step too"),
                    ));
                }
                match check_step(&field, step, catalog, refs) {
                    Ok(step) => clean.steps_mut(phase).push(step),
                    Err(mut problems) => errors.append(&mut problems),
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        clean.assign_missing_keys();
        Ok(Valid::vouch(clean))
    }
}

/// The field name of a step in forms and error messages: `switchover[0]`.
pub fn step_field(phase: Phase, index: usize) -> String {
    format!("{}[{index}]", phase.as_str())
}

fn check_step(
    field: &str,
    step: &PlanStep,
    catalog: &[StepType],
    refs: &PlanRefs,
) -> Result<PlanStep, Vec<FieldError>> {
    let Some(step_type) = catalog.iter().find(|t| t.opcode == step.opcode) else {
        return Err(vec![FieldError::new(
            format!("{field}.opcode"),
            format!("there is no step type {:?}", step.opcode),
        )]);
    };
    let mut errors = Vec::new();
    let title = step.title.trim();
    if title.chars().count() > 200 {
        errors.push(FieldError::new(
            format!("{field}.title"),
            "must be at most 200 characters",
        ));
    }
    for name in step.params.keys() {
        if !step_type.params.iter().any(|def| &def.name == name) {
            errors.push(FieldError::new(
                format!("{field}.params.{name}"),
                format!("is not a parameter of {}", step_type.name),
            ));
        }
    }
    let mut params = Map::new();
    for def in &step_type.params {
        let given = step.params.get(&def.name).filter(|v| !is_blank(v));
        match (given, def.required) {
            (None, true) => errors.push(FieldError::new(
                format!("{field}.params.{}", def.name),
                "is required",
            )),
            (None, false) => {}
            (Some(value), _) => match check_param(def, value, refs) {
                Ok(value) => {
                    params.insert(def.name.clone(), value);
                }
                Err(message) => errors.push(FieldError::new(
                    format!("{field}.params.{}", def.name),
                    message,
                )),
            },
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // The same parameters, typed: what the engine will run.
    if let Err(problem) = StepSpec::parse(&step.opcode, &params) {
        return Err(vec![FieldError::new(
            format!("{field}.params"),
            format!("cannot be run: {problem}"),
        )]);
    }
    Ok(PlanStep {
        key: step.key.trim().to_owned(),
        opcode: step.opcode.clone(),
        title: title.to_owned(),
        params,
    })
}

fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text.trim().is_empty(),
        _ => false,
    }
}

/// The value if it fits the parameter, else the sentence saying why not.
fn check_param(def: &ParamDef, value: &Value, refs: &PlanRefs) -> Result<Value, String> {
    let text = || {
        value
            .as_str()
            .map(|s| s.trim().to_owned())
            .ok_or_else(|| "must be text".to_owned())
    };
    match &def.kind {
        ParamKind::Text { max_len } => {
            let text = text()?;
            if text.chars().count() > *max_len as usize {
                return Err(format!("must be at most {max_len} characters"));
            }
            Ok(Value::String(text))
        }
        ParamKind::Integer { min, max } => {
            let number = value
                .as_i64()
                .ok_or_else(|| "must be a whole number".to_owned())?;
            if number < *min || number > *max {
                return Err(format!("must be between {min} and {max}"));
            }
            Ok(Value::from(number))
        }
        ParamKind::ProductGroup => {
            let name = text()?;
            if !refs.product_groups.contains(&name) {
                return Err(format!("there is no product group named {name:?}"));
            }
            Ok(Value::String(name))
        }
        ParamKind::DatabaseCluster => {
            let name = text()?;
            if !refs.database_clusters.contains(&name) {
                return Err(format!("there is no database cluster named {name:?}"));
            }
            Ok(Value::String(name))
        }
        ParamKind::Site => {
            let site = text()?;
            if Site::parse(&site).is_none() {
                return Err("must be failed or emergency".to_owned());
            }
            Ok(Value::String(site))
        }
        ParamKind::Choice { options } => {
            let choice = text()?;
            if !options.contains(&choice) {
                return Err(format!("must be one of {}", options.join(", ")));
            }
            Ok(Value::String(choice))
        }
        ParamKind::Url => {
            let url = text()?;
            check_url(&url)?;
            Ok(Value::String(url))
        }
    }
}

/// The longest URL a step may call.
pub const MAX_URL_LENGTH: usize = 2000;

/// An `http://` or `https://` URL with a host, no longer than [`MAX_URL_LENGTH`], and with
/// no user name or password in it: everyone who may read the plan, the step's log and its
/// calls would read them (credentials belong in a connection config).
fn check_url(url: &str) -> Result<(), String> {
    let plain = "must be an http:// or https:// URL";
    if url.chars().count() > MAX_URL_LENGTH {
        return Err(format!("must be at most {MAX_URL_LENGTH} characters"));
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or(plain)?;
    if rest.is_empty() || rest.contains(char::is_whitespace) {
        return Err(plain.to_owned());
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(
            "must not carry a user name or password (everyone who reads the plan or the step's \
             log would see them)"
                .to_owned(),
        );
    }
    if authority.is_empty() {
        return Err(plain.to_owned());
    }
    Ok(())
}

/// A recovery-time target, when set, is a whole number of minutes from 1 to a week.
fn check_rto(minutes: Option<u32>) -> Option<FieldError> {
    minutes
        .is_some_and(|m| !(1..=MAX_RTO_MINUTES).contains(&m))
        .then(|| {
            FieldError::new(
                "rto_minutes",
                format!("must be from 1 to {MAX_RTO_MINUTES} minutes (a week), or left empty"),
            )
        })
}
#[cfg(test)]
mod url_tests {
    use super::{MAX_URL_LENGTH, check_url};

    #[test]
    fn a_url_is_http_with_a_host_and_no_credentials_within_its_length() {
        assert!(check_url("https://hooks.example.com/dr?x=1").is_ok());
        assert!(check_url("http://10.0.0.5:8080/").is_ok());
        assert!(
            check_url("https://hooks.example.com/a@b").is_ok(),
            "an @ in the path"
        );
        for bad in [
            "ftp://example.com",
            "https://",
            "https:// x",
            "https:///path",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
        let secret = check_url("https://ops:hunter2@hooks.example.com/").unwrap_err();
        assert!(secret.contains("user name or password"), "{secret}");
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_LENGTH));
        assert!(check_url(&long).unwrap_err().contains("at most"));
    }
}

#[cfg(test)]
mod rto_tests {
    use super::{MAX_RTO_MINUTES, check_rto};

    #[test]
    fn a_recovery_time_target_is_empty_or_from_a_minute_to_a_week() {
        assert!(check_rto(None).is_none());
        assert!(check_rto(Some(1)).is_none());
        assert!(check_rto(Some(MAX_RTO_MINUTES)).is_none());
        for bad in [0, MAX_RTO_MINUTES + 1, u32::MAX] {
            let error = check_rto(Some(bad)).unwrap();
            assert_eq!(error.field, "rto_minutes");
        }
    }
}
