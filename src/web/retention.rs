//! Retention approvals (admins): the documents whose retain-until date has passed, and their
//! purge with a written approval — the same rules as `mailroom retention purge`: never under a
//! legal hold, never before the date, every object's hash in the audit trail first.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;

use super::queue::german_date;
use super::{blocking, error_page, form_pairs, json_error, layout, Ui, Viewer};
use crate::archive::RetentionStatus;
use crate::catalog::Query;
use crate::people::Role;
use crate::vocab::DocumentId;

/// Candidates looked at on one page.
const SHOWN: usize = 200;

fn candidates(ui: &Ui) -> Result<Vec<RetentionStatus>, String> {
    let today = chrono::Utc::now().date_naive();
    let rows = ui.catalog.find(&Query { retained_until_by: Some(today), limit: Some(SHOWN), ..Query::default() }).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for r in rows {
        let Ok(id) = DocumentId::parse(&r.id) else { continue };
        // The objects' own locks decide, not the catalog's copy of the date.
        out.push(ui.records.archive.retention_status(&id).map_err(|e| e.to_string())?);
    }
    Ok(out)
}

pub async fn page(State(ui): State<Arc<Ui>>, viewer: Viewer) -> Response {
    if let Some(r) = viewer.forbids(&ui, Role::may_administer, "approve purges") {
        return r;
    }
    let ui2 = ui.clone();
    let list = match blocking(move || candidates(&ui2)).await {
        Ok(Ok(l)) => l,
        Ok(Err(e)) => return error_page(StatusCode::SERVICE_UNAVAILABLE, Some(&viewer), &e),
        Err(r) => return r,
    };
    render(&viewer, &list, None)
}

fn render(viewer: &Viewer, list: &[RetentionStatus], result: Option<&[String]>) -> Response {
    let expired = list.iter().filter(|s| s.expired()).count();
    layout(
        "Retention",
        Some(viewer),
        html! {
            section.admin {
                h1 { "Retention" }
                @if let Some(lines) = result { ul #purge-result { @for l in lines { li { (l) } } } }
                p.hint { "Documents whose retain-until date has passed (§ 147 AO), by the locks on their objects. A purge deletes every object of the document after writing their hashes and your approval to the audit trail; a legal hold or a later date refuses it." }
                @if list.is_empty() {
                    p.empty #retention-empty { "No document has passed its retention." }
                } @else {
                    form method="post" action="/ui/admin/retention" {
                        input type="hidden" name="csrf" value=(viewer.csrf);
                        table.queue #retention {
                            thead { tr { th { "" } th { "Document" } th { "Type" } th { "Rule" } th { "Retained until" } th { "Hold" } } }
                            tbody {
                                @for s in list {
                                    tr {
                                        td { input type="checkbox" name="id" value=(s.id.to_string()) disabled[!s.expired()]; }
                                        td { (s.name.clone().unwrap_or_default()) " " span.hint { (s.id.short(12)) } }
                                        td { (s.doc_type.map(|t| t.as_str()).unwrap_or("—")) }
                                        td { (s.rule.clone().unwrap_or_default()) }
                                        td { (s.retain_until.map(|u| german_date(&u.to_rfc3339())).unwrap_or_default()) }
                                        td { @if s.legal_hold { "held" } }
                                    }
                                }
                            }
                        }
                        p { label { "Approval (who approves, reference) " input name="approval" required size="40" placeholder="J. Schmidt, Löschfreigabe 2026-12"; } }
                        button type="submit" disabled[expired == 0] { "Purge the ticked documents" }
                    }
                }
            }
        },
    )
}

/// `POST /ui/admin/retention`: purges the ticked documents with the approval given.
pub async fn purge(State(ui): State<Arc<Ui>>, viewer: Viewer, body: String) -> Response {
    let pairs: Vec<(String, String)> = form_pairs(&body);
    let one = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    if !viewer.csrf_ok(one("csrf").as_deref()) {
        return json_error(StatusCode::FORBIDDEN, "missing or wrong CSRF token");
    }
    if let Some(r) = viewer.forbids(&ui, Role::may_administer, "approve purges") {
        return r;
    }
    let approval = one("approval").unwrap_or_default().trim().to_string();
    if approval.is_empty() {
        return error_page(StatusCode::BAD_REQUEST, Some(&viewer), "A purge needs a written approval (who, reference).");
    }
    let ids: Vec<DocumentId> = pairs.iter().filter(|(k, _)| k == "id").filter_map(|(_, v)| DocumentId::parse(v).ok()).collect();
    let (ui2, who) = (ui.clone(), viewer.actor());
    let done = blocking(move || {
        let mut lines = Vec::new();
        for id in &ids {
            match ui2.records.archive.purge(id, &who, &approval) {
                Ok(n) => {
                    if let Err(e) = ui2.catalog.remove(id) {
                        lines.push(format!("{}: purged ({n} objects), but still in the catalog ({e}); run mailroom catalog rebuild", id.short(12)));
                    } else {
                        lines.push(format!("{}: purged, {n} objects", id.short(12)));
                    }
                }
                Err(e) => lines.push(format!("{}: not purged: {e}", id.short(12))),
            }
        }
        let list = candidates(&ui2).unwrap_or_default();
        (lines, list)
    })
    .await;
    match done {
        Ok((lines, list)) => render(&viewer, &list, Some(&lines)),
        Err(r) => r,
    }
}
