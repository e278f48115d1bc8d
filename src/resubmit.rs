//! Resubmissions (Wiedervorlage): a document put on a date with a note, for a person; on that
//! date it is on their list until someone marks it done. Each one, and its end, is a record
//! beside the document in the archive (locked, audited), so `mailroom catalog rebuild`
//! restores the lists; the catalog mirrors them for the lists' queries.

use chrono::{NaiveDate, Utc};
use serde_json::json;

use crate::archive::{Archive, ArchiveError};
use crate::audit::{Event, EventKind};
use crate::catalog::Catalog;
pub use crate::index::{Done, Resubmission};
use crate::processor::Recorder;

#[derive(Debug, thiserror::Error)]
pub enum ResubmitError {
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error("catalog: {0}")]
    Catalog(String),
    #[error("no such document: {0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
}

fn record_name(n: u32) -> String {
    format!("resubmission-{n}.json")
}

fn done_name(n: u32) -> String {
    format!("resubmission-{n}-done.json")
}

fn catalog_err(e: crate::catalog::CatalogError) -> ResubmitError {
    ResubmitError::Catalog(e.to_string())
}

/// Puts document `id` on day `on` for `to` (or everyone) with `note`, in `records`' name.
pub fn add(records: &Recorder, id: &str, on: NaiveDate, to: Option<&str>, note: &str) -> Result<Resubmission, ResubmitError> {
    let note = note.trim();
    if note.is_empty() || note.chars().count() > 500 {
        return Err(ResubmitError::Invalid("a resubmission needs a note of 1 to 500 characters".into()));
    }
    let index = records.archive.lookup(id)?.ok_or_else(|| ResubmitError::NotFound(id.to_string()))?;
    // The next free number: a concurrent one taking it makes us take the next.
    let mut n = all_of(&records.archive, id)?.iter().map(|r| r.n).max().unwrap_or(0) + 1;
    loop {
        let r = Resubmission { document: id.to_string(), n, on, to: to.map(str::to_string), note: note.to_string(), by: records.actor.clone(), at: Utc::now().to_rfc3339(), done: None };
        let bytes = serde_json::to_vec_pretty(&r).expect("serialises");
        let event = Event::new(EventKind::ResubmissionSet, Some(id)).details(json!({"n": n, "on": on, "to": to, "note": note}));
        if records.archive.record_once(&index, &record_name(n), &bytes, &records.actor, event)? {
            if let Some(c) = &records.catalog {
                c.resubmission_put(&r).map_err(catalog_err)?;
            }
            return Ok(r);
        }
        n += 1;
    }
}

/// Marks resubmission `n` of document `id` done (in `records`' name): it leaves the lists.
pub fn done(records: &Recorder, id: &str, n: u32) -> Result<Resubmission, ResubmitError> {
    let index = records.archive.lookup(id)?.ok_or_else(|| ResubmitError::NotFound(id.to_string()))?;
    let mut r = all_of(&records.archive, id)?.into_iter().find(|r| r.n == n).ok_or_else(|| ResubmitError::NotFound(format!("resubmission {n} of {id}")))?;
    if let Some(d) = &r.done {
        return Err(ResubmitError::Invalid(format!("resubmission {n} was marked done already by {} at {}", d.by, d.at)));
    }
    let d = Done { by: records.actor.clone(), at: Utc::now().to_rfc3339() };
    let bytes = serde_json::to_vec_pretty(&d).expect("serialises");
    let event = Event::new(EventKind::ResubmissionDone, Some(id)).details(json!({"n": n}));
    records.archive.record_once(&index, &done_name(n), &bytes, &records.actor, event)?;
    r.done = Some(d);
    if let Some(c) = &records.catalog {
        c.resubmission_put(&r).map_err(catalog_err)?;
    }
    Ok(r)
}

/// Every resubmission of a document, as the archive holds them, with their ends.
pub fn all_of(archive: &Archive, id: &str) -> Result<Vec<Resubmission>, ArchiveError> {
    let records = archive.records(id, "resubmission-")?;
    let mut out: Vec<Resubmission> = Vec::new();
    for (_, bytes) in records.iter().filter(|(n, _)| !n.ends_with("-done.json")) {
        let Ok(mut r) = serde_json::from_slice::<Resubmission>(bytes) else { continue };
        let done = done_name(r.n);
        r.done = records.iter().find(|(n, _)| *n == done).and_then(|(_, b)| serde_json::from_slice(b).ok());
        out.push(r);
    }
    out.sort_by_key(|r| r.n);
    Ok(out)
}

/// Open resubmissions due on or before `day`, for `user` (theirs and everyone's) or all.
pub fn due(catalog: &dyn Catalog, day: NaiveDate, user: Option<&str>) -> Result<Vec<Resubmission>, ResubmitError> {
    catalog.resubmissions_due(day, user).map_err(catalog_err)
}
