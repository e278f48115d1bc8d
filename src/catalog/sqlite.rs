//! The embedded catalog: one SQLite file beside the archive (WAL mode, so a `mailroom list`
//! can read while a `process` run writes).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::types::ToSqlOutput;
use rusqlite::{params_from_iter, Connection, OptionalExtension, Row, ToSql};

use super::{column_list, order_clause, where_clause, Catalog, CatalogError, Dialect, Entry, Kind, Query, Value, COLUMNS, MIGRATIONS, UPSERT_GUARD};

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
CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);
INSERT OR IGNORE INTO schema_migrations (version, applied_at) VALUES (1, datetime('now'));
";

const DIALECT: Dialect = Dialect {
    date: "coalesce(issue_date, substr(received_at, 1, 10))",
    amount: "CAST(gross_total AS REAL)",
    placeholder: |i| format!("?{i}"),
    retain_day: "substr(retain_until, 1, 10)",
    due_day: "due_date",
    gross_eq: "gross_total = {p}",
};

pub struct SqliteCatalog {
    path: PathBuf,
    conn: Mutex<Connection>,
}

fn db(e: rusqlite::Error) -> CatalogError {
    CatalogError::Db(e.to_string())
}

fn entry(r: &Row) -> rusqlite::Result<Entry> {
    let values = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, (_, kind))| {
            Ok(match kind {
                Kind::Text => Value::Text(r.get(i)?),
                Kind::Integer => Value::Integer(r.get(i)?),
                Kind::Real => Value::Real(r.get(i)?),
                Kind::Bool => Value::Bool(r.get(i)?),
            })
        })
        .collect::<rusqlite::Result<Vec<Value>>>()?;
    Ok(Entry::from_values(&values))
}

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        match self {
            Value::Text(s) => s.to_sql(),
            Value::Integer(n) => n.to_sql(),
            Value::Real(x) => x.to_sql(),
            Value::Bool(b) => b.to_sql(),
        }
    }
}

impl SqliteCatalog {
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteCatalog, CatalogError> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| CatalogError::Db(format!("{}: {e}", dir.display())))?;
        }
        let conn = Connection::open(&path).map_err(db)?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(db)?;
        // Setting up a fresh file while other processes do the same can be refused at once
        // (switching to WAL, creating the schema: SQLite does not wait there): try again.
        crate::sqldb::locked_retry(|| conn.pragma_update(None, "journal_mode", "WAL").map_err(db).and_then(|_| conn.execute_batch(SCHEMA).map_err(db)).and_then(|_| migrate(&conn)))?;
        Ok(SqliteCatalog { path, conn: Mutex::new(conn) })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Applies the migrations this catalog has not seen, each in its own write transaction that
/// looks again whether another process applied it meanwhile (`BEGIN IMMEDIATE` takes the
/// write lock first): processes that open a fresh catalog at once upgrade it once.
fn migrate(conn: &Connection) -> Result<(), CatalogError> {
    for m in MIGRATIONS.iter() {
        let err = |e: rusqlite::Error| CatalogError::Db(format!("upgrading the catalog to version {} ({}): {e}", m.version, m.what));
        conn.execute_batch("BEGIN IMMEDIATE").map_err(err)?;
        let applied = (|| -> rusqlite::Result<()> {
            let have: Option<u32> = conn.query_row("SELECT version FROM schema_migrations WHERE version = ?1", [m.version], |r| r.get(0)).optional()?;
            if have.is_none() {
                conn.execute_batch(m.sqlite)?;
                conn.execute("INSERT INTO schema_migrations (version, applied_at) VALUES (?1, datetime('now'))", [m.version])?;
            }
            Ok(())
        })();
        match applied {
            Ok(()) => conn.execute_batch("COMMIT").map_err(err)?,
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(err(e));
            }
        }
    }
    Ok(())
}

fn upsert_sql() -> String {
    let placeholders: Vec<String> = (1..=COLUMNS.len()).map(|i| format!("?{i}")).collect();
    let updates: Vec<String> = COLUMNS[1..].iter().map(|(c, _)| format!("{c} = excluded.{c}")).collect();
    format!("INSERT INTO documents ({}) VALUES ({}) ON CONFLICT(id) DO UPDATE SET {} WHERE {UPSERT_GUARD}", column_list(str::to_string), placeholders.join(", "), updates.join(", "))
}

impl Catalog for SqliteCatalog {
    fn describe(&self) -> String {
        format!("SQLite {}", self.path.display())
    }

