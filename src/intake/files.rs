//! Files and folders given on the command line (and scanner hot folders read once).
//! Folders are walked recursively in name order; hidden files are skipped. Files are never
//! moved or deleted: the archive keeps its own copy.

use std::path::{Path, PathBuf};

use super::Received;
use crate::document::Document;
use crate::index::Channel;

/// Every file under `paths`, in a stable order. `skip` (the archive itself) is left out.
pub fn collect(paths: &[PathBuf], skip: Option<&Path>) -> Vec<PathBuf> {
    let skip = skip.and_then(|s| s.canonicalize().ok());
    let mut out = Vec::new();
    for p in paths {
        walk(p, skip.as_deref(), &mut out);
    }
    out
}

fn walk(p: &Path, skip: Option<&Path>, out: &mut Vec<PathBuf>) {
    if let (Some(s), Ok(c)) = (skip, p.canonicalize()) {
        if c.starts_with(s) {
            return;
        }
    }
    if p.is_dir() {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(p) {
            Ok(rd) => rd.filter_map(|e| e.ok()).map(|e| e.path()).collect(),
            Err(_) => {
                out.push(p.to_path_buf()); // reported as unreadable by `read`
                return;
            }
        };
        entries.sort();
        for e in entries {
            let hidden = e.file_name().and_then(|n| n.to_str()).map(|n| n.starts_with('.')).unwrap_or(false);
            if !hidden {
                walk(&e, skip, out);
            }
        }
    } else {
        out.push(p.to_path_buf());
    }
}

/// Reads one file into a [`Document`]. Only the file name is kept, not its folder.
pub fn read(path: &Path, channel: Channel) -> Received {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
    match std::fs::read(path) {
        Ok(bytes) => Received::Document(Document::new(bytes, channel, name)),
        Err(e) => Received::Unreadable { name, message: format!("cannot read {}: {e}", path.display()) },
    }
}
