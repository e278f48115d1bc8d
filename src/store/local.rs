//! The embedded store: objects are files under a root folder, at their key as relative path.
//!
//! ```text
//! <root>/<key>                          the object, read-only (0444)
//! <root>/.mailroom-locks/<key>.json     its retention and legal hold, when it has them
//! ```
//! A new object is written to a temporary file, flushed, and hard-linked to its key: the link
//! fails when the key exists, so two writers can never both "create" one key (the same
//! conditional create S3 offers with `If-None-Match: *`) and a crash never leaves a
//! half-written object under its key. A writer killed between the two steps leaves its
//! temporary file behind; listings sweep those of writers that are gone (see [`stale_tmp`]).
//! Overwrites are refused; a delete is refused while the
//! retention runs or a legal hold is set. A local folder cannot stop someone with the
//! machine's root password; `mailroom verify` finds what such a person changed.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{valid_key, ObjectMeta, ObjectStore, Put, StoreError};

const LOCKS: &str = ".mailroom-locks";
/// Names of the temporary files a write goes through: `<prefix><pid>-<n>`.
const TMP_PREFIX: &str = ".mailroom-tmp-";

pub struct LocalStore {
    root: PathBuf,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct LockFile {
    retain_until: Option<DateTime<Utc>>,
    #[serde(default)]
    legal_hold: bool,
}

fn unavailable(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Unavailable(format!("{}: {e}", path.display()))
}

fn tmp_name(dir: &Path) -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    dir.join(format!("{TMP_PREFIX}{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)))
}

/// A temporary file is left over when the process that wrote it is no longer running and it
/// has not been touched for a minute (the age guards a folder shared with another machine,
/// whose process ids mean nothing here), or when it is a day old whatever its writer.
fn stale_tmp(name: &str, path: &Path) -> bool {
    let Some(rest) = name.strip_prefix(TMP_PREFIX) else { return false };
    let age = fs::metadata(path).and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok()).unwrap_or_default();
    let writer_gone = match rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) {
        Some(pid) if cfg!(target_os = "linux") => pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists(),
        Some(_) => false,
        None => true,
    };
    (writer_gone && age > std::time::Duration::from_secs(60)) || age > std::time::Duration::from_secs(86_400)
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Writes `bytes` to a temporary file beside `path` and flushes it to disk.
fn write_tmp(path: &Path, bytes: &[u8]) -> Result<PathBuf, StoreError> {
    let dir = path.parent().expect("object paths have a parent");
    fs::create_dir_all(dir).map_err(|e| unavailable(dir, e))?;
    let tmp = tmp_name(dir);
    let mut f = fs::File::create(&tmp).map_err(|e| unavailable(&tmp, e))?;
    f.write_all(bytes).and_then(|_| f.sync_all()).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        unavailable(&tmp, e)
    })?;
    Ok(tmp)
}

