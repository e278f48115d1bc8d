//! People: the users of the review UI, their roles and the document types they may see, their
//! sessions, and the security log of logins.
//!
//! * **Where.** Beside the catalog: a SQLite file next to it in embedded mode
//!   (`.mailroom-people.sqlite`), the catalog's PostgreSQL schema in production (so that several
//!   UI replicas share sessions). Not in the archive: users and sessions are operational data,
//!   backed up with the database (README, "Users and the review UI").
//! * **Passwords** are stored as Argon2id PHC strings (the `argon2` crate's defaults: 19 MiB,
//!   2 passes), never in clear, never logged.
//! * **Sessions** are 256-bit random tokens; the database keeps only their SHA-256, so reading
//!   the table gives no session away. Each carries its own CSRF token.
//! * **The security log** (logins, failed logins, logouts, user changes) has its own short
//!   retention (`[ui] security_log_days`) and never enters the ten-year audit chain (DSGVO:
//!   IP addresses and failed user names are personal data that need no ten years).

use std::str::FromStr;
use std::sync::Arc;

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::index::DocType;
pub use crate::sqldb::Db;
use crate::sqldb::SqlError;

/// What a person may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Checks, corrects, approves, rejects and postpones documents.
    Reviewer,
    /// Reads everything, the audit trail included; changes nothing.
    Auditor,
    /// Manages users, legal holds and retention approvals; reviews as well.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Reviewer, Role::Auditor, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reviewer => "reviewer",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }

    /// May change documents (correct, approve, reject, postpone).
    pub fn may_review(self) -> bool {
        matches!(self, Role::Reviewer | Role::Admin)
    }

    /// May manage users.
    pub fn may_administer(self) -> bool {
        self == Role::Admin
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Role, String> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| format!("unknown role '{s}': one of reviewer, auditor, admin"))
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A user of the review UI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    pub name: String,
    pub role: Role,
    /// The document types this user may see; `None`: all of them (and the quarantine, whose
    /// documents have no type yet).
    pub doc_types: Option<Vec<DocType>>,
    pub disabled: bool,
    pub created_at: String,
    /// The departments the user belongs to: the approval steps given by a department
    /// (`[[review.approvals]] approved_by`) wait in their queue.
    pub departments: Vec<String>,
}

impl User {
    /// Whether the user may see a document of this type (`None`: not typed, e.g. quarantined).
    pub fn may_see(&self, doc_type: Option<DocType>) -> bool {
        match (&self.doc_types, doc_type) {
            (None, _) => true,
            (Some(allowed), Some(t)) => allowed.contains(&t),
            (Some(_), None) => false,
        }
    }
}

/// A user name: what people type at the login, so letters, digits and `.-_@` only.
pub fn valid_name(name: &str) -> Result<&str, String> {
    let ok = !name.is_empty() && name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'));
    if ok {
        Ok(name)
    } else {
        Err(format!("'{name}' is not a user name: 1–64 letters, digits, '.', '-', '_' or '@'"))
    }
}

/// Shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum PeopleError {
    #[error("user database error: {0}")]
    Db(String),
    #[error("{0}")]
    Invalid(String),
    #[error("no user named '{0}' (see mailroom user list)")]
    NoSuchUser(String),
    #[error("a user named '{0}' exists already")]
    Exists(String),
}

/// Hashes a password with Argon2id and a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, PeopleError> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(PeopleError::Invalid(format!("the password must have at least {MIN_PASSWORD_LEN} characters")));
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| PeopleError::Invalid(format!("cannot hash the password: {e}")))
}

/// Whether `password` matches the stored PHC string (constant time inside argon2).
pub fn password_matches(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok()).unwrap_or(false)
}

/// A random token: 32 bytes from the OS, hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).expect("the OS random source is available");
    hex::encode(bytes)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A logged-in session, as found by its token.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    /// Sent with every state-changing request (form field or `X-CSRF-Token` header).
    pub csrf: String,
    pub created_at: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

/// What goes to the security log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityEvent {
    Login,
    LoginFailed,
    LoginThrottled,
    Logout,
    SessionExpired,
    UserAdded,
    UserDisabled,
    UserEnabled,
    PasswordChanged,
    AccessDenied,
    ApiTokenCreated,
    ApiTokensRevoked,
    DepartmentsChanged,
}

