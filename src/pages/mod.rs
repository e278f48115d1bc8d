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

/// Bounds that keep a hostile or absurd file from exhausting the machine.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest accepted file, in bytes.
    pub max_file_bytes: u64,
    /// Most pages per document.
    pub max_pages: u32,
    /// Most pixels of one decoded page image.
    pub max_pixels: u64,
    /// Most levels of e-mails forwarded inside an e-mail.
    pub email_max_depth: u32,
    /// Most MIME parts in one e-mail, nested ones included.
    pub email_max_parts: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_file_bytes: 256 * 1024 * 1024, max_pages: 2000, max_pixels: 120_000_000, email_max_depth: 5, email_max_parts: 500 }
    }
}

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
/// `sink` returning `false` stops production early (the consumer has failed).
pub fn produce(doc: &Document, limits: &Limits, sink: &mut dyn FnMut(PageContent) -> bool) -> Result<Outline, PagesError> {
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
            let email = crate::intake::email::read(&doc.bytes, limits).map_err(|p| PagesError::new(p.kind, p.message))?;
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
