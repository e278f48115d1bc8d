//! The catalog: a SQL table with one row per document — its current index revision in a few
//! columns — so that accountants and admins can find documents fast (by type, date, supplier,
//! review state) without reading every index from the archive.
//!
//! The archive stays the record: the catalog only mirrors it and can be rebuilt from it at any
//! time (`mailroom catalog rebuild`). SQLite in embedded mode (a file beside the archive),
//! PostgreSQL in production (shared by every worker). Updates are idempotent upserts that never
//! go back to an older revision, so a redelivered job or a rebuild can run any time.

pub mod postgres;
pub mod sqlite;

use chrono::NaiveDate;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::index::{DocType, DocumentIndex, Field, Status};

/// A document's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub id: String,
    /// The index revision (processed) or quarantine record number (quarantined) mirrored.
    pub revision: u32,
    pub status: Status,
    pub received_at: String,
    pub channel: String,
    pub source_name: String,
    pub media_type: String,
    pub source_format: Option<String>,
    pub doc_type: Option<String>,
    pub doc_type_confidence: Option<f32>,
    pub needs_review: bool,
    pub invoice_number: Option<String>,
    pub issue_date: Option<String>,
    pub due_date: Option<String>,
    pub seller_name: Option<String>,
    pub seller_vat_id: Option<String>,
    pub buyer_name: Option<String>,
    pub iban: Option<String>,
    pub currency: Option<String>,
    pub gross_total: Option<String>,
    pub error_kind: Option<String>,
    pub error_message: Option<String>,
    pub retain_until: Option<String>,
    pub index_key: String,
    /// `review.state` of the index (`pending`, `approved`, …); none for quarantine records.
    pub review_state: Option<String>,
    /// How many of the document's checks fail (the queue's "has failing check").
    pub failing_checks: u32,
    /// The review queue's tab: `review`, `approval` (waiting for a further approver),
    /// `postponed`, `approved` (by a person or straight through), `rejected` or `quarantined` — one indexed column, so that each tab is one
    /// equality and all counts one grouped scan.
    pub queue: String,
    /// When the document was marked paid or settled (`settled.at` of the index): it has left
    /// the due list.
    pub settled_at: Option<String>,
    /// The buyer's order number the document names (on an order its own), as a lookup key
    /// (`orders::number_key`): the order match finds an invoice's order, confirmation and
    /// delivery notes by it.
    pub order_ref: Option<String>,
    /// The delivery note's number it names (on a delivery note its own), as a lookup key.
    pub delivery_ref: Option<String>,
    /// Whose approval it waits for (`review.waiting_for`), lower case between bars:
    /// `|lager|*|` — the departments of its open approval steps, `*` for anyone.
    pub awaiting: Option<String>,
    /// Who approved it so far (`review.approvals`), between bars: `|ui:anna|`.
    pub approved_by: Option<String>,
}

/// The review queue tab a document is in.
pub fn queue_of(index: &DocumentIndex) -> &'static str {
    use crate::index::ReviewState::*;
    match index.status {
        Status::Quarantined => return "quarantined",
        // A batch scan's container: its parts are in the queue, it is not.
        Status::Split => return "batch",
        Status::Processed => {}
    }
    match index.review.as_ref().map(|r| r.state) {
        // Approved by someone, waiting for the next approver of an approval step.
        Some(Pending) if index.review.as_ref().is_some_and(|r| !r.approvals.is_empty()) => "approval",
        Some(Pending) => "review",
        Some(Postponed) => "postponed",
        Some(Approved | StraightThrough) => "approved",
        Some(Rejected) => "rejected",
        // Replaced by a corrected split of its batch: in no tab.
        Some(Superseded) => "superseded",
        // Written before review existed.
        None if index.released() => "approved",
        None => "review",
    }
}

fn text<T: Serialize>(v: &T) -> Option<String> {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string))
}

fn valid_date(v: Option<&str>) -> Option<String> {
    v.filter(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok()).map(str::to_string)
}

impl Entry {
    pub fn of(index: &DocumentIndex) -> Entry {
        let f = |k: Field| index.field(k).map(str::to_string);
        Entry {
            id: index.id.to_string(),
            revision: index.archive.revision,
            status: index.status,
            received_at: index.source.received_at.clone(),
            channel: text(&index.source.channel).unwrap_or_default(),
            source_name: index.source.name.clone(),
            media_type: index.source.media_type.mime().to_string(),
            source_format: index.source_format.as_ref().and_then(text),
            doc_type: index.doc_type.as_ref().map(|d| d.label.as_str().to_string()),
            doc_type_confidence: index.doc_type.as_ref().map(|d| d.confidence),
            needs_review: index.needs_review,
            invoice_number: f(Field::InvoiceNumber),
            issue_date: valid_date(index.field(Field::IssueDate)),
            due_date: valid_date(index.field(Field::DueDate)),
            seller_name: f(Field::SellerName),
            seller_vat_id: f(Field::SellerVatId),
            buyer_name: f(Field::BuyerName),
            iban: f(Field::Iban),
            currency: f(Field::Currency),
            gross_total: index.field(Field::GrossTotal).filter(|v| v.parse::<rust_decimal::Decimal>().is_ok()).map(str::to_string),
            error_kind: index.error.as_ref().map(|e| e.kind.as_str().to_string()),
            error_message: index.error.as_ref().map(|e| e.message.clone()),
            retain_until: index.archive.retain_until.clone(),
            index_key: index.archive.index.clone().unwrap_or_default(),
            review_state: index.review.as_ref().map(|r| r.state.as_str().to_string()),
            failing_checks: index.checks.iter().filter(|c| !c.passed).count() as u32,
            queue: queue_of(index).to_string(),
            settled_at: index.settled.as_ref().map(|s| s.at.clone()),
            order_ref: reference_key(index.field(Field::OrderReference)),
            delivery_ref: reference_key(index.field(Field::DeliveryNoteReference)),
            awaiting: index.review.as_ref().filter(|r| !r.waiting_for.is_empty()).map(|r| format!("|{}|", r.waiting_for.iter().map(|w| w.to_lowercase()).collect::<Vec<_>>().join("|"))),
            approved_by: index.review.as_ref().filter(|r| !r.approvals.is_empty()).map(|r| format!("|{}|", r.approvals.iter().map(|a| a.by.as_str()).collect::<Vec<_>>().join("|"))),
        }
    }
}

