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
use crate::document::Document;
use crate::duplicate;
use crate::handoff::Handoff;
use crate::index::DocumentIndex;
use crate::mail;
use crate::pipeline::{Analysis, Failure, Pipeline, Timings};
use crate::review::{self, Decision, ReviewPolicy};

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
        }
        index.review = review::on_arrival(&index, &self.review);
        let mut handed_off = Vec::new();
        let outcome = match self.archive.store_processed(doc, &analysis.artefacts, &mut index, &self.actor)? {
            Stored::New(_) => {
                handed_off = self.hand_off(&index)?;
                Outcome::Processed(index)
            }
            Stored::Existing(existing) => Outcome::AlreadyArchived(*existing),
        };
        Ok(Processed { outcome, timings: analysis.timings, handed_off })
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

    /// A person's decision on the current index of `id` — approve (released to the ERP, whose
    /// outbox entry is written now), reject, postpone — as a new revision. `base`: the
    /// revision the person looked at; refused when it is no longer the current one.
    pub fn decide(&self, id: &str, base: Option<u32>, decision: Decision, reason: Option<&str>) -> Result<(DocumentIndex, Revised), DecideError> {
        let mut index = self.archive.lookup(id)?.ok_or_else(|| ArchiveError::NotFound(id.to_string()))?;
        if let Some(base) = base.filter(|b| *b != index.archive.revision) {
            return Err(ArchiveError::Conflict { id: id.to_string(), base, current: index.archive.revision }.into());
        }
        let details = review::decide(&mut index, decision, &self.actor, reason, &self.review)?;
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
        c.upsert(&entry).map_err(|e| ArchiveError::Catalog(e.to_string()))
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
        let email = mail::parse(doc, &self.pipeline.limits);
        let inside = mail::unfold(doc, email.as_ref(), &self.pipeline.limits);
        let family: Vec<(&Document, Option<&mail::Parsed>)> = std::iter::once((doc, email.as_ref())).chain(inside.iter().map(|(d, e)| (d, e.as_ref()))).collect();
        let mut results: Vec<Option<Processed>> = Vec::with_capacity(family.len());
        for (i, (d, _)) in family.iter().enumerate() {
            let done = self.records.completed(&d.sha256)?;
            if done.is_none() && !(stored && i == 0) {
                self.records.receive(d, received_by)?;
            }
            results.push(done);
        }
        for (result, (d, email)) in results.iter_mut().zip(&family) {
            if result.is_none() {
                *result = Some(self.run_only(d, *email)?);
            }
        }
        let results: Vec<Processed> = results.into_iter().flatten().collect();
        for r in &results {
            self.records.catalogue(r.outcome.index())?;
        }
        Ok(results)
    }

    /// Processes a document whose original is already in the archive (submitted to the
    /// queue, or retried from quarantine), and catalogues it.
    pub fn run(&self, doc: &Document) -> Result<Processed, ArchiveError> {
        let done = self.run_only(doc, None)?;
        self.records.catalogue(done.outcome.index())?;
        Ok(done)
    }

    fn run_only(&self, doc: &Document, email: Option<&mail::Parsed>) -> Result<Processed, ArchiveError> {
        match self.pipeline.analyse_parsed(doc, email) {
            Ok(analysis) => self.records.processed(doc, analysis),
            Err(failure) => self.records.quarantined(doc, failure, self.pipeline.models()),
        }
    }
}
