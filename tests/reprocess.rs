//! `mailroom reprocess`: archived documents read again write a revision only where the reading
//! differs, never lose a value a person set, and never re-release unchecked values.

mod common;

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use common::*;
use serde_json::Value;

fn mailroom(archive: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("mailroom").unwrap().arg("--archive").arg(archive).args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn revisions(archive: &Path, id: &str) -> usize {
    std::fs::read_dir(archive.join("documents").join(id).join("index")).unwrap().count()
}

fn write_ids(dir: &Path, ids: &[&str]) -> std::path::PathBuf {
    let p = dir.join("ids.txt");
    std::fs::write(&p, ids.iter().map(|i| format!("{}\n", &i[..16])).collect::<String>()).unwrap();
    p
}

fn current(archive: &Path, id: &str) -> Value {
    let n = revisions(archive, id);
    serde_json::from_slice(&std::fs::read(archive.join("documents").join(id).join("index").join(format!("{n:04}.json"))).unwrap()).unwrap()
}

#[test]
fn reading_again_changes_nothing_that_did_not_change_and_keeps_what_a_person_set() {
    let archive = tempfile::tempdir().unwrap();
    let a = archive.path();
    let run = process(a, &[fixture("documents/born-digital-invoice.pdf"), fixture("documents/xrechnung-cii.xml"), fixture("documents/invoice-page.png")]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let pdf = run.by_name("born-digital-invoice.pdf")["id"].as_str().unwrap().to_string();
    let xml = run.by_name("xrechnung-cii.xml")["id"].as_str().unwrap().to_string();
    let scan = run.by_name("invoice-page.png")["id"].as_str().unwrap().to_string();

    // A selection is required.
    assert_eq!(mailroom(a, &["reprocess"]).status.code(), Some(1));
    // The same models read the same: nothing to change, nothing written (the scan from its
    // stored words, the e-invoice from its XML).
    let o = mailroom(a, &["reprocess", "--all", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<Value> = String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines.iter().all(|l| l["changes"].as_array().unwrap().is_empty()), "{lines:?}");
    for id in [&pdf, &xml, &scan] {
        assert_eq!(revisions(a, id), 1, "no revision where nothing changed");
    }
    // Nothing was read by an older model.
    let o = mailroom(a, &["reprocess", "--model-older"]);
    assert!(stderr(&o).contains("0 selected"), "{}", stderr(&o));
    // By the day and the channel they came.
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let o = mailroom(a, &["reprocess", "--received-from", &today, "--channel", "file", "--dry-run"]);
    assert!(stderr(&o).contains("3 selected"), "{}", stderr(&o));
    let o = mailroom(a, &["reprocess", "--received-to", "2020-01-01"]);
    assert!(stderr(&o).contains("0 selected"), "{}", stderr(&o));
    let o = mailroom(a, &["reprocess", "--channel", "http"]);
    assert!(stderr(&o).contains("0 selected"), "{}", stderr(&o));
    assert_eq!(mailroom(a, &["reprocess", "--channel", "fax"]).status.code(), Some(1));

    // A person sets the gross total (wrongly, say): reading again keeps it, notes the reading
    // beside it, and sends the document to review instead of releasing it again.
    let o = mailroom(a, &["revise", &pdf[..12], "--set", "gross_total=999.99", "--reason", "Test"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = current(a, &pdf);
    let read = run.by_name("born-digital-invoice.pdf")["fields"]["gross_total"]["value"].as_str().unwrap().to_string();
    let o = mailroom(a, &["reprocess", "--type", "invoice", "--dry-run", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(revisions(a, &pdf), 2, "a dry run writes nothing");
    let o = mailroom(a, &["reprocess", "--type", "invoice", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<Value> = String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let mine = lines.iter().find(|l| l["id"] == pdf.as_str()).unwrap();
    assert_eq!(mine["suggestions"][0]["kept"], "999.99");
    assert_eq!(mine["suggestions"][0]["reading"], read.as_str());
    let after = current(a, &pdf);
    assert_eq!(after["archive"]["revision"], 3);
    assert_eq!(after["fields"]["gross_total"]["value"], "999.99", "a person's value is never overwritten");
    assert_eq!(after["fields"]["gross_total"]["source"]["from"], "person");
    assert_eq!(after["review"]["state"], "pending", "was {}", before["review"]);
    // The audit entry carries the reading as a suggestion.
    let audit: Vec<Value> = listing(&a.join("audit")).into_iter().map(|(p, _, _)| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()).collect();
    // Each command writes its own audit lane: the newest entry is the one with the latest time.
    let entry = audit.iter().filter(|e| e["event"] == "revised" && e["document"] == pdf.as_str()).max_by_key(|e| (e["at"].as_str().unwrap_or("").to_string(), e["seq"].as_u64())).unwrap();
    assert_eq!(entry["details"]["reprocessed"], true);
    assert_eq!(entry["details"]["suggestions"][0]["reading"], read.as_str());
    // An approved document read again the same stays approved: nothing written.
    let o = mailroom(a, &["review", "approve", &scan[..12]]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = mailroom(a, &["reprocess", "--ids", write_ids(a, &[&scan]).to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(revisions(a, &scan), 2);
    assert_eq!(current(a, &scan)["review"]["state"], "approved");
    // Started again, it finds nothing left to do.
    let o = mailroom(a, &["reprocess", "--type", "invoice"]);
    assert!(stderr(&o).contains(" 0 changed"), "{}", stderr(&o));
    assert_eq!(revisions(a, &pdf), 3);
    assert!(mailroom(a, &["verify"]).status.success());
}
