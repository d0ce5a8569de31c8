//! Connection configs (配置信息): how a step reaches a platform in one data center.
//! The password is write-only: it goes in through a form and never comes back out.

use super::choice::choice;
use super::environment::DataCenterRef;
use super::ids::{ConnectionConfigId, DataCenterId};
use super::valid::Valid;
use crate::error::FieldError;
use serde::{Deserialize, Serialize};

choice! {
    /// The kind of platform a config reaches.
    Platform {
        TrafficGateway = "traffic_gateway", "Traffic gateway";
        AppPlatform = "app_platform", "Application platform";
        Database = "database", "Database";
    }
}

choice! {
    /// `test`: the built-in simulator; `cloud`: a real platform endpoint.
    ConfigKind {
        Test = "test", "Test (simulator)";
        Cloud = "cloud", "Cloud (real endpoint)";
    }
}

impl ConfigKind {
    /// Which of a data center's configs for one platform a step calls: a real (`cloud`)
    /// one before a simulator (`test`) one; in a drill, only a `test` one.
    pub fn choose<T>(configs: impl IntoIterator<Item = (ConfigKind, T)>, drill: bool) -> Option<T> {
        let mut usable: Vec<(ConfigKind, T)> = configs
            .into_iter()
            .filter(|(kind, _)| !drill || *kind == ConfigKind::Test)
            .collect();
        usable.sort_by_key(|(kind, _)| *kind != ConfigKind::Cloud);
        usable.into_iter().next().map(|(_, config)| config)
    }
}

choice! {
    /// How the platform is spoken to; only HTTP for now.
    Protocol {
        Http = "http", "HTTP";
    }
}

/// A connection config as the console shows it: never the password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionConfig {
    pub id: ConnectionConfigId,
    pub name: String,
    pub data_center: DataCenterRef,
    pub platform: Platform,
    pub kind: ConfigKind,
    pub protocol: Protocol,
    pub host: String,
    pub port: u16,
    /// `None` for roles that do not see usernames (auditors).
    pub username: Option<String>,
    /// Whether a password is stored (it is never shown).
    pub password_set: bool,
    pub revision: u32,
}

/// What an edit does to the stored password.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", content = "password", rename_all = "snake_case")]
pub enum PasswordChange {
    /// Leave it as it is (an empty password field on edit).
    #[default]
    Keep,
    Set(String),
    Clear,
}

/// The form that creates or edits a connection config.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionConfigForm {
    pub name: String,
    pub data_center: Option<DataCenterId>,
    pub platform: Platform,
    pub kind: ConfigKind,
    pub protocol: Protocol,
    pub host: String,
    pub port: u32,
    pub username: String,
    pub password: PasswordChange,
}

/// A domain name (RFC 1123 labels) or an IPv4/IPv6 address.
pub fn is_valid_host(host: &str) -> bool {
    if host.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    let labels_ok = host.split('.').all(|label| {
        (1..=63).contains(&label.len())
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    });
    let last_is_numeric = host
        .rsplit('.')
        .next()
        .is_some_and(|l| l.chars().all(|c| c.is_ascii_digit()));
    (1..=253).contains(&host.len()) && labels_ok && !last_is_numeric
}

impl ConnectionConfigForm {
    /// The trimmed form, or every problem next to its field.
    pub fn validate(&self) -> Result<Valid<Self>, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            errors.push(FieldError::new(
                "name",
                "is required, at most 100 characters",
            ));
        }
        if self.data_center.is_none() {
            errors.push(FieldError::new("data_center", "choose a data center"));
        }
        let host = self.host.trim();
        if !is_valid_host(host) {
            errors.push(FieldError::new(
                "host",
                "must be a domain name or an IP address",
            ));
        }
        if !(1..=65535).contains(&self.port) {
            errors.push(FieldError::new("port", "must be between 1 and 65535"));
        }
        if self.username.chars().count() > 255 {
            errors.push(FieldError::new(
                "username",
                "must be at most 255 characters",
            ));
        }
        if let PasswordChange::Set(password) = &self.password
            && (password.is_empty() || password.chars().count() > 200)
        {
            errors.push(FieldError::new("password", "must be 1 to 200 characters"));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Valid::vouch(Self {
            name: name.to_owned(),
            host: host.to_owned(),
            username: self.username.trim().to_owned(),
            ..self.clone()
        }))
    }
}