/// A document number as a lookup key: letters and digits, upper case (`be-2025/0042` and
/// `BE 2025 0042` are one order); none when nothing is left.
pub fn reference_key(number: Option<&str>) -> Option<String> {
    number.map(crate::vocab::compact).filter(|k| !k.is_empty())
}

/// What to look for. Empty fields match everything.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub doc_types: Vec<DocType>,
    /// Issue date range (documents without one count by their receipt date).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub status: Option<Status>,
    pub needs_review: Option<bool>,
    /// Case-insensitive substring of the invoice number, seller or buyer name or file name.
    pub text: Option<String>,
    /// Exactly this gross total (`"1190.00"`).
    pub gross_total: Option<String>,
    /// In one of these review states (`pending`, `postponed`, `approved`, `rejected`,
    /// `straight_through`); empty: any.
    pub review_states: Vec<crate::index::ReviewState>,
    /// Case-insensitive substring of the seller's name or VAT ID.
    pub seller: Option<String>,
    /// Arrived through this channel (`file`, `http`, `queue`, …).
    pub channel: Option<String>,
    /// Gross total at least / at most.
    pub min_gross: Option<rust_decimal::Decimal>,
    pub max_gross: Option<rust_decimal::Decimal>,
    /// With (true) or without (false) a failing check.
    pub failing: Option<bool>,
    /// In this review queue tab (see [`Entry::queue`]).
    pub queue: Option<String>,
    /// Retained until this day or earlier (retention candidates).
    pub retained_until_by: Option<NaiveDate>,
    /// Due on this day or earlier (the due list; documents without a due date never match).
    pub due_by: Option<NaiveDate>,
    /// Not marked paid or settled.
    pub unsettled: bool,
    /// Names this order (a key of [`reference_key`]; on an order, its own number).
    pub order_ref: Option<String>,
    /// Names this delivery note (a key of [`reference_key`]).
    pub delivery_ref: Option<String>,
    /// Waiting for an approval this person may give: a step of anyone's, or of one of their
    /// departments, and not approved by them already (the approval queue's "my approvals").
    pub approvable_by: Option<Approver>,
    /// The order; `None`: newest receipt first.
    pub sort: Option<(SortKey, Direction)>,
    /// Rows skipped before the first returned (paging).
    pub offset: usize,
    pub limit: Option<usize>,
    /// The caller needs no order (and sets no `sort`, `limit` or `offset`): the database
    /// picks the fastest plan. An ORDER BY made the planners walk the whole table along the
    /// receipt-date index rather than look up an amount (`benches/README.md`, "Matching").
    pub unordered: bool,
}

/// A person as the approval queue sees them: their actor name (`ui:anna`) and departments.
#[derive(Debug, Clone, Default)]
pub struct Approver {
    pub actor: String,
    pub departments: Vec<String>,
}

/// `s` as a literal inside a LIKE pattern (`ESCAPE '\'`).
fn like_literal(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// What the queue sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// When the document arrived.
    Received,
    /// Its due date (documents without one last).
    Due,
    /// Its gross total (documents without one last).
    Amount,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Ascending,
    Descending,
}

/// How a database writes what the query needs.
pub(crate) struct Dialect {
    /// The date a document counts by: its issue date, else the day it arrived.
    pub date: &'static str,
    /// The gross total as a number.
    pub amount: &'static str,
    /// The n-th (1-based) parameter.
    pub placeholder: fn(usize) -> String,
    /// The retain-until day as `YYYY-MM-DD` text.
    pub retain_day: &'static str,
    /// The due date as `YYYY-MM-DD` text.
    pub due_day: &'static str,
    /// The gross total equal to the parameter `{p}` (a decimal as text), in a form its index
    /// serves (a cast of the column would scan the table: 41 ms at 100,000 rows).
    pub gross_eq: &'static str,
}

/// ORDER BY, LIMIT and OFFSET of a query.
pub(crate) fn order_clause(q: &Query, d: &Dialect) -> String {
    if q.unordered && q.sort.is_none() && q.limit.is_none() && q.offset == 0 {
        return String::new();
    }
    let (col, dir) = match q.sort {
        None => ("received_at", Direction::Descending),
        Some((SortKey::Received, dir)) => ("received_at", dir),
        Some((SortKey::Due, dir)) => ("due_date", dir),
        Some((SortKey::Amount, dir)) => (d.amount, dir),
    };
    let dir = if dir == Direction::Descending { "DESC" } else { "ASC" };
    // Documents without the value last, either way; the tab's indexes hold exactly these
    // expressions (migration 6), so a page is read off an index, not sorted.
    let nulls = if col == "received_at" { String::new() } else { format!("({col} IS NULL), ") };
    let limit = q.limit.map(|l| format!(" LIMIT {l}")).unwrap_or_default();
    let offset = if q.offset > 0 { format!(" OFFSET {}", q.offset) } else { String::new() };
    format!("ORDER BY {nulls}{col} {dir}, id {dir}{limit}{offset}")
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("catalog database error: {0}")]
    Db(String),
}

