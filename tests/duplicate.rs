//! The same invoice twice under other bytes — resent, or attached twice to one e-mail — is
//! held for a person as a possible duplicate and never handed to the ERP twice unless a person
//! confirms it is no duplicate. Through the real binary on an embedded archive (SQLite catalog).

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::*;
use serde_json::Value;

fn xrechnung(dir: &Path, name: &str, edit: impl Fn(String) -> String) -> PathBuf {
    let xml = std::fs::read_to_string(fixture("documents/xrechnung-cii.xml")).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, edit(xml)).unwrap();
    p
}

fn duplicate_check(idx: &Value) -> &Value {
    idx["checks"].as_array().unwrap().iter().find(|c| c["name"] == "possible_duplicate").unwrap_or_else(|| panic!("no possible_duplicate check: {}", idx["checks"]))
}

fn outbox_entries(archive: &Path, id: &str) -> usize {
    let dir = archive.join("handoff");
    if !dir.exists() {
        return 0;
    }
    listing(&dir).into_iter().filter(|(p, _, _)| p.file_name().unwrap().to_string_lossy().starts_with(id) && p.to_string_lossy().ends_with(".jsonl")).count()
}

#[test]
fn a_resent_invoice_is_held_as_a_possible_duplicate_and_released_only_by_a_person() {
    let inbox = tempfile::tempdir().unwrap();
    let archive = tempfile::tempdir().unwrap();
    let a = archive.path();
    let first = xrechnung(inbox.path(), "rechnung.xml", |x| x);
    // The same invoice, sent again: other bytes (a comment), same supplier, number and total.
    let again = xrechnung(inbox.path(), "rechnung-nochmal.xml", |x| format!("{x}\n<!-- erneut gesendet -->\n"));
    // Another invoice of the same supplier over the same amount: a different number.
    let other = xrechnung(inbox.path(), "rechnung-2.xml", |x| x.replacen("<ram:ID>123456XX</ram:ID>", "<ram:ID>123456XY</ram:ID>", 1));

    let run = process(a, &[first]);
    let one = run.by_name("rechnung.xml");
    assert_eq!(duplicate_check(one)["passed"], true);
    assert_eq!(one["review"]["state"], "straight_through");
    let one_id = one["id"].as_str().unwrap();
    assert_eq!(outbox_entries(a, one_id), 1);

    let run = process(a, &[again, other]);
    let dup = run.by_name("rechnung-nochmal.xml");
    let check = duplicate_check(dup);
    assert_eq!(check["passed"], false);
    assert!(check["message"].as_str().unwrap().contains(one_id), "names the other document: {check}");
    assert_eq!(dup["needs_review"], true);
    assert_eq!(dup["review"]["state"], "pending");
    let dup_id = dup["id"].as_str().unwrap();
    assert_ne!(dup_id, one_id, "other bytes, another document");
    assert_eq!(outbox_entries(a, dup_id), 0, "a possible duplicate is not handed to the ERP");
    let different = run.by_name("rechnung-2.xml");
    assert_eq!(duplicate_check(different)["passed"], true, "another number is another invoice");
    assert_eq!(outbox_entries(a, different["id"].as_str().unwrap()), 1);

    // A person confirms it is no duplicate: released, audited like every decision.
    let o = Command::cargo_bin("mailroom").unwrap().arg("--archive").arg(a).args(["review", "approve", &dup_id[..12], "--reason", "Teillieferung, keine Doublette"]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(outbox_entries(a, dup_id), 1);
}

#[test]
fn the_same_invoice_attached_twice_to_one_e_mail_passes_once() {
    let archive = tempfile::tempdir().unwrap();
    let xml = std::fs::read(fixture("documents/xrechnung-cii.xml")).unwrap();
    let mut resent = xml.clone();
    resent.extend_from_slice(b"\n<!-- Kopie -->\n");
    let eml = mail::Mail::new("Buchhaltung <rechnung@lieferant.example>", "Rechnung 123456XX")
        .text("Anbei die Rechnung, zweimal.")
        .attach("rechnung.xml", "application/xml", &xml)
        .attach("rechnung-kopie.xml", "application/xml", &resent)
        .bytes();
    let inbox = tempfile::tempdir().unwrap();
    let p = inbox.path().join("mail.eml");
    std::fs::write(&p, eml).unwrap();
    let run = process(archive.path(), &[p]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let invoices: Vec<&Value> = run.indexes.iter().filter(|i| i["doc_type"]["label"] == "invoice").collect();
    assert_eq!(invoices.len(), 2, "{}", run.stderr());
    let passed: Vec<bool> = invoices.iter().map(|i| duplicate_check(i)["passed"].as_bool().unwrap()).collect();
    assert_eq!(passed.iter().filter(|p| **p).count(), 1, "exactly one of the two passes: {passed:?}");
    let handed: usize = invoices.iter().map(|i| outbox_entries(archive.path(), i["id"].as_str().unwrap())).sum();
    assert_eq!(handed, 1, "one outbox entry for the two copies");
}

/// The invoice of a generated linked set (`fixtures/linked`), born digital or scanned at 200 dpi.
fn linked_invoice(variant: &str) -> PathBuf {
    fixture(&format!("linked/l1-000-match/{variant}/4-invoice.pdf"))
}

#[test]
fn the_same_invoice_born_digital_and_as_a_scan_is_held_once_and_its_credit_note_is_no_duplicate() {
    let archive = tempfile::tempdir().unwrap();
    let a = archive.path();
    let run = process(a, &[linked_invoice("digital")]);
    let first = run.by_name("4-invoice.pdf");
    assert_eq!(duplicate_check(first)["passed"], true);
    let first_id = first["id"].as_str().unwrap();
    assert_eq!(outbox_entries(a, first_id), 1, "the first copy goes to the ERP");
    // The paper copy of the same invoice, scanned: other bytes, read by OCR.
    let run = process(a, &[linked_invoice("scans")]);
    let scan = run.by_name("4-invoice.pdf");
    assert_eq!(scan["source_format"], "scan");
    let check = duplicate_check(scan);
    assert_eq!(check["passed"], false, "{check}");
    assert!(check["message"].as_str().unwrap().contains(first_id), "{check}");
    assert_eq!(scan["review"]["state"], "pending");
    let scan_id = scan["id"].as_str().unwrap();
    assert_eq!(outbox_entries(a, scan_id), 0, "the scan is not handed to the ERP a second time");
    // A person confirms it is not a duplicate: released, and the confirmation stays.
    let o = Command::cargo_bin("mailroom").unwrap().arg("--archive").arg(a).args(["review", "approve", &scan_id[..12], "--reason", "zweite Lieferung, eigene Rechnung"]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(outbox_entries(a, scan_id), 1);

    // A credit note (Storno) with the invoice's number and amount cancels it; it is no duplicate.
    let inbox = tempfile::tempdir().unwrap();
    let invoice = xrechnung(inbox.path(), "rechnung.xml", |x| x);
    let storno = xrechnung(inbox.path(), "storno.xml", |x| x.replacen("<ram:TypeCode>380</ram:TypeCode>", "<ram:TypeCode>381</ram:TypeCode>", 1));
    let run = process(a, &[invoice]);
    assert_eq!(duplicate_check(run.by_name("rechnung.xml"))["passed"], true);
    let run = process(a, &[storno]);
    let credit = run.by_name("storno.xml");
    assert_eq!(credit["doc_type"]["label"], "credit_note");
    assert_eq!(duplicate_check(credit)["passed"], true, "a credit note is not its invoice's duplicate: {}", duplicate_check(credit));
}
