//! The processor: one received document through the pipeline into the archive, with its
//! audit entries, its ERP outbox entry and its catalog row — and the [`Recorder`], the one
//! place that writes a document's records, in the one order that makes it safe to
//! acknowledge a document afterwards. Processing, retrying from quarantine, a person's
//! correction (and later approval and reprocessing) all go through it:
//!
//! ```text
//! 1. original          stored on arrival, before any reading (Recorder::receive)
//! 2. artefacts         PDF/A, words, e-invoice attachments
//! 3. audit entry       lists the hashes of everything written in this step
//! 4. index revision    the document is complete once this exists
//! 5. ERP handoff       outbox entries, their manifest last — only for a released document
//!                      (approved by a person, or straight through: see `review`)
//! 6. catalog row       the SQL mirror; rebuilt from the archive when it is behind
//! ```
//! When a method returns `Ok`, everything about the document is durable; an `Err` means
//! storage failed and the source must keep the document (no ack, no delete) so it comes
//! again, and what was written already is found and completed, never written twice.

use std::sync::Arc;

use serde_json::json;

use crate::archive::{Archive, ArchiveError, Stored};
use crate::audit::{Event, EventKind, ObjectRef};
use crate::catalog::{Catalog, Entry};
use crate::document::{Artefacts, Document};
use crate::duplicate;
use crate::handoff::Handoff;
use crate::index::{Batch, BatchPart, CheckName, DocType, DocumentIndex, ErrorKind, Field, PartStart, Review, ReviewState, Status};
use crate::mail;
use crate::models::firstpage::FirstPageDetector;
use crate::pipeline::{Analysis, Failure, Pipeline, Timings};
use crate::review::{self, Decision, ReviewPolicy};
use crate::split;
use crate::vocab::SplitPolicy;

/// What happened to one document.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Read, classified, extracted and archived now.
    Processed(DocumentIndex),
    /// The same bytes were archived before; this is the stored index. Nothing was written.
    AlreadyArchived(DocumentIndex),
    /// Could not be processed; the original and the reason are kept.
    Quarantined(DocumentIndex),
}

impl Outcome {
    pub fn index(&self) -> &DocumentIndex {
        match self {
            Outcome::Processed(i) | Outcome::AlreadyArchived(i) | Outcome::Quarantined(i) => i,
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Processed(_) => "processed",
            Outcome::AlreadyArchived(_) => "already_archived",
            Outcome::Quarantined(_) => "quarantined",
        }
    }
}

/// The outcome with how long the stages took and what went to the ERP outbox.
#[derive(Debug)]
pub struct Processed {
    pub outcome: Outcome,
    pub timings: Timings,
    pub handed_off: Vec<ObjectRef>,
}

impl Processed {
    fn only(outcome: Outcome) -> Processed {
        Processed { outcome, timings: Timings::default(), handed_off: Vec::new() }
    }
}

/// Writes everything that is recorded about a document, in the order of the module doc.
pub struct Recorder {
    pub archive: Archive,
    /// The ERP outbox; `None` writes none.
    pub handoff: Option<Handoff>,
    /// The SQL mirror of the current indexes; `None` keeps none.
    pub catalog: Option<Arc<dyn Catalog>>,
    /// Who does the work, for the audit trail (`mailroom process by alice@host`, `worker host:pid`).
    pub actor: String,
    /// Which documents go to the ERP without a person.
    pub review: ReviewPolicy,
}

/// Why a person's decision was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error(transparent)]
    Review(#[from] review::ReviewError),
}

/// A new index revision written by [`Recorder::revise`].
#[derive(Debug)]
pub struct Revised {
    /// The revision's index object.
    pub index: ObjectRef,
    /// What went to the ERP outbox.
    pub handed_off: Vec<ObjectRef>,
}

impl Recorder {
    /// The same records written in another's name: the review UI acts as the person logged in.
    pub fn acting_as(&self, actor: &str) -> Recorder {
        Recorder { archive: self.archive.clone(), handoff: self.handoff.clone(), catalog: self.catalog.clone(), actor: actor.to_string(), review: self.review.clone() }
    }