pub trait Catalog: Send + Sync {
    /// Where it is, without credentials.
    fn describe(&self) -> String;
    /// Inserts or updates a document's row; an older revision never replaces a newer one, and
    /// a processed document is never replaced by a quarantine record.
    fn upsert(&self, entry: &Entry) -> Result<(), CatalogError>;
    /// Many upserts at once (a rebuild, a benchmark's rows): one transaction where the
    /// database has them cheaply.
    fn upsert_many(&self, entries: &[Entry]) -> Result<(), CatalogError> {
        entries.iter().try_for_each(|e| self.upsert(e))
    }
    /// Forgets a document (after a purge).
    fn remove(&self, id: &str) -> Result<(), CatalogError>;
    fn get(&self, id: &str) -> Result<Option<Entry>, CatalogError>;
    /// Matching documents, in the query's order (newest receipt first by default).
    fn find(&self, query: &Query) -> Result<Vec<Entry>, CatalogError>;
    /// How many documents match (the query's order, offset and limit do not matter).
    fn count(&self, query: &Query) -> Result<u64, CatalogError>;
    /// How many match in each review queue tab, in one grouped scan (the query's own `queue`
    /// is ignored).
    fn count_by_queue(&self, query: &Query) -> Result<Vec<(String, u64)>, CatalogError>;
    /// Claims each of `keys` for document `id` unless another document holds it already;
    /// returns the holders, in the keys' order. Atomic per key: of two workers claiming the
    /// same key at once, one gets it. One transaction for all (one commit, not one per key:
    /// 40 ms → under 10 ms per document on SQLite, `benches/README.md`).
    fn claim_all(&self, keys: &[String], id: &str) -> Result<Vec<String>, CatalogError>;
    /// Refreshes the planner's statistics after many rows changed at once (`catalog
    /// rebuild`), so that lookups use their indexes (PostgreSQL planned the duplicate lookup
    /// as a scan without them: 21 ms instead of 0.7 ms at 100,000 rows).
    fn analyse(&self) -> Result<(), CatalogError> {
        Ok(())
    }
    /// [`Catalog::claim_all`] for one key.
    fn claim(&self, key: &str, id: &str) -> Result<String, CatalogError> {
        self.claim_all(&[key.to_string()], id)?.pop().ok_or_else(|| CatalogError::Db("a claim returned no holder".into()))
    }
    /// Records a reprocessing run (once: started again, it keeps its first start).
    fn reprocess_start(&self, run: &str, selection: &str, selected: u64) -> Result<(), CatalogError>;
    /// Records that `run` is done with document `id` (`outcome`: unchanged, changed, failed).
    /// Written after the document's revision is durable: a run started again skips it.
    fn reprocess_mark(&self, run: &str, id: &str, outcome: &str) -> Result<(), CatalogError>;
    /// The documents `run` is done with (failed ones are not: they are tried again).
    fn reprocess_done(&self, run: &str) -> Result<std::collections::HashSet<String>, CatalogError>;
    /// Whether `run` is done with document `id` (as [`Catalog::reprocess_done`], for one).
    fn reprocess_is_done(&self, run: &str, id: &str) -> Result<bool, CatalogError>;
    /// Every run, newest first, with its progress.
    fn reprocess_runs(&self) -> Result<Vec<ReprocessRun>, CatalogError>;
    /// Mirrors a resubmission (insert or replace: a done one carries its end).
    fn resubmission_put(&self, r: &crate::index::Resubmission) -> Result<(), CatalogError>;
    /// Open resubmissions on or before `day`, for `user` (theirs and everyone's) or for all,
    /// oldest day first.
    fn resubmissions_due(&self, day: NaiveDate, user: Option<&str>) -> Result<Vec<crate::index::Resubmission>, CatalogError>;
    /// Stores a document's searchable text (`content`/`raw` `None`: keep what is stored).
    /// Stores an imported order's newest revision under its number's key (an older revision
    /// never replaces a newer one).
    fn order_put(&self, number_key: &str, record: &crate::index::OrderRecord) -> Result<(), CatalogError>;
    /// The order with this number's key, if one was imported.
    fn order_get(&self, number_key: &str) -> Result<Option<crate::index::OrderRecord>, CatalogError>;
    fn index_text(&self, id: &str, text: &crate::search::SearchText) -> Result<(), CatalogError>;
    /// Documents whose text or values match `text` and whose row matches `filter`, best first
    /// (values weigh more than the text), at most `filter.limit` (default 50).
    fn search(&self, text: &crate::search::Query, filter: &Query) -> Result<Vec<Hit>, CatalogError>;
}

/// The FTS5 row of a document: 60 bits of its id (ids are SHA-256: distinct in practice).
pub(crate) fn fts_rowid(id: &str) -> i64 {
    id.get(..15).and_then(|h| i64::from_str_radix(h, 16).ok()).unwrap_or(0)
}

/// The WHERE clause and its parameters for a query; `placeholder(n)` writes the n-th
/// (1-based) parameter in the database's syntax.
pub(crate) fn where_clause(q: &Query, d: &Dialect) -> (String, Vec<String>) {
    let (date_expr, placeholder) = (d.date, d.placeholder);
    let mut conds: Vec<String> = Vec::new();
    let mut params: Vec<String> = Vec::new();
    let push = |params: &mut Vec<String>, v: String| {
        params.push(v);
        placeholder(params.len())
    };
    if !q.doc_types.is_empty() {
        let ph: Vec<String> = q.doc_types.iter().map(|t| push(&mut params, t.as_str().to_string())).collect();
        conds.push(format!("doc_type IN ({})", ph.join(", ")));
    }
    if !q.review_states.is_empty() {
        let ph: Vec<String> = q.review_states.iter().map(|r| push(&mut params, r.as_str().to_string())).collect();
        conds.push(format!("review_state IN ({})", ph.join(", ")));
    }
    if let Some(s) = q.seller.as_ref().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let p = push(&mut params, format!("%{}%", s.to_lowercase()));
        conds.push(format!("(lower(coalesce(seller_name, '')) LIKE {p} OR lower(coalesce(seller_vat_id, '')) LIKE {p})"));
    }
    if let Some(c) = q.channel.as_ref().filter(|c| !c.is_empty()) {
        conds.push(format!("channel = {}", push(&mut params, c.clone())));
    }
    // Amounts are decimals the query itself wrote, never text from a user: safe inline, and
    // the database compares numbers.
    if let Some(m) = q.min_gross {
        conds.push(format!("{} >= {m}", d.amount));
    }
    if let Some(m) = q.max_gross {
        conds.push(format!("{} <= {m}", d.amount));
    }
    if let Some(t) = &q.queue {
        conds.push(format!("queue = {}", push(&mut params, t.clone())));
    }
    if let Some(day) = q.retained_until_by {
        conds.push(format!("{} <= {}", d.retain_day, push(&mut params, day.format("%Y-%m-%d").to_string())));
    }
    if let Some(day) = q.due_by {
        conds.push(format!("due_date IS NOT NULL AND {} <= {}", d.due_day, push(&mut params, day.format("%Y-%m-%d").to_string())));
    }
    if let Some(k) = &q.order_ref {
        conds.push(format!("order_ref = {}", push(&mut params, k.clone())));
    }
    if let Some(k) = &q.delivery_ref {
        conds.push(format!("delivery_ref = {}", push(&mut params, k.clone())));
    }
    if let Some(a) = &q.approvable_by {
        let mut any = vec![format!("awaiting LIKE {} ESCAPE '\\'", push(&mut params, "%|*|%".into()))];
        for d in &a.departments {
            any.push(format!("awaiting LIKE {} ESCAPE '\\'", push(&mut params, format!("%|{}|%", like_literal(&d.to_lowercase())))));
        }
        let mine = push(&mut params, format!("%|{}|%", like_literal(&a.actor)));
        conds.push(format!("({}) AND coalesce(approved_by, '') NOT LIKE {mine} ESCAPE '\\'", any.join(" OR ")));
    }
    if q.unsettled {
        conds.push("settled_at IS NULL".to_string());
    }
    match q.failing {
        Some(true) => conds.push("failing_checks > 0".to_string()),
        Some(false) => conds.push("failing_checks = 0".to_string()),
        None => {}
    }
    if let Some(g) = &q.gross_total {
        conds.push(d.gross_eq.replace("{p}", &push(&mut params, g.clone())));
    }
    if let Some(f) = q.from {
        conds.push(format!("{date_expr} >= {}", push(&mut params, f.format("%Y-%m-%d").to_string())));
    }
    if let Some(t) = q.to {
        conds.push(format!("{date_expr} <= {}", push(&mut params, t.format("%Y-%m-%d").to_string())));
    }
    if let Some(s) = q.status {
        conds.push(format!("status = {}", push(&mut params, text(&s).unwrap_or_default())));
    }
    if let Some(r) = q.needs_review {
        conds.push(if r { "needs_review".to_string() } else { "NOT needs_review".to_string() });
    }
    if let Some(t) = q.text.as_ref().filter(|t| !t.trim().is_empty()) {
        let p = push(&mut params, format!("%{}%", t.trim().to_lowercase()));
        conds.push(format!("(lower(coalesce(invoice_number, '')) LIKE {p} OR lower(coalesce(seller_name, '')) LIKE {p} OR lower(coalesce(buyer_name, '')) LIKE {p} OR lower(source_name) LIKE {p})"));
    }
    let clause = if conds.is_empty() { String::new() } else { format!("WHERE {}", conds.join(" AND ")) };
    (clause, params)
}

