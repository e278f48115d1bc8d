//! IMAP intake against a real Dovecot (Debian `dovecot-imapd`, started by
//! `scripts/dovecot.sh` on loopback with a self-signed certificate and a test user): a mailbox
//! is fetched completely, each message stored once and then acted on; a second run fetches
//! nothing (counted in `UID FETCH` commands); two fetchers at once store nothing twice; a
//! fetcher killed mid-run loses and duplicates nothing; a changed UIDVALIDITY re-scans
//! without duplicates; rules leave messages untouched; STARTTLS checks the certificate.
//!
//! Each test works in folders of its own. `MAILROOM_IMAP_TEST_MESSAGES` sets the size of the
//! big mailbox (default 2,000).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::mail::Mail;
use common::*;
use serde_json::Value;

const HOST: &str = "localhost";
const IMAPS: u16 = 10993;
const IMAP: u16 = 10143;
const USER: &str = "mailroom-test";
const PASSWORD: &str = "mailroom-test-password";

fn dovecot_dir() -> PathBuf {
    PathBuf::from(std::env::var("MAILROOM_DOVECOT_DIR").unwrap_or_else(|_| "/var/tmp/mailroom-dovecot".into()))
}

fn ca() -> PathBuf {
    let c = dovecot_dir().join("ca.pem");
    assert!(c.exists() && servers::listening(IMAPS), "Dovecot must run on 127.0.0.1:{IMAPS} with {} (run scripts/dovecot.sh, as scripts/test.sh does)", c.display());
    c
}

type Session = async_imap::Session<tokio_rustls::client::TlsStream<tokio::net::TcpStream>>;

/// The test's own IMAP session, over IMAPS with the test certificate.
async fn session() -> Session {
    let mut roots = rustls::RootCertStore::empty();
    use rustls::pki_types::pem::PemObject;
    for c in rustls::pki_types::CertificateDer::pem_file_iter(ca()).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    let cfg = rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", IMAPS)).await.unwrap();
    let tls = tokio_rustls::TlsConnector::from(Arc::new(cfg)).connect(rustls::pki_types::ServerName::try_from(HOST).unwrap(), tcp).await.unwrap();
    let mut client = async_imap::Client::new(tls);
    client.read_response().await.unwrap();
    client.login(USER, PASSWORD).await.map_err(|(e, _)| e).unwrap()
}

async fn create(s: &mut Session, folder: &str) {
    let _ = s.delete(folder).await;
    s.create(folder).await.unwrap();
}

async fn append(s: &mut Session, folder: &str, messages: &[Vec<u8>]) {
    for m in messages {
        s.append(folder, None, None, m).await.unwrap();
    }
}

async fn count(s: &mut Session, folder: &str) -> u32 {
    s.select(folder).await.unwrap().exists
}

async fn uidvalidity(s: &mut Session, folder: &str) -> u32 {
    s.select(folder).await.unwrap().uid_validity.unwrap()
}

/// Keywords on the messages of a folder.
async fn flagged(s: &mut Session, folder: &str, keyword: &str) -> usize {
    s.select(folder).await.unwrap();
    let found = s.uid_search(format!("KEYWORD {keyword}")).await.unwrap();
    found.len()
}

/// Removes a test's folders (best effort: the test user's mailbox would grow run by run).
fn cleanup(rt: &tokio::runtime::Runtime, folders: &[&str]) {
    rt.block_on(async {
        let mut s = session().await;
        for f in folders {
            let _ = s.delete(*f).await;
        }
        let _ = s.logout().await;
    });
}

/// A unique folder name for this test run.
fn folder(name: &str) -> String {
    format!("t{}-{name}", std::process::id())
}

/// The mix of a real invoice inbox: PDF invoices, XML e-invoices, text-only reminders,
/// messages without documents; `broken`: one truncated message among them.
fn messages(n: usize, tag: &str, broken: bool) -> Vec<Vec<u8>> {
    let pdf = std::fs::read(fixture("documents/born-digital-invoice.pdf")).unwrap();
    let zugferd = std::fs::read(fixture("documents/zugferd-invoice.pdf")).unwrap();
    let xml = std::fs::read(fixture("documents/xrechnung-cii.xml")).unwrap();
    (0..n)
        .map(|i| {
            let subject = format!("{tag} {i}");
            let m = Mail::new("Lieferant AG <rechnung@lieferant.example>", &subject);
            let m = match i % 10 {
                0 => m.text(&format!("Anbei die Rechnung ({tag} {i}).\n")).attach("rechnung.pdf", "application/pdf", if i % 20 == 0 { &pdf } else { &zugferd }),
                1 => m.text(&format!("XRechnung anbei ({tag} {i}).\n")).attach("xrechnung.xml", "application/xml", &xml),
                2..=4 => m.text(&format!("Zahlungserinnerung {i}: Rechnung RE-{i} über 119,00 EUR ist seit dem 16.10.2025 fällig ({tag}).\n")),
                _ => m.text(&format!("Hallo, kurze Rückfrage Nr. {i} ohne Anhang ({tag}).\n")),
            };
            let bytes = m.bytes();
            if broken && i == n / 2 {
                // Cut off in transfer: half a message.
                bytes[..bytes.len() / 2].to_vec()
            } else {
                bytes
            }
        })
        .collect()
}

