//! Session tokens: a few claims sealed with XChaCha20-Poly1305 under the session key.
//! Any instance holding the secret can open them, so sessions survive restarts and work
//! behind a load balancer without shared storage.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};

/// Binds tokens to their purpose and format version.
const ASSOCIATED_DATA: &[u8] = b"switchyard session v1";
const NONCE_LEN: usize = 24;

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
}

/// Seals claims into a cookie-safe string.
pub fn seal(key: &[u8; 32], claims: &Claims) -> String {
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::fill(&mut nonce).expect("the operating system provides randomness");
    let plaintext = serde_json::to_vec(claims).expect("claims serialize");
    let cipher = XChaCha20Poly1305::new(key.into());
    let sealed = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &plaintext,
                aad: ASSOCIATED_DATA,
            },
        )
        .expect("encryption with a valid key and nonce succeeds");
    let mut token = nonce.to_vec();
    token.extend_from_slice(&sealed);
    URL_SAFE_NO_PAD.encode(token)
}

/// Opens a token; `None` when it was not sealed with this key or was altered.
pub fn open(key: &[u8; 32], token: &str) -> Option<Claims> {
    let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
    if bytes.len() <= NONCE_LEN {
        return None;
    }
    let (nonce, sealed) = bytes.split_at(NONCE_LEN);
    let cipher = XChaCha20Poly1305::new(key.into());
    let plaintext = cipher
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: sealed,
                aad: ASSOCIATED_DATA,
            },
        )
        .ok()?;
    serde_json::from_slice(&plaintext).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7; 32];

    fn claims() -> Claims {
        Claims {
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
        for i in [0, NONCE_LEN, bytes.len() - 1] {
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
