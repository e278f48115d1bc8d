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
use serde::Serialize;

use crate::index::{DocType, DocumentIndex, Status};

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
}

fn text<T: Serialize>(v: &T) -> Option<String> {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string))
}

fn valid_date(v: Option<&str>) -> Option<String> {
    v.filter(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok()).map(str::to_string)
}

impl Entry {
    pub fn of(index: &DocumentIndex) -> Entry {
        let f = |k: &str| index.field(k).map(str::to_string);
        Entry {
            id: index.id.clone(),
            revision: index.archive.revision,
            status: index.status,
            received_at: index.source.received_at.clone(),
            channel: text(&index.source.channel).unwrap_or_default(),
            source_name: index.source.name.clone(),
            media_type: index.source.media_type.clone(),
            source_format: index.source_format.as_ref().and_then(text),
            doc_type: index.doc_type.as_ref().map(|d| d.label.as_str().to_string()),
            doc_type_confidence: index.doc_type.as_ref().map(|d| d.confidence),
            needs_review: index.needs_review,
            invoice_number: f("invoice_number"),
            issue_date: valid_date(index.field("issue_date")),
            due_date: valid_date(index.field("due_date")),
            seller_name: f("seller_name"),
            seller_vat_id: f("seller_vat_id"),
            buyer_name: f("buyer_name"),
            iban: f("iban"),
            currency: f("currency"),
            gross_total: index.field("gross_total").filter(|v| v.parse::<rust_decimal::Decimal>().is_ok()).map(str::to_string),
            error_kind: index.error.as_ref().map(|e| e.kind.as_str().to_string()),
            error_message: index.error.as_ref().map(|e| e.message.clone()),
            retain_until: index.archive.retain_until.clone(),
            index_key: index.archive.index.clone().unwrap_or_default(),
        }
    }
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
    pub limit: Option<usize>,
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
    /// Forgets a document (after a purge).
    fn remove(&self, id: &str) -> Result<(), CatalogError>;
    fn get(&self, id: &str) -> Result<Option<Entry>, CatalogError>;
    /// Matching documents, newest receipt first.
    fn find(&self, query: &Query) -> Result<Vec<Entry>, CatalogError>;
}

/// The WHERE clause and its parameters for a query; `placeholder(n)` writes the n-th
/// (1-based) parameter in the database's syntax.
pub(crate) fn where_clause(q: &Query, date_expr: &str, placeholder: impl Fn(usize) -> String) -> (String, Vec<String>) {
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

/// The columns in the order both implementations read and write them.
pub(crate) const COLUMNS: [&str; 24] = [
    "id",
    "revision",
    "status",
    "received_at",
    "channel",
    "source_name",
    "media_type",
    "source_format",
    "doc_type",
    "doc_type_confidence",
    "needs_review",
    "invoice_number",
    "issue_date",
    "due_date",
    "seller_name",
    "seller_vat_id",
    "buyer_name",
    "iban",
    "currency",
    "gross_total",
    "error_kind",
    "error_message",
    "retain_until",
    "index_key",
];

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::index::{Channel, DocTypeResult, ErrorKind, FieldValue, Source};

    pub fn index(id: &str, t: DocType, issue: &str, seller: &str, revision: u32) -> DocumentIndex {
        let source = Source { channel: Channel::File, name: format!("{id}.pdf"), media_type: "application/pdf".into(), size: 1, received_at: "2025-06-26T10:00:00Z".into(), parent: None };
        let mut i = DocumentIndex::quarantined(id.to_string(), source, ErrorKind::Internal, String::new());
        i.status = Status::Processed;
        i.error = None;
        i.doc_type = Some(DocTypeResult { label: t, confidence: 0.9 });
        i.needs_review = seller.contains('?');
        for (k, v) in [("issue_date", issue), ("seller_name", seller), ("gross_total", "119.00"), ("invoice_number", "RE-1")] {
            i.fields.insert(k.into(), FieldValue { value: v.into(), confidence: 0.9, page: None, bbox: None });
        }
        i.archive.revision = revision;
        i.archive.index = Some(format!("documents/{id}/index/{revision:04}.json"));
        i
    }

    /// The behaviour both databases must show.
    pub fn behaves(c: &dyn Catalog) {
        c.upsert(&Entry::of(&index("a", DocType::Invoice, "2025-01-15", "Müller GmbH", 1))).unwrap();
        c.upsert(&Entry::of(&index("b", DocType::Letter, "2025-02-01", "Schmidt AG", 1))).unwrap();
        c.upsert(&Entry::of(&index("c", DocType::Invoice, "2025-03-01", "Weber KG?", 1))).unwrap();
        // A newer revision replaces, an older one does not.
        let mut a2 = index("a", DocType::Invoice, "2025-01-16", "Müller GmbH", 2);
        a2.needs_review = false;
        c.upsert(&Entry::of(&a2)).unwrap();
        c.upsert(&Entry::of(&index("a", DocType::Invoice, "2025-01-15", "Müller GmbH", 1))).unwrap();
        assert_eq!(c.get("a").unwrap().unwrap().issue_date.as_deref(), Some("2025-01-16"));
        assert_eq!(c.get("a").unwrap().unwrap().revision, 2);
        // A quarantine record never replaces a processed document.
        let mut q = index("a", DocType::Invoice, "2025-01-16", "x", 5);
        q.status = Status::Quarantined;
        c.upsert(&Entry::of(&q)).unwrap();
        assert_eq!(c.get("a").unwrap().unwrap().status, Status::Processed);

        let ids = |q: Query| -> Vec<String> {
            let mut v: Vec<String> = c.find(&q).unwrap().into_iter().map(|e| e.id).collect();
            v.sort();
            v
        };
        assert_eq!(ids(Query { doc_types: vec![DocType::Invoice], ..Default::default() }), ["a", "c"]);
        assert_eq!(ids(Query { from: NaiveDate::from_ymd_opt(2025, 1, 20), to: NaiveDate::from_ymd_opt(2025, 2, 28), ..Default::default() }), ["b"]);
        assert_eq!(ids(Query { needs_review: Some(true), ..Default::default() }), ["c"]);
        assert_eq!(ids(Query { text: Some("müller".into()), ..Default::default() }), ["a"]);
        assert_eq!(ids(Query::default()), ["a", "b", "c"]);
        c.remove("b").unwrap();
        assert!(c.get("b").unwrap().is_none());
    }
}