/// The upsert's guard: newer revisions win, and a processed document stays processed.
pub(crate) const UPSERT_GUARD: &str = "(documents.status = 'quarantined' AND excluded.status = 'processed') OR (documents.status = excluded.status AND excluded.revision >= documents.revision)";

/// What a column holds; each catalog maps it to its own SQL type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Integer,
    Real,
    Bool,
}

/// A column's value as both catalogs write and read it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Text(Option<String>),
    Integer(i64),
    Real(Option<f64>),
    Bool(bool),
}

impl Value {
    fn text(&self) -> Option<String> {
        match self {
            Value::Text(s) => s.clone(),
            Value::Integer(n) => Some(n.to_string()),
            Value::Real(x) => x.map(|x| x.to_string()),
            Value::Bool(b) => Some(b.to_string()),
        }
    }

    /// The value of a column of `kind` read back as text (PostgreSQL reads every column so).
    pub(crate) fn parse(kind: Kind, text: Option<String>) -> Value {
        match kind {
            Kind::Text => Value::Text(text),
            Kind::Integer => Value::Integer(text.and_then(|t| t.parse().ok()).unwrap_or(0)),
            Kind::Real => Value::Real(text.and_then(|t| t.parse().ok())),
            Kind::Bool => Value::Bool(text.as_deref() == Some("true")),
        }
    }
}

