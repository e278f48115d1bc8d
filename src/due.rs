//! Due dates: documents whose due date (an invoice's payment date, a date a person set) falls
//! within the lead time, or has passed, until they are marked paid or settled. The list comes
//! from the catalog; what must survive a rebuild — the settled mark (an index revision) and
//! that a document's `document.due` event went out (a record beside it, audited) — lives in
//! the archive.

use chrono::{Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::archive::ArchiveError;
use crate::audit::{Event, EventKind};
use crate::catalog::{Catalog, Direction, Entry, Query, SortKey};
use crate::index::{DocType, Settled, Status};
use crate::processor::{Recorder, Revised};

/// The record beside a document that its `document.due` event was published.
pub const ANNOUNCED: &str = "due-announced.json";

/// `[due]` in the pipeline file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DuePolicy {
    /// Days before its due date that a document enters the due list (and its event goes out).
    pub lead_days: u32,
    /// `mailroom serve` announces `document.due` every this many minutes (0: it does not;
    /// `mailroom due --announce` from cron does).
    pub announce_every_min: u64,
}

impl Default for DuePolicy {
    fn default() -> Self {
        DuePolicy { lead_days: 30, announce_every_min: 0 }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DueError {
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error("catalog: {0}")]
    Catalog(String),
    #[error("{0} was marked settled already ({1})")]
    AlreadySettled(String, String),
    #[error("no such document: {0}")]
    NotFound(String),
    #[error("the event could not be published: {0}")]
    Publish(String),
}

/// Documents due within `days` of `today` or overdue, not settled, soonest first (rejected
/// documents and superseded batch parts left out); limited to `types` where a user may see
/// only some.
pub fn list(catalog: &dyn Catalog, days: u32, today: NaiveDate, types: Option<&[DocType]>) -> Result<Vec<Entry>, DueError> {
    let q = Query {
        due_by: Some(today + Duration::days(days as i64)),
        unsettled: true,
        status: Some(Status::Processed),
        doc_types: types.map(<[DocType]>::to_vec).unwrap_or_default(),
        sort: Some((SortKey::Due, Direction::Ascending)),
        limit: Some(5_000),
        ..Query::default()
    };
    if types.is_some_and(<[DocType]>::is_empty) {
        return Ok(Vec::new());
    }
    // A rejected document is not to be paid; a superseded batch part is in another part now.
    Ok(catalog.find(&q).map_err(|e| DueError::Catalog(e.to_string()))?.into_iter().filter(|e| !matches!(e.queue.as_str(), "rejected" | "superseded")).collect())
}

/// Marks a document paid or settled (a new index revision in `records`' name, audited; not
/// handed to the ERP again): it leaves the due list.
pub fn settle(records: &Recorder, id: &str, reference: Option<&str>) -> Result<Revised, DueError> {
    let mut index = records.archive.lookup(id)?.ok_or_else(|| DueError::NotFound(id.to_string()))?;
    if let Some(s) = &index.settled {
        return Err(DueError::AlreadySettled(id.to_string(), format!("by {} at {}", s.by, s.at)));
    }
    let settled = Settled { by: records.actor.clone(), at: Utc::now().to_rfc3339(), reference: reference.map(str::to_string) };
    index.settled = Some(settled.clone());
    Ok(records.revise_quietly(&mut index, json!({"settled": settled}))?)
}

/// What one round of announcing did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Announced {
    /// Events published now.
    pub published: usize,
    /// In the window, announced before.
    pub before: usize,
}

/// Publishes `document.due` (through `publish`) for each document that entered its window
/// and was not announced before, then records that beside it (audited), so the next round —
/// on this machine or another — does not announce it again. A publish that fails stops the
/// round with nothing recorded for that document: it is announced next round.
pub fn announce(records: &Recorder, catalog: &dyn Catalog, policy: &DuePolicy, today: NaiveDate, publish: &mut dyn FnMut(&Entry) -> Result<(), String>) -> Result<Announced, DueError> {
    let mut done = Announced::default();
    for e in list(catalog, policy.lead_days, today, None)? {
        if records.archive.has_record(&e.id, ANNOUNCED)? {
            done.before += 1;
            continue;
        }
        let Some(index) = records.archive.lookup(&e.id)? else { continue };
        publish(&e).map_err(DueError::Publish)?;
        let record = json!({"announced_at": Utc::now().to_rfc3339(), "due_date": e.due_date, "lead_days": policy.lead_days});
        let bytes = serde_json::to_vec_pretty(&record).expect("serialises");
        let event = Event::new(EventKind::DueAnnounced, Some(&e.id)).details(record);
        if records.archive.record_once(&index, ANNOUNCED, &bytes, &records.actor, event)? {
            done.published += 1;
        } else {
            done.before += 1;
        }
    }
    Ok(done)
}

/// The `document.due` event's body.
pub fn event(e: &Entry, today: NaiveDate) -> serde_json::Value {
    let days = e.due_date.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()).map(|d| (d - today).num_days());
    json!({
        "event": "document.due",
        "id": e.id,
        "doc_type": e.doc_type,
        "invoice_number": e.invoice_number,
        "seller_name": e.seller_name,
        "gross_total": e.gross_total,
        "currency": e.currency,
        "due_date": e.due_date,
        "days_left": days,
        "review_state": e.review_state,
        "at": Utc::now().to_rfc3339(),
    })
}
