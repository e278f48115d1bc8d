//! IMAP intake (`mailroom fetch-mail`, `[[intake.imap]]`): the invoice inbox.
//!
//! Per mailbox and folder, mailroom remembers the folder's UIDVALIDITY and the last UID it
//! has dealt with (stored, or left alone by a rule), so that no message is fetched twice —
//! messages without documents neither. Each run:
//!
//! 1. takes the mailbox's lock (PostgreSQL advisory lock in production, a file lock beside the
//!    archive embedded): one fetcher per mailbox at a time, whichever worker runs it;
//! 2. per folder: `SELECT`; a changed UIDVALIDITY starts the folder over (the archive's
//!    idempotency keeps that from storing anything twice); nothing new (`UIDNEXT`) means no
//!    `SEARCH` and no `FETCH`; else `UID SEARCH UID n:*` (and `SINCE` for `max_age_days`);
//! 3. fetches the new messages in bounded UID batches (`batch`, default 100: no "command line
//!    too long" on big mailboxes), whole (`BODY.PEEK[]`, so nothing is marked read by the
//!    fetch);
//! 4. checks each against the rules; one they exclude is left untouched (not stored, no
//!    action); every other is delivered whole — the e-mail is one unit, its attachments
//!    documents of their own — and only once it is durably stored (processed or quarantined
//!    embedded, stored and queued in production) does the configured action happen (move,
//!    keyword, seen, delete); a broken message is quarantined with its reason and still gets
//!    the action, since its bytes are stored;
//! 5. remembers the batch's last UID. A crash between storage and that point fetches the batch
//!    again next time; the archive stores nothing twice.
//!
//! A message whose storage fails stops the folder there (nothing after it is remembered as
//! dealt with), so it is tried again; a failed action is counted and logged, and the message is
//! not fetched again (its UID is remembered).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_imap::{Client, Session};
use futures_lite::StreamExt;
use globset::{Glob, GlobMatcher};
use mail_parser::MimeHeaders;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use serde::Serialize;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use super::sink::{Delivered, Sink};
use crate::config::{MailAction, MailSecurity, MailboxConfig};
use crate::document::Document;
use crate::index::Channel;
use crate::processor::Outcome;
use crate::sqldb::{Db, SqlError};

type Tls = TlsStream<TcpStream>;

const TABLES: &str = "CREATE TABLE IF NOT EXISTS imap_folders (mailbox TEXT NOT NULL, folder TEXT NOT NULL, uidvalidity TEXT NOT NULL, last_uid TEXT NOT NULL, last_success TEXT NOT NULL, PRIMARY KEY (mailbox, folder));";

#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    #[error("{mailbox}: cannot connect to {addr}: {message}")]
    Connect { mailbox: String, addr: String, message: String },
    #[error("{mailbox}: TLS: {0}", mailbox = .1)]
    Tls(String, String),
    #[error("{mailbox}: login refused for {user}: {message}")]
    Login { mailbox: String, user: String, message: String },
    #[error("{mailbox}: {message}")]
    Protocol { mailbox: String, message: String },
    #[error("{mailbox}: the mailbox positions cannot be read or written: {message}")]
    State { mailbox: String, message: String },
    #[error("{mailbox}: {message}")]
    Config { mailbox: String, message: String },
}

/// Where each mailbox's folders stand, and who is fetching it.
pub struct Positions {
    db: Db,
    /// Embedded: lock files live here (the archive folder).
    lock_dir: Option<PathBuf>,
}

/// Held while one fetcher works on a mailbox.
pub enum MailboxLock {
    File(std::fs::File),
    Advisory { db: Arc<Positions>, name: String },
}

impl Drop for MailboxLock {
    fn drop(&mut self) {
        if let MailboxLock::Advisory { db, name } = self {
            let _ = db.db.unlock(name);
        }
    }
}