    /// Step 1: stores the original of a document that has just arrived, logged as received
    /// by `received_by` when it is new.
    pub fn receive(&self, doc: &Document, received_by: &str) -> Result<ObjectRef, ArchiveError> {
        self.archive.receive(doc, received_by)
    }

    /// The stored result when `doc` was archived before; its ERP handoff is completed if
    /// processing was cut off between the index and the outbox.
    pub fn completed(&self, id: &str) -> Result<Option<Processed>, ArchiveError> {
        let Some(stored) = self.archive.lookup(id)? else { return Ok(None) };
        let handed_off = self.hand_off_if_missing(&stored)?;
        Ok(Some(Processed { outcome: Outcome::AlreadyArchived(stored), timings: Timings::default(), handed_off }))
    }

    /// Steps 2–5 for what the pipeline read: artefacts, audit entry, first index revision,
    /// handoff. Another worker that completed the same document first wins; its index is
    /// returned and nothing more is written.
    pub fn processed(&self, doc: &Document, analysis: Analysis) -> Result<Processed, ArchiveError> {
        let mut index = analysis.index;
        // The same invoice archived before (other bytes): held for a person, never paid twice.
        if let Some(catalog) = &self.catalog {
            if let Some(check) = duplicate::check(&index, catalog.as_ref()).map_err(|e| ArchiveError::Catalog(e.to_string()))? {
                index.needs_review |= !check.passed;
                index.checks.push(check);
            }
            // An invoice against the order it names (imported, or archived on paper) and
            // what was delivered.
            if let Some(m) = crate::orders::check(&index, catalog.as_ref(), &self.archive, self.review.order_tolerance_percent).map_err(crate::orders::OrderError::into_archive)? {
                m.apply(&mut index);
            }
        }
        index.review = review::on_arrival(&index, &self.review);
        let mut handed_off = Vec::new();
        let outcome = match self.archive.store_processed(doc, &analysis.artefacts, &mut index, &self.actor)? {
            Stored::New(_) => {
                self.index_search(&index, analysis.artefacts.words.as_deref())?;
                handed_off = self.hand_off(&index)?;
                if self.catalog.is_some() && matches!(index.doc_type.as_ref().map(|d| d.label), Some(DocType::Order | DocType::OrderConfirmation | DocType::DeliveryNote)) {
                    // Catalogued first, so that the match finds the document that just arrived.
                    self.catalogue(&index)?;
                    self.match_waiting_invoices(&index);
                }
                Outcome::Processed(index)
            }
            Stored::Existing(existing) => Outcome::AlreadyArchived(*existing),
        };
        Ok(Processed { outcome, timings: analysis.timings, handed_off })
    }

    /// An order, confirmation or delivery note that arrives after its invoice: the invoices
    /// still waiting for a person that name it are matched again at once (a new revision each,
    /// audited, nothing handed off), so that the reviewer sees the three-way match without a
    /// reprocessing run. Released invoices are left as they went to the ERP. Best effort: the
    /// document itself is stored; an invoice that cannot be matched now is matched when it is
    /// read again (`mailroom reprocess`).
    fn match_waiting_invoices(&self, arrived: &DocumentIndex) {
        let Some(catalog) = &self.catalog else { return };
        if !matches!(arrived.doc_type.as_ref().map(|d| d.label), Some(DocType::Order | DocType::OrderConfirmation | DocType::DeliveryNote)) {
            return;
        }
        let waiting = |q: crate::catalog::Query| {
            catalog.find(&crate::catalog::Query {
                doc_types: vec![DocType::Invoice],
                status: Some(Status::Processed),
                review_states: vec![ReviewState::Pending, ReviewState::Postponed],
                unordered: true,
                ..q
            })
        };
        let mut invoices = Vec::new();
        if let Some(key) = crate::catalog::reference_key(arrived.field(Field::OrderReference)) {
            invoices.extend(waiting(crate::catalog::Query { order_ref: Some(key), ..Default::default() }).unwrap_or_default());
        }
        if let Some(key) = crate::catalog::reference_key(arrived.field(Field::DeliveryNoteReference)) {
            invoices.extend(waiting(crate::catalog::Query { delivery_ref: Some(key), ..Default::default() }).unwrap_or_default());
        }
        invoices.sort_by(|a, b| a.id.cmp(&b.id));
        invoices.dedup_by(|a, b| a.id == b.id);
        for entry in invoices {
            // Another paper of the same order may arrive on another worker at the same time:
            // the later write reads the invoice again and matches with both.
            let attempt = || -> Result<(), ArchiveError> {
                let Some(mut invoice) = self.archive.lookup(&entry.id)? else { return Ok(()) };
                let Some(m) = crate::orders::check(&invoice, catalog.as_ref(), &self.archive, self.review.order_tolerance_percent).map_err(crate::orders::OrderError::into_archive)? else {
                    return Ok(());
                };
                let before = invoice.checks.iter().find(|c| c.name == CheckName::OrderMatch).cloned();
                if before.as_ref() == Some(&m.check) && invoice.order_match == m.links {
                    return Ok(());
                }
                let details = json!({"reason": format!("matched again: {} {} arrived", arrived.doc_type.as_ref().map(|d| d.label.as_str()).unwrap_or("document"), arrived.id), "order_match": {"from": before, "to": m.check}});
                m.apply(&mut invoice);
                self.revise_quietly(&mut invoice, details)?;
                Ok(())
            };
            let mut result = attempt();
            for _ in 0..3 {
                if !matches!(result, Err(ArchiveError::Conflict { .. })) {
                    break;
                }
                result = attempt();
            }
            if let Err(e) = result {
                tracing::warn!(invoice = %entry.id, error = %e, "the invoice could not be matched with the document that arrived; it is matched when read again (mailroom reprocess)");
            }
        }
    }