impl ConnectionConfig {
    /// What an edit to `form` changes about where this config's password is sent: kind,
    /// protocol, host, port, username. Empty when it goes to the same place.
    pub fn credential_destination_changes(&self, form: &ConnectionConfigForm) -> Vec<&'static str> {
        [
            ("kind", self.kind != form.kind),
            ("protocol", self.protocol != form.protocol),
            ("host", self.host != form.host),
            ("port", u32::from(self.port) != form.port),
            (
                "username",
                self.username.as_deref() != Some(form.username.as_str()),
            ),
        ]
        .into_iter()
        .filter_map(|(field, changed)| changed.then_some(field))
        .collect()
    }

    /// A stored password only ever goes to the endpoint it was entered for: an edit that
    /// keeps it while changing where it would go is refused, next to the password field.
    /// Otherwise, what the audit entry says when the destination changed (from where to
    /// where, and what became of the password); `None` when it did not.
    pub fn check_kept_password(
        &self,
        form: &ConnectionConfigForm,
    ) -> Result<Option<String>, FieldError> {
        let changes = self.credential_destination_changes(form);
        if changes.is_empty() {
            return Ok(None);
        }
        let changed = changes.join(", ");
        let password = match &form.password {
            PasswordChange::Set(_) => "password entered again",
            PasswordChange::Clear => "password cleared",
            PasswordChange::Keep if !self.password_set => "no password stored",
            PasswordChange::Keep => {
                return Err(FieldError::new(
                    "password",
                    format!(
                        "enter the password again (or clear it): the {changed} changed, and a \
                         stored password only goes where it was entered for"
                    ),
                ));
            }
        };
        Ok(Some(format!(
            "destination changed ({changed}) from {} to {}; {password}",
            self.destination(),
            Self::destination_of(
                form.kind,
                form.protocol,
                &form.username,
                &form.host,
                form.port
            ),
        )))
    }

    /// Where the password goes, as the audit log says it: `ops@gw.example.com:8443 (cloud, http)`.
    fn destination(&self) -> String {
        Self::destination_of(
            self.kind,
            self.protocol,
            self.username.as_deref().unwrap_or(""),
            &self.host,
            u32::from(self.port),
        )
    }

    fn destination_of(
        kind: ConfigKind,
        protocol: Protocol,
        username: &str,
        host: &str,
        port: u32,
    ) -> String {
        format!(
            "{username}@{host}:{port} ({}, {})",
            kind.as_str(),
            protocol.as_str()
        )
    }
}

/// What testing a connection found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", content = "detail", rename_all = "snake_case")]
pub enum ConnectionTest {
    /// It answered the platform API's health call; `platform` says which platform it is
    /// (`simulator` for the built-in simulator).
    Reachable {
        platform: String,
    },
    Refused,
    TimedOut,
    BadCredentials,
    /// It answered, but not as the platform API says it should.
    Unexpected(String),
}

impl ConnectionTest {
    pub fn message(&self) -> String {
        match self {
            Self::Reachable { platform } if platform == "simulator" => {
                "reachable: the built-in simulator answers (platform API v1)".to_owned()
            }
            Self::Reachable { platform } => {
                format!("reachable: {platform} answers (platform API v1)")
            }
            Self::Refused => "refused: nothing answers at that address".to_owned(),
            Self::TimedOut => "timed out: no answer within 3 seconds".to_owned(),
            Self::BadCredentials => {
                "bad credentials: the platform refused the username or password".to_owned()
            }
            Self::Unexpected(detail) => format!("unexpected answer: {detail}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        for good in [
            "gw.dc1.example.com",
            "localhost",
            "10.0.0.7",
            "::1",
            "sim-1",
        ] {
            assert!(is_valid_host(good), "{good}");
        }
        for bad in [
            "",
            "-bad.example",
            "a..b",
            "under_score.example",
            "10.0.0.999",
            &"a".repeat(64),
        ] {
            assert!(!is_valid_host(bad), "{bad}");
        }
    }

    #[test]
    fn a_form_reports_each_bad_field() {
        let form = ConnectionConfigForm {
            name: " ".into(),
            data_center: None,
            platform: Platform::Database,
            kind: ConfigKind::Test,
            protocol: Protocol::Http,
            host: "not a host".into(),
            port: 70000,
            username: String::new(),
            password: PasswordChange::Set(String::new()),
        };
        let fields: Vec<String> = form
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["name", "data_center", "host", "port", "password"]);
    }
}

#[cfg(test)]
mod choice_tests {
    use super::ConfigKind;

    #[test]
    fn a_real_config_is_called_before_a_simulator_except_in_a_drill() {
        let both = [(ConfigKind::Test, "sim"), (ConfigKind::Cloud, "real")];
        assert_eq!(ConfigKind::choose(both, false), Some("real"));
        assert_eq!(ConfigKind::choose(both, true), Some("sim"));
        assert_eq!(
            ConfigKind::choose([(ConfigKind::Cloud, "real")], true),
            None
        );
        assert_eq!(
            ConfigKind::choose([(ConfigKind::Test, "sim")], false),
            Some("sim")
        );
    }
}
