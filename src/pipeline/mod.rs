//! The pipeline: the reading stages of one document, in order, from bytes to an index.
//!
//! document → pages → ocr → layout → classify → extract
//!
//! Pages of a document are produced on one thread (pdfium is single-threaded) into a small
//! bounded channel and read in parallel on the rayon pool. The pipeline stores nothing: the
//! [`crate::processor::Processor`] takes what it returns to the archive. A panic anywhere
//! inside is caught and turned into a failure, so one bad file never stops a run.

mod einvoice;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::sync_channel;
use std::time::{Duration, Instant};

use rayon::iter::{ParallelBridge, ParallelIterator};

use crate::classify::{detect_language, Classifier, KeywordClassifier};
use crate::document::{Artefacts, Document};
use crate::extract::{needs_review, Extraction, FieldExtractor, ReadDocument, RulesExtractor};
use crate::index::{Check, CheckName, DocType, DocTypeResult, DocumentIndex, ErrorKind, Models, SourceFormat};
use crate::layout::{Page, TextSource};
use crate::limits::Limits;
use crate::mail::{self, Email};
use crate::models::doctype::TrainedClassifier;
use crate::models::fields::TrainedExtractor;
use crate::models::firstpage::{self, FirstPageDetector};
use crate::ocr::{self, OcrConfig};
use crate::pages::{self, PageContent};
use crate::pdfa::{encode_image, write_pdfa_encoded, EncodedImage, EncodedPage, PdfaInfo};
use crate::split;
use crate::vocab::SplitPolicy;

pub struct Pipeline {
    pub ocr: OcrConfig,
    pub limits: Limits,
    pub classifier: Box<dyn Classifier>,
    pub extractor: Box<dyn FieldExtractor>,
}

impl Default for Pipeline {
    fn default() -> Self {
        Pipeline::new()
    }
}

/// A page after reading, with the image it was read from, compressed for the PDF/A, when it
/// was OCR'd. Compressing on the OCR worker keeps the raw bitmap's life short (a 40-page scan
/// would otherwise hold every page's bitmap until the PDF/A is written) and spreads the work
/// over the cores.
struct ReadPage {
    page: Page,
    image: Option<EncodedImage>,
    /// A batch's page: what it shows that matters for splitting (None: a text page).
    mark: Option<split::Mark>,
}

/// A batch scan read once, page by page, with each page's separator marks: the parts are
/// indexed from these pages without reading them again.
pub struct ReadBatch {
    pages: Vec<Option<ReadPage>>,
    policy: SplitPolicy,
}

impl ReadBatch {
    pub fn len(&self) -> u32 {
        self.pages.len() as u32
    }

    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }

    /// What the split planner needs of each page: whether it is a separator, and — where the
    /// policy asks for it — the first-page detector's probability that a letter begins on
    /// it (after the previous page of the same stretch between separators).
    pub fn cues(&self, detector: Option<&FirstPageDetector>) -> Vec<split::PageCue> {
        let mut cues = Vec::with_capacity(self.pages.len());
        let mut previous: Option<&Page> = None;
        for read in self.pages.iter().flatten() {
            let separator = read.mark.as_ref().and_then(|m| m.separator(&self.policy));
            if separator.is_some() {
                previous = None;
                cues.push(split::PageCue { separator, start: None });
                continue;
            }
            let start = match (detector.filter(|_| self.policy.first_page), previous) {
                (Some(d), Some(prev)) => Some(d.model.probability(&firstpage::features(&read.page, Some(prev)))),
                (Some(_), None) => Some(1.0),
                (None, _) => None,
            };
            previous = Some(&read.page);
            cues.push(split::PageCue { separator: None, start });
        }
        cues
    }

    /// Takes pages `first..=last` (1-based) out, numbered from 1 again.
    fn take(&mut self, first: u32, last: u32) -> Vec<ReadPage> {
        let mut out = Vec::new();
        for (k, n) in (first..=last).enumerate() {
            if let Some(mut p) = self.pages.get_mut(n as usize - 1).and_then(Option::take) {
                p.page.number = k as u32 + 1;
                out.push(p);
            }
        }
        out
    }
}

/// Why a document could not be read: quarantine material.
#[derive(Debug, Clone)]
pub struct Failure {
    pub kind: ErrorKind,
    pub message: String,
}

/// Time spent per stage on one document (for metrics and benchmarks).
#[derive(Debug, Clone, Default)]
pub struct Timings {
    /// Pages, OCR and layout together (they overlap: pages are read while later ones render).
    pub read: Duration,
    pub pdfa: Duration,
    pub classify: Duration,
    pub extract: Duration,
    pub total: Duration,
}

