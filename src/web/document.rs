//! One document: its pages with every value's box, the values with how far to trust each and
//! why, the checks (recomputed live by the pipeline's own code), the history of its
//! revisions, downloads — and the corrections and decision of a reviewer.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Query as QueryParams, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use maud::html;
use serde::Deserialize;
use serde_json::{json, Value};

use super::pages::PAGE_WIDTH_PX;
use super::queue::{german_date, next_to_review};
use super::{blocking, error_page, json_error, layout, script_json, Ui, Viewer};
use crate::archive::ArchiveError;
use crate::extract::REVIEW_THRESHOLD;
use crate::index::{Check, DocType, DocTypeResult, DocumentIndex, FieldValue, LineItem, Origin, Status, VatBreakdown};
use crate::layout::Page;
use crate::processor::DecideError;
use crate::review::{checks_of, fields_of_check, normalise, recheck, Decision, ReviewError};
use crate::vocab::{DocumentId, Field, FieldKind, MediaType};

/// Whether a document type is booked (and so has mandatory values).
fn booking(t: Option<DocType>) -> bool {
    matches!(t, Some(DocType::Invoice | DocType::CreditNote | DocType::Receipt))
}

/// How far a value may be trusted, as the UI colours it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trust {
    /// A failing check or a missing mandatory value.
    Red,
    /// Below the review threshold.
    Amber,
    /// Confident, or set or confirmed by a person.
    Green,
    /// Empty and not needed.
    Empty,
}

impl Trust {
    fn class(self) -> &'static str {
        match self {
            Trust::Red => "red",
            Trust::Amber => "amber",
            Trust::Green => "green",
            Trust::Empty => "empty",
        }
    }
}

/// The trust of each field of `index`, and why it is not green.
fn assess(index: &DocumentIndex) -> BTreeMap<Field, (Trust, Vec<String>)> {
    let doc_type = index.doc_type.as_ref().map(|d| d.label);
    let mut out = BTreeMap::new();
    for f in Field::ALL {
        let mut why = Vec::new();
        let value = index.fields.get(&f);
        let mut trust = match value {
            None if booking(doc_type) && f.mandatory() => {
                why.push("missing: needed to book the document".to_string());
                Trust::Red
            }
            None => Trust::Empty,
            Some(v) if v.vouched_for() || v.source.as_ref().is_some_and(|s| s.from == Origin::Xml) => Trust::Green,
            Some(v) if v.confidence < REVIEW_THRESHOLD => {
                why.push(format!("confidence {:.2} is below {REVIEW_THRESHOLD:.2}", v.confidence));
                Trust::Amber
            }
            Some(_) => Trust::Green,
        };
        for c in index.checks.iter().filter(|c| !c.passed && fields_of_check(&c.name).contains(&f)) {
            why.push(c.message.clone());
            if value.is_some() || trust != Trust::Empty {
                trust = Trust::Red;
            }
        }
        out.insert(f, (trust, why));
    }
    out
}

/// `seller_vat_id` → `Seller VAT ID`.
fn label(f: Field) -> String {
    let words: Vec<String> = f
        .as_str()
        .split('_')
        .enumerate()
        .map(|(i, w)| match w {
            "vat" | "id" | "iban" | "bic" => w.to_uppercase(),
            _ if i == 0 => w.get(..1).unwrap_or("").to_uppercase() + w.get(1..).unwrap_or(""),
            _ => w.to_string(),
        })
        .collect();
    words.join(" ")
}

fn provenance(v: &FieldValue) -> String {
    match &v.source {
        Some(s) if s.from == Origin::Person => format!("set by {}", s.by.as_deref().unwrap_or("a person")),
        Some(s) => {
            let read = format!("{} {:.2}", s.from.as_str(), v.confidence);
            match &s.confirmed_by {
                Some(by) => format!("{read}, confirmed by {by}"),
                None => read,
            }
        }
        None => format!("{:.2}", v.confidence),
    }
}

/// Everything the view shows, read in one blocking step.
struct Loaded {
    index: DocumentIndex,
    pages: Vec<Page>,
    history: Vec<DocumentIndex>,
    /// Which page images can be shown: from a PDF (the PDF/A or the original), or the
    /// original image itself.
    images: bool,
    /// Its resubmissions (Wiedervorlage), open and done.
    resubmissions: Vec<crate::resubmit::Resubmission>,
    stamps: Vec<crate::stamps::Stamp>,
}

#[derive(Debug)]
enum LoadError {
    NotFound,
    Archive(String),
}

impl LoadError {
    /// The status and message a request for the document gets.
    fn answer(self) -> (StatusCode, String) {
        match self {
            LoadError::NotFound => (StatusCode::NOT_FOUND, "no such document".to_string()),
            LoadError::Archive(e) => (StatusCode::SERVICE_UNAVAILABLE, e),
        }
    }
}

/// The current index (or quarantine record) of a document the viewer may see.
fn visible_index(ui: &Ui, viewer: &Viewer, id: &str) -> Result<DocumentIndex, LoadError> {
    let archive = &ui.records.archive;
    let err = |e: ArchiveError| LoadError::Archive(e.to_string());
    let index = match archive.lookup(id).map_err(err)? {
        Some(i) => i,
        None => archive.quarantined(id).map_err(err)?.ok_or(LoadError::NotFound)?,
    };
    // Not allowed to see it: as if it were not there.
    if !viewer.user.may_see(index.doc_type.as_ref().map(|d| d.label)) {
        return Err(LoadError::NotFound);
    }
    Ok(index)
}

/// What the document view shows: the index, its read pages and its revisions.
fn load(ui: &Ui, viewer: &Viewer, id: &str) -> Result<Loaded, LoadError> {
    let archive = &ui.records.archive;
    let err = |e: ArchiveError| LoadError::Archive(e.to_string());
    let index = visible_index(ui, viewer, id)?;
    let pages: Vec<Page> = match &index.archive.words {
        Some(key) => archive.store().get(key).map_err(|e| LoadError::Archive(e.to_string()))?.and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default(),
        None => Vec::new(),
    };
    let mut history = Vec::new();
    if index.status != Status::Quarantined {
        for key in archive.revisions(id).map_err(err)? {
            if let Some(i) = archive.read_index(&key).map_err(err)? {
                history.push(i);
            }
        }
    }
    let images = index.archive.pdfa.is_some() || matches!(index.source.media_type, MediaType::Pdf | MediaType::Png | MediaType::Jpeg);
    let resubmissions = if index.status == Status::Processed { crate::resubmit::all_of(archive, id).map_err(err)? } else { Vec::new() };
    let stamps = if index.status == Status::Processed { crate::stamps::all_of(archive, id).map_err(err)? } else { Vec::new() };
    Ok(Loaded { index, pages, history, images, resubmissions, stamps })
}