    /// The record of a document the pipeline could not read: its original and the reason.
    /// The same failure as last time (a re-run over a folder) keeps the first record.
    pub fn quarantined(&self, doc: &Document, failure: Failure, models: crate::index::Models) -> Result<Processed, ArchiveError> {
        if let Some(previous) = self.archive.quarantined(&doc.sha256)? {
            if previous.error.as_ref().map(|e| (e.kind, e.message.as_str())) == Some((failure.kind, failure.message.as_str())) {
                return Ok(Processed::only(Outcome::Quarantined(previous)));
            }
        }
        let mut index = DocumentIndex::quarantined(doc.sha256.clone(), doc.source.clone(), failure.kind, failure.message);
        index.models = Some(models);
        self.archive.quarantine(doc, &mut index, &self.actor)?;
        Ok(Processed::only(Outcome::Quarantined(index)))
    }

    /// Steps 3–6 for a change to an archived document (a person's correction, a
    /// reclassification): the audit entry with `details` (what changed, why), the next index
    /// revision beside the old ones, its handoff, its catalog row. `index` is the changed
    /// current index; it comes back with its new revision number and key.
    /// Refused (`ArchiveError::Conflict`) when another revision was written since `index`'s:
    /// two people saving the same document never overwrite each other silently.
    pub fn revise(&self, index: &mut DocumentIndex, details: serde_json::Value) -> Result<Revised, ArchiveError> {
        let obj = self.archive.revise(index, &self.actor, details)?;
        let handed_off = self.hand_off(index)?;
        self.catalogue(index)?;
        Ok(Revised { index: obj, handed_off })
    }

    /// [`Recorder::revise`] without the ERP handoff: for a revision whose values did not change
    /// (a new model version, recomputed checks), which the ERP has no reason to get again.
    pub fn revise_quietly(&self, index: &mut DocumentIndex, details: serde_json::Value) -> Result<Revised, ArchiveError> {
        let obj = self.archive.revise(index, &self.actor, details)?;
        self.catalogue(index)?;
        Ok(Revised { index: obj, handed_off: Vec::new() })
    }

    /// A person's decision on the current index of `id` — approve (released to the ERP, whose
    /// outbox entry is written now), reject, postpone — as a new revision. `base`: the
    /// revision the person looked at; refused when it is no longer the current one.
    /// `departments`: those the person deciding belongs to (approval steps given by a department).
    pub fn decide(&self, id: &str, base: Option<u32>, decision: Decision, reason: Option<&str>, departments: &[String]) -> Result<(DocumentIndex, Revised), DecideError> {
        let mut index = self.archive.lookup(id)?.ok_or_else(|| ArchiveError::NotFound(id.to_string()))?;
        if let Some(base) = base.filter(|b| *b != index.archive.revision) {
            return Err(ArchiveError::Conflict { id: id.to_string(), base, current: index.archive.revision }.into());
        }
        let details = review::decide(&mut index, decision, review::Decider { name: &self.actor, departments }, reason, &self.review)?;
        let revised = self.revise(&mut index, details)?;
        Ok((index, revised))
    }

