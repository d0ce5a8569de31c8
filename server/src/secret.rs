//! The server's secrets, each configured or else generated on first start and kept in a
//! file readable by its owner only: the key that sessions and stored passwords are
//! protected with (every instance behind one load balancer must share it), and the
//! password the built-in simulator wants, kept beside it.

use anyhow::{Context, bail};
use std::fs;
use std::io::Write;
use std::path::Path;

/// 32 bytes of key material.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

impl SecretKey {
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// A new random key.
    pub fn generate() -> anyhow::Result<Self> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| anyhow::anyhow!("no randomness available: {e}"))?;
        Ok(Self(key))
    }

    /// Reads a key written as 64 hex digits.
    pub fn from_hex(text: &str) -> anyhow::Result<Self> {
        let bytes = hex::decode(text.trim()).context("the secret key must be 64 hex digits")?;
        let Ok(key) = <[u8; 32]>::try_from(bytes.as_slice()) else {
            bail!(
                "the secret key must be 64 hex digits (32 bytes), got {} bytes",
                bytes.len()
            );
        };
        Ok(Self(key))
    }

    /// The configured key, or the one kept in `file`, generated there on first use
    /// (readable by the owner only).
    pub fn load(configured: Option<&str>, file: &Path) -> anyhow::Result<Self> {
        if let Some(text) = configured {
            return Self::from_hex(text).context("SWITCHYARD_SECRET_KEY");
        }
        let text = kept(file, "secret key", || Ok(hex::encode(Self::generate()?.0)))?;
        Self::from_hex(&text).with_context(|| format!("the key in {}", file.display()))
    }
}

/// The simulator's password: the configured one, or the one kept in `simulator.password`
/// beside the secret key file, generated there on first use. Never empty: anyone who
/// reaches the simulator could otherwise change the world the demo runs against.
pub fn simulator_password(
    configured: Option<&str>,
    secret_key_file: &Path,
) -> anyhow::Result<String> {
    if let Some(password) = configured.filter(|p| !p.is_empty()) {
        return Ok(password.to_owned());
    }
    let file = secret_key_file.with_file_name("simulator.password");
    kept(&file, "simulator password", || {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness available: {e}"))?;
        Ok(hex::encode(bytes))
    })
}

/// The text kept in `file`, or what `make` gives, written there first.
fn kept(
    file: &Path,
    what: &str,
    make: impl FnOnce() -> anyhow::Result<String>,
) -> anyhow::Result<String> {
    if file.exists() {
        let text =
            fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        return Ok(text.trim().to_owned());
    }
    let text = make()?;
    write_private(file, &text)?;
    tracing::info!(path = %file.display(), "generated a new {what}");
    Ok(text)
}

fn write_private(file: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut out = options
        .open(file)
        .with_context(|| format!("creating {}", file.display()))?;
    writeln!(out, "{text}").with_context(|| format!("writing {}", file.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_is_kept_and_read_back() {
        let dir = std::env::temp_dir().join(format!("switchyard-key-{}", std::process::id()));
        let file = dir.join("secret.key");
        let first = SecretKey::load(None, &file).unwrap();
        let second = SecretKey::load(None, &file).unwrap();
        assert_eq!(first.bytes(), second.bytes());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn the_simulator_password_is_generated_once_unless_given() {
        let dir = std::env::temp_dir().join(format!("switchyard-sim-{}", std::process::id()));
        let key_file = dir.join("secret.key");
        let first = simulator_password(None, &key_file).unwrap();
        assert_eq!(first.len(), 32);
        assert_eq!(simulator_password(Some(""), &key_file).unwrap(), first);
        assert_eq!(
            simulator_password(Some("given"), &key_file).unwrap(),
            "given"
        );
        assert!(dir.join("simulator.password").exists());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_configured_key_must_be_32_bytes_of_hex() {
        assert!(SecretKey::from_hex(&"ab".repeat(32)).is_ok());
        assert!(SecretKey::from_hex("abcd").is_err());
        assert!(SecretKey::from_hex(&"zz".repeat(32)).is_err());
    }
}