fn parse_id(id: &str) -> Option<DocumentId> {
    DocumentId::parse(id).ok()
}

#[derive(Deserialize, Default)]
pub struct ViewParams {
    tab: Option<String>,
}

pub async fn view(State(ui): State<Arc<Ui>>, viewer: Viewer, Path(id): Path<String>, QueryParams(vp): QueryParams<ViewParams>) -> Response {
    let Some(id) = parse_id(&id) else { return error_page(StatusCode::NOT_FOUND, Some(&viewer), "No such document.") };
    let (ui2, v2, id2) = (ui.clone(), viewer.clone(), id.to_string());
    let loaded = match blocking(move || load(&ui2, &v2, &id2)).await {
        Ok(Ok(l)) => l,
        Ok(Err(LoadError::NotFound)) => return error_page(StatusCode::NOT_FOUND, Some(&viewer), "No such document."),
        Ok(Err(LoadError::Archive(e))) => return error_page(StatusCode::SERVICE_UNAVAILABLE, Some(&viewer), &format!("The archive cannot be read: {e}")),
        Err(r) => return r,
    };
    render(&viewer, &loaded, vp.tab.as_deref().unwrap_or("review"), &ui.records.review, &ui.stamps.kinds)
}

fn render(viewer: &Viewer, l: &Loaded, tab: &str, rules: &crate::review::ReviewPolicy, stamp_kinds: &[String]) -> Response {
    let i = &l.index;
    let may_review = viewer.user.role.may_review() && i.status == Status::Processed;
    let trust = assess(i);
    let doc_type = i.doc_type.as_ref().map(|d| d.label);
    let state = i.review.as_ref().map(|r| r.state.as_str()).unwrap_or(match i.status {
        Status::Quarantined => "quarantined",
        Status::Split => "batch scan, split",
        Status::Processed => "—",
    });
    let data = json!({
        "id": i.id.to_string(),
        "revision": i.archive.revision,
        "csrf": viewer.csrf,
        "may_review": may_review,
        "queue": format!("/ui?tab={tab}"),
        "pages": l.pages.iter().map(|p| {
            // Reading order: blocks, their lines, their words; drag-selection follows it.
            let mut order: Vec<usize> = Vec::new();
            for b in &p.blocks { for li in &b.lines { if let Some(line) = p.lines.get(*li) { order.extend(line.words.iter().copied()); } } }
            if order.len() != p.words.len() { order = (0..p.words.len()).collect(); }
            json!({
                "n": p.number, "w": p.width, "h": p.height,
                "img": l.images.then(|| format!("/ui/documents/{}/pages/{}", i.id, p.number)),
                "words": order.iter().filter_map(|&k| p.words.get(k)).map(|w| json!([w.text, w.bbox[0], w.bbox[1], w.bbox[2], w.bbox[3]])).collect::<Vec<_>>(),
            })
        }).collect::<Vec<_>>(),
        "fields": i.fields.iter().map(|(f, v)| (f.as_str().to_string(), json!({"value": v.value, "page": v.page, "bbox": v.bbox}))).collect::<serde_json::Map<String, Value>>(),
        "stamps": l.stamps.iter().map(|s| { let (title, line) = crate::stamps::label(s); json!({"n": s.n, "page": s.page, "bbox": s.bbox, "title": title, "line": line}) }).collect::<Vec<_>>(),
    });
    let body = html! {
        div.document #document data-state=(state) {
            section.pages #pages {
                @if let Some(b) = i.batch.as_ref().filter(|_| l.images) {
                    div.batch-pages {
                        @for n in 1..=i.pages {
                            @let part = b.parts.iter().position(|p| (p.pages[0]..=p.pages[1]).contains(&n));
                            figure class=(match part { Some(k) if k % 2 == 0 => "bp even", Some(_) => "bp odd", None => "bp separator" }) data-page=(n) {
                                img src=(format!("/ui/documents/{}/pages/{n}", i.id)) alt=(format!("page {n}")) loading="lazy";
                                figcaption { "p. " (n) @match part { Some(k) => { " · letter " (k + 1) }, None => { " · separator" } } }
                            }
                        }
                    }
                } @else if l.pages.is_empty() || !l.images {
                    p.empty { @if i.status == Status::Quarantined { "Quarantined: " (i.error.as_ref().map(|e| e.message.as_str()).unwrap_or("")) } @else { "No page image for this document (" (i.source.media_type.mime()) "): its values came from its data." } }
                }
            }
            section.side {
                header.doc-head {
                    h1 { (i.source.name) }
                    p.meta {
                        "State " strong #review-state { (state) }
                        " · revision " span #revision { (i.archive.revision) }
                        " · received " (german_date(&i.source.received_at)) " via " (serde_json::to_value(i.source.channel).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default())
                    }
                    @if let Some(r) = &i.review { @if let Some(reason) = &r.reason { p.meta { "Reason: " (reason) } } }
                    @if let (Some(parent), Some(pp)) = (&i.source.parent, i.source.parent_pages) {
                        p.meta #batch-link { "Pages " (pp[0]) "–" (pp[1]) " of the batch scan " a href=(format!("/ui/documents/{parent}")) { (parent.short(12)) } }
                    }
                    @let steps = rules.steps(i);
                    @if !steps.is_empty() {
                        @let approvals = i.review.as_ref().map(|r| r.approvals.as_slice()).unwrap_or_default();
                        div.meta #approvals {
                            "Approvals: "
                            ol.steps {
                                li class=(if approvals.is_empty() { "open" } else { "done" }) { "Check" @if let Some(a) = approvals.first() { " — " (a.by) } }
                                @for st in &steps {
                                    li class=(if st.open() { "open" } else { "done" }) data-step=(st.rule) {
                                        "“" (st.rule) "”: " (st.given.min(st.needed)) " of " (st.needed)
                                        @match st.department.as_deref() {
                                            Some("") => { " by the assigned department (none assigned yet)" }
                                            Some(d) => { " by " (d) }
                                            None => { " different people" }
                                        }
                                        @let by: Vec<&str> = approvals.iter().skip(1).filter(|a| st.department.is_none() || a.step.as_deref() == Some(st.rule.as_str())).map(|a| a.by.as_str()).collect();
                                        @if !by.is_empty() && st.department.is_some() { " — " (by.join(", ")) }
                                    }
                                }
                            }
                        }
                    }
                }
                @if may_review {
                    div.actions {
                        button #approve type="button" title="a or Ctrl+Enter" { "Approve and next (a)" }
                        button #save type="button" title="s" { "Save (s)" }
                        button #postpone type="button" title="p" { "Postpone (p)" }
                        button #reject type="button" title="r" { "Reject (r)" }
                        @if i.review.as_ref().is_some_and(|r| !r.approvals.is_empty() && r.state == crate::index::ReviewState::Pending) {
                            button #refuse type="button" title="x" { "Refuse (x)" }
                        }
                    }
                    p #status role="status" {}
                } @else if i.status == Status::Processed {
                    p.readonly { "Read only: your role (" (viewer.user.role) ") changes nothing." }
                }
                @if i.status == Status::Processed {
                    form #fields autocomplete="off" {
                        label.doctype { "Document type "
                            select #doc_type name="doc_type" disabled[!may_review] {
                                @for d in DocType::ALL {
                                    option value=(d.as_str()) selected[doc_type == Some(d)] { (d.as_str()) }
                                }
                            }
                            @if let Some(t) = &i.doc_type { span class=(if t.confidence < REVIEW_THRESHOLD { "conf amber" } else { "conf green" }) { (format!("{:.2}", t.confidence)) } }
                        }
                        @let assignment = i.assignment.as_ref();
                        datalist #departments {
                            @for d in rules.approvals.iter().flat_map(|r| r.departments.iter().chain(r.approved_by.iter().filter(|d| d.as_str() != crate::review::ASSIGNED))).chain(viewer.user.departments.iter()).collect::<std::collections::BTreeSet<_>>() {
                                option value=(d) {}
                            }
                        }
                        div.assignment {
                            label { "Department " input.assign #department name="department" list="departments" value=(assignment.and_then(|a| a.department.as_deref()).unwrap_or("")) readonly[!may_review]; }
                            label { "Cost centre " input.assign #cost_centre name="cost_centre" value=(assignment.and_then(|a| a.cost_centre.as_deref()).unwrap_or("")) readonly[!may_review]; }
                        }
                        table.fields {
                            @for f in Field::ALL {
                                @let (t, why) = trust.get(&f).cloned().unwrap_or((Trust::Empty, Vec::new()));
                                @let v = i.fields.get(&f);
                                @let attention = matches!(t, Trust::Red | Trust::Amber);
                                tr class=(format!("field {}", t.class())) data-field=(f.as_str()) data-mandatory=(if f.mandatory() { "1" } else { "0" }) {
                                    th { label for=(format!("f-{}", f.as_str())) { (label(f)) @if booking(doc_type) && f.mandatory() { " *" } } }
                                    td {
                                        input.value id=(format!("f-{}", f.as_str())) name=(f.as_str()) data-kind=(match f.kind() { FieldKind::Amount => "amount", FieldKind::Date => "date", FieldKind::Id => "id", FieldKind::Text => "text" })
                                            value=(v.map(|v| v.value.as_str()).unwrap_or("")) readonly[!may_review] data-attention=(if attention { "1" } else { "0" })
                                            tabindex=(if attention { "0" } else { "-1" });
                                        div.why { @for w in &why { span { (w) } } }
                                        @if let Some(v) = v { div.src { (provenance(v)) } }
                                    }
                                }
                            }
                        }
                        @if !i.vat_breakdown.is_empty() || booking(doc_type) {
                            h2 { "VAT breakdown" }
                            table.grid #vat_breakdown {
                                thead { tr { th { "Rate %" } th { "Base" } th { "VAT" } } }
                                tbody {
                                    @for b in &i.vat_breakdown { tr { td { input name="rate" value=(b.rate) readonly[!may_review]; } td { input name="base" value=(b.base) readonly[!may_review]; } td { input name="amount" value=(b.amount) readonly[!may_review]; } } }
                                }
                            }
                            @if may_review { button.small type="button" data-add-row="vat_breakdown" { "+ rate" } }
                        }
                        @if !i.line_items.is_empty() {
                            h2 { "Line items" }
                            table.grid #line_items {
                                thead { tr { th { "Item" } th { "Qty" } th { "Unit price" } th { "Amount" } th { "VAT %" } } }
                                tbody {
                                    @for li in &i.line_items {
                                        tr {
                                            td { input name="name" value=(li.name.clone().unwrap_or_default()) readonly[!may_review]; }
                                            td { input name="quantity" value=(li.quantity.clone().unwrap_or_default()) readonly[!may_review]; }
                                            td { input name="net_unit_price" value=(li.net_unit_price.clone().unwrap_or_default()) readonly[!may_review]; }
                                            td { input name="net_line_amount" value=(li.net_line_amount.clone().unwrap_or_default()) readonly[!may_review]; }
                                            td { input name="vat_rate" value=(li.vat_rate.clone().unwrap_or_default()) readonly[!may_review]; }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                @if i.status == Status::Split || i.source.split.is_some() {
                    (batch_section(viewer, i))
                }
                @if i.status == Status::Processed {
                    (super::due::resubmission_section(viewer, i, &l.resubmissions))
                    h2 { "Stamps" }
                    p.meta #stamp-list {
                        (l.stamps.len()) " stamp(s) "
                        @if !l.stamps.is_empty() { button #toggle-stamps type="button" { "Hide stamps" } " · " a href=(format!("/ui/documents/{}/stamped", i.id)) download { "Download with stamps" } }
                    }
                    @if viewer.user.role.may_review() && l.images {
                        form.stamp #stamp-form method="post" action=(format!("/ui/documents/{}/stamp", i.id)) {
                            input type="hidden" name="csrf" value=(viewer.csrf);
                            select name="kind" { @for k in stamp_kinds { option value=(k) { (k) } } }
                            input name="text" placeholder="text (Kst. 4711)" size="14";
                            select name="corner" { option value="top-right" { "top right" } option value="top-left" { "top left" } option value="bottom-right" { "bottom right" } option value="bottom-left" { "bottom left" } }
                            " page " input name="page" type="number" min="1" max=(i.pages.max(1)) value="1" size="3";
                            button type="submit" { "Stamp" }
                        }
                    }
                }
                h2 { "Checks" }
                ul.checks #checks {
                    @for c in &i.checks { li class=(if c.passed { "ok" } else { "bad" }) data-check=(c.name.to_string()) { (c.message) } }
                    @if i.checks.is_empty() { li.none { "No checks apply yet." } }
                }
                @if viewer.user.role.may_administer() {
                    h2 { "Legal hold" }
                    form.hold method="post" action=(format!("/ui/documents/{}/hold", i.id)) {
                        input type="hidden" name="csrf" value=(viewer.csrf);
                        input name="reason" required placeholder="reason (e.g. Betriebsprüfung 2026)" size="28";
                        button type="submit" name="on" value="1" { "Set hold" }
                        " "
                        button type="submit" name="on" value="0" { "Release hold" }
                    }
                }
                @if matches!(viewer.user.role, crate::people::Role::Auditor | crate::people::Role::Admin) {
                    p { a href=(format!("/ui/audit?document={}", i.id)) { "Audit entries of this document" } }
                }
                h2 { "Downloads" }
                p.downloads {
                    a href=(format!("/ui/documents/{}/original", i.id)) download { "Original" }
                    @if i.archive.pdfa.is_some() { " · " a href=(format!("/ui/documents/{}/pdfa", i.id)) download { "PDF/A" } }
                }
                h2 { "History" }
                ol.history {
                    @for (n, h) in l.history.iter().enumerate() {
                        li {
                            strong { "Revision " (h.archive.revision) }
                            @if let Some(r) = &h.review { " · " (r.state.as_str()) @if let Some(by) = &r.by { " by " (by) } @if let Some(at) = &r.at { " · " (german_date(at)) " " (at.get(11..16).unwrap_or("")) } }
                            @if n > 0 {
                                @let prev = &l.history[n - 1];
                                @for f in Field::ALL {
                                    @let (a, b) = (prev.field(f), h.field(f));
                                    @if a != b { br; span.change { (label(f)) ": " (a.unwrap_or("—")) " → " (b.unwrap_or("—")) @if let Some(by) = h.fields.get(&f).and_then(|v| v.source.as_ref()).and_then(|s| s.by.as_deref()) { " (" (by) ")" } } }
                                }
                                @if prev.batch != h.batch { @if let Some(b) = &h.batch { br; span.change { "Split: " (b.parts.iter().map(|p| format!("{}–{}", p.pages[0], p.pages[1])).collect::<Vec<_>>().join(", ")) @if let Some(by) = &b.corrected_by { " (" (by) ")" } } } }
                                @if prev.doc_type.as_ref().map(|d| d.label) != h.doc_type.as_ref().map(|d| d.label) { br; span.change { "Type: " (prev.doc_type.as_ref().map(|d| d.label.as_str()).unwrap_or("—")) " → " (h.doc_type.as_ref().map(|d| d.label.as_str()).unwrap_or("—")) } }
                            } @else { " · as read (" (h.models.as_ref().map(|m| m.extractor.name.as_str()).unwrap_or("pipeline")) ")" }
                        }
                    }
                }
            }
        }
        dialog #reason-dialog {
            form method="dialog" {
                label #reason-label { "Reason" }
                input #reason name="reason" required;
                menu { button #reason-ok value="ok" { "OK" } button #reason-cancel value="cancel" formnovalidate { "Cancel" } }
            }
        }
        dialog #help {
            h2 { "Keys" }
            dl {
                dt { "Tab / Shift+Tab" } dd { "next / previous value that needs attention" }
                dt { "Enter" } dd { "confirm the value, go to the next" }
                dt { "click or drag on the page" } dd { "fill the focused value with the words" }
                dt { "a or Ctrl+Enter" } dd { "approve and open the next document" }
                dt { "s" } dd { "save corrections, keep it in the queue" }
                dt { "p / r" } dd { "postpone / reject, with a reason" }
                dt { "Esc" } dd { "leave the value; close this help" }
                dt { "?" } dd { "this help" }
            }
            form method="dialog" { button { "Close" } }
        }
        script #doc-data type="application/json" { (script_json(&data)) }
    };
    layout(&i.source.name, Some(viewer), body)
}

