//! The one AEAD: XChaCha20-Poly1305 with a fresh random nonce per seal, written in front
//! of the ciphertext, and associated data that binds each sealed value to what it is
//! for (a session token, one row's password), so it opens nowhere else. Session tokens
//! and stored secrets both seal with it, each under its own derived key.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

const NONCE_LEN: usize = 24;

/// The nonce followed by the ciphertext of `plaintext`, bound to `associated`.
pub fn seal(key: &[u8; 32], associated: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::fill(&mut nonce).expect("the operating system provides randomness");
    let sealed = XChaCha20Poly1305::new(key.into())
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: associated,
            },
        )
        .expect("encryption with a valid key and nonce succeeds");
    [nonce.as_slice(), &sealed].concat()
}

/// The plaintext, if `sealed` was sealed with this key and associated data and not
/// altered since.
pub fn open(key: &[u8; 32], associated: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    if sealed.len() <= NONCE_LEN {
        return None;
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
    XChaCha20Poly1305::new(key.into())
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad: associated,
            },
        )
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7; 32];

    #[test]
    fn opens_only_with_the_same_key_and_associated_data_unaltered() {
        let sealed = seal(&KEY, b"purpose", b"plain words");
        assert_eq!(
            open(&KEY, b"purpose", &sealed).as_deref(),
            Some(&b"plain words"[..])
        );
        assert_eq!(open(&[8; 32], b"purpose", &sealed), None);
        assert_eq!(open(&KEY, b"another purpose", &sealed), None);
        for i in [0, NONCE_LEN, sealed.len() - 1] {
            let mut altered = sealed.clone();
            altered[i] ^= 1;
            assert_eq!(open(&KEY, b"purpose", &altered), None, "byte {i}");
        }
        assert_eq!(open(&KEY, b"purpose", &sealed[..NONCE_LEN]), None);
        assert!(!sealed.windows(5).any(|w| w == b"plain"));
    }

    #[test]
    fn two_seals_of_the_same_plaintext_differ() {
        assert_ne!(seal(&KEY, b"p", b"same"), seal(&KEY, b"p", b"same"));
    }
}
