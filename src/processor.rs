//! The processor: one received document through the pipeline into the archive, with its
//! audit entries and, once it is archived, its outbox entry for the ERP.
//!
//! The order is what makes it safe to acknowledge a document afterwards: the original is
//! stored (and logged as received) before any reading starts, the artefacts and the index
//! after, the ERP handoff last. When [`Processor::process`] returns `Ok`, everything about
//! the document is durable; an `Err` means storage failed and the source must keep the
//! document (no ack, no delete) so it comes again.

use std::sync::Arc;

use crate::archive::{Archive, ArchiveError, Stored};
use crate::audit::ObjectRef;
use crate::catalog::{Catalog, Entry};
use crate::document::Document;
use crate::handoff::Handoff;
use crate::index::DocumentIndex;
use crate::pipeline::{Pipeline, Timings};

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

pub struct Processor {
    pub pipeline: Pipeline,
    pub archive: Archive,
    /// The ERP outbox; `None` writes none.
    pub handoff: Option<Handoff>,
    /// The SQL mirror of the current indexes; `None` keeps none.
    pub catalog: Option<Arc<dyn Catalog>>,
    /// Who does the work, for the audit trail (`mailroom process by alice@host`, `worker host:pid`).
    pub actor: String,
}

impl Processor {
    /// Processes one document, unless it was archived before. The catalog is brought up to
    /// date either way (it may have missed the document when an earlier attempt was cut off).
    pub fn process(&self, doc: &Document) -> Result<Processed, ArchiveError> {
        let done = match self.completed(doc)? {
            Some(done) => done,
            None => {
                self.archive.receive(doc, &self.actor)?;
                self.run_only(doc)?
            }
        };
        self.catalogue(done.outcome.index())?;
        Ok(done)
    }

    /// Processes a document together with every document that came inside it — an e-mail's
    /// attachments and forwarded e-mails, recursively — as one unit: all their originals are
    /// received first (logged as received by `received_by`), then each is processed. The
    /// document itself comes first in the result. `Ok` only when every one of them is durably
    /// stored, processed or quarantined (and catalogued); on `Err` the source keeps the whole
    /// unit and delivers it again, and what was stored already is found, not written twice.
    pub fn process_all(&self, doc: &Document, received_by: &str) -> Result<Vec<Processed>, ArchiveError> {
        let inside = crate::intake::email::unfold(doc, &self.pipeline.limits);
        let family: Vec<&Document> = std::iter::once(doc).chain(inside.iter()).collect();
        let mut results: Vec<Option<Processed>> = Vec::with_capacity(family.len());
        for d in &family {
            let done = self.completed(d)?;
            if done.is_none() {
                self.archive.receive(d, received_by)?;
            }
            results.push(done);
        }
        for (result, d) in results.iter_mut().zip(&family) {
            if result.is_none() {
                *result = Some(self.run_only(d)?);
            }
        }
        let results: Vec<Processed> = results.into_iter().flatten().collect();
        for r in &results {
            self.catalogue(r.outcome.index())?;
        }
        Ok(results)
    }

    /// Processes a document whose original is already in the archive (submitted to the
    /// queue, or retried from quarantine), and catalogues it.
    pub fn run(&self, doc: &Document) -> Result<Processed, ArchiveError> {
        let done = self.run_only(doc)?;
        self.catalogue(done.outcome.index())?;
        Ok(done)
    }

    /// Mirrors an index into the catalog, if there is one and its row differs.
    pub fn catalogue(&self, index: &DocumentIndex) -> Result<(), ArchiveError> {
        let Some(c) = &self.catalog else { return Ok(()) };
        let entry = Entry::of(index);
        let current = c.get(&entry.id).map_err(|e| ArchiveError::Catalog(e.to_string()))?;
        if current.as_ref() == Some(&entry) {
            return Ok(());
        }
        c.upsert(&entry).map_err(|e| ArchiveError::Catalog(e.to_string()))
    }

    /// The stored result when `doc` was archived before; its ERP handoff is completed if
    /// processing was cut off between the archive and the outbox.
    fn completed(&self, doc: &Document) -> Result<Option<Processed>, ArchiveError> {
        let Some(stored) = self.archive.lookup(&doc.sha256)? else { return Ok(None) };
        let mut handed_off = Vec::new();
        if let Some(h) = &self.handoff {
            if !h.is_done(&stored, &self.archive)? {
                handed_off = h.hand_off(&stored, &self.archive, &self.actor)?;
            }
        }
        Ok(Some(Processed { outcome: Outcome::AlreadyArchived(stored), timings: Timings::default(), handed_off }))
    }

    fn run_only(&self, doc: &Document) -> Result<Processed, ArchiveError> {
        match self.pipeline.analyse(doc) {
            Ok(analysis) => {
                let mut index = analysis.index;
                let mut handed_off = Vec::new();
                let outcome = match self.archive.store_processed(doc, &analysis.artefacts, &mut index, &self.actor)? {
                    Stored::New(_) => {
                        if let Some(h) = &self.handoff {
                            handed_off = h.hand_off(&index, &self.archive, &self.actor)?;
                        }
                        Outcome::Processed(index)
                    }
                    Stored::Existing(existing) => Outcome::AlreadyArchived(*existing),
                };
                Ok(Processed { outcome, timings: analysis.timings, handed_off })
            }
            Err(failure) => {
                // The same failure as last time (a re-run over a folder): keep the first record.
                if let Some(previous) = self.archive.quarantined(&doc.sha256)? {
                    if previous.error.as_ref().map(|e| (e.kind, e.message.as_str())) == Some((failure.kind, failure.message.as_str())) {
                        return Ok(Processed::only(Outcome::Quarantined(previous)));
                    }
                }
                let mut index = DocumentIndex::quarantined(doc.sha256.clone(), doc.source.clone(), failure.kind, failure.message);
                index.models = Some(self.pipeline.models());
                self.archive.quarantine(doc, &mut index, &self.actor)?;
                Ok(Processed::only(Outcome::Quarantined(index)))
            }
        }
    }
}
