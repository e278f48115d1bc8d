//! The HTTP upload, `mailroom serve`, driven over a real socket: no token, no server; no valid
//! token, no upload; a document is answered only once it is stored; too large is refused.

mod common;

use std::path::Path;
use std::process::Command;

use common::http::{form, request, Server};
use common::*;
use serde_json::Value;

const SCANNER_SECRET: &str = "3f1a9c0e5b7d2f4a6c8e0b1d3f5a7c9e";
const ERP_SECRET: &str = "c0ffee00c0ffee00c0ffee00c0ffee00";

fn tokens() -> String {
    format!("scanner-2:{SCANNER_SECRET},erp:{ERP_SECRET}")
}

fn mailroom(archive: &Path) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("mailroom"));
    c.arg("--archive").arg(archive).env_remove("MAILROOM_HTTP_TOKENS").env("MAILROOM_LOG", "info");
    c
}

/// `mailroom serve` on a free loopback port, with both clients' tokens.
fn serve(archive: &Path, config: Option<&Path>) -> Server {
    let mut c = mailroom(archive);
    if let Some(cfg) = config {
        c.arg("--config").arg(cfg);
    }
    c.args(["serve", "--listen", "127.0.0.1:0"]).env("MAILROOM_HTTP_TOKENS", tokens());
    Server::start(c)
}

fn bearer(secret: &str) -> String {
    format!("Bearer {secret}")
}

fn documents_in(archive: &Path) -> usize {
    std::fs::read_dir(archive.join("documents")).map(|rd| rd.count()).unwrap_or(0)
}

#[test]
fn without_tokens_the_server_refuses_to_start() {
    let archive = tempfile::tempdir().unwrap();
    let out = mailroom(archive.path()).args(["serve", "--listen", "127.0.0.1:0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("MAILROOM_HTTP_TOKENS") && err.contains("authentication"), "{err}");
    let out = mailroom(archive.path()).args(["serve", "--listen", "127.0.0.1:0"]).env("MAILROOM_HTTP_TOKENS", "scanner:geheim").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("shorter than 16"), "a guessable secret is refused");
}

#[test]
fn uploads_need_a_token_and_are_answered_once_stored() {
    let archive = tempfile::tempdir().unwrap();
    let mut server = serve(archive.path(), None);
    let port = server.port;
    let pdf = std::fs::read(fixture("documents/born-digital-invoice.pdf")).unwrap();

    // No token, a wrong one, another scheme: 401, and nothing is stored.
    for auth in [None, Some(bearer("not-the-token-at-all-0000")), Some(format!("Basic {SCANNER_SECRET}"))] {
        let mut headers = vec![("X-Filename", "scan.pdf")];
        if let Some(a) = &auth {
            headers.push(("Authorization", a.as_str()));
        }
        let r = request(port, "POST", "/documents", &headers, Some(&pdf));
        assert_eq!(r.status, 401, "{auth:?}");
        assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    }
    assert_eq!(documents_in(archive.path()), 0, "nothing stored without a valid token");

    // A raw upload with its (percent-encoded) file name: 201 with the index, once stored.
    let auth = bearer(SCANNER_SECRET);
    let r = request(port, "POST", "/documents", &[("Authorization", &auth), ("X-Filename", "Rechnung%20M%C3%A4rz.pdf"), ("Content-Type", "application/pdf")], Some(&pdf));
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let idx = r.json();
    let id = idx["id"].as_str().unwrap().to_string();
    assert_eq!(id, mailroom::document::sha256_hex(&pdf));
    assert_eq!(idx["status"], "processed");
    assert_eq!(idx["doc_type"]["label"], "invoice");
    assert_eq!(idx["source"]["channel"], "http");
    assert_eq!(idx["source"]["name"], "Rechnung März.pdf");
    assert_eq!(r.header("location"), Some(format!("/documents/{id}").as_str()));
    assert_eq!(std::fs::read(archive.path().join(idx["archive"]["original"].as_str().unwrap())).unwrap(), pdf, "stored byte for byte");

    // The same bytes again: the stored index, 200, nothing new.
    let before = listing(archive.path()).len();
    let r = request(port, "POST", "/documents", &[("Authorization", &auth)], Some(&pdf));
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["id"], id.as_str());
    assert_eq!(listing(archive.path()).len(), before, "not archived twice");

    // A form upload of an e-mail, from the other client: the e-mail and what it carries.
    let xml = std::fs::read(fixture("documents/xrechnung-cii.xml")).unwrap();
    let (outer, inner) = mail::forwarded_xrechnung(&xml);
    let (content_type, body) = form("file", "weitergeleitet.eml", &outer);
    let erp = bearer(ERP_SECRET);
    let r = request(port, "POST", "/documents", &[("Authorization", &erp), ("Content-Type", &content_type)], Some(&body));
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let email = r.json();
    assert_eq!(email["source"]["name"], "weitergeleitet.eml");
    assert_eq!(email["source"]["media_type"], "message/rfc822");
    assert_eq!(email["source"]["channel"], "http");
    assert_eq!(email["archive"]["attachments"].as_array().unwrap().len(), 1, "the forwarded e-mail");

    // GET: the current index of any document, the attachments' too.
    let inner_id = mailroom::document::sha256_hex(&inner);
    let r = request(port, "GET", &format!("/documents/{inner_id}"), &[("Authorization", &auth)], None);
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["source"]["parent"], email["id"]);
    let r = request(port, "GET", &format!("/documents/{id}"), &[("Authorization", &auth)], None);
    assert_eq!((r.status, r.json()["id"].as_str().unwrap()), (200, id.as_str()));
    assert_eq!(request(port, "GET", &format!("/documents/{id}"), &[], None).status, 401);
    assert_eq!(request(port, "GET", &format!("/documents/{}", "0".repeat(64)), &[("Authorization", &auth)], None).status, 404);
    assert_eq!(request(port, "GET", "/documents/not-an-id", &[("Authorization", &auth)], None).status, 400);

    // A document held for review leaves nothing it read, not even to its uploader: the
    // fields come once a person approves it.
    let scan = std::fs::read(fixture("documents/invoice-page.png")).unwrap();
    let r = request(port, "POST", "/documents", &[("Authorization", &auth), ("X-Filename", "scan.png")], Some(&scan));
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let held = r.json();
    assert_eq!(held["review"]["state"], "pending");
    assert!(held["fields"].as_object().unwrap().is_empty() && held["line_items"].as_array().unwrap().is_empty(), "{held}");
    let held_id = held["id"].as_str().unwrap().to_string();
    let r = request(port, "GET", &format!("/documents/{held_id}"), &[("Authorization", &erp)], None);
    assert!(r.json()["fields"].as_object().unwrap().is_empty(), "not to the ERP either before approval");
    let o = mailroom(archive.path()).args(["review", "approve", &held_id]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = request(port, "GET", &format!("/documents/{held_id}"), &[("Authorization", &erp)], None);
    assert_eq!(r.json()["review"]["state"], "approved");
    assert!(r.json()["fields"]["gross_total"]["value"].is_string(), "released: the values read");
    let health = request(port, "GET", "/health", &[], None);
    assert_eq!((health.status, health.json()["status"].as_str().unwrap()), (200, "ok"));

    // The audit trail names the client, never its token.
    let mut received_by = Vec::new();
    for (path, _, _) in listing(archive.path()) {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(!text.contains(SCANNER_SECRET) && !text.contains(ERP_SECRET), "a token was written to {}", path.display());
        if path.to_string_lossy().contains("/audit/") {
            let entry: Value = serde_json::from_str(&text).unwrap();
            if entry["event"] == "received" {
                received_by.push((entry["document"].as_str().unwrap_or_default().to_string(), entry["actor"].as_str().unwrap().to_string()));
            }
        }
    }
    let actor_of = |doc: &str| received_by.iter().find(|(d, _)| d == doc).map(|(_, a)| a.clone()).unwrap_or_else(|| panic!("no received entry for {doc}: {received_by:?}"));
    assert!(actor_of(&id).starts_with("http:scanner-2@"), "{}", actor_of(&id));
    assert!(actor_of(email["id"].as_str().unwrap()).starts_with("http:erp@"));
    assert!(actor_of(&inner_id).starts_with("http:erp@"), "the attachments were received from the same client");
    let log = server.log.lock().unwrap().clone();
    assert!(!log.contains(SCANNER_SECRET) && !log.contains("Rechnung März"), "no tokens or file names in the log:\n{log}");
    server.stop();
}

