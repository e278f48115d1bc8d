//! `cargo bench --bench imap`: messages per second fetched from Dovecot and stored (issue
//! 21), embedded (local archive, SQLite catalog). Needs `scripts/dovecot.sh` (run by
//! `scripts/services.sh`). `MAILROOM_BENCH_MESSAGES` sets the mailbox size (default 2,000).
//!
//! The mailbox: small messages as an invoice inbox gets them — one in ten with a PDF invoice
//! (born-digital: no OCR), one in ten with an XML e-invoice, three in ten text-only
//! reminders, the rest without attachments — all distinct. Appended over IMAP first (not
//! timed), then one `fetch_once` pass is timed, then a second pass (nothing new).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use mailroom::config::{ArchiveConfig, Config, MailAction, MailRules, MailSecurity, MailboxConfig};
use mailroom::intake::imap::{fetch_once, Positions};
use mailroom::intake::sink::Sink;

fn main() {
    let n: usize = std::env::var("MAILROOM_BENCH_MESSAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let ca = PathBuf::from(std::env::var("MAILROOM_DOVECOT_DIR").unwrap_or_else(|_| "/var/tmp/mailroom-dovecot".into())).join("ca.pem");
    assert!(ca.exists(), "Dovecot's test CA {} is missing: run scripts/services.sh", ca.display());
    let pdf = std::fs::read(root.join("fixtures/documents/born-digital-invoice.pdf")).expect("fixture");
    let xml = std::fs::read(root.join("fixtures/documents/xrechnung-cii.xml")).expect("fixture");
    let folder = format!("bench-{}", std::process::id());
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");

    let messages: Vec<Vec<u8>> = (0..n).map(|i| message(i, &pdf, &xml)).collect();
    let bytes: usize = messages.iter().map(Vec::len).sum();
    rt.block_on(async {
        let mut s = session(&ca).await;
        let _ = s.delete(&folder).await;
        s.create(&folder).await.expect("create");
        for m in &messages {
            s.append(&folder, None, None, m).await.expect("append");
        }
        let _ = s.logout().await;
    });

    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config { archive: ArchiveConfig::Local { path: dir.path().join("archive") }, ..Config::default() };
    std::env::set_var("BENCH_IMAP_PASSWORD", "mailroom-test-password");
    let mailbox = MailboxConfig {
        name: "bench".into(),
        host: "localhost".into(),
        port: Some(10993),
        security: MailSecurity::Imaps,
        ca_file: Some(ca.clone()),
        user: "mailroom-test".into(),
        password_env: Some("BENCH_IMAP_PASSWORD".into()),
        oauth_token_env: None,
        folders: vec![folder.clone()],
        rules: MailRules::default(),
        action: MailAction::Keyword { keyword: "$Stored".into() },
        max_age_days: None,
        batch: 100,
        split: String::new(),
        patch_text: String::new(),
        poll_interval_s: 300,
    };
    let sink = Sink::open(&config, "bench").expect("sink");
    let positions = Arc::new(Positions::open(&config).expect("positions"));
    let t = Instant::now();
    let first = rt.block_on(fetch_once(&mailbox, &sink, &positions, "bench")).expect("fetch");
    let took = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let second = rt.block_on(fetch_once(&mailbox, &sink, &positions, "bench")).expect("fetch");
    let again = t.elapsed().as_secs_f64();
    let f = &first.folders[0];
    assert_eq!(f.stored, n, "every message stored");
    println!("| messages | MB | first pass s | messages/s | UID FETCH commands | second pass ms | fetched again |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    println!("| {n} | {:.1} | {took:.1} | {:.0} | {} | {:.0} | {} |", bytes as f64 / 1e6, n as f64 / took, f.fetch_commands, again * 1000.0, second.folders[0].fetched);
    rt.block_on(async {
        let mut s = session(&ca).await;
        let _ = s.delete(&folder).await;
        let _ = s.logout().await;
    });
}

fn message(i: usize, pdf: &[u8], xml: &[u8]) -> Vec<u8> {
    use base64::Engine;
    let head = format!("From: Lieferant AG <rechnung@lieferant.example>\r\nTo: buchhaltung@kunde.example\r\nSubject: Nachricht {i}\r\nDate: Mon, 3 Nov 2025 09:15:00 +0100\r\nMessage-ID: <bench-{i}@mailroom.test>\r\nMIME-Version: 1.0\r\n");
    let attach = |name: &str, ctype: &str, bytes: &[u8]| {
        let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        let wrapped: Vec<&str> = b64.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).expect("base64 is ASCII")).collect();
        format!(
            "{head}Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAnbei ({i}).\r\n--b\r\nContent-Type: {ctype}; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--b--\r\n",
            wrapped.join("\r\n")
        )
    };
    match i % 10 {
        0 => attach("rechnung.pdf", "application/pdf", pdf),
        1 => attach("xrechnung.xml", "application/xml", xml),
        2..=4 => format!("{head}Content-Type: text/plain; charset=utf-8\r\n\r\nZahlungserinnerung {i}: Rechnung RE-{i} über 119,00 EUR ist seit dem 16.10.2025 fällig.\r\n"),
        _ => format!("{head}Content-Type: text/plain; charset=utf-8\r\n\r\nHallo, kurze Rückfrage Nr. {i} ohne Anhang.\r\n"),
    }
    .into_bytes()
}

type Session = async_imap::Session<tokio_rustls::client::TlsStream<tokio::net::TcpStream>>;

async fn session(ca: &std::path::Path) -> Session {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls::pki_types::CertificateDer::pem_file_iter(ca).expect("CA") {
        roots.add(c.expect("certificate")).expect("root");
    }
    let cfg = rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", 10993)).await.expect("Dovecot on 127.0.0.1:10993 (scripts/services.sh)");
    let tls = tokio_rustls::TlsConnector::from(Arc::new(cfg)).connect(rustls::pki_types::ServerName::try_from("localhost").expect("name"), tcp).await.expect("TLS");
    let mut client = async_imap::Client::new(tls);
    client.read_response().await.expect("greeting");
    client.login("mailroom-test", "mailroom-test-password").await.map_err(|(e, _)| e).expect("login")
}
