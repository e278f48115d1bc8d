//! Reprocessing: archived documents read again with today's models and rules — after a
//! retraining, a fixed rule, a new OCR language — safely:
//!
//! - from the stored words by default (no OCR: layout, classification and extraction are what change);
//!   e-invoices are parsed again from their XML and e-mails read again from their text (both
//!   without OCR); `ocr` reads every original again;
//! - a new index revision only where the reading differs from the current index;
//! - a value a person set (`source.from = person`) or confirmed by approving the document
//!   (`source.confirmed_by`) is kept; where the new reading differs from it, the reading is recorded beside it in the audit entry as a suggestion, and the document
//!   goes to review;
//! - a released document whose values change is held for review again (an approved document
//!   is not re-released with values nobody checked); a rejected one stays rejected;
//! - written through the processor's `Recorder` like every other change (audit entry, revision,
//!   handoff of what is released, catalog), so the handoff holds its gate;
//! - a run that is stopped and started again skips what it did: a document whose reading no
//!   longer differs writes nothing.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::archive::ArchiveError;
use crate::document::Document;
use crate::index::{Check, CheckName, DocumentIndex, Field, FieldValue, Review, ReviewState, SourceFormat, Status};
use crate::layout::Page;
use crate::pipeline::Pipeline;
use crate::processor::{Recorder, Revised};
use crate::review::{self, ReviewPolicy};

/// How documents are read again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// From the stored words (scans, born-digital PDFs); e-invoices and e-mails from their
    /// original, which needs no OCR.
    Words,
    /// Every original read again, OCR included.
    Ocr,
}

/// What reprocessing one document found.
#[derive(Debug)]
pub struct Outcome {
    pub id: String,
    /// What changes, field by field (`{"field", "from", "to"}`), and the type and review.
    pub changes: Vec<Value>,
    /// New readings of values a person set, kept beside them.
    pub suggestions: Vec<Value>,
    /// The revision written; `None` in a dry run or when nothing changed.
    pub revised: Option<Revised>,
}