    /// Logs that a quarantined document is read again (before it is).
    pub fn retrying(&self, id: &str, previous_error: &str) -> Result<(), ArchiveError> {
        self.archive.audit().append(&self.actor, Event::new(EventKind::Retried, Some(id)).details(json!({"from": "quarantine", "previous_error": previous_error})))?;
        Ok(())
    }

    /// Step 6: mirrors an index into the catalog, if there is one and its row differs.
    pub fn catalogue(&self, index: &DocumentIndex) -> Result<(), ArchiveError> {
        let Some(c) = &self.catalog else { return Ok(()) };
        let entry = Entry::of(index);
        let current = c.get(&entry.id).map_err(|e| ArchiveError::Catalog(e.to_string()))?;
        if current.as_ref() == Some(&entry) {
            return Ok(());
        }
        c.upsert(&entry).map_err(|e| ArchiveError::Catalog(e.to_string()))?;
        // The values may have changed (a correction, a decision): searchable as they stand.
        if index.status != crate::index::Status::Quarantined {
            c.index_text(&index.id, &crate::search::fields_of(index)).map_err(|e| ArchiveError::Catalog(e.to_string()))?;
        }
        Ok(())
    }

    /// Makes a processed document findable: its read text (`words`, as stored; read from the
    /// archive when not given) and its values.
    pub fn index_search(&self, index: &DocumentIndex, words: Option<&[u8]>) -> Result<(), ArchiveError> {
        let Some(c) = &self.catalog else { return Ok(()) };
        let text = search_text(&self.archive, index, words)?;
        c.index_text(&index.id, &text).map_err(|e| ArchiveError::Catalog(e.to_string()))
    }

    /// Step 5, for a released document only: one held for review (or rejected) writes no
    /// outbox entry, whichever path asks.
    fn hand_off(&self, index: &DocumentIndex) -> Result<Vec<ObjectRef>, ArchiveError> {
        match &self.handoff {
            Some(h) if index.released() => h.hand_off(index, &self.archive, &self.actor),
            _ => Ok(Vec::new()),
        }
    }

    fn hand_off_if_missing(&self, index: &DocumentIndex) -> Result<Vec<ObjectRef>, ArchiveError> {
        match &self.handoff {
            Some(h) if index.released() && !h.is_done(index, &self.archive)? => h.hand_off(index, &self.archive, &self.actor),
            _ => Ok(Vec::new()),
        }
    }
}

/// What a corrected split wrote.
#[derive(Debug)]
pub struct Resplit {
    /// The batch's new revision.
    pub batch: DocumentIndex,
    pub revision: ObjectRef,
    /// The parts, in page order: new ones processed now, kept ones as archived.
    pub parts: Vec<Processed>,
}

/// Why a split correction was not made.
#[derive(Debug, thiserror::Error)]
pub enum ResplitError {
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error("not a batch scan: {0}")]
    NotABatch(String),
    #[error("the split is not valid: {0}")]
    Ranges(String),
    #[error("part {0} went to the ERP already; a split correction cannot take it back — reverse it in the ERP and reject it here instead")]
    HandedOff(String),
}