impl SecurityEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            SecurityEvent::Login => "login",
            SecurityEvent::LoginFailed => "login_failed",
            SecurityEvent::LoginThrottled => "login_throttled",
            SecurityEvent::Logout => "logout",
            SecurityEvent::SessionExpired => "session_expired",
            SecurityEvent::UserAdded => "user_added",
            SecurityEvent::UserDisabled => "user_disabled",
            SecurityEvent::UserEnabled => "user_enabled",
            SecurityEvent::PasswordChanged => "password_changed",
            SecurityEvent::ApiTokenCreated => "api_token_created",
            SecurityEvent::ApiTokensRevoked => "api_tokens_revoked",
            SecurityEvent::DepartmentsChanged => "departments_changed",
            SecurityEvent::AccessDenied => "access_denied",
        }
    }
}

/// One line of the security log.
#[derive(Debug, Clone, Serialize)]
pub struct LogLine {
    pub at: String,
    pub event: String,
    pub user: String,
    pub addr: String,
    pub detail: String,
}

/// How long sessions live and how failed logins are throttled.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    /// A session unused this long ends.
    pub idle: Duration,
    /// A session ends this long after its login, used or not.
    pub max_age: Duration,
    /// Failed logins (per user name, and per address) within `throttle_window` before further
    /// attempts are refused until the window has passed.
    pub max_failures: u32,
    pub throttle_window: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy { idle: Duration::minutes(30), max_age: Duration::hours(12), max_failures: 5, throttle_window: Duration::minutes(15) }
    }
}

/// Why a login did not give a session. The UI shows one message for the first two, so that a
/// stranger cannot tell which user names exist.
#[derive(Debug, PartialEq, Eq)]
pub enum LoginRefused {
    BadCredentials,
    Disabled,
    /// Too many failures lately: try again in this many minutes.
    Throttled(i64),
}