impl Outcome {
    /// Whether a value the ERP books changed (a field, the type, line items, VAT), as opposed
    /// to the model's name, the checks or the review state alone.
    pub fn values_changed(&self) -> bool {
        self.changes.iter().any(|c| !matches!(c["field"].as_str(), Some("models" | "checks" | "review")))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReprocessError {
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error("{id}: {message}")]
    Unreadable { id: String, message: String },
}

/// The fresh reading of an archived document, as the pipeline makes it today.
fn read_again(pipeline: &Pipeline, records: &Recorder, current: &DocumentIndex, mode: Mode) -> Result<DocumentIndex, ReprocessError> {
    let id = current.id.to_string();
    let unreadable = |message: String| ReprocessError::Unreadable { id: id.clone(), message };
    let from_original = mode == Mode::Ocr || matches!(current.source_format, Some(SourceFormat::Zugferd | SourceFormat::XrechnungCii | SourceFormat::XrechnungUbl | SourceFormat::Email) | None);
    if from_original {
        let (_, bytes) = records.archive.original(&id)?.ok_or_else(|| unreadable("the original is missing from the archive (run mailroom verify)".into()))?;
        let doc = Document::restored(bytes, current.source.clone());
        return pipeline.analyse(&doc).map(|a| a.index).map_err(|f| unreadable(format!("{}: {}", f.kind.as_str(), f.message)));
    }
    // From the stored words, the original's bytes are not needed (a scan's are megabytes):
    // the document is its id and source.
    let doc = Document { bytes: Vec::new(), sha256: current.id.clone(), media_type: current.source.media_type, source: current.source.clone() };
    let key = current.archive.words.as_deref().ok_or_else(|| unreadable("no stored words: read it again with --ocr".into()))?;
    let words = records.archive.store().get(key).map_err(ArchiveError::from)?.ok_or_else(|| unreadable(format!("{key} is missing (run mailroom verify)")))?;
    let pages: Vec<Page> = serde_json::from_slice(&words).map_err(|e| unreadable(format!("{key} cannot be read: {e}")))?;
    // Grouped into lines by today's layout stage too: what OCR read stays as it was read.
    let pages: Vec<Page> = pages.into_iter().map(Page::regrouped).collect();
    let mut index = pipeline.index_pages(&doc, &pages);
    // What the first reading knew beyond the words stays as it was.
    index.source_format = current.source_format;
    Ok(index)
}

/// The current index with the fresh reading applied, what changed, and the suggestions.
/// `order_match` gives an index's check against its order: `None` where that cannot be told
/// now (no catalog, or it failed), `Some(None)` where there is nothing to match.
fn merge(
    current: &DocumentIndex,
    fresh: DocumentIndex,
    who: &str,
    policy: &ReviewPolicy,
    override_reviewed: bool,
    order_match: &dyn Fn(&DocumentIndex) -> Option<Option<crate::orders::Matched>>,
) -> (DocumentIndex, Vec<Value>, Vec<Value>) {
    let mut next = current.clone();
    let mut changes = Vec::new();
    let mut suggestions = Vec::new();
    // Fields: today's reading, but a person's value stays (the reading becomes a suggestion).
    let mut fields: BTreeMap<Field, FieldValue> = fresh.fields;
    // `--override-reviewed`: the reading replaces even a person's values (logged, and sent to review).
    let mut overridden = false;
    for (field, value) in current.fields.iter().filter(|(_, v)| v.vouched_for()) {
        if override_reviewed {
            overridden |= fields.get(field).map(|v| &v.value) != Some(&value.value);
            continue;
        }
        let reading = fields.get(field).map(|v| v.value.clone());
        if reading.as_deref() != Some(value.value.as_str()) {
            suggestions.push(json!({"field": field, "kept": value.value, "reading": reading}));
        }
        fields.insert(*field, value.clone());
    }
    for f in Field::ALL {
        let (old, new) = (current.fields.get(&f), fields.get(&f));
        if old.map(|v| (&v.value, v.confidence.to_bits())) != new.map(|v| (&v.value, v.confidence.to_bits())) {
            changes.push(json!({"field": f, "from": old.map(|v| &v.value), "to": new.map(|v| &v.value)}));
        }
    }
    next.fields = fields;
    // The type: a person's decision on the document (their review names them) keeps it.
    let person_decided = current.review.as_ref().is_some_and(|r| r.by.is_some());
    let (old_type, new_type) = (current.doc_type.as_ref().map(|d| d.label), fresh.doc_type.as_ref().map(|d| d.label));
    if !person_decided {
        if old_type != new_type {
            changes.push(json!({"field": "doc_type", "from": old_type, "to": new_type}));
        }
        next.doc_type = fresh.doc_type;
    }
    if current.line_items != fresh.line_items {
        changes.push(json!({"field": "line_items", "from": current.line_items.len(), "to": fresh.line_items.len()}));
    }
    next.line_items = fresh.line_items;
    if current.vat_breakdown != fresh.vat_breakdown {
        changes.push(json!({"field": "vat_breakdown"}));
    }
    next.vat_breakdown = fresh.vat_breakdown;
    // Checks of the fields as they now stand, a person's values included.
    next.checks = if next.fields.values().any(FieldValue::vouched_for) { recheck(&next, &fresh.checks) } else { fresh.checks };
    // What the archive found when the document came in (a possible duplicate) is no reading:
    // it stays as it was decided.
    for c in current.checks.iter().filter(|c| c.name == CheckName::PossibleDuplicate) {
        if !next.checks.iter().any(|n| n.name == c.name) {
            next.checks.push(c.clone());
        }
    }
    // The order it names, as the catalog knows it now (an order imported after the invoice
    // came is matched here); where that cannot be told, the match stays as it was.
    let (order_check, links) = match order_match(&next) {
        Some(Some(m)) => (Some(m.check), m.links),
        Some(None) => (None, None),
        None => (current.checks.iter().find(|c| c.name == CheckName::OrderMatch).cloned(), current.order_match.clone()),
    };
    next.checks.retain(|c| c.name != CheckName::OrderMatch);
    next.checks.extend(order_check);
    next.order_match = links;
    if current.checks != next.checks {
        changes.push(json!({"field": "checks"}));
    }
    if current.order_match != next.order_match {
        changes.push(json!({"field": "order_match"}));
    }
    let values_changed = !changes.is_empty() || !suggestions.is_empty();
    if current.models != fresh.models {
        changes.push(json!({"field": "models", "from": current.models, "to": fresh.models}));
    }
    next.models = fresh.models;
    next.language = fresh.language;
    next.pages = fresh.pages;
    next.einvoice = fresh.einvoice;
    next.needs_review = if person_decided && !values_changed { current.needs_review } else { fresh.needs_review || !suggestions.is_empty() || next.checks.iter().any(|c| !c.passed) };
    // The review: nothing nobody checked is released on a changed reading.
    let state = current.review.as_ref().map(|r| r.state);
    next.review = match state {
        // Approvals of an approval step given so far were for the old values.
        Some(ReviewState::Pending | ReviewState::Postponed) if values_changed => current.review.clone().map(|r| Review { approvals: Vec::new(), waiting_for: Vec::new(), ..r }),
        // A superseded part of a batch stays out of the queue, however it reads now.
        Some(ReviewState::Rejected | ReviewState::Pending | ReviewState::Postponed | ReviewState::Superseded) => current.review.clone(),
        Some(ReviewState::Approved) if !values_changed => current.review.clone(),
        Some(ReviewState::Approved) => Some(Review {
            state: ReviewState::Pending,
            by: Some(who.to_string()),
            at: Some(chrono::Utc::now().to_rfc3339()),
            reason: Some("read again: the new reading differs from what was approved".into()),
            approvals: Vec::new(),
            waiting_for: Vec::new(),
        }),
        Some(ReviewState::StraightThrough) | None => review::on_arrival(&next, policy),
    };
    if overridden && !matches!(state, Some(ReviewState::Rejected | ReviewState::Superseded)) {
        next.needs_review = true;
        next.review = Some(Review {
            state: ReviewState::Pending,
            by: Some(who.to_string()),
            at: Some(chrono::Utc::now().to_rfc3339()),
            reason: Some("read again with --override-reviewed: values a person had set or confirmed were replaced by the new reading".into()),
            approvals: Vec::new(),
            waiting_for: Vec::new(),
        });
    }
    if next.review.as_ref().map(|r| r.state) != state {
        changes.push(json!({"field": "review", "from": state.map(ReviewState::as_str), "to": next.review.as_ref().map(|r| r.state.as_str())}));
    }
    (next, changes, suggestions)
}

/// The checks recomputed over fields that include a person's values (the reading's own checks
/// were made on its values); an e-invoice's EN 16931 rule checks stay as read.
fn recheck(index: &DocumentIndex, read: &[Check]) -> Vec<Check> {
    let ex =
        crate::extract::Extraction { fields: index.fields.clone(), line_items: index.line_items.clone(), vat_breakdown: index.vat_breakdown.clone(), checks: Vec::new(), totals_consistent: false };
    let mut checks = crate::extract::checks::run(&ex);
    let own: Vec<String> = checks.iter().map(|c| c.name.to_string()).collect();
    checks.extend(read.iter().filter(|c| !own.contains(&c.name.to_string())).cloned());
    checks
}

/// One document of run `run` read again and written (a worker's reprocessing job; the command
/// line does the same per document): skipped when the run did it already, recorded in the
/// catalog as `changed`, `unchanged` or `failed` (a document that cannot be read) once its
/// revision is durable. A storage error is returned, to be tried again.
pub fn one(pipeline: &Pipeline, records: &Recorder, run: &str, id: &str, mode: Mode) -> Result<&'static str, ReprocessError> {
    let catalog = records.catalog.as_ref();
    let mark = |outcome: &'static str| -> Result<&'static str, ReprocessError> {
        if let Some(c) = catalog {
            c.reprocess_mark(run, id, outcome).map_err(|e| ArchiveError::Catalog(e.to_string()))?;
        }
        Ok(outcome)
    };
    if let Some(c) = catalog {
        if c.reprocess_is_done(run, id).map_err(|e| ArchiveError::Catalog(e.to_string()))? {
            return Ok("done_before");
        }
    }
    let Some(current) = records.archive.lookup(id)? else { return mark("failed") };
    match reprocess(pipeline, records, current, mode, false) {
        Ok(Some(o)) if !o.changes.is_empty() => mark("changed"),
        Ok(_) => mark("unchanged"),
        Err(ReprocessError::Unreadable { .. }) => mark("failed"),
        Err(e) => Err(e),
    }
}