#[test]
fn uploads_over_the_size_limit_are_refused_with_413() {
    let archive = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("small.toml");
    std::fs::write(&config, "[limits]\nmax_file_mb = 1\n").unwrap();
    let server = serve(archive.path(), Some(&config));
    let auth = bearer(SCANNER_SECRET);
    // Announced too large: refused before the body is sent.
    let announced = (2 * 1024 * 1024).to_string();
    let r = request(server.port, "POST", "/documents", &[("Authorization", &auth), ("Content-Length", &announced)], None);
    assert_eq!(r.status, 413, "{}", String::from_utf8_lossy(&r.body));
    assert!(String::from_utf8_lossy(&r.body).contains("limits.max_file_mb"));
    // A form whose file is over the limit, though the form itself is within its framing room.
    let big = vec![b'x'; 1024 * 1024 + 10];
    let (content_type, body) = form("file", "big.pdf", &big);
    let r = request(server.port, "POST", "/documents", &[("Authorization", &auth), ("Content-Type", &content_type)], Some(&body));
    assert_eq!(r.status, 413);
    // Just within the limit: taken (and quarantined: it is no document).
    let r = request(server.port, "POST", "/documents", &[("Authorization", &auth)], Some(&big[..1024 * 1024]));
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["status"], "quarantined");
    assert_eq!(documents_in(archive.path()), 1, "only the document within the limit was stored");
}

/// `POST /documents?split=…`: the upload is a batch scan; a split that does not parse is
/// refused before a byte is stored.
#[test]
fn an_upload_marked_as_a_batch_is_split() {
    use common::stack::*;
    let archive = tempfile::tempdir().unwrap();
    let server = serve(archive.path(), None);
    let port = server.port;
    let auth = bearer(SCANNER_SECRET);
    let stack = stack_pdf(&[Sheet::Text(letter_page(1, 1, 1)), Sheet::Image(patch_sheet(2)), Sheet::Text(letter_page(2, 1, 1))]);
    let r = request(port, "POST", "/documents?split=nonsense", &[("Authorization", &auth)], Some(&stack));
    assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(documents_in(archive.path()), 0);
    let r = request(port, "POST", "/documents?split=patch&patch_text=MAILROOM-SEPARATOR", &[("Authorization", &auth), ("X-Filename", "stapel.pdf")], Some(&stack));
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let idx = r.json();
    assert_eq!(idx["status"], "split");
    assert_eq!(idx["batch"]["parts"].as_array().unwrap().len(), 2);
    assert_eq!(idx["source"]["split"]["separators"], serde_json::json!(["patch"]));
    assert_eq!(documents_in(archive.path()), 3, "the batch and its two letters");
}
