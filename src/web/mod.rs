//! The review UI, served by `mailroom serve` under `/ui` beside the upload API.
//!
//! ```text
//! GET  /ui                          the queue: tabs with counts, filters, sort, pages
//! GET  /ui/documents/{id}           one document: pages with boxes, fields, checks, history
//! GET  /ui/documents/{id}/pages/{n} a page image (PNG, rendered once, then cached)
//! GET  /ui/documents/{id}/original  the original as received; …/pdfa the archived PDF/A
//! POST /ui/documents/{id}/check     values → normalised values and the checks (live)
//! POST /ui/documents/{id}/decide    corrections and approve / postpone / reject / save
//! GET  /ui/login, POST /ui/login, POST /ui/logout
//! POST /ui/documents/{id}/hold      legal hold on / off (admins, with a reason)
//! GET  /ui/audit, POST …/verify     the audit trail and verify (auditors, admins)
//! GET  /ui/admin/users, POST …      users (admins only), and the security log
//! GET  /ui/admin/retention, POST …  documents past their retention; purge with an approval (admins)
//! ```
//! * **Sessions.** A login gives a random token in the cookie `mailroom_session`
//!   (`HttpOnly`, `SameSite=Strict`, `Secure` behind TLS); the database keeps its hash
//!   ([`crate::people`]). Idle sessions end; failed logins are throttled and logged in the
//!   security log, not the audit trail.
//! * **CSRF.** Every POST carries the session's CSRF token (form field `csrf` or header
//!   `X-CSRF-Token`), compared in constant time; a POST whose `Origin` is another site is
//!   refused before that.
//! * **Roles and types.** Reviewers and admins change documents, auditors read; a user limited
//!   to some document types sees no other (not in the queue, not by address: 404).
//! * **The same code as the pipeline.** Corrections are index revisions written by the
//!   [`Recorder`] in the person's name (`ui:<user>`); approval is [`Recorder::decide`], which
//!   hands the document to the ERP; the live checks are [`crate::review::checks_of`].

mod admin;
mod api;
mod audit;
mod auth;
mod document;
mod due;
mod pages;
mod queue;
mod retention;
mod search;

use std::sync::Arc;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup, DOCTYPE};

use crate::catalog::Catalog;
use crate::people::People;
use crate::processor::Recorder;
pub use auth::Viewer;
pub use pages::PageCache;

/// Everything the UI's requests need.
pub struct Ui {
    pub people: People,
    pub catalog: Arc<dyn Catalog>,
    /// Writes corrections and decisions; each request acts through [`Recorder::acting_as`].
    pub records: Recorder,
    pub pages: PageCache,
    /// Reads the parts a corrected batch split makes (the pipeline's stages, no storage).
    pub pipeline: Arc<crate::pipeline::Pipeline>,
    /// The due list's lead time.
    pub due: crate::due::DuePolicy,
    /// The pipeline file's lists (virtual folders).
    pub lists: Vec<crate::lists::ListDef>,
    /// The stamp kinds people may choose.
    pub stamps: crate::stamps::StampPolicy,
    /// Mark the session cookie `Secure` on every response.
    pub secure_cookies: bool,
}

/// Whether `user` may see document `id`, by its catalog row (cheap): what every request about
/// one document asks first.
fn may_see(ui: &Ui, user: &crate::people::User, id: &str) -> bool {
    matches!(ui.catalog.get(id), Ok(Some(e)) if user.may_see(e.doc_type.as_deref().and_then(crate::index::DocType::from_name)))
}

