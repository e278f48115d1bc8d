//! The production catalog: a PostgreSQL table shared by every worker and command, with real
//! column types (dates, timestamps, numeric amounts) so that it can be queried with SQL too.
//! The connection is re-established when the server went away.

use std::sync::Mutex;

use postgres::{Client, NoTls, Row};

use super::{column_list, order_clause, where_clause, Catalog, CatalogError, Dialect, Entry, Kind, Query, Value, COLUMNS, MIGRATIONS, UPSERT_GUARD};
use crate::redact::redact_url;

const DIALECT: Dialect = Dialect {
    date: "coalesce(issue_date::text, to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'))",
    amount: "gross_total",
    placeholder: |i| format!("${i}"),
    retain_day: "to_char(retain_until AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
    due_day: "due_date::text",
    gross_eq: "gross_total = {p}::text::numeric",
};

pub struct PostgresCatalog {
    url: String,
    schema: String,
    /// Idle connections. Each call takes one (or opens one) and gives it back, so a worker's
    /// threads do not queue behind one connection: as many connections as calls at once.
    idle: Mutex<Vec<Client>>,
}

/// Idle connections kept for later calls; more are closed when given back.
const MAX_IDLE: usize = 16;

fn db(e: postgres::Error) -> CatalogError {
    // postgres::Error's own text is only "db error": the server's message is what helps.
    match e.as_db_error() {
        Some(d) => CatalogError::Db(format!("{}: {} ({})", d.severity(), d.message(), d.code().code())),
        None => CatalogError::Db(e.to_string()),
    }
}

/// Each column as written (with the cast from the text parameter) and as read back (as text).
fn write_expr(column: &str, kind: Kind, n: usize) -> String {
    match (column, kind) {
        ("received_at" | "retain_until", _) => format!("${n}::text::timestamptz"),
        ("issue_date" | "due_date", _) => format!("${n}::text::date"),
        ("gross_total", _) => format!("${n}::text::numeric"),
        ("failing_checks", _) => format!("${n}::text::integer"),
        (_, Kind::Integer) => format!("${n}::text::integer"),
        (_, Kind::Real) => format!("${n}::text::real"),
        (_, Kind::Bool) => format!("${n}::text::boolean"),
        (_, Kind::Text) => format!("${n}"),
    }
}

fn read_expr(column: &str) -> String {
    match column {
        "received_at" | "retain_until" => format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"),
        _ => format!("{column}::text"),
    }
}

fn entry(r: &Row) -> Entry {
    let values: Vec<Value> = COLUMNS.iter().enumerate().map(|(i, (_, kind))| Value::parse(*kind, r.get::<_, Option<String>>(i))).collect();
    Entry::from_values(&values)
}

impl PostgresCatalog {
    /// Connects and creates the schema and table when missing.
    pub fn connect(url: &str, schema: &str) -> Result<PostgresCatalog, CatalogError> {
        if !schema.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || schema.is_empty() {
            return Err(CatalogError::Db(format!("'{schema}' is not a plain schema name")));
        }
        let c = PostgresCatalog { url: url.to_string(), schema: schema.to_string(), idle: Mutex::new(Vec::new()) };
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
                 CREATE TABLE IF NOT EXISTS {s}.schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now());
                 INSERT INTO {s}.schema_migrations (version) VALUES (1) ON CONFLICT DO NOTHING;
                 COMMIT;",
                s = c.schema
            ))
        })?;
        c.migrate()?;
        Ok(c)
    }

    /// Applies the migrations this catalog has not seen, one at a time under the same advisory
    /// lock as the creation, so that workers starting together upgrade it once.
    fn migrate(&self) -> Result<(), CatalogError> {
        for m in MIGRATIONS.iter() {
            let s = &self.schema;
            let sql = format!(
                "BEGIN;
                 SELECT pg_advisory_xact_lock(hashtext('mailroom-catalog-{s}'));
                 DO $$ BEGIN
                   IF NOT EXISTS (SELECT 1 FROM {s}.schema_migrations WHERE version = {v}) THEN
                     {body}
                     INSERT INTO {s}.schema_migrations (version) VALUES ({v});
                   END IF;
                 END $$;
                 COMMIT;",
                v = m.version,
                body = m.postgres.replace("{s}", s)
            );
            self.with(|c| c.batch_execute(&sql)).map_err(|e| CatalogError::Db(format!("upgrading the catalog to version {} ({}): {e}", m.version, m.what)))?;
        }
        Ok(())
    }

    /// Runs `f` on a live connection: an idle one, or a new one when none is idle.
    fn with<T>(&self, f: impl Fn(&mut Client) -> Result<T, postgres::Error>) -> Result<T, CatalogError> {
        let idle = std::iter::from_fn(|| self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop()).find(|c| !c.is_closed());
        let mut client = match idle {
            Some(c) => c,
            None => Client::connect(&self.url, NoTls).map_err(|e| CatalogError::Db(format!("cannot connect to {}: {e}", redact_url(&self.url))))?,
        };
        let result = f(&mut client);
        // After an error a connection may sit in an aborted transaction: it is not reused.
        if result.is_ok() && !client.is_closed() {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            if idle.len() < MAX_IDLE {
                idle.push(client);
            }
        }
        result.map_err(db)
    }
}

