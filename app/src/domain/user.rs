//! People who sign in, and the rules for their names and passwords.

use super::ids::UserId;
use super::role::Role;
use crate::error::FieldError;
use serde::{Deserialize, Serialize};

/// Passwords shorter than this are refused (the demo password is exactly this long).
pub const MIN_PASSWORD_LEN: usize = 10;
/// Argon2 happily hashes anything; a bound keeps a request from costing too much.
pub const MAX_PASSWORD_LEN: usize = 128;

/// The person behind a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// A generated or reset password: nothing but choosing a new one is allowed.
    pub must_change_password: bool,
    /// The language and time zone they chose for the console.
    #[serde(default)]
    pub preferences: Preferences,
}

/// How someone wants the console to speak and tell time. `None` follows the browser: its
/// language cookie or `Accept-Language`, its own time zone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    /// `en` or `zh-CN`.
    pub language: Option<String>,
    /// An IANA time zone name, such as `Asia/Shanghai`.
    pub time_zone: Option<String>,
}

impl Preferences {
    /// Each choice is one the console offers: a language it speaks, a time zone it knows.
    pub fn check(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if let Some(code) = &self.language
            && super::language::parse(code).is_none()
        {
            errors.push(FieldError::new(
                "language",
                "is not a language the console speaks (en, zh-CN)",
            ));
        }
        if let Some(zone) = &self.time_zone
            && !super::zone::is_known_zone(zone)
        {
            errors.push(FieldError::new(
                "time_zone",
                "is not a known time zone (such as Asia/Shanghai)",
            ));
        }
        match errors.is_empty() {
            true => Ok(()),
            false => Err(errors),
        }
    }
}

/// What a session check needs to know about one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserState {
    pub user: SessionUser,
    pub enabled: bool,
    pub session_generation: u32,
}

/// A user as the user administration page lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub enabled: bool,
    pub must_change_password: bool,
    /// Optimistic concurrency: a change names the version it was made from.
    pub revision: u32,
}

/// The form for a new user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The first password, one-time: the user chooses their own at first sign-in.
    pub password: String,
}

impl NewUser {
    /// Every problem with the form, next to its field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let errors: Vec<FieldError> = [
            check_username(&self.username),
            check_display_name(&self.display_name),
            check_password("password", &self.password),
        ]
        .into_iter()
        .flatten()
        .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// 3–64 characters: lower-case letters, digits, `.`, `_` and `-`.
pub fn check_username(username: &str) -> Option<FieldError> {
    let valid_chars = username
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    let message = if !(3..=64).contains(&username.len()) {
        "must be 3 to 64 characters long"
    } else if !valid_chars {
        "may contain only lower-case letters, digits, '.', '_' and '-'"
    } else {
        return None;
    };
    Some(FieldError::new("username", message))
}

fn check_display_name(name: &str) -> Option<FieldError> {
    (name.chars().count() > 128)
        .then(|| FieldError::new("display_name", "must be at most 128 characters"))
}

/// A password's length rule, reported against `field`.
pub fn check_password(field: &str, password: &str) -> Option<FieldError> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_LEN {
        Some(FieldError::new(
            field,
            format!("must be at least {MIN_PASSWORD_LEN} characters"),
        ))
    } else if length > MAX_PASSWORD_LEN {
        Some(FieldError::new(
            field,
            format!("must be at most {MAX_PASSWORD_LEN} characters"),
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_user(username: &str, password: &str) -> NewUser {
        NewUser {
            username: username.into(),
            display_name: String::new(),
            role: Role::Operator,
            password: password.into(),
        }
    }

    #[test]
    fn a_good_user_passes() {
        assert_eq!(new_user("li.wei", "correct horse").validate(), Ok(()));
    }

    #[test]
    fn each_bad_field_is_reported_next_to_it() {
        let errors = new_user("Li Wei", "short").validate().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["username", "password"]);
    }

    #[test]
    fn username_and_password_bounds() {
        assert!(check_username("ab").is_some());
        assert!(check_username(&"a".repeat(65)).is_some());
        assert!(check_username("ops-1_a.b").is_none());
        assert!(check_password("p", &"x".repeat(MIN_PASSWORD_LEN)).is_none());
        assert!(check_password("p", &"x".repeat(MIN_PASSWORD_LEN - 1)).is_some());
        assert!(check_password("p", &"x".repeat(MAX_PASSWORD_LEN + 1)).is_some());
    }
}