impl Positions {
    /// The positions of a configuration: the catalog's PostgreSQL schema in production (with
    /// advisory locks), a SQLite file and lock files in the archive folder embedded.
    pub fn open(config: &crate::config::Config) -> Result<Positions, String> {
        let lock_dir = match &config.archive {
            crate::config::ArchiveConfig::Local { path } => Some(path.clone()),
            crate::config::ArchiveConfig::S3(_) => None,
        };
        Positions::new(config.state_db(".mailroom-imap.sqlite").map_err(|e| e.to_string())?, lock_dir).map_err(|e| e.to_string())
    }

    pub fn new(db: Db, lock_dir: Option<PathBuf>) -> Result<Positions, SqlError> {
        db.create("imap", TABLES)?;
        Ok(Positions { db, lock_dir })
    }

    /// `(uidvalidity, last uid)` of a folder, if it was fetched before.
    pub fn get(&self, mailbox: &str, folder: &str) -> Result<Option<(u32, u32)>, SqlError> {
        let rows = self.db.query("SELECT uidvalidity, last_uid FROM imap_folders WHERE mailbox = ?1 AND folder = ?2", &[Some(mailbox), Some(folder)])?;
        Ok(rows.first().and_then(|r| Some((r[0].as_deref()?.parse().ok()?, r[1].as_deref()?.parse().ok()?))))
    }

    pub fn set(&self, mailbox: &str, folder: &str, uidvalidity: u32, last_uid: u32) -> Result<(), SqlError> {
        let (v, u, now) = (uidvalidity.to_string(), last_uid.to_string(), chrono::Utc::now().to_rfc3339());
        let n = self
            .db
            .exec("UPDATE imap_folders SET uidvalidity = ?3, last_uid = ?4, last_success = ?5 WHERE mailbox = ?1 AND folder = ?2", &[Some(mailbox), Some(folder), Some(&v), Some(&u), Some(&now)])?;
        if n == 0 {
            self.db
                .exec("INSERT INTO imap_folders (mailbox, folder, uidvalidity, last_uid, last_success) VALUES (?1, ?2, ?3, ?4, ?5)", &[Some(mailbox), Some(folder), Some(&v), Some(&u), Some(&now)])?;
        }
        Ok(())
    }

    /// The mailbox's lock, if no other fetcher holds it.
    pub fn try_lock(self: &Arc<Self>, mailbox: &str) -> Result<Option<MailboxLock>, SqlError> {
        let name = format!("mailroom-imap-{mailbox}");
        match self.db.try_lock(&name)? {
            Some(true) => return Ok(Some(MailboxLock::Advisory { db: self.clone(), name })),
            Some(false) => return Ok(None),
            None => {}
        }
        let dir = self.lock_dir.clone().unwrap_or_else(std::env::temp_dir);
        std::fs::create_dir_all(&dir).map_err(|e| SqlError(format!("{}: {e}", dir.display())))?;
        let path = dir.join(format!(".{name}.lock"));
        let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(|e| SqlError(format!("{}: {e}", path.display())))?;
        // SAFETY: flock on a file descriptor this function owns; released when it closes.
        let rc = unsafe { libc::flock(std::os::fd::AsRawFd::as_raw_fd(&file), libc::LOCK_EX | libc::LOCK_NB) };
        Ok((rc == 0).then_some(MailboxLock::File(file)))
    }
}

/// What is known of a message before it is stored, for the rules.
#[derive(Debug, Default)]
struct Envelope {
    from: Vec<String>,
    to: Vec<String>,
    subject: String,
    body: String,
    attachments: Vec<String>,
}

