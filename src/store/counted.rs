//! Counts every request mailroom makes to its object store, by kind: the figures the capacity
//! model (README, "Scaling out") is built from and checked against. The counts are
//! process-wide and exported with the worker's metrics as `mailroom_store_requests_total`.

use std::sync::{Arc, LazyLock};

use chrono::{DateTime, Utc};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;

use super::{ObjectMeta, ObjectStore, Put, StoreError};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabel {
    /// `put_new` (created), `put_new_exists` (refused: the key was taken), `get`, `head`,
    /// `list`, `extend_retention`, `set_legal_hold`, `delete`.
    pub op: &'static str,
}

static REQUESTS: LazyLock<Family<RequestLabel, Counter>> = LazyLock::new(Family::default);

/// The process's request counters, for a metrics registry.
pub fn requests() -> Family<RequestLabel, Counter> {
    REQUESTS.clone()
}

/// How many requests of kind `op` this process has made so far.
pub fn count(op: &'static str) -> u64 {
    REQUESTS.get_or_create(&RequestLabel { op }).get()
}

/// Every kind, with its count so far.
pub fn snapshot() -> Vec<(&'static str, u64)> {
    OPS.iter().map(|op| (*op, count(op))).collect()
}

pub const OPS: [&str; 8] = ["put_new", "put_new_exists", "get", "head", "list", "extend_retention", "set_legal_hold", "delete"];

fn inc(op: &'static str) {
    REQUESTS.get_or_create(&RequestLabel { op }).inc();
}

/// A store whose requests are counted.
pub struct Counted(pub Arc<dyn ObjectStore>);

impl ObjectStore for Counted {
    fn describe(&self) -> String {
        self.0.describe()
    }

    fn put_new(&self, key: &str, bytes: &[u8], retain_until: Option<DateTime<Utc>>) -> Result<Put, StoreError> {
        let r = self.0.put_new(key, bytes, retain_until);
        inc(if matches!(r, Ok(Put::Exists)) { "put_new_exists" } else { "put_new" });
        r
    }

    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        inc("get");
        self.0.get(key)
    }

    fn head(&self, key: &str) -> Result<Option<ObjectMeta>, StoreError> {
        inc("head");
        self.0.head(key)
    }

    fn list(&self, prefix: &str, after: Option<&str>, limit: usize) -> Result<Vec<String>, StoreError> {
        inc("list");
        self.0.list(prefix, after, limit)
    }

    fn extend_retention(&self, key: &str, until: DateTime<Utc>) -> Result<(), StoreError> {
        inc("extend_retention");
        self.0.extend_retention(key, until)
    }

    fn set_legal_hold(&self, key: &str, on: bool) -> Result<(), StoreError> {
        inc("set_legal_hold");
        self.0.set_legal_hold(key, on)
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        inc("delete");
        self.0.delete(key)
    }
}
