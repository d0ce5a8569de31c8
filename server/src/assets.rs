//! How bytes reach the browser: responses are compressed, and the browser bundle is
//! served precompressed under content-hashed names that a browser may keep for a year.

use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderValue, Response};
use leptos::prelude::LeptosOptions;
use std::path::Path;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::services::fs::ServeFileSystemResponseBody;
use tower_http::set_header::SetResponseHeader;

/// Files under `/pkg` carry a hash of their content in their name: a new build is a new
/// name, so a browser never needs to ask again.
const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");

/// Compresses what the handlers produce (brotli or gzip, as the browser accepts, at a
/// quick level); leaves alone what is already compressed and what is too small to gain.
pub fn compression() -> CompressionLayer {
    CompressionLayer::new()
}

type BundleResponse = Response<ServeFileSystemResponseBody>;

/// The service behind `/pkg`: the bundle cargo-leptos built (with `--precompress`, it
/// sits beside `.br` and `.gz` twins, served as such to a browser that accepts them).
pub fn bundle(
    options: &LeptosOptions,
) -> SetResponseHeader<ServeDir, fn(&BundleResponse) -> Option<HeaderValue>> {
    let dir = Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    SetResponseHeader::overriding(
        ServeDir::new(dir).precompressed_br().precompressed_gzip(),
        CACHE_CONTROL,
        cached_when_found,
    )
}

/// A missing file may appear with the next build: only what was found is kept.
fn cached_when_found(response: &BundleResponse) -> Option<HeaderValue> {
    response.status().is_success().then_some(IMMUTABLE)
}

/// `options` with hashed bundle names turned on when the build wrote its list of hashes
/// (cargo-leptos puts `hash.txt` beside the server binary), so pages link the names
/// that `/pkg` holds.
pub fn with_hashed_names(mut options: LeptosOptions) -> LeptosOptions {
    let beside_binary = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(options.hash_file.as_ref())));
    options.hash_files = beside_binary.is_some_and(|path| path.is_file());
    options
}
