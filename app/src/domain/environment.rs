//! The estate plans act on: regions and data centers (机房), and the rules for their forms.

use super::ids::DataCenterId;
use crate::error::FieldError;
use serde::{Deserialize, Serialize};

/// A data center and the region it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataCenter {
    pub id: DataCenterId,
    pub region: String,
    pub name: String,
    pub description: String,
    /// Optimistic concurrency: an update names the version it was made from.
    pub version: u32,
}

/// The form that creates or edits a data center.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataCenterForm {
    pub region: String,
    pub name: String,
    pub description: String,
}

/// A required name: trimmed, 1 to `max` characters.
fn check_name(field: &str, value: &str, max: usize) -> Option<FieldError> {
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

fn check_description(value: &str) -> Option<FieldError> {
    (value.chars().count() > 2000)
        .then(|| FieldError::new("description", "must be at most 2000 characters"))
}

impl DataCenterForm {
    /// The form with surrounding spaces removed, or every problem next to its field.
    /// The browser and the server run the same check.
    pub fn validate(&self) -> Result<Self, Vec<FieldError>> {
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
        Ok(Self {
            region: self.region.trim().to_owned(),
            name: self.name.trim().to_owned(),
            description: self.description.trim().to_owned(),
        })
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