impl Catalog for PostgresCatalog {
    fn describe(&self) -> String {
        format!("PostgreSQL {} (schema {})", redact_url(&self.url), self.schema)
    }

    fn upsert(&self, e: &Entry) -> Result<(), CatalogError> {
        let exprs: Vec<String> = COLUMNS.iter().enumerate().map(|(i, (c, kind))| write_expr(c, *kind, i + 1)).collect();
        let updates: Vec<String> = COLUMNS[1..].iter().map(|(c, _)| format!("{c} = excluded.{c}")).collect();
        let sql = format!(
            "INSERT INTO {}.documents AS documents ({}) VALUES ({}) ON CONFLICT (id) DO UPDATE SET {} WHERE {UPSERT_GUARD}",
            self.schema,
            column_list(str::to_string),
            exprs.join(", "),
            updates.join(", ")
        );
        let vals: Vec<Option<String>> = e.values().iter().map(Value::text).collect();
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
        let sql = format!("SELECT {} FROM {}.documents WHERE id = $1", column_list(read_expr), self.schema);
        self.with(|c| c.query_opt(sql.as_str(), &[&id])).map(|r| r.as_ref().map(entry))
    }

    fn analyse(&self) -> Result<(), CatalogError> {
        let sql = format!("ANALYZE {s}.documents; ANALYZE {s}.invoice_claims; ANALYZE {s}.orders", s = self.schema);
        self.with(|c| c.batch_execute(sql.as_str()))
    }

