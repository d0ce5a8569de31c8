//! Session tokens: a few claims sealed (`crate::crypto`) under the session key.
//! Any instance holding the secret can open them, so sessions survive restarts and work
//! behind a load balancer without shared storage.

use crate::crypto;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

/// Binds tokens to their purpose and format version.
const ASSOCIATED_DATA: &[u8] = b"switchyard session v1";

/// What a session token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user's id.
    pub uid: u64,
    /// The user's session generation when the token was issued; a higher one in the
    /// directory (after sign-out, disabling, a role or password change) voids the token.
    pub generation: u32,
    /// When the session began (Unix seconds): the absolute lifetime counts from here.
    pub issued_at: i64,
    /// When the session was last used (Unix seconds): the idle timeout counts from here.
    pub seen_at: i64,
    /// A random number drawn at sign-in and kept while the session lasts: tells one
    /// session of a user from another begun in the same second (0 in tokens older
    /// than it).
    #[serde(default)]
    pub sid: u64,
}

/// Seals claims into a cookie-safe string.
pub fn seal(key: &[u8; 32], claims: &Claims) -> String {
    let plaintext = serde_json::to_vec(claims).expect("claims serialize");
    URL_SAFE_NO_PAD.encode(crypto::seal(key, ASSOCIATED_DATA, &plaintext))
}

/// Opens a token; `None` when it was not sealed with this key or was altered.
pub fn open(key: &[u8; 32], token: &str) -> Option<Claims> {
    let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
    let plaintext = crypto::open(key, ASSOCIATED_DATA, &bytes)?;
    serde_json::from_slice(&plaintext).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7; 32];

    fn claims() -> Claims {
        Claims {
            sid: 7,
            uid: 42,
            generation: 3,
            issued_at: 1_800_000_000,
            seen_at: 1_800_000_100,
        }
    }

    #[test]
    fn a_sealed_token_opens_with_the_same_key() {
        assert_eq!(open(&KEY, &seal(&KEY, &claims())), Some(claims()));
    }

    #[test]
    fn another_key_or_any_altered_byte_fails() {
        let token = seal(&KEY, &claims());
        assert_eq!(open(&[8; 32], &token), None);
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        for i in [0, 24, bytes.len() - 1] {
            bytes[i] ^= 1;
            assert_eq!(
                open(&KEY, &URL_SAFE_NO_PAD.encode(&bytes)),
                None,
                "byte {i}"
            );
            bytes[i] ^= 1;
        }
        assert_eq!(open(&KEY, "not a token"), None);
        assert_eq!(open(&KEY, ""), None);
    }

    #[test]
    fn two_seals_of_the_same_claims_differ() {
        assert_ne!(seal(&KEY, &claims()), seal(&KEY, &claims()));
    }
}
