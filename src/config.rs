//! Pipeline configuration: one TOML file (see `pipelines/`) that chooses the embedded or the
//! production parts and sets retention, routing and limits. Without a file, mailroom runs
//! embedded: a local archive folder, no servers.
//!
//! Secrets never live in the file: S3 keys and the broker URL (which carries the broker
//! password) are read from environment variables the file names.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::archive::Archive;
use crate::catalog::postgres::PostgresCatalog;
use crate::catalog::sqlite::SqliteCatalog;
use crate::catalog::Catalog;
use crate::handoff::{Handoff, HandoffConfig};
use crate::limits::Limits;
use crate::ocr::OcrConfig;
use crate::people::{People, SessionPolicy};
use crate::pipeline::Pipeline;
use crate::processor::{Processor, Recorder};
pub use crate::queue::BrokerConfig;
use crate::retention::RetentionPolicy;
use crate::review::ReviewPolicy;
use crate::sqldb::Db;
use crate::store::local::LocalStore;
use crate::store::s3::{S3Config, S3Store};
use crate::store::ObjectStore;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub archive: ArchiveConfig,
    pub broker: BrokerConfig,
    pub worker: WorkerConfig,
    pub ocr: OcrSection,
    pub limits: LimitsSection,
    pub retention: RetentionPolicy,
    pub handoff: HandoffConfig,
    pub review: ReviewPolicy,
    pub catalog: CatalogConfig,
    pub intake: IntakeSection,
    pub http: HttpSection,
    pub ui: UiSection,
    pub models: ModelsSection,
    pub due: crate::due::DuePolicy,
    /// Named lists (virtual folders) of typed filters: `[[lists]]`.
    pub lists: Vec<crate::lists::ListDef>,
    pub stamps: crate::stamps::StampPolicy,
}

/// `[models]`: which readers classify and extract.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModelsSection {
    /// The trained classifier and field extractor shipped in the binary (`models/`). Off: the
    /// keyword classifier and the rules extractor alone — a fallback while a model is being
    /// looked into, and the older reading that `reprocess` tests start from.
    pub trained: bool,
}

impl Default for ModelsSection {
    fn default() -> Self {
        ModelsSection { trained: true }
    }
}

/// The SQL catalog that mirrors the current index of every document for fast queries.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum CatalogConfig {
    /// A SQLite file; by default `.mailroom-catalog.sqlite` inside a local archive folder.
    Sqlite {
        #[serde(default)]
        path: Option<PathBuf>,
    },
    /// PostgreSQL, shared by all workers.
    Postgres {
        /// The environment variable with the connection URL (`postgresql://user:password@host/db`).
        #[serde(default = "default_database_url_env")]
        url_env: String,
        /// Used when that variable is unset.
        #[serde(default = "default_database_url")]
        default_url: String,
        #[serde(default = "default_database_schema")]
        schema: String,
    },
    /// No catalog: listings read the archive itself (slow for big archives).
    None,
}

impl Default for CatalogConfig {
    fn default() -> Self {
        CatalogConfig::Sqlite { path: None }
    }
}

fn default_database_url_env() -> String {
    "MAILROOM_DATABASE_URL".into()
}
fn default_database_url() -> String {
    "postgresql://postgres@127.0.0.1:5432/mailroom".into()
}
fn default_database_schema() -> String {
    "mailroom".into()
}

/// Where documents are archived.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ArchiveConfig {
    /// A local folder (embedded default).
    Local { path: PathBuf },
    /// An S3-compatible bucket with Object Lock.
    S3(S3Section),
}