impl Envelope {
    fn of(bytes: &[u8]) -> Envelope {
        std::panic::catch_unwind(|| {
            let Some(m) = mail_parser::MessageParser::default().parse(bytes) else { return Envelope::default() };
            let addresses = |a: Option<&mail_parser::Address>| -> Vec<String> { a.map(|a| a.iter().filter_map(|x| x.address().map(str::to_lowercase)).collect()).unwrap_or_default() };
            Envelope {
                from: addresses(m.from()),
                to: addresses(m.to()).into_iter().chain(addresses(m.cc())).collect(),
                subject: m.subject().unwrap_or("").to_string(),
                body: m.body_text(0).map(|b| b.to_lowercase()).unwrap_or_default(),
                attachments: m.attachments().filter_map(|a| a.attachment_name().map(str::to_string)).collect(),
            }
        })
        .unwrap_or_default()
    }
}

/// The rules of a mailbox, compiled.
pub struct Rules {
    from: Vec<GlobMatcher>,
    to: Vec<GlobMatcher>,
    subject: Vec<GlobMatcher>,
    body: Vec<String>,
    attachments: Vec<GlobMatcher>,
    exclude_attachments: Vec<GlobMatcher>,
}

fn globs(patterns: &[String]) -> Result<Vec<GlobMatcher>, String> {
    patterns.iter().map(|p| Glob::new(&p.to_lowercase()).map(|g| g.compile_matcher()).map_err(|e| format!("the pattern '{p}': {e}"))).collect()
}

impl Rules {
    pub fn new(cfg: &crate::config::MailRules) -> Result<Rules, String> {
        Ok(Rules {
            from: globs(&cfg.from)?,
            to: globs(&cfg.to)?,
            subject: globs(&cfg.subject)?,
            body: cfg.body.iter().map(|b| b.to_lowercase()).collect(),
            attachments: globs(&cfg.attachments)?,
            exclude_attachments: globs(&cfg.exclude_attachments)?,
        })
    }

    /// Whether a message is for mailroom: every rule given must match (within a rule, any of
    /// its patterns). Patterns are globs, case-insensitive; `body` entries are substrings.
    fn accepts(&self, e: &Envelope) -> bool {
        let any = |ms: &[GlobMatcher], values: &[String]| ms.is_empty() || values.iter().any(|v| ms.iter().any(|m| m.is_match(v.to_lowercase())));
        let subject = [e.subject.clone()];
        let names: Vec<String> = e.attachments.iter().filter(|n| !self.exclude_attachments.iter().any(|m| m.is_match(n.to_lowercase()))).cloned().collect();
        any(&self.from, &e.from)
            && any(&self.to, &e.to)
            && any(&self.subject, &subject)
            && (self.body.is_empty() || self.body.iter().any(|b| e.body.contains(b)))
            && (self.attachments.is_empty() || any(&self.attachments, &names) && !names.is_empty())
    }
}

/// What one folder gave in one run.
#[derive(Debug, Default, Clone, Serialize)]
pub struct FolderReport {
    pub folder: String,
    pub uidvalidity: u32,
    /// UIDVALIDITY changed since the last run: the folder was read again from the start.
    pub rescanned: bool,
    /// Messages fetched (new since the last run).
    pub fetched: usize,
    /// Of them, stored (processed or queued; duplicates of archived ones included).
    pub stored: usize,
    /// Of them, quarantined (broken messages; stored too).
    pub quarantined: usize,
    /// Left untouched by a rule.
    pub excluded: usize,
    /// Not stored (they are fetched again next time).
    pub failed: usize,
    /// Stored, but the action on them failed.
    pub action_failures: usize,
    /// `UID FETCH` commands sent, and message bytes received.
    pub fetch_commands: usize,
    pub bytes: u64,
    /// The last UID dealt with, remembered for the next run.
    pub last_uid: u32,
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct RunReport {
    pub mailbox: String,
    /// Another fetcher held the mailbox: this run did nothing.
    pub skipped_locked: bool,
    pub folders: Vec<FolderReport>,
    /// Whether the server offers IDLE (a loop then waits for news instead of polling).
    pub idle: bool,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, prometheus_client::encoding::EncodeLabelSet)]
