//! Production mode in the tests: the real servers (RabbitMQ on 127.0.0.1:5672, PostgreSQL on
//! 127.0.0.1:5432, the S3 server on 127.0.0.1:9000, started by `scripts/services.sh` when they
//! are down) and the real `mailroom` binary as a worker. Each [`Env`] has its own bucket,
//! queues and catalog schema, and removes its queues, exchange and schema when dropped so
//! the broker and the database do not fill up with test leftovers (the bucket stays: its
//! objects are under object lock, which is the point of some tests).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mailroom::store::s3::{S3Config, S3Store};

pub const S3: &str = "http://127.0.0.1:9000";
pub const PG: &str = "postgresql://postgres@127.0.0.1:5432/test";

pub fn listening(port: u16) -> bool {
    std::net::TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_secs(1)).is_ok()
}

/// Starts the servers if needed; fails loudly when they cannot run (these tests must not
/// pass by skipping).
pub fn services() {
    if listening(5672) && listening(9000) && listening(5432) {
        return;
    }
    let st = Command::new("bash").arg(super::root().join("scripts/services.sh")).status().expect("run scripts/services.sh");
    assert!(st.success() && listening(5672) && listening(9000) && listening(5432), "RabbitMQ (5672), PostgreSQL (5432) and the S3 server (9000) must run: see scripts/services.sh");
}

/// A name no other test run uses.
pub fn unique(prefix: &str) -> String {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    format!("{prefix}-{}-{}-{}", std::process::id(), chrono::Utc::now().timestamp_millis() % 1_000_000, N.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
}

/// One test's production setup: a configuration file naming its own bucket, queues and
/// catalog schema.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    pub bucket: String,
    /// Prefix of the queue and exchange names.
    pub queue: String,
    pub schema: String,
    /// The S3 endpoint (the suite's shared test server unless a test runs its own).
    pub s3: String,
    /// The PostgreSQL catalog's URL.
    pub pg: String,
}

impl Env {
    pub fn new(prefix: &str) -> Env {
        Env::with_s3(prefix, S3)
    }

    /// Against another S3 endpoint: a test's private server, which it may pause or cut off.
    pub fn with_s3(prefix: &str, s3: &str) -> Env {
        Env::with_servers(prefix, s3, PG, "amqp://guest:guest@127.0.0.1:5672/%2f")
    }

    /// Against other servers: a test's private S3 server, PostgreSQL or broker address (a
    /// proxy), which it may pause, restart or cut off.
    pub fn with_servers(prefix: &str, s3: &str, pg: &str, amqp: &str) -> Env {
        services();
        let dir = tempfile::tempdir().unwrap();
        let name = unique(prefix);
        let (bucket, queue, schema) = (name.clone(), name.replace('-', "."), name.replace(['.', '-'], "_"));
        let config = dir.path().join("pipeline.toml");
        std::fs::write(
            &config,
            format!(
                r#"
[archive]
kind = "s3"
bucket = "{bucket}"
endpoint = "{s3}"
region = "eu-central-1"
path_style = true
create_bucket = true

[catalog]
kind = "postgres"
default_url = "{pg}"
schema = "{schema}"

[broker]
default_url = "{amqp}"
queue = "{queue}.jobs"
events_exchange = "{queue}.events"
prefetch = 2
max_attempts = 3
retry_delays_s = [1, 2]

[worker]
concurrency = 2
shutdown_grace_s = 60
"#
            ),
        )
        .unwrap();
        Env { dir, config, bucket, queue, schema, s3: s3.to_string(), pg: pg.to_string() }
    }

    /// The `mailroom` binary with this configuration and the S3 server's test keys.
    pub fn mailroom(&self) -> Command {
        let mut c = Command::new(assert_cmd::cargo::cargo_bin("mailroom"));
        c.arg("--config").arg(&self.config).env("AWS_ACCESS_KEY_ID", "test").env("AWS_SECRET_ACCESS_KEY", "test").env("MAILROOM_LOG", "info");
        c
    }

    pub fn run(&self, args: &[&str]) -> std::process::Output {
        self.mailroom().args(args).output().unwrap()
    }

