//! Secrets kept in the database (connection passwords): XChaCha20-Poly1305 under the
//! stored-secrets key, a fresh nonce per write, and the record bound in as associated
//! data, so a ciphertext copied onto another record does not open.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

const NONCE_LEN: usize = 24;

fn associated_data(table: &str, id: u64) -> Vec<u8> {
    format!("switchyard {table} {id}").into_bytes()
}

/// Nonce followed by ciphertext, for the row `id` of `table`.
pub fn seal(key: &[u8; 32], table: &str, id: u64, secret: &str) -> Vec<u8> {
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::fill(&mut nonce).expect("the operating system provides randomness");
    let cipher = XChaCha20Poly1305::new(key.into());
    let aad = associated_data(table, id);
    let sealed = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: secret.as_bytes(),
                aad: &aad,
            },
        )
        .expect("encryption with a valid key and nonce succeeds");
    [nonce.as_slice(), &sealed].concat()
}

/// The secret, if `bytes` were sealed with this key for this row.
pub fn open(key: &[u8; 32], table: &str, id: u64, bytes: &[u8]) -> Option<String> {
    if bytes.len() <= NONCE_LEN {
        return None;
    }
    let (nonce, sealed) = bytes.split_at(NONCE_LEN);
    let cipher = XChaCha20Poly1305::new(key.into());
    let aad = associated_data(table, id);
    let plain = cipher
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: sealed,
                aad: &aad,
            },
        )
        .ok()?;
    String::from_utf8(plain).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_only_with_the_same_key_and_row() {
        let sealed = seal(&[1; 32], "connection_configs", 7, "s3cret");
        assert_eq!(
            open(&[1; 32], "connection_configs", 7, &sealed).as_deref(),
            Some("s3cret")
        );
        assert_eq!(open(&[2; 32], "connection_configs", 7, &sealed), None);
        assert_eq!(open(&[1; 32], "connection_configs", 8, &sealed), None);
        assert!(!sealed.windows(6).any(|w| w == b"s3cret"));
    }
}
