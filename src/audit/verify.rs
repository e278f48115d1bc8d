//! Verification: recomputes the audit chains and the hash of every archived object, and
//! says what does not match.
//!
//! * The chains: the anchor chain's entries 1…n and each lane's entries 1…m must all be
//!   there, each one's hash must match its content, and each must carry the hash of the one
//!   before (a lane's first entry: the anchor that opened the lane). A missing entry with later ones
//!   present is a gap; a changed one breaks its own hash; a replaced one breaks the next link.
//!   Every anchor must name a lane entry that is there with the hash it names, and every lane
//!   must have been opened by an anchor, so a lane cannot be cut back to before its last
//!   anchor, vanish, or be slipped in without a finding.
//! * The merged order (see the module above): a lane's times never go back, and a document's
//!   revisions are announced in the order of their numbers.
//! * The objects: every object under `documents/`, `quarantine/` and `handoff/` must have
//!   been announced by an audit entry with exactly its hash (an original must also hash to
//!   its document id), and every announced object must still be there — unless an approved
//!   purge removed it.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use super::{body_hash, genesis, EventKind, Place, PREFIX};
use crate::document::sha256_hex;
use crate::store::{list_all, ObjectStore};

/// One thing that is wrong. Entries are named by their key (`audit/…json`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Finding {
    /// An audit entry's content does not match its own hash (or its place).
    TamperedEntry { entry: String },
    /// An entry does not carry the hash of the one before it.
    BrokenLink { entry: String },
    /// Entries after this one exist, but this one is missing.
    Gap { entry: String },
    /// An audit entry that cannot be read at all.
    UnreadableEntry { entry: String, message: String },
    /// An anchor names a lane entry that is not there, or that has another hash, or a head
    /// before one an earlier anchor named.
    AnchorMismatch { anchor: String, entry: String },
    /// A lane whose first entry names no anchor that opened it: put there from outside.
    UnanchoredLane { lane: String },
    /// A lane entry dated before the entry before it.
    TimeWentBack { entry: String },
    /// An entry no order of the trail can hold: its lane claims to begin after an anchor
    /// that names a later entry of the same lane.
    Unorderable { entry: String },
    /// A document revision announced, in the merged order, after a later one.
    OutOfOrder { document: String, entry: String },
    /// An object whose bytes match no hash the audit trail recorded for its key.
    TamperedObject { key: String, expected: Vec<String>, actual: String },
    /// An original whose bytes do not hash to its document id.
    WrongOriginal { key: String, id: String, actual: String },
    /// An object the audit trail announced that is not there (and was not purged).
    MissingObject { key: String, entry: String },
    /// An object no audit entry announced.
    UnloggedObject { key: String },
    /// An object that is listed but cannot be read.
    UnreadableObject { key: String, message: String },
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    /// Audit entries read, anchors included.
    pub entries: u64,
    /// Lanes (one per writer and busy thread).
    pub lanes: usize,
    pub objects: usize,
    pub purged: usize,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }
}

/// An entry as read, with what verify needs of it.
struct Read {
    key: String,
    value: Value,
    hash: String,
    at: String,
}

