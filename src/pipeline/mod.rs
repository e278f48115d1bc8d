//! The pipeline: one document through every stage, in order, to an archived index.
//!
//! document → pages → ocr → layout → classify → extract → archive
//!
//! Pages of a document are produced on one thread (pdfium is single-threaded) into a small
//! bounded channel and read in parallel on the rayon pool. A document that cannot be read
//! is quarantined with its original bytes; a panic anywhere inside is caught and
//! quarantined the same way, so one bad file never stops a run.

mod einvoice;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::sync_channel;

use rayon::iter::{ParallelBridge, ParallelIterator};

use crate::archive::pdfa::{write_pdfa, PdfaInfo, PdfaPage};
use crate::archive::{Archive, ArchiveError, Artefacts};
use crate::classify::{detect_language, Classifier, KeywordClassifier};
use crate::document::Document;
use crate::extract::{needs_review, FieldExtractor, ReadDocument, RulesExtractor};
use crate::index::{DocumentIndex, ErrorKind, Models, SourceFormat, Status, SCHEMA};
use crate::layout::{Page, TextSource};
use crate::ocr::{self, OcrConfig};
use crate::pages::{self, Limits, PageContent, PageImage};

pub struct Pipeline {
    pub ocr: OcrConfig,
    pub limits: Limits,
    pub classifier: Box<dyn Classifier>,
    pub extractor: Box<dyn FieldExtractor>,
    pub archive: Box<dyn Archive>,
}

/// What happened to one document.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Read, classified, extracted and archived now.
    Processed(DocumentIndex),
    /// The same bytes were archived before; this is the stored index. Nothing was written.
    AlreadyArchived(DocumentIndex),
    /// Could not be processed; the original and the reason are kept in quarantine.
    Quarantined(DocumentIndex),
}

impl Outcome {
    pub fn index(&self) -> &DocumentIndex {
        match self {
            Outcome::Processed(i) | Outcome::AlreadyArchived(i) | Outcome::Quarantined(i) => i,
        }
    }
}

/// A page after reading, with the image it was read from when it was OCR'd.
struct ReadPage {
    page: Page,
    image: Option<PageImage>,
}

struct Failure {
    kind: ErrorKind,
    message: String,
}

impl Pipeline {
    /// The embedded default: rules extractor, keyword classifier, given archive.
    pub fn embedded(archive: Box<dyn Archive>) -> Pipeline {
        Pipeline { ocr: OcrConfig::default(), limits: Limits::default(), classifier: Box::new(KeywordClassifier), extractor: Box::new(RulesExtractor), archive }
    }

    fn models(&self) -> Models {
        Models { classifier: self.classifier.model(), extractor: self.extractor.model() }
    }

