//! The estate plans act on: regions and data centers (机房), and the rules for their forms.

use super::ids::DataCenterId;
use super::valid::Valid;
use crate::error::FieldError;
use serde::{Deserialize, Serialize};

/// A data center and the region it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataCenter {
    pub id: DataCenterId,
    pub region: String,
    pub name: String,
    pub description: String,
    /// Optimistic concurrency: an update names the revision it was made from.
    pub revision: u32,
}

/// The form that creates or edits a data center.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataCenterForm {
    pub region: String,
    pub name: String,
    pub description: String,
}

/// A required name: trimmed, 1 to `max` characters.
pub(crate) fn check_name(field: &str, value: &str, max: usize) -> Option<FieldError> {
    let length = value.trim().chars().count();
    if length == 0 {
        Some(FieldError::new(field, "is required"))
    } else if length > max {
        Some(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ))
    } else {
        None
    }
}

pub(crate) fn check_description(value: &str) -> Option<FieldError> {
    (value.chars().count() > 2000)
        .then(|| FieldError::new("description", "must be at most 2000 characters"))
}

impl DataCenterForm {
    /// The form with surrounding spaces removed, or every problem next to its field.
    /// The browser and the server run the same check.
    pub fn validate(&self) -> Result<Valid<Self>, Vec<FieldError>> {
        let errors: Vec<FieldError> = [
            check_name("region", &self.region, 100),
            check_name("name", &self.name, 100),
            check_description(&self.description),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Valid::vouch(Self {
            region: self.region.trim().to_owned(),
            name: self.name.trim().to_owned(),
            description: self.description.trim().to_owned(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(region: &str, name: &str) -> DataCenterForm {
        DataCenterForm {
            region: region.into(),
            name: name.into(),
            description: String::new(),
        }
    }

    #[test]
    fn a_valid_form_is_trimmed() {
        let valid = form("  East China ", " Shanghai-A").validate().unwrap();
        assert_eq!(
            (valid.region.as_str(), valid.name.as_str()),
            ("East China", "Shanghai-A")
        );
    }

    #[test]
    fn blank_and_overlong_fields_are_reported_next_to_them() {
        let errors = form("  ", &"x".repeat(101)).validate().unwrap_err();
        assert_eq!(
            errors,
            vec![
                FieldError::new("region", "is required"),
                FieldError::new("name", "must be at most 100 characters"),
            ]
        );
    }
}

/// A product group (产品组): applications that restart together, dependencies first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductGroup {
    pub id: super::ids::ProductGroupId,
    pub name: String,
    pub description: String,
    /// By name.
    pub applications: Vec<Application>,
    pub revision: u32,
}

/// An application of a product group, and the applications of the same group it needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub name: String,
    pub description: String,
    /// Names of applications in the same group that must be up before this one starts.
    pub needs: Vec<String>,
}

impl ProductGroup {
    /// The order the engine restarts the applications in: levels, dependencies first,
    /// each level in parallel. A stored group never has a cycle (its form refuses one).
    pub fn restart_levels(&self) -> Vec<Vec<String>> {
        super::restart_order::restart_levels(&needs_map(&self.applications)).unwrap_or_default()
    }
}

fn needs_map(
    applications: &[Application],
) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    applications
        .iter()
        .map(|app| (app.name.clone(), app.needs.iter().cloned().collect()))
        .collect()
}

/// The form that creates or edits a product group with its applications.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductGroupForm {
    pub name: String,
    pub description: String,
    pub applications: Vec<Application>,
}

impl ProductGroupForm {
    /// The trimmed form, or every problem next to its field: names present and unique,
    /// needs naming applications of this group, and no dependency cycle (which is named).
    pub fn validate(&self) -> Result<Valid<Self>, Vec<FieldError>> {
        let mut errors: Vec<FieldError> = [
            check_name("name", &self.name, 100),
            check_description(&self.description),
        ]
        .into_iter()
        .flatten()
        .collect();
        let applications: Vec<Application> = self
            .applications
            .iter()
            .map(|app| Application {
                name: app.name.trim().to_owned(),
                description: app.description.trim().to_owned(),
                needs: app
                    .needs
                    .iter()
                    .map(|n| n.trim().to_owned())
                    .filter(|n| !n.is_empty())
                    .collect(),
            })
            .collect();
        let names: std::collections::BTreeSet<&str> =
            applications.iter().map(|a| a.name.as_str()).collect();
        for (i, app) in applications.iter().enumerate() {
            let field = format!("applications[{i}].name");
            if let Some(error) = check_name(&field, &app.name, 100) {
                errors.push(error);
            } else if applications[..i]
                .iter()
                .any(|other| same_name(&other.name, &app.name))
            {
                errors.push(FieldError::new(
                    field,
                    format!("{} is listed twice", app.name),
                ));
            }
            for (j, needed) in app.needs.iter().enumerate() {
                let field = format!("applications[{i}].needs");
                if !names.contains(needed.as_str()) {
                    errors.push(FieldError::new(
                        field,
                        format!("{needed} is not an application of this group"),
                    ));
                } else if app.needs[..j].iter().any(|other| same_name(other, needed)) {
                    errors.push(FieldError::new(field, format!("{needed} is listed twice")));
                }
            }
        }
        if errors.is_empty()
            && let Err(cycle) = super::restart_order::restart_levels(&needs_map(&applications))
        {
            errors.push(FieldError::new(
                "applications",
                format!("dependency cycle: {cycle}"),
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Valid::vouch(Self {
            name: self.name.trim().to_owned(),
            description: self.description.trim().to_owned(),
            applications,
        }))
    }
}

/// Two names of one list are the same when they differ only in case: stricter than the
/// database, which compares them exactly, so a list that passes here never collides there.
fn same_name(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

#[cfg(test)]
mod product_group_tests {
    use super::*;

    fn app(name: &str, needs: &[&str]) -> Application {
        Application {
            name: name.into(),
            description: String::new(),
            needs: needs.iter().map(|n| (*n).into()).collect(),
        }
    }

    fn group(apps: Vec<Application>) -> ProductGroupForm {
        ProductGroupForm {
            name: "Payments".into(),
            description: String::new(),
            applications: apps,
        }
    }

    #[test]
    fn a_valid_group_passes() {
        assert!(
            group(vec![app("gateway", &["core"]), app("core", &[])])
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn a_cycle_is_refused_and_named() {
        let errors = group(vec![app("a", &["b"]), app("b", &["a"])])
            .validate()
            .unwrap_err();
        assert_eq!(
            errors,
            vec![FieldError::new(
                "applications",
                "dependency cycle: a → b → a"
            )]
        );
    }

    #[test]
    fn duplicates_and_unknown_needs_are_reported_per_application() {
        let errors = group(vec![
            app("a", &["ghost"]),
            app("A", &[]),
            app(" ", &[]),
            app("b", &["a", "a"]),
        ])
        .validate()
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "applications[0].needs",
                "applications[1].name",
                "applications[2].name",
                "applications[3].needs"
            ]
        );
    }
}

/// A data center named in another record.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DataCenterRef {
    pub id: DataCenterId,
    pub name: String,
}

/// A replicated database: the data centers that hold a copy, and which one is primary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseCluster {
    pub id: super::ids::DatabaseClusterId,
    pub name: String,
    pub description: String,
    /// By name; the primary is among them.
    pub members: Vec<DataCenterRef>,
    pub primary: DataCenterRef,
    pub revision: u32,
}

/// The form that creates or edits a database cluster.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseClusterForm {
    pub name: String,
    pub description: String,
    pub members: Vec<DataCenterId>,
    pub primary: Option<DataCenterId>,
}

impl DatabaseClusterForm {
    /// The trimmed form, or every problem next to its field.
    pub fn validate(&self) -> Result<Valid<Self>, Vec<FieldError>> {
        let mut errors: Vec<FieldError> = [
            check_name("name", &self.name, 100),
            check_description(&self.description),
        ]
        .into_iter()
        .flatten()
        .collect();
        if self.members.is_empty() {
            errors.push(FieldError::new(
                "members",
                "choose the data centers that hold a copy",
            ));
        }
        match self.primary {
            None => errors.push(FieldError::new("primary", "choose the primary data center")),
            Some(primary) if !self.members.contains(&primary) => {
                errors.push(FieldError::new(
                    "primary",
                    "the primary must be one of the data centers holding a copy",
                ));
            }
            Some(_) => {}
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut members = self.members.clone();
        members.sort();
        members.dedup();
        Ok(Valid::vouch(Self {
            name: self.name.trim().to_owned(),
            description: self.description.trim().to_owned(),
            members,
            primary: self.primary,
        }))
    }
}

#[cfg(test)]
mod cluster_tests {
    use super::*;

    #[test]
    fn the_primary_must_hold_a_copy() {
        let form = DatabaseClusterForm {
            name: "orders-db".into(),
            description: String::new(),
            members: vec![DataCenterId(1), DataCenterId(2)],
            primary: Some(DataCenterId(3)),
        };
        let errors = form.validate().unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "primary");
        assert!(
            DatabaseClusterForm {
                primary: Some(DataCenterId(2)),
                ..form
            }
            .validate()
            .is_ok()
        );
    }

    #[test]
    fn members_and_primary_are_required() {
        let fields: Vec<String> = DatabaseClusterForm::default()
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["name", "members", "primary"]);
    }
}
