//! The audit trail: every event (received, archived, quarantined, revised, exported, legal
//! hold, retention, purge, dead-lettered …) with who or what did it, as a hash chain of
//! immutable objects beside the documents.
//!
//! ```text
//! audit/000000000001.json   {"seq":1,"prev":"000…","at":…,"actor":…,"event":…,"document":…,"details":…,"hash":…}
//! audit/000000000002.json   {"seq":2,"prev":<hash of 1>,…}
//! ```
//! `hash` is the SHA-256 of the entry's JSON without `hash` (keys sorted, compact), and
//! each entry carries the hash of the one before, so changing or removing any entry breaks
//! every link after it.
//!
//! **One total order across many workers, by conditional writes:** an entry is created with
//! the store's create-if-absent (`If-None-Match: *` on S3, a hard link locally) at the key
//! after the newest one this process knows. If another worker took that key first, we read
//! its entry, move our head past it and try again. No sequencer service is needed, and the
//! order is the order of the keys. Entries are locked for the longest retention period, so
//! the trail outlives every document it speaks of.

pub mod verify;

use std::sync::{Arc, Mutex};

use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::document::sha256_hex;
use crate::retention::RetentionPolicy;
use crate::store::{ObjectStore, Put, StoreError};

pub const PREFIX: &str = "audit/";
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened. Stable names: auditors filter on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The original bytes were stored on arrival.
    Received,
    /// Read, classified and extracted; the listed objects are the document's artefacts and
    /// its first index revision.
    Archived,
    /// Could not be processed; the original and the reason are kept.
    Quarantined,
    /// A new index revision: fields corrected or the document reclassified.
    Revised,
    /// Handed to the ERP (outbox objects written, event published).
    HandedOff,
    /// Exported (EN 16931 XML and others) by a user.
    Exported,
    RetentionExtended,
    LegalHoldSet,
    LegalHoldReleased,
    /// Objects deleted after their retention ended, with the approval given.
    Purged,
    /// A quarantined or dead-lettered document was sent through again.
    Retried,
    /// A job failed for good and went to the dead-letter queue.
    DeadLettered,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Received => "received",
            EventKind::Archived => "archived",
            EventKind::Quarantined => "quarantined",
            EventKind::Revised => "revised",
            EventKind::HandedOff => "handed_off",
            EventKind::Exported => "exported",
            EventKind::RetentionExtended => "retention_extended",
            EventKind::LegalHoldSet => "legal_hold_set",
            EventKind::LegalHoldReleased => "legal_hold_released",
            EventKind::Purged => "purged",
            EventKind::Retried => "retried",
            EventKind::DeadLettered => "dead_lettered",
        }
    }
}

/// An object an event vouches for: verify recomputes its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectRef {
    pub key: String,
    pub sha256: String,
    pub size: u64,
}

impl ObjectRef {
    pub fn of(key: &str, bytes: &[u8]) -> ObjectRef {
        ObjectRef { key: key.to_string(), sha256: sha256_hex(bytes), size: bytes.len() as u64 }
    }
}

/// One event to append.
#[derive(Debug, Clone)]
pub struct Event {
    pub kind: EventKind,
    /// The document's id (SHA-256), when the event concerns one.
    pub document: Option<String>,
    /// Objects written (or deleted, for a purge) by this event.
    pub objects: Vec<ObjectRef>,
    /// Anything else worth keeping: reasons, field changes, approvals. Never document content
    /// beyond what the index itself holds.
    pub details: Value,
}

impl Event {
    pub fn new(kind: EventKind, document: Option<&str>) -> Event {
        Event { kind, document: document.map(str::to_string), objects: Vec::new(), details: json!({}) }
    }

    pub fn objects(mut self, objects: Vec<ObjectRef>) -> Event {
        self.objects = objects;
        self
    }

    pub fn details(mut self, details: Value) -> Event {
        self.details = details;
        self
    }
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: u64,
    pub prev: String,
    pub at: String,
    pub actor: String,
    pub event: EventKind,
    pub document: Option<String>,
    #[serde(default)]
    pub objects: Vec<ObjectRef>,
    #[serde(default)]
    pub details: Value,
    pub hash: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("audit entry {key} is damaged: {message}")]
    Damaged { key: String, message: String },
}

pub fn key(seq: u64) -> String {
    format!("{PREFIX}{seq:012}.json")
}

/// The hash an entry's body must have: SHA-256 of its JSON without `hash`, keys sorted.
pub fn body_hash(entry: &Value) -> String {
    let mut body = entry.clone();
    if let Some(m) = body.as_object_mut() {
        m.remove("hash");
    }
    sha256_hex(&serde_json::to_vec(&body).expect("JSON values serialise"))
}

/// The append-only, hash-chained log.
pub struct AuditLog {
    store: Arc<dyn ObjectStore>,
    retention: RetentionPolicy,
    /// The newest entry this process knows: (seq, hash). `None` until first needed.
    head: Mutex<Option<(u64, String)>>,
}

impl AuditLog {
    pub fn new(store: Arc<dyn ObjectStore>, retention: RetentionPolicy) -> AuditLog {
        AuditLog { store, retention, head: Mutex::new(None) }
    }