pub fn router(ui: Arc<Ui>) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to("/ui") }))
        .route("/ui", get(queue::queue))
        .route("/ui/login", get(auth::login_page).post(auth::login))
        .route("/ui/logout", post(auth::logout))
        .route("/ui/documents/{id}", get(document::view))
        .route("/ui/documents/{id}/pages/{n}", get(document::page_image))
        .route("/ui/documents/{id}/original", get(document::original))
        .route("/ui/documents/{id}/pdfa", get(document::pdfa))
        .route("/ui/documents/{id}/check", post(document::check))
        .route("/ui/documents/{id}/decide", post(document::decide))
        .route("/ui/documents/{id}/hold", post(document::hold))
        .route("/ui/documents/{id}/split", post(document::resplit))
        .route("/ui/documents/{id}/stamp", post(document::stamp))
        .route("/ui/documents/{id}/stamped", get(document::stamped))
        .route("/ui/search", get(search::search))
        .route("/ui/due", get(due::list))
        .route("/ui/documents/{id}/settle", post(due::settle))
        .route("/ui/resubmissions", get(due::resubmissions))
        .route("/api/v1/openapi.json", get(api::openapi))
        .route("/api/v1/search", get(api::search))
        .route("/api/v1/due", get(api::due))
        .route("/api/v1/documents/{id}/settle", post(api::settle))
        .route("/api/v1/resubmissions", get(api::resubmissions))
        .route("/api/v1/documents/{id}/resubmissions", post(api::resubmit))
        .route("/api/v1/documents/{id}/resubmissions/{n}/done", post(api::resubmission_done))
        .route("/api/v1/documents/{id}/stamps", get(api::stamps).post(api::stamp))
        .route("/api/v1/lists", get(api::lists))
        .route("/api/v1/lists/{n}", get(api::list_one))
        .route("/ui/lists", get(due::lists))
        .route("/ui/lists/{n}", get(due::list_one))
        .route("/ui/documents/{id}/resubmit", post(due::resubmit))
        .route("/ui/documents/{id}/resubmissions/{n}/done", post(due::resubmission_done))
        .route("/ui/audit", get(audit::trail))
        .route("/ui/audit/verify", post(audit::verify))
        .route("/ui/admin/users", get(admin::users).post(admin::add_user))
        .route("/ui/admin/users/{name}/{action}", post(admin::change_user))
        .route("/ui/admin/retention", get(retention::page).post(retention::purge))
        .route("/ui/assets/app.js", get(|| async { asset("text/javascript; charset=utf-8", include_str!("assets/app.js")) }))
        .route("/ui/assets/app.css", get(|| async { asset("text/css; charset=utf-8", include_str!("assets/app.css")) }))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(ui)
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "private, max-age=300")], body).into_response()
}

/// What every answer carries: no framing, no sniffing, scripts and styles only from here
/// (inline style attributes allowed: the boxes are placed with them), no referrer to others.
async fn security_headers(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    r
}

/// A page in the UI's frame: the header with the user and the logout.
fn layout(title: &str, viewer: Option<&Viewer>, body: Markup) -> Response {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · mailroom" }
                link rel="stylesheet" href="/ui/assets/app.css";
                script src="/ui/assets/app.js" defer {}
            }
            body {
                header.top {
                    a.brand href="/ui" { "mailroom" }
                    @if let Some(v) = viewer {
                        nav {
                            a href="/ui" { "Queue" }
                            a href="/ui/search" { "Search" }
                            a href="/ui/due" { "Due" }
                            a href="/ui/resubmissions" { "Resubmissions" }
                            a href="/ui/lists" { "Lists" }
                            @if matches!(v.user.role, crate::people::Role::Auditor | crate::people::Role::Admin) { a href="/ui/audit" { "Audit trail" } }
                            @if v.user.role.may_administer() { a href="/ui/admin/users" { "Users" } a href="/ui/admin/retention" { "Retention" } }
                        }
                        div.who {
                            span { (v.user.name) " · " (v.user.role.as_str()) }
                            form method="post" action="/ui/logout" {
                                input type="hidden" name="csrf" value=(v.csrf);
                                button type="submit" { "Log out" }
                            }
                        }
                    }
                }
                main { (body) }
            }
        }
    };
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page.into_string()).into_response()
}

/// A plain error page (or text, for scripts).
fn error_page(status: StatusCode, viewer: Option<&Viewer>, message: &str) -> Response {
    let mut r = layout(
        status.canonical_reason().unwrap_or("Error"),
        viewer,
        html! { section.error { h1 { (status.as_u16()) " " (status.canonical_reason().unwrap_or("")) } p { (message) } p { a href="/ui" { "Back to the queue" } } } },
    );
    *r.status_mut() = status;
    r
}

fn json_error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, axum::Json(serde_json::json!({"error": message.into()}))).into_response()
}

/// Runs blocking work (database, archive, pdfium) off the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, Response> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        tracing::error!(error = %e, "a UI request failed inside");
        json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal error (logged)")
    })
}

/// `application/x-www-form-urlencoded` pairs, repeated keys kept (a form's ticked boxes).
fn form_pairs(body: &str) -> Vec<(String, String)> {
    body.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            let dec = |s: &str| percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned();
            (dec(k), dec(v))
        })
        .collect()
}

/// JSON for a `<script type="application/json">` block: `<` escaped so that no `</script>`
/// in a value ends the block.
fn script_json(v: &serde_json::Value) -> maud::PreEscaped<String> {
    maud::PreEscaped(v.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026"))
}
