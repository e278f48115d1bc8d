//! The intake channels in production, against the real servers (RabbitMQ on 127.0.0.1:5672,
//! the S3 server on 127.0.0.1:9000, started by `scripts/services.sh` when they are down): the
//! hot folder and the HTTP upload store the original in the bucket and queue a job before they
//! acknowledge; a real worker then archives an e-mail together with its attachments in one job.
//! Each test has its own bucket and queue names; they take one broker lock, as in
//! `tests/production.rs`.

mod common;

use std::sync::Mutex;
use std::time::Duration;

use common::http::{request, Server};
use common::mail::Mail;
use common::servers::*;
use common::*;
use mailroom::store::s3::S3Store;
use mailroom::store::ObjectStore;
use serde_json::Value;

const SECRET: &str = "5e1f0a2b3c4d5e6f7a8b9c0d1e2f3a4b";
static BROKER: Mutex<()> = Mutex::new(());

/// Every first index revision in the bucket.
fn indexes(s: &S3Store) -> Vec<Value> {
    mailroom::store::list_all(s, "documents/").unwrap().into_iter().filter(|k| k.ends_with("/index/0001.json")).map(|k| serde_json::from_slice(&s.get(&k).unwrap().unwrap()).unwrap()).collect()
}

fn original_key(bytes: &[u8]) -> String {
    mailroom::archive::original_key(&mailroom::document::sha256_hex(bytes), mailroom::document::MediaType::sniff(bytes))
}

#[test]
fn an_e_mail_from_the_hot_folder_is_queued_then_archived_with_its_attachments_in_one_job() {
    let _broker = BROKER.lock().unwrap_or_else(|p| p.into_inner());
    let env = Env::new("mailroom-intake");
    let s = env.store();
    let hot = env.dir.path().join("scans");
    std::fs::create_dir(&hot).unwrap();
    let pdf = std::fs::read(fixture("documents/born-digital-invoice.pdf")).unwrap();
    let xml = std::fs::read(fixture("documents/xrechnung-cii.xml")).unwrap();
    let eml = Mail::new("Lieferant AG <rechnung@lieferant.example>", "Rechnungen November")
        .text("Sehr geehrte Damen und Herren,\n\nanbei zwei Rechnungen.\n\nMit freundlichen Grüßen\n")
        .attach("RE-1.pdf", "application/pdf", &pdf)
        .attach("RE-2.xml", "application/xml", &xml)
        .bytes();
    std::fs::write(hot.join("posteingang.eml"), &eml).unwrap();

    let out = env.mailroom().arg("watch").arg(&hot).args(["--once", "--settle", "0.3"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("1 queued"), "{err}");
    // Acknowledged (moved) only once stored and queued: the original is in the bucket.
    assert!(!hot.join("posteingang.eml").exists());
    assert_eq!(std::fs::read(hot.join(".mailroom-done/posteingang.eml")).unwrap(), eml);
    assert_eq!(s.get(&original_key(&eml)).unwrap().as_deref(), Some(eml.as_slice()), "the original is stored before the file is moved");
    assert!(indexes(&s).is_empty(), "nothing is processed without a worker");

    let mut worker = env.spawn_worker("worker.log");
    wait_until("the e-mail and both attachments", Duration::from_secs(300), || indexes(&s).len() >= 3);
    std::thread::sleep(Duration::from_secs(1));
    stop(&mut worker);
    let all = indexes(&s);
    assert_eq!(all.len(), 3, "each document once");
    let email_id = mailroom::document::sha256_hex(&eml);
    let email = all.iter().find(|i| i["id"] == email_id.as_str()).unwrap();
    assert_eq!(email["source"]["channel"], "folder");
    for (name, bytes) in [("RE-1.pdf", &pdf), ("RE-2.xml", &xml)] {
        let idx = all.iter().find(|i| i["source"]["name"] == name).unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(idx["source"]["channel"], "email");
        assert_eq!(idx["source"]["parent"], email_id.as_str());
        assert_eq!(idx["doc_type"]["label"], "invoice", "{name}");
        assert_eq!(s.get(&original_key(bytes)).unwrap().as_deref(), Some(bytes.as_slice()), "{name} byte for byte");
    }
    let log = std::fs::read_to_string(env.dir.path().join("worker.log")).unwrap();
    assert!(log.contains("documents=3"), "one job for the e-mail and its attachments:\n{log}");
    assert_eq!(env.dead_letters().len(), 0);
    env.verify_clean();
}

#[test]
fn an_http_upload_is_stored_and_queued_then_found_once_a_worker_archived_it() {
    let _broker = BROKER.lock().unwrap_or_else(|p| p.into_inner());
    let env = Env::new("mailroom-intake");
    let s = env.store();
    let mut cmd = env.mailroom();
    cmd.args(["serve", "--listen", "127.0.0.1:0"]).env("MAILROOM_HTTP_TOKENS", format!("erp:{SECRET}"));
    let mut server = Server::start(cmd);
    let auth = format!("Bearer {SECRET}");
    let pdf = std::fs::read(fixture("documents/born-digital-invoice.pdf")).unwrap();

    let r = request(server.port, "POST", "/documents", &[("Authorization", &auth), ("X-Filename", "re-4711.pdf")], Some(&pdf));
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
    let id = r.json()["id"].as_str().unwrap().to_string();
    assert_eq!((id.as_str(), r.json()["status"].as_str().unwrap()), (mailroom::document::sha256_hex(&pdf).as_str(), "queued"));
    assert!(s.head(&original_key(&pdf)).unwrap().is_some(), "answered only after the original was stored");
    let r = request(server.port, "GET", &format!("/documents/{id}"), &[("Authorization", &auth)], None);
    assert_eq!((r.status, r.json()["status"].as_str().unwrap()), (202, "queued"));

    let mut worker = env.spawn_worker("worker.log");
    wait_until("the upload to be archived", Duration::from_secs(300), || indexes(&s).len() == 1);
    stop(&mut worker);
    let r = request(server.port, "GET", &format!("/documents/{id}"), &[("Authorization", &auth)], None);
    assert_eq!(r.status, 200);
    let idx = r.json();
    assert_eq!((idx["status"].as_str().unwrap(), idx["source"]["channel"].as_str().unwrap()), ("processed", "http"));
    assert_eq!(idx["source"]["name"], "re-4711.pdf");
    // The same bytes again: already archived, not queued again.
    let r = request(server.port, "POST", "/documents", &[("Authorization", &auth)], Some(&pdf));
    assert_eq!((r.status, r.json()["id"].as_str().unwrap()), (200, id.as_str()));
    server.stop();
    let received =
        mailroom::store::list_all(&s, "audit/").unwrap().into_iter().map(|k| serde_json::from_slice::<Value>(&s.get(&k).unwrap().unwrap()).unwrap()).find(|e| e["event"] == "received").unwrap();
    assert!(received["actor"].as_str().unwrap().starts_with("http:erp@"), "{received}");
    env.verify_clean();
}