impl Default for ArchiveConfig {
    fn default() -> Self {
        ArchiveConfig::Local { path: PathBuf::from("archive") }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Section {
    pub bucket: String,
    /// Omit for AWS S3 itself.
    #[serde(default)]
    pub endpoint: Option<String>,
    #[serde(default = "default_region")]
    pub region: String,
    #[serde(default)]
    pub path_style: bool,
    /// Names of the environment variables that hold the credentials.
    #[serde(default = "default_access_key_env")]
    pub access_key_id_env: String,
    #[serde(default = "default_secret_key_env")]
    pub secret_access_key_env: String,
    #[serde(default = "default_session_token_env")]
    pub session_token_env: String,
    /// Server-side encryption requested on every write: `AES256` or `aws:kms`.
    #[serde(default = "default_sse")]
    pub sse: Option<String>,
    #[serde(default)]
    pub sse_kms_key_id: Option<String>,
    /// COMPLIANCE locks on every object. Turn off only for a test bucket without Object Lock.
    #[serde(default = "yes")]
    pub object_lock: bool,
    /// Create the bucket (with Object Lock) when it does not exist.
    #[serde(default)]
    pub create_bucket: bool,
}

fn default_region() -> String {
    "eu-central-1".into()
}
fn default_access_key_env() -> String {
    "AWS_ACCESS_KEY_ID".into()
}
fn default_secret_key_env() -> String {
    "AWS_SECRET_ACCESS_KEY".into()
}
fn default_session_token_env() -> String {
    "AWS_SESSION_TOKEN".into()
}
fn default_sse() -> Option<String> {
    Some("AES256".into())
}
fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkerConfig {
    /// Documents processed at the same time (pages of each also run in parallel).
    pub concurrency: usize,
    /// Prometheus `/metrics` and `/health`; loopback unless you mean otherwise.
    pub metrics_listen: SocketAddr,
    /// `/health` alone, for probes from beyond the machine (Kubernetes); none by default.
    #[serde(default)]
    pub health_listen: Option<SocketAddr>,
    /// After SIGTERM, how long in-flight documents may take to finish.
    pub shutdown_grace_s: u64,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig { concurrency: 2, metrics_listen: SocketAddr::from(([127, 0, 0, 1], 9464)), health_listen: None, shutdown_grace_s: 300 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OcrSection {
    pub languages: String,
    pub psm: u32,
    /// Pages found to be in one of these languages are read again with its model first.
    pub reread_languages: Vec<String>,
    /// What reads till receipts (pages whose print is one narrow column): `ppocr` (PP-OCR
    /// under ONNX Runtime, the default) or `tesseract`.
    pub receipts: ReceiptReader,
    /// ONNX Runtime's library and the PP-OCR models (`det.onnx`, `rec.onnx`), for `receipts = "ppocr"`.
    pub onnxruntime: std::path::PathBuf,
    pub ppocr_models: std::path::PathBuf,
    /// Word lists (one word per line) for the receipt engine's spelling check and for names OCR read without an umlaut.
    pub word_lists: Vec<std::path::PathBuf>,
}

/// `[ocr] receipts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReceiptReader {
    Ppocr,
    Tesseract,
}

impl Default for OcrSection {
    fn default() -> Self {
        OcrSection {
            languages: "deu+eng".into(),
            psm: 3,
            reread_languages: vec!["fra".into()],
            receipts: ReceiptReader::Ppocr,
            onnxruntime: crate::ocr::ppocr::DEFAULT_LIBRARY.into(),
            ppocr_models: crate::ocr::ppocr::DEFAULT_MODELS.into(),
            word_lists: crate::ocr::lexicon::default_lists(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsSection {
    pub max_file_mb: u64,
    pub max_pages: u32,
    pub max_megapixels: u64,
}

impl Default for LimitsSection {
    fn default() -> Self {
        let l = Limits::default();
        LimitsSection { max_file_mb: l.max_file_bytes / (1024 * 1024), max_pages: l.max_pages, max_megapixels: l.max_pixels / 1_000_000 }
    }
}

/// The intake channels beyond files on the command line.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IntakeSection {
    pub email: EmailSection,
    pub folder: FolderSection,
    /// `[[intake.imap]]`: mailboxes `mailroom fetch-mail` reads.
    pub imap: Vec<MailboxConfig>,
}

/// `[[intake.imap]]`: one mailbox (README, "IMAP"). Secrets come from the environment.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailboxConfig {
    /// Names the mailbox in positions, locks, logs and `fetch-mail --mailbox`.
    pub name: String,
    pub host: String,
    /// Default: 993 (IMAPS), 143 (STARTTLS).
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub security: MailSecurity,
    /// PEM file of the CA that signed the server's certificate (a private CA); default: the
    /// system's roots. The certificate is always checked.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    pub user: String,
    /// The environment variable with the password (default `MAILROOM_IMAP_PASSWORD`).
    #[serde(default)]
    pub password_env: Option<String>,
    /// The environment variable with an OAuth2 access token: XOAUTH2 instead of a password.
    #[serde(default)]
    pub oauth_token_env: Option<String>,
    #[serde(default = "default_folders")]
    pub folders: Vec<String>,
    #[serde(default)]
    pub rules: MailRules,
    /// What happens to a message once it is stored.
    #[serde(default)]
    pub action: MailAction,
    /// Only messages received in the last this many days.
    #[serde(default)]
    pub max_age_days: Option<u32>,
    /// Messages fetched per `UID FETCH`.
    #[serde(default = "default_imap_batch")]
    pub batch: u32,
    /// A scanner's "scan to e-mail" mailbox: every PDF attachment is a stack of letters, split
    /// at these separators — `blank`, `patch`, `first-page` (as `[intake.folder] split`).
    #[serde(default)]
    pub split: String,
    /// The text of a patch sheet's QR code.
    #[serde(default = "default_patch_text")]
    pub patch_text: String,
    /// Between runs of `fetch-mail --loop` when the server has no IDLE (with IDLE: the longest
    /// wait before looking anyway).
    #[serde(default = "default_imap_poll")]
    pub poll_interval_s: u64,
}

fn default_folders() -> Vec<String> {
    vec!["INBOX".into()]
}
fn default_patch_text() -> String {
    crate::vocab::SplitPolicy::DEFAULT_PATCH_TEXT.into()
}
fn default_imap_batch() -> u32 {
    100
}
fn default_imap_poll() -> u64 {
    300
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailSecurity {
    /// TLS from the start (port 993).
    #[default]
    Imaps,
    /// Plain connection upgraded with STARTTLS before login (port 143).
    Starttls,
}

/// `action = { kind = "move", folder = "Archiv/mailroom" }`, `{ kind = "keyword", keyword =
/// "$MailroomStored" }`, `{ kind = "seen" }` or `{ kind = "delete" }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum MailAction {
    Move { folder: String },
    Keyword { keyword: String },
    Seen,
    Delete,
}

impl Default for MailAction {
    /// A keyword: visible in any mail client, changes nothing else.
    fn default() -> Self {
        MailAction::Keyword { keyword: "$MailroomStored".into() }
    }
}

/// Which messages are for mailroom: every rule given must match; within a rule, any pattern.
/// Globs, case-insensitive (`*@lieferant.de`, `*rechnung*`); `body` entries are substrings.
/// Messages a rule excludes are left untouched.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailRules {
    pub from: Vec<String>,
    pub to: Vec<String>,
    pub subject: Vec<String>,
    pub body: Vec<String>,
    /// At least one attachment whose file name matches (after `exclude_attachments`).
    pub attachments: Vec<String>,
    pub exclude_attachments: Vec<String>,
}

/// Bounds for e-mails (`.eml`); the file size limit is `limits.max_file_mb`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmailSection {
    /// Most levels of e-mails forwarded inside an e-mail.
    pub max_depth: u32,
    /// Most MIME parts in one e-mail, nested ones included.
    pub max_parts: u32,
}

impl Default for EmailSection {
    fn default() -> Self {
        let l = Limits::default();
        EmailSection { max_depth: l.email_max_depth, max_parts: l.email_max_parts }
    }
}

/// The scanner hot folder (`mailroom watch`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FolderSection {
    /// How often the folder is looked at, in seconds.
    pub poll_interval_s: f64,
    /// A file is taken once its size and modification time have not changed for this long.
    pub settle_s: f64,
    /// After a storage error the file stays, and is tried again after this long.
    pub retry_s: f64,
    /// The hot folder of a batch scanner: every file is a stack of letters, split at these
    /// separators — `blank`, `patch` (a QR patch sheet), `first-page` (the trained detector) —
    /// e.g. `"patch,first-page"`. Empty: every file is one document. A duplex scanner's blank
    /// backs are no separators: do not use `blank` with one.
    pub split: String,
    /// The text of a patch sheet's QR code (`mailroom separator-sheet` prints it).
    pub patch_text: String,
}

impl Default for FolderSection {
    fn default() -> Self {
        FolderSection { poll_interval_s: 2.0, settle_s: 3.0, retry_s: 30.0, split: String::new(), patch_text: crate::vocab::SplitPolicy::DEFAULT_PATCH_TEXT.into() }
    }
}

impl MailboxConfig {
    /// The split its attachments get, if its attachments are batch scans.
    pub fn split_policy(&self) -> Option<crate::vocab::SplitPolicy> {
        (!self.split.trim().is_empty()).then(|| crate::vocab::SplitPolicy::parse_list(&self.split).ok()).flatten().map(|mut p| {
            p.patch_text = self.patch_text.clone();
            p
        })
    }
}

impl FolderSection {
    /// The split the hot folder's files get, if its files are batch scans (checked when the
    /// configuration is loaded).
    pub fn split_policy(&self) -> Option<crate::vocab::SplitPolicy> {
        if self.split.trim().is_empty() {
            return None;
        }
        crate::vocab::SplitPolicy::parse_list(&self.split).ok().map(|mut p| {
            p.patch_text = self.patch_text.clone();
            p
        })
    }
}

/// The HTTP upload (`mailroom serve`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSection {
    /// Loopback unless you mean otherwise (and then behind a TLS reverse proxy).
    pub listen: SocketAddr,
    /// The environment variable with the clients' bearer tokens: `name:secret,name:secret`.
    /// Without any, the server does not start.
    pub tokens_env: String,
    /// Uploads processed at the same time (embedded); more wait their turn.
    pub concurrency: usize,
}

impl Default for HttpSection {
    fn default() -> Self {
        HttpSection { listen: SocketAddr::from(([127, 0, 0, 1], 8080)), tokens_env: "MAILROOM_HTTP_TOKENS".into(), concurrency: 2 }
    }
}

/// `[ui]`: the review UI that `mailroom serve` serves beside the upload (README, "The review
/// queue").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UiSection {
    /// Serve the UI at `/ui` (it needs a catalog). Off: the upload API alone.
    pub enabled: bool,
    /// A session unused this long ends (minutes).
    pub idle_timeout_min: u32,
    /// A session ends this long after its login (hours).
    pub session_max_hours: u32,
    /// Mark the session cookie `Secure` always. It is also set for every request that arrives
    /// through a TLS reverse proxy (`X-Forwarded-Proto: https`).
    pub secure_cookies: bool,
    /// Failed logins per user name or address within 15 minutes before logins are refused.
    pub max_failed_logins: u32,
    /// Days the security log (logins, failed logins) is kept; it is not the audit trail.
    pub security_log_days: u32,
    /// Rendered page images kept in memory (MiB), so that pdfium renders each page once.
    pub page_cache_mb: u64,
    /// SQLite file of users and sessions (embedded); default: beside the catalog's file.
    /// With a PostgreSQL catalog they live in its database and schema.
    pub people_path: Option<PathBuf>,
}