/// Reads the entries under `keys` (seq → key), checking each one's hash and links. Returns
/// the entries that could be read. A lane's first entry must carry the hash of the
/// anchor-chain entry it names in `after` (`chain`: the anchor chain as read).
fn walk(store: &dyn ObjectStore, keys: &BTreeMap<u64, String>, lane: Option<&str>, chain: Option<&BTreeMap<u64, Read>>, report: &mut Report) -> Result<BTreeMap<u64, Read>, crate::store::StoreError> {
    let mut out = BTreeMap::new();
    let mut prev: Option<String> = None;
    let mut expected = 1u64;
    let mut last_at: Option<String> = None;
    let place = |seq: u64| match lane {
        Some(l) => Place::Lane(l.to_string(), seq).key(),
        None => Place::Anchor(seq).key(),
    };
    let bytes: Vec<(u64, Option<Vec<u8>>)> = keys.par_iter().map(|(seq, k)| store.get(k).map(|b| (*seq, b))).collect::<Result<_, _>>()?;
    for (seq, bytes) in bytes {
        let k = &keys[&seq];
        if seq != expected {
            for missing in expected..seq {
                report.findings.push(Finding::Gap { entry: place(missing) });
            }
            prev = None; // the link across a gap cannot hold; the gap is the finding
        }
        expected = seq + 1;
        report.entries += 1;
        let Some(bytes) = bytes else { continue };
        let value: Value = match serde_json::from_slice(&bytes) {
            Ok(v) => v,
            Err(e) => {
                report.findings.push(Finding::UnreadableEntry { entry: k.clone(), message: e.to_string() });
                prev = None;
                continue;
            }
        };
        let stored_hash = value.get("hash").and_then(|h| h.as_str()).unwrap_or("").to_string();
        let in_place = value.get("seq").and_then(|s| s.as_u64()) == Some(seq) && value.get("lane").and_then(|l| l.as_str()) == lane;
        if body_hash(&value) != stored_hash || !in_place {
            report.findings.push(Finding::TamperedEntry { entry: k.clone() });
        }
        if seq == 1 {
            prev = match (lane, value.get("after")) {
                (None, _) => Some(genesis().to_string()),
                (Some(_), Some(after)) if after.as_u64() == Some(0) => Some(genesis().to_string()),
                (Some(_), Some(after)) => Some(after.as_u64().and_then(|a| chain.and_then(|c| c.get(&a))).map(|r| r.hash.clone()).unwrap_or_default()),
                // Every lane's first entry says what it began after.
                (Some(_), None) => Some(String::new()),
            };
        }
        if let Some(p) = &prev {
            if value.get("prev").and_then(|p| p.as_str()) != Some(p.as_str()) {
                report.findings.push(Finding::BrokenLink { entry: k.clone() });
            }
        }
        let at = value.get("at").and_then(|a| a.as_str()).unwrap_or("").to_string();
        if lane.is_some() && last_at.as_ref().is_some_and(|l| at < *l) {
            report.findings.push(Finding::TimeWentBack { entry: k.clone() });
        }
        last_at = Some(at.clone());
        prev = Some(stored_hash.clone());
        // What the merged walk below does not need stays out of memory (a trail has millions
        // of entries); anchors keep their details, which name the lane.
        let mut value = value;
        if let Some(m) = value.as_object_mut().filter(|m| m.get("event").and_then(|e| e.as_str()) != Some(EventKind::Anchored.as_str())) {
            m.remove("details");
            m.remove("actor");
        }
        out.insert(seq, Read { key: k.clone(), value, hash: stored_hash, at });
    }
    Ok(out)
}

/// The merged order of every entry read: the one order that keeps each chain's order, puts
/// each lane's first entry after the anchor-chain entry it began after and every lane entry
/// before each anchor that names it or a later entry of its lane — and, where those leave a
/// choice, takes the earliest time first (then lane and sequence). Entries that no such order
/// can hold (a lane that claims to begin after an anchor naming its own later entries) are
/// findings, placed at the end.
fn merge<'a>(chain: &'a BTreeMap<u64, Read>, lanes: &'a BTreeMap<String, BTreeMap<u64, Read>>, anchors: &[Anchor], report: &mut Report) -> Vec<&'a Read> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let mut nodes: Vec<(&'a str, &'a str, u64, &'a Read)> = Vec::new(); // (at, lane, seq, entry)
    let mut at_chain: BTreeMap<u64, usize> = BTreeMap::new();
    let mut at_lane: BTreeMap<(&str, u64), usize> = BTreeMap::new();
    for (seq, r) in chain {
        at_chain.insert(*seq, nodes.len());
        nodes.push((r.at.as_str(), "", *seq, r));
    }
    for (lane, entries) in lanes {
        for (seq, r) in entries {
            at_lane.insert((lane.as_str(), *seq), nodes.len());
            nodes.push((r.at.as_str(), lane.as_str(), *seq, r));
        }
    }
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    let mut incoming = vec![0usize; nodes.len()];
    let mut edge = |from: usize, to: usize, edges: &mut Vec<Vec<usize>>| {
        edges[from].push(to);
        incoming[to] += 1;
    };
    for pair in at_chain.values().collect::<Vec<_>>().windows(2) {
        edge(*pair[0], *pair[1], &mut edges);
    }
    for (lane, entries) in lanes {
        let ids: Vec<usize> = entries.keys().map(|s| at_lane[&(lane.as_str(), *s)]).collect();
        for pair in ids.windows(2) {
            edge(pair[0], pair[1], &mut edges);
        }
        let after = entries.get(&1).and_then(|r| r.value.get("after")).and_then(|a| a.as_u64());
        if let (Some(first), Some(from)) = (ids.first(), after.and_then(|a| at_chain.get(&a))) {
            edge(*from, *first, &mut edges);
        }
    }
    for a in anchors {
        let named = lanes.get(&a.lane).and_then(|l| l.range(..=a.lane_seq).next_back()).map(|(s, _)| at_lane[&(a.lane.as_str(), *s)]);
        if let (Some(from), Some(to)) = (named, at_chain.get(&a.seq)) {
            edge(from, *to, &mut edges);
        }
    }
    let mut ready: BinaryHeap<Reverse<(&str, &str, u64, usize)>> = (0..nodes.len()).filter(|&i| incoming[i] == 0).map(|i| Reverse((nodes[i].0, nodes[i].1, nodes[i].2, i))).collect();
    let mut out = Vec::with_capacity(nodes.len());
    let mut placed = vec![false; nodes.len()];
    while let Some(Reverse((_, _, _, i))) = ready.pop() {
        out.push(nodes[i].3);
        placed[i] = true;
        for &j in &edges[i] {
            incoming[j] -= 1;
            if incoming[j] == 0 {
                ready.push(Reverse((nodes[j].0, nodes[j].1, nodes[j].2, j)));
            }
        }
    }
    let mut left: Vec<usize> = (0..nodes.len()).filter(|&i| !placed[i]).collect();
    left.sort_by_key(|&i| (nodes[i].0, nodes[i].1, nodes[i].2));
    for i in left {
        report.findings.push(Finding::Unorderable { entry: nodes[i].3.key.clone() });
        out.push(nodes[i].3);
    }
    out
}