/// A person's correction of a batch's split: `ranges` (pages of the batch, 1-based, each a
/// document) replace the parts it has. Parts that stay the same stay as they are; new
/// ones are cut, read and stored like any part; the parts they replace are superseded
/// (a revision of their own: out of the queue, never to the ERP); the batch gets a new
/// revision listing the new parts. Nothing is deleted. Refused when a part to be replaced
/// went to the ERP already, or when `base` is not the batch's current revision.
pub fn resplit(pipeline: &Pipeline, records: &Recorder, batch_id: &str, base: Option<u32>, ranges: &[[u32; 2]], reason: Option<&str>) -> Result<Resplit, ResplitError> {
    let archive = &records.archive;
    let mut batch = archive.lookup(batch_id)?.ok_or_else(|| ArchiveError::NotFound(batch_id.to_string()))?;
    if let Some(base) = base.filter(|b| *b != batch.archive.revision) {
        return Err(ArchiveError::Conflict { id: batch_id.to_string(), base, current: batch.archive.revision }.into());
    }
    if batch.source.split.is_none() && batch.status != Status::Split {
        return Err(ResplitError::NotABatch("it did not come in as a batch scan".into()));
    }
    let (_, bytes) = archive.original(batch_id)?.ok_or_else(|| ArchiveError::NotFound(format!("the original of {batch_id}")))?;
    let doc = Document::restored(bytes, batch.source.clone());
    if doc.media_type != crate::vocab::MediaType::Pdf {
        return Err(ResplitError::NotABatch("only PDF batches are split".into()));
    }
    let separators = batch.batch.as_ref().map(|b| b.separators.clone()).unwrap_or_default();
    let pages = batch.pages.max(1);
    let ranges = split::parse_ranges(&ranges.iter().map(|r| format!("{}-{}", r[0], r[1])).collect::<Vec<_>>().join(","), pages, &separators).map_err(ResplitError::Ranges)?;
    // Before: the parts, or the batch itself where it stayed one document.
    let before: Vec<BatchPart> = match &batch.batch {
        Some(b) => b.parts.clone(),
        None => vec![BatchPart { id: batch.id.clone(), pages: [1, pages], by: PartStart::Start, confidence: None }],
    };
    let mut after = Vec::with_capacity(ranges.len());
    let mut cut = Vec::with_capacity(ranges.len());
    for r in &ranges {
        let part = part_of(&doc, r[0], r[1]).map_err(|f| ResplitError::Ranges(f.message))?;
        let kept = before.iter().find(|p| p.id == part.sha256);
        after.push(BatchPart { id: part.sha256.clone(), pages: *r, by: kept.map(|p| p.by).unwrap_or(PartStart::Person), confidence: kept.and_then(|p| p.confidence) });
        cut.push(part);
    }
    let replaced: Vec<&BatchPart> = before.iter().filter(|p| !after.iter().any(|a| a.id == p.id)).collect();
    let mut replaced_indexes = Vec::new();
    for p in &replaced {
        if p.id == batch.id {
            if batch.released() {
                return Err(ResplitError::HandedOff(p.id.to_string()));
            }
            continue;
        }
        if let Some(index) = archive.lookup(&p.id)? {
            if index.released() {
                return Err(ResplitError::HandedOff(p.id.to_string()));
            }
            replaced_indexes.push(index);
        }
    }
    let by = records.actor.clone();
    let mut results = Vec::new();
    for part in &cut {
        match archive.lookup(&part.sha256)? {
            // Chosen again after an earlier correction had superseded it.
            Some(mut index) if index.review.as_ref().is_some_and(|r| r.state == ReviewState::Superseded) => {
                index.review = review::on_arrival(&index, &records.review);
                let details = json!({"review": "pending", "reason": "a part of its batch again: the split was corrected", "batch": batch_id});
                records.revise(&mut index, details)?;
                results.push(Processed::only(Outcome::Processed(index)));
            }
            Some(index) => results.push(Processed::only(Outcome::AlreadyArchived(index))),
            None => {
                records.receive(part, &by)?;
                let done = match pipeline.analyse(part) {
                    Ok(analysis) => records.processed(part, analysis)?,
                    Err(failure) => records.quarantined(part, failure, pipeline.models())?,
                };
                records.catalogue(done.outcome.index())?;
                results.push(done);
            }
        }
    }
    for mut index in replaced_indexes {
        if index.review.as_ref().is_some_and(|r| r.state == ReviewState::Superseded) {
            continue;
        }
        index.review = Some(Review {
            state: ReviewState::Superseded,
            by: Some(by.clone()),
            at: Some(chrono::Utc::now().to_rfc3339()),
            reason: reason.map(str::to_string),
            approvals: Vec::new(),
            waiting_for: Vec::new(),
        });
        let details = json!({"review": "superseded", "batch": batch_id, "reason": reason, "pages_now": after.iter().map(|p| p.pages).collect::<Vec<_>>()});
        records.revise(&mut index, details)?;
    }
    let from: Vec<[u32; 2]> = before.iter().map(|p| p.pages).collect();
    let to: Vec<[u32; 2]> = after.iter().map(|p| p.pages).collect();
    if batch.status != Status::Split {
        // It was one document; now it is the container of its parts.
        batch = DocumentIndex { archive: batch.archive.clone(), pages, ..DocumentIndex::processed(batch.id.clone(), batch.source.clone()) };
        batch.status = Status::Split;
    }
    batch.batch = Some(Batch { parts: after, separators, corrected_by: Some(by.clone()) });
    let details = json!({"split": {"from": from, "to": to}, "reason": reason});
    let revised = records.revise(&mut batch, details)?;
    Ok(Resplit { batch, revision: revised.index, parts: results })
}