    fn upsert(&self, e: &Entry) -> Result<(), CatalogError> {
        self.conn().execute(&upsert_sql(), params_from_iter(e.values().iter())).map(|_| ()).map_err(db)
    }

    fn upsert_many(&self, entries: &[Entry]) -> Result<(), CatalogError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(db)?;
        {
            let mut stmt = tx.prepare(&upsert_sql()).map_err(db)?;
            for e in entries {
                stmt.execute(params_from_iter(e.values().iter())).map_err(db)?;
            }
        }
        tx.commit().map_err(db)
    }

    fn remove(&self, id: &str) -> Result<(), CatalogError> {
        self.conn().execute("DELETE FROM documents WHERE id = ?1", [id]).map(|_| ()).map_err(db)
    }

    fn get(&self, id: &str) -> Result<Option<Entry>, CatalogError> {
        let sql = format!("SELECT {} FROM documents WHERE id = ?1", column_list(str::to_string));
        self.conn().query_row(&sql, [id], entry).optional().map_err(db)
    }

    fn analyse(&self) -> Result<(), CatalogError> {
        self.conn().execute_batch("PRAGMA optimize").map_err(db)
    }

    fn claim_all(&self, keys: &[String], id: &str) -> Result<Vec<String>, CatalogError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(db)?;
        let mut holders = Vec::with_capacity(keys.len());
        {
            let mut insert = tx.prepare_cached("INSERT INTO invoice_claims (key, id) VALUES (?1, ?2) ON CONFLICT(key) DO NOTHING").map_err(db)?;
            let mut select = tx.prepare_cached("SELECT id FROM invoice_claims WHERE key = ?1").map_err(db)?;
            for key in keys {
                insert.execute([key.as_str(), id]).map_err(db)?;
                holders.push(select.query_row([key.as_str()], |r| r.get(0)).map_err(db)?);
            }
        }
        tx.commit().map_err(db)?;
        Ok(holders)
    }

    fn reprocess_start(&self, run: &str, selection: &str, selected: u64) -> Result<(), CatalogError> {
        let at = chrono::Utc::now().to_rfc3339();
        self.conn()
            .execute(
                "INSERT INTO reprocess_runs (run, selection, selected, started_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT(run) DO UPDATE SET selected = excluded.selected",
                rusqlite::params![run, selection, selected as i64, at],
            )
            .map_err(db)
            .map(|_| ())
    }

    fn reprocess_mark(&self, run: &str, id: &str, outcome: &str) -> Result<(), CatalogError> {
        let at = chrono::Utc::now().to_rfc3339();
        self.conn()
            .execute(
                "INSERT INTO reprocess_done (run, id, outcome, at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT(run, id) DO UPDATE SET outcome = excluded.outcome, at = excluded.at",
                [run, id, outcome, &at],
            )
            .map_err(db)
            .map(|_| ())
    }

    fn reprocess_done(&self, run: &str) -> Result<std::collections::HashSet<String>, CatalogError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT id FROM reprocess_done WHERE run = ?1 AND outcome <> 'failed'").map_err(db)?;
        let rows = stmt.query_map([run], |r| r.get::<_, String>(0)).map_err(db)?;
        rows.collect::<rusqlite::Result<_>>().map_err(db)
    }

    fn reprocess_is_done(&self, run: &str, id: &str) -> Result<bool, CatalogError> {
        self.conn().query_row("SELECT count(*) FROM reprocess_done WHERE run = ?1 AND id = ?2 AND outcome <> 'failed'", [run, id], |r| r.get::<_, i64>(0)).map(|n| n > 0).map_err(db)
    }

    fn order_put(&self, number_key: &str, record: &crate::index::OrderRecord) -> Result<(), CatalogError> {
        let body = serde_json::to_string(record).expect("serialises");
        self.conn()
            .execute(
                "INSERT INTO orders (number_key, revision, record) VALUES (?1, ?2, ?3) \
                 ON CONFLICT(number_key) DO UPDATE SET revision = excluded.revision, record = excluded.record WHERE excluded.revision >= orders.revision",
                rusqlite::params![number_key, record.revision, body],
            )
            .map(|_| ())
            .map_err(db)
    }

    fn order_get(&self, number_key: &str) -> Result<Option<crate::index::OrderRecord>, CatalogError> {
        let body: Option<String> = self.conn().query_row("SELECT record FROM orders WHERE number_key = ?1", [number_key], |r| r.get(0)).optional().map_err(db)?;
        Ok(body.and_then(|b| serde_json::from_str(&b).ok()))
    }

    fn resubmission_put(&self, r: &crate::index::Resubmission) -> Result<(), CatalogError> {
        let record = serde_json::to_string(r).expect("serialises");
        self.conn()
            .execute(
                "INSERT INTO resubmissions (document, n, on_date, assignee, record, done_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                 ON CONFLICT(document, n) DO UPDATE SET on_date = excluded.on_date, assignee = excluded.assignee, record = excluded.record, done_at = excluded.done_at",
                rusqlite::params![r.document, r.n, r.on.format("%Y-%m-%d").to_string(), r.to, record, r.done.as_ref().map(|d| d.at.clone())],
            )
            .map_err(db)
            .map(|_| ())
    }

    fn resubmissions_due(&self, day: chrono::NaiveDate, user: Option<&str>) -> Result<Vec<crate::index::Resubmission>, CatalogError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT record FROM resubmissions WHERE done_at IS NULL AND on_date <= ?1 AND (?2 IS NULL OR assignee IS NULL OR assignee = ?2) ORDER BY on_date, document, n").map_err(db)?;
        let rows = stmt.query_map(rusqlite::params![day.format("%Y-%m-%d").to_string(), user], |r| r.get::<_, String>(0)).map_err(db)?;
        let records: Vec<String> = rows.collect::<rusqlite::Result<_>>().map_err(db)?;
        Ok(records.iter().filter_map(|r| serde_json::from_str(r).ok()).collect())
    }

    fn index_text(&self, id: &str, text: &crate::search::SearchText) -> Result<(), CatalogError> {
        let rowid = super::fts_rowid(id);
        let conn = self.conn();
        let old: Option<(String, String)> = conn.query_row("SELECT content, raw FROM documents_fts WHERE rowid = ?1", [rowid], |r| Ok((r.get(0)?, r.get(1)?))).optional().map_err(db)?;
        let (old_content, old_raw) = old.unwrap_or_default();
        let content = text.content.clone().unwrap_or(old_content);
        let raw = text.raw.clone().unwrap_or(old_raw);
        conn.execute("DELETE FROM documents_fts WHERE rowid = ?1", [rowid]).map_err(db)?;
        conn.execute("INSERT INTO documents_fts (rowid, id, content, fields, raw) VALUES (?1, ?2, ?3, ?4, ?5)", rusqlite::params![rowid, id, content, text.fields, raw]).map_err(db)?;
        Ok(())
    }

    fn search(&self, text: &crate::search::Query, filter: &Query) -> Result<Vec<super::Hit>, CatalogError> {
        let (clause, mut params) = where_clause(filter, &DIALECT);
        params.push(text.fts5());
        let m = params.len();
        let extra = if clause.is_empty() { String::new() } else { format!("AND {}", clause.trim_start_matches("WHERE ")) };
        // bm25: lower is better; the values (column 2) weigh three times the text.
        let sql = format!(
            "SELECT {}, r.rank, r.raw FROM (SELECT id AS fid, bm25(documents_fts, 0.0, 1.0, 3.0, 0.0) AS rank, raw FROM documents_fts WHERE documents_fts MATCH ?{m} LIMIT {cap}) r \
             JOIN documents d ON d.id = r.fid WHERE 1 = 1 {extra} ORDER BY r.rank LIMIT {}",
            column_list(|c| format!("d.{c}")),
            filter.limit.unwrap_or(50),
            cap = super::RANK_AT_MOST
        );
        let conn = self.conn();
        let mut stmt = conn.prepare(&sql).map_err(db)?;
        let n = COLUMNS.len();
        let rows = stmt.query_map(params_from_iter(params.iter()), |r| Ok(super::Hit { entry: entry(r)?, rank: -r.get::<_, f64>(n)?, raw: r.get(n + 1)? })).map_err(db)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(db)
    }

    fn reprocess_runs(&self) -> Result<Vec<super::ReprocessRun>, CatalogError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT run, selection, selected, started_at FROM reprocess_runs ORDER BY started_at DESC").map_err(db)?;
        let runs: Vec<(String, String, i64, String)> = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).map_err(db)?.collect::<rusqlite::Result<_>>().map_err(db)?;
        let mut out = Vec::new();
        for (run, selection, selected, started_at) in runs {
            let mut stmt = conn.prepare("SELECT outcome, count(*), max(at) FROM reprocess_done WHERE run = ?1 GROUP BY outcome").map_err(db)?;
            let counts: Vec<(String, i64, String)> = stmt.query_map([&run], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).map_err(db)?.collect::<rusqlite::Result<_>>().map_err(db)?;
            let last_at = counts.iter().map(|c| c.2.clone()).max();
            out.push(super::ReprocessRun { run, selection, selected: selected as u64, started_at, done: counts.into_iter().map(|(o, n, _)| (o, n as u64)).collect(), last_at });
        }
        Ok(out)
    }

    fn find(&self, q: &Query) -> Result<Vec<Entry>, CatalogError> {
        let (clause, params) = where_clause(q, &DIALECT);
        // An amount is the most selective thing a query can name; without statistics (SQLite
        // keeps none unless asked) the planner took the type or status index and read half
        // the table: 38 ms at 100,000 rows, 0.1 ms through the amount's index.
        let table = if q.gross_total.is_some() { "documents INDEXED BY documents_gross" } else { "documents" };
        let sql = format!("SELECT {} FROM {table} {clause} {}", column_list(str::to_string), order_clause(q, &DIALECT));
        let conn = self.conn();
        let mut stmt = conn.prepare(&sql).map_err(db)?;
        let rows = stmt.query_map(params_from_iter(params.iter()), entry).map_err(db)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(db)
    }

    fn count_by_queue(&self, q: &Query) -> Result<Vec<(String, u64)>, CatalogError> {
        let q = Query { queue: None, ..q.clone() };
        let (clause, params) = where_clause(&q, &DIALECT);
        let conn = self.conn();
        // With any filter every row must be looked at anyway: a straight scan of the table
        // beats walking the tab index and fetching each row from it (measured: 4×). Without
        // one, the tab index alone answers.
        let filtered = q.text.is_some()
            || q.seller.is_some()
            || q.channel.is_some()
            || q.from.is_some()
            || q.to.is_some()
            || q.min_gross.is_some()
            || q.max_gross.is_some()
            || q.failing.is_some()
            || q.gross_total.is_some()
            || !q.doc_types.is_empty();
        let scan = if filtered { "NOT INDEXED " } else { "" };
        let mut stmt = conn.prepare(&format!("SELECT queue, count(*) FROM documents {scan}{clause} GROUP BY queue")).map_err(db)?;
        let rows = stmt.query_map(params_from_iter(params.iter()), |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64))).map_err(db)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(db)
    }

    fn count(&self, q: &Query) -> Result<u64, CatalogError> {
        let (clause, params) = where_clause(q, &DIALECT);
        let n: i64 = self.conn().query_row(&format!("SELECT count(*) FROM documents {clause}"), params_from_iter(params.iter()), |r| r.get(0)).map_err(db)?;
        Ok(n.max(0) as u64)
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
        assert!(c.get(&super::super::tests::id("a")).unwrap().is_some());
    }

    #[test]
    fn processes_opening_a_fresh_catalog_at_once_all_open_it() {
        // Two fetchers or workers started together: each runs the migrations; none may fail
        // on a column the other has just added.
        for round in 0..5 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(format!("race-{round}.sqlite"));
            let barrier = std::sync::Barrier::new(6);
            std::thread::scope(|sc| {
                let handles: Vec<_> = (0..6)
                    .map(|_| {
                        sc.spawn(|| {
                            barrier.wait();
                            SqliteCatalog::open(&path).map(|_| ())
                        })
                    })
                    .collect();
                for h in handles {
                    let r = h.join().unwrap();
                    assert!(r.is_ok(), "round {round}: {:?}", r.err());
                }
            });
        }
    }

    #[test]
    fn a_catalog_of_the_first_version_is_upgraded_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite");
        {
            // The catalog as the first version wrote it: no migrations table, no review state.
            let old = Connection::open(&path).unwrap();
            let v1 = SCHEMA.split("CREATE TABLE IF NOT EXISTS schema_migrations").next().unwrap();
            old.execute_batch(v1).unwrap();
            old.execute("INSERT INTO documents (id, revision, status, received_at, channel, source_name, media_type, needs_review, index_key) VALUES ('x', 1, 'processed', '2025-01-01T00:00:00Z', 'file', 'x.pdf', 'application/pdf', 0, 'k')", []).unwrap();
        }
        let c = SqliteCatalog::open(&path).unwrap();
        let versions: u32 = c.conn().query_row("SELECT max(version) FROM schema_migrations", [], |r| r.get(0)).unwrap();
        assert_eq!(versions, MIGRATIONS.last().unwrap().version);
        let old_row = c.get("x").unwrap().expect("the old row survives");
        assert_eq!(old_row.review_state, None);
        c.remove("x").unwrap();
        super::super::tests::behaves(&c);
        drop(c);
        // Opening again applies nothing twice.
        SqliteCatalog::open(&path).unwrap();
    }
}