fn config(dir: &Path, folders: &[&str], action: &str, extra: &str) -> PathBuf {
    let p = dir.join("pipeline.toml");
    let folders: Vec<String> = folders.iter().map(|f| format!("\"{f}\"")).collect();
    std::fs::write(
        &p,
        format!(
            "[[intake.imap]]\nname = \"test\"\nhost = \"{HOST}\"\nport = {IMAPS}\nca_file = \"{}\"\nuser = \"{USER}\"\npassword_env = \"TEST_IMAP_PASSWORD\"\nfolders = [{}]\nbatch = 50\naction = {action}\n{extra}",
            ca().display(),
            folders.join(", ")
        ),
    )
    .unwrap();
    p
}

fn fetch(archive: &Path, config: &Path) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("mailroom"));
    c.arg("--archive").arg(archive).arg("--config").arg(config).arg("fetch-mail").env("TEST_IMAP_PASSWORD", PASSWORD).env("MAILROOM_LOG", "warn");
    c
}

/// Runs one fetch; returns the report of the mailbox.
fn fetch_once(archive: &Path, config: &Path) -> Value {
    let o = fetch(archive, config).output().unwrap();
    assert!(o.status.success(), "fetch-mail: {}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(o.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap()
}

fn sum(report: &Value, key: &str) -> u64 {
    report["folders"].as_array().unwrap().iter().map(|f| f[key].as_u64().unwrap()).sum()
}

/// The e-mails archived (their originals, `documents/<id>/<id>.eml`), by id.
fn emails(archive: &Path) -> Vec<String> {
    let dir = archive.join("documents");
    if !dir.exists() {
        return Vec::new();
    }
    let mut v: Vec<String> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).filter(|id| dir.join(id).join(format!("{id}.eml")).exists()).collect();
    v.sort();
    v
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

#[test]
fn a_mailbox_is_fetched_completely_once_each_message_stored_once_then_moved() {
    let n: usize = std::env::var("MAILROOM_IMAP_TEST_MESSAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
    let rt = runtime();
    let (inbox, done) = (folder("inbox"), folder("done"));
    let all = messages(n, "inbox", true);
    rt.block_on(async {
        let mut s = session().await;
        create(&mut s, &inbox).await;
        create(&mut s, &done).await;
        append(&mut s, &inbox, &all).await;
        assert_eq!(count(&mut s, &inbox).await as usize, n);
    });
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let cfg = config(dir.path(), &[&inbox], &format!("{{ kind = \"move\", folder = \"{done}\" }}"), "");
    let t = Instant::now();
    let r = fetch_once(&archive, &cfg);
    let took = t.elapsed();
    eprintln!("{n} messages fetched and stored in {:.1} s ({:.1} messages/s)", took.as_secs_f64(), n as f64 / took.as_secs_f64());
    assert_eq!(sum(&r, "fetched"), n as u64, "{r}");
    assert_eq!(sum(&r, "stored"), n as u64, "{r}");
    assert_eq!(sum(&r, "quarantined"), 1, "the broken message is quarantined, and stored: {r}");
    assert_eq!((sum(&r, "failed"), sum(&r, "action_failures")), (0, 0), "{r}");
    assert_eq!(sum(&r, "fetch_commands"), n.div_ceil(50) as u64, "bounded UID batches of 50");
    // Each message archived once, each moved once stored.
    assert_eq!(emails(&archive).len(), n, "one archived e-mail per message");
    rt.block_on(async {
        let mut s = session().await;
        assert_eq!(count(&mut s, &inbox).await, 0, "every stored message was moved");
        assert_eq!(count(&mut s, &done).await as usize, n);
    });
    // A second run fetches nothing: no FETCH command at all.
    let r = fetch_once(&archive, &cfg);
    assert_eq!((sum(&r, "fetched"), sum(&r, "fetch_commands"), sum(&r, "bytes")), (0, 0, 0), "{r}");
    cleanup(&rt, &[&inbox, &done]);
}

#[test]
fn two_fetchers_at_once_and_a_killed_one_store_nothing_twice_and_lose_nothing() {
    let rt = runtime();
    let inbox = folder("race");
    let batch1 = messages(120, "race-a", false);
    let batch2 = messages(200, "race-b", false);
    rt.block_on(async {
        let mut s = session().await;
        create(&mut s, &inbox).await;
        append(&mut s, &inbox, &batch1).await;
    });
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let cfg = config(dir.path(), &[&inbox], "{ kind = \"keyword\", keyword = \"$Stored\" }", "");
    // Two fetchers started together.
    let a = fetch(&archive, &cfg).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let b = fetch(&archive, &cfg).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(a.status.success() && b.status.success(), "{} {}", String::from_utf8_lossy(&a.stderr), String::from_utf8_lossy(&b.stderr));
    let ra: Value = serde_json::from_slice(a.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    let rb: Value = serde_json::from_slice(b.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(sum(&ra, "fetched") + sum(&rb, "fetched"), 120, "each message fetched by one of them: {ra} {rb}");
    assert_eq!(emails(&archive).len(), 120);
    rt.block_on(async {
        let mut s = session().await;
        assert_eq!(flagged(&mut s, &inbox, "$Stored").await, 120);
        append(&mut s, &inbox, &batch2).await;
    });
    // Killed in the middle of the run, then started again.
    let mut child = fetch(&archive, &cfg).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while emails(&archive).len() < 120 + 60 {
        assert!(Instant::now() < deadline, "the fetcher stored nothing in 120 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let after_kill = emails(&archive).len();
    assert!(after_kill < 320, "killed before the end ({after_kill})");
    let r = fetch_once(&archive, &cfg);
    assert!(sum(&r, "fetched") <= 200 - (after_kill as u64 - 120) + 50, "only what was not remembered is fetched again: {r}");
    assert_eq!(emails(&archive).len(), 320, "nothing lost, nothing twice");
    rt.block_on(async {
        let mut s = session().await;
        assert_eq!(flagged(&mut s, &inbox, "$Stored").await, 320, "every message acted on");
    });
    assert_eq!(sum(&fetch_once(&archive, &cfg), "fetched"), 0);
    cleanup(&rt, &[&inbox]);
}

#[test]
fn a_new_uidvalidity_rescans_without_duplicates_and_rules_leave_messages_untouched() {
    let rt = runtime();
    let inbox = folder("rules");
    let wanted = messages(30, "wanted", false);
    let newsletter = Mail::new("News <news@newsletter.example>", "Unser Newsletter").text("Angebote der Woche\n").bytes();
    rt.block_on(async {
        let mut s = session().await;
        create(&mut s, &inbox).await;
        append(&mut s, &inbox, &wanted).await;
        append(&mut s, &inbox, std::slice::from_ref(&newsletter)).await;
    });
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let cfg = config(dir.path(), &[&inbox], "{ kind = \"seen\" }", "[intake.imap.rules]\nfrom = [\"*@lieferant.example\"]\n");
    let r = fetch_once(&archive, &cfg);
    assert_eq!((sum(&r, "fetched"), sum(&r, "stored"), sum(&r, "excluded")), (31, 30, 1), "{r}");
    assert_eq!(emails(&archive).len(), 30, "the newsletter is not archived");
    let v1 = rt.block_on(async {
        let mut s = session().await;
        s.select(&inbox).await.unwrap();
        let unseen = s.uid_search("UNSEEN").await.unwrap();
        assert_eq!(unseen.len(), 1, "the excluded message is untouched (still unread)");
        uidvalidity(&mut s, &inbox).await
    });
    assert_eq!(sum(&fetch_once(&archive, &cfg), "fetched"), 0, "excluded messages are not fetched again either");

    // The folder is recreated (a server migration): a new UIDVALIDITY, the same messages.
    rt.block_on(async {
        let mut s = session().await;
        create(&mut s, &inbox).await;
        append(&mut s, &inbox, &wanted).await;
        assert_ne!(uidvalidity(&mut s, &inbox).await, v1);
    });
    let r = fetch_once(&archive, &cfg);
    assert_eq!(r["folders"][0]["rescanned"], true, "{r}");
    assert_eq!(sum(&r, "fetched"), 30);
    assert_eq!(emails(&archive).len(), 30, "re-scanned, nothing stored twice");
    cleanup(&rt, &[&inbox]);
}

#[test]
fn starttls_checks_the_certificate() {
    let rt = runtime();
    let inbox = folder("starttls");
    rt.block_on(async {
        let mut s = session().await;
        create(&mut s, &inbox).await;
        append(&mut s, &inbox, &messages(3, "tls", false)).await;
    });
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let cfg = config(dir.path(), &[&inbox], "{ kind = \"delete\" }", "").to_string_lossy().to_string();
    let text = std::fs::read_to_string(&cfg).unwrap().replace(&format!("port = {IMAPS}"), &format!("port = {IMAP}\nsecurity = \"starttls\""));
    std::fs::write(&cfg, &text).unwrap();
    let r = fetch_once(&archive, Path::new(&cfg));
    assert_eq!(sum(&r, "stored"), 3, "{r}");
    rt.block_on(async {
        let mut s = session().await;
        assert_eq!(count(&mut s, &inbox).await, 0, "deleted once stored");
    });
    // Without the test CA the self-signed certificate is refused.
    let no_ca: String = text.lines().filter(|l| !l.starts_with("ca_file")).collect::<Vec<_>>().join("\n");
    std::fs::write(&cfg, no_ca).unwrap();
    let o = fetch(&archive, Path::new(&cfg)).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("TLS") || err.contains("certificate"), "{err}");
    cleanup(&rt, &[&inbox]);
}
