//! The production catalog: a PostgreSQL table shared by every worker and command, with real
//! column types (dates, timestamps, numeric amounts) so that it can be queried with SQL too.
//! The connection is re-established when the server went away.

use std::sync::Mutex;

use postgres::{Client, NoTls, Row};

use super::{where_clause, Catalog, CatalogError, Entry, Query, COLUMNS, UPSERT_GUARD};
use crate::config::redact_url;
use crate::index::Status;

pub struct PostgresCatalog {
    url: String,
    schema: String,
    client: Mutex<Option<Client>>,
}

fn db(e: postgres::Error) -> CatalogError {
    // postgres::Error's own text is only "db error": the server's message is what helps.
    match e.as_db_error() {
        Some(d) => CatalogError::Db(format!("{}: {} ({})", d.severity(), d.message(), d.code().code())),
        None => CatalogError::Db(e.to_string()),
    }
}

/// Each column as written (with the cast from the text parameter) and as read back (as text).
fn write_expr(column: &str, n: usize) -> String {
    match column {
        "revision" => format!("${n}::text::integer"),
        "received_at" | "retain_until" => format!("${n}::text::timestamptz"),
        "issue_date" | "due_date" => format!("${n}::text::date"),
        "gross_total" => format!("${n}::text::numeric"),
        "doc_type_confidence" => format!("${n}::text::real"),
        "needs_review" => format!("${n}::text::boolean"),
        _ => format!("${n}"),
    }
}

fn read_expr(column: &str) -> String {
    match column {
        "received_at" | "retain_until" => format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"),
        "revision" | "issue_date" | "due_date" | "gross_total" | "doc_type_confidence" | "needs_review" => format!("{column}::text"),
        _ => column.to_string(),
    }
}

fn entry(r: &Row) -> Entry {
    let s = |i: usize| -> Option<String> { r.get::<_, Option<String>>(i) };
    let req = |i: usize| s(i).unwrap_or_default();
    Entry {
        id: req(0),
        revision: req(1).parse().unwrap_or(0),
        status: if req(2) == "quarantined" { Status::Quarantined } else { Status::Processed },
        received_at: req(3),
        channel: req(4),
        source_name: req(5),
        media_type: req(6),
        source_format: s(7),
        doc_type: s(8),
        doc_type_confidence: s(9).and_then(|c| c.parse().ok()),
        needs_review: req(10) == "true",
        invoice_number: s(11),
        issue_date: s(12),
        due_date: s(13),
        seller_name: s(14),
        seller_vat_id: s(15),
        buyer_name: s(16),
        iban: s(17),
        currency: s(18),
        gross_total: s(19),
        error_kind: s(20),
        error_message: s(21),
        retain_until: s(22),
        index_key: req(23),
    }
}

fn values(e: &Entry) -> Vec<Option<String>> {
    vec![
        Some(e.id.clone()),
        Some(e.revision.to_string()),
        Some(if e.status == Status::Quarantined { "quarantined" } else { "processed" }.to_string()),
        Some(e.received_at.clone()),
        Some(e.channel.clone()),
        Some(e.source_name.clone()),
        Some(e.media_type.clone()),
        e.source_format.clone(),
        e.doc_type.clone(),
        e.doc_type_confidence.map(|c| c.to_string()),
        Some(e.needs_review.to_string()),
        e.invoice_number.clone(),
        e.issue_date.clone(),
        e.due_date.clone(),
        e.seller_name.clone(),
        e.seller_vat_id.clone(),
        e.buyer_name.clone(),
        e.iban.clone(),
        e.currency.clone(),
        e.gross_total.clone(),
        e.error_kind.clone(),
        e.error_message.clone(),
        e.retain_until.clone(),
        Some(e.index_key.clone()),
    ]
}

impl PostgresCatalog {
    /// Connects and creates the schema and table when missing.
    pub fn connect(url: &str, schema: &str) -> Result<PostgresCatalog, CatalogError> {
        if !schema.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || schema.is_empty() {
            return Err(CatalogError::Db(format!("'{schema}' is not a plain schema name")));
        }
        let c = PostgresCatalog { url: url.to_string(), schema: schema.to_string(), client: Mutex::new(None) };
        c.with(|client| {
            // Workers that start together would race on CREATE … IF NOT EXISTS (which is not
            // atomic in PostgreSQL): one at a time, under a transaction-scoped advisory lock.
            client.batch_execute(&format!(
                "BEGIN;
                 SELECT pg_advisory_xact_lock(hashtext('mailroom-catalog-{s}'));
                 CREATE SCHEMA IF NOT EXISTS {s};
                 CREATE TABLE IF NOT EXISTS {s}.documents (
                    id TEXT PRIMARY KEY,
                    revision INTEGER NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('processed', 'quarantined')),
                    received_at TIMESTAMPTZ NOT NULL,
                    channel TEXT NOT NULL,
                    source_name TEXT NOT NULL,
                    media_type TEXT NOT NULL,
                    source_format TEXT,
                    doc_type TEXT,
                    doc_type_confidence REAL,
                    needs_review BOOLEAN NOT NULL,
                    invoice_number TEXT,
                    issue_date DATE,
                    due_date DATE,
                    seller_name TEXT,
                    seller_vat_id TEXT,
                    buyer_name TEXT,
                    iban TEXT,
                    currency TEXT,
                    gross_total NUMERIC(18, 2),
                    error_kind TEXT,
                    error_message TEXT,
                    retain_until TIMESTAMPTZ,
                    index_key TEXT NOT NULL
                 );
                 CREATE INDEX IF NOT EXISTS documents_issue_date ON {s}.documents (issue_date);
                 CREATE INDEX IF NOT EXISTS documents_doc_type ON {s}.documents (doc_type);
                 CREATE INDEX IF NOT EXISTS documents_review ON {s}.documents (status, needs_review);
                 COMMIT;",
                s = c.schema
            ))
        })?;
        Ok(c)
    }

    /// Runs `f` on a live connection, connecting (again) when needed.
    fn with<T>(&self, f: impl Fn(&mut Client) -> Result<T, postgres::Error>) -> Result<T, CatalogError> {
        let mut slot = self.client.lock().unwrap_or_else(|p| p.into_inner());
        if slot.as_ref().map(|c| c.is_closed()).unwrap_or(true) {
            *slot = Some(Client::connect(&self.url, NoTls).map_err(|e| CatalogError::Db(format!("cannot connect to {}: {e}", redact_url(&self.url))))?);
        }
        let client = slot.as_mut().expect("connected just now");
        let result = f(client);
        if result.is_err() && client.is_closed() {
            *slot = None;
        }
        result.map_err(db)
    }
}

