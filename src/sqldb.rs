//! A small SQL store for operational state — the review UI's users and sessions, the
//! mailboxes' positions — on SQLite (embedded) or PostgreSQL (production), behind one
//! interface: statements with `?N` parameters, every value text. These are a handful of rows
//! each; plain text columns keep the SQL the same on both. Not the record: that is the archive.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::redact::redact_url;

pub enum Db {
    Sqlite { path: PathBuf, conn: Mutex<rusqlite::Connection> },
    Postgres { url: String, schema: String, client: Box<Mutex<Option<postgres::Client>>> },
}

/// What went wrong in the database, in its own words.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SqlError(pub String);

fn sqlite_err(e: rusqlite::Error) -> SqlError {
    SqlError(e.to_string())
}

fn pg_err(e: postgres::Error) -> SqlError {
    match e.as_db_error() {
        Some(d) => SqlError(format!("{}: {}", d.severity(), d.message())),
        None => SqlError(e.to_string()),
    }
}

/// Runs `f` again while SQLite refuses at once with "database is locked" (switching to WAL or
/// creating tables while another process does the same: SQLite does not wait there).
pub(crate) fn locked_retry<T, E: std::fmt::Display>(mut f: impl FnMut() -> Result<T, E>) -> Result<T, E> {
    let mut attempt = 0u64;
    loop {
        match f() {
            Err(e) if e.to_string().contains("database is locked") && attempt < 100 => {
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(10 + attempt * 5));
            }
            other => return other,
        }
    }
}

/// `?1` → `$1`.
fn dollar(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    for c in sql.chars() {
        out.push(if c == '?' { '$' } else { c });
    }
    out
}

