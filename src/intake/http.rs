//! HTTP upload (`mailroom serve`): documents posted by scanners, portals and the ERP.
//!
//! ```text
//! POST /documents        a raw body (file name in `X-Filename`, percent-encoded) or
//!                        multipart/form-data with one file: 201 + the index (embedded),
//!                        202 + {id, status: "queued"} (production), 200 + the index when the
//!                        same bytes were archived before
//! GET  /documents/{id}   the current index (or quarantine record); 202 while queued
//! GET  /health           200 when the archive answers (no token needed; it tells nothing else)
//! ```
//! * **No open endpoint.** Every document route needs `Authorization: Bearer <token>`. The
//!   tokens come from the environment variable `http.tokens_env` names, as `name:secret`
//!   pairs; without any the server does not start. A presented token is compared in constant
//!   time with every configured one. The audit trail records an upload as received from
//!   `http:<name>@<host>` — the client's name, never its token. The server listens on
//!   loopback unless configured otherwise.
//! * **Answered after storage.** The response is sent only once the [`Sink`] has durably
//!   stored the document (embedded: processed or quarantined, with an e-mail's attachments;
//!   production: stored and queued). Storage or the broker out of reach answers 503: nothing
//!   is acknowledged, the client sends it again (another storage error: 500).
//! * **Size limit.** Bodies over `limits.max_file_mb` are refused with 413 while they arrive,
//!   before anything is stored.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use futures_lite::StreamExt;
use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;

use super::sink::{Delivered, Sink, SinkError};
use crate::document::Document;
use crate::index::Channel;
use crate::mail::file_name;
use crate::processor::Outcome;

/// Shortest secret accepted: long enough that guessing is hopeless.
pub const MIN_SECRET_LEN: usize = 16;

/// Room for a form's framing around a file at the size limit.
const FORM_ROOM: usize = 1024 * 1024;

/// The clients allowed to upload: their names and the SHA-256 of their secrets.
pub struct Tokens {
    clients: Vec<(String, [u8; 32])>,
}

/// Names only: secrets (even hashed) have no business in debug output.
impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.clients.iter().map(|(name, _)| name)).finish()
    }
}

impl Tokens {
    /// Parses `name:secret,name:secret`.
    pub fn parse(spec: &str) -> Result<Tokens, String> {
        let mut clients: Vec<(String, [u8; 32])> = Vec::new();
        for pair in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((name, secret)) = pair.split_once(':') else {
                return Err("every token must be written name:secret (e.g. scanner-2:<secret>)".into());
            };
            let name = name.trim();
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
                return Err(format!("the token name '{name}' must be letters, digits, '-', '_' or '.'"));
            }
            if secret.len() < MIN_SECRET_LEN {
                return Err(format!("the secret of {name} is shorter than {MIN_SECRET_LEN} characters; make one with `openssl rand -hex 32`"));
            }
            let digest: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
            if clients.iter().any(|(n, d)| n == name || *d == digest) {
                return Err(format!("the token name or secret of {name} is given twice"));
            }
            clients.push((name.to_string(), digest));
        }
        if clients.is_empty() {
            return Err("no token is configured".into());
        }
        Ok(Tokens { clients })
    }

    /// Reads the tokens from the environment variable `var`.
    pub fn from_env(var: &str) -> Result<Tokens, String> {
        let spec = std::env::var(var).unwrap_or_default();
        Tokens::parse(&spec)
            .map_err(|e| format!("HTTP tokens in ${var}: {e}. mailroom serve never runs without authentication: set ${var} to name:secret pairs, e.g. {var}=\"scanner-2:$(openssl rand -hex 32)\""))
    }

    /// The client a presented token belongs to. Digests are compared, in constant time and
    /// with every client, so that neither a token's content nor its length shows in timing.
    pub fn client(&self, presented: &str) -> Option<&str> {
        let digest = Sha256::digest(presented.as_bytes());
        let mut found = None;
        for (name, d) in &self.clients {
            if bool::from(d[..].ct_eq(&digest[..])) {
                found = Some(name.as_str());
            }
        }
        found
    }

    fn client_of(&self, headers: &HeaderMap) -> Option<&str> {
        let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
        let (scheme, token) = value.trim().split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        self.client(token.trim())
    }
}

