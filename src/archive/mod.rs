//! Archive: a document's original, its derived artefacts and its index revisions, keyed by
//! the original's SHA-256 (the document id), on an [`ObjectStore`], with every write logged
//! in the [`AuditLog`].
//!
//! ```text
//! documents/<id>/<id>.<ext>          the original, byte for byte (stored on arrival)
//! documents/<id>/pdfa.pdf            searchable PDF/A-2b (scans)
//! documents/<id>/words.json          pages, lines and words with boxes
//! documents/<id>/attachments/<name>  e-invoice XML and files embedded in it
//! documents/<id>/index/0001.json     index revisions; the highest is current
//! quarantine/<id>/0001.json          why a document could not be processed (its original
//!                                    stays under documents/<id>/)
//! ```
//! Nothing is ever overwritten. A document is complete when its first index revision exists;
//! that object is written last, after the audit entry that lists the hashes of everything
//! written, so a crash at any point leaves either a complete document or one that the next
//! attempt completes. Derived artefacts left by a crashed attempt are kept and reused.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::audit::{AuditError, AuditLog, Event, EventKind, ObjectRef};
use crate::document::{Artefacts, Document, MediaType};
use crate::index::{DocType, DocumentId, DocumentIndex};
use crate::retention::{Retention, RetentionPolicy};
use crate::store::{list_all, ObjectStore, Put, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error("the stored index at {key} cannot be read: {message}")]
    BadIndex { key: String, message: String },
    #[error("no document {0} in the archive")]
    NotFound(String),
    /// A change made against a revision that is no longer the current one.
    #[error("{id} was changed meanwhile: revision {current} is current, the change was made to revision {base}; look at it again")]
    Conflict { id: String, base: u32, current: u32 },
    /// Everything is stored, but the catalog could not mirror it; retrying brings it up to
    /// date, and `mailroom catalog rebuild` always does.
    #[error("stored, but the catalog could not be updated ({0}); it catches up on the next attempt or with `mailroom catalog rebuild`")]
    Catalog(String),
}

impl ArchiveError {
    /// Worth retrying later (storage unreachable), as opposed to needing an admin.
    pub fn is_transient(&self) -> bool {
        match self {
            ArchiveError::Store(e) | ArchiveError::Audit(AuditError::Store(e)) => e.is_transient(),
            ArchiveError::Catalog(_) => true,
            _ => false,
        }
    }
}

/// What [`Archive::store`] found or did.
#[derive(Debug)]
pub enum Stored {
    /// Written now; these objects make up the document.
    New(Vec<ObjectRef>),
    /// Another worker completed the same document first: its index (boxed: it is large).
    Existing(Box<DocumentIndex>),
}

/// Where the ERP outbox entries lie (written by `handoff`); the archive lists them as
/// objects of their document for retention and purging.
pub const OUTBOX_PREFIX: &str = "handoff/";

pub fn document_prefix(id: &str) -> String {
    format!("documents/{id}/")
}

pub fn original_key(id: &str, media: MediaType) -> String {
    format!("documents/{id}/{id}.{}", media.extension())
}

fn index_prefix(id: &str) -> String {
    format!("documents/{id}/index/")
}

fn index_key(id: &str, revision: u32) -> String {
    format!("documents/{id}/index/{revision:04}.json")
}

fn quarantine_key(id: &str, n: u32) -> String {
    format!("quarantine/{id}/{n:04}.json")
}

fn revision_of(key: &str) -> Option<u32> {
    key.rsplit('/').next()?.strip_suffix(".json")?.parse().ok()
}

/// A file name that is safe as one key segment.
fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().map(|c| if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    let trimmed = cleaned.trim_start_matches('.');
    if trimmed.is_empty() {
        "attachment.bin".to_string()
    } else {
        trimmed.chars().take(120).collect()
    }
}

fn received_at(index: &DocumentIndex) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&index.source.received_at).map(|d| d.with_timezone(&Utc)).unwrap_or_else(|_| Utc::now())
}

