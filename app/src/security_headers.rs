//! The security headers on every response. Pages get a Content-Security-Policy that lets
//! only our own files and this render's inline hydration scripts (marked with its nonce)
//! run; every other response (JSON, assets) gets one that allows nothing at all. No
//! response may be framed, sniffed into another type, or name our pages in a Referer
//! sent elsewhere.

use http::{HeaderName, HeaderValue, header};

/// For anything that is not a page: nothing may load, nothing may frame it.
pub const OTHER_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// The policy of a page whose inline scripts carry `nonce`. WASM needs
/// `'wasm-unsafe-eval'`; server functions and the live channel are same-origin.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The headers every response carries, whatever it is.
pub fn fixed() -> [(HeaderName, HeaderValue); 3] {
    [
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    ]
}

/// Sets this page's policy on the response being rendered (call from the shell).
pub fn set_page_policy() {
    let (Some(response), Some(nonce)) = (
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        leptos::nonce::use_nonce(),
    ) else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&page_policy(&nonce.to_string())) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}