#[derive(Deserialize)]
pub struct StampForm {
    csrf: Option<String>,
    kind: String,
    text: Option<String>,
    corner: String,
    page: u32,
}

/// `POST /ui/documents/{id}/stamp`: a reviewer puts a stamp on a page.
pub async fn stamp(State(ui): State<Arc<Ui>>, viewer: Viewer, Path(id): Path<String>, axum::Form(f): axum::Form<StampForm>) -> Response {
    if !viewer.csrf_ok(f.csrf.as_deref()) {
        return json_error(StatusCode::FORBIDDEN, "missing or wrong CSRF token");
    }
    if let Some(r) = viewer.forbids(&ui, crate::people::Role::may_review, "stamp documents") {
        return r;
    }
    let Some(id) = parse_id(&id) else { return error_page(StatusCode::NOT_FOUND, Some(&viewer), "No such document.") };
    let Some(corner) = crate::stamps::Corner::parse(&f.corner) else { return error_page(StatusCode::BAD_REQUEST, Some(&viewer), "Unknown corner.") };
    let (ui2, v2, id2) = (ui.clone(), viewer.clone(), id.to_string());
    let done = blocking(move || -> Result<(), (StatusCode, String)> {
        let index = visible_index(&ui2, &v2, &id2).map_err(LoadError::answer)?;
        let pages: Vec<Page> = match &index.archive.words {
            Some(key) => ui2.records.archive.store().get(key).ok().flatten().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default(),
            None => Vec::new(),
        };
        let (w, h) = pages.iter().find(|p| p.number == f.page).map(|p| (p.width, p.height)).unwrap_or((595.0, 842.0));
        let records = ui2.records.acting_as(&v2.actor());
        crate::stamps::add(&records, &ui2.stamps, &id2, &f.kind, f.text.as_deref().unwrap_or(""), f.page, corner.bbox(w, h)).map(|_| ()).map_err(|e| (StatusCode::BAD_REQUEST, e.to_string()))
    })
    .await;
    match done {
        Ok(Ok(())) => axum::response::Redirect::to(&format!("/ui/documents/{id}")).into_response(),
        Ok(Err((status, message))) => error_page(status, Some(&viewer), &message),
        Err(r) => r,
    }
}