/// The folder names that are document ids; anything else in `documents/` or `quarantine/` was
/// not written by mailroom, and is named in the log, never taken for a document.
fn ids_in(names: Vec<String>) -> Vec<DocumentId> {
    names
        .into_iter()
        .filter_map(|n| match DocumentId::parse(&n) {
            Ok(id) => Some(id),
            Err(e) => {
                tracing::warn!(folder = %e.shown, "not a document folder: left alone");
                None
            }
        })
        .collect()
}

/// Cheap to clone: the store and the audit log (with its cached chain head) are shared.
#[derive(Clone)]
pub struct Archive {
    store: Arc<dyn ObjectStore>,
    audit: Arc<AuditLog>,
    retention: RetentionPolicy,
}

impl Archive {
    pub fn new(store: Arc<dyn ObjectStore>, retention: RetentionPolicy) -> Archive {
        let audit = Arc::new(AuditLog::new(store.clone(), retention.clone()));
        Archive { store, audit, retention }
    }

    pub fn store(&self) -> &Arc<dyn ObjectStore> {
        &self.store
    }

    pub fn audit(&self) -> &AuditLog {
        &self.audit
    }

    pub fn retention_policy(&self) -> &RetentionPolicy {
        &self.retention
    }

    /// Writes `bytes` under `key` unless it exists; returns what the key now holds. The
    /// object is locked until `until`, or its lock extended to it.
    fn put(&self, key: &str, bytes: &[u8], until: DateTime<Utc>) -> Result<ObjectRef, ArchiveError> {
        match self.store.put_new(key, bytes, Some(until))? {
            Put::Created => Ok(ObjectRef::of(key, bytes)),
            Put::Exists => {
                // Left by an earlier, interrupted attempt (or the original stored on arrival):
                // keep what is there, and make sure it is locked long enough.
                self.store.extend_retention(key, until)?;
                let stored = self.store.get(key)?.ok_or_else(|| StoreError::Unavailable(format!("{key} vanished while being read")))?;
                Ok(ObjectRef::of(key, &stored))
            }
        }
    }

    /// A small record beside a document (`documents/{id}/{name}`), written once and locked
    /// like the document's index, listed in an audit entry of `event`'s kind. `false`: it was
    /// there already, nothing was written.
    pub fn record_once(&self, index: &DocumentIndex, name: &str, bytes: &[u8], actor: &str, event: Event) -> Result<bool, ArchiveError> {
        let key = format!("documents/{}/{}", index.id, safe_name(name));
        let until = index.archive.retain_until.as_deref().and_then(|d| DateTime::parse_from_rfc3339(d).ok()).map(|d| d.with_timezone(&Utc)).unwrap_or_else(|| self.retention_of(index).until);
        if self.store.put_new(&key, bytes, Some(until))? == Put::Exists {
            return Ok(false);
        }
        self.audit.append(actor, event.objects(vec![ObjectRef::of(&key, bytes)]))?;
        Ok(true)
    }

