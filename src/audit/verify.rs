//! Verification: recomputes the audit chain and the hash of every archived object, and says
//! what does not match.
//!
//! * The chain: entries 1…n must all be there, each one's hash must match its content, and
//!   each must carry the hash of the one before. A missing entry with later ones present is a
//!   gap; a changed one breaks its own hash; a replaced one breaks the next link.
//! * The objects: every object under `documents/`, `quarantine/` and `handoff/` must have
//!   been announced by an audit entry with exactly its hash (an original must also hash to
//!   its document id), and every announced object must still be there — unless an approved
//!   purge removed it.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde::Serialize;

use super::{body_hash, genesis, EventKind, PREFIX};
use crate::document::sha256_hex;
use crate::store::{list_all, ObjectStore};

/// One thing that is wrong.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Finding {
    /// An audit entry's content does not match its own hash.
    TamperedEntry { seq: u64 },
    /// An entry does not carry the hash of the one before it.
    BrokenLink { seq: u64 },
    /// Entries after this one exist, but this one is missing.
    Gap { seq: u64 },
    /// An audit entry that cannot be read at all.
    UnreadableEntry { seq: u64, message: String },
    /// An object whose bytes match no hash the audit trail recorded for its key.
    TamperedObject { key: String, expected: Vec<String>, actual: String },
    /// An original whose bytes do not hash to its document id.
    WrongOriginal { key: String, id: String, actual: String },
    /// An object the audit trail announced that is not there (and was not purged).
    MissingObject { key: String, seq: u64 },
    /// An object no audit entry announced.
    UnloggedObject { key: String },
    /// An object that is listed but cannot be read.
    UnreadableObject { key: String, message: String },
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub entries: u64,
    pub objects: usize,
    pub purged: usize,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }
}

/// Checks everything in `store`.
pub fn verify(store: &dyn ObjectStore) -> Result<Report, crate::store::StoreError> {
    let mut report = Report::default();
    // key → (hashes announced, seq of the last announcement)
    let mut announced: BTreeMap<String, (BTreeSet<String>, u64)> = BTreeMap::new();
    let mut purged: BTreeSet<String> = BTreeSet::new();

    // Walk every entry that is there (listed, not probed), so that entries after a gap are
    // still checked and the objects they announce still count.
    let entry_keys = list_all(store, PREFIX)?;
    let mut prev: Option<String> = Some(genesis().to_string());
    let mut expected_seq = 1u64;
    for k in &entry_keys {
        let Some(seq) = k.strip_prefix(PREFIX).and_then(|r| r.strip_suffix(".json")).and_then(|n| n.parse::<u64>().ok()) else {
            report.findings.push(Finding::UnreadableEntry { seq: 0, message: format!("{k}: not an audit entry name") });
            continue;
        };
        if seq != expected_seq {
            for missing in expected_seq..seq {
                report.findings.push(Finding::Gap { seq: missing });
            }
            prev = None; // the link across a gap cannot hold; the gap is the finding
        }
        expected_seq = seq + 1;
        report.entries += 1;
        let Some(bytes) = store.get(k)? else { continue };
        let value: serde_json::Value = match serde_json::from_slice(&bytes) {
            Ok(v) => v,
            Err(e) => {
                report.findings.push(Finding::UnreadableEntry { seq, message: e.to_string() });
                prev = None;
                continue;
            }
        };
        let stored_hash = value.get("hash").and_then(|h| h.as_str()).unwrap_or("").to_string();
        if body_hash(&value) != stored_hash || value.get("seq").and_then(|s| s.as_u64()) != Some(seq) {
            report.findings.push(Finding::TamperedEntry { seq });
        }
        if let Some(p) = &prev {
            if value.get("prev").and_then(|p| p.as_str()) != Some(p.as_str()) {
                report.findings.push(Finding::BrokenLink { seq });
            }
        }
        let kind: Option<EventKind> = value.get("event").and_then(|e| serde_json::from_value(e.clone()).ok());
        for o in value.get("objects").and_then(|o| o.as_array()).into_iter().flatten() {
            let (Some(k), Some(h)) = (o.get("key").and_then(|k| k.as_str()), o.get("sha256").and_then(|h| h.as_str())) else { continue };
            if kind == Some(EventKind::Purged) {
                purged.insert(k.to_string());
            } else {
                let e = announced.entry(k.to_string()).or_default();
                e.0.insert(h.to_string());
                e.1 = seq;
                purged.remove(k);
            }
        }
        prev = Some(stored_hash);
    }

    let mut keys = Vec::new();
    for prefix in ["documents/", "quarantine/", "handoff/"] {
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
    for (k, (_, seq)) in &announced {
        if !present.contains(k.as_str()) && !purged.contains(k) {
            report.findings.push(Finding::MissingObject { key: k.clone(), seq: *seq });
        }
    }
    report.findings.sort();
    Ok(report)
}

/// The document id an original's key names (`documents/<id>/<id>.<ext>`).
fn original_id(key: &str) -> Option<&str> {
    let rest = key.strip_prefix("documents/")?;
    let (id, file) = rest.split_once('/')?;
    let stem = file.rsplit_once('.').map(|(s, _)| s)?;
    (stem == id).then_some(id)
}
