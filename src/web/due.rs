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