    /// The records beside a document whose names start with `prefix` (written by
    /// [`Archive::record_once`]): (name, bytes), in name order.
    pub fn records(&self, id: &str, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, ArchiveError> {
        let dir = format!("documents/{id}/");
        let mut out = Vec::new();
        for key in list_all(&*self.store, &format!("{dir}{prefix}"))? {
            if let Some(bytes) = self.store.get(&key)? {
                out.push((key.strip_prefix(&dir).unwrap_or(&key).to_string(), bytes));
            }
        }
        Ok(out)
    }

    /// Whether a record written by [`Archive::record_once`] is there.
    pub fn has_record(&self, id: &str, name: &str) -> Result<bool, ArchiveError> {
        Ok(self.store.get(&format!("documents/{id}/{}", safe_name(name)))?.is_some())
    }

    /// Stores the original of a document that has just arrived, before it is processed,
    /// locked for the shortest retention any rule gives. Logs `received` when it is new.
    pub fn receive(&self, doc: &Document, actor: &str) -> Result<ObjectRef, ArchiveError> {
        let key = original_key(&doc.sha256, doc.media_type);
        let received = DateTime::parse_from_rfc3339(&doc.source.received_at).map(|d| d.with_timezone(&Utc)).unwrap_or_else(|_| Utc::now());
        let r = self.retention.retention(None, received);
        let created = self.store.put_new(&key, &doc.bytes, Some(r.until))? == Put::Created;
        let obj = ObjectRef::of(&key, &doc.bytes);
        if created {
            let details = json!({"channel": doc.source.channel, "media_type": doc.source.media_type, "retain_until": r.until.to_rfc3339(), "retention_rule": r.rule});
            self.audit.append(actor, Event::new(EventKind::Received, Some(&doc.sha256)).objects(vec![obj.clone()]).details(details))?;
        }
        Ok(obj)
    }

    /// The original of a document being recorded, locked until `until`. It is
    /// content-addressed and stored on arrival ([`Archive::receive`]): its lock is lengthened
    /// without sending its bytes again or reading them back (what we hold hashes to its id).
    /// Only where it is missing is it written now.
    fn keep_original(&self, doc: &Document, until: DateTime<Utc>) -> Result<ObjectRef, ArchiveError> {
        let key = original_key(&doc.sha256, doc.media_type);
        if self.store.head(&key)?.is_some() {
            self.store.extend_retention(&key, until)?;
            Ok(ObjectRef::of(&key, &doc.bytes))
        } else {
            self.put(&key, &doc.bytes, until)
        }
    }

    /// The original's bytes and its media type, found by id alone.
    pub fn original(&self, id: &str) -> Result<Option<(String, Vec<u8>)>, ArchiveError> {
        let prefix = format!("documents/{id}/{id}.");
        let Some(key) = self.store.list(&prefix, None, 1)?.into_iter().next() else { return Ok(None) };
        Ok(self.store.get(&key)?.map(|b| (key, b)))
    }

    /// The current (highest) index revision of a processed document.
    pub fn lookup(&self, id: &str) -> Result<Option<DocumentIndex>, ArchiveError> {
        match self.revisions(id)?.last() {
            Some(key) => self.read_index(key),
            None => Ok(None),
        }
    }

    /// Keys of every index revision, oldest first.
    pub fn revisions(&self, id: &str) -> Result<Vec<String>, ArchiveError> {
        Ok(list_all(&*self.store, &index_prefix(id))?.into_iter().filter(|k| revision_of(k).is_some()).collect())
    }

    pub fn read_index(&self, key: &str) -> Result<Option<DocumentIndex>, ArchiveError> {
        match self.store.get(key)? {
            Some(b) => serde_json::from_slice(&b).map(Some).map_err(|e| ArchiveError::BadIndex { key: key.to_string(), message: e.to_string() }),
            None => Ok(None),
        }
    }

    fn retention_of(&self, index: &DocumentIndex) -> Retention {
        self.retention.retention(index.doc_type.as_ref().map(|d| d.label), received_at(index))
    }

    /// Stores a processed document: original, artefacts, then (after the audit entry that
    /// lists them all) its first index revision. Fills `index.archive`.
    pub fn store_processed(&self, doc: &Document, artefacts: &Artefacts, index: &mut DocumentIndex, actor: &str) -> Result<Stored, ArchiveError> {
        let id = &doc.sha256;
        let r = self.retention_of(index);
        let mut objects = Vec::new();
        let original = self.keep_original(doc, r.until)?;
        index.archive.original = Some(original.key.clone());
        objects.push(original);
        if let Some(pdfa) = &artefacts.pdfa {
            let o = self.put(&format!("documents/{id}/pdfa.pdf"), pdfa, r.until)?;
            index.archive.pdfa = Some(o.key.clone());
            objects.push(o);
        }
        if let Some(words) = &artefacts.words {
            let o = self.put(&format!("documents/{id}/words.json"), words, r.until)?;
            index.archive.words = Some(o.key.clone());
            objects.push(o);
        }
        index.archive.attachments.clear();
        for (name, bytes) in &artefacts.attachments {
            let o = self.put(&format!("documents/{id}/attachments/{}", safe_name(name)), bytes, r.until)?;
            index.archive.attachments.push(o.key.clone());
            objects.push(o);
        }
        index.archive.attachments.extend(artefacts.linked.iter().map(|(id, media)| original_key(id, *media)));
        let key = index_key(id, 1);
        index.archive.index = Some(key.clone());
        index.archive.revision = 1;
        index.archive.retain_until = Some(r.until.to_rfc3339());
        index.archive.retention_rule = Some(r.rule.clone());
        let json = serde_json::to_vec_pretty(index).expect("the index always serialises");
        objects.push(ObjectRef::of(&key, &json));
        let details = json!({
            "revision": 1,
            "doc_type": index.doc_type.as_ref().map(|d| d.label),
            "confidence": index.doc_type.as_ref().map(|d| d.confidence),
            "needs_review": index.needs_review,
            "models": index.models,
            "retain_until": r.until.to_rfc3339(),
            "retention_rule": r.rule,
        });
        self.audit.append(actor, Event::new(EventKind::Archived, Some(id)).objects(objects.clone()).details(details))?;
        match self.store.put_new(&key, &json, Some(r.until))? {
            Put::Created => Ok(Stored::New(objects)),
            Put::Exists => match self.read_index(&key)? {
                Some(existing) => Ok(Stored::Existing(Box::new(existing))),
                None => Err(StoreError::Unavailable(format!("{key} vanished while being read")).into()),
            },
        }
    }

    /// Writes a new index revision (a correction, a reclassification, a review decision)
    /// beside the old ones and extends every object's lock if the new type is kept longer.
    /// `changes` says what changed and why, for the audit trail. `index` is the changed
    /// current index: the change is refused ([`ArchiveError::Conflict`]) when another
    /// revision was written since its revision, so that two people saving the same document
    /// never overwrite each other silently.
    pub fn revise(&self, index: &mut DocumentIndex, actor: &str, changes: serde_json::Value) -> Result<ObjectRef, ArchiveError> {
        let id = index.id.clone();
        let base = index.archive.revision;
        let current = self.revisions(&id)?.last().and_then(|k| revision_of(k)).ok_or_else(|| ArchiveError::NotFound(id.to_string()))?;
        if current != base {
            return Err(ArchiveError::Conflict { id: id.to_string(), base, current });
        }
        let r = self.retention_of(index);
        for key in list_all(&*self.store, &document_prefix(&id))? {
            self.store.extend_retention(&key, r.until)?;
        }
        let rev = current + 1;
        let key = index_key(&id, rev);
        index.archive.index = Some(key.clone());
        index.archive.revision = rev;
        index.archive.retain_until = Some(r.until.to_rfc3339());
        index.archive.retention_rule = Some(r.rule.clone());
        let json = serde_json::to_vec_pretty(index).expect("the index always serialises");
        let obj = ObjectRef::of(&key, &json);
        let mut details = changes;
        if let Some(m) = details.as_object_mut() {
            m.insert("revision".into(), json!(rev));
            m.insert("retain_until".into(), json!(r.until.to_rfc3339()));
        }
        // Log first, then write: an index object is never there without its entry.
        self.audit.append(actor, Event::new(EventKind::Revised, Some(&id)).objects(vec![obj.clone()]).details(details))?;
        match self.store.put_new(&key, &json, Some(r.until))? {
            Put::Created => Ok(obj),
            // Someone wrote the same revision at the same moment: theirs stands, ours is refused.
            Put::Exists => Err(ArchiveError::Conflict { id: id.to_string(), base, current: rev }),
        }
    }

    /// Keeps the record of a document that could not be processed. Its original stays
    /// where it arrived (`documents/<id>/…`), locked for the shortest rule.
    pub fn quarantine(&self, doc: &Document, index: &mut DocumentIndex, actor: &str) -> Result<Vec<ObjectRef>, ArchiveError> {
        let id = &doc.sha256;
        let r = self.retention.retention(None, received_at(index));
        let original = self.keep_original(doc, r.until)?;
        index.archive.original = Some(original.key.clone());
        let n = list_all(&*self.store, &format!("quarantine/{id}/"))?.iter().filter_map(|k| revision_of(k)).max().unwrap_or(0) + 1;
        let key = quarantine_key(id, n);
        index.archive.index = Some(key.clone());
        index.archive.revision = n;
        index.archive.retain_until = Some(r.until.to_rfc3339());
        index.archive.retention_rule = Some(r.rule.clone());
        let json = serde_json::to_vec_pretty(index).expect("the index always serialises");
        let record = ObjectRef::of(&key, &json);
        let error = index.error.as_ref().map(|e| json!({"kind": e.kind, "message": e.message}));
        self.audit.append(actor, Event::new(EventKind::Quarantined, Some(id)).objects(vec![original.clone(), record.clone()]).details(json!({"error": error})))?;
        self.store.put_new(&key, &json, Some(r.until))?;
        Ok(vec![original, record])
    }

    /// The newest quarantine record of a document, if it has one.
    pub fn quarantined(&self, id: &str) -> Result<Option<DocumentIndex>, ArchiveError> {
        match list_all(&*self.store, &format!("quarantine/{id}/"))?.last() {
            Some(k) => self.read_index(k),
            None => Ok(None),
        }
    }

    /// Ids of every document with an original in the archive.
    pub fn document_ids(&self) -> Result<Vec<DocumentId>, ArchiveError> {
        Ok(ids_in(self.store.children("documents/")?))
    }

    /// The current index of every processed document (quarantined ones and originals still
    /// waiting for a worker left out), read one at a time.
    pub fn processed(&self) -> Result<impl Iterator<Item = Result<DocumentIndex, ArchiveError>> + '_, ArchiveError> {
        Ok(self.document_ids()?.into_iter().filter_map(move |id| match self.lookup(&id) {
            Ok(Some(i)) if i.status == crate::index::Status::Processed => Some(Ok(i)),
            Ok(_) => None,
            Err(e) => Some(Err(e)),
        }))
    }

