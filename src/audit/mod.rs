//! The audit trail: every event (received, archived, quarantined, revised, exported, legal
//! hold, retention, purge, dead-lettered …) with who or what did it, as hash chains of
//! immutable objects beside the documents.
//!
//! ```text
//! audit/000000000001.json                       the anchor chain (and every entry written before lanes)
//! audit/000000000002.json                       {"seq":2,"prev":<hash of 1>,"event":"anchored","details":{"lane":…,"lane_seq":…,"lane_hash":…}}
//! audit/lanes/<lane>/000000000001.json          {"lane":…,"after":2,"seq":1,"prev":<hash of anchor 2, which opened the lane>,…}
//! audit/lanes/<lane>/000000000002.json          {"lane":…,"seq":2,"prev":<hash of lane entry 1>,…}
//! ```
//! `hash` is the SHA-256 of the entry's JSON without `hash` (keys sorted, compact), and
//! each entry carries the hash of the one before, so changing or removing any entry breaks
//! every link after it.
//!
//! **Lanes: the cost of an append does not grow with the number of writers.** Each writer
//! appends to a lane of its own — a chain only it writes, so its conditional create never
//! meets another writer and an append is one PUT. A process opens as many lanes as it
//! appends at once (one per busy thread). The lanes are tied into one order by the **anchor
//! chain**, the single global chain of earlier versions (whose entries stay as they are and
//! verify as before): a lane is opened by an anchor naming it, and its first entry carries
//! that anchor's place (`after`) and hash; the writer anchors the lane's head (seq and hash)
//! again every [`ANCHOR_EVERY`] entries or [`ANCHOR_INTERVAL`] (with jitter) and when the log
//! is closed. Anchors are rare, so their conditional writes seldom meet; when they do, the
//! writer waits a random while and finds the newest entry with one listing.
//!
//! **The merged order** (what `verify` checks): the order that keeps each chain's order, puts
//! a lane after the anchor that opened it and each lane entry before every anchor that names
//! it or a later entry of its lane, and where these leave a choice takes the earliest time
//! first (then lane, then sequence). Within a lane, times never go back. A document's revisions are numbered by
//! conditional creates, so their order is fixed; `verify` checks that the merged order agrees
//! with it. A writer that dies leaves a lane that simply ends: there is no reserved place to
//! leave a hole. Entries are locked for the longest retention period, so the trail outlives
//! every document it speaks of.

pub mod verify;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
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
    /// In the anchor chain: a lane's head (seq and hash) as it stands now.
    Anchored,
    /// A document entered its due window and `document.due` was published (once).
    DueAnnounced,
    /// A document was put on a date for a person (Wiedervorlage).
    ResubmissionSet,
    /// A resubmission was marked done.
    ResubmissionDone,
    /// A stamp was put on a page.
    Stamped,
    /// An order from the ERP was stored (`mailroom orders import`), new or changed.
    OrderImported,
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
            EventKind::Anchored => "anchored",
            EventKind::DueAnnounced => "due_announced",
            EventKind::ResubmissionSet => "resubmission_set",
            EventKind::ResubmissionDone => "resubmission_done",
            EventKind::Stamped => "stamped",
            EventKind::OrderImported => "order_imported",
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
    /// The lane the entry belongs to; `None` for the anchor chain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lane: Option<String>,
    /// A lane's first entry: the anchor-chain entry the lane began after (its `prev` is
    /// that entry's hash).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<u64>,
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
    /// Our lane holds an entry we did not write.
    #[error("an audit lane is written by another process")]
    LaneTaken,
}

/// The key of anchor-chain entry `seq`.
pub fn key(seq: u64) -> String {
    format!("{PREFIX}{seq:012}.json")
}

/// Where the lanes lie.
pub const LANES: &str = "audit/lanes/";

/// The key of entry `seq` of `lane`.
pub fn lane_key(lane: &str, seq: u64) -> String {
    format!("{LANES}{lane}/{seq:012}.json")
}

/// Where an audit key points: the anchor chain's entry `seq`, or a lane's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Place {
    Anchor(u64),
    Lane(String, u64),
}