/// The catalog's schema versions, applied in order to a catalog that has fewer (recorded in
/// its `schema_migrations` table), so that an existing catalog is upgraded, never rebuilt by
/// surprise. Each is written for both databases; `{s}` is the schema prefix (`` for SQLite).
pub(crate) struct Migration {
    pub version: u32,
    pub what: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

pub(crate) const MIGRATIONS: [Migration; 12] = [
    Migration {
        version: 2,
        what: "claims of duplicate-invoice keys",
        sqlite: "CREATE TABLE IF NOT EXISTS invoice_claims (key TEXT PRIMARY KEY, id TEXT NOT NULL); CREATE INDEX IF NOT EXISTS documents_gross ON documents (gross_total);",
        postgres: "CREATE TABLE IF NOT EXISTS {s}.invoice_claims (key TEXT PRIMARY KEY, id TEXT NOT NULL); CREATE INDEX IF NOT EXISTS documents_gross ON {s}.documents (gross_total);",
    },
    Migration {
        version: 3,
        what: "the review state of each document, for the review queue",
        sqlite: "ALTER TABLE documents ADD COLUMN review_state TEXT; CREATE INDEX IF NOT EXISTS documents_review_state ON documents (review_state, received_at);",
        postgres: "ALTER TABLE {s}.documents ADD COLUMN IF NOT EXISTS review_state TEXT; CREATE INDEX IF NOT EXISTS documents_review_state ON {s}.documents (review_state, received_at);",
    },
    Migration {
        version: 4,
        what: "failing checks and the review queue's sort orders (rows written before it count 0 failing checks until `mailroom catalog rebuild`)",
        sqlite: "ALTER TABLE documents ADD COLUMN failing_checks INTEGER NOT NULL DEFAULT 0; CREATE INDEX IF NOT EXISTS documents_queue_due ON documents (review_state, due_date); CREATE INDEX IF NOT EXISTS documents_queue_amount ON documents (review_state, CAST(gross_total AS REAL)); CREATE INDEX IF NOT EXISTS documents_status_received ON documents (status, received_at);",
        postgres: "ALTER TABLE {s}.documents ADD COLUMN IF NOT EXISTS failing_checks INTEGER NOT NULL DEFAULT 0; CREATE INDEX IF NOT EXISTS documents_queue_due ON {s}.documents (review_state, due_date); CREATE INDEX IF NOT EXISTS documents_queue_amount ON {s}.documents (review_state, gross_total); CREATE INDEX IF NOT EXISTS documents_status_received ON {s}.documents (status, received_at);",
    },
    Migration {
        version: 5,
        what: "the review queue's tab of each document, with its sort orders",
        sqlite: "ALTER TABLE documents ADD COLUMN queue TEXT NOT NULL DEFAULT 'approved'; UPDATE documents SET queue = CASE WHEN status = 'quarantined' THEN 'quarantined' WHEN review_state = 'pending' THEN 'review' WHEN review_state = 'postponed' THEN 'postponed' WHEN review_state = 'rejected' THEN 'rejected' WHEN review_state IS NULL AND needs_review THEN 'review' ELSE 'approved' END; CREATE INDEX IF NOT EXISTS documents_tab_received ON documents (queue, received_at); CREATE INDEX IF NOT EXISTS documents_tab_due ON documents (queue, due_date); CREATE INDEX IF NOT EXISTS documents_tab_amount ON documents (queue, CAST(gross_total AS REAL));",
        postgres: "ALTER TABLE {s}.documents ADD COLUMN IF NOT EXISTS queue TEXT NOT NULL DEFAULT 'approved'; UPDATE {s}.documents SET queue = CASE WHEN status = 'quarantined' THEN 'quarantined' WHEN review_state = 'pending' THEN 'review' WHEN review_state = 'postponed' THEN 'postponed' WHEN review_state = 'rejected' THEN 'rejected' WHEN review_state IS NULL AND needs_review THEN 'review' ELSE 'approved' END; CREATE INDEX IF NOT EXISTS documents_tab_received ON {s}.documents (queue, received_at); CREATE INDEX IF NOT EXISTS documents_tab_due ON {s}.documents (queue, due_date); CREATE INDEX IF NOT EXISTS documents_tab_amount ON {s}.documents (queue, gross_total);",
    },
    Migration {
        version: 6,
        what: "indexes in the review queue's exact sort orders (no sort step for a page)",
        sqlite: "DROP INDEX IF EXISTS documents_tab_received; DROP INDEX IF EXISTS documents_tab_due; DROP INDEX IF EXISTS documents_tab_amount; \
                 CREATE INDEX IF NOT EXISTS documents_tab_received_id ON documents (queue, received_at, id); \
                 CREATE INDEX IF NOT EXISTS documents_tab_due_asc ON documents (queue, (due_date IS NULL), due_date, id); \
                 CREATE INDEX IF NOT EXISTS documents_tab_due_desc ON documents (queue, (due_date IS NULL), due_date DESC, id DESC); \
                 CREATE INDEX IF NOT EXISTS documents_tab_amount_asc ON documents (queue, (CAST(gross_total AS REAL) IS NULL), CAST(gross_total AS REAL), id); \
                 CREATE INDEX IF NOT EXISTS documents_tab_amount_desc ON documents (queue, (CAST(gross_total AS REAL) IS NULL), CAST(gross_total AS REAL) DESC, id DESC);",
        postgres: "DROP INDEX IF EXISTS {s}.documents_tab_received; DROP INDEX IF EXISTS {s}.documents_tab_due; DROP INDEX IF EXISTS {s}.documents_tab_amount; \
                   CREATE INDEX IF NOT EXISTS documents_tab_received_id ON {s}.documents (queue, received_at, id); \
                   CREATE INDEX IF NOT EXISTS documents_tab_due_asc ON {s}.documents (queue, (due_date IS NULL), due_date, id); \
                   CREATE INDEX IF NOT EXISTS documents_tab_due_desc ON {s}.documents (queue, (due_date IS NULL), due_date DESC, id DESC); \
                   CREATE INDEX IF NOT EXISTS documents_tab_amount_asc ON {s}.documents (queue, (gross_total IS NULL), gross_total, id); \
                   CREATE INDEX IF NOT EXISTS documents_tab_amount_desc ON {s}.documents (queue, (gross_total IS NULL), gross_total DESC, id DESC);",
    },
    Migration {
        version: 7,
        what: "reprocessing runs and the documents each has done (resume, progress across workers)",
        sqlite: "CREATE TABLE IF NOT EXISTS reprocess_runs (run TEXT PRIMARY KEY, selection TEXT NOT NULL, selected INTEGER NOT NULL, started_at TEXT NOT NULL); \
                 CREATE TABLE IF NOT EXISTS reprocess_done (run TEXT NOT NULL, id TEXT NOT NULL, outcome TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (run, id));",
        postgres: "CREATE TABLE IF NOT EXISTS {s}.reprocess_runs (run TEXT PRIMARY KEY, selection TEXT NOT NULL, selected BIGINT NOT NULL, started_at TEXT NOT NULL); \
                   CREATE TABLE IF NOT EXISTS {s}.reprocess_done (run TEXT NOT NULL, id TEXT NOT NULL, outcome TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (run, id));",
    },
    Migration {
        version: 8,
        what: "full-text search over every document's text and values (empty until `mailroom catalog rebuild` for documents catalogued before)",
        sqlite: "CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5(id UNINDEXED, content, fields, raw UNINDEXED, tokenize = 'unicode61 remove_diacritics 2');",
        postgres: "CREATE TABLE IF NOT EXISTS {s}.search (id TEXT PRIMARY KEY, content TEXT NOT NULL, fields TEXT NOT NULL, raw TEXT NOT NULL, tsv tsvector NOT NULL); \
                   CREATE INDEX IF NOT EXISTS search_tsv ON {s}.search USING GIN (tsv);",
    },
    Migration {
        version: 9,
        what: "settled (paid) documents, and the due list's order",
        sqlite: "ALTER TABLE documents ADD COLUMN settled_at TEXT; CREATE INDEX IF NOT EXISTS documents_due ON documents (due_date) WHERE due_date IS NOT NULL;",
        postgres: "ALTER TABLE {s}.documents ADD COLUMN IF NOT EXISTS settled_at TEXT; CREATE INDEX IF NOT EXISTS documents_due ON {s}.documents (due_date) WHERE due_date IS NOT NULL;",
    },
    Migration {
        version: 10,
        what: "resubmissions (Wiedervorlage), mirrored from their records in the archive",
        sqlite: "CREATE TABLE IF NOT EXISTS resubmissions (document TEXT NOT NULL, n INTEGER NOT NULL, on_date TEXT NOT NULL, assignee TEXT, record TEXT NOT NULL, done_at TEXT, PRIMARY KEY (document, n)); \
                 CREATE INDEX IF NOT EXISTS resubmissions_open ON resubmissions (on_date) WHERE done_at IS NULL;",
        postgres: "CREATE TABLE IF NOT EXISTS {s}.resubmissions (document TEXT NOT NULL, n INTEGER NOT NULL, on_date TEXT NOT NULL, assignee TEXT, record TEXT NOT NULL, done_at TEXT, PRIMARY KEY (document, n)); \
                   CREATE INDEX IF NOT EXISTS resubmissions_open ON {s}.resubmissions (on_date) WHERE done_at IS NULL;",
    },
    Migration {
        version: 11,
        what: "orders imported from the ERP, mirrored from their objects in the archive",
        sqlite: "CREATE TABLE IF NOT EXISTS orders (number_key TEXT PRIMARY KEY, revision INTEGER NOT NULL, record TEXT NOT NULL);",
        postgres: "CREATE TABLE IF NOT EXISTS {s}.orders (number_key TEXT PRIMARY KEY, revision INTEGER NOT NULL, record TEXT NOT NULL);",
    },
    Migration {
        version: 12,
        what: "the order and delivery note each document names, for the order match (rows written before are filled by `mailroom catalog rebuild`)",
        sqlite: "ALTER TABLE documents ADD COLUMN order_ref TEXT; ALTER TABLE documents ADD COLUMN delivery_ref TEXT; \
                 CREATE INDEX IF NOT EXISTS documents_order_ref ON documents (order_ref) WHERE order_ref IS NOT NULL; \
                 CREATE INDEX IF NOT EXISTS documents_delivery_ref ON documents (delivery_ref) WHERE delivery_ref IS NOT NULL;",
        postgres: "ALTER TABLE {s}.documents ADD COLUMN IF NOT EXISTS order_ref TEXT; ALTER TABLE {s}.documents ADD COLUMN IF NOT EXISTS delivery_ref TEXT; \
                   CREATE INDEX IF NOT EXISTS documents_order_ref ON {s}.documents (order_ref) WHERE order_ref IS NOT NULL; \
                   CREATE INDEX IF NOT EXISTS documents_delivery_ref ON {s}.documents (delivery_ref) WHERE delivery_ref IS NOT NULL;",
    },
    Migration {
        version: 13,
        what: "whose approval each document waits for and who gave theirs, for each approver's queue (rows written before are filled by `mailroom catalog rebuild`)",
        sqlite: "ALTER TABLE documents ADD COLUMN awaiting TEXT; ALTER TABLE documents ADD COLUMN approved_by TEXT;",
        postgres: "ALTER TABLE {s}.documents ADD COLUMN IF NOT EXISTS awaiting TEXT; ALTER TABLE {s}.documents ADD COLUMN IF NOT EXISTS approved_by TEXT;",
    },
];

/// A full-text query on SQLite ranks at most this many of its matches (in index order, which
/// is no order of date or sender): a word in more documents than that is ranked within a
/// sample of them, and a query needs another word or a filter to be precise. Ranking every one
/// of 100,000 matches took 180–250 ms (`benches/README.md`). PostgreSQL ranks them all: a cap
/// there made its planner leave the GIN index (rare words 7 → 92 ms).
pub const RANK_AT_MOST: usize = 10_000;

/// A document found by a full-text query: its row, how well it matched (higher is better),
/// and its stored text for the passage.
#[derive(Debug, Clone)]
pub struct Hit {
    pub entry: Entry,
    pub rank: f64,
    pub raw: String,
}

/// A reprocessing run as the catalog knows it: what it selected and how far it got.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReprocessRun {
    pub run: String,
    /// The selection and models, as the command that started it gave them.
    pub selection: String,
    pub selected: u64,
    pub started_at: String,
    /// Documents done, by outcome (`unchanged`, `changed`, `failed`).
    pub done: BTreeMap<String, u64>,
    /// When the last document was done.
    pub last_at: Option<String>,
}

