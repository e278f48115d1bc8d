//! The archive commands on an embedded (local folder) archive, through the real binary:
//! export, revise, verify, legal hold, retention, quarantine retry, and the ERP outbox.

mod common;

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use common::*;

fn mailroom(archive: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("mailroom").unwrap().arg("--archive").arg(archive).args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn export_writes_en16931_for_invoices_and_says_why_not_for_the_rest() {
    let archive = tempfile::tempdir().unwrap();
    let run = process(archive.path(), &[fixture("documents/xrechnung-cii.xml"), fixture("documents/zugferd-invoice.pdf"), fixture("documents/invoice-page.png")]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let out = tempfile::tempdir().unwrap();
    // The scan needs review: held, it is not exported at all until a person approves it.
    let held = tempfile::tempdir().unwrap();
    let o = mailroom(archive.path(), &["export", "--type", "invoice", "--out", held.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_dir(held.path()).unwrap().count(), 2, "only the two released e-invoices");
    let scan_id = run.by_name("invoice-page.png")["id"].as_str().unwrap().to_string();
    let o = mailroom(archive.path(), &["review", "approve", &scan_id[..12]]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = mailroom(archive.path(), &["export", "--type", "invoice", "--out", out.path().to_str().unwrap()]);
    // The scan lacks values EN 16931 requires (seller country, lines …): not exported, and said so.
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("required values are unknown"), "{}", stderr(&o));
    let written: Vec<_> = std::fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(written.len(), 2, "{written:?}");
    for x in &written {
        let inv = mailroom::einvoice::parse(&std::fs::read(x).unwrap()).expect("the export parses back");
        assert!(inv.number.is_some());
    }
    // By id to stdout, and the date range filters by issue date.
    let xml_id = run.by_name("xrechnung-cii.xml")["id"].as_str().unwrap().to_string();
    let o = mailroom(archive.path(), &["export", "--id", &xml_id[..16]]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("CrossIndustryInvoice"));
    let o = mailroom(archive.path(), &["export", "--from", "2099-01-01", "--out", out.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("nothing to export"));
    // Exports are audited.
    let o = mailroom(archive.path(), &["verify", "--json"]);
    assert!(o.status.success());
}

/// A correction is a new revision, audited; the ERP gets the corrected values once a person
/// approves them. Every document waits for a person here (`straight_through = false`), so the
/// story does not hang on how sure the models are of this invoice.
#[test]
fn a_correction_is_a_new_revision_audited_and_handed_to_the_erp_once_approved() {
    let archive = tempfile::tempdir().unwrap();
    let settings = tempfile::tempdir().unwrap();
    let config = settings.path().join("mailroom.toml");
    std::fs::write(&config, "[review]\nstraight_through = false\n").unwrap();
    let run = |args: &[&str]| Command::cargo_bin("mailroom").unwrap().arg("--config").arg(&config).arg("--archive").arg(archive.path()).args(args).output().unwrap();
    let processed = |o: &Output| -> serde_json::Value { serde_json::from_str(String::from_utf8_lossy(&o.stdout).lines().next().expect("one index")).unwrap() };
    let pdf = fixture("documents/born-digital-invoice.pdf");
    let idx = processed(&run(&["process", "--json", pdf.to_str().unwrap()]));
    let id = idx["id"].as_str().unwrap();
    assert_eq!(idx["review"]["state"], "pending", "{}", idx["review"]);
    let o = run(&["revise", &id[..12], "--set", "invoice_number=RE-KORR-1", "--set", "order_reference=", "--reason", "number misread"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let dir = archive.path().join("documents").join(id).join("index");
    let first: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("0001.json")).unwrap()).unwrap();
    let second: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("0002.json")).unwrap()).unwrap();
    assert_eq!(first, idx, "the first revision is untouched");
    assert_eq!(second["fields"]["invoice_number"]["value"], "RE-KORR-1");
    assert_eq!(second["fields"]["invoice_number"]["confidence"], 1.0);
    // Each value says where it came from: the person who set it, or what read it.
    assert_eq!(second["fields"]["invoice_number"]["source"]["from"], "person");
    assert!(second["fields"]["invoice_number"]["source"]["by"].as_str().unwrap().contains('@'));
    assert!(["rules", "model", "computed"].contains(&second["fields"]["gross_total"]["source"]["from"].as_str().unwrap()), "{}", second["fields"]["gross_total"]);
    assert!(second["fields"]["order_reference"].is_null());
    assert_eq!(second["archive"]["revision"], 2);
    assert_eq!(second["needs_review"], false);
    // A correction is no approval: nothing has gone to the ERP yet.
    assert!(outbox(archive.path(), id).is_empty(), "{:?}", outbox(archive.path(), id));
    let o = run(&["review", "approve", &id[..12]]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Processing the same file again returns the current revision.
    let again = processed(&run(&["process", "--json", pdf.to_str().unwrap()]));
    assert_eq!(again["archive"]["revision"], 3);
    assert_eq!(again["fields"]["invoice_number"]["value"], "RE-KORR-1");
    // The ERP gets the approved revision, with the corrected number.
    let sent = outbox(archive.path(), id);
    let csv = sent.iter().find(|p| file_name(p) == format!("{id}-r0003.csv")).unwrap_or_else(|| panic!("{sent:?}"));
    assert!(std::fs::read_to_string(csv).unwrap().contains("RE-KORR-1"));
    // The audit trail holds who changed what from what to what.
    let entries: Vec<serde_json::Value> = listing(&archive.path().join("audit")).into_iter().map(|(p, _, _)| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()).collect();
    // Two revisions were audited: the correction, and the approval (whose entry has no changes).
    let corrected = entries.iter().find(|e| e["event"] == "revised" && e["details"]["changes"].is_array()).unwrap_or_else(|| panic!("a correction's entry in {entries:?}"));
    assert_eq!(corrected["details"]["reason"], "number misread");
    assert!(corrected["details"]["changes"].as_array().unwrap().iter().any(|c| c["field"] == "invoice_number" && c["to"] == "RE-KORR-1"));
    assert!(run(&["verify"]).status.success());
}

#[test]
fn verify_finds_a_changed_index_and_a_removed_audit_entry() {
    let archive = tempfile::tempdir().unwrap();
    let run = process(archive.path(), &[fixture("documents/born-digital-invoice.pdf"), fixture("documents/xrechnung-cii.xml")]);
    assert_eq!(run.code(), 0);
    assert!(mailroom(archive.path(), &["verify"]).status.success(), "a fresh archive verifies");
    let id = run.by_name("born-digital-invoice.pdf")["id"].as_str().unwrap().to_string();
    let index = archive.path().join(format!("documents/{id}/index/0001.json"));
    let mut perms = std::fs::metadata(&index).unwrap().permissions();
    assert!(perms.readonly(), "archived files are read-only");
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&index, perms).unwrap();
    let text = std::fs::read_to_string(&index).unwrap().replace("\"needs_review\": false", "\"needs_review\": true").replace("\"needs_review\": true", "\"needs_review\": false");
    std::fs::write(&index, text + " ").unwrap();
    // An entry taken out of a lane, with later ones left.
    let lane = std::fs::read_dir(archive.path().join("audit/lanes")).unwrap().map(|e| e.unwrap().path()).find(|l| l.join("000000000002.json").exists()).expect("a lane with two entries");
    std::fs::remove_file(lane.join("000000000001.json")).unwrap();
    let o = mailroom(archive.path(), &["verify", "--json"]);
    assert_eq!(o.status.code(), Some(2));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let problems: Vec<&str> = report["findings"].as_array().unwrap().iter().map(|f| f["problem"].as_str().unwrap()).collect();
    assert!(problems.contains(&"tampered_object"), "{problems:?}");
    assert!(problems.contains(&"gap"), "{problems:?}");
}

#[test]
fn holds_retention_and_quarantine_from_the_command_line() {
    let archive = tempfile::tempdir().unwrap();
    let run = process(archive.path(), &[fixture("documents/born-digital-invoice.pdf"), fixture("bad/truncated.pdf")]);
    let id = run.by_name("born-digital-invoice.pdf")["id"].as_str().unwrap().to_string();

    assert!(!mailroom(archive.path(), &["hold", "set", &id[..12], "--reason", ""]).status.success(), "a hold needs a reason");
    let o = mailroom(archive.path(), &["hold", "set", &id[..12], "--reason", "Betriebsprüfung 2026"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = mailroom(archive.path(), &["retention", "report", "--all", "--json"]);
    let list: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    let held = list.iter().find(|s| s["id"] == id.as_str()).unwrap();
    assert_eq!(held["legal_hold"], true);
    assert_eq!(held["doc_type"], "invoice");
    // Nothing has expired: the purge lists nothing and deletes nothing, approved or not.
    let o = mailroom(archive.path(), &["retention", "purge"]);
    assert!(stderr(&o).contains("0 document(s) could be purged"), "{}", stderr(&o));
    let before = listing(archive.path()).len();
    let o = mailroom(archive.path(), &["retention", "purge", "--approve", "test"]);
    assert!(o.status.success());
    assert_eq!(listing(archive.path()).len(), before, "nothing deleted, nothing logged");

    let o = mailroom(archive.path(), &["quarantine", "list", "--json"]);
    let q: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0]["record"]["error"]["kind"], "corrupt");
    // A retry of a file that is still broken keeps it in quarantine (exit 2) and says why.
    let o = mailroom(archive.path(), &["quarantine", "retry", "--all"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("corrupt"));
    assert!(mailroom(archive.path(), &["verify"]).status.success());
}