    /// The bucket, as mailroom's own store reads it.
    pub fn store(&self) -> S3Store {
        S3Store::connect(S3Config {
            bucket: self.bucket.clone(),
            endpoint: Some(self.s3.clone()),
            region: "eu-central-1".into(),
            path_style: true,
            access_key_id: "test".into(),
            secret_access_key: "test".into(),
            session_token: None,
            sse: None,
            sse_kms_key_id: None,
            object_lock: true,
        })
        .unwrap()
    }

    /// A worker in the background, its log in the test's folder.
    pub fn spawn_worker(&self, log: &str) -> Child {
        let log = std::fs::File::create(self.dir.path().join(log)).unwrap();
        self.mailroom().args(["worker", "--metrics-listen", "127.0.0.1:0"]).stdout(Stdio::null()).stderr(log).spawn().unwrap()
    }

    /// `mailroom dead-letters list --json`.
    pub fn dead_letters(&self) -> Vec<serde_json::Value> {
        let out = self.run(&["dead-letters", "list", "--json"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// How many documents the catalog lists (`mailroom list`); 0 while it cannot be asked.
    pub fn catalogued(&self) -> usize {
        let out = self.run(&["list", "--json", "--limit", "1000"]);
        serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout).map(|v| v.len()).unwrap_or(0)
    }

    /// What a worker started with [`Env::spawn_worker`] logged so far.
    pub fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default()
    }

    /// `mailroom verify` finds every archived object intact.
    pub fn verify_clean(&self) {
        let out = self.run(&["verify"]);
        assert!(out.status.success(), "verify found problems:\n{}", String::from_utf8_lossy(&out.stdout));
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        // Best effort: a test that failed must still show its own failure, not this one.
        if let (Ok(cfg), Ok(rt)) = (mailroom::config::Config::load(Some(&self.config)), tokio::runtime::Builder::new_current_thread().enable_all().build()) {
            let t = mailroom::queue::Topology::new(&cfg.broker);
            rt.block_on(async {
                let Ok(conn) = mailroom::queue::connect(&cfg.broker, "test-cleanup").await else { return };
                if let Ok(ch) = conn.create_channel().await {
                    let retry = t.retry_delays_s.iter().map(|d| t.retry_queue(*d));
                    for q in [t.jobs.clone(), t.dead.clone(), t.migrating()].into_iter().chain(retry) {
                        let _ = ch.queue_delete(q.as_str().into(), lapin::options::QueueDeleteOptions::default()).await;
                    }
                    let _ = ch.exchange_delete(t.events.as_str().into(), lapin::options::ExchangeDeleteOptions::default()).await;
                }
                let _ = conn.close(200, "test done".into()).await;
            });
        }
        if let Ok(mut pg) = postgres::Client::connect(&self.pg, postgres::NoTls) {
            let _ = pg.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", self.schema));
        }
    }
}

/// The index revisions in the bucket (`documents/<id>/index/<n>.json`).
pub fn index_keys(s: &S3Store) -> Vec<String> {
    mailroom::store::list_all(s, "documents/").unwrap().into_iter().filter(|k| k.contains("/index/")).collect()
}

/// `n` distinct invoices: the XRechnung fixture with its number (BT-1) changed.
pub fn xml_invoices(dir: &Path, n: usize) -> Vec<PathBuf> {
    let xml = std::fs::read_to_string(super::fixture("documents/xrechnung-cii.xml")).unwrap();
    (0..n)
        .map(|i| {
            let p = dir.join(format!("invoice-{i:03}.xml"));
            std::fs::write(&p, xml.replacen("<ram:ID>123456XX</ram:ID>", &format!("<ram:ID>RE-2025-{i:05}</ram:ID>"), 1)).unwrap();
            p
        })
        .collect()
}

/// SIGTERM: the worker finishes what it is doing and exits 0.
pub fn stop(worker: &mut Child) {
    let status = super::terminate(worker, "the worker", Duration::from_secs(90));
    assert!(status.success(), "the worker did not stop cleanly: {status}");
}

pub fn wait_until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let t = Instant::now();
    while !done() {
        assert!(t.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(300));
    }
}