pub struct MailboxLabel {
    pub mailbox: String,
}

/// Per mailbox: messages fetched, stored, excluded, failed, failed actions, and the time of
/// the last successful run — for `fetch-mail --loop --metrics-listen`.
pub struct MailboxMetrics {
    registry: prometheus_client::registry::Registry,
    fetched: Family<MailboxLabel, Counter>,
    stored: Family<MailboxLabel, Counter>,
    excluded: Family<MailboxLabel, Counter>,
    failed: Family<MailboxLabel, Counter>,
    action_failures: Family<MailboxLabel, Counter>,
    runs_failed: Family<MailboxLabel, Counter>,
    last_success: Family<MailboxLabel, Gauge>,
}

impl MailboxMetrics {
    pub fn new() -> Arc<MailboxMetrics> {
        let (fetched, stored, excluded, failed, action_failures, runs_failed, last_success) =
            (Family::default(), Family::default(), Family::default(), Family::default(), Family::default(), Family::default(), Family::default());
        let mut registry = prometheus_client::registry::Registry::with_prefix("mailroom_imap");
        registry.register("fetched", "Messages fetched", fetched.clone());
        registry.register("stored", "Messages stored (processed, quarantined or queued)", stored.clone());
        registry.register("excluded", "Messages a rule left untouched", excluded.clone());
        registry.register("failed", "Messages not stored (fetched again next run)", failed.clone());
        registry.register("action_failures", "Stored messages the action failed on", action_failures.clone());
        registry.register("runs_failed", "Runs that failed (connection, login, protocol)", runs_failed.clone());
        registry.register("last_success_timestamp_seconds", "When the last run succeeded (Unix time)", last_success.clone());
        Arc::new(MailboxMetrics { registry, fetched, stored, excluded, failed, action_failures, runs_failed, last_success })
    }

    pub fn record(&self, report: &RunReport) {
        let l = MailboxLabel { mailbox: report.mailbox.clone() };
        for f in &report.folders {
            self.fetched.get_or_create(&l).inc_by(f.fetched as u64);
            self.stored.get_or_create(&l).inc_by(f.stored as u64);
            self.excluded.get_or_create(&l).inc_by(f.excluded as u64);
            self.failed.get_or_create(&l).inc_by(f.failed as u64);
            self.action_failures.get_or_create(&l).inc_by(f.action_failures as u64);
        }
        if !report.skipped_locked {
            self.last_success.get_or_create(&l).set(chrono::Utc::now().timestamp());
        }
    }