/// An anchor as read from the anchor chain.
struct Anchor {
    seq: u64,
    key: String,
    lane: String,
    lane_seq: u64,
    lane_hash: String,
}

/// Checks everything in `store`.
pub fn verify(store: &dyn ObjectStore) -> Result<Report, crate::store::StoreError> {
    let mut report = Report::default();

    // Every entry that is there (listed, not probed), so that entries after a gap are still
    // checked and the objects they announce still count.
    let mut chain: BTreeMap<u64, String> = BTreeMap::new();
    let mut lanes: BTreeMap<String, BTreeMap<u64, String>> = BTreeMap::new();
    for k in list_all(store, PREFIX)? {
        match Place::of(&k) {
            Some(Place::Anchor(seq)) => {
                chain.insert(seq, k);
            }
            Some(Place::Lane(lane, seq)) => {
                lanes.entry(lane).or_default().insert(seq, k);
            }
            None => report.findings.push(Finding::UnreadableEntry { entry: k.clone(), message: "not an audit entry name".into() }),
        }
    }
    report.lanes = lanes.len();
    let chain = walk(store, &chain, None, None, &mut report)?;
    let anchors: Vec<Anchor> = chain
        .iter()
        .filter(|(_, r)| r.value.get("event").and_then(|e| e.as_str()) == Some(EventKind::Anchored.as_str()))
        .filter_map(|(seq, r)| {
            let d = r.value.get("details")?;
            Some(Anchor { seq: *seq, key: r.key.clone(), lane: d.get("lane")?.as_str()?.to_string(), lane_seq: d.get("lane_seq")?.as_u64()?, lane_hash: d.get("lane_hash")?.as_str()?.to_string() })
        })
        .collect();

    let mut read_lanes: BTreeMap<String, BTreeMap<u64, Read>> = BTreeMap::new();
    for (lane, keys) in &lanes {
        let read = walk(store, keys, Some(lane), Some(&chain), &mut report)?;
        // Its first entry names the anchor that opened the lane (a missing first entry is a gap).
        if let Some(first) = read.get(&1) {
            let after = first.value.get("after").and_then(|a| a.as_u64());
            if !anchors.iter().any(|a| &a.lane == lane && a.lane_seq == 0 && Some(a.seq) == after) {
                report.findings.push(Finding::UnanchoredLane { lane: lane.clone() });
            }
        }
        read_lanes.insert(lane.clone(), read);
    }
    let mut named: BTreeMap<&str, u64> = BTreeMap::new();
    for a in anchors.iter().filter(|a| a.lane_seq > 0) {
        let entry = Place::Lane(a.lane.clone(), a.lane_seq).key();
        let there = read_lanes.get(&a.lane).and_then(|l| l.get(&a.lane_seq)).map(|r| r.hash.as_str());
        let before = named.insert(a.lane.as_str(), a.lane_seq).unwrap_or(0);
        if there != Some(a.lane_hash.as_str()) || a.lane_seq < before {
            report.findings.push(Finding::AnchorMismatch { anchor: a.key.clone(), entry });
        }
    }

    let merged = merge(&chain, &read_lanes, &anchors, &mut report);

    // key → (hashes announced, the entry that announced it last)
    let mut announced: BTreeMap<String, (BTreeSet<String>, String)> = BTreeMap::new();
    let mut purged: BTreeSet<String> = BTreeSet::new();
    // document → revisions announced so far (Received counts as revision 0)
    let mut revisions: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    for r in &merged {
        let kind: Option<EventKind> = r.value.get("event").and_then(|e| serde_json::from_value(e.clone()).ok());
        let document = r.value.get("document").and_then(|d| d.as_str());
        let mut revision: Option<u64> = (kind == Some(EventKind::Received)).then_some(0);
        for o in r.value.get("objects").and_then(|o| o.as_array()).into_iter().flatten() {
            let (Some(k), Some(h)) = (o.get("key").and_then(|k| k.as_str()), o.get("sha256").and_then(|h| h.as_str())) else { continue };
            if kind == Some(EventKind::Purged) {
                purged.insert(k.to_string());
            } else {
                let e = announced.entry(k.to_string()).or_default();
                e.0.insert(h.to_string());
                e.1 = r.key.clone();
                purged.remove(k);
                if let Some(d) = document {
                    revision = revision.max(revision_announced(k, d));
                }
            }
        }
        if let (Some(d), Some(rev)) = (document, revision) {
            let seen = revisions.entry(d.to_string()).or_default();
            // A revision announced again (a retry, or two writers racing for the same number)
            // is not news; a new one must come after every one before it.
            if !seen.contains(&rev) && seen.last().is_some_and(|last| *last > rev) {
                report.findings.push(Finding::OutOfOrder { document: d.to_string(), entry: r.key.clone() });
            }
            seen.insert(rev);
        }
    }

    let mut keys = Vec::new();
    for prefix in ["documents/", "quarantine/", "handoff/", "orders/"] {
        keys.extend(list_all(store, prefix)?);
    }
    report.objects = keys.len();
    report.purged = purged.len();
    let present: BTreeSet<&str> = keys.iter().map(String::as_str).collect();
    // Reading every object is the slow part; S3 requests overlap well.
    let findings: Vec<Finding> = keys
        .par_iter()
        .filter_map(|k| {
            let bytes = match store.get(k) {
                Ok(Some(b)) => b,
                Ok(None) => return None, // deleted since the listing
                Err(e) => return Some(Finding::UnreadableObject { key: k.clone(), message: e.to_string() }),
            };
            let actual = sha256_hex(&bytes);
            if let Some(id) = original_id(k) {
                if actual != id {
                    return Some(Finding::WrongOriginal { key: k.clone(), id: id.to_string(), actual });
                }
            }
            match announced.get(k) {
                None => Some(Finding::UnloggedObject { key: k.clone() }),
                Some((hashes, _)) if !hashes.contains(&actual) => Some(Finding::TamperedObject { key: k.clone(), expected: hashes.iter().cloned().collect(), actual }),
                Some(_) => None,
            }
        })
        .collect();
    report.findings.extend(findings);
    for (k, (_, entry)) in &announced {
        if !present.contains(k.as_str()) && !purged.contains(k) {
            report.findings.push(Finding::MissingObject { key: k.clone(), entry: entry.clone() });
        }
    }
    report.findings.sort();
    Ok(report)
}

/// The index revision `key` is, if it is one of `document`'s (`documents/<id>/index/0002.json`).
fn revision_announced(key: &str, document: &str) -> Option<u64> {
    let name = key.strip_prefix("documents/")?.strip_prefix(document)?.strip_prefix("/index/")?.strip_suffix(".json")?;
    (!name.is_empty() && name.bytes().all(|b| b.is_ascii_digit())).then(|| name.parse().ok())?
}

/// The document id an original's key names (`documents/<id>/<id>.<ext>`).
fn original_id(key: &str) -> Option<&str> {
    let rest = key.strip_prefix("documents/")?;
    let (id, file) = rest.split_once('/')?;
    let stem = file.rsplit_once('.').map(|(s, _)| s)?;
    (stem == id).then_some(id)
}