impl Catalog for PostgresCatalog {
    fn describe(&self) -> String {
        format!("PostgreSQL {} (schema {})", redact_url(&self.url), self.schema)
    }

    fn upsert(&self, e: &Entry) -> Result<(), CatalogError> {
        let exprs: Vec<String> = COLUMNS.iter().enumerate().map(|(i, c)| write_expr(c, i + 1)).collect();
        let updates: Vec<String> = COLUMNS[1..].iter().map(|c| format!("{c} = excluded.{c}")).collect();
        let sql = format!(
            "INSERT INTO {}.documents AS documents ({}) VALUES ({}) ON CONFLICT (id) DO UPDATE SET {} WHERE {UPSERT_GUARD}",
            self.schema,
            COLUMNS.join(", "),
            exprs.join(", "),
            updates.join(", ")
        );
        let vals = values(e);
        self.with(|c| {
            let params: Vec<&(dyn postgres::types::ToSql + Sync)> = vals.iter().map(|v| v as &(dyn postgres::types::ToSql + Sync)).collect();
            c.execute(sql.as_str(), &params).map(|_| ())
        })
    }

    fn remove(&self, id: &str) -> Result<(), CatalogError> {
        let sql = format!("DELETE FROM {}.documents WHERE id = $1", self.schema);
        self.with(|c| c.execute(sql.as_str(), &[&id]).map(|_| ()))
    }

    fn get(&self, id: &str) -> Result<Option<Entry>, CatalogError> {
        let cols: Vec<String> = COLUMNS.iter().map(|c| read_expr(c)).collect();
        let sql = format!("SELECT {} FROM {}.documents WHERE id = $1", cols.join(", "), self.schema);
        self.with(|c| c.query_opt(sql.as_str(), &[&id])).map(|r| r.as_ref().map(entry))
    }

    fn find(&self, q: &Query) -> Result<Vec<Entry>, CatalogError> {
        let date = "coalesce(issue_date::text, to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'))";
        let (clause, params) = where_clause(q, date, |i| format!("${i}"));
        let cols: Vec<String> = COLUMNS.iter().map(|c| read_expr(c)).collect();
        let limit = q.limit.map(|l| format!(" LIMIT {l}")).unwrap_or_default();
        let sql = format!("SELECT {} FROM {}.documents {clause} ORDER BY received_at DESC, id{limit}", cols.join(", "), self.schema);
        self.with(|c| {
            let p: Vec<&(dyn postgres::types::ToSql + Sync)> = params.iter().map(|v| v as &(dyn postgres::types::ToSql + Sync)).collect();
            c.query(sql.as_str(), &p)
        })
        .map(|rows| rows.iter().map(entry).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against the real server (127.0.0.1:5432, trust auth, database `test`), in a schema of
    /// its own.
    #[test]
    fn the_postgres_catalog_behaves() {
        let url = std::env::var("MAILROOM_TEST_DATABASE_URL").unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432/test".into());
        let schema = format!("mailroom_test_{}", std::process::id());
        let c = PostgresCatalog::connect(&url, &schema).expect("PostgreSQL must run on 127.0.0.1:5432 (see scripts/services.sh)");
        super::super::tests::behaves(&c);
        let e = c.get("a").unwrap().unwrap();
        assert_eq!(e.received_at, "2025-06-26T10:00:00Z");
        assert_eq!(e.gross_total.as_deref(), Some("119.00"));
        c.with(|client| client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))).unwrap();
    }

    #[test]
    fn workers_starting_together_all_open_a_fresh_catalog() {
        // Two workers started at once against an empty database: each creates the schema if
        // missing; none may fail because the other was creating it at the same moment.
        let url = std::env::var("MAILROOM_TEST_DATABASE_URL").unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432/test".into());
        for round in 0..5 {
            let schema = format!("mailroom_race_{}_{round}", std::process::id());
            let barrier = std::sync::Barrier::new(6);
            let results: Vec<Result<PostgresCatalog, CatalogError>> = std::thread::scope(|sc| {
                let handles: Vec<_> = (0..6).map(|_| sc.spawn(|| {
                    barrier.wait();
                    PostgresCatalog::connect(&url, &schema)
                })).collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            for r in &results {
                assert!(r.is_ok(), "round {round}: {:?}", r.as_ref().err());
            }
            results[0].as_ref().unwrap().with(|client| client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))).unwrap();
        }
    }
}
