//! Scanner hot folder (`mailroom watch DIR`): files that appear in a folder are taken in once
//! they are complete, and moved away (or deleted) once they are stored.
//!
//! * **Complete.** Scanners and copy jobs write slowly. A file is taken only when its size and
//!   modification time have not changed for `settle_s`, as seen by this process across looks —
//!   not judged from the mtime alone, which a network share may report by another clock.
//!   Hidden and temporary files (`.~lock…`, `~$…`, `*.tmp`, `*.part`, …) are never taken;
//!   subfolders are not watched.
//! * **Acknowledged after storage.** Only when the [`Sink`] has durably stored the document
//!   (processed or quarantined; in production stored and queued) is the file moved to the done
//!   folder (default `DIR/.mailroom-done/`, same name, `-1`, `-2`, … when taken) or deleted.
//!   After a storage error the file stays where it is and is tried again after `retry_s`. A
//!   crash between storing and moving only means the file is taken again, and found archived.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::watch;

use super::sink::{Delivered, Sink};
use crate::document::Document;
use crate::index::Channel;
use crate::processor::Outcome;

/// The name of the default done folder inside the watched one (hidden, so never taken).
pub const DONE_DIR: &str = ".mailroom-done";

/// What happens to a file once its document is stored.
#[derive(Debug, Clone)]
pub enum AfterStore {
    MoveTo(PathBuf),
    Delete,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub dir: PathBuf,
    pub after: AfterStore,
    pub settle: Duration,
    pub poll: Duration,
    pub retry: Duration,
    /// Every file is a batch scan, split as this says (`source.split`).
    pub split: Option<crate::vocab::SplitPolicy>,
}

/// What a run did, for the summary and the exit code.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub files: usize,
    pub processed: usize,
    pub already: usize,
    pub quarantined: usize,
    pub queued: usize,
    /// Files left in place because storing (or moving them after storing) failed.
    pub failed: usize,
    /// Files still being written when a `--once` run ended.
    pub unsettled: usize,
}

/// Size and mtime of a file when first seen like this.
struct Sighting {
    size: u64,
    mtime: Option<SystemTime>,
    since: Instant,
}

pub struct HotFolder {
    opts: Options,
    sightings: HashMap<PathBuf, Sighting>,
    /// Files whose storage failed, and when they may be tried again.
    retry_at: HashMap<PathBuf, Instant>,
}

/// Files a scanner, an office suite or a copy job is still writing, or that are not ours.
pub fn skipped(name: &str) -> bool {
    const TEMPORARY: [&str; 9] = [".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", ".filepart", ".swp", "~"];
    let lower = name.to_lowercase();
    name.starts_with('.') || name.starts_with("~$") || TEMPORARY.iter().any(|s| lower.ends_with(s))
}

impl HotFolder {
    /// Checks the folder and creates the done folder.
    pub fn new(opts: Options) -> io::Result<HotFolder> {
        if !opts.dir.is_dir() {
            return Err(io::Error::new(io::ErrorKind::NotFound, format!("{} is not a folder", opts.dir.display())));
        }
        if let AfterStore::MoveTo(done) = &opts.after {
            fs::create_dir_all(done)?;
        }
        Ok(HotFolder { opts, sightings: HashMap::new(), retry_at: HashMap::new() })
    }

    /// Looks at the folder once; returns the files that have settled and are not waiting
    /// for a retry, in name order.
    pub fn ready(&mut self) -> io::Result<Vec<PathBuf>> {
        let now = Instant::now();
        let mut present = HashSet::new();
        let mut ready = Vec::new();
        for entry in fs::read_dir(&self.opts.dir)? {
            let entry = entry?;
            if skipped(&entry.file_name().to_string_lossy()) {
                continue;
            }
            // Regular files only: no folders, no symbolic links (which could point anywhere).
            let Ok(meta) = fs::symlink_metadata(entry.path()) else { continue };
            if !meta.is_file() {
                continue;
            }
            let path = entry.path();
            present.insert(path.clone());
            let (size, mtime) = (meta.len(), meta.modified().ok());
            match self.sightings.get(&path) {
                Some(s) if s.size == size && s.mtime == mtime => {
                    let waiting = self.retry_at.get(&path).is_some_and(|t| *t > now);
                    if now.duration_since(s.since) >= self.opts.settle && !waiting {
                        ready.push(path);
                    }
                }
                _ => {
                    self.sightings.insert(path, Sighting { size, mtime, since: now });
                }
            }
        }
        self.sightings.retain(|p, _| present.contains(p));
        self.retry_at.retain(|p, _| present.contains(p));
        ready.sort();
        Ok(ready)
    }