impl LocalStore {
    /// Opens (and creates) the store at `root`.
    pub fn open(root: impl Into<PathBuf>) -> Result<LocalStore, StoreError> {
        let root = root.into();
        fs::create_dir_all(root.join(LOCKS)).map_err(|e| unavailable(&root, e))?;
        Ok(LocalStore { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, op: &'static str, key: &str) -> Result<PathBuf, StoreError> {
        if !valid_key(key) {
            return Err(StoreError::Refused { op, key: key.to_string(), message: "not a valid object key".into() });
        }
        Ok(self.root.join(key))
    }

    fn lock_path(&self, key: &str) -> PathBuf {
        self.root.join(LOCKS).join(format!("{key}.json"))
    }

    fn read_lock(&self, key: &str) -> Result<LockFile, StoreError> {
        let p = self.lock_path(key);
        match fs::read(&p) {
            Ok(b) => serde_json::from_slice(&b).map_err(|e| StoreError::Refused { op: "read lock", key: key.to_string(), message: format!("damaged lock record {}: {e}", p.display()) }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(LockFile::default()),
            Err(e) => Err(unavailable(&p, e)),
        }
    }

    /// Lock records are the one thing that changes in place; only ever towards "more
    /// protected", which the callers ensure.
    fn write_lock(&self, key: &str, lock: &LockFile) -> Result<(), StoreError> {
        let p = self.lock_path(key);
        let tmp = write_tmp(&p, &serde_json::to_vec(lock).expect("lock records serialise"))?;
        fs::rename(&tmp, &p).map_err(|e| unavailable(&p, e))?;
        sync_dir(p.parent().expect("lock paths have a parent"));
        Ok(())
    }

    fn walk(&self, dir: &Path, out: &mut Vec<String>) -> Result<(), StoreError> {
        let rd = match fs::read_dir(dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(unavailable(dir, e)),
        };
        for entry in rd {
            let entry = entry.map_err(|e| unavailable(dir, e))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let path = entry.path();
            if name.starts_with(".mailroom") {
                if stale_tmp(name, &path) {
                    let _ = fs::remove_file(&path);
                }
                continue;
            }
            let ft = entry.file_type().map_err(|e| unavailable(&path, e))?;
            if ft.is_dir() {
                self.walk(&path, out)?;
            } else if ft.is_file() {
                if let Ok(rel) = path.strip_prefix(&self.root) {
                    out.push(rel.to_string_lossy().into_owned());
                }
            }
        }
        Ok(())
    }
}

impl ObjectStore for LocalStore {
    fn describe(&self) -> String {
        format!("folder {}", self.root.display())
    }

    fn put_new(&self, key: &str, bytes: &[u8], retain_until: Option<DateTime<Utc>>) -> Result<Put, StoreError> {
        let path = self.path("put", key)?;
        if path.exists() {
            return Ok(Put::Exists);
        }
        // The lock is recorded before the object appears, so an object is never visible
        // unprotected; a crash in between leaves only a lock record without an object.
        if let Some(until) = retain_until {
            self.extend_retention(key, until)?;
        }
        let tmp = write_tmp(&path, bytes)?;
        let linked = fs::hard_link(&tmp, &path);
        let _ = fs::remove_file(&tmp);
        match linked {
            Ok(()) => {
                let _ = fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o444));
                sync_dir(path.parent().expect("object paths have a parent"));
                Ok(Put::Created)
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(Put::Exists),
            Err(e) => Err(unavailable(&path, e)),
        }
    }

    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let path = self.path("get", key)?;
        match fs::read(&path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(unavailable(&path, e)),
        }
    }

    fn head(&self, key: &str) -> Result<Option<ObjectMeta>, StoreError> {
        let path = self.path("head", key)?;
        let meta = match fs::metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(unavailable(&path, e)),
        };
        let lock = self.read_lock(key)?;
        Ok(Some(ObjectMeta { key: key.to_string(), size: meta.len(), retain_until: lock.retain_until, legal_hold: lock.legal_hold }))
    }

    #[allow(clippy::string_slice)] // the offset of '/' found in the same key
    fn list(&self, prefix: &str, after: Option<&str>, limit: usize) -> Result<Vec<String>, StoreError> {
        // Walk only the folder the prefix names, not the whole store.
        let dir = match prefix.rfind('/') {
            Some(i) => self.root.join(&prefix[..i]),
            None => self.root.clone(),
        };
        let mut keys = Vec::new();
        self.walk(&dir, &mut keys)?;
        keys.retain(|k| k.starts_with(prefix) && after.map(|a| k.as_str() > a).unwrap_or(true));
        keys.sort();
        keys.truncate(limit);
        Ok(keys)
    }

    fn extend_retention(&self, key: &str, until: DateTime<Utc>) -> Result<(), StoreError> {
        self.path("extend retention", key)?;
        let mut lock = self.read_lock(key)?;
        if lock.retain_until.map(|old| until > old).unwrap_or(true) {
            lock.retain_until = Some(until);
            self.write_lock(key, &lock)?;
        }
        Ok(())
    }