    /// Ids of every document that has ever been quarantined.
    pub fn quarantine_ids(&self) -> Result<Vec<DocumentId>, ArchiveError> {
        Ok(ids_in(self.store.children("quarantine/")?))
    }

    /// Sets or releases a legal hold on every object of a document.
    pub fn legal_hold(&self, id: &str, on: bool, actor: &str, reason: &str) -> Result<usize, ArchiveError> {
        let keys: Vec<String> = list_all(&*self.store, &document_prefix(id))?.into_iter().chain(list_all(&*self.store, &format!("quarantine/{id}/"))?).collect();
        if keys.is_empty() {
            return Err(ArchiveError::NotFound(id.to_string()));
        }
        for k in &keys {
            self.store.set_legal_hold(k, on)?;
        }
        let kind = if on { EventKind::LegalHoldSet } else { EventKind::LegalHoldReleased };
        self.audit.append(actor, Event::new(kind, Some(id)).details(json!({"reason": reason, "objects": keys.len()})))?;
        Ok(keys.len())
    }

    /// Every object that belongs to a document: its folder, its quarantine records and its
    /// ERP outbox entries.
    pub fn objects_of(&self, id: &str) -> Result<Vec<String>, ArchiveError> {
        let mut keys = list_all(&*self.store, &document_prefix(id))?;
        keys.extend(list_all(&*self.store, &format!("quarantine/{id}/"))?);
        let marker = format!("/{id}-r");
        keys.extend(list_all(&*self.store, OUTBOX_PREFIX)?.into_iter().filter(|k| k.contains(&marker)));
        Ok(keys)
    }

