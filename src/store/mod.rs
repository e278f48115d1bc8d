//! Object storage: the one place where mailroom keeps bytes durably.
//!
//! Everything that must survive — originals, PDF/As, words, index revisions, quarantine
//! records, the audit chain, the ERP outbox — is an immutable object under a key. Two
//! implementations share one contract ([`ObjectStore`]):
//!
//! * [`local::LocalStore`], the embedded default: a folder. Overwrites and deletes before
//!   the retain-until date are refused in software.
//! * [`s3::S3Store`]: any S3-compatible endpoint (AWS, MinIO, Ceph RGW) with versioning and
//!   Object Lock in COMPLIANCE mode, where the storage itself refuses them.
//!
//! The contract: an object, once created, is never replaced ([`ObjectStore::put_new`] is a
//! conditional create, which is also what keeps the audit chain in one total order across
//! workers); a retention can only grow; a delete succeeds only after the retention has run
//! out and without a legal hold.

pub mod counted;
pub mod local;
pub mod s3;

use chrono::{DateTime, Utc};

/// What [`ObjectStore::put_new`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Put {
    /// The object did not exist and now holds the bytes.
    Created,
    /// An object already existed under the key and was left as it is (its content may
    /// differ: the caller decides what that means).
    Exists,
}

/// An object's size and lock state.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectMeta {
    pub key: String,
    pub size: u64,
    /// COMPLIANCE retention: no delete or overwrite before this instant.
    pub retain_until: Option<DateTime<Utc>>,
    pub legal_hold: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The storage could not be reached or failed; worth retrying later.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// The storage refused the operation for good (locked object, missing bucket, no
    /// permission): retrying will not help until an admin acts.
    #[error("storage refused {op} on {key}: {message}")]
    Refused { op: &'static str, key: String, message: String },
}

impl StoreError {
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}

/// Durable, immutable object storage.
pub trait ObjectStore: Send + Sync {
    /// Where the objects lie, for messages (`folder /srv/archive`, `s3://bucket at http://…`).
    /// Never contains credentials.
    fn describe(&self) -> String;

    /// Creates `key` holding `bytes` unless an object exists under it; never replaces one.
    /// With `retain_until`, the object is locked (COMPLIANCE) until then. Returns only once
    /// the bytes are durable.
    fn put_new(&self, key: &str, bytes: &[u8], retain_until: Option<DateTime<Utc>>) -> Result<Put, StoreError>;

    /// The object's bytes, or `None` when there is none under `key`.
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;

    /// Size and lock state, or `None` when there is no object under `key`.
    fn head(&self, key: &str) -> Result<Option<ObjectMeta>, StoreError>;

    /// Keys that start with `prefix`, in byte order, after `after` (exclusive), at most
    /// `limit` of them.
    fn list(&self, prefix: &str, after: Option<&str>, limit: usize) -> Result<Vec<String>, StoreError>;

    /// Moves the retain-until date of `key` to `until` if that is later; an earlier date is
    /// ignored (COMPLIANCE retention can only grow).
    fn extend_retention(&self, key: &str, until: DateTime<Utc>) -> Result<(), StoreError>;

    /// Sets or releases a legal hold: while set, the object cannot be deleted whatever its
    /// retention.
    fn set_legal_hold(&self, key: &str, on: bool) -> Result<(), StoreError>;

    /// Deletes the object (every version of it). Refused while it is retained or held.
    fn delete(&self, key: &str) -> Result<(), StoreError>;

    /// The distinct next path segments under `prefix` (which ends with `/`): the "folders"
    /// of a listing, in order.
    #[allow(clippy::string_slice)] // after `starts_with(prefix)`
    fn children(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let mut out: Vec<String> = Vec::new();
        for key in list_all(self, prefix)? {
            let rest = &key[prefix.len()..];
            let child = rest.split('/').next().unwrap_or(rest);
            if out.last().map(|c| c != child).unwrap_or(true) {
                out.push(child.to_string());
            }
        }
        Ok(out)
    }
}

/// Every key under `prefix`, page by page.
pub fn list_all<S: ObjectStore + ?Sized>(store: &S, prefix: &str) -> Result<Vec<String>, StoreError> {
    const PAGE: usize = 1000;
    let mut out: Vec<String> = Vec::new();
    loop {
        let page = store.list(prefix, out.last().map(String::as_str), PAGE)?;
        let done = page.len() < PAGE;
        out.extend(page);
        if done {
            return Ok(out);
        }
    }
}

/// Checks that a key is safe to use as a relative path and an S3 key.
pub fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 900
        && !key.starts_with('/')
        && !key.ends_with('/')
        && key.split('/').all(|seg| !seg.is_empty() && seg != "." && seg != ".." && !seg.starts_with(".mailroom"))
        && key.chars().all(|c| !c.is_control() && c != '\\')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_must_be_plain_relative_paths() {
        assert!(valid_key("documents/abc/index/0001.json"));
        for bad in ["", "/abs", "a/../b", "a//b", "a/", "a\\b", "a/./b", ".mailroom-locks/x", "a\nb"] {
            assert!(!valid_key(bad), "{bad:?}");
        }
    }
}
