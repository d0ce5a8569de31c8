//! Secrets kept in the database (connection passwords): sealed (`crate::crypto`) under
//! the stored-secrets key, a fresh nonce per write, and the record bound in as associated
//! data, so a ciphertext copied onto another record does not open.

use crate::crypto;

fn associated_data(table: &str, id: u64) -> Vec<u8> {
    format!("switchyard {table} {id}").into_bytes()
}

/// Nonce followed by ciphertext, for the row `id` of `table`.
pub fn seal(key: &[u8; 32], table: &str, id: u64, secret: &str) -> Vec<u8> {
    crypto::seal(key, &associated_data(table, id), secret.as_bytes())
}

/// The secret, if `bytes` were sealed with this key for this row.
pub fn open(key: &[u8; 32], table: &str, id: u64, bytes: &[u8]) -> Option<String> {
    let plain = crypto::open(key, &associated_data(table, id), bytes)?;
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
