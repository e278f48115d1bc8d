//! The embedded archive: a local folder.
//!
//! ```text
//! <root>/documents/<sha256>/<sha256>.<ext>   the original, byte for byte
//!                          /pdfa.pdf          searchable PDF/A-2b (scans)
//!                          /words.json        pages, lines and words with boxes
//!                          /attachments/…     e-invoice XML and embedded files
//!                          /index.json        the index (written last)
//! <root>/quarantine/<sha256>/<sha256>.<ext>  originals that could not be processed
//!                           /record.json      their index with the reason
//! ```
//! Every file is written to a temporary name, flushed to disk and renamed, so a crash
//! never leaves a half-written file under its final name. Existing files are never
//! replaced: the same bytes are accepted silently, different bytes are refused.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{original_extension, Archive, ArchiveError, Artefacts};
use crate::document::Document;
use crate::index::DocumentIndex;

pub struct LocalArchive {
    root: PathBuf,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ArchiveError + '_ {
    move |source| ArchiveError::Io { path: path.display().to_string(), source }
}

impl LocalArchive {
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, ArchiveError> {
        let root = root.into();
        for sub in ["documents", "quarantine"] {
            let p = root.join(sub);
            fs::create_dir_all(&p).map_err(io(&p))?;
        }
        Ok(LocalArchive { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn doc_dir(&self, id: &str) -> PathBuf {
        self.root.join("documents").join(id)
    }

    fn quarantine_dir(&self, id: &str) -> PathBuf {
        self.root.join("quarantine").join(id)
    }

    fn rel(&self, p: &Path) -> String {
        p.strip_prefix(&self.root).unwrap_or(p).to_string_lossy().replace('\\', "/")
    }

    /// Writes `bytes` at `path` durably, unless the same bytes are already there.
    fn put(&self, path: &Path, bytes: &[u8]) -> Result<(), ArchiveError> {
        if path.exists() {
            let existing = fs::read(path).map_err(io(path))?;
            return if existing == bytes { Ok(()) } else { Err(ArchiveError::Immutable(self.rel(path))) };
        }
        let dir = path.parent().expect("archive paths have a parent");
        fs::create_dir_all(dir).map_err(io(dir))?;
        let tmp = dir.join(format!(".{}.tmp-{}", path.file_name().and_then(|n| n.to_str()).unwrap_or("f"), std::process::id()));
        {
            let mut f = fs::File::create(&tmp).map_err(io(&tmp))?;
            f.write_all(bytes).map_err(io(&tmp))?;
            f.sync_all().map_err(io(&tmp))?;
        }
        // Hard link instead of rename: fails rather than replaces if another worker won the race.
        match fs::hard_link(&tmp, path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let _ = fs::remove_file(&tmp);
                let existing = fs::read(path).map_err(io(path))?;
                return if existing == bytes { Ok(()) } else { Err(ArchiveError::Immutable(self.rel(path))) };
            }
            Err(e) => return Err(io(path)(e)),
        }
        fs::remove_file(&tmp).map_err(io(&tmp))?;
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    fn read_index(path: &Path) -> Result<Option<DocumentIndex>, ArchiveError> {
        match fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| ArchiveError::BadIndex { path: path.display().to_string(), message: e.to_string() }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(path)(e)),
        }
    }
}

fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().map(|c| if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    let trimmed = cleaned.trim_start_matches('.');
    if trimmed.is_empty() { "attachment.bin".to_string() } else { trimmed.chars().take(120).collect() }
}

impl Archive for LocalArchive {
    fn lookup(&self, id: &str) -> Result<Option<DocumentIndex>, ArchiveError> {
        Self::read_index(&self.doc_dir(id).join("index.json"))
    }

    fn store(&self, doc: &Document, artefacts: &Artefacts, index: &mut DocumentIndex) -> Result<(), ArchiveError> {
        let dir = self.doc_dir(&doc.sha256);
        let original = dir.join(format!("{}.{}", doc.sha256, original_extension(doc)));
        self.put(&original, &doc.bytes)?;
        index.archive.original = Some(self.rel(&original));
        if let Some(pdfa) = &artefacts.pdfa {
            let p = dir.join("pdfa.pdf");
            self.put(&p, pdfa)?;
            index.archive.pdfa = Some(self.rel(&p));
        }
        if let Some(words) = &artefacts.words {
            let p = dir.join("words.json");
            self.put(&p, words)?;
            index.archive.words = Some(self.rel(&p));
        }
        for (name, bytes) in &artefacts.attachments {
            let p = dir.join("attachments").join(safe_name(name));
            self.put(&p, bytes)?;
            index.archive.attachments.push(self.rel(&p));
        }
        let p = dir.join("index.json");
        index.archive.index = Some(self.rel(&p));
        let json = serde_json::to_vec_pretty(index).expect("the index always serialises");
        self.put(&p, &json)
    }

    fn quarantine(&self, doc: &Document, index: &mut DocumentIndex) -> Result<(), ArchiveError> {
        let dir = self.quarantine_dir(&doc.sha256);
        let original = dir.join(format!("{}.{}", doc.sha256, original_extension(doc)));
        self.put(&original, &doc.bytes)?;
        index.archive.original = Some(self.rel(&original));
        let p = dir.join("record.json");
        index.archive.index = Some(self.rel(&p));
        let json = serde_json::to_vec_pretty(index).expect("the index always serialises");
        if p.exists() {
            // A retry that failed again: keep the first record, it is the one that was reported.
            return Ok(());
        }
        self.put(&p, &json)
    }

    fn quarantined(&self, id: &str) -> Result<Option<DocumentIndex>, ArchiveError> {
        Self::read_index(&self.quarantine_dir(id).join("record.json"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{Channel, ErrorKind};

    #[test]
    fn never_overwrites_and_is_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let a = LocalArchive::open(dir.path()).unwrap();
        let p = dir.path().join("documents/x/file");
        a.put(&p, b"one").unwrap();
        a.put(&p, b"one").unwrap();
        assert!(matches!(a.put(&p, b"two"), Err(ArchiveError::Immutable(_))));
        assert_eq!(fs::read(&p).unwrap(), b"one");
    }

    #[test]
    fn quarantine_keeps_the_original_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let a = LocalArchive::open(dir.path()).unwrap();
        let doc = Document::new(b"not a document".to_vec(), Channel::File, "x.pdf".into());
        let mut idx = DocumentIndex::quarantined(doc.sha256.clone(), doc.source.clone(), ErrorKind::UnsupportedFormat, "no".into());
        a.quarantine(&doc, &mut idx).unwrap();
        let stored = fs::read(dir.path().join(idx.archive.original.as_ref().unwrap())).unwrap();
        assert_eq!(stored, b"not a document");
        assert_eq!(a.quarantined(&doc.sha256).unwrap().unwrap().error.unwrap().kind, ErrorKind::UnsupportedFormat);
    }
}