    /// Files seen that have not settled yet.
    pub fn unsettled(&self) -> usize {
        let now = Instant::now();
        self.sightings.values().filter(|s| now.duration_since(s.since) < self.opts.settle).count()
    }

    /// Reads one settled file, hands it to `sink` and, once stored, moves or deletes it.
    pub async fn take(&mut self, path: &Path, sink: &Sink, who: &str, tally: &mut Tally) {
        let doc = match self.read(path) {
            Ok(Some(doc)) => doc,
            Ok(None) => return,
            Err(e) => {
                tally.failed += 1;
                self.retry_at.insert(path.to_path_buf(), Instant::now() + self.opts.retry);
                tracing::warn!(error = %e, "hot folder: a file cannot be read; it stays and is tried again");
                return;
            }
        };
        tally.files += 1;
        let id = doc.sha256.short(12).to_string();
        match sink.deliver(doc, who).await {
            Ok(delivered) => {
                count(&delivered, tally);
                tracing::info!(document = %id, outcome = outcome(&delivered), "hot folder: stored");
                if let Err(e) = self.acknowledge(path) {
                    // Stored all the same; taken again later, it is found archived.
                    tally.failed += 1;
                    self.retry_at.insert(path.to_path_buf(), Instant::now() + self.opts.retry);
                    tracing::error!(document = %id, error = %e, "hot folder: stored, but the file could not be moved or deleted; check the folder's permissions");
                }
            }
            Err(e) => {
                tally.failed += 1;
                self.retry_at.insert(path.to_path_buf(), Instant::now() + self.opts.retry);
                tracing::warn!(document = %id, error = %e, retry_in_s = self.opts.retry.as_secs_f32(), "hot folder: NOT stored; the file stays and is tried again");
            }
        }
    }

    /// The file as a document; `None` when it changed since it settled (it settles again).
    fn read(&mut self, path: &Path) -> io::Result<Option<Document>> {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let bytes = fs::read(path)?;
        let now = fs::metadata(path).ok().map(|m| (m.len(), m.modified().ok()));
        let seen = self.sightings.get(path).map(|s| (s.size, s.mtime));
        if now != seen || Some(bytes.len() as u64) != seen.map(|s| s.0) {
            self.sightings.remove(path);
            return Ok(None);
        }
        let mut doc = Document::new(bytes, Channel::Folder, name);
        doc.source.split = self.opts.split.clone();
        Ok(Some(doc))
    }

    fn acknowledge(&mut self, path: &Path) -> io::Result<()> {
        match &self.opts.after {
            AfterStore::Delete => fs::remove_file(path)?,
            AfterStore::MoveTo(done) => {
                move_into(path, done)?;
            }
        }
        self.sightings.remove(path);
        self.retry_at.remove(path);
        Ok(())
    }
}

/// Takes in what has settled until `shutdown` turns true; with `once`, looks twice (`settle`
/// apart), takes what settled, and returns.
pub async fn run(mut folder: HotFolder, sink: &Sink, who: &str, once: bool, mut shutdown: watch::Receiver<bool>) -> io::Result<Tally> {
    let mut tally = Tally::default();
    if once {
        folder.ready()?;
        tokio::time::sleep(folder.opts.settle).await;
    }
    loop {
        for path in folder.ready()? {
            if *shutdown.borrow() {
                return Ok(tally);
            }
            folder.take(&path, sink, who, &mut tally).await;
        }
        if once {
            tally.unsettled = folder.unsettled();
            return Ok(tally);
        }
        tokio::select! {
            _ = tokio::time::sleep(folder.opts.poll) => {}
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    return Ok(tally);
                }
            }
        }
    }
}

fn count(delivered: &Delivered, tally: &mut Tally) {
    match delivered {
        Delivered::Processed(all) => {
            for p in all {
                match p.outcome {
                    Outcome::Processed(_) => tally.processed += 1,
                    Outcome::AlreadyArchived(_) => tally.already += 1,
                    Outcome::Quarantined(_) => tally.quarantined += 1,
                }
            }
        }
        Delivered::Queued { .. } => tally.queued += 1,
        Delivered::AlreadyArchived(_) => tally.already += 1,
    }
}