impl Place {
    /// Parses an audit key; `None` for anything else.
    pub fn of(key: &str) -> Option<Place> {
        let rest = key.strip_prefix(PREFIX)?;
        let seq_of = |name: &str| -> Option<u64> {
            let digits = name.strip_suffix(".json")?;
            (digits.len() == 12 && digits.bytes().all(|b| b.is_ascii_digit())).then(|| digits.parse().ok())?
        };
        match rest.strip_prefix("lanes/") {
            Some(lane_rest) => {
                let (lane, name) = lane_rest.split_once('/')?;
                (valid_lane(lane) && !name.contains('/')).then_some(())?;
                Some(Place::Lane(lane.to_string(), seq_of(name)?))
            }
            None => Some(Place::Anchor(seq_of(rest)?)),
        }
    }

    pub fn key(&self) -> String {
        match self {
            Place::Anchor(seq) => key(*seq),
            Place::Lane(lane, seq) => lane_key(lane, *seq),
        }
    }
}

/// The anchor-chain places among `keys` (a listing of `audit/` also holds lane keys).
fn anchor_seqs(keys: &[String]) -> impl Iterator<Item = u64> + '_ {
    keys.iter().filter_map(|k| match Place::of(k) {
        Some(Place::Anchor(s)) => Some(s),
        _ => None,
    })
}

/// The newest entry of `lane` at or after `known` (an anchored or written seq): listed from
/// there, so a long lane costs one page, not a listing of all its entries.
fn newest_in_lane(store: &dyn ObjectStore, lane: &str, known: u64) -> Result<u64, StoreError> {
    let prefix = format!("{LANES}{lane}/");
    let mut newest = known;
    loop {
        let page = store.list(&prefix, Some(&lane_key(lane, newest)), 1000)?;
        let full = page.len() == 1000;
        for k in &page {
            if let Some(Place::Lane(_, s)) = Place::of(k) {
                newest = newest.max(s);
            }
        }
        if !full {
            return Ok(newest);
        }
    }
}

