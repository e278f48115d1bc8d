//! Archive: stores a document's original, its derived artefacts and its index, keyed by the
//! original's SHA-256, so that the same document is never stored twice.
//!
//! [`Archive`] is the stage interface. [`local::LocalArchive`] is the embedded default (a
//! folder). Nothing stored is ever overwritten: a key that exists with other content is an
//! error, not an update.

pub mod local;
pub mod pdfa;

use crate::document::Document;
use crate::index::DocumentIndex;

/// Everything derived from a document that is kept beside its original.
#[derive(Debug, Default)]
pub struct Artefacts {
    /// Searchable PDF/A-2b, for scanned and image documents.
    pub pdfa: Option<Vec<u8>>,
    /// The read pages (words, lines, blocks) as JSON.
    pub words: Option<Vec<u8>>,
    /// Further files (an e-invoice's XML, attachments embedded in it): (file name, bytes).
    pub attachments: Vec<(String, Vec<u8>)>,
}

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("archive I/O error at {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("refusing to overwrite {0}: it exists with different content (archived objects are immutable)")]
    Immutable(String),
    #[error("the stored index at {path} cannot be read: {message}")]
    BadIndex { path: String, message: String },
}

pub trait Archive: Send + Sync {
    /// The stored index of a document already processed, if any.
    fn lookup(&self, id: &str) -> Result<Option<DocumentIndex>, ArchiveError>;
    /// Stores original, artefacts and index — the index last, so that its presence means
    /// the document is complete. Fills `index.archive`.
    fn store(&self, doc: &Document, artefacts: &Artefacts, index: &mut DocumentIndex) -> Result<(), ArchiveError>;
    /// Keeps the original bytes of a document that could not be processed, with its record.
    fn quarantine(&self, doc: &Document, index: &mut DocumentIndex) -> Result<(), ArchiveError>;
    /// The stored quarantine record of a document, if any.
    fn quarantined(&self, id: &str) -> Result<Option<DocumentIndex>, ArchiveError>;
}

/// File name extension for an original, from its sniffed media type.
pub fn original_extension(doc: &Document) -> &'static str {
    use crate::document::MediaType::*;
    match doc.media_type {
        Pdf => "pdf",
        Png => "png",
        Jpeg => "jpg",
        Tiff => "tif",
        Xml => "xml",
        Unknown => "bin",
    }
}
