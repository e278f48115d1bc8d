//! User administration (admins only): add users with a role and the document types they may
//! see, disable and enable them; and the security log.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::html;

use super::auth::CsrfForm;
use super::{blocking, error_page, form_pairs, json_error, layout, Ui, Viewer};
use crate::index::DocType;
use crate::people::{LogLine, Role, SecurityEvent, User};

pub async fn users(State(ui): State<Arc<Ui>>, viewer: Viewer) -> Response {
    if let Some(r) = viewer.forbids(&ui, Role::may_administer, "manage users") {
        return r;
    }
    let ui2 = ui.clone();
    let found = blocking(move || -> Result<(Vec<User>, Vec<LogLine>), String> { Ok((ui2.people.users().map_err(|e| e.to_string())?, ui2.people.log_lines(100).map_err(|e| e.to_string())?)) }).await;
    let (users, log) = match found {
        Ok(Ok(x)) => x,
        Ok(Err(e)) => return error_page(StatusCode::SERVICE_UNAVAILABLE, Some(&viewer), &e),
        Err(r) => return r,
    };
    page(&viewer, &users, &log, None)
}

fn page(viewer: &Viewer, users: &[User], log: &[LogLine], message: Option<&str>) -> Response {
    layout(
        "Users",
        Some(viewer),
        html! {
            section.admin {
                h1 { "Users" }
                @if let Some(m) = message { p.error role="alert" { (m) } }
                table.queue #users {
                    thead { tr { th { "Name" } th { "Role" } th { "Document types" } th { "Since" } th { "" } } }
                    tbody {
                        @for u in users {
                            tr {
                                td { (u.name) @if u.disabled { " (disabled)" } }
                                td { (u.role) }
                                td { (u.doc_types.as_ref().map(|t| t.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(", ")).unwrap_or_else(|| "all".into())) }
                                td { (u.created_at.get(..10).unwrap_or("")) }
                                td {
                                    @if u.name != viewer.user.name {
                                        form method="post" action=(format!("/ui/admin/users/{}/{}", u.name, if u.disabled { "enable" } else { "disable" })) {
                                            input type="hidden" name="csrf" value=(viewer.csrf);
                                            button type="submit" { @if u.disabled { "Enable" } @else { "Disable" } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                h2 { "Add a user" }
                form.adduser method="post" action="/ui/admin/users" {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    label { "Name " input name="name" required pattern="[A-Za-z0-9._@-]{1,64}"; }
                    label { "Role " select name="role" { @for r in Role::ALL { option value=(r.as_str()) { (r.as_str()) } } } }
                    label { "Password " input name="password" type="password" minlength="12" required autocomplete="new-password"; }
                    label { "Document types (none ticked: all) " }
                    @for d in DocType::ALL { label.check { input type="checkbox" name="doc_types" value=(d.as_str()); " " (d.as_str()) } }
                    button type="submit" { "Add" }
                }
                p.hint { "Passwords are changed with " code { "mailroom user passwd NAME" } " on the server." }
                h2 { "Security log" }
                p.hint { "Logins, failed logins and user changes; kept for [ui] security_log_days, apart from the audit trail." }
                table.queue #security-log {
                    thead { tr { th { "When" } th { "Event" } th { "User" } th { "Address" } th { "Detail" } } }
                    tbody { @for l in log { tr { td { (l.at.get(..19).unwrap_or(&l.at)) } td { (l.event) } td { (l.user) } td { (l.addr) } td { (l.detail) } } } }
                }
            }
        },
    )
}

pub async fn add_user(State(ui): State<Arc<Ui>>, viewer: Viewer, body: String) -> Response {
    // Read by hand: `doc_types` repeats, once per ticked box.
    let form = form_pairs(&body);
    let one = |k: &str| form.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    if !viewer.csrf_ok(one("csrf").as_deref()) {
        return json_error(StatusCode::FORBIDDEN, "missing or wrong CSRF token");
    }
    if let Some(r) = viewer.forbids(&ui, Role::may_administer, "manage users") {
        return r;
    }
    let types: Vec<DocType> = form.iter().filter(|(k, _)| k == "doc_types").filter_map(|(_, v)| DocType::from_name(v)).collect();
    let (name, password) = (one("name").unwrap_or_default(), one("password").unwrap_or_default());
    let role = match one("role").unwrap_or_default().parse::<Role>() {
        Ok(r) => r,
        Err(e) => return json_error(StatusCode::BAD_REQUEST, e),
    };
    let (ui2, v2) = (ui.clone(), viewer.clone());
    let result = blocking(move || -> Result<(), String> {
        ui2.people.add(name.trim(), role, (!types.is_empty()).then_some(types.as_slice()), &password).map_err(|e| e.to_string())?;
        ui2.people.log(SecurityEvent::UserAdded, name.trim(), &v2.addr, &format!("role {role}, by {}", v2.user.name)).map_err(|e| e.to_string())
    })
    .await;
    match result {
        Ok(Ok(())) => Redirect::to("/ui/admin/users").into_response(),
        Ok(Err(e)) => {
            let ui2 = ui.clone();
            let users = blocking(move || ui2.people.users().unwrap_or_default()).await.unwrap_or_default();
            let mut r = page(&viewer, &users, &[], Some(&e));
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            r
        }
        Err(r) => r,
    }
}

pub async fn change_user(State(ui): State<Arc<Ui>>, viewer: Viewer, Path((name, action)): Path<(String, String)>, Form(f): Form<CsrfForm>) -> Response {
    if !viewer.csrf_ok(f.csrf.as_deref()) {
        return json_error(StatusCode::FORBIDDEN, "missing or wrong CSRF token");
    }
    if let Some(r) = viewer.forbids(&ui, Role::may_administer, "manage users") {
        return r;
    }
    let disable = match action.as_str() {
        "disable" => true,
        "enable" => false,
        _ => return json_error(StatusCode::NOT_FOUND, "unknown action"),
    };
    if name == viewer.user.name {
        return json_error(StatusCode::BAD_REQUEST, "you cannot disable yourself");
    }
    let (ui2, v2) = (ui.clone(), viewer.clone());
    match blocking(move || -> Result<(), String> {
        ui2.people.set_disabled(&name, disable).map_err(|e| e.to_string())?;
        let event = if disable { SecurityEvent::UserDisabled } else { SecurityEvent::UserEnabled };
        ui2.people.log(event, &name, &v2.addr, &format!("by {}", v2.user.name)).map_err(|e| e.to_string())
    })
    .await
    {
        Ok(Ok(())) => Redirect::to("/ui/admin/users").into_response(),
        Ok(Err(e)) => json_error(StatusCode::UNPROCESSABLE_ENTITY, e),
        Err(r) => r,
    }
}