fn outcome(delivered: &Delivered) -> &'static str {
    match delivered {
        Delivered::Processed(all) => all.first().map(|p| p.outcome.label()).unwrap_or("processed"),
        Delivered::Queued { .. } => "queued",
        Delivered::AlreadyArchived(_) => "already_archived",
    }
}

/// `scan.pdf` → `scan-1.pdf`.
fn numbered(name: &str, n: u32) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem}-{n}.{ext}"),
        _ => format!("{name}-{n}"),
    }
}

/// Moves `path` into `dir` under its own name, or a numbered one when that is taken; never
/// overwrites. A hard link where the file system allows it, a copy otherwise.
pub fn move_into(path: &Path, dir: &Path) -> io::Result<PathBuf> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).ok_or_else(|| io::Error::other("no file name"))?;
    for n in 0..10_000 {
        let target = dir.join(if n == 0 { name.clone() } else { numbered(&name, n) });
        let placed = match fs::hard_link(path, &target) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
            // Another file system, or one without hard links (SMB, FAT): copy.
            Err(_) => copy_new(path, &target),
        };
        match placed {
            Ok(()) => {
                if let Err(e) = fs::remove_file(path) {
                    // One copy, not two: otherwise every retry would leave another in `dir`.
                    let _ = fs::remove_file(&target);
                    return Err(e);
                }
                return Ok(target);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other(format!("{} has no free name left for {name}", dir.display())))
}

fn copy_new(from: &Path, to: &Path) -> io::Result<()> {
    let mut src = fs::File::open(from)?;
    let mut dst = fs::OpenOptions::new().write(true).create_new(true).open(to)?;
    let copied = io::copy(&mut src, &mut dst).and_then(|_| dst.sync_all());
    if copied.is_err() {
        let _ = fs::remove_file(to);
    }
    copied
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_and_hidden_files_are_skipped() {
        for name in [".~lock.scan.pdf#", ".hidden.pdf", "~$brief.docx", "scan.pdf.tmp", "scan.PART", "x.crdownload", "scan.pdf~"] {
            assert!(skipped(name), "{name}");
        }
        for name in ["scan.pdf", "Rechnung 2025.PDF", "mail.eml", "temp-scan.pdf"] {
            assert!(!skipped(name), "{name}");
        }
    }

    #[test]
    fn moving_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let done = dir.path().join("done");
        fs::create_dir(&done).unwrap();
        fs::write(done.join("scan.pdf"), b"first").unwrap();
        fs::write(done.join("scan-1.pdf"), b"second").unwrap();
        let f = dir.path().join("scan.pdf");
        fs::write(&f, b"third").unwrap();
        let target = move_into(&f, &done).unwrap();
        assert_eq!(target, done.join("scan-2.pdf"));
        assert!(!f.exists());
        assert_eq!(fs::read(done.join("scan.pdf")).unwrap(), b"first");
        assert_eq!(fs::read(target).unwrap(), b"third");
        assert_eq!(numbered("README", 3), "README-3");
    }

    #[test]
    fn a_file_is_ready_only_after_it_stopped_changing() {
        let dir = tempfile::tempdir().unwrap();
        let opts = Options { dir: dir.path().into(), after: AfterStore::Delete, settle: Duration::from_millis(200), poll: Duration::from_millis(50), retry: Duration::from_secs(1), split: None };
        let mut folder = HotFolder::new(opts).unwrap();
        let f = dir.path().join("scan.pdf");
        fs::write(&f, b"%PDF-1.7 first half").unwrap();
        assert!(folder.ready().unwrap().is_empty(), "just seen");
        std::thread::sleep(Duration::from_millis(120));
        fs::write(&f, b"%PDF-1.7 first half, second half").unwrap(); // still being written
        std::thread::sleep(Duration::from_millis(120));
        assert!(folder.ready().unwrap().is_empty(), "it changed: the wait starts again");
        assert_eq!(folder.unsettled(), 1);
        std::thread::sleep(Duration::from_millis(250));
        assert_eq!(folder.ready().unwrap(), vec![f]);
    }
}