    /// Where a document stands with its retention: the lock on its objects (the latest
    /// retain-until of any of them), legal holds, and the rule of its current type.
    pub fn retention_status(&self, id: &DocumentId) -> Result<RetentionStatus, ArchiveError> {
        let index = match self.lookup(id)? {
            Some(i) => Some(i),
            None => self.quarantined(id)?,
        };
        let mut status = RetentionStatus {
            id: id.clone(),
            name: index.as_ref().map(|i| i.source.name.clone()),
            doc_type: index.as_ref().and_then(|i| i.doc_type.as_ref().map(|d| d.label)),
            received_at: index.as_ref().map(|i| i.source.received_at.clone()),
            rule: index.as_ref().and_then(|i| i.archive.retention_rule.clone()),
            retain_until: None,
            legal_hold: false,
            objects: 0,
        };
        for key in self.objects_of(id)? {
            if let Some(meta) = self.store.head(&key)? {
                status.objects += 1;
                status.legal_hold |= meta.legal_hold;
                status.retain_until = status.retain_until.max(meta.retain_until);
            }
        }
        Ok(status)
    }

    /// Deletes every object of a document whose retention has ended, after logging the
    /// approval and the hashes of what goes. Refused under a legal hold or before the date.
    pub fn purge(&self, id: &DocumentId, actor: &str, approval: &str) -> Result<usize, ArchiveError> {
        let status = self.retention_status(id)?;
        if status.objects == 0 {
            return Err(ArchiveError::NotFound(id.to_string()));
        }
        if status.legal_hold {
            return Err(StoreError::Refused { op: "purge", key: id.to_string(), message: "a legal hold is set".into() }.into());
        }
        if let Some(until) = status.retain_until.filter(|u| *u > Utc::now()) {
            return Err(StoreError::Refused { op: "purge", key: id.to_string(), message: format!("retained until {}", until.to_rfc3339()) }.into());
        }
        let keys = self.objects_of(id)?;
        let mut objects = Vec::new();
        for key in &keys {
            if let Some(bytes) = self.store.get(key)? {
                objects.push(ObjectRef::of(key, &bytes));
            }
        }
        let details = json!({"approval": approval, "retain_until": status.retain_until.map(|u| u.to_rfc3339()), "rule": status.rule, "doc_type": status.doc_type});
        self.audit.append(actor, Event::new(EventKind::Purged, Some(id)).objects(objects.clone()).details(details))?;
        for o in &objects {
            self.store.delete(&o.key)?;
        }
        Ok(objects.len())
    }
}