/// Reads one archived document again and, unless `dry_run`, writes a new revision where the
/// reading differs. Quarantined documents are `mailroom quarantine retry`'s.
/// `current` is the document's current index, as the selection read it (read once).
pub fn reprocess(pipeline: &Pipeline, records: &Recorder, current: DocumentIndex, mode: Mode, dry_run: bool) -> Result<Option<Outcome>, ReprocessError> {
    reprocess_with(pipeline, records, current, mode, dry_run, false)
}

/// [`reprocess`]; `override_reviewed` lets the new reading replace values a person set or
/// confirmed (logged in the audit entry; the document goes to review).
pub fn reprocess_with(pipeline: &Pipeline, records: &Recorder, current: DocumentIndex, mode: Mode, dry_run: bool, override_reviewed: bool) -> Result<Option<Outcome>, ReprocessError> {
    if current.status != Status::Processed {
        return Ok(None);
    }
    let id = current.id.as_str();
    let fresh = read_again(pipeline, records, &current, mode)?;
    let order_match = |i: &DocumentIndex| -> Option<Option<crate::orders::Matched>> {
        let catalog = records.catalog.as_ref()?;
        crate::orders::check(i, catalog.as_ref(), &records.archive, records.review.order_tolerance_percent)
            .map_err(|e| tracing::warn!(document = %i.id.short(12), error = %e, "the order match could not be looked up; it stays as it was"))
            .ok()
    };
    let (mut next, changes, suggestions) = merge(&current, fresh, &records.actor, &records.review, override_reviewed, &order_match);
    let mut outcome = Outcome { id: id.to_string(), changes, suggestions, revised: None };
    if outcome.changes.is_empty() || dry_run {
        return Ok(Some(outcome));
    }
    let details = json!({"reprocessed": true, "mode": if mode == Mode::Ocr { "ocr" } else { "words" }, "models": {"from": current.models, "to": next.models}, "override_reviewed": override_reviewed, "changes": outcome.changes, "suggestions": outcome.suggestions});
    // Only the model's name, the checks or the review changed: nothing the ERP books, so it
    // gets nothing again.
    outcome.revised = Some(if outcome.values_changed() { records.revise(&mut next, details)? } else { records.revise_quietly(&mut next, details)? });
    Ok(Some(outcome))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_model_name_or_new_checks_alone_are_no_change_of_values() {
        let o = |fields: &[&str]| Outcome { id: "x".into(), changes: fields.iter().map(|f| json!({"field": f})).collect(), suggestions: Vec::new(), revised: None };
        assert!(!o(&["models"]).values_changed());
        assert!(!o(&["models", "checks", "review"]).values_changed());
        assert!(o(&["models", "gross_total"]).values_changed());
        assert!(o(&["doc_type"]).values_changed());
        assert!(!o(&[]).values_changed());
    }
}
