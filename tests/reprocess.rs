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

/// Index revisions on disk (`0001.json`, …). A write cut by SIGKILL may leave its temporary
/// file beside them, which `listing` does not count: no revision.
fn revisions(archive: &Path, id: &str) -> usize {
    listing(&archive.join("documents").join(id).join("index")).len()
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
    // By review state: the one approved.
    let o = mailroom(a, &["reprocess", "--review", "approved", "--dry-run"]);
    assert!(stderr(&o).contains("1 selected"), "{}", stderr(&o));
    // Started again, it finds nothing left to do.
    let o = mailroom(a, &["reprocess", "--type", "invoice"]);
    assert!(stderr(&o).contains(" 0 changed"), "{}", stderr(&o));
    assert_eq!(revisions(a, &pdf), 3);
    // Only an explicit, logged override lets the reading replace a person's value.
    let o = mailroom(a, &["reprocess", "--ids", write_ids(a, &[&pdf]).to_str().unwrap(), "--override-reviewed"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let after = current(a, &pdf);
    assert_eq!(after["fields"]["gross_total"]["value"], read.as_str(), "the reading replaced the person's value");
    assert_eq!(after["review"]["state"], "pending");
    assert!(after["review"]["reason"].as_str().unwrap().contains("--override-reviewed"));
    assert!(mailroom(a, &["verify"]).status.success());
}

/// 200 letters read by an older pipeline (rules only, `[models] trained = false`), then read
/// again with the shipped models: the dry run reports exactly what the real run writes; the
/// real run, killed with SIGKILL halfway and started again, reads every document once (one new
/// revision each, no duplicates) and goes on from its checkpoint; values a person set survive;
/// the ERP gets nothing again for documents whose values did not change.
#[test]
fn two_hundred_documents_read_again_after_a_model_change_once_each_through_a_kill() {
    use common::stack::*;
    use std::collections::{BTreeMap, BTreeSet};
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("archive");
    let inbox = dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    for k in 0..200 {
        let pages = if k % 7 == 0 { 2 } else { 1 };
        let sheets: Vec<Sheet> = (1..=pages).map(|p| Sheet::Text(letter_page(k, p, pages))).collect();
        std::fs::write(inbox.join(format!("brief-{k:03}.pdf")), stack_pdf(&sheets)).unwrap();
    }
    let old = dir.path().join("old.toml");
    std::fs::write(&old, "[models]\ntrained = false\n").unwrap();
    let o = Command::cargo_bin("mailroom").unwrap().arg("--archive").arg(&a).arg("--config").arg(&old).args(["process", "--json"]).arg(&inbox).output().unwrap();
    assert!(o.status.code().is_some_and(|c| c == 0 || c == 2), "{}", stderr(&o));
    let first: Vec<Value> = String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(first.len(), 200);
    let ids: Vec<String> = first.iter().map(|i| i["id"].as_str().unwrap().to_string()).collect();
    // A person corrects three gross totals before the models change.
    for id in &ids[..3] {
        let o = mailroom(&a, &["revise", &id[..12], "--set", "gross_total=4711.00", "--reason", "Beleg geprüft"]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let outbox = |id: &str| -> usize {
        if !a.join("handoff").exists() {
            return 0;
        }
        listing(&a.join("handoff")).iter().filter(|(p, _, _)| p.to_string_lossy().contains(id)).count()
    };
    let outbox_before: BTreeMap<&String, usize> = ids.iter().map(|id| (id, outbox(id))).collect();
    let revs_before: BTreeMap<&String, usize> = ids.iter().map(|id| (id, revisions(&a, id))).collect();

    // The dry run: what would change, per document; nothing written.
    let o = mailroom(&a, &["reprocess", "--all", "--dry-run", "--json", "--report", dir.path().join("dry.json").to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let dry: BTreeMap<String, BTreeSet<String>> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|v| (v["id"].as_str().unwrap().to_string(), v["changes"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap().to_string()).collect()))
        .collect();
    assert_eq!(dry.len(), 200);
    assert!(ids.iter().all(|id| revisions(&a, id) == revs_before[id]), "a dry run writes nothing");
    let report: Value = serde_json::from_slice(&std::fs::read(dir.path().join("dry.json")).unwrap()).unwrap();
    assert_eq!(report["selected"], 200);
    assert_eq!(report["fields"]["models"]["documents"], 200, "every reading came from the older models: {report}");

    // The real run, one document at a time so that it can be caught halfway, killed (SIGKILL).
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("mailroom"))
        .arg("--archive")
        .arg(&a)
        .args(["reprocess", "--all", "--jobs", "1"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while ids.iter().filter(|id| revisions(&a, id) > revs_before[*id]).count() < 100 {
        assert!(std::time::Instant::now() < deadline, "the run did not get halfway in 120 s");
        assert!(child.try_wait().unwrap().is_none(), "the run ended before it was killed");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let halfway = ids.iter().filter(|id| revisions(&a, id) > revs_before[*id]).count();
    assert!(halfway < 200, "killed before the end ({halfway})");
    // Started again: the same run goes on from its checkpoint.
    let o = mailroom(&a, &["reprocess", "--all"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("done before are skipped"), "{}", stderr(&o));
    for id in &ids {
        assert_eq!(revisions(&a, id), revs_before[id] + 1, "{id}: exactly one new revision");
    }
    // What was written is what the dry run said, document by document.
    let audit: Vec<Value> = listing(&a.join("audit")).into_iter().map(|(p, _, _)| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()).collect();
    let written: BTreeMap<String, BTreeSet<String>> = audit
        .iter()
        .filter(|e| e["event"] == "revised" && e["details"]["reprocessed"] == true)
        .map(|e| (e["document"].as_str().unwrap().to_string(), e["details"]["changes"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap().to_string()).collect()))
        .collect();
    assert_eq!(written, dry, "the dry run reported exactly what the run wrote");
    // A person's values survive; the ERP gets nothing again where no value changed.
    for id in &ids[..3] {
        assert_eq!(current(&a, id)["fields"]["gross_total"]["value"], "4711.00");
    }
    let value_fields = |f: &BTreeSet<String>| f.iter().any(|f| !matches!(f.as_str(), "models" | "checks" | "review"));
    for id in &ids {
        let now = current(&a, id);
        let released = matches!(now["review"]["state"].as_str(), Some("approved" | "straight_through"));
        if !value_fields(&dry[id]) || !released {
            assert_eq!(outbox(id), outbox_before[id], "{id}: no value changed or not released: nothing handed off");
        }
    }
    // The run's progress, from the catalog.
    let o = mailroom(&a, &["reprocess", "status", "--json"]);
    let runs: Value = serde_json::from_slice(&o.stdout).unwrap();
    let run = runs.as_array().unwrap().iter().find(|r| r["selected"] == 200).expect("the run");
    let done: u64 = run["done"].as_object().unwrap().values().map(|n| n.as_u64().unwrap()).sum();
    assert_eq!(done, 200, "{run}");
    assert!(mailroom(&a, &["verify"]).status.success());
}

/// A saved list (`[[lists]]`) as the selection.
#[test]
fn a_saved_list_selects_what_is_read_again() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let cfg = dir.path().join("pipeline.toml");
    std::fs::write(&cfg, format!("[archive]\nkind = \"local\"\npath = {:?}\n\n[[lists]]\nname = \"E-Rechnungen\"\ndoc_types = [\"invoice\"]\n", archive.to_str().unwrap())).unwrap();
    let run = |args: &[&str]| Command::cargo_bin("mailroom").unwrap().arg("--config").arg(&cfg).args(args).output().unwrap();
    let o = run(&["process", fixture("documents/xrechnung-cii.xml").to_str().unwrap(), fixture("documents/zugferd-invoice.pdf").to_str().unwrap()]);
    assert!(o.status.code().is_some_and(|c| c == 0 || c == 2), "{}", stderr(&o));
    let o = run(&["reprocess", "--folder", "e-rechnungen", "--dry-run"]);
    assert!(o.status.success() && stderr(&o).contains("2 selected"), "{}", stderr(&o));
    let o = run(&["reprocess", "--folder", "Gibt es nicht"]);
    assert!(!o.status.success() && stderr(&o).contains("E-Rechnungen"), "{}", stderr(&o));
}