/// Everything a request needs.
pub struct App {
    pub sink: Sink,
    pub tokens: Tokens,
    /// The largest document accepted, in bytes.
    pub max_bytes: usize,
    /// For the audit trail's `http:<client>@<host>`.
    pub host: String,
    /// Uploads handled at the same time; more wait their turn.
    pub permits: Semaphore,
}

pub fn router(app: Arc<App>) -> Router {
    // Only forms are read through axum's extractor, which enforces this limit.
    let body_limit = app.max_bytes.saturating_add(FORM_ROOM);
    Router::new().route("/documents", post(upload)).route("/documents/{id}", get(index)).route("/health", get(health)).layer(axum::extract::DefaultBodyLimit::max(body_limit)).with_state(app)
}

fn json_response(status: StatusCode, value: &impl serde::Serialize) -> Response {
    let body = serde_json::to_vec(value).expect("responses serialise");
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()
}

/// The batch split an upload asks for in its query, parsed at the edge.
fn split_of(query: Option<&str>) -> Result<Option<crate::vocab::SplitPolicy>, String> {
    let (mut split, mut patch_text) = (None, None);
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = percent_encoding::percent_decode_str(&v.replace('+', " ")).decode_utf8().map_err(|_| format!("the query parameter {k} is not UTF-8"))?.into_owned();
        match k {
            "split" => split = Some(crate::vocab::SplitPolicy::parse_list(&v).map_err(|e| e.to_string())?),
            "patch_text" if !v.trim().is_empty() && v.len() <= 200 => patch_text = Some(v.trim().to_string()),
            "patch_text" => return Err("patch_text must be 1 to 200 characters".into()),
            _ => {}
        }
    }
    Ok(split.map(|mut p| {
        if let Some(t) = patch_text {
            p.patch_text = t;
        }
        p
    }))
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    json_response(status, &json!({ "error": message.into() }))
}

fn unauthorized() -> Response {
    let mut r = error(StatusCode::UNAUTHORIZED, "a valid bearer token is required (Authorization: Bearer <token>)");
    r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    r
}

fn too_large(max: usize) -> Response {
    error(StatusCode::PAYLOAD_TOO_LARGE, format!("the document is larger than the limit of {max} bytes (limits.max_file_mb); nothing was stored"))
}

async fn upload(State(app): State<Arc<App>>, req: Request) -> Response {
    // Before a single byte of the body is read.
    let Some(client) = app.tokens.client_of(req.headers()).map(str::to_string) else {
        tracing::warn!("http: upload refused: no valid token");
        return unauthorized();
    };
    let is_form = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|ct| ct.trim_start().to_ascii_lowercase().starts_with("multipart/form-data"));
    let announced = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    let room = if is_form { FORM_ROOM } else { 0 };
    if announced.is_some_and(|n| n > (app.max_bytes + room) as u64) {
        return too_large(app.max_bytes);
    }
    // `?split=patch,first-page[&patch_text=…]`: the upload is a batch scan of several letters.
    let split = match split_of(req.uri().query()) {
        Ok(split) => split,
        Err(message) => return error(StatusCode::BAD_REQUEST, format!("{message}; nothing was stored")),
    };
    let (name, bytes) = match read_upload(req, is_form, app.max_bytes).await {
        Ok(upload) => upload,
        Err(response) => return response,
    };
    let mut doc = Document::new(bytes, Channel::Http, name);
    doc.source.split = split;
    let who = format!("http:{client}@{}", app.host);
    let _turn = app.permits.acquire().await.expect("the semaphore is never closed");
    let id = doc.sha256.short(12).to_string();
    match app.sink.deliver(doc, &who).await {
        Ok(delivered) => {
            tracing::info!(document = %id, client = %client, "http: upload stored");
            respond(delivered)
        }
        Err(e) => {
            tracing::warn!(document = %id, error = %e, "http: upload NOT stored");
            let passing = match &e {
                SinkError::Storage(a) => a.is_transient(),
                SinkError::Queue(_) => true,
                SinkError::Internal(_) => false,
            };
            if !passing {
                return error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e}; the administrator must look at this (see the log)"));
            }
            let mut r = error(StatusCode::SERVICE_UNAVAILABLE, format!("{e}; send the document again later"));
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
            r
        }
    }
}

