//! Stamps: annotations a person puts on a page ("Eingegangen 05.12.2026", "Gebucht", "Kst.
//! 4711"), each a record beside the document (`stamp-<n>.json`, locked, audited), never
//! written into the original or the PDF/A; a copy "with stamps" is rendered on demand.

use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::archive::{Archive, ArchiveError};
use crate::audit::{Event, EventKind};
pub use crate::index::Stamp;
use crate::processor::Recorder;

/// `[stamps]` in the pipeline file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StampPolicy {
    /// The kinds a person may choose.
    pub kinds: Vec<String>,
}

impl Default for StampPolicy {
    fn default() -> Self {
        StampPolicy { kinds: ["Eingegangen", "Geprüft", "Gebucht", "Bezahlt", "Zur Ablage"].map(String::from).to_vec() }
    }
}

/// Where on the page a stamp goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corner {
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
}

impl Corner {
    pub fn parse(s: &str) -> Option<Corner> {
        match s {
            "top-left" => Some(Corner::TopLeft),
            "top-right" => Some(Corner::TopRight),
            "bottom-left" => Some(Corner::BottomLeft),
            "bottom-right" => Some(Corner::BottomRight),
            _ => None,
        }
    }

    /// A stamp's box (180 × 60 pt, 24 pt from the edges) on a page `w` × `h` pt.
    pub fn bbox(self, w: f32, h: f32) -> [f32; 4] {
        let (sw, sh, m) = (180.0f32.min(w / 2.0), 60.0f32.min(h / 4.0), 24.0);
        let x = match self {
            Corner::TopLeft | Corner::BottomLeft => m,
            _ => w - m - sw,
        };
        let y = match self {
            Corner::TopLeft | Corner::TopRight => m,
            _ => h - m - sh,
        };
        [x, y, x + sw, y + sh]
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StampError {
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error("no such document: {0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
}

/// Puts a stamp of `kind` with `text` on page `page` at `bbox`, in `records`' name.
pub fn add(records: &Recorder, policy: &StampPolicy, id: &str, kind: &str, text: &str, page: u32, bbox: [f32; 4]) -> Result<Stamp, StampError> {
    if !policy.kinds.iter().any(|k| k == kind) {
        return Err(StampError::Invalid(format!("unknown stamp kind {kind:?}: one of {}", policy.kinds.join(", "))));
    }
    let text = text.trim();
    if text.chars().count() > 200 {
        return Err(StampError::Invalid("a stamp's text is at most 200 characters".into()));
    }
    let index = records.archive.lookup(id)?.ok_or_else(|| StampError::NotFound(id.to_string()))?;
    if page == 0 || page > index.pages.max(1) {
        return Err(StampError::Invalid(format!("the document has {} page(s), no page {page}", index.pages)));
    }
    let mut n = all_of(&records.archive, id)?.iter().map(|s| s.n).max().unwrap_or(0) + 1;
    loop {
        let s = Stamp { n, kind: kind.to_string(), text: text.to_string(), page, bbox, by: records.actor.clone(), at: Utc::now().to_rfc3339() };
        let bytes = serde_json::to_vec_pretty(&s).expect("serialises");
        let event = Event::new(EventKind::Stamped, Some(id)).details(json!({"n": n, "kind": kind, "text": text, "page": page}));
        if records.archive.record_once(&index, &format!("stamp-{n}.json"), &bytes, &records.actor, event)? {
            return Ok(s);
        }
        n += 1;
    }
}

/// A document's stamps, in order.
pub fn all_of(archive: &Archive, id: &str) -> Result<Vec<Stamp>, ArchiveError> {
    let mut out: Vec<Stamp> = archive.records(id, "stamp-")?.iter().filter_map(|(_, b)| serde_json::from_slice(b).ok()).collect();
    out.sort_by_key(|s: &Stamp| s.n);
    Ok(out)
}

/// The stamp's words: its kind, its text, who and when (German date).
pub fn label(s: &Stamp) -> (String, String) {
    let day = chrono::DateTime::parse_from_rfc3339(&s.at).map(|d| d.format("%d.%m.%Y").to_string()).unwrap_or_default();
    let who = s.by.rsplit(':').next().unwrap_or(&s.by).to_string();
    (s.kind.to_uppercase(), [s.text.clone(), format!("{day} {who}")].into_iter().filter(|t| !t.trim().is_empty()).collect::<Vec<_>>().join(" · "))
}