impl Default for UiSection {
    fn default() -> Self {
        UiSection { enabled: true, idle_timeout_min: 30, session_max_hours: 12, secure_cookies: false, max_failed_logins: 5, security_log_days: 90, page_cache_mb: 256, people_path: None }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("the configuration {path} is not valid: {message}")]
    Invalid { path: String, message: String },
    #[error("cannot open the archive: {0}")]
    Archive(String),
}

impl Config {
    /// Reads `path`; without one, the embedded defaults.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let Some(path) = path else { return Ok(Config::default()) };
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: shown.clone(), source })?;
        Config::parse(&text, &shown)
    }

    /// Reads and checks the text of a configuration; `shown` names it in errors.
    pub fn parse(text: &str, shown: &str) -> Result<Config, ConfigError> {
        let shown = shown.to_string();
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Invalid { path: shown.clone(), message: e.to_string() })?;
        config.retention.validate().map_err(|message| ConfigError::Invalid { path: shown.clone(), message })?;
        if config.broker.retry_delays_s.is_empty() || config.broker.max_attempts == 0 {
            return Err(ConfigError::Invalid { path: shown, message: "broker.max_attempts must be at least 1 and broker.retry_delays_s must not be empty".into() });
        }
        let f = &config.intake.folder;
        if ![f.poll_interval_s, f.settle_s, f.retry_s].iter().all(|s| s.is_finite() && *s >= 0.0) || f.poll_interval_s < 0.1 {
            return Err(ConfigError::Invalid { path: shown, message: "intake.folder: times are seconds, not negative, and poll_interval_s is at least 0.1".into() });
        }
        if !f.split.trim().is_empty() {
            if let Err(e) = crate::vocab::SplitPolicy::parse_list(&f.split) {
                return Err(ConfigError::Invalid { path: shown, message: format!("intake.folder.split: {e}") });
            }
        }
        for mb in &config.intake.imap {
            if !mb.split.trim().is_empty() {
                if let Err(e) = crate::vocab::SplitPolicy::parse_list(&mb.split) {
                    return Err(ConfigError::Invalid { path: shown, message: format!("intake.imap {}: split: {e}", mb.name) });
                }
            }
        }
        for l in &config.lists {
            if let Err(message) = l.query() {
                return Err(ConfigError::Invalid { path: shown, message });
            }
        }
        if config.http.concurrency == 0 {
            return Err(ConfigError::Invalid { path: shown, message: "http.concurrency must be at least 1".into() });
        }
        Ok(config)
    }

    pub fn is_production(&self) -> bool {
        matches!(self.archive, ArchiveConfig::S3(_))
    }

    /// Opens the configured store; its requests are counted ([`crate::store::counted`]).
    pub fn open_store(&self) -> Result<Arc<dyn ObjectStore>, ConfigError> {
        self.open_uncounted_store().map(|s| Arc::new(crate::store::counted::Counted(s)) as Arc<dyn ObjectStore>)
    }

    fn open_uncounted_store(&self) -> Result<Arc<dyn ObjectStore>, ConfigError> {
        match &self.archive {
            ArchiveConfig::Local { path } => Ok(Arc::new(LocalStore::open(path).map_err(|e| ConfigError::Archive(e.to_string()))?)),
            ArchiveConfig::S3(s) => {
                let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
                let access = env(&s.access_key_id_env).ok_or_else(|| ConfigError::Archive(format!("set the S3 access key in ${}", s.access_key_id_env)))?;
                let secret = env(&s.secret_access_key_env).ok_or_else(|| ConfigError::Archive(format!("set the S3 secret key in ${}", s.secret_access_key_env)))?;
                let store = S3Store::connect(S3Config {
                    bucket: s.bucket.clone(),
                    endpoint: s.endpoint.clone(),
                    region: s.region.clone(),
                    path_style: s.path_style,
                    access_key_id: access,
                    secret_access_key: secret,
                    session_token: env(&s.session_token_env),
                    sse: s.sse.clone(),
                    sse_kms_key_id: s.sse_kms_key_id.clone(),
                    object_lock: s.object_lock,
                })
                .map_err(|e| ConfigError::Archive(e.to_string()))?;
                if s.create_bucket {
                    store.ensure_bucket().map_err(|e| ConfigError::Archive(e.to_string()))?;
                }
                if !s.object_lock {
                    tracing::warn!("archive.object_lock = false: objects are NOT locked; this is not a revision-safe (GoBD) archive");
                }
                Ok(Arc::new(store))
            }
        }
    }

    /// Opens the configured catalog; `None` when there is none.
    pub fn open_catalog(&self) -> Result<Option<Arc<dyn Catalog>>, ConfigError> {
        match &self.catalog {
            CatalogConfig::None => Ok(None),
            CatalogConfig::Sqlite { path } => {
                let path = match (path, &self.archive) {
                    (Some(p), _) => p.clone(),
                    (None, ArchiveConfig::Local { path }) => path.join(".mailroom-catalog.sqlite"),
                    (None, ArchiveConfig::S3(_)) => return Err(ConfigError::Archive("an S3 archive needs [catalog] kind = \"postgres\" (shared by all workers) or a SQLite path".into())),
                };
                Ok(Some(Arc::new(SqliteCatalog::open(&path).map_err(|e| ConfigError::Archive(e.to_string()))?)))
            }
            CatalogConfig::Postgres { url_env, default_url, schema } => {
                let url = std::env::var(url_env).unwrap_or_else(|_| default_url.clone());
                Ok(Some(Arc::new(PostgresCatalog::connect(&url, schema).map_err(|e| ConfigError::Archive(e.to_string()))?)))
            }
        }
    }

    /// Opens the users, sessions and security log of the review UI: beside the SQLite
    /// catalog, or in the PostgreSQL catalog's schema.
    pub fn open_people(&self) -> Result<People, ConfigError> {
        let policy = SessionPolicy {
            idle: chrono::Duration::minutes(i64::from(self.ui.idle_timeout_min.max(1))),
            max_age: chrono::Duration::hours(i64::from(self.ui.session_max_hours.max(1))),
            max_failures: self.ui.max_failed_logins.max(1),
            ..SessionPolicy::default()
        };
        let db = match &self.ui.people_path {
            Some(p) => Db::sqlite(p).map_err(|e| ConfigError::Archive(e.to_string()))?,
            None => self.state_db(".mailroom-people.sqlite")?,
        };
        People::new(db, policy).map_err(|e| ConfigError::Archive(e.to_string()))
    }

    /// The small SQL store for operational state named `file` (embedded: a SQLite file of
    /// that name in the archive folder; production: the catalog's PostgreSQL schema).
    pub fn state_db(&self, file: &str) -> Result<Db, ConfigError> {
        let db = match (&self.catalog, &self.archive) {
            (CatalogConfig::Postgres { url_env, default_url, schema }, _) => Db::postgres(&std::env::var(url_env).unwrap_or_else(|_| default_url.clone()), schema),
            (CatalogConfig::Sqlite { path: Some(p) }, _) => Db::sqlite(&p.with_file_name(file)),
            (_, ArchiveConfig::Local { path }) => Db::sqlite(&path.join(file)),
            (_, ArchiveConfig::S3(_)) => return Err(ConfigError::Archive(format!("{file}: an S3 archive keeps its operational state in PostgreSQL: set [catalog] kind = \"postgres\""))),
        };
        db.map_err(|e| ConfigError::Archive(e.to_string()))
    }

    pub fn open_archive(&self) -> Result<Archive, ConfigError> {
        Ok(Archive::new(self.open_store()?, self.retention.clone()))
    }

    pub fn pipeline(&self) -> Pipeline {
        let mut p = if self.models.trained { Pipeline::new() } else { Pipeline::rules_only() };
        let receipts = match self.ocr.receipts {
            ReceiptReader::Ppocr => crate::ocr::ReceiptEngine::PpOcr(crate::ocr::ppocr::PpOcrFiles { library: self.ocr.onnxruntime.clone(), models: self.ocr.ppocr_models.clone() }),
            ReceiptReader::Tesseract => crate::ocr::ReceiptEngine::Tesseract,
        };
        p.ocr = OcrConfig {
            languages: self.ocr.languages.clone(),
            psm: self.ocr.psm,
            reread_languages: self.ocr.reread_languages.clone(),
            receipts,
            word_lists: self.ocr.word_lists.clone(),
            ..OcrConfig::default()
        };
        p.limits = Limits {
            max_file_bytes: self.limits.max_file_mb * 1024 * 1024,
            max_pages: self.limits.max_pages,
            max_pixels: self.limits.max_megapixels * 1_000_000,
            email_max_depth: self.intake.email.max_depth,
            email_max_parts: self.intake.email.max_parts,
        };
        p
    }

    /// The whole chain, stages to archive and outbox, acting as `actor`.
    pub fn processor(&self, actor: &str) -> Result<Processor, ConfigError> {
        Ok(Processor { pipeline: self.pipeline(), records: self.recorder(actor)? })
    }

    /// What writes a document's records (archive, audit, outbox, catalog) in their order,
    /// acting as `actor`: for the commands that change stored documents without reading them.
    pub fn recorder(&self, actor: &str) -> Result<Recorder, ConfigError> {
        Ok(Recorder {
            archive: self.open_archive()?,
            handoff: self.handoff.enabled.then(|| Handoff::new(self.handoff.clone())),
            catalog: self.open_catalog()?,
            actor: actor.to_string(),
            review: self.review.clone(),
        })
    }
}