/// See [`Archive::retention_status`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct RetentionStatus {
    pub id: DocumentId,
    pub name: Option<String>,
    pub doc_type: Option<DocType>,
    pub received_at: Option<String>,
    pub rule: Option<String>,
    pub retain_until: Option<DateTime<Utc>>,
    pub legal_hold: bool,
    pub objects: usize,
}

impl RetentionStatus {
    /// Past its retention and not held: may be purged (with an approval).
    pub fn expired(&self) -> bool {
        !self.legal_hold && self.retain_until.map(|u| u <= Utc::now()).unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{Channel, DocTypeResult, ErrorKind};
    use crate::store::local::LocalStore;

    fn archive() -> (tempfile::TempDir, Archive) {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn ObjectStore> = Arc::new(LocalStore::open(dir.path()).unwrap());
        (dir, Archive::new(store, RetentionPolicy::default()))
    }

    fn processed(doc: &Document, t: DocType) -> DocumentIndex {
        let mut i = DocumentIndex::quarantined(doc.sha256.clone(), doc.source.clone(), ErrorKind::Internal, String::new());
        i.status = crate::index::Status::Processed;
        i.error = None;
        i.doc_type = Some(DocTypeResult { label: t, confidence: 0.9 });
        i
    }

    #[test]
    fn an_original_held_on_arrival_is_extended_when_classified() {
        let (_d, a) = archive();
        let doc = Document::new(b"%PDF-1.7 letter".to_vec(), Channel::File, "x.pdf".into());
        let key = a.receive(&doc, "test").unwrap().key;
        let on_arrival = a.store().head(&key).unwrap().unwrap().retain_until.unwrap();
        let mut idx = processed(&doc, DocType::Contract);
        let Stored::New(objects) = a.store_processed(&doc, &Artefacts::default(), &mut idx, "test").unwrap() else { panic!("new") };
        assert_eq!(objects.len(), 2, "original and index");
        let after = a.store().head(&key).unwrap().unwrap().retain_until.unwrap();
        assert_eq!((after - on_arrival).num_days() / 365, 4, "6 years on arrival, 10 as a contract");
        assert_eq!(a.lookup(&doc.sha256).unwrap().unwrap().archive.revision, 1);
    }

    #[test]
    fn revisions_are_written_beside_the_old_ones() {
        let (_d, a) = archive();
        let doc = Document::new(b"%PDF-1.7 invoice".to_vec(), Channel::File, "x.pdf".into());
        let mut idx = processed(&doc, DocType::Letter);
        a.store_processed(&doc, &Artefacts::default(), &mut idx, "test").unwrap();
        idx.doc_type = Some(DocTypeResult { label: DocType::Invoice, confidence: 1.0 });
        a.revise(&mut idx, "accountant", json!({"reason": "reclassified"})).unwrap();
        assert_eq!(a.revisions(&doc.sha256).unwrap().len(), 2);
        let current = a.lookup(&doc.sha256).unwrap().unwrap();
        assert_eq!(current.archive.revision, 2);
        assert_eq!(current.doc_type.unwrap().label, DocType::Invoice);
        let first = a.read_index(&index_key(&doc.sha256, 1)).unwrap().unwrap();
        assert_eq!(first.doc_type.unwrap().label, DocType::Letter, "the first revision is unchanged");
    }

    #[test]
    fn purge_only_after_the_date_never_under_hold_and_verify_accounts_for_it() {
        let (_d, a) = archive();
        let mut doc = Document::new(b"%PDF-1.7 old letter".to_vec(), Channel::File, "old.pdf".into());
        doc.source.received_at = "2010-03-01T09:00:00Z".into(); // 6 years from the end of 2010: long over
        let mut idx = processed(&doc, DocType::Letter);
        a.store_processed(&doc, &Artefacts { words: Some(b"[]".to_vec()), ..Default::default() }, &mut idx, "test").unwrap();
        let young = Document::new(b"%PDF-1.7 new letter".to_vec(), Channel::File, "new.pdf".into());
        let mut young_idx = processed(&young, DocType::Letter);
        a.store_processed(&young, &Artefacts::default(), &mut young_idx, "test").unwrap();

        assert!(a.retention_status(&doc.sha256).unwrap().expired());
        assert!(!a.retention_status(&young.sha256).unwrap().expired());
        assert!(a.purge(&young.sha256, "test", "approved").is_err(), "purged before its date");

        a.legal_hold(&doc.sha256, true, "test", "litigation").unwrap();
        assert!(!a.retention_status(&doc.sha256).unwrap().expired());
        assert!(a.purge(&doc.sha256, "test", "approved").is_err(), "purged under a legal hold");
        a.legal_hold(&doc.sha256, false, "test", "litigation over").unwrap();

        assert_eq!(a.purge(&doc.sha256, "test", "J. Schmidt, Löschfreigabe 1").unwrap(), 3, "original, words, index");
        assert!(a.lookup(&doc.sha256).unwrap().is_none());
        assert!(a.lookup(&young.sha256).unwrap().is_some());
        let report = crate::audit::verify::verify(&**a.store()).unwrap();
        assert!(report.is_clean(), "{:?}", report.findings);
        assert_eq!(report.purged, 3);
    }

    #[test]
    fn a_second_store_of_the_same_document_returns_the_first_index() {
        let (_d, a) = archive();
        let doc = Document::new(b"%PDF-1.7 twice".to_vec(), Channel::File, "x.pdf".into());
        let mut first = processed(&doc, DocType::Invoice);
        a.store_processed(&doc, &Artefacts { pdfa: Some(b"A".to_vec()), ..Default::default() }, &mut first, "w1").unwrap();
        // A second worker with a slightly different PDF/A (another timestamp).
        let mut second = processed(&doc, DocType::Invoice);
        match a.store_processed(&doc, &Artefacts { pdfa: Some(b"B".to_vec()), ..Default::default() }, &mut second, "w2").unwrap() {
            Stored::Existing(i) => assert_eq!(*i, first),
            Stored::New(_) => panic!("stored twice"),
        }
        assert_eq!(a.store().get(&format!("documents/{}/pdfa.pdf", doc.sha256)).unwrap().unwrap(), b"A");
    }
}