/// What an HTTP client gets of an index: all of it once the document is released (or for a
/// quarantine record, which holds no read values); for a document held for review, the index
/// without what was read from it — `fields`, `line_items`, `vat_breakdown`, `einvoice` emptied,
/// `review` saying why — since nothing leaves before a person approves it.
fn visible(index: &crate::index::DocumentIndex) -> std::borrow::Cow<'_, crate::index::DocumentIndex> {
    if index.released() || index.status != crate::index::Status::Processed {
        return std::borrow::Cow::Borrowed(index);
    }
    let mut held = index.clone();
    held.fields.clear();
    held.line_items.clear();
    held.vat_breakdown.clear();
    held.einvoice = None;
    std::borrow::Cow::Owned(held)
}

fn respond(delivered: Delivered) -> Response {
    match delivered {
        Delivered::Processed(all) => {
            let first = all.into_iter().next().expect("the uploaded document comes first");
            let index = first.outcome.index();
            let status = if matches!(first.outcome, Outcome::AlreadyArchived(_)) { StatusCode::OK } else { StatusCode::CREATED };
            let mut r = json_response(status, &*visible(index));
            if let Ok(v) = HeaderValue::from_str(&format!("/documents/{}", index.id)) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
        Delivered::Queued { id } => {
            let mut r = json_response(StatusCode::ACCEPTED, &json!({ "id": id, "status": "queued" }));
            if let Ok(v) = HeaderValue::from_str(&format!("/documents/{id}")) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
        Delivered::AlreadyArchived(index) => json_response(StatusCode::OK, &*visible(&index)),
    }
}

/// The uploaded file's name and bytes, from a multipart form or a raw body. Public for the
/// fuzzers (`mailroom::fuzzing::upload`), which feed it hostile forms.
pub async fn read_upload(req: Request, is_form: bool, max: usize) -> Result<(String, Vec<u8>), Response> {
    if is_form {
        let form = Multipart::from_request(req, &()).await.map_err(|e| error(StatusCode::BAD_REQUEST, format!("the form cannot be read: {}", e.body_text())))?;
        return read_form(form, max).await;
    }
    let name = req.headers().get("x-filename").map(|v| percent_encoding::percent_decode(v.as_bytes()).decode_utf8_lossy().into_owned());
    let bytes = read_limited(req.into_body(), max).await?;
    Ok((name.map(|n| file_name(&n)).filter(|n| !n.is_empty()).unwrap_or_else(|| "upload".into()), bytes))
}

/// The one file of a form; other (text) fields are ignored.
async fn read_form(mut form: Multipart, max: usize) -> Result<(String, Vec<u8>), Response> {
    let form_error = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large(max)
        } else {
            error(StatusCode::BAD_REQUEST, format!("the form cannot be read: {}", e.body_text()))
        }
    };
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(mut field) = form.next_field().await.map_err(form_error)? {
        let Some(name) = field.file_name().map(file_name).or_else(|| (field.name() == Some("file")).then(|| "upload".to_string())) else {
            continue;
        };
        if file.is_some() {
            return Err(error(StatusCode::BAD_REQUEST, "send one file per upload"));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(form_error)? {
            if bytes.len() + chunk.len() > max {
                // Read the rest (the form's limit bounds it), so the client gets its answer
                // rather than a connection reset.
                while let Ok(Some(_)) = field.chunk().await {}
                while let Ok(Some(mut rest)) = form.next_field().await {
                    while let Ok(Some(_)) = rest.chunk().await {}
                }
                return Err(too_large(max));
            }
            bytes.extend_from_slice(&chunk);
        }
        file = Some((if name.is_empty() { "upload".into() } else { name }, bytes));
    }
    file.ok_or_else(|| error(StatusCode::BAD_REQUEST, "the form has no file field (a part with a filename, or named \"file\")"))
}

/// The whole body, refused with 413 as soon as it passes `max` bytes.
async fn read_limited(body: Body, max: usize) -> Result<Vec<u8>, Response> {
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| error(StatusCode::BAD_REQUEST, "the upload broke off; nothing was stored"))?;
        if bytes.len() + chunk.len() > max {
            // Up to a little more is read, so that the client gets its answer.
            let mut more = 0;
            while let Some(Ok(c)) = stream.next().await {
                more += c.len();
                if more > FORM_ROOM {
                    break;
                }
            }
            return Err(too_large(max));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// What the archive knows about a document.
enum Found {
    Index(Box<crate::index::DocumentIndex>),
    Queued,
    Nothing,
}

async fn index(State(app): State<Arc<App>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    if app.tokens.client_of(&headers).is_none() {
        return unauthorized();
    }
    if id.len() != 64 || !id.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)) {
        return error(StatusCode::BAD_REQUEST, "a document id is the SHA-256 of the document: 64 lower-case hex digits");
    }
    let sink = app.sink.clone();
    let lookup = tokio::task::spawn_blocking(move || -> Result<Found, crate::archive::ArchiveError> {
        let archive = sink.archive();
        if let Some(i) = archive.lookup(&id)? {
            return Ok(Found::Index(Box::new(i)));
        }
        if let Some(q) = archive.quarantined(&id)? {
            return Ok(Found::Index(Box::new(q)));
        }
        Ok(if archive.original(&id)?.is_some() { Found::Queued } else { Found::Nothing })
    })
    .await;
    match lookup {
        Ok(Ok(Found::Index(i))) => json_response(StatusCode::OK, &*visible(&i)),
        Ok(Ok(Found::Queued)) => json_response(StatusCode::ACCEPTED, &json!({ "status": "queued" })),
        Ok(Ok(Found::Nothing)) => error(StatusCode::NOT_FOUND, "no such document in the archive"),
        Ok(Err(e)) => error(StatusCode::SERVICE_UNAVAILABLE, format!("the archive cannot be read: {e}")),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("internal error: {e}")),
    }
}