/// What the pipeline made of a document.
#[derive(Debug)]
pub struct Analysis {
    pub index: DocumentIndex,
    pub artefacts: Artefacts,
    pub timings: Timings,
}

impl Pipeline {
    /// The default stages: the shipped trained classifier and field extractor (`models/`),
    /// or the keyword classifier and rules extractor where a model is missing; German and
    /// English OCR.
    pub fn new() -> Pipeline {
        let classifier: Box<dyn Classifier> = match TrainedClassifier::shipped() {
            Some(c) => Box::new(c),
            None => Box::new(KeywordClassifier),
        };
        let extractor: Box<dyn FieldExtractor> = match TrainedExtractor::shipped() {
            Some(e) => Box::new(e),
            None => Box::new(RulesExtractor),
        };
        Pipeline { ocr: OcrConfig::default(), limits: Limits::default(), classifier, extractor }
    }

    /// The stages without trained models: keyword classifier and rules extractor (the
    /// baseline the evaluation compares with).
    pub fn rules_only() -> Pipeline {
        Pipeline { ocr: OcrConfig::default(), limits: Limits::default(), classifier: Box::new(KeywordClassifier), extractor: Box::new(RulesExtractor) }
    }

    pub fn models(&self) -> Models {
        Models { classifier: self.classifier.model(), extractor: self.extractor.model() }
    }

    /// Reads, classifies and extracts one document. Never panics: a panic inside a stage
    /// becomes an `internal` failure, and the original is kept by whoever stores it.
    pub fn analyse(&self, doc: &Document) -> Result<Analysis, Failure> {
        self.analyse_parsed(doc, None)
    }