const TABLES: &str = "
CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL, doc_types TEXT, disabled TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (token_hash TEXT PRIMARY KEY, user_name TEXT NOT NULL, csrf TEXT NOT NULL, created_at TEXT NOT NULL, last_seen TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_name);
CREATE TABLE IF NOT EXISTS security_log (at TEXT NOT NULL, event TEXT NOT NULL, user_name TEXT NOT NULL, addr TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS security_log_at ON security_log (at);
CREATE INDEX IF NOT EXISTS security_log_failures ON security_log (event, at);
CREATE TABLE IF NOT EXISTS user_departments (user_name TEXT NOT NULL, department TEXT NOT NULL, PRIMARY KEY (user_name, department));
CREATE TABLE IF NOT EXISTS api_tokens (token_hash TEXT PRIMARY KEY, user_name TEXT NOT NULL, label TEXT NOT NULL, created_at TEXT NOT NULL);
";

impl From<SqlError> for PeopleError {
    fn from(e: SqlError) -> PeopleError {
        PeopleError::Db(e.0)
    }
}

/// The users, sessions and security log, on SQLite or PostgreSQL.
pub struct People {
    db: Db,
    pub policy: SessionPolicy,
}

const TS: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";

fn ts(t: DateTime<Utc>) -> String {
    t.format(TS).to_string()
}

fn parse_ts(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).map(|d| d.with_timezone(&Utc)).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

fn row_user(r: &[Option<String>]) -> Result<(User, String), PeopleError> {
    let get = |i: usize| r.get(i).cloned().flatten().unwrap_or_default();
    let role = Role::from_str(&get(1)).map_err(PeopleError::Db)?;
    let types = get(3);
    let doc_types = if types.is_empty() { None } else { Some(types.split(',').filter_map(DocType::from_name).collect()) };
    Ok((User { name: get(0), role, doc_types, disabled: get(4) == "1", created_at: get(5), departments: Vec::new() }, get(2)))
}

impl People {
    pub fn new(db: Db, policy: SessionPolicy) -> Result<People, PeopleError> {
        db.create("people", TABLES)?;
        Ok(People { db, policy })
    }

    pub fn describe(&self) -> String {
        self.db.describe()
    }

    /// Adds a user with a password (hashed here).
    pub fn add(&self, name: &str, role: Role, doc_types: Option<&[DocType]>, password: &str) -> Result<User, PeopleError> {
        valid_name(name).map_err(PeopleError::Invalid)?;
        if self.user(name)?.is_some() {
            return Err(PeopleError::Exists(name.to_string()));
        }
        let hash = hash_password(password)?;
        let types = doc_types.map(|t| t.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(","));
        let now = ts(Utc::now());
        self.db.exec(
            "INSERT INTO users (name, role, password_hash, doc_types, disabled, created_at) VALUES (?1, ?2, ?3, ?4, '0', ?5)",
            &[Some(name), Some(role.as_str()), Some(&hash), types.as_deref(), Some(&now)],
        )?;
        Ok(User { name: name.to_string(), role, doc_types: doc_types.map(<[DocType]>::to_vec), disabled: false, created_at: now, departments: Vec::new() })
    }

    /// The departments `name` belongs to, in name order.
    fn departments_of(&self, name: &str) -> Result<Vec<String>, PeopleError> {
        let rows = self.db.query("SELECT department FROM user_departments WHERE user_name = ?1 ORDER BY department", &[Some(name)])?;
        Ok(rows.into_iter().filter_map(|r| r.into_iter().next().flatten()).collect())
    }

    /// Sets the departments a user belongs to (none: in no department).
    pub fn set_departments(&self, name: &str, departments: &[String]) -> Result<Vec<String>, PeopleError> {
        if self.user(name)?.is_none() {
            return Err(PeopleError::NoSuchUser(name.to_string()));
        }
        let mut clean: Vec<String> = departments.iter().map(|d| crate::review::valid_department(d).map_err(PeopleError::Invalid)).collect::<Result<_, _>>()?;
        clean.sort();
        clean.dedup();
        self.db.exec("DELETE FROM user_departments WHERE user_name = ?1", &[Some(name)])?;
        for d in &clean {
            self.db.exec("INSERT INTO user_departments (user_name, department) VALUES (?1, ?2)", &[Some(name), Some(d)])?;
        }
        Ok(clean)
    }

    pub fn user(&self, name: &str) -> Result<Option<User>, PeopleError> {
        Ok(self.user_with_hash(name)?.map(|(u, _)| u))
    }

    fn user_with_hash(&self, name: &str) -> Result<Option<(User, String)>, PeopleError> {
        let rows = self.db.query("SELECT name, role, password_hash, doc_types, disabled, created_at FROM users WHERE name = ?1", &[Some(name)])?;
        let Some((mut user, hash)) = rows.first().map(|r| row_user(r)).transpose()? else { return Ok(None) };
        user.departments = self.departments_of(&user.name)?;
        Ok(Some((user, hash)))
    }

    pub fn users(&self) -> Result<Vec<User>, PeopleError> {
        let rows = self.db.query("SELECT name, role, password_hash, doc_types, disabled, created_at FROM users ORDER BY name", &[])?;
        let mut users: Vec<User> = rows.iter().map(|r| row_user(r).map(|(u, _)| u)).collect::<Result<_, _>>()?;
        for u in &mut users {
            u.departments = self.departments_of(&u.name)?;
        }
        Ok(users)
    }

    /// Disables or enables a user; disabling also ends their sessions.
    pub fn set_disabled(&self, name: &str, disabled: bool) -> Result<(), PeopleError> {
        let n = self.db.exec("UPDATE users SET disabled = ?2 WHERE name = ?1", &[Some(name), Some(if disabled { "1" } else { "0" })])?;
        if n == 0 {
            return Err(PeopleError::NoSuchUser(name.to_string()));
        }
        if disabled {
            self.db.exec("DELETE FROM sessions WHERE user_name = ?1", &[Some(name)])?;
        }
        Ok(())
    }

    /// Sets a new password; ends the user's sessions.
    pub fn set_password(&self, name: &str, password: &str) -> Result<(), PeopleError> {
        let hash = hash_password(password)?;
        let n = self.db.exec("UPDATE users SET password_hash = ?2 WHERE name = ?1", &[Some(name), Some(&hash)])?;
        if n == 0 {
            return Err(PeopleError::NoSuchUser(name.to_string()));
        }
        self.db.exec("DELETE FROM sessions WHERE user_name = ?1", &[Some(name)])?;
        Ok(())
    }

    /// Checks a login and opens a session: `(token for the cookie, session)`. Every attempt is
    /// written to the security log; too many failures for the name or the address in the
    /// throttle window refuse further attempts without looking at the password.
    pub fn login(&self, name: &str, password: &str, addr: &str) -> Result<Result<(String, Session), LoginRefused>, PeopleError> {
        let now = Utc::now();
        let since = ts(now - self.policy.throttle_window);
        let failures = self
            .db
            .query("SELECT CAST(count(*) AS TEXT), min(at) FROM security_log WHERE event = 'login_failed' AND at >= ?1 AND (user_name = ?2 OR addr = ?3)", &[Some(&since), Some(name), Some(addr)])?;
        let count: u32 = failures.first().and_then(|r| r[0].as_deref()).and_then(|c| c.parse().ok()).unwrap_or(0);
        if count >= self.policy.max_failures {
            let oldest = failures.first().and_then(|r| r[1].as_deref()).map(parse_ts).unwrap_or(now);
            let wait = ((oldest + self.policy.throttle_window) - now).num_minutes() + 1;
            self.log(SecurityEvent::LoginThrottled, name, addr, &format!("{count} failed logins in {} minutes", self.policy.throttle_window.num_minutes()))?;
            return Ok(Err(LoginRefused::Throttled(wait.max(1))));
        }
        let Some((user, hash)) = self.user_with_hash(name)? else {
            // Spend the same time as a real check, so that timing does not tell which names exist.
            let _ = password_matches(password, "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
            self.log(SecurityEvent::LoginFailed, name, addr, "unknown user")?;
            return Ok(Err(LoginRefused::BadCredentials));
        };
        if !password_matches(password, &hash) {
            self.log(SecurityEvent::LoginFailed, name, addr, "wrong password")?;
            return Ok(Err(LoginRefused::BadCredentials));
        }
        if user.disabled {
            self.log(SecurityEvent::LoginFailed, name, addr, "user disabled")?;
            return Ok(Err(LoginRefused::Disabled));
        }
        let token = random_token();
        let csrf = random_token();
        self.db.exec("INSERT INTO sessions (token_hash, user_name, csrf, created_at, last_seen) VALUES (?1, ?2, ?3, ?4, ?4)", &[Some(&token_hash(&token)), Some(name), Some(&csrf), Some(&ts(now))])?;
        self.log(SecurityEvent::Login, name, addr, "")?;
        Ok(Ok((token, Session { user, csrf, created_at: now, last_seen: now })))
    }

    /// The live session a cookie's token belongs to. An idle or too old session is ended here
    /// (and logged); a disabled user has none. Refreshes `last_seen` at most once a minute.
    pub fn session(&self, token: &str, addr: &str) -> Result<Option<Session>, PeopleError> {
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let hash = token_hash(token);
        let rows = self.db.query("SELECT user_name, csrf, created_at, last_seen FROM sessions WHERE token_hash = ?1", &[Some(&hash)])?;
        let Some(r) = rows.first() else { return Ok(None) };
        let (name, csrf) = (r[0].clone().unwrap_or_default(), r[1].clone().unwrap_or_default());
        let (created_at, last_seen) = (parse_ts(r[2].as_deref().unwrap_or("")), parse_ts(r[3].as_deref().unwrap_or("")));
        let now = Utc::now();
        if now - last_seen > self.policy.idle || now - created_at > self.policy.max_age {
            self.db.exec("DELETE FROM sessions WHERE token_hash = ?1", &[Some(&hash)])?;
            self.log(SecurityEvent::SessionExpired, &name, addr, if now - last_seen > self.policy.idle { "idle" } else { "too old" })?;
            return Ok(None);
        }
        let Some(user) = self.user(&name)?.filter(|u| !u.disabled) else {
            self.db.exec("DELETE FROM sessions WHERE token_hash = ?1", &[Some(&hash)])?;
            return Ok(None);
        };
        if now - last_seen > Duration::minutes(1) {
            self.db.exec("UPDATE sessions SET last_seen = ?2 WHERE token_hash = ?1", &[Some(&hash), Some(&ts(now))])?;
        }
        Ok(Some(Session { user, csrf, created_at, last_seen: now }))
    }

    /// A new API token for `name` (shown once; the database keeps its SHA-256): the REST API
    /// acts with the user's role and document types. Written to the security log.
    pub fn new_api_token(&self, name: &str, label: &str) -> Result<String, PeopleError> {
        self.user(name)?.ok_or_else(|| PeopleError::NoSuchUser(name.to_string()))?;
        let token = random_token();
        self.db.exec("INSERT INTO api_tokens (token_hash, user_name, label, created_at) VALUES (?1, ?2, ?3, ?4)", &[Some(&token_hash(&token)), Some(name), Some(label), Some(&ts(Utc::now()))])?;
        self.log(SecurityEvent::ApiTokenCreated, name, "cli", label)?;
        Ok(token)
    }

    /// Revokes every API token of `name`.
    pub fn revoke_api_tokens(&self, name: &str) -> Result<usize, PeopleError> {
        let n = self.db.exec("DELETE FROM api_tokens WHERE user_name = ?1", &[Some(name)])?;
        self.log(SecurityEvent::ApiTokensRevoked, name, "cli", &n.to_string())?;
        Ok(n)
    }

    /// The user an API token belongs to, unless disabled.
    pub fn api_user(&self, token: &str) -> Result<Option<User>, PeopleError> {
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let rows = self.db.query("SELECT user_name FROM api_tokens WHERE token_hash = ?1", &[Some(&token_hash(token))])?;
        let Some(name) = rows.first().and_then(|r| r.first().cloned().flatten()) else { return Ok(None) };
        Ok(self.user(&name)?.filter(|u| !u.disabled))
    }

    /// Ends a session (logout).
    pub fn logout(&self, token: &str, name: &str, addr: &str) -> Result<(), PeopleError> {
        self.db.exec("DELETE FROM sessions WHERE token_hash = ?1", &[Some(&token_hash(token))])?;
        self.log(SecurityEvent::Logout, name, addr, "")
    }

    /// Writes a line to the security log.
    pub fn log(&self, event: SecurityEvent, user: &str, addr: &str, detail: &str) -> Result<(), PeopleError> {
        self.db
            .exec("INSERT INTO security_log (at, event, user_name, addr, detail) VALUES (?1, ?2, ?3, ?4, ?5)", &[Some(&ts(Utc::now())), Some(event.as_str()), Some(user), Some(addr), Some(detail)])?;
        Ok(())
    }

    /// The security log, newest first.
    pub fn log_lines(&self, limit: usize) -> Result<Vec<LogLine>, PeopleError> {
        let rows = self.db.query(&format!("SELECT at, event, user_name, addr, detail FROM security_log ORDER BY at DESC LIMIT {limit}"), &[])?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let g = |i: usize| r[i].clone().unwrap_or_default();
                LogLine { at: g(0), event: g(1), user: g(2), addr: g(3), detail: g(4) }
            })
            .collect())
    }

    /// Deletes security log lines older than `days` and sessions past their lifetime; returns
    /// the number of log lines removed.
    pub fn prune(&self, days: u32) -> Result<usize, PeopleError> {
        let now = Utc::now();
        let n = self.db.exec("DELETE FROM security_log WHERE at < ?1", &[Some(&ts(now - Duration::days(i64::from(days))))])?;
        self.db.exec("DELETE FROM sessions WHERE last_seen < ?1 OR created_at < ?2", &[Some(&ts(now - self.policy.idle)), Some(&ts(now - self.policy.max_age))])?;
        Ok(n)
    }
}