async fn health(State(app): State<Arc<App>>) -> Response {
    let sink = app.sink.clone();
    let ok = tokio::task::spawn_blocking(move || sink.archive().store().list("audit/", None, 1).is_ok()).await.unwrap_or(false);
    if ok {
        json_response(StatusCode::OK, &json!({ "status": "ok" }))
    } else {
        json_response(StatusCode::SERVICE_UNAVAILABLE, &json!({ "status": "archive unavailable" }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_name_their_clients_and_bad_specs_are_refused() {
        let t = Tokens::parse("scanner-2:0123456789abcdef0123, erp:fedcba9876543210fedc").unwrap();
        assert_eq!(t.client("0123456789abcdef0123"), Some("scanner-2"));
        assert_eq!(t.client("fedcba9876543210fedc"), Some("erp"));
        assert_eq!(t.client("0123456789abcdef012"), None);
        assert_eq!(t.client(""), None);
        assert!(Tokens::parse("").is_err());
        assert!(Tokens::parse("short:abc").unwrap_err().contains("shorter"));
        assert!(Tokens::parse("nocolon").is_err());
        assert!(Tokens::parse("a:0123456789abcdef0123,a:fedcba9876543210fedc").is_err());
        assert!(Tokens::parse("bad name:0123456789abcdef0123").is_err());
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_refused_while_it_arrives() {
        let body = Body::from_stream(futures_lite::stream::iter((0..10).map(|_| Ok::<_, std::io::Error>(vec![0u8; 300]))));
        let r = read_limited(body, 1000).await.unwrap_err();
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(read_limited(Body::from(vec![1u8; 1000]), 1000).await.unwrap().len(), 1000);
    }

    #[test]
    fn only_a_bearer_header_with_a_known_token_is_a_client() {
        let t = Tokens::parse("erp:0123456789abcdef0123").unwrap();
        let mut h = HeaderMap::new();
        assert_eq!(t.client_of(&h), None);
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic 0123456789abcdef0123"));
        assert_eq!(t.client_of(&h), None);
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer 0123456789abcdef0123"));
        assert_eq!(t.client_of(&h), Some("erp"));
    }
}