    pub fn run_failed(&self, mailbox: &str) {
        self.runs_failed.get_or_create(&MailboxLabel { mailbox: mailbox.to_string() }).inc();
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// The TLS settings of a mailbox: the system's roots, or its private CA file.
fn tls_connector(cfg: &MailboxConfig) -> Result<tokio_rustls::TlsConnector, String> {
    let mut roots = rustls::RootCertStore::empty();
    match &cfg.ca_file {
        Some(path) => {
            use rustls::pki_types::pem::PemObject;
            let certs: Vec<_> =
                rustls::pki_types::CertificateDer::pem_file_iter(path).map_err(|e| format!("{}: {e}", path.display()))?.collect::<Result<_, _>>().map_err(|e| format!("{}: {e}", path.display()))?;
            if certs.is_empty() {
                return Err(format!("{} holds no certificate", path.display()));
            }
            for c in certs {
                roots.add(c).map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            for c in found.certs {
                let _ = roots.add(c);
            }
            if roots.is_empty() {
                return Err("no system CA certificates found (install ca-certificates, or set ca_file)".into());
            }
        }
    }
    let config = rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
    Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
}

struct XOAuth2 {
    user: String,
    token: String,
}

impl async_imap::Authenticator for &XOAuth2 {
    type Response = String;
    fn process(&mut self, _challenge: &[u8]) -> String {
        format!("user={}\x01auth=Bearer {}\x01\x01", self.user, self.token)
    }
}

/// A logged-in session over TLS (IMAPS, or STARTTLS on the plain port).
async fn connect(cfg: &MailboxConfig) -> Result<Session<Tls>, ImapError> {
    let mailbox = cfg.name.clone();
    let port = cfg.port.unwrap_or(match cfg.security {
        MailSecurity::Imaps => 993,
        MailSecurity::Starttls => 143,
    });
    let addr = format!("{}:{port}", cfg.host);
    let connector = tls_connector(cfg).map_err(|e| ImapError::Tls(e, mailbox.clone()))?;
    let server_name = rustls::pki_types::ServerName::try_from(cfg.host.clone()).map_err(|e| ImapError::Tls(format!("'{}' is no host name: {e}", cfg.host), mailbox.clone()))?;
    let tcp = tokio::time::timeout(Duration::from_secs(30), TcpStream::connect(&addr))
        .await
        .map_err(|_| ImapError::Connect { mailbox: mailbox.clone(), addr: addr.clone(), message: "timed out after 30 s".into() })?
        .map_err(|e| ImapError::Connect { mailbox: mailbox.clone(), addr: addr.clone(), message: e.to_string() })?;
    let proto = |e: &dyn std::fmt::Display| ImapError::Protocol { mailbox: mailbox.clone(), message: e.to_string() };
    let tcp = match cfg.security {
        MailSecurity::Imaps => tcp,
        MailSecurity::Starttls => {
            let mut plain = Client::new(tcp);
            plain.read_response().await.map_err(|e| proto(&e))?.ok_or_else(|| proto(&"the server closed the connection before its greeting"))?;
            plain.run_command_and_check_ok("STARTTLS", None).await.map_err(|e| proto(&format!("STARTTLS refused: {e}")))?;
            plain.into_inner()
        }
    };
    let tls = connector.connect(server_name, tcp).await.map_err(|e| ImapError::Tls(format!("{addr}: {e} (a private CA? set ca_file)"), mailbox.clone()))?;
    let mut client = Client::new(tls);
    if cfg.security == MailSecurity::Imaps {
        client.read_response().await.map_err(|e| proto(&e))?.ok_or_else(|| proto(&"the server closed the connection before its greeting"))?;
    }
    let login_err = |message: String| ImapError::Login { mailbox: mailbox.clone(), user: cfg.user.clone(), message };
    if let Some(var) = &cfg.oauth_token_env {
        let token = std::env::var(var).map_err(|_| ImapError::Config { mailbox: mailbox.clone(), message: format!("${var} (the OAuth2 token) is not set") })?;
        let auth = XOAuth2 { user: cfg.user.clone(), token };
        client.authenticate("XOAUTH2", &auth).await.map_err(|(e, _)| login_err(e.to_string()))
    } else {
        let var = cfg.password_env.clone().unwrap_or_else(|| "MAILROOM_IMAP_PASSWORD".into());
        let password = std::env::var(&var).map_err(|_| ImapError::Config { mailbox: mailbox.clone(), message: format!("${var} (the password) is not set") })?;
        client.login(&cfg.user, &password).await.map_err(|(e, _)| login_err(e.to_string()))
    }
}

/// Waits (IDLE on the first folder) until the server announces news or `timeout` passes.
pub async fn wait_for_mail(cfg: &MailboxConfig, timeout: Duration) -> Result<(), ImapError> {
    let mut session = connect(cfg).await?;
    let proto = |e: &dyn std::fmt::Display| ImapError::Protocol { mailbox: cfg.name.clone(), message: e.to_string() };
    session.select(cfg.folders.first().map(String::as_str).unwrap_or("INBOX")).await.map_err(|e| proto(&e))?;
    let mut idle = session.idle();
    idle.init().await.map_err(|e| proto(&e))?;
    let (wait, _stop) = idle.wait_with_timeout(timeout);
    wait.await.map_err(|e| proto(&e))?;
    let mut session = idle.done().await.map_err(|e| proto(&e))?;
    let _ = session.logout().await;
    Ok(())
}

/// `1:3,7,9:10` for a sorted list of UIDs.
fn uid_set(uids: &[u32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < uids.len() {
        let start = uids[i];
        let mut end = start;
        while i + 1 < uids.len() && uids[i + 1] == end + 1 {
            i += 1;
            end = uids[i];
        }
        parts.push(if start == end { start.to_string() } else { format!("{start}:{end}") });
        i += 1;
    }
    parts.join(",")
}

/// A file name for the stored e-mail: its subject, made safe, or the folder and UID.
fn eml_name(subject: &str, folder: &str, uid: u32) -> String {
    let clean: String = subject.chars().filter(|c| !c.is_control() && !matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')).take(80).collect();
    let clean = clean.trim();
    if clean.is_empty() {
        format!("{}-{uid}.eml", folder.replace('/', "_"))
    } else {
        format!("{clean}.eml")
    }
}

/// One pass over every configured folder of a mailbox.
pub async fn fetch_once(cfg: &MailboxConfig, sink: &Sink, positions: &Arc<Positions>, actor: &str) -> Result<RunReport, ImapError> {
    let mailbox = cfg.name.clone();
    let state_err = |e: SqlError| ImapError::State { mailbox: mailbox.clone(), message: e.0 };
    let mut report = RunReport { mailbox: mailbox.clone(), ..RunReport::default() };
    let p = positions.clone();
    let m = mailbox.clone();
    let lock = tokio::task::spawn_blocking(move || p.try_lock(&m)).await.map_err(|e| ImapError::State { mailbox: mailbox.clone(), message: e.to_string() })?.map_err(state_err)?;
    let Some(_lock) = lock else {
        report.skipped_locked = true;
        tracing::info!(mailbox, "another fetcher is working on this mailbox: skipped");
        return Ok(report);
    };
    let rules = Rules::new(&cfg.rules).map_err(|message| ImapError::Config { mailbox: mailbox.clone(), message })?;
    let split = cfg.split_policy();
    let mut session = connect(cfg).await?;
    let proto = |e: &dyn std::fmt::Display| ImapError::Protocol { mailbox: mailbox.clone(), message: e.to_string() };
    report.idle = session.capabilities().await.map(|c| c.has_str("IDLE")).unwrap_or(false);
    let received_by = format!("imap:{}@{}", cfg.name, actor);
    for folder in &cfg.folders {
        let mut fr = FolderReport { folder: folder.clone(), ..FolderReport::default() };
        let mb = session.select(folder).await.map_err(|e| proto(&format!("SELECT {folder}: {e}")))?;
        let uidvalidity = mb.uid_validity.unwrap_or(0);
        fr.uidvalidity = uidvalidity;
        let before = positions.get(&mailbox, folder).map_err(state_err)?;
        let mut last = match before {
            Some((v, u)) if v == uidvalidity => u,
            Some(_) => {
                fr.rescanned = true;
                tracing::warn!(mailbox, folder, "UIDVALIDITY changed: reading the folder again from the start (nothing is stored twice)");
                0
            }
            None => 0,
        };
        fr.last_uid = last;
        // Nothing new: no SEARCH, no FETCH.
        if mb.uid_next.is_some_and(|next| next <= last + 1) && !fr.rescanned {
            report.folders.push(fr);
            continue;
        }
        let mut query = format!("UID {}:*", last + 1);
        if let Some(days) = cfg.max_age_days {
            let since = chrono::Utc::now().date_naive() - chrono::Duration::days(i64::from(days));
            query.push_str(&format!(" SINCE {}", since.format("%d-%b-%Y")));
        }
        let found: BTreeSet<u32> = session.uid_search(&query).await.map_err(|e| proto(&format!("UID SEARCH: {e}")))?.into_iter().filter(|u| *u > last).collect();
        let uids: Vec<u32> = found.into_iter().collect();
        'batches: for chunk in uids.chunks(cfg.batch.max(1) as usize) {
            fr.fetch_commands += 1;
            let mut messages: Vec<(u32, Vec<u8>)> = Vec::with_capacity(chunk.len());
            {
                let mut stream = session.uid_fetch(uid_set(chunk), "(UID BODY.PEEK[])").await.map_err(|e| proto(&format!("UID FETCH: {e}")))?;
                while let Some(f) = stream.next().await {
                    let f = f.map_err(|e| proto(&format!("UID FETCH: {e}")))?;
                    if let (Some(uid), Some(body)) = (f.uid, f.body()) {
                        messages.push((uid, body.to_vec()));
                    }
                }
            }
            messages.sort_by_key(|(uid, _)| *uid);
            fr.fetched += messages.len();
            let mut done: Vec<u32> = Vec::new();
            let mut dealt_with = last;
            for (uid, bytes) in messages {
                fr.bytes += bytes.len() as u64;
                let envelope = Envelope::of(&bytes);
                if !rules.accepts(&envelope) {
                    fr.excluded += 1;
                    dealt_with = uid;
                    continue;
                }
                let mut doc = Document::new(bytes, Channel::Email, eml_name(&envelope.subject, folder, uid));
                // A scan-to-e-mail mailbox: the e-mail's attachments are batch scans.
                doc.source.split = split.clone();
                match sink.deliver(doc, &received_by).await {
                    Ok(delivered) => {
                        fr.stored += 1;
                        if let Delivered::Processed(p) = &delivered {
                            if p.first().is_some_and(|p| matches!(p.outcome, Outcome::Quarantined(_))) {
                                fr.quarantined += 1;
                            }
                        }
                        done.push(uid);
                        dealt_with = uid;
                    }
                    Err(e) => {
                        // Not stored: stop here, so that it is fetched again next time.
                        tracing::error!(mailbox, folder, uid, error = %e, "a message could not be stored; it is fetched again next run");
                        fr.failed += 1;
                        act(&mut session, cfg, &done, &mut fr).await;
                        last = dealt_with;
                        positions.set(&mailbox, folder, uidvalidity, last).map_err(state_err)?;
                        fr.last_uid = last;
                        break 'batches;
                    }
                }
            }
            act(&mut session, cfg, &done, &mut fr).await;
            last = chunk.last().copied().unwrap_or(last).max(dealt_with);
            positions.set(&mailbox, folder, uidvalidity, last).map_err(state_err)?;
            fr.last_uid = last;
        }
        if fr.fetched == 0 && before.map(|(v, _)| v) != Some(uidvalidity) {
            positions.set(&mailbox, folder, uidvalidity, last).map_err(state_err)?;
        }
        tracing::info!(mailbox, folder, fetched = fr.fetched, stored = fr.stored, excluded = fr.excluded, failed = fr.failed, "fetched");
        report.folders.push(fr);
    }
    let _ = session.logout().await;
    Ok(report)
}

/// The configured action on messages that are stored. Failures are counted, not fatal: the
/// messages are stored, and their UIDs remembered.
async fn act(session: &mut Session<Tls>, cfg: &MailboxConfig, uids: &[u32], fr: &mut FolderReport) {
    if uids.is_empty() {
        return;
    }
    let set = uid_set(uids);
    let result: Result<(), String> = async {
        match &cfg.action {
            MailAction::Move { folder } => session.uid_mv(&set, folder).await.map_err(|e| e.to_string()),
            MailAction::Keyword { keyword } => drain(session.uid_store(&set, format!("+FLAGS.SILENT ({keyword})")).await).await,
            MailAction::Seen => drain(session.uid_store(&set, "+FLAGS.SILENT (\\Seen)").await).await,
            MailAction::Delete => {
                drain(session.uid_store(&set, "+FLAGS.SILENT (\\Deleted)").await).await?;
                drain(session.uid_expunge(&set).await).await
            }
        }
    }
    .await;
    if let Err(e) = result {
        fr.action_failures += uids.len();
        tracing::error!(mailbox = cfg.name, folder = fr.folder, error = %e, "the action on stored messages failed; they are stored and will not be fetched again");
    }
}

async fn drain<S, T, E>(stream: Result<S, E>) -> Result<(), String>
where
    S: futures_lite::Stream<Item = Result<T, async_imap::error::Error>>,
    E: std::fmt::Display,
{
    let stream = stream.map_err(|e| e.to_string())?;
    let mut stream = Box::pin(stream);
    while let Some(r) = stream.next().await {
        r.map_err(|e| e.to_string())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::MailRules;

    #[test]
    fn metrics_count_per_mailbox() {
        let m = MailboxMetrics::new();
        let r = RunReport { mailbox: "rechnungen".into(), folders: vec![FolderReport { fetched: 5, stored: 4, excluded: 1, ..FolderReport::default() }], ..RunReport::default() };
        m.record(&r);
        m.record(&r);
        m.run_failed("rechnungen");
        let text = m.render();
        assert!(text.contains("mailroom_imap_fetched_total{mailbox=\"rechnungen\"} 10"), "{text}");
        assert!(text.contains("mailroom_imap_stored_total{mailbox=\"rechnungen\"} 8"), "{text}");
        assert!(text.contains("mailroom_imap_runs_failed_total{mailbox=\"rechnungen\"} 1"), "{text}");
        assert!(text.contains("mailroom_imap_last_success_timestamp_seconds{mailbox=\"rechnungen\"}"), "{text}");
    }

    #[test]
    fn uid_sets_are_compact() {
        assert_eq!(uid_set(&[1, 2, 3, 5, 7, 8]), "1:3,5,7:8");
        assert_eq!(uid_set(&[4]), "4");
    }

    #[test]
    fn rules_match_headers_body_and_attachment_names() {
        let rules =
            Rules::new(&MailRules { from: vec!["*@lieferant.de".into()], attachments: vec!["*.pdf".into(), "*.xml".into()], exclude_attachments: vec!["agb*.pdf".into()], ..MailRules::default() })
                .unwrap();
        let e = |from: &str, atts: &[&str]| Envelope { from: vec![from.into()], attachments: atts.iter().map(|s| s.to_string()).collect(), ..Envelope::default() };
        assert!(rules.accepts(&e("rechnung@lieferant.de", &["RE-1.PDF"])));
        assert!(!rules.accepts(&e("rechnung@lieferant.de", &["AGB-2025.pdf"])), "only an excluded attachment");
        assert!(!rules.accepts(&e("spam@example.com", &["RE-1.pdf"])));
        assert!(!rules.accepts(&e("rechnung@lieferant.de", &[])));
        assert!(Rules::new(&MailRules::default()).unwrap().accepts(&Envelope::default()), "no rules: everything");
        let subject = Rules::new(&MailRules { subject: vec!["*rechnung*".into()], body: vec!["zahlbar".into()], ..MailRules::default() }).unwrap();
        assert!(subject.accepts(&Envelope { subject: "Ihre Rechnung 4711".into(), body: "zahlbar bis 30.06.".into(), ..Envelope::default() }));
        assert!(!subject.accepts(&Envelope { subject: "Newsletter".into(), body: "zahlbar".into(), ..Envelope::default() }));
    }

    #[test]
    fn stored_emails_are_named_by_their_subject() {
        assert_eq!(eml_name("Rechnung 4711 / März", "INBOX", 7), "Rechnung 4711  März.eml");
        assert_eq!(eml_name("", "Eingang/Rechnungen", 7), "Eingang_Rechnungen-7.eml");
    }
}
