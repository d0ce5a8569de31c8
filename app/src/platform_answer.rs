//! (server only) Reading what a platform answers: at most `MAX_ANSWER` bytes, as JSON,
//! saying why not otherwise. The engine's calls and Test connection both read here.

use serde::de::DeserializeOwned;

/// The largest answer read from a platform; a longer one is not an answer.
pub const MAX_ANSWER: usize = 1 << 20;

/// Why an answer could not be read.
pub enum Unread {
    /// The connection failed on the way.
    Lost(String),
    /// It came whole, and is too large, not the API's JSON, or out of its bounds.
    Unusable(String),
}

/// Reads a JSON answer of at most `MAX_ANSWER` bytes.
pub async fn read_json<T: DeserializeOwned>(mut response: reqwest::Response) -> Result<T, Unread> {
    if let Some(length) = response.content_length()
        && length > MAX_ANSWER as u64
    {
        return Err(Unread::Unusable(format!(
            "{length} bytes (at most {MAX_ANSWER} are read)"
        )));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| Unread::Lost(transport(&e)))?
    {
        if body.len() + chunk.len() > MAX_ANSWER {
            return Err(Unread::Unusable(format!("more than {MAX_ANSWER} bytes")));
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body).map_err(|e| {
        let e = crate::domain::text::cut(&e.to_string(), 200);
        Unread::Unusable(format!("something unreadable ({e})"))
    })
}

/// A transport failure, said briefly.
pub fn transport(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "no answer in time".to_owned()
    } else if error.is_connect() {
        "cannot connect".to_owned()
    } else {
        format!("the connection failed ({error})")
    }
}
