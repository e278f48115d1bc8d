//! Pages: turns a document's bytes into pages, each either already read from its text
//! layer or an image that the OCR stage must read.
//!
//! PDFs go through pdfium ([`pdf`]); PNG, JPEG and TIFF (multi-page) through the `image`
//! and `tiff` crates ([`image`]); an e-mail's readable body is set as text pages ([`text`]). Pages are produced one at a time into a bounded channel so
//! that OCR can start on the first page while later ones are still being rendered, and so
//! that a long scan never sits in memory decoded all at once.

pub mod image;
pub mod pdf;
pub mod text;

use ::image::{DynamicImage, GrayImage};

use crate::document::{Document, MediaType};
use crate::index::ErrorKind;
use crate::layout::Page;
use crate::limits::Limits;
use crate::mail;

/// A page image waiting for OCR.
#[derive(Debug, Clone)]
pub struct PageImage {
    /// 1-based.
    pub number: u32,
    /// The page as scanned: grey or colour (colour is kept for the PDF/A).
    pub image: DynamicImage,
    /// Pixels per inch (300 assumed for images that do not say).
    pub dpi: f32,
}

impl PageImage {
    pub fn gray(&self) -> GrayImage {
        self.image.to_luma8()
    }
}

/// One page as the pages stage hands it on.
#[derive(Debug)]
pub enum PageContent {
    /// Read from a PDF text layer, with positions; no OCR needed.
    Text(Page),
    /// An image that needs OCR.
    Image(PageImage),
}

/// Why a document's pages could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct PagesError {
    pub kind: ErrorKind,
    pub message: String,
}

impl PagesError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        PagesError { kind, message: message.into() }
    }
}

impl std::fmt::Display for PagesError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.as_str(), self.message)
    }
}

impl std::error::Error for PagesError {}

/// What a document looks like before its pages are produced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outline {
    pub pages: u32,
}

/// Opens `doc` and sends its pages, in order, to `sink`. Returns the page count.
/// `sink` returning `false` stops production early (the consumer has failed). `email` is the
/// document's e-mail as parsed where it entered (an e-mail is parsed once); `None` for an
/// e-mail parses it here.
pub fn produce(doc: &Document, email: Option<&mail::Parsed>, limits: &Limits, sink: &mut dyn FnMut(PageContent) -> bool) -> Result<Outline, PagesError> {
    if doc.bytes.is_empty() {
        return Err(PagesError::new(ErrorKind::Empty, "the file is empty (0 bytes); check the scanner or the upload"));
    }
    if doc.bytes.len() as u64 > limits.max_file_bytes {
        return Err(PagesError::new(ErrorKind::TooLarge, format!("the file has {} bytes, more than the limit of {} bytes", doc.bytes.len(), limits.max_file_bytes)));
    }
    match doc.media_type {
        MediaType::Pdf => pdf::produce(&doc.bytes, limits, sink),
        MediaType::Png | MediaType::Jpeg | MediaType::Tiff => image::produce(&doc.bytes, doc.media_type, limits, sink),
        MediaType::Email => {
            let own;
            let email = match email {
                Some(parsed) => parsed,
                None => {
                    own = mail::read(&doc.bytes, limits);
                    &own
                }
            };
            let email = email.as_ref().map_err(|p| PagesError::new(p.kind, p.message.clone()))?;
            if let Some(p) = email.problem() {
                return Err(PagesError::new(p.kind, p.message));
            }
            text::produce(&email.text, limits, sink)
        }
        MediaType::Xml => Err(PagesError::new(ErrorKind::UnsupportedFormat, "an XML file that is not a recognised e-invoice (CII or UBL)")),
        MediaType::Unknown => Err(PagesError::new(
            ErrorKind::UnsupportedFormat,
            "not a PDF, PNG, JPEG, TIFF, e-invoice XML or e-mail (judged by content, not by file name; an e-mail must start with its header block: From:, Date:, Subject: …)",
        )),
    }
}