    /// Appends `event` done by `actor`; returns the stored entry.
    pub fn append(&self, actor: &str, event: Event) -> Result<Entry, AuditError> {
        let mut head = self.head.lock().unwrap_or_else(|p| p.into_inner());
        if head.is_none() {
            *head = Some(self.find_head()?);
        }
        let at = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let retain = self.retention.longest(Utc::now());
        loop {
            let (seq, prev) = head.clone().expect("head was just found");
            let mut body = Map::new();
            body.insert("seq".into(), json!(seq + 1));
            body.insert("prev".into(), json!(prev));
            body.insert("at".into(), json!(at));
            body.insert("actor".into(), json!(actor));
            body.insert("event".into(), json!(event.kind));
            body.insert("document".into(), json!(event.document));
            body.insert("objects".into(), serde_json::to_value(&event.objects).expect("object refs serialise"));
            body.insert("details".into(), event.details.clone());
            let mut value = Value::Object(body);
            let hash = body_hash(&value);
            value.as_object_mut().expect("an object").insert("hash".into(), json!(hash));
            let bytes = serde_json::to_vec(&value).expect("JSON values serialise");
            let k = key(seq + 1);
            match self.store.put_new(&k, &bytes, Some(retain))? {
                Put::Created => {
                    *head = Some((seq + 1, hash));
                    return Ok(serde_json::from_value(value).expect("an entry we just built parses"));
                }
                Put::Exists => {
                    // Another writer took this place (or a retry of our own write landed).
                    let theirs = self.read(seq + 1)?.ok_or_else(|| AuditError::Damaged { key: k.clone(), message: "exists but cannot be read".into() })?;
                    if theirs.hash == hash {
                        *head = Some((seq + 1, hash));
                        return Ok(theirs);
                    }
                    *head = Some((theirs.seq, theirs.hash));
                }
            }
        }
    }

    /// The newest entries that `keep` accepts, newest first: at most `n`, looking at no more
    /// than `scan` entries back from the current head (found afresh: other processes append
    /// too). For the review UI's audit page; `verify` is what proves the chain.
    pub fn latest(&self, n: usize, scan: u64, keep: impl Fn(&Entry) -> bool) -> Result<Vec<Entry>, AuditError> {
        let (head, _) = self.find_head()?;
        let mut out = Vec::new();
        let mut seq = head;
        while seq >= 1 && out.len() < n && head - seq < scan {
            if let Some(e) = self.read(seq)?.filter(|e| keep(e)) {
                out.push(e);
            }
            seq -= 1;
        }
        Ok(out)
    }

    /// Reads entry `seq`, checking only that it parses.
    pub fn read(&self, seq: u64) -> Result<Option<Entry>, AuditError> {
        let k = key(seq);
        let Some(bytes) = self.store.get(&k)? else { return Ok(None) };
        serde_json::from_slice(&bytes).map(Some).map_err(|e| AuditError::Damaged { key: k, message: e.to_string() })
    }

    /// The newest entry: found by doubling then bisecting over HEAD requests, so start-up
    /// costs O(log n) requests, not a listing of the whole trail.
    fn find_head(&self) -> Result<(u64, String), AuditError> {
        let exists = |seq: u64| -> Result<bool, AuditError> { Ok(self.store.head(&key(seq))?.is_some()) };
        if !exists(1)? {
            return Ok((0, GENESIS.to_string()));
        }
        let mut lo = 1u64; // exists
        let mut hi = 2u64;
        while exists(hi)? {
            lo = hi;
            hi *= 2;
        }
        // lo exists, hi does not.
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if exists(mid)? {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let e = self.read(lo)?.ok_or_else(|| AuditError::Damaged { key: key(lo), message: "vanished while reading".into() })?;
        Ok((e.seq, e.hash))
    }
}

/// The hash the first entry's `prev` holds.
pub fn genesis() -> &'static str {
    GENESIS
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::local::LocalStore;

    #[test]
    fn entries_chain_and_two_logs_on_one_store_share_one_order() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn ObjectStore> = Arc::new(LocalStore::open(dir.path()).unwrap());
        let a = AuditLog::new(store.clone(), RetentionPolicy::default());
        let b = AuditLog::new(store.clone(), RetentionPolicy::default());
        let e1 = a.append("worker-a", Event::new(EventKind::Received, Some("d1"))).unwrap();
        let e2 = b.append("worker-b", Event::new(EventKind::Received, Some("d2"))).unwrap();
        // `a` still believes entry 1 is the newest: it must step past b's entry, not overwrite it.
        let e3 = a.append("worker-a", Event::new(EventKind::Archived, Some("d1"))).unwrap();
        assert_eq!((e1.seq, e2.seq, e3.seq), (1, 2, 3));
        assert_eq!(e1.prev, GENESIS);
        assert_eq!(e2.prev, e1.hash);
        assert_eq!(e3.prev, e2.hash);
        let raw: Value = serde_json::from_slice(&store.get(&key(3)).unwrap().unwrap()).unwrap();
        assert_eq!(body_hash(&raw), e3.hash);
        // A new process finds the head without listing.
        let c = AuditLog::new(store, RetentionPolicy::default());
        assert_eq!(c.append("cli", Event::new(EventKind::Exported, None)).unwrap().seq, 4);
    }

    #[test]
    fn concurrent_appends_never_lose_or_fork() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn ObjectStore> = Arc::new(LocalStore::open(dir.path()).unwrap());
        std::thread::scope(|s| {
            for w in 0..4 {
                let log = AuditLog::new(store.clone(), RetentionPolicy::default());
                s.spawn(move || {
                    for i in 0..25 {
                        log.append(&format!("w{w}"), Event::new(EventKind::Received, Some(&format!("{w}-{i}")))).unwrap();
                    }
                });
            }
        });
        let log = AuditLog::new(store, RetentionPolicy::default());
        let mut prev = GENESIS.to_string();
        for seq in 1..=100 {
            let e = log.read(seq).unwrap().unwrap();
            assert_eq!(e.prev, prev, "entry {seq}");
            prev = e.hash;
        }
        assert!(log.read(101).unwrap().is_none());
    }
}