/// The columns in the order both implementations read and write them, and what they hold.
pub(crate) const COLUMNS: [(&str, Kind); 32] = [
    ("id", Kind::Text),
    ("revision", Kind::Integer),
    ("status", Kind::Text),
    ("received_at", Kind::Text),
    ("channel", Kind::Text),
    ("source_name", Kind::Text),
    ("media_type", Kind::Text),
    ("source_format", Kind::Text),
    ("doc_type", Kind::Text),
    ("doc_type_confidence", Kind::Real),
    ("needs_review", Kind::Bool),
    ("invoice_number", Kind::Text),
    ("issue_date", Kind::Text),
    ("due_date", Kind::Text),
    ("seller_name", Kind::Text),
    ("seller_vat_id", Kind::Text),
    ("buyer_name", Kind::Text),
    ("iban", Kind::Text),
    ("currency", Kind::Text),
    ("gross_total", Kind::Text),
    ("error_kind", Kind::Text),
    ("error_message", Kind::Text),
    ("retain_until", Kind::Text),
    ("index_key", Kind::Text),
    ("review_state", Kind::Text),
    ("failing_checks", Kind::Integer),
    ("queue", Kind::Text),
    ("settled_at", Kind::Text),
    ("order_ref", Kind::Text),
    ("delivery_ref", Kind::Text),
    ("awaiting", Kind::Text),
    ("approved_by", Kind::Text),
];

/// The column names, comma-separated, `f` applied to each (a cast, a conversion).
pub(crate) fn column_list(f: impl Fn(&str) -> String) -> String {
    COLUMNS.iter().map(|(c, _)| f(c)).collect::<Vec<_>>().join(", ")
}

impl Entry {
    /// The row's values in [`COLUMNS`] order.
    pub(crate) fn values(&self) -> [Value; 32] {
        let t = |s: &Option<String>| Value::Text(s.clone());
        let s = |s: &String| Value::Text(Some(s.clone()));
        [
            s(&self.id),
            Value::Integer(self.revision.into()),
            Value::Text(Some(if self.status == Status::Quarantined { "quarantined" } else { "processed" }.into())),
            s(&self.received_at),
            s(&self.channel),
            s(&self.source_name),
            s(&self.media_type),
            t(&self.source_format),
            t(&self.doc_type),
            // Through the decimal text, so that 0.9 is stored as 0.9 and not as 0.899999976.
            Value::Real(self.doc_type_confidence.and_then(|c| c.to_string().parse().ok())),
            Value::Bool(self.needs_review),
            t(&self.invoice_number),
            t(&self.issue_date),
            t(&self.due_date),
            t(&self.seller_name),
            t(&self.seller_vat_id),
            t(&self.buyer_name),
            t(&self.iban),
            t(&self.currency),
            t(&self.gross_total),
            t(&self.error_kind),
            t(&self.error_message),
            t(&self.retain_until),
            s(&self.index_key),
            t(&self.review_state),
            Value::Integer(self.failing_checks.into()),
            s(&self.queue),
            t(&self.settled_at),
            t(&self.order_ref),
            t(&self.delivery_ref),
            t(&self.awaiting),
            t(&self.approved_by),
        ]
    }

