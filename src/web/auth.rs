//! Logging in and out, the session behind each request ([`Viewer`]), and the CSRF check.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::html;
use serde::Deserialize;
use subtle::ConstantTimeEq;

use super::{blocking, error_page, json_error, layout, Ui};
use crate::people::{LoginRefused, Role, SecurityEvent, User};

pub const COOKIE: &str = "mailroom_session";

/// The person behind a request, with their session's CSRF token.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user: User,
    pub csrf: String,
    token: String,
    pub addr: String,
}

impl Viewer {
    /// Who the audit trail names.
    pub fn actor(&self) -> String {
        format!("ui:{}", self.user.name)
    }

    /// Whether a state-changing request carries this session's CSRF token.
    pub fn csrf_ok(&self, presented: Option<&str>) -> bool {
        presented.is_some_and(|p| bool::from(p.as_bytes().ct_eq(self.csrf.as_bytes())))
    }

    /// The refusal (403, logged in the security log) of what the role may not do; `None`
    /// when it may.
    pub fn forbids(&self, ui: &Ui, allowed: impl Fn(Role) -> bool, what: &str) -> Option<Response> {
        if allowed(self.user.role) {
            return None;
        }
        let _ = ui.people.log(SecurityEvent::AccessDenied, &self.user.name, &self.addr, what);
        Some(error_page(StatusCode::FORBIDDEN, Some(self), &format!("Your role ({}) may not {what}.", self.user.role)))
    }
}

fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).map(str::trim).find_map(|kv| kv.strip_prefix(name).and_then(|r| r.strip_prefix('=')))
}

/// The client's address: the socket's peer (a forwarded-for header is not trusted, so that
/// it cannot be used to dodge the login throttle).
pub fn client_addr(parts: &Parts) -> String {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string()).unwrap_or_else(|| "unknown".into())
}

/// A POST from a page of another site (its `Origin` names another host) is refused whatever
/// it carries.
fn foreign_origin(headers: &HeaderMap) -> bool {
    let (Some(origin), Some(host)) = (headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()), headers.get(header::HOST).and_then(|h| h.to_str().ok())) else { return false };
    let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or(origin);
    origin != "null" && origin_host != host
}

impl FromRequestParts<Arc<Ui>> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, ui: &Arc<Ui>) -> Result<Viewer, Response> {
        if parts.method == Method::POST && foreign_origin(&parts.headers) {
            return Err(json_error(StatusCode::FORBIDDEN, "cross-site request refused"));
        }
        let addr = client_addr(parts);
        let token = cookie_value(&parts.headers, COOKIE).map(str::to_string);
        let found = match token.clone() {
            Some(t) => {
                let (ui, addr) = (ui.clone(), addr.clone());
                blocking(move || ui.people.session(&t, &addr)).await?.map_err(|e| {
                    tracing::error!(error = %e, "session lookup failed");
                    json_error(StatusCode::SERVICE_UNAVAILABLE, "the user database is out of reach; try again")
                })?
            }
            None => None,
        };
        match (found, token) {
            (Some(s), Some(token)) => Ok(Viewer { user: s.user, csrf: s.csrf, token, addr }),
            _ if parts.method == Method::GET => {
                let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/ui");
                let next: String = percent_encoding::utf8_percent_encode(next, percent_encoding::NON_ALPHANUMERIC).to_string();
                Err(Redirect::to(&format!("/ui/login?next={next}")).into_response())
            }
            _ => Err(json_error(StatusCode::UNAUTHORIZED, "log in first (/ui/login)")),
        }
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct LoginQuery {
    next: Option<String>,
}

/// Only a path inside the UI is followed after login (no open redirect).
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with("/ui") && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/ui",
    }
}

fn login_form(next: &str, message: Option<&str>) -> Response {
    layout(
        "Log in",
        None,
        html! {
            section.login {
                h1 { "Log in" }
                @if let Some(m) = message { p.error role="alert" { (m) } }
                form method="post" action="/ui/login" {
                    input type="hidden" name="next" value=(next);
                    label { "User" input #username name="username" autocomplete="username" autofocus required; }
                    label { "Password" input #password name="password" type="password" autocomplete="current-password" required; }
                    button #login type="submit" { "Log in" }
                }
            }
        },
    )
}

pub async fn login_page(Query(q): Query<LoginQuery>) -> Response {
    login_form(safe_next(q.next.as_deref()), None)
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

fn session_cookie(ui: &Ui, headers: &HeaderMap, value: &str, max_age: Option<i64>) -> String {
    let behind_tls = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|p| p.eq_ignore_ascii_case("https"));
    let secure = if ui.secure_cookies || behind_tls { "; Secure" } else { "" };
    let age = max_age.map(|a| format!("; Max-Age={a}")).unwrap_or_default();
    format!("{COOKIE}={value}; Path=/ui; HttpOnly; SameSite=Strict{secure}{age}")
}

pub async fn login(State(ui): State<Arc<Ui>>, ConnectInfo(peer): ConnectInfo<SocketAddr>, headers: HeaderMap, Form(f): Form<LoginForm>) -> Response {
    if foreign_origin(&headers) {
        return json_error(StatusCode::FORBIDDEN, "cross-site request refused");
    }
    let next = safe_next(f.next.as_deref()).to_string();
    let addr = peer.ip().to_string();
    let name = f.username.trim().to_string();
    let result = {
        let ui = ui.clone();
        let addr = addr.clone();
        match blocking(move || ui.people.login(&name, &f.password, &addr)).await {
            Ok(r) => r,
            Err(resp) => return resp,
        }
    };
    match result {
        Ok(Ok((token, _session))) => {
            let max_age = ui.people.policy.max_age.num_seconds();
            let mut r = Redirect::to(&next).into_response();
            if let Ok(v) = session_cookie(&ui, &headers, &token, Some(max_age)).parse() {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            r
        }
        Ok(Err(LoginRefused::Throttled(minutes))) => {
            let mut r = login_form(&next, Some(&format!("Too many failed logins. Try again in {minutes} minutes.")));
            *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            r
        }
        Ok(Err(_)) => {
            let mut r = login_form(&next, Some("User name or password is wrong, or the user is disabled."));
            *r.status_mut() = StatusCode::UNAUTHORIZED;
            r
        }
        Err(e) => {
            tracing::error!(error = %e, "login failed inside");
            error_page(StatusCode::SERVICE_UNAVAILABLE, None, "The user database is out of reach; try again.")
        }
    }
}

/// A form that carries nothing but its CSRF token.
#[derive(Deserialize)]
pub struct CsrfForm {
    pub csrf: Option<String>,
}

pub async fn logout(State(ui): State<Arc<Ui>>, viewer: Viewer, headers: HeaderMap, Form(f): Form<CsrfForm>) -> Response {
    if !viewer.csrf_ok(f.csrf.as_deref()) {
        return json_error(StatusCode::FORBIDDEN, "missing or wrong CSRF token");
    }
    let (token, name, addr) = (viewer.token.clone(), viewer.user.name.clone(), viewer.addr.clone());
    let ui2 = ui.clone();
    if let Ok(Err(e)) = blocking(move || ui2.people.logout(&token, &name, &addr)).await {
        tracing::error!(error = %e, "logout failed");
    }
    let mut r = Redirect::to("/ui/login").into_response();
    if let Ok(v) = session_cookie(&ui, &headers, "", Some(0)).parse() {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}