impl Db {
    pub fn sqlite(path: &Path) -> Result<Db, SqlError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| SqlError(format!("{}: {e}", dir.display())))?;
        }
        let conn = rusqlite::Connection::open(path).map_err(sqlite_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(sqlite_err)?;
        locked_retry(|| conn.pragma_update(None, "journal_mode", "WAL")).map_err(sqlite_err)?;
        Ok(Db::Sqlite { path: path.to_path_buf(), conn: Mutex::new(conn) })
    }

    pub fn postgres(url: &str, schema: &str) -> Result<Db, SqlError> {
        if schema.is_empty() || !schema.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(SqlError(format!("'{schema}' is not a plain schema name")));
        }
        Ok(Db::Postgres { url: url.to_string(), schema: schema.to_string(), client: Box::new(Mutex::new(None)) })
    }

    pub fn describe(&self) -> String {
        match self {
            Db::Sqlite { path, .. } => format!("SQLite {}", path.display()),
            Db::Postgres { url, schema, .. } => format!("PostgreSQL {} (schema {schema})", redact_url(url)),
        }
    }

    /// Creates `tables` (`CREATE … IF NOT EXISTS` statements) when missing; several processes
    /// at once on PostgreSQL take turns under an advisory lock named after `what`.
    pub fn create(&self, what: &str, tables: &str) -> Result<(), SqlError> {
        match self {
            Db::Sqlite { conn, .. } => {
                let conn = conn.lock().unwrap_or_else(|p| p.into_inner());
                locked_retry(|| conn.execute_batch(tables)).map_err(sqlite_err)
            }
            Db::Postgres { schema, .. } => self.with_pg(|c| {
                c.batch_execute(&format!(
                    "BEGIN; SELECT pg_advisory_xact_lock(hashtext('mailroom-{what}-{schema}')); CREATE SCHEMA IF NOT EXISTS {schema}; SET LOCAL search_path TO {schema}; {tables} COMMIT;"
                ))
            }),
        }
    }

    /// PostgreSQL only: takes the session-level advisory lock `name` if it is free (held until
    /// [`Db::unlock`] or until this connection ends, with the process). `None` on SQLite,
    /// which has no such lock.
    pub fn try_lock(&self, name: &str) -> Result<Option<bool>, SqlError> {
        match self {
            Db::Sqlite { .. } => Ok(None),
            Db::Postgres { .. } => self.with_pg(|c| c.query_one("SELECT pg_try_advisory_lock(hashtext($1))", &[&name]).map(|r| r.get::<_, bool>(0))).map(Some),
        }
    }

    /// Releases what [`Db::try_lock`] took.
    pub fn unlock(&self, name: &str) -> Result<(), SqlError> {
        match self {
            Db::Sqlite { .. } => Ok(()),
            Db::Postgres { .. } => self.with_pg(|c| c.query_one("SELECT pg_advisory_unlock(hashtext($1))", &[&name]).map(|_| ())),
        }
    }

    fn with_pg<T>(&self, f: impl Fn(&mut postgres::Client) -> Result<T, postgres::Error>) -> Result<T, SqlError> {
        let Db::Postgres { url, schema, client } = self else { unreachable!("only called on PostgreSQL") };
        let mut slot = client.lock().unwrap_or_else(|p| p.into_inner());
        if slot.as_ref().map(|c| c.is_closed()).unwrap_or(true) {
            let mut c = postgres::Client::connect(url, postgres::NoTls).map_err(|e| SqlError(format!("cannot connect to {}: {e}", redact_url(url))))?;
            c.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}; SET search_path TO {schema}")).map_err(pg_err)?;
            *slot = Some(c);
        }
        let c = slot.as_mut().expect("connected just now");
        let r = f(c);
        if r.is_err() && c.is_closed() {
            *slot = None;
        }
        r.map_err(pg_err)
    }

    /// Runs a statement; returns the rows changed.
    pub fn exec(&self, sql: &str, params: &[Option<&str>]) -> Result<usize, SqlError> {
        match self {
            Db::Sqlite { conn, .. } => conn.lock().unwrap_or_else(|p| p.into_inner()).execute(sql, rusqlite::params_from_iter(params.iter())).map_err(sqlite_err),
            Db::Postgres { .. } => {
                let sql = dollar(sql);
                self.with_pg(|c| {
                    let p: Vec<&(dyn postgres::types::ToSql + Sync)> = params.iter().map(|v| v as &(dyn postgres::types::ToSql + Sync)).collect();
                    c.execute(sql.as_str(), &p)
                })
                .map(|n| n as usize)
            }
        }
    }

    /// Runs a query; every column comes back as text.
    pub fn query(&self, sql: &str, params: &[Option<&str>]) -> Result<Vec<Vec<Option<String>>>, SqlError> {
        match self {
            Db::Sqlite { conn, .. } => {
                let conn = conn.lock().unwrap_or_else(|p| p.into_inner());
                let mut stmt = conn.prepare(sql).map_err(sqlite_err)?;
                let n = stmt.column_count();
                let rows = stmt
                    .query_map(rusqlite::params_from_iter(params.iter()), |r| {
                        (0..n)
                            .map(|i| {
                                Ok(match r.get::<_, rusqlite::types::Value>(i)? {
                                    rusqlite::types::Value::Null => None,
                                    rusqlite::types::Value::Integer(v) => Some(v.to_string()),
                                    rusqlite::types::Value::Real(v) => Some(v.to_string()),
                                    rusqlite::types::Value::Text(v) => Some(v),
                                    rusqlite::types::Value::Blob(v) => Some(String::from_utf8_lossy(&v).into_owned()),
                                })
                            })
                            .collect::<rusqlite::Result<Vec<_>>>()
                    })
                    .map_err(sqlite_err)?;
                rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sqlite_err)
            }
            Db::Postgres { .. } => {
                let sql = dollar(sql);
                let rows = self.with_pg(|c| {
                    let p: Vec<&(dyn postgres::types::ToSql + Sync)> = params.iter().map(|v| v as &(dyn postgres::types::ToSql + Sync)).collect();
                    c.query(sql.as_str(), &p)
                })?;
                Ok(rows.iter().map(|r| (0..r.len()).map(|i| r.get::<_, Option<String>>(i)).collect()).collect())
            }
        }
    }
}