    fn claim_all(&self, keys: &[String], id: &str) -> Result<Vec<String>, CatalogError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let insert = format!("INSERT INTO {}.invoice_claims (key, id) SELECT k, $2 FROM unnest($1::text[]) AS k ON CONFLICT (key) DO NOTHING", self.schema);
        let select = format!("SELECT key, id FROM {}.invoice_claims WHERE key = ANY($1::text[])", self.schema);
        let rows = self.with(|c| {
            let mut tx = c.transaction()?;
            tx.execute(insert.as_str(), &[&keys, &id])?;
            let rows = tx.query(select.as_str(), &[&keys])?;
            tx.commit()?;
            Ok(rows)
        })?;
        let held: std::collections::HashMap<String, String> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        keys.iter().map(|k| held.get(k).cloned().ok_or_else(|| CatalogError::Db(format!("claim {k} was not recorded")))).collect()
    }

    fn reprocess_start(&self, run: &str, selection: &str, selected: u64) -> Result<(), CatalogError> {
        let sql = format!("INSERT INTO {}.reprocess_runs (run, selection, selected, started_at) VALUES ($1, $2, $3, $4) ON CONFLICT (run) DO UPDATE SET selected = excluded.selected", self.schema);
        let at = chrono::Utc::now().to_rfc3339();
        self.with(|c| c.execute(sql.as_str(), &[&run, &selection, &(selected as i64), &at])).map(|_| ())
    }

    fn reprocess_mark(&self, run: &str, id: &str, outcome: &str) -> Result<(), CatalogError> {
        let sql = format!("INSERT INTO {}.reprocess_done (run, id, outcome, at) VALUES ($1, $2, $3, $4) ON CONFLICT (run, id) DO UPDATE SET outcome = excluded.outcome, at = excluded.at", self.schema);
        let at = chrono::Utc::now().to_rfc3339();
        self.with(|c| c.execute(sql.as_str(), &[&run, &id, &outcome, &at])).map(|_| ())
    }

    fn reprocess_done(&self, run: &str) -> Result<std::collections::HashSet<String>, CatalogError> {
        let sql = format!("SELECT id FROM {}.reprocess_done WHERE run = $1 AND outcome <> 'failed'", self.schema);
        self.with(|c| c.query(sql.as_str(), &[&run])).map(|rows| rows.iter().map(|r| r.get::<_, String>(0)).collect())
    }

    fn reprocess_is_done(&self, run: &str, id: &str) -> Result<bool, CatalogError> {
        let sql = format!("SELECT count(*) FROM {}.reprocess_done WHERE run = $1 AND id = $2 AND outcome <> 'failed'", self.schema);
        self.with(|c| c.query_one(sql.as_str(), &[&run, &id])).map(|r| r.get::<_, i64>(0) > 0)
    }

    fn order_put(&self, number_key: &str, record: &crate::index::OrderRecord) -> Result<(), CatalogError> {
        let sql = format!(
            "INSERT INTO {s}.orders (number_key, revision, record) VALUES ($1, $2, $3) \
             ON CONFLICT (number_key) DO UPDATE SET revision = excluded.revision, record = excluded.record WHERE excluded.revision >= {s}.orders.revision",
            s = self.schema
        );
        let body = serde_json::to_string(record).expect("serialises");
        let revision = record.revision as i32;
        self.with(|c| c.execute(sql.as_str(), &[&number_key, &revision, &body])).map(|_| ())
    }

    fn order_get(&self, number_key: &str) -> Result<Option<crate::index::OrderRecord>, CatalogError> {
        let sql = format!("SELECT record FROM {}.orders WHERE number_key = $1", self.schema);
        let rows = self.with(|c| c.query(sql.as_str(), &[&number_key]))?;
        Ok(rows.first().and_then(|r| serde_json::from_str(&r.get::<_, String>(0)).ok()))
    }

    fn resubmission_put(&self, r: &crate::index::Resubmission) -> Result<(), CatalogError> {
        let sql = format!(
            "INSERT INTO {s}.resubmissions (document, n, on_date, assignee, record, done_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (document, n) DO UPDATE SET on_date = excluded.on_date, assignee = excluded.assignee, record = excluded.record, done_at = excluded.done_at",
            s = self.schema
        );
        let record = serde_json::to_string(r).expect("serialises");
        let (n, on, done) = (r.n as i32, r.on.format("%Y-%m-%d").to_string(), r.done.as_ref().map(|d| d.at.clone()));
        self.with(|c| c.execute(sql.as_str(), &[&r.document, &n, &on, &r.to, &record, &done])).map(|_| ())
    }

    fn resubmissions_due(&self, day: chrono::NaiveDate, user: Option<&str>) -> Result<Vec<crate::index::Resubmission>, CatalogError> {
        let sql = format!(
            "SELECT record FROM {}.resubmissions WHERE done_at IS NULL AND on_date <= $1 AND ($2::text IS NULL OR assignee IS NULL OR assignee = $2) ORDER BY on_date, document, n",
            self.schema
        );
        let day = day.format("%Y-%m-%d").to_string();
        let rows = self.with(|c| c.query(sql.as_str(), &[&day, &user]))?;
        Ok(rows.iter().filter_map(|r| serde_json::from_str(&r.get::<_, String>(0)).ok()).collect())
    }

    fn index_text(&self, id: &str, text: &crate::search::SearchText) -> Result<(), CatalogError> {
        // Values weigh more than the text (A over B); what is not given is kept.
        let sql = format!(
            "INSERT INTO {s}.search (id, content, fields, raw, tsv) VALUES ($1, coalesce($2, ''), $3, coalesce($4, ''), setweight(to_tsvector('simple', $3), 'A') || setweight(to_tsvector('simple', coalesce($2, '')), 'B')) \
             ON CONFLICT (id) DO UPDATE SET content = coalesce($2, {s}.search.content), fields = $3, raw = coalesce($4, {s}.search.raw), \
             tsv = setweight(to_tsvector('simple', $3), 'A') || setweight(to_tsvector('simple', coalesce($2, {s}.search.content)), 'B')",
            s = self.schema
        );
        self.with(|c| c.execute(sql.as_str(), &[&id, &text.content, &text.fields, &text.raw])).map(|_| ())
    }

    fn search(&self, text: &crate::search::Query, filter: &Query) -> Result<Vec<super::Hit>, CatalogError> {
        let (clause, mut params) = where_clause(filter, &DIALECT);
        params.push(text.tsquery());
        let m = params.len();
        let extra = if clause.is_empty() { String::new() } else { format!("AND {}", clause.trim_start_matches("WHERE ")) };
        let sql = format!(
            "SELECT {}, ts_rank(s.tsv, q)::float8 AS rank, s.raw FROM {schema}.search s JOIN {schema}.documents d ON d.id = s.id, to_tsquery('simple', ${m}) q \
             WHERE s.tsv @@ q {extra} ORDER BY rank DESC LIMIT {}",
            column_list(|c| read_expr(c).replacen(c, &format!("d.{c}"), 1)),
            filter.limit.unwrap_or(50),
            schema = self.schema
        );
        let n = COLUMNS.len();
        self.with(|c| {
            let p: Vec<&(dyn postgres::types::ToSql + Sync)> = params.iter().map(|v| v as &(dyn postgres::types::ToSql + Sync)).collect();
            c.query(sql.as_str(), &p)
        })
        .map(|rows| rows.iter().map(|r| super::Hit { entry: entry(r), rank: r.get::<_, f64>(n), raw: r.get(n + 1) }).collect())
    }

    fn reprocess_runs(&self) -> Result<Vec<super::ReprocessRun>, CatalogError> {
        let runs_sql = format!("SELECT run, selection, selected, started_at FROM {}.reprocess_runs ORDER BY started_at DESC", self.schema);
        let done_sql = format!("SELECT run, outcome, count(*), max(at) FROM {}.reprocess_done GROUP BY run, outcome", self.schema);
        let runs = self.with(|c| c.query(runs_sql.as_str(), &[]))?;
        let done = self.with(|c| c.query(done_sql.as_str(), &[]))?;
        Ok(runs
            .iter()
            .map(|r| {
                let run: String = r.get(0);
                let mine: Vec<&postgres::Row> = done.iter().filter(|d| d.get::<_, String>(0) == run).collect();
                super::ReprocessRun {
                    selection: r.get(1),
                    selected: r.get::<_, i64>(2) as u64,
                    started_at: r.get(3),
                    done: mine.iter().map(|d| (d.get::<_, String>(1), d.get::<_, i64>(2) as u64)).collect(),
                    last_at: mine.iter().map(|d| d.get::<_, String>(3)).max(),
                    run,
                }
            })
            .collect())
    }

    fn find(&self, q: &Query) -> Result<Vec<Entry>, CatalogError> {
        let (clause, params) = where_clause(q, &DIALECT);
        let sql = format!("SELECT {} FROM {}.documents {clause} {}", column_list(read_expr), self.schema, order_clause(q, &DIALECT));
        self.with(|c| {
            let p: Vec<&(dyn postgres::types::ToSql + Sync)> = params.iter().map(|v| v as &(dyn postgres::types::ToSql + Sync)).collect();
            c.query(sql.as_str(), &p)
        })
        .map(|rows| rows.iter().map(entry).collect())
    }

    fn count_by_queue(&self, q: &Query) -> Result<Vec<(String, u64)>, CatalogError> {
        let q = Query { queue: None, ..q.clone() };
        let (clause, params) = where_clause(&q, &DIALECT);
        let sql = format!("SELECT queue, count(*) FROM {}.documents {clause} GROUP BY queue", self.schema);
        self.with(|c| {
            let p: Vec<&(dyn postgres::types::ToSql + Sync)> = params.iter().map(|v| v as &(dyn postgres::types::ToSql + Sync)).collect();
            c.query(sql.as_str(), &p)
        })
        .map(|rows| rows.iter().map(|r| (r.get::<_, String>(0), r.get::<_, i64>(1).max(0) as u64)).collect())
    }

    fn count(&self, q: &Query) -> Result<u64, CatalogError> {
        let (clause, params) = where_clause(q, &DIALECT);
        let sql = format!("SELECT count(*) FROM {}.documents {clause}", self.schema);
        let n: i64 = self.with(|c| {
            let p: Vec<&(dyn postgres::types::ToSql + Sync)> = params.iter().map(|v| v as &(dyn postgres::types::ToSql + Sync)).collect();
            c.query_one(sql.as_str(), &p).map(|r| r.get(0))
        })?;
        Ok(n.max(0) as u64)
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
        let e = c.get(&super::super::tests::id("a")).unwrap().unwrap();
        assert_eq!(e.received_at, "2025-06-26T10:00:00Z");
        assert_eq!(e.gross_total.as_deref(), Some("119.00"));
        c.with(|client| client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))).unwrap();
    }

    #[test]
    fn a_postgres_catalog_of_the_first_version_is_upgraded_in_place() {
        let url = std::env::var("MAILROOM_TEST_DATABASE_URL").unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432/test".into());
        let schema = format!("mailroom_test_old_{}", std::process::id());
        let mut client = Client::connect(&url, NoTls).expect("PostgreSQL must run on 127.0.0.1:5432 (see scripts/services.sh)");
        // The catalog as the first version wrote it: no migrations table, no review state.
        client
            .batch_execute(&format!(
                "CREATE SCHEMA {schema};
                 CREATE TABLE {schema}.documents (id TEXT PRIMARY KEY, revision INTEGER NOT NULL, status TEXT NOT NULL, received_at TIMESTAMPTZ NOT NULL, channel TEXT NOT NULL, source_name TEXT NOT NULL, media_type TEXT NOT NULL, source_format TEXT, doc_type TEXT, doc_type_confidence REAL, needs_review BOOLEAN NOT NULL, invoice_number TEXT, issue_date DATE, due_date DATE, seller_name TEXT, seller_vat_id TEXT, buyer_name TEXT, iban TEXT, currency TEXT, gross_total NUMERIC(18, 2), error_kind TEXT, error_message TEXT, retain_until TIMESTAMPTZ, index_key TEXT NOT NULL);
                 INSERT INTO {schema}.documents (id, revision, status, received_at, channel, source_name, media_type, needs_review, index_key) VALUES ('x', 1, 'processed', '2025-01-01T00:00:00Z', 'file', 'x.pdf', 'application/pdf', false, 'k');"
            ))
            .unwrap();
        let c = PostgresCatalog::connect(&url, &schema).unwrap();
        let version: i32 = c.with(|cl| cl.query_one(format!("SELECT max(version) FROM {schema}.schema_migrations").as_str(), &[]).map(|r| r.get(0))).unwrap();
        assert_eq!(version as u32, MIGRATIONS.last().unwrap().version);
        assert_eq!(c.get("x").unwrap().expect("the old row survives").review_state, None);
        c.remove("x").unwrap();
        super::super::tests::behaves(&c);
        // Connecting again applies nothing twice.
        PostgresCatalog::connect(&url, &schema).unwrap();
        client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).unwrap();
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
                let handles: Vec<_> = (0..6)
                    .map(|_| {
                        sc.spawn(|| {
                            barrier.wait();
                            PostgresCatalog::connect(&url, &schema)
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            for r in &results {
                assert!(r.is_ok(), "round {round}: {:?}", r.as_ref().err());
            }
            results[0].as_ref().unwrap().with(|client| client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))).unwrap();
        }
    }
}