/// A document's searchable text: its read pages (`words` as stored, else read from the
/// archive), an e-invoice's content, its values.
pub fn search_text(archive: &Archive, index: &DocumentIndex, words: Option<&[u8]>) -> Result<crate::search::SearchText, ArchiveError> {
    let stored;
    let words = match (words, &index.archive.words) {
        (Some(w), _) => Some(w),
        (None, Some(key)) => {
            stored = archive.store().get(key)?;
            stored.as_deref()
        }
        (None, None) => None,
    };
    let pages: Option<Vec<crate::layout::Page>> = words.and_then(|w| serde_json::from_slice(w).ok());
    Ok(crate::search::text_of(index, pages.as_deref()))
}

/// The part of `batch` of pages `first..=last`: its bytes cut from the batch's (PDF), its
/// source the batch's, with `parent` and `parent_pages`.
fn part_of(batch: &Document, first: u32, last: u32) -> Result<Document, Failure> {
    let bytes =
        crate::pages::pdf::extract_pages(&batch.bytes, first, last).map_err(|e| Failure { kind: e.kind, message: format!("pages {first}-{last} of the batch cannot be cut out: {}", e.message) })?;
    let stem = batch.source.name.rsplit_once('.').map(|(s, _)| s).unwrap_or(&batch.source.name);
    let name = if first == last { format!("{stem} p{first}.pdf") } else { format!("{stem} p{first}-{last}.pdf") };
    let mut part = Document::new(bytes, batch.source.channel, name);
    part.source.received_at = batch.source.received_at.clone();
    part.source.parent = Some(batch.sha256.clone());
    part.source.parent_pages = Some([first, last]);
    Ok(part)
}

/// A part whose split the first-page detector doubted goes to a person.
fn note_doubts(index: &mut DocumentIndex, doubts: &[String]) {
    if !doubts.is_empty() && index.status == Status::Processed {
        index.checks.push(split::doubt_check(doubts));
        index.needs_review = true;
    }
}

/// The reading stages and the [`Recorder`] together: what takes a received document to a
/// stored one.
pub struct Processor {
    pub pipeline: Pipeline,
    pub records: Recorder,
}

impl Processor {
    pub fn archive(&self) -> &Archive {
        &self.records.archive
    }

    pub fn actor(&self) -> &str {
        &self.records.actor
    }

    /// Processes one document, unless it was archived before. The catalog is brought up to
    /// date either way (it may have missed the document when an earlier attempt was cut off).
    pub fn process(&self, doc: &Document) -> Result<Processed, ArchiveError> {
        let done = match self.records.completed(&doc.sha256)? {
            Some(done) => done,
            None => {
                self.records.receive(doc, &self.records.actor)?;
                self.run_only(doc, None)?
            }
        };
        self.records.catalogue(done.outcome.index())?;
        Ok(done)
    }

    /// Processes a document together with every document that came inside it — an e-mail's
    /// attachments and forwarded e-mails, recursively — as one unit: all their originals are
    /// received first (logged as received by `received_by`), then each is processed. The
    /// document itself comes first in the result. `Ok` only when every one of them is durably
    /// stored, processed or quarantined (and catalogued); on `Err` the source keeps the whole
    /// unit and delivers it again, and what was stored already is found, not written twice.
    /// An e-mail is parsed once, here, and what it holds travels on.
    pub fn process_all(&self, doc: &Document, received_by: &str) -> Result<Vec<Processed>, ArchiveError> {
        self.process_family(doc, received_by, false)
    }