/// Shared by the UI's request handlers.
pub type SharedPeople = Arc<People>;

#[cfg(test)]
mod tests {
    use super::*;

    fn people() -> (tempfile::TempDir, People) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::sqlite(&dir.path().join("people.sqlite")).unwrap();
        (dir, People::new(db, SessionPolicy::default()).unwrap())
    }

    #[test]
    fn passwords_are_argon2id_and_checked() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(password_matches("correct horse battery", &h));
        assert!(!password_matches("correct horse batterz", &h));
        assert!(hash_password("kurz").is_err());
    }

    #[test]
    fn a_login_opens_a_session_that_logout_ends() {
        let (_d, p) = people();
        p.add("anna", Role::Reviewer, Some(&[DocType::Invoice]), "anna-passwort-1").unwrap();
        assert!(matches!(p.add("anna", Role::Admin, None, "anna-passwort-2"), Err(PeopleError::Exists(_))));
        assert_eq!(p.login("anna", "falsch-falsch-1", "127.0.0.1").unwrap().unwrap_err(), LoginRefused::BadCredentials);
        assert_eq!(p.login("niemand", "falsch-falsch-1", "127.0.0.1").unwrap().unwrap_err(), LoginRefused::BadCredentials);
        let (token, s) = p.login("anna", "anna-passwort-1", "127.0.0.1").unwrap().unwrap();
        assert_eq!(s.user.role, Role::Reviewer);
        assert!(s.user.may_see(Some(DocType::Invoice)) && !s.user.may_see(Some(DocType::Contract)) && !s.user.may_see(None));
        let again = p.session(&token, "127.0.0.1").unwrap().expect("the session is found by its token");
        assert_eq!(again.csrf, s.csrf);
        assert!(p.session(&random_token(), "127.0.0.1").unwrap().is_none());
        p.logout(&token, "anna", "127.0.0.1").unwrap();
        assert!(p.session(&token, "127.0.0.1").unwrap().is_none());
        let events: Vec<String> = p.log_lines(10).unwrap().into_iter().map(|l| l.event).collect();
        assert_eq!(events.iter().filter(|e| *e == "login_failed").count(), 2);
        assert!(events.contains(&"login".to_string()) && events.contains(&"logout".to_string()));
        // The log holds no password.
        assert!(!p.log_lines(10).unwrap().iter().any(|l| l.detail.contains("falsch")));
    }

    #[test]
    fn failed_logins_are_throttled_and_disabled_users_locked_out() {
        let (_d, p) = people();
        p.add("ben", Role::Auditor, None, "ben-passwort-12").unwrap();
        for _ in 0..5 {
            assert_eq!(p.login("ben", "geraten-123456", "10.0.0.9").unwrap().unwrap_err(), LoginRefused::BadCredentials);
        }
        assert!(matches!(p.login("ben", "ben-passwort-12", "10.0.0.9").unwrap().unwrap_err(), LoginRefused::Throttled(m) if m >= 1), "even the right password waits");
        let (_d, p) = people();
        p.add("ben", Role::Auditor, None, "ben-passwort-12").unwrap();
        let (token, _) = p.login("ben", "ben-passwort-12", "10.0.0.9").unwrap().unwrap();
        p.set_disabled("ben", true).unwrap();
        assert!(p.session(&token, "10.0.0.9").unwrap().is_none(), "disabling ends the sessions");
        assert_eq!(p.login("ben", "ben-passwort-12", "10.0.0.9").unwrap().unwrap_err(), LoginRefused::Disabled);
        p.set_disabled("ben", false).unwrap();
        p.set_password("ben", "ein-neues-passwort").unwrap();
        assert!(p.login("ben", "ein-neues-passwort", "10.0.0.9").unwrap().is_ok());
    }

    /// The production home: the catalog's PostgreSQL database (127.0.0.1:5432, database
    /// `test`), in a schema of its own.
    #[test]
    fn people_live_in_postgres_too() {
        let url = std::env::var("MAILROOM_TEST_DATABASE_URL").unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432/test".into());
        let schema = format!("mailroom_people_{}", std::process::id());
        let p = People::new(Db::postgres(&url, &schema).unwrap(), SessionPolicy::default()).expect("PostgreSQL must run on 127.0.0.1:5432 (see scripts/services.sh)");
        p.add("dora", Role::Reviewer, Some(&[DocType::Invoice, DocType::Receipt]), "dora-passwort-12").unwrap();
        assert_eq!(p.user("dora").unwrap().unwrap().doc_types, Some(vec![DocType::Invoice, DocType::Receipt]));
        assert_eq!(p.login("dora", "falsch-falsch-12", "10.1.1.1").unwrap().unwrap_err(), LoginRefused::BadCredentials);
        let (token, s) = p.login("dora", "dora-passwort-12", "10.1.1.1").unwrap().unwrap();
        assert_eq!(p.session(&token, "10.1.1.1").unwrap().unwrap().csrf, s.csrf);
        // A second process (another UI replica) finds the same session.
        let other = People::new(Db::postgres(&url, &schema).unwrap(), SessionPolicy::default()).unwrap();
        assert!(other.session(&token, "10.1.1.2").unwrap().is_some());
        assert_eq!(p.log_lines(10).unwrap().len(), 2);
        assert_eq!(p.prune(90).unwrap(), 0);
        p.db.exec(&format!("DROP SCHEMA {schema} CASCADE"), &[]).unwrap();
    }

    #[test]
    fn idle_sessions_end() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::sqlite(&dir.path().join("people.sqlite")).unwrap();
        let p = People::new(db, SessionPolicy { idle: Duration::zero(), ..SessionPolicy::default() }).unwrap();
        p.add("cleo", Role::Admin, None, "cleo-passwort-1").unwrap();
        let (token, _) = p.login("cleo", "cleo-passwort-1", "::1").unwrap().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert!(p.session(&token, "::1").unwrap().is_none());
        assert!(p.log_lines(5).unwrap().iter().any(|l| l.event == "session_expired" && l.detail == "idle"));
    }
}