    fn set_legal_hold(&self, key: &str, on: bool) -> Result<(), StoreError> {
        let path = self.path("legal hold", key)?;
        if !path.exists() {
            return Err(StoreError::Refused { op: "legal hold", key: key.to_string(), message: "no such object".into() });
        }
        let mut lock = self.read_lock(key)?;
        if lock.legal_hold != on {
            lock.legal_hold = on;
            self.write_lock(key, &lock)?;
        }
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        let path = self.path("delete", key)?;
        let lock = self.read_lock(key)?;
        if lock.legal_hold {
            return Err(StoreError::Refused { op: "delete", key: key.to_string(), message: "a legal hold is set".into() });
        }
        if let Some(until) = lock.retain_until {
            if until > Utc::now() {
                return Err(StoreError::Refused { op: "delete", key: key.to_string(), message: format!("retained until {}", until.to_rfc3339()) });
            }
        }
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(unavailable(&path, e)),
        }
        let _ = fs::remove_file(self.lock_path(key));
        sync_dir(path.parent().expect("object paths have a parent"));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn creates_once_and_never_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let s = LocalStore::open(dir.path()).unwrap();
        assert_eq!(s.put_new("a/b.txt", b"one", None).unwrap(), Put::Created);
        assert_eq!(s.put_new("a/b.txt", b"two", None).unwrap(), Put::Exists);
        assert_eq!(s.get("a/b.txt").unwrap().unwrap(), b"one");
        assert_eq!(s.get("a/c.txt").unwrap(), None);
        assert!(s.put_new("../escape", b"x", None).is_err());
    }

    #[test]
    fn lists_in_order_after_a_key() {
        let dir = tempfile::tempdir().unwrap();
        let s = LocalStore::open(dir.path()).unwrap();
        for k in ["d/2", "d/1", "d/x/3", "e/1"] {
            s.put_new(k, b"x", None).unwrap();
        }
        assert_eq!(s.list("d/", None, 10).unwrap(), ["d/1", "d/2", "d/x/3"]);
        assert_eq!(s.list("d/", Some("d/1"), 1).unwrap(), ["d/2"]);
        assert_eq!(s.children("d/").unwrap(), ["1", "2", "x"]);
    }

    #[test]
    fn listing_sweeps_what_a_killed_writer_left_and_nothing_a_live_one_holds() {
        let dir = tempfile::tempdir().unwrap();
        let s = LocalStore::open(dir.path()).unwrap();
        s.put_new("audit/1", b"x", None).unwrap();
        let aged = |name: &str, secs: u64| {
            let p = dir.path().join("audit").join(name);
            let f = fs::File::create(&p).unwrap();
            f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(secs)).unwrap();
            p
        };
        // No process has id 4294967 (above Linux's pid_max); this one is running.
        let dead = aged(".mailroom-tmp-4294967-0", 120);
        let dead_fresh = aged(".mailroom-tmp-4294967-1", 5);
        let live = aged(&format!(".mailroom-tmp-{}-9", std::process::id()), 120);
        let ancient = aged(&format!(".mailroom-tmp-{}-10", std::process::id()), 2 * 86_400);
        assert_eq!(s.list("audit/", None, 10).unwrap(), ["audit/1"]);
        assert!(!dead.exists(), "a dead writer's file is swept");
        assert!(dead_fresh.exists(), "a file touched within the minute is kept: it may be another machine's");
        assert!(live.exists(), "a running writer's file is kept");
        assert!(!ancient.exists(), "a day-old file is swept whoever wrote it");
    }

    #[test]
    fn retention_only_grows_and_blocks_deletes_as_does_a_hold() {
        let dir = tempfile::tempdir().unwrap();
        let s = LocalStore::open(dir.path()).unwrap();
        let later = Utc::now() + Duration::days(365);
        s.put_new("k", b"x", Some(later)).unwrap();
        s.extend_retention("k", later - Duration::days(100)).unwrap();
        assert_eq!(s.head("k").unwrap().unwrap().retain_until, Some(later));
        assert!(matches!(s.delete("k"), Err(StoreError::Refused { .. })));

        let past = Utc::now() - Duration::days(1);
        s.put_new("old", b"x", Some(past)).unwrap();
        s.set_legal_hold("old", true).unwrap();
        assert!(matches!(s.delete("old"), Err(StoreError::Refused { .. })));
        s.set_legal_hold("old", false).unwrap();
        s.delete("old").unwrap();
        assert_eq!(s.head("old").unwrap(), None);
    }
}
