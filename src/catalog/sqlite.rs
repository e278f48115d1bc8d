//! The embedded catalog: one SQLite file beside the archive (WAL mode, so a `mailroom list`
//! can read while a `process` run writes).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{params_from_iter, Connection, OptionalExtension, Row};

use super::{where_clause, Catalog, CatalogError, Entry, Query, COLUMNS, UPSERT_GUARD};
use crate::index::Status;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    revision INTEGER NOT NULL,
    status TEXT NOT NULL,
    received_at TEXT NOT NULL,
    channel TEXT NOT NULL,
    source_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    source_format TEXT,
    doc_type TEXT,
    doc_type_confidence REAL,
    needs_review INTEGER NOT NULL,
    invoice_number TEXT,
    issue_date TEXT,
    due_date TEXT,
    seller_name TEXT,
    seller_vat_id TEXT,
    buyer_name TEXT,
    iban TEXT,
    currency TEXT,
    gross_total TEXT,
    error_kind TEXT,
    error_message TEXT,
    retain_until TEXT,
    index_key TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_issue_date ON documents (issue_date);
CREATE INDEX IF NOT EXISTS documents_doc_type ON documents (doc_type);
CREATE INDEX IF NOT EXISTS documents_review ON documents (status, needs_review);
";

pub struct SqliteCatalog {
    path: PathBuf,
    conn: Mutex<Connection>,
}

fn db(e: rusqlite::Error) -> CatalogError {
    CatalogError::Db(e.to_string())
}

fn status_of(s: &str) -> Status {
    if s == "quarantined" {
        Status::Quarantined
    } else {
        Status::Processed
    }
}

fn entry(r: &Row) -> rusqlite::Result<Entry> {
    Ok(Entry {
        id: r.get(0)?,
        revision: r.get(1)?,
        status: status_of(&r.get::<_, String>(2)?),
        received_at: r.get(3)?,
        channel: r.get(4)?,
        source_name: r.get(5)?,
        media_type: r.get(6)?,
        source_format: r.get(7)?,
        doc_type: r.get(8)?,
        doc_type_confidence: r.get::<_, Option<f64>>(9)?.map(|c| c as f32),
        needs_review: r.get(10)?,
        invoice_number: r.get(11)?,
        issue_date: r.get(12)?,
        due_date: r.get(13)?,
        seller_name: r.get(14)?,
        seller_vat_id: r.get(15)?,
        buyer_name: r.get(16)?,
        iban: r.get(17)?,
        currency: r.get(18)?,
        gross_total: r.get(19)?,
        error_kind: r.get(20)?,
        error_message: r.get(21)?,
        retain_until: r.get(22)?,
        index_key: r.get(23)?,
    })
}

impl SqliteCatalog {
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteCatalog, CatalogError> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| CatalogError::Db(format!("{}: {e}", dir.display())))?;
        }
        let conn = Connection::open(&path).map_err(db)?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(db)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(db)?;
        conn.execute_batch(SCHEMA).map_err(db)?;
        Ok(SqliteCatalog { path, conn: Mutex::new(conn) })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Catalog for SqliteCatalog {
    fn describe(&self) -> String {
        format!("SQLite {}", self.path.display())
    }

    fn upsert(&self, e: &Entry) -> Result<(), CatalogError> {
        let placeholders: Vec<String> = (1..=COLUMNS.len()).map(|i| format!("?{i}")).collect();
        let updates: Vec<String> = COLUMNS[1..].iter().map(|c| format!("{c} = excluded.{c}")).collect();
        let sql = format!(
            "INSERT INTO documents ({}) VALUES ({}) ON CONFLICT(id) DO UPDATE SET {} WHERE {UPSERT_GUARD}",
            COLUMNS.join(", "),
            placeholders.join(", "),
            updates.join(", ")
        );
        let status = if e.status == Status::Quarantined { "quarantined" } else { "processed" };
        self.conn()
            .execute(
                &sql,
                rusqlite::params![
                    e.id,
                    e.revision,
                    status,
                    e.received_at,
                    e.channel,
                    e.source_name,
                    e.media_type,
                    e.source_format,
                    e.doc_type,
                    e.doc_type_confidence.map(|c| c as f64),
                    e.needs_review,
                    e.invoice_number,
                    e.issue_date,
                    e.due_date,
                    e.seller_name,
                    e.seller_vat_id,
                    e.buyer_name,
                    e.iban,
                    e.currency,
                    e.gross_total,
                    e.error_kind,
                    e.error_message,
                    e.retain_until,
                    e.index_key
                ],
            )
            .map(|_| ())
            .map_err(db)
    }

    fn remove(&self, id: &str) -> Result<(), CatalogError> {
        self.conn().execute("DELETE FROM documents WHERE id = ?1", [id]).map(|_| ()).map_err(db)
    }

    fn get(&self, id: &str) -> Result<Option<Entry>, CatalogError> {
        let sql = format!("SELECT {} FROM documents WHERE id = ?1", COLUMNS.join(", "));
        self.conn().query_row(&sql, [id], entry).optional().map_err(db)
    }

    fn find(&self, q: &Query) -> Result<Vec<Entry>, CatalogError> {
        let (clause, params) = where_clause(q, "coalesce(issue_date, substr(received_at, 1, 10))", |i| format!("?{i}"));
        let limit = q.limit.map(|l| format!(" LIMIT {l}")).unwrap_or_default();
        let sql = format!("SELECT {} FROM documents {clause} ORDER BY received_at DESC, id{limit}", COLUMNS.join(", "));
        let conn = self.conn();
        let mut stmt = conn.prepare(&sql).map_err(db)?;
        let rows = stmt.query_map(params_from_iter(params.iter()), entry).map_err(db)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(db)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sqlite_catalog_behaves() {
        let dir = tempfile::tempdir().unwrap();
        let c = SqliteCatalog::open(dir.path().join("catalog.sqlite")).unwrap();
        super::super::tests::behaves(&c);
        // Reopening keeps the rows.
        drop(c);
        let c = SqliteCatalog::open(dir.path().join("catalog.sqlite")).unwrap();
        assert!(c.get("a").unwrap().is_some());
    }
}