    /// [`Pipeline::analyse`] for a document whose e-mail was parsed where it entered
    /// ([`mail::parse`], `Some` for an e-mail), so that it is not parsed again.
    pub fn analyse_parsed(&self, doc: &Document, email: Option<&mail::Parsed>) -> Result<Analysis, Failure> {
        let started = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| {
            let own;
            let email = match email {
                Some(parsed) => Some(parsed),
                None => {
                    own = mail::parse(doc, &self.limits);
                    own.as_ref()
                }
            };
            self.read_and_index(doc, email)
        }));
        let mut analysis = match result {
            Ok(r) => r?,
            Err(panic) => {
                let what = panic.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| panic.downcast_ref::<String>().cloned()).unwrap_or_default();
                return Err(Failure { kind: ErrorKind::Internal, message: format!("internal error while processing ({what}); the original is kept — please report this") });
            }
        };
        analysis.timings.total = started.elapsed();
        Ok(analysis)
    }

    fn read_pages(&self, doc: &Document, email: Option<&mail::Parsed>, split: Option<&SplitPolicy>) -> Result<Vec<ReadPage>, Failure> {
        let (tx, rx) = sync_channel::<PageContent>(2);
        let limits = self.limits;
        let ocr_config = &self.ocr;
        std::thread::scope(|scope| {
            let producer = scope.spawn(move || pages::produce(doc, email, &limits, &mut |p| tx.send(p).is_ok()));
            let read: Vec<Result<ReadPage, Failure>> = rx
                .into_iter()
                .par_bridge()
                .map(|content| match content {
                    PageContent::Text(page) => {
                        // A patch sheet merged in digitally (or mailroom's own, unscanned) has a text layer.
                        let mark = split.map(|policy| split::text_mark(&page, policy));
                        Ok(ReadPage { page, image: None, mark })
                    }
                    PageContent::Image(img) => {
                        let number = img.number;
                        // A batch's separator sheet is looked at, not read.
                        let mark = split.map(|policy| split::mark(&img.gray(), policy));
                        if let Some(m) = mark.as_ref().filter(|m| split.is_some_and(|p| m.separator(p).is_some())) {
                            let (w, h) = (img.image.width() as f32 * 72.0 / img.dpi, img.image.height() as f32 * 72.0 / img.dpi);
                            let page = Page::from_words(number, w, h, TextSource::Ocr, 0, Vec::new());
                            let image = encode_image(&img.image).map_err(|e| Failure { kind: ErrorKind::Internal, message: format!("page {number} could not be compressed: {e}") })?;
                            return Ok(ReadPage { page, image: Some(image), mark: Some(m.clone()) });
                        }
                        let o = ocr::read_page(ocr_config, img).map_err(|e| Failure { kind: ErrorKind::Internal, message: format!("OCR failed on page {number}: {e}") })?;
                        let image = encode_image(&o.image.image).map_err(|e| Failure { kind: ErrorKind::Internal, message: format!("page {number} could not be compressed for the PDF/A: {e}") })?;
                        Ok(ReadPage { page: o.page, image: Some(image), mark })
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

    fn read_and_index(&self, doc: &Document, parsed: Option<&mail::Parsed>) -> Result<Analysis, Failure> {
        let mut timings = Timings::default();
        let t = Instant::now();
        if let Some(result) = einvoice::try_process(doc, &self.limits) {
            let (index, artefacts) = result?;
            timings.read = t.elapsed();
            return Ok(Analysis { index, artefacts, timings });
        }
        let read = self.read_pages(doc, parsed, None)?;
        timings.read = t.elapsed();
        self.index_read(doc, read, parsed, timings)
    }

    /// Reads a batch scan's pages once, marking separator sheets as `policy` counts them
    /// (they are not OCR'd). E-invoices and e-mails are no batches: `None`, read them as
    /// documents.
    pub fn read_batch(&self, doc: &Document, policy: &SplitPolicy) -> Option<Result<ReadBatch, Failure>> {
        if !matches!(doc.media_type, crate::vocab::MediaType::Pdf | crate::vocab::MediaType::Tiff) {
            return None;
        }
        if crate::pages::pdf::embedded_invoice_xml(&doc.bytes).ok().flatten().is_some() {
            return None;
        }
        let read = match catch_unwind(AssertUnwindSafe(|| self.read_pages(doc, None, Some(policy)))) {
            Ok(r) => r,
            Err(_) => Err(Failure { kind: ErrorKind::Internal, message: "internal error while reading the batch; the original is kept — please report this".into() }),
        };
        Some(read.map(|pages| ReadBatch { pages: pages.into_iter().map(Some).collect(), policy: policy.clone() }))
    }

    /// Indexes pages `first..=last` of a read batch as the document `part` (its bytes cut
    /// from the batch's), without reading them again.
    pub fn analyse_part(&self, part: &Document, batch: &mut ReadBatch, first: u32, last: u32) -> Result<Analysis, Failure> {
        let started = Instant::now();
        let read = batch.take(first, last);
        let result = catch_unwind(AssertUnwindSafe(|| self.index_read(part, read, None, Timings::default())));
        let mut analysis =
            result.map_err(|_| Failure { kind: ErrorKind::Internal, message: "internal error while processing a part of a batch; the original is kept — please report this".into() })??;
        analysis.timings.total = started.elapsed();
        Ok(analysis)
    }

    /// Everything after reading: PDF/A, classification, extraction, the index.
    fn index_read(&self, doc: &Document, read: Vec<ReadPage>, parsed: Option<&mail::Parsed>, mut timings: Timings) -> Result<Analysis, Failure> {
        if read.is_empty() {
            return Err(Failure { kind: ErrorKind::Unreadable, message: "no page could be read".into() });
        }
        let any_ocr = read.iter().any(|p| p.page.source == TextSource::Ocr);
        let all_ocr = read.iter().all(|p| p.page.source == TextSource::Ocr);
        let t = Instant::now();
        let pdfa = if all_ocr {
            let pdfa_pages: Vec<EncodedPage> =
                read.iter().map(|p| EncodedPage { image: p.image.as_ref().expect("OCR pages keep their image"), width_pt: p.page.width, height_pt: p.page.height, words: &p.page.words }).collect();
            let info = PdfaInfo { title: &doc.source.name, document_id: &doc.sha256, created: chrono::Utc::now() };
            Some(write_pdfa_encoded(&pdfa_pages, &info).map_err(|e| Failure { kind: ErrorKind::Internal, message: format!("the PDF/A could not be written: {e}") })?)
        } else {
            None
        };
        timings.pdfa = t.elapsed();
        let pages: Vec<Page> = read.into_iter().map(|p| p.page).collect();
        // An e-mail whose pages were read above parsed: what it carries is noted below.
        let email = parsed.and_then(|p| p.as_ref().ok());
        let t = Instant::now();
        let language = detect_language(&pages);
        let mut doc_type = self.classifier.classify(&pages);
        timings.classify = t.elapsed();
        // The keyword classifier is asked too: a trained model may already call the text a
        // letter, and the index should still say why it is not the booking document.
        let cover_letter = email.as_ref().is_some_and(|e| is_cover_letter(e, doc_type.label) || is_cover_letter(e, KeywordClassifier.classify(&pages).label));
        if cover_letter {
            doc_type.label = DocType::Letter;
        }
        let t = Instant::now();
        let words = self.words();
        let extraction = self.extractor.extract(&ReadDocument { pages: &pages, language: language.as_deref(), doc_type: doc_type.label, words: words.as_deref() });
        timings.extract = t.elapsed();
        let mut index = self.index(doc, &pages, language, doc_type, extraction, any_ocr);
        if email.is_some() {
            index.source_format = Some(SourceFormat::Email);
        }
        let mut linked = Vec::new();
        if let Some(email) = &email {
            linked = email.documents();
            note_email(email, cover_letter, &mut index);
        }
        let words = serde_json::to_vec(&pages).expect("pages always serialise");
        Ok(Analysis { index, artefacts: Artefacts { pdfa, words: Some(words), attachments: Vec::new(), linked }, timings })
    }

    /// Reads the pages of a document (pages, OCR, layout) and nothing more: for evaluations
    /// and training, which cache them. E-invoice XML has no pages to read.
    pub fn read(&self, doc: &Document) -> Result<Vec<Page>, Failure> {
        match catch_unwind(AssertUnwindSafe(|| self.read_pages(doc, None, None))) {
            Ok(r) => Ok(r?.into_iter().map(|p| p.page).collect()),
            Err(_) => Err(Failure { kind: ErrorKind::Internal, message: "internal error while reading".into() }),
        }
    }

    /// The configured word lists (`[ocr] word_lists`), loaded once per process; `None`, with a
    /// warning, where they cannot be read: the checks that need words are then not made.
    pub fn words(&self) -> Option<std::sync::Arc<crate::ocr::lexicon::Lexicon>> {
        crate::ocr::lexicon::shared(&self.ocr.word_lists).map_err(|e| tracing::warn!("names are not checked for umlauts OCR lost: {e}")).ok()
    }

    /// Classifies and extracts already read pages into an index (no PDF/A, no e-mail notes).
    pub fn index_pages(&self, doc: &Document, pages: &[Page]) -> DocumentIndex {
        let language = detect_language(pages);
        let doc_type = self.classifier.classify(pages);
        let words = self.words();
        let extraction = self.extractor.extract(&ReadDocument { pages, language: language.as_deref(), doc_type: doc_type.label, words: words.as_deref() });
        let any_ocr = pages.iter().any(|p| p.source == TextSource::Ocr);
        self.index(doc, pages, language, doc_type, extraction, any_ocr)
    }

    fn index(&self, doc: &Document, pages: &[Page], language: Option<String>, doc_type: DocTypeResult, extraction: Extraction, any_ocr: bool) -> DocumentIndex {
        let review = needs_review(&doc_type, &extraction);
        let source_format = if any_ocr { SourceFormat::Scan } else { SourceFormat::PdfText };
        DocumentIndex {
            source_format: Some(source_format),
            pages: pages.len() as u32,
            language,
            doc_type: Some(doc_type),
            fields: extraction.fields,
            line_items: extraction.line_items,
            vat_breakdown: extraction.vat_breakdown,
            checks: extraction.checks,
            needs_review: review,
            models: Some(self.models()),
            ..DocumentIndex::processed(doc.sha256.clone(), doc.source.clone())
        }
    }
}

/// An e-mail that brings its invoice (or credit note, receipt) as an attachment is the cover
/// letter: the attachment is the booking document, and the ERP must not get it twice.
fn is_cover_letter(email: &Email, label: DocType) -> bool {
    matches!(label, DocType::Invoice | DocType::CreditNote | DocType::Receipt) && !email.documents().is_empty()
}

/// What the index of an e-mail says beyond its text: no boxes (its pages are its text set on
/// paper, not a page anybody saw), why it is a letter, and which attachments nobody reads.
fn note_email(email: &Email, cover_letter: bool, index: &mut DocumentIndex) {
    for f in index.fields.values_mut() {
        f.bbox = None;
    }
    if cover_letter {
        index.checks.push(Check {
            name: CheckName::EmailCoverLetter,
            passed: true,
            message: "typed as a letter: the e-mail brings its booking documents as attachments, which are documents of their own".into(),
        });
    }
    let others = email.other_names();
    if !others.is_empty() {
        index.checks.push(Check {
            name: CheckName::EmailAttachments,
            passed: false,
            message: format!("{} attachment(s) are not documents mailroom reads and are kept only inside the e-mail: {}", others.len(), others.join(", ")),
        });
        index.needs_review = true;
    }
}