    /// Processes one document. An `Err` means the archive could not store it: nothing about
    /// this document may be acknowledged to its source.
    pub fn process(&self, doc: &Document) -> Result<Outcome, ArchiveError> {
        if let Some(stored) = self.archive.lookup(&doc.sha256)? {
            return Ok(Outcome::AlreadyArchived(stored));
        }
        let result = catch_unwind(AssertUnwindSafe(|| self.read_and_index(doc)));
        let result = match result {
            Ok(r) => r,
            Err(panic) => {
                let what = panic.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| panic.downcast_ref::<String>().cloned()).unwrap_or_default();
                Err(Failure { kind: ErrorKind::Internal, message: format!("internal error while processing ({what}); the original is kept — please report this") })
            }
        };
        match result {
            Ok((mut index, artefacts)) => {
                self.archive.store(doc, &artefacts, &mut index)?;
                Ok(Outcome::Processed(index))
            }
            Err(f) => {
                let mut index = DocumentIndex::quarantined(doc.sha256.clone(), doc.source.clone(), f.kind, f.message);
                index.models = Some(self.models());
                self.archive.quarantine(doc, &mut index)?;
                Ok(Outcome::Quarantined(index))
            }
        }
    }

    /// Reads, classifies and extracts without touching the archive (evaluation,
    /// benchmarks, dry runs). `Err` carries the quarantine reason.
    pub fn analyse(&self, doc: &Document) -> Result<(DocumentIndex, Artefacts), (ErrorKind, String)> {
        self.read_and_index(doc).map_err(|f| (f.kind, f.message))
    }

    fn read_pages(&self, doc: &Document) -> Result<Vec<ReadPage>, Failure> {
        let (tx, rx) = sync_channel::<PageContent>(2);
        let limits = self.limits;
        let ocr_config = &self.ocr;
        std::thread::scope(|scope| {
            let producer = scope.spawn(move || pages::produce(doc, &limits, &mut |p| tx.send(p).is_ok()));
            let read: Vec<Result<ReadPage, Failure>> = rx
                .into_iter()
                .par_bridge()
                .map(|content| match content {
                    PageContent::Text(page) => Ok(ReadPage { page, image: None }),
                    PageContent::Image(img) => {
                        let number = img.number;
                        ocr::read_page(ocr_config, img)
                            .map(|o| ReadPage { page: o.page, image: Some(o.image) })
                            .map_err(|e| Failure { kind: ErrorKind::Internal, message: format!("OCR failed on page {number}: {e}") })
                    }
                })
                .collect();
            let outline = producer.join().map_err(|_| Failure { kind: ErrorKind::Internal, message: "the page reader crashed; the original is kept — please report this".into() })?;
            outline.map_err(|e| Failure { kind: e.kind, message: e.message })?;
            let mut pages = read.into_iter().collect::<Result<Vec<_>, _>>()?;
            pages.sort_by_key(|p| p.page.number);
            Ok(pages)
        })
    }

    fn read_and_index(&self, doc: &Document) -> Result<(DocumentIndex, Artefacts), Failure> {
        if let Some(result) = einvoice::try_process(doc, &self.limits) {
            return result;
        }
        let read = self.read_pages(doc)?;
        if read.is_empty() {
            return Err(Failure { kind: ErrorKind::Unreadable, message: "no page could be read".into() });
        }
        let any_ocr = read.iter().any(|p| p.page.source == TextSource::Ocr);
        let all_ocr = read.iter().all(|p| p.page.source == TextSource::Ocr);
        let pdfa = if all_ocr {
            let pdfa_pages: Vec<PdfaPage> = read
                .iter()
                .map(|p| PdfaPage { image: &p.image.as_ref().expect("OCR pages keep their image").image, width_pt: p.page.width, height_pt: p.page.height, words: &p.page.words })
                .collect();
            let info = PdfaInfo { title: &doc.source.name, document_id: &doc.sha256, created: chrono::Utc::now() };
            Some(write_pdfa(&pdfa_pages, &info).map_err(|e| Failure { kind: ErrorKind::Internal, message: format!("the PDF/A could not be written: {e}") })?)
        } else {
            None
        };
        let pages: Vec<Page> = read.into_iter().map(|p| p.page).collect();
        let language = detect_language(&pages);
        let doc_type = self.classifier.classify(&pages);
        let extraction = self.extractor.extract(&ReadDocument { pages: &pages, language: language.as_deref(), doc_type: doc_type.label });
        let review = needs_review(doc_type.label, &extraction);
        let index = DocumentIndex {
            schema: SCHEMA.to_string(),
            id: doc.sha256.clone(),
            source: doc.source.clone(),
            status: Status::Processed,
            error: None,
            source_format: Some(if any_ocr { SourceFormat::Scan } else { SourceFormat::PdfText }),
            pages: pages.len() as u32,
            language,
            doc_type: Some(doc_type),
            fields: extraction.fields,
            line_items: extraction.line_items,
            vat_breakdown: extraction.vat_breakdown,
            checks: extraction.checks,
            needs_review: review,
            einvoice: None,
            archive: Default::default(),
            models: Some(self.models()),
        };
        let words = serde_json::to_vec(&pages).expect("pages always serialise");
        Ok((index, Artefacts { pdfa, words: Some(words), attachments: Vec::new() }))
    }
}
