//! The due list in the review UI: what falls due within the lead time or is overdue and is
//! not settled, soonest first, limited to the document types the user may see; reviewers mark
//! a document paid from here.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use super::queue::german_date;
use super::{blocking, error_page, json_error, layout, Ui, Viewer};

pub async fn list(State(ui): State<Arc<Ui>>, viewer: Viewer) -> Response {
    let today = chrono::Utc::now().date_naive();
    let (ui2, types) = (ui.clone(), viewer.user.doc_types.clone());
    let days = ui.due.lead_days;
    let entries = match blocking(move || crate::due::list(ui2.catalog.as_ref(), days, today, types.as_deref())).await {
        Ok(Ok(e)) => e,
        Ok(Err(e)) => return error_page(StatusCode::SERVICE_UNAVAILABLE, Some(&viewer), &e.to_string()),
        Err(r) => return r,
    };
    let may_settle = viewer.user.role.may_review();
    let body = html! {
        section.due {
            h1 { "Due within " (days) " days, and overdue" }
            p.meta { (entries.len()) " document(s), not marked paid" }
            table.queue #due {
                thead { tr { th { "Due" } th { "Type" } th { "Seller" } th { "Number" } th.num { "Gross" } th { "State" } @if may_settle { th {} } } }
                tbody {
                    @for e in &entries {
                        @let due = e.due_date.clone().unwrap_or_default();
                        @let overdue = chrono::NaiveDate::parse_from_str(&due, "%Y-%m-%d").is_ok_and(|d| d < today);
                        tr.overdue[overdue] data-id=(e.id) {
                            td { (german_date(&due)) @if overdue { " " strong { "overdue" } } }
                            td { (e.doc_type.clone().unwrap_or_default()) }
                            td { a href=(format!("/ui/documents/{}", e.id)) { (e.seller_name.clone().unwrap_or_else(|| e.source_name.clone())) } }
                            td { (e.invoice_number.clone().unwrap_or_default()) }
                            td.num { (e.gross_total.clone().unwrap_or_default()) " " (e.currency.clone().unwrap_or_default()) }
                            td { (e.queue) }
                            @if may_settle {
                                td {
                                    form method="post" action=(format!("/ui/documents/{}/settle", e.id)) {
                                        input type="hidden" name="csrf" value=(viewer.csrf);
                                        input name="reference" placeholder="payment reference" size="16";
                                        button type="submit" { "Mark paid" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    layout("Due", Some(&viewer), body)
}

#[derive(Deserialize)]
pub struct SettleForm {
    csrf: Option<String>,
    reference: Option<String>,
}

/// `POST /ui/documents/{id}/settle`: a reviewer marks a document paid (audited in their name).
pub async fn settle(State(ui): State<Arc<Ui>>, viewer: Viewer, Path(id): Path<String>, axum::Form(f): axum::Form<SettleForm>) -> Response {
    if !viewer.csrf_ok(f.csrf.as_deref()) {
        return json_error(StatusCode::FORBIDDEN, "missing or wrong CSRF token");
    }
    if let Some(r) = viewer.forbids(&ui, crate::people::Role::may_review, "mark documents paid") {
        return r;
    }
    let Ok(id) = crate::vocab::DocumentId::parse(&id) else { return error_page(StatusCode::NOT_FOUND, Some(&viewer), "No such document.") };
    let (ui2, v2, id2) = (ui.clone(), viewer.clone(), id.to_string());
    let done = blocking(move || {
        // Only what the user may see.
        let row = ui2.catalog.get(&id2).map_err(|e| e.to_string())?;
        if !row.is_some_and(|r| v2.user.may_see(r.doc_type.as_deref().and_then(crate::index::DocType::from_name))) {
            return Err("no such document".to_string());
        }
        let reference = f.reference.as_deref().map(str::trim).filter(|r| !r.is_empty());
        crate::due::settle(&ui2.records.acting_as(&v2.actor()), &id2, reference).map(|_| ()).map_err(|e| e.to_string())
    })
    .await;
    match done {
        Ok(Ok(())) => Redirect::to("/ui/due").into_response(),
        Ok(Err(e)) => error_page(StatusCode::CONFLICT, Some(&viewer), &e),
        Err(r) => r,
    }
}

/// A document's resubmissions in its view, and the form that adds one (reviewers).
pub fn resubmission_section(viewer: &Viewer, i: &crate::index::DocumentIndex, list: &[crate::resubmit::Resubmission]) -> maud::Markup {
    html! {
        h2 { "Resubmissions" }
        @if list.is_empty() { p.meta { "None." } }
        ul.resubmissions #resubmissions {
            @for r in list {
                li.done[r.done.is_some()] data-n=(r.n) {
                    strong { (german_date(&r.on.format("%Y-%m-%d").to_string())) } " · " (r.to.clone().unwrap_or_else(|| "everyone".into())) " · " (r.note)
                    " · by " (r.by)
                    @if let Some(d) = &r.done { " · done by " (d.by) }
                }
            }
        }
        @if viewer.user.role.may_review() {
            form.resubmit #resubmit-form method="post" action=(format!("/ui/documents/{}/resubmit", i.id)) {
                input type="hidden" name="csrf" value=(viewer.csrf);
                input type="date" name="on" required;
                input name="to" placeholder="for (user; empty: everyone)" size="16";
                input name="note" required placeholder="note, e.g. Skonto prüfen" size="24";
                button type="submit" { "Resubmit" }
            }
        }
    }
}

#[derive(Deserialize)]
pub struct ResubmitForm {
    csrf: Option<String>,
    on: String,
    to: Option<String>,
    note: String,
}

/// `POST /ui/documents/{id}/resubmit`: a reviewer puts the document on a date.
pub async fn resubmit(State(ui): State<Arc<Ui>>, viewer: Viewer, Path(id): Path<String>, axum::Form(f): axum::Form<ResubmitForm>) -> Response {
    if !viewer.csrf_ok(f.csrf.as_deref()) {
        return json_error(StatusCode::FORBIDDEN, "missing or wrong CSRF token");
    }
    if let Some(r) = viewer.forbids(&ui, crate::people::Role::may_review, "put documents on a date") {
        return r;
    }
    let Ok(id) = crate::vocab::DocumentId::parse(&id) else { return error_page(StatusCode::NOT_FOUND, Some(&viewer), "No such document.") };
    let Ok(on) = chrono::NaiveDate::parse_from_str(f.on.trim(), "%Y-%m-%d") else { return error_page(StatusCode::BAD_REQUEST, Some(&viewer), "The day is not a date (YYYY-MM-DD).") };
    let (ui2, v2, id2) = (ui.clone(), viewer.clone(), id.to_string());
    let done = blocking(move || {
        if !visible(&ui2, &v2, &id2) {
            return Err("no such document".to_string());
        }
        let to = f.to.as_deref().map(str::trim).filter(|t| !t.is_empty());
        crate::resubmit::add(&ui2.records.acting_as(&v2.actor()), &id2, on, to, &f.note).map(|_| ()).map_err(|e| e.to_string())
    })
    .await;
    match done {
        Ok(Ok(())) => Redirect::to(&format!("/ui/documents/{id}")).into_response(),
        Ok(Err(e)) => error_page(StatusCode::BAD_REQUEST, Some(&viewer), &e),
        Err(r) => r,
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: Option<String>,
}

/// `POST /ui/documents/{id}/resubmissions/{n}/done`.
pub async fn resubmission_done(State(ui): State<Arc<Ui>>, viewer: Viewer, Path((id, n)): Path<(String, u32)>, axum::Form(f): axum::Form<CsrfForm>) -> Response {
    if !viewer.csrf_ok(f.csrf.as_deref()) {
        return json_error(StatusCode::FORBIDDEN, "missing or wrong CSRF token");
    }
    if let Some(r) = viewer.forbids(&ui, crate::people::Role::may_review, "mark resubmissions done") {
        return r;
    }
    let Ok(id) = crate::vocab::DocumentId::parse(&id) else { return error_page(StatusCode::NOT_FOUND, Some(&viewer), "No such document.") };
    let (ui2, v2, id2) = (ui.clone(), viewer.clone(), id.to_string());
    let done = blocking(move || {
        if !visible(&ui2, &v2, &id2) {
            return Err("no such document".to_string());
        }
        crate::resubmit::done(&ui2.records.acting_as(&v2.actor()), &id2, n).map(|_| ()).map_err(|e| e.to_string())
    })
    .await;
    match done {
        Ok(Ok(())) => Redirect::to("/ui/resubmissions").into_response(),
        Ok(Err(e)) => error_page(StatusCode::CONFLICT, Some(&viewer), &e),
        Err(r) => r,
    }
}

fn visible(ui: &Ui, viewer: &Viewer, id: &str) -> bool {
    super::may_see(ui, &viewer.user, id)
}

/// `/ui/resubmissions`: what comes up today (or came up before) for the user or everyone.
pub async fn resubmissions(State(ui): State<Arc<Ui>>, viewer: Viewer) -> Response {
    let today = chrono::Utc::now().date_naive();
    let (ui2, v2) = (ui.clone(), viewer.clone());
    let list = blocking(move || -> Result<Vec<(crate::resubmit::Resubmission, crate::catalog::Entry)>, String> {
        let open = crate::resubmit::due(ui2.catalog.as_ref(), today, Some(&v2.user.name)).map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        for r in open {
            if let Ok(Some(e)) = ui2.catalog.get(&r.document) {
                if v2.user.may_see(e.doc_type.as_deref().and_then(crate::index::DocType::from_name)) {
                    out.push((r, e));
                }
            }
        }
        Ok(out)
    })
    .await;
    let list = match list {
        Ok(Ok(l)) => l,
        Ok(Err(e)) => return error_page(StatusCode::SERVICE_UNAVAILABLE, Some(&viewer), &e),
        Err(r) => return r,
    };
    let may = viewer.user.role.may_review();
    let body = html! {
        section.due {
            h1 { "Resubmissions up to today" }
            p.meta { (list.len()) " open, for you or everyone" }
            table.queue #resubmission-list {
                thead { tr { th { "Day" } th { "Document" } th { "For" } th { "Note" } th { "By" } @if may { th {} } } }
                tbody {
                    @for (r, e) in &list {
                        tr.overdue[r.on < today] data-id=(r.document) {
                            td { (german_date(&r.on.format("%Y-%m-%d").to_string())) }
                            td { a href=(format!("/ui/documents/{}", r.document)) { (e.seller_name.clone().unwrap_or_else(|| e.source_name.clone())) } " · " (e.doc_type.clone().unwrap_or_default()) }
                            td { (r.to.clone().unwrap_or_else(|| "everyone".into())) }
                            td { (r.note) }
                            td { (r.by) }
                            @if may {
                                td {
                                    form method="post" action=(format!("/ui/documents/{}/resubmissions/{}/done", r.document, r.n)) {
                                        input type="hidden" name="csrf" value=(viewer.csrf);
                                        button type="submit" { "Done" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    layout("Resubmissions", Some(&viewer), body)
}

/// `/ui/lists`: the pipeline file's lists (virtual folders); `/ui/lists/{n}`: one of them,
/// limited to the document types the user may see.
pub async fn lists(State(ui): State<Arc<Ui>>, viewer: Viewer) -> Response {
    let body = html! {
        section.due {
            h1 { "Lists" }
            @if ui.lists.is_empty() { p.meta { "No lists are defined: add [[lists]] to the pipeline file (README, \"Lists\")." } }
            ul #lists { @for (n, l) in ui.lists.iter().enumerate() { li { a href=(format!("/ui/lists/{n}")) { (l.name) } } } }
        }
    };
    layout("Lists", Some(&viewer), body)
}

pub async fn list_one(State(ui): State<Arc<Ui>>, viewer: Viewer, Path(n): Path<usize>) -> Response {
    let Some(def) = ui.lists.get(n).cloned() else { return error_page(StatusCode::NOT_FOUND, Some(&viewer), "No such list.") };
    let Ok(q) = def.query() else { return error_page(StatusCode::INTERNAL_SERVER_ERROR, Some(&viewer), "The list's definition is not valid.") };
    let q = super::queue::within_types(q, &viewer.user).map(|q| crate::catalog::Query { limit: Some(200), ..q });
    let ui2 = ui.clone();
    let entries = match blocking(move || q.map_or(Ok(Vec::new()), |q| ui2.catalog.find(&q))).await {
        Ok(Ok(e)) => e,
        Ok(Err(e)) => return error_page(StatusCode::SERVICE_UNAVAILABLE, Some(&viewer), &e.to_string()),
        Err(r) => return r,
    };
    let body = html! {
        section.due {
            h1 { (def.name) }
            p.meta { (entries.len()) " document(s)" @if entries.len() == 200 { " (the first 200)" } }
            table.queue #list {
                thead { tr { th { "Received" } th { "Type" } th { "Seller" } th { "Number" } th { "Issued" } th { "Due" } th.num { "Gross" } th { "State" } } }
                tbody {
                    @for e in &entries {
                        tr data-id=(e.id) {
                            td { a href=(format!("/ui/documents/{}", e.id)) { (german_date(&e.received_at)) } }
                            td { (e.doc_type.clone().unwrap_or_default()) }
                            td { (e.seller_name.clone().unwrap_or_else(|| e.source_name.clone())) }
                            td { (e.invoice_number.clone().unwrap_or_default()) }
                            td { (e.issue_date.as_deref().map(german_date).unwrap_or_default()) }
                            td { (e.due_date.as_deref().map(german_date).unwrap_or_default()) }
                            td.num { (e.gross_total.clone().unwrap_or_default()) " " (e.currency.clone().unwrap_or_default()) }
                            td { (e.queue) }
                        }
                    }
                }
            }
        }
    };
    layout(&def.name, Some(&viewer), body)
}
