//! Keys derived from the server secret, one per purpose, so that a token key can never
//! decrypt a stored password and the other way round.

use hkdf::Hkdf;
use sha2::Sha256;

/// The derived keys. Every instance with the same secret derives the same keys.
#[derive(Clone)]
pub struct Keys {
    /// Seals session tokens.
    pub session: [u8; 32],
    /// Encrypts secrets stored in the database (connection passwords).
    pub stored_secrets: [u8; 32],
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(..)")
    }
}

impl Keys {
    pub fn derive(secret: &[u8; 32]) -> Self {
        let hkdf = Hkdf::<Sha256>::new(Some(b"switchyard"), secret);
        let expand = |info: &[u8]| {
            let mut key = [0u8; 32];
            hkdf.expand(info, &mut key)
                .expect("32 bytes is a valid HKDF-SHA256 output length");
            key
        };
        Self {
            session: expand(b"session tokens v1"),
            stored_secrets: expand(b"stored secrets v1"),
        }
    }
}
