//! The audit trail for auditors and admins: the newest entries (all, or one document's, or
//! one person's), and `verify` — the same check as `mailroom verify` — on request.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use maud::html;
use serde::Deserialize;

use super::auth::CsrfForm;
use super::{blocking, error_page, json_error, layout, Ui, Viewer};
use crate::people::Role;

/// Entries shown on one page.
const SHOWN: usize = 200;
/// Entries looked at, at most, for a filtered page.
const SCANNED: u64 = 20_000;

fn may_audit(r: Role) -> bool {
    matches!(r, Role::Auditor | Role::Admin)
}

#[derive(Debug, Default, Deserialize)]
pub struct AuditParams {
    document: Option<String>,
    actor: Option<String>,
}

pub async fn trail(State(ui): State<Arc<Ui>>, viewer: Viewer, Query(p): Query<AuditParams>) -> Response {
    if let Some(r) = viewer.forbids(&ui, may_audit, "read the audit trail") {
        return r;
    }
    let document = p.document.clone().filter(|d| !d.is_empty());
    let actor = p.actor.clone().filter(|a| !a.is_empty());
    let ui2 = ui.clone();
    let (d2, a2) = (document.clone(), actor.clone());
    let found = blocking(move || {
        ui2.records
            .archive
            .audit()
            .latest(SHOWN, SCANNED, |e| d2.as_deref().is_none_or(|d| e.document.as_deref().is_some_and(|x| x.starts_with(d))) && a2.as_deref().is_none_or(|a| e.actor.contains(a)))
    })
    .await;
    let entries = match found {
        Ok(Ok(e)) => e,
        Ok(Err(e)) => return error_page(StatusCode::SERVICE_UNAVAILABLE, Some(&viewer), &format!("The audit trail cannot be read: {e}")),
        Err(r) => return r,
    };
    layout(
        "Audit trail",
        Some(&viewer),
        html! {
            section.admin {
                h1 { "Audit trail" }
                p.hint { "The newest " (SHOWN) " entries" @if document.is_some() || actor.is_some() { " that match, among the newest " (SCANNED) } ". The chain is proven by verify, below." }
                form.filters method="get" action="/ui/audit" {
                    label { "Document " input name="document" value=(document.clone().unwrap_or_default()) placeholder="id or its start"; }
                    label { "Actor " input name="actor" value=(actor.clone().unwrap_or_default()) placeholder="e.g. ui:anna"; }
                    button type="submit" { "Filter" }
                }
                form method="post" action="/ui/audit/verify" {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    button #verify type="submit" { "Verify the whole archive" }
                }
                table.queue #audit {
                    thead { tr { th { "#" } th { "When" } th { "Actor" } th { "Event" } th { "Document" } th { "Details" } } }
                    tbody {
                        @for e in &entries {
                            tr {
                                td.num title=(e.lane.as_deref().unwrap_or("anchor chain")) { (e.lane.as_deref().and_then(|l| l.rsplit('-').next()).and_then(|r| r.get(..6)).map(|r| format!("{r}·")).unwrap_or_default()) (e.seq) }
                                td { (e.at.get(..19).unwrap_or(&e.at)) }
                                td { (e.actor) }
                                td { (e.event.as_str()) }
                                td { @if let Some(d) = &e.document { a href=(format!("/ui/documents/{d}")) { (d.get(..12).unwrap_or(d)) } } }
                                td.details { (e.details.to_string().chars().take(240).collect::<String>()) }
                            }
                        }
                    }
                }
            }
        },
    )
}

pub async fn verify(State(ui): State<Arc<Ui>>, viewer: Viewer, Form(f): Form<CsrfForm>) -> Response {
    if !viewer.csrf_ok(f.csrf.as_deref()) {
        return json_error(StatusCode::FORBIDDEN, "missing or wrong CSRF token");
    }
    if let Some(r) = viewer.forbids(&ui, may_audit, "verify the archive") {
        return r;
    }
    let ui2 = ui.clone();
    let report = match blocking(move || crate::audit::verify::verify(&**ui2.records.archive.store())).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return error_page(StatusCode::SERVICE_UNAVAILABLE, Some(&viewer), &format!("The archive cannot be read: {e}")),
        Err(r) => return r,
    };
    tracing::info!(by = %viewer.user.name, entries = report.entries, objects = report.objects, findings = report.findings.len(), "verify run from the review UI");
    layout(
        "Verify",
        Some(&viewer),
        html! {
            section.admin {
                h1 { "Verify" }
                @if report.is_clean() {
                    p.ok #verify-result { "Clean: " (report.entries) " audit entries chained and intact, " (report.objects) " objects match their recorded hashes" @if report.purged > 0 { ", " (report.purged) " purged with approval" } "." }
                } @else {
                    p.bad #verify-result { (report.findings.len()) " findings in " (report.entries) " entries and " (report.objects) " objects:" }
                    ul { @for f in &report.findings { li { (serde_json::to_string(f).unwrap_or_default()) } } }
                }
                p { a href="/ui/audit" { "Back to the audit trail" } }
            }
        },
    )
}
