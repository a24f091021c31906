//! Static assets embedded in the binary from `assets/static/` and served under `/static/`. Owns
//! MIME types, strong ETags with 304 answers, cache policy (`immutable` for fingerprinted names
//! like `app.4fd4bfc6.css`, `no-cache` for the rest), precompressed `.br`/`.gz` variants when the
//! client accepts them, and refusing any path that tries to leave the folder.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use rust_embed::Embed;

use crate::http::AppState;
use crate::http::error::ApiError;

#[derive(Embed)]
#[folder = "assets/static/"]
struct StaticAssets;

pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
pub const NO_CACHE: &str = "no-cache";

pub fn routes() -> Router<AppState> {
    Router::new().route("/static/{*path}", get(serve))
}

/// Whether `path` is a clean relative path inside the folder.
fn is_safe(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && !path.contains('\0')
        && path
            .split('/')
            .all(|segment| !segment.is_empty() && segment != "." && segment != "..")
}

/// `name.<8+ hex>.ext`: the content hash is in the name, so the file can be cached forever.
pub fn is_fingerprinted(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3
        && parts[1..parts.len() - 1]
            .iter()
            .any(|part| part.len() >= 8 && part.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The encodings the client accepts, by the `Accept-Encoding` header (q=0 means refused).
fn accepts(headers: &HeaderMap, coding: &str) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|entry| {
            let mut parts = entry.split(';');
            let name = parts.next().unwrap_or_default().trim();
            let refused = parts.any(|param| {
                param
                    .trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            name.eq_ignore_ascii_case(coding) && !refused
        })
}

fn etag_matches(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|candidate| candidate.trim().trim_start_matches("W/"))
        .any(|candidate| candidate == "*" || candidate == etag)
}

fn content_type(mime: &str) -> String {
    let textual = mime.starts_with("text/")
        || matches!(
            mime,
            "application/javascript" | "application/json" | "image/svg+xml"
        );
    if textual {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_owned()
    }
}

/// One embedded file with its headers worked out once.
struct Prepared {
    body: Bytes,
    etag: HeaderValue,
    content_type: HeaderValue,
    cache: HeaderValue,
}

/// Every embedded file by path, prepared on first use.
static PREPARED: LazyLock<HashMap<String, Prepared>> = LazyLock::new(|| {
    StaticAssets::iter()
        .filter_map(|name| {
            let file = StaticAssets::get(&name)?;
            let hash = file.metadata.sha256_hash();
            let mut etag = String::with_capacity(34);
            etag.push('"');
            for byte in &hash[..16] {
                etag.push_str(&format!("{byte:02x}"));
            }
            etag.push('"');
            let cache = if is_fingerprinted(&name) {
                IMMUTABLE
            } else {
                NO_CACHE
            };
            let prepared = Prepared {
                content_type: HeaderValue::from_str(&content_type(file.metadata.mimetype()))
                    .ok()?,
                etag: HeaderValue::from_str(&etag).ok()?,
                cache: HeaderValue::from_static(cache),
                body: match file.data {
                    Cow::Borrowed(bytes) => Bytes::from_static(bytes),
                    Cow::Owned(bytes) => Bytes::from(bytes),
                },
            };
            Some((name.into_owned(), prepared))
        })
        .collect()
});

async fn serve(Path(path): Path<String>, headers: HeaderMap) -> Response {
    respond(&path, &headers)
}

/// An embedded file and the variant picked for the client's `Accept-Encoding`.
struct Chosen {
    original: &'static Prepared,
    file: &'static Prepared,
    encoding: Option<&'static str>,
}

/// The embedded file at `path` (already checked with [`is_safe`]) and its best variant.
fn choose(path: &str, headers: &HeaderMap) -> Option<Chosen> {
    let prepared: &'static HashMap<String, Prepared> = &PREPARED;
    let original = prepared.get(path)?;
    let mut chosen = Chosen {
        original,
        file: original,
        encoding: None,
    };
    if headers.contains_key(header::ACCEPT_ENCODING) {
        for (coding, suffix) in [("br", ".br"), ("gzip", ".gz")] {
            if accepts(headers, coding)
                && let Some(variant) = prepared.get(&format!("{path}{suffix}"))
            {
                chosen.file = variant;
                chosen.encoding = Some(coding);
                break;
            }
        }
    }
    Some(chosen)
}

/// The types [`crate::http::edge::compression`] never compresses.
fn is_image(content_type: &HeaderValue) -> bool {
    let value = content_type.as_bytes();
    (value.starts_with(b"image/") && !value.starts_with(b"image/svg+xml"))
        || value.starts_with(b"application/octet-stream")
}

/// The response for the file at `path` (relative to `/static/`): 200, 304 or a 404 envelope.
pub fn respond(path: &str, headers: &HeaderMap) -> Response {
    if !is_safe(path) {
        tracing::info!(path, "static asset request refused: path leaves /static/");
        return not_found();
    }
    choose(path, headers).map_or_else(not_found, |chosen| answer(&chosen, headers))
}

/// [`respond`] for the static fast path: `None` for an unknown or unsafe path (the router
/// answers it with the envelope) and for a text file over 1 KB that the client accepts
/// compressed but that has no precompressed variant, which the compression layer would encode.
pub fn respond_prepared(path: &str, headers: &HeaderMap) -> Option<Response> {
    if !is_safe(path) {
        return None;
    }
    let chosen = choose(path, headers)?;
    let live_compression = chosen.encoding.is_none()
        && (accepts(headers, "br") || accepts(headers, "gzip"))
        && chosen.original.body.len() > 1024
        && !is_image(&chosen.original.content_type);
    (!live_compression).then(|| answer(&chosen, headers))
}

fn answer(chosen: &Chosen, headers: &HeaderMap) -> Response {
    let Chosen {
        original,
        file,
        encoding,
    } = chosen;
    let mut response_headers = HeaderMap::with_capacity(6);
    response_headers.insert(header::ETAG, file.etag.clone());
    response_headers.insert(header::CACHE_CONTROL, original.cache.clone());
    response_headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    let etag = file.etag.to_str().unwrap_or_default();
    if etag_matches(headers, etag) {
        return (StatusCode::NOT_MODIFIED, response_headers).into_response();
    }
    response_headers.insert(header::CONTENT_TYPE, original.content_type.clone());
    if let Some(coding) = encoding {
        response_headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    (StatusCode::OK, response_headers, file.body.clone()).into_response()
}

fn not_found() -> Response {
    ApiError::NotFound("no such static file".into()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_is_refused() {
        for bad in [
            "../Cargo.toml",
            "a/../../b",
            "./x",
            "/etc/passwd",
            "a//b",
            "a\\..\\b",
            "",
        ] {
            assert!(!is_safe(bad), "{bad}");
        }
        assert!(is_safe("img/logo.svg"));
    }

    #[test]
    fn fingerprints_are_recognised() {
        assert!(is_fingerprinted("app.4fd4bfc6.css"));
        assert!(is_fingerprinted("js/chunk.0123456789abcdef.js"));
        assert!(!is_fingerprinted("app.css"));
        assert!(!is_fingerprinted("jquery.min.js"));
    }

    #[test]
    fn accept_encoding_honours_q_zero() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip, br;q=0"),
        );
        assert!(accepts(&headers, "gzip"));
        assert!(!accepts(&headers, "br"));
    }

    /// A fingerprinted name promises its content never changes (`immutable`): the hash in the
    /// name must be the start of the file's own SHA-256, or browsers keep a stale copy forever.
    #[test]
    fn fingerprints_match_the_content() {
        let mut checked = 0;
        for name in StaticAssets::iter().filter(|name| is_fingerprinted(name)) {
            let file = StaticAssets::get(&name).expect("listed file");
            let digest: String = file
                .metadata
                .sha256_hash()
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect();
            let file_name = name.rsplit('/').next().unwrap_or(&name);
            let stated = file_name
                .split('.')
                .find(|part| part.len() >= 8 && part.bytes().all(|b| b.is_ascii_hexdigit()))
                .expect("fingerprint");
            assert!(digest.starts_with(stated), "{name}: content hash {digest}");
            checked += 1;
        }
        assert!(checked >= 1);
    }

    /// The `.gz` variants are committed files; one left stale would serve old code to browsers.
    #[test]
    fn gzip_variants_decompress_to_their_originals() {
        use std::io::Read;
        let mut checked = 0;
        for name in StaticAssets::iter() {
            let Some(original) = name.strip_suffix(".gz") else {
                continue;
            };
            let compressed = StaticAssets::get(&name).expect("listed file").data;
            let mut decompressed = Vec::new();
            flate2::read::GzDecoder::new(compressed.as_ref())
                .read_to_end(&mut decompressed)
                .expect("valid gzip");
            let expected = StaticAssets::get(original).expect("original beside its .gz");
            assert!(decompressed == expected.data.as_ref(), "{name} is stale");
            checked += 1;
        }
        assert!(checked >= 1);
    }

    #[test]
    fn the_folder_is_embedded_without_knowledge_files() {
        assert!(StaticAssets::get("app.css").is_some());
        assert!(StaticAssets::iter().all(|name| !name.contains("knowledge")));
    }
}
