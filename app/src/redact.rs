//! (server only) Credentials hidden from what a platform (or a URL's service) says
//! back. A platform may echo what it was sent: the config's user name and password, the
//! `Authorization` header, a token. Its text is logged, stored in the step's records,
//! streamed to every watcher (auditors included) and shown by Test connection, so each
//! piece of it passes through here first.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use regex::Regex;
use std::sync::LazyLock;

/// What replaces a credential.
pub const HIDDEN: &str = "[redacted]";

/// Credentials shorter than this are not looked for: every word would match.
const SHORTEST: usize = 3;

/// An `Authorization` header's value, and a scheme's token wherever it appears.
static HEADERS: LazyLock<[Regex; 2]> = LazyLock::new(|| {
    [
        Regex::new(
            r#"(?i)((?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:[A-Za-z]+\s+)?[^\s,;"']+"#,
        )
        .expect("valid"),
        Regex::new(r"(?i)\b(basic|bearer|digest|negotiate)(\s+)[A-Za-z0-9+/=._~-]{6,}")
            .expect("valid"),
    ]
});

/// Hides one config's (or URL's) credentials in text.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Every form the credentials may come back in, longest first.
    secrets: Vec<String>,
}

impl Redactor {
    /// For the user `username` with `password`.
    pub fn new(username: &str, password: Option<&str>) -> Self {
        let mut secrets = Vec::new();
        let mut add = |secret: &str| {
            if secret.chars().count() >= SHORTEST {
                secrets.push(secret.to_owned());
                let encoded = utf8_percent_encode(secret, NON_ALPHANUMERIC).to_string();
                if encoded != secret {
                    secrets.push(encoded);
                }
            }
        };
        add(username);
        if let Some(password) = password {
            add(password);
            add(&STANDARD.encode(format!("{username}:{password}")));
        }
        secrets.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
        secrets.dedup();
        Self { secrets }
    }

    /// For the user-info of `url` (`http://user:password@host/`), if it has any.
    pub fn of_url(url: &str) -> Self {
        match url::Url::parse(url) {
            Ok(url) if !url.username().is_empty() || url.password().is_some() => {
                let decode = |text: &str| {
                    percent_encoding::percent_decode_str(text)
                        .decode_utf8_lossy()
                        .into_owned()
                };
                let password = url.password().map(decode);
                Self::new(&decode(url.username()), password.as_deref())
            }
            _ => Self::default(),
        }
    }

    /// `text` with the credentials, `Authorization` values and tokens hidden.
    pub fn text(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for secret in &self.secrets {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), HIDDEN);
            }
        }
        let [header, token] = &*HEADERS;
        let text = header.replace_all(&text, format!("${{1}}{HIDDEN}").as_str());
        token
            .replace_all(&text, format!("${{1}}${{2}}{HIDDEN}").as_str())
            .into_owned()
    }

    /// Whether `text` holds one of the credentials.
    pub fn reveals(&self, text: &str) -> bool {
        self.secrets
            .iter()
            .any(|secret| text.contains(secret.as_str()))
    }

    /// `url` without its user-info, as logs and records show it.
    pub fn shown_url(url: &str) -> String {
        match url::Url::parse(url) {
            Ok(mut parsed) if !parsed.username().is_empty() || parsed.password().is_some() => {
                let _ = parsed.set_username("");
                let _ = parsed.set_password(None);
                parsed.to_string()
            }
            _ => url.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_every_form_are_hidden() {
        let redactor = Redactor::new("svc-dr", Some("p@ss w0rd!"));
        let basic = STANDARD.encode("svc-dr:p@ss w0rd!");
        let said = format!(
            "login svc-dr with p@ss w0rd! (p%40ss%20w0rd%21) failed; Authorization: Basic {basic}"
        );
        let shown = redactor.text(&said);
        assert!(!shown.contains("svc-dr"), "{shown}");
        assert!(!shown.contains("w0rd"), "{shown}");
        assert!(!shown.contains(&basic), "{shown}");
        assert_eq!(
            shown,
            "login [redacted] with [redacted] ([redacted]) failed; Authorization: [redacted]"
        );
    }

    #[test]
    fn headers_and_tokens_are_hidden_whoever_they_belong_to() {
        let redactor = Redactor::default();
        assert_eq!(
            redactor.text("sent authorization=Bearer abc.def-123 then Proxy-Authorization: x"),
            "sent authorization=[redacted] then Proxy-Authorization: [redacted]"
        );
        assert_eq!(
            redactor.text("token Bearer eyJhbGciOi.x and basic words stay"),
            "token Bearer [redacted] and basic words stay"
        );
        assert_eq!(
            redactor.text(r#"{"Authorization":"Basic dXNlcjpwdw=="}"#),
            r#"{"Authorization":"[redacted]"}"#
        );
        assert_eq!(redactor.text("nothing to hide"), "nothing to hide");
    }

    #[test]
    fn short_credentials_are_not_looked_for() {
        let redactor = Redactor::new("sa", Some("x"));
        assert_eq!(redactor.text("a sax"), "a sax");
    }

    #[test]
    fn a_url_shows_no_user_info() {
        let url = "http://ops:s%3Acret@10.0.0.5:8080/switch?x=1";
        assert_eq!(Redactor::shown_url(url), "http://10.0.0.5:8080/switch?x=1");
        let redactor = Redactor::of_url(url);
        assert_eq!(
            redactor.text("denied for ops / s:cret"),
            "denied for [redacted] / [redacted]"
        );
        assert_eq!(Redactor::shown_url("http://h/p"), "http://h/p");
    }
}