    /// The entry from values read back in [`COLUMNS`] order.
    pub(crate) fn from_values(v: &[Value]) -> Entry {
        let t = |i: usize| v.get(i).and_then(Value::text);
        let s = |i: usize| t(i).unwrap_or_default();
        Entry {
            id: s(0),
            revision: match v.get(1) {
                Some(Value::Integer(n)) => u32::try_from(*n).unwrap_or(0),
                _ => 0,
            },
            status: match s(2).as_str() {
                "quarantined" => Status::Quarantined,
                "split" => Status::Split,
                _ => Status::Processed,
            },
            received_at: s(3),
            channel: s(4),
            source_name: s(5),
            media_type: s(6),
            source_format: t(7),
            doc_type: t(8),
            doc_type_confidence: match v.get(9) {
                Some(Value::Real(x)) => x.map(|x| x as f32),
                _ => None,
            },
            needs_review: v.get(10) == Some(&Value::Bool(true)),
            invoice_number: t(11),
            issue_date: t(12),
            due_date: t(13),
            seller_name: t(14),
            seller_vat_id: t(15),
            buyer_name: t(16),
            iban: t(17),
            currency: t(18),
            gross_total: t(19),
            error_kind: t(20),
            error_message: t(21),
            retain_until: t(22),
            index_key: s(23),
            review_state: t(24),
            failing_checks: match v.get(25) {
                Some(Value::Integer(n)) => u32::try_from(*n).unwrap_or(0),
                _ => 0,
            },
            queue: s(26),
            settled_at: t(27),
            order_ref: t(28),
            delivery_ref: t(29),
            awaiting: t(30),
            approved_by: t(31),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::index::{Channel, DocTypeResult, ErrorKind, FieldValue, Source};

    /// A document id made of one hex digit repeated (`"a"` → `aaaa…`), so tests read short.
    pub fn id(short: &str) -> crate::vocab::DocumentId {
        crate::vocab::DocumentId::parse(&short.repeat(64 / short.len())).expect("a hex digit")
    }

    pub fn index(short: &str, t: DocType, issue: &str, seller: &str, revision: u32) -> DocumentIndex {
        let id = id(short);
        let source = Source {
            channel: Channel::File,
            name: format!("{short}.pdf"),
            media_type: crate::vocab::MediaType::Pdf,
            size: 1,
            received_at: "2025-06-26T10:00:00Z".into(),
            parent: None,
            parent_pages: None,
            split: None,
        };
        let mut i = DocumentIndex::quarantined(id.clone(), source, ErrorKind::Internal, String::new());
        i.status = Status::Processed;
        i.error = None;
        i.doc_type = Some(DocTypeResult { label: t, confidence: 0.9 });
        i.needs_review = seller.contains('?');
        for (k, v) in [(Field::IssueDate, issue), (Field::SellerName, seller), (Field::GrossTotal, "119.00"), (Field::InvoiceNumber, "RE-1")] {
            i.fields.insert(k, FieldValue { value: v.into(), confidence: 0.9, page: None, bbox: None, source: None });
        }
        i.archive.revision = revision;
        i.archive.index = Some(format!("documents/{id}/index/{revision:04}.json"));
        i
    }

    /// The behaviour both databases must show.
    pub fn behaves(c: &dyn Catalog) {
        // Orders: the newest revision is kept, an older one never replaces it.
        let order = |revision: u32, gross: &str| crate::index::OrderRecord {
            schema: "mailroom.order/1".into(),
            revision,
            imported_at: "2025-06-26T10:00:00Z".into(),
            imported_by: "test".into(),
            from: "orders.json".into(),
            order: crate::index::Order {
                number: "BE-1".into(),
                supplier_vat_id: None,
                supplier_name: Some("Müller GmbH".into()),
                date: None,
                currency: None,
                net_total: None,
                gross_total: Some(gross.parse().unwrap()),
                lines: Vec::new(),
            },
        };
        assert!(c.order_get("BE1").unwrap().is_none());
        c.order_put("BE1", &order(2, "200.00")).unwrap();
        c.order_put("BE1", &order(1, "100.00")).unwrap();
        assert_eq!(c.order_get("BE1").unwrap(), Some(order(2, "200.00")));
        c.order_put("BE1", &order(3, "300.00")).unwrap();
        assert_eq!(c.order_get("BE1").unwrap().map(|r| r.revision), Some(3));
        // Reprocessing runs: started once, marks kept, failed ones not counted as done.
        c.reprocess_start("run-a", "--all", 3).unwrap();
        c.reprocess_start("run-a", "--all", 3).unwrap();
        c.reprocess_mark("run-a", "x1", "changed").unwrap();
        c.reprocess_mark("run-a", "x2", "failed").unwrap();
        c.reprocess_mark("run-a", "x1", "changed").unwrap();
        assert!(c.reprocess_is_done("run-a", "x1").unwrap() && !c.reprocess_is_done("run-a", "x2").unwrap());
        assert_eq!(c.reprocess_done("run-a").unwrap().into_iter().collect::<Vec<_>>(), vec!["x1".to_string()]);
        let runs = c.reprocess_runs().unwrap();
        assert_eq!(runs.len(), 1);
        assert_eq!((runs[0].selected, runs[0].done.get("changed"), runs[0].done.get("failed")), (3, Some(&1), Some(&1)));
        c.upsert(&Entry::of(&index("a", DocType::Invoice, "2025-01-15", "Müller GmbH", 1))).unwrap();
        c.upsert(&Entry::of(&index("b", DocType::Letter, "2025-02-01", "Schmidt AG", 1))).unwrap();
        c.upsert(&Entry::of(&index("c", DocType::Invoice, "2025-03-01", "Weber KG?", 1))).unwrap();
        // A newer revision replaces, an older one does not.
        let mut a2 = index("a", DocType::Invoice, "2025-01-16", "Müller GmbH", 2);
        a2.needs_review = false;
        c.upsert(&Entry::of(&a2)).unwrap();
        c.upsert(&Entry::of(&index("a", DocType::Invoice, "2025-01-15", "Müller GmbH", 1))).unwrap();
        assert_eq!(c.get(&id("a")).unwrap().unwrap().issue_date.as_deref(), Some("2025-01-16"));
        assert_eq!(c.get(&id("a")).unwrap().unwrap().revision, 2);
        // A quarantine record never replaces a processed document.
        let mut q = index("a", DocType::Invoice, "2025-01-16", "x", 5);
        q.status = Status::Quarantined;
        c.upsert(&Entry::of(&q)).unwrap();
        assert_eq!(c.get(&id("a")).unwrap().unwrap().status, Status::Processed);

        let ids = |q: Query| -> Vec<String> {
            let mut v: Vec<String> = c.find(&q).unwrap().into_iter().map(|e| e.id.chars().take(1).collect()).collect();
            v.sort();
            v
        };
        assert_eq!(ids(Query { doc_types: vec![DocType::Invoice], ..Default::default() }), ["a", "c"]);
        assert_eq!(ids(Query { from: NaiveDate::from_ymd_opt(2025, 1, 20), to: NaiveDate::from_ymd_opt(2025, 2, 28), ..Default::default() }), ["b"]);
        assert_eq!(ids(Query { needs_review: Some(true), ..Default::default() }), ["c"]);
        assert_eq!(ids(Query { text: Some("müller".into()), ..Default::default() }), ["a"]);
        assert_eq!(ids(Query::default()), ["a", "b", "c"]);
        // The review state, for the queue.
        let mut c2 = index("c", DocType::Invoice, "2025-03-01", "Weber KG?", 2);
        c2.review = Some(crate::index::Review { state: crate::index::ReviewState::Pending, by: None, at: None, reason: None, approvals: Vec::new(), waiting_for: Vec::new() });
        c.upsert(&Entry::of(&c2)).unwrap();
        assert_eq!(ids(Query { review_states: vec![crate::index::ReviewState::Pending], ..Default::default() }), ["c"]);
        assert!(ids(Query { review_states: vec![crate::index::ReviewState::Approved], ..Default::default() }).is_empty());
        // The queue's filters, counts, orders and pages.
        let mut c3 = c2.clone();
        c3.archive.revision = 3;
        c3.checks.push(crate::index::Check { name: crate::vocab::CheckName::TotalsConsistent, passed: false, message: "net 100 + VAT 19 = 119 but gross is 191".into() });
        c3.fields.insert(Field::GrossTotal, FieldValue { value: "1234.50".into(), confidence: 0.5, page: None, bbox: None, source: None });
        c.upsert(&Entry::of(&c3)).unwrap();
        assert_eq!(c.get(&id("c")).unwrap().unwrap().failing_checks, 1);
        assert_eq!(ids(Query { failing: Some(true), ..Default::default() }), ["c"]);
        assert_eq!(ids(Query { failing: Some(false), ..Default::default() }), ["a", "b"]);
        assert_eq!(ids(Query { min_gross: Some("200".parse().unwrap()), ..Default::default() }), ["c"]);
        assert_eq!(ids(Query { min_gross: Some("100".parse().unwrap()), max_gross: Some("1000".parse().unwrap()), ..Default::default() }), ["a", "b"]);
        assert_eq!(ids(Query { seller: Some("WEBER".into()), ..Default::default() }), ["c"]);
        assert_eq!(ids(Query { channel: Some("file".into()), ..Default::default() }), ["a", "b", "c"]);
        assert_eq!(c.count(&Query { doc_types: vec![DocType::Invoice], limit: Some(1), ..Default::default() }).unwrap(), 2);
        let mut tabs = c.count_by_queue(&Query::default()).unwrap();
        tabs.sort();
        assert_eq!(tabs, vec![("approved".to_string(), 2), ("review".to_string(), 1)]);
        assert_eq!(c.count_by_queue(&Query { doc_types: vec![DocType::Letter], ..Default::default() }).unwrap(), vec![("approved".to_string(), 1)]);
        assert_eq!(ids(Query { queue: Some("review".into()), ..Default::default() }), ["c"]);
        let order = |q: Query| -> Vec<String> { c.find(&q).unwrap().into_iter().map(|e| e.id.chars().take(1).collect()).collect() };
        assert_eq!(order(Query { sort: Some((SortKey::Amount, Direction::Descending)), ..Default::default() }), ["c", "b", "a"], "ties by id, the same way");
        assert_eq!(order(Query { sort: Some((SortKey::Amount, Direction::Ascending)), limit: Some(1), offset: 1, ..Default::default() }), ["b"]);
        // Claims: the first document to claim a key holds it, whoever asks later.
        let (a, b) = (id("a").to_string(), id("b").to_string());
        assert_eq!(c.claim("invoice|vat:DE1|RE-1|119.00", &a).unwrap(), a);
        assert_eq!(c.claim("invoice|vat:DE1|RE-1|119.00", &b).unwrap(), a);
        assert_eq!(c.claim("invoice|vat:DE1|RE-1|119.00", &a).unwrap(), a, "claiming again is no conflict");
        assert_eq!(c.claim("invoice|vat:DE1|RE-2|119.00", &b).unwrap(), b);
        let keys: Vec<String> = ["k1", "invoice|vat:DE1|RE-1|119.00", "k2"].map(String::from).to_vec();
        assert_eq!(c.claim_all(&keys, &b).unwrap(), vec![b.clone(), a.clone(), b.clone()], "holders in the keys' order");
        assert!(c.claim_all(&[], &a).unwrap().is_empty());
        assert_eq!(c.find(&Query { gross_total: Some("119.00".into()), ..Default::default() }).unwrap().len(), 2, "a and b; c was corrected to 1234.50");
        assert!(c.find(&Query { gross_total: Some("119.01".into()), ..Default::default() }).unwrap().is_empty());
        c.remove(&id("b")).unwrap();
        assert!(c.get(&id("b")).unwrap().is_none());
    }
}
