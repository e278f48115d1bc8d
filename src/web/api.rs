//! The REST API (`/api/v1`, JSON) for what the UI does beyond the queue: search, the due list
//! and settling (an ERP marks invoices paid), resubmissions, lists. The same users, roles and
//! document types as the UI: a personal API token (`mailroom user token NAME`) as
//! `Authorization: Bearer`, or the UI's session cookie (then a state-changing request needs
//! its CSRF token in `X-CSRF-Token`). Described in `docs/openapi.json`.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Path, Query as QueryParams, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{blocking, Ui};
use crate::catalog::Query;
use crate::people::User;

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": message.into()}))).into_response()
}

/// Who is asking, and whether a state change needs the CSRF header (cookie sessions only).
pub struct Caller {
    user: User,
    csrf: Option<String>,
}

impl FromRequestParts<Arc<Ui>> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, ui: &Arc<Ui>) -> Result<Caller, Response> {
        let bearer = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).map(|t| t.trim().to_string());
        if let Some(token) = bearer {
            let ui2 = ui.clone();
            let user = blocking(move || ui2.people.api_user(&token)).await?.map_err(|_| error(StatusCode::SERVICE_UNAVAILABLE, "the user database is out of reach"))?;
            return match user {
                Some(user) => Ok(Caller { user, csrf: None }),
                None => Err(error(StatusCode::UNAUTHORIZED, "unknown, revoked or disabled API token")),
            };
        }
        match super::auth::Viewer::from_request_parts(parts, ui).await {
            Ok(v) => Ok(Caller { user: v.user, csrf: Some(v.csrf) }),
            Err(_) => Err(error(StatusCode::UNAUTHORIZED, "an API token (Authorization: Bearer) or a UI session is required")),
        }
    }
}

impl Caller {
    /// A state change: reviewers and admins only; with a cookie session, the CSRF header too.
    fn may_change(&self, headers: &HeaderMap) -> Result<(), Box<Response>> {
        if let Some(csrf) = &self.csrf {
            let given = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
            if !given.is_some_and(|g| subtle::ConstantTimeEq::ct_eq(g.as_bytes(), csrf.as_bytes()).into()) {
                return Err(Box::new(error(StatusCode::FORBIDDEN, "missing or wrong CSRF token (X-CSRF-Token)")));
            }
        }
        if !self.user.role.may_review() {
            return Err(Box::new(error(StatusCode::FORBIDDEN, format!("the role {} changes nothing", self.user.role.as_str()))));
        }
        Ok(())
    }

    /// Narrows a query to the types the caller may see; `None`: nothing can match.
    fn limit(&self, q: Query) -> Option<Query> {
        super::queue::within_types(q, &self.user)
    }

    fn may_see(&self, ui: &Ui, id: &str) -> bool {
        super::may_see(ui, &self.user, id)
    }
}

fn entry_json(e: &crate::catalog::Entry) -> Value {
    json!({
        "id": e.id, "name": e.source_name, "doc_type": e.doc_type, "invoice_number": e.invoice_number, "issue_date": e.issue_date,
        "due_date": e.due_date, "seller_name": e.seller_name, "gross_total": e.gross_total, "currency": e.currency,
        "review_state": e.review_state, "queue": e.queue, "settled_at": e.settled_at,
    })
}

#[derive(Deserialize, Default)]
pub struct SearchParams {
    q: String,
    #[serde(rename = "type")]
    doc_type: Option<String>,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
    limit: Option<usize>,
}

