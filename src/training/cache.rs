//! The page cache: read pages (words with boxes, lines, blocks) of documents, stored as JSON
//! under a folder and keyed by the SHA-256 of the document's bytes and the OCR settings'
//! fingerprint, so that training and evaluation OCR each document once, and a change of
//! OCR languages or reader never serves pages read the old way. OCR is the expensive part (about a second per page
//! and core); everything after it takes milliseconds.

use std::path::{Path, PathBuf};

use crate::document::Document;
use crate::layout::Page;
use crate::ocr::OcrConfig;
use crate::pipeline::Pipeline;

pub struct PageCache {
    dir: PathBuf,
    /// [`OcrConfig::fingerprint`] of the settings the pages are read with.
    ocr: String,
}

impl PageCache {
    /// A cache under `dir` for pages read with `ocr`.
    pub fn new(dir: &Path, ocr: &OcrConfig) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        Ok(PageCache { dir: dir.to_path_buf(), ocr: ocr.fingerprint() })
    }

    fn path(&self, sha256: &str) -> PathBuf {
        self.dir.join(format!("{sha256}.{}.pages.json", self.ocr))
    }

    /// The cached pages, their words grouped into lines afresh: the fingerprint covers how
    /// pages are read, not how the layout stage groups them.
    pub fn get(&self, sha256: &str) -> Option<Vec<Page>> {
        let bytes = std::fs::read(self.path(sha256)).ok()?;
        let pages: Vec<Page> = serde_json::from_slice(&bytes).ok()?;
        Some(pages.into_iter().map(Page::regrouped).collect())
    }

    pub fn put(&self, sha256: &str, pages: &[Page]) {
        let tmp = self.dir.join(format!("{sha256}.{}.tmp", self.ocr));
        let json = serde_json::to_vec(pages).expect("pages serialise");
        if std::fs::write(&tmp, json).is_ok() {
            let _ = std::fs::rename(&tmp, self.path(sha256));
        }
    }

    /// The pages of `doc`, read with `pipeline` when they are not cached yet.
    pub fn pages(&self, pipeline: &Pipeline, doc: &Document) -> Result<Vec<Page>, String> {
        if let Some(p) = self.get(&doc.sha256) {
            return Ok(p);
        }
        let pages = pipeline.read(doc).map_err(|f| f.message)?;
        self.put(&doc.sha256, &pages);
        Ok(pages)
    }
}
