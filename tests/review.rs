//! Nothing reaches the ERP that a person should have checked: a document that needs review is
//! held — no outbox entry, no export — until a person approves it; a rejected one never goes.
//! Through the real binary on an embedded archive.

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

fn index(archive: &Path, id: &str, revision: u32) -> Value {
    serde_json::from_slice(&std::fs::read(archive.join("documents").join(id).join("index").join(format!("{revision:04}.json"))).unwrap()).unwrap()
}

fn audit(archive: &Path) -> Vec<Value> {
    listing(&archive.join("audit")).into_iter().map(|(p, _, _)| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()).collect()
}

#[test]
fn a_document_needing_review_reaches_the_erp_only_once_a_person_approves_it() {
    let archive = tempfile::tempdir().unwrap();
    let a = archive.path();
    // The scan's totals do not add up and its VAT ID fails its check digit: it needs review.
    // The e-invoice, read from its XML, needs nothing and goes straight through (a PDF read by
    // the models could wait for review when they are less sure of one value).
    let run = process(a, &[fixture("documents/invoice-page.png"), fixture("documents/zugferd-invoice.pdf")]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let held = run.by_name("invoice-page.png");
    let held_id = held["id"].as_str().unwrap().to_string();
    let through = run.by_name("zugferd-invoice.pdf");
    let through_id = through["id"].as_str().unwrap();
    assert_eq!(held["needs_review"], true);
    assert_eq!(held["review"]["state"], "pending");
    assert_eq!(through["review"]["state"], "straight_through");
    assert!(held["fields"].as_object().unwrap().values().all(|f| ["rules", "model", "computed"].contains(&f["source"]["from"].as_str().unwrap())), "{}", held["fields"]);
    assert!(outbox(a, &held_id).is_empty(), "held for review, yet in the outbox: {:?}", outbox(a, &held_id));
    assert!(outbox(a, through_id).iter().any(|p| file_name(p).ends_with("-r0001.jsonl")));

    // Nothing leaves by the other ways out either: not exported, and processing it again
    // (the path that completes an interrupted handoff) writes no outbox entry.
    let o = mailroom(a, &["export", "--id", &held_id[..16]]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    process(a, &[fixture("documents/invoice-page.png")]);
    assert!(outbox(a, &held_id).is_empty());

    // The queue lists it, with why.
    let o = mailroom(a, &["review", "list", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let queue: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(queue.len(), 1, "{queue:?}");
    assert_eq!(queue[0]["id"], held_id.as_str());
    assert!(queue[0]["failing_checks"].as_array().unwrap().iter().any(|c| c == "totals_consistent"));

    // A decision made against an older revision is refused, not written over the newer one.
    let o = mailroom(a, &["review", "approve", &held_id[..12], "--revision", "7"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("changed meanwhile"), "{}", stderr(&o));

    let o = mailroom(a, &["review", "approve", &held_id[..12], "--revision", "1", "--reason", "Summe geprüft"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let approved = index(a, &held_id, 2);
    assert_eq!(approved["review"]["state"], "approved");
    let by = approved["review"]["by"].as_str().unwrap();
    assert!(by.contains('@'), "the person, as user@host: {by}");
    assert_eq!(approved["needs_review"], false);
    // Every value read is now one the person vouched for: a later reading will not replace it.
    assert!(approved["fields"].as_object().unwrap().values().all(|f| f["source"]["confirmed_by"] == by), "{}", approved["fields"]);
    assert_eq!(index(a, &held_id, 1)["review"]["state"], "pending", "the first revision is untouched");
    // Now the ERP gets it: the approved revision, saying who approved it.
    let files = outbox(a, &held_id);
    assert!(!files.iter().any(|p| file_name(p).contains("-r0001")), "{files:?}");
    let entry = files.iter().find(|p| file_name(p) == format!("{held_id}-r0002.jsonl")).unwrap_or_else(|| panic!("{files:?}"));
    let line: Value = serde_json::from_slice(&std::fs::read(entry).unwrap()).unwrap();
    assert_eq!(line["review"]["by"], by);
    // The audit trail names the person and the decision.
    let entries = audit(a);
    let decided = entries.iter().find(|e| e["event"] == "revised" && e["document"] == held_id.as_str()).expect("an audit entry for the approval");
    assert_eq!(decided["details"]["review"]["to"], "approved");
    assert_eq!(decided["details"]["reason"], "Summe geprüft");
    assert_eq!(decided["actor"], by);
    assert!(entries.iter().any(|e| e["event"] == "handed_off" && e["document"] == held_id.as_str()));
    // Approving twice is said, not written twice.
    let o = mailroom(a, &["review", "approve", &held_id[..12]]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("approved already"), "{}", stderr(&o));
    assert!(mailroom(a, &["verify"]).status.success());
}

#[test]
fn a_rejected_document_never_reaches_the_erp_not_even_after_a_correction() {
    let archive = tempfile::tempdir().unwrap();
    let a = archive.path();
    let run = process(a, &[fixture("documents/invoice-page.png")]);
    let id = run.by_name("invoice-page.png")["id"].as_str().unwrap().to_string();
    let o = mailroom(a, &["review", "reject", &id[..12]]);
    assert_eq!(o.status.code(), Some(1), "a reason is required");
    assert!(stderr(&o).contains("reason"), "{}", stderr(&o));
    let o = mailroom(a, &["review", "reject", &id[..12], "--reason", "doppelt erhalten"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(index(a, &id, 2)["review"]["state"], "rejected");
    let o = mailroom(a, &["revise", &id[..12], "--set", "gross_total=119.00", "--reason", "Betrag korrigiert"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(index(a, &id, 3)["review"]["state"], "rejected", "a correction does not release it");
    assert!(outbox(a, &id).is_empty(), "{:?}", outbox(a, &id));
    let o = mailroom(a, &["review", "list", "--all", "--json"]);
    let queue: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert!(queue.is_empty(), "a rejected document waits for nobody: {queue:?}");
}

#[test]
fn without_straight_through_every_document_waits_for_a_person() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let config = dir.path().join("pipeline.toml");
    std::fs::write(&config, format!("[archive]\nkind = \"local\"\npath = \"{}\"\n\n[review]\nstraight_through = false\n", archive.display())).unwrap();
    let o = Command::cargo_bin("mailroom").unwrap().arg("--config").arg(&config).args(["process", "--json"]).arg(fixture("documents/zugferd-invoice.pdf")).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let idx: Value = serde_json::from_slice(&o.stdout).unwrap();
    let id = idx["id"].as_str().unwrap();
    assert_eq!(idx["needs_review"], false);
    assert_eq!(idx["review"]["state"], "pending");
    assert!(outbox(&archive, id).is_empty());
    let o = Command::cargo_bin("mailroom").unwrap().arg("--config").arg(&config).args(["review", "postpone", &id[..12], "--reason", "Rückfrage beim Lieferanten"]).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(outbox(&archive, id).is_empty(), "postponed is still held");
    let o = Command::cargo_bin("mailroom").unwrap().arg("--config").arg(&config).args(["review", "approve", &id[..12]]).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(outbox(&archive, id).iter().any(|p| file_name(p).ends_with("-r0003.jsonl")), "{:?}", outbox(&archive, id));
}

#[test]
fn stats_tell_the_automation_rate_and_which_fields_reviewers_change() {
    let archive = tempfile::tempdir().unwrap();
    let a = archive.path();
    let run = process(a, &[fixture("documents/invoice-page.png"), fixture("documents/zugferd-invoice.pdf")]);
    let held = run.by_name("invoice-page.png")["id"].as_str().unwrap().to_string();
    let o = mailroom(a, &["revise", &held[..12], "--set", "gross_total=1190.00", "--reason", "Summe falsch gelesen"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = mailroom(a, &["review", "approve", &held[..12]]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = mailroom(a, &["stats", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["processed"], 2);
    assert_eq!(s["released_unchanged"], 1, "the straight-through invoice; the corrected one does not count");
    assert_eq!(s["automation_rate"], 0.5);
    assert_eq!(s["reviewed_by_a_person"], 1);
    assert_eq!(s["fields"]["gross_total"]["changed"], 1);
    assert_eq!(s["fields"]["invoice_number"]["changed"], 0);
    assert_eq!(s["review"]["approved"], 1);
    assert_eq!(s["review"]["straight_through"], 1);
}