/// Who is acting, for the audit trail: `user@host` for the command line, `worker@host:pid`
/// for workers.
pub fn actor(role: &str) -> String {
    let host = std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_string()).unwrap_or_else(|_| "localhost".into());
    match role {
        "worker" => format!("worker@{host}:{}", std::process::id()),
        _ => format!("{}@{host}", std::env::var("USER").unwrap_or_else(|_| "unknown".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_pipelines_parse() {
        for f in ["embedded.toml", "production.toml"] {
            let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("pipelines").join(f);
            let c = Config::load(Some(&p)).unwrap_or_else(|e| panic!("{f}: {e}"));
            // The intake sections are written out in both, with the defaults.
            let d = Config::default();
            assert_eq!((c.intake.email.max_depth, c.intake.email.max_parts), (d.intake.email.max_depth, d.intake.email.max_parts), "{f}");
            assert_eq!((c.intake.folder.poll_interval_s, c.intake.folder.settle_s, c.intake.folder.retry_s), (2.0, 3.0, 30.0), "{f}");
            assert_eq!((c.http.listen, c.http.tokens_env.as_str(), c.http.concurrency), (d.http.listen, "MAILROOM_HTTP_TOKENS", 2), "{f}");
            let text = std::fs::read_to_string(&p).unwrap();
            for section in ["[intake.email]", "[intake.folder]", "[http]", "[ui]"] {
                assert!(text.contains(section), "{f} documents {section}");
            }
        }
    }

    #[test]
    fn the_word_lists_reach_the_receipt_engine_and_the_extractor() {
        let c: Config = toml::from_str("[ocr]\nword_lists = [\"/srv/words/de\", \"/srv/words/en\"]\n").unwrap();
        let p = c.pipeline();
        let lists = vec![PathBuf::from("/srv/words/de"), PathBuf::from("/srv/words/en")];
        assert_eq!(p.ocr.word_lists, lists);
        // The receipt engine spells against the pipeline's lists: pages read against others are cached apart.
        assert!(matches!(p.ocr.receipts, crate::ocr::ReceiptEngine::PpOcr(_)), "receipts are read with PP-OCR by default");
        assert_ne!(p.ocr.fingerprint(), Config::default().pipeline().ocr.fingerprint());
        assert_eq!(Config::default().pipeline().ocr.word_lists, crate::ocr::lexicon::default_lists());
    }

    #[test]
    fn the_readme_s_mailbox_example_parses() {
        let readme = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
        let start = readme.find("```toml\n[[intake.imap]]").expect("the README's [[intake.imap]] example") + "```toml\n".len();
        let end = start + readme[start..].find("```").unwrap();
        let c: Config = toml::from_str(&readme[start..end]).unwrap_or_else(|e| panic!("{e}"));
        let m = &c.intake.imap[0];
        assert_eq!((m.name.as_str(), m.security, m.batch, m.folders.len()), ("rechnungen", MailSecurity::Imaps, 100, 2));
        assert_eq!(m.action, MailAction::Move { folder: "Archiv/mailroom".into() });
        assert_eq!(m.rules.attachments, ["*.pdf", "*.xml"]);
        let d: MailboxConfig = toml::from_str("name = \"x\"\nhost = \"h\"\nuser = \"u\"").unwrap();
        assert_eq!((d.action, d.folders, d.port), (MailAction::Keyword { keyword: "$MailroomStored".into() }, vec!["INBOX".to_string()], None));
    }

    #[test]
    fn unknown_keys_and_bad_rules_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.toml");
        std::fs::write(&p, "[archive]\nkind = \"local\"\npath = \"a\"\ncolour = \"red\"\n").unwrap();
        assert!(Config::load(Some(&p)).unwrap_err().to_string().contains("colour"));
        std::fs::write(&p, "[[retention.rules]]\nname = \"x\"\ndoc_types = [\"invoice\"]\nyears = 8\n").unwrap();
        assert!(Config::load(Some(&p)).unwrap_err().to_string().contains("no retention rule covers"));
    }
}
