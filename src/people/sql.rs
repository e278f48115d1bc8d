//! The two databases people live in, behind one small interface: statements with `?N`
//! parameters, every value text. Users and sessions are a handful of rows; plain text columns
//! keep the SQL the same on both.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::PeopleError;
use crate::redact::redact_url;

pub enum Db {
    Sqlite { path: PathBuf, conn: Mutex<rusqlite::Connection> },
    Postgres { url: String, schema: String, client: Box<Mutex<Option<postgres::Client>>> },
}

const TABLES: &str = "
CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL, doc_types TEXT, disabled TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (token_hash TEXT PRIMARY KEY, user_name TEXT NOT NULL, csrf TEXT NOT NULL, created_at TEXT NOT NULL, last_seen TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_name);
CREATE TABLE IF NOT EXISTS security_log (at TEXT NOT NULL, event TEXT NOT NULL, user_name TEXT NOT NULL, addr TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS security_log_at ON security_log (at);
CREATE INDEX IF NOT EXISTS security_log_failures ON security_log (event, at);
";

fn sqlite_err(e: rusqlite::Error) -> PeopleError {
    PeopleError::Db(e.to_string())
}

fn pg_err(e: postgres::Error) -> PeopleError {
    match e.as_db_error() {
        Some(d) => PeopleError::Db(format!("{}: {}", d.severity(), d.message())),
        None => PeopleError::Db(e.to_string()),
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
    pub fn sqlite(path: &Path) -> Result<Db, PeopleError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| PeopleError::Db(format!("{}: {e}", dir.display())))?;
        }
        let conn = rusqlite::Connection::open(path).map_err(sqlite_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(sqlite_err)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(sqlite_err)?;
        Ok(Db::Sqlite { path: path.to_path_buf(), conn: Mutex::new(conn) })
    }

    pub fn postgres(url: &str, schema: &str) -> Result<Db, PeopleError> {
        if schema.is_empty() || !schema.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(PeopleError::Db(format!("'{schema}' is not a plain schema name")));
        }
        Ok(Db::Postgres { url: url.to_string(), schema: schema.to_string(), client: Box::new(Mutex::new(None)) })
    }

    pub fn describe(&self) -> String {
        match self {
            Db::Sqlite { path, .. } => format!("SQLite {}", path.display()),
            Db::Postgres { url, schema, .. } => format!("PostgreSQL {} (schema {schema})", redact_url(url)),
        }
    }

    /// Creates the tables when missing (several processes at once: under an advisory lock).
    pub fn migrate(&self) -> Result<(), PeopleError> {
        match self {
            Db::Sqlite { conn, .. } => conn.lock().unwrap_or_else(|p| p.into_inner()).execute_batch(TABLES).map_err(sqlite_err),
            Db::Postgres { schema, .. } => self.with_pg(|c| {
                c.batch_execute(&format!(
                    "BEGIN; SELECT pg_advisory_xact_lock(hashtext('mailroom-people-{schema}')); CREATE SCHEMA IF NOT EXISTS {schema}; SET LOCAL search_path TO {schema}; {TABLES} COMMIT;"
                ))
            }),
        }
    }

    fn with_pg<T>(&self, f: impl Fn(&mut postgres::Client) -> Result<T, postgres::Error>) -> Result<T, PeopleError> {
        let Db::Postgres { url, schema, client } = self else { unreachable!("only called on PostgreSQL") };
        let mut slot = client.lock().unwrap_or_else(|p| p.into_inner());
        if slot.as_ref().map(|c| c.is_closed()).unwrap_or(true) {
            let mut c = postgres::Client::connect(url, postgres::NoTls).map_err(|e| PeopleError::Db(format!("cannot connect to {}: {e}", redact_url(url))))?;
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
    pub fn exec(&self, sql: &str, params: &[Option<&str>]) -> Result<usize, PeopleError> {
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
    pub fn query(&self, sql: &str, params: &[Option<&str>]) -> Result<Vec<Vec<Option<String>>>, PeopleError> {
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