/// `GET /ui/documents/{id}/stamped`: the PDF/A (or the original PDF) with its stamps drawn on
/// a copy; what is archived stays as it is.
pub async fn stamped(State(ui): State<Arc<Ui>>, viewer: Viewer, Path(id): Path<String>) -> Response {
    let Some(id) = parse_id(&id) else { return json_error(StatusCode::NOT_FOUND, "no such document") };
    let (ui2, id2) = (ui.clone(), id.to_string());
    let made = blocking(move || -> Result<Vec<u8>, (StatusCode, String)> {
        let index = visible_index(&ui2, &viewer, &id2).map_err(LoadError::answer)?;
        let key = match (&index.archive.pdfa, &index.archive.original) {
            (Some(p), _) => p.clone(),
            (None, Some(o)) if index.source.media_type == MediaType::Pdf => o.clone(),
            _ => return Err((StatusCode::NOT_FOUND, "no PDF to stamp".into())),
        };
        let bytes = ui2.records.archive.store().get(&key).map_err(|e| (StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?.ok_or((StatusCode::NOT_FOUND, format!("{key} is missing")))?;
        let stamps = crate::stamps::all_of(&ui2.records.archive, &id2).map_err(|e| (StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?;
        let draws: Vec<crate::pages::pdf::StampDraw> = stamps
            .iter()
            .map(|s| {
                let (title, line) = crate::stamps::label(s);
                crate::pages::pdf::StampDraw { page: s.page, bbox: s.bbox, title, line }
            })
            .collect();
        crate::pages::pdf::with_stamps(&bytes, &draws).map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.message))
    })
    .await;
    match made {
        Ok(Ok(pdf)) => ([(header::CONTENT_TYPE, "application/pdf"), (header::CONTENT_DISPOSITION, "attachment; filename=\"stamped.pdf\"")], pdf).into_response(),
        Ok(Err((status, message))) => json_error(status, message),
        Err(r) => r,
    }
}

/// A batch scan's parts, and the form that corrects its split.
fn batch_section(viewer: &Viewer, i: &DocumentIndex) -> maud::Markup {
    let parts: Vec<crate::index::BatchPart> = match &i.batch {
        Some(b) => b.parts.clone(),
        None => vec![crate::index::BatchPart { id: i.id.clone(), pages: [1, i.pages.max(1)], by: crate::index::PartStart::Start, confidence: None }],
    };
    let ranges = parts.iter().map(|p| if p.pages[0] == p.pages[1] { p.pages[0].to_string() } else { format!("{}-{}", p.pages[0], p.pages[1]) }).collect::<Vec<_>>().join(", ");
    let by = |p: &crate::index::BatchPart| match p.by {
        crate::index::PartStart::Start => "first page".to_string(),
        crate::index::PartStart::Blank => "after a blank sheet".to_string(),
        crate::index::PartStart::Patch => "after a patch sheet".to_string(),
        crate::index::PartStart::FirstPage => format!("first-page detector {:.2}", p.confidence.unwrap_or(0.0)),
        crate::index::PartStart::Person => "set by a person".to_string(),
    };
    html! {
        h2 { "Batch scan" }
        @if i.batch.is_none() { p.meta { "Came in as a batch and stayed one document: no separator sheet, no new letter seen." } }
        table.grid #batch-parts {
            thead { tr { th { "Pages" } th { "Document" } th { "Begins" } } }
            tbody {
                @for p in &parts {
                    tr { td { (p.pages[0]) "–" (p.pages[1]) } td { a href=(format!("/ui/documents/{}", p.id)) { (p.id.short(12)) } } td { (by(p)) } }
                }
            }
        }
        @if let Some(b) = &i.batch {
            @if !b.separators.is_empty() { p.meta { "Separator sheets: pages " (b.separators.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")) } }
            @if let Some(who) = &b.corrected_by { p.meta { "Split corrected by " (who) } }
        }
        @if viewer.user.role.may_review() {
            form.split #split-form method="post" action=(format!("/ui/documents/{}/split", i.id)) {
                input type="hidden" name="csrf" value=(viewer.csrf);
                input type="hidden" name="revision" value=(i.archive.revision);
                label { "Letters (pages, one range each) " input #split-pages name="pages" value=(ranges) required size="30"; }
                label { "Reason " input name="reason" required placeholder="e.g. two letters on pages 4–5"; }
                button type="submit" { "Split again" }
                p.meta { "Parts that change are read again; the ones they replace are superseded and leave the queue. The batch itself is never changed." }
            }
        }
    }
}

#[derive(Deserialize)]
pub struct SplitForm {
    csrf: Option<String>,
    revision: Option<u32>,
    pages: String,
    reason: String,
}

/// `POST /ui/documents/{id}/split`: a reviewer corrects where the letters of a batch begin.
pub async fn resplit(State(ui): State<Arc<Ui>>, viewer: Viewer, Path(id): Path<String>, axum::Form(f): axum::Form<SplitForm>) -> Response {
    if !viewer.csrf_ok(f.csrf.as_deref()) {
        return json_error(StatusCode::FORBIDDEN, "missing or wrong CSRF token");
    }
    if let Some(r) = viewer.forbids(&ui, crate::people::Role::may_review, "correct a batch's split") {
        return r;
    }
    let Some(id) = parse_id(&id) else { return error_page(StatusCode::NOT_FOUND, Some(&viewer), "No such document.") };
    if f.reason.trim().is_empty() {
        return error_page(StatusCode::BAD_REQUEST, Some(&viewer), "A corrected split needs a reason.");
    }
    let (ui2, v2, id2) = (ui.clone(), viewer.clone(), id.to_string());
    let done = blocking(move || -> Result<(), (StatusCode, String)> {
        let batch = visible_index(&ui2, &v2, &id2).map_err(LoadError::answer)?;
        let separators = batch.batch.as_ref().map(|b| b.separators.clone()).unwrap_or_default();
        let ranges = crate::split::parse_ranges(&f.pages, batch.pages, &separators).map_err(|e| (StatusCode::BAD_REQUEST, e))?;
        let records = ui2.records.acting_as(&v2.actor());
        crate::processor::resplit(&ui2.pipeline, &records, &id2, f.revision, &ranges, Some(f.reason.trim())).map(|_| ()).map_err(|e| {
            let status = match &e {
                crate::processor::ResplitError::Archive(ArchiveError::Conflict { .. }) | crate::processor::ResplitError::HandedOff(_) => StatusCode::CONFLICT,
                crate::processor::ResplitError::Archive(_) => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::BAD_REQUEST,
            };
            (status, e.to_string())
        })
    })
    .await;
    match done {
        Ok(Ok(())) => axum::response::Redirect::to(&format!("/ui/documents/{id}")).into_response(),
        Ok(Err((status, message))) => error_page(status, Some(&viewer), &message),
        Err(r) => r,
    }
}

/// `GET /ui/documents/{id}/pages/{n}`: the page as PNG, rendered once from the PDF/A (or the
/// original PDF), then served from the cache; an original PNG or JPEG is served as it is.
pub async fn page_image(State(ui): State<Arc<Ui>>, viewer: Viewer, Path((id, n)): Path<(String, u32)>) -> Response {
    let Some(id) = parse_id(&id) else { return json_error(StatusCode::NOT_FOUND, "no such document") };
    if let Some(png) = ui.pages.get(&id, n) {
        // The cache holds only what a permitted viewer had rendered: check this one may see it.
        let (ui2, v2, id2) = (ui.clone(), viewer.clone(), id.to_string());
        match blocking(move || visible(&ui2, &v2, &id2)).await {
            Ok(true) => return png_response(png.to_vec()),
            Ok(false) => return json_error(StatusCode::NOT_FOUND, "no such document"),
            Err(r) => return r,
        }
    }
    let ui2 = ui.clone();
    let rendered = blocking(move || -> Result<(Vec<u8>, &'static str), (StatusCode, String)> {
        let index = visible_index(&ui2, &viewer, &id).map_err(LoadError::answer)?;
        let store = ui2.records.archive.store();
        let get = |key: &str| store.get(key).map_err(|e| (StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?.ok_or((StatusCode::NOT_FOUND, format!("{key} is missing")));
        let (key, media) = match (&index.archive.pdfa, &index.archive.original) {
            (Some(p), _) => (p.clone(), MediaType::Pdf),
            (None, Some(o)) => (o.clone(), index.source.media_type),
            _ => return Err((StatusCode::NOT_FOUND, "no page image".into())),
        };
        let bytes = get(&key)?;
        match media {
            MediaType::Pdf => {
                let png = crate::pages::pdf::render_png(&bytes, n, PAGE_WIDTH_PX).map_err(|e| (StatusCode::NOT_FOUND, e.message))?;
                ui2.pages.put(&id, n, png.clone());
                Ok((png, "image/png"))
            }
            MediaType::Png if n == 1 => Ok((bytes, "image/png")),
            MediaType::Jpeg if n == 1 => Ok((bytes, "image/jpeg")),
            _ => Err((StatusCode::NOT_FOUND, "no page image".into())),
        }
    })
    .await;
    match rendered {
        Ok(Ok((bytes, "image/png"))) => png_response(bytes),
        Ok(Ok((bytes, mime))) => ([(header::CONTENT_TYPE, mime), (header::CACHE_CONTROL, "private, max-age=3600")], bytes).into_response(),
        Ok(Err((status, message))) => json_error(status, message),
        Err(r) => r,
    }
}

fn png_response(png: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "image/png"), (header::CACHE_CONTROL, "private, max-age=3600")], png).into_response()
}

/// Whether the viewer may see the document (by its catalog row: cheap).
fn visible(ui: &Ui, viewer: &Viewer, id: &str) -> bool {
    super::may_see(ui, &viewer.user, id)
}

async fn download(ui: Arc<Ui>, viewer: Viewer, id: String, pdfa: bool) -> Response {
    let Some(id) = parse_id(&id) else { return json_error(StatusCode::NOT_FOUND, "no such document") };
    let found = blocking(move || -> Result<(Vec<u8>, String, String), (StatusCode, String)> {
        let index = visible_index(&ui, &viewer, &id).map_err(LoadError::answer)?;
        let key = if pdfa { index.archive.pdfa.clone() } else { index.archive.original.clone() };
        let key = key.ok_or((StatusCode::NOT_FOUND, "not archived".to_string()))?;
        let bytes = ui.records.archive.store().get(&key).map_err(|e| (StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?.ok_or((StatusCode::NOT_FOUND, format!("{key} is missing")))?;
        let name = if pdfa { format!("{}.pdfa.pdf", index.source.name.trim_end_matches(".pdf")) } else { index.source.name.clone() };
        let mime = if pdfa { "application/pdf".to_string() } else { index.source.media_type.mime().to_string() };
        Ok((bytes, name, mime))
    })
    .await;
    match found {
        Ok(Ok((bytes, name, mime))) => {
            let ascii: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
            let utf8 = percent_encoding::utf8_percent_encode(&name, percent_encoding::NON_ALPHANUMERIC).to_string();
            let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{utf8}");
            let mut r = Response::new(Body::from(bytes));
            if let (Ok(m), Ok(d)) = (mime.parse(), disposition.parse()) {
                r.headers_mut().insert(header::CONTENT_TYPE, m);
                r.headers_mut().insert(header::CONTENT_DISPOSITION, d);
            }
            r
        }
        Ok(Err((status, message))) => json_error(status, message),
        Err(r) => r,
    }
}

pub async fn original(State(ui): State<Arc<Ui>>, viewer: Viewer, Path(id): Path<String>) -> Response {
    download(ui, viewer, id, false).await
}

pub async fn pdfa(State(ui): State<Arc<Ui>>, viewer: Viewer, Path(id): Path<String>) -> Response {
    download(ui, viewer, id, true).await
}

#[derive(Deserialize)]
pub struct HoldForm {
    csrf: Option<String>,
    reason: String,
    on: String,
}

/// `POST …/hold`: an admin sets or releases the legal hold on every object of the document,
/// with a reason, in the audit trail under their name.
pub async fn hold(State(ui): State<Arc<Ui>>, viewer: Viewer, Path(id): Path<String>, axum::Form(f): axum::Form<HoldForm>) -> Response {
    if !viewer.csrf_ok(f.csrf.as_deref()) {
        return json_error(StatusCode::FORBIDDEN, "missing or wrong CSRF token");
    }
    if let Some(r) = viewer.forbids(&ui, crate::people::Role::may_administer, "set legal holds") {
        return r;
    }
    let Some(id) = parse_id(&id) else { return json_error(StatusCode::NOT_FOUND, "no such document") };
    if f.reason.trim().is_empty() {
        return error_page(StatusCode::BAD_REQUEST, Some(&viewer), "A legal hold needs a reason.");
    }
    let on = f.on == "1";
    let (ui2, v2, id2) = (ui.clone(), viewer.clone(), id.to_string());
    match blocking(move || ui2.records.archive.legal_hold(&id2, on, &v2.actor(), f.reason.trim())).await {
        Ok(Ok(n)) => layout(
            "Legal hold",
            Some(&viewer),
            html! { section.admin { h1 { "Legal hold " (if on { "set" } else { "released" }) } p #hold-result { (n) " objects of the document. " a href=(format!("/ui/documents/{id}")) { "Back to the document" } } } },
        ),
        Ok(Err(e)) => error_page(StatusCode::SERVICE_UNAVAILABLE, Some(&viewer), &e.to_string()),
        Err(r) => r,
    }
}

fn csrf_header(headers: &HeaderMap) -> Option<&str> {
    headers.get("x-csrf-token").and_then(|v| v.to_str().ok())
}

/// `POST …/check`: what the page holds now.
#[derive(Debug, Deserialize)]
pub struct CheckRequest {
    #[serde(default)]
    fields: BTreeMap<String, String>,
    #[serde(default)]
    vat_breakdown: Vec<VatBreakdown>,
}

/// Normalises each value; returns the values (or why not) and the checks over them.
fn check_values(req: &CheckRequest) -> Value {
    let mut values = BTreeMap::new();
    let mut out = serde_json::Map::new();
    for (k, raw) in &req.fields {
        let Ok(f) = k.parse::<Field>() else { continue };
        if raw.trim().is_empty() {
            out.insert(k.clone(), json!({"value": null, "error": null}));
            continue;
        }
        match normalise(f, raw) {
            Ok(v) => {
                out.insert(k.clone(), json!({"value": v, "error": null}));
                values.insert(f, FieldValue::by_person(v, "check"));
            }
            Err(e) => {
                out.insert(k.clone(), json!({"value": null, "error": e}));
            }
        }
    }
    let checks: Vec<Value> = checks_of(&values, &req.vat_breakdown)
        .iter()
        .map(|c: &Check| json!({"name": c.name.to_string(), "passed": c.passed, "message": c.message, "fields": fields_of_check(&c.name).iter().map(|f| f.as_str()).collect::<Vec<_>>()}))
        .collect();
    json!({"fields": out, "checks": checks})
}

pub async fn check(viewer: Viewer, headers: HeaderMap, Json(req): Json<CheckRequest>) -> Response {
    if !viewer.csrf_ok(csrf_header(&headers)) {
        return json_error(StatusCode::FORBIDDEN, "missing or wrong CSRF token");
    }
    Json(check_values(&req)).into_response()
}

/// A value as the page sends it: the text, and where on the page it was picked.
#[derive(Debug, Deserialize)]
pub struct Picked {
    value: String,
    page: Option<u32>,
    bbox: Option<[f32; 4]>,
}

/// `POST …/decide`.
#[derive(Debug, Deserialize)]
pub struct DecideRequest {
    /// The revision the person looked at.
    base: u32,
    /// `approve`, `postpone`, `reject` or `save` (corrections only).
    action: String,
    reason: Option<String>,
    doc_type: Option<String>,
    /// Changed values only; `null` removes one.
    #[serde(default)]
    fields: BTreeMap<String, Option<Picked>>,
    vat_breakdown: Option<Vec<VatBreakdown>>,
    line_items: Option<Vec<LineItem>>,
    /// The department and cost centre the document is assigned to (empty: none).
    department: Option<String>,
    cost_centre: Option<String>,
}

fn decide_blocking(ui: &Ui, viewer: &Viewer, id: &str, req: DecideRequest) -> Result<Value, (StatusCode, String)> {
    let decision = match req.action.as_str() {
        "approve" => Some(Decision::Approve),
        "postpone" => Some(Decision::Postpone),
        "reject" => Some(Decision::Reject),
        "refuse" => Some(Decision::Refuse),
        "save" => None,
        other => return Err((StatusCode::BAD_REQUEST, format!("unknown action '{other}'"))),
    };
    let archive = &ui.records.archive;
    let internal = |e: ArchiveError| (StatusCode::SERVICE_UNAVAILABLE, e.to_string());
    let mut index = archive.lookup(id).map_err(internal)?.ok_or((StatusCode::NOT_FOUND, "no such document (or quarantined)".to_string()))?;
    if !viewer.user.may_see(index.doc_type.as_ref().map(|d| d.label)) {
        return Err((StatusCode::NOT_FOUND, "no such document".into()));
    }
    if index.archive.revision != req.base {
        let by = index.review.as_ref().and_then(|r| r.by.clone()).unwrap_or_else(|| "someone".into());
        return Err((StatusCode::CONFLICT, format!("revision {} was written meanwhile (by {by}); reload the document — your changes were not saved", index.archive.revision)));
    }
    let who = viewer.actor();
    let mut changes = Vec::new();
    for (k, picked) in &req.fields {
        let f: Field = k.parse().map_err(|e: crate::vocab::UnknownField| (StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?;
        let from = index.field(f).map(str::to_string);
        match picked.as_ref().filter(|p| !p.value.trim().is_empty()) {
            None => {
                if index.fields.remove(&f).is_some() {
                    changes.push(json!({"field": f, "from": from, "to": null}));
                }
            }
            Some(p) => {
                let v = normalise(f, &p.value).map_err(|e| (StatusCode::UNPROCESSABLE_ENTITY, format!("{}: {e}", label(f))))?;
                if from.as_deref() == Some(v.as_str()) {
                    continue;
                }
                let mut fv = FieldValue::by_person(v.clone(), &who);
                fv.page = p.page;
                fv.bbox = p.bbox;
                index.fields.insert(f, fv);
                changes.push(json!({"field": f, "from": from, "to": v}));
            }
        }
    }
    if let Some(t) = req.doc_type.as_deref() {
        let t = DocType::from_name(t).ok_or((StatusCode::UNPROCESSABLE_ENTITY, format!("unknown document type '{t}'")))?;
        let from = index.doc_type.as_ref().map(|d| d.label);
        if from != Some(t) {
            if !viewer.user.may_see(Some(t)) {
                return Err((StatusCode::FORBIDDEN, format!("you may not file documents as {}", t.as_str())));
            }
            index.doc_type = Some(DocTypeResult { label: t, confidence: 1.0 });
            changes.push(json!({"field": "doc_type", "from": from, "to": t}));
        }
    }
    if req.department.is_some() || req.cost_centre.is_some() {
        let typed = |v: &Option<String>, was: Option<String>| -> Result<Option<String>, (StatusCode, String)> {
            match v.as_deref().map(str::trim) {
                None => Ok(was),
                Some("") => Ok(None),
                Some(t) => crate::review::valid_department(t).map(Some).map_err(|e| (StatusCode::UNPROCESSABLE_ENTITY, e)),
            }
        };
        let was = index.assignment.clone();
        let department = typed(&req.department, was.as_ref().and_then(|a| a.department.clone()))?;
        let cost_centre = typed(&req.cost_centre, was.as_ref().and_then(|a| a.cost_centre.clone()))?;
        if (department.as_ref(), cost_centre.as_ref()) != (was.as_ref().and_then(|a| a.department.as_ref()), was.as_ref().and_then(|a| a.cost_centre.as_ref())) {
            changes.push(json!({"field": "assignment", "from": was.as_ref().map(|a| json!({"department": a.department, "cost_centre": a.cost_centre})), "to": {"department": department, "cost_centre": cost_centre}}));
            index.assignment = (department.is_some() || cost_centre.is_some()).then(|| crate::index::Assignment { department, cost_centre, by: who.clone(), at: chrono::Utc::now().to_rfc3339() });
        }
    }
    let amount = |s: &str| normalise(Field::GrossTotal, s).map_err(|e| (StatusCode::UNPROCESSABLE_ENTITY, e));
    if let Some(rows) = req.vat_breakdown {
        let rows: Vec<VatBreakdown> = rows
            .into_iter()
            .filter(|b| !(b.rate.trim().is_empty() && b.base.trim().is_empty() && b.amount.trim().is_empty()))
            .map(|b| Ok(VatBreakdown { rate: amount(&b.rate)?, base: amount(&b.base)?, amount: amount(&b.amount)? }))
            .collect::<Result<_, (StatusCode, String)>>()?;
        if rows != index.vat_breakdown {
            changes.push(json!({"field": "vat_breakdown", "from": index.vat_breakdown.len(), "to": rows.len()}));
            index.vat_breakdown = rows;
        }
    }
    if let Some(items) = req.line_items {
        let opt_amount = |s: &Option<String>| -> Result<Option<String>, (StatusCode, String)> { s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(amount).transpose() };
        let items: Vec<LineItem> = items
            .into_iter()
            .map(|li| Ok(LineItem { net_unit_price: opt_amount(&li.net_unit_price)?, net_line_amount: opt_amount(&li.net_line_amount)?, ..li }))
            .collect::<Result<_, (StatusCode, String)>>()?;
        if items != index.line_items {
            changes.push(json!({"field": "line_items", "from": index.line_items.len(), "to": items.len()}));
            index.line_items = items;
        }
    }
    let records = ui.records.acting_as(&who);
    if !changes.is_empty() {
        recheck(&mut index);
        // Approvals given so far were for other values: the approval step starts again.
        if let Some(r) = index.review.as_mut() {
            r.approvals.clear();
            r.waiting_for.clear();
        }
        let approving = decision == Some(Decision::Approve);
        records.revise(&mut index, json!({"changes": changes, "reason": "corrected in the review UI", "reviewed": approving})).map_err(|e| match e {
            ArchiveError::Conflict { .. } => (StatusCode::CONFLICT, format!("{e}; reload the document — your changes were not saved")),
            other => internal(other),
        })?;
    }
    let Some(decision) = decision else {
        return Ok(json!({"revision": index.archive.revision, "state": index.review.as_ref().map(|r| r.state.as_str()), "next": null}));
    };
    let (decided, _) = records.decide(id, Some(index.archive.revision), decision, req.reason.as_deref(), &viewer.user.departments).map_err(|e| match e {
        DecideError::Review(ReviewError::ReasonRequired(what)) => (StatusCode::BAD_REQUEST, format!("a reason is required to {what} a document")),
        DecideError::Review(e @ ReviewError::NotYourStep { .. }) => (StatusCode::FORBIDDEN, e.to_string()),
        DecideError::Review(e) => (StatusCode::CONFLICT, e.to_string()),
        DecideError::Archive(e @ ArchiveError::Conflict { .. }) => (StatusCode::CONFLICT, format!("{e}; reload the document")),
        DecideError::Archive(e) => internal(e),
    })?;
    let next = next_to_review(ui, &viewer.user, id).map(|n| format!("/ui/documents/{n}?tab=review"));
    Ok(json!({"revision": decided.archive.revision, "state": decided.review.as_ref().map(|r| r.state.as_str()), "next": next}))
}

pub async fn decide(State(ui): State<Arc<Ui>>, viewer: Viewer, headers: HeaderMap, Path(id): Path<String>, Json(req): Json<DecideRequest>) -> Response {
    if !viewer.csrf_ok(csrf_header(&headers)) {
        return json_error(StatusCode::FORBIDDEN, "missing or wrong CSRF token");
    }
    if let Some(r) = viewer.forbids(&ui, |r| r.may_review(), "change documents") {
        return r;
    }
    let Some(id) = parse_id(&id) else { return json_error(StatusCode::NOT_FOUND, "no such document") };
    match blocking(move || decide_blocking(&ui, &viewer, &id, req)).await {
        Ok(Ok(v)) => Json(v).into_response(),
        Ok(Err((status, message))) => json_error(status, message),
        Err(r) => r,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_checks_normalise_and_recompute_like_the_pipeline() {
        let req = CheckRequest {
            fields: [("net_total", "100,00"), ("vat_total", "19,00"), ("gross_total", "1.190,00 €"), ("issue_date", "26.06.2025"), ("due_date", "gestern")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            vat_breakdown: Vec::new(),
        };
        let out = check_values(&req);
        assert_eq!(out["fields"]["gross_total"]["value"], "1190.00");
        assert_eq!(out["fields"]["issue_date"]["value"], "2025-06-26");
        assert!(out["fields"]["due_date"]["error"].as_str().unwrap().contains("not a date"));
        let totals = out["checks"].as_array().unwrap().iter().find(|c| c["name"] == "totals_consistent").unwrap();
        assert_eq!(totals["passed"], false);
        assert_eq!(totals["fields"], json!(["net_total", "vat_total", "gross_total"]));
    }

    #[test]
    fn labels_read_like_words() {
        assert_eq!(label(Field::SellerVatId), "Seller VAT ID");
        assert_eq!(label(Field::GrossTotal), "Gross total");
        assert_eq!(label(Field::Iban), "IBAN");
    }
}