pub async fn search(State(ui): State<Arc<Ui>>, caller: Caller, QueryParams(p): QueryParams<SearchParams>) -> Response {
    let Some(q) = crate::search::Query::parse(&p.q) else { return error(StatusCode::BAD_REQUEST, "q: nothing to search for") };
    let doc_types = match p.doc_type.as_deref().map(|t| crate::index::DocType::from_name(t).ok_or(t)) {
        Some(Ok(t)) => vec![t],
        Some(Err(t)) => return error(StatusCode::BAD_REQUEST, format!("type: unknown document type {t:?}")),
        None => Vec::new(),
    };
    let Some(filter) = caller.limit(Query { doc_types, from: p.from, to: p.to, limit: Some(p.limit.unwrap_or(20).clamp(1, 200)), ..Query::default() }) else {
        return Json(json!({"hits": []})).into_response();
    };
    let (ui2, q2) = (ui.clone(), q.clone());
    match blocking(move || ui2.catalog.search(&q2, &filter)).await {
        Ok(Ok(hits)) => {
            let hits: Vec<Value> = hits
                .iter()
                .filter(|h| h.entry.queue != "superseded")
                .map(|h| {
                    let mut v = entry_json(&h.entry);
                    v["rank"] = json!(h.rank);
                    v["passage"] = json!(crate::search::passage(&h.raw, &q, 200));
                    v
                })
                .collect();
            Json(json!({"hits": hits})).into_response()
        }
        Ok(Err(e)) => error(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
        Err(r) => r,
    }
}

#[derive(Deserialize, Default)]
pub struct DueParams {
    within: Option<u32>,
}

pub async fn due(State(ui): State<Arc<Ui>>, caller: Caller, QueryParams(p): QueryParams<DueParams>) -> Response {
    let (ui2, types) = (ui.clone(), caller.user.doc_types.clone());
    let days = p.within.unwrap_or(ui.due.lead_days).min(3650);
    let today = chrono::Utc::now().date_naive();
    match blocking(move || crate::due::list(ui2.catalog.as_ref(), days, today, types.as_deref())).await {
        Ok(Ok(list)) => Json(json!({"within_days": days, "documents": list.iter().map(|e| crate::due::event(e, today)).collect::<Vec<_>>()})).into_response(),
        Ok(Err(e)) => error(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
        Err(r) => r,
    }
}

#[derive(Deserialize, Default)]
pub struct SettleBody {
    reference: Option<String>,
}

pub async fn settle(State(ui): State<Arc<Ui>>, caller: Caller, headers: HeaderMap, Path(id): Path<String>, body: Option<Json<SettleBody>>) -> Response {
    if let Err(r) = caller.may_change(&headers) {
        return *r;
    }
    let Ok(id) = crate::vocab::DocumentId::parse(&id) else { return error(StatusCode::NOT_FOUND, "no such document") };
    let reference = body.and_then(|b| b.0.reference).map(|r| r.trim().to_string()).filter(|r| !r.is_empty() && r.chars().count() <= 200);
    let (ui2, id2) = (ui.clone(), id.to_string());
    let actor = format!("api:{}", caller.user.name);
    match blocking(move || {
        if !caller.may_see(&ui2, &id2) {
            return Err((StatusCode::NOT_FOUND, "no such document".to_string()));
        }
        crate::due::settle(&ui2.records.acting_as(&actor), &id2, reference.as_deref()).map_err(|e| match e {
            crate::due::DueError::AlreadySettled(..) => (StatusCode::CONFLICT, e.to_string()),
            crate::due::DueError::NotFound(_) => (StatusCode::NOT_FOUND, e.to_string()),
            e => (StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
        })
    })
    .await
    {
        Ok(Ok(r)) => Json(json!({"id": id, "revision": r.index.key, "settled": true})).into_response(),
        Ok(Err((s, m))) => error(s, m),
        Err(r) => r,
    }
}

#[derive(Deserialize, Default)]
pub struct ResubmissionParams {
    on: Option<chrono::NaiveDate>,
}

pub async fn resubmissions(State(ui): State<Arc<Ui>>, caller: Caller, QueryParams(p): QueryParams<ResubmissionParams>) -> Response {
    let day = p.on.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let ui2 = ui.clone();
    match blocking(move || -> Result<Vec<crate::index::Resubmission>, String> {
        let open = crate::resubmit::due(ui2.catalog.as_ref(), day, Some(&caller.user.name)).map_err(|e| e.to_string())?;
        Ok(open.into_iter().filter(|r| caller.may_see(&ui2, &r.document)).collect())
    })
    .await
    {
        Ok(Ok(list)) => Json(json!({"on_or_before": day, "resubmissions": list})).into_response(),
        Ok(Err(e)) => error(StatusCode::SERVICE_UNAVAILABLE, e),
        Err(r) => r,
    }
}

#[derive(Deserialize)]
pub struct ResubmitBody {
    on: chrono::NaiveDate,
    to: Option<String>,
    note: String,
}

pub async fn resubmit(State(ui): State<Arc<Ui>>, caller: Caller, headers: HeaderMap, Path(id): Path<String>, Json(b): Json<ResubmitBody>) -> Response {
    if let Err(r) = caller.may_change(&headers) {
        return *r;
    }
    let Ok(id) = crate::vocab::DocumentId::parse(&id) else { return error(StatusCode::NOT_FOUND, "no such document") };
    let (ui2, id2, actor) = (ui.clone(), id.to_string(), format!("api:{}", caller.user.name));
    match blocking(move || {
        if !caller.may_see(&ui2, &id2) {
            return Err((StatusCode::NOT_FOUND, "no such document".to_string()));
        }
        crate::resubmit::add(&ui2.records.acting_as(&actor), &id2, b.on, b.to.as_deref().map(str::trim).filter(|t| !t.is_empty()), &b.note).map_err(|e| (StatusCode::BAD_REQUEST, e.to_string()))
    })
    .await
    {
        Ok(Ok(r)) => (StatusCode::CREATED, Json(json!(r))).into_response(),
        Ok(Err((s, m))) => error(s, m),
        Err(r) => r,
    }
}

pub async fn resubmission_done(State(ui): State<Arc<Ui>>, caller: Caller, headers: HeaderMap, Path((id, n)): Path<(String, u32)>) -> Response {
    if let Err(r) = caller.may_change(&headers) {
        return *r;
    }
    let Ok(id) = crate::vocab::DocumentId::parse(&id) else { return error(StatusCode::NOT_FOUND, "no such document") };
    let (ui2, id2, actor) = (ui.clone(), id.to_string(), format!("api:{}", caller.user.name));
    match blocking(move || {
        if !caller.may_see(&ui2, &id2) {
            return Err((StatusCode::NOT_FOUND, "no such document".to_string()));
        }
        crate::resubmit::done(&ui2.records.acting_as(&actor), &id2, n).map_err(|e| (StatusCode::CONFLICT, e.to_string()))
    })
    .await
    {
        Ok(Ok(r)) => Json(json!(r)).into_response(),
        Ok(Err((s, m))) => error(s, m),
        Err(r) => r,
    }
}

pub async fn lists(State(ui): State<Arc<Ui>>, _caller: Caller) -> Response {
    Json(json!({"lists": ui.lists.iter().enumerate().map(|(n, l)| json!({"n": n, "name": l.name})).collect::<Vec<_>>()})).into_response()
}

pub async fn list_one(State(ui): State<Arc<Ui>>, caller: Caller, Path(n): Path<usize>) -> Response {
    let Some(def) = ui.lists.get(n).cloned() else { return error(StatusCode::NOT_FOUND, "no such list") };
    let Ok(q) = def.query() else { return error(StatusCode::INTERNAL_SERVER_ERROR, "the list's definition is not valid") };
    let Some(mut q) = caller.limit(q) else { return Json(json!({"name": def.name, "documents": []})).into_response() };
    q.limit = Some(500);
    let ui2 = ui.clone();
    match blocking(move || ui2.catalog.find(&q)).await {
        Ok(Ok(rows)) => Json(json!({"name": def.name, "documents": rows.iter().map(entry_json).collect::<Vec<_>>()})).into_response(),
        Ok(Err(e)) => error(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
        Err(r) => r,
    }
}

pub async fn stamps(State(ui): State<Arc<Ui>>, caller: Caller, Path(id): Path<String>) -> Response {
    let Ok(id) = crate::vocab::DocumentId::parse(&id) else { return error(StatusCode::NOT_FOUND, "no such document") };
    let (ui2, id2) = (ui.clone(), id.to_string());
    match blocking(move || {
        if !caller.may_see(&ui2, &id2) {
            return Err((StatusCode::NOT_FOUND, "no such document".to_string()));
        }
        crate::stamps::all_of(&ui2.records.archive, &id2).map_err(|e| (StatusCode::SERVICE_UNAVAILABLE, e.to_string()))
    })
    .await
    {
        Ok(Ok(list)) => Json(json!({"stamps": list})).into_response(),
        Ok(Err((s, m))) => error(s, m),
        Err(r) => r,
    }
}

#[derive(Deserialize)]
pub struct StampBody {
    kind: String,
    #[serde(default)]
    text: String,
    #[serde(default = "first_page")]
    page: u32,
    /// `top-right` (default), `top-left`, `bottom-right`, `bottom-left`; or an explicit box.
    #[serde(default)]
    corner: Option<String>,
    #[serde(default)]
    bbox: Option<[f32; 4]>,
}

fn first_page() -> u32 {
    1
}

pub async fn stamp(State(ui): State<Arc<Ui>>, caller: Caller, headers: HeaderMap, Path(id): Path<String>, Json(b): Json<StampBody>) -> Response {
    if let Err(r) = caller.may_change(&headers) {
        return *r;
    }
    let Ok(id) = crate::vocab::DocumentId::parse(&id) else { return error(StatusCode::NOT_FOUND, "no such document") };
    let bbox = match (b.bbox, b.corner.as_deref().unwrap_or("top-right")) {
        (Some(bb), _) if bb.iter().all(|v| v.is_finite() && *v >= 0.0 && *v < 20_000.0) && bb[0] < bb[2] && bb[1] < bb[3] => bb,
        (Some(_), _) => return error(StatusCode::BAD_REQUEST, "bbox: [x0, y0, x1, y1] in points from the top left, x0 < x1, y0 < y1"),
        (None, c) => match crate::stamps::Corner::parse(c) {
            Some(c) => c.bbox(595.0, 842.0),
            None => return error(StatusCode::BAD_REQUEST, "corner: top-left, top-right, bottom-left or bottom-right"),
        },
    };
    let (ui2, id2, actor) = (ui.clone(), id.to_string(), format!("api:{}", caller.user.name));
    match blocking(move || {
        if !caller.may_see(&ui2, &id2) {
            return Err((StatusCode::NOT_FOUND, "no such document".to_string()));
        }
        crate::stamps::add(&ui2.records.acting_as(&actor), &ui2.stamps, &id2, &b.kind, &b.text, b.page, bbox).map_err(|e| (StatusCode::BAD_REQUEST, e.to_string()))
    })
    .await
    {
        Ok(Ok(s)) => (StatusCode::CREATED, Json(json!(s))).into_response(),
        Ok(Err((s, m))) => error(s, m),
        Err(r) => r,
    }
}

/// The OpenAPI description of this API.
pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], include_str!("../../docs/openapi.json")).into_response()
}
