//! The server secret: the key that sessions and stored passwords are protected with.
//! Every instance behind one load balancer must share it.

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
        if file.exists() {
            let text =
                fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
            return Self::from_hex(&text).with_context(|| format!("the key in {}", file.display()));
        }
        let key = Self::generate()?;
        write_private(file, &hex::encode(key.0))?;
        tracing::info!(path = %file.display(), "generated a new secret key");
        Ok(key)
    }
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
    fn a_configured_key_must_be_32_bytes_of_hex() {
        assert!(SecretKey::from_hex(&"ab".repeat(32)).is_ok());
        assert!(SecretKey::from_hex("abcd").is_err());
        assert!(SecretKey::from_hex(&"zz".repeat(32)).is_err());
    }
}