    /// [`Processor::process_all`] for a document whose original is in the archive already (a
    /// job from the queue: `submit` stored it): its original is not sent again only to be
    /// refused; what came inside it is received as usual.
    pub fn process_all_stored(&self, doc: &Document, received_by: &str) -> Result<Vec<Processed>, ArchiveError> {
        self.process_family(doc, received_by, true)
    }

    fn process_family(&self, doc: &Document, received_by: &str, stored: bool) -> Result<Vec<Processed>, ArchiveError> {
        if let Some(done) = self.try_batch(doc, received_by, stored)? {
            return Ok(done);
        }
        // Untrusted MIME is read inside a panic guard, like every stage of the pipeline: a
        // panic makes the e-mail a quarantine of kind `internal` (its original is kept), never
        // a lost run or a job that comes back for ever.
        let unfolded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let email = mail::parse(doc, &self.pipeline.limits);
            let inside = mail::unfold(doc, email.as_ref(), &self.pipeline.limits);
            (email, inside)
        }));
        let (email, inside) = unfolded.unwrap_or_else(|_| {
            tracing::error!(document = %doc.sha256.short(12), "a panic while unfolding an e-mail; it is quarantined as internal");
            let problem = mail::Problem { kind: crate::index::ErrorKind::Internal, message: "internal error while unfolding the e-mail; the original is kept — please report this".into() };
            (Some(Err(problem)), Vec::new())
        });
        let family: Vec<(&Document, Option<&mail::Parsed>)> = std::iter::once((doc, email.as_ref())).chain(inside.iter().map(|(d, e)| (d, e.as_ref()))).collect();
        let mut done: Vec<Option<Processed>> = Vec::with_capacity(family.len());
        for (i, (d, _)) in family.iter().enumerate() {
            let completed = self.records.completed(&d.sha256)?;
            if completed.is_none() && !(stored && i == 0) {
                self.records.receive(d, received_by)?;
            }
            done.push(completed);
        }
        let mut results = Vec::with_capacity(family.len());
        for (i, (completed, (d, email))) in done.into_iter().zip(&family).enumerate() {
            // An attachment from a scanner's mailbox is a batch scan (its original is in already).
            if i > 0 {
                if let Some(batch) = self.try_batch(d, received_by, true)? {
                    results.extend(batch);
                    continue;
                }
            }
            results.push(match completed {
                Some(c) => c,
                None => self.run_only(d, *email)?,
            });
        }
        for r in &results {
            self.records.catalogue(r.outcome.index())?;
        }
        Ok(results)
    }

    /// [`Processor::process_batch`] for a PDF whose source asked for splitting; `None` for
    /// anything else.
    fn try_batch(&self, doc: &Document, received_by: &str, stored: bool) -> Result<Option<Vec<Processed>>, ArchiveError> {
        match &doc.source.split {
            Some(policy) if doc.media_type == crate::vocab::MediaType::Pdf => self.process_batch(doc, policy, received_by, stored),
            _ => Ok(None),
        }
    }

    /// Processes a document whose original is already in the archive (submitted to the
    /// queue, or retried from quarantine), and catalogues it.
    pub fn run(&self, doc: &Document) -> Result<Processed, ArchiveError> {
        let done = self.run_only(doc, None)?;
        self.records.catalogue(done.outcome.index())?;
        Ok(done)
    }

    /// A batch scan (its source asked for splitting, `source.split`): read once, split at
    /// separator sheets and where the first-page detector sees a letter begin; each part is
    /// a document of its own (`source.parent` = the batch), its bytes cut deterministically
    /// from the batch's, so the same stack twice archives nothing twice. The batch itself is
    /// archived byte for byte as a container (`status: split`, `batch` lists the parts) —
    /// written last, so a batch whose container exists is complete. A batch of one letter
    /// stays one document. `None`: not something that splits (an e-invoice, an image); the
    /// caller reads it as a document.
    fn process_batch(&self, doc: &Document, policy: &SplitPolicy, received_by: &str, stored: bool) -> Result<Option<Vec<Processed>>, ArchiveError> {
        if let Some(done) = self.records.completed(&doc.sha256)? {
            let mut out = Vec::new();
            if let Some(batch) = &done.outcome.index().batch {
                for part in &batch.parts {
                    out.extend(self.records.completed(&part.id)?);
                }
            }
            out.insert(0, done);
            for r in &out {
                self.records.catalogue(r.outcome.index())?;
            }
            return Ok(Some(out));
        }
        let read = match self.pipeline.read_batch(doc, policy) {
            None => return Ok(None),
            Some(read) => read,
        };
        if !stored {
            self.records.receive(doc, received_by)?;
        }
        let mut read = match read {
            Ok(read) => read,
            Err(failure) => return self.finish_batch(vec![self.records.quarantined(doc, failure, self.pipeline.models())?]),
        };
        let detector = if policy.first_page { FirstPageDetector::shipped() } else { None };
        if policy.first_page && detector.is_none() {
            tracing::warn!("the first-page detector (models/firstpage-v1.json) is not in this build: batches split at separator sheets only");
        }
        let Some(plan) = split::plan(&read.cues(detector.as_ref())) else {
            let failure = Failure { kind: ErrorKind::Unreadable, message: format!("every one of the batch's {} pages is a separator sheet: there is no letter in it", read.len()) };
            return self.finish_batch(vec![self.records.quarantined(doc, failure, self.pipeline.models())?]);
        };
        if plan.is_single() {
            let pages = read.len();
            let one = match self.pipeline.analyse_part(doc, &mut read, 1, pages) {
                Ok(mut analysis) => {
                    note_doubts(&mut analysis.index, &plan.parts[0].doubts);
                    self.records.processed(doc, analysis)?
                }
                Err(failure) => self.records.quarantined(doc, failure, self.pipeline.models())?,
            };
            return self.finish_batch(vec![one]);
        }
        let mut results = Vec::with_capacity(plan.parts.len() + 1);
        let mut parts = Vec::with_capacity(plan.parts.len());
        for planned in &plan.parts {
            let part = match part_of(doc, planned.first, planned.last) {
                Ok(part) => part,
                Err(failure) => return self.finish_batch(vec![self.records.quarantined(doc, failure, self.pipeline.models())?]),
            };
            parts.push(BatchPart { id: part.sha256.clone(), pages: [planned.first, planned.last], by: planned.by, confidence: planned.confidence });
            if let Some(done) = self.records.completed(&part.sha256)? {
                results.push(done);
                continue;
            }
            self.records.receive(&part, received_by)?;
            results.push(match self.pipeline.analyse_part(&part, &mut read, planned.first, planned.last) {
                Ok(mut analysis) => {
                    note_doubts(&mut analysis.index, &planned.doubts);
                    self.records.processed(&part, analysis)?
                }
                Err(failure) => self.records.quarantined(&part, failure, self.pipeline.models())?,
            });
        }
        let mut index = DocumentIndex {
            status: Status::Split,
            pages: read.len(),
            batch: Some(Batch { parts, separators: plan.separators, corrected_by: None }),
            ..DocumentIndex::processed(doc.sha256.clone(), doc.source.clone())
        };
        let container = match self.records.archive.store_processed(doc, &Artefacts::default(), &mut index, &self.records.actor)? {
            Stored::New(_) => Outcome::Processed(index),
            Stored::Existing(existing) => Outcome::AlreadyArchived(*existing),
        };
        results.insert(0, Processed::only(container));
        self.finish_batch(results)
    }

    fn finish_batch(&self, results: Vec<Processed>) -> Result<Option<Vec<Processed>>, ArchiveError> {
        for r in &results {
            self.records.catalogue(r.outcome.index())?;
        }
        Ok(Some(results))
    }

    /// A person's correction of a batch's split: see [`resplit`].
    pub fn resplit(&self, batch_id: &str, base: Option<u32>, ranges: &[[u32; 2]], reason: Option<&str>) -> Result<Resplit, ResplitError> {
        resplit(&self.pipeline, &self.records, batch_id, base, ranges, reason)
    }

    fn run_only(&self, doc: &Document, email: Option<&mail::Parsed>) -> Result<Processed, ArchiveError> {
        match self.pipeline.analyse_parsed(doc, email) {
            Ok(analysis) => self.records.processed(doc, analysis),
            Err(failure) => self.records.quarantined(doc, failure, self.pipeline.models()),
        }
    }
}
