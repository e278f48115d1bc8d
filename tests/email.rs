//! E-mails (`.eml`) through `mailroom process`: the e-mail is archived byte for byte and
//! classified by its body; every attachment that is a document becomes a document of its own,
//! pointing at its e-mail; broken e-mails are quarantined with the reason, and nothing in them
//! is lost.

mod common;

use std::path::Path;

use common::mail::{self, Mail};
use common::*;
use serde_json::Value;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn stored(archive: &Path, index: &Value) -> Vec<u8> {
    std::fs::read(archive.join(index["archive"]["original"].as_str().unwrap())).unwrap()
}

fn by_id<'a>(run: &'a Run, id: &str) -> &'a Value {
    run.indexes.iter().find(|i| i["id"] == id).unwrap_or_else(|| panic!("no index {id}; stderr:\n{}", run.stderr()))
}

fn sha(bytes: &[u8]) -> String {
    mailroom::document::sha256_hex(bytes)
}

#[test]
fn a_reminder_sent_as_plain_text_is_a_reminder() {
    let archive = tempfile::tempdir().unwrap();
    let inbox = tempfile::tempdir().unwrap();
    let eml = mail::reminder();
    // The name says nothing: e-mails are recognised by their header block.
    let run = process(archive.path(), &[write(inbox.path(), "nachricht-0815.dat", &eml)]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert_eq!(run.indexes.len(), 1);
    let idx = &run.indexes[0];
    assert_eq!(idx["status"], "processed");
    assert_eq!(idx["doc_type"]["label"], "reminder", "{}", run.stderr());
    assert_eq!(idx["source"]["media_type"], "message/rfc822");
    assert_eq!(idx["source"]["channel"], "file");
    assert_eq!(idx["source_format"], "email");
    assert_eq!(idx["language"], "de");
    assert!(idx["source"].get("parent").is_none(), "an e-mail that came on its own has no parent");
    assert_eq!(idx["id"], sha(&eml));
    assert!(idx["archive"]["original"].as_str().unwrap().ends_with(".eml"));
    assert_eq!(stored(archive.path(), idx), eml, "the e-mail is kept byte for byte");
    // Its pages are its text: subject and body, readable for review.
    let words = std::fs::read_to_string(archive.path().join(idx["archive"]["words"].as_str().unwrap())).unwrap();
    assert!(words.contains("Zahlungserinnerung") && words.contains("überfällig"));
}

#[test]
fn attachments_become_documents_of_their_own_pointing_at_their_e_mail() {
    let archive = tempfile::tempdir().unwrap();
    let inbox = tempfile::tempdir().unwrap();
    let pdf = std::fs::read(fixture("documents/born-digital-invoice.pdf")).unwrap();
    let png = std::fs::read(fixture("documents/invoice-page.png")).unwrap();
    let eml = mail::with_pdf_and_png(&pdf, &png);
    let path = write(inbox.path(), "lieferant.eml", &eml);
    let run = process(archive.path(), std::slice::from_ref(&path));
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert_eq!(run.indexes.len(), 3, "the e-mail and its two attachments");

    let email = by_id(&run, &sha(&eml));
    assert_eq!(email["source"]["channel"], "file");
    // The cover text mentions the invoice, but the invoice is the attachment: the ERP must
    // not get it twice.
    assert_eq!(email["doc_type"]["label"], "letter");
    assert!(email["checks"].as_array().unwrap().iter().any(|c| c["name"] == "email_cover_letter"));
    assert_eq!(stored(archive.path(), email), eml);

    for (name, bytes, media) in [("Rechnung-2025-114.pdf", &pdf, "application/pdf"), ("scan-beleg.png", &png, "image/png")] {
        let idx = run.by_name(name);
        assert_eq!(idx["id"], sha(bytes), "{name}: the attachment's bytes, exactly as attached");
        assert_eq!(idx["status"], "processed", "{name}");
        assert_eq!(idx["source"]["channel"], "email", "{name}");
        assert_eq!(idx["source"]["media_type"], media, "{name}");
        assert_eq!(idx["source"]["parent"], email["id"], "{name} points at its e-mail");
        assert_eq!(idx["source"]["received_at"], email["source"]["received_at"], "{name} arrived with its e-mail");
        assert_eq!(idx["doc_type"]["label"], "invoice", "{name}");
        assert_eq!(&stored(archive.path(), idx), bytes, "{name} kept byte for byte");
        // The e-mail's index lists where its attachments are.
        let listed: Vec<&str> = email["archive"]["attachments"].as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
        assert!(listed.contains(&idx["archive"]["original"].as_str().unwrap()), "{name} missing from {listed:?}");
    }
    assert!(field(run.by_name("Rechnung-2025-114.pdf"), "invoice_number").is_some(), "the attachment is read like the file itself");

    // The same e-mail again: everything is found, nothing is archived twice.
    let before = listing(archive.path()).len();
    let again = process(archive.path(), &[path]);
    assert_eq!(again.code(), 0, "{}", again.stderr());
    assert_eq!(again.indexes.len(), 3);
    assert!(again.stderr().contains("3 already archived"), "{}", again.stderr());
    assert_eq!(listing(archive.path()).len(), before, "a second run writes nothing");
}

#[test]
fn a_forwarded_e_mail_is_unfolded_with_its_xrechnung() {
    let archive = tempfile::tempdir().unwrap();
    let inbox = tempfile::tempdir().unwrap();
    let xml = std::fs::read(fixture("documents/xrechnung-cii.xml")).unwrap();
    let (outer, inner) = mail::forwarded_xrechnung(&xml);
    let run = process(archive.path(), &[write(inbox.path(), "fwd.eml", &outer)]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert_eq!(run.indexes.len(), 3, "outer e-mail, forwarded e-mail, XML");
    let outer_idx = by_id(&run, &sha(&outer));
    let inner_idx = by_id(&run, &sha(&inner));
    let xml_idx = by_id(&run, &sha(&xml));
    assert!(outer_idx["source"].get("parent").is_none());
    assert_eq!(inner_idx["source"]["parent"], outer_idx["id"]);
    assert_eq!(inner_idx["source"]["channel"], "email");
    assert_eq!(inner_idx["source"]["media_type"], "message/rfc822");
    assert_eq!(stored(archive.path(), inner_idx), inner, "the forwarded e-mail, byte for byte as it was attached");
    assert_eq!(xml_idx["source"]["parent"], inner_idx["id"], "the XML belongs to the forwarded e-mail");
    assert_eq!(xml_idx["source"]["name"], "xrechnung-123456XX.xml");
    assert_eq!(xml_idx["source_format"], "xrechnung_cii");
    assert_eq!(xml_idx["doc_type"]["label"], "invoice");
    assert_eq!(field(xml_idx, "invoice_number"), Some("123456XX"));
    assert_eq!(stored(archive.path(), xml_idx), xml, "sent as text/xml, kept as the bytes sent, not re-encoded");
}

#[test]
fn broken_e_mails_are_quarantined_with_their_reasons_and_nothing_is_lost() {
    let archive = tempfile::tempdir().unwrap();
    let inbox = tempfile::tempdir().unwrap();
    let pdf = std::fs::read(fixture("documents/born-digital-invoice.pdf")).unwrap();
    let png = std::fs::read(fixture("documents/invoice-page.png")).unwrap();
    let xml = std::fs::read(fixture("documents/xrechnung-cii.xml")).unwrap();

    // Cut off in transfer, half way into the scan.
    let whole = mail::with_pdf_and_png(&pdf, &png);
    let at = whole.windows(14).position(|w| w == b"scan-beleg.png").unwrap() + 20_000;
    let truncated = whole[..at].to_vec();
    // One attachment whose base64 is garbage, one that is fine.
    let bad_base64 = Mail::new("Lieferant AG <info@lieferant.example>", "Rechnung und XRechnung")
        .text("Anbei zwei Anhänge.\n")
        .raw_part(
            "Content-Type: application/pdf; name=\"rechnung.pdf\"\r\nContent-Disposition: attachment; filename=\"rechnung.pdf\"\r\nContent-Transfer-Encoding: base64",
            "JVBERi0xLjcK*** das ist kein base64 ***\r\n",
        )
        .attach("xrechnung.xml", "application/xml", &xml)
        .bytes();
    // No header block at all: a text someone saved as .eml.
    let no_headers = "Hallo,\r\n\r\nanbei die Rechnung.\r\n\r\nGruß\r\n".as_bytes().to_vec();
    // Forwarded seven times over: more than the limit of five levels.
    let mut deep = Mail::new("a@example.com", "level 0").text("innen\n").bytes();
    for level in 1..=7 {
        deep = Mail::new("a@example.com", &format!("WG: level {level}")).text("weiter\n").forward(&deep).bytes();
    }

    let files = [
        write(inbox.path(), "truncated.eml", &truncated),
        write(inbox.path(), "bad-base64.eml", &bad_base64),
        write(inbox.path(), "no-headers.eml", &no_headers),
        write(inbox.path(), "too-deep.eml", &deep),
    ];
    let run = process(archive.path(), &files);
    assert_eq!(run.code(), 2, "quarantine makes the run exit 2; stderr:\n{}", run.stderr());

    let cases: [(&str, &Vec<u8>, &str, &[&str]); 4] = [
        ("truncated.eml", &truncated, "corrupt", &["cut off", "multipart/mixed"]),
        ("bad-base64.eml", &bad_base64, "corrupt", &["attachment 1 (rechnung.pdf)", "base64"]),
        ("no-headers.eml", &no_headers, "unsupported_format", &["e-mail", "header block"]),
        ("too-deep.eml", &deep, "too_large", &["nested 7 levels", "max_depth"]),
    ];
    for (name, bytes, kind, words) in cases {
        let idx = run.by_name(name);
        assert_eq!(idx["status"], "quarantined", "{name}");
        assert_eq!(idx["error"]["kind"], kind, "{name}: {}", idx["error"]);
        let message = idx["error"]["message"].as_str().unwrap();
        for w in words {
            assert!(message.contains(w), "{name}: the reason should say {w:?}: {message}");
        }
        assert_eq!(&stored(archive.path(), idx), bytes, "{name}: the original is kept byte for byte");
        let record: Value = serde_json::from_slice(&std::fs::read(archive.path().join(idx["archive"]["index"].as_str().unwrap())).unwrap()).unwrap();
        assert_eq!(record["error"]["kind"], kind, "{name}: the quarantine record");
    }

    // What could be read was still delivered: the invoice before the cut, the good XML.
    let invoice = run.by_name("Rechnung-2025-114.pdf");
    assert_eq!(invoice["status"], "processed");
    assert_eq!(invoice["source"]["parent"], sha(&truncated));
    assert_eq!(invoice["id"], sha(&pdf));
    let good_xml = run.by_name("xrechnung.xml");
    assert_eq!(good_xml["status"], "processed");
    assert_eq!(good_xml["source"]["parent"], sha(&bad_base64));
    // The half scan is a document too, quarantined on its own: reported, not dropped.
    let half = run.by_name("scan-beleg.png");
    assert_eq!(half["status"], "quarantined");
    assert_eq!(half["source"]["parent"], sha(&truncated));
    // The e-mails nested too deep were not unpacked: only the outermost is there.
    assert_eq!(run.indexes.len(), 4 + 3, "4 e-mails, the invoice, the XML and the half scan: {}", run.stderr());
}