/// Lane names are ours (`20261205T033600Z-<16 hex>`), but verify reads keys from storage.
fn valid_lane(lane: &str) -> bool {
    !lane.is_empty() && lane.len() <= 64 && lane.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A lane's head is anchored again after this many entries …
pub const ANCHOR_EVERY: u64 = 1000;
/// … or when an append comes this long (on average; between half and one and a half times
/// it, at random) after the lane's last anchor.
pub const ANCHOR_INTERVAL: Duration = Duration::from_secs(60);

/// The hash an entry's body must have: SHA-256 of its JSON without `hash`, keys sorted.
pub fn body_hash(entry: &Value) -> String {
    let mut body = entry.clone();
    if let Some(m) = body.as_object_mut() {
        m.remove("hash");
    }
    sha256_hex(&serde_json::to_vec(&body).expect("JSON values serialise"))
}

/// Builds an entry's JSON (with its hash) from its parts.
/// `lane`: the lane and, for its first entry, the anchor-chain entry it began after.
fn seal(lane: Option<(&str, Option<u64>)>, seq: u64, prev: &str, at: &str, actor: &str, event: &Event) -> (Value, String) {
    let mut body = Map::new();
    if let Some((lane, after)) = lane {
        body.insert("lane".into(), json!(lane));
        if let Some(after) = after {
            body.insert("after".into(), json!(after));
        }
    }
    body.insert("seq".into(), json!(seq));
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
    (value, hash)
}

/// A lane this process writes.
struct Lane {
    id: String,
    seq: u64,
    hash: String,
    /// The anchor-chain entry the lane began after; its first entry names it (`after`).
    opened_after: u64,
    /// Who wrote its newest entry: the anchor written at exit is in their name.
    actor: String,
    /// The newest time written: a lane's times never go back, whatever the clock does.
    last_at: DateTime<Utc>,
    anchored_seq: u64,
    /// When the head is anchored next, at the latest: jittered, so that writers started
    /// together do not all anchor at the same instant.
    anchor_due: Instant,
}

/// A moment between half of `base` and one and a half times it from now, at random: writers
/// started together (a deployment scaling out) spread their periodic anchors over a whole
/// `base` rather than meeting on the anchor chain at the same instant.
fn jittered(base: Duration) -> Instant {
    let mut r = [0u8; 2];
    getrandom::getrandom(&mut r).expect("the OS random source is available");
    Instant::now() + base.mul_f64(0.5 + u16::from_le_bytes(r) as f64 / u16::MAX as f64)
}

/// What one log did, for its tests and diagnostics (`store::counted` counts every request of
/// the process, for the metrics and the capacity model).
#[derive(Debug, Default)]
pub struct AuditCounters {
    /// Lane entries written (one PUT each).
    pub lane_puts: AtomicU64,
    /// Anchor-chain creates refused because another writer took the place.
    pub anchor_conflicts: AtomicU64,
    /// Requests made to find the anchor chain's head (HEAD, LIST, GET).
    pub head_lookups: AtomicU64,
}

/// The append-only, hash-chained log.
pub struct AuditLog {
    store: Arc<dyn ObjectStore>,
    retention: RetentionPolicy,
    /// The newest anchor-chain entry this process knows: (seq, hash). `None` until needed.
    head: Mutex<Option<(u64, String)>>,
    /// Lanes not in use by an append right now.
    idle: Mutex<Vec<Lane>>,
    counters: AuditCounters,
}

impl AuditLog {
    pub fn new(store: Arc<dyn ObjectStore>, retention: RetentionPolicy) -> AuditLog {
        AuditLog { store, retention, head: Mutex::new(None), idle: Mutex::new(Vec::new()), counters: AuditCounters::default() }
    }

    pub fn counters(&self) -> &AuditCounters {
        &self.counters
    }

    /// Appends `event` done by `actor`; returns the stored entry.
    pub fn append(&self, actor: &str, event: Event) -> Result<Entry, AuditError> {
        let lane = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut lane = match lane {
            Some(l) => l,
            None => self.open_lane(actor)?,
        };
        let result = match self.append_to(&mut lane, actor, &event) {
            // Another process chose the same lane name (64 random bits: a fault, not luck):
            // leave that lane to it and write into a new one.
            Err(AuditError::LaneTaken) => {
                lane = self.open_lane(actor)?;
                self.append_to(&mut lane, actor, &event)
            }
            other => other,
        };
        if result.is_ok() && (lane.seq - lane.anchored_seq >= ANCHOR_EVERY || Instant::now() >= lane.anchor_due) {
            // The event is stored; an anchor that fails now is written with a later one.
            if let Err(e) = self.anchor(actor, &mut lane) {
                tracing::warn!(lane = %lane.id, error = %e, "could not anchor an audit lane; trying again with a later entry");
            }
        }
        if result.is_ok() {
            self.idle.lock().unwrap_or_else(|p| p.into_inner()).push(lane);
        }
        // After an error the lane's state is uncertain (was the PUT stored?): it is dropped,
        // and the lane simply ends there (anchored or not: verify says which).
        result
    }

    /// Anchors every lane of this process whose head is not anchored yet. Call it before the
    /// process ends (dropping the log does it too, outside an async runtime): until a lane is
    /// anchored, nothing outside it vouches for it.
    pub fn close(&self) -> Result<(), AuditError> {
        let mut lanes = std::mem::take(&mut *self.idle.lock().unwrap_or_else(|p| p.into_inner()));
        let mut result = Ok(());
        for lane in lanes.iter_mut().filter(|l| l.seq > l.anchored_seq) {
            let actor = lane.actor.clone();
            if let Err(e) = self.anchor(&actor, lane) {
                result = Err(e);
            }
        }
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).extend(lanes);
        result
    }

    fn append_to(&self, lane: &mut Lane, actor: &str, event: &Event) -> Result<Entry, AuditError> {
        let at = Utc::now().max(lane.last_at);
        let at_text = at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let after = (lane.seq == 0).then_some(lane.opened_after);
        let (value, hash) = seal(Some((&lane.id, after)), lane.seq + 1, &lane.hash, &at_text, actor, event);
        let bytes = serde_json::to_vec(&value).expect("JSON values serialise");
        let k = lane_key(&lane.id, lane.seq + 1);
        self.counters.lane_puts.fetch_add(1, Ordering::Relaxed);
        match self.store.put_new(&k, &bytes, Some(self.retention.longest(Utc::now())))? {
            Put::Created => {}
            Put::Exists => {
                // A retry of our own write that landed, or a lane someone else writes.
                let theirs = self.read_key(&k)?;
                if theirs.map(|e| e.hash) != Some(hash.clone()) {
                    return Err(AuditError::LaneTaken);
                }
            }
        }
        lane.seq += 1;
        lane.hash = hash;
        lane.last_at = at;
        lane.actor = actor.to_string();
        Ok(serde_json::from_value(value).expect("an entry we just built parses"))
    }

    /// Opens a new lane: an anchor names it before anything is written into it, and its first
    /// entry carries that anchor's place and hash. So every lane is vouched for from the
    /// start, also one whose writer is killed a moment later.
    fn open_lane(&self, actor: &str) -> Result<Lane, AuditError> {
        let mut random = [0u8; 8];
        getrandom::getrandom(&mut random).expect("the OS random source is available");
        let id = format!("{}-{}", Utc::now().format("%Y%m%dT%H%M%SZ"), hex::encode(random));
        let mut lane = Lane { id, seq: 0, hash: GENESIS.to_string(), opened_after: 0, actor: actor.to_string(), last_at: Utc::now(), anchored_seq: 0, anchor_due: jittered(ANCHOR_INTERVAL) };
        let opened = self.anchor(actor, &mut lane)?;
        lane.opened_after = opened.seq;
        lane.hash = opened.hash;
        Ok(lane)
    }

    /// Appends an anchor for `lane`'s head to the anchor chain.
    fn anchor(&self, actor: &str, lane: &mut Lane) -> Result<Entry, AuditError> {
        let event = Event::new(EventKind::Anchored, None).details(json!({"lane": lane.id, "lane_seq": lane.seq, "lane_hash": lane.hash}));
        let e = self.append_anchor(actor, &event)?;
        lane.anchored_seq = lane.seq;
        lane.anchor_due = jittered(ANCHOR_INTERVAL);
        Ok(e)
    }

    /// The anchor chain's conditional append: at the place after the newest entry known; if
    /// another writer took it, one listing finds the newest entry and we try after that.
    fn append_anchor(&self, actor: &str, event: &Event) -> Result<Entry, AuditError> {
        let mut head = self.head.lock().unwrap_or_else(|p| p.into_inner());
        if head.is_none() {
            *head = Some(self.find_head()?);
        }
        let at = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let retain = self.retention.longest(Utc::now());
        let mut tried = 0u32;
        loop {
            let (seq, prev) = head.clone().expect("head was just found");
            let (value, hash) = seal(None, seq + 1, &prev, &at, actor, event);
            let bytes = serde_json::to_vec(&value).expect("JSON values serialise");
            let k = key(seq + 1);
            let put = Instant::now();
            match self.store.put_new(&k, &bytes, Some(retain))? {
                Put::Created => {
                    *head = Some((seq + 1, hash));
                    return Ok(serde_json::from_value(value).expect("an entry we just built parses"));
                }
                Put::Exists => {
                    self.counters.anchor_conflicts.fetch_add(1, Ordering::Relaxed);
                    // The writers that met here would meet again at the next place: wait a
                    // random while — long enough for a dozen writers' tries (a try is a listing,
                    // a read and a write), doubled after each meeting — so that they come one
                    // after another, then find the newest entry with one listing.
                    tried += 1;
                    let window = (put.elapsed().max(Duration::from_millis(1)) * 12 * (1 << (tried - 1).min(8))).min(Duration::from_secs(4));
                    let mut r = [0u8; 2];
                    getrandom::getrandom(&mut r).expect("the OS random source is available");
                    std::thread::sleep(window.mul_f64(u16::from_le_bytes(r) as f64 / u16::MAX as f64));
                    let (newest, newest_hash) = match self.newest_after(seq, prev.clone())? {
                        (n, _) if n == seq => {
                            // Not listed yet: read the one that took our place.
                            let theirs = self.read(seq + 1)?.ok_or_else(|| AuditError::Damaged { key: k.clone(), message: "exists but cannot be read".into() })?;
                            (theirs.seq, theirs.hash)
                        }
                        found => found,
                    };
                    if newest == seq + 1 && newest_hash == hash {
                        // A retry of our own write that had landed.
                        *head = Some((seq + 1, hash));
                        return Ok(serde_json::from_value(value).expect("an entry we just built parses"));
                    }
                    *head = Some((newest, newest_hash));
                }
            }
        }
    }

    /// The newest anchor-chain entry at or after `seq` (whose hash is known): one listing
    /// of the keys after it and one read of the last, however many were written since.
    fn newest_after(&self, seq: u64, hash: String) -> Result<(u64, String), AuditError> {
        let mut newest = seq;
        loop {
            self.counters.head_lookups.fetch_add(1, Ordering::Relaxed);
            let page = self.store.list(PREFIX, Some(&key(newest)), 1000)?;
            let before = newest;
            newest = anchor_seqs(&page).fold(newest, u64::max);
            // Lane keys sort after the anchor chain's: a page that reaches them, or is not
            // full, has seen the newest anchor-chain key.
            if page.len() < 1000 || newest == before || page.iter().any(|k| k.starts_with(LANES)) {
                break;
            }
        }
        if newest == seq {
            return Ok((seq, hash));
        }
        self.counters.head_lookups.fetch_add(1, Ordering::Relaxed);
        let e = self.read(newest)?.ok_or_else(|| AuditError::Damaged { key: key(newest), message: "listed but cannot be read".into() })?;
        Ok((e.seq, e.hash))
    }

    /// The newest entries that `keep` accepts, newest first: at most `n`, looking at no more
    /// than `scan` entries back from now. The lanes are those anchored among the newest
    /// `scan` anchor-chain entries (a lane in use is anchored at least every
    /// [`ANCHOR_INTERVAL`]); their entries are merged by time. For the review UI's audit
    /// page; `verify` is what proves the chain.
    pub fn latest(&self, n: usize, scan: u64, keep: impl Fn(&Entry) -> bool) -> Result<Vec<Entry>, AuditError> {
        let (head, _) = self.find_head()?;
        // Each source is walked from its newest entry backwards.
        struct Cursor {
            lane: Option<String>,
            next: u64,
            current: Option<Entry>,
        }
        // lane → the newest of its entries known so far (anchored, or written by this process)
        let mut lanes: BTreeMap<String, u64> = BTreeMap::new();
        let mut cursors: Vec<Cursor> = Vec::new();
        let anchor_chain = Cursor { lane: None, next: head, current: None };
        let mut seq = head;
        while seq >= 1 && head - seq < scan {
            if let Some(e) = self.read(seq)? {
                if e.event == EventKind::Anchored {
                    if let Some(lane) = e.details.get("lane").and_then(|l| l.as_str()).filter(|l| valid_lane(l)) {
                        let anchored = e.details.get("lane_seq").and_then(|s| s.as_u64()).unwrap_or(0);
                        let known = lanes.entry(lane.to_string()).or_default();
                        *known = (*known).max(anchored);
                    }
                }
            }
            seq -= 1;
        }
        for lane in self.idle.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            // This process's own lanes, anchored or not yet.
            let known = lanes.entry(lane.id.clone()).or_default();
            *known = (*known).max(lane.seq);
        }
        for (lane, known) in lanes {
            let newest = newest_in_lane(&*self.store, &lane, known)?;
            if newest > 0 {
                cursors.push(Cursor { lane: Some(lane), next: newest, current: None });
            }
        }
        let read = |c: &mut Cursor| -> Result<(), AuditError> {
            c.current = None;
            while c.next >= 1 && c.current.is_none() {
                let k = match &c.lane {
                    Some(l) => lane_key(l, c.next),
                    None => key(c.next),
                };
                c.next -= 1;
                // Anchors are bookkeeping, not events: the page shows what happened.
                c.current = self.read_key(&k)?.filter(|e| e.event != EventKind::Anchored);
            }
            Ok(())
        };
        cursors.push(anchor_chain);
        for c in cursors.iter_mut() {
            read(c)?;
        }
        let mut out = Vec::new();
        let mut looked = 0u64;
        while out.len() < n && looked < scan {
            let Some(i) = (0..cursors.len()).filter(|&i| cursors[i].current.is_some()).max_by(|&a, &b| cursors[a].current.as_ref().map(|e| &e.at).cmp(&cursors[b].current.as_ref().map(|e| &e.at)))
            else {
                break;
            };
            let e = cursors[i].current.take().expect("chosen because it is there");
            looked += 1;
            if keep(&e) {
                out.push(e);
            }
            read(&mut cursors[i])?;
        }
        Ok(out)
    }

    /// Reads anchor-chain entry `seq`, checking only that it parses.
    pub fn read(&self, seq: u64) -> Result<Option<Entry>, AuditError> {
        self.read_key(&key(seq))
    }

    /// Reads the entry under `k`, checking only that it parses.
    pub fn read_key(&self, k: &str) -> Result<Option<Entry>, AuditError> {
        let Some(bytes) = self.store.get(k)? else { return Ok(None) };
        serde_json::from_slice(&bytes).map(Some).map_err(|e| AuditError::Damaged { key: k.to_string(), message: e.to_string() })
    }

    /// The anchor chain's newest entry. One listing finds it while the chain is short (up to a
    /// thousand entries: years of anchors for a small installation); beyond that, doubling
    /// then bisecting over HEAD requests narrows it to a thousand keys and one listing ends
    /// the search — O(log n) requests at start-up, never a listing of the whole trail.
    fn find_head(&self) -> Result<(u64, String), AuditError> {
        const PAGE: u64 = 1000;
        self.counters.head_lookups.fetch_add(1, Ordering::Relaxed);
        let first = self.store.list(PREFIX, None, PAGE as usize)?;
        let (count, newest) = anchor_seqs(&first).fold((0u64, 0u64), |(n, m), s| (n + 1, m.max(s)));
        if newest == 0 {
            return Ok((0, GENESIS.to_string()));
        }
        if count < PAGE {
            let e = self.read(newest)?.ok_or_else(|| AuditError::Damaged { key: key(newest), message: "listed but cannot be read".into() })?;
            return Ok((e.seq, e.hash));
        }
        let lo = {
            let exists = |seq: u64| -> Result<bool, AuditError> {
                self.counters.head_lookups.fetch_add(1, Ordering::Relaxed);
                Ok(self.store.head(&key(seq))?.is_some())
            };
            let mut lo = newest; // exists
            let mut hi = newest * 2;
            while exists(hi)? {
                lo = hi;
                hi *= 2;
            }
            // lo exists, hi does not.
            while hi - lo > PAGE {
                let mid = lo + (hi - lo) / 2;
                if exists(mid)? {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            lo
        };
        let e = self.read(lo)?.ok_or_else(|| AuditError::Damaged { key: key(lo), message: "vanished while reading".into() })?;
        self.newest_after(e.seq, e.hash)
    }
}

impl Drop for AuditLog {
    fn drop(&mut self) {
        if !self.idle.lock().unwrap_or_else(|p| p.into_inner()).iter().any(|l| l.seq > l.anchored_seq) {
            return;
        }
        // On a thread of its own: the log may be dropped inside an async runtime, where the
        // S3 client's blocking calls must not run.
        let closed = std::thread::scope(|s| s.spawn(|| self.close()).join());
        if !matches!(closed, Ok(Ok(()))) {
            tracing::warn!("could not anchor this process's newest audit entries at exit: verify will name the lane");
        }
    }
}

/// The hash the first entry's `prev` holds.
pub fn genesis() -> &'static str {
    GENESIS
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::list_all;
    use crate::store::local::LocalStore;

    fn lane_entries(store: &dyn ObjectStore) -> BTreeMap<String, Vec<Entry>> {
        let mut out: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
        for k in list_all(store, LANES).unwrap() {
            let e: Entry = serde_json::from_slice(&store.get(&k).unwrap().unwrap()).unwrap();
            out.entry(e.lane.clone().unwrap()).or_default().push(e);
        }
        out
    }

    #[test]
    fn each_writer_appends_to_its_own_lane_tied_in_by_anchors() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn ObjectStore> = Arc::new(LocalStore::open(dir.path()).unwrap());
        let a = AuditLog::new(store.clone(), RetentionPolicy::default());
        let b = AuditLog::new(store.clone(), RetentionPolicy::default());
        let tick = || std::thread::sleep(std::time::Duration::from_millis(3));
        let a1 = a.append("worker-a", Event::new(EventKind::Received, Some("d1"))).unwrap();
        tick();
        let b1 = b.append("worker-b", Event::new(EventKind::Received, Some("d2"))).unwrap();
        tick();
        let a2 = a.append("worker-a", Event::new(EventKind::Archived, Some("d1"))).unwrap();
        tick();
        assert_eq!((a1.seq, b1.seq, a2.seq), (1, 1, 2));
        assert_eq!(a1.lane, a2.lane);
        assert_ne!(a1.lane, b1.lane);
        assert_eq!(a2.prev, a1.hash);
        // A lane is opened by an anchor naming it; its first entry carries that anchor's place and hash.
        let opened = a.read(1).unwrap().unwrap();
        assert_eq!((opened.event, &opened.details["lane"], &opened.details["lane_seq"]), (EventKind::Anchored, &json!(a1.lane), &json!(0)));
        assert_eq!((a1.after, a1.prev.as_str(), a2.after), (Some(1), opened.hash.as_str(), None));
        let raw: Value = serde_json::from_slice(&store.get(&lane_key(a2.lane.as_deref().unwrap(), 2)).unwrap().unwrap()).unwrap();
        assert_eq!(body_hash(&raw), a2.hash);
        assert!(verify::verify(&*store).unwrap().is_clean(), "open lanes verify before their heads are anchored");
        a.close().unwrap();
        b.close().unwrap();
        let anchor = a.read(3).unwrap().unwrap();
        assert_eq!((&anchor.details["lane"], &anchor.details["lane_seq"], &anchor.details["lane_hash"]), (&json!(a1.lane), &json!(2), &json!(a2.hash)));
        // Writers never met on a lane: one PUT per entry. Only the anchor chain is shared,
        // where b (which knew it at entry 1) met a's closing anchor once.
        assert_eq!(a.counters().lane_puts.load(Ordering::Relaxed), 2);
        assert!(a.counters().anchor_conflicts.load(Ordering::Relaxed) + b.counters().anchor_conflicts.load(Ordering::Relaxed) <= 2);
        // A new process's lane begins after the anchors it finds.
        let c = AuditLog::new(store.clone(), RetentionPolicy::default());
        let c1 = c.append("cli", Event::new(EventKind::Exported, None)).unwrap();
        assert_eq!((c1.after, c1.prev.clone()), (Some(5), c.read(5).unwrap().unwrap().hash));
        drop(c); // closing on drop anchors its head
        assert_eq!(a.read(6).unwrap().unwrap().details["lane_seq"], json!(1));
        let report = verify::verify(&*store).unwrap();
        assert!(report.is_clean(), "{:?}", report.findings);
        assert_eq!((report.lanes, report.entries), (3, 10));
        // The audit page merges the lanes, newest first, without anchors.
        let latest = a.latest(10, 100, |_| true).unwrap();
        assert_eq!(latest.iter().map(|e| e.event).collect::<Vec<_>>()[..], [EventKind::Exported, EventKind::Archived, EventKind::Received, EventKind::Received]);
    }

    #[test]
    fn concurrent_appends_never_conflict_on_lanes_and_verify_clean() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn ObjectStore> = Arc::new(LocalStore::open(dir.path()).unwrap());
        // One process with four busy threads, and three more processes.
        let shared = AuditLog::new(store.clone(), RetentionPolicy::default());
        std::thread::scope(|s| {
            for w in 0..4 {
                let shared = &shared;
                s.spawn(move || {
                    for i in 0..25 {
                        shared.append(&format!("t{w}"), Event::new(EventKind::Received, Some(&format!("t{w}-{i}")))).unwrap();
                    }
                });
            }
            for w in 0..3 {
                let log = AuditLog::new(store.clone(), RetentionPolicy::default());
                s.spawn(move || {
                    for i in 0..25 {
                        log.append(&format!("p{w}"), Event::new(EventKind::Received, Some(&format!("p{w}-{i}")))).unwrap();
                    }
                });
            }
        });
        shared.close().unwrap();
        let lanes = lane_entries(&*store);
        assert_eq!(lanes.values().map(Vec::len).sum::<usize>(), 175);
        assert!(lanes.len() <= 7, "no more lanes than writers at once: {}", lanes.len());
        for entries in lanes.values() {
            for pair in entries.windows(2) {
                assert_eq!(pair[1].prev, pair[0].hash);
            }
        }
        let report = verify::verify(&*store).unwrap();
        assert!(report.is_clean(), "{:?}", report.findings);
    }

    #[test]
    fn a_trail_written_before_lanes_goes_on_and_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn ObjectStore> = Arc::new(LocalStore::open(dir.path()).unwrap());
        // The earlier design: every event in the one chain.
        let mut prev = GENESIS.to_string();
        for seq in 1..=3 {
            let (value, hash) = seal(None, seq, &prev, "2026-11-01T10:00:00.000Z", "worker@old:1", &Event::new(EventKind::Received, Some(&format!("old-{seq}"))));
            store.put_new(&key(seq), &serde_json::to_vec(&value).unwrap(), None).unwrap();
            prev = hash;
        }
        let log = AuditLog::new(store.clone(), RetentionPolicy::default());
        let e = log.append("worker@new:2", Event::new(EventKind::Received, Some("new-1"))).unwrap();
        let opened = log.read(4).unwrap().unwrap();
        assert_eq!((opened.event, opened.prev.as_str()), (EventKind::Anchored, prev.as_str()));
        assert_eq!((e.after, e.prev.as_str()), (Some(4), opened.hash.as_str()));
        log.close().unwrap();
        let report = verify::verify(&*store).unwrap();
        assert!(report.is_clean(), "{:?}", report.findings);
        let latest = log.latest(10, 100, |_| true).unwrap();
        assert_eq!(latest.iter().filter_map(|e| e.document.clone()).collect::<Vec<_>>(), ["new-1", "old-3", "old-2", "old-1"]);
    }

    #[test]
    fn the_newest_anchor_is_found_in_a_long_chain_with_few_requests() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn ObjectStore> = Arc::new(LocalStore::open(dir.path()).unwrap());
        let mut prev = GENESIS.to_string();
        for seq in 1..=2345 {
            let (value, hash) = seal(None, seq, &prev, "2026-11-01T10:00:00.000Z", "w", &Event::new(EventKind::Received, None));
            store.put_new(&key(seq), &serde_json::to_vec(&value).unwrap(), None).unwrap();
            prev = hash;
        }
        let log = AuditLog::new(store.clone(), RetentionPolicy::default());
        assert_eq!(log.find_head().unwrap(), (2345, prev));
        let lookups = log.counters().head_lookups.load(Ordering::Relaxed);
        assert!(lookups <= 10, "{lookups} requests to find the head of 2,345 entries");
    }

    #[test]
    fn a_lane_cut_back_or_slipped_in_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn ObjectStore> = Arc::new(LocalStore::open(dir.path()).unwrap());
        let log = AuditLog::new(store.clone(), RetentionPolicy::default());
        let mut last = None;
        for i in 0..3 {
            last = Some(log.append("w", Event::new(EventKind::Received, Some(&format!("d{i}")))).unwrap());
        }
        let lane = last.unwrap().lane.unwrap();
        log.close().unwrap();
        assert!(verify::verify(&*store).unwrap().is_clean());
        // Cutting the anchored tail off (a local store deletes in software only) is found.
        std::fs::remove_file(dir.path().join(lane_key(&lane, 3))).unwrap();
        let findings = verify::verify(&*store).unwrap().findings;
        assert!(findings.iter().any(|f| matches!(f, verify::Finding::AnchorMismatch { .. })), "{findings:?}");
        // A lane no anchor opened is found.
        let forged = "20990101T000000Z-0000000000000000";
        let (value, _) = seal(Some((forged, Some(0))), 1, GENESIS, "2099-01-01T00:00:00.000Z", "x", &Event::new(EventKind::Purged, None));
        store.put_new(&lane_key(forged, 1), &serde_json::to_vec(&value).unwrap(), None).unwrap();
        let findings = verify::verify(&*store).unwrap().findings;
        assert!(findings.contains(&verify::Finding::UnanchoredLane { lane: forged.into() }), "{findings:?}");
    }

    #[test]
    fn audit_keys_parse_into_places() {
        assert_eq!(Place::of("audit/000000000012.json"), Some(Place::Anchor(12)));
        assert_eq!(Place::of("audit/lanes/20261205T033600Z-00ff/000000000003.json"), Some(Place::Lane("20261205T033600Z-00ff".into(), 3)));
        for bad in ["audit/12.json", "audit/lanes/x/y/000000000001.json", "audit/lanes/../000000000001.json", "audit/0000000000ab.json", "documents/x"] {
            assert_eq!(Place::of(bad), None, "{bad}");
        }
    }
}
